//! T-digest sketches: `TDIGEST.*`.

use super::InfoFields;
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Result, Value};

define_commands! {
    /// T-digest sketches (`TDIGEST.*`): quantiles, ranks and trimmed means of
    /// a stream of numbers, estimated in fixed memory. Floats read the same
    /// over RESP2 and RESP3; an empty sketch answers `NaN`.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// client.tdigest_create("latency").await?;
    /// client.tdigest_add("latency", &[12.0, 15.5, 230.0]).await?;
    /// let p = client.tdigest_quantile("latency", &[0.5, 0.99]).await?;
    /// # let _ = p; Ok(()) }
    /// ```
    pub trait TDigestCommands;

    /// `TDIGEST.CREATE key`: creates an empty sketch with the default
    /// compression (100). An error if the key exists.
    fn tdigest_create(key: impl ToArgs) -> () {
        Cmd::new("TDIGEST.CREATE").arg(key)
    }

    /// `TDIGEST.CREATE key COMPRESSION c`: as [`tdigest_create`]; a higher
    /// compression is more accurate and takes more memory.
    fn tdigest_create_with(key: impl ToArgs, compression: u64) -> () {
        Cmd::new("TDIGEST.CREATE").arg(key).arg("COMPRESSION").arg(compression)
    }

    /// `TDIGEST.RESET key`: empties the sketch, keeping its compression.
    fn tdigest_reset(key: impl ToArgs) -> () {
        Cmd::new("TDIGEST.RESET").arg(key)
    }

    /// `TDIGEST.ADD key value...`: adds the observations.
    fn tdigest_add(key: impl ToArgs, values: &[f64]) -> () {
        Cmd::new("TDIGEST.ADD").arg(key).arg(values)
    }

    /// `TDIGEST.MERGE destination numkeys source...`: merges the sources
    /// into `destination` (created if missing, with the largest compression
    /// of the sources; otherwise merged with its own observations).
    fn tdigest_merge<K: ToArgs>(destination: impl ToArgs, sources: &[K]) -> () {
        Cmd::new("TDIGEST.MERGE").arg(destination).arg(sources.len()).arg(sources)
    }

    /// `TDIGEST.MERGE destination numkeys source... [COMPRESSION c]
    /// [OVERRIDE]`: as [`tdigest_merge`], with the options.
    fn tdigest_merge_with<K: ToArgs>(destination: impl ToArgs, sources: &[K], options: TDigestMergeOptions) -> () {
        Cmd::new("TDIGEST.MERGE").arg(destination).arg(sources.len()).arg(sources).arg(options)
    }

    /// `TDIGEST.MIN key`: the smallest observation (`NaN` when empty).
    fn tdigest_min(key: impl ToArgs) -> f64 {
        Cmd::new("TDIGEST.MIN").arg(key)
    }

    /// `TDIGEST.MAX key`: the largest observation (`NaN` when empty).
    fn tdigest_max(key: impl ToArgs) -> f64 {
        Cmd::new("TDIGEST.MAX").arg(key)
    }

    /// `TDIGEST.QUANTILE key quantile...`: the estimated value at each
    /// quantile (0 to 1), in order (`NaN` when empty).
    fn tdigest_quantile(key: impl ToArgs, quantiles: &[f64]) -> Vec<f64> {
        Cmd::new("TDIGEST.QUANTILE").arg(key).arg(quantiles)
    }

    /// `TDIGEST.CDF key value...`: the estimated fraction of observations at
    /// or below each value (counting half of those equal), in order.
    fn tdigest_cdf(key: impl ToArgs, values: &[f64]) -> Vec<f64> {
        Cmd::new("TDIGEST.CDF").arg(key).arg(values)
    }

    /// `TDIGEST.TRIMMED_MEAN key low high`: the mean of the observations
    /// between the quantiles `low` and `high` (`NaN` when empty).
    fn tdigest_trimmed_mean(key: impl ToArgs, low: f64, high: f64) -> f64 {
        Cmd::new("TDIGEST.TRIMMED_MEAN").arg(key).arg(low).arg(high)
    }

    /// `TDIGEST.RANK key value...`: the estimated number of observations
    /// below each value (plus half of those equal): `-1` below the minimum,
    /// the number of observations above the maximum, `-2` when empty.
    fn tdigest_rank(key: impl ToArgs, values: &[f64]) -> Vec<i64> {
        Cmd::new("TDIGEST.RANK").arg(key).arg(values)
    }

    /// `TDIGEST.REVRANK key value...`: as [`tdigest_rank`], counting the
    /// observations above each value (`-1` above the maximum).
    fn tdigest_revrank(key: impl ToArgs, values: &[f64]) -> Vec<i64> {
        Cmd::new("TDIGEST.REVRANK").arg(key).arg(values)
    }

    /// `TDIGEST.BYRANK key rank...`: the estimated value with each rank (0 is
    /// the minimum): infinity for a rank past the last observation, `NaN`
    /// when empty.
    fn tdigest_byrank(key: impl ToArgs, ranks: &[u64]) -> Vec<f64> {
        Cmd::new("TDIGEST.BYRANK").arg(key).arg(ranks)
    }

    /// `TDIGEST.BYREVRANK key rank...`: as [`tdigest_byrank`], from the
    /// maximum down (0 is the maximum; minus infinity past the first).
    fn tdigest_byrevrank(key: impl ToArgs, ranks: &[u64]) -> Vec<f64> {
        Cmd::new("TDIGEST.BYREVRANK").arg(key).arg(ranks)
    }

    /// `TDIGEST.INFO key`: the sketch's parameters, sizes and counts.
    fn tdigest_info(key: impl ToArgs) -> TDigestInfo {
        Cmd::new("TDIGEST.INFO").arg(key)
    }
}

