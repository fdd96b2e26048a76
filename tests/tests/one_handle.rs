//! `Redis`: one handle opened from a URL that names a single server, a
//! Sentinel group or a cluster; the same generic code runs on each.

#![allow(clippy::unwrap_used)]

use redis_core::prelude::*;
use redis_core::{Cmd, Executor, Pipeline, Redis, Transaction};
use redis_tests::servers;

/// A model stored as a hash, for the object mapper written once over the
/// executor.
#[derive(redis_om::RedisModel, Debug, PartialEq, Clone)]
#[redis(prefix = "one-handle:user")]
struct User {
    #[redis(pk)]
    id: String,
    name: String,
    visits: u32,
}

/// The object mapper over whichever topology the URL chose: save, load,
/// load many (keys in several slots on a cluster), delete.
async fn object_mapper(redis: &Redis) {
    let users = redis_om::Repository::<User, _>::new(redis);
    let mut saved = Vec::new();
    for (i, name) in ["Ada", "Grace", "Edsger", "Barbara"]
        .into_iter()
        .enumerate()
    {
        let user = User {
            id: String::new(),
            name: name.to_owned(),
            visits: i as u32,
        };
        let id = users.save(&user).await.unwrap();
        saved.push(User { id, ..user });
    }
    let ids: Vec<String> = saved.iter().map(|u| u.id.clone()).collect();
    let loaded: Vec<Option<User>> = users.get_many(&ids).await.unwrap();
    assert_eq!(loaded, saved.iter().cloned().map(Some).collect::<Vec<_>>());
    assert_eq!(users.get(&ids[0]).await.unwrap().as_ref(), Some(&saved[0]));
    assert_eq!(users.delete_many(&ids).await.unwrap(), 4);
    assert_eq!(users.get(&ids[0]).await.unwrap(), None);
}

/// Application code written once: typed commands, a pipeline whose keys
/// span slots on a cluster, a transaction in one slot, and a question
/// every shard answers for its own keys.
async fn application(redis: &impl Executor, prefix: &str) -> usize {
    let user = format!("{prefix}:{{user:1}}");
    redis.set(format!("{user}:name"), "Ada").await.unwrap();
    let name: Option<String> = redis.get(format!("{user}:name")).await.unwrap();
    assert_eq!(name.as_deref(), Some("Ada"));
    let keys: Vec<String> = (0..20).map(|i| format!("{prefix}:counter:{i}")).collect();
    let mut pipe: Pipeline<Vec<i64>> = Pipeline::default();
    for key in &keys {
        pipe.push(redis_core::commands::incr(key));
    }
    assert_eq!(pipe.query(redis).await.unwrap(), vec![1; 20]);
    let (visits, ()): (i64, ()) = Transaction::new()
        .incr(format!("{user}:visits"))
        .set(format!("{user}:seen"), "yes")
        .query(redis)
        .await
        .unwrap();
    assert_eq!(visits, 1);
    let mget: Vec<Option<i64>> = redis.mget(&keys).await.unwrap();
    assert_eq!(mget, vec![Some(1); 20]);
    let per_shard: Vec<Vec<String>> = redis
        .execute_on_primaries(Cmd::new("KEYS").arg(format!("{prefix}:*")))
        .await
        .unwrap();
    assert_eq!(per_shard.iter().map(Vec::len).sum::<usize>(), 23);
    let mut all = keys;
    all.extend(["name", "visits", "seen"].map(|f| format!("{user}:{f}")));
    assert_eq!(redis.del(&all).await.unwrap(), 23);
    per_shard.len()
}

/// Pub/sub written once: a channel and a shard channel, published through
/// the same handle.
async fn messaging(redis: &Redis, prefix: &str) {
    let (channel, shard) = (format!("{prefix}:news"), format!("{prefix}:orders"));
    let mut pubsub = redis
        .pubsub()
        .await
        .unwrap()
        .ignore_subscribe_messages(true);
    pubsub.subscribe([&channel]).await.unwrap();
    pubsub.ssubscribe([&shard]).await.unwrap();
    redis.publish(&channel, "hello").await.unwrap();
    redis.spublish(&shard, "order 1").await.unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        let event = tokio::time::timeout(std::time::Duration::from_secs(10), pubsub.next_message())
            .await
            .unwrap()
            .unwrap();
        let message = event.into_message().unwrap();
        got.push((
            message.channel_str().unwrap().to_owned(),
            message.payload_str().unwrap().to_owned(),
        ));
    }
    got.sort();
    assert_eq!(
        got,
        [(channel, "hello".to_owned()), (shard, "order 1".to_owned())]
    );
}

fn prefix(topology: &str) -> String {
    format!("one-handle:{topology}:{:x}", fastrand::u64(..))
}

#[tokio::test]
async fn a_redis_url_opens_one_server() {
    let redis = Redis::connect(&format!("redis://{}", servers().redis8()))
        .await
        .unwrap();
    assert!(matches!(redis, Redis::Server(_)), "{redis:?}");
    assert_eq!(application(&redis, &prefix("server")).await, 1);
    object_mapper(&redis).await;
    messaging(&redis, &prefix("server")).await;
}

#[tokio::test]
async fn a_sentinel_url_opens_the_elected_master() {
    let url = format!(
        "redis+sentinel://{}/{}",
        servers().sentinels().join(","),
        servers().sentinel_master()
    );
    let redis = Redis::connect(&url).await.unwrap();
    assert!(matches!(redis, Redis::Server(_)), "{redis:?}");
    assert_eq!(application(&redis, &prefix("sentinel")).await, 1);
}

#[tokio::test]
async fn a_cluster_url_opens_the_cluster() {
    let nodes = servers().cluster();
    // Any nodes of it, replicas included, as startup nodes.
    let url = format!("redis+cluster://{},{}?protocol=2", nodes[4], nodes[1]);
    let redis = Redis::connect(&url).await.unwrap();
    let Redis::Cluster(cluster) = &redis else {
        panic!("{redis:?}")
    };
    assert_eq!(cluster.primaries().len(), 3);
    assert!(format!("{cluster:?}").contains("read_from_replicas: false"));
    assert_eq!(application(&redis, &prefix("cluster")).await, 3);
    object_mapper(&redis).await;
    messaging(&redis, &prefix("cluster")).await;
    // Through a reference and an Arc too, as generic code may hold it.
    assert_eq!(application(&&redis, &prefix("cluster-ref")).await, 3);
    let reads = Redis::connect(&format!(
        "redis+cluster://{}?read_from_replicas=true",
        nodes[0]
    ))
    .await
    .unwrap();
    // (Not the application: its reads right after writes may be stale
    // on a replica.)
    assert!(format!("{reads:?}").contains("read_from_replicas: true"));
    redis.close().await;
    let closed = redis.get::<Option<String>>("k").await.unwrap_err();
    assert_eq!(closed.kind(), redis_core::ErrorKind::Closed, "{closed}");
}

#[tokio::test]
async fn a_bad_url_says_what_is_wrong() {
    let error = Redis::connect("redis+cluster://no-port").await.unwrap_err();
    assert_eq!(error.kind(), redis_core::ErrorKind::Config);
    assert!(error.to_string().contains("host:port"), "{error}");
    let error = Redis::connect("redis+cluster://127.0.0.1:1?read_from_replicas=perhaps")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("read_from_replicas"), "{error}");
    // A cluster URL that names a server outside any cluster.
    let error = Redis::connect(&format!("redis+cluster://{}", servers().redis8()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), redis_core::ErrorKind::Config, "{error}");
    assert!(error.to_string().contains("not a cluster node"), "{error}");
}
