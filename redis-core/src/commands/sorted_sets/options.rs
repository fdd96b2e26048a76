//! Options of the sorted set commands: ZADD's conditions, the inputs of
//! ZUNION/ZINTER with their weights and aggregation, and ZMPOP's end.

use crate::{Cmd, ToArgs};

/// When `ZADD` adds or updates a member. The flags Redis refuses together
/// (`NX` with `GT` or `LT`, `NX` with `XX`, `GT` with `LT`) are not variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZAddCondition {
    /// `NX`: only adds new members; existing ones keep their score.
    Nx,
    /// `XX`: only updates existing members; never adds.
    Xx,
    /// `GT`: adds new members, and updates existing ones only to a greater score.
    Gt,
    /// `LT`: adds new members, and updates existing ones only to a lower score.
    Lt,
    /// `XX GT`: only updates existing members, and only to a greater score.
    #[doc(alias = "XX")]
    XxGt,
    /// `XX LT`: only updates existing members, and only to a lower score.
    #[doc(alias = "XX")]
    XxLt,
}

impl ToArgs for ZAddCondition {
    fn write_args(&self, cmd: &mut Cmd) {
        let flags: &[&str] = match self {
            ZAddCondition::Nx => &["NX"],
            ZAddCondition::Xx => &["XX"],
            ZAddCondition::Gt => &["GT"],
            ZAddCondition::Lt => &["LT"],
            ZAddCondition::XxGt => &["XX", "GT"],
            ZAddCondition::XxLt => &["XX", "LT"],
        };
        cmd.push_arg(flags);
    }
}

/// The options of [`zadd_with`](super::zadd_with): a condition and `CH`.
/// A [`ZAddCondition`] alone converts into options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ZAddOptions {
    condition: Option<ZAddCondition>,
    changed: bool,
}

impl ZAddOptions {
    /// No condition, and the reply counts added members.
    pub fn new() -> Self {
        ZAddOptions::default()
    }

    /// When members are added or updated.
    pub fn condition(mut self, condition: ZAddCondition) -> Self {
        self.condition = Some(condition);
        self
    }

    /// `CH`: the reply counts changed members (added, or given a new score),
    /// not only added ones.
    #[doc(alias = "CH")]
    pub fn changed(mut self) -> Self {
        self.changed = true;
        self
    }
}

impl From<ZAddCondition> for ZAddOptions {
    fn from(condition: ZAddCondition) -> Self {
        ZAddOptions::new().condition(condition)
    }
}

/// `[NX|XX] [GT|LT] [CH]`.
impl ToArgs for ZAddOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(self.condition);
        if self.changed {
            cmd.push_arg("CH");
        }
    }
}

/// How `ZUNION`, `ZINTER` and their `STORE` forms combine the scores of a
/// member found in several sets (`AGGREGATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZAggregate {
    /// `SUM` (what Redis does without `AGGREGATE`).
    Sum,
    /// `MIN`: the lowest of the (weighted) scores.
    Min,
    /// `MAX`: the highest of the (weighted) scores.
    Max,
}

/// The sorted sets `ZUNION`, `ZINTER`, `ZUNIONSTORE` and `ZINTERSTORE`
/// combine, with a weight per set (`WEIGHTS`) and a [`ZAggregate`].
///
/// Any keys (`"a"`, `["a", "b"]`, a `Vec<String>`) convert into one without
/// weights; [`ZSets::weighted`] pairs each key with its weight, so there is
/// always one weight per key, as Redis requires.
///
/// ```
/// use redis_core::commands::{ZAggregate, ZSets};
/// let best_of = ZSets::weighted([("scores:day1", 1.0), ("scores:day2", 2.0)])
///     .aggregate(ZAggregate::Max);
/// # let _ = best_of;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ZSets {
    /// The keys alone, for their count and their arguments.
    keys: Cmd,
    weights: Vec<f64>,
    aggregate: Option<ZAggregate>,
}

impl ZSets {
    /// The sorted sets at `keys`, each of weight 1.
    pub fn new(keys: impl ToArgs) -> Self {
        ZSets {
            keys: keys_only(keys),
            weights: Vec::new(),
            aggregate: None,
        }
    }

    /// The sorted sets of `(key, weight)` pairs: each set's scores are
    /// multiplied by its weight before they are combined.
    pub fn weighted<K: ToArgs>(sets: impl IntoIterator<Item = (K, f64)>) -> Self {
        let mut keys = Cmd::scratch();
        let mut weights = Vec::new();
        for (key, weight) in sets {
            keys.push_arg(key);
            weights.push(weight);
        }
        ZSets {
            keys,
            weights,
            aggregate: None,
        }
    }

    /// How the scores of a member found in several sets combine.
    pub fn aggregate(mut self, aggregate: ZAggregate) -> Self {
        self.aggregate = Some(aggregate);
        self
    }

    /// `numkeys key... [WEIGHTS weight...] [AGGREGATE SUM|MIN|MAX]`.
    pub(super) fn write(&self, cmd: &mut Cmd) {
        push_keys(cmd, &self.keys);
        if !self.weights.is_empty() {
            cmd.push_arg("WEIGHTS").push_arg(&self.weights);
        }
        if let Some(aggregate) = self.aggregate {
            cmd.push_arg("AGGREGATE").push_arg(match aggregate {
                ZAggregate::Sum => "SUM",
                ZAggregate::Min => "MIN",
                ZAggregate::Max => "MAX",
            });
        }
    }
}

// `ZSets` itself is not `ToArgs`, so any keys can convert into it.
impl<K: ToArgs> From<K> for ZSets {
    fn from(keys: K) -> Self {
        ZSets::new(keys)
    }
}

/// The end `ZMPOP`, `BZMPOP` pop from: the lowest or the highest scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinMax {
    /// `MIN`: the members with the lowest scores.
    Min,
    /// `MAX`: the members with the highest scores.
    Max,
}

impl ToArgs for MinMax {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(match self {
            MinMax::Min => "MIN",
            MinMax::Max => "MAX",
        });
    }
}

/// The arguments `keys` stands for, without a command name, so they can be
/// counted before they are written.
fn keys_only(keys: impl ToArgs) -> Cmd {
    let mut only = Cmd::scratch();
    only.push_arg(keys);
    only
}

/// `numkeys key...`, for the commands that take their keys counted.
pub(super) fn push_counted(cmd: &mut Cmd, keys: impl ToArgs) {
    push_keys(cmd, &keys_only(keys));
}

fn push_keys(cmd: &mut Cmd, keys: &Cmd) {
    cmd.push_arg(keys.arg_count());
    cmd.extend_from(keys);
}
