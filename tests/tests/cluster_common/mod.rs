//! What the cluster suites share: throw-away clusters of their own, and
//! moving a slot with its keys as `redis-cli --cluster reshard` does.

#![allow(dead_code)]

use std::collections::HashMap;
use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Client, Cmd, Value};
use redis_tests::{TempServer, Version};

/// A primary as the resharding needs it.
#[derive(Clone)]
pub struct Primary {
    pub addr: String,
    pub id: String,
    pub client: Client,
}

/// Moves `slot` with its keys from `from` to `to` as `redis-cli --cluster
/// reshard` does, `batch` keys per MIGRATE with `pause` between, and tells
/// every primary the new owner. On a failure (the shared cluster failing a
/// shard over meanwhile) the slot's migration states are cleared on every
/// primary, so the cluster is left usable, and the test fails.
pub async fn move_slot(
    slot: u16,
    from: &Primary,
    to: &Primary,
    all: &[Primary],
    batch: u64,
    pause: Duration,
) {
    let moved = try_move_slot(slot, from, to, all, batch, pause).await;
    if let Err(error) = moved {
        for primary in all {
            let stable = Cmd::new("CLUSTER").arg("SETSLOT").arg(slot).arg("STABLE");
            let _ = stable.query::<()>(&primary.client).await;
        }
        panic!(
            "moving slot {slot} from {} to {} failed: {error}",
            from.addr, to.addr
        );
    }
}

async fn try_move_slot(
    slot: u16,
    from: &Primary,
    to: &Primary,
    all: &[Primary],
    batch: u64,
    pause: Duration,
) -> redis_core::Result<()> {
    let setslot = |state: &str, id: &str| {
        Cmd::new("CLUSTER")
            .arg("SETSLOT")
            .arg(slot)
            .arg(state)
            .arg(id)
    };
    setslot("IMPORTING", &from.id)
        .query::<()>(&to.client)
        .await?;
    setslot("MIGRATING", &to.id)
        .query::<()>(&from.client)
        .await?;
    let (host, port) = to.addr.rsplit_once(':').unwrap();
    loop {
        let keys: Vec<Vec<u8>> = from.client.cluster_getkeysinslot(slot, batch).await?;
        if keys.is_empty() {
            break;
        }
        let mut migrate = Cmd::new("MIGRATE")
            .arg(host)
            .arg(port)
            .arg("")
            .arg(0)
            .arg(5000)
            .arg("KEYS");
        for key in &keys {
            migrate = migrate.arg(&key[..]);
        }
        migrate.query::<Value>(&from.client).await?;
        tokio::time::sleep(pause).await;
    }
    // The new owner first, then the old one, then the rest, as redis-cli.
    setslot("NODE", &to.id).query::<()>(&to.client).await?;
    setslot("NODE", &to.id).query::<()>(&from.client).await?;
    for other in all.iter().filter(|p| p.id != to.id && p.id != from.id) {
        setslot("NODE", &to.id).query::<()>(&other.client).await?;
    }
    Ok(())
}

/// A port nothing listens on now, for a throw-away node's cluster bus.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A throw-away cluster of three primaries (the first three nodes) and a
/// replica of primary `replicas_of[i]` as node `3 + i`, with the given
/// node timeout; it keeps serving the slots of its live nodes when one
/// dies (`cluster-require-full-coverage no`).
pub async fn throwaway_cluster(replicas_of: &[usize], node_timeout: Duration) -> Vec<TempServer> {
    let node_timeout = node_timeout.as_millis().to_string();
    let mut nodes = Vec::new();
    for _ in 0..3 + replicas_of.len() {
        let bus = free_port().to_string();
        nodes.push(TempServer::start_with(
            Version::Redis8,
            &[
                "--cluster-enabled",
                "yes",
                "--cluster-port",
                &bus,
                "--cluster-node-timeout",
                &node_timeout,
                "--cluster-require-full-coverage",
                "no",
            ],
        ));
    }
    let mut clients = Vec::new();
    for node in &nodes {
        clients.push(Client::connect(node.url()).await.unwrap());
    }
    let ranges = [(0, 5460), (5461, 10922), (10923, 16383)];
    for (client, (start, end)) in clients.iter().zip(ranges) {
        Cmd::new("CLUSTER")
            .arg("ADDSLOTSRANGE")
            .arg(start)
            .arg(end)
            .query::<()>(client)
            .await
            .unwrap();
    }
    for node in &nodes[1..] {
        let port: u16 = node.addr().rsplit_once(':').unwrap().1.parse().unwrap();
        let bus = Cmd::new("CONFIG").arg("GET").arg("cluster-port");
        let bus: HashMap<String, String> = {
            let c = Client::connect(node.url()).await.unwrap();
            bus.query(&c).await.unwrap()
        };
        Cmd::new("CLUSTER")
            .arg("MEET")
            .arg("127.0.0.1")
            .arg(port)
            .arg(&bus["cluster-port"])
            .query::<()>(&clients[0])
            .await
            .unwrap();
    }
    // Formed when every node knows three primaries with their slots.
    let started = std::time::Instant::now();
    loop {
        let mut formed = true;
        for client in &clients {
            let info = client.cluster_info().await.unwrap();
            let shards = client.cluster_shards().await.unwrap();
            formed &= info.is_ok()
                && info.get::<usize>("cluster_known_nodes") == Some(nodes.len())
                && shards.iter().filter(|s| !s.slots.is_empty()).count() == 3;
        }
        if formed {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the cluster did not form"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (replica, &primary) in clients[3..].iter().zip(replicas_of) {
        let primary_id = clients[primary].cluster_myid().await.unwrap();
        Cmd::new("CLUSTER")
            .arg("REPLICATE")
            .arg(&primary_id)
            .query::<()>(replica)
            .await
            .unwrap();
    }
    // Replicas in sync with their primary.
    for (primary, client) in clients[..3].iter().enumerate() {
        let replicas = replicas_of.iter().filter(|&&p| p == primary).count();
        loop {
            let info: String = Cmd::new("INFO")
                .arg("replication")
                .query(client)
                .await
                .unwrap();
            if info.contains(&format!("connected_slaves:{replicas}"))
                && !info.contains("state=wait")
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the replicas did not sync"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    nodes
}
