//! A job queue through the faults: a producer adds entries to a stream
//! through the faulty client, a `redis_om::Worker` on the same client
//! handles them, and at the end every entry whose XADD was acknowledged
//! must have been handled, and none may be left pending in the group.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Executor, Redis};
use redis_om::{Delivery, EventStream, Worker, WorkerHandle};
use serde::{Deserialize, Serialize};

use crate::run::Run;

/// The stream and its consumer group.
pub const STREAM: &str = "soak:jobs";
const GROUP: &str = "soak-workers";

/// One job: its sequence number.
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
struct Job {
    seq: u64,
}

/// What the producer and the worker saw.
#[derive(Default)]
struct Jobs {
    /// Jobs whose XADD the server acknowledged.
    added: Mutex<BTreeSet<u64>>,
    /// Jobs a handler ran (at least once).
    handled: Mutex<BTreeSet<u64>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A run's job stream: what was added and handled, the worker, the producer.
pub struct JobStream {
    jobs: Arc<Jobs>,
    worker: WorkerHandle,
    producer: tokio::task::JoinHandle<()>,
}

impl JobStream {
    /// Starts the worker and the producer on `client`, until `run` stops.
    pub async fn start<X>(run: &Arc<Run>, client: &X) -> Result<JobStream, String>
    where
        X: Executor + Clone + Into<Redis> + 'static,
    {
        let jobs = Arc::new(Jobs::default());
        let worker = start_worker(client.clone(), jobs.clone()).await?;
        let producer = tokio::spawn(produce(run.clone(), client.clone(), jobs.clone()));
        Ok(JobStream {
            jobs,
            worker,
            producer,
        })
    }

    /// Waits for the producer, which stops with the run: one still adding
    /// after `budget` hung on a call.
    pub async fn stop_producing(&mut self, budget: Duration, run: &Run) {
        if tokio::time::timeout(budget, &mut self.producer)
            .await
            .is_err()
        {
            run.violation("the job producer did not stop: a call hung".into());
        }
    }

    /// [`drain`] of this stream.
    pub async fn drain(self, admin: &impl Executor, run: &Run) -> Drained {
        drain(&self.jobs, self.worker, admin, run).await
    }
}

/// Starts the worker: eight handlers, stranded entries claimed after two
/// seconds, so that what a broken connection left pending is handled again
/// soon.
async fn start_worker(client: impl Into<Redis>, jobs: Arc<Jobs>) -> Result<WorkerHandle, String> {
    let stream = EventStream::<Job, _>::new(client, STREAM);
    Worker::new(stream, GROUP, "soak-1")
        .concurrency(8)
        .claim_after(Duration::from_secs(2))
        .claim_every(Duration::from_secs(1))
        .block(Duration::from_millis(200))
        .run(move |delivery: Delivery<Job>| {
            let jobs = jobs.clone();
            async move {
                lock(&jobs.handled).insert(delivery.value().seq);
                Ok::<(), std::convert::Infallible>(())
            }
        })
        .await
        .map_err(|e| format!("starting the stream worker: {e}"))
}

/// Adds jobs until the run stops, a few hundred a second; only the
/// acknowledged ones are owed a handling.
async fn produce(run: Arc<Run>, client: impl Executor, jobs: Arc<Jobs>) {
    let stream = EventStream::<Job, _>::new(client, STREAM);
    let mut seq = 0;
    while !run.stopped() {
        seq += 1;
        match tokio::time::timeout(Duration::from_secs(5), stream.add(&Job { seq })).await {
            Ok(Ok(_)) => {
                lock(&jobs.added).insert(seq);
            }
            // What the faults explain: a broken or stalled connection, a
            // server still loading its data after a restart.
            Ok(Err(error))
                if error.is_connection_error()
                    || error.is_timeout()
                    || error.server_error().is_some() =>
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(Err(error)) => run.violation(format!("XADD of job {seq}: unexpected {error}")),
            Err(_) => run.violation(format!("XADD of job {seq} hung past 5 s")),
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// What the queue's check found.
#[derive(Debug, Default, Clone, Copy)]
pub struct Drained {
    pub added: usize,
    pub handled: usize,
    pub missing: usize,
    pub pending: u64,
    pub took: Duration,
}

/// After the faults: waits (up to 30 s) until every acknowledged job was
/// handled and nothing is pending, then stops the worker; a job never
/// handled, or one left pending, is a violation.
async fn drain(jobs: &Jobs, worker: WorkerHandle, admin: &impl Executor, run: &Run) -> Drained {
    let started = std::time::Instant::now();
    let mut drained = Drained::default();
    loop {
        let missing = {
            let added = lock(&jobs.added);
            let handled = lock(&jobs.handled);
            drained.added = added.len();
            drained.handled = handled.len();
            added.difference(&handled).count()
        };
        let pending = admin
            .xpending(STREAM, GROUP)
            .await
            .map(|summary| summary.count)
            .unwrap_or(u64::MAX);
        drained.missing = missing;
        drained.pending = pending;
        if (missing == 0 && pending == 0) || started.elapsed() > Duration::from_secs(30) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drained.took = started.elapsed();
    if let Err(error) = worker.shutdown(Duration::from_secs(10)).await {
        run.violation(format!("the stream worker did not shut down: {error}"));
    }
    if drained.missing > 0 {
        run.violation(format!(
            "{} acknowledged jobs of {} were never handled",
            drained.missing, drained.added
        ));
    }
    if drained.pending > 0 {
        run.violation(format!(
            "{} jobs left pending in the group",
            drained.pending
        ));
    }
    drained
}
