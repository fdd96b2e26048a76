//! Hash commands.

use std::future::Future;

use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Executor, Result};

/// HSET, HGET, HGETALL and friends.
pub trait HashCommands: Executor {
    /// `HSET key field value [field value ...]`: `fields` is any sequence of
    /// pairs (a slice of tuples, say); returns how many fields were added.
    fn hset(
        &self,
        key: impl ToArgs,
        fields: impl ToArgs,
    ) -> impl Future<Output = Result<u64>> + Send {
        let cmd = Cmd::new("HSET").arg(&key).arg(&fields);
        async move { cmd.query(self).await }
    }

    /// `HGET key field`.
    fn hget<T: FromValue>(
        &self,
        key: impl ToArgs,
        field: impl ToArgs,
    ) -> impl Future<Output = Result<T>> + Send {
        let cmd = Cmd::new("HGET").arg(&key).arg(&field);
        async move { cmd.query(self).await }
    }

    /// `HGETALL key`, into a map (or a `Vec` of pairs), the same from RESP2 and RESP3.
    fn hgetall<T: FromValue>(&self, key: impl ToArgs) -> impl Future<Output = Result<T>> + Send {
        let cmd = Cmd::new("HGETALL").arg(&key);
        async move { cmd.query(self).await }
    }
}

impl<E: Executor + ?Sized> HashCommands for E {}
