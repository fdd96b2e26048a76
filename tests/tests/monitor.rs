//! `Client::monitor` on real servers: the entries of commands this test
//! sends, parsed back to the exact bytes sent (spaces, quotes, escapes,
//! binary), with their database, client address and time.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use redis_core::commands::*;
use redis_core::{Cmd, Monitor, MonitorEntry};
use redis_tests::{Ctx, each_server_setup};

const WAIT: Duration = Duration::from_secs(10);

/// The next entry whose first argument is `key` (the shared servers run
/// other tests' commands too).
async fn entry_for(monitor: &mut Monitor, key: &[u8]) -> MonitorEntry {
    loop {
        let entry = tokio::time::timeout(WAIT, monitor.next_entry())
            .await
            .expect("no MONITOR entry in time")
            .expect("the monitor stopped")
            .expect("every line the server writes parses");
        if entry.args.first().is_some_and(|first| first == key) {
            return entry;
        }
    }
}

each_server_setup!(monitor_entries_are_parsed_exactly, |ctx: Ctx| async move {
    let client = ctx.server_client().await;
    let mut monitor = client.monitor().await.unwrap();
    let key = ctx.key("a key with \"spaces\"");
    let mut value = b"say \"hi\" \\ back\r\n\t".to_vec();
    value.extend((0u8..=255).collect::<Vec<u8>>());
    let value = Bytes::from(value);
    let before = SystemTime::now() - Duration::from_secs(5);
    client.set(&key, value.clone()).await.unwrap();
    let entry = entry_for(&mut monitor, key.as_bytes()).await;
    assert!(entry.command.eq_ignore_ascii_case(b"SET"), "{entry:?}");
    assert_eq!(entry.args, vec![Bytes::from(key.clone()), value]);
    assert_eq!(entry.db, 0);
    let from: SocketAddr = entry.client.parse().unwrap();
    assert!(from.ip().is_loopback(), "{entry:?}");
    let after = SystemTime::now() + Duration::from_secs(5);
    assert!(entry.time > before && entry.time < after, "{entry:?}");

    // A script's calls name `lua` as their client.
    let script_key = ctx.key("scripted");
    Cmd::new("EVAL")
        .arg("return redis.call('SET', KEYS[1], ARGV[1])")
        .arg(1)
        .arg(&script_key)
        .arg("")
        .query::<()>(&client)
        .await
        .unwrap();
    let entry = entry_for(&mut monitor, script_key.as_bytes()).await;
    assert_eq!(entry.client, "lua", "{entry:?}");
    assert!(entry.command.eq_ignore_ascii_case(b"SET"), "{entry:?}");
    assert_eq!(entry.args, vec![Bytes::from(script_key), Bytes::new()]);

    // Another database is named.
    let other_db = ctx.connect(ctx.config().with_db(5)).await;
    let db_key = ctx.key("db5");
    other_db.set(&db_key, 1).await.unwrap();
    let entry = entry_for(&mut monitor, db_key.as_bytes()).await;
    assert_eq!(entry.db, 5);
    other_db.del(&db_key).await.unwrap();
});

each_server_setup!(
    dropping_a_monitor_closes_its_connection,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let name = ctx.key("monitor");
        let config = ctx.config().with_client_name(name.clone());
        let named = ctx.connect(config).await;
        let monitor = named.monitor().await.unwrap();
        let list = |client: redis_core::Client| async move {
            Cmd::new("CLIENT")
                .arg("LIST")
                .query::<String>(&client)
                .await
                .unwrap()
        };
        let monitors = |text: &str| {
            text.lines()
                .filter(|line| {
                    line.contains(&format!("name={name} ")) && line.contains("cmd=monitor")
                })
                .count()
        };
        assert_eq!(monitors(&list(client.clone()).await), 1);
        drop(monitor);
        for _ in 0..200 {
            if monitors(&list(client.clone()).await) == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the monitor's connection stayed open");
    }
);

/// A server whose MONITOR lines do not parse: each is an error item, the
/// stream goes on with the next line, and nothing panics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_line_is_an_error_item_and_the_stream_goes_on() {
    use redis_core::{ErrorKind, Protocol};
    use redis_tests::{HostileServer, Script};
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        let lines = concat!(
            "+OK\r\n",
            "+not a monitor line\r\n",
            "+1700000000.000001 [0 127.0.0.1:1] \"SET\" \"unclosed\r\n",
            "+1700000000.000002 [0 127.0.0.1:1] \"SET\" \"\\xZZ\"\r\n",
            "+1700000000.000003 [2 lua] \"GET\" \"k\\x00\\\"\"\r\n",
            ":7\r\n",
        );
        let server = HostileServer::start(protocol, Script::reply(lines)).await;
        let mut monitor = Monitor::connect(server.config()).await.unwrap();
        let mut next = async || {
            tokio::time::timeout(WAIT, monitor.next_entry())
                .await
                .expect("no MONITOR entry in time")
        };
        for _ in 0..3 {
            let error = next().await.unwrap().unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Protocol, "{protocol:?}: {error}");
            assert!(
                error.to_string().contains("MONITOR line"),
                "{protocol:?}: {error}"
            );
        }
        let entry = next().await.unwrap().unwrap();
        assert_eq!(entry.db, 2);
        assert_eq!(entry.client, "lua");
        assert_eq!(entry.args, vec![Bytes::from_static(b"k\x00\"")]);
        let error = next().await.unwrap().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Protocol, "{protocol:?}: {error}");
    }
}
