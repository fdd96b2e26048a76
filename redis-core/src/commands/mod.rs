//! Typed commands, one file per command group.
//!
//! Each command is a function returning a [`Command`] (`commands::get(key)`)
//! and a method of its group's trait, which is implemented for every
//! [`Target`]: any [`Executor`](crate::Executor) by reference (the method
//! returns the reply's future) and [`Pipeline`](crate::Pipeline) /
//! [`Transaction`](crate::Transaction) by value (the method returns the
//! batch with the reply's type appended). Bring the traits into scope with
//! `use redis_core::commands::*;`. Anything without a typed command can be
//! sent as a [`Cmd`](crate::Cmd).
//!
//! ```no_run
//! # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
//! use redis_core::Pipeline;
//! use redis_core::commands::*;
//! client.set("user:1:name", "Ada").await?;
//! let name: Option<String> = client.get("user:1:name").await?;
//! client.hset("user:1", &[("lang", "en"), ("tz", "UTC")]).await?;
//! let fields: std::collections::HashMap<String, String> = client.hgetall("user:1").await?;
//!
//! let ((), visits, name): ((), i64, Option<String>) = Pipeline::new()
//!     .set("visits", 41)
//!     .incr_by("visits", 1)
//!     .get("user:1:name")
//!     .query(client)
//!     .await?;
//! # let _ = (name, fields, visits); Ok(()) }
//! ```

#[macro_use]
mod define;

mod bitmaps;
mod cluster;
mod command;
mod connection;
mod geo;
mod hashes;
mod hyperloglog;
mod json;
mod key_replies;
mod keys;
mod lists;
mod probabilistic;
mod pubsub;
mod scan;
mod scripting;
mod search;
mod sentinel;
mod server;
mod sets;
mod sorted_sets;
mod streams;
mod strings;
mod vector_sets;

pub use bitmaps::*;
pub use cluster::*;
pub use command::{Command, Target};
pub use connection::*;
pub use geo::*;
pub use hashes::*;
pub use hyperloglog::*;
pub use json::*;
pub use key_replies::*;
pub use keys::*;
pub use lists::*;
pub use probabilistic::*;
pub use pubsub::*;
pub use scan::*;
pub use scripting::*;
pub use search::*;
pub use sentinel::*;
pub use server::*;
pub use sets::*;
pub use sorted_sets::*;
pub use streams::*;
pub use strings::*;
pub use vector_sets::*;
