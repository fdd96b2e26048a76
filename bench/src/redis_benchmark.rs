//! The matching `redis-benchmark` lines (the C client shipped with Redis), run against the
//! same server, as the reference for what the server takes from one client.

use std::process::Command;
use std::time::Duration;

use crate::clients::Result;
use crate::workload::{Sample, Workload};

/// Debian's redis-benchmark, from redis-tools (`cargo xtask bench` installs it).
const PROGRAM: &str = "redis-benchmark";
/// Requests of the first, unmeasured run that sizes `-n` for the measured ones.
const PROBE_REQUESTS: u64 = 5_000;

/// The redis-benchmark arguments matching `workload`, if there is a matching line.
fn line(workload: Workload) -> Option<&'static [&'static str]> {
    match workload {
        Workload::Seq => Some(&["-c", "1", "-P", "1", "-t", "set,get", "-d", "64"]),
        Workload::Conc64 => Some(&["-c", "64", "-P", "1", "-t", "set,get", "-d", "64"]),
        Workload::Pipe100 => Some(&["-c", "1", "-P", "100", "-t", "set", "-d", "64"]),
        // (redis-benchmark --cluster exists, but measures a client per node, not one
        // clustered client.)
        _ => None,
    }
}

/// The command line shown in the table's notes.
pub fn describe(workload: Workload) -> Option<String> {
    line(workload).map(|args| format!("{PROGRAM} {}", args.join(" ")))
}

/// Runs one workload's line for about `duration`, sizing `-n` from a short probe run (which
/// is also the warm-up). `None` when the workload has no matching line.
/// `tls` holds redis-benchmark's TLS options (`--tls --cacert ...`), empty for plain TCP.
pub fn measure(
    host: &str,
    port: u16,
    workload: Workload,
    duration: Duration,
    tls: &[String],
) -> Result<Option<Sample>> {
    let Some(line) = line(workload) else {
        return Ok(None);
    };
    let mut args: Vec<&str> = tls.iter().map(String::as_str).collect();
    args.extend_from_slice(line);
    let probe = run(host, port, &args, PROBE_REQUESTS)?;
    let tests = probe.tests as f64;
    let requests = (probe.rate * duration.as_secs_f64() / tests).clamp(1_000.0, 1e9) as u64;
    let measured = run(host, port, &args, requests)?;
    Ok(Some(Sample {
        rate: measured.rate,
        p50_us: workload.has_latency().then_some(measured.p50_ms * 1000.0),
        p99_us: workload.has_latency().then_some(measured.p99_ms * 1000.0),
    }))
}

/// One redis-benchmark run, its tests (SET, GET) combined.
struct Outcome {
    /// Requests per second over all tests: the harmonic mean of their rates, as they run
    /// one after the other with the same number of requests.
    rate: f64,
    /// The worst test's median latency.
    p50_ms: f64,
    /// The worst test's 99th percentile.
    p99_ms: f64,
    tests: usize,
}

fn run(host: &str, port: u16, args: &[&str], requests: u64) -> Result<Outcome> {
    let output = Command::new(PROGRAM)
        .args([
            "-h",
            host,
            "-p",
            &port.to_string(),
            "--csv",
            "-n",
            &requests.to_string(),
        ])
        .args(args)
        .output()
        .map_err(|e| format!("running {PROGRAM} (from Debian's redis-tools): {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{PROGRAM} {} failed ({}): {}{}",
            args.join(" "),
            output.status,
            text,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    parse_csv(&text).ok_or_else(|| format!("unexpected {PROGRAM} --csv output:\n{text}").into())
}

/// Parses `--csv` output: a header naming the columns, then one line per test.
fn parse_csv(text: &str) -> Option<Outcome> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = fields(lines.next()?);
    let column = |name: &str| header.iter().position(|h| h == name);
    let (rps, p50, p99) = (
        column("rps")?,
        column("p50_latency_ms")?,
        column("p99_latency_ms")?,
    );
    let mut seconds_per_request = 0.0;
    let (mut p50_ms, mut p99_ms, mut tests) = (0.0f64, 0.0f64, 0);
    for row in lines {
        let row = fields(row);
        let number = |i: usize| row.get(i)?.parse::<f64>().ok();
        seconds_per_request += 1.0 / number(rps)?;
        p50_ms = p50_ms.max(number(p50)?);
        p99_ms = p99_ms.max(number(p99)?);
        tests += 1;
    }
    (tests > 0).then(|| Outcome {
        rate: tests as f64 / seconds_per_request,
        p50_ms,
        p99_ms,
        tests,
    })
}

fn fields(line: &str) -> Vec<String> {
    line.split(',')
        .map(|f| f.trim().trim_matches('"').to_string())
        .collect()
}

/// Host and port of a `redis://[user:pass@]host:port[/db]` URL, for redis-benchmark's `-h`
/// and `-p`. `None` for URLs it could not be given (TLS, sockets, passwords).
pub fn host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("redis://")?;
    let authority = rest.split(['/', '?']).next()?;
    if authority.contains('@') {
        return None;
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None => Some((authority.to_string(), 6379)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combines_the_tests_of_one_run() {
        let csv = "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n\
                   \"SET\",\"20000.00\",\"0.050\",\"0.016\",\"0.047\",\"0.071\",\"0.103\",\"1.047\"\n\
                   \"GET\",\"10000.00\",\"0.049\",\"0.016\",\"0.055\",\"0.063\",\"0.095\",\"0.407\"\n";
        let outcome = parse_csv(csv).expect("parses");
        assert_eq!(outcome.tests, 2);
        assert!((outcome.rate - 2.0 / (1.0 / 20000.0 + 1.0 / 10000.0)).abs() < 1e-6);
        assert_eq!(outcome.p50_ms, 0.055);
        assert_eq!(outcome.p99_ms, 0.103);
    }

    #[test]
    fn reads_host_and_port() {
        assert_eq!(
            host_port("redis://127.0.0.1:7001"),
            Some(("127.0.0.1".into(), 7001))
        );
        assert_eq!(
            host_port("redis://localhost/0"),
            Some(("localhost".into(), 6379))
        );
        assert_eq!(host_port("redis://:pw@localhost:1"), None);
        assert_eq!(host_port("rediss://localhost:1"), None);
    }
}
