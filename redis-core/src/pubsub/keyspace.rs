//! Keyspace notifications: `__keyspace@<db>__:<key>` and
//! `__keyevent@<db>__:<event>` messages as typed events.
//!
//! The server sends them only when `notify-keyspace-events` enables them
//! (`CONFIG SET notify-keyspace-events KEA`, say).

use std::fmt;

use bytes::Bytes;

use super::message::{Message, MessageKind};
use super::subscriptions::Subscriptions;
use crate::{Error, ErrorKind, Result};

/// Declares [`KeyEvent`] and the server's name of each event, from one
/// list, so the two cannot drift apart.
macro_rules! key_events {
    ($($variant:ident => $name:literal,)*) => {
        /// What happened to a key, as the server names it in a notification
        /// (`set`, `del`, `expired`...). Names this enum does not list come as
        /// [`KeyEvent::Other`], so a newer server's events are not lost.
        ///
        /// ```
        /// use redis_core::KeyEvent;
        /// assert_eq!(KeyEvent::from_name("expired"), KeyEvent::Expired);
        /// assert_eq!(KeyEvent::from_name("x-new-event"), KeyEvent::Other("x-new-event".into()));
        /// assert_eq!(KeyEvent::Lpush.as_str(), "lpush");
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum KeyEvent {
            $(
                #[doc = concat!("The `", $name, "` event.")]
                $variant,
            )*
            /// An event this enum does not name, as the server spelled it.
            Other(String),
        }

        /// The named events and the server's names for them.
        const NAMES: &[(KeyEvent, &str)] = &[$((KeyEvent::$variant, $name),)*];
    };
}

key_events! {
    Set => "set",
    Del => "del",
    Expire => "expire",
    Expired => "expired",
    Evicted => "evicted",
    New => "new",
    RenameFrom => "rename_from",
    RenameTo => "rename_to",
    CopyTo => "copy_to",
    MoveFrom => "move_from",
    MoveTo => "move_to",
    Persist => "persist",
    Append => "append",
    Incrby => "incrby",
    Incrbyfloat => "incrbyfloat",
    Setrange => "setrange",
    Lpush => "lpush",
    Rpush => "rpush",
    Lpop => "lpop",
    Rpop => "rpop",
    Linsert => "linsert",
    Lset => "lset",
    Lrem => "lrem",
    Ltrim => "ltrim",
    Hset => "hset",
    Hincrby => "hincrby",
    Hincrbyfloat => "hincrbyfloat",
    Hdel => "hdel",
    Hexpire => "hexpire",
    Hexpired => "hexpired",
    Hpersist => "hpersist",
    Sadd => "sadd",
    Srem => "srem",
    Spop => "spop",
    Sinterstore => "sinterstore",
    Sunionstore => "sunionstore",
    Sdiffstore => "sdiffstore",
    Zadd => "zadd",
    Zincr => "zincr",
    Zrem => "zrem",
    Zrembyscore => "zrembyscore",
    Zrembyrank => "zrembyrank",
    Zinterstore => "zinterstore",
    Zunionstore => "zunionstore",
    Zdiffstore => "zdiffstore",
    Xadd => "xadd",
    Xtrim => "xtrim",
    Xdel => "xdel",
    XgroupCreate => "xgroup-create",
    XgroupDestroy => "xgroup-destroy",
    Xsetid => "xsetid",
    Restore => "restore",
}

impl KeyEvent {
    /// The event the server names `name`.
    ///
    /// ```
    /// assert_eq!(redis_core::KeyEvent::from_name("del"), redis_core::KeyEvent::Del);
    /// ```
    pub fn from_name(name: &str) -> KeyEvent {
        NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(event, _)| event.clone())
            .unwrap_or_else(|| KeyEvent::Other(name.to_owned()))
    }

    /// The server's name of the event.
    ///
    /// ```
    /// assert_eq!(redis_core::KeyEvent::RenameFrom.as_str(), "rename_from");
    /// ```
    pub fn as_str(&self) -> &str {
        if let KeyEvent::Other(name) = self {
            return name;
        }
        NAMES
            .iter()
            .find(|(event, _)| event == self)
            .map_or("", |(_, name)| name)
    }
}

impl fmt::Display for KeyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A keyspace notification, from either of its two channels: what
/// happened ([`event`](Self::event)) to which key in which database.
///
/// ```
/// # fn show(message: &redis_core::Message) -> redis_core::Result<()> {
/// use redis_core::{KeyEvent, KeyspaceEvent};
/// let event = KeyspaceEvent::from_message(message)?;
/// if event.event == KeyEvent::Expired {
///     println!("{:?} expired in db {}", event.key, event.db);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyspaceEvent {
    /// The database of the key.
    pub db: u32,
    /// The key.
    pub key: Bytes,
    /// What happened to it.
    pub event: KeyEvent,
}

