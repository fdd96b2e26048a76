//! Medians of the runs and the one table they are printed in.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::args::ALL_CLIENTS;
use crate::memory::{BigReply, InFlight};
use crate::redis_benchmark;
use crate::workload::{Sample, Workload};

/// The peers our client is compared with in the last column.
const PEERS: [&str; 2] = ["redis-rs", "fred"];

/// Every sample, by workload and column.
#[derive(Default)]
pub struct Table {
    samples: BTreeMap<(usize, usize), Vec<Sample>>,
}

impl Table {
    /// Records one run.
    pub fn add(&mut self, workload: Workload, column: &str, sample: Sample) {
        let key = (row_of(workload), column_of(column));
        self.samples.entry(key).or_default().push(sample);
    }

    fn median(
        &self,
        workload: Workload,
        column: &str,
        pick: fn(&Sample) -> Option<f64>,
    ) -> Option<f64> {
        let samples = self.samples.get(&(row_of(workload), column_of(column)))?;
        let mut values: Vec<f64> = samples.iter().filter_map(pick).collect();
        values.sort_by(f64::total_cmp);
        let mid = values.len() / 2;
        match values.len() {
            0 => None,
            n if n % 2 == 1 => Some(values[mid]),
            _ => Some((values[mid - 1] + values[mid]) / 2.0),
        }
    }

    /// The table of medians, ratios and latencies, with the notes that say how to read it.
    pub fn render(&self, workloads: &[Workload]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<15} {:<8} {:>15} {:>11} {:>11} {:>11} {:>9} {:>14}",
            "workload",
            "unit",
            "redis-benchmark",
            "ours",
            "redis-rs",
            "fred",
            "ours/r-b",
            "ours/best-peer"
        );
        for &w in workloads {
            let rate = |column| self.median(w, column, |s| Some(s.rate));
            let best_peer = PEERS.iter().filter_map(|&p| rate(p)).reduce(f64::max);
            let ours = rate("ours");
            let _ = write!(out, "{:<15} {:<8}", w.name(), w.unit());
            for column in ALL_CLIENTS {
                let _ = write!(
                    out,
                    " {:>width$}",
                    figure(rate(column)),
                    width = column.len().max(11)
                );
            }
            let _ = writeln!(
                out,
                " {:>9} {:>14}",
                ratio(ours, rate("redis-benchmark")),
                ratio(ours, best_peer)
            );
        }
        let _ = writeln!(
            out,
            "\nlatency per command, µs, p50 / p99 (medians of the runs' percentiles)"
        );
        let _ = writeln!(
            out,
            "{:<15} {:>17} {:>17} {:>17} {:>17}",
            "workload", "redis-benchmark", "ours", "redis-rs", "fred"
        );
        for &w in workloads.iter().filter(|w| w.has_latency()) {
            let _ = write!(out, "{:<15}", w.name());
            for column in ALL_CLIENTS {
                let p50 = self.median(w, column, |s| s.p50_us);
                let p99 = self.median(w, column, |s| s.p99_us);
                let cell = match (p50, p99) {
                    (Some(p50), Some(p99)) => format!("{p50:.0} / {p99:.0}"),
                    _ => "-".to_string(),
                };
                let _ = write!(out, " {cell:>17}");
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "\nnotes:");
        for &w in workloads {
            if let Some(line) = redis_benchmark::describe(w) {
                let _ = writeln!(out, "  {:<8} redis-benchmark column: {line}", w.name());
            }
        }
        let _ = writeln!(
            out,
            "  redis-benchmark runs SET then GET with the same -n: its rate is the combined one \
             (harmonic mean), its p50/p99 the worse of the two (it reports whole microseconds)\n  \
             seq, conc64: one op = one SET or GET of a 64-byte value; conc64 is 64 tasks on one client\n  \
             pipe100: SETs per second, sent as explicit pipelines of 100\n  \
             mget100: MB (10^6 bytes) of values received per second, MGET of 100 keys x 1 KiB, one task\n  \
             hash10: one pair = HSET of 10 fields + HGETALL of them into a HashMap<String, String> \
             (two round trips), as counted in issue 16's table\n  \
             cluster_*: the same steps on a six-node cluster (3 primaries + 3 replicas) through each \
             library's clustered client; keys without hash tags, so over all slots; a pipeline or \
             MGET spans slots on every primary (`-`: the client refused it, see the log)"
        );
        out
    }
}

fn row_of(workload: Workload) -> usize {
    Workload::ALL
        .iter()
        .position(|&w| w == workload)
        .unwrap_or(usize::MAX)
}

fn column_of(column: &str) -> usize {
    ALL_CLIENTS
        .iter()
        .position(|&c| c == column)
        .unwrap_or(usize::MAX)
}

/// A figure with thousands separators, or `-`.
pub fn figure(value: Option<f64>) -> String {
    let Some(value) = value else {
        return "-".to_string();
    };
    let digits = format!("{:.0}", value.max(0.0));
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

fn ratio(ours: Option<f64>, other: Option<f64>) -> String {
    match (ours, other) {
        (Some(ours), Some(other)) if other > 0.0 => format!("{:.2}x", ours / other),
        _ => "-".to_string(),
    }
}

/// The memory figures, with their targets from issue 16.
pub fn render_memory(in_flight: Option<&InFlight>, big: Option<&BigReply>) -> String {
    let mut out = String::from("memory (ours):\n");
    if let Some(m) = in_flight {
        let _ = writeln!(
            out,
            "  {} GETs in flight: {:.0} bytes per command at the peak, beyond its {}-byte payload \
             ({:.2} MB for all; target < 2 MB)\n    \
             - creating the futures: {:.0} bytes each, of which the future itself is {} bytes \
             (the rest: its Cmd's buffer and the harness's FuturesUnordered node)\n    \
             - queued inside the client from the first poll on: {:.0} bytes each",
            m.count,
            m.per_command,
            m.payload,
            m.per_command * m.count as f64 / 1e6,
            m.created_per_command,
            m.future_size,
            m.client_per_command,
        );
        for (peer, per_command) in &m.peers {
            let _ = writeln!(
                out,
                "  {peer}, measured alike: {per_command:.0} bytes per command at the peak \
                 ({:.2} MB for all)",
                per_command * m.count as f64 / 1e6
            );
        }
    }
    if let Some(b) = big {
        let _ = writeln!(
            out,
            "  GET of a {} MiB bulk: peak heap {:.2}x the value's size, {:.2}x held once returned \
             (target: one copy, never 2x)",
            b.size / (1024 * 1024),
            b.peak_ratio,
            b.held_ratio,
        );
    }
    out
}
