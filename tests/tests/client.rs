//! The standalone client on real servers: every body runs on Redis 8.2 and
//! 7.0, over RESP3 and RESP2.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::Poll;

use redis_core::commands::{self, *};
use redis_core::{
    Cmd, Config, ErrorKind, Executor, Pipeline, Protocol, Script, Transaction, Value, Watching,
};
use redis_tests::{Ctx, TempServer, Version, each_server_setup, each_setup, each_version};

each_setup!(set_get_and_missing_keys, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("greeting");
    client.set(&key, "hello").await.unwrap();
    let got: String = client.get(&key).await.unwrap();
    assert_eq!(got, "hello");
    let missing: Option<String> = client.get(ctx.key("missing")).await.unwrap();
    assert_eq!(missing, None);
    assert_eq!(client.del(&key).await.unwrap(), 1);
    assert_eq!(client.exists(&key).await.unwrap(), 0);
});

each_setup!(binary_values_round_trip, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let value: Vec<u8> = (0..=255u8).chain([b'\r', b'\n', 0]).collect();
    client.set(ctx.key("bin"), &value[..]).await.unwrap();
    let got: Vec<u8> = client.get(ctx.key("bin")).await.unwrap();
    assert_eq!(got, value);
});

each_setup!(
    server_errors_keep_their_code_and_command,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("list");
        client.lpush(&key, "x").await.unwrap();
        let err = client.get::<String>(&key).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.code(), Some("WRONGTYPE"));
        assert_eq!(err.command(), Some("GET"));
        // The connection is still good afterwards.
        assert_eq!(
            client.lrange::<String>(&key, 0, -1).await.unwrap(),
            vec!["x"]
        );
    }
);

each_setup!(
    type_mismatch_is_an_error_not_a_panic,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        client.set(ctx.key("word"), "not-a-number").await.unwrap();
        let err = client.get::<i64>(ctx.key("word")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Type);
        let text = err.to_string();
        assert!(
            text.contains("integer") && text.contains("bulk string"),
            "{text}"
        );
    }
);

