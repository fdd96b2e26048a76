//! `PubSub` sharing a RESP3 client's connection with its commands: the
//! subscriptions live on the client's own connection (the server says so),
//! messages on channels, patterns and shard channels arrive in order while
//! 64 tasks run GET/SET on the same client, unsubscribing one channel
//! leaves the others, a second subscriber gets a connection of its own,
//! and the subscriber survives `CLIENT KILL` of the client's connection,
//! reports the gap and receives what is published once it is back.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Client, Cmd, Message, MessageKind, PubSub, PubSubEvent};
use redis_tests::Ctx;

/// How long a test waits for an event before failing instead of hanging.
const WAIT: Duration = Duration::from_secs(10);

/// Runs a body on each RESP3 setup (sharing needs push frames).
macro_rules! each_resp3 {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis8_resp3() {
                Ctx::run(stringify!($name), redis_tests::Setup::REDIS8_RESP3, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis7_resp3() {
                Ctx::run(stringify!($name), redis_tests::Setup::REDIS7_RESP3, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn valkey8_resp3() {
                Ctx::run(stringify!($name), redis_tests::Setup::VALKEY8_RESP3, $body).await
            }
        }
    };
}

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

/// A field of `CLIENT INFO` as the client's shared connection reports it.
async fn own_info(client: &Client, field: &str) -> String {
    let info: String = Cmd::new("CLIENT").arg("INFO").query(client).await.unwrap();
    info.split_whitespace()
        .find_map(|pair| pair.strip_prefix(field)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {field} in {info}"))
        .to_owned()
}

each_resp3!(
    messages_arrive_in_order_on_the_clients_own_connection,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let publisher = ctx.server_client().await;
        let mut pubsub = client.pubsub().await.unwrap();
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        let (pattern, matched) = (ctx.key("p.*"), ctx.key("p.x"));
        let shard = ctx.key("s");
        let shards = ctx.server_has("SSUBSCRIBE").await;
        pubsub.subscribe([&a, &b]).await.unwrap();
        pubsub.psubscribe([&pattern]).await.unwrap();
        if shards {
            pubsub.ssubscribe([&shard]).await.unwrap();
        }
        // The calls returned once confirmed, and the confirmations are in
        // the stream, in order.
        let mut confirmed = vec![
            (MessageKind::Subscribe, &a),
            (MessageKind::Subscribe, &b),
            (MessageKind::PSubscribe, &pattern),
        ];
        if shards {
            confirmed.push((MessageKind::SSubscribe, &shard));
        }
        for (kind, name) in confirmed {
            let m = pubsub.try_next_message().unwrap().into_message().unwrap();
            assert_message(&m, kind, name, None);
        }
        // The server holds the subscriptions on the connection the client's
        // commands use.
        assert_eq!(own_info(&client, "sub").await, "2");
        assert_eq!(own_info(&client, "psub").await, "1");
        if shards {
            assert_eq!(own_info(&client, "ssub").await, "1");
        }
        for i in 0..20 {
            publisher.publish(&a, format!("a{i}")).await.unwrap();
            publisher.publish(&matched, format!("p{i}")).await.unwrap();
            if shards {
                publisher.spublish(&shard, format!("s{i}")).await.unwrap();
            }
            publisher.publish(&b, format!("b{i}")).await.unwrap();
        }
        for i in 0..20 {
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::Message, &a, None);
            assert_eq!(m.payload_str(), Some(format!("a{i}").as_str()));
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::PMessage, &matched, Some(&pattern));
            assert_eq!(m.payload_str(), Some(format!("p{i}").as_str()));
            if shards {
                let m = next_msg(&mut pubsub).await;
                assert_message(&m, MessageKind::SMessage, &shard, None);
                assert_eq!(m.payload_str(), Some(format!("s{i}").as_str()));
            }
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::Message, &b, None);
            assert_eq!(m.payload_str(), Some(format!("b{i}").as_str()));
        }
        // Unsubscribing one channel leaves the others.
        pubsub.unsubscribe([&a]).await.unwrap();
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::Unsubscribe, &a, None);
        assert_eq!(own_info(&client, "sub").await, "1");
        assert_eq!(publisher.publish(&a, "gone").await.unwrap(), 0);
        assert_eq!(publisher.publish(&b, "kept").await.unwrap(), 1);
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::Message, &b, None);
        assert_eq!(m.payload_str(), Some("kept"));
        pubsub.ping().await.unwrap();
        // A refused change fails its call and leaves the rest in step.
        let error = pubsub.subscribe([""; 0]).await.unwrap_err();
        assert_eq!(error.kind(), redis_core::ErrorKind::InvalidInput);
        assert!(pubsub.try_next_message().is_none());
        // Dropped: the client's connection is unsubscribed from everything
        // and goes on serving commands.
        drop(pubsub);
        for _ in 0..200 {
            if own_info(&client, "sub").await == "0" && own_info(&client, "psub").await == "0" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(own_info(&client, "sub").await, "0");
        assert_eq!(own_info(&client, "psub").await, "0");
        assert_eq!(publisher.publish(&b, "nobody").await.unwrap(), 0);
    }
);

