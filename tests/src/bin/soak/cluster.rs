//! `--cluster`: the soak's workloads through a `ClusterClient` against a
//! throw-away cluster of its own, three primaries with one replica each,
//! whose primaries are killed (SIGKILL) and restarted, their connections
//! dropped and their clients paused (see `cluster_faults.rs`).
//!
//! Why "no acknowledged write lost" holds by construction: every node runs
//! with `appendonly yes` and `appendfsync always`, so a write is in the
//! AOF on disk before its reply leaves the server; a killed primary is
//! restarted on the same port and directory within about a second, well
//! before the node timeout (15 s), so no other node even marks it failing,
//! and it reloads its AOF and its `nodes.conf` and is the same primary
//! again. The replicas run with `cluster-replica-no-failover yes`, so that a
//! restart slowed down by a busy machine cannot turn into a failover either:
//! replication is asynchronous, and a promoted replica may lack writes its
//! primary acknowledged (which is what a failover is allowed to lose, and
//! what the cluster suite's failover tests cover instead).
//!
//! What the standalone soak does that has no sense here: the fault proxy
//! (a cluster's nodes tell the client each other's real addresses, so one
//! proxy in front of a node is bypassed at the first redirection; the
//! node-level faults stand in for it). The job stream runs as on one server:
//! its stream is one key on one shard, whose primary the faults kill too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis_core::commands::*;
use redis_core::retry::{ExponentialBackoff, Retry};
use redis_core::{Client, ClusterClient, Cmd, Config};
use redis_tests::{TempServer, Version};

use crate::cluster_faults::{self, MAX_PAUSE_MS};
use crate::monitor::{self, ADMIN_NAME};
use crate::run::Run;
use crate::{
    Args, CONNECT_TIMEOUT, IDENTIFIED_TASKS, KV_TASKS, PIPELINE_TASKS, Report, TIMEOUT,
    TRANSACTION_TASKS, WATCH_TASKS,
};

/// The nodes: primaries first, then replica `i` of primary `i`.
pub const PRIMARIES: usize = 3;

/// Long beside a kill and restart (up to a second down, then the AOF's
/// reload, which takes longer as the AOF grows: about half a second a
/// minute into the run), so that no node is marked failing.
const NODE_TIMEOUT_MS: &str = "15000";

/// Each primary keeps one shared connection and, for the WATCH tasks whose
/// keys it serves, pooled ones; a connection dropped by a pause's timeout
/// lingers on the server until the pause ends, as the proxy's stall does
/// for the standalone soak.
const MAX_CONNECTIONS_AFTER: usize = PRIMARIES * (1 + WATCH_TASKS);
const MAX_CONNECTIONS_DURING: usize =
    MAX_CONNECTIONS_AFTER * (2 + (MAX_PAUSE_MS / 1000) as usize) + 8;

/// The whole run on a cluster; `Ok(false)` when a check failed.
pub async fn soak(args: &Args) -> Result<bool, String> {
    let nodes = tokio::task::spawn_blocking(start_nodes)
        .await
        .map_err(|e| format!("starting the cluster's nodes: {e}"))?;
    let mut admins = Vec::new();
    for node in &nodes {
        let admin = Client::connect(admin_config(node)?)
            .await
            .map_err(|e| format!("connecting to {}: {e}", node.addr()))?;
        admins.push(admin);
    }
    form(&nodes, &admins).await?;
    let admin = ClusterClient::connect(admin_config(&nodes[0])?)
        .await
        .map_err(|e| format!("connecting to the cluster: {e}"))?;
    let retry = Retry::new(1, ExponentialBackoff::default());
    let budgets = crate::budgets(&retry);
    let config = Config::from_url(&nodes[0].url())
        .map_err(|e| e.to_string())?
        .with_protocol(args.protocol)
        .with_response_timeout(Some(TIMEOUT))
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_retry(retry)
        .with_client_name("soak-client");
    let primaries: Vec<String> = nodes[..PRIMARIES].iter().map(TempServer::addr).collect();
    let client = ClusterClient::connect_nodes(config, &primaries)
        .await
        .map_err(|e| format!("connecting to the cluster: {e}"))?;
    eprintln!(
        "soak: {} s, {:?}, {KV_TASKS} key-value + {PIPELINE_TASKS} pipeline + {TRANSACTION_TASKS} \
         transaction + {WATCH_TASKS} WATCH + {IDENTIFIED_TASKS} identified tasks on one \
         ClusterClient ({PRIMARIES} primaries, {PRIMARIES} replicas), seed {}",
        args.seconds, args.protocol, args.seed
    );
    crate::store_own_keys(&admin).await?;
    let mut ids = Vec::new();
    for primary in &admins[..PRIMARIES] {
        let id = primary.cluster_myid().await;
        ids.push(id.map_err(|e| format!("CLUSTER MYID: {e}"))?);
    }

    let run = Arc::new(Run::new());
    let started = Instant::now();
    let workers = crate::spawn_workers(&run, &client, budgets);
    let mut job_stream = crate::jobs::JobStream::start(&run, &client).await?;
    let nodes = Arc::new(Mutex::new(nodes));
    let injector = tokio::spawn(cluster_faults::inject(
        run.clone(),
        nodes.clone(),
        admins[..PRIMARIES].to_vec(),
        ids,
        client.clone(),
        args.seed,
    ));
    let monitor = tokio::spawn(monitor::watch(run.clone(), admins.clone(), started));

    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    run.stop();
    let ran_for = started.elapsed();
    let ledger = crate::collect_workers(workers, &run, budgets).await;
    job_stream
        .stop_producing(budgets.write + crate::MARGIN * 2, &run)
        .await;
    let faults = tokio::time::timeout(Duration::from_secs(30), injector)
        .await
        .map_err(|_| "the fault injector did not stop".to_owned())?
        .map_err(|e| format!("the fault injector panicked: {e}"))?;
    let samples = monitor
        .await
        .map_err(|e| format!("the monitor panicked: {e}"))?;

    let healed = crate::heal(&client, None, &run, budgets).await;
    wait_until_ok(&admins, &run).await;
    let checked = crate::verify(&ledger, &admin, &run).await?;
    let drained = job_stream.drain(&admin, &run).await;
    let connections_after = crate::settle_connections(&admins, MAX_CONNECTIONS_AFTER, &run).await;
    client.close().await;
    admin.close().await;
    if samples.max_connections > MAX_CONNECTIONS_DURING {
        run.violation(format!(
            "the nodes saw {} connections from the client (bound {MAX_CONNECTIONS_DURING})",
            samples.max_connections
        ));
    }
    let memory = crate::memory(&samples, ran_for, &run);
    crate::report(&Report {
        args,
        ran_for,
        run: &run,
        faults: &faults,
        checked: &checked,
        samples: &samples,
        connections_after,
        healed,
        memory,
        drained,
    });
    // The nodes (and their directories) go with the last handle.
    drop(nodes);
    Ok(run.violations().0 == 0)
}

