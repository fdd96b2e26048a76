//! Atomic partial updates and optimistic versions, for hash and JSON
//! models.
//!
//! [`Repository::update`](crate::Repository::update) changes named fields
//! of one record in one Lua script: nothing else of the record is written,
//! so another client's change to another field survives. A model with a
//! `#[redis(version)]` field has its version compared and bumped by the
//! same script, by `update` and by [`Repository::save`](crate::Repository::save).
//!
//! Field names and values travel as `ARGV`, never as script text; values
//! are encoded exactly as a save writes them: by [`HashValue`] in a hash,
//! as JSON in a document (numbers and date-times as the same number text).

mod hash;
pub(crate) mod json;

use bytes::Bytes;
use redis_core::commands::JsonValueCommands;
use redis_core::{Cmd, Error, ErrorKind, Executor, Result, Script, Value};
use serde::Serialize;

use crate::field::{Field, FieldKind, kind};
use crate::geo::GeoPoint;
use crate::hash::{HashValue, HashWriter};
use crate::json::Json;
use crate::model::{Model, StorageKind};
use crate::storage::not_a_record;

pub(crate) use hash::save_arguments as hash_save_arguments;

/// A type a `#[redis(version)]` field can have: `u64` or `i64`.
#[diagnostic::on_unimplemented(
    message = "a #[redis(version)] field is a `u64` or an `i64`, not `{Self}`",
    label = "not an integer type a version can be",
    note = "the version counts the record's saves and updates: declare it `u64` (or `i64`)"
)]
pub trait VersionField: HashValue + Copy {
    /// The version, widened so that both types fit.
    fn widen(self) -> i128;
}

impl VersionField for u64 {
    fn widen(self) -> i128 {
        i128::from(self)
    }
}

impl VersionField for i64 {
    fn widen(self) -> i128 {
        i128::from(self)
    }
}

/// The versions a record can have: those `HINCRBY` can still bump.
const MAX_VERSION: i128 = i64::MAX as i128 - 1;

/// A version given by the caller, checked: `0..=i64::MAX - 1`.
pub(crate) fn checked_version(version: i128, key: &str) -> Result<u64> {
    match u64::try_from(version) {
        Ok(version) if version <= MAX_VERSION as u64 => Ok(version),
        _ => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "the version {version} given for {key} is out of range (0 to {MAX_VERSION}); \
                 nothing was sent"
            ),
        )),
    }
}

/// A field kind whose fields an update can set, and the Rust type it takes:
/// the value type of numeric and TAG fields, `String` for TEXT fields, a
/// [`GeoPoint`] for GEO fields.
#[diagnostic::on_unimplemented(
    message = "an update cannot set a field indexed as `{Self}`",
    label = "no value type is known for this kind of field",
    note = "update sets numeric, TAG, TEXT and GEO fields; save the whole model to change the others"
)]
pub trait Settable: FieldKind {
    /// The value an update writes to the field.
    type Value: HashValue;

    /// The value as a JSON document stores it.
    #[doc(hidden)]
    fn json(value: &Self::Value) -> std::result::Result<Vec<u8>, String>;
}

/// A number as JSON: the text a hash stores (shortest round-trip digits;
/// date-times as epoch seconds, as `epoch_seconds` writes them), which is a
/// JSON number; NaN has none.
fn number_json<T: HashValue>(value: &T) -> std::result::Result<Vec<u8>, String> {
    hash_value("value", value, crate::layout::Layout::Default).map(|text| text.to_vec())
}

fn serde_json_of<T: Serialize>(value: &T) -> std::result::Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|e| e.to_string())
}

