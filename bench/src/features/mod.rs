//! The rows of features that landed after issue 42, each against its peers in the same run:
//! client-side caching, pub/sub, locks, typed channels and stream workers. A third table,
//! after the object mapper's; every column checks what it receives.

mod cache;
mod channel;
mod cluster_pubsub;
mod lock;
mod pubsub;
mod report;
mod stream;
mod tls;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

pub use self::report::FeatureTable;
pub use self::stream::BACKLOG as STREAM_BACKLOG;
pub use self::tls::TlsServer;
use crate::clients::Result;
use crate::om::python::Python;
use crate::workload::{Limit, Sample, Workload};

/// One row of the feature table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// One task, GET of a hot set of 1,000 keys, cache on against off.
    CachedGetSeq,
    /// 64 tasks, GETs of 100k keys, 10% SETs from a second client, cache on against off.
    CachedConc64,
    /// One publisher, one subscriber, 64-byte payloads.
    PubSub,
    /// The same subscriber draining a backlog the server held for it.
    PubSubBacklog,
    /// One shard channel per primary of the cluster, one subscriber, 64-byte payloads.
    ClusterPubSub,
    /// Uncontended acquire + release of one lock.
    Lock,
    /// A typed channel of a small struct against raw pub/sub with serde_json by hand.
    Channel,
    /// A stream worker at concurrency 1 with a no-op handler.
    StreamWorker1,
    /// The same at concurrency 16.
    StreamWorker16,
    /// `seq` over TLS against plain TCP on the same server, and `redis-benchmark --tls`.
    TlsSeq,
    /// `conc64` over TLS against plain TCP on the same server.
    TlsConc64,
}

impl Feature {
    /// Every row, in table order.
    pub const ALL: [Feature; 11] = [
        Feature::CachedGetSeq,
        Feature::CachedConc64,
        Feature::PubSub,
        Feature::PubSubBacklog,
        Feature::ClusterPubSub,
        Feature::Lock,
        Feature::Channel,
        Feature::StreamWorker1,
        Feature::StreamWorker16,
        Feature::TlsSeq,
        Feature::TlsConc64,
    ];

    /// Its name on the command line, in the table and in the Python driver's protocol.
    pub fn name(self) -> &'static str {
        match self {
            Feature::CachedGetSeq => "cached_get_seq",
            Feature::CachedConc64 => "cached_conc64",
            Feature::PubSub => "pubsub",
            Feature::PubSubBacklog => "pubsub_backlog",
            Feature::ClusterPubSub => "cluster_pubsub",
            Feature::Lock => "lock",
            Feature::Channel => "channel",
            Feature::StreamWorker1 => "stream_worker1",
            Feature::StreamWorker16 => "stream_worker16",
            Feature::TlsSeq => "tls_seq",
            Feature::TlsConc64 => "tls_conc64",
        }
    }

    /// The unit of its figure.
    pub fn unit(self) -> &'static str {
        match self {
            Feature::CachedGetSeq => "GETs/s",
            Feature::CachedConc64 | Feature::TlsSeq | Feature::TlsConc64 => "ops/s",
            Feature::PubSub | Feature::PubSubBacklog | Feature::ClusterPubSub => "msgs/s",
            Feature::Lock => "pairs/s",
            Feature::Channel => "events/s",
            Feature::StreamWorker1 | Feature::StreamWorker16 => "entries/s",
        }
    }

    /// Its columns, the measured one first.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Feature::CachedGetSeq | Feature::CachedConc64 => &["cached", "uncached"],
            Feature::PubSub | Feature::PubSubBacklog | Feature::ClusterPubSub => {
                &["ours", "redis-rs", "fred"]
            }
            Feature::Lock => &["redis-om", "by-hand", "redis-py"],
            Feature::Channel => &["redis-om", "by-hand"],
            Feature::StreamWorker1 | Feature::StreamWorker16 => {
                &["redis-om", "by-hand", "redis-py"]
            }
            Feature::TlsSeq => &["tls", "plain", "redis-benchmark-tls"],
            Feature::TlsConc64 => &["tls", "plain"],
        }
    }

    /// The ratios shown: the first column over the best of the others named, and the target.
    pub fn ratios(self) -> &'static [(&'static [&'static str], &'static str)] {
        match self {
            Feature::CachedGetSeq => &[(&["uncached"], ">= 50x, p50 < 2 µs")],
            Feature::CachedConc64 => &[(&["uncached"], ">= 5x")],
            Feature::PubSub | Feature::PubSubBacklog => {
                &[(&["redis-rs", "fred"], ">= 1.5x the better peer")]
            }
            Feature::ClusterPubSub => &[(&["redis-rs", "fred"], "-")],
            Feature::Lock => &[(&["by-hand"], "-"), (&["redis-py"], "-")],
            Feature::Channel => &[(&["by-hand"], ">= 0.9x")],
            Feature::StreamWorker1 => &[(&["by-hand"], "-"), (&["redis-py"], "-")],
            Feature::StreamWorker16 => &[(&["by-hand"], ">= 0.8x"), (&["redis-py"], "-")],
            Feature::TlsSeq => &[(&["redis-benchmark-tls"], ">= 0.9x"), (&["plain"], "-")],
            Feature::TlsConc64 => &[(&["plain"], ">= 0.8x")],
        }
    }

    /// The first table's workload a TLS row runs.
    fn tls_workload(self) -> Workload {
        if self == Feature::TlsSeq {
            Workload::Seq
        } else {
            Workload::Conc64
        }
    }

    /// The worker's concurrency, for the stream rows.
    fn concurrency(self) -> usize {
        if self == Feature::StreamWorker16 {
            16
        } else {
            1
        }
    }
}

