//! What a subscribed connection receives: messages and confirmations, read
//! from RESP3 push frames or RESP2 arrays alike.

use bytes::Bytes;

use crate::{Error, Result, Value};

/// What a [`Message`] is: a published message (on a channel, matched by a
/// pattern, on a shard channel) or the server's confirmation of a
/// subscription change, named as the server names them.
///
/// ```
/// use redis_core::MessageKind;
/// assert_eq!(MessageKind::PMessage.as_str(), "pmessage");
/// assert!(MessageKind::Subscribe.is_confirmation());
/// assert!(!MessageKind::Message.is_confirmation());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageKind {
    /// Published on a channel the subscriber named (`SUBSCRIBE`).
    Message,
    /// Published on a channel that matched a pattern (`PSUBSCRIBE`).
    PMessage,
    /// Published on a shard channel (`SSUBSCRIBE`, `SPUBLISH`).
    SMessage,
    /// A channel subscription confirmed.
    Subscribe,
    /// A channel subscription ended.
    Unsubscribe,
    /// A pattern subscription confirmed.
    PSubscribe,
    /// A pattern subscription ended.
    PUnsubscribe,
    /// A shard channel subscription confirmed.
    SSubscribe,
    /// A shard channel subscription ended (also sent by a cluster when the
    /// channel's slot moves).
    SUnsubscribe,
}

impl MessageKind {
    /// The name the server gives this kind (`"message"`, `"psubscribe"`...).
    ///
    /// ```
    /// assert_eq!(redis_core::MessageKind::SMessage.as_str(), "smessage");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Message => "message",
            MessageKind::PMessage => "pmessage",
            MessageKind::SMessage => "smessage",
            MessageKind::Subscribe => "subscribe",
            MessageKind::Unsubscribe => "unsubscribe",
            MessageKind::PSubscribe => "psubscribe",
            MessageKind::PUnsubscribe => "punsubscribe",
            MessageKind::SSubscribe => "ssubscribe",
            MessageKind::SUnsubscribe => "sunsubscribe",
        }
    }

    /// True for the confirmations of subscription changes, the messages
    /// redis-py's `ignore_subscribe_messages` hides.
    ///
    /// ```
    /// assert!(redis_core::MessageKind::SUnsubscribe.is_confirmation());
    /// ```
    pub fn is_confirmation(self) -> bool {
        !matches!(
            self,
            MessageKind::Message | MessageKind::PMessage | MessageKind::SMessage
        )
    }

    fn from_name(name: &[u8]) -> Option<MessageKind> {
        const KINDS: [MessageKind; 9] = [
            MessageKind::Message,
            MessageKind::PMessage,
            MessageKind::SMessage,
            MessageKind::Subscribe,
            MessageKind::Unsubscribe,
            MessageKind::PSubscribe,
            MessageKind::PUnsubscribe,
            MessageKind::SSubscribe,
            MessageKind::SUnsubscribe,
        ];
        KINDS
            .into_iter()
            .find(|kind| name.eq_ignore_ascii_case(kind.as_str().as_bytes()))
    }
}

/// One message from a subscribed connection.
///
/// For a published message, `channel` is where it was published, `pattern`
/// the pattern that matched it (only for [`MessageKind::PMessage`]) and
/// `payload` what was published. For a confirmation, `channel` is the
/// channel, pattern or shard channel subscribed or unsubscribed and
/// `payload` the number of subscriptions the connection has afterwards, in
/// decimal, as redis-py's `data` (see [`Message::subscription_count`]).
///
/// ```
/// # fn show(message: &redis_core::Message) {
/// use redis_core::MessageKind;
/// match message.kind {
///     MessageKind::Message => println!("{:?}: {:?}", message.channel, message.payload),
///     MessageKind::PMessage => println!("{:?} via {:?}", message.channel, message.pattern),
///     _ => {}
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// What the message is.
    pub kind: MessageKind,
    /// The channel (for a confirmation, the channel or pattern it is about).
    pub channel: Bytes,
    /// The pattern that matched, for [`MessageKind::PMessage`].
    pub pattern: Option<Bytes>,
    /// The published payload, or a confirmation's subscription count.
    pub payload: Bytes,
}

