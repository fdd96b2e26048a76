//! A distributed lock with a fencing token: one owner at a time, and a
//! number that only grows, for the protected resource to check.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example locks`),
//! or against any Redis: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use std::time::Duration;

use redis_om::Lock;
use redis_om::core::ErrorKind;
use redis_om::prelude::*;

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let lock = Lock::new(&client, "example:lock:order:42").ttl(Duration::from_secs(10));

    let guard = lock.acquire_timeout(Duration::from_secs(2)).await?;
    println!("held with fencing token {}", guard.fencing_token());
    // While it is held, another attempt finds it taken.
    assert!(lock.try_acquire().await?.is_none());
    guard.release().await?;

    // A lock that expired and was taken by someone else is not ours to
    // release: the old owner is told.
    let short = Lock::new(&client, "example:lock:order:43").ttl(Duration::from_millis(50));
    let first = short.try_acquire().await?.ok_or("the lock is free")?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = short.try_acquire().await?.ok_or("the lock expired")?;
    assert!(second.fencing_token() > first.fencing_token());
    let lost = first.release().await.expect_err("an expired lock is lost");
    assert_eq!(lost.kind(), ErrorKind::LockLost);
    println!("the old owner was told: {lost}");
    second.release().await?;
    Ok(())
}
