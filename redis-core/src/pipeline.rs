//! Pipelines (many commands, one round trip) and MULTI/EXEC transactions.

use std::fmt;
use std::marker::PhantomData;

use crate::batch::Batch;
use crate::commands::{Command, Target};
use crate::convert::FromValue;
use crate::script::ScriptInvocation;
use crate::{Error, ErrorKind, Executor, Result, Value};

/// Commands buffered and sent in one round trip; replies come back in order,
/// typed: `R` is the tuple of the reply types of the commands added so far.
///
/// Not atomic: other clients' commands may run in between (use
/// [`Transaction`] for that). Scripts added with [`Pipeline::invoke`] are
/// loaded at the front of the same round trip, so `NOSCRIPT` cannot happen.
///
/// `MULTI`, `EXEC` and `DISCARD` added as commands are refused when the
/// pipeline is sent, with [`ErrorKind::Config`] and nothing sent, on every
/// executor and topology: what runs atomically is a [`Transaction`], which
/// writes them itself (on a cluster, to its slot's node). For a `MULTI` of
/// your own, send the commands one by one on a [`crate::Dedicated`]
/// connection.
///
/// Chain typed commands (the methods of [`crate::commands`]), raw [`Cmd`](crate::Cmd)s
/// with [`Pipeline::command`], and script calls; each step returns the pipeline
/// with one more reply type:
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::prelude::*;
/// let ((), n, raw): ((), i64, String) = Pipeline::new()
///     .set("a", 1)
///     .incrby("a", 1)
///     .command(Cmd::new("GET").arg("a"))
///     .query(client)
///     .await?;
/// assert_eq!((n, raw.as_str()), (2, "2"));
/// # Ok(()) }
/// ```
///
/// For a number of commands known only at run time, a `Pipeline<Vec<T>>`
/// collects commands with one reply type:
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::{Pipeline, commands};
/// let pipe: Pipeline<Vec<Option<String>>> =
///     ["a", "b", "c"].into_iter().map(commands::get).collect();
/// let values = pipe.query(client).await?;
/// assert_eq!(values.len(), 3);
/// # Ok(()) }
/// ```
#[must_use = "a pipeline does nothing until queried; `command` returns the extended pipeline"]
pub struct Pipeline<R = ()> {
    /// The commands, encoded back to back (one buffer, not one per
    /// command), and the scripts' loads: what the executor is given.
    batch: Batch,
    replies: PhantomData<fn() -> R>,
}

/// A tuple of reply types that one more can be appended to: what lets a
/// [`Pipeline`] or [`Transaction`] grow its reply type with each command.
/// Implemented for tuples of up to 11 elements, so a chained batch holds up
/// to 12 commands; beyond that, use a `Pipeline<Vec<T>>` or nest tuples.
pub trait ReplyTuple {
    /// This tuple with `T` appended.
    type With<T>;
}

macro_rules! reply_tuples {
    ($($t:ident)*) => {
        impl<$($t),*> ReplyTuple for ($($t,)*) {
            type With<T> = ($($t,)* T,);
        }
    };
}

/// A batch's reply type with every command's reply as a [`Result`]: what
/// [`Pipeline::query_each`] and [`Transaction::query_each`] return. For a
/// tuple `(A, B)` it is `(Result<A>, Result<B>)`, for `Vec<T>`
/// `Vec<Result<T>>`.
pub trait EachResult {
    /// This reply type with each element a `Result`.
    type Each: FromValue;
}

impl<T: FromValue> EachResult for Vec<T> {
    type Each = Vec<Result<T>>;
}

macro_rules! each_results {
    ($($t:ident)*) => {
        impl<$($t: FromValue),*> EachResult for ($($t,)*) {
            type Each = ($(Result<$t>,)*);
        }
    };
}

each_results!();
each_results!(A);
each_results!(A B);
each_results!(A B C);
each_results!(A B C D);
each_results!(A B C D E);
each_results!(A B C D E F);
each_results!(A B C D E F G);
each_results!(A B C D E F G H);
each_results!(A B C D E F G H I);
each_results!(A B C D E F G H I J);
each_results!(A B C D E F G H I J K);
each_results!(A B C D E F G H I J K L);

reply_tuples!();
reply_tuples!(A);
reply_tuples!(A B);
reply_tuples!(A B C);
reply_tuples!(A B C D);
reply_tuples!(A B C D E);
reply_tuples!(A B C D E F);
reply_tuples!(A B C D E F G);
reply_tuples!(A B C D E F G H);
reply_tuples!(A B C D E F G H I);
reply_tuples!(A B C D E F G H I J);
reply_tuples!(A B C D E F G H I J K);

impl Pipeline<()> {
    /// An empty pipeline.
    pub fn new() -> Self {
        Pipeline::default()
    }
}

