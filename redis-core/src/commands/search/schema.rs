//! `FT.CREATE`'s typed schema and index options.
//!
//! Each field type is a builder of its own ([`TextField`], [`TagField`],
//! [`NumericField`], [`GeoField`], [`GeoShapeField`], [`VectorField`]) that
//! offers only the options the server accepts for that type, and writes
//! them in the order the server parses them.

use std::time::Duration;

use super::support::{counted, number};
use crate::{Cmd, ToArgs};

/// The fields of an index, in order: `FT.CREATE ... SCHEMA <fields>` and
/// `FT.ALTER ... SCHEMA ADD <fields>`. A schema has at least one field
/// (the server refuses an empty one), hence [`Schema::new`] takes the first.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    fields: Vec<Field>,
}

impl Schema {
    /// A schema of one field; add more with [`Schema::field`].
    pub fn new(first: impl Into<Field>) -> Self {
        Schema {
            fields: vec![first.into()],
        }
    }

    /// Adds a field after the others.
    pub fn field(mut self, field: impl Into<Field>) -> Self {
        self.fields.push(field.into());
        self
    }

    /// The fields, in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }
}

impl<F: Into<Field>> From<F> for Schema {
    fn from(field: F) -> Self {
        Schema::new(field)
    }
}

/// Writes the fields (without the `SCHEMA` keyword, which the commands add).
impl ToArgs for Schema {
    fn write_args(&self, cmd: &mut Cmd) {
        for field in &self.fields {
            field.write_args(cmd);
        }
    }
}

/// One field of a [`Schema`]: built with [`Field::text`], [`Field::tag`],
/// [`Field::numeric`], [`Field::geo`], [`Field::geoshape`] or
/// [`Field::vector`], whose builders convert into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field(FieldKind);

#[derive(Debug, Clone, PartialEq)]
enum FieldKind {
    Text(TextField),
    Tag(TagField),
    Numeric(NumericField),
    Geo(GeoField),
    GeoShape(GeoShapeField),
    Vector(VectorField),
}

impl Field {
    /// A full-text field. `name` is the hash field or, on JSON, the path
    /// (`$.title`; give it a name with `.alias("title")`).
    pub fn text(name: impl Into<String>) -> TextField {
        TextField {
            common: Common::new(name),
            weight: None,
            no_stem: false,
            phonetic: None,
            with_suffix_trie: false,
            index_empty: false,
        }
    }

    /// A tag field: exact-match values split on a separator (`,` unless
    /// [`TagField::separator`] says otherwise).
    pub fn tag(name: impl Into<String>) -> TagField {
        TagField {
            common: Common::new(name),
            separator: None,
            case_sensitive: false,
            with_suffix_trie: false,
            index_empty: false,
        }
    }

    /// A numeric field, for range queries and sorting.
    pub fn numeric(name: impl Into<String>) -> NumericField {
        NumericField {
            common: Common::new(name),
        }
    }

    /// A geo point field (`"lon,lat"` in a hash), for radius queries.
    pub fn geo(name: impl Into<String>) -> GeoField {
        GeoField {
            common: Common::new(name),
        }
    }

    /// A geometry field (WKT points and polygons), on spherical
    /// coordinates unless [`GeoShapeField::flat`] says otherwise.
    pub fn geoshape(name: impl Into<String>) -> GeoShapeField {
        GeoShapeField {
            common: Common::new(name),
            coordinates: None,
        }
    }

    /// A vector field for similarity (KNN and range) queries, indexed with
    /// `algorithm`: [`FlatVector`] or [`HnswVector`].
    pub fn vector(name: impl Into<String>, algorithm: impl Into<VectorAlgorithm>) -> VectorField {
        VectorField {
            name: name.into(),
            alias: None,
            algorithm: algorithm.into(),
            index_missing: false,
        }
    }
}

impl ToArgs for Field {
    fn write_args(&self, cmd: &mut Cmd) {
        match &self.0 {
            FieldKind::Text(field) => field.write(cmd),
            FieldKind::Tag(field) => field.write(cmd),
            FieldKind::Numeric(field) => field.write(cmd),
            FieldKind::Geo(field) => field.write(cmd),
            FieldKind::GeoShape(field) => field.write(cmd),
            FieldKind::Vector(field) => field.write(cmd),
        }
    }
}

