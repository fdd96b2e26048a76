//! Acknowledgements sent behind the handlers: a handler that succeeded
//! hands its entry here and frees its slot at once, so the worker reads
//! its next entries while the `XACK`s of the last ones are on their way,
//! several ids to an `XACK`. The entry stays marked in flight until its
//! `XACK` came back, so it is never handed to a second handler meanwhile;
//! shutdown flushes what is queued before it returns.

use std::sync::Arc;
use std::time::Duration;

use redis_core::Redis;
use redis_core::commands::{StreamCommands, StreamId};
use tokio::sync::{mpsc, oneshot};

use super::stats::Counters;

/// How often an `XACK` is tried before its entries are left pending (to
/// be delivered again: at least once, never lost).
const ATTEMPTS: u32 = 8;

/// The most ids one `XACK` carries.
const MAX_BATCH: usize = 512;

enum Message {
    /// Acknowledge the entry; the guard marks it in flight until then.
    Ack(StreamId, Box<dyn Send>),
    /// Answer once everything queued before was sent.
    Flush(oneshot::Sender<()>),
}

/// The queue of acknowledgements and the task that sends them.
pub(crate) struct Acker {
    queue: mpsc::UnboundedSender<Message>,
}

impl Acker {
    /// Starts the task on `runtime`. It ends once the acker is dropped and
    /// its queue is empty.
    pub(crate) fn start(
        runtime: &tokio::runtime::Handle,
        client: Redis,
        key: String,
        group: String,
        counters: Arc<Counters>,
    ) -> Acker {
        let (queue, messages) = mpsc::unbounded_channel();
        runtime.spawn(run(messages, client, key, group, counters));
        Acker { queue }
    }

    /// Queues `id`'s acknowledgement; `in_flight` is dropped once it was
    /// sent (or given up on: the entry then stays pending).
    pub(crate) fn ack(&self, id: StreamId, in_flight: Box<dyn Send>) {
        // A closed queue means the worker is gone: the entry stays pending
        // and is delivered again, as after a crash.
        let _ = self.queue.send(Message::Ack(id, in_flight));
    }

    /// Waits until every acknowledgement queued so far was sent.
    pub(crate) async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.queue.send(Message::Flush(done)).is_ok() {
            let _ = flushed.await;
        }
    }
}

async fn run(
    mut messages: mpsc::UnboundedReceiver<Message>,
    client: Redis,
    key: String,
    group: String,
    counters: Arc<Counters>,
) {
    while let Some(first) = messages.recv().await {
        let mut ids = Vec::new();
        let mut guards = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Ack(id, guard) => {
                    ids.push(id);
                    guards.push(guard);
                }
                Message::Flush(done) => flushes.push(done),
            }
            if ids.len() < MAX_BATCH {
                next = messages.try_recv().ok();
            }
        }
        if !ids.is_empty() {
            xack(&client, &key, &group, &ids, &counters).await;
        }
        drop(guards);
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// `XACK key group ids...`, tried again on failure; counts the entries it
/// acknowledged (0 for one another consumer acknowledged first, having
/// claimed it while its handler ran: counted where that happened).
async fn xack(client: &Redis, key: &str, group: &str, ids: &[StreamId], counters: &Counters) {
    for attempt in 0..ATTEMPTS {
        match client.xack(key, group, ids).await {
            Ok(acked) => {
                Counters::add(&counters.acked, acked);
                return;
            }
            Err(e) => {
                Counters::add(&counters.errors, 1);
                tracing::warn!(target: "redis_om::stream", stream = key, entries = ids.len(), attempt, error = %e, "XACK failed");
                let pause = Duration::from_millis(50).saturating_mul(1 << attempt.min(5));
                tokio::time::sleep(pause).await;
            }
        }
    }
}
