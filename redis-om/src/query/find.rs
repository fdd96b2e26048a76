//! `Repository::find`: a typed query's builder and its executors, over
//! `FT.SEARCH` on the repository's index.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use std::time::Duration;

use redis_core::commands::Command;
use redis_core::commands::{
    self, AggregateOptions, Document, Scorer, SearchOptions, SearchResult, SortProperty,
};
use redis_core::{Error, ErrorKind, Executor, Pipeline, Result, Value};

use super::cursor::{Documents, PastTheLimit};
use super::expr::{Expr, Rendered};
use super::ops::Sort;
use super::paging::{Loading, Order, Pager, SearchPages};
use crate::migrate::missing_index;
use crate::model::{Model, StorageKind};
use crate::pk::PrimaryKey;
use crate::repository::Repository;
use crate::schema::ModelIndex;
use crate::shards::shard_indexes;
use crate::storage::Storage;

/// How many records one `FT.SEARCH` page holds by default when a query
/// reads more than one page: large enough to amortise the round trip,
/// small enough to hold in memory, and below the server's
/// `MAXSEARCHRESULTS` unless it was set very low.
const PAGE_SIZE: u64 = 1000;

impl<M: Model, E: Executor> Repository<M, E> {
    /// The records matching `filter`, through the repository's search
    /// index (see [`crate::Migrator`]): a [`Find`] to sort, limit and run.
    ///
    /// ```no_run
    /// use redis_om::{RedisModel, Repository};
    /// use redis_om::query;
    ///
    /// #[derive(RedisModel)]
    /// struct Product {
    ///     #[redis(pk)]
    ///     id: String,
    ///     #[redis(index)]
    ///     brand: String,
    ///     #[redis(index(sortable))]
    ///     price: f64,
    /// }
    ///
    /// # async fn run(client: &redis_om::core::Client) -> redis_om::core::Result<()> {
    /// let products = Repository::<Product, _>::new(client);
    /// let cheap: Vec<Product> = products
    ///     .find(Product::price().lt(10.0) & Product::brand().eq("Acme & Sons (EU)"))
    ///     .sort_by(Product::price().asc())
    ///     .limit(0, 20)
    ///     .all()
    ///     .await?;
    /// let everything = products.find(query::all()).count().await?;
    /// # let _ = (cheap, everything); Ok(()) }
    /// ```
    pub fn find(&self, filter: Expr<M>) -> Find<'_, M, E> {
        Find {
            repository: self,
            filter,
            sort: None,
            limit: None,
            page_size: PAGE_SIZE,
            tweaks: Tweaks::default(),
        }
    }
}

/// A query on a repository's records, to run with [`Find::all`],
/// [`Find::first`], [`Find::count`] or [`Find::stream`]. Built by
/// [`Repository::find`].
///
/// ```no_run
/// # use redis_om::{RedisModel, Repository};
/// # #[derive(RedisModel)]
/// # struct Product { #[redis(pk)] id: String, #[redis(index(sortable))] price: f64 }
/// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
/// let under_ten = || products.find(Product::price().lt(10.0));
/// let how_many: u64 = under_ten().count().await?;
/// let cheapest: Option<Product> = under_ten().sort_by(Product::price().asc()).first().await?;
/// let second_page: Vec<Product> =
///     under_ten().sort_by(Product::price().asc()).limit(20, 20).all().await?;
/// let every_one: Vec<Product> = under_ten().page_size(500).all().await?;
/// # let _ = (how_many, cheapest, second_page, every_one); Ok(()) }
/// ```
#[must_use = "a query does nothing until it is run"]
pub struct Find<'r, M, E> {
    pub(super) repository: &'r Repository<M, E>,
    pub(super) filter: Expr<M>,
    sort: Option<Sort<M>>,
    limit: Option<(u64, u64)>,
    page_size: u64,
    pub(super) tweaks: Tweaks,
}

/// How the server runs a query, beside what it asks: set on a [`Find`].
#[derive(Debug, Clone, Default)]
pub(super) struct Tweaks {
    verbatim: bool,
    in_order: bool,
    timeout: Option<Duration>,
    scorer: Option<Scorer>,
}

