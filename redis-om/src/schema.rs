//! A model's search index: its `FT.CREATE` command, built from the model's
//! description, and the fingerprint that tells whether an existing index
//! was built from the same one.

use redis_core::commands::{
    self, CreateIndexOptions, DistanceMetric as CoreMetric, FlatVector, HnswVector, IndexOn,
    Schema, VectorDataType,
};
use redis_core::{Cmd, Executor, Result};

use crate::embedded;
use crate::index::{DistanceMetric, Index, IndexKind, VectorAlgorithm, VectorIndex, VectorType};
use crate::layout::{self, Layout};
use crate::model::{FieldInfo, ModelInfo, StorageKind};

/// The search index of a model under one key prefix.
///
/// ```
/// use redis_om::{ModelIndex, Model, RedisModel};
///
/// #[derive(RedisModel)]
/// #[redis(prefix = "product")]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index(text, sortable))]
///     name: String,
///     #[redis(index)]
///     price: f64,
/// }
///
/// let index = ModelIndex::of(Product::info(), "product").expect("indexed");
/// assert_eq!(index.name(), "product:index");
/// let args: Vec<String> = index.create().args().map(|a| String::from_utf8_lossy(a).into()).collect();
/// assert_eq!(args.join(" "), "FT.CREATE product:index ON HASH PREFIX 1 product: \
///     SCHEMA name TEXT SORTABLE price NUMERIC");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ModelIndex {
    name: String,
    prefix: String,
    definition: Definition,
}

/// What follows the index's name in `FT.CREATE`.
#[derive(Debug, Clone, PartialEq)]
enum Definition {
    /// The core's typed schema (the default and node layouts).
    Fields { on: IndexOn, schema: Schema },
    /// Redis OM Python's schema text (the python layout).
    Python(String),
}

impl ModelIndex {
    /// The index of `info`'s model for records under `prefix` (without the
    /// colon): named as the model says (under the model's own prefix), else
    /// `{prefix}:index`, covering the
    /// keys `{prefix}:*` and nothing else (the colon is part of the index's
    /// prefix, so `Player` never covers `PlayerState` keys). `None` when no
    /// field is indexed.
    ///
    /// In the [python layout](crate::layout) the definition is the schema
    /// text Redis OM Python 1.1 builds for the same model.
    pub fn of(info: &ModelInfo, prefix: &str) -> Option<ModelIndex> {
        let definition = match info.layout() {
            Layout::Python if info.is_indexed() => {
                Definition::Python(layout::python::schema(info, prefix))
            }
            Layout::Python => return None,
            _ => {
                let storage = info.storage();
                let mut fields = info
                    .fields()
                    .iter()
                    .flat_map(|field| model_field(storage, field));
                let mut schema = Schema::new(fields.next()?);
                for field in fields {
                    schema = schema.field(field);
                }
                let on = match info.storage() {
                    StorageKind::Hash => IndexOn::Hash,
                    StorageKind::Json => IndexOn::Json,
                };
                Definition::Fields { on, schema }
            }
        };
        // A name the model gives is its own prefix's; under a prefix chosen
        // at run time (a tenant) the index follows the prefix, so that two
        // tenants never share one.
        let name = match info.index_name() {
            Some(name) if prefix == info.prefix() => name.to_owned(),
            _ => format!("{prefix}:index"),
        };
        Some(ModelIndex {
            name,
            prefix: format!("{prefix}:"),
            definition,
        })
    }

    /// The same index under another name (a rebuild's versioned one).
    pub(crate) fn renamed(&self, name: String) -> ModelIndex {
        ModelIndex {
            name,
            ..self.clone()
        }
    }

