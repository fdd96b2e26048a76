//! Conversions between Rust values and Redis arguments and replies.
//!
//! [`ToArgs`] turns Rust values into command arguments; [`FromValue`] turns a
//! reply into a Rust value. Both are implemented for the standard types in
//! `to_args.rs` and `from_value.rs`.

use crate::{Cmd, Result, Value};

mod from_value;
mod to_args;

#[cfg(test)]
mod from_value_tests;
#[cfg(test)]
mod to_args_tests;

/// A Rust value that can be sent as one or more command arguments.
///
/// Scalars (strings, numbers, booleans) are one argument each; numbers are
/// sent as their decimal text, `true`/`false` as `1`/`0`. Slices, vectors,
/// arrays, tuples and options expand to their elements' arguments in order
/// (`None` adds nothing), so `&[("field", "value"), ("f2", "v2")]` is the
/// field/value list HSET expects.
///
/// # Bytes are one argument
///
/// A byte slice (`[u8]`, `Vec<u8>`, `[u8; N]`, `b"..."`) is one binary
/// argument, while a slice of any other element type expands to one argument
/// per element. A single `u8` is still a number (`7u8` sends `"7"`).
///
/// A plain `impl<T: ToArgs> ToArgs for [T]` next to `impl ToArgs for [u8]`
/// would overlap, so the slice impl asks the *element* type how to write a
/// run of elements through [`ToArgs::write_slice_args`]: the default writes
/// each element, and `u8` alone overrides it to write the whole run as one
/// argument. This keeps one generic impl for `[T]`, `Vec<T>` and `[T; N]`
/// (tuples and references as elements included) and keeps the trait object
/// safe.
///
/// ```
/// use redis_core::Cmd;
/// let cmd = Cmd::new("HSET").arg("key").arg(&[("f1", "v1"), ("f2", "v2")]);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"HSET"[..], b"key", b"f1", b"v1", b"f2", b"v2"]);
///
/// let cmd = Cmd::new("SET").arg("key").arg(b"\x00\xff").arg(&[1u16, 2]);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"SET"[..], b"key", b"\x00\xff", b"1", b"2"]);
/// ```
pub trait ToArgs {
    /// Appends this value's arguments to `cmd` (through [`Cmd::push_bytes`]).
    fn write_args(&self, cmd: &mut Cmd);

    /// Appends the arguments of a run of values, as `[Self]`, `Vec<Self>` and
    /// `[Self; N]` do. Only `u8` overrides it (to send bytes as one argument);
    /// there is no reason for other types to.
    #[doc(hidden)]
    fn write_slice_args(items: &[Self], cmd: &mut Cmd)
    where
        Self: Sized,
    {
        for item in items {
            item.write_args(cmd);
        }
    }
}

/// A Rust type a reply can be converted into.
///
/// Every conversion first looks through RESP3 attributes and turns an error
/// reply into an [`crate::ErrorKind::Server`] error, so a type only decides
/// which shapes of data it accepts. The RESP2 and RESP3 forms of one reply
/// convert to the same Rust value: a `Double` and the bulk string `"1.5"`
/// both give `1.5f64`, a RESP3 map and RESP2's flat `[k1, v1, k2, v2]` array
/// both give the same `HashMap` or `Vec<(K, V)>`.
///
/// # Collections of pairs
///
/// `Vec<T>` converts the elements of an array through `T::from_elements`
/// and the entries of a map through `T::from_entries`: hidden, defaulted
/// hooks of the *element* type, so that the element decides how it is read
/// from a collection. By default
/// elements convert one by one and a map is flattened to `k1, v1, k2, v2`
/// (what RESP2 sends for the same command). Two-element tuples override
/// both: a map gives one pair per entry, an array whose elements are all
/// two-element arrays (RESP3 `ZRANGE ... WITHSCORES`) gives one pair per
/// element, and any other array is read as RESP2's flat `k1, v1, k2, v2`.
/// Maps and sets build on the same hooks, so all of them agree.
///
/// The one ambiguous shape is a flat array whose every element is itself a
/// two-element array; it is read as nested pairs.
///
/// There is no `FromValue for u8`, which is what lets `Vec<u8>` mean "the
/// bytes of a string" beside the generic `Vec<T>`.
///
/// ```
/// use bytes::Bytes;
/// use redis_core::{FromValue, Value};
/// let bulk = |s: &str| Value::BulkString(Bytes::copy_from_slice(s.as_bytes()));
/// // ZRANGE key 0 -1 WITHSCORES, as RESP2 and RESP3 answer it.
/// let resp2 = Value::Array(vec![bulk("a"), bulk("1.5")]);
/// let resp3 = Value::Array(vec![Value::Array(vec![bulk("a"), Value::Double(1.5)])]);
/// let scores = Vec::<(String, f64)>::from_value(resp2)?;
/// assert_eq!(scores, [("a".to_owned(), 1.5)]);
/// assert_eq!(scores, Vec::<(String, f64)>::from_value(resp3)?);
/// # Ok::<(), redis_core::Error>(())
/// ```
///
/// A converted reply owns its data (hence `'static`): a reply's bytes are
/// moved into it, never borrowed from the connection.
pub trait FromValue: Sized + 'static {
    /// Converts the reply, or fails with [`crate::ErrorKind::Type`] naming the
    /// expected and the received type ([`crate::ErrorKind::Server`] when the
    /// reply is an error).
    fn from_value(value: Value) -> Result<Self>;

    /// Converts the elements of an array, set or push reply for `Vec<Self>`.
    /// Overridden by pairs to also read RESP2's flat key/value arrays.
    #[doc(hidden)]
    fn from_elements(items: Vec<Value>) -> Result<Vec<Self>> {
        items.into_iter().map(Self::from_value).collect()
    }

    /// Converts one command's outcome in a pipeline or transaction. The
    /// default passes a command's error on, which fails the whole batch:
    /// only `Result<T>` overrides it, to keep the error in its slot.
    #[doc(hidden)]
    fn from_result(result: Result<Value>) -> Result<Self> {
        Self::from_value(result?)
    }

    /// Converts the outcomes of a batch's commands, one per command, into
    /// its reply type: tuples and `Vec`s convert each through
    /// [`FromValue::from_result`]; any other type gets an array of the
    /// replies, after the first error has failed the whole.
    #[doc(hidden)]
    fn from_results(results: Vec<Result<Value>>) -> Result<Self> {
        let replies = results.into_iter().collect::<Result<Vec<_>>>()?;
        Self::from_value(Value::Array(replies))
    }

    /// Converts the entries of a map reply for `Vec<Self>`. The default
    /// flattens the map into `k1, v1, k2, v2, ...`, as RESP2 would send it.
    #[doc(hidden)]
    fn from_entries(entries: Vec<(Value, Value)>) -> Result<Vec<Self>> {
        let mut out = Vec::with_capacity(entries.len() * 2);
        for (key, value) in entries {
            out.push(Self::from_value(key)?);
            out.push(Self::from_value(value)?);
        }
        Ok(out)
    }
}
