//! The memory figures of issue 16, for redis-core only: heap per in-flight command, and the
//! peak heap while a large bulk reply is read.

use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use redis_core::commands::StringCommands;
use redis_core::resp::Limits;
use redis_core::{Client, Cmd};

use crate::alloc;
use crate::clients::{Fred, RedisRs, Result, ours_config};
use crate::data::Data;

/// How long the server is paused while commands pile up in flight.
const PAUSE_MS: u64 = 1_000;
/// When, after the commands were first polled, the heap is sampled: long enough for all of
/// them to be queued and written, well inside the pause.
const SAMPLE_AFTER: Duration = Duration::from_millis(300);
/// The server's default `proto-max-bulk-len`.
const DEFAULT_MAX_BULK: usize = 512 * 1024 * 1024;

/// Heap cost of commands waiting for their replies.
#[derive(Debug)]
pub struct InFlight {
    /// Commands in flight.
    pub count: usize,
    /// Encoded size of one command: the bytes any client must hold until written.
    pub payload: usize,
    /// Size of one command's future (`client.get(key)`), heap-allocated here by the harness.
    pub future_size: usize,
    /// Per command: (peak heap since the window opened - payload) / count.
    pub per_command: f64,
    /// Per command, growth while the futures were created (not polled yet): the future, the
    /// buffer of its `Cmd` (encoded at once) and the harness's `FuturesUnordered` node.
    pub created_per_command: f64,
    /// Per command, growth from the first poll on only: what the client queued internally
    /// (reply slots, buffers), without the futures themselves.
    pub client_per_command: f64,
    /// The same peak figure for redis-rs (one multiplexed connection, a clone of it per
    /// command, since its commands take `&mut self`) and fred (one client), measured alike.
    pub peers: Vec<(&'static str, f64)>,
}

/// The heap a batch of in-flight GETs took, in bytes: at its peak, once created, once queued.
struct Counted {
    peak: usize,
    created: usize,
    queued: usize,
}

/// Keeps `count` GETs of 64-byte values in flight on one client of ours, then of each peer,
/// while the server is paused (CLIENT PAUSE from another connection), and counts the heap
/// they take.
pub async fn in_flight(url: &str, resp: u8, count: usize, data: &Data) -> Result<InFlight> {
    let client = connect(url, resp, None).await?;
    let admin = connect(url, resp, None).await?;
    let keys: Vec<&str> = (0..count)
        .map(|i| data.keys[i % data.keys.len()].as_str())
        .collect();
    let expected = data.value.len();
    let payload = keys.iter().map(|k| encoded_get_len(k)).sum::<usize>() / count;
    let future_size = std::mem::size_of_val(&client.get::<Option<Bytes>>(keys[0]));
    let per_command =
        |counted: &Counted| (counted.peak as f64 - (payload * count) as f64) / count as f64;

    let ours = count_in_flight(&admin, &keys, expected, |key| {
        client
            .get::<Option<Bytes>>(key)
            .map(|reply| Ok(reply?.map(|v| v.len())))
    })
    .await?;

    let mut peers = Vec::new();
    let redis_rs = RedisRs::connect_patient(url, resp).await?;
    let counted = count_in_flight(&admin, &keys, expected, |key| {
        let mut conn = redis_rs.0.clone();
        async move {
            let value: Option<Vec<u8>> = redis::AsyncCommands::get(&mut conn, key).await?;
            Ok(value.map(|v| v.len()))
        }
    })
    .await?;
    peers.push(("redis-rs", per_command(&counted)));
    let fred = Fred::connect(url, resp).await?;
    let counted = count_in_flight(&admin, &keys, expected, |key| {
        fred::prelude::KeysInterface::get::<Option<Bytes>, _>(&fred.0, key)
            .map(|reply| Ok(reply?.map(|v| v.len())))
    })
    .await?;
    peers.push(("fred", per_command(&counted)));

    Ok(InFlight {
        count,
        payload,
        future_size,
        per_command: per_command(&ours),
        created_per_command: ours.created as f64 / count as f64,
        client_per_command: (ours.queued - ours.created) as f64 / count as f64,
        peers,
    })
}

/// Creates one GET future per key with `get` (whose output is the value's length), polls
/// them all while the server is paused, samples the heap, then checks every reply.
async fn count_in_flight<'k, F, Fut>(
    admin: &Client,
    keys: &[&'k str],
    expected: usize,
    mut get: F,
) -> Result<Counted>
where
    F: FnMut(&'k str) -> Fut,
    Fut: Future<Output = Result<Option<usize>>>,
{
    // One round trip first, so nothing lazily initialised is counted.
    get(keys[0]).await?;
    let () = Cmd::new("CLIENT")
        .arg("PAUSE")
        .arg(PAUSE_MS)
        .arg("ALL")
        .query(admin)
        .await?;
    alloc::open();
    let mut pending: FuturesUnordered<_> = keys.iter().map(|k| get(k)).collect();
    let created = alloc::current();
    let early = tokio::time::timeout(SAMPLE_AFTER, pending.next()).await;
    let (peak, queued) = (alloc::peak(), alloc::current());
    alloc::close();
    if early.is_ok() {
        return Err("a reply arrived while the server should have been paused; \
                    the in-flight figure would be wrong"
            .into());
    }

    let mut completed = 0;
    while let Some(reply) = pending.next().await {
        if reply? != Some(expected) {
            return Err("an in-flight GET returned a value of the wrong size".into());
        }
        completed += 1;
    }
    if completed != keys.len() {
        return Err(format!("{completed} of {} in-flight GETs completed", keys.len()).into());
    }
    Ok(Counted {
        peak: usize::try_from(peak).unwrap_or(0),
        created: usize::try_from(created).unwrap_or(0),
        queued: usize::try_from(queued).unwrap_or(0),
    })
}

/// `*2\r\n$3\r\nGET\r\n$<len>\r\n<key>\r\n`.
fn encoded_get_len(key: &str) -> usize {
    "*2\r\n$3\r\nGET\r\n".len() + 1 + key.len().to_string().len() + 2 + key.len() + 2
}

/// Heap while one large bulk reply is read.
#[derive(Debug)]
pub struct BigReply {
    /// The value's size in bytes.
    pub size: usize,
    /// Peak heap growth during the GET, divided by the value's size.
    pub peak_ratio: f64,
    /// Heap growth once the GET returned the value, divided by its size.
    pub held_ratio: f64,
}

/// GETs one value of `size` bytes, made on the server with SETRANGE so that sending it
/// costs the client nothing, and compares the peak heap during the GET with the size.
pub async fn big_reply(url: &str, resp: u8, size: usize) -> Result<BigReply> {
    let key = "bench:big";
    let limits = (size > DEFAULT_MAX_BULK).then(|| Limits {
        max_bulk_len: size,
        ..Limits::default()
    });
    let client = connect(url, resp, limits).await?;
    if size > DEFAULT_MAX_BULK {
        let () = Cmd::new("CONFIG")
            .arg("SET")
            .arg("proto-max-bulk-len")
            .arg(size)
            .query(&client)
            .await?;
    }
    let () = Cmd::new("DEL").arg(key).query(&client).await?;
    let length: usize = Cmd::new("SETRANGE")
        .arg(key)
        .arg(size - 1)
        .arg("x")
        .query(&client)
        .await?;
    if length != size {
        return Err(format!("SETRANGE made a value of {length} bytes, not {size}").into());
    }

    alloc::open();
    let value: Option<Bytes> = client.get(key).await?;
    let (peak, held) = (alloc::peak(), alloc::current());
    alloc::close();

    let ok = value
        .as_ref()
        .is_some_and(|v| v.len() == size && v.first() == Some(&0) && v.last() == Some(&b'x'));
    drop(value);
    let () = Cmd::new("DEL").arg(key).query(&client).await?;
    if !ok {
        return Err(format!("GET of the {size}-byte value returned something else").into());
    }
    Ok(BigReply {
        size,
        peak_ratio: peak as f64 / size as f64,
        held_ratio: held as f64 / size as f64,
    })
}

async fn connect(url: &str, resp: u8, limits: Option<Limits>) -> Result<Client> {
    let mut config = ours_config(url, resp)?;
    if let Some(limits) = limits {
        config = config.with_limits(limits);
    }
    Ok(Client::connect(config).await?)
}