impl Tweaks {
    /// Whether an aggregation asks what the search asks: it has no
    /// `INORDER`.
    fn fit_an_aggregation(&self) -> bool {
        !self.in_order
    }

    /// What of it an aggregation takes (no scorer: it scores nothing).
    fn apply_to_aggregate(&self, mut options: AggregateOptions) -> AggregateOptions {
        if self.verbatim {
            options = options.verbatim();
        }
        if let Some(timeout) = self.timeout {
            options = options.timeout(timeout);
        }
        options
    }

    fn apply(&self, mut options: SearchOptions) -> SearchOptions {
        if self.verbatim {
            options = options.verbatim();
        }
        if self.in_order {
            options = options.in_order();
        }
        if let Some(timeout) = self.timeout {
            options = options.timeout(timeout);
        }
        if let Some(scorer) = self.scorer {
            options = options.scorer(scorer);
        }
        options
    }
}

impl<M, E> std::fmt::Debug for Find<'_, M, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Find")
            .field("filter", &self.filter)
            .field("sort", &self.sort)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<'r, M: Model, E: Executor> Find<'r, M, E> {
    /// Sorts the records by a sortable field (`Product::price().asc()`);
    /// without it they come in the server's relevance order. Records with
    /// equal values come in an order of the server's choosing.
    pub fn sort_by(mut self, sort: Sort<M>) -> Self {
        self.sort = Some(sort);
        self
    }

    /// Only `count` records, after skipping `offset` (in the sort order):
    /// a page. [`Find::count`] counts every match regardless.
    pub fn limit(mut self, offset: u64, count: u64) -> Self {
        self.limit = Some((offset, count));
        self
    }

    /// Terms as written: no stemming of the query's TEXT terms
    /// (`VERBATIM`), so `running` does not also find `run`.
    pub fn verbatim(mut self) -> Self {
        self.tweaks.verbatim = true;
        self
    }

    /// The TEXT terms of the query must appear in the records in the
    /// order the query gives them (`INORDER`), not only all of them:
    /// `Product::name().matches("blue lamp")` then finds "blue oak lamp",
    /// not "lamp, blue".
    pub fn in_order(mut self) -> Self {
        self.tweaks.in_order = true;
        self
    }

    /// The server's time limit for the query (`TIMEOUT`, whole
    /// milliseconds); past it the server answers with what it found or an
    /// error, as its `search-on-timeout` setting says.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.tweaks.timeout = Some(timeout);
        self
    }

    /// How TEXT matches are ranked without a sort (`SCORER`).
    pub fn scorer(mut self, scorer: Scorer) -> Self {
        self.tweaks.scorer = Some(scorer);
        self
    }

    /// Paging through the matches [`Find::limit`] selects in every
    /// shard's index of `search`, [`Find::page_size`] at a time, in the
    /// order `order` (the sort's, or by distance).
    pub(super) fn pager<T: Send>(&self, search: &Search, order: Order) -> Result<Pager<T>> {
        let indexes = shard_indexes(self.repository.executor(), &search.index)?;
        Ok(Pager::new(indexes, self.limit, self.page_size, order))
    }

    /// The search [`Find::sort_by`] and the filter describe.
    pub(super) fn search(&self) -> Result<Search> {
        Search::new(
            self.repository.prefix(),
            &self.filter,
            self.sort.as_ref(),
            &self.tweaks,
        )
    }

    /// How many records each `FT.SEARCH` of [`Find::all`] and
    /// [`Find::stream`] reads (1,000 unless set; at least 1): what a
    /// stream holds in memory at most. A server whose `MAXSEARCHRESULTS`
    /// is below it refuses the page ("LIMIT exceeds maximum").
    pub fn page_size(mut self, records: u64) -> Self {
        self.page_size = records.max(1);
        self
    }

    /// Every matching record (or those [`Find::limit`] selects), read page
    /// by page. Fails with [`ErrorKind::TooManyHits`] when there are more
    /// than the server pages through and the query cannot go on through a
    /// cursor (see [`Find::stream`]).
    pub async fn all(self) -> Result<Vec<M>> {
        let mut hits = self.stream();
        let mut all = Vec::new();
        while let Some(model) = hits.try_next().await? {
            all.push(model);
        }
        Ok(all)
    }

    /// The first matching record in the sort order (after the offset of
    /// [`Find::limit`], if any), if there is one.
    pub async fn first(mut self) -> Result<Option<M>> {
        let offset = self.limit.map_or(0, |(offset, _)| offset);
        self.limit = Some((offset, 1));
        self.stream().try_next().await
    }

    /// How many records match (all of them: the limit is not applied),
    /// summed over the shards of a cluster.
    pub async fn count(self) -> Result<u64> {
        let search = Search::new(self.repository.prefix(), &self.filter, None, &self.tweaks)?;
        let Some(query) = &search.query else {
            return Ok(0);
        };
        let options = search.options(query).no_content().limit(0, 0);
        let executor = self.repository.executor();
        let mut total = 0;
        for index in shard_indexes(executor, &search.index)? {
            let cmd = commands::ft_search_with::<()>(&index, &query.text, &options);
            let found: SearchResult<()> = (executor.execute(cmd.into_cmd()).await)
                .map_err(|error| missing_index::<M>(error, &index))?;
            total += found.total;
        }
        Ok(total)
    }

    /// The matching records as a stream, read a page at a time
    /// ([`Find::page_size`]): any number of them in bounded memory.
    ///
    /// `FT.SEARCH` pages through the first `MAXSEARCHRESULTS` matches only
    /// (a server setting, `search-max-search-results` in Redis 8's
    /// configuration file; 1,000,000 in RediSearch 2.10's default). Past
    /// it, a sorted query on one server goes on through a cursor
    /// (`FT.AGGREGATE ... WITHCURSOR`, which has no such limit; the records
    /// are then read by key), in the same order. An unsorted one, or one on
    /// a cluster, ends with an error of kind [`ErrorKind::TooManyHits`]
    /// after the records it could read, rather than ending early as if
    /// there were no more.
    /// Records saved or deleted while the stream runs may shift the pages:
    /// one may be missed or come twice, as with any paging by offset.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index(text))] name: String }
    /// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let mut phones = products.find(Product::name().matches("phone")).stream();
    /// while let Some(phone) = phones.try_next().await? {
    ///     println!("{}", phone.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> Hits<'r, M, E> {
        let paged = self.search().and_then(|search| {
            let pager = self.pager(&search, search.order)?;
            Ok((Arc::new(search), pager))
        });
        let (search, pager, failure) = match paged {
            Ok((search, pager)) => (Some(search), Some(pager), None),
            Err(error) => (None, None, Some(error)),
        };
        Hits {
            executor: self.repository.executor(),
            search,
            pager,
            buffer: VecDeque::new(),
            pending: None,
            failure,
        }
    }
}

