//! Resharding and failover loops under load, on a throw-away six-node
//! cluster of the test's own (three primaries, one replica each): slots
//! that hold data move between primaries as `redis-cli --cluster reshard`
//! moves them, and each shard's replica takes over in turn (`CLUSTER
//! FAILOVER`), while 16 tasks increment their own keys. No error may reach
//! them, no acknowledged increment may be lost, and every reply must reach
//! its own caller.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use redis_core::cluster::key_slot;
use redis_core::commands::{self, *};
use redis_core::{Addr, Client, ClusterClient, Cmd, Config, Pipeline, Value};
use redis_tests::TempServer;

mod cluster_common;
use cluster_common::{Primary, move_slot, throwaway_cluster};

const TASKS: usize = 16;
const KEYS_PER_TASK: usize = 4;
/// The hash tags whose slots move: every task has keys in four of them.
const TAGS: usize = 8;
/// Keys beside the tasks' in each moving slot, so that a move takes a
/// dozen MIGRATE batches, during which the tasks meet ASK.
const FILL: usize = 120;
const ROUNDS: usize = 3;

fn tag(g: usize) -> String {
    format!("{{loop{g}}}")
}

fn slot_of_tag(g: usize) -> u16 {
    key_slot(format!("loop{g}").as_bytes())
}

fn task_key(task: usize, i: usize) -> String {
    format!("{}:t{task}:k{i}", tag((task + i) % TAGS))
}

/// What a writing task saw: its acknowledged increments per key, and the
/// first error or out-of-step reply, after which it stopped.
struct Writer {
    acked: Vec<i64>,
    failure: Option<String>,
}

/// Increments the task's keys until `stop`, one at a time or two in a
/// pipeline, checking that each reply is one more than the last.
async fn write(cluster: ClusterClient, task: usize, stop: Arc<AtomicBool>) -> Writer {
    let mut acked = vec![0i64; KEYS_PER_TASK];
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let i = n % KEYS_PER_TASK;
        let j = (i + 1) % KEYS_PER_TASK;
        let (keys, result) = if n % 3 == 0 {
            let mut both: Pipeline<Vec<i64>> = Pipeline::default();
            both.push(commands::incr(task_key(task, i)));
            both.push(commands::incr(task_key(task, j)));
            (vec![i, j], both.query(&cluster).await)
        } else {
            (
                vec![i],
                cluster.incr(task_key(task, i)).await.map(|v| vec![v]),
            )
        };
        let replies = match result {
            Ok(replies) => replies,
            Err(error) => {
                return Writer {
                    acked,
                    failure: Some(format!("{}: {error}", task_key(task, i))),
                };
            }
        };
        for (k, reply) in keys.into_iter().zip(replies) {
            if reply != acked[k] + 1 {
                return Writer {
                    failure: Some(format!(
                        "{}: reply {reply} after {}: a reply out of step",
                        task_key(task, k),
                        acked[k]
                    )),
                    acked,
                };
            }
            acked[k] = reply;
        }
    }
    Writer {
        acked,
        failure: None,
    }
}

/// The slot owners as every node sees them: `(slot ranges, primary id)`
/// per shard, sorted.
type View = Vec<(Vec<(u16, u16)>, String)>;

