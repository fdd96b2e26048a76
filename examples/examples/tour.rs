//! A short tour of redis-core: connect, typed commands, pipelines,
//! transactions, scripts and blocking commands.
//!
//! Run it with `cargo xtask demo` (which starts a server), or against your
//! own server with `REDIS_URL=redis://127.0.0.1:6379 cargo run -p redis-examples --example tour`.

use std::collections::HashMap;
use std::time::Duration;

use redis_core::commands;
use redis_core::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = redis_examples::redis_url();
    let client = Client::connect(&url).await?;
    println!("connected to {url}");

    // Typed commands: the reply type is chosen by the caller.
    client.set("tour:greeting", "hello").await?;
    let greeting: String = client.get("tour:greeting").await?;
    let missing: Option<String> = client.get("tour:missing").await?;
    println!("GET tour:greeting -> {greeting:?}; GET tour:missing -> {missing:?}");

    client
        .hset("tour:user:1", [("name", "Ada"), ("lang", "en")])
        .await?;
    let user: HashMap<String, String> = client.hgetall("tour:user:1").await?;
    println!("HGETALL tour:user:1 -> {user:?}");

    // Many tasks share one connection; their commands are pipelined for them.
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.incrby("tour:visits", 1).await })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let visits: i64 = client.get("tour:visits").await?;
    println!("10 concurrent INCRs -> visits = {visits}");

    // An explicit pipeline: one round trip, its replies typed as a tuple.
    let (_removed, length, raw): (u64, u64, String) = Pipeline::new()
        .del("tour:list")
        .rpush("tour:list", ["a", "b", "c"])
        .command(Cmd::new("LINDEX").arg("tour:list").arg(0))
        .query(&client)
        .await?;
    println!("pipelined DEL, RPUSH, LINDEX -> length {length}, first {raw:?}");

    // As many commands as a loop makes: one reply type for all.
    let pipe: Pipeline<Vec<u64>> = (0..5).map(|i| commands::rpush("tour:list", i)).collect();
    let lengths = pipe.query(&client).await?;
    println!("pipelined RPUSH lengths -> {lengths:?}");

    // A transaction: all or nothing.
    let (stock, orders) = Transaction::new()
        .incrby("tour:stock", -1)
        .lpush("tour:orders", "order-1")
        .query(&client)
        .await?;
    println!("MULTI/EXEC -> stock {stock}, orders {orders}");

    // A Lua script, run by its SHA1 and loaded on demand.
    let add = Script::new("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    let total: i64 = add.key("tour:total").arg(42).invoke(&client).await?;
    println!("script -> total {total}");

    // A blocking pop runs on a connection of its own.
    let popped: Option<(String, String)> = client
        .blpop("tour:empty", Duration::from_millis(200))
        .await?;
    println!("BLPOP on an empty list for 200 ms -> {popped:?}");

    client
        .del(
            &[
                "tour:greeting",
                "tour:user:1",
                "tour:visits",
                "tour:list",
                "tour:stock",
                "tour:orders",
                "tour:total",
            ][..],
        )
        .await?;
    client.close().await;
    println!("done");
    Ok(())
}
