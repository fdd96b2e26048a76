//! `Client`: the standalone topology.

use std::fmt;
use std::sync::Arc;

mod cached;
mod sending;

pub use sending::Executing;

use tracing::Instrument;

use crate::batch::Batch;
use crate::cache::{Cache, CacheStats, tracking::Tracking};
use crate::cmd_info::{is_read_only, learn};
use crate::config::{Config, Protocol};
use crate::connection::{
    ConnectionEvent, Connector, Failed, Multiplexer, Node, PendingReplies, Replies, Tap,
    explain_noperm,
};
use crate::convert::FromValue;
use crate::pool::{Dedicated, Pool, batch_timeout};
use crate::retry::{Backoff, ExponentialBackoff};
use crate::span::CommandSpan;
use crate::{Cmd, ConnectionEvents, Error, ErrorKind, Executor, Monitor, PubSub, Result, Value};

/// What [`Client::connect`] accepts: a URL or a [`Config`].
pub trait IntoConfig {
    /// Builds the configuration.
    fn into_config(self) -> Result<Config>;
}

impl IntoConfig for Config {
    fn into_config(self) -> Result<Config> {
        Ok(self)
    }
}

impl IntoConfig for &str {
    fn into_config(self) -> Result<Config> {
        Config::from_url(self)
    }
}

impl IntoConfig for &String {
    fn into_config(self) -> Result<Config> {
        Config::from_url(self)
    }
}

impl IntoConfig for String {
    fn into_config(self) -> Result<Config> {
        Config::from_url(&self)
    }
}

/// A handle to one Redis server, cheap to clone and to share between tasks.
///
/// All clones share one multiplexed connection: commands from any number of
/// tasks are written together and their replies matched in order, so
/// concurrency costs no extra connections. Commands that would stall or leak
/// state into that shared connection run elsewhere: blocking commands (BLPOP,
/// XREAD BLOCK, WAIT, ...) take an exclusive connection from a small pool for
/// their duration, and [`Client::dedicated`] hands one out for WATCH and
/// other stateful work.
///
/// A broken connection fails the commands that were waiting on it and is
/// re-established in the background. A command that was in flight is retried
/// after the reconnect only if it is read-only (by default; see
/// [`crate::retry::Retry`]). Dropping the last clone, or [`Client::close`],
/// stops the background task and closes every socket.
///
/// Cancel safety: dropping a command's future before it completes abandons
/// the reply, but a command already queued is still sent.
///
/// ```no_run
/// use redis_core::{Client, Cmd};
/// # async fn run() -> redis_core::Result<()> {
/// let client = Client::connect("redis://127.0.0.1:6379").await?;
/// Cmd::new("SET").arg("greeting").arg("hello").query::<()>(&client).await?;
/// let greeting: String = Cmd::new("GET").arg("greeting").query(&client).await?;
/// assert_eq!(greeting, "hello");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    mux: Multiplexer,
    pool: Arc<Pool>,
    /// For the connections that are neither shared nor pooled: a
    /// subscriber's, a monitor's.
    connector: Connector,
    /// The client-side cache, when configured: `None` costs the commands
    /// of a client without one a single branch.
    cache: Option<Arc<Cache>>,
}

/// The server, protocol and database: never the credentials (the
/// configuration's own `Debug` shows `***` for them, but a client's is what
/// ends up in logs, so it leaves them out altogether).
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        // The node in use, which for a Sentinel client is not the
        // configured one.
        let (node, _) = self.inner.mux.peer();
        f.debug_struct("Client")
            .field("addr", &format_args!("{node}"))
            .field("protocol", &config.protocol)
            .field("db", &config.db)
            .finish()
    }
}

/// A handle that does not keep the client open: for background work (a
/// Sentinel master client's watch) that must end when the last [`Client`]
/// is dropped.
#[derive(Clone)]
pub(crate) struct WeakClient(std::sync::Weak<Inner>);

impl WeakClient {
    /// The client, while a clone of it is alive and it was not closed.
    pub(crate) fn upgrade(&self) -> Option<Client> {
        let inner = self.0.upgrade()?;
        (!inner.mux.is_closed()).then_some(Client { inner })
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.pool.close();
    }
}

