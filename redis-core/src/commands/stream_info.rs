//! The XINFO replies: the stream, its groups and consumers, and the FULL
//! form with entries and pending lists, read the same from RESP3 maps and
//! RESP2's flat name/value arrays.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{StreamEntry, StreamId};
use crate::convert::FromValue;
use crate::{Error, Result, Value};

/// The named fields of an XINFO-style reply: a RESP3 map or RESP2's flat
/// `[name, value, ...]`, taken out one by one.
struct Fields {
    what: &'static str,
    entries: Vec<(String, Value)>,
}

impl Fields {
    fn new(what: &'static str, value: Value) -> Result<Fields> {
        Ok(Fields {
            what,
            entries: FromValue::from_value(value)?,
        })
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        let index = self.entries.iter().position(|(key, _)| key == name)?;
        Some(self.entries.swap_remove(index).1)
    }

    /// A field that is always there.
    fn get<T: FromValue>(&mut self, name: &str) -> Result<T> {
        let value = self
            .take(name)
            .ok_or_else(|| Error::protocol(format!("{} reply without `{name}`", self.what)))?;
        T::from_value(value)
    }

    /// A field that older servers leave out, or that may be nil.
    fn opt<T: FromValue>(&mut self, name: &str) -> Result<Option<T>> {
        self.take(name)
            .map_or(Ok(None), <Option<T> as FromValue>::from_value)
    }

    /// A duration in milliseconds that is -1 (or absent) when it does not apply.
    fn opt_millis(&mut self, name: &str) -> Result<Option<Duration>> {
        Ok(self
            .opt::<i64>(name)?
            .and_then(|ms| u64::try_from(ms).ok())
            .map(Duration::from_millis))
    }

    /// A Unix time in milliseconds that is -1 (or absent) when it does not apply.
    fn opt_time(&mut self, name: &str) -> Result<Option<SystemTime>> {
        Ok(self
            .opt::<i64>(name)?
            .and_then(|ms| u64::try_from(ms).ok())
            .map(unix_millis))
    }
}

fn unix_millis(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// XINFO STREAM: the stream's size, ids and first and last entries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamInfo<T> {
    /// The number of entries.
    pub length: u64,
    /// The number of keys in the underlying radix tree.
    pub radix_tree_keys: u64,
    /// The number of nodes in the underlying radix tree.
    pub radix_tree_nodes: u64,
    /// The id of the last entry ever added (deleted or not).
    pub last_generated_id: StreamId,
    /// The highest id ever deleted (Redis 7.0+).
    pub max_deleted_entry_id: Option<StreamId>,
    /// How many entries were ever added (Redis 7.0+).
    pub entries_added: Option<u64>,
    /// The id of the first entry still in the stream, as recorded (Redis 7.0+).
    pub recorded_first_entry_id: Option<StreamId>,
    /// The number of consumer groups.
    pub groups: u64,
    /// The first entry (`None` for an empty stream).
    pub first_entry: Option<StreamEntry<T>>,
    /// The last entry (`None` for an empty stream).
    pub last_entry: Option<StreamEntry<T>>,
}

impl<T: FromValue> FromValue for StreamInfo<T> {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new("XINFO STREAM", value)?;
        Ok(StreamInfo {
            length: f.get("length")?,
            radix_tree_keys: f.get("radix-tree-keys")?,
            radix_tree_nodes: f.get("radix-tree-nodes")?,
            last_generated_id: f.get("last-generated-id")?,
            max_deleted_entry_id: f.opt("max-deleted-entry-id")?,
            entries_added: f.opt("entries-added")?,
            recorded_first_entry_id: f.opt("recorded-first-entry-id")?,
            groups: f.get("groups")?,
            first_entry: f.opt("first-entry")?,
            last_entry: f.opt("last-entry")?,
        })
    }
}

