//! What the stream commands reply: entry ids, entries, pending entries and
//! XAUTOCLAIM's result, each read the same from RESP2 and RESP3.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Error, Result, Value};

/// A stream entry id: milliseconds and a sequence number, written `ms-seq`.
///
/// Ids order as the stream does (by `ms`, then `seq`). It parses from
/// `"1700000000000-3"` (and `"1700000000000"`, meaning sequence 0), prints
/// as `ms-seq`, is sent as that text, and is what every typed stream command
/// replies for an id.
///
/// ```
/// use redis_core::commands::StreamId;
/// let id: StreamId = "1700000000000-3".parse()?;
/// assert_eq!(id, StreamId::new(1_700_000_000_000, 3));
/// assert_eq!(id.to_string(), "1700000000000-3");
/// assert!(id < StreamId::new(1_700_000_000_001, 0));
/// # Ok::<(), redis_core::commands::ParseStreamIdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    /// The milliseconds part (usually the Unix time the entry was added).
    pub ms: u64,
    /// The sequence number among entries of the same millisecond.
    pub seq: u64,
}

impl StreamId {
    /// `0-0`: lower than every entry's id (`After(StreamId::ZERO)` reads from the start).
    pub const ZERO: StreamId = StreamId { ms: 0, seq: 0 };
    /// The greatest id there is.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// The id `ms-seq`.
    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// Why a text is not a [`StreamId`]: it is not `ms-seq` or `ms` in decimal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseStreamIdError {
    text: String,
}

impl fmt::Display for ParseStreamIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a stream id (ms-seq): {:?}", self.text)
    }
}

impl std::error::Error for ParseStreamIdError {}

impl FromStr for StreamId {
    type Err = ParseStreamIdError;

    fn from_str(text: &str) -> std::result::Result<StreamId, ParseStreamIdError> {
        let error = || ParseStreamIdError {
            text: text.to_owned(),
        };
        // u64::from_str accepts a leading `+`, which Redis never writes.
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error());
            }
            part.parse::<u64>().map_err(|_| error())
        };
        match text.split_once('-') {
            Some((ms, seq)) => Ok(StreamId::new(number(ms)?, number(seq)?)),
            None => Ok(StreamId::new(number(text)?, 0)),
        }
    }
}

/// From a string reply `ms-seq`.
impl FromValue for StreamId {
    fn from_value(value: Value) -> Result<StreamId> {
        let text = String::from_value(value)?;
        text.parse()
            .map_err(|_| Error::type_mismatch("stream id (ms-seq)", &format!("{text:?}")))
    }
}

/// Sent as the text `ms-seq`.
impl ToArgs for StreamId {
    fn write_args(&self, cmd: &mut Cmd) {
        let mut buffer = itoa::Buffer::new();
        let mut text = String::with_capacity(41);
        text.push_str(buffer.format(self.ms));
        text.push('-');
        text.push_str(buffer.format(self.seq));
        cmd.push_bytes(text.as_bytes());
    }
}

/// One stream entry: its id and its fields.
///
/// `T` is how the fields are read: `HashMap<String, String>`,
/// `Vec<(String, Vec<u8>)>` (in order, duplicates kept), or any type that
/// converts from a field/value list. An entry that was deleted while still
/// pending (XREADGROUP of a consumer's history, XCLAIM on 6.2) has no fields:
/// they convert from nil, which collections read as empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry<T> {
    /// The entry's id.
    pub id: StreamId,
    /// The entry's fields and values.
    pub fields: T,
}

/// From `[id, [field, value, ...]]`.
impl<T: FromValue> FromValue for StreamEntry<T> {
    fn from_value(value: Value) -> Result<Self> {
        let (id, fields) = <(StreamId, T)>::from_value(value)?;
        Ok(StreamEntry { id, fields })
    }
}

/// The entries XREAD or XREADGROUP returned from one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntries<T> {
    /// The stream's key.
    pub key: String,
    /// Its entries, oldest first.
    pub entries: Vec<StreamEntry<T>>,
}

/// From `[key, entries]` (RESP2), or one entry of a RESP3 map `key => entries`
/// when read as an element of a `Vec`.
impl<T: FromValue> FromValue for StreamEntries<T> {
    fn from_value(value: Value) -> Result<Self> {
        let (key, entries) = <(String, Vec<StreamEntry<T>>)>::from_value(value)?;
        Ok(StreamEntries { key, entries })
    }

    fn from_entries(entries: Vec<(Value, Value)>) -> Result<Vec<Self>> {
        entries
            .into_iter()
            .map(|(key, entries)| {
                Ok(StreamEntries {
                    key: String::from_value(key)?,
                    entries: Vec::from_value(entries)?,
                })
            })
            .collect()
    }
}

/// How an entry fared in XDELEX or XACKDEL (Redis 8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamDeletion {
    /// No such entry in the stream (XDELEX), or not pending in the group
    /// (XACKDEL): nothing happened (`-1`).
    NotFound,
    /// Deleted (and for XACKDEL acknowledged first) (`1`).
    Deleted,
    /// Kept because a consumer group still references it: with
    /// [`StreamRefPolicy::Acked`](super::StreamRefPolicy::Acked), an entry
    /// not yet acknowledged by every group stays (XACKDEL acknowledged it in
    /// its own group) (`2`).
    Referenced,
}

impl FromValue for StreamDeletion {
    fn from_value(value: Value) -> Result<Self> {
        match i64::from_value(value)? {
            -1 => Ok(StreamDeletion::NotFound),
            1 => Ok(StreamDeletion::Deleted),
            2 => Ok(StreamDeletion::Referenced),
            other => Err(Error::protocol(format!(
                "a stream deletion result of {other} (expected -1, 1 or 2)"
            ))),
        }
    }
}

