//! `FT.CREATE`'s typed schema and index options, one concept per file: the
//! schema and what every field shares (here), the field types other than
//! vectors (`fields`), vector fields and their algorithms (`vector`), the
//! index options (`index`).
//!
//! Each field type is a builder of its own ([`TextField`], [`TagField`],
//! [`NumericField`], [`GeoField`], [`GeoShapeField`], [`VectorField`]) that
//! offers only the options the server accepts for that type, and writes
//! them in the order the server parses them.

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
            strings: StringOptions::default(),
        }
    }

    /// A tag field: exact-match values split on a separator (`,` unless
    /// [`TagField::separator`] says otherwise).
    pub fn tag(name: impl Into<String>) -> TagField {
        TagField {
            common: Common::new(name),
            separator: None,
            case_sensitive: false,
            strings: StringOptions::default(),
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

// After `common_methods!`, which the field types use.
mod fields;
mod index;
mod vector;

pub use fields::*;
pub use index::*;
pub use vector::*;
