//! Client-side caching: reads answered from the client's memory, kept right
//! by the server's invalidations (RESP3 `CLIENT TRACKING`).
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example client_cache`),
//! or against any Redis 6+: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use std::time::{Duration, Instant};

use redis_core::{CacheConfig, Config, Protocol};
use redis_om::prelude::*;

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let url = redis_examples::redis_url();
    // The cache needs RESP3: invalidations arrive as push frames on the
    // client's own connection.
    let config = Config::from_url(&url)?
        .with_protocol(Protocol::Resp3)
        .with_client_cache(
            CacheConfig::new()
                .with_max_entries(10_000)
                .with_ttl(Duration::from_secs(300)),
        );
    let cached = Client::connect(config).await?;
    let other = Client::connect(url.as_str()).await?;
    let key = format!("example:cache:{:08x}:greeting", std::process::id());

    other.set(&key, "hello").await?;
    let started = Instant::now();
    for _ in 0..10_000 {
        let greeting: Option<String> = cached.get(&key).await?;
        assert_eq!(greeting.as_deref(), Some("hello"));
    }
    println!(
        "10,000 GETs in {:?}: one went to the server",
        started.elapsed()
    );

    // Another client changes the key: the server tells the cache, and after
    // one round trip on this client the next read sees the change.
    other.set(&key, "bonjour").await?;
    let _: String = cached.ping().await?;
    let greeting: Option<String> = cached.get(&key).await?;
    println!("after the other client's write: {greeting:?}");

    if let Some(stats) = cached.cache_stats() {
        println!(
            "hits {}, misses {}, invalidations {}, evictions {}, entries {}",
            stats.hits, stats.misses, stats.invalidations, stats.evictions, stats.entries
        );
    }
    other.del(&key).await?;
    Ok(())
}
