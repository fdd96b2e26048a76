//! `soak [--seconds N] [--tls | --cluster] [-- ARGS]`: the client under injected faults for N seconds (the
//! `soak` binary of the tests crate). The soak starts, kills and restarts a Redis 8.2.3 of its
//! own, so the shared test servers are not needed; it only needs the installed binary, passed to
//! it in `REDIS8_BIN`. With `--tls` it runs over TLS against a Redis 7.0 of its own instead (the
//! Redis 8 binary has no TLS), with the certificates of the servers file in `REDIS_SERVERS_ENV`
//! (`cargo xtask servers up` makes them); the shared servers are neither used nor stopped. With
//! `--cluster` it runs through a `ClusterClient` against a throw-away cluster of its own (three
//! durable primaries with a replica each, from the same Redis 8 binary) whose primaries it kills
//! and restarts; `cargo xtask test` does not run that one.

use std::ffi::OsString;
use std::process::ExitCode;

use crate::error::{Context, Result, bail};
use crate::install;
use crate::layout::Layout;

/// The length of the soak that ends `cargo xtask test`.
pub const TEST_SECONDS: u64 = 20;

/// Parses `[--seconds N] [--tls | --cluster] [-- ARGS]` and runs the soak; the exit code is
/// the soak's.
pub fn command(layout: &Layout, args: &[OsString]) -> Result<ExitCode> {
    let mut seconds = 60;
    let mut passed: Vec<OsString> = Vec::new();
    let mut rest = args;
    loop {
        match rest {
            [flag, tail @ ..] if flag == "--tls" || flag == "--cluster" => {
                passed.push(flag.clone());
                rest = tail;
            }
            [flag, value, tail @ ..] if flag == "--seconds" => {
                let value = value.to_string_lossy();
                seconds = value
                    .parse()
                    .context(|| format!("--seconds takes a whole number, not `{value}`"))?;
                rest = tail;
            }
            [separator, tail @ ..] if separator == "--" => {
                passed.extend_from_slice(tail);
                return run(layout, seconds, &passed);
            }
            [] => return run(layout, seconds, &passed),
            [other, ..] => bail!(
                "soak: unknown argument `{}` (usage: soak [--seconds N] [--tls | --cluster] [-- --protocol 2|3 --seed N])",
                other.to_string_lossy()
            ),
        }
    }
}

/// After a passing `cargo test`, the short soak; a failing test run's code is kept as is.
pub fn after_tests(layout: &Layout, tests: ExitCode) -> Result<ExitCode> {
    if tests != ExitCode::SUCCESS {
        return Ok(tests);
    }
    run(layout, TEST_SECONDS, &[])
}

/// Builds and runs the soak binary for `seconds`, with `extra` arguments passed on.
pub fn run(layout: &Layout, seconds: u64, extra: &[OsString]) -> Result<ExitCode> {
    let installed = install::ensure(layout)?;
    let mut command = crate::cargo(layout);
    command
        .args(["run", "--quiet", "-p", "redis-tests", "--bin", "soak", "--"])
        .arg("--seconds")
        .arg(seconds.to_string())
        .args(extra)
        .env("REDIS8_BIN", &installed.redis8);
    let shown = crate::cmd::describe(&command);
    eprintln!("[xtask] REDIS8_BIN={} {shown}", installed.redis8.display());
    crate::cmd::run_for_exit_code(&mut command)
}