each_setup!(hundred_tasks_share_one_client, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let mut tasks = Vec::new();
    for task in 0..100 {
        let client = client.clone();
        let prefix = ctx.key(&format!("task{task}:"));
        tasks.push(tokio::spawn(async move {
            for i in 0..50 {
                let key = format!("{prefix}{i}");
                let value = format!("{task}-{i}");
                client.set(&key, &value).await.unwrap();
                let got: String = client.get(&key).await.unwrap();
                assert_eq!(got, value, "task {task} got another task's reply");
                assert_eq!(client.incrby(format!("{prefix}n"), 1).await.unwrap(), i + 1);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
});

each_setup!(
    abandoned_commands_do_not_shift_the_replies_of_later_ones,
    |ctx: Ctx| async move {
        // A future dropped after its command was sent leaves its reply to be
        // swallowed; the commands after it still get their own replies.
        let client = ctx.client().await;
        for i in 0..10i64 {
            client.set(ctx.key(&format!("k{i}")), i).await.unwrap();
        }
        for i in 0..400i64 {
            let key = ctx.key(&format!("k{}", i % 10));
            if i % 3 == 0 {
                // Polled once (which sends it), then dropped. (The reply can
                // be quick enough to be there already: then it is checked.)
                let mut get = std::pin::pin!(client.get::<i64>(&key));
                let first = std::future::poll_fn(|cx| Poll::Ready(get.as_mut().poll(cx))).await;
                if let Poll::Ready(reply) = first {
                    assert_eq!(reply.unwrap(), i % 10);
                }
            } else {
                assert_eq!(client.get::<i64>(&key).await.unwrap(), i % 10);
            }
        }
    }
);

each_setup!(
    thousands_of_commands_polled_by_one_task_get_their_own_replies,
    |ctx: Ctx| async move {
        // One task queues them all before any reply can come (a caller
        // writes out what piled up once it is large), then collects.
        let client = ctx.client().await;
        const CALLS: usize = 20_000;
        let mut calls: Vec<_> = (0..CALLS)
            .map(|i| {
                let client = &client;
                Box::pin(async move { Cmd::new("ECHO").arg(i).query::<String>(client).await })
            })
            .collect();
        let mut replies: Vec<Option<String>> = vec![None; CALLS];
        std::future::poll_fn(|cx| {
            let mut waiting = false;
            for (call, reply) in calls.iter_mut().zip(replies.iter_mut()) {
                if reply.is_none() {
                    match call.as_mut().poll(cx) {
                        Poll::Ready(echoed) => *reply = Some(echoed.unwrap()),
                        Poll::Pending => waiting = true,
                    }
                }
            }
            if waiting {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        for (i, reply) in replies.into_iter().enumerate() {
            assert_eq!(reply.as_deref(), Some(i.to_string().as_str()));
        }
    }
);

each_setup!(
    a_command_after_a_burst_whose_callers_went_quiet_is_still_sent,
    |ctx: Ctx| async move {
        // The callers a delivery wakes usually send again, and the last of
        // them writes for all; here none does, and a lone command that comes
        // later must not wait for them.
        let client = ctx.client().await;
        let key = ctx.key("k");
        client.set(&key, "v").await.unwrap();
        for round in 0..20 {
            let burst: Vec<_> = (0..50)
                .map(|_| {
                    let client = client.clone();
                    let key = key.clone();
                    tokio::spawn(async move { client.get::<String>(&key).await.unwrap() })
                })
                .collect();
            for task in burst {
                assert_eq!(task.await.unwrap(), "v");
            }
            let lone: String = Cmd::new("GET")
                .arg(&key)
                .with_timeout(std::time::Duration::from_secs(2))
                .query(&client)
                .await
                .unwrap_or_else(|e| panic!("round {round}: the lone GET failed: {e}"));
            assert_eq!(lone, "v");
        }
    }
);

each_setup!(pipeline_of_ten_thousand_commands, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let mut writes = Pipeline::<Vec<Value>>::default();
    for i in 0..10_000 {
        writes.push(Cmd::new("SET").arg(ctx.key(&format!("p{i}"))).arg(i));
    }
    let replies = writes.execute(&client).await.unwrap();
    assert_eq!(replies.len(), 10_000);
    assert!(
        replies
            .iter()
            .all(|r| matches!(r, Ok(Value::SimpleString(s)) if s == "OK"))
    );

    let reads: Pipeline<Vec<i64>> = (0..10_000)
        .map(|i| commands::get(ctx.key(&format!("p{i}"))))
        .collect();
    let values = reads.query(&client).await.unwrap();
    assert_eq!(values, (0..10_000).collect::<Vec<i64>>());
});

each_setup!(
    pipeline_keeps_each_commands_error_apart,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let pipe: Pipeline<(Value, Value, Value)> = Pipeline::new()
            .command(Cmd::new("SET").arg(ctx.key("s")).arg("v"))
            .command(Cmd::new("INCR").arg(ctx.key("s")))
            .command(Cmd::new("GET").arg(ctx.key("s")));
        let results = pipe.execute(&client).await.unwrap();
        assert!(results[0].is_ok());
        assert_eq!(results[1].as_ref().unwrap_err().code(), Some("ERR"));
        assert_eq!(results[2].as_ref().unwrap(), &Value::BulkString("v".into()));
        // query() fails on the first error.
        assert_eq!(
            pipe.query(&client).await.unwrap_err().kind(),
            ErrorKind::Server
        );
    }
);

each_setup!(transaction_runs_atomically, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let tx = Transaction::new()
        .command(Cmd::new("INCR").arg(ctx.key("n")))
        .command(Cmd::new("INCR").arg(ctx.key("n")));
    let (a, b): (i64, i64) = tx.query(&client).await.unwrap();
    assert_eq!((a, b), (1, 2));
});

each_setup!(
    transaction_with_a_bad_command_aborts_whole,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let tx: Transaction<(Value, Value)> = Transaction::new()
            .command(Cmd::new("SET").arg(ctx.key("a")).arg("1"))
            .command(Cmd::new("SET").arg(ctx.key("b")));
        let err = tx.execute(&client).await.unwrap_err();
        assert_eq!(err.code(), Some("EXECABORT"));
        assert!(
            err.to_string().contains("wrong number of arguments"),
            "{err}"
        );
        assert_eq!(client.exists(ctx.key("a")).await.unwrap(), 0);
    }
);

each_setup!(
    watched_key_changed_aborts_then_helper_retries,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let other = ctx.client().await;
        let key = ctx.key("balance");
        client.set(&key, 100).await.unwrap();
        let attempts = Arc::new(AtomicU32::new(0));
        let (_, balance): (Value, i64) = client
            .transaction(&[key.as_str()], |conn| {
                let (key, other, attempts) = (key.clone(), other.clone(), attempts.clone());
                async move {
                    let now: i64 = conn.get(&key).await?;
                    if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                        // Another client writes between WATCH and EXEC.
                        other.incrby(&key, 1000).await?;
                    }
                    Ok(Transaction::new()
                        .command(Cmd::new("SET").arg(&key).arg(now - 30))
                        .command(Cmd::new("GET").arg(&key)))
                }
            })
            .await
            .unwrap();
        assert_eq!(attempts.load(Ordering::SeqCst), 2);
        assert_eq!(balance, 1070);
    }
);

/// Makes every attempt of a transaction on `key` conflict: another client
/// changes the key between WATCH and EXEC each time. Returns the result and
/// how many attempts were made.
async fn always_conflicting<O: Executor + Clone + 'static>(
    client: &impl redis_core::Watching,
    other: &O,
    key: &str,
) -> (redis_core::Result<((), i64)>, u32) {
    let attempts = Arc::new(AtomicU32::new(0));
    let keys = [key];
    let result = client.transaction(&keys, |conn| {
        let (key, other, attempts) = (key.to_owned(), other.clone(), attempts.clone());
        async move {
            attempts.fetch_add(1, Ordering::SeqCst);
            let now: i64 = conn.get(&key).await?;
            other.incr(&key).await?;
            Ok(Transaction::new().set(&key, now + 100).get::<i64>(&key))
        }
    });
    // Without a bound on the attempts this never ends: fail instead.
    let result = tokio::time::timeout(std::time::Duration::from_secs(30), result)
        .await
        .expect("the transaction should give up, not retry forever");
    (result, attempts.load(Ordering::SeqCst))
}

