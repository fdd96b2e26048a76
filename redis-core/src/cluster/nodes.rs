//! One [`Client`] per node, made on first use with a connector for that
//! node's address: the standalone client's own connection path (handshake,
//! multiplexing, reconnect with backoff, pool for blocking commands), not a
//! second one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use super::topology::split_node;
use crate::config::{Addr, Config};
use crate::connection::{Connect, Connecting, Connection, Connector, Node};
use crate::executor::reply_to;
use crate::{Client, Cmd, Error, ErrorKind, Result};

/// The clients of the nodes met so far, by `host:port`.
pub(crate) struct Nodes {
    /// Every node's settings but its address.
    template: Config,
    /// Each node's client, made once: a cell rather than a client so that
    /// the lock is never held across a connect. Callers for a node that is
    /// slow to answer wait on its cell only, never on another node's.
    clients: Mutex<HashMap<Arc<str>, Arc<OnceCell<Client>>>>,
    /// Set by `close`: no client is made afterwards.
    closed: AtomicBool,
}

impl Nodes {
    pub(crate) fn new(template: Config) -> Nodes {
        Nodes {
            template,
            clients: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
        }
    }

    /// The client of `node`, connecting it first if this is the first use
    /// (or the first connect failed). Fails within the connect timeout.
    pub(crate) async fn get(&self, node: &str) -> Result<Client> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::new(
                ErrorKind::Closed,
                "the cluster client was closed",
            ));
        }
        let cell = {
            let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
            match clients.get(node) {
                Some(cell) => cell.clone(),
                None => {
                    let cell = Arc::new(OnceCell::new());
                    clients.insert(Arc::from(node), cell.clone());
                    cell
                }
            }
        };
        let client = cell.get_or_try_init(|| self.connect(node)).await?;
        Ok(client.clone())
    }

    /// The client of `node` if it is connected already: no wait, for the
    /// path of a single command.
    pub(crate) fn connected(&self, node: &str) -> Option<Client> {
        if self.closed.load(Ordering::Acquire) {
            return None;
        }
        let clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients.get(node)?.get().cloned()
    }

    async fn connect(&self, node: &str) -> Result<Client> {
        let config = node_config(&self.template, node)?;
        let connector: Connector = Arc::new(ReadOnlyNode(Node::new(config.clone())?));
        Client::start(config, connector).await
    }

    /// Forgets the clients of nodes that are not in `keep` (nodes that
    /// left the cluster or stopped serving slots), so no connection to a
    /// gone node is kept retrying in the background. Not closed outright:
    /// a command in flight there holds a clone and gets its reply (or its
    /// redirection); the client closes when the last clone is dropped.
    pub(crate) fn retain(&self, keep: &[Arc<str>]) {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients.retain(|name, _| keep.iter().any(|k| k == name));
    }

    /// Closes every node's client.
    pub(crate) async fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let all: Vec<Arc<OnceCell<Client>>> = {
            let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
            clients.drain().map(|(_, cell)| cell).collect()
        };
        for cell in all {
            if let Some(client) = cell.get() {
                client.close().await;
            }
        }
    }

    /// The settings every node's client gets.
    pub(crate) fn template(&self) -> &Config {
        &self.template
    }
}

/// Connects to one node and puts the connection in READONLY mode, on every
/// connect and reconnect: a replica then serves reads of its primary's
/// slots (with `read_from_replicas`, or when a caller targets replicas)
/// instead of answering MOVED. A primary ignores the mode, and a replica
/// still redirects writes, so every node's connections get it, whatever
/// role the node has now or takes after a failover.
struct ReadOnlyNode(Node);

impl ReadOnlyNode {
    async fn connect_read_only(&self) -> Result<Connection> {
        let node = &self.0;
        let mut conn = node.connect_to(&node.config().addr).await?;
        let readonly = Cmd::new("READONLY");
        let mut replies = conn
            .request(
                std::slice::from_ref(&readonly),
                node.config().response_timeout,
            )
            .await?;
        let reply = replies
            .pop()
            .ok_or_else(|| Error::protocol("no reply to READONLY"))?;
        match reply_to::<()>(&readonly, reply) {
            Ok(()) => Ok(conn),
            Err(error) if error.to_string().contains("cluster support disabled") => {
                Err(Error::new(
                    ErrorKind::Config,
                    format!(
                        "{} is not a cluster node ({error}); a single server opens with \
                         Client::connect or a redis:// URL",
                        node.config().addr
                    ),
                ))
            }
            Err(error) => Err(error),
        }
    }
}

impl Connect for ReadOnlyNode {
    fn connect(&self) -> Connecting<'_> {
        Box::pin(self.connect_read_only())
    }
}

/// The settings of every node (`template`) aimed at `node` (`host:port`, as the cluster
/// names it).
pub(crate) fn node_config(template: &Config, node: &str) -> Result<Config> {
    let (host, port) = split_node(node).ok_or_else(|| {
        Error::protocol(format!("the cluster named a node without a port: {node:?}"))
    })?;
    let mut config = template.clone();
    config.addr = Addr::Tcp {
        host: host.to_owned(),
        port,
    };
    Ok(config)
}
