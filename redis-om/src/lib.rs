//! Typed data access over [`redis_core`]: repositories, typed queries, index
//! migrations, locks, atomic operations, typed channels and stream workers.
//!
//! The object mapper lands with its own issues. Today this crate re-exports the
//! core client, so an application can already depend on this one crate:
//!
//! ```no_run
//! # async fn run() -> Result<(), redis_om::core::Error> {
//! let client = redis_om::core::Client::connect("redis://127.0.0.1:6379").await?;
//! let pong: String = redis_om::core::Cmd::new("PING").query(&client).await?;
//! # let _ = pong; Ok(()) }
//! ```

pub use redis_core as core;
