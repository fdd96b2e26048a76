//! `WorkerHandle`: a running worker's stats and its shutdown.

use std::sync::Arc;
use std::time::Duration;

use redis_core::{Error, ErrorKind, Result};
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
}

impl WorkerHandle {
    pub(crate) fn new(
        stop: watch::Sender<Option<Instant>>,
        task: JoinHandle<Result<()>>,
        counters: Arc<Counters>,
    ) -> Self {
        WorkerHandle {
            stop,
            task: Some(task),
            counters,
        }
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

    /// Stops the worker gracefully: no more reads, the handlers running now
    /// finish and their entries are acknowledged, then it returns the final
    /// counters. Entries waiting for a retry are left pending (delivered
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
