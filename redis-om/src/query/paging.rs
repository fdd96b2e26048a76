//! Paging through a query's matches, one `FT.SEARCH` page at a time, on
//! every shard: the one place that decides which page to ask next, how
//! the shards' matches merge and when to stop, behind
//! [`Hits`](super::Hits), [`Find::select`](super::Find::select),
//! [`Find::update`](super::Find::update), [`Find::delete`](super::Find::delete),
//! excerpts, KNN and vector range queries.
//!
//! RediSearch on an open-source cluster has no coordinator: each primary
//! indexes its own keys and answers for them only. So each primary is
//! paged through on its own, at its own pace, and the pages merge by the
//! sort key the server sends with each match (`WITHSORTKEYS`): at most one
//! page per shard is held, and the query's offset and limit apply to the
//! merged order, as they would on one server. On one server this is the
//! plain offset paging it always was: the offset goes to the server.

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;

use redis_core::commands::{self, Document, SearchOptions, SearchResult, SortKey};
use redis_core::{Error, ErrorKind, Executor, FromValue, Result};

use super::find::Search;
use crate::migrate::missing_index;
use crate::model::Model;

/// The order the matches come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    /// The server's relevance order on one server; shard after shard on
    /// several (relevance scores of different shards do not compare).
    Unsorted,
    /// By the sort key, smallest first.
    Ascending,
    /// By the sort key, largest first.
    Descending,
}

/// Whether the records of a page leave the matches once handled (deleted),
/// which moves the later matches up by as many places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Handled {
    /// They stay: the next page starts after them.
    Stay,
    /// They are gone: the next page starts where they were.
    Leave,
}

/// Where a page's records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Loading {
    /// In the search reply, as the server sends them.
    Inline,
    /// Read by key after the search: on a cluster, a search module without
    /// a coordinator finds the keys but sends no fields (the search asks
    /// for none, `NOCONTENT`).
    ByKey,
}

/// How one page of one shard's matches is read: `count` matches from
/// `offset` of the shard's index `index`.
pub(super) trait ReadPage<T>: Sync {
    fn read(
        &self,
        index: &str,
        offset: u64,
        count: u64,
    ) -> impl Future<Output = Result<SearchResult<T>>> + Send;
}

/// Pages of one query text with its options, as `FT.SEARCH` gives them.
pub(super) struct SearchPages<'a, M, E> {
    pub(super) executor: &'a E,
    pub(super) text: &'a str,
    pub(super) options: &'a SearchOptions,
    pub(super) model: PhantomData<fn() -> M>,
}

impl<M: Model, E: Executor, T: FromValue> ReadPage<T> for SearchPages<'_, M, E> {
    async fn read(&self, index: &str, offset: u64, count: u64) -> Result<SearchResult<T>> {
        let options = self.options.clone().limit(offset, count);
        let cmd = commands::ft_search_with::<T>(index, self.text, &options);
        (self.executor.execute(cmd.into_cmd()).await)
            .map_err(|error| missing_index::<M>(error, index))
    }
}

/// Where paging through every shard's matches stands.
#[derive(Debug)]
pub(super) struct Pager<T> {
    shards: Vec<ShardPages<T>>,
    /// Merged matches still to skip: the limit's offset, on several shards
    /// (one server skips them itself).
    skip: u64,
    /// Matches still wanted: the limit's count, if any.
    wanted: Option<u64>,
    page_size: u64,
    order: Order,
    /// How many matches of the page last handed out came from each shard.
    last_page: Vec<u64>,
    /// An error met after some matches of a page were read: the page goes
    /// out first, the error with the next call.
    failure: Option<Error>,
}

/// One shard's matches: what was read of them and is not handed out yet.
#[derive(Debug)]
struct ShardPages<T> {
    /// The shard's index (see [`crate::shards`]).
    index: String,
    /// Where the next `FT.SEARCH` starts in this shard's matches.
    offset: u64,
    buffer: VecDeque<Document<T>>,
    /// How many matches the shard counted at its last page.
    total: u64,
    done: bool,
    /// Why the shard stopped short, to tell once what was read of it is out.
    failure: Option<Error>,
}

