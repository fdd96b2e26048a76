//! A blocking facade over [`Client`](crate::Client), for programs and
//! scripts without an async runtime of their own (as reqwest's `blocking`
//! module is to reqwest).
//!
//! It runs the same typed commands: every method of
//! [`commands`](crate::commands) works on a [`blocking::Client`](Client) and
//! returns the reply itself instead of a future, since the facade is one
//! more [`Target`]. There is no second list of commands; anything else
//! async (pipelines, transactions, scripts) runs through
//! [`Client::block_on`].
//!
//! ```no_run
//! use redis_core::blocking::Client;
//! use redis_core::prelude::*;
//!
//! # fn run() -> redis_core::Result<()> {
//! let client = Client::connect("redis://127.0.0.1:6379")?;
//! client.set("greeting", "hello")?;
//! let greeting: Option<String> = client.get("greeting")?;
//!
//! let pipe = Pipeline::new().incrby("visits", 1).get::<i64>("visits");
//! let (visits, read) = client.block_on(pipe.query(client.as_async()))?;
//! # let _ = (greeting, visits, read); Ok(()) }
//! ```
//!
//! It costs one thread: a tokio runtime with one worker, owned by the
//! client, which also keeps the connection alive between calls (reconnects
//! and timeouts run there). Calling it from inside an async runtime blocks
//! that runtime's thread; use the async [`Client`](crate::Client) there.

use std::future::Future;

use crate::commands::{Command, Target};
use crate::{FromValue, IntoConfig, Result};

/// A [`crate::Client`] with its own runtime; every call blocks until the
/// reply is in. Cheap to share by reference across threads (`&Client` is
/// what the typed methods take).
pub struct Client {
    // Dropped first: the client's connections close while the runtime runs.
    client: crate::Client,
    runtime: tokio::runtime::Runtime,
}

/// As the async client shows itself: server, protocol and database.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.client, f)
    }
}

impl Client {
    /// Starts the runtime and connects (see [`crate::Client::connect`]).
    pub fn connect(target: impl IntoConfig) -> Result<Client> {
        refuse_inside_a_runtime()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("redis-core-blocking")
            .enable_all()
            .build()
            .map_err(|e| crate::Error::io("starting the blocking client's runtime", e))?;
        let client = runtime.block_on(crate::Client::connect(target))?;
        Ok(Client { client, runtime })
    }

    /// Runs any future to completion on the client's runtime: for pipelines,
    /// transactions, scripts and everything else of the async API.
    ///
    /// # Panics
    ///
    /// When called from inside an async runtime (tokio refuses to block one
    /// of its threads); the typed commands return an error instead.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The async client inside, to build futures for [`Client::block_on`].
    pub fn as_async(&self) -> &crate::Client {
        &self.client
    }
}

/// Typed commands sent through a blocking client return their reply.
impl Target for &Client {
    type Out<T: FromValue> = Result<T>;

    fn send<T: FromValue>(self, command: Command<T>) -> Result<T> {
        refuse_inside_a_runtime()?;
        self.runtime.block_on(command.query(&self.client))
    }
}

/// Blocking inside an async runtime would stall (tokio panics): an error
/// that says which client to use there.
fn refuse_inside_a_runtime() -> Result<()> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => Err(crate::Error::config(
            "the blocking client was called from inside an async runtime; use redis_core::Client there",
        )),
        Err(_) => Ok(()),
    }
}
