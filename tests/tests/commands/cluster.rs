//! cluster introspection commands against the shared six-node cluster
//! (three primaries, three replicas), through a plain `Client` on one node,
//! over RESP3 and RESP2.

use std::collections::HashSet;
use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Client, Cmd, Pipeline};
use redis_tests::servers;

/// The cluster's nodes, `host:port`, as the harness lists them.
fn cluster_addrs() -> Vec<String> {
    servers()
        .get("CLUSTER")
        .split(',')
        .map(str::to_owned)
        .collect()
}

async fn node_client(addr: &str, protocol: u8) -> Client {
    Client::connect(format!("redis://{addr}/?protocol={protocol}"))
        .await
        .unwrap()
}

/// A client on a primary, for each protocol, with the node as it sees itself.
async fn on_a_primary(protocol: u8) -> (Client, ClusterNode) {
    for addr in cluster_addrs() {
        let client = node_client(&addr, protocol).await;
        let nodes = client.cluster_nodes().await.unwrap();
        let me = nodes.myself().unwrap().clone();
        if me.is_master() {
            return (client, me);
        }
    }
    panic!("the cluster has no primary");
}

macro_rules! each_protocol {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn resp3() {
                ($body)(3).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn resp2() {
                ($body)(2).await
            }
        }
    };
}

fn ports() -> HashSet<u16> {
    cluster_addrs()
        .iter()
        .map(|a| a.rsplit_once(':').unwrap().1.parse().unwrap())
        .collect()
}

each_protocol!(shards_cover_every_slot_once, |protocol| async move {
    let client = node_client(&cluster_addrs()[0], protocol).await;
    let shards = client.cluster_shards().await.unwrap();
    assert_eq!(shards.len(), 3);
    let mut covered = 0u32;
    for shard in &shards {
        for &(start, end) in &shard.slots {
            assert!(start <= end);
            covered += u32::from(end - start) + 1;
        }
        assert_eq!(shard.nodes.len(), 2);
        let roles: Vec<NodeRole> = shard.nodes.iter().map(|n| n.role).collect();
        assert!(roles.contains(&NodeRole::Master) && roles.contains(&NodeRole::Replica));
        for node in &shard.nodes {
            assert_eq!(node.id.len(), 40);
            assert!(ports().contains(&node.port.unwrap()));
            assert_eq!(node.ip, "127.0.0.1");
            assert_eq!(node.health, NodeHealth::Online);
        }
    }
    assert_eq!(covered, 16384);
});

each_protocol!(slots_name_primaries_and_replicas, |protocol| async move {
    let client = node_client(&cluster_addrs()[1], protocol).await;
    let ranges = client.cluster_slots().await.unwrap();
    let covered: u32 = ranges.iter().map(|r| u32::from(r.end - r.start) + 1).sum();
    assert_eq!(covered, 16384);
    let nodes = client.cluster_nodes().await.unwrap();
    for range in &ranges {
        let master = nodes.iter().find(|n| n.id == range.master.id).unwrap();
        assert!(master.is_master());
        assert_eq!(master.port, range.master.port);
        assert_eq!(range.master.endpoint.as_deref(), Some("127.0.0.1"));
        assert!(master.slots.contains(&(range.start, range.end)));
        assert_eq!(range.replicas.len(), 1);
        let replica = nodes.iter().find(|n| n.id == range.replicas[0].id).unwrap();
        assert_eq!(replica.master_id.as_deref(), Some(master.id.as_str()));
    }
});

each_protocol!(
    nodes_and_replicas_describe_the_topology,
    |protocol| async move {
        let (client, me) = on_a_primary(protocol).await;
        let nodes = client.cluster_nodes().await.unwrap();
        assert_eq!(nodes.len(), 6);
        assert_eq!(nodes.iter().filter(|n| n.is_myself()).count(), 1);
        assert_eq!(nodes.iter().filter(|n| n.is_master()).count(), 3);
        assert!(
            nodes
                .iter()
                .all(|n| n.connected && ports().contains(&n.port))
        );
        assert!(nodes.iter().all(|n| n.bus_port > 0));
        assert_eq!(client.cluster_myid().await.unwrap(), me.id);
        assert!(!me.slots.is_empty());

        let replicas = client.cluster_replicas(&me.id).await.unwrap();
        assert_eq!(replicas.len(), 1);
        assert_eq!(replicas[0].master_id.as_deref(), Some(me.id.as_str()));
        assert!(replicas[0].is_replica());
        assert_eq!(
            client.cluster_count_failure_reports(&me.id).await.unwrap(),
            0
        );

        // The replica is in the same shard, and knows its primary.
        let replica = node_client(&format!("127.0.0.1:{}", replicas[0].port), protocol).await;
        let shard = client.cluster_myshardid().await.unwrap();
        assert_eq!(shard.len(), 40);
        assert_eq!(replica.cluster_myshardid().await.unwrap(), shard);
        match replica.role().await.unwrap() {
            Role::Replica {
                master_port, state, ..
            } => {
                assert_eq!(master_port, me.port);
                assert_eq!(state, ReplicaLinkState::Connected);
            }
            other => panic!("{other:?}"),
        }
        match client.role().await.unwrap() {
            Role::Master {
                replicas: listed, ..
            } => {
                assert_eq!(listed.len(), 1);
                assert_eq!(listed[0].port, replicas[0].port);
            }
            other => panic!("{other:?}"),
        }
    }
);