impl<R> Default for Pipeline<R> {
    fn default() -> Self {
        Pipeline {
            batch: Batch::default(),
            replies: PhantomData,
        }
    }
}

impl<R> Clone for Pipeline<R> {
    fn clone(&self) -> Self {
        Pipeline {
            batch: self.batch.clone(),
            replies: PhantomData,
        }
    }
}

impl<R> fmt::Debug for Pipeline<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("commands", &self.batch.len())
            .field("scripts", &self.batch.preamble_len())
            .finish()
    }
}

impl<R: ReplyTuple> Pipeline<R> {
    /// Appends a command: a typed [`Command`], or a [`Cmd`](crate::Cmd) whose reply type
    /// is then inferred from how the result is used.
    pub fn command<T: FromValue>(mut self, command: impl Into<Command<T>>) -> Pipeline<R::With<T>> {
        self.batch.push(command.into().cmd());
        self.retyped()
    }

    /// Appends a script call (`EVALSHA`; the script is loaded first).
    pub fn invoke<T: FromValue>(mut self, invocation: &ScriptInvocation) -> Pipeline<R::With<T>> {
        self.push_invocation(invocation);
        self.retyped()
    }
}

impl<R: ReplyTuple> Target for Pipeline<R> {
    type Out<T: FromValue> = Pipeline<R::With<T>>;

    fn send<T: FromValue>(self, command: Command<T>) -> Self::Out<T> {
        self.command(command)
    }
}

impl<T: FromValue> Pipeline<Vec<T>> {
    /// Appends a command whose reply is a `T`, in place (for loops).
    pub fn push(&mut self, command: impl Into<Command<T>>) -> &mut Self {
        self.batch.push(command.into().cmd());
        self
    }

    /// Appends a script call whose reply is a `T`, in place.
    pub fn push_invoke(&mut self, invocation: &ScriptInvocation) -> &mut Self {
        self.push_invocation(invocation);
        self
    }
}

impl<T: FromValue> FromIterator<Command<T>> for Pipeline<Vec<T>> {
    fn from_iter<I: IntoIterator<Item = Command<T>>>(commands: I) -> Self {
        let mut pipe = Pipeline::default();
        pipe.extend(commands);
        pipe
    }
}

impl<T: FromValue> Extend<Command<T>> for Pipeline<Vec<T>> {
    fn extend<I: IntoIterator<Item = Command<T>>>(&mut self, commands: I) {
        for command in commands {
            self.batch.push(command.cmd());
        }
    }
}

