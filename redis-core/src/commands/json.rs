//! RedisJSON commands.
//!
//! Documents go in and out through serde: [`JsonValueCommands`] serializes
//! Rust values into the JSON text the server stores, and [`Json<T>`] reads a
//! reply's JSON text back into any `T: Deserialize`.
//!
//! # Paths
//!
//! RedisJSON knows two path syntaxes, and the reply's shape depends on which
//! one a command gets:
//!
//! - A JSONPath starts with `$` (`$`, `$.name`, `$..price`, `$.items[*]`) and
//!   may match any number of values. Replies have one entry per match:
//!   `JSON.GET key $.name` answers the JSON array `["Ada"]`, and
//!   `JSON.STRLEN key $..name` one length per match (`None` where a match is
//!   not a string).
//! - A legacy path starts with `.` or a name (`.`, `.name`, `name`) and names
//!   one value: `JSON.GET key .name` answers `"Ada"` itself, and an error if
//!   the path does not exist.
//!
//! [`json_get`] and [`json_mget`] take either (ask for `Json<T>` of the
//! value for a legacy path, `Json<Vec<T>>` of the matches for a JSONPath).
//! Every other command here is typed for JSONPath replies (one entry per
//! match); with a legacy path their replies have another shape (a single
//! number instead of a list, and in RESP2 sometimes JSON text), which these
//! types refuse with a [`crate::ErrorKind::Type`] error.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Command, Target};
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Error, ErrorKind, Result, Value};

