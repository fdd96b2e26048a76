//! The one trait every topology and batching wrapper implements.

use std::future::Future;
use std::sync::Arc;

use crate::batch::Batch;
use crate::{Cmd, FromValue, Result, Value};

/// Something that sends commands and returns their replies: a [`crate::Client`],
/// a [`crate::Dedicated`] connection, and later cluster and sentinel clients.
///
/// Typed commands ([`crate::commands`]), pipelines, transactions and scripts
/// are written once against this trait, so each exists in one place and
/// works on every topology.
pub trait Executor: Send + Sync {
    /// The future of one command's reply, converted to `T`. A named type
    /// rather than `impl Future`, so that a typed command's future is this
    /// one and nothing more: no box, no wrapper.
    type Execute<'a, T: FromValue>: Future<Output = Result<T>> + Send
    where
        Self: 'a;

    /// Sends one command and converts its reply. A server error reply
    /// becomes `Err` with [`crate::ErrorKind::Server`] and the server's code.
    fn execute<T: FromValue>(&self, cmd: Cmd) -> Self::Execute<'_, T>;

    /// Sends a [`crate::Pipeline`]'s or [`crate::Transaction`]'s commands
    /// together, in one round trip where the topology allows it, as the
    /// [`Batch`] says: what must run first (the scripts' `SCRIPT LOAD`s),
    /// then the commands, as one atomic unit (`MULTI` ... `EXEC`) when the
    /// batch is a transaction. The replies come in that order: one per
    /// command of the preamble, then `MULTI`'s, one per command (`QUEUED`)
    /// and `EXEC`'s for a transaction, else one per command. Each server
    /// error stays in place as [`Value::Error`]; `Err` means the batch as a
    /// whole failed.
    ///
    /// Pipelines and transactions call this, after refusing what must not
    /// be sent; a wrapper of an executor passes it on. To send commands
    /// together, build a [`crate::Pipeline`]:
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::{Cmd, Pipeline, Value};
    /// let mut pipe: Pipeline<Vec<Value>> = Pipeline::default();
    /// pipe.push(Cmd::new("PING")).push(Cmd::new("TIME"));
    /// let replies = pipe.query(client).await?;
    /// # let _ = replies; Ok(()) }
    /// ```
    fn execute_batch(&self, batch: &Batch) -> impl Future<Output = Result<Vec<Value>>> + Send;

    /// Sends `cmd` to every primary and returns each one's reply: on a
    /// [`crate::ClusterClient`] one reply per primary that serves slots
    /// (in no particular order), on a single server (a [`crate::Client`],
    /// a Sentinel-managed client, a [`crate::Dedicated`] connection) its
    /// one reply.
    ///
    /// For what every shard must do or answer on its own, written once for
    /// one server and a cluster. (A command that names a key goes to that
    /// key's primary whatever this says: to reach each shard with such a
    /// command, such as a RediSearch index name, which the cluster routes
    /// as a key, name something each shard serves with
    /// [`Executor::hash_tag_of`].)
    ///
    /// ```no_run
    /// use redis_core::{Cmd, Executor};
    /// /// Keys on every shard, whatever the topology.
    /// async fn total_keys(redis: &impl Executor) -> redis_core::Result<u64> {
    ///     let counts: Vec<u64> = redis.execute_on_primaries(Cmd::new("DBSIZE")).await?;
    ///     Ok(counts.iter().sum())
    /// }
    /// ```
    fn execute_on_primaries<T: FromValue>(
        &self,
        cmd: Cmd,
    ) -> impl Future<Output = Result<Vec<T>>> + Send {
        let reply = self.execute::<T>(cmd);
        async move {
            let reply = reply.await?;
            Ok(vec![reply])
        }
    }

    /// The primaries' addresses (`host:port`), one per shard: on a
    /// [`crate::ClusterClient`] the primaries serving slots now, on a
    /// single server one name standing for it. With
    /// [`Executor::hash_tag_of`], for generic code that keeps something on
    /// every shard.
    fn primaries(&self) -> Vec<String>;

