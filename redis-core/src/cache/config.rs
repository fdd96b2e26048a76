//! What a client-side cache keeps, and how the server tells it of changes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::store::{CacheStore, LruStore};
use crate::cmd_info::cacheable_name;
use crate::{Error, Result};

/// Makes the store of each client built with a [`CacheConfig`].
pub(crate) type StoreFactory = Arc<dyn Fn() -> Box<dyn CacheStore> + Send + Sync>;

/// Settings of a client-side cache (redis-py's `CacheConfig`), given to
/// [`Config::with_client_cache`](crate::Config::with_client_cache).
///
/// By default: up to 10,000 replies and 64 MiB, no time limit, every
/// read-only single-key command the command table knows (GET, HGET,
/// HGETALL, SMEMBERS, JSON.GET, STRLEN ...; never TTL, SRANDMEMBER, HSCAN
/// or other replies that change without a write), and the server tracking
/// the keys this client read (`CLIENT TRACKING ON`).
///
/// ```
/// use std::time::Duration;
/// use redis_core::{CacheConfig, Config};
/// let cache = CacheConfig::new()
///     .with_max_entries(50_000)
///     .with_max_bytes(16 << 20)
///     .with_ttl(Duration::from_secs(60))
///     .with_commands(["GET", "HGETALL"]);
/// let config = Config::from_url("redis://127.0.0.1:6379?protocol=3")?.with_client_cache(cache);
/// # let _ = config; Ok::<(), redis_core::Error>(())
/// ```
#[derive(Clone)]
pub struct CacheConfig {
    pub(crate) max_entries: usize,
    pub(crate) max_bytes: usize,
    pub(crate) ttl: Option<Duration>,
    /// Upper case; `None`: every cacheable command.
    pub(crate) commands: Option<Vec<String>>,
    /// `None`: default tracking; `Some`: BCAST with these prefixes.
    pub(crate) broadcast: Option<Vec<String>>,
    pub(crate) store: Option<StoreFactory>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            max_entries: 10_000,
            max_bytes: 64 << 20,
            ttl: None,
            commands: None,
            broadcast: None,
            store: None,
        }
    }
}

impl fmt::Debug for CacheConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheConfig")
            .field("max_entries", &self.max_entries)
            .field("max_bytes", &self.max_bytes)
            .field("ttl", &self.ttl)
            .field("commands", &self.commands)
            .field("broadcast", &self.broadcast)
            .field("store", &self.store.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl CacheConfig {
    /// The defaults (see [`CacheConfig`]).
    pub fn new() -> CacheConfig {
        CacheConfig::default()
    }

    /// Keeps at most this many replies (the least recently used go first).
    /// Applies to the built-in store; a store of one's own has its own limits.
    pub fn with_max_entries(mut self, entries: usize) -> CacheConfig {
        self.max_entries = entries;
        self
    }

    /// Keeps at most about this many bytes of replies and commands (an
    /// estimate of their size in memory). Applies to the built-in store.
    pub fn with_max_bytes(mut self, bytes: usize) -> CacheConfig {
        self.max_bytes = bytes;
        self
    }

    /// Serves a reply from the cache for at most this long after it was
    /// read, invalidated or not (`None`, the default: until invalidated).
    pub fn with_ttl(mut self, ttl: impl Into<Option<Duration>>) -> CacheConfig {
        self.ttl = ttl.into();
        self
    }

    /// Caches only these commands (names in any case). Each must be one the
    /// cache could keep anyway, a read-only command with one key whose
    /// reply changes only with a write: [`crate::Client::connect`] refuses
    /// others (TTL, SRANDMEMBER, MGET, an unknown name ...), since caching
    /// them would serve wrong replies.
    pub fn with_commands<I, S>(mut self, names: I) -> CacheConfig
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names = names
            .into_iter()
            .map(|name| name.into().to_ascii_uppercase());
        self.commands = Some(names.collect());
        self
    }

    /// Broadcasting mode (`CLIENT TRACKING ON BCAST PREFIX ...`): the server
    /// tells of every change to keys under these prefixes, read or not,
    /// and only keys under them are cached (no prefix: every key). The
    /// server remembers nothing per key, at the price of more invalidations.
    pub fn with_broadcast<I, S>(mut self, prefixes: I) -> CacheConfig
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.broadcast = Some(prefixes.into_iter().map(Into::into).collect());
        self
    }

    /// Keeps the replies in stores that `make` returns, one per client,
    /// instead of the built-in [`LruStore`] (the size limits above are then
    /// the store's business; the TTL still applies).
    pub fn with_store<F, S>(mut self, make: F) -> CacheConfig
    where
        F: Fn() -> S + Send + Sync + 'static,
        S: CacheStore,
    {
        self.store = Some(Arc::new(move || Box::new(make()) as Box<dyn CacheStore>));
        self
    }

    /// Refuses settings that would serve wrong replies.
    pub(crate) fn check(&self) -> Result<()> {
        for name in self.commands.iter().flatten() {
            if !cacheable_name(name) {
                return Err(Error::config(format!(
                    "{name} cannot be cached: only read-only commands with one key whose reply \
                     changes only when the key is written can be (GET, HGET, HGETALL, SMEMBERS, \
                     JSON.GET ...); remove it from CacheConfig::with_commands"
                )));
            }
        }
        Ok(())
    }

    /// True when replies to `name` (any case) may be cached.
    pub(crate) fn allows(&self, name: &str) -> bool {
        match &self.commands {
            None => true,
            Some(names) => names
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(name)),
        }
    }

    /// True when `key` is one the server tells this client about.
    pub(crate) fn tracks(&self, key: &[u8]) -> bool {
        match &self.broadcast {
            None => true,
            Some(prefixes) if prefixes.is_empty() => true,
            Some(prefixes) => prefixes.iter().any(|p| key.starts_with(p.as_bytes())),
        }
    }

    pub(crate) fn make_store(&self) -> Box<dyn CacheStore> {
        match &self.store {
            Some(make) => make(),
            None => Box::new(LruStore::new(self.max_entries, self.max_bytes)),
        }
    }
}