impl<T: HashValue + 'static> Settable for kind::Numeric<T> {
    type Value = T;
    fn json(value: &T) -> std::result::Result<Vec<u8>, String> {
        number_json(value)
    }
}
impl<T: HashValue + Serialize + 'static> Settable for kind::Tag<T> {
    type Value = T;
    fn json(value: &T) -> std::result::Result<Vec<u8>, String> {
        serde_json_of(value)
    }
}
impl Settable for kind::Text {
    type Value = String;
    fn json(value: &String) -> std::result::Result<Vec<u8>, String> {
        serde_json_of(value)
    }
}
impl Settable for kind::TagText {
    type Value = String;
    fn json(value: &String) -> std::result::Result<Vec<u8>, String> {
        serde_json_of(value)
    }
}
impl Settable for kind::Geo {
    type Value = GeoPoint;
    fn json(value: &GeoPoint) -> std::result::Result<Vec<u8>, String> {
        serde_json_of(value)
    }
}

/// A number an update can increment in place (`HINCRBY` for integers,
/// `HINCRBYFLOAT` for floats), and the type of the amount: `i64` for
/// integers (so that an unsigned field can go down), `f64` for floats.
#[diagnostic::on_unimplemented(
    message = "`{Self}` fields cannot be incremented",
    label = "not an integer of at most 64 bits nor a float",
    note = "increment works on integer (up to 64 bits) and float fields; use `set` for others"
)]
pub trait Increment: HashValue {
    /// The amount's type.
    type Delta: Copy + redis_core::ToArgs;
    /// True for floats (`HINCRBYFLOAT`).
    #[doc(hidden)]
    const FLOAT: bool;
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl Increment for $t {
            type Delta = i64;
            const FLOAT: bool = false;
        }
    )*};
}

integers!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl Increment for f32 {
    type Delta = f64;
    const FLOAT: bool = true;
}

impl Increment for f64 {
    type Delta = f64;
    const FLOAT: bool = true;
}

/// Runs the versioned save of `M` at `key` with `argv`.
pub(crate) async fn run_save<M: Model, E: Executor>(
    executor: &E,
    key: &str,
    argv: Vec<Bytes>,
    expected: u64,
) -> Result<()> {
    let script = match M::info().storage() {
        StorageKind::Hash => &*hash::SAVE_SCRIPT,
        StorageKind::Json => &*json::SAVE_SCRIPT,
    };
    let reply = invoke(script, executor, key, argv)
        .await
        .map_err(|error| not_a_record::<M>(key, error))?;
    match outcome(reply)? {
        Outcome::Ok(_) => Ok(()),
        Outcome::Conflict(found) => Err(conflict::<M>(key, expected, found, "saved")),
        _ => Err(unexpected(key)),
    }
}

async fn invoke<E: Executor>(
    script: &Script,
    executor: &E,
    key: &str,
    argv: Vec<Bytes>,
) -> Result<Vec<Value>> {
    let mut invocation = script.key(key);
    for arg in argv {
        invocation = invocation.arg(arg);
    }
    invocation.invoke(executor).await
}

/// What a script answered.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Done; the new values of the increments, in order.
    Ok(Vec<String>),
    Missing,
    /// A condition of [`Update::when`] did not hold (the field named).
    Unmet(String),
    /// The version found (`None`: no record, or no version stored).
    Conflict(Option<String>),
    /// A field that cannot be incremented, and what it holds.
    Invalid(String, String),
}

fn outcome(reply: Vec<Value>) -> Result<Outcome> {
    let mut words = reply.into_iter().map(|value| {
        redis_core::FromValue::from_value(value).unwrap_or_else(|_: Error| String::new())
    });
    let status: String = words.next().unwrap_or_default();
    let mut next = || words.next().unwrap_or_default();
    Ok(match status.as_str() {
        "ok" => Outcome::Ok(words.collect()),
        "missing" => Outcome::Missing,
        "unmet" => Outcome::Unmet(next()),
        "conflict" => {
            let found = next();
            Outcome::Conflict((!found.is_empty()).then_some(found))
        }
        "invalid" => {
            let field = next();
            Outcome::Invalid(field, next())
        }
        other => {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!("unexpected reply {other:?} from the object mapper's script"),
            ));
        }
    })
}

