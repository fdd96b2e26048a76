//! What `TS.INFO` answers: [`TsInfo`], its rules and chunks.

use super::replies::labels_from;
use super::{Aggregator, DuplicatePolicy, TsEncoding};
use crate::commands::probabilistic::InfoFields;
use crate::convert::FromValue;
use crate::{Error, Result, Value};

/// A compaction rule of a series ([`TsInfo::rules`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TsRule {
    /// The series the buckets go to.
    pub dest: String,
    /// The bucket duration.
    pub bucket_ms: u64,
    /// How a bucket becomes a sample.
    pub aggregator: Aggregator,
    /// Where buckets start, modulo the duration.
    pub align_ms: u64,
}

/// One memory chunk of a series ([`TsInfo::chunks`], from `TS.INFO DEBUG`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TsChunk {
    /// The first sample's timestamp (-1 in an empty chunk).
    pub start_timestamp: i64,
    /// The last sample's timestamp (-1 in an empty chunk).
    pub end_timestamp: i64,
    /// Samples held.
    pub samples: u64,
    /// Bytes allocated.
    pub size: u64,
    /// Bytes per sample.
    pub bytes_per_sample: f64,
}

/// What `TS.INFO` says about a series.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TsInfo {
    /// Samples held (`totalSamples`).
    pub total_samples: u64,
    /// Bytes used (`memoryUsage`).
    pub memory_usage: u64,
    /// The first sample's timestamp, 0 when empty (`firstTimestamp`).
    pub first_timestamp: u64,
    /// The last sample's timestamp, 0 when empty (`lastTimestamp`).
    pub last_timestamp: u64,
    /// Retention, 0 for forever (`retentionTime`).
    pub retention_ms: u64,
    /// Memory chunks (`chunkCount`).
    pub chunk_count: u64,
    /// Bytes per chunk (`chunkSize`).
    pub chunk_size: u64,
    /// `compressed` or `uncompressed` (`chunkType`).
    pub encoding: TsEncoding,
    /// The series' own policy; `None` when the server's default applies.
    pub duplicate_policy: Option<DuplicatePolicy>,
    /// The labels.
    pub labels: Vec<(String, String)>,
    /// The series this one is a compaction of (`sourceKey`).
    pub source_key: Option<String>,
    /// Its compaction rules.
    pub rules: Vec<TsRule>,
    /// IGNORE's time difference (`ignoreMaxTimeDiff`).
    pub ignore_max_time_diff: u64,
    /// IGNORE's value difference (`ignoreMaxValDiff`).
    pub ignore_max_val_diff: f64,
    /// The chunks, with [`ts_info_debug`](super::ts_info_debug) only.
    pub chunks: Option<Vec<TsChunk>>,
}

impl FromValue for TsInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut info = InfoFields::new("TS.INFO", value)?;
        let encoding = match info
            .take::<String>("chunkType")?
            .to_ascii_lowercase()
            .as_str()
        {
            "compressed" => TsEncoding::Compressed,
            "uncompressed" => TsEncoding::Uncompressed,
            other => {
                return Err(Error::protocol(format!(
                    "TS.INFO: unknown chunkType {other:?}"
                )));
            }
        };
        let duplicate_policy = match info.take::<Option<String>>("duplicatePolicy")? {
            Some(name) => Some(DuplicatePolicy::parse(&name).ok_or_else(|| {
                Error::protocol(format!("TS.INFO: unknown duplicatePolicy {name:?}"))
            })?),
            None => None,
        };
        let rules = rules_from(info.take::<Value>("rules")?)?;
        let chunks = match info.take_optional("Chunks")? {
            Some(chunks) => Some(
                Vec::<Value>::from_value(chunks)?
                    .into_iter()
                    .map(chunk_from)
                    .collect::<Result<_>>()?,
            ),
            None => None,
        };
        Ok(TsInfo {
            total_samples: info.take("totalSamples")?,
            memory_usage: info.take("memoryUsage")?,
            first_timestamp: info.take("firstTimestamp")?,
            last_timestamp: info.take("lastTimestamp")?,
            retention_ms: info.take("retentionTime")?,
            chunk_count: info.take("chunkCount")?,
            chunk_size: info.take("chunkSize")?,
            encoding,
            duplicate_policy,
            labels: labels_from(info.take("labels")?)?,
            source_key: info.take("sourceKey")?,
            rules,
            ignore_max_time_diff: info.take("ignoreMaxTimeDiff")?,
            ignore_max_val_diff: info.take("ignoreMaxValDiff")?,
            chunks,
        })
    }
}

/// RESP2: `[[dest, bucket, aggregator, align]...]`; RESP3: a map of dest
/// to `[bucket, aggregator, align]`.
fn rules_from(value: Value) -> Result<Vec<TsRule>> {
    let rows: Vec<Vec<Value>> = match value.without_attributes() {
        Value::Map(entries) => entries
            .into_iter()
            .map(|(dest, rest)| {
                let mut row = vec![dest];
                row.extend(Vec::<Value>::from_value(rest)?);
                Ok(row)
            })
            .collect::<Result<_>>()?,
        other => Vec::from_value(other)?,
    };
    rows.into_iter()
        .map(|row| {
            let (dest, bucket_ms, aggregator, align_ms) =
                <(String, u64, String, u64)>::from_value(Value::Array(row))?;
            let aggregator = Aggregator::parse(&aggregator).ok_or_else(|| {
                Error::protocol(format!("TS.INFO: unknown aggregator {aggregator:?}"))
            })?;
            Ok(TsRule {
                dest,
                bucket_ms,
                aggregator,
                align_ms,
            })
        })
        .collect()
}

fn chunk_from(value: Value) -> Result<TsChunk> {
    let mut chunk = InfoFields::new("TS.INFO DEBUG", value)?;
    Ok(TsChunk {
        start_timestamp: chunk.take("startTimestamp")?,
        end_timestamp: chunk.take("endTimestamp")?,
        samples: chunk.take("samples")?,
        size: chunk.take("size")?,
        bytes_per_sample: chunk.take("bytesPerSample")?,
    })
}