/// Whether a field is indexed, and whether documents without it are too.
/// One value rather than two flags because the server refuses `NOINDEX`
/// together with `INDEXMISSING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Indexing {
    Indexed,
    IndexMissing,
    NotIndexed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sortable {
    No,
    Yes,
    Unnormalized,
}

/// What every non-vector field has: its name, alias, sortability and indexing.
#[derive(Debug, Clone, PartialEq)]
struct Common {
    name: String,
    alias: Option<String>,
    sortable: Sortable,
    indexing: Indexing,
}

impl Common {
    fn new(name: impl Into<String>) -> Self {
        Common {
            name: name.into(),
            alias: None,
            sortable: Sortable::No,
            indexing: Indexing::Indexed,
        }
    }

    /// `name [AS alias] TYPE`.
    fn write_head(&self, cmd: &mut Cmd, kind: &str) {
        cmd.push_arg(&self.name);
        if let Some(alias) = &self.alias {
            cmd.push_arg("AS").push_arg(alias);
        }
        cmd.push_arg(kind);
    }

    /// `[INDEXMISSING]`, which the server reads among the type's options.
    fn write_index_missing(&self, cmd: &mut Cmd) {
        if self.indexing == Indexing::IndexMissing {
            cmd.push_arg("INDEXMISSING");
        }
    }

    /// `[SORTABLE [UNF]] [NOINDEX]`, which the server reads last.
    fn write_tail(&self, cmd: &mut Cmd) {
        match self.sortable {
            Sortable::No => {}
            Sortable::Yes => {
                cmd.push_arg("SORTABLE");
            }
            Sortable::Unnormalized => {
                cmd.push_arg("SORTABLE").push_arg("UNF");
            }
        }
        if self.indexing == Indexing::NotIndexed {
            cmd.push_arg("NOINDEX");
        }
    }
}

/// The builder methods every non-vector field shares.
macro_rules! common_methods {
    ($ty:ident, $variant:ident) => {
        impl $ty {
            /// `AS alias`: the name queries use for this field (on JSON,
            /// where the field itself is a path, you want one).
            #[doc(alias = "AS")]
            pub fn alias(mut self, alias: impl Into<String>) -> Self {
                self.common.alias = Some(alias.into());
                self
            }

            /// `SORTABLE`: kept in memory for fast `SORTBY` and aggregation.
            pub fn sortable(mut self) -> Self {
                self.common.sortable = Sortable::Yes;
                self
            }

            /// `INDEXMISSING`: documents without this field can be found
            /// with `ismissing(@field)` (dialect 2 and later). Replaces
            /// [`no_index`](Self::no_index), which the server refuses with it.
            #[doc(alias = "INDEXMISSING")]
            pub fn index_missing(mut self) -> Self {
                self.common.indexing = Indexing::IndexMissing;
                self
            }

            /// `NOINDEX`: not searchable, only sortable or returned.
            /// Replaces [`index_missing`](Self::index_missing).
            #[doc(alias = "NOINDEX")]
            pub fn no_index(mut self) -> Self {
                self.common.indexing = Indexing::NotIndexed;
                self
            }
        }

        impl From<$ty> for Field {
            fn from(field: $ty) -> Field {
                Field(FieldKind::$variant(field))
            }
        }
    };
}

/// A `TEXT` field (see [`Field::text`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TextField {
    common: Common,
    weight: Option<f64>,
    no_stem: bool,
    phonetic: Option<Phonetic>,
    with_suffix_trie: bool,
    index_empty: bool,
}

common_methods!(TextField, Text);

impl TextField {
    /// `WEIGHT`: how much a match in this field counts (1 by default).
    pub fn weight(mut self, weight: f64) -> Self {
        self.weight = Some(weight);
        self
    }

    /// `NOSTEM`: match words only as written, not their stems.
    #[doc(alias = "NOSTEM")]
    pub fn no_stem(mut self) -> Self {
        self.no_stem = true;
        self
    }

    /// `PHONETIC`: also match words that sound alike, in `language`.
    pub fn phonetic(mut self, language: Phonetic) -> Self {
        self.phonetic = Some(language);
        self
    }

    /// `WITHSUFFIXTRIE`: faster suffix and contains (`*word*`) queries.
    #[doc(alias = "WITHSUFFIXTRIE")]
    pub fn with_suffix_trie(mut self) -> Self {
        self.with_suffix_trie = true;
        self
    }

