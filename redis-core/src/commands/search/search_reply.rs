//! `FT.SEARCH`'s reply: the count and the page of documents, decoded the
//! same from RESP2 and RESP3.

use std::collections::HashMap;

use super::support::{as_map, elements, entries, present, reply, text};
use crate::{Error, FromValue, Result, Value};

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
    /// Its relevance score, with [`SearchOptions::with_scores`](super::SearchOptions::with_scores).
    pub score: Option<f64>,
    /// The value it was sorted by, with [`SearchOptions::sort_by`](super::SearchOptions::sort_by) (none
    /// without, or when the document has no such value).
    pub sort_key: Option<SortKey>,
    /// Its fields, as `T`. With [`SearchOptions::no_content`](super::SearchOptions::no_content) there are
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
/// `ToArgs` impl of [`SearchOptions`](super::SearchOptions) for why the sort key is always there).
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
