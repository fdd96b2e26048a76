//! Optimistic transactions (WATCH, read, MULTI ... EXEC, again if a watched
//! key changed), written once for every topology over [`Watching`].

use std::future::Future;

use crate::batch::Batch;
use crate::retry::{Backoff, ExponentialBackoff};
use crate::{Cmd, Dedicated, Error, ErrorKind, Executor, FromValue, Result, ToArgs, Transaction};

/// The pause before each new attempt of [`Watching::transaction`]: short,
/// growing, with jitter so that competing writers drift apart.
const TRANSACTION_BACKOFF: ExponentialBackoff = ExponentialBackoff {
    base: std::time::Duration::from_millis(2),
    cap: std::time::Duration::from_millis(100),
    jitter: true,
};

/// Executors that run optimistic transactions: each lends a connection of
/// its own for the WATCH ... EXEC of one transaction (a [`crate::Client`]
/// from its pool; a [`crate::ClusterClient`] from the pool of the node
/// that serves the watched keys' slot; a [`crate::Redis`] from whichever
/// it is), and [`Watching::transaction`], written once here, does the rest.
///
/// Generic code names the trait to run transactions on any topology:
///
/// ```no_run
/// use redis_core::prelude::*;
/// use redis_core::Watching;
/// /// Moves `amount` between two balances of one user (one hash slot on a
/// /// cluster, through the `{user}` hash tag).
/// async fn transfer(redis: &impl Watching, user: &str, amount: i64) -> redis_core::Result<(i64, i64)> {
///     let (from, to) = (format!("{{{user}}}:checking"), format!("{{{user}}}:savings"));
///     redis
///         .transaction(&[&from, &to], |conn| {
///             let (from, to) = (from.clone(), to.clone());
///             async move {
///                 let balance: Option<i64> = conn.get(&from).await?;
///                 if balance.unwrap_or(0) < amount {
///                     let why = redis_core::ErrorKind::InvalidInput;
///                     return Err(redis_core::Error::new(why, "not enough money"));
///                 }
///                 Ok(Transaction::new().decrby(&from, amount).incrby(&to, amount))
///             }
///         })
///         .await
/// }
/// ```
pub trait Watching: Executor {
    /// A connection of this executor's own, on the server that holds the
    /// keys `watch` (a `WATCH key ...` command) names: for one
    /// transaction, returned to its pool when dropped. A cluster refuses
    /// keys in more than one slot ([`ErrorKind::CrossSlot`]).
    fn watch_connection(&self, watch: &Cmd) -> impl Future<Output = Result<Dedicated>> + Send;

    /// How many times [`Watching::transaction`] tries in all
    /// ([`crate::Config::with_transaction_attempts`]).
    fn transaction_attempts(&self) -> u32;

    /// Refuses, before EXEC, a transaction that this executor cannot run
    /// atomically where its keys are watched (on a cluster: keys outside
    /// the watched slot). The default accepts all.
    #[doc(hidden)]
    fn check_transaction(&self, _watch: &Cmd, _transaction: &Batch) -> Result<()> {
        Ok(())
    }

    /// Told of the commands a transaction writes on the lent connection,
    /// before EXEC and after it (a client-side cache forgets those keys,
    /// which its own connection's invalidations may not cover). The
    /// default does nothing.
    #[doc(hidden)]
    fn written(&self, _transaction: &Batch) {}

    /// Runs an optimistic transaction, like redis-py's `transaction(func, *watches)`:
    /// WATCH `keys` on a connection of its own, let `build` read what it
    /// needs (on the connection it is given) and return the [`Transaction`]
    /// to run, then EXEC it. If a watched key changed meanwhile, everything
    /// is tried again from WATCH, so `build` must be safe to run more than
    /// once: up to [`crate::Config::with_transaction_attempts`] times in
    /// all (16 by default), with a short random pause, growing, before each
    /// new attempt. When every attempt met a change, the error is of kind
    /// [`ErrorKind::Watch`] and says how many were made; nothing of any
    /// attempt was applied. On a cluster the keys, watched and written,
    /// must share one hash slot (a `{hash tag}`); otherwise
    /// [`ErrorKind::CrossSlot`] before anything is written.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// let ((), balance) = client
    ///     .transaction(&["balance"], |conn| async move {
    ///         let now: Option<i64> = conn.get("balance").await?;
    ///         Ok(Transaction::new()
    ///             .set("balance", now.unwrap_or(0) + 10)
    ///             .get::<i64>("balance"))
    ///     })
    ///     .await?;
    /// # let _ = balance; Ok(()) }
    /// ```
    fn transaction<K, R, F, Fut>(
        &self,
        keys: &[K],
        mut build: F,
    ) -> impl Future<Output = Result<R>> + Send
    where
        K: ToArgs + Sync,
        R: FromValue + Send,
        F: FnMut(Dedicated) -> Fut + Send,
        Fut: Future<Output = Result<Transaction<R>>> + Send,
    {
        let mut watch = Cmd::new("WATCH");
        for key in keys {
            watch.push_arg(key);
        }
        async move {
            let attempts = self.transaction_attempts().max(1);
            let conn = self.watch_connection(&watch).await?;
            let mut attempt = 1;
            loop {
                watch.clone().query::<()>(&conn).await?;
                let built = build(conn.clone())
                    .await
                    .and_then(|tx| self.check_transaction(&watch, tx.batch()).map(|()| tx));
                let tx = match built {
                    Ok(tx) => tx,
                    Err(error) => {
                        // Leave the connection clean for the pool.
                        let _ = Cmd::new("UNWATCH").query::<()>(&conn).await;
                        return Err(error);
                    }
                };
                self.written(tx.batch());
                let outcome = tx.query(&conn).await;
                self.written(tx.batch());
                match outcome {
                    Err(error) if error.kind() == ErrorKind::Watch && attempt < attempts => {
                        tracing::debug!(attempt, "watched key changed; retrying the transaction");
                        tokio::time::sleep(TRANSACTION_BACKOFF.delay(attempt)).await;
                        attempt += 1;
                    }
                    Err(error) if error.kind() == ErrorKind::Watch => {
                        return Err(out_of_attempts(error, attempts));
                    }
                    result => return result,
                }
            }
        }
    }
}

/// The error of a transaction whose every attempt met a changed key.
fn out_of_attempts(last: Error, attempts: u32) -> Error {
    let node = last.node().map(str::to_owned);
    let error = Error::new(
        ErrorKind::Watch,
        format!(
            "the transaction gave up after {attempts} attempt{}: a watched key changed before \
             EXEC every time, and nothing was applied; raise Config::with_transaction_attempts, \
             or shorten what runs between WATCH and EXEC",
            if attempts == 1 { "" } else { "s" }
        ),
    );
    match node {
        Some(node) => error.at_node(&node),
        None => error,
    }
}
