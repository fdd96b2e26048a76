//! Which members of a sorted set a command selects: score ranges, lex
//! ranges, and the rank/score/lex selections of `ZRANGE` and `ZRANGESTORE`.

use std::ops::{Bound, Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use bytes::Bytes;

use crate::{Cmd, ToArgs};

/// A range of scores with inclusive, exclusive or open ends, as `ZCOUNT`,
/// `ZREMRANGEBYSCORE` and `ZRANGE ... BYSCORE` take it.
///
/// Built from a Rust range: `1.0..=2.0` (both ends included), `1.0..2.0`
/// (2 excluded), `1.0..`, `..=2.0`, `..` (every score); an excluded lower end
/// is a pair of [`Bound`]s: `(Bound::Excluded(1.0), Bound::Unbounded)`.
/// Integer ranges work too (`1..=3`). An open end is sent as `-inf`/`+inf`.
///
/// ```
/// use std::ops::Bound;
/// use redis_core::commands::ScoreRange;
/// let range = ScoreRange::from(1.0..2.0);
/// assert_eq!((range.min, range.max), (Bound::Included(1.0), Bound::Excluded(2.0)));
/// let above_one = ScoreRange::from((Bound::Excluded(1.0), Bound::Unbounded));
/// assert_eq!(above_one.max, Bound::Unbounded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// The lowest score selected.
    pub min: Bound<f64>,
    /// The highest score selected.
    pub max: Bound<f64>,
}

impl ScoreRange {
    /// The scores between `min` and `max`.
    pub fn new(min: Bound<f64>, max: Bound<f64>) -> Self {
        ScoreRange { min, max }
    }

    /// Every score, `-inf` to `+inf`.
    pub fn all() -> Self {
        ScoreRange::new(Bound::Unbounded, Bound::Unbounded)
    }

    pub(super) fn write_ends(&self, reversed: bool, cmd: &mut Cmd) {
        let (min, max) = (score_end(self.min, "-inf"), score_end(self.max, "+inf"));
        if reversed {
            cmd.push_arg(max).push_arg(min);
        } else {
            cmd.push_arg(min).push_arg(max);
        }
    }
}

/// `min max`, in that order.
impl ToArgs for ScoreRange {
    fn write_args(&self, cmd: &mut Cmd) {
        self.write_ends(false, cmd);
    }
}

/// A score end as Redis parses it: `1.5`, `(1.5` (exclusive), or `open`.
fn score_end(bound: Bound<f64>, open: &str) -> String {
    let text = |score: f64| {
        if score.is_finite() {
            score.to_string()
        } else if score > 0.0 {
            "+inf".to_owned()
        } else if score < 0.0 {
            "-inf".to_owned()
        } else {
            // NaN: Redis refuses it ("min or max is not a float"), as it should.
            "nan".to_owned()
        }
    };
    match bound {
        Bound::Included(score) => text(score),
        Bound::Excluded(score) => format!("({}", text(score)),
        Bound::Unbounded => open.to_owned(),
    }
}

macro_rules! score_range_from {
    ($($range:ident),*) => {$(
        impl<T: Into<f64> + Copy> From<$range<T>> for ScoreRange {
            fn from(range: $range<T>) -> Self {
                let (min, max) = bounds(&range);
                ScoreRange::new(min.map(Into::into), max.map(Into::into))
            }
        }
    )*};
}

score_range_from!(Range, RangeInclusive, RangeFrom, RangeTo, RangeToInclusive);

/// The two ends of any std range, owned.
fn bounds<T: Clone, R: std::ops::RangeBounds<T>>(range: &R) -> (Bound<T>, Bound<T>) {
    (range.start_bound().cloned(), range.end_bound().cloned())
}

impl From<RangeFull> for ScoreRange {
    fn from(_: RangeFull) -> Self {
        ScoreRange::all()
    }
}

impl<T: Into<f64>> From<(Bound<T>, Bound<T>)> for ScoreRange {
    fn from((min, max): (Bound<T>, Bound<T>)) -> Self {
        ScoreRange::new(min.map(Into::into), max.map(Into::into))
    }
}

/// A range of members in lexicographical (byte) order with inclusive,
/// exclusive or open ends, as `ZLEXCOUNT`, `ZREMRANGEBYLEX` and
/// `ZRANGE ... BYLEX` take it. Meaningful when all members have the same score.
///
/// Built from a Rust range of strings or bytes: `"a"..="c"`, `"a".."c"`
/// (`c` excluded), `"b"..`, `..="c"`, `..` (every member); an excluded lower
/// end is a pair of [`Bound`]s. Sent as Redis spells it: `[a`, `(c`, `-`, `+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    /// The lowest member selected.
    pub min: Bound<Bytes>,
    /// The highest member selected.
    pub max: Bound<Bytes>,
}

impl LexRange {
    /// The members between `min` and `max`.
    pub fn new(min: Bound<Bytes>, max: Bound<Bytes>) -> Self {
        LexRange { min, max }
    }

    /// Every member, `-` to `+`.
    pub fn all() -> Self {
        LexRange::new(Bound::Unbounded, Bound::Unbounded)
    }