impl<R> Pipeline<R> {
    /// The number of commands (script loads not counted).
    pub fn len(&self) -> usize {
        self.batch.len()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends the commands and returns each one's own result, untyped: one
    /// command's server error does not hide the others' replies.
    pub async fn execute(&self, executor: &(impl Executor + ?Sized)) -> Result<Vec<Result<Value>>> {
        let replies = self.send(executor).await?;
        Ok(each_result(executor, &self.batch, replies))
    }

    /// Sends the commands and converts the replies into `R`.
    ///
    /// A command's error reply fails the whole call (fail-fast), unless
    /// that command's reply type is a [`Result`]: then the error is `Err`
    /// in its slot and the other replies still arrive, as redis-py's
    /// `raise_on_error=False` gives them. Either way the error names the
    /// command ([`Error::command`]) and the server ([`Error::node`]).
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// let (n, name, after): (i64, Result<Option<String>>, i64) = Pipeline::new()
    ///     .incr("visits")
    ///     .get("a-list") // WRONGTYPE: an Err in this slot only
    ///     .incr("visits")
    ///     .query(client)
    ///     .await?;
    /// if let Err(wrong) = &name {
    ///     assert_eq!(wrong.code(), Some("WRONGTYPE"));
    /// }
    /// # let _ = (n, after); Ok(()) }
    /// ```
    pub async fn query(&self, executor: &(impl Executor + ?Sized)) -> Result<R>
    where
        R: FromValue,
    {
        let replies = self.send(executor).await?;
        typed(executor, &self.batch, replies)
    }

    /// Sends the commands and returns each one's reply as a [`Result`]:
    /// a failing command does not fail the call, as with redis-py's
    /// `raise_on_error=False`. `Err` for the whole call means that the batch
    /// as a whole failed (the connection, a refused command).
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// let (first, wrong, last) = Pipeline::new()
    ///     .incr("visits")
    ///     .incr("a-list") // WRONGTYPE
    ///     .incr("visits")
    ///     .query_each(client)
    ///     .await?;
    /// assert_eq!(wrong.unwrap_err().code(), Some("WRONGTYPE"));
    /// # let _ = (first, last); Ok(()) }
    /// ```
    pub async fn query_each(&self, executor: &(impl Executor + ?Sized)) -> Result<R::Each>
    where
        R: EachResult,
    {
        let replies = self.send(executor).await?;
        typed(executor, &self.batch, replies)
    }

    fn retyped<S>(self) -> Pipeline<S> {
        Pipeline {
            batch: self.batch,
            replies: PhantomData,
        }
    }

    fn push_invocation(&mut self, invocation: &ScriptInvocation) {
        let load = invocation.script().load_cmd();
        if !self.batch.preloads(&load) {
            self.batch.preload(&load);
        }
        self.batch.push(&invocation.evalsha_cmd());
    }

    /// Sends the batch and returns the replies after the preamble's: one
    /// per command, or for a transaction `MULTI`'s, the `QUEUED`s and
    /// `EXEC`'s. A script that failed to load fails the call.
    async fn send(&self, executor: &(impl Executor + ?Sized)) -> Result<Vec<Value>> {
        if let Some(refused) = self.batch.refusal() {
            return Err(refused);
        }
        let replies = executor.execute_batch(&self.batch).await?;
        let mut replies = one_per_command(replies, self.batch.reply_count())?;
        if self.batch.preamble_len() == 0 {
            return Ok(replies);
        }
        let rest = replies.split_off(self.batch.preamble_len());
        for reply in replies {
            per_command(executor, "SCRIPT", reply)?;
        }
        Ok(rest)
    }
}

/// The replies, if there are as many as the batch gets.
fn one_per_command(replies: Vec<Value>, sent: usize) -> Result<Vec<Value>> {
    if replies.len() != sent {
        return Err(Error::protocol(format!(
            "{} replies to {sent} commands",
            replies.len()
        )));
    }
    Ok(replies)
}

/// One reply of a batch as a result: an error reply becomes `Err` naming
/// the command and the server.
fn per_command(executor: &(impl Executor + ?Sized), command: &str, reply: Value) -> Result<Value> {
    crate::executor::reply_to_result(command, reply).map_err(|e| executor.name_node(e))
}

/// Each command's own result, server errors as `Err` (the name is read out
/// of the batch only for those).
fn each_result(
    executor: &(impl Executor + ?Sized),
    batch: &Batch,
    replies: Vec<Value>,
) -> Vec<Result<Value>> {
    replies
        .into_iter()
        .enumerate()
        .map(|(i, reply)| match reply.innermost() {
            Value::Error(_) => per_command(executor, batch.name(i), reply),
            _ => Ok(reply),
        })
        .collect()
}

/// The replies to the batch's commands as `R`: a command's error fails the
/// whole unless its slot is a `Result<T>` (see [`Pipeline::query`]).
fn typed<R: FromValue>(
    executor: &(impl Executor + ?Sized),
    batch: &Batch,
    replies: Vec<Value>,
) -> Result<R> {
    R::from_results(each_result(executor, batch, replies))
}

/// Commands run atomically with MULTI/EXEC, in one round trip; built like
/// a [`Pipeline`], with typed replies.
///
/// If a key watched on the same connection (see [`crate::Watching::transaction`])
/// changed before EXEC, the server runs nothing and the call fails with
/// [`ErrorKind::Watch`]. A command the server rejects while queueing (a wrong
/// number of arguments) aborts the whole transaction with `EXECABORT`.
///
/// The transaction writes its own `MULTI` and `EXEC` (after the `SCRIPT
/// LOAD`s of the scripts it calls): added as commands, `MULTI`, `EXEC` and
/// `DISCARD` are refused before sending ([`ErrorKind::Config`]). On a
/// [`crate::ClusterClient`] it goes whole to the node of its keys' one
/// slot; keys in several slots are refused before anything is sent
/// ([`ErrorKind::CrossSlot`]).
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::prelude::*;
/// let (stock, orders) = Transaction::new()
///     .incrby("stock", -1)
///     .lpush("orders", "o-1")
///     .query(client)
///     .await?;
/// # let _: (i64, u64) = (stock, orders); Ok(()) }
/// ```
#[must_use = "a transaction does nothing until queried; `command` returns the extended transaction"]
pub struct Transaction<R = ()> {
    pipeline: Pipeline<R>,
}

impl<R> Transaction<R> {
    /// The commands, encoded: for the executor to check where they go and
    /// for the client-side cache to forget what they write.
    pub(crate) fn batch(&self) -> &Batch {
        &self.pipeline.batch
    }
}

impl Transaction<()> {
    /// An empty transaction.
    pub fn new() -> Self {
        Transaction::default()
    }
}

impl<R> Default for Transaction<R> {
    fn default() -> Self {
        Transaction {
            pipeline: Pipeline {
                batch: Batch::atomic(),
                replies: PhantomData,
            },
        }
    }
}

impl<R> Clone for Transaction<R> {
    fn clone(&self) -> Self {
        Transaction {
            pipeline: self.pipeline.clone(),
        }
    }
}

impl<R> fmt::Debug for Transaction<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("commands", &self.pipeline.batch.len())
            .finish()
    }
}

