//! Redis Sentinel: find the master and the replicas through the sentinels,
//! write to the master, read from a replica. The clients ask the sentinels
//! again on every reconnect, so they follow a failover without a restart.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example sentinel`),
//! or against any Sentinel group:
//! `REDIS_SENTINEL_URL=redis+sentinel://10.0.0.1,10.0.0.2/mymaster cargo run ...`.

use std::time::Duration;

use redis_core::prelude::*;
use redis_core::{Pipeline, Sentinel};

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let url = redis_examples::sentinel_url();
    let (sentinel, name) = Sentinel::from_url(&url)?;

    // What the sentinels say (the majority of those that answer).
    let master = sentinel.discover_master(&name).await?;
    let replicas = sentinel.discover_replicas(&name).await?;
    let listed: Vec<String> = replicas.iter().map(ToString::to_string).collect();
    println!("{name}: master {master}, replicas [{}]", listed.join(", "));

    // A master client: every connection goes where the sentinels point.
    let client = sentinel.master_for(&name).await?;
    let key = format!("example:sentinel:{}", std::process::id());
    // WAIT 1: the write has reached a replica before we go on (the pipeline
    // runs on one dedicated connection, whose writes WAIT counts).
    let ((), copies): ((), u64) = Pipeline::new()
        .set(&key, "hello")
        .wait(1, Duration::from_secs(2))
        .query(&client)
        .await?;
    println!("written to {master}, on {copies} replica(s)");

    // Errors name the node actually used, not a sentinel.
    let error = client
        .lpush(&key, "x")
        .await
        .expect_err("a string is not a list");
    println!("error from {}: {error}", error.node().unwrap_or("?"));

    // A replica client reads from the replicas (the master if none is up).
    let replica = sentinel.replica_for(&name).await?;
    let read: Option<String> = replica.get(&key).await?;
    println!("read from a replica: {read:?}");
    // Whichever replica it reads from has the write when WAIT saw it on all.
    if copies > 0 && usize::try_from(copies)? == replicas.len() {
        assert_eq!(read.as_deref(), Some("hello"));
    }

    client.del(&key).await?;
    Ok(())
}
