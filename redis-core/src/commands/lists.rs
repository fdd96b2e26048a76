//! List commands.

use std::future::Future;
use std::time::Duration;

use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Executor, Result};

/// LPUSH, RPUSH, LRANGE, BLPOP and friends.
pub trait ListCommands: Executor {
    /// `LPUSH key value...`: the new length.
    fn lpush(
        &self,
        key: impl ToArgs,
        values: impl ToArgs,
    ) -> impl Future<Output = Result<u64>> + Send {
        let cmd = Cmd::new("LPUSH").arg(&key).arg(&values);
        async move { cmd.query(self).await }
    }

    /// `RPUSH key value...`: the new length.
    fn rpush(
        &self,
        key: impl ToArgs,
        values: impl ToArgs,
    ) -> impl Future<Output = Result<u64>> + Send {
        let cmd = Cmd::new("RPUSH").arg(&key).arg(&values);
        async move { cmd.query(self).await }
    }

    /// `LRANGE key start stop`.
    fn lrange<T: FromValue>(
        &self,
        key: impl ToArgs,
        start: i64,
        stop: i64,
    ) -> impl Future<Output = Result<Vec<T>>> + Send {
        let cmd = Cmd::new("LRANGE").arg(&key).arg(start).arg(stop);
        async move { cmd.query(self).await }
    }

    /// `BLPOP key... timeout`: `(key, value)`, or `None` when `timeout`
    /// passed first. The reply wait is the timeout plus the response timeout,
    /// so the call is never cut short; on a [`crate::Client`] it runs on a
    /// pooled exclusive connection and never stalls other callers.
    fn blpop<T: FromValue>(
        &self,
        keys: impl ToArgs,
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<(String, T)>>> + Send {
        let cmd = Cmd::new("BLPOP").arg(&keys).arg(timeout.as_secs_f64());
        async move { cmd.query(self).await }
    }
}

impl<E: Executor + ?Sized> ListCommands for E {}
