//! `#[derive(RedisModel)]`: maps a struct to a Redis hash or a RedisJSON
//! document, for `redis-om`; `#[derive(RedisEnum)]`: a fieldless enum as
//! one of its fields, stored by name.
//!
//! Use it through `redis_om::RedisModel`; the generated code names
//! `::redis_om`, so this crate is not meant to be depended on directly.
//!
//! The macro describes and `redis-om` does: it emits a static
//! `redis_om::ModelInfo` (name, storage, prefix, index, ttl, primary key,
//! fields and their indexes), the glue that writes and reads each hash field
//! (a JSON model goes through serde instead), and a typed handle per indexed
//! field (`Product::price()`) for queries. Keys, commands and schemas are
//! built from that description by `redis-om`.
//!
//! It works in three stages, as `serde_derive` does:
//!
//! 1. `attrs`, `index_attrs`, `serde_names`: `#[redis(...)]` on the struct
//!    and its fields (and, for a JSON model, the serde attributes that name
//!    fields), parsed into plain values that keep their spans;
//! 2. `model`: checked into a model description, every mistake reported at
//!    its span and all of them at once;
//! 3. `expand`: the `impl`s. When the model has mistakes, only the errors and
//!    a stub `impl` are emitted, so the user reads the mistakes and not the
//!    follow-up errors of a missing `impl`.
//!
//! | where | attribute | meaning |
//! |---|---|---|
//! | struct | `storage = "hash"` | one Redis hash per record (the default) |
//! | struct | `storage = "json"` | one JSON document per record, through serde; field names are serde's |
//! | struct | `prefix = "user"` | keys `user:{pk}` (default: the struct's name) |
//! | struct | `index = "users"` | the search index's name (default: `{prefix}:index`) |
//! | struct | `ttl = 3600` | every save sets this time to live, in seconds |
//! | struct | `layout = "python"` | Redis OM Python 1.1's layout (`"node"`: Node 0.4's names; `"default"`); only recorded in the description, `redis_om::layout` does the rest |
//! | field | `pk` | the primary key: a `String` or `uuid::Uuid` |
//! | field | `rename = "name"` | the stored field name (hash models; JSON models use `#[serde(rename)]`) |
//! | field | `skip` | not stored; a hash model reads it back as `Default::default()` |
//! | field | `index` | indexed with its type's kind: strings, `bool`, `Uuid` TAG, numbers NUMERIC |
//! | field | `index(text)`, `tag`, `numeric`, `geo` | indexed as that kind, which must fit the type |
//! | field | `index(vector(dim = 4, metric = "cosine", algorithm = "hnsw", type = "float32"))` | an embedding: `[f32; 4]` or `Vec<f32>` |
//! | field | `index(sortable, full_text_search, case_sensitive, no_stem, index_missing, index_empty, separator = ",", weight = 2.0)` | index options |
//! | field | `encoded = "json"` or `"msgpack"` | hash models: one field holding the value's JSON text or MessagePack bytes, through serde; not indexable |
//! | field | `embed` | JSON models: the field's type (a struct with `#[redis(embedded)]`, or a `Vec` or `Option` of one) has its indexed fields indexed at their paths |
//! | struct | `embedded` | a struct nested in JSON models: emits `redis_om::Embedded` (its fields and indexes) instead of a model |
//!
//! `#[derive(RedisEnum)]` takes no attributes of its own: it reads serde's
//! `rename` on variants and `rename_all` on the enum.

mod attrs;
mod ctxt;
mod enum_model;
mod expand;
mod index_attrs;
mod meta;
mod model;
mod serde_names;

use proc_macro::TokenStream;

/// Implements `redis_om::Model` (and `redis_om::HashModel` for a hash model)
/// for a struct with named fields, one of them marked `#[redis(pk)]`, and a
/// typed handle for each indexed field.
///
/// See `redis_om::Model` for an example and the crate docs for the
/// attributes.
#[proc_macro_derive(RedisModel, attributes(redis))]
pub fn derive_redis_model(input: TokenStream) -> TokenStream {
    expand::derive(input.into()).into()
}

/// Implements `redis_om::RedisEnum`, `redis_om::HashValue` and
/// `redis_om::Indexable` for an enum of unit variants: a model's field of
/// this type is stored as the variant's serde name (`#[serde(rename)]` on a
/// variant, `#[serde(rename_all)]` on the enum, else the Rust name) and
/// indexed as a TAG.
///
/// See `redis_om::RedisEnum` for an example.
#[proc_macro_derive(RedisEnum, attributes(serde))]
pub fn derive_redis_enum(input: TokenStream) -> TokenStream {
    expand::redis_enum::derive(input.into()).into()
}
