//! `PubSub` on real servers (sharing a RESP3 client's connection by
//! default, on one of its own with RESP2 or when configured so): messages on channels, patterns and shard
//! channels in order with the right fields (RESP2 and RESP3), unsubscribing
//! one channel, subscribing while another task reads, polling, handlers
//! and the background runner, surviving CLIENT KILL, a server restart and
//! a silent server (the gap reported), and typed keyspace notifications.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use redis_core::commands::*;
use redis_core::{
    Client, Cmd, Config, ErrorKind, KeyEvent, KeyspaceEvent, Message, MessageKind, Protocol,
    PubSub, PubSubEvent,
};
use redis_tests::{
    Ctx, FaultProxy, HostileServer, Script, TempServer, each_server_setup, each_version,
};

/// How long a test waits for an event before failing instead of hanging.
const WAIT: Duration = Duration::from_secs(10);

async fn next_event(pubsub: &mut PubSub) -> PubSubEvent {
    tokio::time::timeout(WAIT, pubsub.next_message())
        .await
        .expect("no pub/sub event in time")
        .expect("the subscriber stopped")
}

async fn next_msg(pubsub: &mut PubSub) -> Message {
    match next_event(pubsub).await {
        PubSubEvent::Message(message) => message,
        other => panic!("{other:?} instead of a message"),
    }
}

fn assert_message(m: &Message, kind: MessageKind, channel: &str, pattern: Option<&str>) {
    assert_eq!(m.kind, kind, "{m:?}");
    assert_eq!(m.channel, channel.as_bytes(), "{m:?}");
    assert_eq!(m.pattern.as_deref(), pattern.map(str::as_bytes), "{m:?}");
}

/// How many subscribers `channel` has, as the server counts them.
async fn numsub(client: &Client, channel: &str) -> u64 {
    let counts = client.pubsub_numsub(channel).await.unwrap();
    counts.first().map_or(0, |(_, n)| *n)
}

/// Waits until the server counts `want` subscribers of `channel`.
async fn until_numsub(client: &Client, channel: &str, want: u64) {
    for _ in 0..200 {
        if numsub(client, channel).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{channel} never had {want} subscribers");
}

each_server_setup!(
    messages_on_channels_patterns_and_shard_channels_arrive_in_order,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let mut pubsub = client.pubsub().await.unwrap();
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        let pattern = ctx.key("p.*");
        let matched = ctx.key("p.x");
        let shard = ctx.key("s");
        pubsub.subscribe([&a, &b]).await.unwrap();
        for (channel, count) in [(&a, 1), (&b, 2)] {
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::Subscribe, channel, None);
            assert_eq!(m.subscription_count(), Some(count));
        }
        pubsub.psubscribe([&pattern]).await.unwrap();
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::PSubscribe, &pattern, None);
        assert_eq!(m.subscription_count(), Some(3));
        let shards = ctx.server_has("SSUBSCRIBE").await;
        if shards {
            pubsub.ssubscribe([&shard]).await.unwrap();
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::SSubscribe, &shard, None);
        }
        // A PING while subscribed (RESP2 answers it as `["pong", ""]`).
        pubsub.ping().await.unwrap();
        // Payloads with what a text protocol would trip on.
        let payload = |i: usize| {
            let mut p = format!("{i} \"quoted\" \r\n\t").into_bytes();
            p.extend_from_slice(&[0, 0xff, b'\\']);
            Bytes::from(p)
        };
        let kinds = if shards { 4 } else { 3 };
        for i in 0..40 {
            let receivers = match i % kinds {
                0 => client.publish(&a, payload(i)).await.unwrap(),
                1 => client.publish(&b, payload(i)).await.unwrap(),
                2 => client.publish(&matched, payload(i)).await.unwrap(),
                _ => client.spublish(&shard, payload(i)).await.unwrap(),
            };
            assert_eq!(receivers, 1, "{i}");
        }
        for i in 0..40 {
            let m = next_msg(&mut pubsub).await;
            match i % kinds {
                0 => assert_message(&m, MessageKind::Message, &a, None),
                1 => assert_message(&m, MessageKind::Message, &b, None),
                2 => assert_message(&m, MessageKind::PMessage, &matched, Some(&pattern)),
                _ => assert_message(&m, MessageKind::SMessage, &shard, None),
            }
            assert_eq!(m.payload, payload(i), "{i}");
            assert_eq!(m.subscription_count(), None);
        }
        // Unsubscribing is confirmed in the stream too.
        pubsub.unsubscribe([&a]).await.unwrap();
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::Unsubscribe, &a, None);
        pubsub.punsubscribe([&pattern]).await.unwrap();
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::PUnsubscribe, &pattern, None);
        if shards {
            pubsub.sunsubscribe([&shard]).await.unwrap();
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::SUnsubscribe, &shard, None);
        }
        assert!(pubsub.try_next_message().is_none());
    }
);

