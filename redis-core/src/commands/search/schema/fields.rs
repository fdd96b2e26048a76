//! The field types other than vectors: TEXT, TAG, NUMERIC, GEO, GEOSHAPE.

use super::super::support::number;
use super::*;
use crate::Cmd;

/// The options TEXT and TAG fields share, written in the same place by both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct StringOptions {
    with_suffix_trie: bool,
    index_empty: bool,
}

impl StringOptions {
    /// `[WITHSUFFIXTRIE] [INDEXEMPTY]`, among the type's own options.
    fn write(&self, cmd: &mut Cmd) {
        if self.with_suffix_trie {
            cmd.push_arg("WITHSUFFIXTRIE");
        }
        if self.index_empty {
            cmd.push_arg("INDEXEMPTY");
        }
    }
}

/// The builder methods TEXT and TAG fields share.
macro_rules! string_methods {
    ($ty:ident) => {
        impl $ty {
            /// `WITHSUFFIXTRIE`: faster suffix and contains (`*word*`)
            /// queries.
            #[doc(alias = "WITHSUFFIXTRIE")]
            pub fn with_suffix_trie(mut self) -> Self {
                self.strings.with_suffix_trie = true;
                self
            }

            /// `INDEXEMPTY`: empty values are indexed and can be matched
            /// (`""` on TEXT, `{""}` on TAG).
            #[doc(alias = "INDEXEMPTY")]
            pub fn index_empty(mut self) -> Self {
                self.strings.index_empty = true;
                self
            }

            /// `SORTABLE UNF`: sortable on the value as written, not
            /// normalized (lowercased, accents removed).
            #[doc(alias = "SORTABLE")]
            pub fn sortable_unf(mut self) -> Self {
                self.common.sortable = Sortable::Unnormalized;
                self
            }
        }
    };
}

/// A `TEXT` field (see [`Field::text`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TextField {
    pub(super) common: Common,
    pub(super) weight: Option<f64>,
    pub(super) no_stem: bool,
    pub(super) phonetic: Option<Phonetic>,
    pub(super) strings: StringOptions,
}

common_methods!(TextField, Text);
string_methods!(TextField);

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

    pub(super) fn write(&self, cmd: &mut Cmd) {
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
        self.strings.write(cmd);
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
    pub(super) common: Common,
    pub(super) separator: Option<u8>,
    pub(super) case_sensitive: bool,
    pub(super) strings: StringOptions,
}

common_methods!(TagField, Tag);
string_methods!(TagField);

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

    pub(super) fn write(&self, cmd: &mut Cmd) {
        self.common.write_head(cmd, "TAG");
        if let Some(separator) = self.separator {
            cmd.push_arg("SEPARATOR").push_bytes(&[separator]);
        }
        if self.case_sensitive {
            cmd.push_arg("CASESENSITIVE");
        }
        self.strings.write(cmd);
        self.common.write_index_missing(cmd);
        self.common.write_tail(cmd);
    }
}

/// A `NUMERIC` field (see [`Field::numeric`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NumericField {
    pub(super) common: Common,
}

common_methods!(NumericField, Numeric);

impl NumericField {
    pub(super) fn write(&self, cmd: &mut Cmd) {
        self.common.write_head(cmd, "NUMERIC");
        self.common.write_index_missing(cmd);
        self.common.write_tail(cmd);
    }
}

/// A `GEO` field (see [`Field::geo`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GeoField {
    pub(super) common: Common,
}

common_methods!(GeoField, Geo);

impl GeoField {
    pub(super) fn write(&self, cmd: &mut Cmd) {
        self.common.write_head(cmd, "GEO");
        self.common.write_index_missing(cmd);
        self.common.write_tail(cmd);
    }
}

/// A `GEOSHAPE` field (see [`Field::geoshape`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GeoShapeField {
    pub(super) common: Common,
    pub(super) coordinates: Option<CoordinateSystem>,
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

    pub(super) fn write(&self, cmd: &mut Cmd) {
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
pub(super) enum CoordinateSystem {
    Flat,
    Spherical,
}