    /// The index's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The names of the index on each shard: its [name](ModelIndex::name)
    /// on one server; on a cluster, where each primary indexes only its own
    /// records and the cluster routes index names as keys, the name with a
    /// hash tag of each primary's (`products:index{3}`), as the
    /// [`Migrator`](crate::Migrator) creates them. For `FT.INFO` and the
    /// like on each.
    ///
    /// ```no_run
    /// # use redis_om::{Model, ModelIndex, RedisModel};
    /// # use redis_om::core::commands::SearchCommands;
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index)] brand: String }
    /// # async fn run(cluster: redis_om::core::ClusterClient) -> redis_om::core::Result<()> {
    /// let index = ModelIndex::of(Product::info(), "product").expect("an indexed model");
    /// for shard in index.shard_names(&cluster)? {
    ///     println!("{shard}: {} records", cluster.ft_info(&shard).await?.num_docs);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn shard_names(&self, executor: &impl Executor) -> Result<Vec<String>> {
        crate::shards::shard_indexes(executor, &self.name)
    }

    /// The key prefix it covers, with its colon.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Its fields, as the core's schema; `None` in the python layout, whose
    /// definition is Python's text ([`ModelIndex::python_schema`]).
    pub fn schema(&self) -> Option<&Schema> {
        match &self.definition {
            Definition::Fields { schema, .. } => Some(schema),
            Definition::Python(_) => None,
        }
    }

    /// In the python layout, the schema text Redis OM Python builds for the
    /// model (`ON HASH PREFIX 1 ... SCHEMA pk TAG SEPARATOR | ...`), which
    /// [`crate::Migrator`] stores at `{index}:schema` as Python does.
    ///
    /// ```
    /// use redis_om::{Model, ModelIndex, RedisModel};
    ///
    /// #[derive(RedisModel)]
    /// #[redis(layout = "python", prefix = "omres:customer")]
    /// struct Customer {
    ///     #[redis(pk)]
    ///     id: String,
    ///     #[redis(index)]
    ///     first_name: String,
    ///     #[redis(index)]
    ///     active: bool,
    /// }
    ///
    /// let index = ModelIndex::of(Customer::info(), "omres:customer").expect("indexed");
    /// assert_eq!(index.name(), "omres:customer:index");
    /// assert_eq!(
    ///     index.python_schema(),
    ///     Some("ON HASH PREFIX 1 omres:customer: SCHEMA pk TAG SEPARATOR | \
    ///           first_name TAG SEPARATOR | active TAG")
    /// );
    /// ```
    pub fn python_schema(&self) -> Option<&str> {
        match &self.definition {
            Definition::Python(text) => Some(text),
            Definition::Fields { .. } => None,
        }
    }

    /// The `FT.CREATE` command that builds it. In the python layout, the
    /// schema text split on whitespace, one argument per word, as Python's
    /// client sends it.
    pub fn create(&self) -> Cmd {
        match &self.definition {
            Definition::Fields { on, schema } => {
                let options = CreateIndexOptions::new().on(*on).prefix(&self.prefix);
                commands::ft_create_with(&self.name, &options, schema)
                    .cmd()
                    .clone()
            }
            Definition::Python(text) => {
                let mut create = Cmd::new("FT.CREATE").arg(&self.name);
                for word in text.split_whitespace() {
                    create = create.arg(word);
                }
                create
            }
        }
    }

    /// The definition as text: `FT.CREATE`'s arguments after the index
    /// name, separated by spaces; in the python layout, Python's schema
    /// text. [`crate::Migrator`] stores it at `{index}:schema`, where a
    /// later run reads which fields the index has.
    pub fn definition(&self) -> String {
        match &self.definition {
            Definition::Python(text) => text.clone(),
            Definition::Fields { .. } => {
                let create = self.create();
                let args: Vec<String> = create
                    .args()
                    .skip(2)
                    .map(|arg| String::from_utf8_lossy(arg).into_owned())
                    .collect();
                args.join(" ")
            }
        }
    }

    /// A fingerprint of everything that defines the index (what it covers
    /// and its fields), stored beside the index at `{index}:hash` so that a
    /// later run can tell whether the model changed: the lower-case hex
    /// SHA-1 of [`ModelIndex::definition`]; in the python layout, Python's
    /// fingerprint of its schema text, which is what Python stores there.
    pub fn fingerprint(&self) -> String {
        match &self.definition {
            Definition::Python(text) => layout::python::fingerprint(text),
            Definition::Fields { .. } => sha1_smol::Sha1::from(self.definition())
                .digest()
                .to_string(),
        }
    }

    /// The fields this index has beyond an index defined by `earlier` (a
    /// [`ModelIndex::definition`]), when it is that index with fields added
    /// at the end and nothing else changed: what `FT.ALTER ... SCHEMA ADD`
    /// can bring the old index to. `None` for any other change, and in the
    /// python layout, whose text has no field boundaries to trust.
    pub(crate) fn additions_since(&self, earlier: &str) -> Option<Schema> {
        let Definition::Fields { on, schema } = &self.definition else {
            return None;
        };
        let fields = schema.fields();
        (1..fields.len()).find_map(|kept| {
            let old = ModelIndex {
                definition: Definition::Fields {
                    on: *on,
                    schema: schema_of(&fields[..kept])?,
                },
                ..self.clone()
            };
            (old.definition() == earlier).then(|| schema_of(&fields[kept..]))?
        })
    }
}