/// What every page of one query shares.
pub(super) struct Search {
    pub(super) index: String,
    /// `{prefix}:`, the key prefix of the records.
    pub(super) key_prefix: String,
    /// `None` when no record can match.
    pub(super) query: Option<Rendered>,
    sort: Option<SortProperty>,
    /// The same sort as `FT.AGGREGATE` names it (`@field`).
    pub(super) aggregate_sort: Option<SortProperty>,
    /// The sort's direction, for merging the shards' pages.
    pub(super) order: Order,
    tweaks: Tweaks,
}

impl Search {
    pub(super) fn new<M: Model>(
        prefix: &str,
        filter: &Expr<M>,
        sort: Option<&Sort<M>>,
        tweaks: &Tweaks,
    ) -> Result<Search> {
        let info = M::info();
        let index = ModelIndex::of(info, prefix).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} has no search index to query: no field is indexed",
                    info.name()
                ),
            )
        })?;
        let query = filter.render().map_err(|why| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("a query of {} cannot be sent: {why}", info.name()),
            )
        })?;
        let order = match sort {
            None => Order::Unsorted,
            Some(sort) if sort.descending => Order::Descending,
            Some(_) => Order::Ascending,
        };
        let property = |name: String, descending: bool| match descending {
            true => SortProperty::desc(name),
            false => SortProperty::asc(name),
        };
        let aggregate_sort = sort.map(|sort| property(format!("@{}", sort.field), sort.descending));
        let sort = sort.map(|sort| property(sort.field.to_owned(), sort.descending));
        Ok(Search {
            index: index.name().to_owned(),
            key_prefix: index.prefix().to_owned(),
            query,
            sort,
            aggregate_sort,
            order,
            tweaks: tweaks.clone(),
        })
    }

    /// The query's parameters and sort order, in dialect 2 (which the
    /// query text is written for, parameters or not).
    pub(super) fn options(&self, query: &Rendered) -> SearchOptions {
        let mut options = SearchOptions::new().dialect(2);
        for (name, value) in &query.params {
            options = options.param(name, value);
        }
        if let Some(sort) = &self.sort {
            options = options.sort_by(sort.clone());
        }
        self.tweaks.apply(options)
    }

    /// [`Search::options`] for pages whose records come as `loading` says:
    /// without their fields (`NOCONTENT`) when they are read by key.
    pub(super) fn options_for(&self, query: &Rendered, loading: Loading) -> SearchOptions {
        let options = self.options(query);
        match loading {
            Loading::Inline => options,
            Loading::ByKey => options.no_content(),
        }
    }

    /// Whether `FT.AGGREGATE` can ask what this search asks.
    pub(super) fn fits_an_aggregation(&self) -> bool {
        self.tweaks.fit_an_aggregation()
    }

    /// The query's parameters for `FT.AGGREGATE` (in dialect 2), as
    /// [`Search::options`] gives them to `FT.SEARCH`.
    pub(super) fn aggregate_options(&self, query: &Rendered) -> AggregateOptions {
        let mut options = AggregateOptions::new().dialect(2);
        for (name, value) in &query.params {
            options = options.param(name, value);
        }
        self.tweaks.apply_to_aggregate(options)
    }

    /// The next page of records `pager` covers (`None` at the end), and
    /// the pager back.
    async fn page<M: Model, E: Executor>(
        self: Arc<Self>,
        executor: &E,
        mut pager: Pager<Value>,
    ) -> (Pager<Value>, Result<Option<Vec<M>>>) {
        let page = async {
            let Some(query) = &self.query else {
                return Ok(None);
            };
            let loading = pager.loading();
            let options = self.options_for(query, loading);
            let past_the_limit =
                PastTheLimit::where_possible(&pager, &self, query, Documents::Records);
            let source = SearchPages::<M, E>::new(executor, &query.text, &options)
                .past_the_limit(past_the_limit);
            let Some(documents) = pager.next_page(&source).await? else {
                return Ok(None);
            };
            let models = self.models::<M, E>(executor, documents, loading).await?;
            Ok(Some(models.into_iter().flatten().collect()))
        };
        let page = page.await;
        (pager, page)
    }

    /// The records of found documents, one per document in order (`None`
    /// for one that went away meanwhile): decoded from the reply, or read
    /// by key in one round trip.
    pub(super) async fn models<M: Model, E: Executor>(
        &self,
        executor: &E,
        documents: Vec<Document<Value>>,
        loading: Loading,
    ) -> Result<Vec<Option<M>>> {
        if loading == Loading::Inline {
            return documents.into_iter().map(|d| self.decode::<M>(d)).collect();
        }
        let loads: Pipeline<Vec<Value>> = documents
            .iter()
            .map(|document| Command::<Value>::from(M::Storage::load(&document.id)))
            .collect();
        let replies = loads.execute(executor).await?;
        let mut models = Vec::with_capacity(documents.len());
        for (document, reply) in documents.iter().zip(replies) {
            let pk = self.pk_of::<M>(&document.id)?;
            models.push(M::Storage::decode(&document.id, pk, reply?)?);
        }
        Ok(models)
    }

    /// The primary key of a found record's key.
    fn pk_of<M: Model>(&self, key: &str) -> Result<M::Pk> {
        key.strip_prefix(self.key_prefix.as_str())
            .and_then(M::Pk::parse)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!(
                        "the index {} found {key}, which is no key of a {} record",
                        self.index,
                        M::info().name()
                    ),
                )
            })
    }

    /// A found document as a model: a hash's fields as `HGETALL` gives
    /// them, a JSON document's `$` as `JSON.GET` does; `None` when the
    /// record went away meanwhile.
    pub(super) fn decode<M: Model>(&self, document: Document<Value>) -> Result<Option<M>> {
        let key = document.id;
        let pk = self.pk_of::<M>(&key)?;
        let reply = match M::info().storage() {
            StorageKind::Json => json_root(document.fields),
            _ => document.fields,
        };
        M::Storage::decode(&key, pk, reply)
    }
}

