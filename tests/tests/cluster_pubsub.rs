//! `ClusterClient::pubsub` on real clusters: channels, patterns and shard
//! channels spread over the three primaries of the shared cluster arrive
//! in order, each shard channel subscribed on its slot's primary; on
//! throw-away clusters (`cluster_common::throwaway_cluster`), a shard
//! channel follows its slot when the slot moves (and when a stale map
//! sends SSUBSCRIBE to the old owner), and when its primary fails over;
//! the channels and patterns move to another node when theirs is killed.
//! Every gap is reported in the stream.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use redis_core::cluster::key_slot;
use redis_core::commands::*;
use redis_core::{Addr, Client, ClusterClient, Config, Message, MessageKind, PubSub, PubSubEvent};
use redis_tests::servers;

mod cluster_common;
use cluster_common::{Primary, move_slot, throwaway_cluster};

/// How long a test waits for an event before failing instead of hanging.
const WAIT: Duration = Duration::from_secs(30);

fn settings() -> Config {
    Config::new(Addr::Tcp {
        host: "127.0.0.1".into(),
        port: 1,
    })
    .with_connect_timeout(Duration::from_secs(2))
    .with_response_timeout(Some(Duration::from_secs(5)))
}

fn prefix(test: &str) -> String {
    format!("cluster-pubsub:{test}:{:x}", fastrand::u64(..))
}

async fn next_event(pubsub: &mut PubSub) -> PubSubEvent {
    tokio::time::timeout(WAIT, pubsub.next_message())
        .await
        .expect("no pub/sub event in time")
        .expect("the subscriber stopped")
}

/// The next published message, failing on a gap or a confirmation.
async fn next_msg(pubsub: &mut PubSub) -> Message {
    match next_event(pubsub).await {
        PubSubEvent::Message(message) if !message.kind.is_confirmation() => message,
        other => panic!("{other:?} instead of a message"),
    }
}

/// The node a disconnection and then a reconnection name, in that order,
/// skipping confirmations.
async fn gap(pubsub: &mut PubSub) -> (String, String) {
    let lost = loop {
        match next_event(pubsub).await {
            PubSubEvent::Disconnected { node, .. } => break node,
            PubSubEvent::Message(m) if m.kind.is_confirmation() => {}
            other => panic!("{other:?} before the gap was reported"),
        }
    };
    let back = loop {
        match next_event(pubsub).await {
            PubSubEvent::Reconnected { node } => break node,
            PubSubEvent::Message(m) if m.kind.is_confirmation() => {}
            other => panic!("{other:?} before the gap ended"),
        }
    };
    (lost, back)
}

/// A shard channel named `{name:n}` whose slot `primary` serves: a hash
/// tag of this test's own, so that no other test's slot moves touch it.
fn shard_channel_on(cluster: &ClusterClient, primary: &str, name: &str) -> String {
    (0..)
        .map(|n| format!("{{{name}:{n}}}"))
        .find(|channel| {
            cluster.slot_owner(key_slot(channel.as_bytes())).as_deref() == Some(primary)
        })
        .unwrap()
}

/// How many subscribers `node` counts for shard channel `channel`.
async fn shard_subscribers(node: &Client, channel: &str) -> u64 {
    let counts = node.pubsub_shardnumsub(channel).await.unwrap();
    counts.first().map_or(0, |(_, n)| *n)
}

async fn primaries(cluster: &ClusterClient) -> Vec<Primary> {
    let mut out = Vec::new();
    for addr in cluster.primaries() {
        let client = Client::connect(format!("redis://{addr}")).await.unwrap();
        let id = client.cluster_myid().await.unwrap();
        out.push(Primary { addr, id, client });
    }
    out
}

