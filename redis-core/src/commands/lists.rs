//! List commands.

use std::time::Duration;

use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

define_commands! {
    /// LPUSH, RPUSH, LRANGE, BLPOP and friends.
    pub trait ListCommands;

    /// `LPUSH key value...`: the new length.
    fn lpush(key: impl ToArgs, values: impl ToArgs) -> u64 {
        Cmd::new("LPUSH").arg(key).arg(values)
    }

    /// `RPUSH key value...`: the new length.
    fn rpush(key: impl ToArgs, values: impl ToArgs) -> u64 {
        Cmd::new("RPUSH").arg(key).arg(values)
    }

    /// `LRANGE key start stop`.
    fn lrange<T: FromValue>(key: impl ToArgs, start: i64, stop: i64) -> Vec<T> {
        Cmd::new("LRANGE").arg(key).arg(start).arg(stop)
    }

    /// `BLPOP key... timeout`: `(key, value)`, or `None` when `timeout`
    /// passed first. The reply wait is the timeout plus the response timeout,
    /// so the call is never cut short; on a [`crate::Client`] it runs on a
    /// pooled exclusive connection and never stalls other callers.
    fn blpop<T: FromValue>(keys: impl ToArgs, timeout: Duration) -> Option<(String, T)> {
        Cmd::new("BLPOP").arg(keys).arg(timeout.as_secs_f64())
    }
}
