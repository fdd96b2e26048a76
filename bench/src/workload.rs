//! The five workloads of issue 16, and three of them on a six-node cluster (issue 32),
//! written once over [`BenchClient`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::clients::{BenchClient, Result};
use crate::data::{Data, MGET_KEYS};

/// Tasks sharing one client in `conc64`.
const CONC_TASKS: u64 = 64;
/// SETs per explicit pipeline in `pipe100`.
const PIPE_LEN: usize = 100;

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// One task, SET and GET in turn.
    Seq,
    /// 64 tasks sharing one client, half SETs and half GETs.
    Conc64,
    /// Explicit pipelines of 100 SETs.
    Pipe100,
    /// MGET of 100 keys of 1 KiB.
    Mget100,
    /// HSET of 10 fields, then HGETALL into a map.
    Hash10,
    /// `conc64` on a cluster: the keys spread over all slots, so over every primary.
    ClusterConc64,
    /// `pipe100` on a cluster: each pipeline's 100 keys in as many slots, on every primary.
    ClusterPipe100,
    /// `mget100` on a cluster: the 100 keys in as many slots, on every primary.
    ClusterMget100,
}

impl Workload {
    /// Every workload, in table order.
    pub const ALL: [Workload; 8] = [
        Workload::Seq,
        Workload::Conc64,
        Workload::Pipe100,
        Workload::Mget100,
        Workload::Hash10,
        Workload::ClusterConc64,
        Workload::ClusterPipe100,
        Workload::ClusterMget100,
    ];

    /// Its name on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Seq => "seq",
            Workload::Conc64 => "conc64",
            Workload::Pipe100 => "pipe100",
            Workload::Mget100 => "mget100",
            Workload::Hash10 => "hash10",
            Workload::ClusterConc64 => "cluster_conc64",
            Workload::ClusterPipe100 => "cluster_pipe100",
            Workload::ClusterMget100 => "cluster_mget100",
        }
    }

    /// Whether it runs on the cluster's clients.
    pub fn on_cluster(self) -> bool {
        self != self.steps()
    }

    /// The single-server workload whose steps it runs.
    pub fn steps(self) -> Workload {
        match self {
            Workload::ClusterConc64 => Workload::Conc64,
            Workload::ClusterPipe100 => Workload::Pipe100,
            Workload::ClusterMget100 => Workload::Mget100,
            other => other,
        }
    }

    /// The unit of its figure.
    pub fn unit(self) -> &'static str {
        match self.steps() {
            Workload::Seq | Workload::Conc64 => "ops/s",
            Workload::Pipe100 => "SET/s",
            Workload::Mget100 => "MB/s",
            Workload::Hash10 => "pairs/s",
            _ => "",
        }
    }

    /// Whether per-command latencies are recorded and shown.
    pub fn has_latency(self) -> bool {
        matches!(self.steps(), Workload::Seq | Workload::Conc64)
    }
}

/// One measured run.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// The workload's figure, in its [`Workload::unit`].
    pub rate: f64,
    /// Median latency of one command, in microseconds (`seq` and `conc64`).
    pub p50_us: Option<f64>,
    /// 99th percentile latency of one command, in microseconds.
    pub p99_us: Option<f64>,
}

/// What one task did before its deadline.
#[derive(Default)]
struct Progress {
    /// Units of the workload's figure: commands, SETs, bytes or HSET+HGETALL pairs.
    units: u64,
    /// Nanoseconds per command, when latencies are recorded.
    latencies: Vec<u32>,
}

/// When a run ends.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// After this long...
    pub duration: Duration,
    /// ...or after this many steps per task, whichever comes first: a fixed amount of work
    /// makes callgrind's instruction counts comparable from one build to the next.
    pub steps: Option<u64>,
}

impl Limit {
    /// A run that ends after `duration` only.
    pub fn duration(duration: Duration) -> Limit {
        Limit {
            duration,
            steps: None,
        }
    }
}

/// Runs `workload` unmeasured for `warmup`, then measured until `limit`.
pub async fn measure<C: BenchClient>(
    workload: Workload,
    client: &C,
    data: &Arc<Data>,
    warmup: Limit,
    limit: Limit,
) -> Result<Sample> {
    run_for(workload, client, data, warmup).await?;
    let started = Instant::now();
    let progress = run_for(workload, client, data, limit).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = progress.latencies;
    latencies.sort_unstable();
    let rate = progress.units as f64 / elapsed;
    Ok(Sample {
        rate: if workload.steps() == Workload::Mget100 {
            rate / 1e6
        } else {
            rate
        },
        p50_us: percentile(&latencies, 0.50),
        p99_us: percentile(&latencies, 0.99),
    })
}

