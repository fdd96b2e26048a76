//! `redis-bench`: the workloads of issue 16 for redis-core, redis-rs and fred against one
//! server, next to the matching `redis-benchmark` lines, printed as one table of medians; then
//! the object mapper's workloads of issue 42 (redis-om against the same commands by hand, and
//! Redis OM Python against redis-py), as a second table.
//!
//! `cargo xtask bench [-- OPTIONS]` starts a fresh server and runs this in release mode;
//! `--help` lists the options. Each workload runs a warm-up, then a fixed duration, `--runs`
//! times per client; the order of the clients rotates from run to run so that drift on a
//! shared machine does not always hit the same one.

mod alloc;
mod args;
mod clients;
mod data;
mod features;
mod memory;
mod om;
mod redis_benchmark;
mod report;
mod workload;

use std::process::ExitCode;
use std::sync::Arc;

use redis_core::Cmd;

use crate::args::Args;
use crate::clients::{
    BenchClient, Fred, FredCluster, Ours, OursCluster, RedisRs, RedisRsCluster, Result,
};
use crate::data::Data;
use crate::workload::{Limit, Sample, Workload, measure, prefill};

/// Counts heap bytes for the memory figures; otherwise `System` plus one relaxed load.
#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "-h" || a == "--help") {
        print!("{}", args::USAGE);
        return ExitCode::SUCCESS;
    }
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The clients asked for, connected: to the server and, for the `cluster_*` workloads, to
/// the cluster.
struct Clients {
    ours: Option<Ours>,
    redis_rs: Option<RedisRs>,
    fred: Option<Fred>,
    cluster: Option<ClusterClients>,
}

/// Each library's clustered client, the ones asked for.
struct ClusterClients {
    ours: Option<OursCluster>,
    redis_rs: Option<RedisRsCluster>,
    fred: Option<FredCluster>,
}

impl ClusterClients {
    async fn connect(args: &Args, nodes: &str) -> Result<ClusterClients> {
        Ok(ClusterClients {
            ours: if args.wants("ours") {
                Some(OursCluster::connect(nodes, args.resp).await?)
            } else {
                None
            },
            redis_rs: if args.wants("redis-rs") {
                Some(RedisRsCluster::connect(nodes, args.resp).await?)
            } else {
                None
            },
            fred: if args.wants("fred") {
                Some(FredCluster::connect(nodes, args.resp).await?)
            } else {
                None
            },
        })
    }
}

impl Clients {
    async fn connect(args: &Args) -> Result<Clients> {
        Ok(Clients {
            ours: if args.wants("ours") {
                Some(Ours::connect(&args.url, args.resp).await?.raw(args.raw))
            } else {
                None
            },
            redis_rs: if args.wants("redis-rs") {
                Some(RedisRs::connect(&args.url, args.resp).await?)
            } else {
                None
            },
            fred: if args.wants("fred") {
                Some(Fred::connect(&args.url, args.resp).await?)
            } else {
                None
            },
            cluster: match &args.cluster {
                Some(nodes) if args.workloads.iter().any(|w| w.on_cluster()) => {
                    Some(ClusterClients::connect(args, nodes).await?)
                }
                _ => None,
            },
        })
    }
}

fn run(args: &Args) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()?;
    let data = Arc::new(Data::new());
    // A client of ours for setup even when its column is not asked for.
    let setup = runtime.block_on(Ours::connect(&args.url, args.resp))?;
    let version = runtime.block_on(server_version(&setup))?;
    if args.workloads.is_empty() {
        run_om(&runtime, args, &setup, &version)?;
        return run_features(&runtime, args, &version);
    }
    runtime.block_on(prefill(&mut setup.clone(), &data))?;
    let clients = runtime.block_on(Clients::connect(args))?;
    match &clients.cluster {
        Some(cluster) => {
            let mut setup = match &cluster.ours {
                Some(ours) => ours.clone(),
                None => runtime.block_on(OursCluster::connect(
                    args.cluster.as_deref().unwrap_or_default(),
                    args.resp,
                ))?,
            };
            runtime.block_on(prefill(&mut setup, &data))?;
        }
        None if args.workloads.iter().any(|w| w.on_cluster()) => {
            eprintln!("[bench] cluster_* workloads skipped: no --cluster NODES given");
        }
        None => {}
    }
    let benchmark = args
        .wants("redis-benchmark")
        .then(|| redis_benchmark::host_port(&args.url))
        .flatten();
    if args.wants("redis-benchmark") && benchmark.is_none() {
        eprintln!(
            "[bench] redis-benchmark skipped: it cannot be pointed at {}",
            args.url
        );
    }
    eprintln!(
        "[bench] Redis {version} at {}, RESP{}, {} run(s) of {:.1}s after {:.1}s warm-up, {} tokio worker(s)",
        args.url,
        args.resp,
        args.runs,
        args.duration.as_secs_f64(),
        args.warmup.as_secs_f64(),
        args.threads
    );

    let table = run_workloads(&runtime, args, &clients, benchmark.as_ref(), &data)?;
    println!(
        "\nRedis {version}, RESP{}, medians of {} run(s) of {:.1}s each\n",
        args.resp,
        args.runs,
        args.duration.as_secs_f64()
    );
    print!("{}", table.render(&args.workloads));

    let in_flight = match args.in_flight {
        0 => None,
        count => Some(runtime.block_on(memory::in_flight(&args.url, args.resp, count, &data))?),
    };
    let big = match args.big_mib {
        0 => None,
        mib => {
            Some(runtime.block_on(memory::big_reply(&args.url, args.resp, mib * 1024 * 1024))?)
        }
    };
    if in_flight.is_some() || big.is_some() {
        print!(
            "\n{}",
            report::render_memory(in_flight.as_ref(), big.as_ref())
        );
    }
    run_om(&runtime, args, &setup, &version)?;
    run_features(&runtime, args, &version)
}

