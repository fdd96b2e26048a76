//! Redis OM Python 1.1's index schema: the text its `redisearch_schema()`
//! builds for a model, rebuilt from a [`ModelInfo`], and its fingerprint.
//!
//! Python joins `ON {HASH|JSON} PREFIX 1 {prefix}: SCHEMA` and one part per
//! field with single spaces. A JSON model's field that is not indexed gives
//! an empty part (so two spaces in a row); a hash model's gives none. A
//! JSON model's embedded struct gives the parts of its indexed fields at
//! their paths (`$.address.city AS address_city TAG SEPARATOR |`,
//! `$.items[*].sku AS items_sku TAG SEPARATOR |`), joined by single spaces,
//! or an empty part when none is indexed.

use std::fmt::Write as _;

use crate::embedded;
use crate::index::{DistanceMetric, Index, IndexKind, VectorAlgorithm, VectorIndex, VectorType};
use crate::model::{FieldInfo, ModelInfo, StorageKind};

/// Python's default TAG separator.
const SEPARATOR: char = '|';

/// The schema text Redis OM Python 1.1 builds for `info`'s model with keys
/// under `prefix` (without its colon).
///
/// The primary key comes first, as `pk` whatever the Rust field is called;
/// the index options Python has no words for (`no_stem`, `weight`,
/// `index_missing`, `index_empty`) are not written (the derive refuses
/// them in this layout), and an explicit `text` kind is written as Python's
/// full-text pair.
pub(crate) fn schema(info: &ModelInfo, prefix: &str) -> String {
    let storage = info.storage();
    let on = match storage {
        StorageKind::Hash => "HASH",
        StorageKind::Json => "JSON",
    };
    let mut parts = vec![format!("ON {on} PREFIX 1 {prefix}: SCHEMA")];
    parts.push(match storage {
        StorageKind::Hash => format!("pk TAG SEPARATOR {SEPARATOR}"),
        StorageKind::Json => format!("$.pk AS pk TAG SEPARATOR {SEPARATOR}"),
    });
    for field in info.fields().iter().filter(|f| f.stored() != info.pk()) {
        match (field.index(), storage) {
            (Some(index), StorageKind::Hash) => parts.push(hash_part(field, index)),
            (None, StorageKind::Hash) => {}
            // One part per top-level field, empty when nothing in it is
            // indexed; an embedded struct's part is its indexed fields'
            // parts joined, the empty ones left out (Python's
            // `" ".join(filter(None, ...))`).
            (_, StorageKind::Json) => {
                let leaves = embedded::indexed_paths(field);
                let leaf_parts: Vec<String> = leaves
                    .iter()
                    .map(|leaf| json_part(&leaf.path, &leaf.alias, &leaf.index))
                    .collect();
                parts.push(leaf_parts.join(" "));
            }
        }
    }
    parts.join(" ")
}

/// The fingerprint Python stores at `{index}:hash`: the lower-case hex
/// SHA-1 of the schema text's UTF-8 bytes.
pub(crate) fn fingerprint(schema: &str) -> String {
    sha1_smol::Sha1::from(schema.as_bytes())
        .digest()
        .to_string()
}

/// A hash model's part (`HashModel.schema_for_type`): `SORTABLE` and
/// `CASESENSITIVE` after whatever the kind wrote.
fn hash_part(field: &FieldInfo, index: &Index) -> String {
    let name = field.stored();
    let mut part = match index.kind() {
        IndexKind::Vector(vector) => return format!("{name} {}", vector_clause(&vector)),
        IndexKind::Geo => format!("{name} GEO"),
        IndexKind::Numeric => format!("{name} NUMERIC"),
        IndexKind::Tag if index.is_bool() => format!("{name} TAG"),
        IndexKind::Tag | IndexKind::Text => tag_part(name, name, index),
    };
    if index.is_sortable() {
        part.push_str(" SORTABLE");
    }
    // Python appends it to any kind; the server takes it on a TAG only, so
    // no index Python could create has it elsewhere.
    if index.is_case_sensitive() && index.kind() == IndexKind::Tag {
        part.push_str(" CASESENSITIVE");
    }
    part
}

