//! Scripting and function commands.
//!
//! These send a script or function call as written; [`crate::Script`] is the
//! higher-level way to run Lua (EVALSHA, loading the script on `NOSCRIPT`).

use std::time::Duration;

use crate::commands::reply::Fields;
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Result, Value};

define_commands! {
    /// EVAL, FCALL, SCRIPT and FUNCTION.
    ///
    /// Keys and arguments are any [`ToArgs`] (a slice, a tuple, one value);
    /// the number of keys sent is the number of arguments `keys` expands to.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// let total: i64 = client
    ///     .eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", "visits", 5)
    ///     .await?;
    /// let library = client
    ///     .function_load_replace(
    ///         "#!lua name=util\n\
    ///          redis.register_function('echo', function(keys, args) return args[1] end)",
    ///     )
    ///     .await?;
    /// let echoed: String = client.fcall("echo", &[] as &[&str], "hi").await?;
    /// # let _ = (total, library, echoed); Ok(()) }
    /// ```
    pub trait ScriptingCommands;

    /// `EVAL script numkeys key ... arg ...`: runs a Lua script; its reply
    /// converts to `T`.
    fn eval<T: FromValue>(script: impl ToArgs, keys: impl ToArgs, args: impl ToArgs) -> T {
        with_keys(Cmd::new("EVAL").arg(script), keys, args)
    }

    /// `EVAL_RO script numkeys key ... arg ...` (Redis 7.0+): runs a Lua
    /// script that may only read (it can go to a replica).
    fn eval_ro<T: FromValue>(script: impl ToArgs, keys: impl ToArgs, args: impl ToArgs) -> T {
        with_keys(Cmd::new("EVAL_RO").arg(script), keys, args)
    }

    /// `EVALSHA sha1 numkeys key ... arg ...`: runs a script loaded before
    /// (`NOSCRIPT` if the server does not have it).
    fn evalsha<T: FromValue>(sha1: impl ToArgs, keys: impl ToArgs, args: impl ToArgs) -> T {
        with_keys(Cmd::new("EVALSHA").arg(sha1), keys, args)
    }

    /// `EVALSHA_RO sha1 numkeys key ... arg ...` (Redis 7.0+): runs a loaded
    /// script that may only read.
    fn evalsha_ro<T: FromValue>(sha1: impl ToArgs, keys: impl ToArgs, args: impl ToArgs) -> T {
        with_keys(Cmd::new("EVALSHA_RO").arg(sha1), keys, args)
    }

    /// `SCRIPT LOAD script`: caches a script without running it; its SHA1.
    fn script_load(script: impl ToArgs) -> String {
        Cmd::new("SCRIPT").arg("LOAD").arg(script)
    }

    /// `SCRIPT EXISTS sha1 ...`: whether each script is cached, in order.
    fn script_exists(sha1s: impl ToArgs) -> Vec<bool> {
        Cmd::new("SCRIPT").arg("EXISTS").arg(sha1s)
    }

    /// `SCRIPT FLUSH ASYNC|SYNC`: empties the script cache.
    fn script_flush(mode: ScriptFlushMode) -> () {
        Cmd::new("SCRIPT").arg("FLUSH").arg(mode)
    }

    /// `SCRIPT KILL`: stops the running script if it has not written
    /// anything yet (`NOTBUSY` when none runs, `UNKILLABLE` once it wrote).
    fn script_kill() -> () {
        Cmd::new("SCRIPT").arg("KILL")
    }

    /// `FCALL function numkeys key ... arg ...` (Redis 7.0+): calls a
    /// function of a loaded library; its reply converts to `T`.
    fn fcall<T: FromValue>(function: impl ToArgs, keys: impl ToArgs, args: impl ToArgs) -> T {
        with_keys(Cmd::new("FCALL").arg(function), keys, args)
    }

    /// `FCALL_RO function numkeys key ... arg ...` (Redis 7.0+): calls a
    /// function flagged `no-writes`.
    fn fcall_ro<T: FromValue>(function: impl ToArgs, keys: impl ToArgs, args: impl ToArgs) -> T {
        with_keys(Cmd::new("FCALL_RO").arg(function), keys, args)
    }

    /// `FUNCTION LOAD code` (Redis 7.0+): loads a library (its code starts
    /// with `#!lua name=<library>`); the library's name. Fails if a library
    /// of that name is loaded.
    fn function_load(code: impl ToArgs) -> String {
        Cmd::new("FUNCTION").arg("LOAD").arg(code)
    }

    /// `FUNCTION LOAD REPLACE code` (Redis 7.0+): loads a library, replacing
    /// one of the same name; the library's name.
    #[doc(alias = "REPLACE")]
    fn function_load_replace(code: impl ToArgs) -> String {
        Cmd::new("FUNCTION").arg("LOAD").arg("REPLACE").arg(code)
    }

    /// `FUNCTION DELETE library` (Redis 7.0+): removes a library and its functions.
    fn function_delete(library: impl ToArgs) -> () {
        Cmd::new("FUNCTION").arg("DELETE").arg(library)
    }

    /// `FUNCTION LIST` (Redis 7.0+): every loaded library with its functions.
    fn function_list() -> Vec<LibraryInfo> {
        Cmd::new("FUNCTION").arg("LIST")
    }

    /// `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]` (Redis 7.0+): the
    /// libraries whose names match, with their code if asked.
    fn function_list_with(options: FunctionListOptions) -> Vec<LibraryInfo> {
        Cmd::new("FUNCTION").arg("LIST").arg(options)
    }

    /// `FUNCTION FLUSH ASYNC|SYNC` (Redis 7.0+): removes every library.
    fn function_flush(mode: ScriptFlushMode) -> () {
        Cmd::new("FUNCTION").arg("FLUSH").arg(mode)
    }

    /// `FUNCTION DUMP` (Redis 7.0+): every library as one binary payload,
    /// for [`function_restore`].
    fn function_dump() -> Vec<u8> {
        Cmd::new("FUNCTION").arg("DUMP")
    }

    /// `FUNCTION RESTORE payload APPEND|REPLACE|FLUSH` (Redis 7.0+): loads the
    /// libraries of a [`function_dump`] payload as `policy` says.
    fn function_restore(payload: impl ToArgs, policy: FunctionRestorePolicy) -> () {
        Cmd::new("FUNCTION").arg("RESTORE").arg(payload).arg(policy)
    }

    /// `FUNCTION KILL` (Redis 7.0+): stops the running function if it has
    /// not written anything yet (`NOTBUSY` when none runs).
    fn function_kill() -> () {
        Cmd::new("FUNCTION").arg("KILL")
    }

    /// `FUNCTION STATS` (Redis 7.0+): the function running now, if any, and
    /// the libraries and functions per engine.
    fn function_stats() -> FunctionStats {
        Cmd::new("FUNCTION").arg("STATS")
    }
}

