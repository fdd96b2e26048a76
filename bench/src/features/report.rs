//! The feature table: one line per row and column, then the ratios with their targets.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Feature;
use crate::report::figure;
use crate::workload::Sample;

/// Every sample, by row and column.
#[derive(Default)]
pub struct FeatureTable {
    samples: BTreeMap<(&'static str, &'static str), Vec<Sample>>,
    /// The rows that ran, in table order.
    pub workloads: Vec<Feature>,
    /// What the Python driver reported about itself, if it ran.
    pub python_versions: Option<String>,
    notes: Vec<String>,
}

impl FeatureTable {
    /// Records one run.
    pub fn add(&mut self, workload: Feature, column: &str, sample: Sample) {
        if let Some(&column) = workload.columns().iter().find(|&&c| c == column) {
            self.samples
                .entry((workload.name(), column))
                .or_default()
                .push(sample);
        }
    }

    /// A line printed under the table.
    pub fn note(&mut self, note: &str) {
        eprintln!("[bench] {note}");
        self.notes.push(note.to_owned());
    }

    fn samples(&self, workload: Feature, column: &str) -> &[Sample] {
        self.samples
            .iter()
            .find(|((w, c), _)| *w == workload.name() && *c == column)
            .map_or(&[], |(_, samples)| samples.as_slice())
    }

    /// The median of the runs' ratios of `a` over the best of `others` in the same run.
    fn ratio(&self, workload: Feature, a: &str, others: &[&str]) -> Option<f64> {
        let a = self.samples(workload, a);
        let ratios = (0..a.len())
            .filter_map(|run| {
                let best = others
                    .iter()
                    .filter_map(|o| self.samples(workload, o).get(run).map(|s| s.rate))
                    .reduce(f64::max)?;
                if best > 0.0 {
                    Some(a[run].rate / best)
                } else {
                    None
                }
            })
            .collect();
        median(ratios)
    }

    /// The table, with what each column sends.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<16} {:<10} {:<9} {:>11} {:>9} {:>9}",
            "workload", "unit", "column", "rate", "p50 µs", "p99 µs"
        );
        for &w in &self.workloads {
            for &column in w.columns() {
                let samples = self.samples(w, column);
                if samples.is_empty() {
                    continue;
                }
                let pick = |f: fn(&Sample) -> Option<f64>| {
                    median(samples.iter().filter_map(f).collect())
                        .map_or("-".to_string(), |v| format!("{v:.2}"))
                };
                let _ = writeln!(
                    out,
                    "{:<16} {:<10} {:<9} {:>11} {:>9} {:>9}",
                    w.name(),
                    w.unit(),
                    column,
                    figure(median(samples.iter().map(|s| s.rate).collect())),
                    pick(|s| s.p50_us),
                    pick(|s| s.p99_us),
                );
            }
        }
        let _ = writeln!(
            out,
            "\nratios (medians of each run's ratio; against several columns, the better one of \
             that run)"
        );
        for &w in &self.workloads {
            let first = w.columns()[0];
            for (others, target) in w.ratios() {
                let shown = match self.ratio(w, first, others) {
                    Some(r) => format!("{r:.2}x"),
                    None => "-".to_string(),
                };
                let _ = writeln!(
                    out,
                    "  {:<16} {first}/{:<22} {shown:>9}   target {target}",
                    w.name(),
                    others.join("|"),
                );
            }
        }
        let _ = writeln!(out, "\nnotes:");
        let _ = writeln!(
            out,
            "  cached_get_seq: one task, GET of 1,000 hot keys (64-byte values) in turn, every \
             value checked; cached: redis-core with Config::with_client_cache(CacheConfig::new()), \
             uncached: the same client without it; p50/p99 per GET\n  \
             cached_conc64: 64 tasks over 100,000 keys, 90% GET through the measured client \
             (cached: CacheConfig::new().with_max_entries(100_000)), 10% SET of a new version from \
             a second, uncached client; every key read once through the cache before the first run, \
             unmeasured; a GET must read the version written last or the one \
             before (the invalidation travels on the reader's connection), never older; ops \
             count both\n  \
             pubsub: one redis-core publisher (pipelines of 1,000 PUBLISH, 64-byte payloads with a \
             sequence number, at most 20,000 ahead of the subscriber) to one subscriber of \
             redis-core (Client::pubsub), redis-rs (get_async_pubsub) or fred (message_rx, its \
             broadcast capacity raised to 200,000); every message counted and checked in order, \
             each PUBLISH must reach 1 subscriber (PUBSUB NUMSUB is 1 before the first); the \
             rate is messages over the time to the last\n  \
             pubsub_backlog: the same subscriber and checks on a current-thread runtime of its \
             own thread, parked while 100,000 messages are published (pipelines of 1,000), then \
             draining them; rounds until the run's duration; the rate is messages over the \
             drain times alone\n  \
             cluster_pubsub: one shard channel per primary of the --cluster; one redis-core \
             ClusterClient publisher (pipelines of 1,000 SPUBLISH taking the channels in turn, \
             at most 20,000 ahead) to one subscriber of redis-core (ClusterClient::pubsub + \
             ssubscribe), redis-rs (cluster connection with a push sender, RESP3) or fred \
             (clustered, ssubscribe + message_rx); every message checked in order on its \
             channel, each SPUBLISH must reach 1 subscriber\n  \
             tls_seq, tls_conc64: the first table's seq and conc64 (64-byte values, every reply \
             checked) through redis-core to the test servers' Redis 7.0 over TLS (its TLS port, \
             the test CA, a client certificate) and over plain TCP (its plain port), one client \
             each; tls_seq also redis-benchmark --tls --cacert --cert --key -c 1 -P 1 -t set,get \
             -d 64 with the same certificates\n  \
             lock: uncontended try_acquire + release of one lock (TTL 30 s); redis-om: \
             Lock::try_acquire (one EVALSHA: INCR of a fencing counter, SET NX PX) + \
             LockGuard::release (EVALSHA of a token check and DEL); by-hand: SET key token NX PX \
             + EVALSHA of a GET-compare-DEL script; redis-py: Lock.acquire(blocking=False) + \
             release() (SET NX PX, then its Lua release)\n  \
             channel: 16 publisher tasks, one event at a time each, to one subscriber, at most \
             20,000 ahead; redis-om: Channel<Tick>::publish / subscribe (JSON text); by-hand: \
             serde_json::to_vec + PUBLISH, Client::pubsub + serde_json::from_slice; every \
             event compared with the one due from its publisher\n  \
             stream_worker1/16: 20,000 entries ({{n, name}}) added before the clock starts, one \
             consumer group; redis-om: Worker::new(EventStream<Job>, ..).concurrency(1|16) with \
             a no-op handler (XREADGROUP COUNT free-slots; XACKs sent behind the handlers, several ids each), clock stopped \
             when stats().acked reaches 20,000; by-hand: XREADGROUP COUNT 1|16 sent together \
             with the XACK of the previous batch, one round trip a batch, entries decoded and \
             checked in order; redis-py: XREADGROUP COUNT 1|16, then XACK of the batch; every \
             column ends with XPENDING 0"
        );
        if let Some(versions) = &self.python_versions {
            let _ = writeln!(out, "  Python side: {versions}");
        }
        for note in &self.notes {
            let _ = writeln!(out, "  {note}");
        }
        out
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[mid]),
        _ => Some((values[mid - 1] + values[mid]) / 2.0),
    }
}
