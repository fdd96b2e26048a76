//! Commands sent to nodes the caller names (redis-py's `target_nodes`),
//! each node's reply returned beside its name: for INFO, CONFIG GET,
//! SLOWLOG, FT.CREATE on every primary, and other per-node questions.

use std::pin::Pin;
use std::sync::Arc;

use tokio::task::JoinSet;

use super::client::{ClusterClient, normalize};
use crate::commands::{Command, Target};
use crate::executor::reply_to;
use crate::{Cmd, Error, ErrorKind, Executor, FromValue, Result, Value};

/// Which nodes of a cluster a command goes to, for
/// [`ClusterClient::on`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Targets {
    /// Every primary that serves slots.
    Primaries,
    /// Every replica of those primaries (their connections are in
    /// READONLY mode, so they answer reads of their own slots).
    Replicas,
    /// Every primary and every replica.
    AllNodes,
    /// One node chosen at random, primary or replica.
    Random,
    /// The node at this `host:port` (connected on first use, even if the
    /// slot map does not name it).
    Node(String),
}

/// A cluster's nodes named by [`Targets`]: every typed command sent here
/// goes to each of them at once and gives back each node's reply beside
/// its `host:port`, as redis-py's `target_nodes` does. Made by
/// [`ClusterClient::on`].
///
/// Nothing is merged and no redirection is followed: the nodes were
/// chosen. A node's error reply or lost connection fails the call, naming
/// the node. Commands whose cluster tips say every node (DBSIZE, KEYS,
/// SCRIPT LOAD ...) already reach them through the [`ClusterClient`]
/// itself, replies merged; this is for each node's reply, and for
/// commands the tips send to one node (INFO, CONFIG GET, FT.CREATE).
///
/// ```no_run
/// use redis_core::cluster::Targets;
/// use redis_core::prelude::*;
/// use redis_core::{ClusterClient, Cmd, Value};
/// # async fn run(cluster: ClusterClient) -> redis_core::Result<()> {
/// // Every primary's key count, by node.
/// for (node, keys) in cluster.on(Targets::Primaries).dbsize().await? {
///     println!("{node}: {keys} keys");
/// }
/// // Each node's role; a command without a typed method as a Cmd.
/// let roles = cluster.on(Targets::AllNodes).role().await?;
/// let lag: Vec<(String, Value)> =
///     cluster.on(Targets::Replicas).execute(Cmd::new("INFO").arg("replication")).await?;
/// # let _ = (roles, lag); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct OnNodes<'a> {
    cluster: &'a ClusterClient,
    targets: Targets,
}

/// The future of a command sent to several nodes: each node's reply.
pub type NodeReplies<'a, T> = Pin<Box<dyn Future<Output = Result<Vec<(String, T)>>> + Send + 'a>>;

impl ClusterClient {
    /// The nodes `targets` names, to send commands to each of them; see
    /// [`OnNodes`].
    pub fn on(&self, targets: Targets) -> OnNodes<'_> {
        OnNodes {
            cluster: self,
            targets,
        }
    }
}

impl<'a> OnNodes<'a> {
    /// Sends `cmd` to each node and returns every node's reply (`host:port`,
    /// reply), the primaries first in the order of
    /// [`ClusterClient::primaries`], then the replicas.
    pub fn execute<T: FromValue>(self, cmd: Cmd) -> NodeReplies<'a, T> {
        Box::pin(self.cluster.execute_on(self.targets, cmd))
    }
}

impl<'a> Target for OnNodes<'a> {
    type Out<T: FromValue> = NodeReplies<'a, T>;

    fn send<T: FromValue>(self, command: Command<T>) -> NodeReplies<'a, T> {
        self.execute(command.into_cmd())
    }
}

impl ClusterClient {
    /// `cmd` sent to each node `targets` names; see [`OnNodes`].
    pub(super) async fn execute_on<T: FromValue>(
        &self,
        targets: Targets,
        cmd: Cmd,
    ) -> Result<Vec<(String, T)>> {
        if let Some(refused) = cmd.refusal() {
            return Err(refused);
        }
        let nodes = self.targets(&targets);
        if nodes.is_empty() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("no node is known for {targets:?} (has the cluster replicas?)"),
            )
            .with_command(cmd.name()));
        }
        let cmd = Arc::new(cmd);
        let mut tasks = JoinSet::new();
        for (i, node) in nodes.iter().enumerate() {
            let (cluster, node, cmd) = (self.clone(), node.clone(), cmd.clone());
            tasks.spawn(async move {
                let reply = match cluster.inner.nodes.get(&node).await {
                    Ok(client) => client.execute::<Value>((*cmd).clone()).await,
                    Err(error) => Err(error),
                };
                (i, reply)
            });
        }
        let mut replies: Vec<Option<Result<Value>>> = nodes.iter().map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            let (i, reply) = joined
                .map_err(|e| Error::new(ErrorKind::Io, format!("a node's task failed: {e}")))?;
            if let Some(slot) = replies.get_mut(i) {
                *slot = Some(reply);
            }
        }
        nodes
            .into_iter()
            .zip(replies)
            .map(|(node, reply)| {
                let value = reply
                    .unwrap_or_else(|| Err(Error::protocol("no reply")))
                    .and_then(|value| reply_to::<T>(&cmd, value))
                    .map_err(|e| e.at_node(&node).with_command(cmd.name()))?;
                Ok((node.to_string(), value))
            })
            .collect()
    }

    /// The nodes `targets` names now.
    fn targets(&self, targets: &Targets) -> Vec<Arc<str>> {
        let map = self.map();
        match targets {
            Targets::Primaries => map.primaries().to_vec(),
            Targets::Replicas => map.all_replicas().cloned().collect(),
            Targets::AllNodes => map.nodes(),
            Targets::Random => {
                let nodes = map.nodes();
                nodes
                    .get(fastrand::usize(..nodes.len().max(1)))
                    .cloned()
                    .into_iter()
                    .collect()
            }
            Targets::Node(node) => vec![Arc::from(normalize(node))],
        }
    }
}
