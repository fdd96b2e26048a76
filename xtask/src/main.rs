//! `cargo xtask`: the project's automation, in Rust so it needs nothing but cargo.
//!
//! - `servers up|down|status`: the Redis test servers (8.2.3 with modules, 7.0 with TLS,
//!   Valkey 8.1, a cluster, sentinels), installed and started under `target/redis-servers`.
//! - `test [-- ARGS]`: servers up, `cargo test --workspace ARGS` (and, without ARGS, every
//!   example), servers down.
//! - `demo`: servers up, the `tour` example, servers down.
//! - `command-table`: regenerates redis-core's table of command facts from a running server.
//! - `coverage`: lists the commands of a running server that have no typed method.
//! - `newest-deps`: the published crates checked against the newest compatible dependencies
//!   (a scratch copy's `cargo update`), warnings denied.

mod bench;
mod certs;
mod cluster;
mod cmd;
mod command_table;
mod coverage;
mod env_file;
mod error;
mod examples;
mod fuzz;
mod install;
mod layout;
mod newest_deps;
mod openssl11;
mod ports;
mod resp;
mod sentinel;
mod server;
mod servers;
mod soak;
mod standalone;

use std::env;
use std::ffi::{OsStr, OsString};
use std::process::{Command, ExitCode};

use error::{Context, Result};
use layout::Layout;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  servers up       install what is missing, start the test servers (or reuse running ones),
                   print target/redis-servers/servers.env
  servers down     stop the test servers and remove their run directory
  servers status   print servers.env and whether each server answers
  test [-- ARGS]   servers up, cargo test --workspace ARGS (without ARGS also every example
                   in examples/examples and `coverage --check`), servers down (always)
  demo             servers up, cargo run -p redis-examples --example tour, servers down
  bench [-- ARGS]  one fresh Redis 8.2.3, the bench/ crate in release against it (ARGS:
                   `-- --help`), the server stopped (always)
  soak [--seconds N] [--tls]
                   the client under injected faults and server kills for N s (default 60),
                   against a Redis 8.2.3 of its own; a 20 s soak also ends a passing `test`;
                   --tls: over TLS to a Redis 7.0 of its own (certificates of REDIS_SERVERS_ENV)
  fuzz [--seconds N]
                   every fuzz target under fuzz/ for N s each (default 60), on stable; fails
                   on a crash; a 3 s run also ends a passing `test` without ARGS
  command-table [--addr HOST:PORT]
                   rewrite redis-core/src/cmd_info/table.rs from the COMMAND reply of the
                   running Redis 8.2 with modules (STACK of servers.env, or HOST:PORT)
  coverage [--check] [--addr HOST:PORT]
                   per command group of COMMAND DOCS (modules by name prefix),
                   the commands and subcommands no typed method under redis-core/src/commands
                   builds, then those left to Cmd on purpose and the deprecated ones; with
                   --check, exit 1 when any is missing
  newest-deps      copy the workspace (without target/) to target/newest-deps, `cargo update`
                   there, clippy redis-core, redis-derive and redis-om (all features, lib) with
                   warnings denied, remove the copy; the real Cargo.lock is left alone
  help             this text
";

/// The variable that tells tests and examples where servers.env is.
const SERVERS_ENV_VAR: &str = "REDIS_SERVERS_ENV";