    /// A hash tag (`{...}`) whose slot the primary `primary` names serves
    /// now: a key holding it belongs to that primary. `None` on a single
    /// server, where every key does.
    ///
    /// For names the cluster routes as keys but that must exist on every
    /// shard: RediSearch's index names are such keys, so an index of each
    /// shard's own records is named with its shard's tag
    /// (`products:index{3}`). After slots move, a primary's tag may change.
    ///
    /// ```no_run
    /// use redis_core::Executor;
    /// /// One name per shard, each of which that shard serves.
    /// fn per_shard(redis: &impl Executor, name: &str) -> Vec<String> {
    ///     let primaries = redis.primaries();
    ///     let tag = |primary: &String| redis.hash_tag_of(primary).unwrap_or_default();
    ///     primaries.iter().map(|p| format!("{name}{}", tag(p))).collect()
    /// }
    /// ```
    fn hash_tag_of(&self, primary: &str) -> Option<String>;

    /// Names the server in an error that a batch's replies made (a
    /// command's error reply, an aborted transaction), as the executor's
    /// own errors already do. The default leaves the error as it is.
    #[doc(hidden)]
    fn name_node(&self, error: crate::Error) -> crate::Error {
        error
    }
}

impl<E: Executor + ?Sized> Executor for &E {
    type Execute<'a, T: FromValue>
        = E::Execute<'a, T>
    where
        Self: 'a;

    fn execute<T: FromValue>(&self, cmd: Cmd) -> Self::Execute<'_, T> {
        (**self).execute(cmd)
    }

    fn execute_batch(&self, batch: &Batch) -> impl Future<Output = Result<Vec<Value>>> + Send {
        (**self).execute_batch(batch)
    }

    fn execute_on_primaries<T: FromValue>(
        &self,
        cmd: Cmd,
    ) -> impl Future<Output = Result<Vec<T>>> + Send {
        (**self).execute_on_primaries(cmd)
    }

    fn primaries(&self) -> Vec<String> {
        (**self).primaries()
    }

    fn hash_tag_of(&self, primary: &str) -> Option<String> {
        (**self).hash_tag_of(primary)
    }

    fn name_node(&self, error: crate::Error) -> crate::Error {
        (**self).name_node(error)
    }
}

impl<E: Executor + ?Sized> Executor for Arc<E> {
    type Execute<'a, T: FromValue>
        = E::Execute<'a, T>
    where
        Self: 'a;

    fn execute<T: FromValue>(&self, cmd: Cmd) -> Self::Execute<'_, T> {
        (**self).execute(cmd)
    }

    fn execute_batch(&self, batch: &Batch) -> impl Future<Output = Result<Vec<Value>>> + Send {
        (**self).execute_batch(batch)
    }

    fn execute_on_primaries<T: FromValue>(
        &self,
        cmd: Cmd,
    ) -> impl Future<Output = Result<Vec<T>>> + Send {
        (**self).execute_on_primaries(cmd)
    }

    fn primaries(&self) -> Vec<String> {
        (**self).primaries()
    }

    fn hash_tag_of(&self, primary: &str) -> Option<String> {
        (**self).hash_tag_of(primary)
    }

    fn name_node(&self, error: crate::Error) -> crate::Error {
        (**self).name_node(error)
    }
}

/// A single reply turned into a result: server errors become `Err`, also
/// when attributes precede them. The one place where that happens, for
/// commands sent alone and for each command of a pipeline or transaction.
pub(crate) fn reply_to_result(command: &str, value: Value) -> Result<Value> {
    if !matches!(value.innermost(), Value::Error(_)) {
        return Ok(value);
    }
    match value.without_attributes() {
        Value::Error(server) => Err(crate::Error::server(server).with_command(command)),
        other => Ok(other),
    }
}

/// A single reply turned into `T`: server errors and conversion failures
/// both name the command.
pub(crate) fn reply_to<T: FromValue>(cmd: &Cmd, value: Value) -> Result<T> {
    T::from_value(reply_to_result(cmd.name(), value)?).map_err(|e| e.with_command(cmd.name()))
}
