//! Redis OM Python and plain redis-py, driven through `bench/python/om_bench.py`: one child
//! process for the whole run, told what to measure one line at a time, so that its columns
//! rotate with the Rust ones and Python's start-up (pydantic's imports) is never measured.
//!
//! The protocol, one line each way: `run WORKLOAD COLUMN WARMUP_S DURATION_S STEPS` (STEPS 0
//! for none) answered by `ok RATE` or `error MESSAGE`; the first line the script prints is
//! `ready VERSIONS...`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::workload::OmWorkload;
use crate::clients::Result;
use crate::workload::{Limit, Sample};

/// The Python columns of the object-mapper table.
pub const COLUMNS: [&str; 2] = ["om-python", "redis-py"];

/// The running driver.
pub struct Python {
    child: Child,
    /// `None` once closed, which tells the script to exit.
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// What the script reported: the versions of Python, redis-om, redis-py and hiredis.
    pub versions: String,
}

impl Python {
    /// Starts `script` with `python` against `url` and waits for its `ready` line.
    pub fn start(python: &Path, script: &Path, url: &str) -> Result<Python> {
        let mut child = Command::new(python)
            .arg("-u")
            .arg(script)
            .arg("--url")
            .arg(url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", python.display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the Python driver's pipes are missing".into());
        };
        let mut python = Python {
            child,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout),
            versions: String::new(),
        };
        let line = python.line()?;
        match line.strip_prefix("ready ") {
            Some(versions) => python.versions = versions.to_owned(),
            None => return Err(format!("the Python driver said {line:?} instead of ready").into()),
        }
        Ok(python)
    }

    /// One warm-up and one measured run of `workload` in `column`.
    pub fn measure(
        &mut self,
        workload: OmWorkload,
        column: &str,
        warmup: Limit,
        limit: Limit,
    ) -> Result<Sample> {
        self.measure_named(workload.name(), column, warmup, limit)
    }

    /// The same for a workload named `workload` (the feature table's rows too).
    pub fn measure_named(
        &mut self,
        workload: &str,
        column: &str,
        warmup: Limit,
        limit: Limit,
    ) -> Result<Sample> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err("the Python driver is closed".into());
        };
        writeln!(
            stdin,
            "run {workload} {column} {} {} {}",
            warmup.duration.as_secs_f64(),
            limit.duration.as_secs_f64(),
            limit.steps.unwrap_or(0)
        )?;
        stdin.flush()?;
        let line = self.line()?;
        if let Some(rate) = line.strip_prefix("ok ") {
            let rate: f64 = rate
                .trim()
                .parse()
                .map_err(|_| format!("the Python driver sent the rate {rate:?}"))?;
            return Ok(Sample {
                rate,
                p50_us: None,
                p99_us: None,
            });
        }
        let why = line.strip_prefix("error ").unwrap_or(&line);
        Err(format!("{workload} in {column}: {why}").into())
    }

    fn line(&mut self) -> Result<String> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err("the Python driver exited (its error is above)".into());
        }
        Ok(line.trim_end().to_owned())
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        // End of input ends the script; one that has not exited a few seconds later is stuck.
        drop(self.stdin.take());
        for _ in 0..50 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