    /// `INDEXEMPTY`: empty strings are indexed and can be matched with `""`.
    #[doc(alias = "INDEXEMPTY")]
    pub fn index_empty(mut self) -> Self {
        self.index_empty = true;
        self
    }

    /// `SORTABLE UNF`: sortable on the value as written, not normalized
    /// (lowercased, accents removed).
    #[doc(alias = "SORTABLE")]
    pub fn sortable_unf(mut self) -> Self {
        self.common.sortable = Sortable::Unnormalized;
        self
    }

    fn write(&self, cmd: &mut Cmd) {
        self.common.write_head(cmd, "TEXT");
        if let Some(weight) = self.weight {
            cmd.push_arg("WEIGHT").push_arg(number(weight));
        }
        if self.no_stem {
            cmd.push_arg("NOSTEM");
        }
        if let Some(phonetic) = self.phonetic {
            cmd.push_arg("PHONETIC").push_arg(phonetic.as_str());
        }
        if self.with_suffix_trie {
            cmd.push_arg("WITHSUFFIXTRIE");
        }
        if self.index_empty {
            cmd.push_arg("INDEXEMPTY");
        }
        self.common.write_index_missing(cmd);
        self.common.write_tail(cmd);
    }
}

/// The phonetic matcher of a [`TextField`]: double metaphone, in one of the
/// languages the server supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phonetic {
    /// `dm:en`.
    English,
    /// `dm:fr`.
    French,
    /// `dm:pt`.
    Portuguese,
    /// `dm:es`.
    Spanish,
}

impl Phonetic {
    fn as_str(self) -> &'static str {
        match self {
            Phonetic::English => "dm:en",
            Phonetic::French => "dm:fr",
            Phonetic::Portuguese => "dm:pt",
            Phonetic::Spanish => "dm:es",
        }
    }
}

/// A `TAG` field (see [`Field::tag`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TagField {
    common: Common,
    separator: Option<u8>,
    case_sensitive: bool,
    with_suffix_trie: bool,
    index_empty: bool,
}

common_methods!(TagField, Tag);

impl TagField {
    /// `SEPARATOR`: the byte that splits a value into tags (`b','` by
    /// default). The server takes exactly one byte, hence `u8`.
    pub fn separator(mut self, separator: u8) -> Self {
        self.separator = Some(separator);
        self
    }

    /// `CASESENSITIVE`: tags keep their case (and sort unnormalized).
    #[doc(alias = "CASESENSITIVE")]
    pub fn case_sensitive(mut self) -> Self {
        self.case_sensitive = true;
        self
    }

    /// `WITHSUFFIXTRIE`: faster suffix and contains queries on tags.
    #[doc(alias = "WITHSUFFIXTRIE")]
    pub fn with_suffix_trie(mut self) -> Self {
        self.with_suffix_trie = true;
        self
    }

    /// `INDEXEMPTY`: empty values are indexed and can be matched with `{""}`.
    #[doc(alias = "INDEXEMPTY")]
    pub fn index_empty(mut self) -> Self {
        self.index_empty = true;
        self
    }

    /// `SORTABLE UNF`: sortable on the value as written.
    #[doc(alias = "SORTABLE")]
    pub fn sortable_unf(mut self) -> Self {
        self.common.sortable = Sortable::Unnormalized;
        self
    }

    fn write(&self, cmd: &mut Cmd) {
        self.common.write_head(cmd, "TAG");
        if let Some(separator) = self.separator {
            cmd.push_arg("SEPARATOR").push_bytes(&[separator]);
        }
        if self.case_sensitive {
            cmd.push_arg("CASESENSITIVE");
        }
        if self.with_suffix_trie {
            cmd.push_arg("WITHSUFFIXTRIE");
        }
        if self.index_empty {
            cmd.push_arg("INDEXEMPTY");
        }
        self.common.write_index_missing(cmd);
        self.common.write_tail(cmd);
    }
}

/// A `NUMERIC` field (see [`Field::numeric`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NumericField {
    common: Common,
}

common_methods!(NumericField, Numeric);

impl NumericField {
    fn write(&self, cmd: &mut Cmd) {
        self.common.write_head(cmd, "NUMERIC");
        self.common.write_index_missing(cmd);
        self.common.write_tail(cmd);
    }
}

/// A `GEO` field (see [`Field::geo`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GeoField {
    common: Common,
}

