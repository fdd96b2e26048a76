//! The cluster columns: each library's clustered client, called as its documentation shows,
//! behind the same [`BenchClient`] as the single-server columns.

use std::collections::HashMap;

use bytes::Bytes;
use fred::prelude::{
    Builder, ClientLike, Config, HashesInterface, KeysInterface, ServerConfig, Value,
};
use fred::types::{MultipleKeys, RespVersion};
use redis::AsyncCommands;
use redis::cluster_async::ClusterConnection;
use redis_core::commands::{self, HashCommands, StringCommands};
use redis_core::{ClusterClient, Pipeline};

use super::{BenchClient, Result, check_hash, check_value, check_values, not_ok, ours_config};

/// `host:port` of each node, as `--cluster` gives them.
fn nodes(list: &str) -> Result<Vec<(String, u16)>> {
    list.split(',')
        .map(|node| {
            let (host, port) = node
                .rsplit_once(':')
                .ok_or_else(|| format!("a cluster node is host:port, not {node:?}"))?;
            Ok((host.to_owned(), port.parse()?))
        })
        .collect()
}

/// One `redis_core::ClusterClient`; clones share its connections.
#[derive(Clone)]
pub struct OursCluster(pub ClusterClient);

impl OursCluster {
    /// Connects with the given protocol and otherwise default settings.
    pub async fn connect(list: &str, resp: u8) -> Result<OursCluster> {
        let nodes = nodes(list)?;
        let (host, port) = nodes.first().ok_or("no cluster node")?;
        let config = ours_config(&format!("redis://{host}:{port}"), resp)?;
        let names: Vec<String> = nodes.iter().map(|(h, p)| format!("{h}:{p}")).collect();
        Ok(OursCluster(
            ClusterClient::connect_nodes(config, names).await?,
        ))
    }
}

impl BenchClient for OursCluster {
    async fn set(&mut self, key: &str, value: &Bytes) -> Result<()> {
        let reply: redis_core::Value = redis_core::Cmd::new("SET")
            .arg(key)
            .arg(value)
            .query(&self.0)
            .await?;
        match reply {
            redis_core::Value::SimpleString(s) if s == "OK" => Ok(()),
            other => Err(not_ok("SET", other)),
        }
    }

    async fn get(&mut self, key: &str, expected: &[u8]) -> Result<()> {
        let got: Option<Bytes> = self.0.get(key).await?;
        check_value("GET", got.as_deref(), expected)
    }

    async fn set_pipeline(&mut self, keys: &[String], value: &Bytes) -> Result<()> {
        let mut pipe = Pipeline::<Vec<()>>::default();
        for key in keys {
            pipe.push(commands::set(key, value));
        }
        let replies = pipe.query(&self.0).await?;
        if replies.len() != keys.len() {
            return Err(format!("{} replies to {} SETs", replies.len(), keys.len()).into());
        }
        Ok(())
    }

    async fn mget(&mut self, keys: &[String], expected: &[Bytes]) -> Result<usize> {
        let got: Vec<Option<Bytes>> = self.0.mget(keys).await?;
        check_values(got.iter().map(|v| v.as_deref()), expected)
    }

    async fn hash_round_trip(&mut self, key: &str, fields: &[(String, String)]) -> Result<()> {
        let added: u64 = self.0.hset(key, fields).await?;
        let got: HashMap<String, String> = self.0.hgetall(key).await?;
        check_hash(i64::try_from(added)?, &got, fields)
    }
}

/// redis-rs' async cluster connection (`cluster-async`); clones share it.
#[derive(Clone)]
pub struct RedisRsCluster(pub ClusterConnection);

impl RedisRsCluster {
    /// Connects with the given protocol and otherwise default settings.
    pub async fn connect(list: &str, resp: u8) -> Result<RedisRsCluster> {
        let urls: Vec<String> = nodes(list)?
            .iter()
            .map(|(h, p)| format!("redis://{h}:{p}"))
            .collect();
        let protocol = if resp == 2 {
            redis::ProtocolVersion::RESP2
        } else {
            redis::ProtocolVersion::RESP3
        };
        let client = redis::cluster::ClusterClient::builder(urls)
            .use_protocol(protocol)
            .build()?;
        Ok(RedisRsCluster(client.get_async_connection().await?))
    }
}

impl BenchClient for RedisRsCluster {
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
        let added: i64 = redis::cmd("HSET")
            .arg(key)
            .arg(fields)
            .query_async(&mut self.0)
            .await?;
        let got: HashMap<String, String> = self.0.hgetall(key).await?;
        check_hash(added, &got, fields)
    }
}

/// fred's client with a clustered configuration; clones share its connections.
#[derive(Clone)]
pub struct FredCluster(pub fred::clients::Client);

impl FredCluster {
    /// Connects with the given protocol and otherwise default settings.
    pub async fn connect(list: &str, resp: u8) -> Result<FredCluster> {
        let config = Config {
            server: ServerConfig::new_clustered(nodes(list)?),
            version: if resp == 2 {
                RespVersion::RESP2
            } else {
                RespVersion::RESP3
            },
            ..Config::default()
        };
        let client = Builder::from_config(config).build()?;
        client.init().await?;
        Ok(FredCluster(client))
    }
}

impl BenchClient for FredCluster {
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
