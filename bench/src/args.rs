//! Command-line options, parsed by hand to keep the build small.

use std::path::PathBuf;
use std::time::Duration;

use crate::features::Feature;
use crate::om::{self, OmWorkload};
use crate::workload::Workload;

/// What to run, and for how long.
#[derive(Debug, Clone)]
pub struct Args {
    /// The server, `redis://host:port`.
    pub url: String,
    /// The cluster's nodes, `host:port,host:port...`, for the `cluster_*` workloads.
    pub cluster: Option<String>,
    /// Measured runs per workload and client; the table shows medians.
    pub runs: usize,
    /// Length of one measured run.
    pub duration: Duration,
    /// Steps per task after which a measured run ends even before `duration` (for callgrind).
    pub steps: Option<u64>,
    /// Length of the unmeasured run before each measured one.
    pub warmup: Duration,
    /// The workloads of the first table, in table order.
    pub workloads: Vec<Workload>,
    /// The object-mapper workloads of the second table, in table order.
    pub om_workloads: Vec<OmWorkload>,
    /// The rows of the feature table, in table order.
    pub features: Vec<Feature>,
    /// The columns of the object-mapper table.
    pub om_columns: Vec<String>,
    /// The interpreter of a venv with Redis OM Python 1.2 (`cargo xtask bench` makes one).
    pub python: Option<PathBuf>,
    /// The script that drives it.
    pub python_script: PathBuf,
    /// The test servers' file naming the Redis 7.0 TLS server, for the TLS rows.
    pub servers_env: Option<PathBuf>,
    /// The columns to fill: `redis-benchmark`, `ours`, `redis-rs`, `fred`.
    pub clients: Vec<String>,
    /// The protocol every client speaks (2 or 3).
    pub resp: u8,
    /// Tokio worker threads.
    pub threads: usize,
    /// Commands kept in flight for the per-command memory figure (0 skips it).
    pub in_flight: usize,
    /// Size of the bulk reply for the large-reply memory figure, in MiB (0 skips it).
    pub big_mib: usize,
    /// Whether the `ours` column sends raw `Cmd`s instead of the typed commands (to show,
    /// under callgrind, that the typed API costs what the raw one does).
    pub raw: bool,
}

/// Every column, in table order.
pub const ALL_CLIENTS: [&str; 4] = ["redis-benchmark", "ours", "redis-rs", "fred"];