/// A JSON model's part for the value at `path` (`$.name`, `$.tags[*]`,
/// `$.address.city`, `$.items[*].sku`) indexed as `alias`
/// (`JsonModel.schema_for_type`): `{path} AS {alias} ...`.
fn json_part(path: &str, alias: &str, index: &Index) -> String {
    let sortable = if index.is_sortable() { " SORTABLE" } else { "" };
    match index.kind() {
        IndexKind::Vector(vector) => format!("{path} AS {alias} {}", vector_clause(&vector)),
        IndexKind::Geo => format!("{path} AS {alias} GEO{sortable}"),
        IndexKind::Numeric => format!("{path} AS {alias} NUMERIC{sortable}"),
        IndexKind::Tag if index.is_bool() => format!("{path} AS {alias} TAG{sortable}"),
        IndexKind::Tag | IndexKind::Text => {
            let mut part = tag_part(path, alias, index);
            part.push_str(sortable);
            if index.is_case_sensitive() && !full_text(index) {
                part.push_str(" CASESENSITIVE");
            }
            part
        }
    }
}

/// `{lead} TAG SEPARATOR |`, and for full-text search
/// ` {target} AS {alias}_fts TEXT` after it; `lead` is `name` in a hash,
/// `$.name AS name` in JSON.
fn tag_part(target: &str, alias: &str, index: &Index) -> String {
    let separator = index.tag_separator().unwrap_or(SEPARATOR);
    let lead = if target == alias {
        target.to_owned()
    } else {
        format!("{target} AS {alias}")
    };
    let mut part = format!("{lead} TAG SEPARATOR {separator}");
    if full_text(index) {
        let _ = write!(part, " {target} AS {alias}_fts TEXT");
    }
    part
}

/// Python has TEXT only beside a TAG (`full_text_search`).
fn full_text(index: &Index) -> bool {
    index.is_full_text_search() || index.kind() == IndexKind::Text
}

/// `VECTOR {FLAT|HNSW} 6 TYPE {t} DIM {n} DISTANCE_METRIC {m}`: Python's
/// clause without the options it writes only when they are set (we have
/// none of them).
fn vector_clause(vector: &VectorIndex) -> String {
    let algorithm = match vector.algorithm() {
        VectorAlgorithm::Flat => "FLAT",
        VectorAlgorithm::Hnsw => "HNSW",
    };
    let element = match vector.element() {
        VectorType::Float32 => "FLOAT32",
        VectorType::Float64 => "FLOAT64",
    };
    let metric = match vector.metric() {
        DistanceMetric::Cosine => "COSINE",
        DistanceMetric::L2 => "L2",
        DistanceMetric::Ip => "IP",
    };
    format!(
        "VECTOR {algorithm} 6 TYPE {element} DIM {} DISTANCE_METRIC {metric}",
        vector.dim()
    )
}

/// A finite float as Python's `repr(float)` writes it, which is how Redis
/// OM Python stores a float or date-time in a hash: the shortest digits
/// that read back the same (the value's own type's, for an `f32`), with
/// `.0` after a whole number and an exponent of at least two digits below
/// 1e-4 and from 1e16 on: `100.0`, `0.0001`, `1e-05`, `1e+16`,
/// `1704164645.0`, `-0.0`.
pub(crate) fn float_repr(value: impl std::fmt::LowerExp) -> String {
    // `{:e}` is the shortest round-trip digits: `-1.2345e-7`, `1e20`.
    let text = format!("{value:e}");
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Where the decimal point goes, counted from the first digit.
    let point = exponent + 1;
    let mut repr = String::with_capacity(digits.len() + 8);
    if negative {
        repr.push('-');
    }
    let len = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if point > -4 && point <= 16 {
        if point <= 0 {
            repr.push_str("0.");
            repr.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
            repr.push_str(&digits);
        } else if point >= len {
            repr.push_str(&digits);
            repr.extend(std::iter::repeat_n(
                '0',
                (point - len).unsigned_abs() as usize,
            ));
            repr.push_str(".0");
        } else {
            let (whole, fraction) = digits.split_at(point.unsigned_abs() as usize);
            let _ = write!(repr, "{whole}.{fraction}");
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        repr.push_str(first);
        if !rest.is_empty() {
            let _ = write!(repr, ".{rest}");
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(repr, "e{sign}{:02}", exponent.unsigned_abs());
    }
    repr
}

#[cfg(test)]
mod tests;
