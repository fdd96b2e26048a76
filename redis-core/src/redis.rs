//! [`Redis`]: one handle for every topology, chosen by the URL at run time.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::batch::Batch;
use crate::cluster::ClusterExecute;
use crate::{
    Client, ClusterClient, Cmd, Dedicated, Error, Executing, Executor, FromValue, PubSub, Result,
    Sentinel, Value, Watching,
};

/// A connection to Redis whatever its topology: one server, a server that
/// Sentinel elects, or a cluster, decided by the URL when the program runs.
/// It implements [`Executor`], so typed commands, pipelines, transactions,
/// scripts, and the object mapper's repositories are written once over it
/// (or over `impl Executor`) and run on each.
///
/// [`Redis::connect`] reads the topology from the URL's scheme:
///
/// | URL | Opens |
/// |---|---|
/// | `redis://`, `rediss://`, `unix://` | [`Redis::Server`]: [`Client::connect`] |
/// | `redis+sentinel://`, `rediss+sentinel://` | [`Redis::Server`]: [`Sentinel::connect_url`] (follows failovers) |
/// | `redis+cluster://`, `rediss+cluster://` | [`Redis::Cluster`]: [`ClusterClient::connect_url`] |
///
/// A cluster URL lists startup nodes
/// (`redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7000`) and takes
/// `read_from_replicas=true` beside the options of `redis://`.
///
/// ```no_run
/// use redis_core::prelude::*;
/// use redis_core::Redis;
/// # async fn run() -> redis_core::Result<()> {
/// // From the environment: the same code on a laptop and on a cluster.
/// let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1".into());
/// let redis = Redis::connect(&url).await?;
/// redis.set("greeting", "hello").await?;
/// let (greeting, visits): (Option<String>, i64) =
///     Pipeline::new().get("greeting").incr("visits").query(&redis).await?;
/// # let _ = (greeting, visits); Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Redis {
    /// One server, reached directly or through Sentinel.
    Server(Client),
    /// A Redis Cluster.
    Cluster(ClusterClient),
}

impl Redis {
    /// Opens what `url` names; see the table above. Fails as the
    /// underlying client does (an unreachable node, a server that is not
    /// in a formed cluster for a cluster URL, a malformed URL).
    pub async fn connect(url: &str) -> Result<Redis> {
        let scheme = url
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase())
            .unwrap_or_default();
        match scheme.as_str() {
            "redis+sentinel" | "rediss+sentinel" => {
                Sentinel::connect_url(url).await.map(Redis::Server)
            }
            "redis+cluster" | "rediss+cluster" => {
                ClusterClient::connect_url(url).await.map(Redis::Cluster)
            }
            _ => Client::connect(url).await.map(Redis::Server),
        }
    }

    /// An exclusive connection to the server that holds `key`, lent by a pool (see
    /// [`Dedicated`]): on one server [`Client::dedicated`], on a cluster
    /// [`ClusterClient::dedicated_for`] (the primary of `key`'s slot). For blocking reads
    /// and other commands that would hold up the shared connection.
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// # async fn run(redis: redis_core::Redis) -> redis_core::Result<()> {
    /// let conn = redis.dedicated_for("jobs").await?;
    /// let job = conn.blpop::<String>(["jobs"], std::time::Duration::from_secs(5)).await?;
    /// # let _ = job; Ok(()) }
    /// ```
    pub async fn dedicated_for(&self, key: impl AsRef<[u8]>) -> Result<Dedicated> {
        match self {
            Redis::Server(client) => client.dedicated().await,
            Redis::Cluster(cluster) => cluster.dedicated_for(key).await,
        }
    }

    /// A subscriber: [`Client::pubsub`] on one server,
    /// [`ClusterClient::pubsub`] on a cluster (shard channels on their
    /// slot's primary), with the same calls and stream on both.
    ///
    /// ```no_run
    /// # async fn run(redis: redis_core::Redis) -> redis_core::Result<()> {
    /// let mut pubsub = redis.pubsub().await?;
    /// pubsub.subscribe(["news"]).await?;
    /// pubsub.ssubscribe(["orders"]).await?;
    /// let confirmation = pubsub.next_message().await;
    /// # let _ = confirmation; Ok(()) }
    /// ```
    pub async fn pubsub(&self) -> Result<PubSub> {
        match self {
            Redis::Server(client) => client.pubsub().await,
            Redis::Cluster(cluster) => cluster.pubsub().await,
        }
    }

    /// Closes the connections; commands still waiting fail with
    /// [`crate::ErrorKind::Closed`]. Clones see it closed too.
    pub async fn close(&self) {
        match self {
            Redis::Server(client) => client.close().await,
            Redis::Cluster(cluster) => cluster.close().await,
        }
    }
}

