//! Exclusive connections: for blocking commands, WATCH, and anything else
//! that must not share a connection with other tasks.

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tracing::Instrument;

use crate::batch::Batch;
use crate::cmd_info::{ends_multi, is_multi, is_stateful, pubsub_refusal, reply_timeout};
use crate::config::Config;
use crate::connection::{Connection, Connector};
use crate::executor::reply_to;
use crate::span::CommandSpan;
use crate::sync::lock;
use crate::{Cmd, Error, Executor, FromValue, Result, Value};

/// A bounded set of idle exclusive connections.
pub(crate) struct Pool {
    config: Config,
    connector: Connector,
    idle: Mutex<Vec<Idle>>,
    permits: Arc<Semaphore>,
    /// Counts [`Pool::forget_idle`] calls: a connection taken out before
    /// the last one is not taken back.
    epoch: AtomicU64,
}

struct Idle {
    conn: Connection,
    since: Instant,
}

impl Pool {
    pub(crate) fn new(config: Config, connector: Connector) -> Arc<Pool> {
        let permits = Arc::new(Semaphore::new(config.pool_size));
        Arc::new(Pool {
            config,
            connector,
            idle: Mutex::new(Vec::new()),
            permits,
            epoch: AtomicU64::new(0),
        })
    }

    /// An exclusive connection: an idle one that passes its health check, or a new one.
    pub(crate) async fn get(self: &Arc<Self>) -> Result<Dedicated> {
        let wait = self
            .config
            .response_timeout
            .unwrap_or(Duration::from_secs(3600));
        let permit = tokio::time::timeout(wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| {
                Error::timeout(format!(
                    "every one of the {} dedicated connections (blocking commands, WATCH, \
                     dedicated()) stayed busy for {wait:?}; raise Config::with_pool_size or \
                     return them sooner",
                    self.config.pool_size
                ))
            })?
            .map_err(|_| Error::closed("the client was closed"))?;
        let epoch = self.epoch.load(Ordering::Acquire);
        let conn = self.checkout().await?;
        Ok(Dedicated {
            inner: Arc::new(DedicatedInner {
                addr: conn.addr.clone(),
                user: conn.user.clone(),
                conn: tokio::sync::Mutex::new(Some(conn)),
                session: Mutex::new(Session::default()),
                pool: self.clone(),
                epoch,
                _permit: permit,
            }),
        })
    }

    async fn checkout(&self) -> Result<Connection> {
        loop {
            let idle = lock(&self.idle).pop();
            let Some(Idle { mut conn, since }) = idle else {
                return self.connector.connect().await;
            };
            // Closed by the peer while idle (a restart, a network drop): the
            // socket already knows, no round trip needed.
            if conn.socket.is_stale() {
                continue;
            }
            let stale = self
                .config
                .health_check_interval
                .is_some_and(|every| since.elapsed() >= every);
            if !stale {
                return Ok(conn);
            }
            // A connection idle this long may have been closed by the server
            // or a middlebox; PING it before trusting it.
            let ping = conn
                .request(&[Cmd::new("PING")], Some(self.config.connect_timeout))
                .await;
            if ping.is_ok() {
                return Ok(conn);
            }
        }
    }

    fn give_back(&self, conn: Connection, epoch: u64) {
        if self.permits.is_closed() || epoch != self.epoch.load(Ordering::Acquire) {
            return;
        }
        lock(&self.idle).push(Idle {
            conn,
            since: Instant::now(),
        });
    }

    /// Closes the idle connections, and those in use once they are done:
    /// the node they go to is no longer the one the connector would choose
    /// (a Sentinel master client's master moved).
    pub(crate) fn forget_idle(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        lock(&self.idle).clear();
    }

    /// Closes idle connections and refuses new checkouts.
    pub(crate) fn close(&self) {
        self.permits.close();
        lock(&self.idle).clear();
    }
}

/// What a dedicated connection carries that a pooled one must not.
#[derive(Default)]
struct Session {
    watching: bool,
    in_multi: bool,
    /// Subscribed, another database selected, and the like: never pooled again.
    tainted: bool,
}

impl Session {
    fn track(&mut self, cmd: &Cmd) {
        if cmd.is("WATCH") {
            self.watching = true;
        } else if cmd.is("UNWATCH") {
            self.watching = false;
        } else if is_multi(cmd) {
            self.in_multi = true;
        } else if ends_multi(cmd) {
            self.in_multi = false;
            self.watching = false;
        } else if is_stateful(cmd) {
            self.tainted = true;
        } else if cmd.is("CLIENT") {
            // CLIENT SETNAME, TRACKING, REPLY ... change the connection; the
            // questions about it do not.
            let sub = cmd.args().nth(1).unwrap_or_default();
            let harmless = ["ID", "INFO", "GETNAME", "LIST", "GETREDIR", "TRACKINGINFO"];
            if !harmless
                .iter()
                .any(|h| sub.eq_ignore_ascii_case(h.as_bytes()))
            {
                self.tainted = true;
            }
        }
    }

    fn is_clean(&self) -> bool {
        !self.watching && !self.in_multi && !self.tainted
    }
}

