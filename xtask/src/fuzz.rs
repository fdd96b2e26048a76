//! `cargo xtask fuzz [--seconds N]`: every cargo-fuzz target under `fuzz/` for N seconds each,
//! on stable (`--sanitizer none`), failing when one finds a crash; and the short run that
//! `cargo xtask test` ends with.
//!
//! The targets build once into `target/fuzz` (one `cargo fuzz build` for all of them). Each run
//! reads the checked-in seeds in `fuzz/corpus/<target>` but writes what it discovers to
//! `target/fuzz/corpus/<target>`, so the seeds stay as committed and later runs start from
//! what earlier ones found. A crash is saved under `fuzz/artifacts/<target>/`.

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use crate::cmd::{self, run, run_ok};
use crate::error::{Context, Result, bail};
use crate::layout::Layout;

/// Seconds per target when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 60;
/// Seconds per target in `cargo xtask test`.
const TEST_SECONDS: u64 = 3;
/// The cargo-fuzz release the project was verified with (installed when `cargo fuzz` is missing).
const CARGO_FUZZ: &str = "cargo-fuzz@0.13.2";
/// Installing cargo-fuzz or building the targets from scratch takes about a minute each.
const BUILD_TIMEOUT: Duration = Duration::from_secs(1800);
/// A run may go over its `-max_total_time` by this much (loading the corpus, a slow last input).
const RUN_MARGIN: Duration = Duration::from_secs(300);
/// libFuzzer's per-input time limit: an input that takes longer is reported as a hang.
const INPUT_TIMEOUT_SECS: u64 = 30;

