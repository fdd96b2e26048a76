//! An aggregation over a cluster's shards. Each primary's search module
//! indexes and aggregates only its own records, and loads no field from
//! them (it has no coordinator; see the `shards` module): a shard can group
//! and reduce only the fields its index keeps sortable. So on a cluster an
//! aggregation is one group of sortable fields with reducers whose value
//! over all records follows from each shard's (count and sum add up, min
//! and max compare, avg comes from each shard's sum and count, tolist
//! unites), sent to every shard; the rows merge by their group's key, and
//! the sorts and limits after the group apply to the merged rows here.
//! Anything else is refused before anything is sent: an answer from part
//! of the records is worse than none.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use redis_core::commands::{AggregateOptions, Reducer, SearchCommands};
use redis_core::{Error, ErrorKind, Executor, Result};

use super::aggregate::{Aggregate, CURSOR_BATCH, Merge, Reduce, Step, read_rows};
use super::expr::Rendered;
use super::find::Search;
use super::row::Row;
use crate::model::Model;

/// A group's key: its key columns' values, in the group's order.
type Key = Vec<Option<Vec<u8>>>;

/// An aggregation that merges: its group's keys and reducers, and the
/// sorts and limits after it.
struct OneGroup<'a, M> {
    keys: &'a [&'static str],
    reducers: &'a [Reduce<M>],
    after: &'a [Step<M>],
}