each_resp3!(
    a_second_subscriber_or_an_opt_out_gets_a_connection_of_its_own,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let publisher = ctx.server_client().await;
        let (first, second) = (ctx.key("first"), ctx.key("second"));
        let mut sharing = client.pubsub().await.unwrap();
        let mut own = client.pubsub().await.unwrap();
        sharing.subscribe([&first]).await.unwrap();
        own.subscribe([&second]).await.unwrap();
        // Only the first is on the client's connection.
        assert_eq!(own_info(&client, "sub").await, "1");
        assert_eq!(publisher.publish(&first, "1").await.unwrap(), 1);
        assert_eq!(publisher.publish(&second, "2").await.unwrap(), 1);
        assert_message(
            &next_msg(&mut sharing).await,
            MessageKind::Subscribe,
            &first,
            None,
        );
        assert_message(
            &next_msg(&mut sharing).await,
            MessageKind::Message,
            &first,
            None,
        );
        assert_message(
            &next_msg(&mut own).await,
            MessageKind::Subscribe,
            &second,
            None,
        );
        assert_message(
            &next_msg(&mut own).await,
            MessageKind::Message,
            &second,
            None,
        );
        assert!(sharing.try_next_message().is_none());

        let opted_out = ctx.connect(ctx.config().with_shared_pubsub(false)).await;
        let pubsub = opted_out.pubsub().await.unwrap();
        pubsub.subscribe([&first]).await.unwrap();
        assert_eq!(own_info(&opted_out, "sub").await, "0");
        assert_eq!(publisher.publish(&first, "3").await.unwrap(), 2);
    }
);

each_resp3!(
    a_shared_subscription_does_not_disturb_64_callers,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let publisher = ctx.server_client().await;
        let channel = ctx.key("flow");
        let mut pubsub = client
            .pubsub()
            .await
            .unwrap()
            .ignore_subscribe_messages(true);
        pubsub.subscribe([&channel]).await.unwrap();
        const MESSAGES: usize = 2000;
        const ROUNDS: usize = 100;
        let publishing = {
            let channel = channel.clone();
            tokio::spawn(async move {
                for i in 0..MESSAGES {
                    publisher.publish(&channel, i).await.unwrap();
                }
            })
        };
        let callers: Vec<_> = (0..64)
            .map(|task| {
                let client = client.clone();
                let key = ctx.key(&format!("caller{task}"));
                tokio::spawn(async move {
                    for round in 0..ROUNDS {
                        let value = format!("{task}:{round}");
                        client.set(&key, &value).await.unwrap();
                        let read: Option<String> = client.get(&key).await.unwrap();
                        assert_eq!(read.as_deref(), Some(value.as_str()), "{key}");
                    }
                })
            })
            .collect();
        for i in 0..MESSAGES {
            let m = next_msg(&mut pubsub).await;
            assert_message(&m, MessageKind::Message, &channel, None);
            assert_eq!(m.payload_str(), Some(i.to_string().as_str()));
        }
        publishing.await.unwrap();
        for caller in callers {
            caller.await.unwrap();
        }
        assert!(pubsub.try_next_message().is_none());
    }
);

