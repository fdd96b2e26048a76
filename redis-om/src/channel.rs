//! Typed pub/sub channels: events of one Rust type published and received
//! through serde, on the core's [`PubSub`](redis_core::PubSub).
//!
//! A payload says its encoding: MessagePack events begin with the byte
//! `0xC1` (which MessagePack never uses and no JSON text or UTF-8 string
//! begins with), JSON events are plain JSON text, so other clients can
//! publish JSON events by hand. A receiver reading one encoding and
//! handed the other, or bytes that are not an event of its type, gets an
//! error item naming the channel, and the stream goes on.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use redis_core::commands::PubSubCommands;
use redis_core::{Error, ErrorKind, Message, PubSub, PubSubEvent, Redis, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::encoding::{Encoding, JsonText};

/// The byte a MessagePack event begins with.
const MESSAGE_PACK_MARK: u8 = 0xC1;

/// How a channel's events are published: [`PUBLISH`] to every subscriber
/// of the server, or [`SPUBLISH`] to a shard channel (on a cluster, the
/// shard that owns the channel's slot).
///
/// [`PUBLISH`]: https://redis.io/docs/latest/commands/publish/
/// [`SPUBLISH`]: https://redis.io/docs/latest/commands/spublish/
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Global,
    Shard,
}

/// A pub/sub channel whose messages are events of type `E`, encoded with
/// `Enc` ([`JsonText`] by default, or
/// [`MessagePack`](crate::encoding::MessagePack)).
///
/// ```no_run
/// use redis_om::Channel;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, Debug)]
/// struct OrderPlaced {
///     order: u64,
///     total: f64,
/// }
///
/// # async fn run(client: &redis_om::core::Client) -> redis_om::core::Result<()> {
/// let orders = Channel::<OrderPlaced>::new(client, "orders");
/// let mut events = orders.subscribe().await?;
/// orders.publish(&OrderPlaced { order: 7, total: 9.5 }).await?;
/// while let Some(event) = events.next().await {
///     match event {
///         Ok(placed) => println!("order {} placed", placed.order),
///         Err(error) => eprintln!("skipped: {error}"), // a malformed payload; the stream goes on
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Channel<E, Enc = JsonText> {
    client: Redis,
    name: String,
    scope: Scope,
    types: PhantomData<fn() -> (E, Enc)>,
}

impl<E, Enc> Clone for Channel<E, Enc> {
    fn clone(&self) -> Self {
        Channel {
            client: self.client.clone(),
            name: self.name.clone(),
            scope: self.scope,
            types: PhantomData,
        }
    }
}

impl<E, Enc: Encoding> fmt::Debug for Channel<E, Enc> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("name", &self.name)
            .field("encoding", &Enc::NAME)
            .field("sharded", &(self.scope == Scope::Shard))
            .finish()
    }
}

impl<E: Serialize + DeserializeOwned, Enc: Encoding> Channel<E, Enc> {
    /// The channel `name` through `client`: a [`Client`](redis_core::Client), a
    /// [`ClusterClient`](redis_core::ClusterClient) (its subscriber follows a shard
    /// channel's slot) or a [`Redis`] handle.
    pub fn new(client: &(impl Clone + Into<Redis>), name: impl Into<String>) -> Self {
        Channel {
            client: client.clone().into(),
            name: name.into(),
            scope: Scope::Global,
            types: PhantomData,
        }
    }

