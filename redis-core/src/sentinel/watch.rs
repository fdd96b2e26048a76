//! The master client's watch: asks the sentinels now and then where the
//! master is, and moves the client when they name another node.
//!
//! Needed because a failover does not always break the client's connection
//! at once: after `SENTINEL FAILOVER` the old master keeps serving as a
//! master until the sentinels turn it into a replica (about ten seconds
//! later, when they kill its clients), and the writes it takes meanwhile
//! are lost when it resyncs from the new master. The subscription to the
//! sentinels' `+switch-master` (`switch`) says it sooner; this poll is the
//! fallback for an announcement no subscriber heard, and bounds that
//! window to about one interval.

use std::sync::Arc;
use std::time::Duration;

use super::ask::Sentinels;
use crate::client::WeakClient;
use crate::{Error, ErrorKind};

/// Asks every `every` until the client is closed or dropped.
pub(crate) fn watch(client: WeakClient, sentinels: Arc<Sentinels>, name: String, every: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            // Not held across the ask: dropping the last clone ends the
            // watch at its next turn.
            let Some(node) = client.upgrade().map(|c| c.node()) else {
                return;
            };
            let master = match sentinels.master(&name).await {
                Ok(master) => master.to_string(),
                // No verdict now (sentinels mid-failover): the connection's
                // own failures, or the next turn, decide.
                Err(_) => continue,
            };
            if master == *node {
                continue;
            }
            let Some(client) = client.upgrade() else {
                return;
            };
            tracing::info!(%node, %master, name, "the sentinels name another master; reconnecting");
            client.replace_connection(Error::new(
                ErrorKind::Io,
                format!(
                    "the sentinels name {master} as the master of {name:?}, not {node}: the \
                     connection to {node} was replaced"
                ),
            ));
        }
    });
}
