//! `servers.env`: where each test server listens, one `KEY=VALUE` per line, read by the tests
//! through `REDIS_SERVERS_ENV`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::error::{Context, Result, bail};
use crate::layout::Layout;

/// Everything the tests need to reach the servers.
#[derive(Debug, Clone)]
pub struct ServersEnv {
    /// Redis 8.2.3 with the modules.
    pub stack: u16,
    /// Redis 7.0, plain port.
    pub redis7: u16,
    /// Redis 7.0, TLS port.
    pub redis7_tls: u16,
    /// CA certificate trusted by the TLS port.
    pub tls_ca: PathBuf,
    /// Client certificate for mutual TLS.
    pub tls_client_cert: PathBuf,
    /// Client key for mutual TLS.
    pub tls_client_key: PathBuf,
    /// Valkey 8.1.8.
    pub valkey: u16,
    /// The six cluster nodes.
    pub cluster: Vec<u16>,
    /// The three sentinels.
    pub sentinels: Vec<u16>,
    /// The monitored master name.
    pub sentinel_master: String,
    /// The sentinel setup's primary at start.
    pub sentinel_primary: u16,
    /// The sentinel setup's replica at start.
    pub sentinel_replica: u16,
    /// The 8.2.3 server binary (for tests that start their own).
    pub redis8_bin: PathBuf,
    /// The 7.0 server binary.
    pub redis7_bin: PathBuf,
    /// The Valkey server binary (for tests that start their own).
    pub valkey_bin: PathBuf,
    /// RediSearch, RedisJSON and RedisBloom module files.
    pub modules: Vec<PathBuf>,
}

impl ServersEnv {
    /// The file's text, keys in a fixed order.
    pub fn render(&self) -> String {
        let addr = |port: &u16| format!("127.0.0.1:{port}");
        let addrs = |ports: &[u16]| ports.iter().map(addr).collect::<Vec<_>>().join(",");
        let modules: Vec<String> = self
            .modules
            .iter()
            .map(|m| m.display().to_string())
            .collect();
        let entries = [
            ("STACK", addr(&self.stack)),
            ("REDIS7", addr(&self.redis7)),
            ("REDIS7_TLS", addr(&self.redis7_tls)),
            ("TLS_CA", self.tls_ca.display().to_string()),
            (
                "TLS_CLIENT_CERT",
                self.tls_client_cert.display().to_string(),
            ),
            ("TLS_CLIENT_KEY", self.tls_client_key.display().to_string()),
            ("VALKEY", addr(&self.valkey)),
            ("CLUSTER", addrs(&self.cluster)),
            ("SENTINELS", addrs(&self.sentinels)),
            ("SENTINEL_MASTER", self.sentinel_master.clone()),
            ("SENTINEL_PRIMARY", addr(&self.sentinel_primary)),
            ("SENTINEL_REPLICA", addr(&self.sentinel_replica)),
            ("REDIS8_BIN", self.redis8_bin.display().to_string()),
            ("REDIS7_BIN", self.redis7_bin.display().to_string()),
            ("VALKEY_BIN", self.valkey_bin.display().to_string()),
            ("MODULES", modules.join(":")),
        ];
        let mut text = String::new();
        for (key, value) in entries {
            let _ = writeln!(text, "{key}={value}");
        }
        text
    }

    /// Writes the file whole or not at all, so a reader never sees half of it.
    pub fn write(&self, path: &Path) -> Result<()> {
        let partial = path.with_extension("env.partial");
        fs::write(&partial, self.render()).context(|| format!("writing {}", partial.display()))?;
        fs::rename(&partial, path)
            .context(|| format!("renaming {} to {}", partial.display(), path.display()))
    }
}

/// The `KEY=VALUE` pairs of a servers.env text, in order; other lines are skipped.
pub fn parse(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The value of `key`, if present.
pub fn get<'a>(entries: &'a [(String, String)], key: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The Redis 8.2 server (with modules) a command that reads from a live server talks to: the
/// `--addr HOST:PORT` among `args`, else `STACK` of the running test servers.
pub fn stack_address(layout: &Layout, args: &[OsString]) -> Result<SocketAddr> {
    let words: Vec<Option<&str>> = args.iter().map(|a| a.to_str()).collect();
    match words.as_slice() {
        [] => {}
        [Some("--addr"), Some(addr)] => {
            return addr
                .parse()
                .context(|| format!("--addr {addr}: not HOST:PORT"));
        }
        _ => bail!("expected no arguments or `--addr HOST:PORT`, got {args:?}"),
    }
    let text = fs::read_to_string(&layout.env_file).context(|| {
        format!(
            "reading {} (are the test servers up? `cargo xtask servers up`)",
            layout.env_file.display()
        )
    })?;
    let entries = parse(&text);
    let Some(addr) = get(&entries, "STACK") else {
        bail!("no STACK in {}", layout.env_file.display());
    };
    addr.parse()
        .context(|| format!("STACK={addr} in {}", layout.env_file.display()))
}

/// The first sentinel of the running test servers (`SENTINELS`), if their env file names one.
pub fn first_sentinel(layout: &Layout) -> Option<SocketAddr> {
    let text = fs::read_to_string(&layout.env_file).ok()?;
    let entries = parse(&text);
    get(&entries, "SENTINELS")?.split(',').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_key_and_parses_back() {
        let env = ServersEnv {
            stack: 1,
            redis7: 2,
            redis7_tls: 3,
            tls_ca: "/c/ca.crt".into(),
            tls_client_cert: "/c/client.crt".into(),
            tls_client_key: "/c/client.key".into(),
            valkey: 15,
            cluster: vec![4, 5, 6, 7, 8, 9],
            sentinels: vec![10, 11, 12],
            sentinel_master: "mymaster".into(),
            sentinel_primary: 13,
            sentinel_replica: 14,
            redis8_bin: "/v/redis-server".into(),
            redis7_bin: "/usr/bin/redis-server".into(),
            valkey_bin: "/v/valkey-server".into(),
            modules: vec!["/m/a.so".into(), "/m/b.so".into(), "/m/c.so".into()],
        };
        let entries = parse(&env.render());
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "STACK",
                "REDIS7",
                "REDIS7_TLS",
                "TLS_CA",
                "TLS_CLIENT_CERT",
                "TLS_CLIENT_KEY",
                "VALKEY",
                "CLUSTER",
                "SENTINELS",
                "SENTINEL_MASTER",
                "SENTINEL_PRIMARY",
                "SENTINEL_REPLICA",
                "REDIS8_BIN",
                "REDIS7_BIN",
                "VALKEY_BIN",
                "MODULES"
            ]
        );
        assert_eq!(
            get(&entries, "CLUSTER"),
            Some("127.0.0.1:4,127.0.0.1:5,127.0.0.1:6,127.0.0.1:7,127.0.0.1:8,127.0.0.1:9")
        );
        assert_eq!(get(&entries, "MODULES"), Some("/m/a.so:/m/b.so:/m/c.so"));
        assert_eq!(get(&entries, "SENTINEL_REPLICA"), Some("127.0.0.1:14"));
        assert_eq!(get(&entries, "VALKEY"), Some("127.0.0.1:15"));
    }
}
