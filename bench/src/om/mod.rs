//! The object-mapper rows: redis-om's repository against the same commands written by hand
//! with redis-core, and Redis OM Python 1.2 against plain redis-py, on one server in one run.

mod by_hand;
mod models;
pub mod python;
mod report;
mod workload;

use std::path::PathBuf;

use redis_core::{Client, Cmd, Value};

pub use self::report::OmTable;
pub use self::workload::OmWorkload;
use self::workload::{ByHand, Om, OmData, RUST_COLUMNS};
use crate::clients::Result;
use crate::workload::Limit;

/// Every column, in table order.
pub const ALL_COLUMNS: [&str; 4] = [
    RUST_COLUMNS[0],
    RUST_COLUMNS[1],
    python::COLUMNS[0],
    python::COLUMNS[1],
];

/// What the object-mapper section needs beyond the common options.
pub struct OmOptions<'a> {
    /// The workloads, in table order.
    pub workloads: &'a [OmWorkload],
    /// The columns to fill.
    pub columns: &'a [String],
    /// The interpreter of the venv holding Redis OM Python, if any.
    pub python: Option<&'a PathBuf>,
    /// The driver script.
    pub script: &'a PathBuf,
    /// Measured runs per workload and column.
    pub runs: usize,
    /// The unmeasured run before each measured one.
    pub warmup: Limit,
    /// One measured run.
    pub limit: Limit,
}

/// Runs every object-mapper workload `runs` times per column, the columns in a rotating
/// order, and returns the table of medians.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    url: &str,
    options: &OmOptions<'_>,
) -> Result<OmTable> {
    let mut table = OmTable::default();
    let mut workloads = Vec::new();
    for &workload in options.workloads {
        match workload.needs() {
            Some(command) if !runtime.block_on(has_command(client, command))? => eprintln!(
                "[bench] {} skipped: the server has no {command} (`cargo xtask bench` loads its \
                 module)",
                workload.name()
            ),
            _ => workloads.push(workload),
        }
    }
    let wants_python = options
        .columns
        .iter()
        .any(|c| python::COLUMNS.contains(&c.as_str()));
    let mut driver = match (wants_python, options.python) {
        (false, _) => None,
        (true, None) => {
            table.note("Redis OM Python and redis-py columns skipped: no --python given");
            None
        }
        (true, Some(interpreter)) => {
            match python::Python::start(interpreter, options.script, url) {
                Ok(driver) => {
                    table.python_versions = Some(driver.versions.clone());
                    Some(driver)
                }
                Err(e) => {
                    table.note(&format!(
                        "Redis OM Python and redis-py columns skipped: {e}"
                    ));
                    None
                }
            }
        }
    };
    let om = Om::new(client);
    let by_hand = ByHand(client.clone());
    let mut data = OmData::new();
    for &workload in &workloads {
        if options
            .columns
            .iter()
            .any(|c| RUST_COLUMNS.contains(&c.as_str()))
        {
            runtime
                .block_on(workload::prepare(workload, client, &mut data))
                .map_err(|e| format!("preparing {}: {e}", workload.name()))?;
        }
        for run in 0..options.runs {
            let mut columns: Vec<&str> = options.columns.iter().map(String::as_str).collect();
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
                let sample = match column {
                    "redis-om" => Some(runtime.block_on(workload::measure(
                        workload, &om, client, &mut data, warmup, limit,
                    ))),
                    "by-hand" => Some(runtime.block_on(workload::measure(
                        workload, &by_hand, client, &mut data, warmup, limit,
                    ))),
                    _ if !workload.has_python() => None,
                    _ => driver
                        .as_mut()
                        .map(|python| python.measure(workload, column, warmup, limit)),
                };
                let Some(sample) = sample else { continue };
                let sample = sample.map_err(|e| format!("{} failed: {e}", workload.name()))?;
                line.push_str(&format!(
                    " {column} {}",
                    crate::report::figure(Some(sample.rate))
                ));
                table.add(workload, column, sample.rate);
            }
            eprintln!("{line} {}", workload.unit());
        }
    }
    table.workloads = workloads;
    Ok(table)
}

/// Whether the server knows `command` (`JSON.SET`: RedisJSON is loaded; `FT.SEARCH`:
/// RediSearch).
async fn has_command(client: &Client, command: &str) -> Result<bool> {
    let info: Value = Cmd::new("COMMAND")
        .arg("INFO")
        .arg(command)
        .query(client)
        .await?;
    Ok(match info {
        Value::Array(entries) => entries.first().is_some_and(|e| !matches!(e, Value::Nil)),
        _ => false,
    })
}
