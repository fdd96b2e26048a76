//! How a field is indexed for RediSearch: the description the derive writes
//! for `#[redis(index(...))]`, and the kind a field's type implies.

/// The kind of a RediSearch field.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum IndexKind {
    /// Full-text search: terms, phrases, prefixes, fuzzy matches.
    Text,
    /// Exact values (strings, bools, UUIDs, enums), any of a set.
    Tag,
    /// Numbers and date-times: ranges and sorting.
    Numeric,
    /// Longitude and latitude: radius and shape queries.
    Geo,
    /// An embedding for nearest-neighbour (KNN) queries.
    Vector(VectorIndex),
}

/// A vector field's dimension, distance and algorithm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VectorIndex {
    dim: u32,
    metric: DistanceMetric,
    algorithm: VectorAlgorithm,
    element: VectorType,
}

/// How vectors are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceMetric {
    /// Cosine distance (the default).
    Cosine,
    /// Euclidean distance.
    L2,
    /// Inner product.
    Ip,
}

/// How nearest neighbours are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorAlgorithm {
    /// Brute force: exact, for small sets.
    Flat,
    /// Hierarchical navigable small worlds: approximate, fast (the default).
    Hnsw,
}

/// The type of a vector's elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorType {
    /// 32-bit floats (the default).
    Float32,
    /// 64-bit floats.
    Float64,
}

impl VectorIndex {
    /// A vector of `dim` elements.
    pub const fn new(
        dim: u32,
        metric: DistanceMetric,
        algorithm: VectorAlgorithm,
        element: VectorType,
    ) -> VectorIndex {
        VectorIndex {
            dim,
            metric,
            algorithm,
            element,
        }
    }

    /// The number of elements.
    pub fn dim(&self) -> u32 {
        self.dim
    }

    /// How vectors are compared.
    pub fn metric(&self) -> DistanceMetric {
        self.metric
    }

    /// How neighbours are found.
    pub fn algorithm(&self) -> VectorAlgorithm {
        self.algorithm
    }

    /// The elements' type.
    pub fn element(&self) -> VectorType {
        self.element
    }
}

/// How one field is indexed: its kind and options.
///
/// ```
/// use redis_om::{Index, IndexKind};
/// let price = Index::of::<f64>().sortable();
/// assert_eq!(price.kind(), IndexKind::Numeric);
/// assert!(price.is_sortable());
/// let tags = Index::of::<Vec<String>>();
/// assert!(tags.is_multi());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Index {
    kind: IndexKind,
    multi: bool,
    sortable: bool,
    full_text_search: bool,
    case_sensitive: bool,
    no_stem: bool,
    index_missing: bool,
    index_empty: bool,
    separator: Option<char>,
    weight: Option<f64>,
    boolean: bool,
}

impl Index {
    /// The index a field of type `T` gets by default (`#[redis(index)]`).
    pub const fn of<T: Indexable>() -> Index {
        let mut index = Index::new(T::KIND).multi(T::MULTI);
        index.boolean = T::BOOL;
        index
    }

    /// A vector index (`#[redis(index(vector(...)))]`).
    pub const fn vector(vector: VectorIndex) -> Index {
        Index::new(IndexKind::Vector(vector))
    }

    const fn new(kind: IndexKind) -> Index {
        Index {
            kind,
            multi: false,
            sortable: false,
            full_text_search: false,
            case_sensitive: false,
            no_stem: false,
            index_missing: false,
            index_empty: false,
            separator: None,
            weight: None,
            boolean: false,
        }
    }

    const fn multi(mut self, multi: bool) -> Index {
        self.multi = multi;
        self
    }

    /// Another kind than the type's default (`index(text)`, `index(tag)` ...).
    pub const fn with_kind(mut self, kind: IndexKind) -> Index {
        self.kind = kind;
        self
    }

    /// True when an explicit `kind` fits a field whose default index is
    /// this one: text or tag for strings, numeric or tag for numbers, geo
    /// for points. The derive checks it at compile time.
    pub const fn admits(&self, kind: IndexKind) -> bool {
        matches!(
            (self.kind, kind),
            (
                IndexKind::Tag | IndexKind::Text,
                IndexKind::Tag | IndexKind::Text
            ) | (IndexKind::Numeric, IndexKind::Numeric | IndexKind::Tag)
                | (IndexKind::Geo, IndexKind::Geo)
        )
    }

    /// `SORTABLE`.
    pub const fn sortable(mut self) -> Index {
        self.sortable = true;
        self
    }

    /// Indexed both as a TAG (exact) and as TEXT (full text), as Redis OM
    /// Python's `full_text_search=True` does.
    pub const fn full_text_search(mut self) -> Index {
        self.full_text_search = true;
        self
    }

    /// `CASESENSITIVE` (TAG).
    pub const fn case_sensitive(mut self) -> Index {
        self.case_sensitive = true;
        self
    }