/// The options of [`tdigest_merge_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct TDigestMergeOptions {
    compression: Option<u64>,
    replace: bool,
}

impl TDigestMergeOptions {
    /// No options: a plain merge.
    pub fn new() -> Self {
        TDigestMergeOptions::default()
    }

    /// `COMPRESSION c`: the destination's compression (by default the
    /// largest of the sources'; with an existing destination and no
    /// [`replace`](Self::replace), its own).
    pub fn compression(mut self, compression: u64) -> Self {
        self.compression = Some(compression);
        self
    }

    /// `OVERRIDE`: discards the destination's own observations (and
    /// compression) instead of merging them in.
    #[doc(alias = "OVERRIDE")]
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }
}

impl ToArgs for TDigestMergeOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(c) = self.compression {
            cmd.push_arg("COMPRESSION").push_arg(c);
        }
        if self.replace {
            cmd.push_bytes(b"OVERRIDE");
        }
    }
}

/// What `TDIGEST.INFO` says about a t-digest sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TDigestInfo {
    /// The compression (`Compression`).
    pub compression: u64,
    /// Centroids it can hold (`Capacity`).
    pub capacity: u64,
    /// Merged centroids (`Merged nodes`).
    pub merged_nodes: u64,
    /// Observations not merged yet (`Unmerged nodes`).
    pub unmerged_nodes: u64,
    /// Weight of the merged centroids (`Merged weight`).
    pub merged_weight: u64,
    /// Weight of the unmerged observations (`Unmerged weight`).
    pub unmerged_weight: u64,
    /// Observations added (`Observations`).
    pub observations: u64,
    /// Times the sketch was compressed (`Total compressions`).
    pub total_compressions: u64,
    /// Bytes allocated (`Memory usage`).
    pub memory_usage: u64,
}

impl FromValue for TDigestInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut info = InfoFields::new("TDIGEST.INFO", value)?;
        Ok(TDigestInfo {
            compression: info.take("Compression")?,
            capacity: info.take("Capacity")?,
            merged_nodes: info.take("Merged nodes")?,
            unmerged_nodes: info.take("Unmerged nodes")?,
            merged_weight: info.take("Merged weight")?,
            unmerged_weight: info.take("Unmerged weight")?,
            observations: info.take("Observations")?,
            total_compressions: info.take("Total compressions")?,
            memory_usage: info.take("Memory usage")?,
        })
    }
}
