//! String commands.

use std::future::Future;
use std::time::Duration;

use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Executor, Result};

/// GET, SET, INCR and friends.
pub trait StringCommands: Executor {
    /// `GET key`: ask for `Option<T>` when the key may be missing.
    fn get<T: FromValue>(&self, key: impl ToArgs) -> impl Future<Output = Result<T>> + Send {
        let cmd = Cmd::new("GET").arg(&key);
        async move { cmd.query(self).await }
    }

    /// `SET key value`.
    fn set(&self, key: impl ToArgs, value: impl ToArgs) -> impl Future<Output = Result<()>> + Send {
        let cmd = Cmd::new("SET").arg(&key).arg(&value);
        async move { cmd.query(self).await }
    }

    /// `SET key value PX ttl`: set with an expiry (millisecond precision).
    fn set_ex(
        &self,
        key: impl ToArgs,
        value: impl ToArgs,
        ttl: Duration,
    ) -> impl Future<Output = Result<()>> + Send {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let cmd = Cmd::new("SET").arg(&key).arg(&value).arg("PX").arg(millis);
        async move { cmd.query(self).await }
    }

    /// `INCRBY key delta`: the new value.
    fn incr_by(&self, key: impl ToArgs, delta: i64) -> impl Future<Output = Result<i64>> + Send {
        let cmd = Cmd::new("INCRBY").arg(&key).arg(delta);
        async move { cmd.query(self).await }
    }

    /// `MGET key...`: one `Option` per key, in order.
    fn mget<T: FromValue>(
        &self,
        keys: impl ToArgs,
    ) -> impl Future<Output = Result<Vec<Option<T>>>> + Send {
        let cmd = Cmd::new("MGET").arg(&keys);
        async move { cmd.query(self).await }
    }
}

impl<E: Executor + ?Sized> StringCommands for E {}