each_server_setup!(
    unsubscribing_one_channel_leaves_the_others,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let mut pubsub = client
            .pubsub()
            .await
            .unwrap()
            .ignore_subscribe_messages(true);
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        let pattern = ctx.key("p.*");
        let matched = ctx.key("p.x");
        pubsub.subscribe([&a, &b]).await.unwrap();
        pubsub.psubscribe([&pattern]).await.unwrap();
        pubsub.unsubscribe([&a]).await.unwrap();
        assert_eq!(numsub(&client, &a).await, 0);
        assert_eq!(numsub(&client, &b).await, 1);
        assert_eq!(client.publish(&a, "gone").await.unwrap(), 0);
        assert_eq!(client.publish(&b, "kept").await.unwrap(), 1);
        assert_eq!(client.publish(&matched, "matched").await.unwrap(), 1);
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::Message, &b, None);
        assert_eq!(m.payload_str(), Some("kept"));
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::PMessage, &matched, Some(&pattern));
        // The confirmations were hidden, not left behind.
        assert!(pubsub.try_next_message().is_none());
        pubsub.unsubscribe_all().await.unwrap();
        assert_eq!(client.publish(&b, "none").await.unwrap(), 0);
        assert_eq!(client.publish(&matched, "still").await.unwrap(), 1);
        pubsub.punsubscribe_all().await.unwrap();
        assert_eq!(client.publish(&matched, "none").await.unwrap(), 0);
        let m = next_msg(&mut pubsub).await;
        assert_eq!(m.payload_str(), Some("still"));
        // Nothing left to unsubscribe from: answered at once.
        pubsub.unsubscribe_all().await.unwrap();
        pubsub.ping().await.unwrap();
        let error = pubsub.subscribe(Vec::<String>::new()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
    }
);

each_server_setup!(
    subscriptions_change_while_another_task_reads,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let mut pubsub = client
            .pubsub()
            .await
            .unwrap()
            .ignore_subscribe_messages(true);
        let subscriptions = pubsub.subscriptions();
        let channels: Vec<String> = (0..3).map(|i| ctx.key(&format!("c{i}"))).collect();
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            while got.len() < 3 {
                got.push(next_msg(&mut pubsub).await);
            }
            got
        });
        // The reader is parked in next_message all along.
        for (i, channel) in channels.iter().enumerate() {
            subscriptions.subscribe([channel]).await.unwrap();
            assert_eq!(client.publish(channel, i).await.unwrap(), 1);
        }
        let got = reader.await.unwrap();
        for (i, (m, channel)) in got.iter().zip(&channels).enumerate() {
            assert_message(m, MessageKind::Message, channel, None);
            assert_eq!(m.payload_str(), Some(i.to_string().as_str()));
        }
        // The stream's owner is gone: the connection closed, calls fail.
        until_numsub(&client, &channels[0], 0).await;
        let error = subscriptions.subscribe(["x"]).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Closed, "{error}");
    }
);

