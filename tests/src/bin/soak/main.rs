//! The soak: one `Client` under load through the fault-injection proxy
//! while faults of every kind are injected and the server is killed and
//! restarted, then checks that nothing acknowledged was lost, that no call
//! hung, that connections and memory stayed bounded, and that the client
//! serves again after the faults stop; and a job stream fed through the
//! faults whose `redis_om::Worker` must handle every acknowledged entry and
//! leave none pending. Prints a report; exits non-zero on any violation.
//!
//! `cargo xtask soak --seconds N` runs it with the Redis 8.2 binary it
//! installs (`REDIS8_BIN`); without that variable the binary named in the
//! shared servers' servers.env is used. With `--tls` the client speaks TLS
//! (through the proxy, end to end) to a Redis 7.0 of its own (the Redis 8
//! binary has no TLS) that uses the shared servers' certificates, named in
//! the servers.env of `REDIS_SERVERS_ENV`. With `--cluster` the same
//! workloads run through a `ClusterClient` against a throw-away cluster of
//! its own whose primaries are killed and restarted (see `cluster.rs`).

mod cluster;
mod cluster_faults;
mod injector;
mod jobs;
mod ledger;
mod monitor;
mod run;
mod workers;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis_core::retry::{Backoff, ExponentialBackoff, Retry};
use redis_core::{Client, Cmd, Config, Executor, Protocol, TlsConfig, Watching};
use redis_tests::{FaultProxy, TempServer, Version};

use crate::ledger::{Checked, Ledger};
use crate::monitor::{ADMIN_NAME, Samples};
use crate::run::{MARGIN, Run};
use crate::workers::Budgets;
use tokio::task::JoinHandle;

const USAGE: &str = "usage: soak [--seconds N] [--protocol 2|3] [--seed N] [--tls | --cluster]";

/// Tasks doing SET/GET/INCRBY; pipelines; transactions; WATCH transactions
/// (each on a dedicated connection from the client's pool).
const KV_TASKS: usize = 64;
const PIPELINE_TASKS: usize = 4;
const TRANSACTION_TASKS: usize = 4;
const WATCH_TASKS: usize = 2;
/// Tasks whose calls' replies identify them (ECHO of a token, GET of a key
/// holding its own name), so a reply handed to the wrong caller is seen.
const IDENTIFIED_TASKS: usize = 8;

/// The client's reply and connect timeouts.
const TIMEOUT: Duration = Duration::from_secs(1);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Bounds on the connections the server sees: the client keeps one shared
/// connection and one pooled connection per WATCH task. During a stall each
/// of those reconnects about once per connect timeout, and the server keeps
/// every such connection until the stall ends (as it would in a partition:
/// the proxy holds the bytes, so the client's close reaches it late). Past
/// that, a connection count that grows with the run is a leak.
/// The stream worker adds its dedicated reading connection.
const MAX_CONNECTIONS_AFTER: usize = 1 + WATCH_TASKS + 1;
const MAX_CONNECTIONS_DURING: usize =
    MAX_CONNECTIONS_AFTER * (2 + (injector::MAX_STALL_MS / 1000) as usize) + 8;
const MAX_PEAK_RSS_MIB: u64 = 512;
/// Growth of resident memory from a quarter into the run to its end.
const MAX_RSS_GROWTH_MIB: u64 = 64;