impl<R: ReplyTuple> Transaction<R> {
    /// Appends a command (see [`Pipeline::command`]).
    pub fn command<T: FromValue>(self, command: impl Into<Command<T>>) -> Transaction<R::With<T>> {
        Transaction {
            pipeline: self.pipeline.command(command),
        }
    }

    /// Appends a script call; the script is loaded before MULTI.
    pub fn invoke<T: FromValue>(self, invocation: &ScriptInvocation) -> Transaction<R::With<T>> {
        Transaction {
            pipeline: self.pipeline.invoke(invocation),
        }
    }
}

impl<R: ReplyTuple> Target for Transaction<R> {
    type Out<T: FromValue> = Transaction<R::With<T>>;

    fn send<T: FromValue>(self, command: Command<T>) -> Self::Out<T> {
        self.command(command)
    }
}

impl<T: FromValue> Transaction<Vec<T>> {
    /// Appends a command whose reply is a `T`, in place (for loops).
    pub fn push(&mut self, command: impl Into<Command<T>>) -> &mut Self {
        self.pipeline.push(command);
        self
    }
}

impl<T: FromValue> FromIterator<Command<T>> for Transaction<Vec<T>> {
    fn from_iter<I: IntoIterator<Item = Command<T>>>(commands: I) -> Self {
        let mut transaction = Transaction::default();
        transaction.pipeline.extend(commands);
        transaction
    }
}

impl<R> Transaction<R> {
    /// The number of commands.
    pub fn len(&self) -> usize {
        self.pipeline.len()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.pipeline.is_empty()
    }

    /// Runs the transaction and returns each command's result, untyped.
    pub async fn execute(&self, executor: &(impl Executor + ?Sized)) -> Result<Vec<Result<Value>>> {
        let results = self.results(executor).await?;
        Ok(each_result(executor, &self.pipeline.batch, results))
    }

    /// Runs it: the replies inside EXEC's, one per command.
    async fn results(&self, executor: &(impl Executor + ?Sized)) -> Result<Vec<Value>> {
        let mut replies = self.pipeline.send(executor).await?;
        let exec = replies
            .pop()
            .ok_or_else(|| Error::protocol("no reply to EXEC"))?;
        let exec = per_command(executor, "EXEC", exec).map_err(|err| {
            // EXECABORT says little; the queueing error says what was wrong.
            let queued = replies.into_iter().find_map(|reply| match reply {
                Value::Error(queued) => Some(queued),
                _ => None,
            });
            match queued {
                // Through the executor, as the command's own error would
                // be: a NOPERM then says which user was refused.
                Some(queued) => {
                    let queued = executor.name_node(Error::server(queued));
                    err.with_detail(format!("queueing failed: {queued}"))
                }
                None => err,
            }
        })?;
        match exec.without_attributes() {
            Value::Array(results) if results.len() == self.len() => Ok(results),
            Value::Nil => Err(executor.name_node(Error::new(
                ErrorKind::Watch,
                "transaction aborted: a watched key changed before EXEC",
            ))),
            other => Err(Error::protocol(format!(
                "EXEC replied with a {} for {} commands",
                other.type_name(),
                self.len()
            ))),
        }
    }

    /// Runs the transaction and converts the results into `R`.
    ///
    /// A command that fails at EXEC (WRONGTYPE, say) does not undo the
    /// others: the server has applied them. By default the call fails with
    /// the first such error; a command whose reply type is a [`Result`]
    /// gets its error in its slot, and the others' replies show what was
    /// applied (see [`Pipeline::query`]).
    pub async fn query(&self, executor: &(impl Executor + ?Sized)) -> Result<R>
    where
        R: FromValue,
    {
        let results = self.results(executor).await?;
        typed(executor, &self.pipeline.batch, results)
    }

    /// Runs the transaction and returns each command's reply as a
    /// [`Result`] (see [`Pipeline::query_each`]): a command that failed at
    /// EXEC is an `Err` in its place, the others show what was applied.
    /// `Err` for the whole call means nothing was applied: a command was
    /// refused while queueing (`EXECABORT`) or a watched key changed.
    pub async fn query_each(&self, executor: &(impl Executor + ?Sized)) -> Result<R::Each>
    where
        R: EachResult,
    {
        let results = self.results(executor).await?;
        typed(executor, &self.pipeline.batch, results)
    }
}
