//! The worker's recovery pass: take over entries other consumers left
//! idle (XAUTOCLAIM), and remove consumers long gone.

use std::time::Duration;

use redis_core::commands::{StreamCommands, StreamId};
use serde::de::DeserializeOwned;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use super::Reader;
use crate::stream::event_stream::RawFields;
use crate::stream::stats::Counters;

impl<E: DeserializeOwned + Send + 'static> Reader<E> {
    /// Takes over entries idle longer than `claim_after` (XAUTOCLAIM).
    pub(super) async fn claim(&mut self, slots: Vec<OwnedSemaphorePermit>) {
        let shared = self.shared.clone();
        let settings = &shared.settings;
        let claimed = shared
            .client()
            .xautoclaim::<RawFields>(
                self.shared.key(),
                settings.group.as_str(),
                settings.consumer.as_str(),
                settings.claim_after,
                self.claim_from,
                slots.len() as u64,
            )
            .await;
        let claimed = match claimed {
            Ok(claimed) => claimed,
            Err(e) => {
                self.claim_at = Instant::now() + settings.claim_every;
                return self.failed(e, "claiming").await;
            }
        };
        // A cursor other than 0-0 means more of the pending list is left
        // to scan: go on at once rather than after claim_every.
        self.claim_from = claimed.next;
        self.claim_at = if claimed.next == StreamId::ZERO {
            Instant::now() + settings.claim_every
        } else {
            Instant::now()
        };
        if !claimed.deleted.is_empty() {
            tracing::warn!(
                target: "redis_om::stream",
                stream = self.shared.key(),
                count = claimed.deleted.len(),
                "pending entries were deleted from the stream before being handled; the server dropped them"
            );
        }
        if claimed.next == StreamId::ZERO {
            if let Some(idle) = settings.remove_idle_after {
                self.remove_idle_consumers(idle).await;
            }
        }
        let fresh: Vec<_> = claimed
            .claimed
            .into_iter()
            .filter(|e| !self.shared.is_in_flight(e.id))
            .collect();
        if !fresh.is_empty() {
            tracing::info!(
                target: "redis_om::stream",
                stream = self.shared.key(),
                group = settings.group.as_str(),
                consumer = settings.consumer.as_str(),
                count = fresh.len(),
                "claimed entries left idle by other consumers"
            );
        }
        Counters::add(&self.shared.counters.claimed, fresh.len() as u64);
        self.start_counted(fresh, slots).await;
    }

    /// XGROUP DELCONSUMER for the other consumers idle longer than `idle`
    /// with nothing pending (removing one with pending entries would drop
    /// them from the group: they wait to be claimed first).
    async fn remove_idle_consumers(&mut self, idle: Duration) {
        let shared = self.shared.clone();
        let settings = &shared.settings;
        let consumers = shared
            .client()
            .xinfo_consumers(shared.key(), settings.group.as_str())
            .await;
        let consumers = match consumers {
            Ok(consumers) => consumers,
            Err(e) => return self.failed(e, "listing consumers").await,
        };
        for consumer in consumers {
            if consumer.name == settings.consumer || consumer.pending > 0 || consumer.idle < idle {
                continue;
            }
            let removed = shared
                .client()
                .xgroup_delconsumer(
                    shared.key(),
                    settings.group.as_str(),
                    consumer.name.as_str(),
                )
                .await;
            match removed {
                Ok(_) => tracing::info!(
                    target: "redis_om::stream",
                    stream = shared.key(),
                    group = settings.group.as_str(),
                    consumer = consumer.name.as_str(),
                    idle = ?consumer.idle,
                    "removed an idle consumer"
                ),
                Err(e) => return self.failed(e, "removing an idle consumer").await,
            }
        }
    }
}