/// XINFO STREAM FULL: the stream with its entries and every group's
/// pending list and consumers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamInfoFull<T> {
    /// The number of entries.
    pub length: u64,
    /// The number of keys in the underlying radix tree.
    pub radix_tree_keys: u64,
    /// The number of nodes in the underlying radix tree.
    pub radix_tree_nodes: u64,
    /// The id of the last entry ever added (deleted or not).
    pub last_generated_id: StreamId,
    /// The highest id ever deleted (Redis 7.0+).
    pub max_deleted_entry_id: Option<StreamId>,
    /// How many entries were ever added (Redis 7.0+).
    pub entries_added: Option<u64>,
    /// The id of the first entry still in the stream, as recorded (Redis 7.0+).
    pub recorded_first_entry_id: Option<StreamId>,
    /// The entries, oldest first, as many as the COUNT asked for.
    pub entries: Vec<StreamEntry<T>>,
    /// The consumer groups.
    pub groups: Vec<GroupInfoFull>,
}

impl<T: FromValue> FromValue for StreamInfoFull<T> {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new("XINFO STREAM FULL", value)?;
        Ok(StreamInfoFull {
            length: f.get("length")?,
            radix_tree_keys: f.get("radix-tree-keys")?,
            radix_tree_nodes: f.get("radix-tree-nodes")?,
            last_generated_id: f.get("last-generated-id")?,
            max_deleted_entry_id: f.opt("max-deleted-entry-id")?,
            entries_added: f.opt("entries-added")?,
            recorded_first_entry_id: f.opt("recorded-first-entry-id")?,
            entries: f.get("entries")?,
            groups: f.get("groups")?,
        })
    }
}

/// A consumer group in XINFO STREAM FULL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupInfoFull {
    /// The group's name.
    pub name: String,
    /// The id of the last entry delivered to the group.
    pub last_delivered_id: StreamId,
    /// How many entries the group has read (Redis 7.0+; `None` when unknown).
    pub entries_read: Option<u64>,
    /// How many entries are still to be delivered (Redis 7.0+; `None` when
    /// the server cannot tell).
    pub lag: Option<u64>,
    /// The length of the group's pending list.
    pub pel_count: u64,
    /// The pending entries (as many as the COUNT asked for).
    pub pending: Vec<FullPendingEntry>,
    /// The group's consumers.
    pub consumers: Vec<ConsumerInfoFull>,
}

impl FromValue for GroupInfoFull {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new("XINFO STREAM FULL group", value)?;
        Ok(GroupInfoFull {
            name: f.get("name")?,
            last_delivered_id: f.get("last-delivered-id")?,
            entries_read: f.opt("entries-read")?,
            lag: f.opt("lag")?,
            pel_count: f.get("pel-count")?,
            pending: f.get("pending")?,
            consumers: f.get("consumers")?,
        })
    }
}

/// A pending entry of a group in XINFO STREAM FULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullPendingEntry {
    /// The entry's id.
    pub id: StreamId,
    /// The consumer it was last delivered to.
    pub consumer: String,
    /// When it was last delivered.
    pub delivered_at: SystemTime,
    /// How many times it was delivered.
    pub deliveries: u64,
}

/// From `[id, consumer, delivery-time-ms, deliveries]`.
impl FromValue for FullPendingEntry {
    fn from_value(value: Value) -> Result<Self> {
        let (id, consumer, delivered_at, deliveries) = FromValue::from_value(value)?;
        Ok(FullPendingEntry {
            id,
            consumer,
            delivered_at: unix_millis(delivered_at),
            deliveries,
        })
    }
}

/// A consumer in XINFO STREAM FULL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerInfoFull {
    /// The consumer's name.
    pub name: String,
    /// When the consumer last tried to read or claim.
    pub seen_time: SystemTime,
    /// When the consumer last read or claimed something (Redis 7.2+; `None`
    /// when it never did or the server does not say).
    pub active_time: Option<SystemTime>,
    /// The length of the consumer's pending list.
    pub pel_count: u64,
    /// Its pending entries (as many as the COUNT asked for).
    pub pending: Vec<ConsumerPendingEntry>,
}

