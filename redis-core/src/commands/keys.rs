//! Generic key commands.

use std::future::Future;
use std::time::Duration;

use crate::convert::ToArgs;
use crate::{Cmd, Executor, Result};

/// DEL, EXISTS, EXPIRE and friends.
pub trait KeyCommands: Executor {
    /// `DEL key...`: how many keys were removed.
    fn del(&self, keys: impl ToArgs) -> impl Future<Output = Result<u64>> + Send {
        let cmd = Cmd::new("DEL").arg(&keys);
        async move { cmd.query(self).await }
    }

    /// `EXISTS key...`: how many of the keys exist.
    fn exists(&self, keys: impl ToArgs) -> impl Future<Output = Result<u64>> + Send {
        let cmd = Cmd::new("EXISTS").arg(&keys);
        async move { cmd.query(self).await }
    }

    /// `PEXPIRE key ttl`: false if the key does not exist.
    fn expire(&self, key: impl ToArgs, ttl: Duration) -> impl Future<Output = Result<bool>> + Send {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let cmd = Cmd::new("PEXPIRE").arg(&key).arg(millis);
        async move { cmd.query(self).await }
    }

    /// `PTTL key`: the time left, or `None` for a missing key or one without expiry.
    fn ttl(&self, key: impl ToArgs) -> impl Future<Output = Result<Option<Duration>>> + Send {
        let cmd = Cmd::new("PTTL").arg(&key);
        async move {
            let millis: i64 = cmd.query(self).await?;
            Ok(u64::try_from(millis).ok().map(Duration::from_millis))
        }
    }
}

impl<E: Executor + ?Sized> KeyCommands for E {}
