//! Commands that reach several nodes of the shared six-node cluster: those
//! whose cluster tips fan them out (replies merged as the tips say), those
//! sent to nodes the caller names (`ClusterClient::on`), and
//! `Executor::execute_on_primaries`, which generic code uses on any
//! topology. Nothing here changes the cluster's state beyond keys and
//! scripts of its own.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::time::Duration;

use redis_core::cluster::{Targets, key_slot};
use redis_core::commands::Role;
use redis_core::prelude::*;
use redis_core::{Addr, Client, ClusterClient, Cmd, Config, Executor, Value};
use redis_tests::servers;

fn settings() -> Config {
    Config::new(Addr::Tcp {
        host: "127.0.0.1".into(),
        port: 1,
    })
    .with_connect_timeout(Duration::from_secs(2))
    .with_response_timeout(Some(Duration::from_secs(5)))
}

async fn cluster() -> ClusterClient {
    ClusterClient::connect_nodes(settings(), servers().cluster())
        .await
        .unwrap()
}

fn prefix(test: &str) -> String {
    format!("cluster-targets:{test}:{:x}", fastrand::u64(..))
}

#[tokio::test]
async fn keys_gathers_every_primarys_matches() {
    let cluster = cluster().await;
    let prefix = prefix("keys");
    let keys: Vec<String> = (0..60).map(|i| format!("{prefix}:{i}")).collect();
    let owners: HashSet<String> = keys
        .iter()
        .filter_map(|k| cluster.slot_owner(key_slot(k.as_bytes())))
        .collect();
    assert_eq!(owners.len(), 3, "the keys must span every primary");
    for key in &keys {
        cluster.set(key, 1).await.unwrap();
    }
    // KEYS is `all_shards` with no response tip: the primaries' lists,
    // concatenated. One node alone has about a third of them.
    let mut found: Vec<String> = cluster.keys(format!("{prefix}:*")).await.unwrap();
    found.sort();
    let mut expected = keys.clone();
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(cluster.del(&keys).await.unwrap(), 60);
}

#[tokio::test]
async fn script_exists_is_true_only_when_every_primary_has_the_script() {
    let cluster = cluster().await;
    // A body no other test loads: its SHA is new to every node.
    let body = format!("return '{}'", prefix("script"));
    let primaries = cluster.primaries();
    // Loaded on one primary only: SCRIPT EXISTS (`agg_logical_and`) says no.
    let on_one: Vec<(String, String)> = cluster
        .on(Targets::Node(primaries[0].clone()))
        .script_load(&body)
        .await
        .unwrap();
    let [(node, sha)] = &on_one[..] else {
        panic!("{on_one:?}")
    };
    assert_eq!(node, &primaries[0]);
    let each = cluster
        .on(Targets::Primaries)
        .script_exists([sha.as_str()])
        .await
        .unwrap();
    let loaded: Vec<bool> = each.iter().map(|(_, exists)| exists[0]).collect();
    assert_eq!(loaded, [true, false, false], "{each:?}");
    assert_eq!(
        cluster.script_exists([sha.as_str()]).await.unwrap(),
        [false]
    );
    // SCRIPT LOAD through the cluster (`all_nodes`) loads it everywhere,
    // replicas included.
    assert_eq!(&cluster.script_load(&body).await.unwrap(), sha);
    assert_eq!(cluster.script_exists([sha.as_str()]).await.unwrap(), [true]);
    let everywhere = cluster
        .on(Targets::AllNodes)
        .script_exists([sha.as_str()])
        .await
        .unwrap();
    assert_eq!(everywhere.len(), 6);
    assert!(everywhere.iter().all(|(_, e)| e[0]), "{everywhere:?}");
}

#[tokio::test]
async fn fanned_out_commands_merge_as_their_tips_say() {
    let cluster = cluster().await;
    // PING: `all_shards`, `all_succeeded`.
    assert_eq!(cluster.ping().await.unwrap(), "PONG");
    // DBSIZE: `agg_sum`. Other tests write meanwhile, so the sum is only
    // checked against keys of this test that are known to exist.
    let prefix = prefix("dbsize");
    let keys: Vec<String> = (0..30).map(|i| format!("{prefix}:{i}")).collect();
    for key in &keys {
        cluster.set(key, 1).await.unwrap();
    }
    let per_node = cluster.on(Targets::Primaries).dbsize().await.unwrap();
    assert_eq!(per_node.len(), 3);
    assert!(cluster.dbsize().await.unwrap() >= 30);
    // WAIT: `all_shards`, `agg_min`: every primary has one replica.
    let acked = cluster.wait(1, Duration::from_secs(2)).await.unwrap();
    assert_eq!(acked, 1);
    // In a pipeline too, in its place among keyed commands.
    let (size, one, pong): (u64, i64, String) = Pipeline::new()
        .dbsize()
        .get(&keys[0])
        .ping()
        .query(&cluster)
        .await
        .unwrap();
    assert!(size >= 30);
    assert_eq!((one, pong.as_str()), (1, "PONG"));
    // RANDOMKEY (`special`): a key from a primary that has one.
    let key: Option<String> = cluster.randomkey().await.unwrap();
    assert!(key.is_some());
    cluster.del(&keys).await.unwrap();
}

