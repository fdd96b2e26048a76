//! The XINFO replies: the stream, its groups and consumers, and the FULL
//! form with entries and pending lists, read the same from RESP3 maps and
//! RESP2's flat name/value arrays.

use std::time::{Duration, SystemTime};

use super::{StreamEntry, StreamId};
use crate::commands::reply::{Fields, after_epoch, unix_millis};
use crate::convert::FromValue;
use crate::{Error, Result, Value};

/// A duration in milliseconds that is -1 (or absent) when it does not apply.
fn optional_millis(f: &mut Fields, name: &str) -> Result<Option<Duration>> {
    Ok(f.optional::<i64>(name)?
        .and_then(|ms| u64::try_from(ms).ok())
        .map(Duration::from_millis))
}

/// A Unix time in milliseconds that is -1 (or absent) when it does not apply.
fn optional_time(f: &mut Fields, name: &str) -> Result<Option<SystemTime>> {
    f.optional::<i64>(name)?
        .filter(|&ms| ms >= 0)
        .map(unix_millis)
        .transpose()
}

/// A Unix time in milliseconds, as the pending entries carry it.
fn delivered(ms: u64) -> Result<SystemTime> {
    after_epoch(Duration::from_millis(ms))
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
        let mut f = Fields::new(value, "XINFO STREAM reply")?;
        Ok(StreamInfo {
            length: f.required("length")?,
            radix_tree_keys: f.required("radix-tree-keys")?,
            radix_tree_nodes: f.required("radix-tree-nodes")?,
            last_generated_id: f.required("last-generated-id")?,
            max_deleted_entry_id: f.optional("max-deleted-entry-id")?,
            entries_added: f.optional("entries-added")?,
            recorded_first_entry_id: f.optional("recorded-first-entry-id")?,
            groups: f.required("groups")?,
            first_entry: f.optional("first-entry")?,
            last_entry: f.optional("last-entry")?,
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
        let mut f = Fields::new(value, "XINFO STREAM FULL reply")?;
        Ok(StreamInfoFull {
            length: f.required("length")?,
            radix_tree_keys: f.required("radix-tree-keys")?,
            radix_tree_nodes: f.required("radix-tree-nodes")?,
            last_generated_id: f.required("last-generated-id")?,
            max_deleted_entry_id: f.optional("max-deleted-entry-id")?,
            entries_added: f.optional("entries-added")?,
            recorded_first_entry_id: f.optional("recorded-first-entry-id")?,
            entries: f.required("entries")?,
            groups: f.required("groups")?,
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
        let mut f = Fields::new(value, "XINFO STREAM FULL group reply")?;
        Ok(GroupInfoFull {
            name: f.required("name")?,
            last_delivered_id: f.required("last-delivered-id")?,
            entries_read: f.optional("entries-read")?,
            lag: f.optional("lag")?,
            pel_count: f.required("pel-count")?,
            pending: f.required("pending")?,
            consumers: f.required("consumers")?,
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
            delivered_at: delivered(delivered_at)?,
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
        let mut f = Fields::new(value, "XINFO STREAM FULL consumer reply")?;
        let seen_time = optional_time(&mut f, "seen-time")?
            .ok_or_else(|| Error::protocol("XINFO STREAM FULL consumer without a seen-time"))?;
        Ok(ConsumerInfoFull {
            name: f.required("name")?,
            seen_time,
            active_time: optional_time(&mut f, "active-time")?,
            pel_count: f.required("pel-count")?,
            pending: f.required("pending")?,
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
            delivered_at: delivered(delivered_at)?,
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
        let mut f = Fields::new(value, "XINFO GROUPS reply")?;
        Ok(GroupInfo {
            name: f.required("name")?,
            consumers: f.required("consumers")?,
            pending: f.required("pending")?,
            last_delivered_id: f.required("last-delivered-id")?,
            entries_read: f.optional("entries-read")?,
            lag: f.optional("lag")?,
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
        let mut f = Fields::new(value, "XINFO CONSUMERS reply")?;
        let idle = optional_millis(&mut f, "idle")?
            .ok_or_else(|| Error::protocol("XINFO CONSUMERS without an idle time"))?;
        Ok(ConsumerInfo {
            name: f.required("name")?,
            pending: f.required("pending")?,
            idle,
            inactive: optional_millis(&mut f, "inactive")?,
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