impl Client {
    /// [`Executor::execute`] of a command the caller keeps (to send it again elsewhere):
    /// no copy of its bytes.
    pub(crate) fn execute_borrowed<'a, T: FromValue>(
        &'a self,
        cmd: &'a Cmd,
    ) -> Executing<'a, T, &'a [Cmd]> {
        Executing::borrowed(self, cmd)
    }

    /// Connects (handshake included) and returns the handle; fails if the
    /// first connection cannot be made, so a wrong address or password shows
    /// up here rather than at the first command.
    pub async fn connect(target: impl IntoConfig) -> Result<Client> {
        let config = target.into_config()?;
        if config.pool_size == 0 {
            return Err(Error::config(
                "a pool size of 0 leaves blocking commands, WATCH and dedicated() nowhere to run; use 1 or more",
            ));
        }
        let connector: Connector = Arc::new(Node::new(config.clone())?);
        Client::start(config, connector).await
    }

    /// A client whose connections the given connector opens (Sentinel's
    /// master and replica clients: the connector finds the server).
    ///
    /// With a client-side cache, only the shared connection tracks keys:
    /// the pool's and the subscribers' connections are opened without.
    pub(crate) async fn start(config: Config, connector: Connector) -> Result<Client> {
        let (cache, shared_connector, tap) = match &config.cache {
            None => (None, connector.clone(), None),
            Some(cache_config) => {
                if config.protocol != Protocol::Resp3 {
                    return Err(Error::config(
                        "the client-side cache needs RESP3 (the server sends invalidations as \
                         push frames on the tracking connection): connect with protocol=3, or \
                         without Config::with_client_cache",
                    ));
                }
                let cache = Arc::new(Cache::new(cache_config.clone())?);
                let tracking =
                    Tracking::new(connector.clone(), cache_config, config.connect_timeout);
                let heard = cache.clone();
                let tap: Tap = Arc::new(move |event: &ConnectionEvent| heard.on_event(event));
                (Some(cache), Arc::new(tracking) as Connector, Some(tap))
            }
        };
        let mux = Multiplexer::start(config.clone(), shared_connector, tap).await?;
        let pool = Pool::new(config.clone(), connector.clone());
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                mux,
                pool,
                connector,
                cache,
            }),
        })
    }

    /// The client-side cache's counters; `None` for a client without a
    /// cache (see [`Config::with_client_cache`]).
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// use redis_core::{CacheConfig, Config};
    /// # async fn run() -> redis_core::Result<()> {
    /// let config = Config::from_url("redis://127.0.0.1:6379?protocol=3")?
    ///     .with_client_cache(CacheConfig::new());
    /// let client = Client::connect(config).await?;
    /// let _: Option<String> = client.get("greeting").await?; // a miss: asks the server
    /// let _: Option<String> = client.get("greeting").await?; // a hit: no round trip
    /// let stats = client.cache_stats().expect("a cache was configured");
    /// assert_eq!((stats.hits, stats.misses), (1, 1));
    /// # Ok(()) }
    /// ```
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.inner.cache.as_ref().map(|cache| cache.stats())
    }

    /// An exclusive connection from the pool; see [`Dedicated`].
    pub async fn dedicated(&self) -> Result<Dedicated> {
        self.inner.pool.get().await
    }

    /// A subscriber; see [`PubSub`]. On a RESP3 client it shares the
    /// client's connection (push frames carry its messages apart from the
    /// replies), unless [`Config::with_shared_pubsub`] says `false` or
    /// another subscriber already shares it: the server keeps one set of
    /// subscriptions per connection, so a second subscriber gets a
    /// connection of its own, as every subscriber of a RESP2 client does.
    ///
    /// A connection of its own is opened (and reopened after a loss) the
    /// way this client opens its connections, and fails here if it cannot
    /// be made; that subscriber does not depend on this client afterwards
    /// (closing the client leaves it running). A sharing subscriber keeps
    /// the client's connection open while it lives, and ends when the
    /// client is closed.
    ///
    /// ```no_run
    /// # async fn run() -> redis_core::Result<()> {
    /// let client = redis_core::Client::connect("redis://127.0.0.1:6379").await?;
    /// let mut pubsub = client.pubsub().await?;
    /// pubsub.subscribe(["news"]).await?;
    /// let confirmation = pubsub.next_message().await;
    /// # let _ = confirmation; Ok(()) }
    /// ```
    pub async fn pubsub(&self) -> Result<PubSub> {
        let config = &self.inner.config;
        if config.protocol == Protocol::Resp3 && config.shared_pubsub {
            if let Some(seat) = self.inner.mux.seat_subscriber() {
                let connector = self.inner.connector.clone();
                return Ok(PubSub::share(config.clone(), connector, self.clone(), seat));
            }
        }
        PubSub::start(config.clone(), self.inner.connector.clone()).await
    }

    /// MONITOR on a connection of its own: every command the server runs,
    /// parsed; see [`Monitor`].
    ///
    /// ```no_run
    /// # async fn run() -> redis_core::Result<()> {
    /// let client = redis_core::Client::connect("redis://127.0.0.1:6379").await?;
    /// let mut monitor = client.monitor().await?;
    /// let first = monitor.next_entry().await;
    /// # let _ = first; Ok(()) }
    /// ```
    pub async fn monitor(&self) -> Result<Monitor> {
        Monitor::start(&self.inner.config, &self.inner.connector).await
    }

    /// The shared connection's events from now on: each reconnect, each
    /// loss, each replacement, and the RESP3 push frames no command asked for, in the order
    /// they happened on the wire (a push frame comes after the replies the
    /// server sent before it were delivered; a `Lost` after the commands
    /// waiting on that connection were failed). The first connection was
    /// made before this call, so it is not told. Exclusive connections
    /// ([`Client::dedicated`], blocking commands) are not included: they
    /// belong to one caller at a time.
    ///
    /// Each call makes an independent listener. Delivery never waits for a
    /// listener: one that falls more than [`crate::EVENT_BUFFER`] events
    /// behind loses the oldest and is told so with
    /// [`ConnectionEvent::Missed`](crate::ConnectionEvent::Missed).
    ///
    /// ```no_run
    /// use redis_core::{Client, ConnectionEvent};
    /// # async fn run() -> redis_core::Result<()> {
    /// let client = Client::connect("redis://127.0.0.1:6379").await?;
    /// let mut events = client.connection_events();
    /// tokio::spawn(async move {
    ///     while let Some(event) = events.recv().await {
    ///         match event {
    ///             ConnectionEvent::Lost { node, error } => eprintln!("lost {node}: {error}"),
    ///             ConnectionEvent::Replaced { node, reason } => eprintln!("left {node}: {reason}"),
    ///             ConnectionEvent::Connected { node } => eprintln!("back on {node}"),
    ///             ConnectionEvent::Push(frame) => eprintln!("push: {frame:?}"),
    ///             _ => {}
    ///         }
    ///     }
    /// });
    /// # Ok(()) }
    /// ```
    pub fn connection_events(&self) -> ConnectionEvents {
        self.inner.mux.events()
    }

    /// Drops the shared connection and opens a new one through the
    /// client's connector: for a Sentinel master client
    /// ([`crate::Sentinel::master_for`]) the sentinels are asked again
    /// where the master is. Commands waiting on the old connection fail as
    /// on a lost connection (read-only ones are retried). Returns at once;
    /// the new connection is made in the background.
    ///
    /// This is the hook for a failover announced from outside (an
    /// orchestrator's notice); a Sentinel master client already follows
    /// the sentinels' `+switch-master`, a READONLY reply and a lost
    /// connection by itself.
    ///
    /// ```no_run
    /// # async fn run(client: redis_core::Client) {
    /// // Told by an orchestrator that the master moved:
    /// client.reconnect();
    /// # }
    /// ```
    pub fn reconnect(&self) {
        self.replace_connection(Error::new(
            ErrorKind::Io,
            "the connection was replaced on request (Client::reconnect)",
        ));
    }

    /// A handle that does not keep this client open.
    pub(crate) fn downgrade(&self) -> WeakClient {
        WeakClient(Arc::downgrade(&self.inner))
    }

    /// The server of the shared connection (the last one while it is being
    /// replaced).
    pub(crate) fn node(&self) -> Arc<str> {
        self.inner.mux.peer().0
    }

    /// Replaces the shared connection, saying why to the commands that were
    /// waiting on it, and the pool's connections, which went to the same
    /// node.
    pub(crate) fn replace_connection(&self, why: Error) {
        self.inner.pool.forget_idle();
        self.inner.mux.replace(why);
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Closes the connection and the pool now: commands still waiting fail
    /// with [`crate::ErrorKind::Closed`], later ones are refused. Other clones
    /// see the client closed too.
    pub async fn close(&self) {
        self.inner.pool.close();
        self.inner.mux.close().await;
    }

    /// Asks the server, in the background, about each command that neither
    /// the generated table nor an earlier answer knows (a module the table
    /// was not made with, a newer server): commands of that name created
    /// after the answer know their flags and keys (see `cmd_info::learn`).
    /// The commands at hand go as they are, treated as writes.
    fn learn_unknown(&self, cmds: &[Cmd]) {
        for cmd in cmds.iter().filter(|cmd| !cmd.traits().is_known()) {
            let name = cmd.name().to_ascii_uppercase();
            if !learn::claim(name.as_bytes()) {
                continue;
            }
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                continue;
            };
            let client = self.clone();
            runtime.spawn(async move {
                let info = Cmd::new("COMMAND").arg("INFO").arg(&name);
                match info.query::<Value>(&client).await {
                    Ok(reply) => learn::remember(name.as_bytes(), &reply),
                    Err(error) => {
                        tracing::debug!(%error, command = %name, "COMMAND INFO failed; the command stays unknown");
                    }
                }
            });
        }
    }

    fn submit(&self, cmds: &[Cmd]) -> PendingReplies<'_> {
        let timeout = batch_timeout(cmds, self.inner.config.response_timeout);
        self.inner.mux.submit(cmds, timeout)
    }

    async fn send_dedicated(&self, cmds: &[Cmd], span: &tracing::Span) -> Result<Replies> {
        let conn = self.dedicated().await?;
        crate::span::record_peer_on(span, conn.node());
        // Already inside this command's span: not another one.
        let replies = conn.run(cmds).await.map(Replies::Many);
        if let Some(cache) = &self.inner.cache {
            // Written on another connection: see `Cache::forget_written`.
            cache.forget_written(cmds);
        }
        replies
    }

    /// A command sent alone that the server answered it did not run yet
    /// (`LOADING`, `BUSY`, `MASTERDOWN` ...; see
    /// [`crate::retry::Retry`]), as a failure to retry when the policy
    /// allows; its timeout counts from this answer. `None` for any other
    /// reply.
    pub(super) fn not_run_yet(&self, cmds: &[Cmd], replies: &Replies) -> Option<Failed> {
        let ([_], Replies::One(Value::Error(reply))) = (cmds, replies) else {
            return None;
        };
        let error = Error::server(reply.clone());
        let retry = &self.inner.config.retry;
        if !crate::retry::not_run_yet(&error) || !retry.should_retry(&error, 1, false) {
            return None;
        }
        let timeout = batch_timeout(cmds, self.inner.config.response_timeout);
        Some(Failed {
            error,
            deadline: timeout.map(|timeout| tokio::time::Instant::now() + timeout),
        })
    }

    /// Tries a failed command again while the retry policy allows, within
    /// the deadline the command was first given: its timeout covers its
    /// retries, backoff included. A command the server still answers it
    /// did not run, once the policy allows no more, gets that answer.
    async fn retry(&self, cmds: &[Cmd], failed: Failed) -> Result<Replies> {
        let Failed {
            mut error,
            deadline,
        } = failed;
        let mut answered: Option<Replies> = None;
        let read_only = cmds.iter().all(is_read_only);
        let retry = &self.inner.config.retry;
        if error.code() == Some("READONLY") && self.inner.mux.follows_failover() {
            // The node was demoted: the pool's connections went to it too.
            self.inner.pool.forget_idle();
        }
        let mut attempt = 1;
        loop {
            let demoted = self.retries_demoted(cmds, &error, attempt);
            if !demoted && !retry.should_retry(&error, attempt, read_only) {
                break;
            }
            let delay = if demoted {
                DEMOTED_BACKOFF.delay(attempt)
            } else {
                retry.delay(attempt)
            };
            let timeout = match deadline {
                None => batch_timeout(cmds, self.inner.config.response_timeout),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                    if left <= delay {
                        return Err(out_of_time(error));
                    }
                    Some(left - delay)
                }
            };
            tracing::debug!(%error, attempt, "retrying after a failure");
            tokio::time::sleep(delay).await;
            match self.inner.mux.submit(cmds, timeout).await {
                Ok(replies) => match self.not_run_yet(cmds, &replies) {
                    None => return Ok(replies),
                    Some(again) => {
                        error = again.error;
                        answered = Some(replies);
                    }
                },
                Err(next) => {
                    error = next.error;
                    answered = None;
                }
            }
            attempt += 1;
        }
        match answered {
            Some(replies) => Ok(replies),
            None => Err(error),
        }
    }

    /// Whether a command that met a demoted master is tried again: when the
    /// connector follows failovers (the connection was replaced by one to
    /// the current master), a few times within its deadline, since nothing
    /// of it was executed (see the driver's READONLY handling). A batch of
    /// several commands is tried again only when nothing in it could have
    /// been applied before the demotion: when it only reads, or is one
    /// MULTI ... EXEC, which the demoted node refused whole, after the
    /// `SCRIPT LOAD`s of its scripts (which change no data, and load the same
    /// scripts again when repeated).
    fn retries_demoted(&self, cmds: &[Cmd], error: &Error, attempt: u32) -> bool {
        if attempt > DEMOTED_ATTEMPTS
            || error.code() != Some("READONLY")
            || !self.inner.mux.follows_failover()
        {
            return false;
        }
        let loads = cmds.iter().take_while(|cmd| is_script_load(cmd)).count();
        let cmds = cmds.get(loads..).unwrap_or_default();
        match cmds {
            [_] => true,
            [first, .., last] => {
                cmds.iter().all(is_read_only) || (first.is("MULTI") && last.is("EXEC"))
            }
            [] => false,
        }
    }

    /// Names the server in an error its reply made, as the connection's own
    /// errors already do (and, for NOPERM, the user).
    fn at_node(&self, error: Error) -> Error {
        match error.kind() {
            ErrorKind::Server | ErrorKind::Auth | ErrorKind::Watch if error.node().is_none() => {
                let (addr, user) = self.inner.mux.peer();
                explain_noperm(error, user.as_deref()).at_node(&addr)
            }
            _ => error,
        }
    }
}