fn unexpected(key: &str) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("unexpected reply from the object mapper's script for {key}"),
    )
}

fn conflict<M: Model>(key: &str, expected: u64, found: Option<String>, what: &str) -> Error {
    let expected = if expected == 0 {
        "no record (version 0, an insert)".to_owned()
    } else {
        format!("version {expected}")
    };
    let found = match found {
        Some(found) => format!("version {found}"),
        None => "no version (the record is missing or has none)".to_owned(),
    };
    Error::new(
        ErrorKind::Conflict,
        format!(
            "{} at {key} was not {what}: expected {expected}, found {found}; nothing was written",
            M::info().name()
        ),
    )
}

/// One increment: the field, the amount as sent, and whether it is a float.
#[derive(Debug, Clone)]
struct Incr {
    field: &'static str,
    amount: Bytes,
    float: bool,
}

/// What an update writes, each value encoded for the model's storage.
#[derive(Debug, Default)]
struct Ops {
    /// Fields that must hold these values (encoded as stored) for the
    /// update to apply.
    conditions: Vec<(&'static str, Bytes)>,
    sets: Vec<(&'static str, Bytes)>,
    incrs: Vec<Incr>,
    /// JSON arrays only.
    appends: Vec<(&'static str, Bytes)>,
    unsets: Vec<&'static str>,
}

/// An atomic partial update of one record, built by
/// [`Repository::update`](crate::Repository::update) and sent by
/// [`Update::apply`]: one Lua script that writes only the fields named
/// here (HSET/HDEL of those fields in a hash, JSON.SET/JSON.DEL at their
/// paths in a document), increments in place, checks the version when
/// asked, and bumps the model's version field if it has one.
///
/// ```no_run
/// use redis_om::{RedisModel, Repository};
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index)]
///     price: f64,
///     #[redis(index)]
///     stock: u32,
///     #[redis(index)]
///     discontinued: Option<String>,
///     #[redis(version)]
///     version: u64,
/// }
///
/// # async fn run(client: &redis_om::core::Client, p: Product) -> redis_om::core::Result<()> {
/// let products = Repository::<Product, _>::new(client);
/// let found = products
///     .update(&p.id)
///     .set(Product::price(), 9.99)
///     .incr(Product::stock(), -1)
///     .unset(Product::discontinued())
///     .if_version(p.version) // ErrorKind::Conflict if it was changed since
///     .apply()
///     .await?;
/// assert!(found, "false: there is no such record, and nothing was written");
/// # Ok(()) }
/// ```
#[must_use = "an update does nothing until it is applied"]
pub struct Update<'r, M: Model, E> {
    executor: &'r E,
    model: std::marker::PhantomData<fn() -> M>,
    key: String,
    ops: Ops,
    expected: Option<i128>,
    failure: Option<String>,
}

impl<'r, M: Model, E> Update<'r, M, E> {
    /// An update of the record at `key`, sent through `executor`.
    pub(crate) fn new(executor: &'r E, key: String) -> Self {
        Update {
            executor,
            model: std::marker::PhantomData,
            key,
            ops: Ops::default(),
            expected: None,
            failure: None,
        }
    }

    fn fail(&mut self, why: String) {
        self.failure.get_or_insert(why);
    }

    /// `value` encoded as the model's storage keeps it in `field`.
    fn encode<K: Settable>(&mut self, field: &'static str, value: &K::Value) -> Option<Bytes> {
        let encoded = match M::info().storage() {
            StorageKind::Hash => hash_value(field, value, M::info().layout()),
            StorageKind::Json => K::json(value).map(Bytes::from),
        };
        match encoded {
            Ok(value) => Some(value),
            Err(why) => {
                self.fail(format!("field `{field}`: {why}"));
                None
            }
        }
    }

