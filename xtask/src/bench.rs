//! `bench [-- ARGS]`: one fresh Redis 8.2.3 (no modules) on a free port, the benchmark crate
//! in release mode against it, the server stopped whatever happened.
//!
//! The server lives in its own run directory, so `servers down` and this command never stop
//! each other's servers.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use crate::error::{Result, bail};
use crate::install;
use crate::layout::Layout;
use crate::ports::Ports;
use crate::server;

/// Debian's redis-benchmark (redis-tools), the reference column of the table.
const REDIS_BENCHMARK: &str = "/usr/bin/redis-benchmark";

/// Runs the benchmarks with `args` passed on to the bench binary; the exit code is its own.
pub fn run(layout: &Layout, args: &[OsString]) -> Result<ExitCode> {
    let installed = install::ensure(layout)?;
    if !Path::new(REDIS_BENCHMARK).exists() {
        bail!("{REDIS_BENCHMARK} is missing: `apt-get install redis-tools`");
    }
    let own = Layout {
        run: layout.base.join("bench-run"),
        ..layout.clone()
    };
    // A server left by an interrupted earlier run would only take memory and CPU.
    server::stop_all(&own)?;
    let port = Ports::default().pick()?;
    let outcome = server::start(&own, "bench", port, &installed.redis8, &[]).and_then(|()| {
        let mut command = crate::cargo(layout);
        command
            .args([
                "run",
                "--release",
                "--manifest-path",
                "bench/Cargo.toml",
                "--",
            ])
            .arg("--url")
            .arg(format!("redis://127.0.0.1:{port}"))
            .args(args);
        let shown = crate::cmd::describe(&command);
        eprintln!("[xtask] {shown}");
        crate::cmd::run_for_exit_code(&mut command)
    });
    let stopped = server::stop_all(&own);
    match (outcome, stopped) {
        (Ok(code), Ok(_)) => Ok(code),
        (Ok(code), Err(e)) => {
            eprintln!("error: stopping the benchmark server: {e}");
            Ok(code)
        }
        (Err(e), stopped) => {
            if let Err(down) = stopped {
                eprintln!("error: stopping the benchmark server: {down}");
            }
            Err(e)
        }
    }
}
