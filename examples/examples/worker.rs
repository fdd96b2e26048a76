//! A background worker on a Redis stream: orders go into a typed stream,
//! a worker of the consumer group `billing` charges each one, at least
//! once, 8 at a time, skipping the ones it charged before, and sending the
//! ones that keep failing to a dead-letter stream. Copy `run_worker` into a
//! service and keep it running until the service is told to stop.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example worker`),
//! or against any Redis: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use std::time::Duration;

use redis_om::core::commands::{StreamBound, StreamEntry};
use redis_om::prelude::*;
use redis_om::{Processed, WorkerHandle};
use serde::{Deserialize, Serialize};

const ORDERS: &str = "example:worker:orders";
const DEAD: &str = "example:worker:orders:dead";
const CHARGED: &str = "example:worker:charged";

#[derive(Debug, Serialize, Deserialize)]
struct OrderPlaced {
    order: String, // "0042" stays a string: the Rust type decides, not the text
    cents: u64,
    customer: Customer, // nested: one field of JSON text
}

#[derive(Debug, Serialize, Deserialize)]
struct Customer {
    email: String,
}

/// Stands in for a payment API: refuses orders of nothing.
async fn charge(order: &OrderPlaced) -> Result<(), String> {
    if order.cents == 0 {
        return Err(format!("order {} has nothing to charge", order.order));
    }
    tokio::time::sleep(Duration::from_millis(2)).await;
    Ok(())
}

/// Starts the billing worker: what a service runs at start-up.
async fn run_worker(client: &Client) -> redis_om::core::Result<WorkerHandle> {
    let orders = EventStream::<OrderPlaced>::new(client.clone(), ORDERS);
    // The charge and the mark are not one atomic step, but a crash between
    // a charge and its XACK no longer charges twice.
    let charged = Processed::new(client.clone(), CHARGED, Duration::from_secs(24 * 3600));
    Worker::new(orders, "billing", "billing-1") // one consumer name per instance (a host name)
        .concurrency(8)
        .max_deliveries(3)
        .retry_backoff(Duration::from_millis(20))
        .dead_letter(DEAD)
        .claim_after(Duration::from_secs(60)) // longer than a charge can take
        .run(move |delivery: Delivery<OrderPlaced>| {
            let charged = charged.clone();
            async move {
                let id = delivery.id();
                if !charged.first_time(id).await.map_err(|e| e.to_string())? {
                    return Ok(()); // charged in an earlier delivery
                }
                if let Err(failure) = charge(delivery.value()).await {
                    // Not charged after all: let the retry try again.
                    charged.forget(id).await.map_err(|e| e.to_string())?;
                    return Err(failure);
                }
                Ok(())
            }
        })
        .await
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    client.del([ORDERS, DEAD]).await?;

    let orders = EventStream::<OrderPlaced>::new(client.clone(), ORDERS).max_len(100_000);
    let batch: Vec<OrderPlaced> = (0..100)
        .map(|n| OrderPlaced {
            order: format!("{n:04}"),
            cents: if n == 13 { 0 } else { 100 + n },
            customer: Customer {
                email: format!("customer{n}@example.com"),
            },
        })
        .collect();
    orders.add_many(&batch).await?;

    let worker = run_worker(&client).await?;
    // A service waits for its stop signal here (`tokio::signal::ctrl_c()`);
    // the example waits until every order is acknowledged.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while worker.stats().acked < 100 {
        if tokio::time::Instant::now() > deadline {
            return Err(format!("not done in time: {:?}", worker.stats()).into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stats = worker.shutdown(Duration::from_secs(10)).await?;
    println!(
        "charged {} orders, {} retries, {} dead-lettered",
        stats.acked - stats.dead_lettered,
        stats.retried,
        stats.dead_lettered
    );

    let dead: Vec<StreamEntry<std::collections::HashMap<String, String>>> = client
        .xrange(DEAD, StreamBound::Min, StreamBound::Max)
        .await?;
    for letter in &dead {
        println!(
            "dead letter: order {} after {} deliveries: {}",
            letter.fields["order"], letter.fields["_deliveries"], letter.fields["_error"]
        );
    }
    assert_eq!(dead.len(), 1);
    Ok(())
}