each_server_setup!(
    a_transaction_that_always_conflicts_gives_up_with_a_watch_error,
    |ctx: Ctx| async move {
        let other = ctx.server_client().await;
        let key = ctx.key("contended");
        other.set(&key, 0).await.unwrap();

        let client = ctx.connect(ctx.config().with_transaction_attempts(3)).await;
        let (result, attempts) = always_conflicting(&client, &other, &key).await;
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Watch, "{err}");
        assert!(err.to_string().contains("after 3 attempts"), "{err}");
        assert!(
            err.to_string().contains("with_transaction_attempts"),
            "{err}"
        );
        assert_eq!(attempts, 3);
        // Nothing of any attempt was applied: only the other client's writes.
        assert_eq!(other.get::<i64>(&key).await.unwrap(), 3);

        // The default bound.
        let client = ctx.server_client().await;
        let (result, attempts) = always_conflicting(&client, &other, &key).await;
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Watch, "{err}");
        assert!(err.to_string().contains("after 16 attempts"), "{err}");
        assert_eq!(attempts, 16);

        // A transaction that stops conflicting still succeeds, and the
        // dedicated connection went back to the pool clean.
        let (_, balance) = client
            .transaction(&[key.as_str()], |conn| {
                let key = key.clone();
                async move {
                    let now: i64 = conn.get(&key).await?;
                    Ok(Transaction::new().set(&key, now + 1).get::<i64>(&key))
                }
            })
            .await
            .unwrap();
        assert_eq!(balance, 3 + 16 + 1);
    }
);

