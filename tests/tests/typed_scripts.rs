//! Typed scripts on real servers: a call with typed keys, arguments and
//! reply, alone and in a pipeline on every setup; on the cluster, a call
//! whose keys share a hash slot runs and one whose keys do not is refused
//! before anything is sent.

#![allow(clippy::unwrap_used)]

use redis_core::commands::*;
use redis_core::{Addr, ClusterClient, Config, ErrorKind, Pipeline, TypedScript};
use redis_tests::{Ctx, each_setup, servers};

/// Moves `amount` from the first key to the second if it is covered;
/// whether it did.
fn transfer() -> TypedScript<(String, String), (i64,), bool> {
    TypedScript::new(
        "local have = tonumber(redis.call('GET', KEYS[1]) or '0')
         if have < tonumber(ARGV[1]) then return 0 end
         redis.call('DECRBY', KEYS[1], ARGV[1])
         redis.call('INCRBY', KEYS[2], ARGV[1])
         return 1",
    )
}

each_setup!(
    a_typed_script_runs_alone_and_in_pipelines,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (alice, bob) = (ctx.key("{acct}:alice"), ctx.key("{acct}:bob"));
        client.set(&alice, 100).await.unwrap();
        let script = transfer();
        assert!(
            script
                .call((alice.clone(), bob.clone()), (30,))
                .invoke(&client)
                .await
                .unwrap()
        );
        assert!(
            !script
                .call((alice.clone(), bob.clone()), (500,))
                .invoke(&client)
                .await
                .unwrap()
        );
        let (first, second, left): (bool, bool, i64) = Pipeline::new()
            .call(&script.call((alice.clone(), bob.clone()), (70,)))
            .call(&script.call((alice.clone(), bob.clone()), (1,)))
            .command(get::<i64>(&bob))
            .query(&client)
            .await
            .unwrap();
        assert_eq!((first, second, left), (true, false, 100));
        let alice_left: i64 = client.get(&alice).await.unwrap();
        assert_eq!(alice_left, 0);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_cluster_keys_in_two_slots_are_refused_before_sending() {
    // The startup nodes are given apart; the address here is a placeholder.
    let config = Config::new(Addr::Tcp {
        host: "127.0.0.1".into(),
        port: 1,
    })
    .with_response_timeout(Some(std::time::Duration::from_secs(5)));
    let cluster = ClusterClient::connect_nodes(config, servers().cluster())
        .await
        .unwrap();
    let tag = format!("{{typed-{}}}", fastrand::u64(..));
    let (alice, bob) = (format!("{tag}:alice"), format!("{tag}:bob"));
    cluster.set(&alice, 10).await.unwrap();
    let script = transfer();
    assert!(
        script
            .call((alice.clone(), bob.clone()), (4,))
            .invoke(&cluster)
            .await
            .unwrap()
    );
    assert_eq!(cluster.get::<i64>(&bob).await.unwrap(), 4);

    // Two keys without a common tag land in different slots (checked).
    let (a, b) = (
        format!("typed-a-{}", fastrand::u64(..)),
        format!("typed-b-{}", fastrand::u64(..)),
    );
    let (slot_a, slot_b) = (
        redis_core::cluster::key_slot(a.as_bytes()),
        redis_core::cluster::key_slot(b.as_bytes()),
    );
    if slot_a == slot_b {
        return;
    }
    cluster.set(&a, 10).await.unwrap();
    let error = script
        .call((a.clone(), b.clone()), (4,))
        .invoke(&cluster)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CrossSlot, "{error}");
    assert_eq!(
        cluster.get::<i64>(&a).await.unwrap(),
        10,
        "nothing was sent"
    );
    assert_eq!(cluster.get::<Option<i64>>(&b).await.unwrap(), None);
    let _: u64 = cluster
        .del([a.as_str(), alice.as_str(), bob.as_str()])
        .await
        .unwrap();
}
