//! `ClusterClient`: discovery, the slot map, topology refreshes, counters.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};
use std::time::Duration;

use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::nodes::Nodes;
use super::topology::{SlotMap, node_name, split_node};
use crate::client::IntoConfig;
use crate::commands::{ClusterShard, SlotRange};
use crate::config::{Addr, Config};
use crate::{Client, Cmd, Error, ErrorKind, Result};

/// A Redis Cluster: one handle for all its nodes, cheap to clone and to
/// share between tasks, implementing [`crate::Executor`] so that typed
/// commands, pipelines, transactions and scripts work on it as on a
/// [`Client`].
///
/// It learns which primary serves each of the 16384 hash slots (`CLUSTER
/// SHARDS`, or `CLUSTER SLOTS` on servers before 7.0), and keeps one
/// [`Client`] per node (one multiplexed connection, reconnected in the
/// background, plus that client's pool for blocking commands). A command
/// goes to the primary of its keys' slot; one without keys to a random
/// primary. A pipeline is split by node, the parts are sent in parallel,
/// and the replies come back in the caller's order.
///
/// The cluster moving under it is handled: the whole map is asked for
/// again every 10 seconds (see [`ClusterClient::set_topology_refresh`]), so
/// a failover or a new node is learnt of even without redirections;
/// `MOVED` updates the slot map,
/// schedules a (rate-limited) refresh of the whole map and sends the
/// command to the new owner; `ASK` sends `ASKING` and the command to the
/// importing node, leaving the map as it is; `TRYAGAIN`, `CLUSTERDOWN`,
/// `LOADING`, `BUSY` and `READONLY` are retried with backoff, within the
/// command's timeout, a bounded number of times; a lost connection is
/// retried like that for commands that only read or that were never sent
/// (the node could not be reached), since a write that was in flight may
/// have been applied. Each node's commands wait on that node only.
///
/// Commands (or a MULTI ... EXEC) whose keys are in more than one slot are
/// refused before sending, with [`ErrorKind::CrossSlot`]; give related
/// keys a common `{hash tag}`.
///
/// [`ClusterClient::pubsub`] gives a subscriber with the calls and stream
/// of a single server's [`crate::PubSub`]: channels and patterns on one
/// node, shard channels on the primary of their slot (`SPUBLISH` is routed
/// there too).
///
/// ```no_run
/// use redis_core::prelude::*;
/// use redis_core::ClusterClient;
/// # async fn run() -> redis_core::Result<()> {
/// let cluster = ClusterClient::connect("redis://127.0.0.1:7000").await?;
/// cluster.set("user:1", "Ada").await?;
/// let name: Option<String> = cluster.get("user:1").await?;
/// // One round trip per node, replies in this order.
/// let (a, b): (Option<String>, i64) = Pipeline::new()
///     .get("user:1")
///     .incr("visits")
///     .query(&cluster)
///     .await?;
/// // Same slot through a hash tag: allowed atomically.
/// let ((), ()) = Transaction::new()
///     .set("{user:2}:name", "Grace")
///     .set("{user:2}:email", "grace@example.com")
///     .query(&cluster)
///     .await?;
/// # let _ = (name, a, b); Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClusterClient {
    pub(super) inner: Arc<Inner>,
    /// See [`ClusterClient::with_read_from_replicas`]: a setting of this
    /// handle, not of the connections it shares with its clones.
    pub(super) read_from_replicas: bool,
}

pub(super) struct Inner {
    /// The nodes given by the caller: asked when no known primary answers.
    startup: Vec<String>,
    pub(super) nodes: Nodes,
    map: RwLock<Arc<SlotMap>>,
    refreshing: AtomicBool,
    pub(super) last_refresh: Mutex<Option<Instant>>,
    /// The periodic refresh task (see [`ClusterClient::set_topology_refresh`]),
    /// stopped when the last handle is dropped or the client is closed.
    pub(super) periodic: Mutex<Option<AbortHandle>>,
    pub(super) counters: Counters,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = self
            .periodic
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            task.abort();
        }
    }
}

/// What a [`ClusterClient`] has had to do so far, counted since it was
/// made: for monitoring, and for tests that must see a redirection happen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClusterStats {
    /// `MOVED` replies followed (the slot map was patched each time).
    pub moved: u64,
    /// `ASK` replies followed (`ASKING` sent to the importing node).
    pub ask: u64,
    /// Commands tried again after `TRYAGAIN`, `CLUSTERDOWN`, `LOADING`,
    /// `BUSY`, `READONLY` or a connection failure.
    pub retries: u64,
    /// Topology discoveries completed (the first one included).
    pub refreshes: u64,
}

