//! Connection settings.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::CacheConfig;
use crate::credentials::{CredentialsProvider, Secret};
use crate::resp::Limits;
use crate::retry::Retry;
#[cfg(feature = "tls")]
use crate::tls::TlsConfig;

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Addr {
    /// A TCP host and port.
    Tcp {
        /// Host name or IP address.
        host: String,
        /// Port.
        port: u16,
    },
    /// A Unix domain socket.
    Unix(PathBuf),
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Addr::Tcp { host, port } => write!(f, "{host}:{port}"),
            Addr::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// The RESP version spoken on the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2: every server version; no push frames.
    Resp2,
    /// RESP3 (`HELLO 3`, Redis 6+): maps, sets, doubles, push frames.
    #[default]
    Resp3,
}

/// Everything needed to open connections to one server.
///
/// Built from a URL ([`Config::from_url`]) or from an address, then adjusted
/// with the `with_*` methods:
///
/// ```
/// use std::time::Duration;
/// use redis_core::{Config, Protocol};
/// let config = Config::from_url("redis://:secret@127.0.0.1:6380/2")?
///     .with_protocol(Protocol::Resp2)
///     .with_response_timeout(Some(Duration::from_secs(2)));
/// assert_eq!(config.db(), 2);
/// assert!(!format!("{config:?}").contains("secret"));
/// # Ok::<(), redis_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) addr: Addr,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<TlsConfig>,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<Secret>,
    pub(crate) credentials: Option<Arc<dyn CredentialsProvider>>,
    pub(crate) db: i64,
    pub(crate) protocol: Protocol,
    pub(crate) client_name: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) response_timeout: Option<Duration>,
    pub(crate) health_check_interval: Option<Duration>,
    pub(crate) tcp_keepalive: Option<Duration>,
    pub(crate) pool_size: usize,
    pub(crate) transaction_attempts: u32,
    pub(crate) retry: Retry,
    pub(crate) limits: Limits,
    pub(crate) cache: Option<CacheConfig>,
    pub(crate) shared_pubsub: bool,
}

impl Config {
    /// The TCP keepalive idle time a new configuration starts with.
    pub(crate) const DEFAULT_TCP_KEEPALIVE: Option<Duration> = Some(Duration::from_secs(60));

    /// Settings for a server at `addr`, with the defaults: RESP3, database 0,
    /// connect timeout 5 s, response timeout 10 s, a health check after 15 s
    /// idle, TCP keepalive 60 s, up to 16 dedicated connections, one retry of
    /// read-only commands after a reconnect, 16 attempts of a
    /// [`crate::Watching::transaction`].
    pub fn new(addr: Addr) -> Self {
        Config {
            addr,
            #[cfg(feature = "tls")]
            tls: None,
            username: None,
            password: None,
            credentials: None,
            db: 0,
            protocol: Protocol::Resp3,
            client_name: None,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Some(Duration::from_secs(10)),
            health_check_interval: Some(Duration::from_secs(15)),
            tcp_keepalive: Config::DEFAULT_TCP_KEEPALIVE,
            pool_size: 16,
            transaction_attempts: 16,
            retry: Retry::default(),
            limits: Limits::default(),
            cache: None,
            shared_pubsub: true,
        }
    }

    /// The server address.
    pub fn addr(&self) -> &Addr {
        &self.addr
    }

    /// The database selected after connecting.
    pub fn db(&self) -> i64 {
        self.db
    }

    /// The protocol version.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The default response timeout.
    pub fn response_timeout(&self) -> Option<Duration> {
        self.response_timeout
    }