#[tokio::test]
async fn channels_patterns_and_shard_channels_on_every_primary_arrive_in_order() {
    let cluster = ClusterClient::connect_nodes(settings(), servers().cluster())
        .await
        .unwrap();
    let prefix = prefix("order");
    let mut pubsub = cluster
        .pubsub()
        .await
        .unwrap()
        .ignore_subscribe_messages(true);
    let channels = [format!("{prefix}:a"), format!("{prefix}:b")];
    let pattern = format!("{prefix}:p.*");
    let matched = format!("{prefix}:p.x");
    let primaries = cluster.primaries();
    assert_eq!(primaries.len(), 3);
    let shards: Vec<String> = primaries
        .iter()
        .map(|primary| shard_channel_on(&cluster, primary, &format!("{prefix}:s")))
        .collect();
    pubsub.subscribe(&channels).await.unwrap();
    pubsub.psubscribe([&pattern]).await.unwrap();
    pubsub.ssubscribe(&shards).await.unwrap();

    // Each shard channel on its own slot's primary, and on no other.
    for (primary, channel) in primaries.iter().zip(&shards) {
        for node in &primaries {
            let want = u64::from(node == primary);
            let client = cluster.node(node).await.unwrap();
            assert_eq!(
                shard_subscribers(&client, channel).await,
                want,
                "{channel} on {node}"
            );
        }
    }

    // Channels published through one node (PUBLISH through different
    // nodes has no order between them); shard channels through the
    // cluster client, which sends SPUBLISH to the slot's owner.
    const COUNT: usize = 50;
    let publisher = cluster.node(&primaries[0]).await.unwrap();
    let moved = cluster.stats().moved;
    for i in 0..COUNT {
        for channel in channels.iter().chain([&matched]) {
            publisher.publish(channel, i).await.unwrap();
        }
        for channel in &shards {
            assert_eq!(cluster.spublish(channel, i).await.unwrap(), 1, "{channel}");
        }
    }
    // SPUBLISH went to the channel's slot owner at once, never by chance.
    assert_eq!(cluster.stats().moved, moved);
    let mut seen: HashMap<(MessageKind, String), usize> = HashMap::new();
    for _ in 0..COUNT * 6 {
        let m = next_msg(&mut pubsub).await;
        let channel = m.channel_str().unwrap().to_owned();
        match m.kind {
            MessageKind::Message => assert!(channels.contains(&channel), "{m:?}"),
            MessageKind::PMessage => {
                assert_eq!(channel, matched);
                assert_eq!(m.pattern.as_deref(), Some(pattern.as_bytes()));
            }
            MessageKind::SMessage => assert!(shards.contains(&channel), "{m:?}"),
            other => panic!("{other:?}"),
        }
        let next = seen.entry((m.kind, channel)).or_default();
        assert_eq!(m.payload_str(), Some(next.to_string().as_str()), "{m:?}");
        *next += 1;
    }
    assert_eq!(seen.len(), 6, "{seen:?}");

    // Unsubscribing a shard channel leaves it on no node; the others stay.
    pubsub.sunsubscribe([&shards[0]]).await.unwrap();
    let owner = cluster.node(&primaries[0]).await.unwrap();
    assert_eq!(shard_subscribers(&owner, &shards[0]).await, 0);
    assert_eq!(cluster.spublish(&shards[0], "gone").await.unwrap(), 0);
    cluster.spublish(&shards[1], "still").await.unwrap();
    let m = next_msg(&mut pubsub).await;
    assert_eq!(
        (m.channel_str(), m.payload_str()),
        (Some(&*shards[1]), Some("still"))
    );
    pubsub.sunsubscribe_all().await.unwrap();
    for (primary, channel) in primaries.iter().zip(&shards) {
        let client = cluster.node(primary).await.unwrap();
        assert_eq!(shard_subscribers(&client, channel).await, 0);
    }
}

#[tokio::test]
async fn a_shard_channel_follows_its_slot_when_it_moves() {
    let nodes = throwaway_cluster(&[], Duration::from_secs(1)).await;
    let cluster = ClusterClient::connect(nodes[0].url()).await.unwrap();
    // A client that will not hear of the move: its SSUBSCRIBE meets MOVED.
    let stale = ClusterClient::connect(nodes[0].url()).await.unwrap();
    stale.set_topology_refresh(None);
    let all = primaries(&cluster).await;
    let (from, to) = (&all[0], &all[1]);
    let channel = shard_channel_on(&cluster, &from.addr, &prefix("moving"));
    let slot = key_slot(channel.as_bytes());
    let mut pubsub = cluster
        .pubsub()
        .await
        .unwrap()
        .ignore_subscribe_messages(true);
    pubsub.ssubscribe([&channel]).await.unwrap();
    assert_eq!(cluster.spublish(&channel, "before").await.unwrap(), 1);
    assert_eq!(next_msg(&mut pubsub).await.payload_str(), Some("before"));

    move_slot(slot, from, to, &all, 10, Duration::ZERO).await;

    // The server unsubscribed it on the old owner; it is subscribed again
    // on the new one, and the stream says so.
    let (lost, back) = gap(&mut pubsub).await;
    assert_eq!((lost, back), (from.addr.clone(), to.addr.clone()));
    assert_eq!(shard_subscribers(&to.client, &channel).await, 1);
    assert_eq!(shard_subscribers(&from.client, &channel).await, 0);
    assert_eq!(cluster.spublish(&channel, "after").await.unwrap(), 1);
    assert_eq!(next_msg(&mut pubsub).await.payload_str(), Some("after"));

    // A map that still names the old owner: MOVED sends it to the new one.
    assert_eq!(stale.slot_owner(slot), Some(from.addr.clone()));
    let mut late = stale
        .pubsub()
        .await
        .unwrap()
        .ignore_subscribe_messages(true);
    late.ssubscribe([&channel]).await.unwrap();
    assert_eq!(shard_subscribers(&to.client, &channel).await, 2);
    assert_eq!(stale.slot_owner(slot), Some(to.addr.clone()));
    assert_eq!(cluster.spublish(&channel, "both").await.unwrap(), 2);
    assert_eq!(next_msg(&mut late).await.payload_str(), Some("both"));
    assert_eq!(next_msg(&mut pubsub).await.payload_str(), Some("both"));

    // Unsubscribing reaches the node the channel moved to.
    pubsub.sunsubscribe([&channel]).await.unwrap();
    assert_eq!(shard_subscribers(&to.client, &channel).await, 1);
    assert_eq!(cluster.spublish(&channel, "late only").await.unwrap(), 1);
    assert_eq!(next_msg(&mut late).await.payload_str(), Some("late only"));
}

