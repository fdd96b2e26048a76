//! `FT.SEARCH`'s options: what each document carries, filters, relevance,
//! paging, and the parameters that carry a user's values.

use std::time::Duration;

use super::fragments::{Highlight, Summarize};
use super::schema::Language;
use super::search_filters::{GeoFilter, NumericBound};
use super::sort::SortProperty;
use super::support::{counted, millis};
use crate::{Cmd, ToArgs};

/// `FT.SEARCH`'s options, after the query. Values a user supplies go into
/// the query as `$name` and travel as [`params`](SearchOptions::param), so
/// they never need escaping.
///
/// Where two options exclude each other, the later call replaces the
/// earlier: [`no_content`](Self::no_content) and
/// [`return_field`](Self::return_field) choose what each document carries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchOptions {
    content: Content,
    verbatim: bool,
    no_stopwords: bool,
    with_scores: bool,
    filters: Vec<(String, NumericBound, NumericBound)>,
    geo_filters: Vec<GeoFilter>,
    in_keys: Vec<String>,
    in_fields: Vec<String>,
    summarize: Option<Summarize>,
    highlight: Option<Highlight>,
    slop: Option<u32>,
    timeout: Option<Duration>,
    in_order: bool,
    language: Option<Language>,
    scorer: Option<Scorer>,
    sort_by: Option<SortProperty>,
    limit: Option<(u64, u64)>,
    params: Vec<(String, Vec<u8>)>,
    dialect: Option<u32>,
}

/// What each found document carries.
#[derive(Debug, Clone, PartialEq, Default)]
enum Content {
    /// Every field.
    #[default]
    All,
    /// `RETURN`: these fields, each under an optional other name.
    #[doc(alias = "RETURN")]
    Fields(Vec<(String, Option<String>)>),
    /// `NOCONTENT`: ids only.
    #[doc(alias = "NOCONTENT")]
    None,
}

impl SearchOptions {
    /// No options: the first 10 documents by relevance, with every field.
    pub fn new() -> Self {
        SearchOptions::default()
    }

    /// `NOCONTENT`: documents carry their id (and score) only.
    #[doc(alias = "NOCONTENT")]
    pub fn no_content(mut self) -> Self {
        self.content = Content::None;
        self
    }

    /// `RETURN`: documents carry this field (call again for more). On
    /// JSON, `field` may be a path.
    #[doc(alias = "RETURN")]
    pub fn return_field(self, field: impl Into<String>) -> Self {
        self.push_return(field.into(), None)
    }

    /// `RETURN ... AS`: documents carry this field under the name `alias`.
    #[doc(alias = "RETURN")]
    pub fn return_field_as(self, field: impl Into<String>, alias: impl Into<String>) -> Self {
        self.push_return(field.into(), Some(alias.into()))
    }

    fn push_return(mut self, field: String, alias: Option<String>) -> Self {
        match &mut self.content {
            Content::Fields(fields) => fields.push((field, alias)),
            other => *other = Content::Fields(vec![(field, alias)]),
        }
        self
    }

    /// `VERBATIM`: match query terms as written, without stemming.
    pub fn verbatim(mut self) -> Self {
        self.verbatim = true;
        self
    }

    /// `NOSTOPWORDS`: do not drop stop words from the query.
    #[doc(alias = "NOSTOPWORDS")]
    pub fn no_stopwords(mut self) -> Self {
        self.no_stopwords = true;
        self
    }

    /// `WITHSCORES`: each document carries its relevance score
    /// ([`Document::score`](super::Document::score)).
    #[doc(alias = "WITHSCORES")]
    pub fn with_scores(mut self) -> Self {
        self.with_scores = true;
        self
    }

    /// `FILTER`: only documents whose numeric `field` lies in `min..max`
    /// (call again for more filters; they all apply).
    pub fn filter(
        mut self,
        field: impl Into<String>,
        min: NumericBound,
        max: NumericBound,
    ) -> Self {
        self.filters.push((field.into(), min, max));
        self
    }

