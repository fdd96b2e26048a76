//! The settings of a series: the options of `TS.CREATE`, `TS.ALTER`,
//! `TS.ADD` and `TS.INCRBY`/`TS.DECRBY`, with the encoding and duplicate
//! policy they set.

use super::Timestamp;
use crate::Cmd;
use crate::convert::ToArgs;

/// How a series stores its samples (`ENCODING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsEncoding {
    /// `COMPRESSED` (the default): delta-of-delta timestamps, XOR values.
    Compressed,
    /// `UNCOMPRESSED`: raw 16 bytes per sample.
    Uncompressed,
}

impl ToArgs for TsEncoding {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            TsEncoding::Compressed => b"COMPRESSED",
            TsEncoding::Uncompressed => b"UNCOMPRESSED",
        });
    }
}

/// What happens to a sample whose timestamp is already in the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicatePolicy {
    /// `BLOCK`: refuse it (an error).
    Block,
    /// `FIRST`: keep the old value.
    First,
    /// `LAST`: keep the new value.
    Last,
    /// `MIN`: keep the smaller.
    Min,
    /// `MAX`: keep the larger.
    Max,
    /// `SUM`: add them.
    Sum,
}

impl DuplicatePolicy {
    fn name(self) -> &'static str {
        match self {
            DuplicatePolicy::Block => "BLOCK",
            DuplicatePolicy::First => "FIRST",
            DuplicatePolicy::Last => "LAST",
            DuplicatePolicy::Min => "MIN",
            DuplicatePolicy::Max => "MAX",
            DuplicatePolicy::Sum => "SUM",
        }
    }

    pub(super) fn parse(text: &str) -> Option<Self> {
        [
            DuplicatePolicy::Block,
            DuplicatePolicy::First,
            DuplicatePolicy::Last,
            DuplicatePolicy::Min,
            DuplicatePolicy::Max,
            DuplicatePolicy::Sum,
        ]
        .into_iter()
        .find(|p| p.name().eq_ignore_ascii_case(text))
    }
}

impl ToArgs for DuplicatePolicy {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(self.name());
    }
}

/// The settings of a series, shared by CREATE, ALTER, ADD and INCRBY.
#[derive(Debug, Clone, Default, PartialEq)]
struct SeriesSettings {
    retention_ms: Option<u64>,
    encoding: Option<TsEncoding>,
    chunk_size: Option<u64>,
    duplicate_policy: Option<DuplicatePolicy>,
    ignore: Option<(u64, f64)>,
    labels: Option<Vec<(String, String)>>,
}

impl SeriesSettings {
    /// Writes the settings; `policy_word` is DUPLICATE_POLICY, or
    /// ON_DUPLICATE for TS.ADD.
    fn write(&self, cmd: &mut Cmd, policy_word: &str) {
        if let Some(ms) = self.retention_ms {
            cmd.push_arg("RETENTION").push_arg(ms);
        }
        if let Some(encoding) = self.encoding {
            cmd.push_arg("ENCODING").push_arg(encoding);
        }
        if let Some(size) = self.chunk_size {
            cmd.push_arg("CHUNK_SIZE").push_arg(size);
        }
        if let Some(policy) = self.duplicate_policy {
            cmd.push_arg(policy_word).push_arg(policy);
        }
        if let Some((max_time_diff, max_val_diff)) = self.ignore {
            cmd.push_arg("IGNORE")
                .push_arg(max_time_diff)
                .push_arg(max_val_diff);
        }
        if let Some(labels) = &self.labels {
            cmd.push_arg("LABELS");
            for (label, value) in labels {
                cmd.push_arg(label).push_arg(value);
            }
        }
    }
}

/// Generates the setters shared by the option types that hold a
/// [`SeriesSettings`] in `self.$field`.
macro_rules! series_setters {
    ($field:ident) => {
        /// `RETENTION ms`: samples older than this (relative to the last
        /// one) are dropped; 0 keeps them all.
        #[doc(alias = "RETENTION")]
        pub fn retention_ms(mut self, ms: u64) -> Self {
            self.$field.retention_ms = Some(ms);
            self
        }

        /// `CHUNK_SIZE n`: bytes per memory chunk (a multiple of 8, 48 to
        /// 1048576).
        pub fn chunk_size(mut self, bytes: u64) -> Self {
            self.$field.chunk_size = Some(bytes);
            self
        }

        /// `IGNORE maxTimeDiff maxValDiff`: with the `LAST` policy, drops a
        /// sample within `max_time_diff_ms` and `max_val_diff` of the last.
        pub fn ignore(mut self, max_time_diff_ms: u64, max_val_diff: f64) -> Self {
            self.$field.ignore = Some((max_time_diff_ms, max_val_diff));
            self
        }

        /// `LABELS label value`: adds a label (values with `(`, `)` or `,`
        /// are refused by the module).
        #[doc(alias = "LABELS")]
        pub fn label(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
            self.$field
                .labels
                .get_or_insert_with(Vec::new)
                .push((label.into(), value.into()));
            self
        }
    };
}