/// The `--help` text.
pub const USAGE: &str = "\
usage: redis-bench --url redis://HOST:PORT [options]

  --cluster NODES    host:port,... of a cluster for the cluster_* workloads and the
                     cluster_pubsub row (skipped without)
  --runs N           measured runs per workload and client, medians shown (5)
  --duration SECS    one measured run (2)
  --warmup SECS      unmeasured run before each measured one (0.5)
  --steps N          end each measured run after N steps per task, if before --duration:
                     the same work on every run, for callgrind (a step is one command,
                     one pipeline, one MGET or one HSET+HGETALL pair)
  --workloads LIST   comma-separated: seq,conc64,pipe100,mget100,hash10,cluster_conc64,
                     cluster_pipe100,cluster_mget100 (the first table)
                     and om_hash10,om_json,om_save_many,om_update2,om_update2_versioned,
                     om_json_update,om_find,om_knn (the object-mapper table) and
                     cached_get_seq,cached_conc64,pubsub,pubsub_backlog,cluster_pubsub,lock,
                     channel,stream_worker1,stream_worker16,tls_seq,tls_conc64 (the feature
                     table) (all);
                     the memory figures run only with some workload of the first table
  --clients LIST     comma-separated: redis-benchmark,ours,redis-rs,fred (all)
  --om-columns LIST  comma-separated: redis-om,by-hand,om-python,redis-py (all)
  --python PATH      the python of a venv holding redis-om==1.2.* for the om-python and
                     redis-py columns of both tables; `none` skips them (skipped when not given)
  --python-script P  the driver of those columns (bench/python/om_bench.py)
  --resp 2|3         protocol of every client (3, redis-core's default)
  --threads N        tokio worker threads (2)
  --in-flight N      GETs held in flight for the memory figure, 0 skips (10000)
  --big-mib N        bulk reply size for the memory figure in MiB, 0 skips (256)
  --api typed|raw    how the `ours` column sends: typed commands (the default) or raw Cmds
  --servers-env PATH the servers file of `cargo xtask servers up`, whose Redis 7.0 (plain and
                     TLS ports, certificates) the tls_* rows use ($REDIS_SERVERS_ENV)
";

impl Args {
    /// Parses `args` (without the program name); `Err` holds the message to print.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args {
            url: String::new(),
            cluster: None,
            runs: 5,
            duration: Duration::from_secs(2),
            steps: None,
            warmup: Duration::from_millis(500),
            workloads: Workload::ALL.to_vec(),
            om_workloads: OmWorkload::ALL.to_vec(),
            features: Feature::ALL.to_vec(),
            om_columns: om::ALL_COLUMNS.iter().map(|c| c.to_string()).collect(),
            python: None,
            servers_env: std::env::var_os("REDIS_SERVERS_ENV").map(PathBuf::from),
            python_script: PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/python/om_bench.py"
            )),
            clients: ALL_CLIENTS.iter().map(|c| c.to_string()).collect(),
            resp: 3,
            threads: 2,
            in_flight: 10_000,
            big_mib: 256,
            raw: false,
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
            match flag.as_str() {
                "--url" => parsed.url = value,
                "--cluster" => parsed.cluster = Some(value),
                "--runs" => parsed.runs = number(&flag, &value)?.max(1),
                "--duration" => parsed.duration = seconds(&flag, &value)?,
                "--steps" => parsed.steps = Some(number(&flag, &value)? as u64),
                "--warmup" => parsed.warmup = seconds(&flag, &value)?,
                "--workloads" => {
                    (parsed.workloads, parsed.om_workloads, parsed.features) = workloads(&value)?;
                }
                "--clients" => parsed.clients = names(&value, &ALL_CLIENTS, "client")?,
                "--om-columns" => {
                    parsed.om_columns = names(&value, &om::ALL_COLUMNS, "object-mapper column")?;
                }
                "--python" => {
                    parsed.python = (value != "none").then(|| PathBuf::from(value));
                }
                "--python-script" => parsed.python_script = PathBuf::from(value),
                "--servers-env" => parsed.servers_env = Some(PathBuf::from(value)),
                "--resp" => parsed.resp = resp(&value)?,
                "--threads" => parsed.threads = number(&flag, &value)?.max(1),
                "--in-flight" => parsed.in_flight = number(&flag, &value)?,
                "--big-mib" => parsed.big_mib = number(&flag, &value)?,
                "--api" => {
                    parsed.raw = match value.as_str() {
                        "typed" => false,
                        "raw" => true,
                        _ => return Err(format!("--api takes typed or raw, not `{value}`")),
                    }
                }
                _ => return Err(format!("unknown option {flag}\n\n{USAGE}")),
            }
        }
        if parsed.url.is_empty() {
            return Err(format!("--url is required\n\n{USAGE}"));
        }
        Ok(parsed)
    }

    /// Whether the column `name` was asked for.
    pub fn wants(&self, name: &str) -> bool {
        self.clients.iter().any(|c| c == name)
    }
}

fn number(flag: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} takes a whole number, not `{value}`"))
}

fn seconds(flag: &str, value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("{flag} takes seconds, not `{value}`"))
}

/// The workloads of either table named in `list`.
type Lists = (Vec<Workload>, Vec<OmWorkload>, Vec<Feature>);

fn workloads(list: &str) -> Result<Lists, String> {
    let (mut core, mut om, mut features) = (Vec::new(), Vec::new(), Vec::new());
    for name in list.split(',') {
        if let Some(w) = Workload::ALL.into_iter().find(|w| w.name() == name) {
            core.push(w);
        } else if let Some(w) = OmWorkload::ALL.into_iter().find(|w| w.name() == name) {
            om.push(w);
        } else if let Some(w) = Feature::ALL.into_iter().find(|w| w.name() == name) {
            features.push(w);
        } else {
            return Err(format!("unknown workload `{name}`"));
        }
    }
    Ok((core, om, features))
}

fn names(list: &str, known: &[&str], what: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .map(|name| {
            known
                .contains(&name)
                .then(|| name.to_string())
                .ok_or_else(|| format!("unknown {what} `{name}`"))
        })
        .collect()
}

fn resp(value: &str) -> Result<u8, String> {
    match value {
        "2" => Ok(2),
        "3" => Ok(3),
        _ => Err(format!("--resp takes 2 or 3, not `{value}`")),
    }
}
