//! [`FromValue`] for standard types.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::num::{IntErrorKind, ParseIntError};
use std::str::FromStr;

use bytes::Bytes;

use super::FromValue;
use super::to_args::format_double;
use crate::{Error, ErrorKind, Result, Value};

/// The first step of every conversion: attributes are metadata the caller
/// did not ask for, and an error reply is an error whatever type was asked.
fn reply(value: Value) -> Result<Value> {
    match value.without_attributes() {
        Value::Error(e) => Err(Error::server(e)),
        other => Ok(other),
    }
}

fn mismatch(expected: &str, value: &Value) -> Error {
    Error::type_mismatch(expected, value.type_name())
}

/// [`mismatch`] for a single value read into `rust` (`String`, `i64` ...):
/// nil there is nearly always a key that does not exist, so the error says
/// what to ask for instead.
fn scalar_mismatch(expected: &str, rust: &str, value: &Value) -> Error {
    match value {
        Value::Nil => Error::new(
            ErrorKind::Type,
            format!(
                "expected {expected}, received nil; use Option<{rust}> for a key that may be \
                 missing"
            ),
        ),
        _ => mismatch(expected, value),
    }
}

fn array_of(len: usize) -> String {
    format!("array of {len} element{}", if len == 1 { "" } else { "s" })
}

/// The text of a reply that may carry a number as text: RESP2 sends every
/// number that is not an integer reply (GET of a counter, ZSCORE) this way.
fn numeric_text(value: &Value) -> Option<&str> {
    match value {
        Value::BulkString(bytes) | Value::SimpleString(bytes) => std::str::from_utf8(bytes).ok(),
        Value::BigNumber(text) => Some(text),
        _ => None,
    }
}

/// The raw reply, errors and attributes included: the escape hatch for
/// replies no other type fits (EXEC results keep their per-command errors).
impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self> {
        Ok(value)
    }
}

/// Accepts any reply but an error, for commands whose reply is only a status.
impl FromValue for () {
    fn from_value(value: Value) -> Result<Self> {
        reply(value).map(drop)
    }

    /// An empty batch.
    fn from_results(results: Vec<Result<Value>>) -> Result<Self> {
        match results.len() {
            0 => Ok(()),
            n => Err(Error::type_mismatch("no replies", &array_of(n))),
        }
    }
}

/// An error reply as `Err` in its place instead of failing the whole: the
/// slot type of a pipeline or transaction command whose failure the caller
/// handles, as redis-py's `raise_on_error=False` does, or the element type
/// of an array whose elements may be errors (EXEC's, a script's). A reply
/// that does not convert to `T` is an `Err` in its place too.
///
/// A command sent alone still returns its error reply as the call's error.
impl<T: FromValue> FromValue for Result<T> {
    fn from_value(value: Value) -> Result<Self> {
        Ok(match value.without_attributes() {
            Value::Error(e) => Err(Error::server(e)),
            other => T::from_value(other),
        })
    }

    fn from_result(result: Result<Value>) -> Result<Self> {
        Ok(result.and_then(T::from_value))
    }
}

fn integer_from<T>(value: Value, type_name: &str) -> Result<T>
where
    T: TryFrom<i64> + FromStr<Err = ParseIntError>,
{
    let value = reply(value)?;
    let out_of_range = |value: &Value| mismatch(&format!("integer in {type_name} range"), value);
    if let Value::Integer(n) = value {
        return T::try_from(n).map_err(|_| out_of_range(&value));
    }
    let text = numeric_text(&value).ok_or_else(|| scalar_mismatch("integer", type_name, &value))?;
    text.parse().map_err(|e: ParseIntError| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => out_of_range(&value),
        _ => mismatch("integer", &value),
    })
}

// No u8: `Vec<u8>` is the bytes of a string, which needs `u8: !FromValue`
// for the generic `Vec<T>` impl to stay coherent.
macro_rules! integer_from_value {
    ($($t:ty)*) => {$(
        /// From an integer reply (range-checked), or decimal text (a bulk or
        /// simple string, a big number). Doubles and booleans are refused.
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self> {
                integer_from(value, stringify!($t))
            }
        }
    )*};
}

integer_from_value!(i8 i16 i32 i64 i128 isize u16 u32 u64 u128 usize);

