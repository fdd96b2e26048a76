//! Reading map-shaped and text replies the same way from RESP2 and RESP3:
//! shared by the command groups whose replies are records (server,
//! connection, cluster, sentinel, streams, scripting).
//!
//! RESP3 sends a record (`ACL GETUSER`, `CLUSTER SHARDS`, `MEMORY STATS`) as
//! a map, RESP2 as a flat `[name, value, name, value ...]` array; [`Fields`]
//! accepts both, so each reply type is parsed by one piece of code.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{Error, FromValue, Result, Value};

/// The reply itself: attributes dropped, an error reply turned into `Err`.
pub(in crate::commands) fn reply(value: Value) -> Result<Value> {
    match value.without_attributes() {
        Value::Error(e) => Err(Error::server(e)),
        other => Ok(other),
    }
}

/// The elements of an array (or set) reply; nil is empty.
pub(in crate::commands) fn elements(value: Value, what: &str) -> Result<Vec<Value>> {
    match reply(value)? {
        Value::Array(items) | Value::Set(items) => Ok(items),
        Value::Nil => Ok(Vec::new()),
        other => Err(Error::type_mismatch(what, other.type_name())),
    }
}

/// The entries of a map reply, or of RESP2's flat array of the same.
pub(in crate::commands) fn entries(value: Value, what: &str) -> Result<Vec<(Value, Value)>> {
    match reply(value)? {
        Value::Map(entries) => Ok(entries),
        Value::Array(items) => {
            if items.len() % 2 != 0 {
                return Err(Error::protocol(format!(
                    "{what}: a flat array of name/value pairs with {} elements",
                    items.len()
                )));
            }
            let mut pairs = Vec::with_capacity(items.len() / 2);
            let mut items = items.into_iter();
            while let (Some(name), Some(value)) = (items.next(), items.next()) {
                pairs.push((name, value));
            }
            Ok(pairs)
        }
        Value::Nil => Ok(Vec::new()),
        other => Err(Error::type_mismatch(what, other.type_name())),
    }
}

/// A record reply, by field name: a RESP3 map or RESP2's flat array.
/// Fields are taken out by name (moved, not cloned); fields a newer server
/// adds are ignored.
pub(in crate::commands) struct Fields {
    what: &'static str,
    entries: Vec<(String, Value)>,
}

impl Fields {
    /// Reads the record; `what` names it in errors (`"ACL GETUSER reply"`).
    pub(in crate::commands) fn new(value: Value, what: &'static str) -> Result<Fields> {
        let entries = entries(value, what)?
            .into_iter()
            .map(|(name, value)| Ok((String::from_value(name)?, value)))
            .collect::<Result<_>>()?;
        Ok(Fields { what, entries })
    }

    /// Every field whose value is text or a number, as `(name, text)` in the
    /// order received, for reply types that keep the whole record next to
    /// their typed fields (`SENTINEL MASTER`). Call it before taking fields
    /// out: taking reorders the rest.
    pub(in crate::commands) fn texts(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .filter_map(|(name, value)| {
                let text = String::from_value(value.clone()).ok()?;
                Some((name.clone(), text))
            })
            .collect()
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        let index = self.entries.iter().position(|(n, _)| n == name)?;
        Some(self.entries.swap_remove(index).1)
    }

    /// A field the reply always has: its absence is a protocol error.
    pub(in crate::commands) fn required<T: FromValue>(&mut self, name: &str) -> Result<T> {
        let value = self
            .take(name)
            .ok_or_else(|| Error::protocol(format!("{} without `{name}`", self.what)))?;
        T::from_value(value)
    }

    /// A field older servers (or some configurations) leave out; nil is `None` too.
    pub(in crate::commands) fn optional<T: FromValue>(&mut self, name: &str) -> Result<Option<T>> {
        match self.take(name) {
            Some(value) => Option::<T>::from_value(value),
            None => Ok(None),
        }
    }

    /// A field whose absence means its default (an empty list, zero).
    pub(in crate::commands) fn or_default<T: FromValue + Default>(
        &mut self,
        name: &str,
    ) -> Result<T> {
        Ok(self.optional(name)?.unwrap_or_default())
    }
}

/// A point in time `since` the Unix epoch; out of `SystemTime`'s range is a
/// protocol error rather than a panic.
pub(in crate::commands) fn after_epoch(since: Duration) -> Result<SystemTime> {
    UNIX_EPOCH
        .checked_add(since)
        .ok_or_else(|| Error::protocol(format!("a time {since:?} after 1970 is out of range")))
}

/// A Unix time in seconds, as the server sends it.
pub(in crate::commands) fn unix_seconds(seconds: i64) -> Result<SystemTime> {
    let seconds = u64::try_from(seconds)
        .map_err(|_| Error::protocol(format!("a Unix time of {seconds} s")))?;
    after_epoch(Duration::from_secs(seconds))
}

/// A Unix time in milliseconds, as the server sends it.
pub(in crate::commands) fn unix_millis(millis: i64) -> Result<SystemTime> {
    let millis = u64::try_from(millis)
        .map_err(|_| Error::protocol(format!("a Unix time of {millis} ms")))?;
    after_epoch(Duration::from_millis(millis))
}

/// A number of seconds, possibly fractional (`age-seconds`), as a duration.
pub(in crate::commands) fn seconds_f64(seconds: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| Error::protocol(format!("a duration of {seconds} s")))
}

/// A whole number of seconds that must not be negative.
pub(in crate::commands) fn seconds(seconds: i64) -> Result<Duration> {
    u64::try_from(seconds)
        .map(Duration::from_secs)
        .map_err(|_| Error::protocol(format!("a duration of {seconds} s")))
}

/// A `-1`-means-none integer (`multi=-1`, `redir=-1`).
pub(in crate::commands) fn unless_negative(n: i64) -> Option<u64> {
    u64::try_from(n).ok()
}

/// `key=value` pairs separated by spaces (`CLIENT LIST` lines) or commas
/// (`INFO keyspace` values), split at the first `=`.
pub(in crate::commands) fn key_values(text: &str, separator: char) -> Vec<(String, String)> {
    text.split(separator)
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((key, value)) => (key.to_owned(), value.to_owned()),
            None => (part.to_owned(), String::new()),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn a_record_reads_alike_from_a_map_and_a_flat_array() {
        let resp2 = Value::Array(vec![bulk("a"), Value::Integer(1), bulk("b"), bulk("x")]);
        let resp3 = Value::Map(vec![(bulk("a"), Value::Integer(1)), (bulk("b"), bulk("x"))]);
        for value in [resp2, resp3] {
            let mut fields = Fields::new(value, "test reply").unwrap();
            assert_eq!(fields.required::<u64>("a").unwrap(), 1);
            assert_eq!(
                fields.optional::<String>("b").unwrap().as_deref(),
                Some("x")
            );
            assert_eq!(fields.optional::<String>("c").unwrap(), None);
            assert!(fields.required::<String>("c").is_err());
        }
    }

    #[test]
    fn malformed_records_are_errors() {
        let odd = Value::Array(vec![bulk("a")]);
        assert!(Fields::new(odd, "test reply").is_err());
        assert!(Fields::new(Value::Integer(3), "test reply").is_err());
        assert!(unix_seconds(-5).is_err());
        assert!(seconds_f64(f64::NAN).is_err());
    }
}
