//! The cluster's fault injector: node-level faults, one at a time, at
//! random intervals, until the run stops; then every node running.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use redis_core::commands::*;
use redis_core::{Client, ClusterClient, Cmd};
use redis_tests::TempServer;

use crate::cluster::PRIMARIES;
use crate::injector::{millis, unanswerable};
use crate::run::Run;

/// The kinds of fault, as the report names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// SIGKILL of a primary, restarted on its port and files after up to a
    /// second.
    KillPrimary,
    /// CLIENT KILL of the client's connections to a primary.
    DropConnections,
    /// CLIENT PAUSE of a primary (its cluster bus goes on): the client's
    /// calls to it time out, the other primaries' must not wait.
    Pause,
    /// Commands no server answers, refused before sending.
    Unanswerable,
}

const ALL: [Fault; 4] = [
    Fault::KillPrimary,
    Fault::DropConnections,
    Fault::Pause,
    Fault::Unanswerable,
];

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::KillPrimary => "kill-primary",
            Fault::DropConnections => "drop-connections",
            Fault::Pause => "pause",
            Fault::Unanswerable => "unanswerable",
        }
    }
}

/// The longest pause: past the client's reply timeout and stall detection.
pub const MAX_PAUSE_MS: u64 = 3_500;

/// The nodes, primaries first, shared with the injector, which kills and
/// restarts them.
pub type SharedNodes = Arc<Mutex<Vec<TempServer>>>;

fn lock(nodes: &SharedNodes) -> MutexGuard<'_, Vec<TempServer>> {
    nodes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Injects faults until `run` stops; returns how many of each kind.
/// `primaries` holds an admin client of each primary, `ids` their node IDs.
pub async fn inject(
    run: Arc<Run>,
    nodes: SharedNodes,
    primaries: Vec<Client>,
    ids: Vec<String>,
    client: ClusterClient,
    seed: u64,
) -> BTreeMap<&'static str, u64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut counts: BTreeMap<&'static str, u64> = ALL.iter().map(|f| (f.name(), 0)).collect();
    // Drawn from a shuffled deck so that even a short run sees every kind.
    let mut deck: Vec<Fault> = Vec::new();
    loop {
        tokio::time::sleep(millis(&mut rng, 100, 800)).await;
        if run.stopped() {
            break;
        }
        if deck.is_empty() {
            deck.extend(ALL);
            rng.shuffle(&mut deck);
        }
        let Some(fault) = deck.pop() else { continue };
        let primary = rng.usize(..PRIMARIES);
        run.set_fault(fault.name());
        match fault {
            Fault::KillPrimary => {
                let down = millis(&mut rng, 0, 1_000);
                blocking(&nodes, primary, &run, "kill", TempServer::kill).await;
                tokio::time::sleep(down).await;
                blocking(&nodes, primary, &run, "restart", TempServer::restart).await;
                check_identity(&primaries[primary], &ids[primary], &run).await;
            }
            Fault::DropConnections => drop_connections(&primaries[primary], &run).await,
            Fault::Pause => {
                let pause = millis(&mut rng, 300, MAX_PAUSE_MS);
                let cmd = Cmd::new("CLIENT")
                    .arg("PAUSE")
                    .arg(pause.as_millis() as u64)
                    .arg("ALL");
                if let Err(error) = cmd.query::<()>(&primaries[primary]).await {
                    run.violation(format!("CLIENT PAUSE failed: {error}"));
                }
                tokio::time::sleep(pause).await;
            }
            Fault::Unanswerable => unanswerable(&client, &run).await,
        }
        run.set_fault("none");
        *counts.entry(fault.name()).or_default() += 1;
    }
    // A restart that failed leaves a node down: try once more.
    for node in 0..PRIMARIES * 2 {
        if !lock(&nodes)[node].is_running() {
            blocking(&nodes, node, &run, "restart", TempServer::restart).await;
        }
    }
    counts
}

/// After a restart: the node on the primary's port must be that primary.
/// The harness waits for a PONG on the port, and while the node was down
/// another process on the machine (another test's server) may have taken
/// the port: then the restarted node exited at once, and the run says so
/// rather than soak a stranger.
async fn check_identity(admin: &Client, id: &str, run: &Run) {
    let addr = admin.config().addr().to_string();
    let config = admin.config().clone();
    let myid = async {
        let fresh = Client::connect(config).await?;
        let myid = fresh.cluster_myid().await;
        fresh.close().await;
        myid
    };
    match myid.await {
        Ok(found) if found == id => {}
        other => run.violation(format!(
            "the node restarted on {addr} is not primary {id} ({other:?}): its port was              taken by another process while it was down?"
        )),
    }
}

/// Kills, one by one, the connections of the client under test (named
/// `soak-client`) on one primary.
async fn drop_connections(admin: &Client, run: &Run) {
    let list: redis_core::Result<String> = Cmd::new("CLIENT").arg("LIST").query(admin).await;
    let list = match list {
        Ok(list) => list,
        Err(error) => return run.violation(format!("CLIENT LIST failed: {error}")),
    };
    let ids = list
        .lines()
        .filter(|line| line.contains(" name=soak-client "))
        .filter_map(|line| line.strip_prefix("id=")?.split(' ').next());
    for id in ids {
        // Gone already (closed by the client): not an error.
        let kill = Cmd::new("CLIENT").arg("KILL").arg("ID").arg(id);
        let _ = kill.query::<i64>(admin).await;
    }
}

/// Runs a blocking operation on node `index` off the runtime's threads.
async fn blocking(
    nodes: &SharedNodes,
    index: usize,
    run: &Run,
    what: &str,
    op: fn(&mut TempServer),
) {
    let nodes = nodes.clone();
    let done = tokio::task::spawn_blocking(move || op(&mut lock(&nodes)[index])).await;
    if let Err(error) = done {
        run.violation(format!("the {what} of node {index} failed: {error}"));
    }
}