    /// Sets `field` to `value`, encoded as a save writes it. A value that
    /// cannot be sent (NaN) fails [`Update::apply`] before anything is sent.
    pub fn set<K: Settable, S>(mut self, field: Field<M, K, S>, value: K::Value) -> Self {
        if let Some(value) = self.encode::<K>(field.name(), &value) {
            self.ops.sets.push((field.name(), value));
        }
        self
    }

    /// Applies the update only if `field` holds `value` now (compared as
    /// stored: the text a save writes in a hash, the decoded JSON value in
    /// a document); otherwise [`Update::apply`] returns `Ok(false)` and
    /// nothing is written. Several conditions must all hold: a
    /// compare-and-set, or an update guarded by a state
    /// (`.when(Order::status(), "open")`).
    pub fn when<K: Settable, S>(mut self, field: Field<M, K, S>, value: K::Value) -> Self {
        if let Some(value) = self.encode::<K>(field.name(), &value) {
            self.ops.conditions.push((field.name(), value));
        }
        self
    }

    /// Adds `by` to the numeric field `field` in place (`HINCRBY`, or
    /// `HINCRBYFLOAT` for floats, in a hash; `JSON.NUMINCRBY` in a
    /// document): concurrent increments all count. In a hash an absent
    /// field counts as 0; in a document the field must hold a number. A
    /// stored value that is no number of the field's kind, or a sum out of
    /// the 64-bit range, fails the update with [`ErrorKind::Decode`] and
    /// nothing is written.
    pub fn incr<T: Increment + 'static, S>(
        mut self,
        field: Field<M, kind::Numeric<T>, S>,
        by: T::Delta,
    ) -> Self {
        let mut arg = Cmd::new("HINCRBY");
        arg.push_arg(by);
        match arg.args().nth(1).map(Bytes::copy_from_slice) {
            Some(amount) if !T::FLOAT || is_finite_text(&amount) => self.ops.incrs.push(Incr {
                field: field.name(),
                amount,
                float: T::FLOAT,
            }),
            _ => self.fail(format!(
                "field `{}` cannot be incremented by a NaN or an infinity",
                field.name()
            )),
        }
        self
    }

    /// Removes `field` from the record (HDEL in a hash, JSON.DEL in a
    /// document), so that it reads back as `None`. Only `Option` fields can
    /// be removed: another fails [`Update::apply`] with
    /// [`ErrorKind::InvalidInput`] before anything is sent.
    pub fn unset<K: FieldKind, S>(mut self, field: Field<M, K, S>) -> Self {
        let optional = M::info()
            .fields()
            .iter()
            .any(|info| info.stored() == field.name() && info.is_optional());
        if optional {
            self.ops.unsets.push(field.name());
        } else {
            self.fail(format!(
                "field `{}` is not an Option, so it cannot be removed",
                field.name()
            ));
        }
        self
    }

    /// Applies the update only if the record's stored version is `version`
    /// (the model's `#[redis(version)]` field as it was read): otherwise
    /// [`Update::apply`] fails with [`ErrorKind::Conflict`] and nothing is
    /// written. A model without a version field fails with
    /// [`ErrorKind::InvalidInput`].
    pub fn if_version<V: VersionField>(mut self, version: V) -> Self {
        self.expected = Some(version.widen());
        self
    }

    /// The script and its `ARGV`, after the checks made before sending.
    fn arguments(self) -> Result<(&'static Script, Vec<Bytes>)> {
        let refuse = |why: String| {
            Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} at {} cannot be updated: {why}; nothing was sent",
                    M::info().name(),
                    self.key
                ),
            )
        };
        if let Some(why) = &self.failure {
            return Err(refuse(why.clone()));
        }
        let version_field = M::info().version();
        let expected = match (self.expected, version_field) {
            (Some(_), None) => {
                return Err(refuse(
                    "the model has no #[redis(version)] field".to_owned(),
                ));
            }
            (Some(version), Some(_)) => Some(checked_version(version, &self.key)?),
            (None, _) => None,
        };
        let ops = &self.ops;
        let written = (ops.sets.iter().map(|(field, _)| *field))
            .chain(ops.incrs.iter().map(|incr| incr.field))
            .chain(ops.appends.iter().map(|(field, _)| *field))
            .chain(ops.unsets.iter().copied());
        for field in written {
            if Some(field) == version_field {
                return Err(refuse(format!(
                    "the version field `{field}` is bumped by every update, not set"
                )));
            }
            if field == M::info().pk() {
                return Err(refuse("the primary key cannot be changed".to_owned()));
            }
        }
        let expected = Bytes::from(expected.map(|v| v.to_string()).unwrap_or_default());
        let version = version_field.unwrap_or("");
        Ok(match M::info().storage() {
            StorageKind::Hash => (
                &*hash::UPDATE_SCRIPT,
                hash::update_arguments(version.as_bytes(), expected, self.ops),
            ),
            StorageKind::Json => (
                &*json::UPDATE_SCRIPT,
                json::update_arguments(version, expected, self.ops),
            ),
        })
    }

    /// True when the update only sets values of a JSON document without a
    /// version: `JSON.MSET` does that atomically in one command, and a
    /// missing document is an error of its own, so no script is needed.
    fn is_plain_json_set(&self) -> bool {
        let ops = &self.ops;
        M::info().storage() == StorageKind::Json
            && M::info().version().is_none()
            && self.expected.is_none()
            && self.failure.is_none()
            && !ops.sets.is_empty()
            && ops.conditions.is_empty()
            && ops.incrs.is_empty()
            && ops.appends.is_empty()
            && ops.unsets.is_empty()
            && ops.sets.iter().all(|(field, _)| *field != M::info().pk())
    }
}