// Pub/sub has connections of its own (`Client::pubsub`, `Client::monitor`):
// sent as commands, SUBSCRIBE and MONITOR must fail at once with an error
// that names them, not wait for the response timeout (RESP3, where the
// confirmation is a push frame) or hand their messages to later commands
// (RESP2).
each_server_setup!(
    subscriptions_are_refused_at_once_on_every_connection,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let conn = client.dedicated().await.unwrap();
        let channel = ctx.key("news");
        let refused = [
            Cmd::new("SUBSCRIBE").arg(&channel),
            Cmd::new("psubscribe").arg(format!("{channel}.*")),
            Cmd::new("SSUBSCRIBE").arg(&channel),
            Cmd::new("UNSUBSCRIBE"),
            Cmd::new("PUNSUBSCRIBE").arg("a").arg("b"),
            Cmd::new("SUNSUBSCRIBE").arg(&channel),
            Cmd::new("MONITOR"),
        ];
        let check = |err: redis_core::Error, cmd: &Cmd, on: &str| {
            assert_eq!(err.kind(), ErrorKind::Config, "{cmd:?} on {on}: {err}");
            let text = err.to_string();
            assert!(text.contains("is not available"), "{cmd:?} on {on}: {text}");
            assert!(!text.contains("dedicated()"), "{cmd:?} on {on}: {text}");
            if cmd.name().eq_ignore_ascii_case("MONITOR") {
                assert!(text.contains("client.monitor()"), "{cmd:?} on {on}: {text}");
            } else {
                assert!(text.contains("PubSub"), "{cmd:?} on {on}: {text}");
                assert!(text.contains("client.pubsub()"), "{cmd:?} on {on}: {text}");
            }
        };
        for cmd in &refused {
            let err = cmd.clone().query::<Value>(&conn).await.unwrap_err();
            check(err, cmd, "a dedicated connection");
            let err = cmd.clone().query::<Value>(&client).await.unwrap_err();
            check(err, cmd, "the shared connection");
            // Inside a pipeline too, and nothing of it is sent.
            let pipe: Pipeline<(Value, Value)> = Pipeline::new()
                .command(Cmd::new("SET").arg(ctx.key("sent")).arg(1))
                .command(cmd.clone());
            check(
                pipe.query(&conn).await.unwrap_err(),
                cmd,
                "a dedicated pipeline",
            );
            check(
                pipe.query(&client).await.unwrap_err(),
                cmd,
                "a shared pipeline",
            );
        }
        assert_eq!(client.exists(ctx.key("sent")).await.unwrap(), 0);
        // Both connections are as they were.
        let pong: String = Cmd::new("PING").query(&conn).await.unwrap();
        assert_eq!(pong, "PONG");
        let pong: String = Cmd::new("PING").query(&client).await.unwrap();
        assert_eq!(pong, "PONG");
        // Publishing is not refused.
        let receivers = client.publish(&channel, "hi").await.unwrap();
        assert_eq!(receivers, 0);
        // Nor is RESET on a dedicated connection: it answers at once (and
        // the connection, back in RESP2 and database 0, is not pooled again).
        let reset: String = Cmd::new("RESET").query(&conn).await.unwrap();
        assert_eq!(reset, "RESET");
        let pong: String = Cmd::new("PING").query(&conn).await.unwrap();
        assert_eq!(pong, "PONG");
    }
);

each_server_setup!(
    watch_on_a_dedicated_connection_reports_watch_error,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let key = ctx.key("w");
        let conn = client.dedicated().await.unwrap();
        Cmd::new("WATCH")
            .arg(&key)
            .query::<()>(&conn)
            .await
            .unwrap();
        client.set(&key, "changed").await.unwrap();
        let tx: Transaction<(Value,)> =
            Transaction::new().command(Cmd::new("SET").arg(&key).arg("mine"));
        let err = tx.execute(&conn).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Watch);
        let value: String = client.get(&key).await.unwrap();
        assert_eq!(value, "changed");
        // WATCH is refused on the shared connection, with advice.
        let err = Cmd::new("WATCH")
            .arg(&key)
            .query::<()>(&client)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("dedicated"), "{err}");
        // So is a MULTI of its own, pointing to Transaction; the connection
        // is not left inside a transaction.
        let err = Cmd::new("MULTI").query::<()>(&client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("Transaction"), "{err}");
        client.set(&key, "after").await.unwrap();
        assert_eq!(client.get::<String>(&key).await.unwrap(), "after");
    }
);

// SCRIPT FLUSH empties the script cache of every client of the server, so
// this runs on servers of its own: on a shared one it would flush the
// scripts of tests running beside it.
each_version!(script_survives_script_flush, |version| async move {
    let server = TempServer::start(version);
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        let config = Config::from_url(&server.url())
            .unwrap()
            .with_protocol(protocol);
        let client = redis_core::Client::connect(config).await.unwrap();
        survives_script_flush(&client, &format!("counter:{protocol:?}")).await;
    }
});

async fn survives_script_flush(client: &impl redis_core::Executor, key: &str) {
    let script = Script::new("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    assert_eq!(
        script.key(key).arg(5).invoke::<i64>(&client).await.unwrap(),
        5
    );
    Cmd::new("SCRIPT")
        .arg("FLUSH")
        .query::<()>(&client)
        .await
        .unwrap();
    assert_eq!(
        script.key(key).arg(2).invoke::<i64>(&client).await.unwrap(),
        7
    );

    Cmd::new("SCRIPT")
        .arg("FLUSH")
        .query::<()>(&client)
        .await
        .unwrap();
    let pipe = Pipeline::new()
        .invoke(&script.key(key).arg(1))
        .invoke(&script.key(key).arg(1));
    let (a, b): (i64, i64) = pipe.query(&client).await.unwrap();
    assert_eq!((a, b), (8, 9));

    Cmd::new("SCRIPT")
        .arg("FLUSH")
        .query::<()>(&client)
        .await
        .unwrap();
    let tx = Transaction::new().invoke(&script.key(key).arg(10));
    let (c,): (i64,) = tx.query(&client).await.unwrap();
    assert_eq!(c, 19);
}

