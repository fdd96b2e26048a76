//! Typed data access over [`redis_core`]: `#[derive(RedisModel)]` maps a
//! struct to a Redis hash, and a [`Repository`] saves, loads and deletes its
//! records.
//!
//! An application depends on this crate alone: it re-exports the core client
//! as [`core`] and the derives as [`RedisModel`] and [`RedisEnum`].
//!
//! ```no_run
//! use redis_om::{RedisModel, Repository};
//!
//! #[derive(RedisModel, Debug, PartialEq)]
//! #[redis(prefix = "user")]
//! struct User {
//!     #[redis(pk)]
//!     id: String,
//!     name: String,
//!     age: Option<u32>,
//! }
//!
//! # async fn run() -> redis_om::core::Result<()> {
//! let client = redis_om::core::Client::connect("redis://127.0.0.1:6379").await?;
//! let users = Repository::<User, _>::new(&client);
//! let id = users.save(&User { id: String::new(), name: "Ada".into(), age: Some(36) }).await?;
//! let ada = users.get(&id).await?;                  // HGETALL user:{id}
//! assert_eq!(ada.map(|u| u.name), Some("Ada".to_owned()));
//! users.delete(&id).await?;
//! # Ok(()) }
//! ```
//!
//! # Models
//!
//! `#[derive(RedisModel)]` takes these attributes:
//!
//! | where | attribute | meaning |
//! |---|---|---|
//! | struct | `storage = "hash"` | one Redis hash per record (the default) |
//! | struct | `storage = "json"` | one RedisJSON document per record, through serde |
//! | struct | `prefix = "user"` | keys `user:{pk}` (default: the struct's name) |
//! | struct | `index = "users"` | the search index's name (default: `{prefix}:index`) |
//! | struct | `ttl = 3600` | every save sets this time to live, in seconds |
//! | struct | `layout = "python"` | keys, index schema and fingerprint exactly as Redis OM Python 1.1 writes them; `"node"`: Redis OM Node 0.4's names (see [`layout`]) |
//! | field | `pk` | the primary key: a `String` or `uuid::Uuid`; generated when empty |
//! | field | `rename = "name"` | the stored field name (hash models; JSON models use serde's) |
//! | field | `skip` | not stored; read back as `Default::default()` |
//! | field | `index`, `index(...)` | indexed; see [`Index`] for the kinds and options |
//! | field | `encoded = "json"`, `encoded = "msgpack"` | hash models: any serde type as one field of JSON text or MessagePack bytes, not indexable (see [`encoding`]) |
//! | field | `embed` | JSON models: the indexed fields of an embedded struct (or a `Vec` of them) are indexed at their paths (see [`Embedded`]) |
//! | struct | `embedded` | a struct nested in JSON models: fields and indexes only, no key (see [`Embedded`]) |
//!
//! Hash fields are strings, integers, floats, `bool` (`1`/`0`),
//! `uuid::Uuid`, `Vec<u8>`, [`GeoPoint`], float vectors (`[f32; N]`,
//! little-endian bytes), date-times, fieldless enums deriving
//! [`RedisEnum`] (the variant's serde name, indexed as TAG) and `Option`s
//! of them (`None` is an absent field); see [`HashValue`] for the exact
//! encoding. A nested struct or a collection is one field when marked
//! `encoded`; any other field type is a compile error that says what to
//! do. JSON models hold anything serde can, and index the fields of
//! embedded structs by JSON path (`$.address.city AS address_city`,
//! `$.items[*].sku AS items_sku`).
//!
//! Date-times are `chrono::DateTime<Utc>` and `chrono::NaiveDate` with the
//! feature `chrono`, `time::OffsetDateTime` and `time::Date` with the
//! feature `time`. They are stored as [`epoch_seconds`] (`1704164645.123456`,
//! microseconds at most), as Redis OM Python stores them, and
//! `#[redis(index)]` indexes them NUMERIC. A hash model needs nothing more.
//! A JSON model writes its fields through serde, whose default for these
//! types is a string the index cannot read as a number: a date-time that is
//! indexed, or shared with Python, takes
//! `#[serde(with = "redis_om::epoch_seconds")]` (or
//! `#[serde(with = "redis_om::epoch_seconds::option", default)]` for an
//! `Option`), which writes the same number. (The derive leaves serde's
//! attributes to serde, so it cannot add this one.)
//!
//! Each indexed field has a typed handle, `Product::price()`, a [`Field`]
//! whose type carries the model, the index kind and whether it is sortable:
//! what the typed queries build on (the fields of embedded structs have
//! none yet: they are queried by their alias, `@address_city`).
//! [`Migrator`] creates the indexes.
//!
//! # Streams and workers
//!
//! [`EventStream<E>`](EventStream) is a Redis stream of serde values, and
//! [`Worker`] runs a handler on each entry as a consumer of a group: at
//! least once, with retries, a dead-letter stream, recovery of what crashed
//! consumers left pending, and a graceful shutdown. See [`stream`].

// The derive names this crate `::redis_om`, which must resolve in its own
// tests and doctests too.
extern crate self as redis_om;

mod atomic;
pub mod autocomplete;
mod channel;
mod datetime;
mod embedded;
pub mod encoding;
mod enums;
pub mod field;
mod geo;
mod hash;
mod index;
mod json;
pub mod layout;
mod lock;
mod migrate;
mod model;
mod pk;
pub mod prelude;
mod primary_keys;
pub mod query;
mod repository;
mod schema;
mod shards;
mod storage;
pub mod stream;
pub mod update;

pub use autocomplete::{Autocomplete, Suggest};
pub use channel::{Channel, ChannelPattern, Events, PatternEvents};
pub use datetime::epoch_seconds;
#[doc(hidden)]
pub use embedded::alias as embedded_alias;
pub use embedded::{Embedded, EmbeddedFields, EmbeddedHandles};
pub use enums::RedisEnum;
pub use field::Field;
pub use geo::GeoPoint;
pub use hash::{HashFields, HashModel, HashValue, HashWriter};
pub use index::{
    DistanceMetric, Index, IndexKind, Indexable, VectorAlgorithm, VectorIndex, VectorType,
};
pub use json::{Json, JsonDocument};
pub use layout::Layout;
pub use lock::{Lock, LockGuard, Redlock, RedlockGuard};
pub use migrate::{Migration, MigrationOutcome, Migrator};
pub use model::{FieldInfo, Model, ModelInfo, StorageKind};
pub use pk::PrimaryKey;
pub use primary_keys::PrimaryKeys;
pub use redis_core as core;
pub use redis_derive::{RedisEnum, RedisModel};
pub use repository::Repository;
pub use schema::ModelIndex;
pub use storage::{Hash, Storage};
pub use stream::{Delivery, EventStream, Processed, TypedEntry, Worker, WorkerHandle, WorkerStats};
pub use update::{Update, VersionField};

/// The README's examples compile as doctests: here, where both the core
/// and the object mapper are in reach.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