/// What the feature table needs beyond the common options.
pub struct FeatureOptions<'a> {
    /// The rows, in table order.
    pub workloads: &'a [Feature],
    /// The server.
    pub url: &'a str,
    /// The cluster's nodes (`host:port,...`) for the cluster rows, if given.
    pub cluster: Option<&'a str>,
    /// The protocol of the Rust clients (the cache rows need 3).
    pub resp: u8,
    /// The interpreter of the venv holding redis-py, if any.
    pub python: Option<&'a PathBuf>,
    /// The driver script.
    pub script: &'a PathBuf,
    /// The server of the TLS rows, if known.
    pub tls: Option<&'a TlsServer>,
    /// Measured runs per row and column.
    pub runs: usize,
    /// The unmeasured run before each measured one.
    pub warmup: Limit,
    /// One measured run.
    pub limit: Limit,
}

/// Runs every row `runs` times per column, the columns in a rotating order.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    options: &FeatureOptions<'_>,
) -> Result<FeatureTable> {
    let mut table = FeatureTable::default();
    let wants_python = options
        .workloads
        .iter()
        .any(|w| w.columns().contains(&"redis-py"));
    let mut driver = match (wants_python, options.python) {
        (false, _) => None,
        (true, None) => {
            table.note("redis-py columns skipped: no --python given");
            None
        }
        (true, Some(interpreter)) => {
            match Python::start(interpreter, options.script, options.url) {
                Ok(driver) => {
                    table.python_versions = Some(driver.versions.clone());
                    Some(driver)
                }
                Err(e) => {
                    table.note(&format!("redis-py columns skipped: {e}"));
                    None
                }
            }
        }
    };
    let setup = runtime.block_on(crate::clients::Ours::connect(options.url, options.resp))?;
    let setup = setup.0;
    for &workload in options.workloads {
        let cached = matches!(workload, Feature::CachedGetSeq | Feature::CachedConc64);
        if cached && options.resp != 3 {
            table.note(&format!(
                "{} skipped: client-side caching needs RESP3",
                workload.name()
            ));
            continue;
        }
        let mut cache_rows = match workload {
            Feature::CachedGetSeq | Feature::CachedConc64 => {
                Some(runtime.block_on(cache::CacheRow::new(workload, options.url, &setup))?)
            }
            _ => None,
        };
        let tls_row = match (workload, options.tls) {
            (Feature::TlsSeq | Feature::TlsConc64, None) => {
                table.note(&format!(
                    "{} skipped: no servers file (--servers-env or REDIS_SERVERS_ENV) names \
                     the Redis 7.0 TLS server",
                    workload.name()
                ));
                continue;
            }
            (Feature::TlsSeq | Feature::TlsConc64, Some(server)) => {
                Some(runtime.block_on(tls::TlsRow::new(server, options.resp))?)
            }
            _ => None,
        };
        if workload == Feature::ClusterPubSub && options.cluster.is_none() {
            table.note("cluster_pubsub skipped: no --cluster NODES given");
            continue;
        }
        table.workloads.push(workload);
        for run in 0..options.runs {
            let mut columns: Vec<&str> = workload.columns().to_vec();
            let len = columns.len();
            columns.rotate_left(run % len.max(1));
            let mut line = format!(
                "[bench] {} run {}/{}:",
                workload.name(),
                run + 1,
                options.runs
            );
            for column in columns {
                let (warmup, limit) = (options.warmup, options.limit);
                let sample = match (workload, column) {
                    (_, "redis-py") => match driver.as_mut() {
                        None => continue,
                        Some(python) => {
                            if let Feature::StreamWorker1 | Feature::StreamWorker16 = workload {
                                runtime.block_on(stream::prepare(&setup, stream::PY_KEY))?;
                                python.measure_named(
                                    workload.name(),
                                    column,
                                    Limit::duration(std::time::Duration::ZERO),
                                    Limit {
                                        duration: std::time::Duration::from_secs(600),
                                        steps: Some(stream::BACKLOG),
                                    },
                                )
                            } else {
                                python.measure_named(workload.name(), column, warmup, limit)
                            }
                        }
                    },
                    (Feature::CachedGetSeq | Feature::CachedConc64, _) => {
                        let row = cache_rows.as_mut().ok_or("cache row missing")?;
                        runtime.block_on(row.measure(column == "cached", warmup, limit))
                    }
                    (Feature::PubSub, _) => runtime.block_on(pubsub::measure(
                        column,
                        options.url,
                        options.resp,
                        warmup,
                        limit,
                    )),
                    (Feature::ClusterPubSub, _) => runtime.block_on(cluster_pubsub::measure(
                        column,
                        options.cluster.unwrap_or_default(),
                        options.resp,
                        warmup,
                        limit,
                    )),
                    (Feature::PubSubBacklog, _) => runtime.block_on(pubsub::measure_backlog(
                        column,
                        options.url,
                        options.resp,
                        warmup,
                        limit,
                    )),
                    (Feature::TlsSeq | Feature::TlsConc64, _) => {
                        let row = tls_row.as_ref().ok_or("TLS row missing")?;
                        runtime.block_on(row.measure(
                            workload.tls_workload(),
                            column,
                            warmup,
                            limit,
                        ))
                    }
                    (Feature::Lock, _) => {
                        runtime.block_on(lock::measure(column == "redis-om", &setup, warmup, limit))
                    }
                    (Feature::Channel, _) => runtime.block_on(channel::measure(
                        column == "redis-om",
                        &setup,
                        warmup,
                        limit,
                    )),
                    (Feature::StreamWorker1 | Feature::StreamWorker16, _) => runtime.block_on(
                        stream::measure(column == "redis-om", workload.concurrency(), &setup),
                    ),
                };
                let sample = match sample {
                    Ok(sample) => sample,
                    // A peer that loses messages is a finding of its own, not the end of
                    // the table: the run is left out of its column and said so.
                    Err(e)
                        if matches!(
                            workload,
                            Feature::PubSub | Feature::PubSubBacklog | Feature::ClusterPubSub
                        ) && column != "ours" =>
                    {
                        table.note(&format!(
                            "{} {column} run {} left out: {e}",
                            workload.name(),
                            run + 1
                        ));
                        continue;
                    }
                    Err(e) => {
                        return Err(format!("{} {column} failed: {e}", workload.name()).into());
                    }
                };
                line.push_str(&format!(
                    " {column} {}",
                    crate::report::figure(Some(sample.rate))
                ));
                table.add(workload, column, sample);
            }
            eprintln!("{line} {}", workload.unit());
        }
        if let Some(row) = cache_rows {
            table.note(&row.summary());
        }
    }
    Ok(table)
}

