//! MONITOR on a connection of its own, as a stream of parsed entries.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

use super::monitor_line::MonitorEntry;
use crate::client::IntoConfig;
use crate::config::Config;
use crate::connection::{Connection, Connector, Node};
use crate::{Cmd, Error, Result, Value};

/// How many entries wait for a slow reader before the connection's reads
/// pause (and the server buffers, as for any slow client).
const ENTRY_BUFFER: usize = 1024;

/// Every command the server runs, as it runs them (MONITOR), on a
/// connection of its own: a [`Stream`](futures_core::Stream) of
/// [`MonitorEntry`] results. A line that does not parse is an error item
/// and the stream goes on; a lost connection ends the stream after an
/// error item (MONITOR is a debugging aid: it does not reconnect).
/// Dropping the `Monitor` closes its connection.
///
/// MONITOR costs the server dearly; do not leave it running in production.
///
/// ```no_run
/// # async fn run(client: redis_core::Client) -> redis_core::Result<()> {
/// let mut monitor = client.monitor().await?;
/// while let Some(entry) = monitor.next_entry().await {
///     match entry {
///         Ok(entry) => println!("{:?} {:?}", entry.command, entry.args),
///         Err(error) => eprintln!("{error}"),
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Monitor {
    entries: mpsc::Receiver<Result<MonitorEntry>>,
    node: String,
}

impl fmt::Debug for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Monitor")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

impl Monitor {
    /// Monitors the server `target` names, without a
    /// [`Client`](crate::Client) (which has
    /// [`Client::monitor`](crate::Client::monitor) for the same).
    ///
    /// ```no_run
    /// # async fn run() -> redis_core::Result<()> {
    /// let monitor = redis_core::Monitor::connect("redis://127.0.0.1:6379").await?;
    /// # drop(monitor); Ok(()) }
    /// ```
    pub async fn connect(target: impl IntoConfig) -> Result<Monitor> {
        let config = target.into_config()?;
        let connector: Connector = Arc::new(Node::new(config.clone())?);
        Monitor::start(&config, &connector).await
    }

    /// Opens a connection with `connector` and turns it into a monitor;
    /// returns once the server said OK.
    pub(crate) async fn start(config: &Config, connector: &Connector) -> Result<Monitor> {
        let mut conn = connector.connect().await?;
        let node = conn.addr.clone();
        let limit = config.response_timeout.unwrap_or(config.connect_timeout);
        let started = async {
            conn.send(&[Cmd::new("MONITOR")]).await?;
            conn.read_frame().await
        };
        let reply = tokio::time::timeout(limit, started)
            .await
            .map_err(|_| Error::timeout(format!("{node} did not answer MONITOR within {limit:?}")))?
            .map_err(|e| e.with_command("MONITOR").at_node(&node))?;
        match reply.without_attributes() {
            Value::SimpleString(ok) if ok.as_ref() == b"OK" => {}
            Value::Error(server) => {
                return Err(Error::server(server).with_command("MONITOR").at_node(&node));
            }
            other => {
                return Err(Error::protocol(format!(
                    "{node} answered MONITOR with a {} instead of OK",
                    other.type_name()
                )));
            }
        }
        let (tx, entries) = mpsc::channel(ENTRY_BUFFER);
        tokio::spawn(read(conn, tx));
        Ok(Monitor { entries, node })
    }

    /// The next entry; `None` once the stream ended. Cancel safe.
    ///
    /// ```no_run
    /// # async fn run(mut monitor: redis_core::Monitor) -> redis_core::Result<()> {
    /// if let Some(entry) = monitor.next_entry().await {
    ///     println!("{:?}", entry?.command);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next_entry(&mut self) -> Option<Result<MonitorEntry>> {
        self.entries.recv().await
    }
}

impl futures_core::Stream for Monitor {
    type Item = Result<MonitorEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().entries.poll_recv(cx)
    }
}

/// Reads lines until the connection fails or the `Monitor` is dropped.
async fn read(mut conn: Connection, entries: mpsc::Sender<Result<MonitorEntry>>) {
    loop {
        let frame = tokio::select! {
            frame = conn.read_frame() => frame,
            () = entries.closed() => return,
        };
        let entry = match frame.map(Value::without_attributes) {
            Ok(Value::SimpleString(line) | Value::BulkString(line)) => MonitorEntry::parse(&line),
            Ok(other) => Err(Error::protocol(format!(
                "{} sent a {} on a MONITOR connection instead of a line",
                conn.addr,
                other.type_name()
            ))),
            Err(error) => {
                let lost = error.at_node(&conn.addr);
                let _ = entries.send(Err(lost)).await;
                return;
            }
        };
        if entries.send(entry).await.is_err() {
            return;
        }
    }
}
