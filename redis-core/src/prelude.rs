//! What a program that talks to Redis imports: `use redis_core::prelude::*;`.
//!
//! It brings the methods of every command group (the `*Commands` traits,
//! imported as `_`: their methods come into scope, their names do not) and
//! the few types a program names: [`Client`], [`Config`], [`Cmd`],
//! [`Pipeline`], [`Transaction`], [`Script`], [`Error`], [`ErrorKind`],
//! [`Result`], [`Value`], and the traits [`Executor`], [`FromValue`] and
//! [`ToArgs`] that generic code and conversions name.
//!
//! It does not bring the free functions of [`crate::commands`] (`get`,
//! `set`, `time`, `wait`, `sort`, `copy` ... 529 of them, short names that
//! would collide with a program's own) nor their option and reply types;
//! name those through the module, as `commands::get(key)` or
//! `commands::SetOptions`.
//!
//! ```no_run
//! use redis_core::commands::{self, SetOptions};
//! use redis_core::prelude::*;
//!
//! # async fn run() -> redis_core::Result<()> {
//! let client = Client::connect("redis://127.0.0.1:6379").await?;
//! client.set_with("lock", "me", SetOptions::new().if_missing()).await?;
//! let visits = client.incrby("visits", 2).await?;
//! let (name, count): (Option<String>, i64) = Pipeline::new()
//!     .get("user:1:name")
//!     .command(commands::incr("visits"))
//!     .query(&client)
//!     .await?;
//! # let _ = (visits, name, count); Ok(()) }
//! ```
//!
//! The free functions stay out of scope, so a program's own `get` or `time`
//! never meets an ambiguity:
//!
//! ```compile_fail,E0425
//! use redis_core::prelude::*;
//! // error[E0425]: cannot find function `get` in this scope
//! let command = get::<String>("key");
//! ```

pub use crate::commands::{
    BitmapCommands as _, BloomCommands as _, ClusterCommands as _, ConnectionCommands as _,
    CountMinSketchCommands as _, CuckooCommands as _, GeoCommands as _, GraphCommands as _,
    HashCommands as _, HyperLogLogCommands as _, JsonCommands as _, JsonValueCommands as _,
    KeyCommands as _, ListCommands as _, PubSubCommands as _, ScanCommands as _,
    ScriptingCommands as _, SearchCommands as _, SentinelCommands as _, ServerCommands as _,
    SetCommands as _, SortedSetCommands as _, StreamCommands as _, StringCommands as _,
    TDigestCommands as _, TimeSeriesCommands as _, TopKCommands as _, VectorSetCommands as _,
    VectorSetValueCommands as _,
};
pub use crate::{
    Client, Cmd, Config, Error, ErrorKind, Executor, FromValue, MessageKind, Pipeline, PubSub,
    PubSubEvent, Result, Script, ToArgs, Transaction, Value, Watching,
};

#[cfg(test)]
mod tests {
    /// The prelude reaches every command group: a trait missing from it
    /// would leave its methods out of scope here and this would not compile.
    /// (The list is checked against the source by the next test.)
    #[test]
    fn the_prelude_names_every_command_trait() {
        let source = include_str!("prelude.rs");
        let mut missing = Vec::new();
        for (_, file) in crate::commands::sources() {
            for line in file.lines() {
                let line = line.trim_start();
                let name = line
                    .strip_prefix("pub trait ")
                    .and_then(|rest| rest.split([':', ';', ' ', '<']).next())
                    .filter(|name| name.ends_with("Commands"));
                if let Some(name) = name {
                    if !source.contains(&format!("{name} as _")) {
                        missing.push(name.to_owned());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in the prelude: {missing:?}");
    }
}