common_methods!(GeoField, Geo);

impl GeoField {
    fn write(&self, cmd: &mut Cmd) {
        self.common.write_head(cmd, "GEO");
        self.common.write_index_missing(cmd);
        self.common.write_tail(cmd);
    }
}

/// A `GEOSHAPE` field (see [`Field::geoshape`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GeoShapeField {
    common: Common,
    coordinates: Option<CoordinateSystem>,
}

impl GeoShapeField {
    /// `AS alias`: the name queries use for this field.
    #[doc(alias = "AS")]
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.common.alias = Some(alias.into());
        self
    }

    /// `FLAT`: shapes on a Cartesian plane.
    pub fn flat(mut self) -> Self {
        self.coordinates = Some(CoordinateSystem::Flat);
        self
    }

    /// `SPHERICAL` (the default): shapes in longitude and latitude.
    pub fn spherical(mut self) -> Self {
        self.coordinates = Some(CoordinateSystem::Spherical);
        self
    }

    /// `INDEXMISSING`: documents without this field can be found with
    /// `ismissing(@field)`.
    #[doc(alias = "INDEXMISSING")]
    pub fn index_missing(mut self) -> Self {
        self.common.indexing = Indexing::IndexMissing;
        self
    }

    fn write(&self, cmd: &mut Cmd) {
        self.common.write_head(cmd, "GEOSHAPE");
        match self.coordinates {
            Some(CoordinateSystem::Flat) => {
                cmd.push_arg("FLAT");
            }
            Some(CoordinateSystem::Spherical) => {
                cmd.push_arg("SPHERICAL");
            }
            None => {}
        }
        self.common.write_index_missing(cmd);
    }
}

impl From<GeoShapeField> for Field {
    fn from(field: GeoShapeField) -> Field {
        Field(FieldKind::GeoShape(field))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CoordinateSystem {
    Flat,
    Spherical,
}

/// A `VECTOR` field (see [`Field::vector`]). Vector fields are neither
/// sortable nor `NOINDEX`: the server takes neither option for them.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorField {
    name: String,
    alias: Option<String>,
    algorithm: VectorAlgorithm,
    index_missing: bool,
}

impl VectorField {
    /// `AS alias`: the name queries use for this field.
    #[doc(alias = "AS")]
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// `INDEXMISSING`: documents without this field can be found with
    /// `ismissing(@field)`.
    #[doc(alias = "INDEXMISSING")]
    pub fn index_missing(mut self) -> Self {
        self.index_missing = true;
        self
    }

    fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg(&self.name);
        if let Some(alias) = &self.alias {
            cmd.push_arg("AS").push_arg(alias);
        }
        cmd.push_arg("VECTOR");
        self.algorithm.write(cmd);
        if self.index_missing {
            cmd.push_arg("INDEXMISSING");
        }
    }
}

impl From<VectorField> for Field {
    fn from(field: VectorField) -> Field {
        Field(FieldKind::Vector(field))
    }
}

/// How a [`VectorField`] is indexed: built from a [`FlatVector`] or an
/// [`HnswVector`], each with only its own parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum VectorAlgorithm {
    /// `FLAT`: exact brute-force search.
    Flat(FlatVector),
    /// `HNSW`: approximate search on a navigable small-world graph.
    Hnsw(HnswVector),
}

impl VectorAlgorithm {
    fn write(&self, cmd: &mut Cmd) {
        let (name, base, extra) = match self {
            VectorAlgorithm::Flat(flat) => ("FLAT", &flat.base, flat.params()),
            VectorAlgorithm::Hnsw(hnsw) => ("HNSW", &hnsw.base, hnsw.params()),
        };
        cmd.push_arg(name);
        cmd.push_arg(6 + 2 * extra.len());
        cmd.push_arg("TYPE").push_arg(base.data_type.as_str());
        cmd.push_arg("DIM").push_arg(base.dim);
        cmd.push_arg("DISTANCE_METRIC")
            .push_arg(base.metric.as_str());
        for (key, value) in extra {
            cmd.push_arg(key).push_arg(value);
        }
    }
}

impl From<FlatVector> for VectorAlgorithm {
    fn from(flat: FlatVector) -> Self {
        VectorAlgorithm::Flat(flat)
    }
}

