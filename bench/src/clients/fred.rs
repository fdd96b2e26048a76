//! fred, one `Client` (one connection) with its default settings.

use std::collections::HashMap;

use bytes::Bytes;
use fred::prelude::{Builder, ClientLike, Config, HashesInterface, KeysInterface, Value};
use fred::types::{MultipleKeys, RespVersion};

use super::{BenchClient, Result, check_hash, check_value, check_values, not_ok};

/// One fred client; clones share its connection.
#[derive(Clone)]
pub struct Fred(pub fred::clients::Client);

impl Fred {
    /// Connects with the given protocol and otherwise default settings.
    pub async fn connect(url: &str, resp: u8) -> Result<Fred> {
        let mut config = Config::from_url(url)?;
        config.version = if resp == 2 {
            RespVersion::RESP2
        } else {
            RespVersion::RESP3
        };
        let client = Builder::from_config(config).build()?;
        client.init().await?;
        Ok(Fred(client))
    }
}

impl BenchClient for Fred {
    async fn set(&mut self, key: &str, value: &Bytes) -> Result<()> {
        let reply: Value = self.0.set(key, value.clone(), None, None, false).await?;
        if reply.is_ok() {
            Ok(())
        } else {
            Err(not_ok("SET", reply))
        }
    }

    async fn get(&mut self, key: &str, expected: &[u8]) -> Result<()> {
        let got: Option<Bytes> = self.0.get(key).await?;
        check_value("GET", got.as_deref(), expected)
    }

    async fn set_pipeline(&mut self, keys: &[String], value: &Bytes) -> Result<()> {
        let pipe = self.0.pipeline();
        for key in keys {
            // Queued in memory; the reply comes from `all()`.
            let () = pipe
                .set(key.as_str(), value.clone(), None, None, false)
                .await?;
        }
        let replies: Vec<Value> = pipe.all().await?;
        if replies.len() != keys.len() {
            return Err(format!("{} replies to {} SETs", replies.len(), keys.len()).into());
        }
        match replies.into_iter().find(|r| !r.is_ok()) {
            None => Ok(()),
            Some(other) => Err(not_ok("SET", other)),
        }
    }

    async fn mget(&mut self, keys: &[String], expected: &[Bytes]) -> Result<usize> {
        let keys: MultipleKeys = keys.iter().map(String::as_str).collect();
        let got: Vec<Option<Bytes>> = self.0.mget(keys).await?;
        check_values(got.iter().map(|v| v.as_deref()), expected)
    }

    async fn hash_round_trip(&mut self, key: &str, fields: &[(String, String)]) -> Result<()> {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(f, v)| (f.as_str(), v.as_str()))
            .collect();
        let added: i64 = self.0.hset(key, pairs).await?;
        let got: HashMap<String, String> = self.0.hgetall(key).await?;
        check_hash(added, &got, fields)
    }
}
