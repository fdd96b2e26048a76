//! `pubsub`: one publisher (redis-core, pipelines of 1,000 PUBLISH, the same for every column)
//! to one subscriber of redis-core, redis-rs or fred; every message counted and checked in
//! order. The publisher stays at most `WINDOW` messages ahead of what the subscriber has
//! received, so the server's output buffer for the subscriber never fills: the figure is the
//! rate the subscriber keeps up with.
//!
//! `pubsub_backlog`: the subscriber alone. It runs on a thread and runtime of its own, parked
//! while the publisher sends `ROUND` messages (the server holds them for it), then drains them;
//! the figure is messages over the drain times, so neither the publisher nor the server's
//! work per `PUBLISH` is in it, and every client gets the same single-threaded runtime.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fred::interfaces::{ClientLike, EventInterface, PubsubInterface};
use futures_util::StreamExt;
use redis_core::{Client, Pipeline, PubSubEvent, commands};
use tokio::sync::Notify;

use crate::clients::{Result, ours_config};
use crate::workload::{Limit, Sample};

/// PUBLISHes per pipeline.
const BATCH: u64 = 1000;
/// Messages the publisher may be ahead of the subscriber.
const WINDOW: u64 = 20_000;
/// Messages published while the backlog subscriber is parked, then drained: about 11 MB
/// of RESP3 frames, under the server's hard limit for a subscriber's output (32 MB) and over
/// its soft one (8 MB) for far less than the 60 s that limit allows.
const ROUND: u64 = 100_000;
/// Payload length.
const PAYLOAD: usize = 64;

/// Message `seq`: 20 decimal digits, then `p` to 64 bytes.
fn payload(seq: u64) -> Vec<u8> {
    let mut bytes = format!("{seq:020}").into_bytes();
    bytes.resize(PAYLOAD, b'p');
    bytes
}

/// The last message: `end`, then `p` to 64 bytes.
fn end() -> Vec<u8> {
    let mut bytes = b"end".to_vec();
    bytes.resize(PAYLOAD, b'p');
    bytes
}

/// What the subscriber has seen.
struct Seen {
    next: u64,
    received: Arc<AtomicU64>,
    notify: Arc<Notify>,
}

impl Seen {
    /// Checks one payload; `true` once it is the last one.
    fn on(&mut self, got: &[u8]) -> Result<bool> {
        if got.len() != PAYLOAD {
            return Err(format!("a {}-byte payload", got.len()).into());
        }
        if got.starts_with(b"end") {
            return Ok(true);
        }
        let seq: u64 = std::str::from_utf8(&got[..20])?.parse()?;
        if seq != self.next {
            return Err(format!("message {seq} where {} was due", self.next).into());
        }
        self.next += 1;
        self.received.store(self.next, Ordering::Release);
        if self.next.is_multiple_of(1000) {
            self.notify.notify_one();
        }
        Ok(false)
    }
}

/// A subscriber of one of the three clients, subscribed.
enum Subscriber {
    Ours(redis_core::PubSub),
    RedisRs(redis::aio::PubSubStream),
    Fred(
        fred::clients::Client,
        tokio::sync::broadcast::Receiver<fred::types::Message>,
    ),
}

impl Subscriber {
    async fn connect(column: &str, url: &str, resp: u8, channel: &str) -> Result<Subscriber> {
        Ok(match column {
            "ours" => {
                let client = Client::connect(ours_config(url, resp)?).await?;
                let pubsub = client.pubsub().await?.ignore_subscribe_messages(true);
                pubsub.subscribe([channel]).await?;
                Subscriber::Ours(pubsub)
            }
            "redis-rs" => {
                let separator = if url.contains('?') { '&' } else { '?' };
                let url = format!("{url}{separator}protocol=resp{resp}");
                let client = redis::Client::open(url.as_str())?;
                let mut pubsub = client.get_async_pubsub().await?;
                pubsub.subscribe(channel).await?;
                Subscriber::RedisRs(pubsub.into_on_message())
            }
            _ => {
                let mut config = fred::prelude::Config::from_url(url)?;
                config.version = if resp == 2 {
                    fred::types::RespVersion::RESP2
                } else {
                    fred::types::RespVersion::RESP3
                };
                // Its default of 32 would drop messages (Lagged) as soon as the subscriber
                // falls 32 behind; room for the whole window (and a backlog round, which its
                // reader may take in faster than the subscriber drains it) instead.
                let client = fred::prelude::Builder::from_config(config)
                    .with_performance_config(|p| {
                        p.broadcast_channel_capacity = (2 * WINDOW).max(2 * ROUND) as usize;
                    })
                    .build()?;
                client.init().await?;
                let rx = client.message_rx();
                client.subscribe(channel).await?;
                Subscriber::Fred(client, rx)
            }
        })
    }

