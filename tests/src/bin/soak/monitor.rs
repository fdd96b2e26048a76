//! Samples taken while the soak runs: the process's memory and the number of
//! connections the server sees from the client under test.

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
    /// The most connections the server had besides the admin's.
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

/// Samples until the run stops.
pub async fn watch(run: Arc<Run>, admin: Client, started: Instant) -> Samples {
    let mut samples = Samples::default();
    while !run.stopped() {
        if let Some(kib) = status_kib("VmRSS") {
            samples.rss.push((started.elapsed(), kib));
        }
        // The server may be down or restarting: no sample then.
        if let Ok(Ok(count)) = tokio::time::timeout(EVERY * 2, connections(&admin)).await {
            samples.max_connections = samples.max_connections.max(count);
        }
        tokio::time::sleep(EVERY).await;
    }
    if let Some(kib) = status_kib("VmRSS") {
        samples.rss.push((started.elapsed(), kib));
    }
    samples
}

/// The server's connections besides the admin's (CLIENT LIST).
pub async fn connections(admin: &Client) -> redis_core::Result<usize> {
    let list: String = Cmd::new("CLIENT").arg("LIST").query(admin).await?;
    let admin_name = format!("name={ADMIN_NAME} ");
    Ok(list
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.contains(&admin_name))
        .count())
}

/// A `kB` field of /proc/self/status (`VmRSS`, `VmHWM`).
pub fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}
