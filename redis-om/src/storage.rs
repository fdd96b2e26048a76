//! Storage kinds: how a model's records become commands and come back.

use std::time::Duration;

use bytes::Bytes;
use redis_core::commands::{self, ScanType};
use redis_core::{Cmd, Error, ErrorKind, FromValue, Result, Value};

use crate::hash::{HashFields, HashModel, HashValue, HashWriter};
use crate::model::Model;

/// How one storage kind stores and loads records of `M`: [`struct@Hash`] for hash
/// models. The repository is written once over it.
pub trait Storage<M: Model>: Send + Sync + 'static {
    /// The commands that store `model` under `pk` at `key`, to be run as
    /// one (atomically when there are several).
    #[doc(hidden)]
    fn save(model: &M, pk: &M::Pk, key: &str, ttl: Option<Duration>) -> Result<Vec<Cmd>>;

    /// The arguments of the versioned save script (see
    /// [`crate::Repository::save`]) that stores `model` if the stored
    /// version is `expected`.
    #[doc(hidden)]
    fn save_checked(
        model: &M,
        pk: &M::Pk,
        key: &str,
        ttl: Option<Duration>,
        version_field: &str,
        expected: u64,
    ) -> Result<Vec<Bytes>> {
        let _ = (model, pk, ttl, version_field, expected);
        Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} at {key}: versions are supported for hash models only; nothing was sent",
                M::info().name()
            ),
        ))
    }

    /// The type `SCAN ... TYPE` names this storage's keys by.
    #[doc(hidden)]
    fn key_type() -> ScanType;

    /// The command that reads the record at `key`.
    #[doc(hidden)]
    fn load(key: &str) -> Cmd;

    /// The record from `load`'s reply; `None` when there is none.
    #[doc(hidden)]
    fn decode(key: &str, pk: M::Pk, reply: Value) -> Result<Option<M>>;
}

/// Hash storage (`#[redis(storage = "hash")]`, the default): one Redis hash
/// per record, the primary key included as a field.
#[derive(Debug, Clone, Copy)]
pub struct Hash;

impl<M: HashModel> Storage<M> for Hash {
    fn save(model: &M, pk: &M::Pk, key: &str, ttl: Option<Duration>) -> Result<Vec<Cmd>> {
        let (hset, absent) = hash_write(model, pk, key)?;
        let mut cmds = vec![hset];
        // A field that is now `None` must not keep the value of an earlier save.
        if !absent.is_empty() {
            cmds.push(Cmd::new("HDEL").arg(key).arg(&absent[..]));
        }
        if let Some(ttl) = ttl {
            cmds.push(pexpire(key, ttl));
        }
        Ok(cmds)
    }

    fn save_checked(
        model: &M,
        pk: &M::Pk,
        key: &str,
        ttl: Option<Duration>,
        version_field: &str,
        expected: u64,
    ) -> Result<Vec<Bytes>> {
        let (hset, absent) = hash_write(model, pk, key)?;
        Ok(crate::update::hash_save_arguments(
            &hset,
            &absent,
            version_field,
            expected,
            ttl_millis(ttl),
        ))
    }

    fn key_type() -> ScanType {
        ScanType::Hash
    }

    fn load(key: &str) -> Cmd {
        Cmd::new("HGETALL").arg(key)
    }

    fn decode(key: &str, pk: M::Pk, reply: Value) -> Result<Option<M>> {
        let fields = match Vec::<(Bytes, Bytes)>::from_value(reply) {
            Ok(fields) => fields,
            Err(error) => return Err(not_a_record::<M>(key, error)),
        };
        if fields.is_empty() {
            return Ok(None);
        }
        M::read_fields(pk, &HashFields::new(key, &fields)).map(Some)
    }
}

/// The `HSET` that writes every field of `model` (its key's included) at
/// `key`, and the fields to remove because they are `None`.
fn hash_write<M: HashModel>(model: &M, pk: &M::Pk, key: &str) -> Result<(Cmd, Vec<&'static str>)> {
    let mut hset = Cmd::new("HSET").arg(key);
    let mut absent = Vec::new();
    let mut out = HashWriter::new(&mut hset, &mut absent).in_layout(M::info().layout());
    pk.write_hash(M::info().pk(), &mut out);
    model.write_fields(&mut out);
    if let Some(why) = out.take_failure() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} cannot be saved at {key}: {why}; nothing was sent",
                M::info().name()
            ),
        ));
    }
    Ok((hset, absent))
}

/// A key that holds something other than a record of `M` (a string where a
/// hash was expected): a decode error naming the key, not the server's
/// bare WRONGTYPE.
pub(crate) fn not_a_record<M: Model>(key: &str, error: Error) -> Error {
    // RedisJSON says it in words of its own, under the code ERR.
    let wrong_type = error.code() == Some("WRONGTYPE")
        || (error.kind() == ErrorKind::Server && error.to_string().contains("wrong Redis type"));
    if wrong_type || error.kind() == ErrorKind::Type {
        Error::new(
            ErrorKind::Decode,
            format!(
                "{key} holds another type of value than a {} record ({error})",
                M::info().name()
            ),
        )
    } else {
        error
    }
}

/// A TTL as the versioned save scripts take it: milliseconds, at least 1;
/// 0 for none.
pub(crate) fn ttl_millis(ttl: Option<Duration>) -> u64 {
    ttl.map_or(0, |ttl| {
        u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
    })
}

/// The core's `PEXPIRE key ttl`, never below one millisecond (zero would
/// delete the record).
pub(crate) fn pexpire(key: &str, ttl: Duration) -> Cmd {
    commands::pexpire(key, ttl.max(Duration::from_millis(1))).into_cmd()
}