impl<'r, M: Model<Storage = Json>, E> Update<'r, M, E> {
    /// Appends `value` to the JSON array `field` (`JSON.ARRAPPEND`):
    /// concurrent appends all land. A field that holds no array fails the
    /// update with [`ErrorKind::Decode`] and nothing is written. JSON
    /// models only: a hash stores a list as one joined string.
    pub fn append<T: Serialize + 'static, S>(
        mut self,
        field: Field<M, kind::MultiTag<T>, S>,
        value: T,
    ) -> Self {
        match serde_json_of(&value) {
            Ok(json) => self.ops.appends.push((field.name(), Bytes::from(json))),
            Err(why) => self.fail(format!("field `{}`: {why}", field.name())),
        }
        self
    }
}

/// `value` as a hash stores it in field `name`.
fn hash_value<T: HashValue>(
    name: &'static str,
    value: &T,
    layout: crate::layout::Layout,
) -> std::result::Result<Bytes, String> {
    let mut scratch = Cmd::new("HSET");
    let mut absent = Vec::new();
    let mut writer = HashWriter::new(&mut scratch, &mut absent).in_layout(layout);
    writer.field(name, value);
    if let Some(why) = writer.take_failure() {
        return Err(why);
    }
    scratch
        .args()
        .nth(2)
        .map(Bytes::copy_from_slice)
        .ok_or_else(|| "the value writes nothing".to_owned())
}

