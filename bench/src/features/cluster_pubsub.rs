//! `cluster_pubsub`: sharded pub/sub on the cluster. One shard channel per primary; one
//! publisher (a redis-core `ClusterClient`, pipelines of 1,000 `SPUBLISH` taking the channels
//! in turn, split by node, the same for every column) to one subscriber of redis-core
//! (`ClusterClient::pubsub` + `ssubscribe`), redis-rs (its async cluster connection with a
//! push sender, RESP3 only) or fred (its clustered client, `ssubscribe` + `message_rx`).
//! Every message is checked in order on its channel; the publisher stays at most `WINDOW`
//! messages ahead of what the subscriber has received, as in the `pubsub` row.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fred::interfaces::{ClientLike, EventInterface, PubsubInterface};
use fred::prelude::{Builder, Config, ServerConfig};
use fred::types::RespVersion;
use redis_core::{ClusterClient, Pipeline, PubSubEvent, commands};
use tokio::sync::Notify;

use crate::clients::{Result, ours_config};
use crate::workload::{Limit, Sample};

/// SPUBLISHes per pipeline.
const BATCH: u64 = 1000;
/// Messages the publisher may be ahead of the subscriber.
const WINDOW: u64 = 20_000;
/// Payload length.
const PAYLOAD: usize = 64;

/// Message `seq`: 20 decimal digits, then `p` to 64 bytes.
fn payload(seq: u64) -> Vec<u8> {
    let mut bytes = format!("{seq:020}").into_bytes();
    bytes.resize(PAYLOAD, b'p');
    bytes
}

/// The last message of a channel: `end`, then `p` to 64 bytes.
fn end() -> Vec<u8> {
    let mut bytes = b"end".to_vec();
    bytes.resize(PAYLOAD, b'p');
    bytes
}

/// `host:port` of each node, as `--cluster` gives them.
fn nodes(list: &str) -> Result<Vec<(String, u16)>> {
    list.split(',')
        .map(|node| {
            let (host, port) = node
                .rsplit_once(':')
                .ok_or_else(|| format!("a cluster node is host:port, not {node:?}"))?;
            Ok((host.to_owned(), port.parse()?))
        })
        .collect()
}

/// What the subscriber has seen: message `seq` goes to channel `seq % channels`, so each
/// channel's next is its last plus the channel count.
struct Seen {
    channels: Vec<String>,
    next: Vec<u64>,
    ended: usize,
    count: u64,
    received: Arc<AtomicU64>,
    notify: Arc<Notify>,
}

impl Seen {
    /// Checks one message; `true` once every channel's last one came.
    fn on(&mut self, channel: &[u8], got: &[u8]) -> Result<bool> {
        let index = self
            .channels
            .iter()
            .position(|c| c.as_bytes() == channel)
            .ok_or_else(|| format!("a message on {:?}", String::from_utf8_lossy(channel)))?;
        if got.len() != PAYLOAD {
            return Err(format!("a {}-byte payload", got.len()).into());
        }
        if got.starts_with(b"end") {
            self.ended += 1;
            return Ok(self.ended == self.channels.len());
        }
        let seq: u64 = std::str::from_utf8(&got[..20])?.parse()?;
        if seq != self.next[index] {
            return Err(format!(
                "message {seq} where {} was due on {}",
                self.next[index], self.channels[index]
            )
            .into());
        }
        self.next[index] += self.channels.len() as u64;
        self.count += 1;
        self.received.store(self.count, Ordering::Release);
        if self.count.is_multiple_of(1000) {
            self.notify.notify_one();
        }
        Ok(false)
    }
}

/// A subscriber of one of the three clients, subscribed to every channel.
enum Subscriber {
    Ours(redis_core::PubSub),
    RedisRs(
        // Held, not read: the subscriptions live as long as the connection.
        #[allow(dead_code)] redis::cluster_async::ClusterConnection,
        tokio::sync::mpsc::UnboundedReceiver<redis::PushInfo>,
    ),
    Fred(
        fred::clients::Client,
        tokio::sync::broadcast::Receiver<fred::types::Message>,
    ),
}

