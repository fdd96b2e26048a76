//! sentinel commands against the shared sentinel group (three sentinels
//! watching a primary and a replica as `mymaster`, quorum 2), over RESP3 and
//! RESP2.
//!
//! Another suite fails `mymaster` over, so which of the two servers is the
//! master is read, never assumed, and these tests never fail over or reset
//! `mymaster` themselves. What they monitor, change and remove is a
//! throw-away server of their own under a name of their own.

use std::time::{Duration, Instant};

use redis_core::commands::*;
use redis_core::{Client, Config, ErrorKind, Pipeline, Protocol};
use redis_tests::{TempServer, Version, servers};

macro_rules! each_protocol {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn resp3() {
                ($body)(Protocol::Resp3).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn resp2() {
                ($body)(Protocol::Resp2).await
            }
        }
    };
}

async fn sentinel(addr: &str, protocol: Protocol) -> Client {
    let config = Config::from_url(&format!("redis://{addr}"))
        .unwrap()
        .with_protocol(protocol);
    Client::connect(config)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the sentinel at {addr}: {e}"))
}

fn port_of(addr: &str) -> u16 {
    addr.rsplit_once(':').unwrap().1.parse().unwrap()
}

/// The ports of the group's two servers; either may be the master.
fn server_ports() -> [u16; 2] {
    [
        port_of(servers().sentinel_primary()),
        port_of(servers().sentinel_replica()),
    ]
}