    pub(super) fn write_ends(&self, reversed: bool, cmd: &mut Cmd) {
        let (min, max) = (lex_end(&self.min, b"-"), lex_end(&self.max, b"+"));
        if reversed {
            cmd.push_arg(max).push_arg(min);
        } else {
            cmd.push_arg(min).push_arg(max);
        }
    }
}

/// `min max`, in that order.
impl ToArgs for LexRange {
    fn write_args(&self, cmd: &mut Cmd) {
        self.write_ends(false, cmd);
    }
}

/// A lex end as Redis parses it: `[member`, `(member`, or `open`.
fn lex_end(bound: &Bound<Bytes>, open: &[u8]) -> Vec<u8> {
    let prefixed = |prefix: u8, member: &Bytes| {
        let mut arg = Vec::with_capacity(member.len() + 1);
        arg.push(prefix);
        arg.extend_from_slice(member);
        arg
    };
    match bound {
        Bound::Included(member) => prefixed(b'[', member),
        Bound::Excluded(member) => prefixed(b'(', member),
        Bound::Unbounded => open.to_vec(),
    }
}

fn lex_bound<T: AsRef<[u8]>>(bound: Bound<T>) -> Bound<Bytes> {
    bound.map(|member| Bytes::copy_from_slice(member.as_ref()))
}

macro_rules! lex_range_from {
    ($($range:ident),*) => {$(
        impl<T: AsRef<[u8]>> From<$range<T>> for LexRange {
            fn from(range: $range<T>) -> Self {
                let (min, max) = ref_bounds(&range);
                LexRange::new(lex_bound(min), lex_bound(max))
            }
        }
    )*};
}

lex_range_from!(Range, RangeInclusive, RangeFrom, RangeTo, RangeToInclusive);

/// The two ends of any std range, borrowed (lex ends need not be `Clone`).
fn ref_bounds<T, R: std::ops::RangeBounds<T>>(range: &R) -> (Bound<&T>, Bound<&T>) {
    (range.start_bound(), range.end_bound())
}

impl From<RangeFull> for LexRange {
    fn from(_: RangeFull) -> Self {
        LexRange::all()
    }
}

impl<T: AsRef<[u8]>> From<(Bound<T>, Bound<T>)> for LexRange {
    fn from((min, max): (Bound<T>, Bound<T>)) -> Self {
        LexRange::new(lex_bound(min), lex_bound(max))
    }
}

/// The members `ZRANGE` and `ZRANGESTORE` select: by rank
/// ([`ZRange::rank`]), by score ([`ZRange::score`]) or lexicographically
/// ([`ZRange::lex`]), in ascending order or, with [`ZRange::rev`], descending.
///
/// The type parameter is how it selects, so the combinations Redis refuses
/// do not compile: `LIMIT` exists only by score and by lex, and
/// [`zrange_withscores`](super::zrange_withscores) takes no lex range.
///
/// ```
/// use redis_core::commands::ZRange;
/// let top_three = ZRange::rank(0, 2).rev();
/// let page = ZRange::score(10.0..).limit(20, 10);
/// let names = ZRange::lex("a".."n");
/// # let _ = (top_three, page, names);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ZRange<B> {
    by: B,
    rev: bool,
}

/// [`ZRange`] by rank: `start` and `stop` are 0-based positions, inclusive;
/// negative ones count from the end (`-1` is the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByRank {
    start: i64,
    stop: i64,
}

/// [`ZRange`] by score (`BYSCORE`), with an optional `LIMIT`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ByScore {
    range: ScoreRange,
    limit: Option<(u64, u64)>,
}

/// [`ZRange`] by lexicographical order (`BYLEX`), with an optional `LIMIT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByLex {
    range: LexRange,
    limit: Option<(u64, u64)>,
}

mod sealed {
    use crate::Cmd;

    /// Writes `start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]`.
    pub trait WriteRange {
        fn write_range(&self, rev: bool, cmd: &mut Cmd);
    }
}

/// How a [`ZRange`] selects: [`ByRank`], [`ByScore`] or [`ByLex`].
pub trait ZRangeBy: sealed::WriteRange {}

/// The [`ZRangeBy`] kinds that can return scores too ([`ByRank`],
/// [`ByScore`]): Redis refuses `WITHSCORES` with `BYLEX`.
pub trait ZRangeByScored: ZRangeBy {}

impl ZRangeBy for ByRank {}
impl ZRangeBy for ByScore {}
impl ZRangeBy for ByLex {}
impl ZRangeByScored for ByRank {}
impl ZRangeByScored for ByScore {}

fn write_limit(limit: Option<(u64, u64)>, cmd: &mut Cmd) {
    if let Some((offset, count)) = limit {
        cmd.push_arg("LIMIT").push_arg(offset).push_arg(count);
    }
}

impl sealed::WriteRange for ByRank {
    fn write_range(&self, rev: bool, cmd: &mut Cmd) {
        cmd.push_arg(self.start).push_arg(self.stop);
        if rev {
            cmd.push_arg("REV");
        }
    }
}

