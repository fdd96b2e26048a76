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

use super::cursor::PastTheLimit;
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
pub(super) trait ReadPage<T: Send>: Sync {
    fn read(
        &self,
        index: &str,
        offset: u64,
        count: u64,
    ) -> impl Future<Output = Result<SearchResult<T>>> + Send;

    /// Past the server's `MAXSEARCHRESULTS`, where `FT.SEARCH` pages no
    /// further: the matches from `offset` of `total` on, through a cursor,
    /// `count` per batch; `None` where this source stops there.
    fn open_cursor(
        &self,
        index: &str,
        offset: u64,
        total: u64,
        count: u64,
    ) -> impl Future<Output = Result<Option<Batch<T>>>> + Send {
        let _ = (index, offset, total, count);
        std::future::ready(Ok(None))
    }

    /// The next batch of the cursor [`ReadPage::open_cursor`] opened.
    fn read_cursor(
        &self,
        index: &str,
        cursor: u64,
        count: u64,
    ) -> impl Future<Output = Result<Batch<T>>> + Send {
        let _ = (cursor, count);
        std::future::ready(Err(no_cursor(index)))
    }
}

/// The error of a cursor read where none was opened: a mistake of ours.
fn no_cursor(index: &str) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("no cursor was opened on {index}"),
    )
}

/// One batch read through a cursor.
pub(super) struct Batch<T> {
    pub(super) documents: Vec<Document<T>>,
    /// The cursor for the next batch; `None` when all was read.
    pub(super) cursor: Option<u64>,
}

/// Pages of one query text with its options, as `FT.SEARCH` gives them.
pub(super) struct SearchPages<'a, M, E> {
    pub(super) executor: &'a E,
    pub(super) text: &'a str,
    pub(super) options: &'a SearchOptions,
    /// How to go on past `MAXSEARCHRESULTS`; `None`: stop there.
    pub(super) past_the_limit: Option<PastTheLimit<'a>>,
    pub(super) model: PhantomData<fn() -> M>,
}

impl<M: Model, E: Executor, T: FromValue + Send> ReadPage<T> for SearchPages<'_, M, E> {
    async fn read(&self, index: &str, offset: u64, count: u64) -> Result<SearchResult<T>> {
        let options = self.options.clone().limit(offset, count);
        let cmd = commands::ft_search_with::<T>(index, self.text, &options);
        (self.executor.execute(cmd.into_cmd()).await)
            .map_err(|error| missing_index::<M>(error, index))
    }

    async fn open_cursor(
        &self,
        index: &str,
        offset: u64,
        total: u64,
        count: u64,
    ) -> Result<Option<Batch<T>>> {
        match &self.past_the_limit {
            Some(past) => past
                .open(self, index, (offset, total), count)
                .await
                .map(Some),
            None => Ok(None),
        }
    }

    async fn read_cursor(&self, index: &str, cursor: u64, count: u64) -> Result<Batch<T>> {
        match &self.past_the_limit {
            Some(past) => past.read(self, index, cursor, count).await,
            None => Err(no_cursor(index)),
        }
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
    /// The cursor its matches are read through past `MAXSEARCHRESULTS`.
    cursor: Option<u64>,
}

impl<T: Send> Pager<T> {
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
                cursor: None,
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

    /// The order the matches come in.
    pub(super) fn order(&self) -> Order {
        self.order
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
        if let Some(cursor) = this.cursor {
            let batch = source.read_cursor(&this.index, cursor, count).await?;
            this.take_batch(batch);
            return Ok(!this.buffer.is_empty());
        }
        let found = match source.read(&this.index, this.offset, count).await {
            // An offset past MAXSEARCHRESULTS is refused outright.
            Err(error) if past_the_maximum(&error) => {
                let total = source.read(&this.index, 0, 0).await?.total;
                let opened = source.open_cursor(&this.index, this.offset, total, count);
                let Some(batch) = opened.await? else {
                    return Err(error);
                };
                this.total = total;
                this.take_batch(batch);
                return Ok(!this.buffer.is_empty());
            }
            found => found?,
        };
        let read = found.documents.len() as u64;
        let stopped_short = read < count && this.offset + read < found.total;
        if stopped_short {
            let opened = source.open_cursor(&this.index, this.offset, found.total, count);
            if let Some(batch) = opened.await? {
                // The cursor starts where this page started: its documents
                // stand for the page's.
                this.total = found.total;
                this.take_batch(batch);
                return Ok(!this.buffer.is_empty());
            }
        }
        this.offset += read;
        this.total = found.total;
        this.done = read < count || this.offset >= this.total;
        if stopped_short {
            this.failure = Some(Error::new(
                ErrorKind::TooManyHits,
                format!(
                    "the query on {} matched {} records, and FT.SEARCH gave the first {} only \
                     (the server's MAXSEARCHRESULTS): sort the query by a sortable field to read \
                     on through a cursor (one server), narrow it, or raise the limit (FT.CONFIG \
                     SET MAXSEARCHRESULTS, search-max-search-results on Redis 8)",
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

impl<T> ShardPages<T> {
    /// Takes a cursor's batch in, and where to read the next one.
    fn take_batch(&mut self, batch: Batch<T>) {
        self.buffer.extend(batch.documents);
        self.cursor = batch.cursor;
        self.done = batch.cursor.is_none();
    }
}

/// Whether the server refused a page for starting or ending past its
/// `MAXSEARCHRESULTS` ("OFFSET exceeds maximum of 100").
fn past_the_maximum(error: &Error) -> bool {
    error.kind() == ErrorKind::Server && error.to_string().contains("exceeds maximum")
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

impl<'a, M: Model, E: Executor> SearchPages<'a, M, E> {
    /// Pages of `text` with `options` through `executor`, stopping at
    /// `MAXSEARCHRESULTS`.
    pub(super) fn new(executor: &'a E, text: &'a str, options: &'a SearchOptions) -> Self {
        SearchPages {
            executor,
            text,
            options,
            past_the_limit: None,
            model: PhantomData,
        }
    }

    /// Going on past `MAXSEARCHRESULTS` as `past` says, if given.
    pub(super) fn past_the_limit(mut self, past: Option<PastTheLimit<'a>>) -> Self {
        self.past_the_limit = past;
        self
    }

    /// Every page of the matches that `pager` covers, in order, each
    /// handed to `each`; `handled` says whether the records leave the
    /// matches once handled, so that the next page starts at the right
    /// place.
    pub(super) async fn each_page<T: FromValue + Send>(
        &self,
        mut pager: Pager<T>,
        handled: Handled,
        mut each: impl AsyncFnMut(Vec<Document<T>>) -> Result<()>,
    ) -> Result<()> {
        while let Some(page) = pager.next_page(self).await? {
            each(page).await?;
            if handled == Handled::Leave {
                pager.forget_last_page();
            }
        }
        Ok(())
    }
}
