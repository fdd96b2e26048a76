//! The worker's loop: read (or claim) as many entries as there are free
//! handler slots, start a handler task for each, and stop when asked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use redis_core::commands::{
    GroupReadFrom, StreamBound, StreamCommands, StreamEntries, StreamEntry, StreamId,
    XPendingRange, XReadGroupOptions,
};
use redis_core::{Dedicated, Error, Result};
use serde::de::DeserializeOwned;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::event_stream::RawFields;
use super::process::process;
use super::stats::Counters;
use super::worker::Shared;

mod claim;

/// The first pause after a failed read; it doubles up to [`MAX_READ_PAUSE`].
const FIRST_READ_PAUSE: Duration = Duration::from_millis(50);
const MAX_READ_PAUSE: Duration = Duration::from_secs(5);

pub(crate) struct Reader<E> {
    shared: Arc<Shared<E>>,
    stop: watch::Receiver<Option<Instant>>,
    slots: Arc<Semaphore>,
    tasks: JoinSet<()>,
    conn: Option<Dedicated>,
    /// Reading the consumer's own pending entries (after this id) rather
    /// than new ones: at start, and after a failed read, whose reply may
    /// have carried entries that are now pending without anyone knowing.
    history: Option<StreamId>,
    claim_at: Instant,
    claim_from: StreamId,
    pause: Duration,
}

