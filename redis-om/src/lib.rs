//! Typed data access over [`redis_core`]: `#[derive(RedisModel)]` maps a
//! struct to a Redis hash, and a [`Repository`] saves, loads and deletes its
//! records.
//!
//! An application depends on this crate alone: it re-exports the core client
//! as [`core`] and the derive as [`RedisModel`].
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
//! | struct | `prefix = "user"` | keys `user:{pk}` (default: the struct's name) |
//! | struct | `ttl = 3600` | every save sets this time to live, in seconds |
//! | field | `pk` | the primary key: a `String` or `uuid::Uuid`; generated when empty |
//! | field | `rename = "name"` | the stored field name |
//! | field | `skip` | not stored; read back as `Default::default()` |
//!
//! Hash fields are strings, integers, floats, `bool` (`1`/`0`),
//! `uuid::Uuid`, `Vec<u8>` and `Option`s of them (`None` is an absent
//! field); see [`HashValue`] for the exact encoding. Any other field type is
//! a compile error that says so.

// The derive names this crate `::redis_om`, which must resolve in its own
// tests and doctests too.
extern crate self as redis_om;

mod hash;
mod model;
mod pk;
mod repository;
mod storage;

pub use hash::{HashFields, HashModel, HashValue, HashWriter};
pub use model::{FieldInfo, Model, ModelInfo, StorageKind};
pub use pk::PrimaryKey;
pub use redis_core as core;
pub use redis_derive::RedisModel;
pub use repository::Repository;
pub use storage::{Hash, Storage};

/// The README's examples compile as doctests: here, where both the core
/// and the object mapper are in reach.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
