//! Pub/sub: a subscriber sharing a RESP3 client's connection with its
//! commands (or on a connection of its own, with RESP2 or when configured
//! so), messages from channels and patterns as a stream, a handler run in
//! the background, and MONITOR.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example pubsub`),
//! or against any Redis: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use std::time::Duration;

use redis_om::prelude::*;

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    // A channel name of this run's own, so that runs side by side do not mix.
    let news = format!("example:pubsub:{:08x}:news", std::process::id());
    let pattern = format!("{news}.*");

    // Subscribe, then read what is published, in order. Each call returns
    // once the server confirmed it; the confirmations are hidden here.
    let mut pubsub = client.pubsub().await?.ignore_subscribe_messages(true);
    pubsub.subscribe([&news]).await?;
    pubsub.psubscribe([&pattern]).await?;
    client.publish(&news, "hello").await?;
    client.publish(format!("{news}.sport"), "goal").await?;
    // With RESP3 (the default) the subscriptions live on the client's own
    // connection, which goes on serving commands meanwhile.
    client.set(format!("{news}:seen"), "yes").await?;
    let seen: Option<String> = client.get(format!("{news}:seen")).await?;
    println!("a command while subscribed: {seen:?}");
    for _ in 0..2 {
        let Some(PubSubEvent::Message(message)) =
            pubsub.next_message_timeout(Duration::from_secs(5)).await
        else {
            return Err("no message within 5 s".into());
        };
        match message.kind {
            MessageKind::PMessage => println!(
                "{} (matched {}): {}",
                message.channel_str().unwrap_or("?"),
                String::from_utf8_lossy(message.pattern.as_deref().unwrap_or_default()),
                message.payload_str().unwrap_or("<binary>"),
            ),
            _ => println!(
                "{}: {}",
                message.channel_str().unwrap_or("?"),
                message.payload_str().unwrap_or("<binary>")
            ),
        }
    }

    // A handler per channel, run by a background task until stopped.
    let (tx, mut handled) = tokio::sync::mpsc::unbounded_channel();
    pubsub.unsubscribe_all().await?;
    pubsub.punsubscribe_all().await?;
    pubsub
        .subscribe_with(&news, move |message| {
            let _ = tx.send(message.payload);
        })
        .await?;
    let runner = pubsub.run_in_background(|error| eprintln!("pub/sub: {error}"));
    client.publish(&news, "to the handler").await?;
    let payload = tokio::time::timeout(Duration::from_secs(5), handled.recv())
        .await?
        .ok_or("the handler was dropped")?;
    println!("handled: {}", String::from_utf8_lossy(&payload));
    let pubsub = runner.stop().await?;
    // Dropped: a sharing subscriber unsubscribes the client's connection.
    drop(pubsub);
    client.del(format!("{news}:seen")).await?;

    // A connection of its own, for a flood of messages that should neither
    // delay the client's replies nor be dropped when the reader falls behind.
    let own =
        Client::connect(Config::from_url(&redis_examples::redis_url())?.with_shared_pubsub(false))
            .await?;
    let mut flood = own.pubsub().await?.ignore_subscribe_messages(true);
    flood.subscribe([&news]).await?;
    client.publish(&news, "on its own connection").await?;
    if let Some(PubSubEvent::Message(message)) =
        flood.next_message_timeout(Duration::from_secs(5)).await
    {
        println!("own connection: {}", message.payload_str().unwrap_or("?"));
    }
    drop(flood);

    // MONITOR: every command the server runs, parsed.
    let mut monitor = client.monitor().await?;
    let key = format!("{news}:key");
    client.set(&key, "a value with \"quotes\"").await?;
    loop {
        let Some(entry) =
            tokio::time::timeout(Duration::from_secs(5), monitor.next_entry()).await?
        else {
            return Err("the monitor stopped".into());
        };
        let entry = entry?;
        if entry
            .args
            .first()
            .is_some_and(|first| first == key.as_bytes())
        {
            println!(
                "monitor: db {} from {}: {} {:?}",
                entry.db,
                entry.client,
                String::from_utf8_lossy(&entry.command),
                entry.args
            );
            break;
        }
    }
    client.del(&key).await?;
    Ok(())
}