#[tokio::test]
async fn a_shard_channel_moves_to_the_promoted_replica() {
    let mut nodes = throwaway_cluster(&[2], Duration::from_secs(1)).await;
    let cluster = ClusterClient::connect_nodes(
        settings().with_connect_timeout(Duration::from_millis(500)),
        [nodes[0].addr()],
    )
    .await
    .unwrap();
    let (dead, replica) = (nodes[2].addr(), nodes[3].addr());
    let channel = shard_channel_on(&cluster, &dead, &prefix("failover"));
    let mut pubsub = cluster
        .pubsub()
        .await
        .unwrap()
        .ignore_subscribe_messages(true);
    pubsub.ssubscribe([&channel]).await.unwrap();
    assert_eq!(cluster.spublish(&channel, "before").await.unwrap(), 1);
    assert_eq!(next_msg(&mut pubsub).await.payload_str(), Some("before"));

    nodes[2].kill();
    let (lost, back) = gap(&mut pubsub).await;
    assert_eq!((lost, back), (dead, replica.clone()));
    let promoted = Client::connect(nodes[3].url()).await.unwrap();
    assert_eq!(shard_subscribers(&promoted, &channel).await, 1);
    assert_eq!(cluster.spublish(&channel, "after").await.unwrap(), 1);
    assert_eq!(next_msg(&mut pubsub).await.payload_str(), Some("after"));
}

#[tokio::test]
async fn channels_and_patterns_move_to_another_node_when_theirs_dies() {
    let mut nodes = throwaway_cluster(&[], Duration::from_secs(1)).await;
    let cluster = ClusterClient::connect_nodes(
        settings().with_connect_timeout(Duration::from_millis(500)),
        [nodes[0].addr()],
    )
    .await
    .unwrap();
    let mut pubsub = cluster
        .pubsub()
        .await
        .unwrap()
        .ignore_subscribe_messages(true);
    pubsub.subscribe(["news"]).await.unwrap();
    pubsub.psubscribe(["weather.*"]).await.unwrap();

    // The node the subscriber picked: the one that counts it.
    let mut subscribed_on = None;
    for (i, node) in nodes.iter().enumerate() {
        let client = Client::connect(node.url()).await.unwrap();
        let counts = client.pubsub_numsub("news").await.unwrap();
        if counts.first().is_some_and(|(_, n)| *n == 1) {
            subscribed_on = Some(i);
        }
    }
    let victim = subscribed_on.expect("no node counts the subscriber");
    let survivor = Client::connect(nodes[(victim + 1) % nodes.len()].url())
        .await
        .unwrap();
    survivor.publish("news", "before").await.unwrap();
    assert_eq!(next_msg(&mut pubsub).await.payload_str(), Some("before"));

    let dead = nodes[victim].addr();
    nodes[victim].kill();
    let (lost, back) = gap(&mut pubsub).await;
    assert_eq!(lost, dead);
    assert_ne!(back, dead);
    survivor.publish("news", "after").await.unwrap();
    survivor.publish("weather.rain", "wet").await.unwrap();
    let m = next_msg(&mut pubsub).await;
    assert_eq!(
        (m.kind, m.payload_str()),
        (MessageKind::Message, Some("after"))
    );
    let m = next_msg(&mut pubsub).await;
    assert_eq!(
        (m.kind, m.payload_str()),
        (MessageKind::PMessage, Some("wet"))
    );
    pubsub.ping().await.unwrap();
}