/// A schema of `fields`; `None` when there are none.
fn schema_of(fields: &[commands::Field]) -> Option<Schema> {
    let (first, rest) = fields.split_first()?;
    Some(
        rest.iter()
            .fold(Schema::new(first.clone()), |schema, field| {
                schema.field(field.clone())
            }),
    )
}

/// The schema fields of one model field: its own when it is indexed (one,
/// or two for full-text search), and in a JSON model those of the fields
/// of the structs it embeds, at their paths (`$.address.city AS
/// address_city`).
fn model_field(storage: StorageKind, field: &FieldInfo) -> Vec<commands::Field> {
    match storage {
        StorageKind::Hash => field
            .index()
            .map(|index| schema_fields(field.stored(), None, index))
            .unwrap_or_default(),
        StorageKind::Json => embedded::indexed_paths(field)
            .iter()
            .flat_map(|leaf| schema_fields(&leaf.path, Some(&leaf.alias), &leaf.index))
            .collect(),
    }
}

/// The schema fields of one indexed value at `name` (a hash field, or a
/// JSON path with its `alias`): one, or two for full-text search (a TAG
/// under the field's name and a TEXT under `{name}_fts`, as Redis OM
/// Python names them).
fn schema_fields(name: &str, alias: Option<&str>, index: &Index) -> Vec<commands::Field> {
    if index.is_full_text_search() {
        let fts = format!("{}_fts", alias.unwrap_or(name));
        return vec![tag(name, alias, index), text(name, Some(&fts), index)];
    }
    let field = match index.kind() {
        IndexKind::Text => text(name, alias, index),
        IndexKind::Tag => tag(name, alias, index),
        IndexKind::Numeric => {
            let mut numeric = commands::Field::numeric(name);
            if let Some(alias) = alias {
                numeric = numeric.alias(alias);
            }
            if index.is_sortable() {
                numeric = numeric.sortable();
            }
            if index.is_index_missing() {
                numeric = numeric.index_missing();
            }
            numeric.into()
        }
        IndexKind::Geo => {
            let mut geo = commands::Field::geo(name);
            if let Some(alias) = alias {
                geo = geo.alias(alias);
            }
            if index.is_index_missing() {
                geo = geo.index_missing();
            }
            geo.into()
        }
        IndexKind::Vector(vector) => {
            let mut field = commands::Field::vector(name, algorithm(&vector));
            if let Some(alias) = alias {
                field = field.alias(alias);
            }
            if index.is_index_missing() {
                field = field.index_missing();
            }
            field.into()
        }
    };
    vec![field]
}

fn text(name: &str, alias: Option<&str>, index: &Index) -> commands::Field {
    let mut text = commands::Field::text(name);
    if let Some(alias) = alias {
        text = text.alias(alias);
    }
    if let Some(weight) = index.text_weight() {
        text = text.weight(weight);
    }
    if index.is_no_stem() {
        text = text.no_stem();
    }
    if index.is_sortable() {
        text = text.sortable();
    }
    if index.is_index_empty() {
        text = text.index_empty();
    }
    if index.is_index_missing() {
        text = text.index_missing();
    }
    text.into()
}

fn tag(name: &str, alias: Option<&str>, index: &Index) -> commands::Field {
    let mut tag = commands::Field::tag(name);
    if let Some(alias) = alias {
        tag = tag.alias(alias);
    }
    // ASCII by construction: `Index::separator` refuses anything else.
    if let Some(separator) = index.tag_separator().and_then(|c| u8::try_from(c).ok()) {
        tag = tag.separator(separator);
    }
    if index.is_case_sensitive() {
        tag = tag.case_sensitive();
    }
    if index.is_sortable() {
        tag = tag.sortable();
    }
    if index.is_index_empty() {
        tag = tag.index_empty();
    }
    if index.is_index_missing() {
        tag = tag.index_missing();
    }
    tag.into()
}

