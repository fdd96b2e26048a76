//! Generic key commands.

use std::time::Duration;

use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Error, Result, Value};

define_commands! {
    /// DEL, EXISTS, EXPIRE and friends.
    pub trait KeyCommands;

    /// `DEL key...`: how many keys were removed.
    fn del(keys: impl ToArgs) -> u64 {
        Cmd::new("DEL").arg(keys)
    }

    /// `EXISTS key...`: how many of the keys exist.
    fn exists(keys: impl ToArgs) -> u64 {
        Cmd::new("EXISTS").arg(keys)
    }

    /// `PEXPIRE key ttl`: false if the key does not exist.
    fn expire(key: impl ToArgs, ttl: Duration) -> bool {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        Cmd::new("PEXPIRE").arg(key).arg(millis)
    }

    /// `PTTL key`: the time the key has left.
    fn ttl(key: impl ToArgs) -> Ttl {
        Cmd::new("PTTL").arg(key)
    }
}

/// The time a key has left to live, as `PTTL` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl {
    /// The key does not exist (`-2`).
    Missing,
    /// The key exists and does not expire (`-1`).
    Persistent,
    /// The key expires after this long.
    Expires(Duration),
}

impl FromValue for Ttl {
    fn from_value(value: Value) -> Result<Ttl> {
        match i64::from_value(value)? {
            -2 => Ok(Ttl::Missing),
            -1 => Ok(Ttl::Persistent),
            millis => u64::try_from(millis)
                .map(|millis| Ttl::Expires(Duration::from_millis(millis)))
                .map_err(|_| Error::protocol(format!("PTTL replied {millis}"))),
        }
    }
}
