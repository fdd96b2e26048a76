//! Redis Sentinel: [`Sentinel`] and the clients it opens, which find the
//! master or a replica through the sentinels on every connect. One concept
//! per file: asking the sentinels (`ask`), the majority vote (`vote`), the
//! connectors (`connector`), the master check (`watch`), the
//! `+switch-master` subscription (`switch`), the URL (`url`).

mod ask;
mod connector;
mod switch;
mod url;
mod vote;
mod watch;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use ask::Sentinels;
use connector::{MasterConnector, ReplicaConnector};

use crate::config::{Addr, Config};
use crate::connection::{Connector, Node};
use crate::credentials::Secret;
use crate::{Client, Error, Result};

/// The sentinels of a Redis deployment, and the settings for talking to
/// them and to the servers they monitor; like redis-py's
/// `redis.sentinel.Sentinel`.
///
/// Built with [`Sentinel::new`] (or [`Sentinel::from_url`]) and the
/// `with_*` methods; cheap to clone. The sentinels have settings of their
/// own, apart from the data nodes': their credentials
/// ([`Sentinel::with_sentinel_password`]) are not the servers'
/// ([`Sentinel::with_node_config`]).
///
/// [`Sentinel::master_for`] opens a [`Client`] whose every connection (the
/// shared one, each reconnect, each dedicated one) goes to the master the
/// sentinels name at that moment:
///
/// - the sentinels are asked together; one that is down or slow is skipped
///   after [`Sentinel::with_sentinel_timeout`], and one that names a master
///   the others do not is outvoted (the majority of those that answered
///   wins; a tie goes to the newer configuration epoch);
/// - the node is asked `ROLE` before it is used, and refused unless it says
///   it is a master (as redis-py does), so a node mid-failover is not
///   written to;
/// - a lost connection reconnects through the sentinels; a `READONLY` reply
///   (the master was demoted behind the client's back) drops the shared
///   connection, and the commands that met the demoted node, which it did
///   not execute, are tried again on the new master;
/// - the client subscribes to `+switch-master` on every sentinel and
///   moves to the new master the moment one announces it;
/// - every second ([`Sentinel::with_master_check_interval`]) the client
///   also asks the sentinels whether they still name its node, and moves
///   if not (for an announcement missed while no subscription was up);
///   [`Client::reconnect`] does the same on notice from outside (an
///   orchestrator's).
///
/// Errors name the node actually used (the master's address), not a
/// sentinel's.
///
/// [`Sentinel::replica_for`] opens a client over the replicas: each new
/// connection goes to the next replica in turn, and to the master when no
/// replica is up.
///
/// ```no_run
/// use redis_core::prelude::*;
/// use redis_core::Sentinel;
/// # async fn run() -> redis_core::Result<()> {
/// let sentinel = Sentinel::new(["10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"])?
///     .with_sentinel_password("sentinel-secret")
///     .with_node_config(Config::from_url("redis://:node-secret@placeholder/0")?);
/// let master = sentinel.master_for("mymaster").await?;
/// master.set("greeting", "hello").await?;
/// let replica = sentinel.replica_for("mymaster").await?;
/// let greeting: Option<String> = replica.get("greeting").await?;
/// println!("{:?}", sentinel.discover_master("mymaster").await?);
/// # let _ = greeting; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Sentinel {
    addrs: Vec<Addr>,
    sentinel_config: Config,
    node_config: Config,
    timeout: Duration,
    master_check: Option<Duration>,
}

/// The sentinels' addresses and settings; credentials show as `***` (the
/// configurations' own `Debug`).
impl fmt::Debug for Sentinel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addrs: Vec<String> = self.addrs.iter().map(Addr::to_string).collect();
        f.debug_struct("Sentinel")
            .field("sentinels", &addrs)
            .field("timeout", &self.timeout)
            .field("master_check", &self.master_check)
            .field("sentinel_config", &self.sentinel_config)
            .field("node_config", &self.node_config)
            .finish()
    }
}

impl Sentinel {
    /// The longest wait for one sentinel by default (connect, handshake and
    /// reply): one that takes longer is skipped.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(redis_core::Sentinel::DEFAULT_TIMEOUT, Duration::from_millis(500));
    /// ```
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

