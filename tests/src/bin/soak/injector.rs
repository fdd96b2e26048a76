//! The fault injector: faults of every kind, one at a time, at random
//! intervals and for random lengths, until the run stops; then everything
//! back to normal with the server running.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use redis_core::{Client, Cmd, ErrorKind, Executor, Pipeline, Transaction, Value};
use redis_tests::{Direction, FaultProxy, TempServer};

use crate::run::Run;

/// The kinds of fault, as the report names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Latency,
    DropAll,
    Stall,
    CutReply,
    BlackHole,
    Refuse,
    KillServer,
    Unanswerable,
}

const ALL: [Fault; 8] = [
    Fault::Latency,
    Fault::DropAll,
    Fault::Stall,
    Fault::CutReply,
    Fault::BlackHole,
    Fault::Refuse,
    Fault::KillServer,
    Fault::Unanswerable,
];

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::Latency => "latency",
            Fault::DropAll => "drop-all",
            Fault::Stall => "stall",
            Fault::CutReply => "cut-reply",
            Fault::BlackHole => "black-hole",
            Fault::Refuse => "refuse",
            Fault::KillServer => "kill-server",
            Fault::Unanswerable => "unanswerable",
        }
    }
}

/// The longest stall: past the client's stall detection (its reply timeout
/// plus one second) and its connect timeout.
pub const MAX_STALL_MS: u64 = 3_500;

/// The server, shared with the injector, which kills and restarts it.
pub type SharedServer = Arc<Mutex<TempServer>>;

fn lock(server: &SharedServer) -> MutexGuard<'_, TempServer> {
    // A panic while restarting is reported by the caller; the server
    // value itself stays usable.
    server
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Injects faults until `run` stops; returns how many of each kind.
pub async fn inject(
    run: Arc<Run>,
    proxy: Arc<FaultProxy>,
    server: SharedServer,
    client: Client,
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
        run.set_fault(fault.name());
        apply(fault, &proxy, &server, &client, &run, &mut rng).await;
        proxy.normal().await;
        run.set_fault("none");
        *counts.entry(fault.name()).or_default() += 1;
    }
    // The run may have stopped while the server was down.
    restart_if_down(&server, &run).await;
    proxy.normal().await;
    counts
}

async fn apply(
    fault: Fault,
    proxy: &FaultProxy,
    server: &SharedServer,
    client: &Client,
    run: &Run,
    rng: &mut fastrand::Rng,
) {
    match fault {
        Fault::Latency => {
            let direction =
                [Direction::ToServer, Direction::ToClient, Direction::Both][rng.usize(..3)];
            // Now and then longer than the reply timeout.
            let latency = if rng.u8(..4) == 0 {
                millis(rng, 1_000, 2_000)
            } else {
                millis(rng, 5, 300)
            };
            proxy.set_latency(direction, latency);
            tokio::time::sleep(millis(rng, 300, 1_500)).await;
        }
        Fault::DropAll => proxy.drop_all().await,
        Fault::Stall => {
            // Short stalls end before the client gives the connection up,
            // long ones after.
            proxy.stall();
            tokio::time::sleep(millis(rng, 300, MAX_STALL_MS)).await;
        }
        Fault::CutReply => {
            proxy.cut_next_reply();
            for _ in 0..50 {
                if !proxy.cut_pending() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        Fault::BlackHole => {
            // Black-hole new connections and force the client to make one.
            proxy.black_hole();
            proxy.drop_all().await;
            tokio::time::sleep(millis(rng, 500, 2_500)).await;
        }
        Fault::Refuse => {
            proxy.refuse().await;
            proxy.drop_all().await;
            tokio::time::sleep(millis(rng, 200, 1_500)).await;
        }
        Fault::Unanswerable => unanswerable(client, run).await,
        Fault::KillServer => {
            let down = millis(rng, 0, 1_000);
            blocking(server, run, "kill", TempServer::kill).await;
            tokio::time::sleep(down).await;
            blocking(server, run, "restart", TempServer::restart).await;
        }
    }
}

/// Commands Redis answers with nothing at all, which the client must refuse
/// before sending: one sent would put the shared connection out of step, and
/// every caller whose reply came before the command's timeout would get
/// another's (the identifying workers would see it). A reply swallowed on the
/// way (FaultProxy::swallow_next_reply) is not among the soak's faults for
/// that reason: the client finds it out at the timeout, not before. On a
/// cluster the same must hold of each node's connection.
pub async fn unanswerable(client: &impl Executor, run: &Run) {
    let alone: redis_core::Result<Value> = Cmd::new("").query(client).await;
    refused(run, "Cmd::new(\"\")", alone);
    let with_args: redis_core::Result<Value> = Cmd::new("")
        .arg("GET")
        .arg("soak:own:0")
        .query(client)
        .await;
    refused(run, "Cmd::new(\"\") with arguments", with_args);
    let pipeline: Pipeline<(Value, Value)> = Pipeline::new()
        .command(Cmd::new("PING"))
        .command(Cmd::new(""));
    refused(
        run,
        "an empty command in a pipeline",
        pipeline.query(client).await,
    );
    let transaction: Transaction<(Value, Value)> = Transaction::new()
        .command(Cmd::new("PING"))
        .command(Cmd::new(""));
    refused(
        run,
        "an empty command in a transaction",
        transaction.query(client).await,
    );
    for mode in ["OFF", "SKIP"] {
        let reply: redis_core::Result<Value> = Cmd::new("CLIENT")
            .arg("REPLY")
            .arg(mode)
            .query(client)
            .await;
        refused(run, &format!("CLIENT REPLY {mode}"), reply);
        let pipeline: Pipeline<(Value, Value)> = Pipeline::new()
            .command(Cmd::new("CLIENT").arg("REPLY").arg(mode))
            .command(Cmd::new("PING"));
        let what = format!("CLIENT REPLY {mode} in a pipeline");
        refused(run, &what, pipeline.query(client).await);
    }
}

/// Refused before sending: as input no server answers, or as a command
/// that may not run on the shared connection.
fn refused<T: std::fmt::Debug>(run: &Run, what: &str, result: redis_core::Result<T>) {
    match result {
        Err(error) if matches!(error.kind(), ErrorKind::InvalidInput | ErrorKind::Config) => {}
        other => run.violation(format!("{what} was not refused before sending: {other:?}")),
    }
}

async fn restart_if_down(server: &SharedServer, run: &Run) {
    if !lock(server).is_running() {
        blocking(server, run, "restart", TempServer::restart).await;
    }
}

/// Runs a blocking server operation off the runtime's threads.
async fn blocking(server: &SharedServer, run: &Run, what: &str, op: fn(&mut TempServer)) {
    let server = server.clone();
    let done = tokio::task::spawn_blocking(move || op(&mut lock(&server))).await;
    if let Err(error) = done {
        run.violation(format!("the server {what} failed: {error}"));
    }
}

pub fn millis(rng: &mut fastrand::Rng, low: u64, high: u64) -> Duration {
    Duration::from_millis(rng.u64(low..=high))
}
