//! What the FT.* commands share: writing numbers and durations as
//! arguments, and reading the map-shaped replies that RESP3 sends as maps
//! and RESP2 as flat `[key, value, ...]` arrays.

use crate::{Error, FromValue, Result, Value};

// The entries of a map reply, or of RESP2's flat `[key, value, ...]` array,
// as raw pairs (nil is empty; a flat array is never read as nested pairs),
// and the reply itself with its error: as every command group reads them.
use crate::commands::reply::entries as raw_entries;
pub(super) use crate::commands::reply::reply;

/// The elements of an array (or set) reply; nil is empty.
pub(super) fn elements(value: Value, what: &str) -> Result<Vec<Value>> {
    match reply(value)? {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => Ok(items),
        Value::Nil => Ok(Vec::new()),
        other => Err(Error::type_mismatch(
            &format!("array ({what})"),
            other.type_name(),
        )),
    }
}

/// The entries of a map reply (or RESP2's flat array) with text keys.
pub(super) fn entries(value: Value, what: &str) -> Result<Vec<(String, Value)>> {
    raw_entries(value, what)?
        .into_iter()
        .map(|(key, value)| Ok((String::from_value(key)?, value)))
        .collect()
}

/// A map reply whichever the protocol: RESP2's flat array becomes a map,
/// so a user's field type (a `HashMap`, a `Vec` of pairs, a struct of
/// their own) sees one shape from both. Nil is an empty map.
pub(super) fn as_map(value: Value, what: &str) -> Result<Value> {
    raw_entries(value, what).map(Value::Map)
}

/// The text of a string reply (bulk, simple or verbatim), if it is one.
pub(super) fn text(value: &Value) -> Option<&str> {
    match value {
        Value::BulkString(bytes)
        | Value::SimpleString(bytes)
        | Value::Verbatim { text: bytes, .. } => std::str::from_utf8(bytes).ok(),
        _ => None,
    }
}

/// `Some` of a value that is present and not nil.
pub(super) fn present(value: Value) -> Option<Value> {
    match value.without_attributes() {
        Value::Nil => None,
        other => Some(other),
    }
}

/// A duration as the whole milliseconds the FT.* commands take.
pub(super) use crate::commands::durations::millis;

/// A number as RediSearch parses it: the shortest round-trip decimal,
/// `inf`/`-inf` for the infinities.
pub(super) fn number(value: f64) -> String {
    if value.is_nan() {
        "nan".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "+inf" } else { "-inf" }.to_owned()
    } else {
        value.to_string()
    }
}

/// Writes `items` after their count, as RediSearch's `nargs`-prefixed
/// lists (`RETURN 2 a b`, `INKEYS 1 k`) want.
pub(super) fn counted<S: AsRef<[u8]>>(cmd: &mut crate::Cmd, items: &[S]) {
    cmd.push_arg(items.len());
    for item in items {
        cmd.push_bytes(item.as_ref());
    }
}