impl From<HnswVector> for VectorAlgorithm {
    fn from(hnsw: HnswVector) -> Self {
        VectorAlgorithm::Hnsw(hnsw)
    }
}

/// The three parameters every vector index requires.
#[derive(Debug, Clone, Copy, PartialEq)]
struct VectorBase {
    data_type: VectorDataType,
    dim: u32,
    metric: DistanceMetric,
}

/// The `FLAT` vector algorithm and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlatVector {
    base: VectorBase,
    initial_cap: Option<u64>,
    block_size: Option<u64>,
}

impl FlatVector {
    /// Vectors of `dim` elements of `data_type`, compared by `metric`.
    pub fn new(data_type: VectorDataType, dim: u32, metric: DistanceMetric) -> Self {
        FlatVector {
            base: VectorBase {
                data_type,
                dim,
                metric,
            },
            initial_cap: None,
            block_size: None,
        }
    }

    /// `INITIAL_CAP`: room for this many vectors up front.
    pub fn initial_cap(mut self, vectors: u64) -> Self {
        self.initial_cap = Some(vectors);
        self
    }

    /// `BLOCK_SIZE`: how many vectors each memory block holds.
    pub fn block_size(mut self, vectors: u64) -> Self {
        self.block_size = Some(vectors);
        self
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(cap) = self.initial_cap {
            params.push(("INITIAL_CAP", cap.to_string()));
        }
        if let Some(size) = self.block_size {
            params.push(("BLOCK_SIZE", size.to_string()));
        }
        params
    }
}

/// The `HNSW` vector algorithm and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HnswVector {
    base: VectorBase,
    initial_cap: Option<u64>,
    m: Option<u32>,
    ef_construction: Option<u32>,
    ef_runtime: Option<u32>,
    epsilon: Option<f64>,
}

impl HnswVector {
    /// Vectors of `dim` elements of `data_type`, compared by `metric`.
    pub fn new(data_type: VectorDataType, dim: u32, metric: DistanceMetric) -> Self {
        HnswVector {
            base: VectorBase {
                data_type,
                dim,
                metric,
            },
            initial_cap: None,
            m: None,
            ef_construction: None,
            ef_runtime: None,
            epsilon: None,
        }
    }

    /// `INITIAL_CAP`: room for this many vectors up front.
    pub fn initial_cap(mut self, vectors: u64) -> Self {
        self.initial_cap = Some(vectors);
        self
    }

    /// `M`: the most edges a node has per graph layer (16 by default).
    pub fn m(mut self, edges: u32) -> Self {
        self.m = Some(edges);
        self
    }

    /// `EF_CONSTRUCTION`: how many candidates building the graph keeps (200
    /// by default).
    pub fn ef_construction(mut self, candidates: u32) -> Self {
        self.ef_construction = Some(candidates);
        self
    }

    /// `EF_RUNTIME`: how many candidates a KNN query keeps (10 by default).
    pub fn ef_runtime(mut self, candidates: u32) -> Self {
        self.ef_runtime = Some(candidates);
        self
    }

    /// `EPSILON`: how far past the radius a range query looks (0.01 by default).
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = Some(epsilon);
        self
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(cap) = self.initial_cap {
            params.push(("INITIAL_CAP", cap.to_string()));
        }
        if let Some(m) = self.m {
            params.push(("M", m.to_string()));
        }
        if let Some(ef) = self.ef_construction {
            params.push(("EF_CONSTRUCTION", ef.to_string()));
        }
        if let Some(ef) = self.ef_runtime {
            params.push(("EF_RUNTIME", ef.to_string()));
        }
        if let Some(epsilon) = self.epsilon {
            params.push(("EPSILON", number(epsilon)));
        }
        params
    }
}

/// The element type of a vector field (`TYPE`); vectors are sent as the
/// little-endian bytes of their elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorDataType {
    /// `FLOAT32`.
    Float32,
    /// `FLOAT64`.
    Float64,
    /// `FLOAT16` (IEEE half precision).
    Float16,
    /// `BFLOAT16`.
    BFloat16,
    /// `INT8` (RediSearch 2.12 / Redis 8.0 and later).
    Int8,
    /// `UINT8` (RediSearch 2.12 / Redis 8.0 and later).
    Uint8,
}

