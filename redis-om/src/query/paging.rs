//! Paging through a query's matches, one `FT.SEARCH` page at a time: the
//! one place that decides which page to ask next and when to stop, behind
//! [`Hits`](super::Hits), [`Find::select`](super::Find::select),
//! [`Find::update`](super::Find::update), [`Find::delete`](super::Find::delete)
//! and vector range queries.

use redis_core::commands::{self, Document, SearchOptions, SearchResult};
use redis_core::{Error, ErrorKind, Executor, FromValue, Result};

use super::find::Search;
use crate::migrate::missing_index;
use crate::model::Model;

/// Where paging through the matches stands.
#[derive(Debug, Clone)]
pub(super) struct Pager {
    /// The offset of the next page.
    next: u64,
    /// The offset after the last match wanted (a limit's), if any.
    end: Option<u64>,
    page_size: u64,
    done: bool,
}

impl Pager {
    /// From the first match or `limit`'s offset, up to `limit`'s count
    /// (every match without one), `page_size` matches per page.
    pub(super) fn new(limit: Option<(u64, u64)>, page_size: u64) -> Pager {
        let (next, end) = match limit {
            Some((offset, count)) => (offset, Some(offset.saturating_add(count))),
            None => (0, None),
        };
        Pager {
            next,
            end,
            page_size: page_size.max(1),
            done: false,
        }
    }

    /// The next page to ask for, as offset and count; `None` at the end.
    pub(super) fn next_page(&self) -> Option<(u64, u64)> {
        if self.done {
            return None;
        }
        let count = match self.end {
            Some(end) => self.page_size.min(end.saturating_sub(self.next)),
            None => self.page_size,
        };
        (count > 0).then_some((self.next, count))
    }

    /// Takes in the page [`Pager::next_page`] gave: the server sent `read`
    /// documents of the `asked`, counting `total` matches, and `gone` of
    /// them have left the matches since (deleted), which moves the later
    /// matches up by as many places. Fails with
    /// [`ErrorKind::TooManyHits`] when the server stopped short of the
    /// matches it counted: the offset reached its `MAXSEARCHRESULTS`.
    pub(super) fn advance(&mut self, page: Taken, index: &str) -> Result<()> {
        let Taken {
            asked,
            read,
            gone,
            total,
        } = page;
        let gone = gone.min(read);
        self.next += read - gone;
        if let Some(end) = &mut self.end {
            *end = end.saturating_sub(gone);
        }
        let total = total.saturating_sub(gone);
        let wanted = self.end.map_or(total, |end| end.min(total));
        self.done = read < asked || self.next >= wanted;
        if read < asked && self.next < wanted {
            return Err(Error::new(
                ErrorKind::TooManyHits,
                format!(
                    "the query on {index} matched {total} records, and FT.SEARCH gave the first \
                     {} only (the server's MAXSEARCHRESULTS): narrow the query, or raise the limit \
                     (FT.CONFIG SET MAXSEARCHRESULTS, search-max-search-results on Redis 8)",
                    self.next
                ),
            ));
        }
        Ok(())
    }
}

/// What one page held, for [`Pager::advance`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Taken {
    /// How many documents were asked for.
    pub(super) asked: u64,
    /// How many came.
    pub(super) read: u64,
    /// How many of them left the matches since.
    pub(super) gone: u64,
    /// How many documents match in all.
    pub(super) total: u64,
}

impl Search {
    /// One page of `text` with `options`: `count` documents from
    /// `offset`, their fields as `T`.
    pub(super) async fn fetch<M: Model, E: Executor, T: FromValue>(
        &self,
        executor: &E,
        text: &str,
        options: &SearchOptions,
        (offset, count): (u64, u64),
    ) -> Result<SearchResult<T>> {
        let options = options.clone().limit(offset, count);
        let cmd = commands::ft_search_with::<T>(&self.index, text, &options);
        (executor.execute(cmd.into_cmd()).await)
            .map_err(|error| missing_index::<M>(error, &self.index))
    }

    /// Every page of `text`'s matches that `pager` covers, in order, each
    /// handed to `each`, which answers how many of the page's records it
    /// took out of the matches (deleted them), so that the next page starts
    /// at the right place.
    pub(super) async fn each_page<M: Model, E: Executor, T: FromValue>(
        &self,
        executor: &E,
        text: &str,
        options: &SearchOptions,
        mut pager: Pager,
        mut each: impl AsyncFnMut(Vec<Document<T>>) -> Result<u64>,
    ) -> Result<()> {
        while let Some(range) = pager.next_page() {
            let found = self
                .fetch::<M, E, T>(executor, text, options, range)
                .await?;
            let read = found.documents.len() as u64;
            let gone = each(found.documents).await?;
            let taken = Taken {
                asked: range.1,
                read,
                gone,
                total: found.total,
            };
            pager.advance(taken, &self.index)?;
        }
        Ok(())
    }
}