impl<M: Model, E: Executor> Update<'_, M, E> {
    /// Sends the update as one script; `Ok(false)` when there is no such
    /// record or a [`Update::when`] condition does not hold (nothing is
    /// written: an update never creates a half-made record). Fails with
    /// [`ErrorKind::Conflict`] when [`Update::if_version`] was given and
    /// the stored version is another, with [`ErrorKind::InvalidInput`]
    /// before sending when a value cannot be sent, and with
    /// [`ErrorKind::Decode`] when a field to increment holds no number (or
    /// one to append to no array); in every failure nothing is written. An
    /// update without fields only checks and bumps the version.
    pub async fn apply(self) -> Result<bool> {
        Ok(self.run().await?.is_some())
    }

    /// Runs the update: each increment's new value (as text) when it was
    /// applied, `None` when the record is missing or a condition failed.
    pub(crate) async fn run(self) -> Result<Option<Vec<String>>> {
        if self.is_plain_json_set() {
            return self.json_mset().await;
        }
        let (executor, key, expected) = (self.executor, self.key.clone(), self.expected);
        let (script, argv) = self.arguments()?;
        let reply = invoke(script, executor, &key, argv)
            .await
            .map_err(|error| not_a_record::<M>(&key, error))?;
        match outcome(reply)? {
            Outcome::Ok(values) => Ok(Some(values)),
            Outcome::Missing | Outcome::Unmet(_) => Ok(None),
            Outcome::Conflict(found) => {
                let expected = expected
                    .and_then(|v| u64::try_from(v).ok())
                    .unwrap_or_default();
                Err(conflict::<M>(&key, expected, found, "updated"))
            }
            Outcome::Invalid(field, holds) => Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "{} at {key} was not updated: field `{field}` holds {:?}, which cannot be \
                     incremented or appended to as asked; nothing was written",
                    M::info().name(),
                    crate::hash::shorten(&holds)
                ),
            )),
        }
    }
}

impl<M: Model, E: Executor> Update<'_, M, E> {
    /// The update as one `JSON.MSET` (see [`Update::is_plain_json_set`]).
    async fn json_mset(self) -> Result<Option<Vec<String>>> {
        let mut triples = Vec::with_capacity(self.ops.sets.len());
        for (field, value) in self.ops.sets {
            let text = String::from_utf8(value.to_vec()).map_err(|e| {
                Error::new(ErrorKind::InvalidInput, format!("field `{field}`: {e}"))
            })?;
            let value = serde_json::value::RawValue::from_string(text).map_err(|e| {
                Error::new(ErrorKind::InvalidInput, format!("field `{field}`: {e}"))
            })?;
            triples.push((self.key.as_str(), json::path(field), value));
        }
        match self.executor.json_mset(&triples).await {
            Ok(()) => Ok(Some(Vec::new())),
            // RedisJSON's words for a path set on a key that does not exist.
            Err(error)
                if error
                    .to_string()
                    .contains("new objects must be created at the root") =>
            {
                Ok(None)
            }
            Err(error) => Err(not_a_record::<M>(&self.key, error)),
        }
    }
}

