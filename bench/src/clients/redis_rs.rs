//! redis-rs, through one multiplexed async connection and its `AsyncCommands`.

use std::collections::HashMap;

use bytes::Bytes;
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;

use super::{BenchClient, Result, check_hash, check_value, check_values, not_ok};

/// One multiplexed connection; clones share it.
#[derive(Clone)]
pub struct RedisRs(pub MultiplexedConnection);

impl RedisRs {
    /// Connects with the given protocol and otherwise default settings.
    pub async fn connect(url: &str, resp: u8) -> Result<RedisRs> {
        let url = with_protocol(url, resp);
        let client = redis::Client::open(url.as_str())?;
        Ok(RedisRs(client.get_multiplexed_async_connection().await?))
    }

    /// Connects without redis-rs' default 500 ms response timeout, for commands that wait on
    /// a paused server on purpose.
    pub async fn connect_patient(url: &str, resp: u8) -> Result<RedisRs> {
        let url = with_protocol(url, resp);
        let client = redis::Client::open(url.as_str())?;
        let config = redis::AsyncConnectionConfig::new().set_response_timeout(None);
        Ok(RedisRs(
            client
                .get_multiplexed_async_connection_with_config(&config)
                .await?,
        ))
    }
}

/// redis-rs takes the protocol from the URL's query.
fn with_protocol(url: &str, resp: u8) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}protocol=resp{resp}")
}

impl BenchClient for RedisRs {
    async fn set(&mut self, key: &str, value: &Bytes) -> Result<()> {
        let reply: redis::Value = self.0.set(key, &value[..]).await?;
        match reply {
            redis::Value::Okay => Ok(()),
            other => Err(not_ok("SET", other)),
        }
    }

    async fn get(&mut self, key: &str, expected: &[u8]) -> Result<()> {
        let got: Option<Vec<u8>> = self.0.get(key).await?;
        check_value("GET", got.as_deref(), expected)
    }

    async fn set_pipeline(&mut self, keys: &[String], value: &Bytes) -> Result<()> {
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.set(key, &value[..]);
        }
        let replies: Vec<redis::Value> = pipe.query_async(&mut self.0).await?;
        if replies.len() != keys.len() {
            return Err(format!("{} replies to {} SETs", replies.len(), keys.len()).into());
        }
        match replies.into_iter().find(|r| *r != redis::Value::Okay) {
            None => Ok(()),
            Some(other) => Err(not_ok("SET", other)),
        }
    }

    async fn mget(&mut self, keys: &[String], expected: &[Bytes]) -> Result<usize> {
        let got: Vec<Option<Vec<u8>>> = self.0.mget(keys).await?;
        check_values(got.iter().map(|v| v.as_deref()), expected)
    }

    async fn hash_round_trip(&mut self, key: &str, fields: &[(String, String)]) -> Result<()> {
        // `hset_multiple` sends HMSET; HSET keeps the commands identical across clients.
        let added: i64 = redis::cmd("HSET")
            .arg(key)
            .arg(fields)
            .query_async(&mut self.0)
            .await?;
        let got: HashMap<String, String> = self.0.hgetall(key).await?;
        check_hash(added, &got, fields)
    }
}
