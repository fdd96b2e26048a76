//! One entry's life in a worker: handle, then acknowledge; or retry after a
//! backoff; or, after the last allowed delivery, dead-letter and
//! acknowledge.

use std::sync::Arc;
use std::time::Duration;

use redis_core::commands::{StreamCommands, StreamEntry, StreamId};
use serde::de::DeserializeOwned;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::time::Instant;

use super::delivery::Delivery;
use super::event_stream::{RawFields, decode_entry};
use super::stats::Counters;
use super::worker::{MAX_BACKOFF, Shared};

/// How often an XACK or a dead letter's XADD is tried before the entry is
/// left pending (to be delivered again: at least once, never lost).
const WRITE_ATTEMPTS: u32 = 8;

/// Takes the entry off the in-flight set however the task ends (finished,
/// or aborted at shutdown's deadline).
struct InFlight<E> {
    shared: Arc<Shared<E>>,
    id: StreamId,
}

impl<E> Drop for InFlight<E> {
    fn drop(&mut self) {
        crate::stream::lock(&self.shared.in_flight).remove(&self.id);
    }
}

/// The pause before delivery `deliveries + 1`: the base, doubled per
/// delivery so far, at most [`MAX_BACKOFF`].
fn backoff(base: Duration, deliveries: u64) -> Duration {
    let doublings = u32::try_from(deliveries.saturating_sub(1))
        .unwrap_or(u32::MAX)
        .min(16);
    base.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

pub(crate) async fn process<E: DeserializeOwned + Send + 'static>(
    shared: Arc<Shared<E>>,
    entry: StreamEntry<RawFields>,
    mut deliveries: u64,
    _slot: OwnedSemaphorePermit,
    mut stop: watch::Receiver<Option<Instant>>,
) {
    let id = entry.id;
    let in_flight = InFlight {
        shared: shared.clone(),
        id,
    };
    let mut fields = entry.fields;
    let settings = &shared.settings;
    loop {
        if fields.is_empty() {
            // Deleted from the stream while pending: nothing to handle.
            tracing::warn!(target: "redis_om::stream", stream = shared.key(), %id, "a pending entry was deleted before being handled; acknowledging it");
            shared.acker.ack(id, Box::new(in_flight));
            return;
        }
        let value = match decode_entry::<E>(shared.key(), id, &fields) {
            Ok(value) => value,
            Err(e) => {
                // No retry can make these bytes decode.
                dead_letter(&shared, id, &fields, &e.to_string(), deliveries).await;
                return;
            }
        };
        Counters::add(&shared.counters.delivered, 1);
        let failure = match (shared.handler)(Delivery::new(id, deliveries, value)).await {
            Ok(()) => {
                // The slot is free once this returns; the entry stays in
                // flight until its XACK came back.
                shared.acker.ack(id, Box::new(in_flight));
                return;
            }
            Err(failure) => failure,
        };
        if deliveries >= settings.max_deliveries {
            dead_letter(&shared, id, &fields, &failure, deliveries).await;
            return;
        }
        Counters::add(&shared.counters.retried, 1);
        let pause = backoff(settings.retry_backoff, deliveries);
        tracing::warn!(
            target: "redis_om::stream",
            stream = shared.key(),
            group = settings.group.as_str(),
            %id,
            deliveries,
            error = failure.as_str(),
            retry_in = ?pause,
            "handler failed; retrying"
        );
        let stopping = async {
            loop {
                if stop.borrow_and_update().is_some() || stop.changed().await.is_err() {
                    return;
                }
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            // Shutting down: leave the entry pending for the next run.
            _ = stopping => return,
        }
        // XCLAIM counts the delivery on the server. Only if the entry was
        // idle all the pause: if another consumer claimed it meanwhile, it
        // is theirs now.
        let again = shared
            .client()
            .xclaim::<RawFields>(
                shared.key(),
                settings.group.as_str(),
                settings.consumer.as_str(),
                pause,
                &[id],
            )
            .await;
        match again {
            Ok(mut entries) => match entries.pop() {
                Some(entry) => {
                    fields = entry.fields;
                    deliveries += 1;
                }
                None => return,
            },
            Err(e) => {
                // Still pending: claimed again after claim_after.
                Counters::add(&shared.counters.errors, 1);
                tracing::warn!(target: "redis_om::stream", stream = shared.key(), %id, error = %e, "could not take a failed entry back for its retry");
                return;
            }
        }
    }
}

/// XACK, tried again on failure; counts the entries it acknowledged.
async fn ack<E>(shared: &Shared<E>, id: StreamId) -> bool {
    let settings = &shared.settings;
    for attempt in 0..WRITE_ATTEMPTS {
        match shared
            .client()
            .xack(shared.key(), settings.group.as_str(), &[id])
            .await
        {
            Ok(acked) => {
                // 0 when someone else acknowledged it first (it was claimed
                // while this handler ran): counted where it happened.
                Counters::add(&shared.counters.acked, acked);
                return true;
            }
            Err(e) => {
                Counters::add(&shared.counters.errors, 1);
                tracing::warn!(target: "redis_om::stream", stream = shared.key(), %id, attempt, error = %e, "XACK failed");
                tokio::time::sleep(backoff(Duration::from_millis(50), u64::from(attempt) + 1))
                    .await;
            }
        }
    }
    false
}

/// Adds the entry to the dead-letter stream, then acknowledges it.
async fn dead_letter<E>(
    shared: &Shared<E>,
    id: StreamId,
    fields: &RawFields,
    error: &str,
    deliveries: u64,
) {
    let settings = &shared.settings;
    let mut letter: Vec<(&[u8], Vec<u8>)> = fields
        .iter()
        .map(|(name, value)| (name.as_slice(), value.clone()))
        .collect();
    letter.push((b"_id", id.to_string().into_bytes()));
    letter.push((b"_stream", shared.key().as_bytes().to_vec()));
    letter.push((b"_group", settings.group.as_bytes().to_vec()));
    letter.push((b"_error", error.as_bytes().to_vec()));
    letter.push((b"_deliveries", deliveries.to_string().into_bytes()));
    for attempt in 0..WRITE_ATTEMPTS {
        match shared
            .client()
            .xadd(settings.dead_letter.as_str(), &letter)
            .await
        {
            Ok(dead) => {
                tracing::error!(
                    target: "redis_om::stream",
                    stream = shared.key(),
                    group = settings.group.as_str(),
                    %id,
                    deliveries,
                    error,
                    dead_letter = settings.dead_letter.as_str(),
                    dead_id = %dead,
                    "entry moved to the dead-letter stream"
                );
                if ack(shared, id).await {
                    Counters::add(&shared.counters.dead_lettered, 1);
                }
                return;
            }
            Err(e) => {
                Counters::add(&shared.counters.errors, 1);
                tracing::warn!(target: "redis_om::stream", stream = shared.key(), %id, attempt, error = %e, "XADD to the dead-letter stream failed");
                tokio::time::sleep(backoff(Duration::from_millis(50), u64::from(attempt) + 1))
                    .await;
            }
        }
    }
}
