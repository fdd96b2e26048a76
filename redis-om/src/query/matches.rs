//! What a [`Find`] does to its matches besides reading whole records:
//! read only some fields of them, update or delete them, explain how the
//! server reads the query, and page through them by page number.

use redis_core::commands::{Document, KeyCommands, SearchCommands};
use redis_core::{Executor, Result};
use serde::de::DeserializeOwned;

use super::aggregate::GroupKeys;
use super::cursor::{Documents, PastTheLimit};
use super::find::{Find, Search};
use super::paging::{Handled, SearchPages};
use super::row::{Row, decode_row};
use crate::migrate::missing_index;
use crate::model::Model;
use crate::shards::shard_indexes;

/// A query as the server reads it: from [`Find::explain`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Explained {
    /// The index queried.
    pub index: String,
    /// The query text, values as parameter names (`@brand:{$p0}`); `None`
    /// when the condition matches no record and nothing would be sent.
    pub query: Option<String>,
    /// The parameters' values, in order.
    pub params: Vec<(String, String)>,
    /// `FT.EXPLAIN`'s parse tree of the query with its parameters.
    pub plan: String,
}

impl<'r, M: Model, E: Executor> Find<'r, M, E> {
    /// Page `number` (from 0) of `size` records, in the sort order:
    /// [`Find::limit`]`(number * size, size)`.
    pub fn page(self, number: u64, size: u64) -> Self {
        self.limit(number.saturating_mul(size), size)
    }

    /// The query as sent (text and parameters) and the server's parse of
    /// it (`FT.EXPLAIN`), to see why it matches what it matches.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index)] brand: String }
    /// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let explained = products.find(Product::brand().eq("Acme")).explain().await?;
    /// println!("{:?} {:?}\n{}", explained.query, explained.params, explained.plan);
    /// # Ok(()) }
    /// ```
    pub async fn explain(self) -> Result<Explained> {
        let search = Search::new(
            self.repository.prefix(),
            &self.filter,
            None,
            &Default::default(),
        )?;
        let Some(query) = &search.query else {
            return Ok(Explained {
                index: search.index,
                query: None,
                params: Vec::new(),
                plan: String::new(),
            });
        };
        // Every shard's index has the same definition, so the same plan.
        let executor = self.repository.executor();
        let shards = shard_indexes(executor, &search.index)?;
        let shard = shards.first().unwrap_or(&search.index);
        let plan = executor
            .ft_explain_params(shard, &query.text, &query.params)
            .await
            .map_err(|error| missing_index::<M>(error, shard))?;
        Ok(Explained {
            index: search.index.clone(),
            query: Some(query.text.clone()),
            params: query.params.clone(),
            plan,
        })
    }