impl FromValue for ConsumerInfoFull {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new("XINFO STREAM FULL consumer", value)?;
        let seen_time = f
            .opt_time("seen-time")?
            .ok_or_else(|| Error::protocol("XINFO STREAM FULL consumer without a seen-time"))?;
        Ok(ConsumerInfoFull {
            name: f.get("name")?,
            seen_time,
            active_time: f.opt_time("active-time")?,
            pel_count: f.get("pel-count")?,
            pending: f.get("pending")?,
        })
    }
}

/// A pending entry of one consumer in XINFO STREAM FULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerPendingEntry {
    /// The entry's id.
    pub id: StreamId,
    /// When it was last delivered.
    pub delivered_at: SystemTime,
    /// How many times it was delivered.
    pub deliveries: u64,
}

/// From `[id, delivery-time-ms, deliveries]`.
impl FromValue for ConsumerPendingEntry {
    fn from_value(value: Value) -> Result<Self> {
        let (id, delivered_at, deliveries) = FromValue::from_value(value)?;
        Ok(ConsumerPendingEntry {
            id,
            delivered_at: unix_millis(delivered_at),
            deliveries,
        })
    }
}

/// A consumer group, as XINFO GROUPS describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupInfo {
    /// The group's name.
    pub name: String,
    /// How many consumers it has.
    pub consumers: u64,
    /// The length of its pending list.
    pub pending: u64,
    /// The id of the last entry delivered to it.
    pub last_delivered_id: StreamId,
    /// How many entries it has read (Redis 7.0+; `None` when unknown).
    pub entries_read: Option<u64>,
    /// How many entries are still to be delivered (Redis 7.0+; `None` when
    /// the server cannot tell).
    pub lag: Option<u64>,
}

impl FromValue for GroupInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new("XINFO GROUPS", value)?;
        Ok(GroupInfo {
            name: f.get("name")?,
            consumers: f.get("consumers")?,
            pending: f.get("pending")?,
            last_delivered_id: f.get("last-delivered-id")?,
            entries_read: f.opt("entries-read")?,
            lag: f.opt("lag")?,
        })
    }
}

/// A consumer of a group, as XINFO CONSUMERS describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerInfo {
    /// The consumer's name.
    pub name: String,
    /// The length of its pending list.
    pub pending: u64,
    /// The time since it last tried to read or claim.
    pub idle: Duration,
    /// The time since it last read or claimed something (Redis 7.2+; `None`
    /// when it never did or the server does not say).
    pub inactive: Option<Duration>,
}

impl FromValue for ConsumerInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new("XINFO CONSUMERS", value)?;
        let idle = f
            .opt_millis("idle")?
            .ok_or_else(|| Error::protocol("XINFO CONSUMERS without an idle time"))?;
        Ok(ConsumerInfo {
            name: f.get("name")?,
            pending: f.get("pending")?,
            idle,
            inactive: f.opt_millis("inactive")?,
        })
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
    fn a_missing_xinfo_field_is_a_protocol_error() {
        let reply = Value::Map(vec![(bulk("name"), bulk("g"))]);
        let err = GroupInfo::from_value(reply).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Protocol);
    }

    #[test]
    fn xinfo_groups_read_the_same_from_resp2_and_resp3() {
        let fields = || {
            vec![
                (bulk("name"), bulk("g")),
                (bulk("consumers"), Value::Integer(2)),
                (bulk("pending"), Value::Integer(1)),
                (bulk("last-delivered-id"), bulk("1-1")),
                (bulk("entries-read"), Value::Nil),
                (bulk("lag"), Value::Integer(0)),
            ]
        };
        let resp3 = GroupInfo::from_value(Value::Map(fields())).unwrap();
        let flat = fields().into_iter().flat_map(|(k, v)| [k, v]).collect();
        let resp2 = GroupInfo::from_value(Value::Array(flat)).unwrap();
        assert_eq!(resp3, resp2);
        assert_eq!(resp3.last_delivered_id, StreamId::new(1, 1));
        assert_eq!((resp3.entries_read, resp3.lag), (None, Some(0)));
    }
}
