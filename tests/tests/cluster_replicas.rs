//! `read_from_replicas` on the shared six-node cluster: reads counted on
//! each node with INFO commandstats. GETRANGE is the read counted, a
//! command no other suite sends to the cluster, so other tests running at
//! the same time do not change the counts.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use redis_core::cluster::{Targets, key_slot};
use redis_core::prelude::*;
use redis_core::{Addr, ClusterClient, Config, Pipeline};
use redis_tests::servers;

async fn cluster() -> ClusterClient {
    let settings = Config::new(Addr::Tcp {
        host: "127.0.0.1".into(),
        port: 1,
    })
    .with_connect_timeout(Duration::from_secs(2))
    .with_response_timeout(Some(Duration::from_secs(5)));
    ClusterClient::connect_nodes(settings, servers().cluster())
        .await
        .unwrap()
}

/// GETRANGE calls served so far, by node.
async fn getrange_calls(cluster: &ClusterClient, targets: Targets) -> HashMap<String, u64> {
    let infos = cluster
        .on(targets)
        .info_sections("commandstats")
        .await
        .unwrap();
    infos
        .into_iter()
        .map(|(node, info)| {
            let calls = info
                .get_str("commandstats", "cmdstat_getrange")
                .and_then(|stat| stat.split(',').find_map(|f| f.strip_prefix("calls=")))
                .map_or(0, |calls| calls.parse().unwrap());
            (node, calls)
        })
        .collect()
}

fn served(before: &HashMap<String, u64>, after: &HashMap<String, u64>) -> HashMap<String, u64> {
    after
        .iter()
        .map(|(node, calls)| (node.clone(), calls - before.get(node).copied().unwrap_or(0)))
        .collect()
}

#[tokio::test]
async fn reads_spread_over_replicas_and_writes_stay_on_primaries() {
    let cluster = cluster().await;
    let prefix = format!("cluster-replicas:{:x}", fastrand::u64(..));
    let keys: Vec<String> = (0..60).map(|i| format!("{prefix}:{i}")).collect();
    for key in &keys {
        cluster.set(key, "0123456789").await.unwrap();
    }
    // Every replica has the keys before they are read there.
    assert_eq!(
        cluster.wait(1, Duration::from_secs(5)).await.unwrap(),
        1,
        "a replica did not acknowledge the writes"
    );
    let reads = cluster.clone().with_read_from_replicas(true);
    let replicas_before = getrange_calls(&cluster, Targets::Replicas).await;
    let primaries_before = getrange_calls(&cluster, Targets::Primaries).await;
    assert_eq!(replicas_before.len(), 3);
    // 20 reads of each key: alone, and in a pipeline.
    for round in 0..10 {
        for key in &keys {
            let part: String = reads.getrange(key, 0, 3).await.unwrap();
            assert_eq!(part, "0123", "round {round}, {key}");
        }
        let mut pipe: Pipeline<Vec<String>> = Pipeline::default();
        for key in &keys {
            pipe.push(redis_core::commands::getrange(key, 2, 4));
        }
        let parts = pipe.query(&reads).await.unwrap();
        assert!(parts.iter().all(|p| p == "234"), "{parts:?}");
    }
    let on_replicas = served(
        &replicas_before,
        &getrange_calls(&cluster, Targets::Replicas).await,
    );
    let on_primaries = served(
        &primaries_before,
        &getrange_calls(&cluster, Targets::Primaries).await,
    );
    eprintln!("GETRANGE served by replicas {on_replicas:?}, by primaries {on_primaries:?}");
    // 1200 reads, each going to its slot's primary or its one replica at
    // random: every node serves some, the replicas about half.
    let replicas_total: u64 = on_replicas.values().sum();
    let primaries_total: u64 = on_primaries.values().sum();
    assert_eq!(replicas_total + primaries_total, 1200);
    for (node, calls) in on_replicas.iter().chain(&on_primaries) {
        assert!(*calls > 0, "{node} served no read");
    }
    assert!(
        (300..=900).contains(&replicas_total),
        "replicas served {replicas_total} of 1200 reads"
    );
    // The same reads through the handle it was made from: primaries only.
    let before = getrange_calls(&cluster, Targets::Replicas).await;
    for key in &keys {
        let _: String = cluster.getrange(key, 0, 0).await.unwrap();
    }
    let after = getrange_calls(&cluster, Targets::Replicas).await;
    assert_eq!(served(&before, &after).values().sum::<u64>(), 0);
    // Writes through the reading handle still go to the primaries.
    for key in keys.iter().take(10) {
        reads.set(key, "written").await.unwrap();
        let owner = cluster.slot_owner(key_slot(key.as_bytes())).unwrap();
        let on_owner: Vec<(String, Option<String>)> =
            cluster.on(Targets::Node(owner)).get(key).await.unwrap();
        assert_eq!(on_owner[0].1.as_deref(), Some("written"));
    }
    cluster.del(&keys).await.unwrap();
}