each_server_setup!(polling_like_get_message, |ctx: Ctx| async move {
    let client = ctx.server_client().await;
    let mut pubsub = client.pubsub().await.unwrap();
    let channel = ctx.key("poll");
    assert!(pubsub.try_next_message().is_none());
    let started = tokio::time::Instant::now();
    let waited = pubsub
        .next_message_timeout(Duration::from_millis(200))
        .await;
    assert!(waited.is_none());
    assert!(started.elapsed() >= Duration::from_millis(200));
    pubsub.subscribe([&channel]).await.unwrap();
    // The confirmation is in the stream by the time the call returns.
    let m = pubsub.try_next_message().unwrap().into_message().unwrap();
    assert_message(&m, MessageKind::Subscribe, &channel, None);
    assert!(pubsub.try_next_message().is_none());
    client.publish(&channel, "polled").await.unwrap();
    let event = pubsub.next_message_timeout(WAIT).await.unwrap();
    let m = event.into_message().unwrap();
    assert_eq!(m.payload_str(), Some("polled"));
});

each_server_setup!(
    handlers_and_the_background_runner_work_and_stop_cleanly,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let pubsub = client.pubsub().await.unwrap();
        let handled = ctx.key("handled");
        let pattern = ctx.key("p.*");
        let matched = ctx.key("p.x");
        let unhandled = ctx.key("unhandled");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(&str, Message)>();
        let on_channel = tx.clone();
        pubsub
            .subscribe_with(&handled, move |m| {
                let _ = on_channel.send(("channel", m));
            })
            .await
            .unwrap();
        let on_pattern = tx.clone();
        pubsub
            .psubscribe_with(&pattern, move |m| {
                let _ = on_pattern.send(("pattern", m));
            })
            .await
            .unwrap();
        let errors = Arc::new(Mutex::new(Vec::new()));
        let seen = errors.clone();
        let runner = pubsub.run_in_background(move |error| seen.lock().unwrap().push(error));
        client.publish(&handled, "one").await.unwrap();
        client.publish(&matched, "two").await.unwrap();
        let (by, m) = recv(&mut rx).await;
        assert_eq!(by, "channel");
        assert_message(&m, MessageKind::Message, &handled, None);
        assert_eq!(m.payload_str(), Some("one"));
        let (by, m) = recv(&mut rx).await;
        assert_eq!(by, "pattern");
        assert_message(&m, MessageKind::PMessage, &matched, Some(&pattern));
        // A message no handler takes goes to the error handler.
        runner
            .subscriptions()
            .subscribe([&unhandled])
            .await
            .unwrap();
        client.publish(&unhandled, "orphan").await.unwrap();
        for _ in 0..200 {
            if !errors.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        {
            let errors = errors.lock().unwrap();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].kind(), ErrorKind::Config);
            assert!(errors[0].to_string().contains(&unhandled), "{}", errors[0]);
        }
        assert!(!runner.is_finished());
        let mut pubsub = runner.stop().await.unwrap();
        // Stopped: nothing reads, so the handler is not called...
        assert_eq!(client.publish(&handled, "three").await.unwrap(), 1);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(rx.try_recv().is_err());
        // ...until the returned subscriber is read again: still subscribed.
        assert!(
            pubsub
                .next_message_timeout(Duration::from_millis(500))
                .await
                .is_none()
        );
        let (by, m) = rx.try_recv().unwrap();
        assert_eq!((by, m.payload_str()), ("channel", Some("three")));
        // Unsubscribing drops the handler with the subscription.
        pubsub.unsubscribe([&handled]).await.unwrap();
        assert_eq!(client.publish(&handled, "four").await.unwrap(), 0);
        // A dropped runner stops too, and its subscriber's connection closes.
        let runner = pubsub.run_in_background(|_| {});
        drop(runner);
        until_numsub(&client, &unhandled, 0).await;
        assert_eq!(errors.lock().unwrap().len(), 1);
    }
);