impl VectorDataType {
    fn as_str(self) -> &'static str {
        match self {
            VectorDataType::Float32 => "FLOAT32",
            VectorDataType::Float64 => "FLOAT64",
            VectorDataType::Float16 => "FLOAT16",
            VectorDataType::BFloat16 => "BFLOAT16",
            VectorDataType::Int8 => "INT8",
            VectorDataType::Uint8 => "UINT8",
        }
    }
}

/// How vectors are compared (`DISTANCE_METRIC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceMetric {
    /// `L2`: Euclidean distance.
    L2,
    /// `IP`: inner product.
    #[doc(alias = "IP")]
    InnerProduct,
    /// `COSINE`: cosine distance.
    Cosine,
}

impl DistanceMetric {
    fn as_str(self) -> &'static str {
        match self {
            DistanceMetric::L2 => "L2",
            DistanceMetric::InnerProduct => "IP",
            DistanceMetric::Cosine => "COSINE",
        }
    }
}

/// What an index covers: hashes or JSON documents (`ON HASH | JSON`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexOn {
    /// `ON HASH` (the default): fields are hash fields.
    #[default]
    #[doc(alias = "ON")]
    Hash,
    /// `ON JSON`: fields are JSON paths (RedisJSON).
    #[doc(alias = "ON")]
    Json,
}

impl IndexOn {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            IndexOn::Hash => "HASH",
            IndexOn::Json => "JSON",
        }
    }
}

/// Writes [`Language`] and its names once.
macro_rules! languages {
    ($($variant:ident $name:literal)*) => {
        /// The language of stemming and stop words (`LANGUAGE`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Language {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl Language {
            /// The name the server knows the language by (`english`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Language::$variant => $name,)*
                }
            }
        }
    };
}

languages! {
    Arabic "arabic"
    Armenian "armenian"
    Basque "basque"
    Catalan "catalan"
    Chinese "chinese"
    Danish "danish"
    Dutch "dutch"
    English "english"
    Finnish "finnish"
    French "french"
    German "german"
    Greek "greek"
    Hindi "hindi"
    Hungarian "hungarian"
    Indonesian "indonesian"
    Irish "irish"
    Italian "italian"
    Lithuanian "lithuanian"
    Nepali "nepali"
    Norwegian "norwegian"
    Portuguese "portuguese"
    Romanian "romanian"
    Russian "russian"
    Serbian "serbian"
    Spanish "spanish"
    Swedish "swedish"
    Tamil "tamil"
    Turkish "turkish"
    Yiddish "yiddish"
}

/// `FT.CREATE`'s options before the schema: what the index covers and how
/// it stores what it indexes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateIndexOptions {
    on: Option<IndexOn>,
    prefixes: Vec<String>,
    filter: Option<String>,
    language: Option<Language>,
    language_field: Option<String>,
    score: Option<f64>,
    score_field: Option<String>,
    payload_field: Option<String>,
    max_text_fields: bool,
    temporary: Option<Duration>,
    no_offsets: bool,
    no_highlight: bool,
    no_fields: bool,
    no_freqs: bool,
    stopwords: Option<Vec<String>>,
    skip_initial_scan: bool,
}

impl CreateIndexOptions {
    /// No options: an index of every hash in the database.
    pub fn new() -> Self {
        CreateIndexOptions::default()
    }

    /// `ON HASH | JSON`.
    pub fn on(mut self, on: IndexOn) -> Self {
        self.on = Some(on);
        self
    }