/// `cargo xtask fuzz [--seconds N]`.
pub fn command(layout: &Layout, args: &[OsString]) -> Result<ExitCode> {
    let words: Vec<Option<&str>> = args.iter().map(|a| a.to_str()).collect();
    let seconds = match words.as_slice() {
        [] => DEFAULT_SECONDS,
        [Some("--seconds"), Some(n)] => parse_seconds(n)?,
        [Some(arg)] if arg.starts_with("--seconds=") => parse_seconds(&arg["--seconds=".len()..])?,
        _ => bail!("usage: cargo xtask fuzz [--seconds N]"),
    };
    Ok(if run_all(layout, seconds)? {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The short fuzz run that ends a passing, full `cargo xtask test` (one without ARGS: a run of
/// chosen tests skips it, as a failed run does). The exit code is a failure if the tests or the
/// fuzzing failed.
pub fn after_tests(layout: &Layout, test_args: &[OsString], tests: ExitCode) -> Result<ExitCode> {
    if !test_args.is_empty() || tests != ExitCode::SUCCESS {
        return Ok(tests);
    }
    eprintln!("[xtask] short fuzz run: {TEST_SECONDS}s per target");
    let clean = run_all(layout, TEST_SECONDS)?;
    Ok(if clean { tests } else { ExitCode::FAILURE })
}

fn parse_seconds(text: &str) -> Result<u64> {
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => bail!("--seconds wants a whole number of seconds above 0, not {text:?}"),
    }
}

/// Installs cargo-fuzz if needed, builds the targets, runs each for `seconds`; true when no
/// target found anything.
fn run_all(layout: &Layout, seconds: u64) -> Result<bool> {
    let fuzz_dir = layout.root.join("fuzz");
    let work = layout.root.join("target").join("fuzz");
    let logs = work.join("logs");
    ensure_cargo_fuzz(layout, &logs)?;

    let started = Instant::now();
    let mut build = cargo_fuzz(layout, "build", &work);
    run_ok(&mut build, &logs.join("build.log"), BUILD_TIMEOUT)
        .context(|| "building the fuzz targets".to_string())?;
    eprintln!(
        "[xtask] fuzz targets built in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let mut list = cargo(layout);
    list.args(["fuzz", "list", "--fuzz-dir"]).arg(&fuzz_dir);
    let listed = run_ok(&mut list, &logs.join("list.log"), BUILD_TIMEOUT)?;
    let targets: Vec<&str> = listed
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if targets.is_empty() {
        bail!(
            "`cargo fuzz list` found no fuzz target in {}",
            fuzz_dir.display()
        );
    }

    let mut clean = true;
    let mut summary = Vec::new();
    for target in &targets {
        let outcome = run_target(layout, &work, target, seconds)?;
        clean &= outcome.crash.is_none();
        summary.push(outcome);
    }
    eprintln!("[xtask] fuzzing, {seconds}s per target:");
    for o in &summary {
        let executions = o
            .executions
            .map_or_else(|| "?".to_string(), |n| n.to_string());
        let rate = o
            .per_second
            .map_or_else(String::new, |n| format!(" ({n}/s)"));
        let verdict = match &o.crash {
            None => "ok".to_string(),
            Some(artifact) => format!("FOUND A CRASH: {artifact}"),
        };
        eprintln!(
            "  {:<16} {executions:>12} executions{rate}  {verdict}",
            o.target
        );
    }
    Ok(clean)
}

/// What one target's run ended with.
struct Outcome {
    target: String,
    executions: Option<u64>,
    per_second: Option<u64>,
    /// The saved crashing input (or a description, if libFuzzer named none).
    crash: Option<String>,
}

fn run_target(layout: &Layout, work: &Path, target: &str, seconds: u64) -> Result<Outcome> {
    let seeds = layout.root.join("fuzz").join("corpus").join(target);
    let corpus = work.join("corpus").join(target);
    fs::create_dir_all(&corpus).context(|| format!("creating {}", corpus.display()))?;
    let log = work.join("logs").join(format!("{target}.log"));
    let mut command = cargo_fuzz(layout, "run", work);
    command.arg(target).arg(&corpus);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    command.arg("--").args([
        format!("-max_total_time={seconds}"),
        format!("-timeout={INPUT_TIMEOUT_SECS}"),
        "-print_final_stats=1".to_string(),
    ]);
    eprintln!("[xtask] fuzzing {target} for {seconds}s");
    let done = run(
        &mut command,
        &log,
        Duration::from_secs(seconds) + RUN_MARGIN,
    )?;
    let crash = if done.status.success() {
        None
    } else {
        let artifact = artifact(&done.output)
            .unwrap_or_else(|| format!("no input saved ({}); see {}", done.status, log.display()));
        eprintln!(
            "[xtask] {target} failed; its input: {artifact}\n{}\nfull output: {}",
            cmd::tail(&failure_text(&done.output), 60),
            log.display()
        );
        Some(artifact)
    };
    Ok(Outcome {
        target: target.to_string(),
        executions: stat(&done.output, "stat::number_of_executed_units:"),
        per_second: stat(&done.output, "stat::average_exec_per_sec:"),
        crash,
    })
}

/// `cargo fuzz SUBCOMMAND` with the options every build and run shares: stable (no
/// sanitizer, which would need nightly), the fuzz project under the root, its build in `work`.
fn cargo_fuzz(layout: &Layout, subcommand: &str, work: &Path) -> Command {
    let mut command = cargo(layout);
    command
        .args(["fuzz", subcommand, "--sanitizer", "none", "--fuzz-dir"])
        .arg(layout.root.join("fuzz"))
        .arg("--target-dir")
        .arg(work);
    command
}

fn cargo(layout: &Layout) -> Command {
    crate::cargo(layout)
}

/// Installs cargo-fuzz when `cargo fuzz` does not run.
fn ensure_cargo_fuzz(layout: &Layout, logs: &Path) -> Result<()> {
    let mut probe = cargo(layout);
    probe.args(["fuzz", "--version"]);
    if run(&mut probe, &logs.join("probe.log"), BUILD_TIMEOUT)?
        .status
        .success()
    {
        return Ok(());
    }
    eprintln!("[xtask] installing {CARGO_FUZZ} (about 40s)");
    let started = Instant::now();
    let mut install = cargo(layout);
    install.args(["install", CARGO_FUZZ, "--locked"]);
    run_ok(&mut install, &logs.join("install.log"), BUILD_TIMEOUT)
        .context(|| format!("installing {CARGO_FUZZ}"))?;
    eprintln!(
        "[xtask] cargo-fuzz installed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The number after the last `prefix` line of libFuzzer's final stats.
fn stat(output: &str, prefix: &str) -> Option<u64> {
    output
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix(prefix))
        .and_then(|n| n.trim().parse().ok())
}

/// The input libFuzzer saved (`Test unit written to PATH`).
fn artifact(output: &str) -> Option<String> {
    output.lines().rev().find_map(|line| {
        line.split_once("Test unit written to ")
            .map(|(_, path)| path.trim().to_string())
    })
}

/// The part of a failed run's output worth showing: the panic message (without its
/// backtrace), libFuzzer's verdict (a crash, a timeout, running out of memory) and the command
/// that reproduces it.
fn failure_text(output: &str) -> String {
    let mut shown = Vec::new();
    let mut in_panic = false;
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        if line.contains("panicked at") {
            in_panic = true;
        } else if in_panic
            && (line.starts_with("stack backtrace:")
                || line.starts_with("note: ")
                || line.starts_with("=="))
        {
            in_panic = false;
        }
        if in_panic || line.contains("SUMMARY: libFuzzer") {
            shown.push(line);
        } else if line.trim() == "Reproduce with:" {
            shown.push(line);
            if let Some(command) = lines.find(|l| !l.trim().is_empty()) {
                shown.push(command);
            }
        }
    }
    shown.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
#2097152\tpulse  cov: 1 ft: 2 corp: 3/4b exec/s: 5 rss: 6Mb
thread '<unnamed>' (7) panicked at fuzz_targets/x.rs:1:2:
boom
stack backtrace:
   0: __rustc::rust_begin_unwind
==1== ERROR: libFuzzer: deadly signal
SUMMARY: libFuzzer: deadly signal
artifact_prefix='/w/fuzz/artifacts/x/'; Test unit written to /w/fuzz/artifacts/x/crash-ab12
stat::number_of_executed_units: 4221
stat::average_exec_per_sec:     1407

Reproduce with:

\tcargo fuzz run x fuzz/artifacts/x/crash-ab12

Minimize test case with:
";

    #[test]
    fn reads_libfuzzer_output() {
        assert_eq!(stat(OUTPUT, "stat::number_of_executed_units:"), Some(4221));
        assert_eq!(stat(OUTPUT, "stat::average_exec_per_sec:"), Some(1407));
        assert_eq!(stat("", "stat::number_of_executed_units:"), None);
        assert_eq!(
            artifact(OUTPUT).as_deref(),
            Some("/w/fuzz/artifacts/x/crash-ab12")
        );
        assert_eq!(
            failure_text(OUTPUT),
            "thread '<unnamed>' (7) panicked at fuzz_targets/x.rs:1:2:\nboom\n\
             SUMMARY: libFuzzer: deadly signal\nReproduce with:\n\
             \tcargo fuzz run x fuzz/artifacts/x/crash-ab12"
        );
    }

    #[test]
    fn parses_seconds() {
        assert_eq!(parse_seconds("3").ok(), Some(3));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("x").is_err());
    }
}