impl Message {
    /// The channel as text, if it is UTF-8.
    ///
    /// ```
    /// # fn show(message: &redis_core::Message) {
    /// if let Some(channel) = message.channel_str() {
    ///     println!("on {channel}");
    /// }
    /// # }
    /// ```
    pub fn channel_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.channel).ok()
    }

    /// The payload as text, if it is UTF-8.
    ///
    /// ```
    /// # fn show(message: &redis_core::Message) {
    /// println!("{}", message.payload_str().unwrap_or("<binary>"));
    /// # }
    /// ```
    pub fn payload_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.payload).ok()
    }

    /// For a confirmation, how many subscriptions (channels, patterns and
    /// shard channels together, as the server counts them) the connection
    /// has after it; `None` for a published message.
    ///
    /// ```
    /// # fn show(message: &redis_core::Message) {
    /// if let Some(count) = message.subscription_count() {
    ///     println!("{} now has {count} subscriptions", message.kind.as_str());
    /// }
    /// # }
    /// ```
    pub fn subscription_count(&self) -> Option<i64> {
        if !self.kind.is_confirmation() {
            return None;
        }
        std::str::from_utf8(&self.payload).ok()?.parse().ok()
    }
}

/// Whether `frame` is a RESP3 push frame that confirms a subscription
/// change (what answers SUBSCRIBE and its kin on a shared connection).
pub(crate) fn confirms_subscription(frame: &Value) -> bool {
    let Value::Push(items) = frame else {
        return false;
    };
    match items.first() {
        Some(Value::BulkString(name) | Value::SimpleString(name)) => {
            MessageKind::from_name(name).is_some_and(MessageKind::is_confirmation)
        }
        _ => false,
    }
}

/// Whether `frame` is a RESP3 push frame of pub/sub: a message or a
/// confirmation, what a subscriber sharing the connection is given.
pub(crate) fn is_pubsub_frame(frame: &Value) -> bool {
    let Value::Push(items) = frame else {
        return false;
    };
    match items.first() {
        Some(Value::BulkString(name) | Value::SimpleString(name)) => {
            MessageKind::from_name(name).is_some()
        }
        _ => false,
    }
}

/// A frame of a subscribed connection, sorted.
#[derive(Debug)]
pub(crate) enum Frame {
    /// A message or a confirmation.
    Message(Message),
    /// Anything that is not pub/sub: the reply to a PING (`PONG`, or
    /// RESP2's `["pong", ""]`, given as `PONG`), an error reply.
    Reply(Value),
    /// A RESP3 push of another kind (none is expected on a connection of
    /// its own; skipped).
    OtherPush(String),
}

/// Sorts one frame; a pub/sub frame of the wrong shape is a protocol error,
/// since the connection's stream can no longer be trusted.
pub(crate) fn classify(frame: Value) -> Result<Frame> {
    let frame = frame.without_attributes();
    let (items, pushed) = match frame {
        Value::Push(items) => (items, true),
        Value::Array(items) => (items, false),
        other => return Ok(Frame::Reply(other)),
    };
    let name = match items.first() {
        Some(Value::BulkString(name) | Value::SimpleString(name)) => name.clone(),
        _ if pushed => return Ok(Frame::OtherPush(String::from("(unnamed)"))),
        _ => return Ok(Frame::Reply(Value::Array(items))),
    };
    if name.eq_ignore_ascii_case(b"pong") {
        return Ok(Frame::Reply(Value::SimpleString(Bytes::from_static(
            b"PONG",
        ))));
    }
    let Some(kind) = MessageKind::from_name(&name) else {
        if pushed {
            return Ok(Frame::OtherPush(
                String::from_utf8_lossy(&name).into_owned(),
            ));
        }
        return Ok(Frame::Reply(Value::Array(items)));
    };
    message(kind, items).map(Frame::Message)
}