impl KeyspaceEvent {
    /// Reads a notification from a message on a `__keyspace@<db>__:<key>`
    /// channel (the payload is the event) or a `__keyevent@<db>__:<event>`
    /// one (the payload is the key); an error of kind
    /// [`ErrorKind::Decode`] for any other message.
    ///
    /// ```
    /// # fn show(message: &redis_core::Message) {
    /// match redis_core::KeyspaceEvent::from_message(message) {
    ///     Ok(event) => println!("{} on {:?}", event.event, event.key),
    ///     Err(error) => eprintln!("not a notification: {error}"),
    /// }
    /// # }
    /// ```
    pub fn from_message(message: &Message) -> Result<KeyspaceEvent> {
        if !matches!(message.kind, MessageKind::Message | MessageKind::PMessage) {
            return Err(not_a_notification(message, "it is a confirmation"));
        }
        let channel = &message.channel[..];
        let (by_key, rest) = if let Some(rest) = channel.strip_prefix(b"__keyspace@") {
            (true, rest)
        } else if let Some(rest) = channel.strip_prefix(b"__keyevent@") {
            (false, rest)
        } else {
            return Err(not_a_notification(
                message,
                "its channel is not __keyspace@ or __keyevent@",
            ));
        };
        let Some(end) = rest.windows(3).position(|w| w == b"__:") else {
            return Err(not_a_notification(
                message,
                "its channel has no `__:` after the database",
            ));
        };
        let db = std::str::from_utf8(&rest[..end])
            .ok()
            .and_then(|db| db.parse::<u32>().ok())
            .ok_or_else(|| not_a_notification(message, "its database is not a number"))?;
        let after = message.channel.slice(11 + end + 3..);
        let (key, event) = if by_key {
            (after, message.payload.clone())
        } else {
            (message.payload.clone(), after)
        };
        let event = std::str::from_utf8(&event)
            .map_err(|_| not_a_notification(message, "its event name is not UTF-8"))?;
        Ok(KeyspaceEvent {
            db,
            key,
            event: KeyEvent::from_name(event),
        })
    }
}

fn not_a_notification(message: &Message, why: &str) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!(
            "the message on {:?} is not a keyspace notification: {why}",
            String::from_utf8_lossy(&message.channel)
        ),
    )
}

/// The channel pattern of the notifications about keys matching
/// `key_pattern` in database `db` (`__keyspace@<db>__:<key_pattern>`).
///
/// ```
/// assert_eq!(redis_core::keyspace_channel(0, "user:*"), "__keyspace@0__:user:*");
/// ```
pub fn keyspace_channel(db: u32, key_pattern: &str) -> String {
    format!("__keyspace@{db}__:{key_pattern}")
}

/// The channel of the notifications of `event` in database `db`
/// (`__keyevent@<db>__:<event>`).
///
/// ```
/// use redis_core::{KeyEvent, keyevent_channel};
/// assert_eq!(keyevent_channel(2, &KeyEvent::Expired), "__keyevent@2__:expired");
/// ```
pub fn keyevent_channel(db: u32, event: &KeyEvent) -> String {
    format!("__keyevent@{db}__:{event}")
}

impl Subscriptions {
    /// Subscribes (PSUBSCRIBE) to the notifications about keys matching
    /// `key_pattern` in database `db`; read them with
    /// [`KeyspaceEvent::from_message`]. The server must have keyspace
    /// notifications on (`notify-keyspace-events` with `K`).
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.subscribe_keyspace(0, "session:*").await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe_keyspace(&self, db: u32, key_pattern: &str) -> Result<()> {
        self.psubscribe([keyspace_channel(db, key_pattern)]).await
    }

    /// Subscribes (SUBSCRIBE) to the notifications of one kind of event in
    /// database `db`. The server must have keyevent notifications on
    /// (`notify-keyspace-events` with `E`).
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.subscribe_keyevent(0, &redis_core::KeyEvent::Expired).await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe_keyevent(&self, db: u32, event: &KeyEvent) -> Result<()> {
        self.subscribe([keyevent_channel(db, event)]).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn message(kind: MessageKind, channel: &[u8], payload: &[u8]) -> Message {
        Message {
            kind,
            channel: Bytes::copy_from_slice(channel),
            pattern: None,
            payload: Bytes::copy_from_slice(payload),
        }
    }

    #[test]
    fn both_channels_give_the_same_event() {
        let by_key = message(MessageKind::PMessage, b"__keyspace@3__:user:1", b"hset");
        let by_event = message(MessageKind::Message, b"__keyevent@3__:hset", b"user:1");
        for m in [by_key, by_event] {
            let event = KeyspaceEvent::from_message(&m).unwrap();
            assert_eq!(event.db, 3);
            assert_eq!(&event.key[..], b"user:1");
            assert_eq!(event.event, KeyEvent::Hset);
        }
    }

    #[test]
    fn keys_with_the_separator_and_unknown_events_survive() {
        let m = message(
            MessageKind::PMessage,
            b"__keyspace@0__:a__:b",
            b"x-new-event",
        );
        let event = KeyspaceEvent::from_message(&m).unwrap();
        assert_eq!(&event.key[..], b"a__:b");
        assert_eq!(event.event, KeyEvent::Other("x-new-event".into()));
    }

    #[test]
    fn every_name_reads_back() {
        for (event, name) in NAMES.iter() {
            assert_eq!(&KeyEvent::from_name(name), event);
            assert_eq!(event.as_str(), *name);
        }
    }

    #[test]
    fn other_messages_are_decode_errors() {
        for m in [
            message(MessageKind::Message, b"news", b"hi"),
            message(MessageKind::Message, b"__keyspace@x__:k", b"set"),
            message(MessageKind::Message, b"__keyevent@0", b"k"),
            message(MessageKind::Subscribe, b"__keyevent@0__:set", b"1"),
            message(MessageKind::Message, b"__keyevent@0__:\xff", b"k"),
        ] {
            let error = KeyspaceEvent::from_message(&m).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Decode);
        }
    }
}