/// Waits until every node is in state ok and names the same primaries for
/// the same slots, and returns those primaries with their slot ranges (a
/// failover or a slot move has reached every node, replicas included).
async fn settled(
    clients: &[Client],
    ports: &HashMap<String, u16>,
) -> Vec<(Vec<(u16, u16)>, Primary)> {
    let started = std::time::Instant::now();
    loop {
        let mut views: Vec<View> = Vec::new();
        let mut ok = true;
        for client in clients {
            ok &= client.cluster_info().await.unwrap().is_ok();
            let mut view: View = client
                .cluster_shards()
                .await
                .unwrap()
                .into_iter()
                .filter(|shard| !shard.slots.is_empty())
                .filter_map(|shard| {
                    let primary = shard
                        .nodes
                        .iter()
                        .find(|n| n.role == NodeRole::Master && n.health == NodeHealth::Online)?;
                    let mut slots = shard.slots.clone();
                    slots.sort_unstable();
                    Some((slots, primary.id.clone()))
                })
                .collect();
            view.sort_unstable();
            views.push(view);
        }
        let agreed = views.windows(2).all(|w| w[0] == w[1]);
        if ok && agreed && views[0].len() == 3 {
            let mut primaries = Vec::new();
            for (slots, id) in &views[0] {
                let addr = format!("127.0.0.1:{}", ports[id]);
                let client = Client::connect(format!("redis://{addr}")).await.unwrap();
                let id = id.clone();
                primaries.push((slots.clone(), Primary { addr, id, client }));
            }
            return primaries;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the nodes did not agree on the slots: {views:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn is_primary(client: &Client) -> bool {
    let role: Vec<Value> = Cmd::new("ROLE").query(client).await.unwrap();
    matches!(role.first(), Some(Value::BulkString(r)) if &r[..] == b"master")
}

/// `CLUSTER FAILOVER` on whichever of `pair` is the replica now, until it
/// is the primary.
async fn fail_over(pair: [&Client; 2]) {
    let replica = if is_primary(pair[0]).await {
        pair[1]
    } else {
        pair[0]
    };
    let started = std::time::Instant::now();
    Cmd::new("CLUSTER")
        .arg("FAILOVER")
        .query::<()>(replica)
        .await
        .unwrap();
    while !is_primary(replica).await {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "CLUSTER FAILOVER did not promote the replica"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resharding_and_failover_loops_lose_nothing() {
    // A node timeout long enough that two busy cores do not make the
    // cluster fail a node over on its own (which could lose writes that
    // were not replicated yet): only the test's failovers happen.
    let nodes: Vec<TempServer> = throwaway_cluster(&[0, 1, 2], Duration::from_secs(5)).await;
    let mut clients = Vec::new();
    let mut ports = HashMap::new();
    for node in &nodes {
        let client = Client::connect(node.url()).await.unwrap();
        let port: u16 = node.addr().rsplit_once(':').unwrap().1.parse().unwrap();
        ports.insert(client.cluster_myid().await.unwrap(), port);
        clients.push(client);
    }
    let settings = Config::new(Addr::Tcp {
        host: "127.0.0.1".into(),
        port: 1,
    })
    .with_connect_timeout(Duration::from_secs(2))
    .with_response_timeout(Some(Duration::from_secs(5)));
    let cluster = ClusterClient::connect_nodes(settings, nodes.iter().map(|n| n.addr()))
        .await
        .unwrap();
    let mut slots: Vec<u16> = (0..TAGS).map(slot_of_tag).collect();
    slots.sort_unstable();
    slots.dedup();
    assert_eq!(slots.len(), TAGS, "the moving slots are distinct");
    let mut fill: Pipeline<Vec<()>> = Pipeline::default();
    for g in 0..TAGS {
        for f in 0..FILL {
            fill.push(commands::set(format!("{}:fill:{f}", tag(g)), f));
        }
    }
    fill.query(&cluster).await.unwrap();

    let started = std::time::Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..TASKS)
        .map(|task| tokio::spawn(write(cluster.clone(), task, stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut moves = 0;
    for round in 0..ROUNDS {
        // Every moving slot to the next primary, one after another.
        let shards = settled(&clients, &ports).await;
        let primaries: Vec<Primary> = shards.iter().map(|(_, p)| p.clone()).collect();
        for g in 0..TAGS {
            let slot = slot_of_tag(g);
            let from = shards
                .iter()
                .position(|(ranges, _)| ranges.iter().any(|&(a, b)| (a..=b).contains(&slot)))
                .unwrap();
            let to = (from + 1 + g % 2) % primaries.len();
            move_slot(
                slot,
                &primaries[from],
                &primaries[to],
                &primaries,
                10,
                Duration::from_millis(5),
            )
            .await;
            moves += 1;
        }
        // Then shard `round`'s replica takes over.
        settled(&clients, &ports).await;
        fail_over([&clients[round], &clients[3 + round]]).await;
    }
    settled(&clients, &ports).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let ran = started.elapsed();

    let mut failures = Vec::new();
    let mut total = 0;
    for (task, writer) in writers.into_iter().enumerate() {
        let writer = writer.await.unwrap();
        failures.extend(writer.failure);
        for (i, &acked) in writer.acked.iter().enumerate() {
            let key = task_key(task, i);
            let stored: Option<i64> = cluster.get(&key).await.unwrap();
            assert_eq!(
                stored.unwrap_or(0),
                acked,
                "{key}: acknowledged increments lost"
            );
            total += acked;
        }
    }
    let stats = cluster.stats();
    eprintln!(
        "loops: {moves} slot moves and {ROUNDS} failovers in {ran:?}; {total} acknowledged \
         increments by {TASKS} tasks; {stats:?}"
    );
    assert!(
        failures.is_empty(),
        "errors reached the tasks: {failures:#?}"
    );
    assert!(stats.moved > 0, "no MOVED followed: {stats:?}");
    assert!(stats.ask > 0, "no ASK followed: {stats:?}");
    for g in 0..TAGS {
        let mut reads: Pipeline<Vec<Option<usize>>> = Pipeline::default();
        for f in 0..FILL {
            reads.push(commands::get(format!("{}:fill:{f}", tag(g))));
        }
        let read = reads.query(&cluster).await.unwrap();
        assert_eq!(read, (0..FILL).map(Some).collect::<Vec<_>>(), "{}", tag(g));
    }
}