/// `numkeys key ... arg ...` after the script or function.
fn with_keys(mut cmd: Cmd, keys: impl ToArgs, args: impl ToArgs) -> Cmd {
    let mut keys_cmd = Cmd::scratch();
    keys_cmd.push_arg(keys);
    cmd.push_arg(keys_cmd.arg_count());
    cmd.extend_from(&keys_cmd);
    cmd.arg(args)
}

/// How SCRIPT FLUSH and FUNCTION FLUSH free what they remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptFlushMode {
    /// In the background (`ASYNC`).
    Async,
    /// Before replying (`SYNC`).
    Sync,
}

impl ToArgs for ScriptFlushMode {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            ScriptFlushMode::Async => b"ASYNC",
            ScriptFlushMode::Sync => b"SYNC",
        });
    }
}

/// What FUNCTION RESTORE does with the libraries already loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionRestorePolicy {
    /// Add the payload's libraries; fail if a name is taken (`APPEND`).
    Append,
    /// Add them, replacing libraries of the same name (`REPLACE`).
    Replace,
    /// Remove every library first (`FLUSH`).
    Flush,
}

impl ToArgs for FunctionRestorePolicy {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            FunctionRestorePolicy::Append => b"APPEND",
            FunctionRestorePolicy::Replace => b"REPLACE",
            FunctionRestorePolicy::Flush => b"FLUSH",
        });
    }
}

/// FUNCTION LIST's LIBRARYNAME and WITHCODE.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FunctionListOptions {
    library: Option<String>,
    with_code: bool,
}

impl FunctionListOptions {
    /// Every library, without code.
    pub fn new() -> FunctionListOptions {
        FunctionListOptions::default()
    }

    /// Only libraries whose names match this glob-style pattern (`LIBRARYNAME`).
    pub fn library(mut self, pattern: impl Into<String>) -> FunctionListOptions {
        self.library = Some(pattern.into());
        self
    }

    /// Include each library's code (`WITHCODE`).
    #[doc(alias = "WITHCODE")]
    pub fn with_code(mut self) -> FunctionListOptions {
        self.with_code = true;
        self
    }
}

