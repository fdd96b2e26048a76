//! Typed pub/sub events: publish Rust values on a channel and receive them
//! as values, in JSON (readable by any client) or MessagePack; a message
//! that is not an event of the channel's type is an error item, and the
//! stream goes on.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example events`),
//! or against any Redis: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use redis_om::core::commands::PubSubCommands;
use redis_om::encoding::MessagePack;
use redis_om::prelude::*;
use redis_om::{Channel, ChannelPattern};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct OrderPlaced {
    order: u64,
    customer: String,
    total: f64,
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;

    // JSON events: plain JSON text on the channel.
    let orders = Channel::<OrderPlaced>::new(&client, "example:events:orders");
    let mut placed = orders.subscribe().await?;
    let first = OrderPlaced {
        order: 1,
        customer: "Ada".to_owned(),
        total: 42.5,
    };
    orders.publish(&first).await?;
    // Someone publishes by hand something that is not an order.
    client.publish("example:events:orders", "hello").await?;
    orders
        .publish(&OrderPlaced {
            order: 2,
            ..first.clone()
        })
        .await?;

    let received = placed.next().await.ok_or("subscription ended")??;
    println!("received {received:?}");
    assert_eq!(received, first);
    let not_an_order = placed.next().await.ok_or("subscription ended")?;
    println!(
        "skipped: {}",
        not_an_order.as_ref().err().ok_or("expected an error")?
    );
    let second = placed.next().await.ok_or("subscription ended")??;
    assert_eq!(second.order, 2);

    // MessagePack on a pattern of channels, each event with its channel.
    let mut prices = ChannelPattern::<f64, MessagePack>::new(&client, "example:events:price.*")
        .subscribe()
        .await?;
    Channel::<f64, MessagePack>::new(&client, "example:events:price.lamp")
        .publish(&19.99)
        .await?;
    let (channel, price) = prices.next().await.ok_or("subscription ended")??;
    println!("{channel}: {price}");
    assert_eq!(price, 19.99);
    Ok(())
}