impl<T> Pager<T> {
    /// Over the shards' indexes `indexes` (see [`crate::shards`]), from
    /// the first match or `limit`'s offset, up to `limit`'s count (every
    /// match without one), `page_size` matches per page.
    pub(super) fn new(
        indexes: Vec<String>,
        limit: Option<(u64, u64)>,
        page_size: u64,
        order: Order,
    ) -> Pager<T> {
        let (mut skip, wanted) = match limit {
            Some((offset, count)) => (offset, Some(count)),
            None => (0, None),
        };
        let mut shards: Vec<ShardPages<T>> = indexes
            .into_iter()
            .map(|index| ShardPages {
                index,
                offset: 0,
                buffer: VecDeque::new(),
                total: 0,
                done: false,
                failure: None,
            })
            .collect();
        if let [only] = shards.as_mut_slice() {
            only.offset = std::mem::take(&mut skip);
        }
        Pager {
            last_page: vec![0; shards.len()],
            shards,
            skip,
            wanted,
            page_size: page_size.max(1),
            order,
            failure: None,
        }
    }

    /// The next page of matches in order (at most the page size), reading
    /// each shard's next page from `source` when what was read of it ran
    /// out; `None` at the end. Fails with
    /// [`ErrorKind::TooManyHits`] when a shard stopped short of the matches
    /// it counted (the offset reached its `MAXSEARCHRESULTS`), after
    /// handing out the matches read before.
    pub(super) async fn next_page(
        &mut self,
        source: &impl ReadPage<T>,
    ) -> Result<Option<Vec<Document<T>>>> {
        if let Some(error) = self.failure.take() {
            return Err(error);
        }
        self.last_page.iter_mut().for_each(|n| *n = 0);
        let mut page = Vec::new();
        while (page.len() as u64) < self.page_size && self.wanted != Some(0) {
            let shard = match self.pick(source).await {
                Ok(Some(shard)) => shard,
                Ok(None) => break,
                Err(error) if page.is_empty() => return Err(error),
                Err(error) => {
                    self.failure = Some(error);
                    break;
                }
            };
            let Some(document) = self.shards[shard].buffer.pop_front() else {
                break;
            };
            if self.skip > 0 {
                self.skip -= 1;
                continue;
            }
            if let Some(wanted) = &mut self.wanted {
                *wanted -= 1;
            }
            self.last_page[shard] += 1;
            page.push(document);
        }
        Ok((!page.is_empty()).then_some(page))
    }

    /// Where the records of this query's pages come from.
    pub(super) fn loading(&self) -> Loading {
        match self.shards.len() {
            1 => Loading::Inline,
            _ => Loading::ByKey,
        }
    }