impl ToArgs for FunctionListOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(pattern) = &self.library {
            cmd.push_bytes(b"LIBRARYNAME");
            cmd.push_arg(pattern);
        }
        if self.with_code {
            cmd.push_bytes(b"WITHCODE");
        }
    }
}

/// A library, as FUNCTION LIST describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LibraryInfo {
    /// The library's name.
    pub name: String,
    /// Its engine (`LUA`).
    pub engine: String,
    /// Its functions.
    pub functions: Vec<FunctionInfo>,
    /// Its code, when asked for with [`FunctionListOptions::with_code`].
    pub code: Option<String>,
}

impl FromValue for LibraryInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new(value, "FUNCTION LIST reply")?;
        Ok(LibraryInfo {
            name: f.required("library_name")?,
            engine: f.required("engine")?,
            functions: f.required("functions")?,
            code: f.optional("library_code")?,
        })
    }
}

/// A function of a library in FUNCTION LIST.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FunctionInfo {
    /// The function's name (what FCALL takes).
    pub name: String,
    /// Its description, if it was registered with one.
    pub description: Option<String>,
    /// Its flags.
    pub flags: Vec<FunctionFlag>,
}

impl FromValue for FunctionInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new(value, "FUNCTION LIST function reply")?;
        Ok(FunctionInfo {
            name: f.required("name")?,
            description: f.optional("description")?,
            flags: f.required("flags")?,
        })
    }
}

/// A flag a function was registered with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FunctionFlag {
    /// `no-writes`: it only reads, so FCALL_RO may call it.
    NoWrites,
    /// `allow-oom`: it may run when the server is out of memory.
    AllowOom,
    /// `allow-stale`: it may run on a replica with stale data.
    AllowStale,
    /// `no-cluster`: it refuses to run in cluster mode.
    NoCluster,
    /// `allow-cross-slot-keys`: it may use keys of several slots.
    AllowCrossSlotKeys,
    /// A flag this client does not know, as the server names it.
    Other(String),
}

/// From the flag's name.
impl FromValue for FunctionFlag {
    fn from_value(value: Value) -> Result<Self> {
        let name = String::from_value(value)?;
        Ok(match name.as_str() {
            "no-writes" => FunctionFlag::NoWrites,
            "allow-oom" => FunctionFlag::AllowOom,
            "allow-stale" => FunctionFlag::AllowStale,
            "no-cluster" => FunctionFlag::NoCluster,
            "allow-cross-slot-keys" => FunctionFlag::AllowCrossSlotKeys,
            _ => FunctionFlag::Other(name),
        })
    }
}

/// FUNCTION STATS: what runs now and what is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FunctionStats {
    /// The function running now, if any.
    pub running: Option<RunningFunction>,
    /// The libraries and functions loaded, per engine.
    pub engines: Vec<EngineStats>,
}

impl FromValue for FunctionStats {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new(value, "FUNCTION STATS reply")?;
        let engines: Vec<(String, Value)> = f.required("engines")?;
        Ok(FunctionStats {
            running: f.optional("running_script")?,
            engines: engines
                .into_iter()
                .map(|(engine, counts)| {
                    let mut counts = Fields::new(counts, "FUNCTION STATS engine reply")?;
                    Ok(EngineStats {
                        engine,
                        libraries: counts.required("libraries_count")?,
                        functions: counts.required("functions_count")?,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}

/// The function FUNCTION STATS saw running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningFunction {
    /// The function's name.
    pub name: String,
    /// The command that called it, with its arguments.
    pub command: Vec<Vec<u8>>,
    /// How long it has been running.
    pub duration: Duration,
}

impl FromValue for RunningFunction {
    fn from_value(value: Value) -> Result<Self> {
        let mut f = Fields::new(value, "FUNCTION STATS running_script reply")?;
        Ok(RunningFunction {
            name: f.required("name")?,
            command: f.required("command")?,
            duration: Duration::from_millis(f.required("duration_ms")?),
        })
    }
}

/// How many libraries and functions one engine has loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineStats {
    /// The engine's name (`LUA`).
    pub engine: String,
    /// The number of libraries.
    pub libraries: u64,
    /// The number of functions.
    pub functions: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numkeys_counts_the_arguments_the_keys_expand_to() {
        let cmd = eval::<()>("return 1", ["a", "b"], ("x", 1)).into_cmd();
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(
            args,
            [&b"EVAL"[..], b"return 1", b"2", b"a", b"b", b"x", b"1"]
        );
        let cmd = fcall::<()>("f", &[] as &[&str], "x").into_cmd();
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(args, [&b"FCALL"[..], b"f", b"0", b"x"]);
    }
}