fn admin_config(node: &TempServer) -> Result<Config, String> {
    Ok(Config::from_url(&node.url())
        .map_err(|e| e.to_string())?
        .with_response_timeout(Some(Duration::from_secs(5)))
        .with_client_name(ADMIN_NAME))
}

/// Six durable cluster nodes; the replicas never fail over (see above).
fn start_nodes() -> Vec<TempServer> {
    (0..PRIMARIES * 2)
        .map(|i| {
            let bus = free_port().to_string();
            let mut node_args = vec![
                "--cluster-enabled",
                "yes",
                "--cluster-port",
                &bus,
                "--cluster-node-timeout",
                NODE_TIMEOUT_MS,
                "--cluster-require-full-coverage",
                "no",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ];
            if i >= PRIMARIES {
                node_args.extend(["--cluster-replica-no-failover", "yes"]);
            }
            TempServer::start_with(Version::Redis8, &node_args)
        })
        .collect()
}

/// A port nothing listens on now, for a node's cluster bus.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Slots split in three over the primaries, every node met, each replica
/// following its primary and in sync.
async fn form(nodes: &[TempServer], admins: &[Client]) -> Result<(), String> {
    let fail = |what: &str, e: redis_core::Error| format!("forming the cluster: {what}: {e}");
    let ranges = [(0, 5460), (5461, 10922), (10923, 16383)];
    for (admin, (start, end)) in admins.iter().zip(ranges) {
        let add = Cmd::new("CLUSTER").arg("ADDSLOTSRANGE").arg(start).arg(end);
        add.query::<()>(admin)
            .await
            .map_err(|e| fail("ADDSLOTSRANGE", e))?;
    }
    for (node, admin) in nodes.iter().zip(admins).skip(1) {
        let bus: HashMap<String, String> = Cmd::new("CONFIG")
            .arg("GET")
            .arg("cluster-port")
            .query(admin)
            .await
            .map_err(|e| fail("CONFIG GET cluster-port", e))?;
        let port = node.addr().rsplit_once(':').map(|(_, p)| p.to_owned());
        let (Some(port), Some(bus)) = (port, bus.get("cluster-port")) else {
            return Err(format!("forming the cluster: no ports for {}", node.addr()));
        };
        let meet = Cmd::new("CLUSTER")
            .arg("MEET")
            .arg("127.0.0.1")
            .arg(port)
            .arg(bus);
        meet.query::<()>(&admins[0])
            .await
            .map_err(|e| fail("MEET", e))?;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut formed = false;
    while !formed {
        formed = true;
        for admin in admins {
            let info = admin.cluster_info().await.map_err(|e| fail("INFO", e))?;
            let shards = admin
                .cluster_shards()
                .await
                .map_err(|e| fail("SHARDS", e))?;
            formed &= info.is_ok()
                && info.get::<usize>("cluster_known_nodes") == Some(nodes.len())
                && shards.iter().filter(|s| !s.slots.is_empty()).count() == PRIMARIES;
        }
        if Instant::now() > deadline {
            return Err("the cluster did not form within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (replica, primary) in admins[PRIMARIES..].iter().zip(admins) {
        let id = primary.cluster_myid().await.map_err(|e| fail("MYID", e))?;
        let replicate = Cmd::new("CLUSTER").arg("REPLICATE").arg(&id);
        replicate
            .query::<()>(replica)
            .await
            .map_err(|e| fail("REPLICATE", e))?;
    }
    for primary in &admins[..PRIMARIES] {
        loop {
            let info: String = Cmd::new("INFO")
                .arg("replication")
                .query(primary)
                .await
                .map_err(|e| fail("INFO replication", e))?;
            if info.contains("connected_slaves:1") && !info.contains("state=wait") {
                break;
            }
            if Instant::now() > deadline {
                return Err("the replicas did not sync within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

/// After the faults: every node says the cluster is ok (a restarted
/// primary refuses writes for its first two seconds), within 20 s.
async fn wait_until_ok(admins: &[Client], run: &Run) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut not_ok = Vec::new();
        for admin in admins {
            match admin.cluster_info().await {
                Ok(info) if info.is_ok() => {}
                Ok(info) => not_ok.push(format!(
                    "{}: cluster_state {:?}",
                    admin.config().addr(),
                    info.get_str("cluster_state")
                )),
                Err(error) => not_ok.push(format!("{}: {error}", admin.config().addr())),
            }
        }
        if not_ok.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            run.violation(format!(
                "the cluster was not ok again within 20 s of the last fault: {}",
                not_ok.join("; ")
            ));
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