impl sealed::WriteRange for ByScore {
    fn write_range(&self, rev: bool, cmd: &mut Cmd) {
        // With REV, Redis takes the range high end first.
        self.range.write_ends(rev, cmd);
        cmd.push_arg("BYSCORE");
        if rev {
            cmd.push_arg("REV");
        }
        write_limit(self.limit, cmd);
    }
}

impl sealed::WriteRange for ByLex {
    fn write_range(&self, rev: bool, cmd: &mut Cmd) {
        self.range.write_ends(rev, cmd);
        cmd.push_arg("BYLEX");
        if rev {
            cmd.push_arg("REV");
        }
        write_limit(self.limit, cmd);
    }
}

impl ZRange<ByRank> {
    /// The members from rank `start` to `stop`, both included; negative
    /// ranks count from the end, so `rank(0, -1)` is every member.
    pub fn rank(start: i64, stop: i64) -> Self {
        ZRange {
            by: ByRank { start, stop },
            rev: false,
        }
    }

    /// Every member (`0 -1`).
    pub fn all() -> Self {
        ZRange::rank(0, -1)
    }
}

impl ZRange<ByScore> {
    /// The members whose score is in `range` (`BYSCORE`). The range is
    /// always written low to high, also with [`ZRange::rev`].
    pub fn score(range: impl Into<ScoreRange>) -> Self {
        ZRange {
            by: ByScore {
                range: range.into(),
                limit: None,
            },
            rev: false,
        }
    }

    /// `LIMIT offset count`: skips `offset` members of the selection and
    /// returns at most `count`.
    pub fn limit(mut self, offset: u64, count: u64) -> Self {
        self.by.limit = Some((offset, count));
        self
    }
}

impl ZRange<ByLex> {
    /// The members in the lex `range` (`BYLEX`). The range is always written
    /// low to high, also with [`ZRange::rev`].
    pub fn lex(range: impl Into<LexRange>) -> Self {
        ZRange {
            by: ByLex {
                range: range.into(),
                limit: None,
            },
            rev: false,
        }
    }

    /// `LIMIT offset count`: skips `offset` members of the selection and
    /// returns at most `count`.
    pub fn limit(mut self, offset: u64, count: u64) -> Self {
        self.by.limit = Some((offset, count));
        self
    }
}

impl<B: ZRangeBy> ZRange<B> {
    /// `REV`: from the highest score (or last member) down. Ranks then count
    /// from the top: `rank(0, 2).rev()` is the three highest.
    pub fn rev(mut self) -> Self {
        self.rev = true;
        self
    }
}

/// `start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]`.
impl<B: ZRangeBy> ToArgs for ZRange<B> {
    fn write_args(&self, cmd: &mut Cmd) {
        self.by.write_range(self.rev, cmd);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: impl ToArgs) -> Vec<String> {
        Cmd::new("X")
            .arg(value)
            .args()
            .skip(1)
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect()
    }

    #[test]
    fn score_ranges_say_which_ends_are_excluded_or_open() {
        assert_eq!(args(ScoreRange::from(1.0..=2.5)), ["1", "2.5"]);
        assert_eq!(args(ScoreRange::from(1..3)), ["1", "(3"]);
        assert_eq!(args(ScoreRange::from(..)), ["-inf", "+inf"]);
        assert_eq!(args(ScoreRange::from(..=-1.5)), ["-inf", "-1.5"]);
        assert_eq!(
            args(ScoreRange::from((Bound::Excluded(0.5), Bound::Unbounded))),
            ["(0.5", "+inf"]
        );
        assert_eq!(
            args(ScoreRange::from(f64::NEG_INFINITY..f64::INFINITY)),
            ["-inf", "(+inf"]
        );
    }

    #[test]
    fn lex_ranges_prefix_every_end() {
        assert_eq!(args(LexRange::from("a"..="c")), ["[a", "[c"]);
        assert_eq!(args(LexRange::from("a".to_owned()..)), ["[a", "+"]);
        assert_eq!(args(LexRange::from(..b"z".as_slice())), ["-", "(z"]);
        assert_eq!(args(LexRange::from(..)), ["-", "+"]);
        assert_eq!(
            args(LexRange::from((Bound::Excluded("("), Bound::Included("[")))),
            ["((", "[["]
        );
    }

    #[test]
    fn zrange_writes_the_high_end_first_when_reversed() {
        assert_eq!(args(ZRange::all()), ["0", "-1"]);
        assert_eq!(args(ZRange::rank(0, 2).rev()), ["0", "2", "REV"]);
        assert_eq!(
            args(ZRange::score(1.0..2.0).limit(5, 10)),
            ["1", "(2", "BYSCORE", "LIMIT", "5", "10"]
        );
        assert_eq!(
            args(ZRange::score(1.0..2.0).rev()),
            ["(2", "1", "BYSCORE", "REV"]
        );
        assert_eq!(
            args(ZRange::lex("a"..).rev().limit(0, 1)),
            ["+", "[a", "BYLEX", "REV", "LIMIT", "0", "1"]
        );
    }
}
