//! The samples that come back: [`LastSample`] of `TS.GET`, the series of
//! `TS.MGET` and `TS.MRANGE`.

use crate::convert::FromValue;
use crate::{Error, Result, Value};

/// What [`ts_get`](super::ts_get) answers: the last sample, if the series
/// has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastSample(pub Option<(u64, f64)>);

impl LastSample {
    /// The sample, `None` for an empty series.
    pub fn into_option(self) -> Option<(u64, f64)> {
        self.0
    }
}

impl FromValue for LastSample {
    fn from_value(value: Value) -> Result<Self> {
        // An empty series answers an empty array, not nil.
        let items: Vec<Value> = Vec::from_value(value)?;
        if items.is_empty() {
            return Ok(LastSample(None));
        }
        <(u64, f64)>::from_value(Value::Array(items)).map(|s| LastSample(Some(s)))
    }
}

/// Labels as the module sends them: RESP3 map or RESP2 pairs.
pub(super) fn labels_from(value: Value) -> Result<Vec<(String, String)>> {
    Vec::from_value(value)
}

/// One series of [`ts_mget`](super::ts_mget).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TsLastEntry {
    /// The series' key.
    pub key: String,
    /// Its labels, as asked for ([`TsLabels`](super::TsLabels)); empty when none were.
    pub labels: Vec<(String, String)>,
    /// Its last sample, `None` for an empty series.
    pub sample: Option<(u64, f64)>,
}

/// `(key, rest)` of each series of a multi-series reply: RESP3 maps key to
/// an array, RESP2 sends `[key, ...]` arrays.
fn per_series(value: Value, command: &str) -> Result<Vec<(String, Vec<Value>)>> {
    match value.without_attributes() {
        Value::Map(entries) => entries
            .into_iter()
            .map(|(key, rest)| Ok((String::from_value(key)?, Vec::from_value(rest)?)))
            .collect(),
        other => Vec::<Vec<Value>>::from_value(other)?
            .into_iter()
            .map(|items| {
                let mut items = items.into_iter();
                let key = items.next().ok_or_else(|| {
                    Error::protocol(format!("{command} sent a series without key"))
                })?;
                Ok((String::from_value(key)?, items.collect()))
            })
            .collect(),
    }
}

impl FromValue for TsLastEntry {
    fn from_value(_: Value) -> Result<Self> {
        Err(Error::protocol(
            "a TS.MGET entry is read from the whole reply",
        ))
    }

    fn from_elements(items: Vec<Value>) -> Result<Vec<Self>> {
        mget_entries(Value::Array(items))
    }

    fn from_entries(entries: Vec<(Value, Value)>) -> Result<Vec<Self>> {
        mget_entries(Value::Map(entries))
    }
}

fn mget_entries(value: Value) -> Result<Vec<TsLastEntry>> {
    per_series(value, "TS.MGET")?
        .into_iter()
        .map(|(key, rest)| {
            let [labels, sample] = <[Value; 2]>::try_from(rest).map_err(|rest| {
                Error::protocol(format!(
                    "TS.MGET sent {} parts for {key:?}, not labels and sample",
                    rest.len()
                ))
            })?;
            Ok(TsLastEntry {
                labels: labels_from(labels)?,
                sample: LastSample::from_value(sample)?.0,
                key,
            })
        })
        .collect()
}

/// One series of [`ts_mrange`](super::ts_mrange): a series, or with
/// GROUPBY a group.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TsSeries {
    /// The series' key; with GROUPBY, `label=value` of the group.
    pub key: String,
    /// Its labels as asked for; with GROUPBY, the group's `(label, value)`.
    pub labels: Vec<(String, String)>,
    /// With GROUPBY, the keys of the series combined into this group (over
    /// RESP2 the module sends them with
    /// [`TsLabels::All`](super::TsLabels::All) only: ask for the labels to
    /// get them over both protocols).
    pub sources: Vec<String>,
    /// The samples (or buckets).
    pub samples: Vec<(u64, f64)>,
}

impl FromValue for TsSeries {
    fn from_value(_: Value) -> Result<Self> {
        Err(Error::protocol(
            "a TS.MRANGE series is read from the whole reply",
        ))
    }

    fn from_elements(items: Vec<Value>) -> Result<Vec<Self>> {
        mrange_series(Value::Array(items))
    }

    fn from_entries(entries: Vec<(Value, Value)>) -> Result<Vec<Self>> {
        mrange_series(Value::Map(entries))
    }
}

fn mrange_series(value: Value) -> Result<Vec<TsSeries>> {
    per_series(value, "TS.MRANGE")?
        .into_iter()
        .map(|(key, mut rest)| {
            // RESP2: [labels, samples]; RESP3: [labels, metadata map, samples].
            let samples = rest
                .pop()
                .ok_or_else(|| Error::protocol(format!("TS.MRANGE sent no samples for {key:?}")))?;
            let mut parts = rest.into_iter();
            let mut labels = match parts.next() {
                Some(labels) => labels_from(labels)?,
                None => Vec::new(),
            };
            let mut sources = Vec::new();
            // RESP3's metadata maps: `aggregators`, or `reducers` and `sources`.
            for meta in parts {
                for (name, value) in Vec::<(String, Value)>::from_value(meta)? {
                    if name == "sources" {
                        sources = Vec::from_value(value)?;
                    }
                }
            }
            // RESP2 puts GROUPBY's metadata among the labels.
            labels.retain(|(name, value)| match name.as_str() {
                "__source__" => {
                    sources = value.split(',').map(str::to_owned).collect();
                    false
                }
                "__reducer__" => false,
                _ => true,
            });
            Ok(TsSeries {
                key,
                labels,
                sources,
                samples: Vec::from_value(samples)?,
            })
        })
        .collect()
}
