//! `Processed`: which entries a handler already acted on, for effectively
//! once processing on top of at-least-once delivery.

use std::fmt;
use std::time::Duration;

use redis_core::commands::{KeyCommands, SetOptions, StreamId, StringCommands};
use redis_core::{Client, Executor, Result};

/// A set of handled entry ids, each remembered for a time to live: one key
/// per id, `{prefix}:{id}`, written with `SET ... NX PX ttl`, so marking is
/// one atomic round trip, and each id is forgotten on its own when its time
/// is up.
///
/// A [`Worker`](super::Worker) delivers each entry at least once: a
/// handler whose worker crashed after the handler's side effect but before
/// the XACK sees the entry again. A handler that must not repeat its effect
/// marks the id first and skips the entry if it was marked already; if its
/// work then fails, it [`forget`](Processed::forget)s the id so the retry
/// runs. The time to live must be longer than an entry can take to come
/// back (`claim_after` plus retries).
///
/// For exactly-once effects the mark and the effect must be one atomic
/// write (both in one MULTI, or the effect's own idempotency key); this
/// helper closes the common gap of a crash between effect and XACK.
///
/// ```no_run
/// use std::time::Duration;
/// use redis_om::{Delivery, Processed};
/// # #[derive(serde::Serialize, serde::Deserialize)] struct Order { id: String }
/// # async fn charge(order: &Order) -> Result<(), String> { Ok(()) }
/// # async fn run(client: redis_om::core::Client) -> Result<(), String> {
/// let done = Processed::new(client, "orders:billing:done", Duration::from_secs(86_400));
/// let handler = move |d: Delivery<Order>| {
///     let done = done.clone();
///     async move {
///         if !done.first_time(d.id()).await.map_err(|e| e.to_string())? {
///             return Ok(()); // handled before: acknowledge, do nothing
///         }
///         if let Err(e) = charge(d.value()).await {
///             done.forget(d.id()).await.map_err(|e| e.to_string())?;
///             return Err(e);
///         }
///         Ok(())
///     }
/// };
/// # let _ = handler; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Processed<X = Client> {
    executor: X,
    prefix: String,
    ttl: Duration,
}

impl<X> fmt::Debug for Processed<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Processed")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl<X: Executor> Processed<X> {
    /// The set under the keys `{prefix}:{id}`, each kept for `ttl` (at
    /// least a millisecond).
    ///
    /// ```no_run
    /// # fn run(client: redis_om::core::Client) {
    /// let done = redis_om::Processed::new(client, "mail:sent", std::time::Duration::from_secs(3600));
    /// # }
    /// ```
    pub fn new(executor: X, prefix: impl Into<String>, ttl: Duration) -> Self {
        Processed {
            executor,
            prefix: prefix.into(),
            ttl: ttl.max(Duration::from_millis(1)),
        }
    }

    fn key(&self, id: StreamId) -> String {
        format!("{}:{id}", self.prefix)
    }

    /// Marks `id` as processed; `true` if it was not marked before (go
    /// ahead), `false` if it was (skip it).
    ///
    /// ```no_run
    /// # async fn run(done: redis_om::Processed, id: redis_om::core::commands::StreamId) -> redis_om::core::Result<()> {
    /// if done.first_time(id).await? {
    ///     // act on the entry
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn first_time(&self, id: StreamId) -> Result<bool> {
        let options = SetOptions::new().if_missing().expire_in(self.ttl);
        let outcome = self.executor.set_with(self.key(id), "1", options).await?;
        Ok(outcome.is_set())
    }

    /// Whether `id` is marked, without marking it.
    ///
    /// ```no_run
    /// # async fn run(done: redis_om::Processed, id: redis_om::core::commands::StreamId) -> redis_om::core::Result<()> {
    /// let seen = done.contains(id).await?;
    /// # let _ = seen; Ok(()) }
    /// ```
    pub async fn contains(&self, id: StreamId) -> Result<bool> {
        Ok(self.executor.exists(self.key(id)).await? > 0)
    }

    /// Removes the mark of `id`, so that a retry of a failed handler runs.
    ///
    /// ```no_run
    /// # async fn run(done: redis_om::Processed, id: redis_om::core::commands::StreamId) -> redis_om::core::Result<()> {
    /// done.forget(id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn forget(&self, id: StreamId) -> Result<()> {
        self.executor.del(self.key(id)).await?;
        Ok(())
    }
}
