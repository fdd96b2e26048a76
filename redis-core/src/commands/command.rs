//! A typed command: a [`Cmd`] that knows the Rust type of its reply.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::{Cmd, Executor, FromValue};

/// A command as a value: its arguments (a [`Cmd`], which also knows the
/// command's flags and key positions) and the type its reply converts to.
///
/// Every typed command is a function returning one (`commands::get(key)`),
/// and every method that sends one (`client.get(key)`, `pipe.get(key)`) is a
/// one-line wrapper over that function, so a command exists in one place
/// and can be sent alone, batched in a [`crate::Pipeline`] or a
/// [`crate::Transaction`], inspected, or routed.
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::commands::{self, Command};
/// let get: Command<Option<String>> = commands::get("user:1:name");
/// assert_eq!(get.cmd().keys().collect::<Vec<_>>(), [b"user:1:name"]);
/// let name = get.query(client).await?;
/// # let _ = name; Ok(()) }
/// ```
///
/// A command without a typed function is a [`Cmd`] turned into a
/// `Command<T>` for any reply type: `Command::<i64>::from(Cmd::new("INCR").arg("n"))`.
pub struct Command<T> {
    cmd: Cmd,
    reply: PhantomData<fn() -> T>,
}

impl<T: FromValue> Command<T> {
    /// A typed command from its arguments. This is how the typed functions
    /// are written, and how users add their own.
    pub fn new(cmd: Cmd) -> Self {
        Command {
            cmd,
            reply: PhantomData,
        }
    }

    /// The command's arguments, name, flags and keys.
    pub fn cmd(&self) -> &Cmd {
        &self.cmd
    }

    /// The command's arguments, without the reply type.
    pub fn into_cmd(self) -> Cmd {
        self.cmd
    }

    /// Waits at most `timeout` for the reply (see [`Cmd::with_timeout`]).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Command::new(self.cmd.with_timeout(timeout))
    }

    /// Waits for the reply as long as it takes.
    pub fn without_timeout(self) -> Self {
        Command::new(self.cmd.without_timeout())
    }

    /// Sends the command through `executor`; the future's output is the
    /// converted reply.
    pub fn query<E: Executor + ?Sized>(self, executor: &E) -> E::Execute<'_, T> {
        executor.execute(self.cmd)
    }
}

impl<T: FromValue> From<Cmd> for Command<T> {
    fn from(cmd: Cmd) -> Self {
        Command::new(cmd)
    }
}

impl<T> Clone for Command<T> {
    fn clone(&self) -> Self {
        Command {
            cmd: self.cmd.clone(),
            reply: PhantomData,
        }
    }
}

/// Shows the command as [`Cmd`] does: the name and the argument count only.
impl<T> fmt::Debug for Command<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.cmd, f)
    }
}

/// Where a typed command can go: an [`Executor`] (by reference; the result
/// is the reply's future) or a [`crate::Pipeline`] or [`crate::Transaction`]
/// (by value; the result is the batch with one more reply in its type).
///
/// The command traits ([`StringCommands`](super::StringCommands) and the
/// others) are implemented once for every `Target`, which is what lets
/// `client.incr(k).await` and `Pipeline::new().incr(k)` share one definition.
pub trait Target: Sized {
    /// What sending a command whose reply is `T` gives back.
    type Out<T: FromValue>;

    /// Sends (or adds) `command`.
    fn send<T: FromValue>(self, command: Command<T>) -> Self::Out<T>;
}

impl<'a, E: Executor + ?Sized> Target for &'a E {
    type Out<T: FromValue> = E::Execute<'a, T>;

    fn send<T: FromValue>(self, command: Command<T>) -> Self::Out<T> {
        self.execute(command.into_cmd())
    }
}