macro_rules! float_from_value {
    ($($t:ty)*) => {$(
        /// From a double, an integer, or text (`1.5`, `inf`, `-inf`, `+inf`,
        /// `nan`) in a bulk string, simple string or big number.
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self> {
                // `as` rounds to the nearest value (and overflows to an
                // infinity), which is what asking for a narrower float means.
                match reply(value)? {
                    Value::Double(d) => Ok(d as $t),
                    Value::Integer(n) => Ok(n as $t),
                    other => numeric_text(&other)
                        .and_then(|text| text.parse().ok())
                        .ok_or_else(|| scalar_mismatch("float", stringify!($t), &other)),
                }
            }
        }
    )*};
}

float_from_value!(f32 f64);

/// From a boolean, an integer (non-zero is true), `OK`, or the text `1`/`0`.
impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self> {
        let value = reply(value)?;
        match &value {
            Value::Boolean(b) => Ok(*b),
            Value::Integer(n) => Ok(*n != 0),
            Value::SimpleString(s) if s == "OK" => Ok(true),
            _ => match numeric_text(&value) {
                Some("1") => Ok(true),
                Some("0") => Ok(false),
                _ => Err(scalar_mismatch("boolean", "bool", &value)),
            },
        }
    }
}

/// From a bulk, simple or verbatim string (UTF-8 checked), or a number as
/// its text. A double is written as its shortest round-trip decimal, or
/// `inf`, `-inf`, `nan`.
impl FromValue for String {
    fn from_value(value: Value) -> Result<Self> {
        let value = reply(value)?;
        let received = value.type_name();
        match value {
            Value::BigNumber(s) => Ok(s),
            // `Vec::from` takes over the buffer without a copy when no one else holds it.
            Value::BulkString(bytes)
            | Value::SimpleString(bytes)
            | Value::Verbatim { text: bytes, .. } => {
                String::from_utf8(Vec::from(bytes)).map_err(|e| {
                    Error::new(
                        ErrorKind::Type,
                        format!(
                            "expected a UTF-8 string, received a {received} that is not valid \
                             UTF-8 (invalid byte at offset {}); read it as Vec<u8> or Bytes",
                            e.utf8_error().valid_up_to()
                        ),
                    )
                })
            }
            Value::Integer(n) => Ok(itoa::Buffer::new().format(n).to_owned()),
            Value::Double(d) => Ok(format_double(d)),
            other => Err(scalar_mismatch("UTF-8 string", "String", &other)),
        }
    }
}

/// The raw bytes of a bulk, simple or verbatim string.
impl FromValue for Vec<u8> {
    fn from_value(value: Value) -> Result<Self> {
        Bytes::from_value(value).map(Vec::from)
    }
}

/// The raw bytes of a bulk, simple or verbatim string; a bulk string is not
/// copied (it shares the connection's read buffer).
impl FromValue for Bytes {
    fn from_value(value: Value) -> Result<Self> {
        match reply(value)? {
            Value::BulkString(bytes)
            | Value::SimpleString(bytes)
            | Value::Verbatim { text: bytes, .. } => Ok(bytes),
            other => Err(scalar_mismatch("bytes", "Bytes", &other)),
        }
    }
}

/// `None` for nil, so a missing key is not an error.
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self> {
        match reply(value)? {
            Value::Nil => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The elements of any collection reply; nil is an empty collection, since
/// Redis answers nil for some commands on a missing key where others answer
/// an empty array.
fn elements<T: FromValue>(value: Value, expected: &str) -> Result<Vec<T>> {
    match reply(value)? {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => T::from_elements(items),
        Value::Map(entries) => T::from_entries(entries),
        Value::Nil => Ok(Vec::new()),
        other => Err(mismatch(expected, &other)),
    }
}

/// From an array, set or push reply, or nil (empty). A map is flattened to
/// `k1, v1, k2, v2, ...`, or gives one pair per entry for `Vec<(K, V)>`.
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self> {
        elements(value, "array")
    }

    fn from_results(results: Vec<Result<Value>>) -> Result<Self> {
        results.into_iter().map(T::from_result).collect()
    }
}

/// From a set or an array (RESP2 sends sets as arrays), or nil (empty).
impl<T: FromValue + Eq + Hash, S: BuildHasher + Default + 'static> FromValue for HashSet<T, S> {
    fn from_value(value: Value) -> Result<Self> {
        Ok(elements::<T>(value, "set")?.into_iter().collect())
    }
}

/// From a set or an array (RESP2 sends sets as arrays), or nil (empty).
impl<T: FromValue + Ord> FromValue for BTreeSet<T> {
    fn from_value(value: Value) -> Result<Self> {
        Ok(elements::<T>(value, "set")?.into_iter().collect())
    }
}

