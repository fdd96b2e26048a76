//! What a program using the object mapper imports:
//! `use redis_om::prelude::*;`.
//!
//! The core's [prelude](redis_core::prelude) (the command methods,
//! `Client`, `Pipeline`, `Error`, `Result` ...) plus the derive
//! [`RedisModel`](macro@crate::RedisModel), [`Model`], [`Repository`],
//! [`Migrator`], and the stream types [`EventStream`], [`Worker`] and
//! [`Delivery`].
//!
//! ```no_run
//! use redis_om::prelude::*;
//!
//! #[derive(RedisModel)]
//! #[redis(prefix = "user")]
//! struct User {
//!     #[redis(pk)]
//!     id: String,
//!     name: String,
//! }
//!
//! # async fn run() -> Result<()> {
//! let client = Client::connect("redis://127.0.0.1:6379").await?;
//! let users = Repository::<User, _>::new(&client);
//! let id = users.save(&User { id: String::new(), name: "Ada".into() }).await?;
//! let visits = client.incrby("visits", 1).await?;
//! # let _ = (id, visits); Ok(()) }
//! ```

pub use crate::{Delivery, EventStream, Migrator, Model, RedisModel, Repository, Worker};
pub use redis_core::prelude::*;