    /// `GEOFILTER`: only documents whose geo field lies in the circle.
    #[doc(alias = "GEOFILTER")]
    pub fn geo_filter(mut self, filter: GeoFilter) -> Self {
        self.geo_filters.push(filter);
        self
    }

    /// `INKEYS`: only these documents (by key).
    #[doc(alias = "INKEYS")]
    pub fn in_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.in_keys.extend(keys.into_iter().map(Into::into));
        self
    }

    /// `INFIELDS`: match text only in these fields.
    #[doc(alias = "INFIELDS")]
    pub fn in_fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.in_fields.extend(fields.into_iter().map(Into::into));
        self
    }

    /// `SUMMARIZE`: return fragments around the matches instead of whole
    /// text fields.
    pub fn summarize(mut self, summarize: Summarize) -> Self {
        self.summarize = Some(summarize);
        self
    }

    /// `HIGHLIGHT`: wrap matched terms in tags.
    pub fn highlight(mut self, highlight: Highlight) -> Self {
        self.highlight = Some(highlight);
        self
    }

    /// `SLOP`: how many other words may come between the query's terms.
    pub fn slop(mut self, slop: u32) -> Self {
        self.slop = Some(slop);
        self
    }

    /// `INORDER`: the query's terms must appear in the query's order.
    #[doc(alias = "INORDER")]
    pub fn in_order(mut self) -> Self {
        self.in_order = true;
        self
    }

    /// `TIMEOUT`: the server's time limit for this query (milliseconds).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// `LANGUAGE`: the language used to stem the query.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// `SCORER`: how relevance is scored.
    pub fn scorer(mut self, scorer: Scorer) -> Self {
        self.scorer = Some(scorer);
        self
    }

    /// `SORTBY`: order by a sortable field instead of relevance.
    #[doc(alias = "SORTBY")]
    pub fn sort_by(mut self, sort: SortProperty) -> Self {
        self.sort_by = Some(sort);
        self
    }

    /// `LIMIT offset count`: which page of results (`0, 10` by default;
    /// a count of 0 only counts the matches).
    pub fn limit(mut self, offset: u64, count: u64) -> Self {
        self.limit = Some((offset, count));
        self
    }

    /// `PARAMS`: the value of `$name` in the query (call again for more).
    /// The value is sent as given, bytes included (a vector's blob).
    /// Parameters need dialect 2 or later (the server refuses them under
    /// dialect 1, its default), so options with parameters and no
    /// [`dialect`](SearchOptions::dialect) send `DIALECT 2`.
    #[doc(alias = "PARAMS")]
    pub fn param(mut self, name: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        self.params.push((name.into(), value.as_ref().to_vec()));
        self
    }

    /// `DIALECT`: the query syntax version (2 for parameters, 3 and 4 for
    /// their refinements). Without it the server's default applies (1,
    /// unless configured otherwise), or 2 when there are parameters.
    pub fn dialect(mut self, dialect: u32) -> Self {
        self.dialect = Some(dialect);
        self
    }
}