impl Subscriber {
    async fn connect(column: &str, list: &str, resp: u8, channels: &[String]) -> Result<Self> {
        let nodes = nodes(list)?;
        Ok(match column {
            "ours" => {
                let (host, port) = nodes.first().ok_or("no cluster node")?;
                let config = ours_config(&format!("redis://{host}:{port}"), resp)?;
                let names: Vec<String> = nodes.iter().map(|(h, p)| format!("{h}:{p}")).collect();
                let cluster = ClusterClient::connect_nodes(config, names).await?;
                let pubsub = cluster.pubsub().await?.ignore_subscribe_messages(true);
                pubsub.ssubscribe(channels).await?;
                Subscriber::Ours(pubsub)
            }
            "redis-rs" => {
                if resp == 2 {
                    return Err("redis-rs subscribes on a cluster over RESP3 only".into());
                }
                let urls: Vec<String> = nodes
                    .iter()
                    .map(|(h, p)| format!("redis://{h}:{p}"))
                    .collect();
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                let client = redis::cluster::ClusterClient::builder(urls)
                    .use_protocol(redis::ProtocolVersion::RESP3)
                    .push_sender(tx)
                    .build()?;
                let mut connection = client.get_async_connection().await?;
                // One call per channel: the channels hash to different slots.
                for channel in channels {
                    connection.ssubscribe(channel).await?;
                }
                Subscriber::RedisRs(connection, rx)
            }
            _ => {
                let config = Config {
                    server: ServerConfig::new_clustered(nodes),
                    version: if resp == 2 {
                        RespVersion::RESP2
                    } else {
                        RespVersion::RESP3
                    },
                    ..Config::default()
                };
                // Its default of 32 would drop messages (Lagged) as soon as the subscriber
                // falls 32 behind: room for the whole window instead, as in `pubsub`.
                let client = Builder::from_config(config)
                    .with_performance_config(|p| {
                        p.broadcast_channel_capacity = (2 * WINDOW) as usize;
                    })
                    .build()?;
                client.init().await?;
                let rx = client.message_rx();
                for channel in channels {
                    client.ssubscribe(channel.as_str()).await?;
                }
                Subscriber::Fred(client, rx)
            }
        })
    }

    /// Receives until every channel's last message; how many came, and when the last did.
    async fn receive_all(mut self, mut seen: Seen) -> Result<(u64, Instant)> {
        loop {
            if self.receive_one(&mut seen).await? {
                if let Subscriber::Fred(client, _) = &self {
                    client.quit().await?;
                }
                return Ok((seen.count, Instant::now()));
            }
        }
    }

    /// One message, checked; `true` when it is the last.
    async fn receive_one(&mut self, seen: &mut Seen) -> Result<bool> {
        match self {
            Subscriber::Ours(pubsub) => match pubsub.next_message().await {
                Some(PubSubEvent::Message(message)) => seen.on(&message.channel, &message.payload),
                Some(other) => Err(format!("subscriber: {other:?}").into()),
                None => Err("the subscriber stopped".into()),
            },
            Subscriber::RedisRs(_, rx) => loop {
                let push = rx.recv().await.ok_or("the subscriber stopped")?;
                if push.kind != redis::PushKind::SMessage {
                    continue;
                }
                let [channel, payload] = push.data.as_slice() else {
                    return Err(format!("an smessage of {} items", push.data.len()).into());
                };
                let (redis::Value::BulkString(channel), redis::Value::BulkString(payload)) =
                    (channel, payload)
                else {
                    return Err("an smessage that is not two bulk strings".into());
                };
                return seen.on(channel, payload);
            },
            Subscriber::Fred(_, rx) => {
                let message = rx.recv().await?;
                let bytes = message.value.as_bytes().ok_or("a payload not bytes")?;
                seen.on(message.channel.as_bytes(), bytes)
            }
        }
    }
}

