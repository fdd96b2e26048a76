//! The options of `TS.RANGE`/`TS.REVRANGE` and `TS.MRANGE`/`TS.MREVRANGE`:
//! filters, aggregation, labels and grouping.

use super::{Aggregation, TsFilter};
use crate::Cmd;
use crate::convert::ToArgs;

/// Options of [`ts_range_with`](super::ts_range_with) and
/// [`ts_revrange_with`](super::ts_revrange_with).
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct TsRangeOptions {
    latest: bool,
    filter_by_ts: Vec<u64>,
    filter_by_value: Option<(f64, f64)>,
    count: Option<u64>,
    aggregation: Option<Aggregation>,
}

impl TsRangeOptions {
    /// Every sample of the range.
    pub fn new() -> Self {
        Self::default()
    }

    /// `LATEST`: on a compaction, includes the bucket still open.
    pub fn latest(mut self) -> Self {
        self.latest = true;
        self
    }

    /// `FILTER_BY_TS ts...`: only samples at these timestamps.
    pub fn filter_by_ts(mut self, timestamps: impl IntoIterator<Item = u64>) -> Self {
        self.filter_by_ts = timestamps.into_iter().collect();
        self
    }

    /// `FILTER_BY_VALUE min max`: only values in `min..=max`.
    pub fn filter_by_value(mut self, min: f64, max: f64) -> Self {
        self.filter_by_value = Some((min, max));
        self
    }

    /// `COUNT n`: at most `n` samples (or buckets).
    pub fn count(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }

    /// `AGGREGATION ...`: buckets instead of samples.
    pub fn aggregation(mut self, aggregation: Aggregation) -> Self {
        self.aggregation = Some(aggregation);
        self
    }

    /// Writes everything up to (without) the aggregation, then the rest:
    /// MRANGE puts its labels option between COUNT and AGGREGATION.
    fn write_parts(&self, cmd: &mut Cmd, between: impl FnOnce(&mut Cmd)) {
        if self.latest {
            cmd.push_arg("LATEST");
        }
        if !self.filter_by_ts.is_empty() {
            cmd.push_arg("FILTER_BY_TS").push_arg(&self.filter_by_ts);
        }
        if let Some((min, max)) = self.filter_by_value {
            cmd.push_arg("FILTER_BY_VALUE").push_arg(min).push_arg(max);
        }
        between(cmd);
        if let Some(n) = self.count {
            cmd.push_arg("COUNT").push_arg(n);
        }
        cmd.push_arg(self.aggregation);
    }
}

impl ToArgs for TsRangeOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        self.write_parts(cmd, |_| {});
    }
}

/// Which labels come back with each series (MGET, MRANGE).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TsLabels {
    /// None (the default).
    #[default]
    None,
    /// `WITHLABELS`: all of them.
    #[doc(alias = "WITHLABELS")]
    All,
    /// `SELECTED_LABELS label...`: these (a missing one with an empty
    /// value).
    #[doc(alias = "SELECTED_LABELS")]
    Selected(Vec<String>),
}

impl ToArgs for TsLabels {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            TsLabels::None => {}
            TsLabels::All => cmd.push_bytes(b"WITHLABELS"),
            TsLabels::Selected(labels) => {
                cmd.push_arg("SELECTED_LABELS").push_arg(labels);
            }
        }
    }
}

/// How the series of one GROUPBY group combine at each timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsReducer {
    /// `avg`.
    Avg,
    /// `sum`.
    Sum,
    /// `min`.
    Min,
    /// `max`.
    Max,
    /// `range`.
    Range,
    /// `count`.
    Count,
    /// `std.p`.
    StdP,
    /// `std.s`.
    StdS,
    /// `var.p`.
    VarP,
    /// `var.s`.
    VarS,
}

impl ToArgs for TsReducer {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(match self {
            TsReducer::Avg => "avg",
            TsReducer::Sum => "sum",
            TsReducer::Min => "min",
            TsReducer::Max => "max",
            TsReducer::Range => "range",
            TsReducer::Count => "count",
            TsReducer::StdP => "std.p",
            TsReducer::StdS => "std.s",
            TsReducer::VarP => "var.p",
            TsReducer::VarS => "var.s",
        });
    }
}

/// Options of [`ts_mrange_with`](super::ts_mrange_with) and
/// [`ts_mrevrange_with`](super::ts_mrevrange_with).
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct TsMRangeOptions {
    range: TsRangeOptions,
    labels: TsLabels,
    group_by: Option<(String, TsReducer)>,
}

impl TsMRangeOptions {
    /// Every sample, no labels, no grouping.
    pub fn new() -> Self {
        Self::default()
    }

    /// The per-series options ([`TsRangeOptions`]).
    pub fn range(mut self, options: TsRangeOptions) -> Self {
        self.range = options;
        self
    }

    /// `WITHLABELS` or `SELECTED_LABELS`.
    #[doc(alias = "WITHLABELS", alias = "SELECTED_LABELS")]
    pub fn labels(mut self, labels: TsLabels) -> Self {
        self.labels = labels;
        self
    }

    /// `GROUPBY label REDUCE reducer`: one series per value of `label`,
    /// combining the series that share it.
    #[doc(alias = "GROUPBY", alias = "REDUCE")]
    pub fn group_by(mut self, label: impl Into<String>, reducer: TsReducer) -> Self {
        self.group_by = Some((label.into(), reducer));
        self
    }

    pub(super) fn with_filter(self, filter: TsFilter) -> MRangeArgs {
        MRangeArgs {
            options: self,
            filter,
        }
    }
}

/// The arguments of MRANGE after the range, in the module's order.
pub(super) struct MRangeArgs {
    options: TsMRangeOptions,
    filter: TsFilter,
}

impl ToArgs for MRangeArgs {
    fn write_args(&self, cmd: &mut Cmd) {
        self.options.range.write_parts(cmd, |cmd| {
            cmd.push_arg(&self.options.labels);
        });
        cmd.push_arg("FILTER").push_arg(&self.filter);
        if let Some((label, reducer)) = &self.options.group_by {
            cmd.push_arg("GROUPBY")
                .push_arg(label)
                .push_arg("REDUCE")
                .push_arg(reducer);
        }
    }
}