define_commands! {
    /// The RedisJSON commands that read a document or change it in place
    /// (the ones that send a Rust value as JSON are [`JsonValueCommands`]).
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use std::collections::BTreeMap;
    /// use redis_core::commands::Json;
    /// use redis_core::prelude::*;
    /// let user = BTreeMap::from([("name", "Ada"), ("lang", "en")]);
    /// client.json_set("user:1", "$", &user).await?;
    /// // A legacy path names one value ...
    /// let name: Option<Json<String>> = client.json_get("user:1", ".name").await?;
    /// assert_eq!(name, Some(Json("Ada".to_owned())));
    /// // ... a JSONPath answers all its matches.
    /// let langs: Option<Json<Vec<String>>> = client.json_get("user:1", "$..lang").await?;
    /// assert_eq!(client.json_strlen("user:1", "$.name").await?, [Some(3)]);
    /// # let _ = langs; Ok(()) }
    /// ```
    pub trait JsonCommands;

    /// `JSON.GET key path`: the value at `path` as JSON text, `None` when
    /// the key does not exist. Ask for [`Json<T>`] to deserialize it (or
    /// `String` for the text). For a legacy path (`.`, `.name`) the text is
    /// the value itself, and a path that does not exist is an error; for a
    /// JSONPath (`$`, `$..name`) it is the array of every match (`[]` when
    /// nothing matches): ask for `Json<Vec<T>>`.
    fn json_get<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> Option<T> {
        Cmd::new("JSON.GET").arg(key).arg(path)
    }

    /// `JSON.GET key path [path ...]` with two or more paths: a JSON object
    /// whose keys are the paths, each holding what [`json_get`] would answer
    /// for it (the array of matches for a JSONPath). `None` when the key does
    /// not exist. Ask for `Json<HashMap<String, Vec<T>>>` for JSONPaths.
    fn json_get_paths<T: FromValue>(key: impl ToArgs, paths: impl ToArgs) -> Option<T> {
        Cmd::new("JSON.GET").arg(key).arg(paths)
    }

    /// `JSON.MGET key [key ...] path`: what [`json_get`] would answer for
    /// `path` in each key, in order; `None` for a key that does not exist
    /// (and, for a legacy path, for a key where the path does not exist).
    fn json_mget<T: FromValue>(keys: impl ToArgs, path: impl ToArgs) -> Vec<Option<T>> {
        Cmd::new("JSON.MGET").arg(keys).arg(path)
    }

    /// `JSON.DEL key path`: deletes every value the path matches (`$` deletes
    /// the key); how many were deleted (0 for a missing key).
    fn json_del(key: impl ToArgs, path: impl ToArgs) -> u64 {
        Cmd::new("JSON.DEL").arg(key).arg(path)
    }

    /// `JSON.FORGET key path`: the same as [`json_del`].
    fn json_forget(key: impl ToArgs, path: impl ToArgs) -> u64 {
        Cmd::new("JSON.FORGET").arg(key).arg(path)
    }

    /// `JSON.CLEAR key path`: empties every matched array and object and sets
    /// every matched number to 0; how many values changed.
    fn json_clear(key: impl ToArgs, path: impl ToArgs) -> u64 {
        Cmd::new("JSON.CLEAR").arg(key).arg(path)
    }

    /// `JSON.TYPE key path`: the type of each match; empty when the key does
    /// not exist or nothing matches.
    fn json_type(key: impl ToArgs, path: impl ToArgs) -> Vec<JsonType> {
        Cmd::new("JSON.TYPE").arg(key).arg(path)
    }

    /// `JSON.ARRLEN key path`: the length of each matched array, `None` for a
    /// match that is not an array.
    fn json_arrlen(key: impl ToArgs, path: impl ToArgs) -> Vec<Option<u64>> {
        Cmd::new("JSON.ARRLEN").arg(key).arg(path)
    }

    /// `JSON.ARRPOP key path`: removes the last element of each matched array
    /// and returns it as JSON text (ask for [`Json<T>`] or `String`); `None`
    /// for a match that is not an array or is empty.
    fn json_arrpop<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> Vec<Option<T>> {
        Cmd::new("JSON.ARRPOP").arg(key).arg(path)
    }

    /// `JSON.ARRPOP key path index`: as [`json_arrpop`], removing the element
    /// at `index` (negative counts from the end; out of range is clamped).
    fn json_arrpop_at<T: FromValue>(key: impl ToArgs, path: impl ToArgs, index: i64) -> Vec<Option<T>> {
        Cmd::new("JSON.ARRPOP").arg(key).arg(path).arg(index)
    }

    /// `JSON.ARRTRIM key path start stop`: keeps the elements from `start` to
    /// `stop` (both inclusive, negative counts from the end) of each matched
    /// array; the new lengths, `None` for a match that is not an array.
    fn json_arrtrim(key: impl ToArgs, path: impl ToArgs, start: i64, stop: i64) -> Vec<Option<u64>> {
        Cmd::new("JSON.ARRTRIM").arg(key).arg(path).arg(start).arg(stop)
    }

    /// `JSON.NUMINCRBY key path by`: adds `by` to each matched number; the
    /// new values, `None` for a match that is not a number. (RESP3 answers an
    /// array and RESP2 JSON text; both read into the same value.)
    fn json_numincrby(key: impl ToArgs, path: impl ToArgs, by: f64) -> Json<Vec<Option<f64>>> {
        Cmd::new("JSON.NUMINCRBY").arg(key).arg(path).arg(by)
    }

    /// `JSON.NUMMULTBY key path by`: multiplies each matched number by `by`;
    /// the new values, `None` for a match that is not a number.
    fn json_nummultby(key: impl ToArgs, path: impl ToArgs, by: f64) -> Json<Vec<Option<f64>>> {
        Cmd::new("JSON.NUMMULTBY").arg(key).arg(path).arg(by)
    }

    /// `JSON.STRAPPEND key path value`: appends `value` to each matched
    /// string (it is sent as a JSON string, quoted and escaped here); the new
    /// lengths, `None` for a match that is not a string.
    fn json_strappend(key: impl ToArgs, path: impl ToArgs, value: &str) -> Vec<Option<u64>> {
        Cmd::new("JSON.STRAPPEND").arg(key).arg(path).arg(json_string(value))
    }

    /// `JSON.STRLEN key path`: the length of each matched string, `None` for
    /// a match that is not a string.
    fn json_strlen(key: impl ToArgs, path: impl ToArgs) -> Vec<Option<u64>> {
        Cmd::new("JSON.STRLEN").arg(key).arg(path)
    }

    /// `JSON.TOGGLE key path`: flips each matched boolean; the new values,
    /// `None` for a match that is not a boolean.
    fn json_toggle(key: impl ToArgs, path: impl ToArgs) -> Vec<Option<bool>> {
        Cmd::new("JSON.TOGGLE").arg(key).arg(path)
    }

    /// `JSON.OBJKEYS key path`: the keys of each matched object, `None` for a
    /// match that is not an object.
    fn json_objkeys(key: impl ToArgs, path: impl ToArgs) -> Vec<Option<Vec<String>>> {
        Cmd::new("JSON.OBJKEYS").arg(key).arg(path)
    }

    /// `JSON.OBJLEN key path`: the number of keys of each matched object,
    /// `None` for a match that is not an object.
    fn json_objlen(key: impl ToArgs, path: impl ToArgs) -> Vec<Option<u64>> {
        Cmd::new("JSON.OBJLEN").arg(key).arg(path)
    }

    /// `JSON.RESP key path`: each match in RESP form rather than JSON text:
    /// an object is an array `["{", key, value, ...]`, an array is
    /// `["[", element, ...]`, strings are bulk strings, `true`/`false` simple
    /// strings, integers integers, null nil. Other numbers are RESP3 doubles
    /// but, over RESP2, bulk strings (as text, like strings): prefer
    /// [`json_get`] where types matter. Empty for a missing key.
    fn json_resp<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> Vec<T> {
        Cmd::new("JSON.RESP").arg(key).arg(path)
    }

    /// `JSON.DEBUG MEMORY key path`: the bytes each match takes in memory;
    /// empty for a missing key.
    fn json_debug_memory(key: impl ToArgs, path: impl ToArgs) -> Vec<u64> {
        Cmd::new("JSON.DEBUG").arg("MEMORY").arg(key).arg(path)
    }
}