    /// The same channel as a shard channel (`SPUBLISH`/`SSUBSCRIBE`).
    pub fn sharded(mut self) -> Self {
        self.scope = Scope::Shard;
        self
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Publishes `event`; how many subscribers received it (on a cluster,
    /// those of the node it was published on). An event serde cannot
    /// write fails with [`ErrorKind::InvalidInput`] and nothing is sent.
    pub async fn publish(&self, event: &E) -> Result<u64> {
        let payload = encode::<E, Enc>(event, &self.name)?;
        match self.scope {
            Scope::Global => self.client.publish(&self.name, payload).await,
            Scope::Shard => self.client.spublish(&self.name, payload).await,
        }
    }

    /// Subscribes through [`Redis::pubsub`] (on one server the client's RESP3
    /// connection, or a connection of its own), which reconnects and subscribes
    /// again by itself; the events published from when this returns on.
    pub async fn subscribe(&self) -> Result<Events<E, Enc>> {
        let pubsub = self.client.pubsub().await?.ignore_subscribe_messages(true);
        match self.scope {
            Scope::Global => pubsub.subscribe([&self.name]).await?,
            Scope::Shard => pubsub.ssubscribe([&self.name]).await?,
        }
        Ok(Events::new(pubsub))
    }
}

/// Events of type `E` from the channels whose names match a glob-style
/// pattern (`orders.*`), each with the channel it was published on.
///
/// ```no_run
/// use redis_om::ChannelPattern;
///
/// # async fn run(client: &redis_om::core::Client) -> redis_om::core::Result<()> {
/// let mut prices = ChannelPattern::<f64>::new(client, "price.*").subscribe().await?;
/// while let Some(Ok((channel, price))) = prices.next().await {
///     println!("{channel}: {price}");
/// }
/// # Ok(()) }
/// ```
pub struct ChannelPattern<E, Enc = JsonText> {
    client: Redis,
    pattern: String,
    types: PhantomData<fn() -> (E, Enc)>,
}

impl<E: DeserializeOwned, Enc: Encoding> ChannelPattern<E, Enc> {
    /// The channels matching `pattern`, through `client` as [`Channel::new`] takes it.
    pub fn new(client: &(impl Clone + Into<Redis>), pattern: impl Into<String>) -> Self {
        ChannelPattern {
            client: client.clone().into(),
            pattern: pattern.into(),
            types: PhantomData,
        }
    }

    /// Subscribes (`PSUBSCRIBE`) as [`Channel::subscribe`] does.
    pub async fn subscribe(&self) -> Result<PatternEvents<E, Enc>> {
        let pubsub = self.client.pubsub().await?.ignore_subscribe_messages(true);
        pubsub.psubscribe([&self.pattern]).await?;
        Ok(PatternEvents {
            events: Events::new(pubsub),
        })
    }
}

/// The events of a [`Channel`]: a [`Stream`] of `Result<E>`. An item is an
/// error when a payload is not an event of type `E` in the channel's
/// encoding ([`ErrorKind::Decode`], naming the channel), or when the
/// connection was lost ([`ErrorKind::Io`]: events published until it is
/// back are missed, as in Redis); the stream goes on after either.
pub struct Events<E, Enc = JsonText> {
    pubsub: PubSub,
    types: PhantomData<fn() -> (E, Enc)>,
}

impl<E, Enc> fmt::Debug for Events<E, Enc> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("pubsub", &self.pubsub)
            .finish()
    }
}

impl<E: DeserializeOwned, Enc: Encoding> Events<E, Enc> {
    fn new(pubsub: PubSub) -> Self {
        Events {
            pubsub,
            types: PhantomData,
        }
    }

    /// The next event; `None` once the subscriber was closed.
    pub async fn next(&mut self) -> Option<Result<E>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next event with the channel it came on.
    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<(Bytes, E)>>> {
        loop {
            let Some(event) = ready!(Pin::new(&mut self.pubsub).poll_next(cx)) else {
                return Poll::Ready(None);
            };
            match event {
                PubSubEvent::Message(message) => {
                    let Message {
                        channel, payload, ..
                    } = message;
                    let event = decode::<E, Enc>(&payload, &channel);
                    return Poll::Ready(Some(event.map(|event| (channel, event))));
                }
                PubSubEvent::Disconnected { node, error } => {
                    return Poll::Ready(Some(Err(Error::new(
                        ErrorKind::Io,
                        format!(
                            "the subscription's connection to {node} was lost ({error}); events \
                             published until it is back are missed"
                        ),
                    ))));
                }
                // Subscribed again: the stream simply goes on.
                _ => {}
            }
        }
    }
}

impl<E: DeserializeOwned, Enc: Encoding> Stream for Events<E, Enc> {
    type Item = Result<E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<E>>> {
        let this = self.get_mut();
        let next = ready!(this.poll_message(cx));
        Poll::Ready(next.map(|item| item.map(|(_, event)| event)))
    }
}

/// The events of a [`ChannelPattern`]: a [`Stream`] of `Result<(channel,
/// E)>`, with the same error items as [`Events`].
pub struct PatternEvents<E, Enc = JsonText> {
    events: Events<E, Enc>,
}

impl<E, Enc> fmt::Debug for PatternEvents<E, Enc> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.events.fmt(f)
    }
}

