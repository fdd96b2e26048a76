//! `FT.SEARCH`'s options and its reply, and `FT.PROFILE`'s.

use std::collections::HashMap;
use std::time::Duration;

use super::schema::Language;
use super::support::{as_map, counted, elements, entries, millis, number, present, reply, text};
use crate::{Cmd, Error, FromValue, Result, ToArgs, Value};

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
    /// ([`Document::score`]).
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
/// score and fields follow, so [`SearchResult`] needs no knowledge of the
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

/// One end of a numeric range ([`SearchOptions::filter`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumericBound {
    /// The value itself is in the range.
    Inclusive(f64),
    /// The range stops just short of the value (`(value`).
    Exclusive(f64),
    /// No bound on this side (`-inf` as the minimum, `+inf` as the maximum).
    Unbounded,
}

impl NumericBound {
    fn text(self, is_max: bool) -> String {
        match self {
            NumericBound::Inclusive(value) => number(value),
            NumericBound::Exclusive(value) => format!("({}", number(value)),
            NumericBound::Unbounded if is_max => "+inf".to_owned(),
            NumericBound::Unbounded => "-inf".to_owned(),
        }
    }
}

/// A circle on a geo field ([`SearchOptions::geo_filter`]): documents
/// within `radius` of a longitude and latitude.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoFilter {
    field: String,
    longitude: f64,
    latitude: f64,
    radius: f64,
    unit: &'static str,
}

impl GeoFilter {
    fn new(
        field: impl Into<String>,
        longitude: f64,
        latitude: f64,
        radius: f64,
        unit: &'static str,
    ) -> Self {
        GeoFilter {
            field: field.into(),
            longitude,
            latitude,
            radius,
            unit,
        }
    }

    /// Within `radius` meters.
    pub fn meters(field: impl Into<String>, longitude: f64, latitude: f64, radius: f64) -> Self {
        GeoFilter::new(field, longitude, latitude, radius, "m")
    }

    /// Within `radius` kilometers.
    pub fn kilometers(
        field: impl Into<String>,
        longitude: f64,
        latitude: f64,
        radius: f64,
    ) -> Self {
        GeoFilter::new(field, longitude, latitude, radius, "km")
    }

    /// Within `radius` miles.
    pub fn miles(field: impl Into<String>, longitude: f64, latitude: f64, radius: f64) -> Self {
        GeoFilter::new(field, longitude, latitude, radius, "mi")
    }

    /// Within `radius` feet.
    pub fn feet(field: impl Into<String>, longitude: f64, latitude: f64, radius: f64) -> Self {
        GeoFilter::new(field, longitude, latitude, radius, "ft")
    }

    fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg("GEOFILTER")
            .push_arg(&self.field)
            .push_arg(number(self.longitude))
            .push_arg(number(self.latitude))
            .push_arg(number(self.radius))
            .push_arg(self.unit);
    }
}

/// `SUMMARIZE`'s options: which fields, how many fragments of how many
/// words, joined by what.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summarize {
    fields: Vec<String>,
    frags: Option<u32>,
    len: Option<u32>,
    separator: Option<String>,
}

impl Summarize {
    /// Every text field, with the server's defaults (3 fragments of 20 words,
    /// joined by `...`).
    pub fn new() -> Self {
        Summarize::default()
    }

    /// `FIELDS`: summarize only these fields.
    pub fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields.extend(fields.into_iter().map(Into::into));
        self
    }

    /// `FRAGS`: how many fragments.
    pub fn frags(mut self, frags: u32) -> Self {
        self.frags = Some(frags);
        self
    }

    /// `LEN`: how many words per fragment.
    pub fn len(mut self, words: u32) -> Self {
        self.len = Some(words);
        self
    }

    /// `SEPARATOR`: what goes between fragments.
    pub fn separator(mut self, separator: impl Into<String>) -> Self {
        self.separator = Some(separator.into());
        self
    }

    fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg("SUMMARIZE");
        if !self.fields.is_empty() {
            cmd.push_arg("FIELDS");
            counted(cmd, &self.fields);
        }
        if let Some(frags) = self.frags {
            cmd.push_arg("FRAGS").push_arg(frags);
        }
        if let Some(len) = self.len {
            cmd.push_arg("LEN").push_arg(len);
        }
        if let Some(separator) = &self.separator {
            cmd.push_arg("SEPARATOR").push_arg(separator);
        }
    }
}

/// `HIGHLIGHT`'s options: which fields, and the tags around matches
/// (`<b>` and `</b>` by default).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Highlight {
    fields: Vec<String>,
    tags: Option<(String, String)>,
}