/// The RedisJSON commands that send Rust values as JSON: each serializes
/// its value with serde while the command is built, and returns what every
/// other command returns (the reply's future, or the extended pipeline). A
/// value that cannot be serialized (a map whose keys are not strings, a
/// `Serialize` impl that fails) makes the command one that refuses to be
/// sent: awaiting it gives an [`ErrorKind::InvalidInput`] error naming the
/// command and serde's reason, and in a [`crate::Pipeline`] or
/// [`crate::Transaction`] the whole batch is refused with that error, naming
/// the command's position, before anything is sent.
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::commands::Json;
/// use redis_core::prelude::*;
/// client.json_set("cart:7", "$", &[("apples", 3), ("pears", 1)]).await?;
/// let (lengths, items): (Vec<Option<u64>>, Option<Json<Vec<Vec<(String, u32)>>>>) =
///     Pipeline::new()
///         .json_arrappend("cart:7", "$", &[("plums", 6)])
///         .json_get("cart:7", "$")
///         .query(client)
///         .await?;
/// # let _ = (lengths, items); Ok(()) }
/// ```
///
/// (Every other JSON command is in [`JsonCommands`]; these are apart only
/// because their values go through serde rather than [`ToArgs`].)
pub trait JsonValueCommands: Target {
    /// `JSON.SET key path value`: sets the value at `path` (`$` for the whole
    /// document, which creates the key) to `value` serialized as JSON.
    /// Setting a path other than the root needs its parent to exist.
    #[doc(alias = "JSON.SET")]
    fn json_set<V: Serialize + ?Sized>(
        self,
        key: impl ToArgs,
        path: impl ToArgs,
        value: &V,
    ) -> Self::Out<()> {
        self.send(json_set(key, path, value))
    }

