//! Redis Cluster: one handle for all the nodes. Commands go to the primary
//! of their keys' slot, a pipeline is split by node and its replies come
//! back in order, a transaction runs when its keys share a slot (a hash
//! tag), and one whose keys do not is refused before anything is sent;
//! `mset_nonatomic` writes keys of several slots, not atomically.
//! Commands for every shard (DBSIZE) are fanned out and merged; any
//! command can be sent to the nodes named (`cluster.on(Targets::..)`).
//! A subscriber takes channels on any node and shard channels on the
//! primary of their slot.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example cluster`),
//! or against any cluster: `REDIS_CLUSTER_URL=redis://10.0.0.1:7000 cargo run ...`.

use redis_core::cluster::{Targets, key_slot};
use redis_core::prelude::*;
use redis_core::{ClusterClient, ErrorKind, Pipeline, Transaction};

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let cluster = ClusterClient::connect(redis_examples::cluster_url()).await?;
    println!("primaries: {}", cluster.primaries().join(", "));

    let prefix = format!("example:cluster:{}", std::process::id());
    // Keys spread over the slots, so over every primary.
    let keys: Vec<String> = (0..6).map(|i| format!("{prefix}:{i}")).collect();
    for key in &keys {
        cluster.set(key, key.len()).await?;
        let slot = key_slot(key.as_bytes());
        println!(
            "{key}: slot {slot} on {}",
            cluster.slot_owner(slot).unwrap_or_default()
        );
    }

    // One pipeline across slots: one batch per node, in parallel, replies in order.
    let mut reads: Pipeline<Vec<Option<u64>>> = Pipeline::default();
    for key in &keys {
        reads.push(redis_core::commands::get(key));
    }
    println!("read back: {:?}", reads.query(&cluster).await?);

    // A transaction over keys that share a slot through a hash tag.
    let tag = format!("{{{prefix}}}");
    let (balance, log): (i64, u64) = Transaction::new()
        .incrby(format!("{tag}:balance"), 10)
        .rpush(format!("{tag}:log"), "deposit 10")
        .query(&cluster)
        .await?;
    println!("balance {balance}, {log} log entries");

    // Keys in two slots cannot be written atomically: refused, nothing sent.
    let error = cluster
        .mset([(keys[0].as_str(), "a"), (keys[1].as_str(), "b")])
        .await
        .expect_err("the keys are in two slots");
    assert_eq!(error.kind(), ErrorKind::CrossSlot);
    println!("refused: {error}");
    // Unless the caller says it need not be atomic: split by slot, each
    // node's part sent in parallel.
    cluster
        .mset_nonatomic([(keys[0].as_str(), 1), (keys[1].as_str(), 2)])
        .await?;
    let both: Vec<Option<u64>> = cluster.mget([&keys[0], &keys[1]]).await?;
    println!("set apart, read together: {both:?}");

    // DBSIZE goes to every primary and the counts are added up; through
    // `on`, each node's own reply.
    println!("keys in the cluster: {}", cluster.dbsize().await?);
    for (node, keys) in cluster.on(Targets::Primaries).dbsize().await? {
        println!("  {node}: {keys}");
    }
    // Reads spread over each slot's primary and replicas.
    let reader = cluster.clone().with_read_from_replicas(true);
    let first: Option<u64> = reader.get(&keys[0]).await?;
    println!("read from a primary or a replica: {first:?}");

    // Pub/sub: a channel on any node, a shard channel on each primary
    // (SPUBLISH goes to the slot's owner, as SSUBSCRIBE does).
    let mut pubsub = cluster.pubsub().await?.ignore_subscribe_messages(true);
    let news = format!("{prefix}:news");
    pubsub.subscribe([&news]).await?;
    let shards: Vec<String> = (0..3).map(|i| format!("{prefix}:orders:{{{i}}}")).collect();
    pubsub.ssubscribe(&shards).await?;
    cluster.publish(&news, "hello").await?;
    for channel in &shards {
        cluster.spublish(channel, "order").await?;
    }
    for _ in 0..1 + shards.len() {
        let wait = std::time::Duration::from_secs(5);
        let event = pubsub.next_message_timeout(wait).await;
        if let Some(message) = event.and_then(|e| e.into_message()) {
            let channel = message.channel_str().unwrap_or_default();
            let slot = key_slot(&message.channel);
            println!(
                "{:?} on {channel} (slot {slot} on {})",
                message.payload_str().unwrap_or_default(),
                cluster.slot_owner(slot).unwrap_or_default()
            );
        }
    }
    drop(pubsub);

    let mut cleanup: Pipeline<Vec<u64>> = Pipeline::default();
    for key in keys
        .iter()
        .chain([&format!("{tag}:balance"), &format!("{tag}:log")])
    {
        cleanup.push(redis_core::commands::del(key));
    }
    cleanup.query(&cluster).await?;
    println!("redirections so far: {:?}", cluster.stats());
    Ok(())
}