impl<E: DeserializeOwned, Enc: Encoding> PatternEvents<E, Enc> {
    /// The next event and its channel; `None` once the subscriber was
    /// closed.
    pub async fn next(&mut self) -> Option<Result<(String, E)>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<E: DeserializeOwned, Enc: Encoding> Stream for PatternEvents<E, Enc> {
    type Item = Result<(String, E)>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let next = ready!(this.events.poll_message(cx));
        Poll::Ready(next.map(|item| {
            item.map(|(channel, event)| (String::from_utf8_lossy(&channel).into_owned(), event))
        }))
    }
}

fn encode<E: Serialize, Enc: Encoding>(event: &E, channel: &str) -> Result<Vec<u8>> {
    let body = Enc::encode(event).map_err(|why| {
        Error::new(
            ErrorKind::InvalidInput,
            format!(
                "the event for channel {channel} cannot be written as {}: {why}; nothing was sent",
                Enc::NAME
            ),
        )
    })?;
    if Enc::NAME == JsonText::NAME {
        return Ok(body);
    }
    let mut payload = Vec::with_capacity(body.len() + 1);
    payload.push(MESSAGE_PACK_MARK);
    payload.extend_from_slice(&body);
    Ok(payload)
}

fn decode<E: DeserializeOwned, Enc: Encoding>(payload: &[u8], channel: &[u8]) -> Result<E> {
    let channel = String::from_utf8_lossy(channel);
    let fail = |why: String| {
        Error::new(
            ErrorKind::Decode,
            format!("a message on channel {channel} is not an event of this channel's type: {why}"),
        )
    };
    let marked = payload.first() == Some(&MESSAGE_PACK_MARK);
    let body = match (Enc::NAME == JsonText::NAME, marked) {
        (true, false) => payload,
        (false, true) => &payload[1..],
        (true, true) => {
            return Err(fail(
                "it was published as MessagePack and this channel reads JSON".to_owned(),
            ));
        }
        (false, false) => {
            return Err(fail(
                "it has no MessagePack mark (JSON, or bytes published by hand) and this channel \
                 reads MessagePack"
                    .to_owned(),
            ));
        }
    };
    Enc::decode(body).map_err(|why| fail(format!("{} that does not decode: {why}", Enc::NAME)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde::Deserialize;

    use super::*;
    use crate::encoding::MessagePack;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Ping {
        n: u32,
        text: String,
    }

    fn ping() -> Ping {
        Ping {
            n: 7,
            text: "é \"quoted\"".to_owned(),
        }
    }

    #[test]
    fn json_events_are_plain_json_and_message_pack_ones_are_marked() {
        let json = encode::<_, JsonText>(&ping(), "c").unwrap();
        assert_eq!(json, serde_json::to_vec(&ping()).unwrap());
        assert_eq!(json.first(), Some(&b'{'));
        assert_eq!(decode::<Ping, JsonText>(&json, b"c").unwrap(), ping());
        let packed = encode::<_, MessagePack>(&ping(), "c").unwrap();
        assert_eq!(packed[0], MESSAGE_PACK_MARK);
        assert_eq!(decode::<Ping, MessagePack>(&packed, b"c").unwrap(), ping());
    }

    #[test]
    fn the_other_encoding_and_garbage_are_decode_errors_naming_the_channel() {
        let json = encode::<_, JsonText>(&ping(), "c").unwrap();
        let packed = encode::<_, MessagePack>(&ping(), "c").unwrap();
        for (error, says) in [
            (
                decode::<Ping, JsonText>(&packed, b"orders").unwrap_err(),
                "published as MessagePack",
            ),
            (
                decode::<Ping, MessagePack>(&json, b"orders").unwrap_err(),
                "no MessagePack mark",
            ),
            (
                decode::<Ping, JsonText>(b"not json", b"orders").unwrap_err(),
                "JSON that does not decode",
            ),
            (
                decode::<Ping, MessagePack>(&[MESSAGE_PACK_MARK, 0xff], b"orders").unwrap_err(),
                "MessagePack that does not decode",
            ),
            (
                decode::<Ping, JsonText>(b"", b"orders").unwrap_err(),
                "does not decode",
            ),
        ] {
            assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
            let text = error.to_string();
            assert!(text.contains("orders") && text.contains(says), "{text}");
        }
    }
}