each_protocol!(
    info_and_links_show_a_healthy_cluster,
    |protocol| async move {
        let client = node_client(&cluster_addrs()[2], protocol).await;
        let info = client.cluster_info().await.unwrap();
        assert!(info.is_ok(), "{info:?}");
        assert_eq!(info.get::<u64>("cluster_known_nodes"), Some(6));
        assert_eq!(info.get::<u64>("cluster_size"), Some(3));
        assert_eq!(info.get::<u64>("cluster_slots_assigned"), Some(16384));

        let links = client.cluster_links().await.unwrap();
        let nodes = client.cluster_nodes().await.unwrap();
        let peers: HashSet<&str> = nodes
            .iter()
            .filter(|n| !n.is_myself())
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(links.len(), 2 * peers.len());
        for direction in [LinkDirection::To, LinkDirection::From] {
            let linked: HashSet<&str> = links
                .iter()
                .filter(|l| l.direction == direction)
                .map(|l| l.node.as_str())
                .collect();
            assert_eq!(linked, peers);
        }
        assert!(
            links
                .iter()
                .all(|l| l.send_buffer_allocated >= l.send_buffer_used)
        );
    }
);

each_protocol!(keyslot_follows_hash_tags, |protocol| async move {
    let client = node_client(&cluster_addrs()[3], protocol).await;
    // The CRC16 test vector of the cluster spec.
    assert_eq!(client.cluster_keyslot("123456789").await.unwrap(), 12739);
    assert_eq!(client.cluster_keyslot("foo").await.unwrap(), 12182);
    let a = client.cluster_keyslot("{user:1}:profile").await.unwrap();
    let b = client.cluster_keyslot("{user:1}:cart").await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a, client.cluster_keyslot("user:1").await.unwrap());
});

each_protocol!(
    keys_in_a_slot_are_counted_and_listed,
    |protocol| async move {
        let (client, me) = on_a_primary(protocol).await;
        // A key of this test that the node serves.
        let prefix = format!("test:cluster-slot:{protocol}:{:08x}:", fastrand::u32(..));
        let mut chosen = None;
        for i in 0..1000 {
            let key = format!("{prefix}{i}");
            let slot = client.cluster_keyslot(&key).await.unwrap();
            if me.slots.iter().any(|&(s, e)| (s..=e).contains(&slot)) {
                chosen = Some((key, slot));
                break;
            }
        }
        let (key, slot) = chosen.unwrap();
        client
            .set_ex(&key, "v", Duration::from_secs(60))
            .await
            .unwrap();
        assert!(client.cluster_countkeysinslot(slot).await.unwrap() >= 1);
        let keys = client
            .cluster_getkeysinslot::<String>(slot, 1000)
            .await
            .unwrap();
        assert!(keys.contains(&key), "{keys:?}");

        let stats = client
            .cluster_slot_stats(SlotStatsQuery::range(slot, slot))
            .await
            .unwrap();
        assert_eq!(stats.len(), 1);
        assert_eq!(stats[0].slot, slot);
        assert!(stats[0].key_count.unwrap() >= 1);
        let top = client
            .cluster_slot_stats(SlotStatsQuery::top(SlotMetric::KeyCount, 3))
            .await
            .unwrap();
        assert_eq!(top.len(), 3);
        let counts: Vec<u64> = top.iter().map(|s| s.key_count.unwrap()).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
        assert!(counts[0] >= 1);
        let bottom = client
            .cluster_slot_stats(SlotStatsQuery::bottom(SlotMetric::KeyCount, 2))
            .await
            .unwrap();
        assert_eq!(bottom.len(), 2);
        assert!(bottom[0].key_count <= bottom[1].key_count);

        assert_eq!(client.del(&key).await.unwrap(), 1);
    }
);

each_protocol!(cluster_commands_in_a_pipeline, |protocol| async move {
    let client = node_client(&cluster_addrs()[4], protocol).await;
    let (id, slot, info, nodes) = Pipeline::new()
        .cluster_myid()
        .cluster_keyslot("foo")
        .cluster_info()
        .cluster_nodes()
        .query(&client)
        .await
        .unwrap();
    assert_eq!(nodes.myself().unwrap().id, id);
    assert_eq!(slot, 12182);
    assert!(info.is_ok());
    // Admin subcommands are still there as a plain Cmd.
    let help: Vec<String> = Cmd::new("CLUSTER")
        .arg("HELP")
        .query(&client)
        .await
        .unwrap();
    assert!(help.iter().any(|line| line.contains("SETSLOT")));
});
