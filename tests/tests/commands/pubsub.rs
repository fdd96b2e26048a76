//! pubsub commands against the real servers.
//!
//! Subscribing is the pub/sub layer's, so the subscribers here are raw
//! connections that send SUBSCRIBE (or SSUBSCRIBE, PSUBSCRIBE) themselves, to one
//! server: PUBSUB's answers are one node's, so on a cluster they depend on which
//! node is asked (the cluster's pub/sub has a suite of its own).

use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Client, Pipeline};
use redis_tests::{Ctx, TempServer, Version, each_server_setup, each_version, servers};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The shared server this setup runs on, as `host:port`.
fn addr(ctx: &Ctx) -> String {
    match ctx.setup.version {
        Version::Redis8 => servers().redis8(),
        Version::Redis7 => servers().redis7(),
        Version::Valkey8 => servers().valkey(),
    }
    .to_owned()
}

/// A raw connection that sent `command channel` and got its confirmation.
async fn subscriber(addr: &str, command: &str, channel: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let frame = format!(
        "*2\r\n${}\r\n{command}\r\n${}\r\n{channel}\r\n",
        command.len(),
        channel.len()
    );
    stream.write_all(frame.as_bytes()).await.unwrap();
    // [kind, channel, 1]: the subscription is in place once this arrives.
    let confirmation = read_until(&mut stream, b":1\r\n").await;
    assert!(
        confirmation.contains(&command.to_ascii_lowercase()) && confirmation.contains(channel),
        "{confirmation}"
    );
    stream
}

/// Reads until what arrived ends with `suffix` (at most 5 s).
async fn read_until(stream: &mut TcpStream, suffix: &[u8]) -> String {
    let mut received = Vec::new();
    let read = async {
        while !received.ends_with(suffix) {
            let mut chunk = [0u8; 512];
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the server closed the connection");
            received.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("the server's push within 5 s");
    String::from_utf8_lossy(&received).into_owned()
}

each_server_setup!(
    publish_reaches_subscribers_that_pubsub_reports,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (news, quiet) = (ctx.key("news"), ctx.key("quiet"));
        let mut subscriber = subscriber(&addr(&ctx), "SUBSCRIBE", &news).await;

        let channels = client.pubsub_channels_matching(ctx.key("*")).await.unwrap();
        assert_eq!(channels, [news.as_str()]);
        assert!(client.pubsub_channels().await.unwrap().contains(&news));
        let counts = client.pubsub_numsub([&news, &quiet]).await.unwrap();
        assert_eq!(counts, [(news.clone(), 1), (quiet.clone(), 0)]);

        assert_eq!(client.publish(&news, "hello").await.unwrap(), 1);
        let message = read_until(&mut subscriber, b"hello\r\n").await;
        assert!(
            message.contains("message") && message.contains(&news),
            "{message}"
        );
        assert_eq!(client.publish(&quiet, "nobody").await.unwrap(), 0);

        drop(subscriber);
        // The server notices the closed connection on its next read.
        let mut left = 1;
        for _ in 0..100 {
            left = client.pubsub_numsub(&news).await.unwrap()[0].1;
            if left == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(left, 0);
    }
);

each_server_setup!(
    spublish_reaches_shard_subscribers_that_pubsub_reports,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (orders, quiet) = (ctx.key("orders"), ctx.key("quiet"));
        let mut subscriber = subscriber(&addr(&ctx), "SSUBSCRIBE", &orders).await;

        let channels = client
            .pubsub_shardchannels_matching(ctx.key("*"))
            .await
            .unwrap();
        assert_eq!(channels, [orders.as_str()]);
        assert!(
            client
                .pubsub_shardchannels()
                .await
                .unwrap()
                .contains(&orders)
        );
        let counts = client.pubsub_shardnumsub([&orders, &quiet]).await.unwrap();
        assert_eq!(counts, [(orders.clone(), 1), (quiet.clone(), 0)]);
        // A shard channel is not a plain channel.
        assert_eq!(client.pubsub_numsub(&orders).await.unwrap()[0].1, 0);

        assert_eq!(client.spublish(&orders, "filled").await.unwrap(), 1);
        let message = read_until(&mut subscriber, b"filled\r\n").await;
        assert!(message.contains("smessage"), "{message}");
        assert_eq!(client.spublish(&quiet, "nobody").await.unwrap(), 0);
    }
);

each_server_setup!(pubsub_commands_chain_in_a_pipeline, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let news = ctx.key("news");
    let _subscriber = subscriber(&addr(&ctx), "SUBSCRIBE", &news).await;
    let (received, counts, channels, shard_received): (u64, Vec<(String, u64)>, Vec<String>, u64) =
        Pipeline::new()
            .publish(&news, "one")
            .pubsub_numsub(&news)
            .pubsub_channels_matching(&news)
            .spublish(&news, "two")
            .query(&client)
            .await
            .unwrap();
    assert_eq!(received, 1);
    assert_eq!(counts, [(news.clone(), 1)]);
    assert_eq!(channels, [news]);
    assert_eq!(shard_received, 0, "no shard subscriber");
});

// Pattern subscriptions are counted over all clients, and the channel list
// has everyone's channels: exact counts need a server of their own.
each_version!(
    pubsub_numpat_and_channels_count_every_client,
    |version| async move {
        let server = TempServer::start(version);
        let client = Client::connect(server.url()).await.unwrap();
        assert_eq!(client.pubsub_numpat().await.unwrap(), 0);
        assert!(client.pubsub_channels().await.unwrap().is_empty());
        assert!(client.pubsub_shardchannels().await.unwrap().is_empty());

        let _patterns = subscriber(&server.addr(), "PSUBSCRIBE", "news.*").await;
        let _channel = subscriber(&server.addr(), "SUBSCRIBE", "news.today").await;
        let _shard = subscriber(&server.addr(), "SSUBSCRIBE", "orders").await;
        assert_eq!(client.pubsub_numpat().await.unwrap(), 1);
        assert_eq!(client.pubsub_channels().await.unwrap(), ["news.today"]);
        assert_eq!(client.pubsub_shardchannels().await.unwrap(), ["orders"]);
        // The pattern subscriber and the channel subscriber both receive it.
        assert_eq!(client.publish("news.today", "x").await.unwrap(), 2);
        assert_eq!(client.publish("news.tomorrow", "x").await.unwrap(), 1);
        assert_eq!(
            client.pubsub_numsub("news.today").await.unwrap(),
            [("news.today".to_owned(), 1)]
        );
    }
);
