//! WATCH-and-retry transactions written once over `Watching`, run on one
//! server and on the shared cluster: concurrent writers conflict, every
//! conflict is retried, and no increment is lost; on the cluster, keys
//! outside the watched slot are refused before EXEC.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use redis_core::prelude::*;
use redis_core::{Addr, Client, ClusterClient, Redis, Watching};
use redis_tests::servers;

/// Written once: adds one to `{user}:count` and appends to `{user}:log`,
/// reading the count under WATCH and writing it back, so concurrent calls
/// conflict and are retried.
async fn add_one(redis: &impl Watching, user: &str) -> i64 {
    let (count, log) = (format!("{{{user}}}:count"), format!("{{{user}}}:log"));
    let ((), _len): ((), u64) = redis
        .transaction(&[&count], |conn| {
            let (count, log) = (count.clone(), log.clone());
            async move {
                let now: Option<i64> = conn.get(&count).await?;
                let next = now.unwrap_or(0) + 1;
                Ok(Transaction::new().set(&count, next).rpush(&log, next))
            }
        })
        .await
        .unwrap();
    redis.get::<i64>(&count).await.unwrap()
}

/// 8 tasks x 10 increments through `redis`: the count ends at 80 and the
/// log holds every value once.
async fn no_increment_lost<E: Watching + Clone + 'static>(redis: E, user: String) {
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (redis, user) = (redis.clone(), user.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                add_one(&redis, &user).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let count: i64 = redis.get(format!("{{{user}}}:count")).await.unwrap();
    assert_eq!(count, 80);
    let mut log: Vec<i64> = redis
        .lrange(format!("{{{user}}}:log"), 0, -1)
        .await
        .unwrap();
    log.sort_unstable();
    assert_eq!(log, (1..=80).collect::<Vec<_>>());
    let keys = ["count", "log"].map(|k| format!("{{{user}}}:{k}"));
    redis.del(&keys).await.unwrap();
}

fn user(topology: &str) -> String {
    format!("watch-test:{topology}:{:x}", fastrand::u64(..))
}

#[tokio::test]
async fn a_server_retries_conflicting_transactions() {
    let client = Client::connect(format!("redis://{}", servers().redis8()))
        .await
        .unwrap();
    no_increment_lost(client, user("server")).await;
}

#[tokio::test]
async fn a_cluster_retries_conflicting_transactions_in_one_slot() {
    let cluster = ClusterClient::connect_nodes(
        redis_core::Config::new(Addr::Tcp {
            host: "127.0.0.1".into(),
            port: 1,
        })
        .with_response_timeout(Some(Duration::from_secs(5))),
        servers().cluster(),
    )
    .await
    .unwrap();
    no_increment_lost(cluster.clone(), user("cluster")).await;
    // Through the one handle too.
    no_increment_lost(Redis::from(cluster.clone()), user("cluster-handle")).await;

    // A write outside the watched slot: refused before EXEC, nothing applied.
    let user = user("cross");
    let (watched, elsewhere) = (format!("{{{user}}}:count"), format!("{user}:other"));
    let error = cluster
        .transaction(&[&watched], |_conn| {
            let (watched, elsewhere) = (watched.clone(), elsewhere.clone());
            async move { Ok(Transaction::new().set(&watched, 1).set(&elsewhere, 1)) }
        })
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CrossSlot, "{error}");
    let applied: Option<i64> = cluster.get(&watched).await.unwrap();
    assert_eq!(applied, None);
    // Watched keys in two slots: refused before WATCH.
    let error = cluster
        .transaction(
            &[watched.as_str(), elsewhere.as_str()],
            |_conn| async move { Ok(Transaction::new()) },
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CrossSlot, "{error}");
}