#[derive(Default)]
pub(super) struct Counters {
    pub(super) moved: AtomicU64,
    pub(super) ask: AtomicU64,
    pub(super) retries: AtomicU64,
    refreshes: AtomicU64,
}

/// The shortest time between two topology refreshes: a resharding can
/// bring thousands of MOVED replies in a second, and each would otherwise
/// ask for the whole map again.
const REFRESH_INTERVAL: Duration = Duration::from_millis(250);

/// The nodes a client was opened with and the slots it knows; never
/// credentials.
impl fmt::Debug for ClusterClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let map = self.map();
        f.debug_struct("ClusterClient")
            .field("startup", &self.inner.startup)
            .field("primaries", &map.primaries())
            .field("slots_served", &map.served())
            .field("read_from_replicas", &self.read_from_replicas)
            .finish()
    }
}

impl ClusterClient {
    /// Connects to the cluster that the node at `target` (a URL or a
    /// [`Config`]) belongs to: asks it for the topology and connects to
    /// every primary it names lazily, on first use. The configuration
    /// (credentials, protocol, timeouts, TLS, retry policy) is used for
    /// every node; its address is only where discovery starts. Fails if the
    /// node cannot be reached or is not in a formed cluster.
    pub async fn connect(target: impl IntoConfig) -> Result<ClusterClient> {
        let config = target.into_config()?;
        let startup = vec![config.addr().to_string()];
        ClusterClient::open(config, startup).await
    }