each_resp3!(
    the_shared_subscriber_survives_client_kill_and_reports_the_gap,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let killer = ctx.server_client().await;
        let (channel, pattern, matched) = (ctx.key("ch"), ctx.key("p.*"), ctx.key("p.x"));
        let mut pubsub = client.pubsub().await.unwrap();
        pubsub.subscribe([&channel]).await.unwrap();
        pubsub.psubscribe([&pattern]).await.unwrap();
        for _ in 0..2 {
            assert!(next_msg(&mut pubsub).await.kind.is_confirmation());
        }
        let id: i64 = Cmd::new("CLIENT").arg("ID").query(&client).await.unwrap();
        let killed: i64 = Cmd::new("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query(&killer)
            .await
            .unwrap();
        assert_eq!(killed, 1);
        match next_event(&mut pubsub).await {
            PubSubEvent::Disconnected { node, .. } => {
                assert!(format!("{client:?}").contains(&node), "{node}");
            }
            other => panic!("{other:?} instead of Disconnected"),
        }
        // Subscribed again on the new connection, then told.
        let mut again = Vec::new();
        for _ in 0..2 {
            let m = next_msg(&mut pubsub).await;
            assert!(m.kind.is_confirmation(), "{m:?}");
            again.push(m.channel);
        }
        again.sort();
        let mut wanted = vec![channel.clone().into_bytes(), pattern.clone().into_bytes()];
        wanted.sort();
        assert_eq!(again, wanted);
        assert!(matches!(
            next_event(&mut pubsub).await,
            PubSubEvent::Reconnected { .. }
        ));
        let new_id: i64 = Cmd::new("CLIENT").arg("ID").query(&client).await.unwrap();
        assert_ne!(new_id, id, "the same connection after CLIENT KILL");
        assert_eq!(killer.publish(&channel, "back").await.unwrap(), 1);
        assert_eq!(killer.publish(&matched, "matched").await.unwrap(), 1);
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::Message, &channel, None);
        assert_eq!(m.payload_str(), Some("back"));
        let m = next_msg(&mut pubsub).await;
        assert_message(&m, MessageKind::PMessage, &matched, Some(&pattern));
        assert!(pubsub.try_next_message().is_none());
    }
);

/// A refused SUBSCRIBE comes back as one error reply, not as push frames:
/// the call fails with the server's error, and the commands and
/// subscriptions after it keep their own answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_subscription_fails_its_call_and_leaves_the_rest_in_step() {
    let server = redis_tests::TempServer::start(redis_tests::Version::Redis8);
    let admin = Client::connect(server.url().as_str()).await.unwrap();
    Cmd::new("ACL")
        .arg("SETUSER")
        .arg("listener")
        .arg("on")
        .arg(">listener-pass")
        .arg("~*")
        .arg("+@all")
        .arg("resetchannels")
        .arg("&allowed*")
        .query::<()>(&admin)
        .await
        .unwrap();
    let config = redis_core::Config::from_url(&server.url())
        .unwrap()
        .with_username("listener")
        .with_password("listener-pass");
    let client = Client::connect(config).await.unwrap();
    let mut pubsub = client.pubsub().await.unwrap();
    let refused = pubsub
        .subscribe(["allowed.a", "forbidden"])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("NOPERM"), "{refused}");
    let refused = pubsub.psubscribe(["*"]).await.unwrap_err();
    assert_eq!(refused.code(), Some("NOPERM"), "{refused}");
    // Nothing was subscribed, and nothing is left waiting for confirmations.
    assert_eq!(own_info(&client, "sub").await, "0");
    client.set("after", "refusal").await.unwrap();
    let read: Option<String> = client.get("after").await.unwrap();
    assert_eq!(read.as_deref(), Some("refusal"));
    pubsub.subscribe(["allowed.b"]).await.unwrap();
    let m = next_msg(&mut pubsub).await;
    assert_message(&m, MessageKind::Subscribe, "allowed.b", None);
    assert_eq!(admin.publish("allowed.b", "in step").await.unwrap(), 1);
    let m = next_msg(&mut pubsub).await;
    assert_eq!(m.payload_str(), Some("in step"));
    assert!(pubsub.try_next_message().is_none());
}

each_resp3!(
    a_reader_behind_by_thousands_loses_nothing_on_the_shared_connection,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let publisher = ctx.server_client().await;
        let channel = ctx.key("flood");
        let mut pubsub = client
            .pubsub()
            .await
            .unwrap()
            .ignore_subscribe_messages(true);
        pubsub.subscribe([&channel]).await.unwrap();
        // Several times what the stream and the task hold: the rest waits
        // in the subscriber's seat on the connection, which reads on for
        // the other callers meanwhile.
        const COUNT: usize = 10_000;
        for i in 0..COUNT {
            publisher.publish(&channel, i).await.unwrap();
        }
        let read: Option<String> = client.get(ctx.key("unset")).await.unwrap();
        assert_eq!(read, None);
        for i in 0..COUNT {
            let m = next_msg(&mut pubsub).await;
            assert_eq!(m.payload_str(), Some(i.to_string().as_str()));
        }
        assert!(pubsub.try_next_message().is_none());
    }
);