fn message(kind: MessageKind, items: Vec<Value>) -> Result<Message> {
    let want = if kind == MessageKind::PMessage { 4 } else { 3 };
    if items.len() != want {
        return Err(Error::protocol(format!(
            "a pub/sub `{}` frame with {} elements instead of {want}",
            kind.as_str(),
            items.len()
        )));
    }
    let mut items = items.into_iter().skip(1);
    let mut next = |what: &str| -> Result<Value> {
        items
            .next()
            .ok_or_else(|| Error::protocol(format!("a pub/sub frame without its {what}")))
    };
    if kind == MessageKind::PMessage {
        let pattern = bytes(next("pattern")?, kind, "pattern")?;
        let channel = bytes(next("channel")?, kind, "channel")?;
        let payload = bytes(next("payload")?, kind, "payload")?;
        return Ok(Message {
            kind,
            channel,
            pattern: Some(pattern),
            payload,
        });
    }
    let channel = match next("channel")? {
        // UNSUBSCRIBE with nothing subscribed confirms a nil channel.
        Value::Nil => Bytes::new(),
        other => bytes(other, kind, "channel")?,
    };
    let payload = if kind.is_confirmation() {
        match next("count")? {
            Value::Integer(count) => Bytes::from(count.to_string()),
            other => {
                return Err(Error::protocol(format!(
                    "a pub/sub `{}` confirmation whose count is {} instead of an integer",
                    kind.as_str(),
                    other.type_name()
                )));
            }
        }
    } else {
        bytes(next("payload")?, kind, "payload")?
    };
    Ok(Message {
        kind,
        channel,
        pattern: None,
        payload,
    })
}

fn bytes(value: Value, kind: MessageKind, what: &str) -> Result<Bytes> {
    match value {
        Value::BulkString(b) | Value::SimpleString(b) => Ok(b),
        other => Err(Error::protocol(format!(
            "a pub/sub `{}` frame whose {what} is {} instead of a string",
            kind.as_str(),
            other.type_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn messages_read_alike_from_push_frames_and_arrays() {
        for wrap in [Value::Push as fn(Vec<Value>) -> Value, Value::Array] {
            let frame = wrap(vec![bulk("pmessage"), bulk("n*"), bulk("news"), bulk("hi")]);
            let Frame::Message(m) = classify(frame).unwrap() else {
                panic!("not a message")
            };
            assert_eq!(m.kind, MessageKind::PMessage);
            assert_eq!(m.pattern.as_deref(), Some(&b"n*"[..]));
            assert_eq!(&m.channel[..], b"news");
            assert_eq!(&m.payload[..], b"hi");
            let frame = wrap(vec![bulk("subscribe"), bulk("news"), Value::Integer(2)]);
            let Frame::Message(m) = classify(frame).unwrap() else {
                panic!("not a confirmation")
            };
            assert_eq!(m.subscription_count(), Some(2));
        }
    }

    #[test]
    fn pongs_and_errors_are_replies_and_other_pushes_are_named() {
        let pong = Value::Array(vec![bulk("pong"), bulk("")]);
        assert!(matches!(
            classify(pong).unwrap(),
            Frame::Reply(Value::SimpleString(_))
        ));
        let err = Value::Error(crate::ServerError::parse("ERR nope"));
        assert!(matches!(
            classify(err).unwrap(),
            Frame::Reply(Value::Error(_))
        ));
        let other = Value::Push(vec![bulk("invalidate"), Value::Nil]);
        assert!(matches!(classify(other).unwrap(), Frame::OtherPush(n) if n == "invalidate"));
    }

    #[test]
    fn malformed_pubsub_frames_are_protocol_errors() {
        for frame in [
            Value::Push(vec![bulk("message"), bulk("c")]),
            Value::Push(vec![bulk("message"), Value::Integer(1), bulk("p")]),
            Value::Push(vec![bulk("subscribe"), bulk("c"), bulk("one")]),
            Value::Array(vec![bulk("pmessage"), bulk("p"), bulk("c")]),
        ] {
            let error = classify(frame).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Protocol, "{error}");
        }
    }
}
