//! `channel`: redis-om's typed `Channel<Tick>` (JSON text) against the same events published
//! and decoded by hand with serde_json over redis-core's raw pub/sub. `PUBLISHERS` tasks
//! publish in turn, one event at a time each, to one subscriber, which checks that each
//! publisher's events arrive complete and in order. The publishers stay at most `WINDOW`
//! events ahead of the subscriber.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis_core::commands::PubSubCommands;
use redis_core::{Client, PubSubEvent};
use redis_om::Channel;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::clients::Result;
use crate::workload::{Limit, Sample};

/// Publishing tasks.
const PUBLISHERS: u32 = 16;
/// Events the publishers may be ahead of the subscriber.
const WINDOW: u64 = 20_000;

/// The event: a publisher, its sequence number, a label and a reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tick {
    publisher: u32,
    seq: u64,
    label: String,
    reading: f64,
}

impl Tick {
    fn new(publisher: u32, seq: u64) -> Tick {
        Tick {
            publisher,
            seq,
            label: format!("sensor-{publisher}"),
            reading: seq as f64 * 0.5,
        }
    }
}

/// A warm-up and a measured run.
pub async fn measure(om: bool, client: &Client, warmup: Limit, limit: Limit) -> Result<Sample> {
    one_run(om, client, warmup.duration).await?;
    one_run(om, client, limit.duration).await
}

/// One side's publish and subscription.
#[derive(Clone)]
enum Side {
    Om(Channel<Tick>),
    ByHand(Client, &'static str),
}

impl Side {
    async fn publish(&self, tick: &Tick) -> Result<u64> {
        Ok(match self {
            Side::Om(channel) => channel.publish(tick).await?,
            Side::ByHand(client, name) => client.publish(*name, serde_json::to_vec(tick)?).await?,
        })
    }
}

async fn one_run(om: bool, client: &Client, duration: Duration) -> Result<Sample> {
    let name = if om { "bench:fch:om" } else { "bench:fch:hand" };
    let side = if om {
        Side::Om(Channel::new(client, name))
    } else {
        Side::ByHand(client.clone(), name)
    };
    let received = Arc::new(AtomicU64::new(0));
    let notify = Arc::new(Notify::new());
    let receiving = {
        let (received, notify) = (received.clone(), notify.clone());
        // Subscribed before any publisher starts.
        enum Sub {
            Om(redis_om::Events<Tick>),
            ByHand(redis_core::PubSub),
        }
        let mut sub = match &side {
            Side::Om(channel) => Sub::Om(channel.subscribe().await?),
            Side::ByHand(client, name) => {
                let pubsub = client.pubsub().await?.ignore_subscribe_messages(true);
                pubsub.subscribe([*name]).await?;
                Sub::ByHand(pubsub)
            }
        };
        tokio::spawn(async move {
            let mut next = vec![0u64; PUBLISHERS as usize];
            let mut count = 0u64;
            loop {
                let tick: Tick = match &mut sub {
                    Sub::Om(events) => events.next().await.ok_or("the subscriber stopped")??,
                    Sub::ByHand(pubsub) => match pubsub.next_message().await {
                        Some(PubSubEvent::Message(m)) => serde_json::from_slice(&m.payload)?,
                        other => return Err(format!("subscriber: {other:?}").into()),
                    },
                };
                if tick.publisher == u32::MAX {
                    return Ok::<_, crate::clients::Error>((count, Instant::now()));
                }
                let due = next
                    .get_mut(tick.publisher as usize)
                    .ok_or("an event of an unknown publisher")?;
                if tick != Tick::new(tick.publisher, *due) {
                    return Err(format!("{tick:?} where seq {due} was due").into());
                }
                *due += 1;
                count += 1;
                received.store(count, Ordering::Release);
                if count.is_multiple_of(1000) {
                    notify.notify_waiters();
                }
            }
        })
    };
    let sent = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let publishers: Vec<_> = (0..PUBLISHERS)
        .map(|publisher| {
            let (side, sent, received, notify) =
                (side.clone(), sent.clone(), received.clone(), notify.clone());
            tokio::spawn(async move {
                let mut seq = 0u64;
                while Instant::now() < deadline {
                    while sent.load(Ordering::Relaxed) - received.load(Ordering::Acquire) > WINDOW {
                        let _ =
                            tokio::time::timeout(Duration::from_millis(5), notify.notified()).await;
                    }
                    let receivers = side.publish(&Tick::new(publisher, seq)).await?;
                    if receivers != 1 {
                        return Err(format!("PUBLISH reached {receivers} subscribers").into());
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                    seq += 1;
                }
                Ok::<_, crate::clients::Error>(())
            })
        })
        .collect();
    for publisher in publishers {
        publisher.await??;
    }
    let last = side.publish(&Tick::new(u32::MAX, 0)).await?;
    if last != 1 {
        return Err(format!("the last PUBLISH reached {last} subscribers").into());
    }
    let (count, finished) = receiving.await??;
    let sent = sent.load(Ordering::Relaxed);
    if count != sent {
        return Err(format!("{count} events received of {sent} published").into());
    }
    Ok(Sample {
        rate: count as f64 / (finished - started).as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}
