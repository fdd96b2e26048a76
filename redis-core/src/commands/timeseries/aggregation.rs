//! Buckets: [`Aggregator`] and the [`Aggregation`] of a range.

use crate::Cmd;
use crate::convert::ToArgs;

/// How the samples of a bucket become one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregator {
    /// `avg`: the mean.
    Avg,
    /// `sum`.
    Sum,
    /// `min`.
    Min,
    /// `max`.
    Max,
    /// `range`: max minus min.
    Range,
    /// `count`: how many samples.
    Count,
    /// `first`: the value with the lowest timestamp.
    First,
    /// `last`: the value with the highest timestamp.
    Last,
    /// `std.p`: population standard deviation.
    StdP,
    /// `std.s`: sample standard deviation.
    StdS,
    /// `var.p`: population variance.
    VarP,
    /// `var.s`: sample variance.
    VarS,
    /// `twa`: time-weighted average.
    Twa,
}

impl Aggregator {
    /// Every aggregator, in the order of the module's docs.
    pub const ALL: [Aggregator; 13] = [
        Aggregator::Avg,
        Aggregator::Sum,
        Aggregator::Min,
        Aggregator::Max,
        Aggregator::Range,
        Aggregator::Count,
        Aggregator::First,
        Aggregator::Last,
        Aggregator::StdP,
        Aggregator::StdS,
        Aggregator::VarP,
        Aggregator::VarS,
        Aggregator::Twa,
    ];

    /// The name the module uses (`avg`, `std.p`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Aggregator::Avg => "avg",
            Aggregator::Sum => "sum",
            Aggregator::Min => "min",
            Aggregator::Max => "max",
            Aggregator::Range => "range",
            Aggregator::Count => "count",
            Aggregator::First => "first",
            Aggregator::Last => "last",
            Aggregator::StdP => "std.p",
            Aggregator::StdS => "std.s",
            Aggregator::VarP => "var.p",
            Aggregator::VarS => "var.s",
            Aggregator::Twa => "twa",
        }
    }

    pub(super) fn parse(text: &str) -> Option<Self> {
        Aggregator::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(text))
    }
}

impl ToArgs for Aggregator {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(self.name());
    }
}

/// Which timestamp a bucket's sample carries (`BUCKETTIMESTAMP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketTimestamp {
    /// `-`: the bucket's start (the default).
    Start,
    /// `+`: its end.
    End,
    /// `~`: its middle.
    Mid,
}

/// Where buckets start (`ALIGN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `-`: at the range's start.
    Start,
    /// `+`: so that one ends at the range's end.
    End,
    /// At this timestamp modulo the bucket duration.
    At(u64),
}

/// `[ALIGN a] AGGREGATION aggregator bucketDuration [BUCKETTIMESTAMP bt]
/// [EMPTY]`: samples grouped into buckets of `bucket_ms` (aligned to 0
/// unless [`align`](Self::align) says otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Aggregation {
    aggregator: Aggregator,
    bucket_ms: u64,
    align: Option<Align>,
    bucket_timestamp: Option<BucketTimestamp>,
    empty: bool,
}

impl Aggregation {
    /// `AGGREGATION aggregator bucket_ms`.
    #[doc(alias = "AGGREGATION")]
    pub fn new(aggregator: Aggregator, bucket_ms: u64) -> Self {
        Aggregation {
            aggregator,
            bucket_ms,
            align: None,
            bucket_timestamp: None,
            empty: false,
        }
    }

    /// `ALIGN a`.
    pub fn align(mut self, align: Align) -> Self {
        self.align = Some(align);
        self
    }

    /// `BUCKETTIMESTAMP bt`.
    #[doc(alias = "BUCKETTIMESTAMP")]
    pub fn bucket_timestamp(mut self, at: BucketTimestamp) -> Self {
        self.bucket_timestamp = Some(at);
        self
    }

    /// `EMPTY`: also the buckets with no sample (NaN, or 0 for `sum` and
    /// `count`).
    pub fn empty(mut self) -> Self {
        self.empty = true;
        self
    }
}

impl ToArgs for Aggregation {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.align {
            Some(Align::Start) => {
                cmd.push_arg("ALIGN").push_arg("-");
            }
            Some(Align::End) => {
                cmd.push_arg("ALIGN").push_arg("+");
            }
            Some(Align::At(ms)) => {
                cmd.push_arg("ALIGN").push_arg(ms);
            }
            None => {}
        }
        cmd.push_arg("AGGREGATION")
            .push_arg(self.aggregator)
            .push_arg(self.bucket_ms);
        if let Some(at) = self.bucket_timestamp {
            cmd.push_arg("BUCKETTIMESTAMP").push_arg(match at {
                BucketTimestamp::Start => "-",
                BucketTimestamp::End => "+",
                BucketTimestamp::Mid => "~",
            });
        }
        if self.empty {
            cmd.push_arg("EMPTY");
        }
    }
}