impl<E: DeserializeOwned + Send + 'static> Reader<E> {
    pub(crate) fn new(shared: Arc<Shared<E>>, stop: watch::Receiver<Option<Instant>>) -> Self {
        let slots = Arc::new(Semaphore::new(shared.settings.concurrency));
        Reader {
            shared,
            stop,
            slots,
            tasks: JoinSet::new(),
            conn: None,
            history: Some(StreamId::ZERO),
            claim_at: Instant::now(),
            claim_from: StreamId::ZERO,
            pause: FIRST_READ_PAUSE,
        }
    }

    fn deadline(&self) -> Option<Instant> {
        *self.stop.borrow()
    }

    pub(crate) async fn run(mut self) -> Result<()> {
        let settings = &self.shared.settings;
        tracing::info!(
            target: "redis_om::stream",
            stream = self.shared.key(),
            group = settings.group.as_str(),
            consumer = settings.consumer.as_str(),
            concurrency = settings.concurrency,
            "worker started"
        );
        while self.deadline().is_none() {
            self.reap();
            let Some(slots) = self.free_slots().await else {
                break;
            };
            if Instant::now() >= self.claim_at {
                self.claim(slots).await;
            } else {
                self.read(slots).await;
            }
        }
        self.drain().await
    }

    /// Waits for at least one free handler slot and takes every free one;
    /// `None` when the worker is asked to stop meanwhile.
    async fn free_slots(&mut self) -> Option<Vec<OwnedSemaphorePermit>> {
        let first = tokio::select! {
            permit = self.slots.clone().acquire_owned() => permit.ok()?,
            _ = self.stop.changed() => return None,
        };
        let mut slots = vec![first];
        while let Ok(permit) = self.slots.clone().try_acquire_owned() {
            slots.push(permit);
        }
        Some(slots)
    }

    /// Collects finished handler tasks; a handler that panicked is logged
    /// (its entry stays pending and is claimed again later).
    fn reap(&mut self) {
        while let Some(done) = self.tasks.try_join_next() {
            if let Err(e) = done {
                if e.is_panic() {
                    self.count_error();
                    tracing::error!(
                        target: "redis_om::stream",
                        stream = self.shared.key(),
                        "a handler panicked; its entry stays pending and is claimed again after claim_after"
                    );
                }
            }
        }
    }

    fn count_error(&self) {
        Counters::add(&self.shared.counters.errors, 1);
    }

    async fn read(&mut self, slots: Vec<OwnedSemaphorePermit>) {
        let conn = match self.conn.clone() {
            Some(conn) => conn,
            None => {
                let opened = tokio::select! {
                    // Every pooled connection busy makes this wait: not past a shutdown.
                    conn = self.shared.client().dedicated_for(self.shared.key()) => conn,
                    _ = self.stop.changed() => return,
                };
                match opened {
                    Ok(conn) => {
                        self.conn = Some(conn.clone());
                        conn
                    }
                    Err(e) => return self.failed(e, "connecting").await,
                }
            }
        };
        let shared = self.shared.clone();
        let settings = &shared.settings;
        let mut options = XReadGroupOptions::new().count(slots.len() as u64);
        let from = match self.history {
            Some(after) => GroupReadFrom::PendingAfter(after),
            None => {
                options = options.block(settings.block);
                GroupReadFrom::Undelivered
            }
        };
        let streams = [(shared.key(), from)];
        let read = conn.xreadgroup_with::<RawFields>(
            settings.group.as_str(),
            settings.consumer.as_str(),
            &streams,
            options,
        );
        tokio::pin!(read);
        // Asked to stop while blocked: wait for the read (up to the
        // deadline) rather than drop it, so that entries the server has
        // already handed to this consumer are handled, not left pending.
        let result = tokio::select! {
            result = &mut read => result,
            _ = self.stop.changed() => {
                match self.deadline() {
                    Some(deadline) => match tokio::time::timeout_at(deadline, &mut read).await {
                        Ok(result) => result,
                        Err(_) => return,
                    },
                    None => read.await,
                }
            }
        };
        match result {
            Ok(read) => {
                self.pause = FIRST_READ_PAUSE;
                let entries: Vec<_> = read
                    .into_iter()
                    .flat_map(|s: StreamEntries<_>| s.entries)
                    .collect();
                match self.history {
                    Some(_) => self.start_pending(entries, slots).await,
                    None => {
                        for (entry, slot) in entries.into_iter().zip(slots) {
                            self.start(entry, 1, slot);
                        }
                    }
                }
            }
            Err(e) => {
                self.conn = None;
                self.history = Some(StreamId::ZERO);
                self.failed(e, "reading").await;
            }
        }
    }

    /// Starts handlers for entries of the consumer's own pending list
    /// (those no handler holds), with their delivery counts.
    async fn start_pending(
        &mut self,
        entries: Vec<StreamEntry<RawFields>>,
        slots: Vec<OwnedSemaphorePermit>,
    ) {
        let Some(last) = entries.last().map(|e| e.id) else {
            // The whole pending list was read: on to new entries.
            self.history = None;
            return;
        };
        self.history = Some(last);
        let fresh: Vec<_> = entries
            .into_iter()
            .filter(|e| !self.shared.is_in_flight(e.id))
            .collect();
        Counters::add(&self.shared.counters.claimed, fresh.len() as u64);
        self.start_counted(fresh, slots).await;
    }

    /// Starts handlers for entries delivered before, with the server's
    /// delivery counts (XPENDING), so that `max_deliveries` counts the
    /// deliveries of earlier runs and other consumers too.
    async fn start_counted(
        &mut self,
        entries: Vec<StreamEntry<RawFields>>,
        slots: Vec<OwnedSemaphorePermit>,
    ) {
        let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
            return;
        };
        let shared = self.shared.clone();
        let settings = &shared.settings;
        let range = XPendingRange::new((entries.len() + settings.concurrency) as u64 * 2)
            .start(StreamBound::Inclusive(first.id))
            .end(StreamBound::Inclusive(last.id))
            .consumer(settings.consumer.as_str());
        let counts: HashMap<StreamId, u64> = match self
            .shared
            .client()
            .xpending_range(self.shared.key(), settings.group.as_str(), range)
            .await
        {
            Ok(pending) => pending.into_iter().map(|p| (p.id, p.deliveries)).collect(),
            Err(e) => {
                // Without the counts, start them as delivered once more
                // than seen: an entry may get a delivery or two beyond
                // max_deliveries, none is lost.
                tracing::warn!(
                    target: "redis_om::stream",
                    stream = self.shared.key(),
                    error = %e,
                    "could not read delivery counts (XPENDING)"
                );
                self.count_error();
                HashMap::new()
            }
        };
        for (entry, slot) in entries.into_iter().zip(slots) {
            let deliveries = counts.get(&entry.id).copied().unwrap_or(1);
            self.start(entry, deliveries, slot);
        }
    }

    fn start(
        &mut self,
        entry: StreamEntry<RawFields>,
        deliveries: u64,
        slot: OwnedSemaphorePermit,
    ) {
        crate::stream::lock(&self.shared.in_flight).insert(entry.id);
        let task = process(
            self.shared.clone(),
            entry,
            deliveries,
            slot,
            self.stop.clone(),
        );
        self.tasks.spawn(task);
    }

    /// Logs and counts a failed read or claim, then waits (less if asked
    /// to stop) before the next attempt, longer after each failure.
    async fn failed(&mut self, error: Error, doing: &str) {
        self.count_error();
        if error.code() == Some("NOGROUP") {
            // The server lost the group (a restart without persistence, a
            // DEL of the stream): create it again.
            if let Err(e) = self.shared.ensure_group().await {
                tracing::warn!(target: "redis_om::stream", stream = self.shared.key(), error = %e, "could not create the group again");
            }
        }
        tracing::warn!(
            target: "redis_om::stream",
            stream = self.shared.key(),
            group = self.shared.settings.group.as_str(),
            consumer = self.shared.settings.consumer.as_str(),
            error = %error,
            retry_in = ?self.pause,
            "worker {doing} failed; retrying"
        );
        let pause = self.pause;
        self.pause = (self.pause * 2).min(MAX_READ_PAUSE);
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = self.stop.changed() => {}
        }
    }

    /// After the loop: waits for running handlers until the deadline, then
    /// abandons the rest.
    async fn drain(mut self) -> Result<()> {
        let deadline = self.deadline().unwrap_or_else(Instant::now);
        let wait = async {
            while let Some(done) = self.tasks.join_next().await {
                if let Err(e) = done {
                    if e.is_panic() {
                        Counters::add(&self.shared.counters.errors, 1);
                    }
                }
            }
        };
        let finished = tokio::time::timeout_at(deadline, wait).await.is_ok();
        let abandoned = self.tasks.len();
        self.tasks.abort_all();
        // What finished is acknowledged before the worker says it stopped
        // (bounded on its own: the handlers may have used the deadline up).
        let flushed = deadline.max(Instant::now()) + std::time::Duration::from_secs(5);
        let _ = tokio::time::timeout_at(flushed, self.shared.acker.flush()).await;
        tracing::info!(
            target: "redis_om::stream",
            stream = self.shared.key(),
            group = self.shared.settings.group.as_str(),
            consumer = self.shared.settings.consumer.as_str(),
            abandoned,
            "worker stopped"
        );
        if finished {
            Ok(())
        } else {
            Err(Error::new(
                redis_core::ErrorKind::Timeout,
                format!(
                    "{abandoned} handlers were still running at the shutdown deadline; their entries stay pending and will be delivered again"
                ),
            ))
        }
    }
}
