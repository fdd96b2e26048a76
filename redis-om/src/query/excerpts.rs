//! Highlighted and summarized TEXT fields (`HIGHLIGHT`, `SUMMARIZE`):
//! each match comes with its record as stored and, beside it, the marked
//! up text of the fields asked for, so that the model's own fields are
//! never silently replaced by fragments.

use std::collections::HashMap;

use redis_core::commands::{
    self, Command, Document, Highlight, SearchOptions, SearchResult, Summarize,
};
use redis_core::{Error, ErrorKind, Executor, FromValue, Pipeline, Result, Value};

use super::find::Find;
use super::paging::{ReadPage, SearchPages};
use crate::field::{Field, kind};
use crate::migrate::missing_index;
use crate::model::Model;

/// A field whose terms can be highlighted and summarized: a TEXT field,
/// or the TEXT side of a `full_text_search` one. Other handles do not
/// compile where one is asked for.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a TEXT field of `{M}`",
    label = "only TEXT fields (and `full_text_search` ones) have terms to highlight or summarize",
    note = "index the field with `#[redis(index(text))]` or `#[redis(index(full_text_search))]`"
)]
pub trait TextTerms<M>: Copy {
    /// The field's TEXT name in the index.
    fn text_name(self) -> String;
}

impl<M, S> TextTerms<M> for Field<M, kind::Text, S> {
    fn text_name(self) -> String {
        self.name().to_owned()
    }
}

impl<M, S> TextTerms<M> for Field<M, kind::TagText, S> {
    fn text_name(self) -> String {
        format!("{}_fts", self.name())
    }
}

impl<'r, M: Model, E: Executor> Find<'r, M, E> {
    /// The matches with `field`'s text as stored, the query's terms in it
    /// wrapped in tags (`<b>` and `</b>` unless [`Excerpts::tags`] says
    /// otherwise): an [`Excerpts`] to add fields to and run. Only a TEXT
    /// field's handle is taken.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Article { #[redis(pk)] id: String, #[redis(index(text))] title: String, #[redis(index(text))] body: String }
    /// # async fn run(articles: Repository<Article, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let hits = articles
    ///     .find(Article::body().matches("rust"))
    ///     .highlight(Article::title())
    ///     .summarize(Article::body())
    ///     .tags("<mark>", "</mark>")
    ///     .all()
    ///     .await?;
    /// for hit in &hits {
    ///     // The record as stored, and its fields marked up.
    ///     println!("{}: {:?}", hit.model.id, hit.excerpt(Article::body()));
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// ```compile_fail
    /// # use redis_om::{RedisModel, Repository, query};
    /// # #[derive(RedisModel)]
    /// # struct Article { #[redis(pk)] id: String, #[redis(index)] author: String }
    /// # fn run(articles: Repository<Article, redis_om::core::Client>) {
    /// let _ = articles.find(query::all()).highlight(Article::author()); // a TAG field
    /// # }
    /// ```
    pub fn highlight(self, field: impl TextTerms<M>) -> Excerpts<'r, M, E> {
        Excerpts::new(self).highlight(field)
    }

    /// The matches with fragments of `field`'s text around the query's
    /// terms (3 fragments of 20 words joined by `...` unless
    /// [`Excerpts::fragments`] says otherwise): an [`Excerpts`] to add
    /// fields to and run. Only a TEXT field's handle is taken.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Article { #[redis(pk)] id: String, #[redis(index(text))] body: String }
    /// # async fn run(articles: Repository<Article, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let hits = articles
    ///     .find(Article::body().matches("borrow"))
    ///     .summarize(Article::body())
    ///     .fragments(2, 8, " … ")
    ///     .all()
    ///     .await?;
    /// # let _ = hits; Ok(()) }
    /// ```
    pub fn summarize(self, field: impl TextTerms<M>) -> Excerpts<'r, M, E> {
        Excerpts::new(self).summarize(field)
    }
}

/// A query whose matches come with highlighted or summarized TEXT
/// fields, built by [`Find::highlight`] or [`Find::summarize`]; the
/// query's sort, limit and page size apply. A field both highlighted and
/// summarized comes as fragments with the terms marked.
#[must_use = "a query does nothing until it is run"]
pub struct Excerpts<'r, M, E> {
    find: Find<'r, M, E>,
    highlighted: Vec<String>,
    summarized: Vec<String>,
    tags: Option<(String, String)>,
    fragments: Option<(u32, u32, String)>,
}

impl<M, E> std::fmt::Debug for Excerpts<'_, M, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Excerpts")
            .field("find", &self.find)
            .field("highlighted", &self.highlighted)
            .field("summarized", &self.summarized)
            .finish_non_exhaustive()
    }
}

/// A match with its excerpts: from [`Excerpts::all`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Excerpted<M> {
    /// The record, as stored.
    pub model: M,
    /// The marked up text per field's TEXT name.
    excerpts: HashMap<String, String>,
}

impl<M> Excerpted<M> {
    /// `field`'s highlighted or summarized text; `None` when it was not
    /// asked for or the record has no text in it.
    pub fn excerpt(&self, field: impl TextTerms<M>) -> Option<&str> {
        self.excerpts.get(&field.text_name()).map(String::as_str)
    }
}

impl<'r, M: Model, E: Executor> Excerpts<'r, M, E> {
    fn new(find: Find<'r, M, E>) -> Self {
        Excerpts {
            find,
            highlighted: Vec::new(),
            summarized: Vec::new(),
            tags: None,
            fragments: None,
        }
    }

    /// Highlights `field` too.
    pub fn highlight(mut self, field: impl TextTerms<M>) -> Self {
        self.highlighted.push(field.text_name());
        self
    }