    /// Like [`ClusterClient::connect`] with several startup nodes
    /// (`host:port`), tried in order until one answers: the cluster is
    /// found even if some of them are down. `config` gives the settings for
    /// every node; its own address is not used.
    ///
    /// ```no_run
    /// use redis_core::{Addr, ClusterClient, Config};
    /// # async fn run() -> redis_core::Result<()> {
    /// let settings = Config::new(Addr::Tcp { host: "127.0.0.1".into(), port: 7000 });
    /// let cluster =
    ///     ClusterClient::connect_nodes(settings, ["127.0.0.1:7000", "127.0.0.1:7001"]).await?;
    /// # let _ = cluster; Ok(()) }
    /// ```
    pub async fn connect_nodes(
        config: Config,
        nodes: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> Result<ClusterClient> {
        let mut startup = Vec::new();
        for node in nodes {
            let node = node.as_ref();
            let (host, port) = split_node(node).ok_or_else(|| {
                Error::config(format!("a startup node must be host:port, not {node:?}"))
            })?;
            startup.push(node_name(host, port));
        }
        if startup.is_empty() {
            return Err(Error::config("a cluster needs at least one startup node"));
        }
        ClusterClient::open(config, startup).await
    }

    /// Connects to the cluster a `redis+cluster://` (or, with TLS,
    /// `rediss+cluster://`) URL names:
    /// `redis+cluster://[user:password@]host:port[,host:port...][?options]`.
    /// The nodes are startup nodes, tried in order; the options are those
    /// of a `redis://` URL (see [`crate::url`]), for every node, plus
    /// `read_from_replicas=true` (see
    /// [`ClusterClient::with_read_from_replicas`]). [`crate::Redis::connect`]
    /// opens these URLs too, beside standalone and Sentinel ones.
    ///
    /// ```no_run
    /// use redis_core::ClusterClient;
    /// # async fn run() -> redis_core::Result<()> {
    /// let cluster = ClusterClient::connect_url(
    ///     "redis+cluster://:secret@10.0.0.1:7000,10.0.0.2:7000?protocol=3&read_from_replicas=true",
    /// )
    /// .await?;
    /// # let _ = cluster; Ok(()) }
    /// ```
    pub async fn connect_url(url: &str) -> Result<ClusterClient> {
        let parsed = super::url::parse(url)?;
        let cluster = ClusterClient::open(parsed.config, parsed.startup).await?;
        if let Some(period) = parsed.topology_refresh {
            cluster.set_topology_refresh(period);
        }
        Ok(cluster.with_read_from_replicas(parsed.read_from_replicas))
    }

    async fn open(config: Config, startup: Vec<String>) -> Result<ClusterClient> {
        if config.db() != 0 {
            return Err(Error::config(
                "a cluster has database 0 only; remove the database from the URL or Config",
            ));
        }
        if config.pool_size == 0 {
            return Err(Error::config(
                "a pool size of 0 leaves blocking commands nowhere to run; use 1 or more",
            ));
        }
        if let Addr::Unix(_) = config.addr() {
            return Err(Error::config(
                "a cluster's nodes are reached over TCP; a Unix socket cannot name them",
            ));
        }
        let client = ClusterClient {
            read_from_replicas: false,
            inner: Arc::new(Inner {
                startup,
                nodes: Nodes::new(config),
                map: RwLock::new(Arc::new(SlotMap::empty())),
                refreshing: AtomicBool::new(false),
                last_refresh: Mutex::new(None),
                periodic: Mutex::new(None),
                counters: Counters::default(),
            }),
        };
        client.refresh().await?;
        client.set_topology_refresh(Some(super::periodic::DEFAULT_PERIOD));
        Ok(client)
    }

    /// The slot map as it is now.
    pub(super) fn map(&self) -> Arc<SlotMap> {
        self.inner
            .map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records a `MOVED`: `slot` is served by `node` from now on.
    pub(super) fn moved(&self, slot: u16, node: &str) {
        let node = normalize(node);
        let mut map = self
            .inner
            .map
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if map.primary(slot).is_some_and(|owner| **owner == *node) {
            return;
        }
        Arc::make_mut(&mut map).assign(slot, &node);
    }

    /// Asks the cluster for its topology now and installs the answer: the
    /// known primaries are asked first, then the startup nodes. Fails with
    /// the last node's error if none answers.
    pub async fn refresh(&self) -> Result<()> {
        let mut candidates: Vec<String> = self
            .map()
            .primaries()
            .iter()
            .map(|p| p.to_string())
            .collect();
        fastrand::shuffle(&mut candidates);
        for node in &self.inner.startup {
            if !candidates.contains(node) {
                candidates.push(node.clone());
            }
        }
        let mut last = None;
        for node in &candidates {
            match self.discover_from(node).await {
                Ok(map) => {
                    self.inner.nodes.retain(&map.nodes());
                    *self
                        .inner
                        .map
                        .write()
                        .unwrap_or_else(PoisonError::into_inner) = Arc::new(map);
                    *self
                        .inner
                        .last_refresh
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
                    self.inner
                        .counters
                        .refreshes
                        .fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                Err(error) => {
                    tracing::debug!(%error, node, "cluster topology discovery failed on this node");
                    last = Some(error);
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::config("no cluster node to ask for the topology")))
    }

    /// The slot map as `node` sees it.
    async fn discover_from(&self, node: &str) -> Result<SlotMap> {
        let client = self.inner.nodes.get(node).await?;
        let tls = self.tls();
        let shards = Cmd::new("CLUSTER")
            .arg("SHARDS")
            .query::<Vec<ClusterShard>>(&client)
            .await;
        match shards {
            Ok(shards) => SlotMap::from_shards(&shards, tls, node),
            // Before Redis 7.0 there is no SHARDS subcommand.
            Err(error) if error.kind() == ErrorKind::Server && error.code() == Some("ERR") => {
                let ranges = Cmd::new("CLUSTER")
                    .arg("SLOTS")
                    .query::<Vec<SlotRange>>(&client)
                    .await?;
                SlotMap::from_slots(&ranges, node)
            }
            Err(error) => Err(error),
        }
    }

    #[cfg(feature = "tls")]
    fn tls(&self) -> bool {
        self.inner.nodes.template().tls().is_some()
    }

    #[cfg(not(feature = "tls"))]
    fn tls(&self) -> bool {
        false
    }

    /// Refreshes the topology in the background, at most once per
    /// [`REFRESH_INTERVAL`]: after a MOVED (more slots may have moved with
    /// the one we were told about), a CLUSTERDOWN or a lost node.
    pub(super) fn schedule_refresh(&self) {
        if self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.inner.refreshing.store(false, Ordering::Release);
            return;
        };
        let since = *self
            .inner
            .last_refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let wait = since.map_or(Duration::ZERO, |at| {
            REFRESH_INTERVAL.saturating_sub(at.elapsed())
        });
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        runtime.spawn(async move {
            tokio::time::sleep(wait).await;
            // The client was dropped meanwhile: nothing to refresh.
            let Some(inner) = weak.upgrade() else { return };
            let client = ClusterClient {
                inner,
                read_from_replicas: false,
            };
            if let Err(error) = client.refresh().await {
                tracing::debug!(%error, "background cluster topology refresh failed");
            }
            client.inner.refreshing.store(false, Ordering::Release);
        });
    }

    /// This handle with reads spread over each slot's primary and its
    /// replicas (redis-py's `read_from_replicas`): a command the server
    /// flags `readonly` (GET, MGET, HGETALL, ZRANGE, JSON.GET ...), sent
    /// alone or in a pipeline, goes to the primary or one of its replicas
    /// at random; writes, transactions and keyless commands still go to
    /// primaries. Every node connection is in READONLY mode, so a replica
    /// serves its primary's slots. Replication is asynchronous: a read
    /// right after a write may not see it on a replica.
    ///
    /// The connections are shared with `self`'s clones; only this handle
    /// (and its own clones) read from replicas.
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// use redis_core::ClusterClient;
    /// # async fn run() -> redis_core::Result<()> {
    /// let cluster = ClusterClient::connect("redis://127.0.0.1:7000").await?;
    /// let reads = cluster.clone().with_read_from_replicas(true);
    /// cluster.set("page:1", "<html>").await?;
    /// let page: Option<String> = reads.get("page:1").await?; // maybe stale
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn with_read_from_replicas(mut self, read_from_replicas: bool) -> ClusterClient {
        self.read_from_replicas = read_from_replicas;
        self
    }

    /// The client of one node (`host:port`), as this cluster client uses
    /// it: for commands that must go to a given node (CLUSTER, INFO, a
    /// SCAN of one primary). Connects on first use.
    pub async fn node(&self, node: &str) -> Result<Client> {
        self.inner.nodes.get(&normalize(node)).await
    }

    /// The primaries that serve slots, as `host:port`, from the slot map
    /// as it is now.
    pub fn primaries(&self) -> Vec<String> {
        self.map()
            .primaries()
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    /// The primary serving `slot` now (as far as this client knows), as
    /// `host:port`.
    pub fn slot_owner(&self, slot: u16) -> Option<String> {
        self.map().primary(slot).map(|p| p.to_string())
    }

    /// The first of the hash tags `{0}`, `{1}`, `{2}`... whose slot
    /// `primary` (`host:port`) serves now, as far as this client knows;
    /// `None` when it serves none. Keys holding it belong to that primary.
    ///
    /// ```no_run
    /// # async fn run(cluster: redis_core::ClusterClient) -> redis_core::Result<()> {
    /// for primary in cluster.primaries() {
    ///     let tag = cluster.hash_tag_of(&primary).unwrap_or_default();
    ///     println!("{primary} serves keys named like jobs:{tag}:1");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn hash_tag_of(&self, primary: &str) -> Option<String> {
        let map = self.map();
        let primary = normalize(primary);
        let serves = |slot: u16| map.primary(slot).is_some_and(|p| **p == *primary);
        // With slots spread over primaries, a few dozen tries find one.
        (0..u32::from(super::SLOT_COUNT) * 64)
            .map(|n| n.to_string())
            .find(|tag| serves(super::key_slot(tag.as_bytes())))
            .map(|tag| format!("{{{tag}}}"))
    }

    /// What the client has counted so far; see [`ClusterStats`].
    pub fn stats(&self) -> ClusterStats {
        let counters = &self.inner.counters;
        ClusterStats {
            moved: counters.moved.load(Ordering::Relaxed),
            ask: counters.ask.load(Ordering::Relaxed),
            retries: counters.retries.load(Ordering::Relaxed),
            refreshes: counters.refreshes.load(Ordering::Relaxed),
        }
    }

    /// Closes every node's client; commands still waiting fail with
    /// [`ErrorKind::Closed`]. Clones see it closed too.
    pub async fn close(&self) {
        self.set_topology_refresh(None);
        self.inner.nodes.close().await;
    }
}

/// A node name as the slot map keeps it (`MOVED` may write an IPv6 host
/// without brackets).
pub(super) fn normalize(node: &str) -> String {
    split_node(node).map_or_else(|| node.to_owned(), |(host, port)| node_name(host, port))
}
