//! Where a connection goes and how it is opened: asked on every connect and
//! reconnect, by the shared connection and by the pool alike, so that a
//! topology that moves (Sentinel, a cluster's nodes) decides each time.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::conn::Connection;
use super::handshake::handshake;
use super::socket::{Socket, Tls};
use crate::config::{Addr, Config};
use crate::credentials::{Credentials, Secret};
use crate::resp::Decoder;
use crate::{Error, Result};

/// The future of a new connection.
pub(crate) type Connecting<'a> = Pin<Box<dyn Future<Output = Result<Connection>> + Send + 'a>>;

/// Opens connections, handshake included, to wherever the topology says.
pub(crate) trait Connect: Send + Sync + 'static {
    /// A new connection, within the connect timeout.
    fn connect(&self) -> Connecting<'_>;

    /// Whether a `READONLY` reply means the connection went to the wrong
    /// node: true for a connector that finds the master anew on every
    /// connect (Sentinel), so the shared connection is replaced and the
    /// commands that met the demoted node are tried on the new master.
    /// False for a fixed address, where a new connection would reach the
    /// same replica.
    fn follows_failover(&self) -> bool {
        false
    }
}

/// Opens connections to servers with one [`Config`]'s settings: the
/// transport (TLS prepared once), credentials, database and name.
pub(crate) struct Node {
    config: Config,
    tls: Option<Tls>,
}

impl Node {
    /// Prepares the settings; a TLS set-up problem (an unusable CA or client
    /// certificate) is reported here, before any connection is tried.
    pub(crate) fn new(config: Config) -> Result<Node> {
        #[cfg(feature = "tls")]
        let tls = match &config.tls {
            Some(tls) => Some(tls.prepare()?),
            None => None,
        };
        #[cfg(not(feature = "tls"))]
        let tls = None;
        Ok(Node { config, tls })
    }

    /// The settings every connection gets.
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// Connects to `addr` and runs the handshake, all within the connect
    /// timeout.
    pub(crate) async fn connect_to(&self, addr: &Addr) -> Result<Connection> {
        let config = &self.config;
        let name = addr.to_string();
        let attempt = async {
            let credentials = self.credentials().await?;
            let socket = Socket::open(config, addr, self.tls.as_ref()).await?;
            let mut conn = Connection::new(
                socket,
                Decoder::new(config.limits),
                config.protocol,
                name.clone(),
            );
            handshake(&mut conn, config, credentials).await?;
            Ok(conn)
        };
        let result = match tokio::time::timeout(config.connect_timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(Error::timeout(format!(
                "could not connect to {name} within {:?}",
                config.connect_timeout
            ))),
        };
        result.map_err(|e| e.at_node(&name))
    }

    /// The credentials for the next connection: the provider's, asked now,
    /// or the fixed ones. A user name without a password authenticates with
    /// an empty one (a `nopass` ACL user), so a configured user is never
    /// silently replaced by `default`.
    async fn credentials(&self) -> Result<Option<Credentials>> {
        let config = &self.config;
        if let Some(provider) = &config.credentials {
            return provider.credentials().await.map(Some);
        }
        Ok(match (&config.username, &config.password) {
            (None, None) => None,
            (username, password) => Some(Credentials {
                username: username.clone(),
                password: password.clone().unwrap_or_else(|| Secret::new("")),
            }),
        })
    }
}

impl Connect for Node {
    fn connect(&self) -> Connecting<'_> {
        Box::pin(self.connect_to(&self.config.addr))
    }
}

/// A shared connector.
pub(crate) type Connector = Arc<dyn Connect>;