/// XPENDING's summary of a consumer group's pending entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSummary {
    /// How many entries were delivered and not acknowledged.
    pub count: u64,
    /// The lowest pending id (`None` when nothing is pending).
    pub first_id: Option<StreamId>,
    /// The highest pending id (`None` when nothing is pending).
    pub last_id: Option<StreamId>,
    /// Each consumer with pending entries, and how many it has.
    pub consumers: Vec<(String, u64)>,
}

/// From `[count, first, last, [[consumer, count], ...]]`.
impl FromValue for PendingSummary {
    fn from_value(value: Value) -> Result<Self> {
        let (count, first_id, last_id, consumers) = FromValue::from_value(value)?;
        Ok(PendingSummary {
            count,
            first_id,
            last_id,
            consumers,
        })
    }
}

/// One pending entry, as the extended XPENDING form lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    /// The entry's id.
    pub id: StreamId,
    /// The consumer it was last delivered to.
    pub consumer: String,
    /// The time since it was last delivered.
    pub idle: Duration,
    /// How many times it was delivered.
    pub deliveries: u64,
}

/// From `[id, consumer, idle-ms, deliveries]`.
impl FromValue for PendingEntry {
    fn from_value(value: Value) -> Result<Self> {
        let (id, consumer, idle, deliveries) = FromValue::from_value(value)?;
        Ok(PendingEntry {
            id,
            consumer,
            idle: Duration::from_millis(idle),
            deliveries,
        })
    }
}

/// What XAUTOCLAIM did: the entries it claimed, where to continue, and the
/// pending ids it dropped because their entries were deleted.
///
/// `T` is [`StreamEntry<F>`] (entries with their fields) or [`StreamId`]
/// (`xautoclaim_justid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoClaim<T> {
    /// The id to pass as `start` in the next call; [`StreamId::ZERO`] when
    /// the whole pending list was scanned.
    pub next: StreamId,
    /// The claimed entries (or ids).
    pub claimed: Vec<T>,
    /// Pending ids whose entries no longer exist; the server removed them from
    /// the pending list (Redis 7.0+; empty before).
    pub deleted: Vec<StreamId>,
}

/// From `[next, claimed, deleted]` (Redis 7.0+) or `[next, claimed]` (6.2).
impl<T: FromValue> FromValue for AutoClaim<T> {
    fn from_value(value: Value) -> Result<Self> {
        let items = Vec::<Value>::from_value(value)?;
        let received = items.len();
        let mut items = items.into_iter();
        match (items.next(), items.next(), items.next(), items.next()) {
            (Some(next), Some(claimed), deleted, None) => Ok(AutoClaim {
                next: StreamId::from_value(next)?,
                claimed: Vec::from_value(claimed)?,
                deleted: deleted
                    .map(Vec::from_value)
                    .transpose()?
                    .unwrap_or_default(),
            }),
            _ => Err(Error::type_mismatch(
                "XAUTOCLAIM reply of 2 or 3 elements",
                &format!("array of {received} elements"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use bytes::Bytes;

    fn bulk(s: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn stream_ids_parse_print_and_refuse_garbage() {
        assert_eq!("5-7".parse(), Ok(StreamId::new(5, 7)));
        assert_eq!("5".parse(), Ok(StreamId::new(5, 0)));
        for bad in [
            "",
            "-",
            "5-",
            "-7",
            "a-1",
            "+5-1",
            "1-2-3",
            "99999999999999999999-0",
        ] {
            assert!(bad.parse::<StreamId>().is_err(), "{bad:?}");
        }
        assert_eq!(
            StreamId::MAX.to_string(),
            format!("{}-{}", u64::MAX, u64::MAX)
        );
        let cmd = Cmd::new("X").arg(StreamId::new(12, 34));
        assert_eq!(cmd.args().nth(1), Some(&b"12-34"[..]));
    }

    #[test]
    fn a_malformed_id_in_a_reply_is_a_type_error() {
        let err = StreamId::from_value(bulk("nope")).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Type);
    }

    #[test]
    fn xread_replies_read_the_same_from_arrays_and_maps() {
        let entries = || {
            Value::Array(vec![Value::Array(vec![
                bulk("1-1"),
                Value::Array(vec![bulk("f"), bulk("v")]),
            ])])
        };
        let resp2 = Value::Array(vec![Value::Array(vec![bulk("s"), entries()])]);
        let resp3 = Value::Map(vec![(bulk("s"), entries())]);
        let a = Vec::<StreamEntries<Vec<(String, String)>>>::from_value(resp2).unwrap();
        let b = Vec::<StreamEntries<Vec<(String, String)>>>::from_value(resp3).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[0].key, "s");
        assert_eq!(a[0].entries[0].id, StreamId::new(1, 1));
        assert_eq!(a[0].entries[0].fields, [("f".to_owned(), "v".to_owned())]);
    }

    #[test]
    fn autoclaim_before_7_has_no_deleted_ids() {
        let reply = Value::Array(vec![bulk("0-0"), Value::Array(vec![bulk("1-1")])]);
        let claim = AutoClaim::<StreamId>::from_value(reply).unwrap();
        assert_eq!(claim.claimed, [StreamId::new(1, 1)]);
        assert!(claim.deleted.is_empty());
        let short = Value::Array(vec![bulk("0-0")]);
        assert!(AutoClaim::<StreamId>::from_value(short).is_err());
    }
}
