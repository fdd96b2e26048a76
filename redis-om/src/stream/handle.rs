//! `WorkerHandle`: a running worker's stats and its shutdown.

use std::sync::Arc;
use std::time::Duration;

use redis_core::commands::{GroupInfo, KeyCommands, StreamCommands};
use redis_core::{Error, ErrorKind, Redis, Result};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::stats::{Counters, WorkerStats};

/// A running [`Worker`](super::Worker): its counters, and the way to stop it.
///
/// Dropping the handle without [`shutdown`](Self::shutdown) aborts the
/// worker at once, as a crash would: entries being handled are neither
/// finished nor acknowledged, and are delivered again (to this consumer
/// name when it starts again, or to another worker after `claim_after`).
///
/// ```no_run
/// # async fn run(worker: redis_om::WorkerHandle) -> redis_om::core::Result<()> {
/// let now = worker.stats();
/// println!("{} handled, {} dead-lettered", now.acked, now.dead_lettered);
/// worker.shutdown(std::time::Duration::from_secs(10)).await?;
/// # Ok(()) }
/// ```
#[must_use = "dropping the handle aborts the worker"]
#[derive(Debug)]
pub struct WorkerHandle {
    stop: watch::Sender<Option<Instant>>,
    task: Option<JoinHandle<Result<()>>>,
    counters: Arc<Counters>,
    group: GroupOf,
}

/// Where the worker's group is, for [`WorkerHandle::group`].
#[derive(Debug)]
pub(crate) struct GroupOf {
    pub(crate) client: Redis,
    pub(crate) key: String,
    pub(crate) group: String,
}

impl WorkerHandle {
    pub(crate) fn new(
        stop: watch::Sender<Option<Instant>>,
        task: JoinHandle<Result<()>>,
        counters: Arc<Counters>,
        group: GroupOf,
    ) -> Self {
        WorkerHandle {
            stop,
            task: Some(task),
            counters,
            group,
        }
    }

    /// The group as the server sees it now (XINFO GROUPS): its pending
    /// count (delivered, not yet acknowledged, across all its consumers),
    /// its lag (entries not yet delivered; Redis 7.0+) and its consumers.
    /// `None` if the group is gone (the stream was deleted).
    ///
    /// ```no_run
    /// # async fn run(worker: &redis_om::WorkerHandle) -> redis_om::core::Result<()> {
    /// if let Some(group) = worker.group().await? {
    ///     println!("{} pending, {:?} not yet delivered", group.pending, group.lag);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn group(&self) -> Result<Option<GroupInfo>> {
        let (client, key) = (&self.group.client, self.group.key.as_str());
        let groups = match client.xinfo_groups(key).await {
            Ok(groups) => groups,
            // XINFO refuses a missing key; no stream means no group. The
            // stream may have been created in between (by this very worker,
            // making its group again): then ask once more.
            Err(e) if e.kind() == ErrorKind::Server => {
                if client.exists(key).await? == 0 {
                    return Ok(None);
                }
                client.xinfo_groups(key).await?
            }
            Err(e) => return Err(e),
        };
        Ok(groups.into_iter().find(|g| g.name == self.group.group))
    }

    /// The counters so far.
    ///
    /// ```no_run
    /// # fn run(worker: &redis_om::WorkerHandle) {
    /// let stats = worker.stats();
    /// assert!(stats.acked <= stats.delivered);
    /// # }
    /// ```
    pub fn stats(&self) -> WorkerStats {
        self.counters.snapshot()
    }

    /// Stops the worker gracefully: no more reads (a read already blocked
    /// is waited for, and what it brings is handled too, so the server has
    /// handed this consumer nothing that is left behind), the handlers
    /// running now finish and their entries are acknowledged, then it
    /// returns the final counters. Entries waiting for a retry are left pending (delivered
    /// again later). Handlers still running after `deadline` are abandoned
    /// (their entries stay pending, and are delivered again later), and the
    /// result is an error of kind [`ErrorKind::Timeout`] that says how
    /// many.
    ///
    /// ```no_run
    /// # async fn run(worker: redis_om::WorkerHandle) -> redis_om::core::Result<()> {
    /// let stats = worker.shutdown(std::time::Duration::from_secs(10)).await?;
    /// # let _ = stats; Ok(()) }
    /// ```
    pub async fn shutdown(mut self, deadline: Duration) -> Result<WorkerStats> {
        let until = Instant::now() + deadline;
        // Ignored when the worker task has already ended (it panicked):
        // joining it below says so.
        let _ = self.stop.send(Some(until));
        let Some(task) = self.task.take() else {
            return Ok(self.stats());
        };
        match task.await {
            Ok(Ok(())) => Ok(self.stats()),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(Error::new(
                ErrorKind::Closed,
                format!("the worker's task ended abnormally: {e}"),
            )),
        }
    }

    /// Stops the worker now, as a crash would (see the type's docs);
    /// nothing running is finished or acknowledged.
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::WorkerHandle) {
    /// worker.abort();
    /// # }
    /// ```
    pub fn abort(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
