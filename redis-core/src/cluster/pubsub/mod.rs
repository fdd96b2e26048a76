//! Pub/sub on a cluster: [`ClusterClient::pubsub`] gives the same
//! [`PubSub`] as a single server's. Channels and patterns live on one
//! connection to any node (a cluster hands every PUBLISH to every node),
//! moved to another node when that one is lost; shard channels live on
//! the primary of their slot, one connection per such primary, and follow
//! their slot when it moves (`router`).

mod router;

use std::sync::Arc;

use super::client::ClusterClient;
use super::topology::split_node;
use crate::config::Addr;
use crate::connection::{Connect, Connecting, Connection, Connector, Node};
use crate::{Error, ErrorKind, PubSub, Result};
use router::Router;

impl ClusterClient {
    /// A subscriber on the cluster, with the calls and the stream of a
    /// single server's [`PubSub`] (redis-py's `RedisCluster.pubsub()`).
    ///
    /// - Channels and patterns ([`subscribe`](crate::Subscriptions::subscribe),
    ///   [`psubscribe`](crate::Subscriptions::psubscribe)) are subscribed on
    ///   one node, picked at random, since a cluster delivers every
    ///   `PUBLISH` on every node. When that node is lost, the subscriber
    ///   connects to another node and subscribes again; the stream reports
    ///   the gap with [`PubSubEvent::Disconnected`](crate::PubSubEvent::Disconnected)
    ///   and [`PubSubEvent::Reconnected`](crate::PubSubEvent::Reconnected).
    /// - Shard channels ([`ssubscribe`](crate::Subscriptions::ssubscribe),
    ///   published with `SPUBLISH`) are subscribed on the primary that
    ///   serves their slot (hash tags apply, as for keys), over one
    ///   connection per primary that has any. When the slot moves (the
    ///   server unsubscribes the channel, or answers MOVED) or the primary
    ///   fails over, the topology is asked for again and the channel
    ///   subscribed on the new owner; the stream reports that gap the same
    ///   way, `Disconnected` naming the node the channel left and
    ///   `Reconnected` the one it moved to.
    ///
    /// Connections are made when first needed: the first channel or
    /// pattern connects to a node, the first shard channel of a primary to
    /// that primary; a call waits for its connection (within the response
    /// timeout). Messages of one channel come in the order they were
    /// published: this client sends a channel's `PUBLISH` to the primary of
    /// the channel's slot, as `SPUBLISH` goes, so they pass through one node
    /// (published through different nodes they would race each other on the
    /// cluster bus); messages of channels on
    /// different connections have no order between them. Fails only on
    /// settings that cannot make connections (an unusable TLS set-up).
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// use redis_core::{ClusterClient, PubSubEvent};
    /// # async fn run() -> redis_core::Result<()> {
    /// let cluster = ClusterClient::connect("redis://127.0.0.1:7000").await?;
    /// let mut pubsub = cluster.pubsub().await?.ignore_subscribe_messages(true);
    /// pubsub.subscribe(["news"]).await?;
    /// pubsub.ssubscribe(["orders:{eu}", "orders:{us}"]).await?;
    /// cluster.spublish("orders:{eu}", "order 1").await?;
    /// while let Some(event) = pubsub.next_message().await {
    ///     match event {
    ///         PubSubEvent::Message(message) => println!("{:?}", message.payload),
    ///         PubSubEvent::Disconnected { node, .. } => eprintln!("gap from {node}"),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pubsub(&self) -> Result<PubSub> {
        let template = self.inner.nodes.template().clone();
        let any_node: Connector = Arc::new(AnyNode {
            cluster: self.clone(),
            node: Node::new(template.clone())?,
        });
        let (pubsub, requests, events) =
            PubSub::open(template.response_timeout, Arc::from("the cluster"));
        let router = Router::new(self.clone(), template, any_node, requests, events);
        tokio::spawn(router.run());
        Ok(pubsub)
    }
}

/// Connects to any node of the cluster, as the slot map names them now,
/// in random order until one answers: where channels and patterns are
/// subscribed. Holds the cluster client, whose periodic refresh keeps the
/// map current while the subscriber lives.
struct AnyNode {
    cluster: ClusterClient,
    /// The nodes' settings; the address is given per connection.
    node: Node,
}

impl AnyNode {
    async fn connect_any(&self) -> Result<Connection> {
        let mut nodes = self.cluster.map().nodes();
        fastrand::shuffle(&mut nodes);
        let mut last = None;
        for name in nodes {
            let Some((host, port)) = split_node(&name) else {
                continue;
            };
            let addr = Addr::Tcp {
                host: host.to_owned(),
                port,
            };
            match self.node.connect_to(&addr).await {
                Ok(conn) => return Ok(conn),
                Err(error) => last = Some(error),
            }
        }
        // Every node the map names failed: it may be out of date.
        self.cluster.schedule_refresh();
        Err(last.unwrap_or_else(|| {
            Error::new(
                ErrorKind::Io,
                "the cluster's slot map names no node to subscribe on",
            )
        }))
    }
}

impl Connect for AnyNode {
    fn connect(&self) -> Connecting<'_> {
        Box::pin(self.connect_any())
    }
}