fn is_finite_text(amount: &[u8]) -> bool {
    std::str::from_utf8(amount)
        .ok()
        .and_then(|text| text.parse::<f64>().ok())
        .is_some_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::RedisModel;

    #[derive(RedisModel)]
    #[redis(prefix = "product")]
    struct Product {
        #[redis(pk)]
        id: String,
        #[redis(index)]
        price: f64,
        #[redis(index)]
        stock: u32,
        #[redis(index(tag))]
        brand: String,
        #[redis(index)]
        name: String,
        #[redis(version, index)]
        version: u64,
    }

    #[derive(RedisModel)]
    struct Plain {
        #[redis(pk)]
        id: String,
        #[redis(index)]
        n: i64,
    }

    /// An update of `product:1` (`{prefix}:1`), never sent.
    fn unsent<M: Model>() -> Update<'static, M, ()> {
        Update::new(&(), format!("{}:1", M::info().prefix()))
    }

    fn text(argv: &[Bytes]) -> Vec<String> {
        argv.iter()
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect()
    }

    #[test]
    fn update_arguments_are_the_fields_encoded_as_a_save_writes_them() {
        let update = unsent::<Product>()
            .set(Product::price(), 0.1)
            .set(Product::brand(), "Acme 'x' \"; return".to_owned())
            .incr(Product::stock(), -1)
            .if_version(7u64);
        assert_eq!(update.key, "product:1");
        assert_eq!(
            text(&update.arguments().unwrap().1),
            [
                "version",
                "7",
                "0",
                "2",
                "1",
                "price",
                "0.1",
                "brand",
                "Acme 'x' \"; return",
                "stock",
                "i",
                "-1"
            ]
        );
    }

    #[test]
    fn a_model_without_version_sends_no_check() {
        let update = unsent::<Plain>().incr(Plain::n(), 5);
        assert_eq!(
            text(&update.arguments().unwrap().1),
            ["", "", "0", "0", "1", "n", "i", "5"]
        );
        let error = unsent::<Plain>().if_version(1u64).arguments().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            error.to_string().contains("no #[redis(version)]"),
            "{error}"
        );
    }

    #[test]
    fn what_cannot_be_sent_is_refused_before_sending() {
        for update in [
            unsent::<Product>().set(Product::price(), f64::NAN),
            unsent::<Product>().incr(Product::price(), f64::INFINITY),
            unsent::<Product>().incr(Product::price(), f64::NAN),
            unsent::<Product>().set(Product::version(), 3),
            unsent::<Product>().incr(Product::version(), 1),
            unsent::<Product>().if_version(-1i64),
        ] {
            let error = update.arguments().unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
            assert!(error.to_string().contains("product:1"), "{error}");
        }
        let error = unsent::<Product>()
            .set(Product::price(), f64::NAN)
            .arguments()
            .unwrap_err();
        assert!(error.to_string().contains("NaN"), "{error}");
    }

    #[test]
    fn float_increments_are_sent_as_shortest_text() {
        let (_, argv) = unsent::<Product>()
            .incr(Product::price(), 0.1)
            .arguments()
            .unwrap();
        assert_eq!(text(&argv)[5..], ["price", "f", "0.1"]);
    }

    #[test]
    fn save_arguments_replace_the_version_and_list_removed_fields() {
        let hset = Cmd::new("HSET")
            .arg("product:1")
            .arg("id")
            .arg("1")
            .arg("version")
            .arg("4")
            .arg("price")
            .arg("2.5");
        let argv = hash_save_arguments(&hset, &["note"], "version", 4, 0);
        assert_eq!(
            text(&argv),
            [
                "version", "4", "5", "0", "2", "id", "1", "price", "2.5", "note"
            ]
        );
        assert!(checked_version(-1, "k").is_err());
        assert!(checked_version(i128::from(i64::MAX), "k").is_err());
        assert_eq!(checked_version(0, "k").unwrap(), 0);
    }

    #[test]
    fn script_replies_are_read() {
        let word = |s: &str| Value::BulkString(Bytes::copy_from_slice(s.as_bytes()));
        assert_eq!(outcome(vec![word("ok")]).unwrap(), Outcome::Ok(vec![]));
        assert_eq!(
            outcome(vec![word("ok"), word("3"), word("1.5")]).unwrap(),
            Outcome::Ok(vec!["3".to_owned(), "1.5".to_owned()])
        );
        assert_eq!(
            outcome(vec![word("unmet"), word("status")]).unwrap(),
            Outcome::Unmet("status".to_owned())
        );
        assert_eq!(outcome(vec![word("missing")]).unwrap(), Outcome::Missing);
        assert_eq!(
            outcome(vec![word("conflict"), word("3")]).unwrap(),
            Outcome::Conflict(Some("3".to_owned()))
        );
        assert_eq!(
            outcome(vec![word("conflict"), word("")]).unwrap(),
            Outcome::Conflict(None)
        );
        assert!(outcome(vec![]).is_err());
        let error = conflict::<Product>("product:1", 3, Some("4".to_owned()), "saved");
        assert_eq!(error.kind(), ErrorKind::Conflict);
        let text = error.to_string();
        assert!(
            text.contains("product:1") && text.contains("version 3") && text.contains("version 4"),
            "{text}"
        );
    }
}
