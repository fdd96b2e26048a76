//! The periodic topology refresh: a client that meets no redirection (its
//! slots stayed put, or it sends nothing for a while) still learns of a
//! failover, a new node or a node gone, before a command has to find out.

use std::sync::{Arc, PoisonError, Weak};
use std::time::Duration;

use tokio::time::Instant;

use super::client::{ClusterClient, Inner};

/// How often the topology is asked for when nothing else asked for it:
/// redis-py and redis-rs leave this off, go-redis refreshes every minute at
/// most; 10 s keeps the map fresh at the cost of one `CLUSTER SHARDS` per
/// client per 10 s, which a node answers in microseconds.
pub(super) const DEFAULT_PERIOD: Duration = Duration::from_secs(10);

impl ClusterClient {
    /// Asks the cluster for its topology every `period` (`None`: never),
    /// in the background, besides the refreshes that redirections and lost
    /// nodes trigger; a refresh for another reason pushes the next periodic
    /// one back. The default is every 10 seconds. The setting is shared
    /// with this handle's clones; the background task ends when the last of
    /// them is dropped or [`ClusterClient::close`] is called. A refresh that
    /// takes longer than the period is given up until the next one.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use redis_core::ClusterClient;
    /// # async fn run() -> redis_core::Result<()> {
    /// let cluster = ClusterClient::connect("redis://127.0.0.1:7000").await?;
    /// cluster.set_topology_refresh(Some(Duration::from_secs(2)));
    /// # Ok(()) }
    /// ```
    pub fn set_topology_refresh(&self, period: Option<Duration>) {
        let task = period
            .filter(|period| !period.is_zero())
            .and_then(|period| {
                let runtime = tokio::runtime::Handle::try_current().ok()?;
                let weak = Arc::downgrade(&self.inner);
                Some(runtime.spawn(refresh_every(weak, period)).abort_handle())
            });
        let old = std::mem::replace(
            &mut *self
                .inner
                .periodic
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
            task,
        );
        if let Some(old) = old {
            old.abort();
        }
    }
}

/// Refreshes the topology whenever `period` has passed since the last
/// refresh, for as long as the client lives. Holds the client only while
/// refreshing, so dropping the last handle ends it (`Inner`'s drop aborts
/// it while it sleeps).
async fn refresh_every(inner: Weak<Inner>, period: Duration) {
    loop {
        let since = {
            let Some(inner) = inner.upgrade() else { return };
            *inner
                .last_refresh
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        let due = since.map_or_else(Instant::now, |at| at + period);
        tokio::time::sleep_until(due).await;
        let Some(inner) = inner.upgrade() else { return };
        let fresh = inner
            .last_refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() < period);
        if fresh {
            // Refreshed meanwhile (a MOVED, a lost node): wait from then.
            continue;
        }
        let client = ClusterClient {
            inner,
            read_from_replicas: false,
        };
        match tokio::time::timeout(period, client.refresh()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, "periodic cluster topology refresh failed"),
            Err(_) => tracing::debug!(?period, "periodic cluster topology refresh timed out"),
        }
        // A failed refresh leaves the time of the last one as it was: try
        // again one period after this try, not at once (and without
        // holding the client meanwhile).
        let failed = client
            .inner
            .last_refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none_or(|at| at.elapsed() >= period);
        drop(client);
        if failed {
            tokio::time::sleep(period).await;
        }
    }
}
