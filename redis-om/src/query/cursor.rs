//! Past a server's `MAXSEARCHRESULTS`: `FT.SEARCH` pages through the first
//! matches only (a server setting), so a query that must read further goes
//! on through `FT.AGGREGATE ... WITHCURSOR`, which has no such limit, from
//! where its pages stopped: the same query text, parameters and sort, the
//! rest of the matches a batch at a time in bounded memory. The cursor
//! gives keys; the records are read by key. Only a sorted query can pick up
//! where its pages stopped: an unsorted one stops there with
//! [`ErrorKind::TooManyHits`](redis_core::ErrorKind::TooManyHits), whose
//! message says to sort it.
//!
//! On a cluster's shards, whose search module loads nothing (see the
//! `shards` module), a cursor gives no keys either: there the paging stops
//! with [`ErrorKind::TooManyHits`](redis_core::ErrorKind::TooManyHits) as
//! the source without a cursor does.

use std::collections::HashMap;

use redis_core::commands::{self, AggregateResult, Command, Document};
use redis_core::{Error, ErrorKind, Executor, FromValue, Pipeline, Result, Value};

use super::expr::Rendered;
use super::find::Search;
use super::paging::{Batch, Loading, Order, Pager, SearchPages};
use crate::migrate::missing_index;
use crate::model::{Model, StorageKind};
use crate::storage::Storage;

/// The field of an aggregation row holding the document's key.
const KEY: &str = "__key";

/// How a query goes on through a cursor past `MAXSEARCHRESULTS`.
#[derive(Clone, Copy)]
pub(super) struct PastTheLimit<'a> {
    pub(super) search: &'a Search,
    pub(super) query: &'a Rendered,
    pub(super) documents: Documents,
}

/// What the documents read through a cursor carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Documents {
    /// Their keys only (their fields convert from an empty map).
    Keys,
    /// Their records, read by key, as `FT.SEARCH` would have sent them.
    Records,
}

/// An aggregation row: the key, and nothing else is loaded.
type KeyRow = HashMap<String, String>;

impl<'a> PastTheLimit<'a> {
    /// Going on through a cursor where it can pick up where the pages
    /// stopped: on one server (a cluster's shards give no keys through one,
    /// see the module's docs), for a sorted query (`FT.SEARCH` and
    /// `FT.AGGREGATE` list unsorted matches in orders of their own, so the
    /// cursor could not tell which matches the pages gave), and one that
    /// an aggregation can ask (it has no `INORDER`).
    pub(super) fn where_possible<T: Send>(
        pager: &Pager<T>,
        search: &'a Search,
        query: &'a Rendered,
        documents: Documents,
    ) -> Option<PastTheLimit<'a>> {
        let resumable = pager.loading() == Loading::Inline
            && pager.order() != Order::Unsorted
            && search.fits_an_aggregation();
        resumable.then_some(PastTheLimit {
            search,
            query,
            documents,
        })
    }

    /// Opens a cursor over the matches from `offset` of `total` on, in the
    /// query's order, `count` per batch, and reads its first batch. The
    /// server limits an aggregation's `LIMIT` offset as it does a search's,
    /// so the matches before `offset` are read through the cursor and
    /// dropped (their keys only).
    pub(super) async fn open<M: Model, E: Executor, T: FromValue>(
        &self,
        pages: &SearchPages<'_, M, E>,
        index: &str,
        (offset, total): (u64, u64),
        count: u64,
    ) -> Result<Batch<T>> {
        let mut options = self
            .search
            .aggregate_options(self.query)
            .load([format!("@{KEY}")]);
        if let Some(sort) = self.search.aggregate_sort.clone() {
            options = options.sort_by_max([sort], total);
        }
        let options = options.with_cursor().cursor_count(count.max(1));
        let cmd = commands::ft_aggregate::<KeyRow>(index, pages.text, &options);
        let mut found: AggregateResult<KeyRow> = (pages.executor.execute(cmd.into_cmd()).await)
            .map_err(|error| missing_index::<M>(error, index))?;
        let mut skip = offset;
        loop {
            let rows = found.rows.len() as u64;
            let open = found.cursor.filter(|&cursor| cursor != 0);
            match open {
                Some(cursor) if skip >= rows => {
                    skip -= rows;
                    let read = commands::ft_cursor_read_with::<KeyRow>(index, cursor, count.max(1));
                    found = pages.executor.execute(read.into_cmd()).await?;
                }
                _ => {
                    let skipped = usize::try_from(skip).unwrap_or(usize::MAX);
                    found.rows.drain(..skipped.min(found.rows.len()));
                    return self.batch(pages, found).await;
                }
            }
        }
    }

    /// The next batch of the cursor `cursor`.
    pub(super) async fn read<M: Model, E: Executor, T: FromValue>(
        &self,
        pages: &SearchPages<'_, M, E>,
        index: &str,
        cursor: u64,
        count: u64,
    ) -> Result<Batch<T>> {
        let read = commands::ft_cursor_read_with::<KeyRow>(index, cursor, count.max(1));
        let found: AggregateResult<KeyRow> = pages.executor.execute(read.into_cmd()).await?;
        self.batch(pages, found).await
    }

    /// A cursor's rows as documents of the kind asked for.
    async fn batch<M: Model, E: Executor, T: FromValue>(
        &self,
        pages: &SearchPages<'_, M, E>,
        found: AggregateResult<KeyRow>,
    ) -> Result<Batch<T>> {
        let cursor = found.cursor.filter(|&cursor| cursor != 0);
        let mut keys = Vec::with_capacity(found.rows.len());
        for mut row in found.rows {
            let key = row.remove(KEY).ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!(
                        "a cursor over {} gave a row without its key (a search module that \
                         loads nothing?)",
                        self.search.index
                    ),
                )
            })?;
            keys.push(key);
        }
        let fields = match self.documents {
            Documents::Keys => keys.iter().map(|_| Value::Map(Vec::new())).collect(),
            Documents::Records => as_searched::<M, E>(pages.executor, &keys).await?,
        };
        let mut documents = Vec::with_capacity(keys.len());
        for (key, fields) in keys.into_iter().zip(fields) {
            documents.push(Document {
                id: key,
                score: None,
                sort_key: None,
                fields: T::from_value(fields)?,
            });
        }
        Ok(Batch { documents, cursor })
    }
}

/// The records of `keys`, read in one round trip, each as `FT.SEARCH`
/// sends a document's fields: a hash's as they are, a JSON document's
/// under `$`.
async fn as_searched<M: Model, E: Executor>(executor: &E, keys: &[String]) -> Result<Vec<Value>> {
    let loads: Pipeline<Vec<Value>> = keys
        .iter()
        .map(|key| Command::<Value>::from(M::Storage::load(key)))
        .collect();
    let replies = loads.execute(executor).await?;
    let mut fields = Vec::with_capacity(keys.len());
    for reply in replies {
        let reply = reply?;
        fields.push(match M::info().storage() {
            StorageKind::Json => Value::Map(vec![(Value::SimpleString("$".into()), reply)]),
            _ => reply,
        });
    }
    Ok(fields)
}
