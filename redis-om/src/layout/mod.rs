//! Key layouts: how a model's keys, index and index schema are named and
//! written, so that records can be shared with another Redis object mapper
//! (`#[redis(layout = "...")]`).
//!
//! | | `default` | `python` (Redis OM Python 1.1) | `node` (Redis OM Node 0.4) |
//! |---|---|---|---|
//! | record key | `{prefix}:{pk}` | `{prefix}:{pk}`, where `prefix` is Python's `{global_key_prefix}:{model_key_prefix}` | `{prefix}:{pk}` (Node's schema name is the prefix) |
//! | index name | `{prefix}:index`, or `index = "..."` | the same (Python's `{global}:{model}:index`, or its `index_name`) | the same (Node's `indexName`) |
//! | `FT.CREATE ... PREFIX 1` | `{prefix}:` | `{prefix}:` | `{prefix}:` |
//! | primary key stored as | the field's own name | `pk`, always (a hash field; a JSON member, declared first) | the field's own name (Node stores no id) |
//! | schema | the fields' indexes as the core's `Schema` writes them | the text Python builds, byte for byte (see below) | as `default` |
//! | `{index}:hash` | SHA-1 (hex) of the `FT.CREATE` arguments after the index name | SHA-1 (hex) of Python's schema text | as `default` (not Node's value: see below) |
//! | `{index}:schema` | not written | Python's schema text | not written |
//!
//! Booleans are `1`/`0` in hashes and native in JSON, date-times epoch
//! seconds indexed NUMERIC ([`crate::epoch_seconds`]) and `None` an absent
//! hash field in every layout: what Python writes. In the python layout a
//! hash model's floats and date-times are also written in Python's text
//! (`1704164645.0` rather than `1704164645`), and a JSON model's primary
//! key is the document's first member.
//!
//! # `python`
//!
//! `#[redis(layout = "python", prefix = "omres:customer")]` is the Python
//! model whose `Meta` has `global_key_prefix = "omres"` and
//! `model_key_prefix = "customer"` (and `index=True`): keys
//! `omres:customer:{pk}`, index `omres:customer:index`, and the schema text
//! Python 1.1 builds for the same fields, so that Python's `Migrator` finds
//! the fingerprint it expects at `{index}:hash` and leaves the index alone
//! (a different text would make it drop and rebuild the index; checked:
//! Python 1.1's migrator plans nothing for the notes' `Customer` index
//! created by [`crate::Migrator`]). The text
//! is `ON HASH PREFIX 1 {prefix}: SCHEMA` (or `ON JSON`) then one part per
//! field, the primary key's first (`pk TAG SEPARATOR |`, or
//! `$.pk AS pk TAG SEPARATOR |`), the others in declaration order, joined
//! by single spaces:
//!
//! | field | hash part | JSON part |
//! |---|---|---|
//! | string, `Uuid` (TAG) | `name TAG SEPARATOR \|` | `$.name AS name TAG SEPARATOR \|` |
//! | `full_text_search` | `name TAG SEPARATOR \| name AS name_fts TEXT` | `$.name AS name TAG SEPARATOR \| $.name AS name_fts TEXT` |
//! | `Vec<String>` | (no hash field holds one) | `$.name[*] AS name TAG SEPARATOR \|` |
//! | `embed` of a struct | (JSON models only) | its indexed fields' parts at `$.name.field AS name_field`, joined by spaces; an empty part when none is indexed |
//! | `embed` of a `Vec` of structs | (JSON models only) | `$.name[*].field AS name_field TAG SEPARATOR \|` (only plain strings inside a list: the derive refuses the rest, as Python does) |
//! | `bool` | `name TAG` | `$.name AS name TAG` |
//! | numbers, date-times | `name NUMERIC` | `$.name AS name NUMERIC` |
//! | [`crate::GeoPoint`] | `name GEO` | `$.name AS name GEO` |
//! | vector | `name VECTOR HNSW 6 TYPE FLOAT32 DIM 3 DISTANCE_METRIC COSINE` | `$.name AS name VECTOR ...` |
//! | not indexed | nothing | an empty part (two spaces in a row) |
//!
//! `separator = ","` replaces the `|`; `SORTABLE`, then `CASESENSITIVE`,
//! follow the part (for `full_text_search`, `SORTABLE` lands on the TEXT
//! part). The derive refuses what Python cannot say or the server refuses
//! of what Python says: `index(text)` alone (write `full_text_search`),
//! `no_stem`, `weight`, `index_missing`, `index_empty`, `case_sensitive`
//! with `sortable` or `full_text_search`, options on the primary key's
//! index, and a JSON model whose primary key is not serde's `"pk"` or not
//! its first field. `FT.CREATE` is sent as the text split on whitespace,
//! which is what Python's client sends (the double spaces of a JSON schema
//! vanish on the wire; they stay in the fingerprint).
//!
//! Not reproduced:
//!
//! - **Vectors in hashes.** Python 1.1 stores a hash vector as the base64
//!   text of its little-endian FLOAT32 bytes, which the index refuses
//!   (`Could not add vector with blob size 16 (expected size 12)`: the
//!   whole record is left out of the index) and which Python itself does
//!   not read back. We store the raw bytes, which the index reads; Python
//!   1.1 cannot read them either (its client decodes every reply as UTF-8
//!   and fails on them), so a hash model with a vector is shared with
//!   Python for its index, not its records. The schema text is Python's
//!   either way.
//! - **Date-times in JSON.** A hash field is written as Python writes it
//!   (`repr(float)`: `100.0`, `1704164645.0`, `-4861728000.0`, `1e-05`).
//!   A JSON document is written by serde: floats come out as Python's
//!   (`100.0`; `1e20` where Python sends `1e+20`, which RedisJSON stores as
//!   `1e20` too), but [`crate::epoch_seconds`] writes a whole second as
//!   the integer `1704164645` where Python writes `1704164645.0`. The
//!   index reads both as the same number, and each side reads the other's.
//! - **`f32` fields.** Python has no 32-bit float: an `f32` is written with
//!   its own shortest digits in Python's format (`0.1`, not the widened
//!   `0.10000000149011612`).
//! - **Save commands.** Python sends `HTTL` then `HSET`; we send `HSET`
//!   (with `HDEL` of fields now `None`, and the TTL, in one transaction).
//!
//! # `node`
//!
//! Redis OM Node 0.4 names keys `{schema name}:{id}`, the index
//! `{schema name}:index` and its fingerprint key `{schema name}:index:hash`:
//! this crate's default names, so `layout = "node"` changes nothing but
//! the recorded layout. Node's fingerprint value is the base64 SHA-1 of
//! `JSON.stringify` of its own schema description (the field definitions
//! as written in JavaScript, the prefix, index names, data structure and
//! stop words); reproducing it would take that description (Node's type
//! names, option names and their order) rebuilt from ours, which this
//! crate does not do: the value at `{index}:hash` is ours, so Node's
//! `createIndex` rebuilds an index we created, and our `Migrator` reports
//! one Node created as outdated. Node stores no id field in the record,
//! writes its own `AS name` for every field and keys a date as
//! milliseconds-precise epoch seconds; share records, not index management.

pub(crate) mod python;

/// How a model's keys, index and index schema are named and written:
/// `#[redis(layout = "python")]` records [`Layout::Python`] in the model's
/// [`crate::ModelInfo`]. See the [module](self) for the three side by side.
///
/// ```
/// use redis_om::{Layout, Model, RedisModel};
///
/// #[derive(RedisModel)]
/// #[redis(layout = "python", prefix = "omres:customer")]
/// struct Customer {
///     #[redis(pk)]
///     id: String,
///     #[redis(index)]
///     first_name: String,
/// }
///
/// assert_eq!(Customer::info().layout(), Layout::Python);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Layout {
    /// This crate's own: keys `{prefix}:{pk}`, index `{prefix}:index`.
    #[default]
    Default,
    /// What Redis OM Python 1.1 writes, schema text and fingerprint
    /// included.
    Python,
    /// Redis OM Node 0.4's key and index names (the default's).
    Node,
}