impl Highlight {
    /// Every text field, in `<b>...</b>`.
    pub fn new() -> Self {
        Highlight::default()
    }

    /// `FIELDS`: highlight only these fields.
    pub fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields.extend(fields.into_iter().map(Into::into));
        self
    }

    /// `TAGS`: what goes before and after each match.
    pub fn tags(mut self, open: impl Into<String>, close: impl Into<String>) -> Self {
        self.tags = Some((open.into(), close.into()));
        self
    }

    fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg("HIGHLIGHT");
        if !self.fields.is_empty() {
            cmd.push_arg("FIELDS");
            counted(cmd, &self.fields);
        }
        if let Some((open, close)) = &self.tags {
            cmd.push_arg("TAGS").push_arg(open).push_arg(close);
        }
    }
}

/// A field (FT.SEARCH) or property (FT.AGGREGATE, where it is written
/// `@name`) to sort by, and the direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortProperty {
    name: String,
    descending: bool,
}

impl SortProperty {
    /// Smallest first.
    pub fn asc(name: impl Into<String>) -> Self {
        SortProperty {
            name: name.into(),
            descending: false,
        }
    }

    /// Largest first.
    pub fn desc(name: impl Into<String>) -> Self {
        SortProperty {
            name: name.into(),
            descending: true,
        }
    }

    /// The name and `ASC` or `DESC`.
    pub(super) fn parts(&self) -> (&str, &'static str) {
        (&self.name, if self.descending { "DESC" } else { "ASC" })
    }

    /// `name ASC|DESC`.
    pub(super) fn write(&self, cmd: &mut Cmd) {
        let (name, direction) = self.parts();
        cmd.push_arg(name).push_arg(direction);
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

/// `FT.SEARCH`'s reply: how many documents match in all, and the page of
/// them that was asked for. The fields of each document convert to `T`
/// (a map of field names to values by default; from RESP2 and RESP3 alike
/// they arrive as a map).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult<T = HashMap<String, String>> {
    /// How many documents match (not only those on this page).
    pub total: u64,
    /// This page's documents, in order.
    pub documents: Vec<Document<T>>,
}

/// One found document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document<T = HashMap<String, String>> {
    /// The document's key.
    pub id: String,
    /// Its relevance score, with [`SearchOptions::with_scores`].
    pub score: Option<f64>,
    /// The value it was sorted by, with [`SearchOptions::sort_by`] (none
    /// without, or when the document has no such value).
    pub sort_key: Option<SortKey>,
    /// Its fields, as `T`. With [`SearchOptions::no_content`] there are
    /// none: `T` converts from an empty map (use `()` or a map type).
    pub fields: T,
}

/// The value a document was sorted by.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    /// A numeric field's value.
    Number(f64),
    /// A text or tag field's value (normalized unless the field is `UNF`).
    Text(String),
}

impl SortKey {
    /// None for nil; the server writes numbers as `#value` and text as `$value`.
    fn parse(value: Value) -> Result<Option<SortKey>> {
        let Some(value) = present(reply(value)?) else {
            return Ok(None);
        };
        let key = String::from_value(value)?;
        if let Some(rest) = key.strip_prefix('#') {
            if let Ok(n) = rest.parse() {
                return Ok(Some(SortKey::Number(n)));
            }
        }
        match key.strip_prefix('$') {
            Some(rest) => Ok(Some(SortKey::Text(rest.to_owned()))),
            None => Ok(Some(SortKey::Text(key))),
        }
    }
}

/// From RESP3's map (`total_results`, `results` of maps) and RESP2's flat
/// array (`total, id, [score], sortkey, [fields], id, ...`; see the
/// `ToArgs` impl of [`SearchOptions`] for why the sort key is always there).
impl<T: FromValue> FromValue for SearchResult<T> {
    fn from_value(value: Value) -> Result<Self> {
        match reply(value)? {
            Value::Map(map) => search_from_map(map),
            Value::Array(items) => search_from_array(items),
            other => Err(Error::type_mismatch("FT.SEARCH reply", other.type_name())),
        }
    }
}

fn search_from_map<T: FromValue>(map: Vec<(Value, Value)>) -> Result<SearchResult<T>> {
    let mut total = None;
    let mut documents = Vec::new();
    for (key, value) in map {
        match text(&key) {
            Some("total_results") => total = Some(u64::from_value(value)?),
            Some("results") => {
                for document in elements(value, "FT.SEARCH results")? {
                    documents.push(document_from_map(document)?);
                }
            }
            _ => {}
        }
    }
    let total = total.ok_or_else(|| Error::protocol("FT.SEARCH reply without total_results"))?;
    Ok(SearchResult { total, documents })
}

