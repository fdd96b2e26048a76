//! Typed streams and background workers on consumer groups.
//!
//! - [`EventStream<E>`]: a Redis stream of values of `E` (XADD, XRANGE,
//!   XREVRANGE, XREAD), written and read through serde.
//! - [`Worker`]: a consumer of a group that runs a handler on each entry,
//!   at least once, with retries, a dead-letter stream, recovery of what
//!   crashed consumers left pending, back-pressure and graceful shutdown;
//!   [`WorkerHandle`] and [`WorkerStats`] for the running worker,
//!   [`Delivery`] for what the handler gets.
//! - [`Processed`]: a set of handled ids with a time to live, for handlers
//!   that must act once per entry although delivery is at least once.
//!
//! ```no_run
//! use std::time::Duration;
//! use redis_om::{Delivery, EventStream, Worker};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Signup { email: String, plan: String }
//!
//! # async fn run() -> redis_om::core::Result<()> {
//! let client = redis_om::core::Client::connect("redis://127.0.0.1:6379").await?;
//! let signups = EventStream::<Signup>::new(client, "signups").max_len(1_000_000);
//! signups.add(&Signup { email: "ada@example.com".into(), plan: "pro".into() }).await?;
//!
//! let mailer = Worker::new(signups, "mailer", "mailer-1")
//!     .concurrency(8)
//!     .run(|d: Delivery<Signup>| async move {
//!         println!("welcome mail to {}", d.value().email);
//!         Ok::<(), String>(())
//!     })
//!     .await?;
//! mailer.shutdown(Duration::from_secs(10)).await?;
//! # Ok(()) }
//! ```

mod acker;
mod delivery;
mod event_stream;
mod fields_de;
mod fields_ser;
mod handle;
mod process;
mod processed;
mod reader;
mod stats;
mod worker;

#[cfg(test)]
mod tests;

pub use delivery::Delivery;
pub use event_stream::{EventStream, TypedEntry};
pub(crate) use fields_de::from_fields;
pub use handle::WorkerHandle;
pub use processed::Processed;
pub use stats::WorkerStats;
pub use worker::Worker;

/// Locks a mutex whose data stays consistent even if a holder panicked
/// (the sets it guards are changed by single inserts and removes).
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