    /// `JSON.SET key path value NX|XX`: as [`json_set`](JsonValueCommands::json_set),
    /// only if the path does not exist yet (`NX`) or already exists (`XX`);
    /// [`JsonSetOutcome::NotSet`] when the condition did not hold.
    #[doc(alias = "JSON.SET")]
    fn json_set_with<V: Serialize + ?Sized>(
        self,
        key: impl ToArgs,
        path: impl ToArgs,
        value: &V,
        condition: JsonSetCondition,
    ) -> Self::Out<JsonSetOutcome> {
        self.send(json_set_with(key, path, value, condition))
    }

    /// `JSON.MSET key path value [key path value ...]`: sets every triple,
    /// atomically.
    #[doc(alias = "JSON.MSET")]
    fn json_mset<K: ToArgs, P: ToArgs, V: Serialize>(self, triples: &[(K, P, V)]) -> Self::Out<()> {
        self.send(json_mset(triples))
    }

    /// `JSON.MERGE key path value`: merges `value` into the value at `path`
    /// as RFC 7396 says (object keys are added or replaced, a `null` member
    /// deletes its key, anything else replaces the value); creates the key
    /// when the path is `$` and the key does not exist.
    #[doc(alias = "JSON.MERGE")]
    fn json_merge<V: Serialize + ?Sized>(
        self,
        key: impl ToArgs,
        path: impl ToArgs,
        value: &V,
    ) -> Self::Out<()> {
        self.send(json_merge(key, path, value))
    }

    /// `JSON.ARRAPPEND key path value [value ...]`: appends the values to
    /// each matched array; the new lengths, `None` for a match that is not
    /// an array.
    #[doc(alias = "JSON.ARRAPPEND")]
    fn json_arrappend<V: Serialize>(
        self,
        key: impl ToArgs,
        path: impl ToArgs,
        values: &[V],
    ) -> Self::Out<Vec<Option<u64>>> {
        self.send(json_arrappend(key, path, values))
    }

    /// `JSON.ARRINSERT key path index value [value ...]`: inserts the values
    /// before `index` (negative counts from the end) in each matched array;
    /// the new lengths, `None` for a match that is not an array.
    #[doc(alias = "JSON.ARRINSERT")]
    fn json_arrinsert<V: Serialize>(
        self,
        key: impl ToArgs,
        path: impl ToArgs,
        index: i64,
        values: &[V],
    ) -> Self::Out<Vec<Option<u64>>> {
        self.send(json_arrinsert(key, path, index, values))
    }

    /// `JSON.ARRINDEX key path value`: the index of the first element equal
    /// to `value` (a scalar: string, number, boolean or null) in each matched
    /// array: `Some(-1)` when it is not there, `None` for a match that is not
    /// an array.
    #[doc(alias = "JSON.ARRINDEX")]
    fn json_arrindex<V: Serialize + ?Sized>(
        self,
        key: impl ToArgs,
        path: impl ToArgs,
        value: &V,
    ) -> Self::Out<Vec<Option<i64>>> {
        self.send(json_arrindex(key, path, value))
    }

    /// `JSON.ARRINDEX key path value start [stop]`: as
    /// [`json_arrindex`](JsonValueCommands::json_arrindex), searching from
    /// `start` (inclusive) to `stop` (exclusive; `None` for the end of the
    /// array). Negative positions count from the end.
    #[doc(alias = "JSON.ARRINDEX")]
    fn json_arrindex_with<V: Serialize + ?Sized>(
        self,
        key: impl ToArgs,
        path: impl ToArgs,
        value: &V,
        start: i64,
        stop: Option<i64>,
    ) -> Self::Out<Vec<Option<i64>>> {
        self.send(json_arrindex_with(key, path, value, start, stop))
    }
}

impl<X: Target> JsonValueCommands for X {}

/// `JSON.SET key path value`; see [`JsonValueCommands::json_set`].
#[doc(alias = "JSON.SET")]
pub fn json_set<V: Serialize + ?Sized>(
    key: impl ToArgs,
    path: impl ToArgs,
    value: &V,
) -> Command<()> {
    let value = match json_arg("JSON.SET", value) {
        Ok(value) => value,
        Err(refused) => return Command::new(refused),
    };
    Command::new(Cmd::new("JSON.SET").arg(key).arg(path).arg(value))
}