/// One step of a step-based row: task, step number, returns units done.
type Step = dyn Fn(u64, u64) -> Pin<Box<dyn Future<Output = Result<u64>> + Send>> + Send + Sync;

/// `tasks` tasks running `step` until `limit`: units done and nanoseconds per step.
async fn run_steps(
    tasks: u64,
    limit: Limit,
    latency: bool,
    step: &Arc<Step>,
) -> Result<(u64, Vec<u32>)> {
    let deadline = Instant::now() + limit.duration;
    let max = limit.steps.unwrap_or(u64::MAX);
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let step = step.clone();
            tokio::spawn(async move {
                let (mut units, mut latencies) = (0u64, Vec::new());
                let mut n = 0u64;
                while n < max && Instant::now() < deadline {
                    let started = Instant::now();
                    units += step(task, n).await?;
                    if latency {
                        let nanos = started.elapsed().as_nanos();
                        latencies.push(u32::try_from(nanos).unwrap_or(u32::MAX));
                    }
                    n += 1;
                }
                Ok::<_, crate::clients::Error>((units, latencies))
            })
        })
        .collect();
    let (mut units, mut latencies) = (0, Vec::new());
    for handle in handles {
        let (u, l) = handle.await??;
        units += u;
        latencies.extend(l);
    }
    Ok((units, latencies))
}

/// A warm-up, then a measured run of `step` on `tasks` tasks.
async fn measure_steps(
    tasks: u64,
    warmup: Limit,
    limit: Limit,
    latency: bool,
    step: Arc<Step>,
) -> Result<Sample> {
    run_steps(tasks, warmup, latency, &step).await?;
    let started = Instant::now();
    let (units, mut latencies) = run_steps(tasks, limit, latency, &step).await?;
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let percentile = |q: f64| {
        let last = latencies.len().checked_sub(1)?;
        Some(f64::from(latencies[((last as f64) * q).round() as usize]) / 1000.0)
    };
    Ok(Sample {
        rate: units as f64 / elapsed,
        p50_us: percentile(0.50),
        p99_us: percentile(0.99),
    })
}