    /// `PREFIX`: index only keys starting with `prefix` (call again for
    /// more prefixes).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefixes.push(prefix.into());
        self
    }

    /// `FILTER`: index only documents for which the aggregation expression
    /// is true (`@age > 18`).
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filter = Some(expression.into());
        self
    }

    /// `LANGUAGE`: the documents' default language.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// `LANGUAGE_FIELD`: the document field that names its own language.
    pub fn language_field(mut self, field: impl Into<String>) -> Self {
        self.language_field = Some(field.into());
        self
    }

    /// `SCORE`: the documents' default score, from 0 to 1 (1 by default).
    pub fn score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }

    /// `SCORE_FIELD`: the document field that holds its own score.
    pub fn score_field(mut self, field: impl Into<String>) -> Self {
        self.score_field = Some(field.into());
        self
    }

    /// `PAYLOAD_FIELD`: the document field whose value is its payload.
    pub fn payload_field(mut self, field: impl Into<String>) -> Self {
        self.payload_field = Some(field.into());
        self
    }

    /// `MAXTEXTFIELDS`: encode for more than 32 text fields from the start,
    /// so `FT.ALTER` can add them later.
    #[doc(alias = "MAXTEXTFIELDS")]
    pub fn max_text_fields(mut self) -> Self {
        self.max_text_fields = true;
        self
    }

    /// `TEMPORARY`: the index drops itself after `idle` without use
    /// (whole seconds, at least one).
    pub fn temporary(mut self, idle: Duration) -> Self {
        self.temporary = Some(idle);
        self
    }

    /// `NOOFFSETS`: keep no term offsets (no exact phrases, no
    /// highlighting; smaller index).
    #[doc(alias = "NOOFFSETS")]
    pub fn no_offsets(mut self) -> Self {
        self.no_offsets = true;
        self
    }

    /// `NOHL`: keep no byte offsets (no highlighting).
    #[doc(alias = "NOHL")]
    pub fn no_highlight(mut self) -> Self {
        self.no_highlight = true;
        self
    }

    /// `NOFIELDS`: keep no per-field bits (no field-restricted text queries).
    #[doc(alias = "NOFIELDS")]
    pub fn no_fields(mut self) -> Self {
        self.no_fields = true;
        self
    }

    /// `NOFREQS`: keep no term frequencies (no frequency-based scoring).
    #[doc(alias = "NOFREQS")]
    pub fn no_freqs(mut self) -> Self {
        self.no_freqs = true;
        self
    }

    /// `STOPWORDS`: these words instead of the language's stop words; an
    /// empty list means no stop words at all.
    pub fn stopwords<S: Into<String>>(mut self, words: impl IntoIterator<Item = S>) -> Self {
        self.stopwords = Some(words.into_iter().map(Into::into).collect());
        self
    }

    /// `SKIPINITIALSCAN`: do not index the keys that exist already.
    #[doc(alias = "SKIPINITIALSCAN")]
    pub fn skip_initial_scan(mut self) -> Self {
        self.skip_initial_scan = true;
        self
    }
}

impl ToArgs for CreateIndexOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(on) = self.on {
            cmd.push_arg("ON").push_arg(on.as_str());
        }
        if !self.prefixes.is_empty() {
            cmd.push_arg("PREFIX");
            counted(cmd, &self.prefixes);
        }
        if let Some(filter) = &self.filter {
            cmd.push_arg("FILTER").push_arg(filter);
        }
        if let Some(language) = self.language {
            cmd.push_arg("LANGUAGE").push_arg(language.as_str());
        }
        if let Some(field) = &self.language_field {
            cmd.push_arg("LANGUAGE_FIELD").push_arg(field);
        }
        if let Some(score) = self.score {
            cmd.push_arg("SCORE").push_arg(number(score));
        }
        if let Some(field) = &self.score_field {
            cmd.push_arg("SCORE_FIELD").push_arg(field);
        }
        if let Some(field) = &self.payload_field {
            cmd.push_arg("PAYLOAD_FIELD").push_arg(field);
        }
        if self.max_text_fields {
            cmd.push_arg("MAXTEXTFIELDS");
        }
        if let Some(idle) = self.temporary {
            cmd.push_arg("TEMPORARY").push_arg(idle.as_secs().max(1));
        }
        if self.no_offsets {
            cmd.push_arg("NOOFFSETS");
        }
        if self.no_highlight {
            cmd.push_arg("NOHL");
        }
        if self.no_fields {
            cmd.push_arg("NOFIELDS");
        }
        if self.no_freqs {
            cmd.push_arg("NOFREQS");
        }
        if let Some(words) = &self.stopwords {
            cmd.push_arg("STOPWORDS");
            counted(cmd, words);
        }
        if self.skip_initial_scan {
            cmd.push_arg("SKIPINITIALSCAN");
        }
    }
}

/// Whether `FT.ALTER` and `FT.SYNUPDATE` reindex the keys that exist already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialScan {
    /// Reindex existing keys (the default).
    #[default]
    Scan,
    /// `SKIPINITIALSCAN`: only keys written from now on are (re)indexed.
    #[doc(alias = "SKIPINITIALSCAN")]
    Skip,
}

impl ToArgs for InitialScan {
    fn write_args(&self, cmd: &mut Cmd) {
        if *self == InitialScan::Skip {
            cmd.push_arg("SKIPINITIALSCAN");
        }
    }
}