/// `JSON.SET key path value NX|XX`; see [`JsonValueCommands::json_set_with`].
#[doc(alias = "JSON.SET")]
pub fn json_set_with<V: Serialize + ?Sized>(
    key: impl ToArgs,
    path: impl ToArgs,
    value: &V,
    condition: JsonSetCondition,
) -> Command<JsonSetOutcome> {
    let value = match json_arg("JSON.SET", value) {
        Ok(value) => value,
        Err(refused) => return Command::new(refused),
    };
    Command::new(
        Cmd::new("JSON.SET")
            .arg(key)
            .arg(path)
            .arg(value)
            .arg(condition),
    )
}

/// `JSON.MSET key path value ...`; see [`JsonValueCommands::json_mset`].
#[doc(alias = "JSON.MSET")]
pub fn json_mset<K: ToArgs, P: ToArgs, V: Serialize>(triples: &[(K, P, V)]) -> Command<()> {
    let mut cmd = Cmd::new("JSON.MSET");
    for (key, path, value) in triples {
        match json_arg("JSON.MSET", value) {
            Ok(value) => cmd.push_arg(key).push_arg(path).push_arg(value),
            Err(refused) => return Command::new(refused),
        };
    }
    Command::new(cmd)
}

/// `JSON.MERGE key path value`; see [`JsonValueCommands::json_merge`].
#[doc(alias = "JSON.MERGE")]
pub fn json_merge<V: Serialize + ?Sized>(
    key: impl ToArgs,
    path: impl ToArgs,
    value: &V,
) -> Command<()> {
    let value = match json_arg("JSON.MERGE", value) {
        Ok(value) => value,
        Err(refused) => return Command::new(refused),
    };
    Command::new(Cmd::new("JSON.MERGE").arg(key).arg(path).arg(value))
}

/// `JSON.ARRAPPEND key path value ...`; see [`JsonValueCommands::json_arrappend`].
#[doc(alias = "JSON.ARRAPPEND")]
pub fn json_arrappend<V: Serialize>(
    key: impl ToArgs,
    path: impl ToArgs,
    values: &[V],
) -> Command<Vec<Option<u64>>> {
    let cmd = Cmd::new("JSON.ARRAPPEND").arg(key).arg(path);
    Command::new(with_json_values(cmd, values))
}

/// `JSON.ARRINSERT key path index value ...`; see [`JsonValueCommands::json_arrinsert`].
#[doc(alias = "JSON.ARRINSERT")]
pub fn json_arrinsert<V: Serialize>(
    key: impl ToArgs,
    path: impl ToArgs,
    index: i64,
    values: &[V],
) -> Command<Vec<Option<u64>>> {
    let cmd = Cmd::new("JSON.ARRINSERT").arg(key).arg(path).arg(index);
    Command::new(with_json_values(cmd, values))
}

/// `JSON.ARRINDEX key path value`; see [`JsonValueCommands::json_arrindex`].
#[doc(alias = "JSON.ARRINDEX")]
pub fn json_arrindex<V: Serialize + ?Sized>(
    key: impl ToArgs,
    path: impl ToArgs,
    value: &V,
) -> Command<Vec<Option<i64>>> {
    let value = match json_arg("JSON.ARRINDEX", value) {
        Ok(value) => value,
        Err(refused) => return Command::new(refused),
    };
    Command::new(Cmd::new("JSON.ARRINDEX").arg(key).arg(path).arg(value))
}

