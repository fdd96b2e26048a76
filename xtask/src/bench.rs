//! `bench [-- ARGS]`: one fresh Redis 8.2.3 with RedisJSON (for the object mapper's JSON
//! rows; RediSearch too when `om_find` or `om_knn` runs) on a free port, the benchmark crate in release
//! mode against it, the server stopped whatever happened; and, for the object mapper's Python columns, a venv with Redis OM
//! Python (optional: without network the Rust rows still run).
//!
//! The `cluster_*` rows get a six-node cluster started the way `servers up` starts one.
//!
//! The servers live in their own run directory, so `servers down` and this command never stop
//! each other's servers.

mod python;

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
    // RedisJSON, and RediSearch only when `om_find` or `om_knn` runs (the rows that query an
    // index): otherwise its threads would share the server with the other rows for nothing.
    let search = value_of(args, "--workloads")
        .is_none_or(|list| list.contains("om_find") || list.contains("om_knn"));
    let mut modules = Vec::new();
    for module in &installed.modules {
        if module
            .file_name()
            .is_some_and(|name| name == "rejson.so" || (search && name == "redisearch.so"))
        {
            modules.push(OsString::from("--loadmodule"));
            modules.push(module.into());
        }
    }
    let python = python_args(layout, args);
    let port = Ports::default().pick()?;
    // The cluster rows get a six-node cluster of their own (3 primaries + 3 replicas), in
    // the same run directory, stopped with the server.
    let cluster = value_of(args, "--workloads").is_none_or(|list| list.contains("cluster_"));
    let outcome = server::start(&own, "bench", port, &installed.redis8, &modules).and_then(|()| {
        let mut cluster_args: Vec<OsString> = Vec::new();
        if cluster {
            let ports = crate::cluster::start(&own, &installed)?;
            let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
            cluster_args = vec!["--cluster".into(), nodes.join(",").into()];
        }
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
            .args(&cluster_args)
            .args(&python)
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

/// `--python PATH` for the object-mapper table's Python columns, `--python none` when its venv
/// cannot be made, nothing when the arguments show those columns will not run (or name an
/// interpreter themselves).
fn python_args(layout: &Layout, args: &[OsString]) -> Vec<OsString> {
    let value_of = |flag: &str| value_of(args, flag);
    // The object mapper's rows and the feature table's `lock` and `stream_worker*` rows.
    let om_rows = value_of("--workloads").is_none_or(|list| {
        ["om_", "lock", "stream_worker"]
            .iter()
            .any(|r| list.contains(r))
    });
    let python_columns =
        value_of("--om-columns").is_none_or(|list| list.contains("python") || list.contains("-py"));
    if !om_rows || !python_columns || value_of("--python").is_some() {
        return Vec::new();
    }
    match python::ensure(layout) {
        Ok(interpreter) => vec!["--python".into(), interpreter.into()],
        Err(e) => {
            eprintln!(
                "[xtask] the Redis OM Python and redis-py columns are skipped, their venv cannot \
                 be made: {e}"
            );
            vec!["--python".into(), "none".into()]
        }
    }
}

/// The value after `flag` in `args`, if the flag is there.
fn value_of(args: &[OsString], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.to_string_lossy().into_owned())
}
