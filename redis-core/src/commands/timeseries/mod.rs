//! RedisTimeSeries: `TS.*`.
//!
//! Samples go in as `(timestamp, f64)` where a timestamp is milliseconds
//! since the Unix epoch, a [`SystemTime`](std::time::SystemTime) or [`Timestamp::Now`] (`*`), and
//! come back as `(u64, f64)`: milliseconds and value, read the same from
//! RESP2 (values as text) and RESP3 (doubles). Series are selected by a
//! [`TsFilter`] of typed [`LabelMatcher`]s, never by a formatted string.

mod aggregation;
mod filter;
mod info;
mod options;
mod range;
mod replies;
#[cfg(test)]
mod tests;
mod time;

pub use aggregation::*;
pub use filter::*;
pub use info::*;
pub use options::*;
pub use range::*;
pub use replies::*;
pub use time::*;

use crate::convert::ToArgs;
use crate::{Cmd, Result};

define_commands! {
    /// RedisTimeSeries (`TS.*`): series of `(milliseconds, f64)` samples
    /// with labels, ranges with aggregation, and compaction rules.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// use redis_core::commands::{Aggregation, Aggregator, LabelMatcher, TsCreateOptions, TsRangeOptions};
    /// client
    ///     .ts_create_with("temp:lab", TsCreateOptions::new().label("room", "lab"))
    ///     .await?;
    /// client.ts_add("temp:lab", 1_000, 20.5).await?;
    /// client.ts_add("temp:lab", 2_000, 21.5).await?;
    /// let avg = client
    ///     .ts_range_with("temp:lab", .., TsRangeOptions::new().aggregation(Aggregation::new(Aggregator::Avg, 10_000)))
    ///     .await?;
    /// assert_eq!(avg, [(0, 21.0)]);
    /// let series = client.ts_mget([LabelMatcher::eq("room", "lab")]).await?;
    /// assert_eq!(series[0].sample, Some((2_000, 21.5)));
    /// # Ok(()) }
    /// ```
    pub trait TimeSeriesCommands;

    /// `TS.CREATE key`: an empty series with the server's defaults. An
    /// error if the key exists.
    fn ts_create(key: impl ToArgs) -> () {
        Cmd::new("TS.CREATE").arg(key)
    }

    /// `TS.CREATE key [RETENTION ms] [ENCODING enc] [CHUNK_SIZE n]
    /// [DUPLICATE_POLICY p] [IGNORE t v] [LABELS label value...]`: as
    /// [`ts_create`] with these options.
    fn ts_create_with(key: impl ToArgs, options: TsCreateOptions) -> () {
        Cmd::new("TS.CREATE").arg(key).arg(options)
    }

    /// `TS.ALTER key [RETENTION ms] [CHUNK_SIZE n] [DUPLICATE_POLICY p]
    /// [IGNORE t v] [LABELS label value...]`: changes what is set; labels,
    /// when given, replace all of the series' labels.
    fn ts_alter(key: impl ToArgs, options: TsAlterOptions) -> () {
        Cmd::new("TS.ALTER").arg(key).arg(options)
    }

    /// `TS.ADD key timestamp value`: appends a sample (creating the series
    /// with the server's defaults); the timestamp it was stored at.
    fn ts_add(key: impl ToArgs, timestamp: impl Into<Timestamp>, value: f64) -> u64 {
        Cmd::new("TS.ADD").arg(key).arg(timestamp.into()).arg(value)
    }

    /// `TS.ADD key timestamp value [options] [ON_DUPLICATE p]`: as
    /// [`ts_add`], with the options of a series it creates and the policy
    /// for this sample if its timestamp is taken.
    fn ts_add_with(key: impl ToArgs, timestamp: impl Into<Timestamp>, value: f64, options: TsAddOptions) -> u64 {
        Cmd::new("TS.ADD").arg(key).arg(timestamp.into()).arg(value).arg(options)
    }

    /// `TS.MADD key timestamp value...`: appends each `(key, timestamp,
    /// value)`; per sample the timestamp stored, or the server's error for
    /// that sample (a missing series, a blocked duplicate).
    fn ts_madd<K: ToArgs>(samples: &[(K, Timestamp, f64)]) -> Vec<Result<u64>> {
        Cmd::new("TS.MADD").arg(samples)
    }

    /// `TS.INCRBY key addend`: a sample at the current time holding the
    /// last value plus `addend` (0 for a new series); its timestamp.
    fn ts_incrby(key: impl ToArgs, addend: f64) -> u64 {
        Cmd::new("TS.INCRBY").arg(key).arg(addend)
    }

    /// `TS.INCRBY key addend [TIMESTAMP t] [options]`: as [`ts_incrby`],
    /// at a chosen timestamp (not before the last sample) and with the
    /// options of a series it creates.
    fn ts_incrby_with(key: impl ToArgs, addend: f64, options: TsIncrByOptions) -> u64 {
        Cmd::new("TS.INCRBY").arg(key).arg(addend).arg(options)
    }

    /// `TS.DECRBY key subtrahend`: [`ts_incrby`] by `-subtrahend`.
    fn ts_decrby(key: impl ToArgs, subtrahend: f64) -> u64 {
        Cmd::new("TS.DECRBY").arg(key).arg(subtrahend)
    }

    /// `TS.DECRBY key subtrahend [TIMESTAMP t] [options]`: as
    /// [`ts_incrby_with`], subtracting.
    fn ts_decrby_with(key: impl ToArgs, subtrahend: f64, options: TsIncrByOptions) -> u64 {
        Cmd::new("TS.DECRBY").arg(key).arg(subtrahend).arg(options)
    }

    /// `TS.DEL key from to`: removes the samples in the range (both ends
    /// included; `..` for all); how many.
    fn ts_del(key: impl ToArgs, range: impl Into<TsRange>) -> u64 {
        Cmd::new("TS.DEL").arg(key).arg(range.into())
    }

    /// `TS.GET key`: the last sample, `None` for an empty series.
    fn ts_get(key: impl ToArgs) -> LastSample {
        Cmd::new("TS.GET").arg(key)
    }

    /// `TS.GET key LATEST`: as [`ts_get`]; on a compaction, the bucket
    /// still open is included.
    fn ts_get_latest(key: impl ToArgs) -> LastSample {
        Cmd::new("TS.GET").arg(key).arg("LATEST")
    }

    /// `TS.MGET FILTER filter...`: the last sample of every series the
    /// filter selects (no labels).
    fn ts_mget(filter: impl Into<TsFilter>) -> Vec<TsLastEntry> {
        Cmd::new("TS.MGET").arg("FILTER").arg(filter.into())
    }

    /// `TS.MGET [WITHLABELS | SELECTED_LABELS label...] FILTER filter...`:
    /// as [`ts_mget`], with the series' labels.
    fn ts_mget_with(filter: impl Into<TsFilter>, labels: TsLabels) -> Vec<TsLastEntry> {
        Cmd::new("TS.MGET").arg(labels).arg("FILTER").arg(filter.into())
    }

    /// `TS.RANGE key from to`: the samples in the range, oldest first.
    fn ts_range(key: impl ToArgs, range: impl Into<TsRange>) -> Vec<(u64, f64)> {
        Cmd::new("TS.RANGE").arg(key).arg(range.into())
    }

    /// `TS.RANGE key from to [LATEST] [FILTER_BY_TS ts...] [FILTER_BY_VALUE
    /// min max] [COUNT n] [[ALIGN a] AGGREGATION agg bucket
    /// [BUCKETTIMESTAMP bt] [EMPTY]]`: as [`ts_range`], filtered,
    /// aggregated into buckets.
    fn ts_range_with(key: impl ToArgs, range: impl Into<TsRange>, options: TsRangeOptions) -> Vec<(u64, f64)> {
        Cmd::new("TS.RANGE").arg(key).arg(range.into()).arg(options)
    }

    /// `TS.REVRANGE key from to`: [`ts_range`], newest first.
    fn ts_revrange(key: impl ToArgs, range: impl Into<TsRange>) -> Vec<(u64, f64)> {
        Cmd::new("TS.REVRANGE").arg(key).arg(range.into())
    }

    /// `TS.REVRANGE key from to [options]`: [`ts_range_with`], newest first.
    fn ts_revrange_with(key: impl ToArgs, range: impl Into<TsRange>, options: TsRangeOptions) -> Vec<(u64, f64)> {
        Cmd::new("TS.REVRANGE").arg(key).arg(range.into()).arg(options)
    }

    /// `TS.MRANGE from to FILTER filter...`: [`ts_range`] of every series
    /// the filter selects.
    fn ts_mrange(range: impl Into<TsRange>, filter: impl Into<TsFilter>) -> Vec<TsSeries> {
        Cmd::new("TS.MRANGE").arg(range.into()).arg("FILTER").arg(filter.into())
    }

    /// `TS.MRANGE from to [options] [WITHLABELS | SELECTED_LABELS label...]
    /// FILTER filter... [GROUPBY label REDUCE reducer]`: as [`ts_mrange`],
    /// with the options of [`ts_range_with`], labels and grouping.
    fn ts_mrange_with(range: impl Into<TsRange>, filter: impl Into<TsFilter>, options: TsMRangeOptions) -> Vec<TsSeries> {
        Cmd::new("TS.MRANGE").arg(range.into()).arg(options.with_filter(filter.into()))
    }

    /// `TS.MREVRANGE from to FILTER filter...`: [`ts_mrange`], newest first.
    fn ts_mrevrange(range: impl Into<TsRange>, filter: impl Into<TsFilter>) -> Vec<TsSeries> {
        Cmd::new("TS.MREVRANGE").arg(range.into()).arg("FILTER").arg(filter.into())
    }

    /// `TS.MREVRANGE from to [options] FILTER filter... [GROUPBY ...]`:
    /// [`ts_mrange_with`], newest first.
    fn ts_mrevrange_with(range: impl Into<TsRange>, filter: impl Into<TsFilter>, options: TsMRangeOptions) -> Vec<TsSeries> {
        Cmd::new("TS.MREVRANGE").arg(range.into()).arg(options.with_filter(filter.into()))
    }

    /// `TS.CREATERULE source dest AGGREGATION agg bucket`: compacts every
    /// closed bucket of `source` into a sample of `dest` (which must exist).
    fn ts_createrule(source: impl ToArgs, dest: impl ToArgs, aggregator: Aggregator, bucket_ms: u64) -> () {
        Cmd::new("TS.CREATERULE").arg(source).arg(dest).arg("AGGREGATION").arg(aggregator).arg(bucket_ms)
    }

    /// `TS.CREATERULE source dest AGGREGATION agg bucket align`: as
    /// [`ts_createrule`], buckets starting at `align_ms` modulo the bucket.
    fn ts_createrule_aligned(source: impl ToArgs, dest: impl ToArgs, aggregator: Aggregator, bucket_ms: u64, align_ms: u64) -> () {
        Cmd::new("TS.CREATERULE").arg(source).arg(dest).arg("AGGREGATION").arg(aggregator).arg(bucket_ms).arg(align_ms)
    }

    /// `TS.DELETERULE source dest`: stops compacting `source` into `dest`.
    fn ts_deleterule(source: impl ToArgs, dest: impl ToArgs) -> () {
        Cmd::new("TS.DELETERULE").arg(source).arg(dest)
    }

    /// `TS.INFO key`: the series' settings, counts, labels and rules.
    fn ts_info(key: impl ToArgs) -> TsInfo {
        Cmd::new("TS.INFO").arg(key)
    }

    /// `TS.INFO key DEBUG`: [`ts_info`] with [`TsInfo::chunks`] filled.
    fn ts_info_debug(key: impl ToArgs) -> TsInfo {
        Cmd::new("TS.INFO").arg(key).arg("DEBUG")
    }

    /// `TS.QUERYINDEX filter...`: the keys of the series the filter selects.
    fn ts_queryindex(filter: impl Into<TsFilter>) -> Vec<String> {
        Cmd::new("TS.QUERYINDEX").arg(filter.into())
    }
}