    /// Receives until the last message; how many came before it, and when it came.
    async fn receive_all(mut self, mut seen: Seen) -> Result<(u64, Instant)> {
        loop {
            let done = self.receive_one(&mut seen).await?;
            if done {
                self.quit().await?;
                return Ok((seen.next, Instant::now()));
            }
        }
    }

    /// Receives until message `until` is due.
    async fn receive_until(&mut self, seen: &mut Seen, until: u64) -> Result<()> {
        while seen.next < until {
            if self.receive_one(seen).await? {
                return Err("the last message before its time".into());
            }
        }
        Ok(())
    }

    async fn quit(&self) -> Result<()> {
        if let Subscriber::Fred(client, _) = self {
            client.quit().await?;
        }
        Ok(())
    }

    /// One message, checked; `true` when it is the last.
    async fn receive_one(&mut self, seen: &mut Seen) -> Result<bool> {
        {
            let done = match self {
                Subscriber::Ours(pubsub) => match pubsub.next_message().await {
                    Some(PubSubEvent::Message(message)) => seen.on(&message.payload)?,
                    Some(other) => return Err(format!("subscriber: {other:?}").into()),
                    None => return Err("the subscriber stopped".into()),
                },
                Subscriber::RedisRs(stream) => match stream.next().await {
                    Some(message) => seen.on(message.get_payload_bytes())?,
                    None => return Err("the subscriber stopped".into()),
                },
                Subscriber::Fred(_, rx) => {
                    let message = rx.recv().await?;
                    let bytes = message.value.as_bytes().ok_or("a payload not bytes")?;
                    seen.on(bytes)?
                }
            };
            Ok(done)
        }
    }
}

/// A warm-up and a measured run for the subscriber of `column`.
pub async fn measure(
    column: &str,
    url: &str,
    resp: u8,
    warmup: Limit,
    limit: Limit,
) -> Result<Sample> {
    one_run(column, url, resp, warmup.duration).await?;
    one_run(column, url, resp, limit.duration).await
}