/// The `$` field of a JSON document's search reply (its whole text); nil
/// when it has none.
fn json_root(fields: Value) -> Value {
    let Value::Map(fields) = fields else {
        return Value::Nil;
    };
    fields
        .into_iter()
        .find(|(name, _)| matches!(name, Value::BulkString(name) | Value::SimpleString(name) if name.as_ref() == b"$"))
        .map_or(Value::Nil, |(_, root)| root)
}

type PageFuture<'r, M> =
    Pin<Box<dyn Future<Output = (Pager<Value>, Result<Option<Vec<M>>>)> + Send + 'r>>;

/// The records of a [`Find::stream`], a page at a time: a
/// [`Stream`] of `Result<M>`, or [`Hits::try_next`] in a loop.
///
/// ```no_run
/// # use redis_om::{RedisModel, Repository, query};
/// # #[derive(RedisModel)]
/// # struct Product { #[redis(pk)] id: String, #[redis(index(sortable))] price: f64 }
/// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
/// let mut total = 0.0;
/// let mut hits = products.find(query::all()).stream();
/// while let Some(product) = hits.try_next().await? {
///     total += product.price;
/// }
/// # let _ = total; Ok(()) }
/// ```
#[must_use = "a stream does nothing unless polled"]
pub struct Hits<'r, M, E> {
    executor: &'r E,
    /// `None` when the query could not be built (`failure` says why).
    search: Option<Arc<Search>>,
    /// `None` while a page is being read (the page's future holds it).
    pager: Option<Pager<Value>>,
    buffer: VecDeque<M>,
    pending: Option<PageFuture<'r, M>>,
    /// The error to yield once the buffered records are out.
    failure: Option<Error>,
}