    /// Summarizes `field` too.
    pub fn summarize(mut self, field: impl TextTerms<M>) -> Self {
        self.summarized.push(field.text_name());
        self
    }

    /// What goes before and after each highlighted term (`TAGS`).
    pub fn tags(mut self, open: impl Into<String>, close: impl Into<String>) -> Self {
        self.tags = Some((open.into(), close.into()));
        self
    }

    /// Summaries of `count` fragments of `words` words each, joined by
    /// `separator` (`FRAGS`, `LEN`, `SEPARATOR`).
    pub fn fragments(mut self, count: u32, words: u32, separator: impl Into<String>) -> Self {
        self.fragments = Some((count, words, separator.into()));
        self
    }

    /// Every match with its excerpts, in the query's order. Each page is
    /// one round trip of two `FT.SEARCH` in a pipeline: one reads the
    /// records as stored, the other the marked up fields (the server
    /// writes its marks into the fields it returns, and does not mark a
    /// field returned under another name); they are joined by key. A
    /// record changed between the two comes with the excerpts of what the
    /// second read.
    pub async fn all(self) -> Result<Vec<Excerpted<M>>> {
        let search = self.find.search()?;
        let Some(query) = &search.query else {
            return Ok(Vec::new());
        };
        let records = search.options(query);
        let marked = self.marked_options(search.options(query));
        let executor = self.find.repository.executor();
        let source = MarkedPages::<M, E> {
            records: SearchPages::new(executor, &query.text, &records),
            marked: &marked,
        };
        let mut pager = self.find.pager(&search, search.order)?;
        pager.needs_returned_fields::<M>("highlights and summaries")?;
        let mut hits = Vec::new();
        while let Some(page) = pager.next_page(&source).await? {
            for document in page {
                let (fields, excerpts) = document.fields;
                let record = Document {
                    id: document.id,
                    score: document.score,
                    sort_key: document.sort_key,
                    fields,
                };
                if let Some(model) = search.decode::<M>(record)? {
                    hits.push(Excerpted { model, excerpts });
                }
            }
        }
        Ok(hits)
    }

    /// `RETURN` of the fields asked for, with `HIGHLIGHT` and `SUMMARIZE`.
    fn marked_options(&self, mut options: SearchOptions) -> SearchOptions {
        let mut fields: Vec<&String> = self.highlighted.iter().chain(&self.summarized).collect();
        fields.sort();
        fields.dedup();
        for field in fields {
            options = options.return_field(field);
        }
        if !self.highlighted.is_empty() {
            let mut highlight = Highlight::new().fields(&self.highlighted);
            if let Some((open, close)) = &self.tags {
                highlight = highlight.tags(open, close);
            }
            options = options.highlight(highlight);
        }
        if !self.summarized.is_empty() {
            let mut summarize = Summarize::new().fields(&self.summarized);
            if let Some((count, words, separator)) = &self.fragments {
                summarize = summarize.frags(*count).len(*words).separator(separator);
            }
            options = options.summarize(summarize);
        }
        options
    }
}

/// Pages of records as stored, each beside its marked-up fields.
struct MarkedPages<'a, M, E> {
    /// The records' query.
    records: SearchPages<'a, M, E>,
    /// The same query's options asking for the marked-up fields.
    marked: &'a SearchOptions,
}

impl<M: Model, E: Executor> ReadPage<(Value, HashMap<String, String>)> for MarkedPages<'_, M, E> {
    /// One round trip of two `FT.SEARCH` in a pipeline: one reads the
    /// records as stored, the other the marked-up fields (the server
    /// writes its marks into the fields it returns, and does not mark a
    /// field returned under another name); they are joined by key.
    async fn read(
        &self,
        index: &str,
        offset: u64,
        count: u64,
    ) -> Result<SearchResult<(Value, HashMap<String, String>)>> {
        let page = |options: &SearchOptions| {
            let options = options.clone().limit(offset, count);
            let cmd = commands::ft_search_with::<Value>(index, self.records.text, &options);
            Command::<Value>::from(cmd.into_cmd())
        };
        let pipe: Pipeline<Vec<Value>> = [page(self.records.options), page(self.marked)]
            .into_iter()
            .collect();
        // Both name the shard's index: on a cluster they go to its node.
        let mut replies = pipe.execute(self.records.executor).await?.into_iter();
        let mut reply = || {
            let reply = replies.next().ok_or_else(|| {
                Error::new(ErrorKind::Protocol, "a pipeline of two gave fewer replies")
            })?;
            reply.map_err(|error| missing_index::<M>(error, index))
        };
        let (records, marked) = (reply()?, reply()?);
        let records = SearchResult::<Value>::from_value(records)?;
        let marked = SearchResult::<HashMap<String, String>>::from_value(marked)?;
        Ok(joined(records, marked))
    }
}

/// Each record of `records` beside the marked-up fields `marked` holds for
/// it (none for a record changed or gone in between).
fn joined(
    records: SearchResult<Value>,
    marked: SearchResult<HashMap<String, String>>,
) -> SearchResult<(Value, HashMap<String, String>)> {
    let mut excerpts: HashMap<String, HashMap<String, String>> = marked
        .documents
        .into_iter()
        .map(|document| (document.id, document.fields))
        .collect();
    let documents = records
        .documents
        .into_iter()
        .map(|document| Document {
            fields: (
                document.fields,
                excerpts.remove(&document.id).unwrap_or_default(),
            ),
            id: document.id,
            score: document.score,
            sort_key: document.sort_key,
        })
        .collect();
    SearchResult {
        total: records.total,
        documents,
    }
}