/// From a map, RESP2's flat `[k1, v1, k2, v2, ...]`, an array of two-element
/// arrays, or nil (empty). A repeated key keeps its last value.
impl<K, V, S> FromValue for HashMap<K, V, S>
where
    K: FromValue + Eq + Hash,
    V: FromValue,
    S: BuildHasher + Default + 'static,
{
    fn from_value(value: Value) -> Result<Self> {
        Ok(elements::<(K, V)>(value, "map")?.into_iter().collect())
    }
}

/// From a map, RESP2's flat `[k1, v1, k2, v2, ...]`, an array of two-element
/// arrays, or nil (empty). A repeated key keeps its last value.
impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    fn from_value(value: Value) -> Result<Self> {
        Ok(elements::<(K, V)>(value, "map")?.into_iter().collect())
    }
}

/// The elements of an array (or push) reply of exactly `N` elements.
fn tuple_elements<const N: usize>(value: Value) -> Result<[Value; N]> {
    match reply(value)? {
        Value::Array(items) | Value::Push(items) => <[Value; N]>::try_from(items)
            .map_err(|items| Error::type_mismatch(&array_of(N), &array_of(items.len()))),
        other => Err(scalar_mismatch(&array_of(N), "(..)", &other)),
    }
}

/// A batch's outcomes for a tuple of `N` reply types. The slots convert in
/// order, and the first that fails (a command's error in a slot that is not
/// a `Result<T>`, or a reply that does not convert) fails the batch.
fn tuple_results<const N: usize>(results: Vec<Result<Value>>) -> Result<[Result<Value>; N]> {
    <[Result<Value>; N]>::try_from(results)
        .map_err(|results| Error::type_mismatch(&array_of(N), &array_of(results.len())))
}

fn is_pair(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.len() == 2,
        Value::Attribute { value, .. } => is_pair(value),
        _ => false,
    }
}

/// From an array of two elements. As the element of a `Vec` (and so of a
/// map) it also reads map entries and RESP2's flat key/value arrays; see
/// [`FromValue`] for the rules.
impl<A: FromValue, B: FromValue> FromValue for (A, B) {
    fn from_value(value: Value) -> Result<Self> {
        let [a, b] = tuple_elements(value)?;
        Ok((A::from_value(a)?, B::from_value(b)?))
    }

    fn from_results(results: Vec<Result<Value>>) -> Result<Self> {
        let [a, b] = tuple_results(results)?;
        Ok((A::from_result(a)?, B::from_result(b)?))
    }

    fn from_elements(items: Vec<Value>) -> Result<Vec<Self>> {
        if items.iter().all(is_pair) {
            return items.into_iter().map(Self::from_value).collect();
        }
        if items.len() % 2 != 0 {
            return Err(Error::type_mismatch(
                "flat array of key-value pairs (even length)",
                &array_of(items.len()),
            ));
        }
        let mut pairs = Vec::with_capacity(items.len() / 2);
        let mut items = items.into_iter();
        while let (Some(a), Some(b)) = (items.next(), items.next()) {
            pairs.push((A::from_value(a)?, B::from_value(b)?));
        }
        Ok(pairs)
    }

    fn from_entries(entries: Vec<(Value, Value)>) -> Result<Vec<Self>> {
        entries
            .into_iter()
            .map(|(a, b)| Ok((A::from_value(a)?, B::from_value(b)?)))
            .collect()
    }
}

macro_rules! tuple_from_value {
    ($($name:ident $var:ident)+) => {
        /// From an array (or push) reply of exactly as many elements.
        impl<$($name: FromValue),+> FromValue for ($($name,)+) {
            fn from_value(value: Value) -> Result<Self> {
                let [$($var),+] = tuple_elements(value)?;
                Ok(($($name::from_value($var)?,)+))
            }

            fn from_results(results: Vec<Result<Value>>) -> Result<Self> {
                let [$($var),+] = tuple_results(results)?;
                Ok(($($name::from_result($var)?,)+))
            }
        }
    };
}

tuple_from_value!(A a);
tuple_from_value!(A a B b C c);
tuple_from_value!(A a B b C c D d);
tuple_from_value!(A a B b C c D d E e);
tuple_from_value!(A a B b C c D d E e F f);
tuple_from_value!(A a B b C c D d E e F f G g);
tuple_from_value!(A a B b C c D d E e F f G g H h);
tuple_from_value!(A a B b C c D d E e F f G g H h I i);
tuple_from_value!(A a B b C c D d E e F f G g H h I i J j);
tuple_from_value!(A a B b C c D d E e F f G g H h I i J j K k);
tuple_from_value!(A a B b C c D d E e F f G g H h I i J j K k L l);