/// Writes the options after the query, always with `WITHSORTKEYS`: RESP2
/// sends a document as a flat run of values (id, then score, sort key and
/// fields as requested), and it is the sort key, which is always nil or a
/// `#number` / `$text` string, that lets the reply say for itself whether a
/// score and fields follow, so [`SearchResult`](super::SearchResult) needs no knowledge of the
/// request (RESP3 labels every part anyway).
impl ToArgs for SearchOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        match &self.content {
            Content::All => {}
            Content::None => {
                cmd.push_arg("NOCONTENT");
            }
            Content::Fields(fields) => {
                let count: usize = fields
                    .iter()
                    .map(|(_, alias)| if alias.is_some() { 3 } else { 1 })
                    .sum();
                cmd.push_arg("RETURN").push_arg(count);
                for (field, alias) in fields {
                    cmd.push_arg(field);
                    if let Some(alias) = alias {
                        cmd.push_arg("AS").push_arg(alias);
                    }
                }
            }
        }
        if self.verbatim {
            cmd.push_arg("VERBATIM");
        }
        if self.no_stopwords {
            cmd.push_arg("NOSTOPWORDS");
        }
        if self.with_scores {
            cmd.push_arg("WITHSCORES");
        }
        cmd.push_arg("WITHSORTKEYS");
        for (field, min, max) in &self.filters {
            cmd.push_arg("FILTER")
                .push_arg(field)
                .push_arg(min.text(false))
                .push_arg(max.text(true));
        }
        for filter in &self.geo_filters {
            filter.write(cmd);
        }
        if !self.in_keys.is_empty() {
            cmd.push_arg("INKEYS");
            counted(cmd, &self.in_keys);
        }
        if !self.in_fields.is_empty() {
            cmd.push_arg("INFIELDS");
            counted(cmd, &self.in_fields);
        }
        if let Some(summarize) = &self.summarize {
            summarize.write(cmd);
        }
        if let Some(highlight) = &self.highlight {
            highlight.write(cmd);
        }
        if let Some(slop) = self.slop {
            cmd.push_arg("SLOP").push_arg(slop);
        }
        if let Some(timeout) = self.timeout {
            cmd.push_arg("TIMEOUT").push_arg(millis(timeout));
        }
        if self.in_order {
            cmd.push_arg("INORDER");
        }
        if let Some(language) = self.language {
            cmd.push_arg("LANGUAGE").push_arg(language.as_str());
        }
        if let Some(scorer) = self.scorer {
            cmd.push_arg("SCORER").push_arg(scorer.as_str());
        }
        if let Some(sort) = &self.sort_by {
            cmd.push_arg("SORTBY");
            sort.write(cmd);
        }
        if let Some((offset, count)) = self.limit {
            cmd.push_arg("LIMIT").push_arg(offset).push_arg(count);
        }
        write_params_and_dialect(cmd, &self.params, self.dialect);
    }
}

/// The dialect sent when parameters are given and no dialect is: the
/// first that accepts `PARAMS`.
const PARAMS_DIALECT: u32 = 2;

/// `PARAMS nargs name value ...` and `DIALECT n`, shared with FT.AGGREGATE:
/// the dialect asked for, or [`PARAMS_DIALECT`] when there are parameters
/// (under the server's default dialect 1, a query with `$name` in it fails
/// with a bare "Syntax error").
pub(super) fn write_params_and_dialect(
    cmd: &mut Cmd,
    params: &[(String, Vec<u8>)],
    dialect: Option<u32>,
) {
    if !params.is_empty() {
        cmd.push_arg("PARAMS").push_arg(params.len() * 2);
        for (name, value) in params {
            cmd.push_arg(name).push_bytes(value);
        }
    }
    let dialect = dialect.or((!params.is_empty()).then_some(PARAMS_DIALECT));
    if let Some(dialect) = dialect {
        cmd.push_arg("DIALECT").push_arg(dialect);
    }
}

/// A built-in relevance scorer (`SCORER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scorer {
    /// `TFIDF` (the default before Redis 8).
    Tfidf,
    /// `TFIDF.DOCNORM`: TF-IDF normalized by document length.
    TfidfDocNorm,
    /// `BM25`.
    Bm25,
    /// `BM25STD`: standard BM25 (the default from Redis 8).
    Bm25Std,
    /// `DISMAX`: the sum of the term frequencies.
    Dismax,
    /// `DOCSCORE`: the document's own score.
    DocScore,
    /// `HAMMING`: the Hamming distance between payloads.
    Hamming,
}

impl Scorer {
    fn as_str(self) -> &'static str {
        match self {
            Scorer::Tfidf => "TFIDF",
            Scorer::TfidfDocNorm => "TFIDF.DOCNORM",
            Scorer::Bm25 => "BM25",
            Scorer::Bm25Std => "BM25STD",
            Scorer::Dismax => "DISMAX",
            Scorer::DocScore => "DOCSCORE",
            Scorer::Hamming => "HAMMING",
        }
    }
}