/// `JSON.ARRINDEX key path value start [stop]`; see
/// [`JsonValueCommands::json_arrindex_with`].
#[doc(alias = "JSON.ARRINDEX")]
pub fn json_arrindex_with<V: Serialize + ?Sized>(
    key: impl ToArgs,
    path: impl ToArgs,
    value: &V,
    start: i64,
    stop: Option<i64>,
) -> Command<Vec<Option<i64>>> {
    let value = match json_arg("JSON.ARRINDEX", value) {
        Ok(value) => value,
        Err(refused) => return Command::new(refused),
    };
    Command::new(
        Cmd::new("JSON.ARRINDEX")
            .arg(key)
            .arg(path)
            .arg(value)
            .arg(start)
            .arg(stop),
    )
}

/// `value` as JSON text, or the error a builder that cannot go on fails
/// with ([`crate::commands::VaddOptions::attributes`]).
pub(crate) fn to_json<V: Serialize + ?Sized>(command: &str, value: &V) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| {
        Error::new(
            ErrorKind::Type,
            format!("the value cannot be serialized as JSON: {e}"),
        )
        .with_command(command)
    })
}

/// `value` as JSON text for an argument of `command`, or, if serde cannot
/// serialize it, the command that refuses to be sent in its place, saying
/// why (see [`Cmd::unsendable`]).
pub(crate) fn json_arg<V: Serialize + ?Sized>(
    command: &str,
    value: &V,
) -> std::result::Result<Vec<u8>, Cmd> {
    serde_json::to_vec(value).map_err(|e| {
        Cmd::unsendable(
            command,
            &format!("a value of {command} cannot be serialized as JSON: {e}"),
        )
    })
}

/// `cmd` with every one of `values` as JSON text after its arguments, or
/// the command that refuses to be sent in its place.
fn with_json_values<V: Serialize>(mut cmd: Cmd, values: &[V]) -> Cmd {
    for value in values {
        match json_arg(cmd.name(), value) {
            Ok(value) => cmd.push_arg(value),
            Err(refused) => return refused,
        };
    }
    cmd
}

/// A string as JSON text: quoted and escaped. Serializing a `str` cannot
/// fail, and `Value`'s `Display` is infallible.
fn json_string(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}

/// The condition of [`JsonValueCommands::json_set_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonSetCondition {
    /// `NX`: set only if the path does not exist yet.
    #[doc(alias = "NX")]
    IfMissing,
    /// `XX`: set only if the path already exists.
    #[doc(alias = "XX")]
    IfExists,
}

impl ToArgs for JsonSetCondition {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            JsonSetCondition::IfMissing => b"NX",
            JsonSetCondition::IfExists => b"XX",
        });
    }
}

/// Whether [`JsonValueCommands::json_set_with`] wrote the value: JSON.SET
/// answers `OK`, or nil when its `NX`/`XX` condition did not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonSetOutcome {
    /// The value was written.
    Set,
    /// The condition did not hold; the document is unchanged.
    NotSet,
}

impl JsonSetOutcome {
    /// True for [`JsonSetOutcome::Set`].
    pub fn is_set(self) -> bool {
        self == JsonSetOutcome::Set
    }
}

impl FromValue for JsonSetOutcome {
    fn from_value(value: Value) -> Result<Self> {
        Ok(match Option::<()>::from_value(value)? {
            Some(()) => JsonSetOutcome::Set,
            None => JsonSetOutcome::NotSet,
        })
    }
}

/// A reply read as JSON into `T` with serde, as axum's `Json` reads a
/// request body: `let Json(user): Json<User> = ...`.
///
/// A string reply (bulk, simple or verbatim) is JSON text, as JSON.GET,
/// JSON.MGET, JSON.ARRPOP and VGETATTR send it. Any other reply is taken as
/// the JSON value it represents (arrays, maps with string keys, integers,
/// doubles, booleans, nil as `null`, strings inside them as JSON strings),
/// which is how RESP3 sends what RESP2 sends as JSON text (JSON.NUMINCRBY).
/// Nil at the top is not JSON: ask for `Option<Json<T>>` where a reply may be
/// nil. A reply that does not deserialize into `T` is an
/// [`ErrorKind::Type`] error naming the command, never a panic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The deserialized value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned + 'static> FromValue for Json<T> {
    fn from_value(value: Value) -> Result<Self> {
        let parsed = match value.without_attributes() {
            Value::Error(e) => return Err(Error::server(e)),
            Value::Nil => {
                return Err(Error::type_mismatch("JSON text", "nil"));
            }
            Value::BulkString(text) | Value::SimpleString(text) | Value::Verbatim { text, .. } => {
                serde_json::from_slice(&text)
            }
            other => serde_json::from_value(resp_to_json(other)?),
        };
        parsed.map(Json).map_err(|e| {
            Error::new(
                ErrorKind::Type,
                format!(
                    "the JSON reply does not deserialize into {}: {e}",
                    std::any::type_name::<T>()
                ),
            )
        })
    }
}

