//! The connectors of Sentinel clients: asked on every connect and
//! reconnect (shared connection and pool alike), they ask the sentinels
//! where to go, so a client follows a failover without being rebuilt.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::ask::Sentinels;
use crate::Cmd;
use crate::commands::Role;
use crate::config::Addr;
use crate::connection::{Connect, Connecting, Connection, Node};
use crate::executor::reply_to;
use crate::{Error, Result, ServerError};

/// Connects to the master the sentinels elect, and only if it says it is
/// one (ROLE), as redis-py's SentinelManagedConnection does: a node the
/// sentinels still name but that was demoted, or not yet promoted, is not
/// written to.
pub(crate) struct MasterConnector {
    pub(crate) sentinels: Arc<Sentinels>,
    pub(crate) name: String,
    /// The data nodes' settings (credentials, TLS, database, protocol).
    pub(crate) node: Node,
}

impl MasterConnector {
    async fn connect_master(&self) -> Result<Connection> {
        let addr = self.sentinels.master(&self.name).await?;
        connect_checked(&self.node, &addr, &self.name).await
    }
}

impl Connect for MasterConnector {
    fn connect(&self) -> Connecting<'_> {
        Box::pin(self.connect_master())
    }

    fn follows_failover(&self) -> bool {
        true
    }
}

/// Connects to the replicas the sentinels list, each new connection to the
/// next one in turn, and to the master when none is listed or reachable.
pub(crate) struct ReplicaConnector {
    pub(crate) master: MasterConnector,
    /// Which replica the next connection tries first.
    pub(crate) next: AtomicUsize,
}

impl ReplicaConnector {
    async fn connect_replica(&self) -> Result<Connection> {
        let found = self.master.sentinels.replicas(&self.master.name).await?;
        let count = found.replicas.len();
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        for offset in 0..count {
            let addr = &found.replicas[(first + offset) % count];
            match self.master.node.connect_to(addr).await {
                Ok(conn) => return Ok(conn),
                Err(error) => {
                    tracing::debug!(replica = %addr, %error, "replica unreachable; trying the next");
                }
            }
        }
        // Reads are better served by the master than not at all.
        connect_checked(&self.master.node, &found.master, &self.master.name).await
    }
}

impl Connect for ReplicaConnector {
    fn connect(&self) -> Connecting<'_> {
        Box::pin(self.connect_replica())
    }
}

/// Connects to `addr` and checks that it is a master.
async fn connect_checked(node: &Node, addr: &Addr, name: &str) -> Result<Connection> {
    let mut conn = node.connect_to(addr).await?;
    let role_cmd = Cmd::new("ROLE");
    let timeout = node.config().response_timeout;
    let mut replies = conn
        .request(std::slice::from_ref(&role_cmd), timeout)
        .await?;
    let role = match replies.pop() {
        Some(value) => reply_to::<Role>(&role_cmd, value)?,
        None => return Err(Error::protocol("no reply to ROLE")),
    };
    match role {
        Role::Master { .. } => Ok(conn),
        Role::Replica {
            master_host,
            master_port,
            ..
        } => Err(not_master(
            addr,
            name,
            &format!("a replica of {master_host}:{master_port}"),
        )),
        Role::Sentinel { .. } => Err(not_master(addr, name, "a sentinel")),
    }
}

/// A node the sentinels elected that is not a master (a failover in
/// progress): the connect fails, so the reconnect backs off and asks again.
/// With the code a demoted master answers (READONLY), so that the commands
/// that were waiting for this connection, none of them sent, are tried
/// again as those that met the demoted node are.
fn not_master(addr: &Addr, name: &str, what: &str) -> Error {
    let why = ServerError::parse(&format!(
        "READONLY the sentinels name {addr} as the master of {name:?}, but it says it is \
         {what} (a failover in progress?); not using it"
    ));
    Error::server(why).at_node(&addr.to_string())
}