impl From<Client> for Redis {
    fn from(client: Client) -> Redis {
        Redis::Server(client)
    }
}

impl From<ClusterClient> for Redis {
    fn from(cluster: ClusterClient) -> Redis {
        Redis::Cluster(cluster)
    }
}

/// The future of a command sent through a [`Redis`]: the one of the client
/// underneath, without another box.
pub enum RedisExecute<'a, T> {
    /// Through a [`Client`].
    Server(Executing<'a, T>),
    /// Through a [`ClusterClient`].
    Cluster(ClusterExecute<'a, T>),
}

impl<T> std::fmt::Debug for RedisExecute<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedisExecute::Server(executing) => executing.fmt(f),
            RedisExecute::Cluster(_) => f.write_str("RedisExecute::Cluster"),
        }
    }
}

impl<T: FromValue> Future for RedisExecute<'_, T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        // Both futures are Unpin (the cluster's is boxed), so this one is.
        match self.get_mut() {
            RedisExecute::Server(executing) => Pin::new(executing).poll(cx),
            RedisExecute::Cluster(executing) => executing.as_mut().poll(cx),
        }
    }
}

impl Executor for Redis {
    type Execute<'a, T: FromValue> = RedisExecute<'a, T>;

    fn execute<T: FromValue>(&self, cmd: Cmd) -> RedisExecute<'_, T> {
        match self {
            Redis::Server(client) => RedisExecute::Server(client.execute(cmd)),
            Redis::Cluster(cluster) => RedisExecute::Cluster(cluster.execute(cmd)),
        }
    }

    async fn execute_batch(&self, batch: &Batch) -> Result<Vec<Value>> {
        match self {
            Redis::Server(client) => client.execute_batch(batch).await,
            Redis::Cluster(cluster) => cluster.execute_batch(batch).await,
        }
    }

    async fn execute_on_primaries<T: FromValue>(&self, cmd: Cmd) -> Result<Vec<T>> {
        match self {
            Redis::Server(client) => client.execute_on_primaries(cmd).await,
            Redis::Cluster(cluster) => cluster.execute_on_primaries(cmd).await,
        }
    }

    fn primaries(&self) -> Vec<String> {
        match self {
            Redis::Server(client) => client.primaries(),
            Redis::Cluster(cluster) => Executor::primaries(cluster),
        }
    }

    fn hash_tag_of(&self, primary: &str) -> Option<String> {
        match self {
            Redis::Server(client) => client.hash_tag_of(primary),
            Redis::Cluster(cluster) => Executor::hash_tag_of(cluster, primary),
        }
    }

    fn name_node(&self, error: Error) -> Error {
        match self {
            Redis::Server(client) => client.name_node(error),
            Redis::Cluster(cluster) => cluster.name_node(error),
        }
    }
}

impl Watching for Redis {
    async fn watch_connection(&self, watch: &Cmd) -> Result<Dedicated> {
        match self {
            Redis::Server(client) => client.watch_connection(watch).await,
            Redis::Cluster(cluster) => cluster.watch_connection(watch).await,
        }
    }

    fn transaction_attempts(&self) -> u32 {
        match self {
            Redis::Server(client) => client.transaction_attempts(),
            Redis::Cluster(cluster) => cluster.transaction_attempts(),
        }
    }

    fn check_transaction(&self, watch: &Cmd, transaction: &Batch) -> Result<()> {
        match self {
            Redis::Server(client) => client.check_transaction(watch, transaction),
            Redis::Cluster(cluster) => cluster.check_transaction(watch, transaction),
        }
    }

    fn written(&self, transaction: &Batch) {
        match self {
            Redis::Server(client) => client.written(transaction),
            Redis::Cluster(cluster) => cluster.written(transaction),
        }
    }
}