/// A reply that is not JSON text as the JSON value it represents.
fn resp_to_json(value: Value) -> Result<serde_json::Value> {
    use serde_json::Value as J;
    Ok(match value.without_attributes() {
        Value::Nil => J::Null,
        Value::Error(e) => return Err(Error::server(e)),
        Value::Integer(n) => J::from(n),
        Value::Double(d) => serde_json::Number::from_f64(d)
            .map(J::Number)
            .ok_or_else(|| Error::type_mismatch("a finite number", "a non-finite double"))?,
        Value::Boolean(b) => J::Bool(b),
        Value::BigNumber(text) => serde_json::from_str(&text)
            .map_err(|_| Error::type_mismatch("JSON number", "big number"))?,
        value @ (Value::BulkString(_) | Value::SimpleString(_) | Value::Verbatim { .. }) => {
            J::String(String::from_value(value)?)
        }
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            J::Array(items.into_iter().map(resp_to_json).collect::<Result<_>>()?)
        }
        Value::Map(entries) => J::Object(
            entries
                .into_iter()
                .map(|(k, v)| Ok((String::from_value(k)?, resp_to_json(v)?)))
                .collect::<Result<_>>()?,
        ),
        // `without_attributes` removed every attribute.
        Value::Attribute { value, .. } => resp_to_json(*value)?,
    })
}

/// The type of a JSON value, as JSON.TYPE names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A number without a fraction (`integer`).
    Integer,
    /// Any other number (`number`).
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        })
    }
}

impl FromValue for JsonType {
    fn from_value(value: Value) -> Result<Self> {
        let name = String::from_value(value)?;
        Ok(match name.as_str() {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            other => {
                return Err(Error::type_mismatch(
                    "a JSON type name",
                    &format!("{other:?}"),
                ));
            }
        })
    }