/// `SCRIPT LOAD`, as a batch's preamble sends it.
fn is_script_load(cmd: &Cmd) -> bool {
    cmd.is("SCRIPT")
        && cmd
            .args()
            .nth(1)
            .is_some_and(|sub| sub.eq_ignore_ascii_case(b"LOAD"))
}

/// How many times a command that met a demoted master is tried again,
/// within its deadline: the first try after the replacement can still meet
/// the old node (a command sent in the moment before it was dropped), or
/// find no master yet (sentinels that have not switched: the connect
/// refuses a node that says it is a replica, with the same READONLY code).
const DEMOTED_ATTEMPTS: u32 = 8;

/// The pause before each of those tries: up to about two seconds in all,
/// the time sentinels take to agree on a new master.
const DEMOTED_BACKOFF: ExponentialBackoff = ExponentialBackoff {
    base: std::time::Duration::from_millis(20),
    cap: std::time::Duration::from_millis(500),
    jitter: true,
};

/// The error of a command whose deadline passed before a retry could be
/// sent: a timeout, saying what failed first.
fn out_of_time(error: Error) -> Error {
    let node = error.node().map(str::to_owned);
    let late = Error::timeout(format!(
        "the command's timeout ran out before it could be retried after: {error}"
    ));
    match node {
        Some(node) => late.at_node(&node),
        None => late,
    }
}