fn main() -> ExitCode {
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[OsString]) -> Result<ExitCode> {
    let layout = Layout::of_workspace();
    let words: Vec<Option<&str>> = args.iter().map(|a| a.to_str()).collect();
    match words.as_slice() {
        [Some("servers"), Some("up")] => {
            servers::up(&layout).context(|| {
                "starting the test servers failed (`cargo xtask servers down` stops \
                 whatever did start)"
                    .to_string()
            })?;
            Ok(ExitCode::SUCCESS)
        }
        [Some("servers"), Some("down")] => {
            servers::down(&layout)?;
            Ok(ExitCode::SUCCESS)
        }
        [Some("servers"), Some("status")] => Ok(if servers::status(&layout)? {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
        [Some("test"), ..] => {
            let extra = strip_separator(&args[1..]);
            let mut command = cargo(&layout);
            command.arg("test");
            if !selects_packages(extra) {
                command.arg("--workspace");
            }
            command.args(extra).env(SERVERS_ENV_VAR, &layout.env_file);
            // The examples run too when the whole suite does.
            let run_examples = extra.is_empty();
            let tests = with_servers(&layout, || {
                let tests = cmd::run_for_exit_code(&mut command)?;
                if tests != ExitCode::SUCCESS || !run_examples {
                    return Ok(tests);
                }
                let examples = examples::run_all(&layout)?;
                if examples != ExitCode::SUCCESS {
                    return Ok(examples);
                }
                coverage::after_tests(&layout)
            })?;
            let tests = soak::after_tests(&layout, tests)?;
            fuzz::after_tests(&layout, extra, tests)
        }
        [Some("demo")] => {
            let mut command = cargo(&layout);
            command
                .args(["run", "-p", "redis-examples", "--example", "tour"])
                .env(SERVERS_ENV_VAR, &layout.env_file);
            with_servers(&layout, || cmd::run_for_exit_code(&mut command))
        }
        [Some("bench"), ..] => bench::run(&layout, strip_separator(&args[1..])),
        [Some("soak"), ..] => soak::command(&layout, &args[1..]),
        [Some("fuzz"), ..] => fuzz::command(&layout, &args[1..]),
        [Some("command-table"), ..] => {
            command_table::command(&layout, &args[1..])?;
            Ok(ExitCode::SUCCESS)
        }
        [Some("coverage"), ..] => coverage::command(&layout, &args[1..]),
        [Some("newest-deps")] => newest_deps::run(&layout),
        [Some("help" | "-h" | "--help")] => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        [] => {
            eprintln!("no command given\n\n{USAGE}");
            Ok(ExitCode::from(2))
        }
        _ => {
            let shown: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            eprintln!("unknown command: `{}`\n\n{USAGE}", shown.join(" "));
            Ok(ExitCode::from(2))
        }
    }
}

/// Runs `work` with the servers up (`REDIS_SERVERS_ENV` set for what it starts), and stops
/// them afterwards whatever happened; the exit code is the work's.
fn with_servers(layout: &Layout, work: impl FnOnce() -> Result<ExitCode>) -> Result<ExitCode> {
    let outcome = servers::up(layout).and_then(|()| {
        eprintln!("[xtask] {SERVERS_ENV_VAR}={}", layout.env_file.display());
        work()
    });
    let stopped = servers::down(layout);
    match (outcome, stopped) {
        (Ok(code), Ok(())) => Ok(code),
        (Ok(code), Err(e)) => {
            eprintln!("error: stopping the test servers: {e}");
            // The command's own failure matters more than a cleanup failure.
            if code == ExitCode::SUCCESS {
                Err(e)
            } else {
                Ok(code)
            }
        }
        (Err(e), stopped) => {
            if let Err(down_error) = stopped {
                eprintln!("error: stopping the test servers: {down_error}");
            }
            Err(e)
        }
    }
}

/// The cargo that runs this xtask (`CARGO`), working in the workspace root.
fn cargo(layout: &Layout) -> Command {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(&layout.root);
    // `cargo run` describes the xtask package in these variables. Build scripts such as ring's
    // watch some of them (`rerun-if-env-changed=CARGO_PKG_NAME`), so passing them on would make
    // the inner cargo rebuild those crates, and the next plain cargo rebuild them back.
    for (name, _) in env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_run) {
            command.env_remove(name);
        }
    }
    command
}

/// Whether a variable is one `cargo run` sets for the program it runs (not a user's setting).
fn set_by_cargo_run(name: &str) -> bool {
    const PREFIXES: [&str; 4] = [
        "CARGO_PKG_",
        "CARGO_MANIFEST_",
        "CARGO_CRATE_",
        "CARGO_BIN_",
    ];
    const NAMES: [&str; 3] = [
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || NAMES.contains(&name)
}

/// The arguments after `test`, without the `--` that `cargo xtask test -- ARGS` passes on.
fn strip_separator(args: &[OsString]) -> &[OsString] {
    match args.split_first() {
        Some((first, rest)) if first == "--" => rest,
        _ => args,
    }
}

/// Whether cargo's own arguments (before any `--`) pick packages: cargo silently ignores `-p`
/// next to `--workspace`, so `--workspace` is only added when they do not.
fn selects_packages(args: &[OsString]) -> bool {
    args.iter()
        .take_while(|a| a.as_os_str() != OsStr::new("--"))
        .filter_map(|a| a.to_str())
        .any(|a| {
            a == "-p"
                || a == "--package"
                || a.starts_with("--package=")
                || (a.starts_with("-p") && a.len() > 2)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn passes_test_args_through() {
        assert_eq!(
            strip_separator(&os(&["--", "--lib"])),
            os(&["--lib"]).as_slice()
        );
        assert_eq!(strip_separator(&os(&["--lib"])), os(&["--lib"]).as_slice());
        assert!(selects_packages(&os(&["-p", "redis-core"])));
        assert!(selects_packages(&os(&["--package=redis-core"])));
        assert!(!selects_packages(&os(&["--", "-p"])));
        assert!(!selects_packages(&os(&["--lib", "--", "--nocapture"])));
    }

    #[test]
    fn keeps_user_cargo_settings() {
        assert!(set_by_cargo_run("CARGO_PKG_NAME"));
        assert!(set_by_cargo_run("CARGO_MANIFEST_DIR"));
        assert!(!set_by_cargo_run("CARGO_TARGET_DIR"));
        assert!(!set_by_cargo_run("CARGO_HOME"));
        assert!(!set_by_cargo_run("CARGO"));
    }
}
