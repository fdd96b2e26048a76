//! Reply types of the generic key commands: how long a key lives, when it
//! expires, what type it holds, what WAITAOF acknowledged.

use std::time::{Duration, SystemTime};

use crate::convert::FromValue;
use crate::{Error, Result, Value};

/// The time a key has left to live, as `PTTL` (`Ttl`, counted in
/// milliseconds) or `TTL` (`Ttl<1000>`, counted in seconds) report it.
///
/// The parameter is the unit of the reply in milliseconds, which is all
/// that differs: the variants are the same, so `Ttl::Persistent` or
/// `Ttl::Expires(d)` match and compare with either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl<const UNIT_MS: u64 = 1> {
    /// The key does not exist (`-2`).
    Missing,
    /// The key exists and does not expire (`-1`).
    Persistent,
    /// The key expires after this long.
    Expires(Duration),
}

impl<const UNIT_MS: u64> Ttl<UNIT_MS> {
    /// The time left, `None` if the key is missing or does not expire.
    pub fn remaining(self) -> Option<Duration> {
        match self {
            Ttl::Expires(left) => Some(left),
            Ttl::Missing | Ttl::Persistent => None,
        }
    }
}

/// The same time left, forgetting it was counted in seconds.
impl From<Ttl<1000>> for Ttl {
    fn from(ttl: Ttl<1000>) -> Ttl {
        match ttl {
            Ttl::Missing => Ttl::Missing,
            Ttl::Persistent => Ttl::Persistent,
            Ttl::Expires(left) => Ttl::Expires(left),
        }
    }
}

impl<const UNIT_MS: u64> FromValue for Ttl<UNIT_MS> {
    fn from_value(value: Value) -> Result<Self> {
        match i64::from_value(value)? {
            -2 => Ok(Ttl::Missing),
            -1 => Ok(Ttl::Persistent),
            n => u64::try_from(n)
                .map(|n| Ttl::Expires(Duration::from_millis(n.saturating_mul(UNIT_MS))))
                .map_err(|_| Error::protocol(format!("TTL replied {n}"))),
        }
    }
}

/// When a key expires, as `PEXPIRETIME` (`ExpireTime`, counted in
/// milliseconds) or `EXPIRETIME` (`ExpireTime<1000>`, counted in seconds)
/// report it. As with [`Ttl`], the parameter is only the reply's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireTime<const UNIT_MS: u64 = 1> {
    /// The key does not exist (`-2`).
    Missing,
    /// The key exists and does not expire (`-1`).
    Persistent,
    /// The key expires at this time.
    At(SystemTime),
}

impl<const UNIT_MS: u64> ExpireTime<UNIT_MS> {
    /// The expiry time, `None` if the key is missing or does not expire.
    pub fn at(self) -> Option<SystemTime> {
        match self {
            ExpireTime::At(at) => Some(at),
            ExpireTime::Missing | ExpireTime::Persistent => None,
        }
    }
}

/// The same time, forgetting it was counted in seconds.
impl From<ExpireTime<1000>> for ExpireTime {
    fn from(time: ExpireTime<1000>) -> ExpireTime {
        match time {
            ExpireTime::Missing => ExpireTime::Missing,
            ExpireTime::Persistent => ExpireTime::Persistent,
            ExpireTime::At(at) => ExpireTime::At(at),
        }
    }
}

impl<const UNIT_MS: u64> FromValue for ExpireTime<UNIT_MS> {
    fn from_value(value: Value) -> Result<Self> {
        match i64::from_value(value)? {
            -2 => Ok(ExpireTime::Missing),
            -1 => Ok(ExpireTime::Persistent),
            n => u64::try_from(n)
                .ok()
                .and_then(|n| n.checked_mul(UNIT_MS))
                .and_then(|millis| {
                    SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(millis))
                })
                .map(ExpireTime::At)
                .ok_or_else(|| Error::protocol(format!("EXPIRETIME replied {n}"))),
        }
    }
}

/// The type of a key's value, as `TYPE` reports it and `SCAN ... TYPE`
/// filters by (one enum for the one set of names; [`ScanType`] is another
/// name for it).
///
/// [`ScanType`]: crate::commands::ScanType
///
/// ```
/// use redis_core::commands::KeyType;
/// assert_eq!(KeyType::SortedSet.name(), "zset");
/// assert_eq!(KeyType::Module("ReJSON-RL".into()).name(), "ReJSON-RL");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// The key does not exist (`none`).
    Missing,
    /// `string`.
    String,
    /// `list`.
    List,
    /// `set`.
    Set,
    /// `zset`: a sorted set.
    SortedSet,
    /// `hash`.
    Hash,
    /// `stream`.
    Stream,
    /// `vectorset` (Redis 8).
    VectorSet,
    /// A module's type, by the name the module gave it (`ReJSON-RL`,
    /// `MBbloom--`, ...).
    Module(String),
}

impl KeyType {
    /// The name Redis gives the type (`none` for [`KeyType::Missing`]).
    pub fn name(&self) -> &str {
        match self {
            KeyType::Missing => "none",
            KeyType::String => "string",
            KeyType::List => "list",
            KeyType::Set => "set",
            KeyType::SortedSet => "zset",
            KeyType::Hash => "hash",
            KeyType::Stream => "stream",
            KeyType::VectorSet => "vectorset",
            KeyType::Module(name) => name,
        }
    }
}

impl FromValue for KeyType {
    fn from_value(value: Value) -> Result<Self> {
        let name = String::from_value(value)?;
        Ok(match name.as_str() {
            "none" => KeyType::Missing,
            "string" => KeyType::String,
            "list" => KeyType::List,
            "set" => KeyType::Set,
            "zset" => KeyType::SortedSet,
            "hash" => KeyType::Hash,
            "stream" => KeyType::Stream,
            "vectorset" => KeyType::VectorSet,
            _ => KeyType::Module(name),
        })
    }
}

/// What `WAITAOF` reports: how many fsynced the writes to their AOF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AofAcks {
    /// 1 if this server did, 0 if not.
    pub local: u64,
    /// How many replicas did.
    pub replicas: u64,
}

impl FromValue for AofAcks {
    fn from_value(value: Value) -> Result<Self> {
        let (local, replicas) = <(u64, u64)>::from_value(value)?;
        Ok(AofAcks { local, replicas })
    }
}
