//! Lua scripts run by their SHA1, loaded on demand.

use std::sync::Arc;

use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Executor, Result};

/// A Lua script, identified by the SHA1 of its source.
///
/// Invoking it sends `EVALSHA`; when the server does not know the script
/// (`NOSCRIPT`, after a restart or `SCRIPT FLUSH`) it is loaded with
/// `SCRIPT LOAD` and the call repeated, so callers never see the error. Keys
/// and arguments travel as `KEYS` and `ARGV`, never as script text.
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::Script;
/// let add = Script::new("return redis.call('INCRBY', KEYS[1], ARGV[1])");
/// let total: i64 = add.key("counter").arg(&5).invoke(client).await?;
/// # let _ = total; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Script {
    inner: Arc<ScriptInner>,
}

#[derive(Debug)]
struct ScriptInner {
    code: String,
    sha1: String,
}

impl Script {
    /// Wraps the Lua source and computes its SHA1.
    pub fn new(code: &str) -> Self {
        let sha1 = sha1_smol::Sha1::from(code).digest().to_string();
        Script {
            inner: Arc::new(ScriptInner {
                code: code.to_owned(),
                sha1,
            }),
        }
    }

    /// The hex SHA1 the server knows the script by.
    pub fn sha1(&self) -> &str {
        &self.inner.sha1
    }

    /// The Lua source.
    pub fn code(&self) -> &str {
        &self.inner.code
    }

    /// Starts an invocation with one key.
    pub fn key<T: ToArgs>(&self, key: T) -> ScriptInvocation {
        self.invocation().key(key)
    }

    /// Starts an invocation with one argument.
    pub fn arg<T: ToArgs>(&self, arg: T) -> ScriptInvocation {
        self.invocation().arg(arg)
    }

    /// An invocation without keys or arguments yet.
    pub fn invocation(&self) -> ScriptInvocation {
        ScriptInvocation {
            script: self.clone(),
            keys: Cmd::scratch(),
            args: Cmd::scratch(),
        }
    }

    /// Runs the script without keys or arguments.
    pub async fn invoke<T: FromValue>(&self, executor: &(impl Executor + ?Sized)) -> Result<T> {
        self.invocation().invoke(executor).await
    }

    /// The `SCRIPT LOAD` command for this script.
    pub(crate) fn load_cmd(&self) -> Cmd {
        Cmd::new("SCRIPT").arg("LOAD").arg(self.code())
    }
}

/// A script with its keys and arguments, ready to run.
#[derive(Clone, Debug)]
pub struct ScriptInvocation {
    script: Script,
    keys: Cmd,
    args: Cmd,
}

impl ScriptInvocation {
    /// Adds a key (`KEYS[n]` in the script).
    pub fn key<T: ToArgs>(mut self, key: T) -> Self {
        self.keys.push_arg(key);
        self
    }

    /// Adds an argument (`ARGV[n]` in the script).
    pub fn arg<T: ToArgs>(mut self, arg: T) -> Self {
        self.args.push_arg(arg);
        self
    }

    /// The script being invoked.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// The `EVALSHA` command of this invocation.
    pub(crate) fn evalsha_cmd(&self) -> Cmd {
        let mut cmd = Cmd::new("EVALSHA")
            .arg(self.script.sha1())
            .arg(self.keys.arg_count());
        cmd.extend_from(&self.keys);
        cmd.extend_from(&self.args);
        cmd
    }

    /// Runs it: `EVALSHA`, and on `NOSCRIPT` `SCRIPT LOAD` then `EVALSHA` again.
    pub async fn invoke<T: FromValue>(&self, executor: &(impl Executor + ?Sized)) -> Result<T> {
        let evalsha = self.evalsha_cmd();
        match evalsha.clone().query(executor).await {
            Err(error) if error.code() == Some("NOSCRIPT") => {
                self.script.load_cmd().query::<()>(executor).await?;
                evalsha.query(executor).await
            }
            result => result,
        }
    }
}