impl Executor for Client {
    type Execute<'a, T: FromValue> = Executing<'a, T>;

    fn execute<T: FromValue>(&self, cmd: Cmd) -> Executing<'_, T> {
        Executing::new(self, cmd)
    }

    fn name_node(&self, error: Error) -> Error {
        self.at_node(error)
    }

    fn primaries(&self) -> Vec<String> {
        vec![self.node().to_string()]
    }

    fn hash_tag_of(&self, _primary: &str) -> Option<String> {
        None
    }

    /// A batch of plain commands goes to the shared connection in one copy
    /// of its bytes (a transaction's with `MULTI` and `EXEC` around them);
    /// one that blocks, leaves state or holds a command only a server
    /// could tell about goes command by command, the way single commands
    /// go.
    async fn execute_batch(&self, batch: &Batch) -> Result<Vec<Value>> {
        if batch.reply_count() == 0 {
            return Ok(Vec::new());
        }
        let span = CommandSpan::of_batch(batch, &self.inner.config);
        if !batch.is_plain() {
            let sending = sending::Sending::spanned(self, batch.wire_cmds(), span);
            return Ok(sending.await?.into_vec());
        }
        if let Some(cache) = &self.inner.cache {
            cache.forget_written(&batch.to_cmds());
        }
        span.record_peer(|| self.node());
        let timeout = batch.timeout(self.inner.config.response_timeout);
        let queued = self.inner.mux.submit_batch(batch, timeout);
        let replies = match queued.instrument(span.get()).await {
            Ok(replies) => Ok(replies),
            Err(failed) => {
                let cmds = batch.wire_cmds();
                let retried = self.retry(&cmds, failed).instrument(span.get()).await;
                // The reconnect may have gone elsewhere (a Sentinel client).
                span.record_peer(|| self.node());
                retried
            }
        };
        span.finish(replies).map(|replies| replies.into_vec())
    }
}

/// Transactions on a dedicated connection of the pool.
impl crate::Watching for Client {
    async fn watch_connection(&self, _watch: &Cmd) -> Result<Dedicated> {
        self.dedicated().await
    }

    fn transaction_attempts(&self) -> u32 {
        self.inner.config.transaction_attempts
    }

    /// Written on another connection: see `Cache::forget_written`.
    fn written(&self, transaction: &Batch) {
        if let Some(cache) = &self.inner.cache {
            cache.forget_written(&transaction.to_cmds());
        }
    }
}