/// Options of [`ts_create_with`](super::ts_create_with); each one left
/// out takes the server's default.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct TsCreateOptions {
    settings: SeriesSettings,
}

impl TsCreateOptions {
    /// The server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    series_setters!(settings);

    /// `ENCODING COMPRESSED|UNCOMPRESSED`.
    pub fn encoding(mut self, encoding: TsEncoding) -> Self {
        self.settings.encoding = Some(encoding);
        self
    }

    /// `DUPLICATE_POLICY p`: what a sample at a taken timestamp does.
    pub fn duplicate_policy(mut self, policy: DuplicatePolicy) -> Self {
        self.settings.duplicate_policy = Some(policy);
        self
    }
}

impl ToArgs for TsCreateOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        self.settings.write(cmd, "DUPLICATE_POLICY");
    }
}

/// Options of [`ts_alter`](super::ts_alter): what to change.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct TsAlterOptions {
    settings: SeriesSettings,
}

impl TsAlterOptions {
    /// Changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    series_setters!(settings);

    /// `DUPLICATE_POLICY p`.
    pub fn duplicate_policy(mut self, policy: DuplicatePolicy) -> Self {
        self.settings.duplicate_policy = Some(policy);
        self
    }

    /// `LABELS` with no pair: removes every label.
    #[doc(alias = "LABELS")]
    pub fn clear_labels(mut self) -> Self {
        self.settings.labels = Some(Vec::new());
        self
    }
}

impl ToArgs for TsAlterOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        self.settings.write(cmd, "DUPLICATE_POLICY");
    }
}

/// Options of [`ts_add_with`](super::ts_add_with): those of a series it
/// creates, and the policy for this one sample.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct TsAddOptions {
    settings: SeriesSettings,
    on_duplicate: Option<DuplicatePolicy>,
}

impl TsAddOptions {
    /// The server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    series_setters!(settings);

    /// `ENCODING` of a series it creates.
    pub fn encoding(mut self, encoding: TsEncoding) -> Self {
        self.settings.encoding = Some(encoding);
        self
    }

    /// `DUPLICATE_POLICY p` of a series it creates.
    pub fn duplicate_policy(mut self, policy: DuplicatePolicy) -> Self {
        self.settings.duplicate_policy = Some(policy);
        self
    }

    /// `ON_DUPLICATE p`: the policy for this sample, whatever the series'.
    #[doc(alias = "ON_DUPLICATE")]
    pub fn on_duplicate(mut self, policy: DuplicatePolicy) -> Self {
        self.on_duplicate = Some(policy);
        self
    }
}

impl ToArgs for TsAddOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        self.settings.write(cmd, "DUPLICATE_POLICY");
        if let Some(policy) = self.on_duplicate {
            cmd.push_arg("ON_DUPLICATE").push_arg(policy);
        }
    }
}

/// Options of [`ts_incrby_with`](super::ts_incrby_with) and
/// [`ts_decrby_with`](super::ts_decrby_with).
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct TsIncrByOptions {
    timestamp: Option<Timestamp>,
    settings: SeriesSettings,
}

impl TsIncrByOptions {
    /// The server's defaults, at the current time.
    pub fn new() -> Self {
        Self::default()
    }

    series_setters!(settings);

    /// `TIMESTAMP t`: when the sample is (not before the last one).
    pub fn timestamp(mut self, timestamp: impl Into<Timestamp>) -> Self {
        self.timestamp = Some(timestamp.into());
        self
    }

    /// `ENCODING` of a series it creates.
    pub fn encoding(mut self, encoding: TsEncoding) -> Self {
        self.settings.encoding = Some(encoding);
        self
    }

    /// `DUPLICATE_POLICY p` of a series it creates.
    pub fn duplicate_policy(mut self, policy: DuplicatePolicy) -> Self {
        self.settings.duplicate_policy = Some(policy);
        self
    }
}

impl ToArgs for TsIncrByOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(timestamp) = self.timestamp {
            cmd.push_arg("TIMESTAMP").push_arg(timestamp);
        }
        self.settings.write(cmd, "DUPLICATE_POLICY");
    }
}