    /// RESP3 wraps JSON.TYPE's list of types in one more array (and answers
    /// `[nil]` for a missing key) where RESP2 sends the list itself (and nil):
    /// both read as the same `Vec<JsonType>`.
    fn from_elements(items: Vec<Value>) -> Result<Vec<Self>> {
        let mut items = items;
        if items.len() == 1 {
            match items.pop().map(Value::without_attributes) {
                Some(Value::Array(inner)) => items = inner,
                Some(Value::Nil) => return Ok(Vec::new()),
                Some(other) => items.push(other),
                None => {}
            }
        }
        items.into_iter().map(Self::from_value).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use bytes::Bytes;

    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn json_text_deserializes_into_the_asked_type() {
        let Json(map) =
            Json::<BTreeMap<String, Vec<u8>>>::from_value(bulk(r#"{"a":[1,2]}"#)).unwrap();
        assert_eq!(map, BTreeMap::from([("a".to_owned(), vec![1, 2])]));
        let err = Json::<Vec<u8>>::from_value(bulk(r#"{"a":1}"#)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Type);
        assert!(err.to_string().contains("Vec<u8>"), "{err}");
        assert_eq!(
            Json::<u8>::from_value(Value::Nil).unwrap_err().kind(),
            ErrorKind::Type
        );
        assert_eq!(Option::<Json<u8>>::from_value(Value::Nil).unwrap(), None);
    }

    #[test]
    fn numincrby_reads_the_same_from_resp3_arrays_and_resp2_text() {
        let resp3 = Value::Array(vec![Value::Integer(3), Value::Nil, Value::Double(3.5)]);
        let resp2 = bulk("[3,null,3.5]");
        let want = vec![Some(3.0), None, Some(3.5)];
        assert_eq!(Json::<Vec<Option<f64>>>::from_value(resp3).unwrap().0, want);
        assert_eq!(Json::<Vec<Option<f64>>>::from_value(resp2).unwrap().0, want);
    }

    #[test]
    fn json_type_reads_the_same_from_resp3_and_resp2() {
        let types = || vec![bulk("integer"), bulk("array")];
        let resp3 = Value::Array(vec![Value::Array(types())]);
        let resp2 = Value::Array(types());
        let want = vec![JsonType::Integer, JsonType::Array];
        assert_eq!(Vec::<JsonType>::from_value(resp3).unwrap(), want);
        assert_eq!(Vec::<JsonType>::from_value(resp2).unwrap(), want);
        let missing3 = Value::Array(vec![Value::Nil]);
        assert!(Vec::<JsonType>::from_value(missing3).unwrap().is_empty());
        assert!(Vec::<JsonType>::from_value(Value::Nil).unwrap().is_empty());
        assert_eq!(
            Vec::<JsonType>::from_value(Value::Array(vec![bulk("string")])).unwrap(),
            [JsonType::String]
        );
        assert_eq!(
            JsonType::from_value(bulk("tuple")).unwrap_err().kind(),
            ErrorKind::Type
        );
    }

    #[test]
    fn a_value_that_cannot_be_serialized_makes_a_command_that_refuses_to_be_sent() {
        let bad = BTreeMap::from([((1, 2), 3)]);
        let refused = |cmd: &Cmd| {
            let err = cmd.refusal().expect("the command should be refused");
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            err.to_string()
        };
        let why = refused(json_set("k", "$", &bad).cmd());
        assert!(
            why.contains("JSON.SET cannot be serialized as JSON"),
            "{why}"
        );
        assert!(why.contains("key must be a string"), "{why}");
        assert!(why.contains("nothing was sent"), "{why}");
        assert!(refused(json_mset(&[("k", "$", &bad)]).cmd()).contains("JSON.MSET"));
        let values = [BTreeMap::new(), bad.clone()];
        assert!(refused(json_arrappend("k", "$", &values).cmd()).contains("JSON.ARRAPPEND"));
        assert!(refused(json_arrinsert("k", "$", 0, &values).cmd()).contains("JSON.ARRINSERT"));
        for cmd in [
            json_merge("k", "$", &bad).into_cmd(),
            json_arrindex("k", "$", &bad).into_cmd(),
            json_arrindex_with("k", "$", &bad, 0, None).into_cmd(),
            json_set_with("k", "$", &bad, JsonSetCondition::IfMissing).into_cmd(),
        ] {
            refused(&cmd);
        }
        // In a batch, the whole batch is refused, naming the command.
        let mut batch = crate::Batch::default();
        batch.push(&Cmd::new("PING"));
        batch.push(json_set("k", "$", &bad).cmd());
        let err = batch.refusal().expect("the batch should be refused");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let why = err.to_string();
        assert!(why.contains("command 2 of the pipeline"), "{why}");
        assert!(why.contains("key must be a string"), "{why}");
        // A value that serializes makes an ordinary command.
        assert!(json_set("k", "$", &[1]).cmd().refusal().is_none());
    }

    #[test]
    fn values_are_sent_as_json_text() {
        let cmd = json_set_with("k", "$", &[1, 2], JsonSetCondition::IfMissing).into_cmd();
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(args, [&b"JSON.SET"[..], b"k", b"$", b"[1,2]", b"NX"]);
        let cmd = json_strappend("k", "$.s", "a\"b").into_cmd();
        assert_eq!(cmd.args().last(), Some(&br#""a\"b""#[..]));
    }
}
