//! A Redis 8.2.3 primary and replica watched by three sentinels (master name `mymaster`,
//! quorum 2), awaited until every sentinel has discovered the replica and the other sentinels.

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Result, bail};
use crate::install::Installed;
use crate::layout::Layout;
use crate::ports::Ports;
use crate::resp;
use crate::server::{self, wait_until};

/// The master name the sentinels monitor.
pub const MASTER_NAME: &str = "mymaster";
/// Measured ~2.2 s; generous margin.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the sentinel setup listens.
#[derive(Debug, Clone)]
pub struct SentinelSetup {
    /// The monitored primary at start.
    pub primary: u16,
    /// Its replica at start.
    pub replica: u16,
    /// The three sentinels.
    pub sentinels: Vec<u16>,
}

/// Starts primary, replica and sentinels, and waits until the sentinels know each other and
/// the replica (before that, SENTINEL FAILOVER answers NOGOODSLAVE).
pub fn start(layout: &Layout, installed: &Installed) -> Result<SentinelSetup> {
    let (primary, replica, sentinels) = {
        let mut ports = Ports::default();
        let primary = ports.pick()?;
        let replica = ports.pick()?;
        let sentinels = (0..3).map(|_| ports.pick()).collect::<Result<Vec<u16>>>()?;
        (primary, replica, sentinels)
    };
    let started = Instant::now();
    let no_delay: Vec<OsString> = vec!["--repl-diskless-sync-delay".into(), "0".into()];
    server::start(
        layout,
        "sentinel-primary",
        primary,
        &installed.redis8,
        &no_delay,
    )?;
    let mut replica_args = no_delay.clone();
    replica_args.extend([
        "--replicaof".into(),
        "127.0.0.1".into(),
        primary.to_string().into(),
    ]);
    server::start(
        layout,
        "sentinel-replica",
        replica,
        &installed.redis8,
        &replica_args,
    )?;
    for (i, &port) in sentinels.iter().enumerate() {
        let name = format!("sentinel-{i}");
        let conf = config(port, primary, &layout.run_dir(&name));
        server::start_sentinel(layout, &name, port, &installed.redis8, &conf)?;
    }
    if !wait_until(READY_TIMEOUT, || {
        sentinels.iter().all(|&p| sentinel_ready(p))
    }) {
        bail!(
            "the sentinels did not discover the replica and each other within {}s; \
             see the logs under {}",
            READY_TIMEOUT.as_secs(),
            layout.run.display()
        );
    }
    eprintln!(
        "[xtask] sentinel: primary, replica and 3 sentinels ready in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(SentinelSetup {
        primary,
        replica,
        sentinels,
    })
}

/// A sentinel's config file; sentinel rewrites it, so it lives in the sentinel's run dir.
fn config(port: u16, primary: u16, dir: &Path) -> String {
    let file = |name: &str| quote(&dir.join(name));
    format!(
        "port {port}\n\
         bind 127.0.0.1\n\
         daemonize yes\n\
         dir {}\n\
         logfile {}\n\
         pidfile {}\n\
         sentinel monitor {MASTER_NAME} 127.0.0.1 {primary} 2\n\
         sentinel down-after-milliseconds {MASTER_NAME} 1000\n\
         sentinel failover-timeout {MASTER_NAME} 5000\n\
         sentinel parallel-syncs {MASTER_NAME} 1\n",
        quote(dir),
        file("log"),
        file("pid"),
    )
}

/// A path double-quoted for a Redis config file, whose parser splits on spaces and reads
/// backslash escapes inside quotes.
fn quote(path: &Path) -> String {
    let mut quoted = String::from("\"");
    for c in path.to_string_lossy().chars() {
        if matches!(c, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// Whether the sentinel at `port` sees one replica and two other sentinels.
fn sentinel_ready(port: u16) -> bool {
    let Ok(reply) = resp::command(resp::local(port), &["SENTINEL", "MASTER", MASTER_NAME]) else {
        return false;
    };
    let fields: Vec<String> = reply.items().iter().filter_map(resp::Value::text).collect();
    let field = |name: &str| {
        fields
            .chunks(2)
            .find(|pair| pair.first().is_some_and(|k| k == name))
            .and_then(|pair| pair.get(1).cloned())
    };
    field("num-slaves").as_deref() == Some("1")
        && field("num-other-sentinels").as_deref() == Some("2")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_paths_for_redis_conf() {
        assert_eq!(quote(Path::new("/a b/c")), "\"/a b/c\"");
        assert_eq!(quote(Path::new("/a\"b\\c")), "\"/a\\\"b\\\\c\"");
    }

    #[test]
    fn config_monitors_the_primary() {
        let conf = config(26380, 18001, Path::new("/run/s"));
        assert!(conf.contains("sentinel monitor mymaster 127.0.0.1 18001 2\n"));
        assert!(conf.contains("pidfile \"/run/s/pid\"\n"));
    }
}
