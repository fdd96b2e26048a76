//! `FT.INFO`'s reply.

use super::schema::IndexOn;
use super::support::{elements, entries, reply, text};
use crate::{Error, FromValue, Result, Value};

/// `FT.INFO`'s reply: the index's definition, its fields and its state.
/// Entries the server adds in later versions are ignored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexInfo {
    /// The index's name.
    pub name: String,
    /// Its storage options, as the server names them (`NOOFFSETS`,
    /// `NOFREQS`, `MAXTEXTFIELDS` ...).
    pub options: Vec<String>,
    /// What it covers: key type, prefixes, filter, defaults.
    pub definition: IndexDefinition,
    /// Its fields, in schema order.
    pub attributes: Vec<IndexAttribute>,
    /// Its custom stop words, when `STOPWORDS` was given.
    pub stopwords: Option<Vec<String>>,
    /// How many documents it holds.
    pub num_docs: u64,
    /// The highest internal document id given out.
    pub max_doc_id: u64,
    /// How many distinct terms its text fields hold.
    pub num_terms: u64,
    /// How many index records (term and field entries) it holds.
    pub num_records: u64,
    /// The size of its inverted indexes, in MB.
    pub inverted_sz_mb: f64,
    /// The size of its vector indexes, in MB.
    pub vector_index_sz_mb: f64,
    /// Its total memory, in MB (newer servers only; 0 otherwise).
    pub total_index_memory_sz_mb: f64,
    /// How many documents failed to index (a wrong type, a bad value).
    pub hash_indexing_failures: u64,
    /// How long indexing has taken in all, in milliseconds.
    pub total_indexing_time_ms: f64,
    /// Whether the initial scan of existing keys is still running.
    pub indexing: bool,
    /// How much of the initial scan is done, from 0 to 1.
    pub percent_indexed: f64,
    /// How many times the index has been used.
    pub number_of_uses: u64,
    /// Whether a garbage collection (after a drop) is running.
    pub cleaning: bool,
}

/// From RESP3's map or RESP2's flat array.
impl FromValue for IndexInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut info = IndexInfo::default();
        let mut name = None;
        for (key, value) in entries(value, "FT.INFO")? {
            match key.as_str() {
                "index_name" => name = Some(String::from_value(value)?),
                "index_options" => info.options = Vec::from_value(value)?,
                "index_definition" => info.definition = IndexDefinition::from_value(value)?,
                "attributes" => {
                    info.attributes = elements(value, "FT.INFO attributes")?
                        .into_iter()
                        .map(IndexAttribute::from_value)
                        .collect::<Result<_>>()?;
                }
                "stopwords_list" => info.stopwords = Some(Vec::from_value(value)?),
                "num_docs" => info.num_docs = u64::from_value(value)?,
                "max_doc_id" => info.max_doc_id = u64::from_value(value)?,
                "num_terms" => info.num_terms = u64::from_value(value)?,
                "num_records" => info.num_records = u64::from_value(value)?,
                "inverted_sz_mb" => info.inverted_sz_mb = f64::from_value(value)?,
                "vector_index_sz_mb" => info.vector_index_sz_mb = f64::from_value(value)?,
                "total_index_memory_sz_mb" => {
                    info.total_index_memory_sz_mb = f64::from_value(value)?;
                }
                "hash_indexing_failures" => info.hash_indexing_failures = u64::from_value(value)?,
                "total_indexing_time" => info.total_indexing_time_ms = f64::from_value(value)?,
                "indexing" => info.indexing = bool::from_value(value)?,
                "percent_indexed" => info.percent_indexed = f64::from_value(value)?,
                "number_of_uses" => info.number_of_uses = u64::from_value(value)?,
                "cleaning" => info.cleaning = bool::from_value(value)?,
                _ => {}
            }
        }
        info.name = name.ok_or_else(|| Error::protocol("FT.INFO reply without index_name"))?;
        Ok(info)
    }
}

/// What an index covers, as `FT.INFO` reports its `index_definition`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexDefinition {
    /// Hashes or JSON documents.
    pub key_type: IndexOn,
    /// The key prefixes it indexes (`""` for every key).
    pub prefixes: Vec<String>,
    /// Its `FILTER` expression.
    pub filter: Option<String>,
    /// Its default language (`english` unless `LANGUAGE` said otherwise).
    pub default_language: Option<String>,
    /// Its `LANGUAGE_FIELD`.
    pub language_field: Option<String>,
    /// Its default document score.
    pub default_score: Option<f64>,
    /// Its `SCORE_FIELD`.
    pub score_field: Option<String>,
    /// Its `PAYLOAD_FIELD`.
    pub payload_field: Option<String>,
}

impl FromValue for IndexDefinition {
    fn from_value(value: Value) -> Result<Self> {
        let mut definition = IndexDefinition::default();
        for (key, value) in entries(value, "FT.INFO index_definition")? {
            match key.as_str() {
                "key_type" => {
                    definition.key_type = match String::from_value(value)?.as_str() {
                        "HASH" => IndexOn::Hash,
                        "JSON" => IndexOn::Json,
                        other => {
                            return Err(Error::protocol(format!(
                                "FT.INFO: unknown key_type {other:?}"
                            )));
                        }
                    };
                }
                "prefixes" => definition.prefixes = Vec::from_value(value)?,
                "filter" => definition.filter = Some(String::from_value(value)?),
                "default_language" => {
                    definition.default_language = Some(String::from_value(value)?)
                }
                "language_field" => definition.language_field = Some(String::from_value(value)?),
                "default_score" => definition.default_score = Some(f64::from_value(value)?),
                "score_field" => definition.score_field = Some(String::from_value(value)?),
                "payload_field" => definition.payload_field = Some(String::from_value(value)?),
                _ => {}
            }
        }
        Ok(definition)
    }
}