async fn recv(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(&'static str, Message)>,
) -> (&'static str, Message) {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("no handler call in time")
        .unwrap()
}

each_server_setup!(
    a_reader_that_falls_behind_loses_nothing_and_keeps_the_order,
    |ctx: Ctx| async move {
        // A connection of its own: only there can a slow reader hold the
        // server back (the shared connection must keep reading replies).
        let client = ctx.connect(ctx.config().with_shared_pubsub(false)).await;
        let mut pubsub = client
            .pubsub()
            .await
            .unwrap()
            .ignore_subscribe_messages(true);
        let channel = ctx.key("flood");
        pubsub.subscribe([&channel]).await.unwrap();
        // More than the stream and the task hold together: the rest waits
        // in the socket and on the server until the reader catches up.
        const COUNT: usize = 5000;
        for i in 0..COUNT {
            client.publish(&channel, i).await.unwrap();
        }
        for i in 0..COUNT {
            let m = next_msg(&mut pubsub).await;
            assert_eq!(m.payload_str(), Some(i.to_string().as_str()));
        }
        assert!(pubsub.try_next_message().is_none());
    }
);

/// Publishes until the server counts one receiver (the publishing client
/// may still be reconnecting after a restart).
async fn publish_received(client: &Client, channel: &str, payload: &str, shard: bool) {
    for _ in 0..200 {
        let sent = if shard {
            client.spublish(channel, payload).await
        } else {
            client.publish(channel, payload).await
        };
        match sent {
            Ok(1) => return,
            Ok(n) => panic!("{n} receivers of {channel}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
    panic!("could not publish on {channel}");
}

/// After a loss: `Disconnected`, the confirmations of the subscriptions made
/// again (channels, patterns, shard channels), `Reconnected`; then what is
/// published arrives.
async fn expect_gap_then_messages(pubsub: &mut PubSub, client: &Client, node: &str, what: &str) {
    match next_event(pubsub).await {
        PubSubEvent::Disconnected { node: lost, error } => {
            assert_eq!(lost, node, "{what}");
            assert!(error.is_connection_error(), "{what}: {error}");
        }
        other => panic!("{what}: {other:?} instead of Disconnected"),
    }
    let kinds = [
        (MessageKind::Subscribe, "ch"),
        (MessageKind::PSubscribe, "p.*"),
        (MessageKind::SSubscribe, "shard"),
    ];
    for (kind, channel) in kinds {
        let m = next_msg(pubsub).await;
        assert_message(&m, kind, channel, None);
    }
    match next_event(pubsub).await {
        PubSubEvent::Reconnected { node: back } => assert_eq!(back, node, "{what}"),
        other => panic!("{what}: {other:?} instead of Reconnected"),
    }
    publish_received(client, "ch", what, false).await;
    publish_received(client, "p.x", what, false).await;
    publish_received(client, "shard", what, true).await;
    let m = next_msg(pubsub).await;
    assert_message(&m, MessageKind::Message, "ch", None);
    assert_eq!(m.payload_str(), Some(what));
    let m = next_msg(pubsub).await;
    assert_message(&m, MessageKind::PMessage, "p.x", Some("p.*"));
    let m = next_msg(pubsub).await;
    assert_message(&m, MessageKind::SMessage, "shard", None);
}

each_version!(
    a_subscriber_survives_client_kill_and_a_restart_and_reports_the_gap,
    |version| async move {
        let mut server = TempServer::start(version);
        for protocol in [Protocol::Resp3, Protocol::Resp2] {
            let config = Config::from_url(&server.url())
                .unwrap()
                .with_protocol(protocol)
                .with_response_timeout(Some(Duration::from_secs(5)))
                // TYPE pubsub names a connection of its own (a RESP3
                // connection that also serves commands is of type normal);
                // pubsub_shared.rs kills the shared one.
                .with_shared_pubsub(false);
            let client = Client::connect(config).await.unwrap();
            let mut pubsub = client.pubsub().await.unwrap();
            pubsub.subscribe(["ch"]).await.unwrap();
            pubsub.psubscribe(["p.*"]).await.unwrap();
            pubsub.ssubscribe(["shard"]).await.unwrap();
            for _ in 0..3 {
                assert!(next_msg(&mut pubsub).await.kind.is_confirmation());
            }
            let killed: i64 = Cmd::new("CLIENT")
                .arg("KILL")
                .arg("TYPE")
                .arg("pubsub")
                .query(&client)
                .await
                .unwrap();
            assert_eq!(killed, 1, "{protocol:?}");
            let what = format!("{protocol:?} after CLIENT KILL");
            expect_gap_then_messages(&mut pubsub, &client, &server.addr(), &what).await;
            server.restart();
            let what = format!("{protocol:?} after a restart");
            expect_gap_then_messages(&mut pubsub, &client, &server.addr(), &what).await;
            assert!(pubsub.try_next_message().is_none(), "{protocol:?}");
        }
    }
);

each_version!(
    a_server_that_stops_answering_is_found_by_the_health_check,
    |version| async move {
        let server = TempServer::start(version);
        let proxy = FaultProxy::start(&server.addr()).await.unwrap();
        let client = Client::connect(Config::from_url(&server.url()).unwrap())
            .await
            .unwrap();
        for protocol in [Protocol::Resp3, Protocol::Resp2] {
            let config = Config::from_url(&proxy.url())
                .unwrap()
                .with_protocol(protocol)
                .with_health_check_interval(Some(Duration::from_millis(200)))
                .with_response_timeout(Some(Duration::from_millis(500)))
                .with_connect_timeout(Duration::from_secs(1));
            let mut pubsub = PubSub::connect(config).await.unwrap();
            pubsub.subscribe(["ch"]).await.unwrap();
            assert!(next_msg(&mut pubsub).await.kind.is_confirmation());
            // Idle but healthy: the PINGs are answered, nothing is reported.
            tokio::time::sleep(Duration::from_millis(700)).await;
            assert!(pubsub.try_next_message().is_none(), "{protocol:?}");
            // The server (behind the proxy) hears nothing more and says
            // nothing: only the unanswered PING can tell.
            proxy.stall();
            match next_event(&mut pubsub).await {
                PubSubEvent::Disconnected { error, .. } => {
                    assert_eq!(error.kind(), ErrorKind::Timeout, "{protocol:?}: {error}");
                }
                other => panic!("{protocol:?}: {other:?} instead of Disconnected"),
            }
            proxy.normal().await;
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::Subscribe, "ch", None);
            assert!(matches!(
                next_event(&mut pubsub).await,
                PubSubEvent::Reconnected { .. }
            ));
            publish_received(&client, "ch", "back", false).await;
            assert_eq!(next_msg(&mut pubsub).await.payload_str(), Some("back"));
        }
    }
);

each_version!(
    a_call_made_while_reconnecting_completes_once_subscribed_again,
    |version| async move {
        let mut server = TempServer::start(version);
        for protocol in [Protocol::Resp3, Protocol::Resp2] {
            let config = Config::from_url(&server.url())
                .unwrap()
                .with_protocol(protocol)
                .with_response_timeout(Some(Duration::from_secs(10)));
            let client = Client::connect(config).await.unwrap();
            let mut pubsub = client.pubsub().await.unwrap();
            pubsub.subscribe(["ch"]).await.unwrap();
            assert!(next_msg(&mut pubsub).await.kind.is_confirmation());
            server.kill();
            assert!(matches!(
                next_event(&mut pubsub).await,
                PubSubEvent::Disconnected { .. }
            ));
            let subscriptions = pubsub.subscriptions();
            let late = tokio::spawn(async move { subscriptions.subscribe(["late"]).await });
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(!late.is_finished(), "{protocol:?}: answered with no server");
            server.restart();
            // One SUBSCRIBE for everything wanted, the call made while away
            // included; the call returns once it is confirmed.
            for channel in ["ch", "late"] {
                let m = next_msg(&mut pubsub).await;
                assert_message(&m, MessageKind::Subscribe, channel, None);
            }
            assert!(matches!(
                next_event(&mut pubsub).await,
                PubSubEvent::Reconnected { .. }
            ));
            late.await.unwrap().unwrap();
            publish_received(&client, "late", "made", false).await;
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::Message, "late", None);
        }
    }
);

/// A frame of the wrong shape where a confirmation belongs.
fn malformed(protocol: Protocol) -> Vec<u8> {
    let head = match protocol {
        Protocol::Resp3 => ">3",
        _ => "*3",
    };
    format!("{head}\r\n$7\r\nmessage\r\n:1\r\n$1\r\nx\r\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_frames_are_clear_errors_and_the_subscriber_carries_on() {
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        let cases = [
            (
                malformed(protocol),
                "pub/sub `message` frame whose channel is",
            ),
            (b"$abc\r\n".to_vec(), ""),
        ];
        for (bytes, says) in cases {
            let server = HostileServer::start(protocol, Script::reply(&bytes)).await;
            let mut pubsub = PubSub::connect(server.config()).await.unwrap();
            let subscriptions = pubsub.subscriptions();
            let call = tokio::spawn(async move { subscriptions.subscribe(["ch"]).await });
            match next_event(&mut pubsub).await {
                PubSubEvent::Disconnected { node, error } => {
                    assert_eq!(error.kind(), ErrorKind::Protocol, "{protocol:?}: {error}");
                    assert!(error.to_string().contains(says), "{protocol:?}: {error}");
                    assert_eq!(node, server.addr().to_string());
                }
                other => panic!("{protocol:?}: {other:?} instead of Disconnected"),
            }
            // The hostile connection was dropped; the subscriber tries again.
            server.closed(0).await;
            drop(pubsub);
            let _ = call.await;
        }
    }
}

each_version!(keyspace_notifications_are_typed, |version| async move {
    let server = TempServer::start_with(version, &["--notify-keyspace-events", "KEA"]);
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        let config = Config::from_url(&server.url())
            .unwrap()
            .with_protocol(protocol);
        let client = Client::connect(config.clone()).await.unwrap();
        let db3 = Client::connect(config.with_db(3)).await.unwrap();
        let mut pubsub = client
            .pubsub()
            .await
            .unwrap()
            .ignore_subscribe_messages(true);
        pubsub.subscribe_keyspace(0, "user:*").await.unwrap();
        pubsub
            .subscribe_keyevent(0, &KeyEvent::Expired)
            .await
            .unwrap();
        pubsub.subscribe_keyspace(3, "*").await.unwrap();
        client.set("user:1", "a").await.unwrap();
        client.hset("user:2", [("f", "v")]).await.unwrap();
        client.del("user:1").await.unwrap();
        db3.set("elsewhere", "x").await.unwrap();
        Cmd::new("SET")
            .arg("user:3")
            .arg("v")
            .arg("PX")
            .arg(1)
            .query::<()>(&client)
            .await
            .unwrap();
        client.set("other", "not matched").await.unwrap();
        // Reading an expired key expires it now, not at the next cycle.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(client.exists("user:3").await.unwrap(), 0);
        let expected_keyspace = [
            (0, "user:1", KeyEvent::Set),
            (0, "user:2", KeyEvent::Hset),
            (0, "user:1", KeyEvent::Del),
            (3, "elsewhere", KeyEvent::Set),
            (0, "user:3", KeyEvent::Set),
            (0, "user:3", KeyEvent::Expire),
            (0, "user:3", KeyEvent::Expired),
        ];
        let mut keyspace = Vec::new();
        let mut keyevent = Vec::new();
        while keyspace.len() < expected_keyspace.len() || keyevent.is_empty() {
            let m = next_msg(&mut pubsub).await;
            let event = KeyspaceEvent::from_message(&m).unwrap();
            let item = (
                event.db,
                String::from_utf8(event.key.to_vec()).unwrap(),
                event.event,
            );
            match m.kind {
                MessageKind::PMessage => keyspace.push(item),
                _ => keyevent.push(item),
            }
        }
        let expected: Vec<_> = expected_keyspace
            .into_iter()
            .map(|(db, key, event)| (db, key.to_owned(), event))
            .collect();
        assert_eq!(keyspace, expected, "{protocol:?}");
        assert_eq!(
            keyevent,
            [(0, "user:3".to_owned(), KeyEvent::Expired)],
            "{protocol:?}"
        );
        assert!(pubsub.try_next_message().is_none(), "{protocol:?}");
        client.flushall().await.unwrap();
    }
});