    /// Only `fields` of the matching records (`RETURN`), each record read
    /// into `R`: a struct deriving `Deserialize` whose fields are named
    /// like the selected ones (numbers parsed from the server's text), in
    /// the sort order, all of them or those [`Find::limit`] selects. A
    /// record that does not fit `R` is an error of kind
    /// [`ErrorKind::Decode`](redis_core::ErrorKind::Decode).
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index)] name: String, #[redis(index(sortable))] price: f64 }
    /// #[derive(serde::Deserialize)]
    /// struct Label {
    ///     name: String,
    ///     price: f64,
    /// }
    ///
    /// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let labels: Vec<Label> = products
    ///     .find(Product::price().lt(10.0))
    ///     .sort_by(Product::price().asc())
    ///     .select((Product::name(), Product::price()))
    ///     .await?;
    /// # let _ = labels; Ok(()) }
    /// ```
    pub async fn select<R: DeserializeOwned>(self, fields: impl GroupKeys<M>) -> Result<Vec<R>> {
        let search = self.search()?;
        let Some(query) = &search.query else {
            return Ok(Vec::new());
        };
        let mut options = search.options(query);
        for name in fields.names() {
            options = options.return_field(name);
        }
        let mut rows = Vec::new();
        let executor = self.repository.executor();
        let pager = self.pager(&search, search.order)?;
        pager.needs_returned_fields::<M>("a selection")?;
        let each = async |documents: Vec<Document<Row>>| {
            for document in documents {
                rows.push(decode_row::<M, R>(&document.fields.0, "a selected record")?);
            }
            Ok(())
        };
        SearchPages::<M, E>::new(executor, &query.text, &options)
            .each_page::<Row>(pager, Handled::Stay, each)
            .await?;
        Ok(rows)
    }

    /// Applies the update `build` makes to every matching record (or to
    /// those of [`Find::limit`]'s page), each record by its own atomic
    /// [`Update`](crate::Update), and returns how many were updated. The
    /// matches are listed first (their keys, [`Find::page_size`] per round
    /// trip),
    /// so an update that changes whether a record matches neither skips
    /// nor repeats one; a record deleted meanwhile is left alone.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index)] brand: String, #[redis(index)] price: f64 }
    /// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let repriced = products
    ///     .find(Product::brand().eq("Acme"))
    ///     .update(|update| update.set(Product::price(), 9.99))
    ///     .await?;
    /// # let _ = repriced; Ok(()) }
    /// ```
    pub async fn update<F>(self, build: F) -> Result<u64>
    where
        F: for<'u> Fn(crate::Update<'u, M, E>) -> crate::Update<'u, M, E>,
    {
        let search = self.search()?;
        let Some(query) = &search.query else {
            return Ok(0);
        };
        let options = search.options(query).no_content();
        let mut keys = Vec::new();
        let executor = self.repository.executor();
        let pager = self.pager(&search, search.order)?;
        let past = PastTheLimit::where_possible(&pager, &search, query, Documents::Keys);
        let each = async |documents: Vec<Document<()>>| {
            keys.extend(documents.into_iter().map(|document| document.id));
            Ok(())
        };
        let text = &query.text;
        SearchPages::<M, E>::new(executor, text, &options)
            .past_the_limit(past)
            .each_page::<()>(pager, Handled::Stay, each)
            .await?;
        let mut updated = 0;
        for key in keys {
            let pk = key
                .strip_prefix(search.key_prefix.as_str())
                .and_then(<M::Pk as crate::PrimaryKey>::parse);
            let Some(pk) = pk else { continue };
            if build(self.repository.update(&pk)).apply().await? {
                updated += 1;
            }
        }
        Ok(updated)
    }

    /// Deletes every matching record (the keys, with `UNLINK`),
    /// [`Find::page_size`] per round trip, and returns how many it deleted. With
    /// [`Find::limit`] (or [`Find::page`]), only the records of that page,
    /// in the order [`Find::sort_by`] gives.
    /// Records saved meanwhile that match may be deleted too; the count
    /// says how many were.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Session { #[redis(pk)] id: String, #[redis(index)] expired: bool }
    /// # async fn run(sessions: Repository<Session, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let removed = sessions.find(Session::expired().eq(true)).delete().await?;
    /// # let _ = removed; Ok(()) }
    /// ```
    pub async fn delete(self) -> Result<u64> {
        let search = self.search()?;
        let Some(query) = &search.query else {
            return Ok(0);
        };
        let options = search.options(query).no_content();
        let executor = self.repository.executor();
        let mut deleted = 0;
        let pager = self.pager(&search, search.order)?;
        let past = PastTheLimit::where_possible(&pager, &search, query, Documents::Keys);
        // Every listed record leaves the index: the ones this UNLINK removes
        // at once, the ones already gone when they went. The matches after
        // them move up, which the pager accounts for.
        let each = async |documents: Vec<Document<()>>| {
            let keys: Vec<String> = documents.into_iter().map(|document| document.id).collect();
            deleted += executor.unlink(&keys).await?;
            let pks: Vec<M::Pk> = keys
                .iter()
                .filter_map(|key| key.strip_prefix(search.key_prefix.as_str()))
                .filter_map(<M::Pk as crate::PrimaryKey>::parse)
                .collect();
            self.repository.forget_suggestions(&pks).await?;
            Ok(())
        };
        SearchPages::<M, E>::new(executor, &query.text, &options)
            .past_the_limit(past)
            .each_page::<()>(pager, Handled::Leave, each)
            .await?;
        Ok(deleted)
    }
}