impl<M: Model, E: Executor> Aggregate<'_, M, E> {
    /// The rows of this aggregation over the shards' indexes `shards`,
    /// merged.
    pub(super) async fn rows_on_shards(
        &self,
        shards: &[String],
        search: &Search,
        query: &Rendered,
    ) -> Result<Vec<Row>> {
        let executor = self.repository.executor();
        let OneGroup {
            keys,
            reducers,
            after,
        } = self.one_group(shards.len())?;
        let first = shards.first().map_or(search.index.as_str(), String::as_str);
        self.sortable(executor, first, keys, reducers).await?;
        let options = shard_pipeline(search, query, keys, reducers);
        let mut groups: BTreeMap<Key, Vec<Accumulator>> = BTreeMap::new();
        for index in shards {
            for row in read_rows::<M, E>(executor, index, &query.text, &options).await? {
                let key = keys
                    .iter()
                    .map(|k| column(&row, k).map(<[u8]>::to_vec))
                    .collect();
                let accumulators = groups.entry(key).or_insert_with(|| {
                    reducers.iter().map(|r| Accumulator::new(r.merge)).collect()
                });
                for (accumulator, reducer) in accumulators.iter_mut().zip(reducers) {
                    accumulator.take::<M>(&row, &reducer.name)?;
                }
            }
        }
        let mut rows: Vec<Row> = groups
            .into_iter()
            .map(|(key, accumulators)| {
                let mut columns = Vec::new();
                for (name, value) in keys.iter().zip(key) {
                    if let Some(value) = value {
                        columns.push((name.as_bytes().to_vec(), value));
                    }
                }
                for (reducer, accumulator) in reducers.iter().zip(accumulators) {
                    if let Some(value) = accumulator.value() {
                        columns.push((reducer.name.as_bytes().to_vec(), value));
                    }
                }
                Row(columns)
            })
            .collect();
        for step in after {
            match step {
                Step::Sort { column, descending } => rows.sort_by(|a, b| {
                    let order = compare(self::column(a, column), self::column(b, column));
                    if *descending { order.reverse() } else { order }
                }),
                Step::Limit(offset, count) => {
                    let offset = usize::try_from(*offset).unwrap_or(usize::MAX);
                    let count = usize::try_from(*count).unwrap_or(usize::MAX);
                    rows = rows.into_iter().skip(offset).take(count).collect();
                }
                Step::Group { .. } => {}
            }
        }
        Ok(rows)
    }

    /// The one group, first, and the sorts and limits after it; refused
    /// otherwise, or when a reducer cannot be merged.
    fn one_group(&self, shards: usize) -> Result<OneGroup<'_, M>> {
        let refuse = |why: String| {
            Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "an aggregation of {} over a cluster of {shards} shards: {why}; nothing was \
                     sent",
                    M::info().name()
                ),
            ))
        };
        let Some((Step::Group { keys, reducers }, after)) = self.steps.split_first() else {
            return refuse(
                "each shard holds only its own records, so the aggregation must start with \
                 one group (group_by) whose rows can be merged"
                    .to_owned(),
            );
        };
        if after.iter().any(|step| matches!(step, Step::Group { .. })) {
            return refuse("a second group cannot be merged from the shards' rows".to_owned());
        }
        if let Some(reducer) = reducers.iter().find(|r| r.merge == Merge::Impossible) {
            return refuse(format!(
                "the column {} cannot be computed from each shard's value (only count, sum, \
                 min, max, avg and tolist can)",
                reducer.name
            ));
        }
        Ok(OneGroup {
            keys,
            reducers,
            after,
        })
    }

    /// Checks that every field the group reads is sortable in the index
    /// `index` (one shard's): a shard reads nothing else.
    async fn sortable(
        &self,
        executor: &E,
        index: &str,
        keys: &[&'static str],
        reducers: &[Reduce<M>],
    ) -> Result<()> {
        let info = executor.ft_info(index).await?;
        let read = keys
            .iter()
            .copied()
            .chain(reducers.iter().filter_map(|r| r.reads));
        for field in read {
            let sortable = info
                .attributes
                .iter()
                .any(|attribute| attribute.attribute == field && attribute.sortable);
            if !sortable {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "an aggregation of {} over a cluster reads {field}, which the index does \
                         not keep sortable: the search module of a cluster's shard reads only \
                         sortable fields (index it with sortable); nothing was sent",
                        M::info().name()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// What each shard runs: the group, with each mean asked as a sum and a
/// count; no loads (a shard loads nothing), no sorts or limits (they apply
/// to the merged rows).
fn shard_pipeline<M>(
    search: &Search,
    query: &Rendered,
    keys: &[&'static str],
    reducers: &[Reduce<M>],
) -> AggregateOptions {
    let mut sent = Vec::new();
    for reducer in reducers {
        match (reducer.merge, reducer.reads) {
            (Merge::Mean, Some(field)) => {
                sent.push(Reducer::sum(format!("@{field}")).alias(sum_of(&reducer.name)));
                sent.push(Reducer::count().alias(count_of(&reducer.name)));
            }
            _ => sent.push(reducer.reducer.clone().alias(&reducer.name)),
        }
    }
    search
        .aggregate_options(query)
        .group_by(keys.iter().map(|key| format!("@{key}")), sent)
        .with_cursor()
        .cursor_count(CURSOR_BATCH)
}

fn sum_of(name: &str) -> String {
    format!("{name}__sum")
}

fn count_of(name: &str) -> String {
    format!("{name}__count")
}

/// The value of the column `name` in `row`, if it has one.
pub(super) fn column<'r>(row: &'r Row, name: &str) -> Option<&'r [u8]> {
    row.0
        .iter()
        .find(|(column, _)| column == name.as_bytes())
        .map(|(_, value)| value.as_slice())
}

/// Column values in the server's order: numbers by value, other text by
/// its bytes, a missing value last.
fn compare(a: Option<&[u8]>, b: Option<&[u8]>) -> Ordering {
    let number = |v: &[u8]| std::str::from_utf8(v).ok()?.parse::<f64>().ok();
    match (a, b) {
        (Some(a), Some(b)) => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        },
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// One reducer's value over the shards so far.
enum Accumulator {
    Add(Option<f64>),
    Min(Option<f64>),
    Max(Option<f64>),
    Mean { sum: f64, count: f64 },
    Union(BTreeSet<String>),
}

impl Accumulator {
    fn new(merge: Merge) -> Accumulator {
        match merge {
            Merge::Min => Accumulator::Min(None),
            Merge::Max => Accumulator::Max(None),
            Merge::Mean => Accumulator::Mean {
                sum: 0.0,
                count: 0.0,
            },
            Merge::Union => Accumulator::Union(BTreeSet::new()),
            Merge::Add | Merge::Impossible => Accumulator::Add(None),
        }
    }

    /// Takes in a shard's row's value of the column `name`.
    fn take<M: Model>(&mut self, row: &Row, name: &str) -> Result<()> {
        let number = |name: &str| -> Result<Option<f64>> {
            let Some(text) = column(row, name) else {
                return Ok(None);
            };
            let parsed = std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse::<f64>().ok());
            parsed.map(Some).ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!(
                        "an aggregation of {}: a shard's {name} is not a number: {:?}",
                        M::info().name(),
                        String::from_utf8_lossy(text)
                    ),
                )
            })
        };
        match self {
            Accumulator::Add(total) => {
                if let Some(value) = number(name)? {
                    *total = Some(total.unwrap_or(0.0) + value);
                }
            }
            Accumulator::Min(least) => {
                if let Some(value) = number(name)? {
                    *least = Some(least.map_or(value, |l| l.min(value)));
                }
            }
            Accumulator::Max(most) => {
                if let Some(value) = number(name)? {
                    *most = Some(most.map_or(value, |m| m.max(value)));
                }
            }
            Accumulator::Mean { sum, count } => {
                *sum += number(&sum_of(name))?.unwrap_or(0.0);
                *count += number(&count_of(name))?.unwrap_or(0.0);
            }
            Accumulator::Union(values) => {
                if let Some(text) = column(row, name) {
                    let list: Vec<String> = serde_json::from_slice(text).map_err(|e| {
                        Error::new(ErrorKind::Decode, format!("a shard's {name}: {e}"))
                    })?;
                    values.extend(list);
                }
            }
        }
        Ok(())
    }

    /// The merged value, as the server would write it.
    fn value(self) -> Option<Vec<u8>> {
        let text = |n: f64| n.to_string().into_bytes();
        match self {
            Accumulator::Add(value) | Accumulator::Min(value) | Accumulator::Max(value) => {
                value.map(text)
            }
            Accumulator::Mean { sum, count } => (count > 0.0).then(|| text(sum / count)),
            Accumulator::Union(values) => {
                let values: Vec<String> = values.into_iter().collect();
                serde_json::to_vec(&values).ok()
            }
        }
    }
}