each_server_setup!(
    blocking_commands_do_not_stall_the_shared_connection,
    |ctx: Ctx| async move {
        // Named, so that CLIENT LIST shows when its BLPOP has blocked.
        let name = format!("blocking-{:08x}", fastrand::u32(..));
        let client = ctx
            .connect(
                ctx.config()
                    .with_client_name(&name)
                    .with_response_timeout(Some(std::time::Duration::from_millis(300))),
            )
            .await;
        let admin = ctx.server_client().await;
        let queue = ctx.key("queue");
        // BLPOP for 1 s: longer than the response timeout, which must not cut it short.
        let waiter = {
            let (client, queue) = (client.clone(), queue.clone());
            tokio::spawn(async move {
                client
                    .blpop::<String>(&queue, std::time::Duration::from_secs(1))
                    .await
            })
        };
        // Meanwhile the shared connection answers.
        redis_tests::until_blocked(&admin, &name).await;
        client.set(ctx.key("other"), "x").await.unwrap();
        assert!(
            !waiter.is_finished(),
            "BLPOP returned before its 1 s timeout"
        );
        assert_eq!(waiter.await.unwrap().unwrap(), None);

        // And a pushed value reaches a blocked pop.
        let waiter = {
            let (client, queue) = (client.clone(), queue.clone());
            tokio::spawn(async move {
                client
                    .blpop::<String>(&queue, std::time::Duration::from_secs(5))
                    .await
            })
        };
        redis_tests::until_blocked(&admin, &name).await;
        client.rpush(&queue, "job-1").await.unwrap();
        assert_eq!(
            waiter.await.unwrap().unwrap(),
            Some((queue.clone(), "job-1".to_owned()))
        );
    }
);

/// The same commands through RESP2 and RESP3 give the same Rust values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resp2_and_resp3_give_the_same_rust_values() {
    for version in Version::ALL {
        let resp3 = Ctx::new(
            "same_values",
            redis_tests::Setup::new(version, Protocol::Resp3),
        )
        .await;
        let resp2 = Ctx::new(
            "same_values",
            redis_tests::Setup::new(version, Protocol::Resp2),
        )
        .await;
        assert_eq!(read_all_shapes(&resp3).await, read_all_shapes(&resp2).await);
    }
}

#[derive(Debug, PartialEq)]
struct Shapes {
    hash: HashMap<String, String>,
    hash_sorted: BTreeMap<String, i64>,
    hash_pairs: Vec<(String, String)>,
    set: HashSet<String>,
    zrange: Vec<(String, f64)>,
    zscore: f64,
    float: f64,
    exists: bool,
    config: HashMap<String, String>,
    nil: Option<String>,
}