/// An exclusive connection from the client's pool: commands on it run in
/// order, one caller at a time, and nothing else shares it.
///
/// Use it for WATCH and transactions built by hand, long scans and anything
/// that leaves state on the connection. Blocking commands sent through
/// [`crate::Client`] take one automatically.
///
/// Clones share one connection behind a lock: a clone does not open a second
/// connection, and while one clone waits for a reply (a BLPOP, say) the
/// others wait for that clone. For two independent connections, call
/// [`crate::Client::dedicated`] twice. When the last handle drops, the connection returns to
/// the pool if it holds no state (no WATCH or MULTI pending, no SELECT or
/// subscription, no command abandoned half-way); otherwise it is closed.
///
/// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBE counterparts and
/// MONITOR are refused before anything is sent, with an error of kind
/// [`crate::ErrorKind::Config`], as on the shared connection: they belong
/// on connections of their own, [`crate::Client::pubsub`] and
/// [`crate::Client::monitor`].
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::Cmd;
/// let conn = client.dedicated().await?;
/// let job: Option<(String, String)> = Cmd::new("BLPOP").arg("jobs").arg(&5).query(&conn).await?;
/// # let _ = job; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Dedicated {
    inner: Arc<DedicatedInner>,
}

struct DedicatedInner {
    conn: tokio::sync::Mutex<Option<Connection>>,
    /// The server of the connection and its ACL user, for the errors its
    /// replies become.
    addr: String,
    user: Option<String>,
    session: Mutex<Session>,
    pool: Arc<Pool>,
    /// The pool's epoch when the connection was taken out.
    epoch: u64,
    _permit: OwnedSemaphorePermit,
}

/// The server and what the connection is in the middle of: never its
/// credentials.
impl fmt::Debug for Dedicated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (watching, in_multi) = {
            let session = lock(&self.inner.session);
            (session.watching, session.in_multi)
        };
        f.debug_struct("Dedicated")
            .field("addr", &self.inner.addr)
            .field("watching", &watching)
            .field("in_multi", &in_multi)
            .finish()
    }
}

impl Dedicated {
    /// The server this connection is to.
    pub(crate) fn node(&self) -> &str {
        &self.inner.addr
    }

    pub(crate) async fn run(&self, cmds: &[Cmd]) -> Result<Vec<Value>> {
        // Before the connection is touched, so that a refusal leaves it usable.
        if let Some(refused) = cmds.iter().find_map(Cmd::refusal) {
            return Err(refused);
        }
        if let Some(why) = cmds.iter().find_map(pubsub_refusal) {
            return Err(Error::config(why));
        }
        let mut guard = self.inner.conn.lock().await;
        let conn = guard.as_mut().ok_or_else(|| {
            Error::closed("this dedicated connection failed earlier; take a new one")
        })?;
        {
            let mut session = lock(&self.inner.session);
            cmds.iter().for_each(|cmd| session.track(cmd));
        }
        let timeout = batch_timeout(cmds, self.inner.pool.config.response_timeout);
        let result = conn.request(cmds, timeout).await;
        let result = result.map_err(|e| e.at_node(&conn.addr));
        if let Err(error) = &result {
            // Replies may no longer line up with requests: never reuse it.
            if !matches!(error.kind(), crate::ErrorKind::Server) {
                *guard = None;
            }
        }
        result
    }
}

/// The longest of the commands' reply timeouts (`None` if any waits forever).
pub(crate) fn batch_timeout(cmds: &[Cmd], default: Option<Duration>) -> Option<Duration> {
    cmds.iter()
        .map(|cmd| reply_timeout(cmd, default))
        .try_fold(Duration::ZERO, |longest, t| t.map(|t| longest.max(t)))
}

/// The future of a command on a [`Dedicated`] connection. Boxed: a
/// dedicated connection serves one caller at a time, so the allocation is
/// not on a path where many commands wait at once.
pub type DedicatedExecute<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

impl Executor for Dedicated {
    type Execute<'a, T: FromValue> = DedicatedExecute<'a, T>;

    fn primaries(&self) -> Vec<String> {
        vec![self.inner.addr.to_string()]
    }

    fn hash_tag_of(&self, _primary: &str) -> Option<String> {
        None
    }

    fn execute<T: FromValue>(&self, cmd: Cmd) -> DedicatedExecute<'_, T> {
        Box::pin(async move {
            let cmds = std::slice::from_ref(&cmd);
            let span = CommandSpan::new(cmds, &self.inner.pool.config);
            span.record_peer(|| self.node());
            let result = async {
                let mut replies = self
                    .run(cmds)
                    .await
                    .map_err(|e| e.with_command(cmd.name()))?;
                let reply = replies.pop().ok_or_else(|| Error::protocol("no reply"))?;
                reply_to(&cmd, reply).map_err(|e| self.name_node(e))
            }
            .instrument(span.get())
            .await;
            span.finish(result)
        })
    }

    fn name_node(&self, error: Error) -> Error {
        match error.kind() {
            crate::ErrorKind::Server | crate::ErrorKind::Auth | crate::ErrorKind::Watch => {
                crate::connection::explain_noperm(error, self.inner.user.as_deref())
                    .at_node(&self.inner.addr)
            }
            _ => error,
        }
    }

    async fn execute_batch(&self, batch: &Batch) -> Result<Vec<Value>> {
        if batch.reply_count() == 0 {
            return Ok(Vec::new());
        }
        let span = CommandSpan::of_batch(batch, &self.inner.pool.config);
        span.record_peer(|| self.node());
        let result = self.run(&batch.wire_cmds()).instrument(span.get()).await;
        span.finish(result)
    }
}

impl Drop for DedicatedInner {
    fn drop(&mut self) {
        let clean = lock(&self.session).is_clean();
        if let Some(conn) = self.conn.get_mut().take() {
            if clean && !conn.is_broken() {
                self.pool.give_back(conn, self.epoch);
            }
        }
    }
}