    /// Authenticate as this ACL user (with [`Config::with_password`]; without
    /// one, with an empty password, as a `nopass` user needs).
    pub fn with_username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Authenticate with this password.
    pub fn with_password(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Ask `provider` for the user and password on every connect, instead
    /// of the fixed [`Config::with_username`] / [`Config::with_password`].
    pub fn with_credentials_provider(mut self, provider: Arc<dyn CredentialsProvider>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Connect over TLS with these settings (`rediss://` URLs turn it on).
    #[cfg(feature = "tls")]
    pub fn with_tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The TLS settings, when connections use TLS.
    #[cfg(feature = "tls")]
    pub fn tls(&self) -> Option<&TlsConfig> {
        self.tls.as_ref()
    }

    /// Select this database after connecting.
    pub fn with_db(mut self, db: i64) -> Self {
        self.db = db;
        self
    }

    /// Speak this protocol version.
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Name every connection with `CLIENT SETNAME`.
    pub fn with_client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// The longest wait for a TCP connection and the handshake.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The default longest wait for a reply (`None`: wait forever). Blocking
    /// commands get their own blocking time on top; each command can override
    /// it with [`crate::Cmd::with_timeout`].
    pub fn with_response_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// PING a connection that has been idle this long, so a dead peer is found
    /// before a command needs it (`None`: never).
    pub fn with_health_check_interval(mut self, interval: Option<Duration>) -> Self {
        self.health_check_interval = interval;
        self
    }

    /// TCP keepalive idle time (`None`: off).
    pub fn with_tcp_keepalive(mut self, idle: Option<Duration>) -> Self {
        self.tcp_keepalive = idle;
        self
    }

    /// The largest number of dedicated connections open at once (for blocking
    /// commands, WATCH and [`crate::Client::dedicated`]). Zero is refused by
    /// [`crate::Client::connect`]: blocking commands would have nowhere to run.
    pub fn with_pool_size(mut self, size: usize) -> Self {
        self.pool_size = size;
        self
    }

    /// How many times [`crate::Watching::transaction`] runs its WATCH ...
    /// EXEC while other clients keep changing the watched keys, before it
    /// gives up with an error of kind [`crate::ErrorKind::Watch`] (16 by
    /// default; 0 counts as 1). Between attempts it waits a little, longer
    /// each time (a few milliseconds, up to 100, drawn at random so that
    /// contending clients do not retry in step).
    pub fn with_transaction_attempts(mut self, attempts: u32) -> Self {
        self.transaction_attempts = attempts;
        self
    }

    /// The retry policy for commands whose connection failed.
    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Decoder limits for replies.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Keeps replies to read-only single-key commands (GET, HGET, HGETALL,
    /// JSON.GET ...) in a client-side cache, which the server keeps right
    /// with RESP3 `CLIENT TRACKING` on the client's shared connection: a
    /// cached read is answered without a round trip, and a change the
    /// server tells of is seen by the next read after one round trip (any
    /// command) on the client. A lost connection empties the cache. Needs
    /// RESP3: [`crate::Client::connect`] refuses it over RESP2.
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// use redis_core::{CacheConfig, Config};
    /// # async fn run() -> redis_core::Result<()> {
    /// let config = Config::from_url("redis://127.0.0.1:6379?protocol=3")?
    ///     .with_client_cache(CacheConfig::new().with_max_entries(100_000));
    /// let client = Client::connect(config).await?;
    /// let name: Option<String> = client.get("user:1:name").await?;
    /// # let _ = name; Ok(()) }
    /// ```
    pub fn with_client_cache(mut self, cache: CacheConfig) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The client-side cache settings, if one is configured.
    pub fn client_cache(&self) -> Option<&CacheConfig> {
        self.cache.as_ref()
    }

    /// Whether [`Client::pubsub`](crate::Client::pubsub) on a RESP3 client
    /// subscribes on the client's shared connection (`true`, the default)
    /// or opens a connection of its own (`false`, as RESP2 always does).
    /// See [`PubSub`](crate::PubSub) for what each costs.
    ///
    /// ```
    /// let config = redis_core::Config::from_url("redis://127.0.0.1:6379")?
    ///     .with_shared_pubsub(false);
    /// assert!(!config.shared_pubsub());
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn with_shared_pubsub(mut self, shared: bool) -> Self {
        self.shared_pubsub = shared;
        self
    }

    /// Whether a RESP3 client's subscribers share its connection; see
    /// [`Config::with_shared_pubsub`].
    pub fn shared_pubsub(&self) -> bool {
        self.shared_pubsub
    }
}
