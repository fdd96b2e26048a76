//! One handle for every topology: `Redis::connect(url)` opens a single
//! server (`redis://`), the master a Sentinel group elects
//! (`redis+sentinel://`) or a cluster (`redis+cluster://host:port,...`),
//! and the same code, written over `impl Executor`, runs on each.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example any_topology`),
//! or give URLs of your own in `REDIS_URL`, `REDIS_SENTINEL_URL` and
//! `REDIS_CLUSTER_URL` (a `redis://` node URL there becomes `redis+cluster://`).

use redis_core::prelude::*;
use redis_core::{Cmd, Executor, Pipeline, Redis};

/// Written once: counts page views and reports the keys on every shard.
async fn count_views(redis: &impl Executor, site: &str) -> redis_core::Result<()> {
    let pages: Vec<String> = (0..5).map(|i| format!("{site}:views:/page/{i}")).collect();
    let mut views: Pipeline<Vec<i64>> = Pipeline::default();
    for page in &pages {
        views.push(redis_core::commands::incr(page));
    }
    println!("  views: {:?}", views.query(redis).await?);
    let per_shard: Vec<Vec<String>> = redis
        .execute_on_primaries(Cmd::new("KEYS").arg(format!("{site}:*")))
        .await?;
    let counts: Vec<usize> = per_shard.iter().map(Vec::len).collect();
    println!("  keys per shard: {counts:?}");
    redis.del(&pages).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let cluster = redis_examples::cluster_url().replacen("redis://", "redis+cluster://", 1);
    let site = format!("example:any:{}", std::process::id());
    for url in [
        redis_examples::redis_url(),
        redis_examples::sentinel_url(),
        cluster,
    ] {
        let redis = Redis::connect(&url).await?;
        let kind = match &redis {
            Redis::Server(_) => "one server",
            Redis::Cluster(_) => "a cluster",
            _ => "another topology",
        };
        println!("{url}: {kind}");
        count_views(&redis, &site).await?;
        redis.close().await;
    }
    Ok(())
}
