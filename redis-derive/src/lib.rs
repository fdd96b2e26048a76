//! `#[derive(RedisModel)]`: maps a struct to a Redis hash, for `redis-om`.
//!
//! Use it through `redis_om::RedisModel`; the generated code names
//! `::redis_om`, so this crate is not meant to be depended on directly.
//!
//! The macro describes and `redis-om` does: it emits a static
//! `redis_om::ModelInfo` (name, storage, prefix, ttl, primary key, fields)
//! and the glue that writes and reads each hash field. Keys, commands and
//! schemas are built from that description by `redis-om`.
//!
//! It works in three stages, as `serde_derive` does:
//!
//! 1. `attrs`: `#[redis(...)]` on the struct and its fields, parsed into
//!    plain values that keep their spans;
//! 2. `model`: checked into a model description, every mistake reported at
//!    its span and all of them at once;
//! 3. `expand`: the `impl`s. When the model has mistakes, only the errors and
//!    a stub `impl` are emitted, so the user reads the mistakes and not the
//!    follow-up errors of a missing `impl`.
//!
//! | where | attribute | meaning |
//! |---|---|---|
//! | struct | `storage = "hash"` | one Redis hash per record (the default) |
//! | struct | `prefix = "user"` | keys `user:{pk}` (default: the struct's name) |
//! | struct | `ttl = 3600` | every save sets this time to live, in seconds |
//! | field | `pk` | the primary key: a `String` or `uuid::Uuid` |
//! | field | `rename = "name"` | the stored field name |
//! | field | `skip` | not stored; read back as `Default::default()` |

mod attrs;
mod ctxt;
mod expand;
mod model;

use proc_macro::TokenStream;

/// Implements `redis_om::Model` and `redis_om::HashModel` for a struct with
/// named fields, one of them marked `#[redis(pk)]`.
///
/// See `redis_om::Model` for an example and the crate docs for the
/// attributes.
#[proc_macro_derive(RedisModel, attributes(redis))]
pub fn derive_redis_model(input: TokenStream) -> TokenStream {
    expand::derive(input.into()).into()
}
