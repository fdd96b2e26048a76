//! Where the shared test servers listen, read from the file the xtask writes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The shared servers of this test run.
#[derive(Debug, Clone)]
pub struct Servers {
    entries: HashMap<String, String>,
    file: PathBuf,
}

impl Servers {
    /// The value of one key of `servers.env`; fails the test with
    /// instructions when it is missing.
    pub fn get(&self, key: &str) -> &str {
        self.entries.get(key).map(String::as_str).unwrap_or_else(|| {
            panic!(
                "{} has no {key}: restart the servers with `cargo xtask servers down && cargo xtask servers up`",
                self.file.display()
            )
        })
    }

    /// Redis 8.2 with the Search, JSON and Bloom modules (`host:port`).
    pub fn redis8(&self) -> &str {
        self.get("STACK")
    }

    /// Redis 7.0, plain port (`host:port`).
    pub fn redis7(&self) -> &str {
        self.get("REDIS7")
    }

    /// Valkey 8.1 (`host:port`).
    pub fn valkey(&self) -> &str {
        self.get("VALKEY")
    }

    /// The three sentinels of the sentinel group (`host:port` each).
    pub fn sentinels(&self) -> Vec<&str> {
        self.get("SENTINELS").split(',').collect()
    }

    /// The name the sentinels monitor their master as (`mymaster`).
    pub fn sentinel_master(&self) -> &str {
        self.get("SENTINEL_MASTER")
    }

    /// The sentinel group's primary when the servers started (`host:port`);
    /// after a failover it is the replica.
    pub fn sentinel_primary(&self) -> &str {
        self.get("SENTINEL_PRIMARY")
    }

    /// The sentinel group's replica when the servers started (`host:port`).
    pub fn sentinel_replica(&self) -> &str {
        self.get("SENTINEL_REPLICA")
    }

    /// The six nodes of the shared cluster (`host:port` each): three
    /// primaries and their replicas, which is which read from the cluster.
    pub fn cluster(&self) -> Vec<&str> {
        self.get("CLUSTER").split(',').collect()
    }

    /// Redis 7.0, TLS port (`host:port`); its CA is `TLS_CA`.
    pub fn redis7_tls(&self) -> &str {
        self.get("REDIS7_TLS")
    }

    /// The Redis 8.2 `redis-server` binary, for throw-away servers.
    pub fn redis8_bin(&self) -> &str {
        self.get("REDIS8_BIN")
    }

    /// The Redis 7.0 `redis-server` binary.
    pub fn redis7_bin(&self) -> &str {
        self.get("REDIS7_BIN")
    }

    /// The `valkey-server` binary.
    pub fn valkey_bin(&self) -> &str {
        self.get("VALKEY_BIN")
    }
}

fn servers_file() -> PathBuf {
    match std::env::var_os("REDIS_SERVERS_ENV") {
        Some(path) => PathBuf::from(path),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/redis-servers/servers.env")
        }
    }
}

/// The shared servers, read once per test binary.
pub fn servers() -> &'static Servers {
    static SERVERS: OnceLock<Servers> = OnceLock::new();
    SERVERS.get_or_init(|| {
        let file = servers_file();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "the test servers are not running ({}: {e}). Start them with `cargo xtask servers up`, \
                 or run the whole suite with `cargo xtask test`.",
                file.display()
            )
        });
        let entries = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Servers { entries, file }
    })
}