#[tokio::test]
async fn targets_name_primaries_replicas_all_nodes_random_or_one() {
    let cluster = cluster().await;
    let primaries = cluster.primaries();
    let roles = cluster.on(Targets::AllNodes).role().await.unwrap();
    assert_eq!(roles.len(), 6, "{roles:?}");
    let names: Vec<&str> = roles.iter().map(|(node, _)| node.as_str()).collect();
    assert_eq!(
        names[..3],
        primaries.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    for (node, role) in &roles[..3] {
        assert!(matches!(role, Role::Master { .. }), "{node}: {role:?}");
    }
    for (node, role) in &roles[3..] {
        assert!(matches!(role, Role::Replica { .. }), "{node}: {role:?}");
    }
    let nodes_of = |replies: Vec<(String, Role)>| -> Vec<String> {
        replies.into_iter().map(|(node, _)| node).collect()
    };
    let replicas = nodes_of(cluster.on(Targets::Replicas).role().await.unwrap());
    assert_eq!(replicas, names[3..]);
    let on_primaries = nodes_of(cluster.on(Targets::Primaries).role().await.unwrap());
    assert_eq!(on_primaries, primaries);
    let random = cluster.on(Targets::Random).ping().await.unwrap();
    assert_eq!(random.len(), 1);
    assert!(names.contains(&random[0].0.as_str()));
    // A replica answers reads of its primary's slots (READONLY mode).
    let (replica, master) = roles[3..]
        .iter()
        .find_map(|(node, role)| match role {
            Role::Replica {
                master_host,
                master_port,
                ..
            } => Some((node.clone(), format!("{master_host}:{master_port}"))),
            _ => None,
        })
        .unwrap();
    let prefix = prefix("replica");
    let key = (0..)
        .map(|i| format!("{prefix}:{i}"))
        .find(|k| cluster.slot_owner(key_slot(k.as_bytes())).as_deref() == Some(master.as_str()))
        .unwrap();
    cluster.set(&key, "on the primary").await.unwrap();
    let on_master = cluster.on(Targets::Node(master.clone()));
    assert_eq!(
        on_master.wait(1, Duration::from_secs(2)).await.unwrap()[0].1,
        1
    );
    let read: Vec<(String, Option<String>)> = cluster
        .on(Targets::Node(replica.clone()))
        .get(&key)
        .await
        .unwrap();
    assert_eq!(read, [(replica, Some("on the primary".to_owned()))]);
    // Errors name the node: a write on the replica is redirected, and
    // redirections are not followed for named nodes.
    let error = cluster
        .on(Targets::Replicas)
        .execute::<Value>(Cmd::new("SET").arg(&key).arg(1))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("MOVED"), "{error}");
    cluster.del(&key).await.unwrap();
}

/// Written once over the executor trait: how many primaries answered.
async fn primaries_answering(redis: &impl Executor) -> usize {
    let pongs: Vec<String> = redis.execute_on_primaries(Cmd::new("PING")).await.unwrap();
    assert!(pongs.iter().all(|p| p == "PONG"), "{pongs:?}");
    pongs.len()
}

#[tokio::test]
async fn execute_on_primaries_asks_every_shard_or_the_one_server() {
    let cluster = cluster().await;
    assert_eq!(primaries_answering(&cluster).await, 3);
    assert_eq!(primaries_answering(&&cluster).await, 3);
    assert_eq!(
        primaries_answering(&std::sync::Arc::new(cluster.clone())).await,
        3
    );
    let single = Client::connect(format!("redis://{}", servers().redis8()))
        .await
        .unwrap();
    assert_eq!(primaries_answering(&single).await, 1);
    // A keyed command reaches every primary too, whatever its key's slot:
    // each shard answers for the keys it holds.
    let prefix = prefix("each");
    let keys: Vec<String> = (0..30).map(|i| format!("{prefix}:{i}")).collect();
    for key in &keys {
        cluster.set(key, 1).await.unwrap();
    }
    let counts: Vec<Vec<String>> = cluster
        .execute_on_primaries(Cmd::new("KEYS").arg(format!("{prefix}:*")))
        .await
        .unwrap();
    assert_eq!(counts.len(), 3);
    assert_eq!(counts.iter().map(Vec::len).sum::<usize>(), 30);
    assert!(counts.iter().all(|c| !c.is_empty()), "{counts:?}");
    cluster.del(&keys).await.unwrap();
}

#[tokio::test]
async fn scan_streams_the_keys_of_every_primary() {
    use redis_core::commands::ScanOptions;
    let cluster = cluster().await;
    let prefix = prefix("scan");
    let keys: Vec<String> = (0..90).map(|i| format!("{prefix}:{i}")).collect();
    for key in &keys {
        cluster.set(key, 1).await.unwrap();
    }
    // Small pages, so each primary takes several, and the stream goes on
    // from one primary to the next.
    let options = ScanOptions::new().pattern(format!("{prefix}:*")).count(20);
    let found: HashSet<String> = cluster
        .scan::<String>(options.clone())
        .try_collect()
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(found, keys.iter().cloned().collect::<HashSet<_>>());
    // The same through the one handle, written over the executor trait.
    let redis = redis_core::Redis::from(cluster.clone());
    let mut stream = redis.scan::<String>(options);
    let mut again = HashSet::new();
    while let Some(key) = stream.next().await {
        again.insert(key.unwrap());
    }
    assert_eq!(again, found);
    // A cursor that names no node is refused before anything is sent.
    let error = cluster
        .execute::<Value>(Cmd::new("SCAN").arg("12"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), redis_core::ErrorKind::InvalidInput, "{error}");
    cluster.del(&keys).await.unwrap();
}
