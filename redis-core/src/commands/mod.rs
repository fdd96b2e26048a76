//! Typed command methods, one extension trait per command group, written once
//! over [`Executor`](crate::Executor) so they work on every topology and
//! connection kind.
//!
//! Bring them into scope with `use redis_core::commands::*;`. Every method
//! builds a [`Cmd`](crate::Cmd) and converts the reply into the type the
//! caller asks for; anything not covered yet can be sent with `Cmd` directly.
//!
//! ```no_run
//! # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
//! use redis_core::commands::*;
//! client.set("user:1:name", "Ada").await?;
//! let name: Option<String> = client.get("user:1:name").await?;
//! client.hset("user:1", &[("lang", "en"), ("tz", "UTC")]).await?;
//! let fields: std::collections::HashMap<String, String> = client.hgetall("user:1").await?;
//! # let _ = (name, fields); Ok(()) }
//! ```

mod hashes;
mod keys;
mod lists;
mod strings;

pub use hashes::HashCommands;
pub use keys::KeyCommands;
pub use lists::ListCommands;
pub use strings::StringCommands;
