//! `servers up|down|status`: the whole set of test servers as one unit.

use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use crate::cmd::read_lossy;
use crate::env_file::{self, ServersEnv};
use crate::error::{Context, Result};
use crate::install::{self, REDIS7_BIN};
use crate::layout::Layout;
use crate::server::{self, pidfiles};
use crate::standalone::{self, tls_ping};
use crate::{cluster, resp, sentinel};

/// stack 1 + redis7 1 + valkey 1 + cluster 6 + sentinel setup 5.
const PROCESSES: usize = 14;

/// Keys of servers.env whose values are plain (non-TLS) endpoints, comma-separated.
const PLAIN_ENDPOINTS: [&str; 7] = [
    "STACK",
    "REDIS7",
    "VALKEY",
    "CLUSTER",
    "SENTINELS",
    "SENTINEL_PRIMARY",
    "SENTINEL_REPLICA",
];

/// Installs what is missing and starts every setup, or reuses servers that are already up;
/// prints servers.env.
pub fn up(layout: &Layout) -> Result<()> {
    fs::create_dir_all(&layout.base).context(|| format!("creating {}", layout.base.display()))?;
    if let Some(text) = healthy(layout) {
        eprintln!(
            "[xtask] servers are already up; reusing them ({})",
            layout.env_file.display()
        );
        print!("{text}");
        return Ok(());
    }
    if layout.env_file.exists() || !pidfiles(layout).is_empty() {
        eprintln!(
            "[xtask] found servers from an earlier run that are not all answering; stopping them"
        );
        down(layout)?;
    }
    let started = Instant::now();
    let installed = install::ensure(layout)?;

    let step = Instant::now();
    let stack = standalone::start_stack(layout, &installed)?;
    eprintln!(
        "[xtask] stack: 8.2.3 + modules in {:.1}s",
        step.elapsed().as_secs_f64()
    );
    let step = Instant::now();
    let redis7 = standalone::start_redis7(layout)?;
    eprintln!(
        "[xtask] redis7: 7.0 plain + TLS in {:.1}s",
        step.elapsed().as_secs_f64()
    );
    let step = Instant::now();
    let valkey = standalone::start_valkey(layout, &installed)?;
    eprintln!(
        "[xtask] valkey: 8.1.8 in {:.1}s",
        step.elapsed().as_secs_f64()
    );
    let cluster = cluster::start(layout, &installed)?;
    let sentinel = sentinel::start(layout, &installed)?;

    let env = ServersEnv {
        stack,
        redis7: redis7.port,
        redis7_tls: redis7.tls_port,
        tls_ca: redis7.certs.ca,
        tls_client_cert: redis7.certs.client_cert,
        tls_client_key: redis7.certs.client_key,
        valkey,
        cluster,
        sentinels: sentinel.sentinels,
        sentinel_master: sentinel::MASTER_NAME.to_string(),
        sentinel_primary: sentinel.primary,
        sentinel_replica: sentinel.replica,
        redis8_bin: installed.redis8,
        redis7_bin: REDIS7_BIN.into(),
        valkey_bin: installed.valkey,
        modules: installed.modules,
    };
    env.write(&layout.env_file)?;
    eprintln!(
        "[xtask] {PROCESSES} servers up in {:.1}s; {}:",
        started.elapsed().as_secs_f64(),
        layout.env_file.display()
    );
    print!("{}", env.render());
    Ok(())
}

/// Stops every server with a pidfile under the run dir and removes the run dir and
/// servers.env; does nothing when nothing runs.
pub fn down(layout: &Layout) -> Result<()> {
    let stopped = server::stop_all(layout)?;
    let orphans = server::stop_orphaned_temp_servers(layout)?;
    if orphans > 0 {
        eprintln!("[xtask] stopped {orphans} throw-away server(s) whose test process had died");
    }
    if layout.env_file.exists() {
        fs::remove_file(&layout.env_file)
            .context(|| format!("removing {}", layout.env_file.display()))?;
    }
    eprintln!("[xtask] stopped {stopped} server(s)");
    Ok(())
}

/// Prints servers.env and whether each endpoint answers; says whether all do.
pub fn status(layout: &Layout) -> Result<bool> {
    let leftovers = pidfiles(layout)
        .into_iter()
        .filter_map(|(_, pid)| pid)
        .filter(|&pid| server::is_live_redis(pid))
        .count();
    if !layout.env_file.exists() {
        println!(
            "servers are not up (no {}); {leftovers} server process(es) of ours running",
            layout.env_file.display()
        );
        return Ok(false);
    }
    let text = read_lossy(&layout.env_file);
    print!("{text}");
    println!("--- {leftovers}/{PROCESSES} server processes running");
    let entries = env_file::parse(&text);
    let mut all = true;
    for (key, addr) in plain_endpoints(&entries) {
        let answers = addr.is_some_and(resp::ping);
        all &= answers;
        let shown = addr.map_or_else(|| "unparsable address".to_string(), |a| a.to_string());
        println!(
            "{key:<17} {shown:<16} {}",
            if answers { "PONG" } else { "NO ANSWER" }
        );
    }
    let tls = tls_answers(layout, &entries);
    all &= tls;
    println!(
        "{:<17} {:<16} {}",
        "REDIS7_TLS",
        env_file::get(&entries, "REDIS7_TLS").unwrap_or("missing"),
        if tls { "PONG (TLS)" } else { "NO ANSWER" }
    );
    Ok(all)
}

/// The servers.env text when every server we started runs and answers.
fn healthy(layout: &Layout) -> Option<String> {
    let text = fs::read_to_string(&layout.env_file).ok()?;
    let pids = pidfiles(layout);
    let all_running = pids.len() == PROCESSES
        && pids
            .iter()
            .all(|(_, pid)| pid.is_some_and(server::is_live_redis));
    let entries = env_file::parse(&text);
    let endpoints = plain_endpoints(&entries);
    let all_answer = !endpoints.is_empty()
        && endpoints
            .iter()
            .all(|(_, addr)| addr.is_some_and(resp::ping))
        && tls_answers(layout, &entries);
    (all_running && all_answer).then_some(text)
}

/// Each plain endpoint of servers.env with its key; None for an address that does not parse.
fn plain_endpoints(entries: &[(String, String)]) -> Vec<(&'static str, Option<SocketAddr>)> {
    PLAIN_ENDPOINTS
        .iter()
        .flat_map(|&key| {
            let value = env_file::get(entries, key).unwrap_or("");
            value
                .split(',')
                .map(move |addr| (key, addr.parse().ok()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether the TLS endpoint answers a client that trusts the CA from servers.env.
fn tls_answers(layout: &Layout, entries: &[(String, String)]) -> bool {
    let port = env_file::get(entries, "REDIS7_TLS")
        .and_then(|addr| addr.parse::<SocketAddr>().ok())
        .map(|addr| addr.port());
    let ca = env_file::get(entries, "TLS_CA").map(Path::new);
    match (port, ca) {
        (Some(port), Some(ca)) => tls_ping(port, ca, &layout.logs.join("tls-ping.out")),
        _ => false,
    }
}