struct Args {
    seconds: u64,
    protocol: Protocol,
    seed: u64,
    tls: bool,
    cluster: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 20,
        protocol: Protocol::Resp3,
        seed: fastrand::u64(..),
        tls: false,
        cluster: false,
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = || words.next().ok_or(format!("{word} needs a value"));
        match word.as_str() {
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?;
            }
            "--protocol" => {
                args.protocol = match value()?.as_str() {
                    "2" => Protocol::Resp2,
                    "3" => Protocol::Resp3,
                    other => return Err(format!("--protocol: 2 or 3, not {other}")),
                };
            }
            "--tls" => args.tls = true,
            "--cluster" => args.cluster = true,
            "--seed" => {
                args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.tls && args.cluster {
        return Err(
            "--tls and --cluster: one or the other (the cluster's nodes speak plain TCP)".into(),
        );
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("soak: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let run = async {
        if args.cluster {
            cluster::soak(&args).await
        } else {
            soak(&args).await
        }
    };
    match runtime.block_on(run) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("soak: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The whole run; `Ok(false)` when a check failed, `Err` when the soak
/// could not even be set up.
async fn soak(args: &Args) -> Result<bool, String> {
    let tls = args.tls;
    let server = tokio::task::spawn_blocking(move || {
        let durable = ["--appendonly", "yes", "--appendfsync", "always"];
        if tls {
            TempServer::start_with_tls(Version::Redis7, "optional", &durable)
        } else {
            TempServer::start_with(Version::Redis8, &durable)
        }
    })
    .await
    .map_err(|e| format!("starting redis-server: {e}"))?;
    let target = if tls {
        server.tls_addr()
    } else {
        server.addr()
    };
    let proxy = FaultProxy::start(&target)
        .await
        .map_err(|e| format!("starting the fault proxy: {e}"))?;
    let proxy = Arc::new(proxy);
    let retry = Retry::new(1, ExponentialBackoff::default());
    let budgets = budgets(&retry);
    let mut config = Config::from_url(&proxy.url()).map_err(|e| e.to_string())?;
    if tls {
        let ca = redis_tests::servers().get("TLS_CA");
        let tls = TlsConfig::new()
            .with_ca_file(ca)
            .map_err(|e| format!("the test CA: {e}"))?;
        config = config.with_tls(tls);
    }
    let config = config
        .with_protocol(args.protocol)
        .with_response_timeout(Some(TIMEOUT))
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_retry(retry)
        .with_client_name("soak-client");
    let client = Client::connect(config)
        .await
        .map_err(|e| format!("connecting through the proxy: {e}"))?;
    let admin_config = Config::from_url(&server.url())
        .map_err(|e| e.to_string())?
        .with_response_timeout(Some(Duration::from_secs(5)))
        .with_client_name(ADMIN_NAME);
    let admin = Client::connect(admin_config)
        .await
        .map_err(|e| format!("connecting to the server: {e}"))?;
    let server = Arc::new(Mutex::new(server));
    eprintln!(
        "soak: {} s, {:?}{}, {KV_TASKS} key-value + {PIPELINE_TASKS} pipeline + {TRANSACTION_TASKS} \
         transaction + {WATCH_TASKS} WATCH + {IDENTIFIED_TASKS} identified tasks on one Client, \
         seed {}",
        args.seconds,
        args.protocol,
        if tls { " over TLS (Redis 7.0)" } else { "" },
        args.seed
    );

    store_own_keys(&admin).await?;

    let run = Arc::new(Run::new());
    let started = Instant::now();
    let workers = spawn_workers(&run, &client, budgets);
    let mut job_stream = jobs::JobStream::start(&run, &client).await?;
    let injector = tokio::spawn(injector::inject(
        run.clone(),
        proxy.clone(),
        server.clone(),
        client.clone(),
        args.seed,
    ));
    let monitor = tokio::spawn(monitor::watch(run.clone(), vec![admin.clone()], started));

    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    run.stop();
    let ran_for = started.elapsed();

    let ledger = collect_workers(workers, &run, budgets).await;
    job_stream
        .stop_producing(budgets.write + MARGIN * 2, &run)
        .await;
    let faults = tokio::time::timeout(Duration::from_secs(30), injector)
        .await
        .map_err(|_| "the fault injector did not stop".to_owned())?
        .map_err(|e| format!("the fault injector panicked: {e}"))?;
    let samples = monitor
        .await
        .map_err(|e| format!("the monitor panicked: {e}"))?;

    let accepted = || proxy.stats().accepted;
    let healed = heal(&client, Some(&accepted), &run, budgets).await;
    let checked = verify(&ledger, &admin, &run).await?;
    let drained = job_stream.drain(&admin, &run).await;
    let connections_after =
        settle_connections(std::slice::from_ref(&admin), MAX_CONNECTIONS_AFTER, &run).await;
    client.close().await;
    let sockets_left = settle_proxy(&proxy).await;
    if sockets_left > 0 {
        run.violation(format!(
            "{sockets_left} connection(s) through the proxy still open after Client::close"
        ));
    }
    if samples.max_connections > MAX_CONNECTIONS_DURING {
        run.violation(format!(
            "the server saw {} connections from the client (bound {MAX_CONNECTIONS_DURING})",
            samples.max_connections
        ));
    }
    let memory = memory(&samples, ran_for, &run);

    report(&Report {
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
    Ok(run.violations().0 == 0)
}

/// Starts the ledger-checked workloads on `client`: key-value, pipeline,
/// transaction, WATCH and identified tasks.
fn spawn_workers<R: Watching + Clone + 'static>(
    run: &Arc<Run>,
    client: &R,
    budgets: Budgets,
) -> Vec<JoinHandle<Ledger>> {
    let mut spawned = Vec::new();
    for task in 0..KV_TASKS {
        let work = workers::key_values(run.clone(), client.clone(), task, budgets);
        spawned.push(tokio::spawn(work));
    }
    for task in 0..PIPELINE_TASKS {
        let work = workers::pipelines(run.clone(), client.clone(), task, budgets);
        spawned.push(tokio::spawn(work));
    }
    for task in 0..TRANSACTION_TASKS {
        let work = workers::transactions(run.clone(), client.clone(), task, budgets);
        spawned.push(tokio::spawn(work));
    }
    for task in 0..WATCH_TASKS {
        let work = workers::watched(run.clone(), client.clone(), task, budgets);
        spawned.push(tokio::spawn(work));
    }
    for task in 0..IDENTIFIED_TASKS {
        let work = workers::identified(run.clone(), client.clone(), task, budgets);
        spawned.push(tokio::spawn(work));
    }
    spawned
}

/// Waits for the workers once the run stopped: each ends after its call in
/// flight, which the hang check bounds.
async fn collect_workers(workers: Vec<JoinHandle<Ledger>>, run: &Run, budgets: Budgets) -> Ledger {
    let mut ledger = Ledger::default();
    for worker in workers {
        match tokio::time::timeout(budgets.watched + MARGIN * 2, worker).await {
            Ok(Ok(part)) => ledger.merge(part),
            Ok(Err(e)) => run.violation(format!("a worker panicked: {e}")),
            Err(_) => run.violation("a worker did not stop: a call hung".into()),
        }
    }
    ledger
}

/// Stores the keys that hold their own names (for the identified tasks),
/// straight to the server or the cluster, before the faults; the AOF keeps
/// them across the kills.
async fn store_own_keys(admin: &impl Executor) -> Result<(), String> {
    for i in 0..workers::OWN_KEYS {
        let key = workers::own_key(i);
        let set: redis_core::Result<()> = Cmd::new("SET").arg(&key).arg(&key).query(admin).await;
        set.map_err(|e| format!("storing {key}: {e}"))?;
    }
    Ok(())
}

/// What the client's settings allow a call: each try's reply timeout, and
/// for reads the retries of the policy with their (unjittered) delays.
fn budgets(retry: &Retry) -> Budgets {
    let backoff = ExponentialBackoff {
        jitter: false,
        ..ExponentialBackoff::default()
    };
    let retries: Duration = (1..=retry.attempts()).map(|a| backoff.delay(a)).sum();
    Budgets {
        read: TIMEOUT * (1 + retry.attempts()) + retries,
        write: TIMEOUT,
        watched: TIMEOUT * 5 + CONNECT_TIMEOUT,
    }
}

/// How the client came back once the faults stopped.
#[derive(Debug, Clone, Copy)]
struct Healed {
    /// Calls until the first success (1: the first call succeeded).
    calls: u32,
    /// Connections the client opened meanwhile, where the proxy counts them.
    new_connections: Option<u64>,
    took: Duration,
}

/// After the faults: the client must serve within one reconnect, that is a
/// first call may fail on a connection broken by the last fault, the second
/// must succeed, and at most one new connection is opened for it (counted
/// by `accepted`, the proxy's count of connections, where there is one).
async fn heal(
    client: &impl Executor,
    accepted: Option<&dyn Fn() -> u64>,
    run: &Run,
    budgets: Budgets,
) -> Option<Healed> {
    let before = accepted.map(|count| count());
    let started = Instant::now();
    for calls in 1..=2 {
        let cmd = Cmd::new("PING");
        let ping = cmd.query::<String>(client);
        if let Some(Ok(_)) = run.call("PING after the faults", budgets.read, ping).await {
            let healed = Healed {
                calls,
                new_connections: accepted.zip(before).map(|(count, before)| count() - before),
                took: started.elapsed(),
            };
            if let Some(new) = healed.new_connections.filter(|&n| n > 1) {
                run.violation(format!(
                    "serving again after the faults took {new} new connections"
                ));
            }
            return Some(healed);
        }
    }
    run.violation("the client did not serve again within one reconnect after the faults".into());
    None
}

/// Checks the ledger against the server or cluster, straight (not through
/// the proxy).
async fn verify(ledger: &Ledger, admin: &impl Executor, run: &Run) -> Result<Checked, String> {
    // The admin connection may still be on a server that was killed since.
    for _ in 0..10 {
        if Cmd::new("PING").query::<String>(admin).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ledger
        .verify(admin, run)
        .await
        .map_err(|e| format!("reading the data back failed: {e}"))
}

/// The client's connections once things settle (up to 5 s), against `bound`.
async fn settle_connections(admins: &[Client], bound: usize, run: &Run) -> Option<usize> {
    let mut count = None;
    for _ in 0..50 {
        count = monitor::connections(admins).await.ok();
        if count.is_some_and(|n| n <= bound) {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    run.violation(format!(
        "the server still sees {count:?} connections from the client after the faults (bound {bound})"
    ));
    count
}

/// Connections still open through the proxy after the client closed (up to 2 s).
async fn settle_proxy(proxy: &FaultProxy) -> u64 {
    for _ in 0..100 {
        if proxy.stats().open == 0 {
            return 0;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    proxy.stats().open
}

/// Peak and growth of resident memory, in KiB.
#[derive(Debug, Clone, Copy)]
struct Memory {
    peak: Option<u64>,
    at_quarter: Option<u64>,
    at_end: Option<u64>,
}

fn memory(samples: &Samples, ran_for: Duration, run: &Run) -> Memory {
    let memory = Memory {
        peak: monitor::status_kib("VmHWM"),
        at_quarter: samples.rss_at(ran_for / 4),
        at_end: samples.rss.last().map(|&(_, kib)| kib),
    };
    if let Some(peak) = memory.peak {
        if peak > MAX_PEAK_RSS_MIB * 1024 {
            run.violation(format!(
                "peak RSS {} MiB (bound {MAX_PEAK_RSS_MIB} MiB)",
                peak / 1024
            ));
        }
    }
    if let (Some(quarter), Some(end)) = (memory.at_quarter, memory.at_end) {
        if end.saturating_sub(quarter) > MAX_RSS_GROWTH_MIB * 1024 {
            run.violation(format!(
                "RSS grew from {} MiB to {} MiB after the first quarter of the run",
                quarter / 1024,
                end / 1024
            ));
        }
    }
    memory
}

struct Report<'a> {
    args: &'a Args,
    ran_for: Duration,
    run: &'a Run,
    faults: &'a BTreeMap<&'static str, u64>,
    checked: &'a Checked,
    samples: &'a Samples,
    connections_after: Option<usize>,
    healed: Option<Healed>,
    memory: Memory,
    /// The job stream's check.
    drained: jobs::Drained,
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("?".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn report(r: &Report<'_>) {
    let failures = r.run.failures();
    let failed: u64 = failures.values().sum();
    let by_kind: Vec<String> = failures.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let faults: Vec<String> = r.faults.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let total_faults: u64 = r.faults.values().sum();
    let c = r.checked;
    println!("== soak report");
    println!(
        "run:               {:.1} s, {:?}{}, seed {}",
        r.ran_for.as_secs_f64(),
        r.args.protocol,
        if r.args.tls {
            " over TLS"
        } else if r.args.cluster {
            " on a cluster (3 primaries, 3 replicas)"
        } else {
            ""
        },
        r.args.seed
    );
    println!(
        "operations:        {} ({} ok, {failed} failed, {} hung)",
        r.run.ops(),
        r.run.ops() - failed - r.run.hangs(),
        r.run.hangs()
    );
    if !by_kind.is_empty() {
        println!("failures:          {}", by_kind.join(", "));
    }
    println!(
        "writes checked:    {} acknowledged writes; {} keys exact, {} keys whose last write had an unknown outcome, {} counters, {} MULTI/EXEC pairs",
        c.acked_writes, c.exact_keys, c.unknown_keys, c.counters, c.pairs
    );
    println!("faults injected:   {total_faults}: {}", faults.join(", "));
    let d = r.drained;
    println!(
        "job stream:        {} jobs acknowledged, {} handled, {} never handled, {} left pending; drained {:.1} s after the faults",
        d.added,
        d.handled,
        d.missing,
        d.pending,
        d.took.as_secs_f64()
    );
    println!(
        "replies delivered to the wrong caller: {}",
        r.run.wrong_deliveries()
    );
    match r.run.longest_error_window() {
        Some((window, fault)) => println!(
            "longest error window: {:.2} s (began during {fault})",
            window.as_secs_f64()
        ),
        None => println!("longest error window: none"),
    }
    match r.run.slowest() {
        Some(s) => println!(
            "slowest call:      {} took {:.2} s of its {:.2} s budget (+{:.1} s margin); {} hung",
            s.op,
            s.took.as_secs_f64(),
            s.budget.as_secs_f64(),
            MARGIN.as_secs_f64(),
            r.run.hangs()
        ),
        None => println!("slowest call:      none"),
    }
    println!(
        "connections:       at most {} during the run, {} after",
        r.samples.max_connections,
        r.connections_after
            .map_or("?".to_owned(), |n| n.to_string())
    );
    match r.healed {
        Some(h) => println!(
            "after the faults:  served on call {} in {:.2} s with {} new connection(s)",
            h.calls,
            h.took.as_secs_f64(),
            h.new_connections
                .map_or("uncounted".to_owned(), |n| n.to_string())
        ),
        None => println!("after the faults:  did not serve again"),
    }
    println!(
        "peak RSS:          {} (VmHWM); RSS {} at a quarter of the run, {} at its end",
        mib(r.memory.peak),
        mib(r.memory.at_quarter),
        mib(r.memory.at_end)
    );
    let (count, kept) = r.run.violations();
    if count == 0 {
        println!("violations:        none");
    } else {
        println!("violations:        {count}");
        for violation in kept {
            println!("  - {violation}");
        }
    }
}