/// The feature table, when some of its rows are asked for.
fn run_features(runtime: &tokio::runtime::Runtime, args: &Args, version: &str) -> Result<()> {
    if args.features.is_empty() {
        return Ok(());
    }
    let wants_tls = (args.features.iter()).any(|f| f.name().starts_with("tls_"));
    let tls = match &args.servers_env {
        Some(path) if wants_tls => Some(features::TlsServer::from_servers_env(path)?),
        _ => None,
    };
    let options = features::FeatureOptions {
        workloads: &args.features,
        tls: tls.as_ref(),
        url: &args.url,
        cluster: args.cluster.as_deref(),
        resp: args.resp,
        python: args.python.as_ref(),
        script: &args.python_script,
        runs: args.runs,
        warmup: Limit::duration(args.warmup),
        limit: Limit {
            duration: args.duration,
            steps: args.steps,
        },
    };
    let table = features::run(runtime, &options)?;
    println!(
        "\nFeatures, Redis {version}, RESP{} for the Rust columns, medians of {} run(s) of \
         {:.1}s each (stream rows: {} entries a run)\n",
        args.resp,
        args.runs,
        args.duration.as_secs_f64(),
        features::STREAM_BACKLOG
    );
    print!("{}", table.render());
    Ok(())
}

/// The object-mapper table, when some of its workloads are asked for.
fn run_om(
    runtime: &tokio::runtime::Runtime,
    args: &Args,
    setup: &Ours,
    version: &str,
) -> Result<()> {
    if args.om_workloads.is_empty() {
        return Ok(());
    }
    let options = om::OmOptions {
        workloads: &args.om_workloads,
        columns: &args.om_columns,
        python: args.python.as_ref(),
        script: &args.python_script,
        runs: args.runs,
        warmup: Limit::duration(args.warmup),
        limit: Limit {
            duration: args.duration,
            steps: args.steps,
        },
    };
    let table = om::run(runtime, &setup.0, &args.url, &options)?;
    println!(
        "\nObject mapper, Redis {version}, RESP{} for the Rust columns, medians of {} run(s) of \
         {:.1}s each\n",
        args.resp,
        args.runs,
        args.duration.as_secs_f64()
    );
    print!("{}", table.render());
    Ok(())
}

/// Every workload, `--runs` times per column, the columns in a rotating order.
fn run_workloads(
    runtime: &tokio::runtime::Runtime,
    args: &Args,
    clients: &Clients,
    benchmark: Option<&(String, u16)>,
    data: &Arc<Data>,
) -> Result<report::Table> {
    let mut table = report::Table::default();
    for &workload in &args.workloads {
        for run in 0..args.runs {
            let mut columns: Vec<&str> = args.clients.iter().map(String::as_str).collect();
            let len = columns.len();
            columns.rotate_left(run % len.max(1));
            let mut line = format!("[bench] {} run {}/{}:", workload.name(), run + 1, args.runs);
            for column in columns {
                let sample = match column {
                    "redis-benchmark" => match benchmark {
                        Some((host, port)) => {
                            redis_benchmark::measure(host, *port, workload, args.duration, &[])?
                        }
                        None => None,
                    },
                    _ if workload.on_cluster() => {
                        let Some(cluster) = &clients.cluster else {
                            continue;
                        };
                        // A client that cannot run the workload (redis-rs refuses a
                        // pipeline across slots) leaves its cell empty; the others go on.
                        let sample = match column {
                            "ours" => one(runtime, workload, cluster.ours.as_ref(), data, args),
                            "redis-rs" => {
                                one(runtime, workload, cluster.redis_rs.as_ref(), data, args)
                            }
                            _ => one(runtime, workload, cluster.fred.as_ref(), data, args),
                        };
                        sample.unwrap_or_else(|error| {
                            eprintln!("[bench] {column}: {error}");
                            None
                        })
                    }
                    "ours" => one(runtime, workload, clients.ours.as_ref(), data, args)?,
                    "redis-rs" => one(runtime, workload, clients.redis_rs.as_ref(), data, args)?,
                    _ => one(runtime, workload, clients.fred.as_ref(), data, args)?,
                };
                if let Some(sample) = sample {
                    line.push_str(&format!(" {column} {}", report::figure(Some(sample.rate))));
                    table.add(workload, column, sample);
                }
            }
            eprintln!("{line} {}", workload.unit());
        }
    }
    Ok(table)
}

/// One measured run of `workload` on `client`, if that client is connected.
fn one<C: BenchClient>(
    runtime: &tokio::runtime::Runtime,
    workload: Workload,
    client: Option<&C>,
    data: &Arc<Data>,
    args: &Args,
) -> Result<Option<Sample>> {
    let Some(client) = client else {
        return Ok(None);
    };
    let warmup = Limit::duration(args.warmup);
    let limit = Limit {
        duration: args.duration,
        steps: args.steps,
    };
    runtime
        .block_on(measure(workload, client, data, warmup, limit))
        .map(Some)
        .map_err(|e| format!("{} failed: {e}", workload.name()).into())
}

/// `redis_version` from INFO, for the table's heading.
async fn server_version(client: &Ours) -> Result<String> {
    let info: String = Cmd::new("INFO").arg("server").query(&client.0).await?;
    Ok(info
        .lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .unwrap_or("(unknown version)")
        .trim()
        .to_string())
}
