//! Typed pub/sub channels on real servers: events round-trip in JSON and
//! in MessagePack, on plain, pattern and shard channels; a payload that is
//! not an event of the channel's type is an error item and the next valid
//! event still arrives; a killed connection is reported and the
//! subscription goes on.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Client, ErrorKind, Redis};
use redis_om::encoding::MessagePack;
use redis_om::{Channel, ChannelPattern, Events};
use redis_tests::{Ctx, each_server_setup, each_setup};
use serde::{Deserialize, Serialize};

const WAIT: Duration = Duration::from_secs(10);

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Shipped {
    order: u64,
    carrier: String,
    weight: f64,
    lines: Vec<(String, u32)>,
}

fn shipped(order: u64) -> Shipped {
    Shipped {
        order,
        carrier: "Lent & Sons \"express\" ✈".to_owned(),
        weight: 1.25,
        lines: vec![("lamp".to_owned(), 2), ("bulb".to_owned(), 10)],
    }
}

async fn next<T: std::fmt::Debug>(
    next: impl Future<Output = Option<redis_core::Result<T>>>,
) -> redis_core::Result<T> {
    tokio::time::timeout(WAIT, next)
        .await
        .expect("no event in time")
        .expect("the subscription ended")
}

/// Waits until the server counts a subscriber of `channel`.
async fn subscribed(client: &Client, channel: &str) {
    for _ in 0..400 {
        let counts = client.pubsub_numsub(channel).await.unwrap();
        if counts.first().is_some_and(|(_, n)| *n > 0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("nobody subscribed to {channel}");
}

async fn round_trip<Enc: redis_om::encoding::Encoding>(ctx: &Ctx, client: &Redis, sharded: bool) {
    // A channel per round: on a cluster the previous round's messages reach the other
    // nodes over the cluster bus a moment later, and may find a new subscriber there.
    let name = ctx.key(&format!("shipped:{}:{sharded}", Enc::NAME));
    let mut channel = Channel::<Shipped, Enc>::new(client, name);
    if sharded {
        channel = channel.sharded();
    }
    let mut events: Events<Shipped, Enc> = channel.subscribe().await.unwrap();
    for order in 0..20 {
        channel.publish(&shipped(order)).await.unwrap();
    }
    for order in 0..20 {
        assert_eq!(next(events.next()).await.unwrap(), shipped(order));
    }
}

each_setup!(events_round_trip_in_both_encodings, |ctx: Ctx| async move {
    let client = ctx.client().await;
    round_trip::<redis_om::encoding::JsonText>(&ctx, &client, false).await;
    round_trip::<MessagePack>(&ctx, &client, false).await;
    round_trip::<MessagePack>(&ctx, &client, true).await;
});

each_setup!(
    a_payload_of_another_kind_is_an_error_item_and_the_stream_goes_on,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let name = ctx.key("shipped");
        let json = Channel::<Shipped>::new(&client, &name);
        let packed = Channel::<Shipped, MessagePack>::new(&client, &name);
        let mut json_events = json.subscribe().await.unwrap();
        let mut packed_events = packed.subscribe().await.unwrap();
        let _: u64 = client.publish(&name, "not json at all").await.unwrap();
        let _: u64 = client.publish(&name, r#"{"order":"seven"}"#).await.unwrap();
        packed.publish(&shipped(1)).await.unwrap();
        json.publish(&shipped(2)).await.unwrap();

        for expected in [
            "JSON that does not decode",
            "JSON that does not decode",
            "published as MessagePack",
        ] {
            let error = next(json_events.next()).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
            let text = error.to_string();
            assert!(text.contains(&name) && text.contains(expected), "{text}");
        }
        assert_eq!(next(json_events.next()).await.unwrap(), shipped(2));

        for _ in 0..2 {
            let error = next(packed_events.next()).await.unwrap_err();
            assert!(error.to_string().contains("no MessagePack mark"), "{error}");
        }
        assert_eq!(next(packed_events.next()).await.unwrap(), shipped(1));
        let error = next(packed_events.next()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    }
);

each_setup!(pattern_events_carry_their_channel, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let prefix = ctx.key("price");
    let mut prices = ChannelPattern::<f64>::new(&client, format!("{prefix}.*"))
        .subscribe()
        .await
        .unwrap();
    for (i, symbol) in ["acme", "globex", "initech"].iter().enumerate() {
        let channel = Channel::<f64>::new(&client, format!("{prefix}.{symbol}"));
        channel.publish(&(i as f64 + 0.5)).await.unwrap();
    }
    for (i, symbol) in ["acme", "globex", "initech"].iter().enumerate() {
        let (channel, price) = next(prices.next()).await.unwrap();
        assert_eq!(channel, format!("{prefix}.{symbol}"));
        assert_eq!(price, i as f64 + 0.5);
    }
});

// CLIENT LIST and KILL of one server's connection, and PUBSUB NUMSUB's count, which on a
// cluster is one node's.
each_server_setup!(
    a_killed_connection_is_reported_and_the_subscription_goes_on,
    |ctx: Ctx| async move {
        // A name of its own, so that only this test's subscriber is killed
        // on the shared server.
        let client_name = ctx.key("subscriber").replace(':', "-");
        let client = Client::connect(ctx.config().with_client_name(&client_name))
            .await
            .unwrap();
        let name = ctx.key("shipped");
        let channel = Channel::<Shipped>::new(&client, &name);
        let mut events = channel.subscribe().await.unwrap();
        channel.publish(&shipped(1)).await.unwrap();
        assert_eq!(next(events.next()).await.unwrap(), shipped(1));

        let subscriber = client
            .client_list()
            .await
            .unwrap()
            .into_vec()
            .into_iter()
            .find(|c| c.name.as_deref() == Some(client_name.as_str()) && c.subscriptions > 0)
            .expect("the subscriber's connection");
        // From another client: on RESP3 the subscriber shares `client`'s
        // connection, which would not kill itself (SKIPME).
        let killed = ctx
            .server_client()
            .await
            .client_kill(KillFilter::Id(subscriber.id))
            .await
            .unwrap();
        assert_eq!(killed, 1);
        let lost = next(events.next()).await.unwrap_err();
        assert_eq!(lost.kind(), ErrorKind::Io, "{lost}");
        assert!(lost.to_string().contains("missed"), "{lost}");
        subscribed(&client, &name).await;
        channel.publish(&shipped(2)).await.unwrap();
        assert_eq!(next(events.next()).await.unwrap(), shipped(2));
    }
);