fn algorithm(vector: &VectorIndex) -> commands::VectorAlgorithm {
    let element = match vector.element() {
        VectorType::Float32 => VectorDataType::Float32,
        VectorType::Float64 => VectorDataType::Float64,
    };
    let metric = match vector.metric() {
        DistanceMetric::Cosine => CoreMetric::Cosine,
        DistanceMetric::L2 => CoreMetric::L2,
        DistanceMetric::Ip => CoreMetric::InnerProduct,
    };
    match vector.algorithm() {
        VectorAlgorithm::Flat => FlatVector::new(element, vector.dim(), metric).into(),
        VectorAlgorithm::Hnsw => HnswVector::new(element, vector.dim(), metric).into(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::{GeoPoint, Model, RedisModel};

    fn create(info: &ModelInfo, prefix: &str) -> String {
        let index = ModelIndex::of(info, prefix).unwrap();
        let args: Vec<String> = index
            .create()
            .args()
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect();
        args.join(" ")
    }

    #[derive(RedisModel)]
    #[redis(prefix = "product", index = "products")]
    #[allow(dead_code)]
    struct Product {
        #[redis(pk)]
        id: String,
        #[redis(index(text, sortable, no_stem, weight = 2.0))]
        name: String,
        #[redis(index(tag, separator = "|", case_sensitive))]
        brand: String,
        #[redis(index(sortable, index_missing))]
        price: Option<f64>,
        #[redis(index)]
        active: bool,
        #[redis(index(full_text_search))]
        title: String,
        #[redis(index)]
        store: GeoPoint,
        #[redis(index(vector(dim = 4, metric = "cosine", algorithm = "hnsw")))]
        embedding: [f32; 4],
        notes: String,
    }

    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(storage = "json", prefix = "order")]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Order {
        #[redis(pk)]
        order_id: String,
        #[redis(index)]
        customer_name: String,
        #[redis(index)]
        tags: Vec<String>,
        #[redis(index(sortable))]
        total: f64,
        #[redis(index(vector(dim = 2, metric = "l2", algorithm = "flat", type = "float64")))]
        embedding: Vec<f64>,
        lines: Vec<String>,
    }

    #[test]
    fn a_hash_models_index() {
        assert_eq!(
            create(Product::info(), "product"),
            "FT.CREATE products ON HASH PREFIX 1 product: SCHEMA \
             name TEXT WEIGHT 2 NOSTEM SORTABLE \
             brand TAG SEPARATOR | CASESENSITIVE \
             price NUMERIC INDEXMISSING SORTABLE \
             active TAG \
             title TAG title AS title_fts TEXT \
             store GEO \
             embedding VECTOR HNSW 6 TYPE FLOAT32 DIM 4 DISTANCE_METRIC COSINE"
        );
    }

    #[test]
    fn a_json_models_index() {
        assert_eq!(
            create(Order::info(), "order"),
            "FT.CREATE order:index ON JSON PREFIX 1 order: SCHEMA \
             $.customerName AS customerName TAG \
             $.tags[*] AS tags TAG \
             $.total AS total NUMERIC SORTABLE \
             $.embedding AS embedding VECTOR FLAT 6 TYPE FLOAT64 DIM 2 DISTANCE_METRIC L2"
        );
    }

    #[test]
    fn a_prefix_chosen_at_run_time_names_its_own_index() {
        let tenant = ModelIndex::of(Product::info(), "acme:product").unwrap();
        assert_eq!(tenant.name(), "acme:product:index");
        assert_eq!(tenant.prefix(), "acme:product:");
        let own = ModelIndex::of(Product::info(), "product").unwrap();
        assert_ne!(tenant.fingerprint(), own.fingerprint());
        assert_eq!(own.fingerprint().len(), 40);
        assert_eq!(
            own.fingerprint(),
            ModelIndex::of(Product::info(), "product")
                .unwrap()
                .fingerprint()
        );
    }

    #[test]
    fn a_model_without_indexed_fields_has_no_index() {
        #[derive(RedisModel)]
        #[allow(dead_code)]
        struct Plain {
            #[redis(pk)]
            id: String,
            name: String,
        }
        assert!(ModelIndex::of(Plain::info(), "plain").is_none());
    }
}