    /// How often a master client asks the sentinels where the master is,
    /// by default (see [`Sentinel::with_master_check_interval`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(redis_core::Sentinel::DEFAULT_MASTER_CHECK, Duration::from_secs(1));
    /// ```
    pub const DEFAULT_MASTER_CHECK: Duration = Duration::from_secs(1);

    /// The sentinels at these addresses (`host:port`, `[v6]:port`; the port
    /// is 26379 when left out), with default settings: no credentials, and
    /// the defaults of [`Config`] for the data nodes.
    ///
    /// ```
    /// use redis_core::Sentinel;
    /// let sentinel = Sentinel::new(["10.0.0.1", "10.0.0.2:26380"])?;
    /// assert_eq!(sentinel.sentinels().len(), 2);
    /// assert!(Sentinel::new(Vec::<String>::new()).is_err());
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn new<I>(sentinels: I) -> Result<Sentinel>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let addrs = sentinels
            .into_iter()
            .map(|addr| url::sentinel_addr(addr.as_ref()))
            .collect::<Result<Vec<Addr>>>()?;
        Sentinel::from_addrs(addrs)
    }

    /// The sentinels at these addresses.
    ///
    /// ```
    /// use redis_core::{Addr, Sentinel};
    /// let sentinel = Sentinel::from_addrs(vec![Addr::Tcp { host: "10.0.0.1".into(), port: 26379 }])?;
    /// assert_eq!(sentinel.sentinels()[0].to_string(), "10.0.0.1:26379");
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn from_addrs(sentinels: Vec<Addr>) -> Result<Sentinel> {
        let Some(first) = sentinels.first() else {
            return Err(Error::config(
                "a Sentinel needs at least one sentinel address",
            ));
        };
        let first = first.clone();
        Ok(Sentinel {
            addrs: sentinels,
            sentinel_config: Config::new(first.clone()),
            node_config: Config::new(first),
            timeout: Sentinel::DEFAULT_TIMEOUT,
            master_check: Some(Sentinel::DEFAULT_MASTER_CHECK),
        })
    }

    /// Parses a `redis+sentinel://` URL, the form redis-py's
    /// `redis+sentinel` helpers, prefect and docket accept:
    ///
    /// `redis+sentinel://[user:password@]host[:port][,host[:port]...]/master_name[/db][?options]`
    ///
    /// `rediss+sentinel://` speaks TLS to the sentinels and the data nodes.
    /// Sentinels listen on 26379 unless a port is given. The user and
    /// password before the hosts, the database and every option of a
    /// `redis://` URL ([`crate::url`]) are the data nodes'; the sentinels
    /// take `sentinel_username=`, `sentinel_password=`,
    /// `sentinel_timeout=` (seconds) and the `ssl_*` options. `client_type=replica`
    /// makes [`Sentinel::connect_url`] open a replica client.
    ///
    /// Returns the settings and the master's name.
    ///
    /// ```
    /// use redis_core::Sentinel;
    /// let (sentinel, name) = Sentinel::from_url(
    ///     "redis+sentinel://:node-secret@10.0.0.1,10.0.0.2:26380/mymaster/0?sentinel_password=s",
    /// )?;
    /// assert_eq!(name, "mymaster");
    /// assert_eq!(sentinel.sentinels().len(), 2);
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<(Sentinel, String)> {
        let parsed = url::parse(url)?;
        Ok((parsed.sentinel, parsed.name))
    }

    /// Opens the client a `redis+sentinel://` URL names (see
    /// [`Sentinel::from_url`]): the master's, or with `client_type=replica`
    /// the replicas'.
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// use redis_core::Sentinel;
    /// # async fn run() -> redis_core::Result<()> {
    /// let client = Sentinel::connect_url("redis+sentinel://127.0.0.1:26379/mymaster/0").await?;
    /// client.set("key", "value").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect_url(url: &str) -> Result<Client> {
        let parsed = url::parse(url)?;
        if parsed.replica {
            parsed.sentinel.replica_for(&parsed.name).await
        } else {
            parsed.sentinel.master_for(&parsed.name).await
        }
    }

    /// The sentinels' addresses.
    ///
    /// ```
    /// # let sentinel = redis_core::Sentinel::new(["127.0.0.1"])?;
    /// assert_eq!(sentinel.sentinels()[0].to_string(), "127.0.0.1:26379");
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn sentinels(&self) -> &[Addr] {
        &self.addrs
    }

    /// Authenticate to the sentinels as this ACL user (their own users,
    /// not the data nodes').
    ///
    /// ```
    /// # let sentinel = redis_core::Sentinel::new(["127.0.0.1"])?;
    /// let sentinel = sentinel.with_sentinel_username("watcher").with_sentinel_password("s");
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn with_sentinel_username(mut self, username: impl Into<String>) -> Sentinel {
        self.sentinel_config = self.sentinel_config.with_username(username);
        self
    }

    /// Authenticate to the sentinels with this password (a sentinel's
    /// `requirepass`), not the data nodes'.
    ///
    /// ```
    /// # let sentinel = redis_core::Sentinel::new(["127.0.0.1"])?;
    /// let sentinel = sentinel.with_sentinel_password("sentinel-secret");
    /// assert!(!format!("{sentinel:?}").contains("sentinel-secret"));
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn with_sentinel_password(mut self, password: impl Into<Secret>) -> Sentinel {
        self.sentinel_config = self.sentinel_config.with_password(password);
        self
    }

    /// Every setting for the connections to the sentinels (credentials,
    /// TLS, protocol); its address is ignored. Its timeouts are replaced by
    /// [`Sentinel::with_sentinel_timeout`]'s.
    ///
    /// ```
    /// use redis_core::{Config, Sentinel};
    /// let sentinel = Sentinel::new(["127.0.0.1"])?
    ///     .with_sentinel_config(Config::from_url("redis://:s@placeholder?protocol=2")?);
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn with_sentinel_config(mut self, config: Config) -> Sentinel {
        self.sentinel_config = config;
        self
    }

    /// The settings of the connections to the data nodes, masters and
    /// replicas alike: credentials, TLS, database, protocol, timeouts,
    /// pool size, retry policy. Its address is ignored: the sentinels say
    /// where the nodes are.
    ///
    /// ```
    /// use redis_core::{Config, Sentinel};
    /// let sentinel = Sentinel::new(["127.0.0.1"])?
    ///     .with_node_config(Config::from_url("redis://app:secret@placeholder/3")?);
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn with_node_config(mut self, config: Config) -> Sentinel {
        self.node_config = config;
        self
    }

    /// The longest wait for one sentinel (connect, handshake and reply;
    /// [`Sentinel::DEFAULT_TIMEOUT`] by default). The sentinels are asked
    /// together, so one that is down costs at most this once per connect.
    ///
    /// ```
    /// # let sentinel = redis_core::Sentinel::new(["127.0.0.1"])?;
    /// let sentinel = sentinel.with_sentinel_timeout(std::time::Duration::from_millis(200));
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn with_sentinel_timeout(mut self, timeout: Duration) -> Sentinel {
        self.timeout = timeout;
        self
    }

    /// How often a master client ([`Sentinel::master_for`]) asks the
    /// sentinels where the master is, and moves to the one they name if it
    /// is not the node it is on ([`Sentinel::DEFAULT_MASTER_CHECK`] by
    /// default; `None`: never, only a lost connection or a READONLY reply
    /// move it).
    ///
    /// Why: after a failover the old master can go on taking writes, as a
    /// master, until the sentinels turn it into a replica (about ten
    /// seconds after `SENTINEL FAILOVER`), and those writes are lost when
    /// it resyncs. The client's subscription to the sentinels'
    /// `+switch-master` moves it as soon as they announce the new master;
    /// the check is the fallback when an announcement is missed (no
    /// sentinel reachable at that moment), and bounds that time to about
    /// one interval.
    ///
    /// ```
    /// # let sentinel = redis_core::Sentinel::new(["127.0.0.1"])?;
    /// let sentinel = sentinel.with_master_check_interval(Some(std::time::Duration::from_millis(250)));
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn with_master_check_interval(mut self, every: Option<Duration>) -> Sentinel {
        self.master_check = every;
        self
    }

    /// The address of the master monitored as `name`, as the majority of
    /// the sentinels that answered name it (redis-py's `discover_master`).
    /// Fails, saying what each sentinel answered, when none names one that
    /// is up.
    ///
    /// ```no_run
    /// # async fn run() -> redis_core::Result<()> {
    /// let sentinel = redis_core::Sentinel::new(["127.0.0.1:26379"])?;
    /// let master = sentinel.discover_master("mymaster").await?;
    /// println!("writes go to {master}");
    /// # Ok(()) }
    /// ```
    pub async fn discover_master(&self, name: &str) -> Result<Addr> {
        self.asker()?.master(name).await
    }

    /// The replicas of the master monitored as `name` that are up and
    /// linked to it, as the sentinels that elected the master see them
    /// (redis-py's `discover_slaves`); empty when there are none.
    ///
    /// ```no_run
    /// # async fn run() -> redis_core::Result<()> {
    /// let sentinel = redis_core::Sentinel::new(["127.0.0.1:26379"])?;
    /// for replica in sentinel.discover_replicas("mymaster").await? {
    ///     println!("a replica at {replica}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn discover_replicas(&self, name: &str) -> Result<Vec<Addr>> {
        Ok(self.asker()?.replicas(name).await?.replicas)
    }

    /// A client of the master monitored as `name` that follows failovers:
    /// each connection goes to the master the sentinels name at that
    /// moment, checked with `ROLE` (see [`Sentinel`]). Fails if
    /// no master can be found and reached now.
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// # async fn run() -> redis_core::Result<()> {
    /// let sentinel = redis_core::Sentinel::new(["127.0.0.1:26379"])?;
    /// let master = sentinel.master_for("mymaster").await?;
    /// master.incr("visits").await?;
    /// # Ok(()) }
    /// ```
    pub async fn master_for(&self, name: &str) -> Result<Client> {
        let connector = self.master_connector(name)?;
        let sentinels = connector.sentinels.clone();
        let first = sentinels.master(name).await?;
        let connector: Connector = Arc::new(connector);
        let client = Client::start(self.client_config(first)?, connector).await?;
        let sentinel_config = self
            .sentinel_config
            .clone()
            .with_connect_timeout(self.timeout)
            .with_response_timeout(Some(self.timeout));
        switch::follow(client.downgrade(), &self.addrs, &sentinel_config, name);
        if let Some(every) = self.master_check.filter(|every| !every.is_zero()) {
            watch::watch(client.downgrade(), sentinels, name.to_owned(), every);
        }
        Ok(client)
    }

    /// A client of the replicas of the master monitored as `name`: each
    /// new connection (the shared one, each reconnect, each dedicated one)
    /// goes to the next replica the sentinels list, in turn, and to the
    /// master when none is up or reachable. One client's shared connection
    /// reads from one replica at a time; open several clients to read from
    /// several at once.
    ///
    /// ```no_run
    /// use redis_core::prelude::*;
    /// # async fn run() -> redis_core::Result<()> {
    /// let sentinel = redis_core::Sentinel::new(["127.0.0.1:26379"])?;
    /// let replica = sentinel.replica_for("mymaster").await?;
    /// let visits: Option<i64> = replica.get("visits").await?;
    /// # let _ = visits; Ok(()) }
    /// ```
    pub async fn replica_for(&self, name: &str) -> Result<Client> {
        let master = self.master_connector(name)?;
        let first = master.sentinels.master(name).await?;
        let connector: Connector = Arc::new(ReplicaConnector {
            master,
            next: AtomicUsize::new(fastrand::usize(..1024)),
        });
        Client::start(self.client_config(first)?, connector).await
    }

    fn asker(&self) -> Result<Arc<Sentinels>> {
        Ok(Arc::new(Sentinels::new(
            self.addrs.clone(),
            self.sentinel_config.clone(),
            self.timeout,
        )?))
    }

    fn master_connector(&self, name: &str) -> Result<MasterConnector> {
        Ok(MasterConnector {
            sentinels: self.asker()?,
            name: name.to_owned(),
            node: Node::new(self.node_config.clone())?,
        })
    }

    /// The client's settings: the data nodes', with the master found first
    /// as the address its spans start with.
    fn client_config(&self, first: Addr) -> Result<Config> {
        if self.node_config.pool_size == 0 {
            return Err(Error::config(
                "a pool size of 0 leaves blocking commands, WATCH and dedicated() nowhere to run; use 1 or more",
            ));
        }
        let mut config = self.node_config.clone();
        config.addr = first;
        Ok(config)
    }
}