/// The type of an indexed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeType {
    /// `TEXT`.
    Text,
    /// `TAG`.
    Tag,
    /// `NUMERIC`.
    Numeric,
    /// `GEO`.
    Geo,
    /// `GEOSHAPE`.
    GeoShape,
    /// `VECTOR`.
    Vector,
    /// A type this client does not know, as the server names it.
    Other(String),
}

/// One field of an index, as `FT.INFO` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexAttribute {
    /// The hash field or JSON path.
    pub identifier: String,
    /// The name queries use (the alias, or the identifier).
    pub attribute: String,
    /// The field's type.
    pub kind: AttributeType,
    /// A text field's weight.
    pub weight: Option<f64>,
    /// A tag field's separator.
    pub separator: Option<String>,
    /// `SORTABLE`.
    pub sortable: bool,
    /// `UNF` (implied for sortable numeric fields and JSON).
    pub unf: bool,
    /// `NOSTEM`.
    pub no_stem: bool,
    /// `NOINDEX`.
    pub no_index: bool,
    /// `CASESENSITIVE`.
    pub case_sensitive: bool,
    /// `WITHSUFFIXTRIE`.
    pub with_suffix_trie: bool,
    /// `INDEXEMPTY`.
    pub index_empty: bool,
    /// `INDEXMISSING`.
    pub index_missing: bool,
    /// The type's other parameters, as the server names them: a vector's
    /// `algorithm`, `data_type`, `dim`, `distance_metric`, `M` ...; a
    /// geoshape's `coord_system`.
    pub parameters: Vec<(String, String)>,
}

/// The flags RESP2 writes inline, without a value, among the key/value
/// pairs of an attribute (RESP3 lists them under `flags`).
const FLAGS: [&str; 8] = [
    "SORTABLE",
    "UNF",
    "NOSTEM",
    "NOINDEX",
    "CASESENSITIVE",
    "WITHSUFFIXTRIE",
    "INDEXEMPTY",
    "INDEXMISSING",
];

impl IndexAttribute {
    fn set_flag(&mut self, flag: &str) {
        match flag {
            "SORTABLE" => self.sortable = true,
            "UNF" => self.unf = true,
            "NOSTEM" => self.no_stem = true,
            "NOINDEX" => self.no_index = true,
            "CASESENSITIVE" => self.case_sensitive = true,
            "WITHSUFFIXTRIE" => self.with_suffix_trie = true,
            "INDEXEMPTY" => self.index_empty = true,
            "INDEXMISSING" => self.index_missing = true,
            _ => {}
        }
    }

    fn set(&mut self, key: String, value: Value) -> Result<()> {
        match key.as_str() {
            "identifier" => self.identifier = String::from_value(value)?,
            "attribute" => self.attribute = String::from_value(value)?,
            "type" => {
                self.kind = match String::from_value(value)?.as_str() {
                    "TEXT" => AttributeType::Text,
                    "TAG" => AttributeType::Tag,
                    "NUMERIC" => AttributeType::Numeric,
                    "GEO" => AttributeType::Geo,
                    "GEOSHAPE" => AttributeType::GeoShape,
                    "VECTOR" => AttributeType::Vector,
                    other => AttributeType::Other(other.to_owned()),
                };
            }
            "WEIGHT" => self.weight = Some(f64::from_value(value)?),
            "SEPARATOR" => self.separator = Some(String::from_value(value)?),
            "flags" => {
                for flag in Vec::<String>::from_value(value)? {
                    self.set_flag(&flag);
                }
            }
            // Parameters are scalars; anything else (a dynamic field's
            // list of types) is not one of them.
            _ => {
                if let Ok(value) = String::from_value(value) {
                    self.parameters.push((key, value));
                }
            }
        }
        Ok(())
    }
}

/// From RESP3's map (flags listed under `flags`) or RESP2's flat array
/// (flags inline, without values).
impl FromValue for IndexAttribute {
    fn from_value(value: Value) -> Result<Self> {
        let mut attribute = IndexAttribute {
            identifier: String::new(),
            attribute: String::new(),
            kind: AttributeType::Other(String::new()),
            weight: None,
            separator: None,
            sortable: false,
            unf: false,
            no_stem: false,
            no_index: false,
            case_sensitive: false,
            with_suffix_trie: false,
            index_empty: false,
            index_missing: false,
            parameters: Vec::new(),
        };
        match reply(value)? {
            Value::Map(map) => {
                for (key, value) in map {
                    attribute.set(String::from_value(key)?, value)?;
                }
            }
            Value::Array(items) => {
                let mut items = items.into_iter();
                while let Some(key) = items.next() {
                    if let Some(flag) = text(&key).filter(|k| FLAGS.contains(k)) {
                        attribute.set_flag(flag);
                        continue;
                    }
                    let key = String::from_value(key)?;
                    let value = items.next().ok_or_else(|| {
                        Error::protocol(format!("FT.INFO attribute: {key} without a value"))
                    })?;
                    attribute.set(key, value)?;
                }
            }
            other => {
                return Err(Error::type_mismatch("FT.INFO attribute", other.type_name()));
            }
        }
        Ok(attribute)
    }
}
