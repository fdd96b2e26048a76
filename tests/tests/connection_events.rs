//! `Client::connection_events`: connects and losses of the shared
//! connection through server restarts, RESP3 push frames in order with the
//! replies around them, and a listener that does not read.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use redis_core::commands::*;
use redis_core::{
    Client, Cmd, Config, ConnectionEvent, ConnectionEvents, EVENT_BUFFER, Protocol, Value,
};
use redis_tests::{HostileServer, Script, TempServer, each_version};

/// How long a test waits for an event before failing instead of hanging.
const EVENT_WAIT: Duration = Duration::from_secs(10);

async fn next(events: &mut ConnectionEvents) -> ConnectionEvent {
    tokio::time::timeout(EVENT_WAIT, events.recv())
        .await
        .expect("no connection event in time")
        .expect("the events ended")
}

/// Sends SETs until one succeeds (the client reconnects after the restart).
async fn until_served(client: &Client) {
    for _ in 0..200 {
        if client.set("k", "v").await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the client did not reconnect after the restart");
}

each_version!(
    connected_then_lost_then_connected_after_server_restarts,
    |version| async move {
        let mut server = TempServer::start(version);
        for protocol in [Protocol::Resp3, Protocol::Resp2] {
            let config = Config::from_url(&server.url())
                .unwrap()
                .with_protocol(protocol)
                .with_response_timeout(Some(Duration::from_secs(2)));
            let client = Client::connect(config).await.unwrap();
            let mut events = client.connection_events();
            client.set("k", "v").await.unwrap();
            // Two restarts: lost, connected, lost, connected.
            for round in 0..2 {
                server.restart();
                until_served(&client).await;
                match next(&mut events).await {
                    ConnectionEvent::Lost { node, error } => {
                        assert_eq!(node, server.addr(), "{protocol:?} {round}");
                        assert!(error.is_connection_error(), "{protocol:?} {round}: {error}");
                    }
                    other => panic!("{protocol:?} {round}: {other:?} instead of Lost"),
                }
                match next(&mut events).await {
                    ConnectionEvent::Connected { node } => {
                        assert_eq!(node, server.addr(), "{protocol:?} {round}");
                    }
                    other => panic!("{protocol:?} {round}: {other:?} instead of Connected"),
                }
            }
            assert!(events.try_recv().is_none(), "{protocol:?}");
            // Closing the client ends the stream.
            client.close().await;
            assert!(
                tokio::time::timeout(EVENT_WAIT, events.recv())
                    .await
                    .unwrap()
                    .is_none(),
                "{protocol:?}"
            );
        }
    }
);

/// A RESP3 push frame `>2 message <text>`.
fn push_bytes(text: &str) -> Vec<u8> {
    format!(">2\r\n$7\r\nmessage\r\n${}\r\n{text}\r\n", text.len()).into_bytes()
}

fn push_value(text: &str) -> Value {
    Value::Push(vec![
        Value::BulkString("message".into()),
        Value::BulkString(text.to_owned().into()),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_frames_arrive_as_events_and_leave_the_replies_around_them_alone() {
    // The first GET's reply comes with a push frame before it and some
    // after it (fewer than a listener may fall behind by); every later
    // command is answered properly.
    const FILLERS: usize = 500;
    let mut bytes = push_bytes("before");
    bytes.extend_from_slice(b"$5\r\nfirst\r\n");
    bytes.extend_from_slice(&push_bytes("after"));
    // More push frames behind it in the same read: a reader that told of
    // "after" before delivering "first" would have the whole read's worth of
    // decoding between the two for this test to notice (a race it can lose:
    // this check catches such a reader often, not always).
    for i in 0..FILLERS {
        bytes.extend_from_slice(&push_bytes(&format!("filler {i}")));
    }
    let server = HostileServer::start(Protocol::Resp3, Script::reply(bytes)).await;
    let client = Client::connect(server.config()).await.unwrap();
    let mut events = client.connection_events();

    // The first GET is sent; once the push frame that followed its reply
    // is told, its reply has been delivered: polling it once finishes it.
    let get = Cmd::new("GET").arg("a").query::<String>(&client);
    tokio::pin!(get);
    let early = tokio::time::timeout(Duration::ZERO, &mut get).await;
    let mut pushes = Vec::new();
    while pushes.len() < 2 {
        match next(&mut events).await {
            ConnectionEvent::Push(value) => pushes.push(value),
            other => panic!("{other:?} instead of a push frame"),
        }
    }
    assert_eq!(pushes, [push_value("before"), push_value("after")]);
    let first = match early {
        Ok(first) => first,
        Err(_) => tokio::time::timeout(Duration::ZERO, &mut get)
            .await
            .expect("a push frame was told before the reply that preceded it was delivered"),
    };
    assert_eq!(first.unwrap(), "first");
    for i in 0..FILLERS {
        match next(&mut events).await {
            ConnectionEvent::Push(value) => assert_eq!(value, push_value(&format!("filler {i}"))),
            other => panic!("{other:?} instead of filler {i}"),
        }
    }

    // The replies after them are in step.
    let (second, third) = tokio::join!(
        Cmd::new("ECHO").arg("second").query::<String>(&client),
        Cmd::new("ECHO").arg("third").query::<String>(&client),
    );
    assert_eq!(second.unwrap(), "second");
    assert_eq!(third.unwrap(), "third");
    assert!(events.try_recv().is_none());
    assert_eq!(server.connections(), 1, "a push frame broke the connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_that_does_not_read_holds_nothing_up_and_is_told_what_it_missed() {
    const PUSHES: usize = EVENT_BUFFER + 500;
    let mut bytes = Vec::new();
    for i in 0..PUSHES {
        bytes.extend_from_slice(&push_bytes(&i.to_string()));
    }
    bytes.extend_from_slice(b"$5\r\nfirst\r\n");
    let server = HostileServer::start(Protocol::Resp3, Script::reply(bytes)).await;
    let client = Client::connect(server.config()).await.unwrap();
    // Nobody reads this one until the replies are in.
    let mut slow = client.connection_events();

    let first = tokio::time::timeout(
        Duration::from_secs(5),
        Cmd::new("GET").arg("a").query::<String>(&client),
    )
    .await
    .expect("a listener that does not read held up the reader");
    assert_eq!(first.unwrap(), "first");
    let next_reply: String = Cmd::new("ECHO").arg("next").query(&client).await.unwrap();
    assert_eq!(next_reply, "next");

    // The oldest were dropped and it is told how many; the newest are kept,
    // in order.
    match next(&mut slow).await {
        ConnectionEvent::Missed { count } => {
            assert_eq!(count, (PUSHES - EVENT_BUFFER) as u64);
        }
        other => panic!("{other:?} instead of Missed"),
    }
    for i in PUSHES - EVENT_BUFFER..PUSHES {
        match next(&mut slow).await {
            ConnectionEvent::Push(value) => assert_eq!(value, push_value(&i.to_string())),
            other => panic!("{other:?} instead of push {i}"),
        }
    }
    assert!(slow.try_recv().is_none());
}

/// The next event that is not a push frame (the shared subscriber's
/// confirmations come and go around the connection's own events).
async fn next_change(events: &mut ConnectionEvents, pushes: &mut Vec<Value>) -> ConnectionEvent {
    loop {
        match next(events).await {
            ConnectionEvent::Push(value) => pushes.push(value),
            other => return other,
        }
    }
}

/// A push frame's kind and its second element, as text.
fn push_kind(value: &Value) -> (String, String) {
    let Value::Push(items) = value else {
        panic!("{value:?} is not a push frame");
    };
    let text = |item: Option<&Value>| match item {
        Some(Value::BulkString(text) | Value::SimpleString(text)) => {
            String::from_utf8_lossy(text).into_owned()
        }
        other => format!("{other:?}"),
    };
    (text(items.first()), text(items.get(1)))
}

each_version!(
    connected_lost_replaced_and_push_frames_in_order_on_both_protocols,
    |version| async move {
        let mut server = TempServer::start(version);
        for protocol in [Protocol::Resp3, Protocol::Resp2] {
            let config = Config::from_url(&server.url())
                .unwrap()
                .with_protocol(protocol)
                .with_response_timeout(Some(Duration::from_secs(2)));
            let client = Client::connect(config).await.unwrap();
            let mut events = client.connection_events();
            let mut pushes = Vec::new();
            // On RESP3 the subscriber shares the connection: its
            // confirmation, and a message the client publishes to itself,
            // come as push frames. The message is on the wire before the
            // reply to the ECHO queued behind PUBLISH (before or after
            // PUBLISH's own reply, as the server version has it), so it is
            // told before that reply is delivered: there by the time the
            // ECHO returns.
            let pubsub = client.pubsub().await.unwrap();
            pubsub.subscribe(["ch"]).await.unwrap();
            let (published, echoed) = tokio::join!(
                client.publish("ch", "to myself"),
                Cmd::new("ECHO").arg("behind").query::<String>(&client),
            );
            assert_eq!(published.unwrap(), 1);
            assert_eq!(echoed.unwrap(), "behind");
            while let Some(event) = events.try_recv() {
                match event {
                    ConnectionEvent::Push(value) => pushes.push(push_kind(&value)),
                    other => panic!("{protocol:?}: {other:?} before any change"),
                }
            }
            let expected: Vec<(String, String)> = match protocol {
                Protocol::Resp3 => vec![
                    ("subscribe".into(), "ch".into()),
                    ("message".into(), "ch".into()),
                ],
                // RESP2 has no push frames: the subscriber has a connection
                // of its own, and the shared one tells nothing.
                Protocol::Resp2 => vec![],
            };
            assert_eq!(pushes, expected, "{protocol:?}");

            // Replaced on request: Replaced, then Connected, then (RESP3)
            // the subscriber's renewed subscription.
            let mut pushed = Vec::new();
            client.reconnect();
            match next_change(&mut events, &mut pushed).await {
                ConnectionEvent::Replaced { node, reason } => {
                    assert_eq!(node, server.addr(), "{protocol:?}");
                    assert!(reason.to_string().contains("reconnect"), "{reason}");
                }
                other => panic!("{protocol:?}: {other:?} instead of Replaced"),
            }
            match next_change(&mut events, &mut pushed).await {
                ConnectionEvent::Connected { node } => assert_eq!(node, server.addr()),
                other => panic!("{protocol:?}: {other:?} instead of Connected"),
            }
            assert!(
                pushed.is_empty(),
                "{protocol:?}: {pushed:?} between the changes"
            );
            let subscribed = ("subscribe".to_owned(), "ch".to_owned());
            if protocol == Protocol::Resp3 {
                // The subscriber's renewed subscription, on the new connection.
                match next(&mut events).await {
                    ConnectionEvent::Push(value) => assert_eq!(push_kind(&value), subscribed),
                    other => panic!("{other:?} instead of the renewed subscription"),
                }
            }

            // Killed and restarted: Lost, then Connected.
            server.kill();
            match next_change(&mut events, &mut pushed).await {
                ConnectionEvent::Lost { node, error } => {
                    assert_eq!(node, server.addr(), "{protocol:?}");
                    assert!(error.is_connection_error(), "{protocol:?}: {error}");
                }
                other => panic!("{protocol:?}: {other:?} instead of Lost"),
            }
            server.restart();
            until_served(&client).await;
            match next_change(&mut events, &mut pushed).await {
                ConnectionEvent::Connected { node } => assert_eq!(node, server.addr()),
                other => panic!("{protocol:?}: {other:?} instead of Connected"),
            }
            // The subscription is renewed on the new connection (RESP3), and
            // a reply that follows a push frame on the wire is delivered
            // after it was told.
            assert!(
                pushed.is_empty(),
                "{protocol:?}: {pushed:?} around the loss"
            );
            if protocol == Protocol::Resp3 {
                match next(&mut events).await {
                    ConnectionEvent::Push(value) => assert_eq!(push_kind(&value), subscribed),
                    other => panic!("{other:?} instead of the renewed subscription"),
                }
                let (published, echoed) = tokio::join!(
                    client.publish("ch", "again"),
                    Cmd::new("ECHO").arg("behind").query::<String>(&client),
                );
                assert_eq!(published.unwrap(), 1);
                assert_eq!(echoed.unwrap(), "behind");
                match events.try_recv() {
                    Some(ConnectionEvent::Push(value)) => {
                        assert_eq!(push_kind(&value), ("message".into(), "ch".into()));
                    }
                    other => panic!("{other:?} instead of the message before ECHO's reply"),
                }
            }
            assert!(events.try_recv().is_none(), "{protocol:?}");
            drop(pubsub);
            client.close().await;
        }
    }
);