    /// Fails when the records come by key ([`Loading::ByKey`]) and `what`
    /// needs the fields the search itself returns (projections, marked-up
    /// excerpts), which a search module without a coordinator does not send
    /// on a cluster.
    pub(super) fn needs_returned_fields<M: Model>(&self, what: &str) -> Result<()> {
        if self.loading() == Loading::Inline {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{what} of {} over a cluster of {} shards: the search module there sends the \
                 keys it finds but no fields, so only whole records (read by key) can be \
                 returned; nothing was sent",
                M::info().name(),
                self.shards.len()
            ),
        ))
    }

    /// Takes the page last handed out out of the matches: its records were
    /// deleted, so each shard's later matches moved up by as many places.
    pub(super) fn forget_last_page(&mut self) {
        for (shard, gone) in self.shards.iter_mut().zip(&self.last_page) {
            shard.offset = shard.offset.saturating_sub(*gone);
            shard.total = shard.total.saturating_sub(*gone);
        }
    }

    /// The shard whose next match comes next, after reading a page of
    /// every shard that needs one for the choice; `None` when every shard
    /// is done.
    async fn pick(&mut self, source: &impl ReadPage<T>) -> Result<Option<usize>> {
        let mut best: Option<usize> = None;
        for shard in 0..self.shards.len() {
            if !self.fill(shard, source).await? {
                continue;
            }
            if self.order == Order::Unsorted {
                return Ok(Some(shard));
            }
            best = match best {
                Some(earlier) if !self.comes_before(shard, earlier) => Some(earlier),
                _ => Some(shard),
            };
        }
        Ok(best)
    }

    /// Whether `shard` has a match to hand out, reading its next page if
    /// what was read of it ran out.
    async fn fill(&mut self, shard: usize, source: &impl ReadPage<T>) -> Result<bool> {
        let count = match self.wanted {
            Some(wanted) => self.page_size.min(self.skip.saturating_add(wanted)),
            None => self.page_size,
        };
        let this = &mut self.shards[shard];
        if !this.buffer.is_empty() {
            return Ok(true);
        }
        if let Some(error) = this.failure.take() {
            return Err(error);
        }
        if this.done || count == 0 {
            return Ok(false);
        }
        let found = source.read(&this.index, this.offset, count).await?;
        let read = found.documents.len() as u64;
        this.offset += read;
        this.total = found.total;
        this.done = read < count || this.offset >= this.total;
        if read < count && this.offset < this.total {
            this.failure = Some(Error::new(
                ErrorKind::TooManyHits,
                format!(
                    "the query on {} matched {} records, and FT.SEARCH gave the first {} only \
                     (the server's MAXSEARCHRESULTS): narrow the query, or raise the limit \
                     (FT.CONFIG SET MAXSEARCHRESULTS, search-max-search-results on Redis 8)",
                    this.index, this.total, this.offset
                ),
            ));
        }
        this.buffer.extend(found.documents);
        if this.buffer.is_empty()
            && let Some(error) = this.failure.take()
        {
            return Err(error);
        }
        Ok(!this.buffer.is_empty())
    }

    /// Whether the next match of shard `a` comes before that of shard `b`
    /// in the sort order (both have one). A match without a value for the
    /// sort field comes last, as the server places it.
    fn comes_before(&self, a: usize, b: usize) -> bool {
        let key = |shard: usize| {
            self.shards[shard]
                .buffer
                .front()
                .and_then(|document| document.sort_key.as_ref())
        };
        let order = match (key(a), key(b)) {
            (Some(a), Some(b)) => compare(a, b),
            (Some(_), None) => return true,
            (None, _) => return false,
        };
        match self.order {
            Order::Descending => order == Ordering::Greater,
            _ => order == Ordering::Less,
        }
    }
}

/// Sort keys in the server's order: numbers by value, text by its bytes
/// (the server compares its normalized form, which is what it sends).
fn compare(a: &SortKey, b: &SortKey) -> Ordering {
    match (a, b) {
        (SortKey::Number(a), SortKey::Number(b)) => a.total_cmp(b),
        (SortKey::Text(a), SortKey::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
        (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
        (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
    }
}

impl Search {
    /// Every page of `text`'s matches that `pager` covers, in order, each
    /// handed to `each`; `handled` says whether the records leave the
    /// matches once handled, so that the next page starts at the right
    /// place.
    pub(super) async fn each_page<M: Model, E: Executor, T: FromValue>(
        &self,
        executor: &E,
        text: &str,
        options: &SearchOptions,
        mut pager: Pager<T>,
        handled: Handled,
        mut each: impl AsyncFnMut(Vec<Document<T>>) -> Result<()>,
    ) -> Result<()> {
        let source = SearchPages::<M, E> {
            executor,
            text,
            options,
            model: PhantomData,
        };
        while let Some(page) = pager.next_page(&source).await? {
            each(page).await?;
            if handled == Handled::Leave {
                pager.forget_last_page();
            }
        }
        Ok(())
    }
}