/// Runs the workload's tasks on the runtime's workers (as an application's would run) until
/// `limit`, each on its own clone of the client.
async fn run_for<C: BenchClient>(
    workload: Workload,
    client: &C,
    data: &Arc<Data>,
    limit: Limit,
) -> Result<Progress> {
    let tasks = if workload.steps() == Workload::Conc64 {
        CONC_TASKS
    } else {
        1
    };
    let deadline = Instant::now() + limit.duration;
    let steps = limit.steps.unwrap_or(u64::MAX);
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let mut client = client.clone();
            let data = data.clone();
            tokio::spawn(async move {
                task_loop(workload, &mut client, &data, task, deadline, steps).await
            })
        })
        .collect();
    let mut total = Progress::default();
    for handle in handles {
        let progress = handle.await??;
        total.units += progress.units;
        total.latencies.extend(progress.latencies);
    }
    Ok(total)
}

/// One task's loop: steps until the deadline or the step limit.
async fn task_loop<C: BenchClient>(
    workload: Workload,
    client: &mut C,
    data: &Data,
    task: u64,
    deadline: Instant,
    steps: u64,
) -> Result<Progress> {
    let mut progress = Progress::default();
    let mut step = 0u64;
    while step < steps && Instant::now() < deadline {
        let started = Instant::now();
        progress.units += one_step(workload, client, data, task, step).await?;
        if workload.has_latency() {
            let nanos = started.elapsed().as_nanos();
            progress
                .latencies
                .push(u32::try_from(nanos).unwrap_or(u32::MAX));
        }
        step += 1;
    }
    Ok(progress)
}

/// One unit of work; returns how many units of the workload's figure it was.
async fn one_step<C: BenchClient>(
    workload: Workload,
    client: &mut C,
    data: &Data,
    task: u64,
    step: u64,
) -> Result<u64> {
    match workload.steps() {
        Workload::Seq | Workload::Conc64 => {
            // SET then GET of the same key; in conc64 half the tasks start with a GET, so
            // the mix stays 50/50 at every moment. Tasks start at spread-out keys.
            let index = (task * 7919 + step / 2) as usize % data.keys.len();
            let key = &data.keys[index];
            if (step + task).is_multiple_of(2) {
                client.set(key, &data.value).await?;
            } else {
                client.get(key, &data.value).await?;
            }
            Ok(1)
        }
        Workload::Pipe100 => {
            let batches = data.keys.len() / PIPE_LEN;
            let start = (step as usize % batches) * PIPE_LEN;
            client
                .set_pipeline(&data.keys[start..start + PIPE_LEN], &data.value)
                .await?;
            Ok(PIPE_LEN as u64)
        }
        Workload::Mget100 => {
            let bytes = client.mget(&data.mget_keys, &data.mget_values).await?;
            debug_assert_eq!(data.mget_keys.len(), MGET_KEYS);
            Ok(bytes as u64)
        }
        Workload::Hash10 => {
            let key = &data.hash_keys[step as usize % data.hash_keys.len()];
            client.hash_round_trip(key, &data.hash_fields).await?;
            Ok(1)
        }
        cluster => Err(format!("{} has no steps of its own", cluster.name()).into()),
    }
}

/// The `q` quantile of sorted nanoseconds, in microseconds.
fn percentile(sorted: &[u32], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let index = ((last as f64) * q).round() as usize;
    Some(f64::from(sorted[index]) / 1000.0)
}

/// Writes every key the workloads read, so the first GET already finds its value.
pub async fn prefill<C: BenchClient>(client: &mut C, data: &Data) -> Result<()> {
    for chunk in data.keys.chunks(PIPE_LEN) {
        client.set_pipeline(chunk, &data.value).await?;
    }
    for (key, value) in data.mget_keys.iter().zip(&data.mget_values) {
        client.set(key, value).await?;
    }
    for key in &data.hash_keys {
        client.hash_round_trip(key, &data.hash_fields).await?;
    }
    Ok(())
}
