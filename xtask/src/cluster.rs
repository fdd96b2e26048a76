//! Six Redis 8.2.3 cluster nodes: three primaries and three replicas, created with Debian's
//! `redis-cli --cluster create` and awaited until every node agrees and every replica synced.
//! Each node loads the modules the stack server has (RediSearch, RedisJSON, RedisBloom,
//! RedisTimeSeries and the graph module, the last two with OpenSSL 1.1 on their
//! `LD_LIBRARY_PATH`), so the standalone suites run on the cluster too. Search on an OSS cluster
//! has no coordinator: every shard indexes its own keys and the object mapper fans queries out.

use std::ffi::OsString;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::cmd::run_ok;
use crate::error::{Result, bail};
use crate::install::{Installed, REDIS_CLI};
use crate::layout::Layout;
use crate::ports::Ports;
use crate::resp;
use crate::server::{self, wait_until};

/// Number of nodes; with one replica each, half are primaries.
const NODES: usize = 6;
/// Measured: state ok in ~2.5 s and replicas synced in ~3.5 s; this leaves a wide margin.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Starts the six nodes, joins them into a cluster and waits until it is fully formed; returns
/// the nodes' ports.
pub fn start(layout: &Layout, installed: &Installed) -> Result<Vec<u16>> {
    let ports = {
        let mut ports = Ports::default();
        (0..NODES)
            .map(|_| ports.pick_cluster())
            .collect::<Result<Vec<u16>>>()?
    };
    let started = Instant::now();
    for (i, &port) in ports.iter().enumerate() {
        let name = format!("cluster-{i}");
        let nodes_conf = layout.run_dir(&name).join("nodes.conf");
        let mut args: Vec<OsString> = vec![
            "--cluster-enabled".into(),
            "yes".into(),
            "--cluster-config-file".into(),
            nodes_conf.into(),
            // Failure detection and replica sync in seconds rather than the defaults' ~15 s.
            "--cluster-node-timeout".into(),
            "2000".into(),
            "--repl-diskless-sync-delay".into(),
            "0".into(),
        ];
        for module in installed
            .modules
            .iter()
            .chain([&installed.timeseries, &installed.graph])
        {
            args.push("--loadmodule".into());
            args.push(module.into());
        }
        server::start_with_env(
            layout,
            &name,
            port,
            &installed.redis8,
            &args,
            &[("LD_LIBRARY_PATH", &installed.openssl11)],
        )?;
    }
    let addrs: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    run_ok(
        Command::new(REDIS_CLI)
            .arg("--cluster")
            .arg("create")
            .args(&addrs)
            .args(["--cluster-replicas", "1", "--cluster-yes"]),
        &layout.run.join("cluster-create.log"),
        READY_TIMEOUT,
    )?;
    // Right after create returns some nodes still see six primaries: wait until all agree.
    if !wait_until(READY_TIMEOUT, || ports.iter().all(|&p| node_ready(p))) {
        let states: Vec<String> = ports.iter().map(|&p| describe(p)).collect();
        bail!(
            "the cluster did not form within {}s (every node cluster_state:ok, seeing 3 \
             primaries + 3 replicas, replicas synced):\n{}",
            READY_TIMEOUT.as_secs(),
            states.join("\n")
        );
    }
    eprintln!(
        "[xtask] cluster: 3 primaries + 3 synced replicas in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(ports)
}

/// Whether the node at `port` has state ok, sees 3 primaries and 3 replicas, and (if it is a
/// replica) has its link to its primary up.
fn node_ready(port: u16) -> bool {
    let addr = resp::local(port);
    let Ok(info) = resp::text(addr, &["CLUSTER", "INFO"]) else {
        return false;
    };
    let Ok(nodes) = resp::text(addr, &["CLUSTER", "NODES"]) else {
        return false;
    };
    if !info.lines().any(|l| l.trim() == "cluster_state:ok") || count_roles(&nodes) != (3, 3) {
        return false;
    }
    if !is_replica(&nodes) {
        return true;
    }
    resp::text(addr, &["INFO", "replication"])
        .is_ok_and(|repl| repl.lines().any(|l| l.trim() == "master_link_status:up"))
}

/// Primaries and replicas listed in a `CLUSTER NODES` reply (the flags are its third column).
fn count_roles(nodes: &str) -> (usize, usize) {
    let flags = nodes.lines().filter_map(|l| l.split_whitespace().nth(2));
    flags.fold((0, 0), |(m, s), f| {
        let has = |word| f.split(',').any(|x| x == word);
        (
            m + usize::from(has("master")),
            s + usize::from(has("slave")),
        )
    })
}

/// Whether the `myself` line of a `CLUSTER NODES` reply is a replica.
fn is_replica(nodes: &str) -> bool {
    nodes
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .any(|f| f.split(',').any(|x| x == "myself") && f.split(',').any(|x| x == "slave"))
}

/// One line on how far a node got, for the timeout message.
fn describe(port: u16) -> String {
    let addr = resp::local(port);
    let state = resp::text(addr, &["CLUSTER", "INFO"]).map(|info| {
        info.lines()
            .find(|l| l.starts_with("cluster_state:"))
            .unwrap_or("cluster_state:?")
            .trim()
            .to_string()
    });
    let roles = resp::text(addr, &["CLUSTER", "NODES"]).map(|n| count_roles(&n));
    match (state, roles) {
        (Ok(state), Ok((m, s))) => {
            format!("  127.0.0.1:{port}: {state}, sees {m} primaries + {s} replicas")
        }
        (Err(e), _) | (_, Err(e)) => format!("  127.0.0.1:{port}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES_REPLY: &str = "\
a 127.0.0.1:1@11 myself,master - 0 0 1 connected 0-5460
b 127.0.0.1:2@12 master - 0 0 2 connected 5461-10922
c 127.0.0.1:3@13 master,fail? - 0 0 3 connected 10923-16383
d 127.0.0.1:4@14 slave a 0 0 1 connected
e 127.0.0.1:5@15 slave b 0 0 2 connected
f 127.0.0.1:6@16 slave c 0 0 3 connected
";

    #[test]
    fn counts_primaries_and_replicas() {
        assert_eq!(count_roles(NODES_REPLY), (3, 3));
        assert_eq!(count_roles(""), (0, 0));
    }

    #[test]
    fn finds_own_role() {
        assert!(!is_replica(NODES_REPLY));
        assert!(is_replica(
            "d 127.0.0.1:4@14 myself,slave a 0 0 1 connected\n"
        ));
    }
}
