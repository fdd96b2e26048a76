//! Optimistic transactions on a cluster: [`crate::Watching`]'s one helper,
//! on a connection lent by the pool of the node that serves the watched
//! keys' slot.

use super::client::ClusterClient;
use super::routing::{Route, route};
use crate::batch::Batch;
use crate::{Cmd, Dedicated, Error, ErrorKind, Result, Watching};

impl ClusterClient {
    /// An exclusive connection to the primary that serves `key`'s slot now, lent by that
    /// node's pool (see [`Dedicated`]): for blocking reads (`XREADGROUP ... BLOCK`,
    /// `BLPOP`) that would otherwise hold up the node's shared connection. It stays on
    /// that node: after the slot moves, its commands on the key answer `MOVED`, and a
    /// new one must be taken.
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// # async fn run(cluster: redis_core::ClusterClient) -> redis_core::Result<()> {
    /// let conn = cluster.dedicated_for("jobs").await?;
    /// let job = conn.blpop::<String>(["jobs"], std::time::Duration::from_secs(5)).await?;
    /// # let _ = job; Ok(()) }
    /// ```
    pub async fn dedicated_for(&self, key: impl AsRef<[u8]>) -> Result<Dedicated> {
        self.dedicated_on_slot(super::key_slot(key.as_ref())).await
    }

    async fn dedicated_on_slot(&self, slot: u16) -> Result<Dedicated> {
        let node = self.slot_owner(slot).ok_or_else(|| {
            Error::new(
                ErrorKind::Io,
                format!("no primary serves slot {slot} now (a failover in progress?)"),
            )
        })?;
        let client = self.inner.nodes.get(&node).await?;
        client.dedicated().await
    }
}

impl Watching for ClusterClient {
    /// A connection to the primary of the watched keys' slot; keys in more
    /// than one slot are refused ([`ErrorKind::CrossSlot`]), and so is a
    /// transaction that watches nothing, since the keys choose the node.
    async fn watch_connection(&self, watch: &Cmd) -> Result<Dedicated> {
        let slot = match route(std::slice::from_ref(watch))? {
            Route::Slot(slot) => slot,
            _ => {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    "a transaction on a cluster watches at least one key: its slot chooses \
                     the node; without keys to watch, send a Transaction as it is",
                )
                .with_command("WATCH"));
            }
        };
        self.dedicated_on_slot(slot).await
    }

    fn transaction_attempts(&self) -> u32 {
        self.inner.nodes.template().transaction_attempts
    }

    /// The transaction's keys must be in the watched slot: checked before
    /// EXEC, so nothing is applied otherwise.
    fn check_transaction(&self, watch: &Cmd, transaction: &Batch) -> Result<()> {
        let mut all = vec![watch.clone()];
        all.extend(transaction.to_cmds());
        route(&all).map(|_| ())
    }
}