fn document_from_map<T: FromValue>(value: Value) -> Result<Document<T>> {
    let mut id = None;
    let mut score = None;
    let mut sort_key = None;
    let mut fields = None;
    for (key, value) in entries(value, "FT.SEARCH document")? {
        match key.as_str() {
            "id" => id = Some(String::from_value(value)?),
            "score" => score = Some(f64::from_value(value)?),
            "sortkey" => sort_key = SortKey::parse(value)?,
            "extra_attributes" => fields = Some(as_map(value, "document fields")?),
            _ => {}
        }
    }
    Ok(Document {
        id: id.ok_or_else(|| Error::protocol("FT.SEARCH document without an id"))?,
        score,
        sort_key,
        fields: T::from_value(fields.unwrap_or(Value::Map(Vec::new())))?,
    })
}

/// A score is sent as a number; a sort key never parses as one (nil, or
/// prefixed with `#` or `$`).
fn is_score(value: &Value) -> bool {
    text(value).is_some_and(|t| t.parse::<f64>().is_ok())
}

fn search_from_array<T: FromValue>(items: Vec<Value>) -> Result<SearchResult<T>> {
    let ended = || Error::protocol("FT.SEARCH reply ends inside a document");
    let mut items = items.into_iter().peekable();
    let total = u64::from_value(
        items
            .next()
            .ok_or_else(|| Error::protocol("empty FT.SEARCH reply"))?,
    )?;
    let mut documents = Vec::new();
    while let Some(id) = items.next() {
        let id = String::from_value(id)?;
        let mut next = items.next().ok_or_else(ended)?;
        let mut score = None;
        if is_score(&next) {
            score = Some(f64::from_value(next)?);
            next = items.next().ok_or_else(ended)?;
        }
        let sort_key = SortKey::parse(next)?;
        let fields = match items.peek() {
            Some(Value::Array(_) | Value::Map(_) | Value::Nil) => {
                as_map(items.next().ok_or_else(ended)?, "document fields")?
            }
            _ => Value::Map(Vec::new()),
        };
        documents.push(Document {
            id,
            score,
            sort_key,
            fields: T::from_value(fields)?,
        });
    }
    Ok(SearchResult { total, documents })
}

/// How much `FT.PROFILE` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProfileDetail {
    /// Every iterator.
    #[default]
    Full,
    /// `LIMITED`: large unions of iterators summarized.
    Limited,
}

impl ToArgs for ProfileDetail {
    fn write_args(&self, cmd: &mut Cmd) {
        if *self == ProfileDetail::Limited {
            cmd.push_arg("LIMITED");
        }
    }
}

/// `FT.PROFILE`'s reply: the query's own reply, parsed, and the profile
/// as the server sent it (its layout differs between protocols and server
/// versions, so it stays a [`Value`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile<R> {
    /// The query's reply ([`SearchResult`] or
    /// [`AggregateResult`](super::AggregateResult)).
    pub results: R,
    /// Timings and counters per query iterator and result processor.
    pub profile: Value,
}

/// From RESP2's `[results, profile]`, RESP3's reply map with a `profile`
/// entry (RediSearch 2.x), or RESP3's `Results`/`Profile` map (8.x).
impl<R: FromValue> FromValue for Profile<R> {
    fn from_value(value: Value) -> Result<Self> {
        match reply(value)? {
            Value::Array(items) => {
                let [results, profile] = <[Value; 2]>::try_from(items).map_err(|items| {
                    Error::protocol(format!(
                        "FT.PROFILE replied an array of {} elements, not 2",
                        items.len()
                    ))
                })?;
                Ok(Profile {
                    results: R::from_value(results)?,
                    profile,
                })
            }
            Value::Map(map) => {
                let mut results = None;
                let mut profile = Value::Nil;
                let mut rest = Vec::with_capacity(map.len());
                for (key, value) in map {
                    match text(&key) {
                        Some("Results") => results = Some(value),
                        Some("profile" | "Profile") => profile = value,
                        _ => rest.push((key, value)),
                    }
                }
                let results = results.unwrap_or(Value::Map(rest));
                Ok(Profile {
                    results: R::from_value(results)?,
                    profile,
                })
            }
            other => Err(Error::type_mismatch("FT.PROFILE reply", other.type_name())),
        }
    }
}