    /// `NOSTEM` (TEXT).
    pub const fn no_stem(mut self) -> Index {
        self.no_stem = true;
        self
    }

    /// `INDEXMISSING`: documents without the field can be found.
    pub const fn index_missing(mut self) -> Index {
        self.index_missing = true;
        self
    }

    /// `INDEXEMPTY`: documents whose field is empty can be found.
    pub const fn index_empty(mut self) -> Index {
        self.index_empty = true;
        self
    }

    /// `SEPARATOR c` (TAG): one ASCII character (anything else fails to
    /// compile in the derive's static description).
    pub const fn separator(mut self, separator: char) -> Index {
        assert!(
            separator.is_ascii(),
            "a TAG separator is one ASCII character"
        );
        self.separator = Some(separator);
        self
    }

    /// `WEIGHT w` (TEXT).
    pub const fn weight(mut self, weight: f64) -> Index {
        self.weight = Some(weight);
        self
    }

    /// The kind.
    pub fn kind(&self) -> IndexKind {
        self.kind
    }

    /// True for a field holding several values (a `Vec<String>` of tags).
    pub fn is_multi(&self) -> bool {
        self.multi
    }

    /// True when sortable.
    pub fn is_sortable(&self) -> bool {
        self.sortable
    }

    /// True when indexed as TAG and TEXT.
    pub fn is_full_text_search(&self) -> bool {
        self.full_text_search
    }

    /// True for a case-sensitive TAG.
    pub fn is_case_sensitive(&self) -> bool {
        self.case_sensitive
    }

    /// True for a TEXT field without stemming.
    pub fn is_no_stem(&self) -> bool {
        self.no_stem
    }

    /// True when documents missing the field are indexed.
    pub fn is_index_missing(&self) -> bool {
        self.index_missing
    }

    /// True when documents with an empty field are indexed.
    pub fn is_index_empty(&self) -> bool {
        self.index_empty
    }

    /// The TAG separator given, if any.
    pub fn tag_separator(&self) -> Option<char> {
        self.separator
    }

    /// The TEXT weight given, if any.
    pub fn text_weight(&self) -> Option<f64> {
        self.weight
    }

    /// True for the index of a `bool` field (or `Option<bool>`), which
    /// Redis OM Python writes as a TAG without a separator.
    ///
    /// ```
    /// use redis_om::Index;
    /// assert!(Index::of::<bool>().is_bool());
    /// assert!(!Index::of::<String>().is_bool());
    /// ```
    pub fn is_bool(&self) -> bool {
        self.boolean
    }

    /// True for one string indexed as a TAG, without full-text search: what
    /// Redis OM Python indexes inside a list of embedded models.
    pub(crate) const fn is_plain_string_tag(&self) -> bool {
        matches!(self.kind, IndexKind::Tag)
            && !self.multi
            && !self.boolean
            && !self.full_text_search
    }
}

/// A field type with a default index kind, so that `#[redis(index)]` needs
/// no kind: strings, `bool` and `uuid::Uuid` are TAG, numbers are NUMERIC,
/// `Vec<String>` is a multi-valued TAG, and an `Option` is its content's.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no default index kind",
    label = "give this field's index kind",
    note = "strings, bool, uuid::Uuid and enums deriving RedisEnum are TAG, numbers NUMERIC, \
            Vec<String> a multi-valued TAG; a vector is index(vector(dim = N, metric = \
            \"cosine\")); a nested struct's fields are indexed with #[redis(embed)] in a JSON \
            model"
)]
pub trait Indexable {
    /// The kind `#[redis(index)]` gives it.
    const KIND: IndexKind;
    /// True when it holds several values (indexed at `$.field[*]` in JSON).
    const MULTI: bool = false;
    /// True for `bool`: the python layout writes its TAG without a
    /// separator, as Redis OM Python does.
    const BOOL: bool = false;
    /// The kind as a type, for the field's typed handle.
    type Kind: crate::field::FieldKind;
}

macro_rules! indexable {
    ($kind:ident: $($t:ty),*) => {$(
        impl Indexable for $t {
            const KIND: IndexKind = IndexKind::$kind;
            type Kind = crate::field::kind::$kind<$t>;
        }
    )*};
}

indexable!(Tag: String, uuid::Uuid);
indexable!(Numeric: i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

impl Indexable for bool {
    const KIND: IndexKind = IndexKind::Tag;
    const BOOL: bool = true;
    type Kind = crate::field::kind::Tag<bool>;
}

impl Indexable for Vec<String> {
    const KIND: IndexKind = IndexKind::Tag;
    const MULTI: bool = true;
    type Kind = crate::field::kind::MultiTag<String>;
}

impl<T: Indexable> Indexable for Option<T> {
    const KIND: IndexKind = T::KIND;
    const MULTI: bool = T::MULTI;
    const BOOL: bool = T::BOOL;
    type Kind = T::Kind;
}