/// A warm-up and a measured run for the subscriber of `column` on the cluster `list`.
pub async fn measure(
    column: &str,
    list: &str,
    resp: u8,
    warmup: Limit,
    limit: Limit,
) -> Result<Sample> {
    one_run(column, list, resp, warmup.duration).await?;
    one_run(column, list, resp, limit.duration).await
}

async fn one_run(column: &str, list: &str, resp: u8, duration: Duration) -> Result<Sample> {
    let nodes = nodes(list)?;
    let (host, port) = nodes.first().ok_or("no cluster node")?;
    let config = ours_config(&format!("redis://{host}:{port}"), resp)?;
    let names: Vec<String> = nodes.iter().map(|(h, p)| format!("{h}:{p}")).collect();
    let publisher = ClusterClient::connect_nodes(config, names).await?;
    // One channel on each primary, through a hash tag its slot belongs to.
    let mut channels = Vec::new();
    let mut owners = Vec::new();
    for primary in publisher.primaries() {
        let tag = publisher
            .hash_tag_of(&primary)
            .ok_or("a primary without slots")?;
        channels.push(format!("bench:fcps:{column}:{tag}"));
        owners.push(publisher.node(&primary).await?);
    }
    let received = Arc::new(AtomicU64::new(0));
    let notify = Arc::new(Notify::new());
    let subscriber = Subscriber::connect(column, list, resp, &channels).await?;
    let seen = Seen {
        channels: channels.clone(),
        next: (0..channels.len() as u64).collect(),
        ended: 0,
        count: 0,
        received: received.clone(),
        notify: notify.clone(),
    };
    // Until each channel's owner counts the subscriber, so that no first SPUBLISH races it.
    let asked = Instant::now();
    for (channel, owner) in channels.iter().zip(&owners) {
        loop {
            let counts: Vec<(String, u64)> = redis_core::Cmd::new("PUBSUB")
                .arg("SHARDNUMSUB")
                .arg(channel.as_str())
                .query(owner)
                .await?;
            if counts.first().map(|c| c.1) == Some(1) {
                break;
            }
            if asked.elapsed() > Duration::from_secs(5) {
                return Err(format!("PUBSUB SHARDNUMSUB {channel} says {counts:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let receiving = tokio::spawn(subscriber.receive_all(seen));
    let started = Instant::now();
    let deadline = started + duration;
    let mut sent = 0u64;
    while Instant::now() < deadline {
        while sent - received.load(Ordering::Acquire) > WINDOW {
            if receiving.is_finished() {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(10), notify.notified()).await;
        }
        if receiving.is_finished() {
            break;
        }
        let mut pipe = Pipeline::<Vec<u64>>::default();
        for seq in sent..sent + BATCH {
            let channel = &channels[(seq % channels.len() as u64) as usize];
            pipe.push(commands::spublish(channel.as_str(), payload(seq)));
        }
        let receivers = pipe.query(&publisher).await?;
        if receivers.len() as u64 != BATCH || receivers.iter().any(|&r| r != 1) {
            if receiving.is_finished() {
                receiving.await??;
            }
            let reached = receivers.iter().filter(|&&r| r == 1).count();
            return Err(format!(
                "{reached} of {BATCH} SPUBLISHes reached the subscriber ({received} of {sent} \
                 received)",
                received = received.load(Ordering::Acquire)
            )
            .into());
        }
        sent += BATCH;
    }
    for channel in &channels {
        let last: u64 = commands::spublish(channel.as_str(), end())
            .query(&publisher)
            .await?;
        if last != 1 {
            return Err(format!("the last SPUBLISH on {channel} reached {last}").into());
        }
    }
    let (count, finished) = receiving.await??;
    if count != sent {
        return Err(format!("{count} messages received of {sent} published").into());
    }
    Ok(Sample {
        rate: count as f64 / (finished - started).as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}