/// What a sentinel says of `mymaster` once nothing is moving: the master
/// and its replica agree on who replicates from whom, and the address the
/// sentinel gives out is the master's. Waits out a failover another test
/// may be running; fails with the last state seen if it never settles.
async fn settled(client: &Client) -> (SentinelMaster, Vec<SentinelReplica>) {
    let name = servers().sentinel_master();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let before = client.sentinel_get_master_addr_by_name(name).await.unwrap();
        let master = client.sentinel_master(name).await.unwrap();
        let replicas = client.sentinel_replicas(name).await.unwrap();
        let after = client.sentinel_get_master_addr_by_name(name).await.unwrap();
        let steady = before == after
            && after == Some((master.ip.clone(), master.port))
            && master.flags == ["master"]
            && replicas.iter().any(|r| r.port != master.port)
            && replicas
                .iter()
                .filter(|r| r.port != master.port)
                .all(|r| r.flags == ["slave"] && r.master_link_ok);
        if steady {
            return (master, replicas);
        }
        assert!(
            Instant::now() < deadline,
            "mymaster did not settle: {master:?} {replicas:?} at {after:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

each_protocol!(master_describes_mymaster, |protocol| async move {
    let name = servers().sentinel_master();
    let client = sentinel(servers().sentinels()[0], protocol).await;
    let (master, _) = settled(&client).await;
    assert_eq!(master.name, name);
    assert_eq!(master.ip, "127.0.0.1");
    assert!(server_ports().contains(&master.port), "{master:?}");
    assert_eq!(master.runid.as_deref().map(str::len), Some(40));
    assert!(master.has_flag("master") && !master.is_down() && !master.is_failing_over());
    assert_eq!(master.role_reported.as_deref(), Some("master"));
    assert_eq!(master.quorum, 2);
    assert_eq!(master.num_other_sentinels, 2);
    // After a failover the old master is kept as a replica.
    assert_eq!(master.num_replicas, 1);
    assert_eq!(master.down_after, Duration::from_millis(1000));
    assert_eq!(master.failover_timeout, Duration::from_millis(5000));
    assert_eq!(master.parallel_syncs, 1);
    // Every field is there as text, typed or not.
    assert_eq!(master.get("quorum"), Some("2"));
    assert_eq!(master.get("port"), Some(master.port.to_string().as_str()));
    assert!(master.get("last-ok-ping-reply").is_some());
    assert_eq!(master.fields().next(), Some(("name", name)));

    // The same master among all of them, read the same way.
    let masters = client.sentinel_masters().await.unwrap();
    let listed = masters.iter().find(|m| m.name == name).unwrap();
    assert_eq!(
        (listed.ip.as_str(), listed.runid.as_ref()),
        ("127.0.0.1", master.runid.as_ref())
    );
    assert!(server_ports().contains(&listed.port));
    match client.role().await.unwrap() {
        Role::Sentinel { masters } => assert!(masters.iter().any(|m| m == name), "{masters:?}"),
        role => panic!("a sentinel answered ROLE with {role:?}"),
    }
});

each_protocol!(
    replicas_and_sentinels_describe_the_group,
    |protocol| async move {
        let name = servers().sentinel_master();
        let sentinels = servers().sentinels();
        assert_eq!(sentinels.len(), 3);
        let client = sentinel(sentinels[1], protocol).await;
        let (master, replicas) = settled(&client).await;
        let replica = replicas.iter().find(|r| r.port != master.port).unwrap();
        let other_port = server_ports().into_iter().find(|&p| p != master.port);
        assert_eq!(Some(replica.port), other_port, "{replicas:?}");
        assert_eq!(replica.ip, "127.0.0.1");
        assert_eq!(replica.name, format!("127.0.0.1:{}", replica.port));
        assert_eq!(replica.runid.as_deref().map(str::len), Some(40));
        assert_ne!(replica.runid, master.runid);
        assert!(replica.has_flag("slave") && !replica.is_down());
        assert!(replica.master_link_ok);
        assert_eq!(replica.master_host.as_deref(), Some("127.0.0.1"));
        assert_eq!(replica.master_port, Some(master.port));
        assert_eq!(replica.role_reported.as_deref(), Some("slave"));
        assert_eq!(replica.priority, 100);
        assert!(replica.replication_offset > 0);
        assert_eq!(replica.get("master-link-status"), Some("ok"));

        // The other two sentinels, not this one.
        let myid = client.sentinel_myid().await.unwrap();
        assert_eq!(myid.len(), 40);
        assert!(myid.bytes().all(|b| b.is_ascii_hexdigit()));
        let peers = client.sentinel_sentinels(name).await.unwrap();
        let mut peer_ports: Vec<u16> = peers.iter().map(|p| p.port).collect();
        peer_ports.sort_unstable();
        let mut expected: Vec<u16> = [sentinels[0], sentinels[2]].map(port_of).to_vec();
        expected.sort_unstable();
        assert_eq!(peer_ports, expected);
        for peer in &peers {
            assert!(peer.has_flag("sentinel"), "{peer:?}");
            assert_eq!(peer.ip, "127.0.0.1");
            assert_eq!(peer.runid.as_deref(), Some(peer.name.as_str()));
            assert_ne!(peer.name, myid);
            assert!(peer.last_hello < Duration::from_secs(10), "{peer:?}");
        }
        // And this one is among the peers of another.
        let other = sentinel(sentinels[0], protocol).await;
        let their_peers = other.sentinel_sentinels(name).await.unwrap();
        assert!(their_peers.iter().any(|p| p.name == myid));

        let quorum = client.sentinel_ckquorum(name).await.unwrap();
        assert!(quorum.starts_with("OK 3 usable Sentinels"), "{quorum}");
    }
);

each_protocol!(
    every_sentinel_gives_out_the_master_address,
    |protocol| async move {
        let name = servers().sentinel_master();
        for addr in servers().sentinels() {
            let client = sentinel(addr, protocol).await;
            let (host, port) = client
                .sentinel_get_master_addr_by_name(name)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(host, "127.0.0.1");
            assert!(server_ports().contains(&port), "{port}");
            // What a settled sentinel gives out really is the master, and
            // the other server replicates from it.
            let (master, _) = settled(&client).await;
            let at = |port: u16| Client::connect(format!("redis://127.0.0.1:{port}"));
            let role = at(master.port).await.unwrap().role().await.unwrap();
            assert!(matches!(role, Role::Master { .. }), "{role:?}");
            let other = server_ports()
                .into_iter()
                .find(|&p| p != master.port)
                .unwrap();
            match at(other).await.unwrap().role().await.unwrap() {
                Role::Replica { master_port, .. } => assert_eq!(master_port, master.port),
                role => panic!("{other} is not a replica: {role:?}"),
            }
        }
    }
);

each_protocol!(unknown_masters_are_errors, |protocol| async move {
    let client = sentinel(servers().sentinels()[2], protocol).await;
    let unknown = format!("redis-tests-no-such-master-{}", fastrand::u64(..));
    assert_eq!(
        client
            .sentinel_get_master_addr_by_name(&unknown)
            .await
            .unwrap(),
        None
    );
    let errors = [
        client.sentinel_master(&unknown).await.map(drop),
        client.sentinel_replicas(&unknown).await.map(drop),
        client.sentinel_sentinels(&unknown).await.map(drop),
        client.sentinel_ckquorum(&unknown).await.map(drop),
        client.sentinel_failover(&unknown).await,
        client.sentinel_set(&unknown, "quorum", 1).await,
        client.sentinel_remove(&unknown).await,
    ];
    for error in errors {
        let error = error.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Server, "{error}");
        assert_eq!(error.code(), Some("ERR"), "{error}");
        assert!(
            error.to_string().contains("No such master with that name"),
            "{error}"
        );
    }
    assert_eq!(client.sentinel_reset(&unknown).await.unwrap(), 0);
});

/// Removes what an earlier, failed run of this test left on the sentinel.
async fn remove_leftovers(client: &Client, prefix: &str) {
    for master in client.sentinel_masters().await.unwrap() {
        if master.name.starts_with(prefix) {
            client.sentinel_remove(&master.name).await.unwrap();
        }
    }
}

each_protocol!(
    monitor_set_reset_and_remove_a_master_of_our_own,
    |protocol| async move {
        // A server of its own: a sentinel's connections and hello messages
        // stay off the shared ones.
        let server = TempServer::start(Version::Redis8);
        let port = port_of(&server.addr());
        let client = sentinel(servers().sentinels()[0], protocol).await;
        let prefix = format!("redis-tests-sentinel-{protocol:?}-");
        remove_leftovers(&client, &prefix).await;
        let name = format!("{prefix}{}", fastrand::u64(..));

        // A quorum no single sentinel can reach: it never fails it over.
        client
            .sentinel_monitor(&name, "127.0.0.1", port, 3)
            .await
            .unwrap();
        let duplicate = client
            .sentinel_monitor(&name, "127.0.0.1", port, 3)
            .await
            .unwrap_err();
        assert!(
            duplicate.to_string().contains("Duplicate master name"),
            "{duplicate}"
        );
        let master = client.sentinel_master(&name).await.unwrap();
        assert_eq!((master.ip.as_str(), master.port), ("127.0.0.1", port));
        assert_eq!(master.quorum, 3);
        assert_eq!(master.num_replicas, 0);
        assert_eq!(master.num_other_sentinels, 0);
        assert!(master.has_flag("master"));
        assert_eq!(
            client
                .sentinel_get_master_addr_by_name(&name)
                .await
                .unwrap(),
            Some(("127.0.0.1".to_owned(), port))
        );
        let names: Vec<String> = client
            .sentinel_masters()
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert!(names.contains(&name) && names.iter().any(|n| n == servers().sentinel_master()));

        client
            .sentinel_set(&name, "down-after-milliseconds", 60_000)
            .await
            .unwrap();
        client.sentinel_set(&name, "quorum", 2).await.unwrap();
        let master = client.sentinel_master(&name).await.unwrap();
        assert_eq!(master.down_after, Duration::from_secs(60));
        assert_eq!(master.quorum, 2);
        let unknown_option = client.sentinel_set(&name, "no-such-option", 1).await;
        assert_eq!(unknown_option.unwrap_err().kind(), ErrorKind::Server);

        // The sentinel reaches the server and learns its run id.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let master = client.sentinel_master(&name).await.unwrap();
            if master.runid.is_some() && master.role_reported.as_deref() == Some("master") {
                break;
            }
            assert!(Instant::now() < deadline, "never reached: {master:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // RESET by the exact name matches this master only.
        assert_eq!(client.sentinel_reset(&name).await.unwrap(), 1);
        assert_eq!(client.sentinel_master(&name).await.unwrap().port, port);
        client.sentinel_flushconfig().await.unwrap();

        // Through a pipeline too, with its typed tuple.
        let (addr, myid, reset): (Option<(String, u16)>, String, u64) = Pipeline::new()
            .sentinel_get_master_addr_by_name(&name)
            .sentinel_myid()
            .sentinel_reset(format!("{name}-not-this-one"))
            .query(&client)
            .await
            .unwrap();
        assert_eq!(addr, Some(("127.0.0.1".to_owned(), port)));
        assert_eq!(myid.len(), 40);
        assert_eq!(reset, 0);

        client.sentinel_remove(&name).await.unwrap();
        let gone = client.sentinel_master(&name).await.unwrap_err();
        assert!(gone.to_string().contains("No such master"), "{gone}");
        assert_eq!(
            client
                .sentinel_get_master_addr_by_name(&name)
                .await
                .unwrap(),
            None
        );
        drop(server);
    }
);
