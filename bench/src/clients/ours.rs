//! redis-core, through its typed commands and `Pipeline` (or, with `--api raw`, through raw
//! `Cmd`s, to compare the two under callgrind).

use std::collections::HashMap;

use bytes::Bytes;
use redis_core::commands::{self, HashCommands, StringCommands};
use redis_core::{Client, Cmd, Config, Pipeline, Protocol, Value};

use super::{BenchClient, Result, check_hash, check_value, check_values, not_ok};

/// One `redis_core::Client`; clones share its multiplexed connection.
#[derive(Clone)]
pub struct Ours(pub Client, bool);

impl Ours {
    /// Connects with the given protocol and otherwise default settings.
    pub async fn connect(url: &str, resp: u8) -> Result<Ours> {
        Ours::connect_with(config(url, resp)?).await
    }

    /// Connects with `config`.
    pub async fn connect_with(config: Config) -> Result<Ours> {
        Ok(Ours(Client::connect(config).await?, false))
    }

    /// Sends raw `Cmd`s instead of typed commands when `raw`.
    pub fn raw(self, raw: bool) -> Ours {
        Ours(self.0, raw)
    }
}

/// The configuration from `url`, speaking RESP`resp`.
pub fn config(url: &str, resp: u8) -> Result<Config> {
    let protocol = if resp == 2 {
        Protocol::Resp2
    } else {
        Protocol::Resp3
    };
    Ok(Config::from_url(url)?.with_protocol(protocol))
}

fn is_ok(value: &Value) -> bool {
    matches!(value, Value::SimpleString(s) if s == "OK")
}

impl BenchClient for Ours {
    async fn set(&mut self, key: &str, value: &Bytes) -> Result<()> {
        // `Value` rather than the typed `set()`, whose `()` accepts any non-error reply.
        let reply: Value = Cmd::new("SET").arg(key).arg(value).query(&self.0).await?;
        if is_ok(&reply) {
            Ok(())
        } else {
            Err(not_ok("SET", reply))
        }
    }

    async fn get(&mut self, key: &str, expected: &[u8]) -> Result<()> {
        let got: Option<Bytes> = if self.1 {
            Cmd::new("GET").arg(key).query(&self.0).await?
        } else {
            self.0.get(key).await?
        };
        check_value("GET", got.as_deref(), expected)
    }

    async fn set_pipeline(&mut self, keys: &[String], value: &Bytes) -> Result<()> {
        if !self.1 {
            // Built as the raw one is (a push per command), so that the two differ only in
            // typed against raw commands, not in how the vector of commands grows.
            let mut pipe = Pipeline::<Vec<()>>::default();
            for key in keys {
                pipe.push(commands::set(key, value));
            }
            let replies = pipe.query(&self.0).await?;
            if replies.len() != keys.len() {
                return Err(format!("{} replies to {} SETs", replies.len(), keys.len()).into());
            }
            return Ok(());
        }
        let mut pipe = Pipeline::<Vec<Value>>::default();
        for key in keys {
            pipe.push(Cmd::new("SET").arg(key).arg(value));
        }
        let replies = pipe.execute(&self.0).await?;
        if replies.len() != keys.len() {
            return Err(format!("{} replies to {} SETs", replies.len(), keys.len()).into());
        }
        for reply in replies {
            let reply = reply?;
            if !is_ok(&reply) {
                return Err(not_ok("SET", reply));
            }
        }
        Ok(())
    }

    async fn mget(&mut self, keys: &[String], expected: &[Bytes]) -> Result<usize> {
        let got: Vec<Option<Bytes>> = if self.1 {
            Cmd::new("MGET").arg(keys).query(&self.0).await?
        } else {
            self.0.mget(keys).await?
        };
        check_values(got.iter().map(|v| v.as_deref()), expected)
    }

    async fn hash_round_trip(&mut self, key: &str, fields: &[(String, String)]) -> Result<()> {
        let (added, got): (u64, HashMap<String, String>) = if self.1 {
            let added = Cmd::new("HSET").arg(key).arg(fields).query(&self.0).await?;
            (added, Cmd::new("HGETALL").arg(key).query(&self.0).await?)
        } else {
            (self.0.hset(key, fields).await?, self.0.hgetall(key).await?)
        };
        check_hash(i64::try_from(added)?, &got, fields)
    }
}