async fn read_all_shapes(ctx: &Ctx) -> Shapes {
    let client = ctx.client().await;
    let (h, s, z, f) = (ctx.key("h"), ctx.key("s"), ctx.key("z"), ctx.key("f"));
    client.hset(&h, [("a", "1"), ("b", "2")]).await.unwrap();
    Cmd::new("SADD")
        .arg(&s)
        .arg(&["x", "y"][..])
        .query::<i64>(&client)
        .await
        .unwrap();
    Cmd::new("ZADD")
        .arg(&z)
        .arg(1.5)
        .arg("one")
        .arg(2)
        .arg("two")
        .query::<i64>(&client)
        .await
        .unwrap();
    let mut hash_pairs: Vec<(String, String)> = client.hgetall(&h).await.unwrap();
    hash_pairs.sort();
    Shapes {
        hash: client.hgetall(&h).await.unwrap(),
        hash_sorted: client.hgetall(&h).await.unwrap(),
        hash_pairs,
        set: Cmd::new("SMEMBERS").arg(&s).query(&client).await.unwrap(),
        zrange: Cmd::new("ZRANGE")
            .arg(&z)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .query(&client)
            .await
            .unwrap(),
        zscore: Cmd::new("ZSCORE")
            .arg(&z)
            .arg("one")
            .query(&client)
            .await
            .unwrap(),
        float: Cmd::new("INCRBYFLOAT")
            .arg(&f)
            .arg(0.25)
            .query(&client)
            .await
            .unwrap(),
        exists: Cmd::new("EXISTS").arg(&h).query(&client).await.unwrap(),
        config: Cmd::new("CONFIG")
            .arg("GET")
            .arg("maxmemory-policy")
            .query(&client)
            .await
            .unwrap(),
        nil: client.get(ctx.key("nothing")).await.unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_client_refuses_commands() {
    let ctx = Ctx::new("closed", redis_tests::Setup::REDIS8_RESP3).await;
    let client = ctx.client().await;
    let clone = client.clone();
    client.close().await;
    let err = clone.execute::<Value>(Cmd::new("PING")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed);
}

each_setup!(
    state_changing_commands_never_reach_the_shared_connection,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("state");
        client.set(&key, "db0").await.unwrap();

        // A pipeline that opens MULTI without ending it would leave the shared
        // connection inside a transaction for every other caller.
        let pipe: Pipeline<(Value, Value)> = Pipeline::new()
            .command(Cmd::new("MULTI"))
            .command(Cmd::new("SET").arg(&key).arg("queued"));
        let err = pipe.execute(&client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("Transaction"), "{err}");

        // SELECT would move every caller to another database.
        let err = Cmd::new("SELECT")
            .arg(1)
            .query::<()>(&client)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("SELECT"), "{err}");
        let pipe: Pipeline<(Value, Value)> = Pipeline::new()
            .command(Cmd::new("SELECT").arg(1))
            .command(Cmd::new("GET").arg(&key));
        assert_eq!(
            pipe.execute(&client).await.unwrap_err().kind(),
            ErrorKind::Config
        );

        // CLIENT TRACKING and CLIENT REPLY change how the server answers
        // this connection; other CLIENT subcommands only ask.
        for (sub, arg) in [("TRACKING", "ON"), ("reply", "OFF")] {
            let err = Cmd::new("CLIENT")
                .arg(sub)
                .arg(arg)
                .query::<()>(&client)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "CLIENT {sub}");
            assert!(err.to_string().contains("dedicated"), "{err}");
        }
        let id: i64 = Cmd::new("CLIENT").arg("ID").query(&client).await.unwrap();
        assert!(id > 0);

        // After all of it, another task on the same connection sees database
        // 0, no open transaction and ordinary replies.
        let other = client.clone();
        let key2 = key.clone();
        let seen = tokio::spawn(async move {
            other.set(&key2, "still db0").await.unwrap();
            other.get::<String>(&key2).await.unwrap()
        })
        .await
        .unwrap();
        assert_eq!(seen, "still db0");
        let info: String = Cmd::new("CLIENT").arg("INFO").query(&client).await.unwrap();
        assert!(info.contains(" db=0 "), "{info}");
        assert!(info.contains(" multi=-1 "), "{info}");

        // A transaction, which ends its own MULTI, still runs.
        let tx = Transaction::new()
            .command(Cmd::new("SET").arg(&key).arg("tx"))
            .command(Cmd::new("GET").arg(&key));
        let ((), got): ((), String) = tx.query(&client).await.unwrap();
        assert_eq!(got, "tx");
    }
);

each_server_setup!(
    a_pool_of_zero_is_a_configuration_error,
    |ctx: Ctx| async move {
        let err = redis_core::Client::connect(ctx.config().with_pool_size(0))
            .await
            .err()
            .unwrap();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("pool size"), "{err}");
        // An owned URL is accepted as it is.
        let client = redis_core::Client::connect(ctx.url()).await.unwrap();
        let pong: String = Cmd::new("PING").query(&client).await.unwrap();
        assert_eq!(pong, "PONG");
    }
);

/// The blocking facade runs the very same typed commands, without an async
/// runtime of the caller's; inside one it refuses instead of stalling it.
#[test]
fn the_blocking_facade_runs_the_same_typed_commands() {
    use redis_core::blocking;
    let url = format!("redis://{}", redis_tests::servers().redis8());
    let client = blocking::Client::connect(url.as_str()).unwrap();
    let key = format!("test:blocking:{:08x}", fastrand::u32(..));
    client.set(&key, 41).unwrap();
    assert_eq!(client.incrby(&key, 1).unwrap(), 42);
    let (n, read): (i64, Option<String>) = client
        .block_on(
            Pipeline::new()
                .incrby(&key, 1)
                .get(&key)
                .query(client.as_async()),
        )
        .unwrap();
    assert_eq!((n, read.as_deref()), (43, Some("43")));
    assert_eq!(client.del(&key).unwrap(), 1);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let inside = runtime.block_on(async { client.exists(&key) });
    assert_eq!(inside.unwrap_err().kind(), ErrorKind::Config);
}