async fn one_run(column: &str, url: &str, resp: u8, duration: Duration) -> Result<Sample> {
    let channel = format!("bench:fps:{column}");
    let publisher = Client::connect(ours_config(url, resp)?).await?;
    let received = Arc::new(AtomicU64::new(0));
    let notify = Arc::new(Notify::new());
    let subscriber = Subscriber::connect(column, url, resp, &channel).await?;
    let seen = Seen {
        next: 0,
        received: received.clone(),
        notify: notify.clone(),
    };
    // Every client's subscribe call returns once its SUBSCRIBE is sent or confirmed; wait
    // until the server counts the subscriber, so that no column's first PUBLISH races it.
    let asked = Instant::now();
    loop {
        let counts: Vec<(String, u64)> = redis_core::Cmd::new("PUBSUB")
            .arg("NUMSUB")
            .arg(channel.as_str())
            .query(&publisher)
            .await?;
        if counts.first().map(|c| c.1) == Some(1) {
            break;
        }
        if asked.elapsed() > Duration::from_secs(5) {
            return Err(format!("PUBSUB NUMSUB {channel} says {counts:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
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
            pipe.push(commands::publish(channel.as_str(), payload(seq)));
        }
        let receivers = pipe.query(&publisher).await?;
        if receivers.len() as u64 != BATCH || receivers.iter().any(|&r| r != 1) {
            // The subscriber's own failure, if that is why, says more.
            if receiving.is_finished() {
                receiving.await??;
            }
            let reached = receivers.iter().filter(|&&r| r == 1).count();
            return Err(format!(
                "{reached} of {BATCH} PUBLISHes reached the subscriber ({received} of {sent} \
                 received)",
                received = received.load(Ordering::Acquire)
            )
            .into());
        }
        sent += BATCH;
    }
    let last: u64 = commands::publish(channel.as_str(), end())
        .query(&publisher)
        .await?;
    if last != 1 {
        return Err(format!("the last PUBLISH reached {last} subscribers").into());
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

/// A warm-up and a measured run of the backlog drain for the subscriber of `column`.
pub async fn measure_backlog(
    column: &str,
    url: &str,
    resp: u8,
    warmup: Limit,
    limit: Limit,
) -> Result<Sample> {
    backlog_run(column, url, resp, warmup.duration).await?;
    backlog_run(column, url, resp, limit.duration).await
}

/// Rounds of `ROUND` messages published to the parked subscriber, then drained, until
/// `duration` has passed (at least one round).
async fn backlog_run(column: &str, url: &str, resp: u8, duration: Duration) -> Result<Sample> {
    let channel = format!("bench:fpb:{column}");
    let publisher = Client::connect(ours_config(url, resp)?).await?;
    let (go, go_rx) = std::sync::mpsc::channel::<u64>();
    let (done_tx, mut done) = tokio::sync::mpsc::unbounded_channel::<Result<Duration, String>>();
    let (column_owned, url_owned, channel_owned) =
        (column.to_owned(), url.to_owned(), channel.clone());
    let thread = std::thread::Builder::new()
        .name("subscriber".into())
        .spawn(move || {
            let report = |result: Result<Duration, String>| done_tx.send(result).is_ok();
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => return report(Err(e.to_string())),
            };
            let connected = runtime.block_on(Subscriber::connect(
                &column_owned,
                &url_owned,
                resp,
                &channel_owned,
            ));
            let mut subscriber = match connected {
                Ok(subscriber) => subscriber,
                Err(e) => return report(Err(e.to_string())),
            };
            if !report(Ok(Duration::ZERO)) {
                return false;
            }
            let mut seen = Seen {
                next: 0,
                received: Arc::new(AtomicU64::new(0)),
                notify: Arc::new(Notify::new()),
            };
            // Parked in `recv` between rounds: a current-thread runtime does no I/O while its
            // thread is not inside `block_on`, so the backlog waits in the server and the socket.
            while let Ok(until) = go_rx.recv() {
                let started = Instant::now();
                let drained = runtime.block_on(subscriber.receive_until(&mut seen, until));
                let result = drained.map(|()| started.elapsed());
                if !report(result.map_err(|e| e.to_string())) {
                    return false;
                }
            }
            runtime.block_on(subscriber.quit()).is_ok()
        })?;
    done.recv().await.ok_or("the subscriber thread stopped")??;
    let asked = Instant::now();
    loop {
        let counts: Vec<(String, u64)> = redis_core::Cmd::new("PUBSUB")
            .arg("NUMSUB")
            .arg(channel.as_str())
            .query(&publisher)
            .await?;
        if counts.first().map(|c| c.1) == Some(1) {
            break;
        }
        if asked.elapsed() > Duration::from_secs(5) {
            return Err(format!("PUBSUB NUMSUB {channel} says {counts:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let started = Instant::now();
    let (mut sent, mut draining) = (0u64, Duration::ZERO);
    while sent == 0 || started.elapsed() < duration {
        for first in (sent..sent + ROUND).step_by(BATCH as usize) {
            let mut pipe = Pipeline::<Vec<u64>>::default();
            for seq in first..first + BATCH {
                pipe.push(commands::publish(channel.as_str(), payload(seq)));
            }
            let receivers = pipe.query(&publisher).await?;
            if receivers.len() as u64 != BATCH || receivers.iter().any(|&r| r != 1) {
                return Err(
                    format!("a PUBLISH of messages {first}.. reached no subscriber").into(),
                );
            }
        }
        sent += ROUND;
        go.send(sent).map_err(|_| "the subscriber thread stopped")?;
        draining += done.recv().await.ok_or("the subscriber thread stopped")??;
    }
    drop(go);
    let quit = tokio::task::spawn_blocking(move || thread.join()).await?;
    if !matches!(quit, Ok(true)) {
        return Err("the subscriber thread did not end cleanly".into());
    }
    Ok(Sample {
        rate: sent as f64 / draining.as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}
