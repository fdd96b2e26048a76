//! A worker's counters.

use std::sync::atomic::{AtomicU64, Ordering};

/// What a [`Worker`](super::Worker) has done since it started, from
/// [`WorkerHandle::stats`](super::WorkerHandle::stats).
///
/// ```
/// let stats = redis_om::WorkerStats::default();
/// assert_eq!(stats.acked, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerStats {
    /// Handler calls: each delivery of an entry to the handler, retries
    /// included.
    pub delivered: u64,
    /// Entries acknowledged (XACK replied that they were pending): each
    /// entry of the group is counted once, by the worker that acked it.
    pub acked: u64,
    /// Handler failures that were retried after a backoff.
    pub retried: u64,
    /// Entries moved to the dead-letter stream (and then acknowledged).
    pub dead_lettered: u64,
    /// Entries taken over from other consumers (XAUTOCLAIM), or found
    /// pending for this consumer when it started.
    pub claimed: u64,
    /// Failed reads and other errors the worker logged and recovered from.
    pub errors: u64,
}

/// The live counters behind [`WorkerStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) delivered: AtomicU64,
    pub(crate) acked: AtomicU64,
    pub(crate) retried: AtomicU64,
    pub(crate) dead_lettered: AtomicU64,
    pub(crate) claimed: AtomicU64,
    pub(crate) errors: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> WorkerStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        WorkerStats {
            delivered: get(&self.delivered),
            acked: get(&self.acked),
            retried: get(&self.retried),
            dead_lettered: get(&self.dead_lettered),
            claimed: get(&self.claimed),
            errors: get(&self.errors),
        }
    }
}
