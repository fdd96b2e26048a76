//! Samples taken while the soak runs: the process's memory and the number of
//! connections the server (on a cluster: every node together) sees from
//! the client under test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use redis_core::{Client, Cmd};

use crate::run::Run;

/// The client name of the admin connection, left out of the counts.
pub const ADMIN_NAME: &str = "soak-admin";

const EVERY: Duration = Duration::from_millis(250);

/// What the monitor saw.
#[derive(Debug, Default)]
pub struct Samples {
    /// The most connections the servers had besides the admin's and
    /// replication links.
    pub max_connections: usize,
    /// Resident memory (KiB) over time.
    pub rss: Vec<(Duration, u64)>,
}

impl Samples {
    /// The resident memory at the first sample at or after `at`.
    pub fn rss_at(&self, at: Duration) -> Option<u64> {
        self.rss.iter().find(|(t, _)| *t >= at).map(|&(_, kib)| kib)
    }
}

/// Samples until the run stops; `admins` holds one client per server.
pub async fn watch(run: Arc<Run>, admins: Vec<Client>, started: Instant) -> Samples {
    let mut samples = Samples::default();
    while !run.stopped() {
        if let Some(kib) = status_kib("VmRSS") {
            samples.rss.push((started.elapsed(), kib));
        }
        // A server may be down or restarting: no sample then.
        if let Ok(Ok(count)) = tokio::time::timeout(EVERY * 2, connections(&admins)).await {
            samples.max_connections = samples.max_connections.max(count);
        }
        tokio::time::sleep(EVERY).await;
    }
    if let Some(kib) = status_kib("VmRSS") {
        samples.rss.push((started.elapsed(), kib));
    }
    samples
}

/// The servers' connections besides the admin's and the replication links
/// between a cluster's nodes (CLIENT LIST on each).
pub async fn connections(admins: &[Client]) -> redis_core::Result<usize> {
    let admin_name = format!("name={ADMIN_NAME} ");
    let mut count = 0;
    for admin in admins {
        let list: String = Cmd::new("CLIENT").arg("LIST").query(admin).await?;
        count += list
            .lines()
            .filter(|line| {
                let replication = line.contains(" flags=S ") || line.contains(" flags=M ");
                !line.trim().is_empty() && !line.contains(&admin_name) && !replication
            })
            .count();
    }
    Ok(count)
}

/// A `kB` field of /proc/self/status (`VmRSS`, `VmHWM`).
pub fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}