impl<M, E> std::fmt::Debug for Hits<'_, M, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hits")
            .field("pager", &self.pager)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<'r, M: Model, E: Executor> Hits<'r, M, E> {
    /// The next record; `None` at the end.
    pub async fn try_next(&mut self) -> Result<Option<M>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx))
            .await
            .transpose()
    }
}

// No field is ever pinned: the buffered records move freely.
impl<M, E> Unpin for Hits<'_, M, E> {}

impl<'r, M: Model, E: Executor> Stream for Hits<'r, M, E> {
    type Item = Result<M>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<M>>> {
        let this = &mut *self;
        loop {
            if let Some(model) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(model)));
            }
            if let Some(error) = this.failure.take() {
                this.search = None;
                return Poll::Ready(Some(Err(error)));
            }
            let Some(search) = &this.search else {
                return Poll::Ready(None);
            };
            if this.pending.is_none() {
                let Some(pager) = this.pager.take() else {
                    return Poll::Ready(None);
                };
                let page = Arc::clone(search).page(this.executor, pager);
                this.pending = Some(Box::pin(page));
            }
            let Some(pending) = &mut this.pending else {
                return Poll::Ready(None);
            };
            let (pager, page) = ready!(pending.as_mut().poll(cx));
            this.pending = None;
            this.pager = Some(pager);
            match page {
                Ok(Some(models)) => this.buffer.extend(models),
                Ok(None) => {
                    this.search = None;
                    return Poll::Ready(None);
                }
                Err(error) => {
                    this.search = None;
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }
}
