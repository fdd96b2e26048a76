//! `stream_worker1`, `stream_worker16`: a backlog of `BACKLOG` entries, added before the
//! clock starts (one `EventStream::add_many` pipeline per 1,000), consumed through one
//! consumer group: redis-om's `Worker` with a no-op handler at concurrency 1 or 16, against
//! XREADGROUP COUNT 1 or 16 with the previous batch's XACK in the same write (two commands
//! sent together on the multiplexed connection) by hand with redis-core, and redis-py
//! (XREADGROUP COUNT n, then XACK of the batch) in the Python driver. The clock stops when
//! the last entry is acknowledged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis_core::commands::{
    GroupReadFrom, GroupStart, StreamCommands, StreamId, XReadGroupOptions,
};
use redis_core::{Client, Cmd, Value};
use redis_om::{Delivery, EventStream, Worker};
use serde::{Deserialize, Serialize};

use crate::clients::Result;
use crate::workload::Sample;

/// Entries consumed per run.
pub const BACKLOG: u64 = 20_000;
/// The Python column's stream.
pub const PY_KEY: &str = "bench:fst:py";
/// The group every column reads in.
const GROUP: &str = "bench";

/// An entry: a number and a name (fields `n` and `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Job {
    n: u64,
    name: String,
}

impl Job {
    fn new(n: u64) -> Job {
        Job {
            n,
            name: format!("job-{}", n % 100),
        }
    }
}

/// A fresh stream at `key` holding `BACKLOG` entries and the group at its start.
pub async fn prepare(client: &Client, key: &str) -> Result<()> {
    let _: u64 = Cmd::new("DEL").arg(key).query(client).await?;
    let stream = EventStream::<Job>::new(client.clone(), key);
    for start in (0..BACKLOG).step_by(1000) {
        let jobs: Vec<Job> = (start..(start + 1000).min(BACKLOG)).map(Job::new).collect();
        let ids = stream.add_many(&jobs).await?;
        if ids.len() != jobs.len() {
            return Err(format!("{} ids for {} entries", ids.len(), jobs.len()).into());
        }
    }
    client
        .xgroup_create(key, GROUP, GroupStart::After(StreamId::ZERO))
        .await?;
    Ok(())
}

/// Fails unless every entry of `key` was acknowledged.
async fn check_acked(client: &Client, key: &str) -> Result<()> {
    let summary: Vec<Value> = Cmd::new("XPENDING")
        .arg(key)
        .arg(GROUP)
        .query(client)
        .await?;
    match summary.first() {
        Some(Value::Integer(0)) => Ok(()),
        other => Err(format!("{key}: XPENDING says {other:?} pending").into()),
    }
}

/// One run (no warm-up: the backlog is the run).
pub async fn measure(om: bool, concurrency: usize, client: &Client) -> Result<Sample> {
    let key = if om { "bench:fst:om" } else { "bench:fst:hand" };
    prepare(client, key).await?;
    let started = Instant::now();
    if om {
        let seen: Arc<Vec<AtomicBool>> =
            Arc::new((0..BACKLOG).map(|_| AtomicBool::new(false)).collect());
        let wrong = Arc::new(AtomicBool::new(false));
        let (seen_h, wrong_h) = (seen.clone(), wrong.clone());
        let handle = Worker::new(EventStream::<Job>::new(client.clone(), key), GROUP, "om")
            .concurrency(concurrency)
            .block(Duration::from_millis(50))
            .run(move |delivery: Delivery<Job>| {
                let job = delivery.value();
                let fresh = seen_h
                    .get(job.n as usize)
                    .is_some_and(|s| !s.swap(true, Ordering::Relaxed));
                if !fresh || *job != Job::new(job.n) {
                    wrong_h.store(true, Ordering::Relaxed);
                }
                async { Ok::<(), String>(()) }
            })
            .await?;
        while handle.stats().acked < BACKLOG {
            if handle.stats().errors > 0 || wrong.load(Ordering::Relaxed) {
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let elapsed = started.elapsed();
        let stats = handle.shutdown(Duration::from_secs(5)).await?;
        if wrong.load(Ordering::Relaxed) || seen.iter().any(|s| !s.load(Ordering::Relaxed)) {
            return Err("the handler saw an entry twice, a wrong one, or missed one".into());
        }
        if stats.acked != BACKLOG || stats.delivered != BACKLOG || stats.errors != 0 {
            return Err(format!("worker stats {stats:?} for {BACKLOG} entries").into());
        }
        check_acked(client, key).await?;
        return Ok(rate(elapsed));
    }
    let mut previous: Vec<StreamId> = Vec::new();
    let (mut next, mut acked) = (0u64, 0u64);
    let streams = [(key, GroupReadFrom::Undelivered)];
    loop {
        let ack = async {
            if previous.is_empty() {
                Ok(0)
            } else {
                client.xack(key, GROUP, &previous).await
            }
        };
        let read = client.xreadgroup_with::<Vec<(String, String)>>(
            GROUP,
            "hand",
            &streams,
            XReadGroupOptions::new().count(concurrency as u64),
        );
        let (done, read) = tokio::join!(ack, read);
        let done = done?;
        if done != previous.len() as u64 {
            return Err(format!("XACK of {} ids acknowledged {done}", previous.len()).into());
        }
        acked += done;
        previous.clear();
        if acked == BACKLOG {
            break;
        }
        let read = read?;
        let entries = read.into_iter().flat_map(|s| s.entries);
        for entry in entries {
            let field = |name: &str| {
                entry
                    .fields
                    .iter()
                    .find(|(f, _)| f == name)
                    .map(|(_, v)| v.as_str())
            };
            let job = Job {
                n: field("n").ok_or("an entry without n")?.parse()?,
                name: field("name").ok_or("an entry without name")?.to_owned(),
            };
            if job != Job::new(next) {
                return Err(format!("{job:?} where entry {next} was due").into());
            }
            next += 1;
            previous.push(entry.id);
        }
        if previous.is_empty() {
            return Err(format!("the stream ran dry after {acked} of {BACKLOG}").into());
        }
    }
    let elapsed = started.elapsed();
    check_acked(client, key).await?;
    Ok(rate(elapsed))
}

fn rate(elapsed: Duration) -> Sample {
    Sample {
        rate: BACKLOG as f64 / elapsed.as_secs_f64(),
        p50_us: None,
        p99_us: None,
    }
}
