//! `redis_om::EventStream` and `redis_om::Worker` on real servers: typed
//! round trips, 10,000 entries through two groups of two workers each
//! (every entry handled, acked exactly once, nothing pending), dead letters
//! after repeated failures and for undecodable entries, a crashed worker's
//! entries claimed by another, a graceful shutdown under load that leaves
//! nothing pending, and a worker that survives killed connections and a
//! server restart.

#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Client, Cmd, ErrorKind, Executor, Redis};
use redis_om::{Delivery, EventStream, Processed, Worker, WorkerHandle};
use redis_tests::{Ctx, Setup, TempServer, Version, each_redis8, each_setup};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Job {
    n: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    city: String,
    zip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Kind {
    Placed,
    Refunded { cents: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    code: String,
    amount: f64,
    count: u32,
    kind: Kind,
    address: Address,
    lines: Vec<String>,
    note: Option<String>,
}

/// How many times each job number was handled.
type Seen = Arc<Mutex<HashMap<u64, u32>>>;

fn seen() -> Seen {
    Arc::new(Mutex::new(HashMap::new()))
}

fn record(seen: &Seen, n: u64) {
    *seen.lock().unwrap().entry(n).or_default() += 1;
}

fn distinct(seen: &Seen) -> usize {
    seen.lock().unwrap().len()
}

/// Polls `check` until it holds, failing the test after `seconds`.
async fn eventually<F, Fut>(what: &str, seconds: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let until = Instant::now() + Duration::from_secs(seconds);
    while !check().await {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn add_jobs<X: Executor>(stream: &EventStream<Job, X>, range: std::ops::Range<u64>) {
    let jobs: Vec<Job> = range.map(|n| Job { n }).collect();
    for chunk in jobs.chunks(1000) {
        stream.add_many(chunk).await.unwrap();
    }
}

async fn pending(client: &impl Executor, key: &str, group: &str) -> u64 {
    client.xpending(key, group).await.unwrap().count
}

/// A worker whose handler records each job it gets.
async fn recording_worker(
    stream: EventStream<Job, Redis>,
    group: &str,
    consumer: &str,
    seen: Seen,
    configure: impl FnOnce(Worker<Job>) -> Worker<Job>,
) -> WorkerHandle {
    configure(Worker::new(stream, group, consumer))
        .run(move |d: Delivery<Job>| {
            let seen = seen.clone();
            async move {
                record(&seen, d.value().n);
                Ok::<(), String>(())
            }
        })
        .await
        .unwrap()
}

each_setup!(typed_entries_round_trip, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("orders");
    let orders = EventStream::<Order, _>::new(client.clone(), key.as_str());
    let first = Order {
        code: "123".into(),
        amount: 12.5,
        count: 3,
        kind: Kind::Placed,
        address: Address {
            city: "Paris".into(),
            zip: None,
        },
        lines: vec!["sku-1".into(), "sku-2".into()],
        note: None,
    };
    let second = Order {
        code: "007".into(),
        kind: Kind::Refunded { cents: -250 },
        note: Some("42".into()),
        ..first.clone()
    };
    let id = orders.add(&first).await.unwrap();
    let ids = orders.add_many([&second, &first]).await.unwrap();
    assert_eq!(ids.len(), 2);
    assert!(id < ids[0] && ids[0] < ids[1]);

    // What other clients see: scalars as text, nested values as JSON,
    // None left out.
    let raw: Vec<StreamEntry<Vec<(String, String)>>> = client
        .xrange(key.as_str(), StreamBound::Min, StreamBound::Max)
        .await
        .unwrap();
    let fields = &raw[0].fields;
    assert!(
        fields.contains(&("code".into(), "123".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("kind".into(), "Placed".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("address".into(), r#"{"city":"Paris","zip":null}"#.into())),
        "{fields:?}"
    );
    assert!(!fields.iter().any(|(name, _)| name == "note"), "{fields:?}");

    let all = orders
        .range(StreamBound::Min, StreamBound::Max)
        .await
        .unwrap();
    let values: Vec<&Order> = all.iter().map(|e| &e.value).collect();
    assert_eq!(values, [&first, &second, &first]);
    assert_eq!(
        all[1].value.code, "007",
        "a String of digits stays a string"
    );
    assert_eq!(all[1].value.note.as_deref(), Some("42"));
    let newest = orders
        .rev_range_count(StreamBound::Max, StreamBound::Min, 1)
        .await
        .unwrap();
    assert_eq!(newest[0].id, ids[1]);
    let after_first = orders.read(id, 10, None).await.unwrap();
    assert_eq!(after_first.len(), 2);
    assert_eq!(after_first[0].value, second);
    let page = orders
        .range_count(StreamBound::Exclusive(id), StreamBound::Max, 1)
        .await
        .unwrap();
    assert_eq!(page[0].id, ids[0]);

    // An entry another client wrote that is not an Order: an error naming
    // the entry, never skipped.
    let bad: StreamId = client
        .xadd(key.as_str(), [("code", "x"), ("count", "three")])
        .await
        .unwrap();
    let error = orders
        .range(StreamBound::Min, StreamBound::Max)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains(&bad.to_string()), "{error}");
    assert!(error.to_string().contains("count"), "{error}");
    let error = orders.read(ids[1], 10, None).await.unwrap_err();
    assert!(error.to_string().contains(&bad.to_string()), "{error}");

    // Exact trimming on every add.
    let trimmed = EventStream::<Order, _>::new(client.clone(), ctx.key("trimmed"))
        .trim(StreamTrim::max_len(5).exact());
    for _ in 0..20 {
        trimmed.add(&first).await.unwrap();
    }
    assert_eq!(trimmed.len().await.unwrap(), 5);
});

each_redis8!(
    ten_thousand_entries_through_two_groups_are_each_acked_once,
    |ctx: Ctx| async move {
        const N: u64 = 10_000;
        let client = ctx.client().await;
        let key = ctx.key("jobs");
        let stream = EventStream::<Job, _>::new(client.clone(), key.as_str());
        add_jobs(&stream, 0..N).await;
        let groups = ["billing", "audit"];
        let mut workers = Vec::new();
        let mut seen_by_group = Vec::new();
        for group in groups {
            let seen = seen();
            for consumer in ["a", "b"] {
                let worker = recording_worker(stream.clone(), group, consumer, seen.clone(), |w| {
                    w.concurrency(16).block(Duration::from_millis(200))
                })
                .await;
                workers.push((group, worker));
            }
            seen_by_group.push(seen);
        }
        eventually("every entry handled in both groups", 50, || {
            let done = seen_by_group.iter().all(|s| distinct(s) == N as usize);
            async move { done }
        })
        .await;
        eventually("nothing pending", 10, || {
            let (client, key) = (client.clone(), key.clone());
            async move {
                pending(&client, &key, "billing").await == 0
                    && pending(&client, &key, "audit").await == 0
            }
        })
        .await;
        let mut acked: HashMap<&str, u64> = HashMap::new();
        for (group, worker) in workers {
            let stats = worker.shutdown(Duration::from_secs(5)).await.unwrap();
            assert!(
                stats.delivered > 0,
                "{group}: a worker that never got an entry"
            );
            *acked.entry(group).or_default() += stats.acked;
            assert_eq!(stats.dead_lettered, 0);
        }
        for group in groups {
            assert_eq!(acked[group], N, "{group}: every entry acked exactly once");
        }
        for seen in &seen_by_group {
            let seen = seen.lock().unwrap();
            assert!((0..N).all(|n| seen.contains_key(&n)));
        }
    }
);

each_redis8!(
    failing_entries_and_undecodable_ones_go_to_the_dead_letter_stream,
    |ctx: Ctx| async move {
        const N: u64 = 50;
        let client = ctx.client().await;
        let key = ctx.key("jobs");
        let dead = ctx.key("jobs:dead");
        let stream = EventStream::<Job, _>::new(client.clone(), key.as_str());
        add_jobs(&stream, 0..N).await;
        let garbage: StreamId = client.xadd(key.as_str(), [("n", "seven")]).await.unwrap();
        let calls = seen();
        let handler_calls = calls.clone();
        let worker = Worker::new(stream.clone(), "g", "c")
            .concurrency(4)
            .max_deliveries(3)
            .retry_backoff(Duration::from_millis(10))
            .block(Duration::from_millis(100))
            .dead_letter(dead.as_str())
            .run(move |d: Delivery<Job>| {
                let calls = handler_calls.clone();
                async move {
                    let n = d.value().n;
                    record(&calls, n);
                    if n == 7 {
                        return Err(format!("boom on {n} (delivery {})", d.deliveries()));
                    }
                    Ok(())
                }
            })
            .await
            .unwrap();
        eventually("two dead letters", 20, || {
            let stats = worker.stats();
            async move { stats.dead_lettered == 2 && stats.acked == N + 1 }
        })
        .await;
        let stats = worker.shutdown(Duration::from_secs(5)).await.unwrap();
        assert_eq!(stats.retried, 2, "{stats:?}");
        assert_eq!(calls.lock().unwrap()[&7], 3, "delivered 3 times, then dead");
        assert_eq!(pending(&client, &key, "g").await, 0);

        let letters: Vec<StreamEntry<HashMap<String, String>>> = client
            .xrange(dead.as_str(), StreamBound::Min, StreamBound::Max)
            .await
            .unwrap();
        assert_eq!(letters.len(), 2);
        let failed = &letters
            .iter()
            .find(|l| l.fields["n"] == "7")
            .unwrap()
            .fields;
        assert_eq!(failed["_error"], "boom on 7 (delivery 3)");
        assert_eq!(failed["_deliveries"], "3");
        assert_eq!(failed["_group"], "g");
        let undecodable = &letters
            .iter()
            .find(|l| l.fields["n"] == "seven")
            .unwrap()
            .fields;
        assert_eq!(undecodable["_id"], garbage.to_string());
        assert_eq!(
            undecodable["_deliveries"], "1",
            "no retry for bytes that cannot decode"
        );
        assert!(
            undecodable["_error"].contains(&garbage.to_string()),
            "{undecodable:?}"
        );
    }
);

each_redis8!(
    a_crashed_workers_pending_entries_are_claimed_by_another,
    |ctx: Ctx| async move {
        const N: u64 = 300;
        let client = ctx.client().await;
        let key = ctx.key("jobs");
        let stream = EventStream::<Job, _>::new(client.clone(), key.as_str());
        add_jobs(&stream, 0..N).await;
        // The first worker takes 16 entries and hangs on them.
        let started = seen();
        let hung = started.clone();
        let crashed = Worker::new(stream.clone(), "g", "crashed")
            .concurrency(16)
            .run(move |d: Delivery<Job>| {
                let hung = hung.clone();
                async move {
                    record(&hung, d.value().n);
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok::<(), String>(())
                }
            })
            .await
            .unwrap();
        eventually("16 entries in the hung handlers", 10, || {
            let n = distinct(&started);
            async move { n == 16 }
        })
        .await;
        crashed.abort();
        let stranded: HashSet<u64> = started.lock().unwrap().keys().copied().collect();
        assert_eq!(pending(&client, &key, "g").await, 16);

        let seen = seen();
        let rescuer = recording_worker(stream.clone(), "g", "rescuer", seen.clone(), |w| {
            w.concurrency(8)
                .claim_after(Duration::from_millis(300))
                .claim_every(Duration::from_millis(100))
                .block(Duration::from_millis(100))
        })
        .await;
        eventually("every entry handled by the rescuer", 20, || {
            let n = distinct(&seen);
            async move { n == N as usize }
        })
        .await;
        eventually("nothing pending", 10, || {
            let (client, key) = (client.clone(), key.clone());
            async move { pending(&client, &key, "g").await == 0 }
        })
        .await;
        let stats = rescuer.shutdown(Duration::from_secs(5)).await.unwrap();
        assert_eq!(stats.acked, N);
        assert_eq!(stats.claimed, 16, "{stats:?}");
        let seen = seen.lock().unwrap();
        assert!(stranded.iter().all(|n| seen.contains_key(n)));
    }
);

each_redis8!(
    a_restarted_consumer_handles_its_own_pending_entries_first,
    |ctx: Ctx| async move {
        const N: u64 = 100;
        let client = ctx.client().await;
        let key = ctx.key("jobs");
        let stream = EventStream::<Job, _>::new(client.clone(), key.as_str());
        add_jobs(&stream, 0..N).await;
        let started = seen();
        let hung = started.clone();
        let first_run = Worker::new(stream.clone(), "g", "c")
            .concurrency(4)
            .run(move |d: Delivery<Job>| {
                let hung = hung.clone();
                async move {
                    record(&hung, d.value().n);
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok::<(), String>(())
                }
            })
            .await
            .unwrap();
        eventually("4 entries in the hung handlers", 10, || {
            let n = distinct(&started);
            async move { n == 4 }
        })
        .await;
        first_run.abort();
        let stranded: HashSet<u64> = started.lock().unwrap().keys().copied().collect();

        // Same consumer name, claims far off: only the pending-first read
        // can find the stranded entries.
        let order = Arc::new(Mutex::new(Vec::new()));
        let handled = order.clone();
        let second_run = Worker::new(stream.clone(), "g", "c")
            .concurrency(1)
            .claim_after(Duration::from_secs(3600))
            .run(move |d: Delivery<Job>| {
                let handled = handled.clone();
                async move {
                    handled.lock().unwrap().push((d.value().n, d.deliveries()));
                    Ok::<(), String>(())
                }
            })
            .await
            .unwrap();
        eventually("every entry handled", 20, || {
            let n = order.lock().unwrap().len();
            async move { n == N as usize }
        })
        .await;
        let stats = second_run.shutdown(Duration::from_secs(5)).await.unwrap();
        assert_eq!(stats.acked, N);
        assert_eq!(stats.claimed, 4);
        assert_eq!(pending(&client, &key, "g").await, 0);
        let order = order.lock().unwrap();
        let first_four: HashSet<u64> = order[..4].iter().map(|(n, _)| *n).collect();
        assert_eq!(first_four, stranded, "the pending entries came first");
        assert!(
            order[..4].iter().all(|(_, deliveries)| *deliveries == 2),
            "the server's delivery counts: {order:?}"
        );
        assert!(order[4..].iter().all(|(_, deliveries)| *deliveries == 1));
    }
);

each_redis8!(
    a_panicking_handler_does_not_stop_the_worker,
    |ctx: Ctx| async move {
        const N: u64 = 20;
        let client = ctx.client().await;
        let key = ctx.key("jobs");
        let stream = EventStream::<Job, _>::new(client.clone(), key.as_str());
        add_jobs(&stream, 0..N).await;
        let seen = seen();
        let handler_seen = seen.clone();
        let worker = Worker::new(stream.clone(), "g", "c")
            .concurrency(4)
            .block(Duration::from_millis(100))
            .claim_after(Duration::from_millis(300))
            .claim_every(Duration::from_millis(100))
            .run(move |d: Delivery<Job>| {
                let seen = handler_seen.clone();
                async move {
                    let n = d.value().n;
                    if n == 5 && d.deliveries() == 1 {
                        panic!("a handler bug on its first delivery");
                    }
                    record(&seen, n);
                    Ok::<(), String>(())
                }
            })
            .await
            .unwrap();
        eventually("every entry handled, the panicked one again", 20, || {
            let n = distinct(&seen);
            async move { n == N as usize }
        })
        .await;
        eventually("nothing pending", 10, || {
            let (client, key) = (client.clone(), key.clone());
            async move { pending(&client, &key, "g").await == 0 }
        })
        .await;
        let stats = worker.shutdown(Duration::from_secs(5)).await.unwrap();
        assert_eq!(stats.acked, N);
        assert!(stats.errors >= 1, "{stats:?}");
        assert_eq!(stats.claimed, 1, "{stats:?}");
    }
);

each_redis8!(
    idle_consumers_are_removed_and_the_group_reports_its_backlog,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("jobs");
        let stream = EventStream::<Job, _>::new(client.clone(), key.as_str());
        add_jobs(&stream, 0..10).await;
        client
            .xgroup_create(key.as_str(), "g", GroupStart::After(StreamId::ZERO))
            .await
            .unwrap();
        // A consumer of a past deployment, with nothing pending.
        assert!(
            client
                .xgroup_createconsumer(key.as_str(), "g", "ghost")
                .await
                .unwrap()
        );
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let handler_gate = gate.clone();
        let worker = Worker::new(stream.clone(), "g", "c")
            .concurrency(2)
            .block(Duration::from_millis(100))
            .claim_every(Duration::from_millis(50))
            .remove_idle_consumers(Duration::from_millis(300))
            .run(move |_: Delivery<Job>| {
                let gate = handler_gate.clone();
                async move {
                    gate.acquire().await.map_err(|e| e.to_string())?.forget();
                    Ok::<(), String>(())
                }
            })
            .await
            .unwrap();
        // Two handlers hold an entry each; eight wait in Redis.
        eventually("2 pending, 8 to deliver", 10, || {
            let group = worker.group();
            async move {
                let group = group.await.unwrap().unwrap();
                group.pending == 2 && group.lag == Some(8)
            }
        })
        .await;
        gate.add_permits(10);
        eventually("all delivered and acked", 10, || {
            let group = worker.group();
            async move {
                let group = group.await.unwrap().unwrap();
                group.pending == 0 && group.lag == Some(0)
            }
        })
        .await;
        eventually("the ghost removed", 10, || {
            let (client, key) = (client.clone(), key.clone());
            async move {
                let consumers = client.xinfo_consumers(key.as_str(), "g").await.unwrap();
                consumers.iter().all(|c| c.name != "ghost")
            }
        })
        .await;
        let consumers = client.xinfo_consumers(key.as_str(), "g").await.unwrap();
        assert_eq!(consumers.len(), 1);
        assert_eq!(consumers[0].name, "c", "the worker never removes itself");
        let stats = worker.shutdown(Duration::from_secs(5)).await.unwrap();
        assert_eq!(stats.acked, 10);

        // The stream deleted under a running worker: it creates its group
        // again and goes on with what is added next.
        let seen = seen();
        let again = recording_worker(stream.clone(), "g", "c", seen.clone(), |w| {
            w.block(Duration::from_millis(100))
        })
        .await;
        client.del(key.as_str()).await.unwrap();
        eventually("the group created again", 10, || {
            let group = again.group();
            async move { group.await.unwrap().is_some() }
        })
        .await;
        add_jobs(&stream, 100..103).await;
        eventually("the new entries handled", 10, || {
            let n = distinct(&seen);
            async move { n == 3 }
        })
        .await;
        let stats = again.shutdown(Duration::from_secs(5)).await.unwrap();
        assert_eq!(stats.acked, 3);
    }
);

each_redis8!(shutdown_under_load_loses_nothing, |ctx: Ctx| async move {
    const N: u64 = 2_000;
    let client = ctx.client().await;
    let key = ctx.key("jobs");
    let stream = EventStream::<Job, _>::new(client.clone(), key.as_str());
    add_jobs(&stream, 0..N).await;
    let seen = seen();
    // Handlers running now, and the most seen at once.
    let running = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
    let slow = |seen: Seen| {
        let running = running.clone();
        move |d: Delivery<Job>| {
            let (seen, running) = (seen.clone(), running.clone());
            async move {
                let now = running.0.fetch_add(1, Ordering::SeqCst) + 1;
                running.1.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
                record(&seen, d.value().n);
                running.0.fetch_sub(1, Ordering::SeqCst);
                Ok::<(), String>(())
            }
        }
    };
    let worker = Worker::new(stream.clone(), "g", "c")
        .concurrency(16)
        .block(Duration::from_millis(500))
        .run(slow(seen.clone()))
        .await
        .unwrap();
    eventually("a few hundred handled", 20, || {
        let n = distinct(&seen);
        async move { n >= 300 }
    })
    .await;
    let stats = worker.shutdown(Duration::from_secs(10)).await.unwrap();
    let handled = distinct(&seen) as u64;
    assert!(handled < N, "the shutdown came too late to test anything");
    assert_eq!(stats.acked, handled, "every handled entry acked");
    assert_eq!(
        pending(&client, &key, "g").await,
        0,
        "nothing left pending after a graceful shutdown"
    );

    // The next run goes on where this one stopped.
    let worker = Worker::new(stream.clone(), "g", "c")
        .concurrency(16)
        .run(slow(seen.clone()))
        .await
        .unwrap();
    eventually("the rest handled", 30, || {
        let n = distinct(&seen);
        async move { n == N as usize }
    })
    .await;
    let second = worker.shutdown(Duration::from_secs(10)).await.unwrap();
    let most = running.1.load(Ordering::SeqCst);
    assert!(most <= 16, "{most} handlers at once with concurrency 16");
    assert!(most > 1, "the handlers never ran concurrently");
    assert_eq!(stats.acked + second.acked, N);
    assert!(seen.lock().unwrap().values().all(|&times| times == 1));
    assert_eq!(pending(&client, &key, "g").await, 0);
});

/// Every normal client but the caller's: the worker's blocking connection
/// and the shared one.
async fn kill_clients(admin: &impl Executor) -> i64 {
    Cmd::new("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("normal")
        .arg("SKIPME")
        .arg("yes")
        .query(admin)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_survives_killed_connections() {
    const N: u64 = 3_000;
    let server = TempServer::start(Version::Redis8);
    let client = Client::connect(server.url()).await.unwrap();
    let admin = Client::connect(server.url()).await.unwrap();
    let stream = EventStream::<Job, _>::new(client.clone(), "jobs");
    add_jobs(&stream, 0..N).await;
    let seen = seen();
    let handler_seen = seen.clone();
    let worker = Worker::new(stream.clone(), "g", "c")
        .concurrency(8)
        .block(Duration::from_millis(300))
        .claim_after(Duration::from_secs(1))
        .claim_every(Duration::from_millis(500))
        .run(move |d: Delivery<Job>| {
            let seen = handler_seen.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                record(&seen, d.value().n);
                Ok::<(), String>(())
            }
        })
        .await
        .unwrap();
    for at in [300, 1_000, 2_000] {
        eventually("progress", 30, || {
            let n = distinct(&seen);
            async move { n >= at }
        })
        .await;
        assert!(kill_clients(&admin).await >= 1);
    }
    eventually("every entry handled", 30, || {
        let n = distinct(&seen);
        async move { n == N as usize }
    })
    .await;
    // Killed while blocked on a quiet stream: it reads again, and gets
    // what comes next.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(kill_clients(&admin).await >= 1);
    // Through the admin connection: the kill also took the client's shared
    // connection, and a write in flight on it is not retried.
    let producer = EventStream::<Job, _>::new(admin.clone(), "jobs");
    add_jobs(&producer, N..N + 100).await;
    eventually("the entries added after the kill", 30, || {
        let n = distinct(&seen);
        async move { n == N as usize + 100 }
    })
    .await;
    eventually("nothing pending", 10, || {
        let client = client.clone();
        async move { pending(&client, "jobs", "g").await == 0 }
    })
    .await;
    let stats = worker.shutdown(Duration::from_secs(5)).await.unwrap();
    assert!(stats.errors >= 1, "the kills went unnoticed: {stats:?}");
    assert_eq!(stats.dead_lettered, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_survives_a_server_restart() {
    const N: u64 = 3_000;
    let mut server = TempServer::start_with(
        Version::Redis8,
        &["--appendonly", "yes", "--appendfsync", "always"],
    );
    let client = Client::connect(server.url()).await.unwrap();
    let stream = EventStream::<Job, _>::new(client.clone(), "jobs");
    add_jobs(&stream, 0..N).await;
    let seen = seen();
    let handler_seen = seen.clone();
    let worker = Worker::new(stream.clone(), "g", "c")
        .concurrency(8)
        .block(Duration::from_millis(300))
        .claim_after(Duration::from_secs(1))
        .claim_every(Duration::from_millis(500))
        .run(move |d: Delivery<Job>| {
            let seen = handler_seen.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                record(&seen, d.value().n);
                Ok::<(), String>(())
            }
        })
        .await
        .unwrap();
    eventually("progress", 30, || {
        let n = distinct(&seen);
        async move { n >= 500 }
    })
    .await;
    server.restart();
    eventually("every entry handled", 60, || {
        let n = distinct(&seen);
        async move { n == N as usize }
    })
    .await;
    eventually("nothing pending", 20, || {
        let client = client.clone();
        async move {
            client
                .xpending("jobs", "g")
                .await
                .is_ok_and(|p| p.count == 0)
        }
    })
    .await;
    assert_eq!(stream.len().await.unwrap(), N, "no entry lost");
    let stats = worker.shutdown(Duration::from_secs(5)).await.unwrap();
    assert!(stats.errors >= 1, "the restart went unnoticed: {stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processed_ids_are_first_once_until_forgotten() {
    let ctx = Ctx::new("processed_ids", Setup::REDIS8_RESP3).await;
    let client = ctx.client().await;
    let done = Processed::new(client, ctx.key("done"), Duration::from_secs(60));
    let id = StreamId::new(5, 1);
    assert!(!done.contains(id).await.unwrap());
    assert!(done.first_time(id).await.unwrap());
    assert!(!done.first_time(id).await.unwrap());
    assert!(done.contains(id).await.unwrap());
    done.forget(id).await.unwrap();
    assert!(done.first_time(id).await.unwrap());
}
