//! Pipelines (many commands, one round trip) and MULTI/EXEC transactions.

use crate::convert::FromValue;
use crate::script::{Script, ScriptInvocation};
use crate::{Cmd, Error, ErrorKind, Executor, Result, Value};

/// Commands buffered and sent in one round trip; replies come back in order.
///
/// Not atomic: other clients' commands may run in between (use
/// [`Transaction`] for that). Scripts added with [`Pipeline::invoke`] are
/// loaded at the front of the same round trip, so `NOSCRIPT` cannot happen.
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::{Cmd, Pipeline};
/// let mut pipe = Pipeline::new();
/// pipe.add(Cmd::new("SET").arg("a").arg(&1)).add(Cmd::new("INCR").arg("a"));
/// let (ok, a): (String, i64) = pipe.query(client).await?;
/// assert_eq!((ok.as_str(), a), ("OK", 2));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    cmds: Vec<Cmd>,
    scripts: Vec<Script>,
}

impl Pipeline {
    /// An empty pipeline.
    pub fn new() -> Self {
        Pipeline::default()
    }

    /// Appends a command.
    pub fn add(&mut self, cmd: Cmd) -> &mut Self {
        self.cmds.push(cmd);
        self
    }

    /// Appends a script call (`EVALSHA`; the script is loaded first).
    pub fn invoke(&mut self, invocation: &ScriptInvocation) -> &mut Self {
        let script = invocation.script();
        if !self
            .scripts
            .iter()
            .any(|known| known.sha1() == script.sha1())
        {
            self.scripts.push(script.clone());
        }
        self.cmds.push(invocation.evalsha_cmd());
        self
    }

    /// The number of commands (script loads not counted).
    pub fn len(&self) -> usize {
        self.cmds.len()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    /// Sends the commands and returns each one's own result: one command's
    /// server error does not hide the others' replies.
    pub async fn execute(&self, executor: &(impl Executor + ?Sized)) -> Result<Vec<Result<Value>>> {
        let replies = self.send(executor, false).await?;
        Ok(self
            .cmds
            .iter()
            .zip(replies)
            .map(|(cmd, reply)| per_command(cmd, reply))
            .collect())
    }

    /// Sends the commands and converts all replies (as one array) into `T`,
    /// such as a tuple or a `Vec`; the first server error fails the whole.
    pub async fn query<T: FromValue>(&self, executor: &(impl Executor + ?Sized)) -> Result<T> {
        let replies = self
            .execute(executor)
            .await?
            .into_iter()
            .collect::<Result<Vec<_>>>()?;
        T::from_value(Value::Array(replies))
    }

    /// Sends `SCRIPT LOAD`s, then the commands (wrapped in MULTI/EXEC when
    /// `atomic`), and returns the replies of the commands proper.
    async fn send(&self, executor: &(impl Executor + ?Sized), atomic: bool) -> Result<Vec<Value>> {
        // The common case sends the commands as they are, without copying them.
        let framed;
        let batch = if self.scripts.is_empty() && !atomic {
            &self.cmds
        } else {
            let mut all = Vec::with_capacity(self.scripts.len() + self.cmds.len() + 2);
            all.extend(self.scripts.iter().map(Script::load_cmd));
            all.extend(atomic.then(|| Cmd::new("MULTI")));
            all.extend(self.cmds.iter().cloned());
            all.extend(atomic.then(|| Cmd::new("EXEC")));
            framed = all;
            &framed
        };
        let mut replies = executor.execute_batch(batch).await?;
        if replies.len() != batch.len() {
            return Err(Error::protocol(format!(
                "{} replies to {} commands",
                replies.len(),
                batch.len()
            )));
        }
        let rest = replies.split_off(self.scripts.len());
        for (cmd, reply) in batch.iter().zip(replies) {
            per_command(cmd, reply)?;
        }
        Ok(rest)
    }
}

fn per_command(cmd: &Cmd, reply: Value) -> Result<Value> {
    crate::executor::reply_to_result(cmd, reply)
}

/// Commands run atomically with MULTI/EXEC, in one round trip.
///
/// If a key watched on the same connection (see [`crate::Client::transaction`])
/// changed before EXEC, the server runs nothing and the call fails with
/// [`ErrorKind::Watch`]. A command the server rejects while queueing (a wrong
/// number of arguments) aborts the whole transaction with `EXECABORT`.
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::{Cmd, Transaction};
/// let mut tx = Transaction::new();
/// tx.add(Cmd::new("INCR").arg("stock")).add(Cmd::new("LPUSH").arg("orders").arg("o-1"));
/// let (stock, orders): (i64, i64) = tx.query(client).await?;
/// # let _ = (stock, orders); Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Transaction {
    pipeline: Pipeline,
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Self {
        Transaction::default()
    }

    /// Appends a command.
    pub fn add(&mut self, cmd: Cmd) -> &mut Self {
        self.pipeline.add(cmd);
        self
    }

    /// Appends a script call; the script is loaded before MULTI.
    pub fn invoke(&mut self, invocation: &ScriptInvocation) -> &mut Self {
        self.pipeline.invoke(invocation);
        self
    }

    /// The number of commands.
    pub fn len(&self) -> usize {
        self.pipeline.len()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.pipeline.is_empty()
    }

    /// Runs the transaction and returns each command's result.
    pub async fn execute(&self, executor: &(impl Executor + ?Sized)) -> Result<Vec<Result<Value>>> {
        let mut replies = self.pipeline.send(executor, true).await?;
        let exec = replies
            .pop()
            .ok_or_else(|| Error::protocol("no reply to EXEC"))?;
        match exec.without_attributes() {
            Value::Array(results) if results.len() == self.len() => Ok(self
                .pipeline
                .cmds
                .iter()
                .zip(results)
                .map(|(cmd, reply)| per_command(cmd, reply))
                .collect()),
            Value::Nil => Err(Error::new(
                ErrorKind::Watch,
                "transaction aborted: a watched key changed before EXEC",
            )),
            Value::Error(server) => {
                // EXECABORT says little; the queueing error says what was wrong.
                let cause = replies.into_iter().find_map(|reply| match reply {
                    Value::Error(queued) => Some(queued),
                    _ => None,
                });
                let err = Error::server(server).with_command("EXEC");
                Err(match cause {
                    Some(queued) => err.with_detail(format!("queueing failed: {queued}")),
                    None => err,
                })
            }
            other => Err(Error::protocol(format!(
                "EXEC replied with a {} for {} commands",
                other.type_name(),
                self.len()
            ))),
        }
    }

    /// Runs the transaction and converts all results (as one array) into `T`.
    pub async fn query<T: FromValue>(&self, executor: &(impl Executor + ?Sized)) -> Result<T> {
        let results = self
            .execute(executor)
            .await?
            .into_iter()
            .collect::<Result<Vec<_>>>()?;
        T::from_value(Value::Array(results))
    }
}
