//! The client-side cache (`Config::with_client_cache`) against real
//! servers: hits make no round trip (the server's own command counts say
//! so), another client's write is seen after one round trip, a killed
//! connection or a flush leaves nothing stale, concurrent misses make one
//! request, and random reads and writes from two clients never see a value
//! older than the last write the reader could know of.
//!
//! Counting commands needs a server nobody else talks to: those tests (and
//! the ones that flush or kill) run on a `TempServer` of their own.

#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use redis_core::prelude::*;
use redis_core::{CacheConfig, Cmd, Config, ErrorKind, Protocol, Value};
use redis_tests::{Ctx, TempServer, Version, each_server_setup, each_version};

fn cached(config: Config) -> Config {
    config.with_client_cache(CacheConfig::new())
}

/// A client with a cache on `server`, RESP3.
async fn caching_client(server: &TempServer) -> Client {
    let config = Config::from_url(&server.url())
        .unwrap()
        .with_protocol(Protocol::Resp3);
    Client::connect(cached(config)).await.unwrap()
}

async fn plain_client(server: &TempServer) -> Client {
    Client::connect(server.url().as_str()).await.unwrap()
}

/// How many times the server ran `command` (lower case), from
/// `INFO commandstats`.
async fn calls(client: &Client, command: &str) -> u64 {
    let info: String = Cmd::new("INFO")
        .arg("commandstats")
        .query(client)
        .await
        .unwrap();
    let prefix = format!("cmdstat_{command}:calls=");
    info.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().unwrap())
}

/// Polls every future until all are done, from one task: all of them are
/// queued on the client at their first poll, before any reply can arrive.
async fn join_all<T>(mut futures: Vec<Pin<Box<dyn Future<Output = T> + Send + '_>>>) -> Vec<T> {
    let mut outputs: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

each_version!(a_hit_makes_no_round_trip, |version| async move {
    let server = TempServer::start(version);
    let writer = plain_client(&server).await;
    let client = caching_client(&server).await;
    writer.set("k", "v1").await.unwrap();
    Cmd::new("HSET")
        .arg("h")
        .arg("f")
        .arg("1")
        .query::<()>(&writer)
        .await
        .unwrap();
    let gets_before = calls(&writer, "get").await;
    let hgetall_before = calls(&writer, "hgetall").await;
    for _ in 0..20 {
        let value: Option<String> = client.get("k").await.unwrap();
        assert_eq!(value.as_deref(), Some("v1"));
        let hash: Vec<(String, String)> = client.hgetall("h").await.unwrap();
        assert_eq!(hash, [("f".to_owned(), "1".to_owned())]);
    }
    // A key that does not exist is cached too: the server tracks it all the same.
    for _ in 0..5 {
        let missing: Option<String> = client.get("missing").await.unwrap();
        assert_eq!(missing, None);
    }
    assert_eq!(
        calls(&writer, "get").await - gets_before,
        2,
        "one GET per key"
    );
    assert_eq!(calls(&writer, "hgetall").await - hgetall_before, 1);
    let stats = client.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (19 + 19 + 4, 3), "{stats:?}");
    assert_eq!(stats.entries, 3);
    // Not cacheable (the reply changes without a write): every TTL is sent.
    let ttls_before = calls(&writer, "ttl").await;
    for _ in 0..3 {
        let _ = client.ttl("k").await.unwrap();
    }
    assert_eq!(calls(&writer, "ttl").await - ttls_before, 3);
});

each_server_setup!(
    another_clients_write_is_seen_after_one_round_trip,
    |ctx: Ctx| async move {
        if ctx.setup.protocol == Protocol::Resp2 {
            let refused = Client::connect(cached(ctx.config())).await.unwrap_err();
            assert_eq!(refused.kind(), ErrorKind::Config, "{refused}");
            assert!(refused.to_string().contains("RESP3"), "{refused}");
            return;
        }
        let client = ctx.connect(cached(ctx.config())).await;
        let writer = ctx.server_client().await;
        let (key, hash) = (ctx.key("k"), ctx.key("h"));
        for round in 0..100 {
            writer.set(&key, round).await.unwrap();
            Cmd::new("HSET")
                .arg(&hash)
                .arg("f")
                .arg(round)
                .query::<()>(&writer)
                .await
                .unwrap();
            // One round trip on the caching client: the invalidations the
            // writes caused arrived before its reply.
            let _: String = client.ping().await.unwrap();
            for _ in 0..2 {
                let value: Option<i64> = client.get(&key).await.unwrap();
                assert_eq!(value, Some(round), "round {round}");
                let field: Option<i64> = client.hget(&hash, "f").await.unwrap();
                assert_eq!(field, Some(round), "round {round}");
            }
        }
        // A deleted key and an expired one are invalidated too.
        writer.del(&key).await.unwrap();
        let _: String = client.ping().await.unwrap();
        assert_eq!(client.get::<Option<i64>>(&key).await.unwrap(), None);
        writer.set(&key, 1).await.unwrap();
        let _: String = client.ping().await.unwrap();
        assert_eq!(client.get::<Option<i64>>(&key).await.unwrap(), Some(1));
        Cmd::new("PEXPIRE")
            .arg(&key)
            .arg(20)
            .query::<()>(&writer)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(60)).await;
        // Expiry is noticed by the server when the key is touched: the writer's
        // EXISTS does, and the invalidation follows.
        assert_eq!(writer.exists(&key).await.unwrap(), 0);
        let _: String = client.ping().await.unwrap();
        assert_eq!(client.get::<Option<i64>>(&key).await.unwrap(), None);
        let stats = client.cache_stats().unwrap();
        assert!(stats.hits >= 200 && stats.invalidations >= 200, "{stats:?}");
    }
);

each_server_setup!(own_writes_are_seen_at_once, |ctx: Ctx| async move {
    if ctx.setup.protocol == Protocol::Resp2 {
        return;
    }
    let client = ctx.connect(cached(ctx.config())).await;
    let key = ctx.key("k");
    for round in 0..200 {
        client.set(&key, round).await.unwrap();
        // No round trip in between: the write dropped the entry when sent.
        assert_eq!(client.get::<Option<i64>>(&key).await.unwrap(), Some(round));
        assert_eq!(client.get::<Option<i64>>(&key).await.unwrap(), Some(round));
        let pipelined: (i64,) = Pipeline::new()
            .incrby(&key, 1)
            .query(&client)
            .await
            .unwrap();
        assert_eq!(pipelined.0, round + 1);
        assert_eq!(
            client.get::<Option<i64>>(&key).await.unwrap(),
            Some(round + 1)
        );
    }
});

each_server_setup!(
    own_writes_on_other_connections_are_seen_at_once,
    |ctx: Ctx| async move {
        if ctx.setup.protocol == Protocol::Resp2 {
            return;
        }
        let client = ctx.connect(cached(ctx.config())).await;
        let (key, list) = (ctx.key("k"), ctx.key("list"));
        // Another task reading the key all along: its reads, executed before
        // the write, come back with the old value and would be cached but
        // for the second forgetting after the write's reply.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reading = {
            let (client, key, stop) = (client.clone(), key.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let _: Option<i64> = client.get(&key).await.unwrap();
                    // A round trip, so that hits do not spin the CPU.
                    let _: String = client.ping().await.unwrap();
                }
            })
        };
        for round in 0..300i64 {
            assert_eq!(
                client.get::<Option<i64>>(&key).await.unwrap(),
                (round > 0).then_some(round - 1)
            );
            // WATCH ... EXEC on a dedicated connection.
            let ((),) = client
                .transaction(&[&key], |_conn| {
                    let key = key.clone();
                    async move { Ok(Transaction::new().set(&key, round)) }
                })
                .await
                .unwrap();
            assert_eq!(
                client.get::<Option<i64>>(&key).await.unwrap(),
                Some(round),
                "round {round}"
            );
            // A blocking command runs on a pooled connection too.
            let before: Vec<String> = client.lrange(&list, 0, -1).await.unwrap();
            assert_eq!(before.len(), usize::try_from(round).unwrap() % 2);
            client.lpush(&list, "x").await.unwrap();
            if round % 2 == 0 {
                let _ = client.lrange::<String>(&list, 0, -1).await.unwrap();
            } else {
                let popped = Cmd::new("BLMPOP")
                    .arg(1)
                    .arg(1)
                    .arg(&list)
                    .arg("LEFT")
                    .arg("COUNT")
                    .arg(2);
                let _: Value = popped.query(&client).await.unwrap();
                let after: Vec<String> = client.lrange(&list, 0, -1).await.unwrap();
                assert!(after.is_empty(), "round {round}: {after:?}");
            }
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        reading.await.unwrap();
    }
);

// Two clients at once: a writer task counting up, and a reader that, after
// a round trip begun once the writer had been told a write succeeded,
// must read that write or a later one.
each_server_setup!(
    a_reader_racing_a_writer_never_goes_back,
    |ctx: Ctx| async move {
        if ctx.setup.protocol == Protocol::Resp2 {
            return;
        }
        let client = ctx.connect(cached(ctx.config())).await;
        let writer = ctx.server_client().await;
        let key = ctx.key("counter");
        writer.set(&key, 0).await.unwrap();
        let acked = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writing = {
            let (acked, stop, key) = (acked.clone(), stop.clone(), key.clone());
            tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    n += 1;
                    writer.set(&key, n).await.unwrap();
                    acked.store(n, std::sync::atomic::Ordering::SeqCst);
                    if n % 8 == 0 {
                        tokio::time::sleep(Duration::from_micros(200)).await;
                    }
                }
                n
            })
        };
        let mut last_seen = 0u64;
        let mut reads = 0u64;
        for step in 0..3000 {
            let floor = acked.load(std::sync::atomic::Ordering::SeqCst);
            if step % 3 == 0 {
                let _: String = client.ping().await.unwrap();
            }
            for _ in 0..4 {
                let seen: u64 = client.get(&key).await.unwrap();
                reads += 1;
                if step % 3 == 0 {
                    assert!(
                        seen >= floor,
                        "step {step}: read {seen} after {floor} was acknowledged"
                    );
                }
                // And never backwards, round trip or not.
                assert!(
                    seen >= last_seen,
                    "step {step}: read {seen} after {last_seen}"
                );
                last_seen = seen;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let written = writing.await.unwrap();
        let stats = client.cache_stats().unwrap();
        assert!(
            written > 100 && stats.hits > 0 && stats.hits < reads,
            "{written} {stats:?}"
        );
    }
);

each_version!(nothing_stale_after_client_kill, |version| async move {
    let server = TempServer::start(version);
    let writer = plain_client(&server).await;
    let client = caching_client(&server).await;
    for round in 0..10 {
        writer.set("k", format!("old{round}")).await.unwrap();
        let _: String = client.ping().await.unwrap();
        let old: String = client.get("k").await.unwrap();
        assert_eq!(old, format!("old{round}"));
        let id: u64 = client.client_id().await.unwrap();
        // The server closes the tracking connection, then the key changes:
        // no invalidation can reach the client.
        let killed: u64 = Cmd::new("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query(&writer)
            .await
            .unwrap();
        assert_eq!(killed, 1);
        writer.set("k", format!("new{round}")).await.unwrap();
        // One round trip: it cannot complete on the dead connection, so the
        // client has noticed the loss by the time it does.
        let _ = client.ping().await;
        let value: String = client.get("k").await.unwrap();
        assert_eq!(value, format!("new{round}"), "round {round}");
        // Tracking is on again on the new connection.
        assert_eq!(
            client.get::<String>("k").await.unwrap(),
            format!("new{round}")
        );
        writer.set("k", "after").await.unwrap();
        let _: String = client.ping().await.unwrap();
        assert_eq!(client.get::<String>("k").await.unwrap(), "after");
    }
});

each_version!(flushes_clear_the_cache, |version| async move {
    let server = TempServer::start(version);
    let writer = plain_client(&server).await;
    let client = caching_client(&server).await;
    writer.set("a", 1).await.unwrap();
    writer.set("b", 2).await.unwrap();
    for key in ["a", "b", "a", "b"] {
        let _: Option<i64> = client.get(key).await.unwrap();
    }
    assert_eq!(client.cache_stats().unwrap().entries, 2);
    // Another client's FLUSHDB: one invalidation of everything.
    Cmd::new("FLUSHDB").query::<()>(&writer).await.unwrap();
    let _: String = client.ping().await.unwrap();
    assert_eq!(client.cache_stats().unwrap().entries, 0);
    assert_eq!(client.get::<Option<i64>>("a").await.unwrap(), None);
    // The client's own FLUSHALL.
    writer.set("a", 3).await.unwrap();
    let _: String = client.ping().await.unwrap();
    assert_eq!(client.get::<Option<i64>>("a").await.unwrap(), Some(3));
    Cmd::new("FLUSHALL").query::<()>(&client).await.unwrap();
    assert_eq!(client.get::<Option<i64>>("a").await.unwrap(), None);
    let stats = client.cache_stats().unwrap();
    assert!(stats.invalidations >= 3, "{stats:?}");
});

each_version!(concurrent_misses_send_one_get, |version| async move {
    let server = TempServer::start(version);
    let writer = plain_client(&server).await;
    let client = caching_client(&server).await;
    for round in 0..20 {
        writer.set("k", round).await.unwrap();
        let _: String = client.ping().await.unwrap();
        let before = calls(&writer, "get").await;
        type Read<'a> = Pin<Box<dyn Future<Output = redis_core::Result<Option<i64>>> + Send + 'a>>;
        let reads: Vec<Read<'_>> = (0..50)
            .map(|_| Box::pin(client.get::<Option<i64>>("k")) as Read<'_>)
            .collect();
        for value in join_all(reads).await {
            assert_eq!(value.unwrap(), Some(round));
        }
        assert_eq!(calls(&writer, "get").await - before, 1, "round {round}");
    }
});

// A reply that arrives together with an invalidation of its key: the
// writer is blocked in BLMOVE until the reader's own LPUSH to another key
// wakes it, so the list the reader just read changes right behind the
// LRANGE's reply, its invalidation on the wire before the reader's task
// has taken the reply. The stale reply must not be cached.
each_version!(
    a_reply_overtaken_by_its_invalidation_is_not_cached,
    |version| async move {
        let server = TempServer::start(version);
        let writer = plain_client(&server).await;
        let client = caching_client(&server).await;
        for round in 0..50 {
            let (src, dst) = (format!("src{round}"), format!("dst{round}"));
            let mover = writer.clone();
            let blocked_dst = dst.clone();
            let blocked_src = src.clone();
            let moved = tokio::spawn(async move {
                Cmd::new("BLMOVE")
                    .arg(&blocked_src)
                    .arg(&blocked_dst)
                    .arg("LEFT")
                    .arg("LEFT")
                    .arg(0)
                    .query::<Option<String>>(&mover)
                    .await
            });
            while !Cmd::new("INFO")
                .arg("clients")
                .query::<String>(&writer)
                .await
                .unwrap()
                .contains("blocked_clients:1")
            {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            // Both queued at their first poll, in this order, in one write.
            let read = async { client.lrange::<String>(&dst, 0, -1).await.map(drop) };
            let push = async {
                let pushed = Cmd::new("LPUSH").arg(&src).arg("x").query::<i64>(&client);
                pushed.await.map(drop)
            };
            let both: Vec<Pin<Box<dyn Future<Output = redis_core::Result<()>> + Send>>> =
                vec![Box::pin(read), Box::pin(push)];
            for outcome in join_all(both).await {
                outcome.unwrap();
            }
            assert_eq!(moved.await.unwrap().unwrap().as_deref(), Some("x"));
            let _: String = client.ping().await.unwrap();
            for _ in 0..2 {
                let now: Vec<String> = client.lrange(&dst, 0, -1).await.unwrap();
                assert_eq!(now, ["x"], "round {round}");
            }
        }
    }
);

each_server_setup!(
    random_reads_and_writes_never_see_an_outdated_value,
    |ctx: Ctx| async move {
        if ctx.setup.protocol == Protocol::Resp2 {
            return;
        }
        let client = ctx.connect(cached(ctx.config())).await;
        let writer = ctx.server_client().await;
        let seed = fastrand::u64(..);
        let mut rng = fastrand::Rng::with_seed(seed);
        let keys: Vec<String> = (0..4).map(|i| ctx.key(&format!("k{i}"))).collect();
        // The value each key holds, and whether the caching client has made a
        // round trip since it was written by the other client.
        let mut truth: Vec<Option<u64>> = vec![None; keys.len()];
        let mut known: Vec<bool> = vec![true; keys.len()];
        let mut next = 0u64;
        for step in 0..3000 {
            let i = rng.usize(..keys.len());
            let key = &keys[i];
            match rng.u8(..10) {
                0..=2 => {
                    next += 1;
                    writer.set(key, next).await.unwrap();
                    truth[i] = Some(next);
                    known[i] = false;
                }
                3 => {
                    writer.del(key).await.unwrap();
                    truth[i] = None;
                    known[i] = false;
                }
                4 => {
                    next += 1;
                    client.set(key, next).await.unwrap();
                    truth[i] = Some(next);
                    known.iter_mut().for_each(|k| *k = true);
                }
                5 => {
                    let _: String = client.ping().await.unwrap();
                    known.iter_mut().for_each(|k| *k = true);
                }
                _ => {
                    let seen: Option<u64> = client.get(key).await.unwrap();
                    if known[i] {
                        assert_eq!(seen, truth[i], "step {step}, seed {seed}");
                    }
                }
            }
        }
        let stats = client.cache_stats().unwrap();
        assert!(stats.hits > 100, "{stats:?}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_that_would_serve_wrong_replies_are_refused() {
    let server = TempServer::start(Version::Redis8);
    let config = Config::from_url(&server.url()).unwrap();
    for name in ["TTL", "SRANDMEMBER", "SET", "NOSUCHCOMMAND"] {
        let cache = CacheConfig::new().with_commands(["GET", name]);
        let refused = Client::connect(config.clone().with_client_cache(cache))
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Config, "{name}: {refused}");
        assert!(refused.to_string().contains(name), "{refused}");
    }
    // An allow-list: only GET is cached.
    let cache = CacheConfig::new().with_commands(["get"]);
    let client = Client::connect(config.with_client_cache(cache))
        .await
        .unwrap();
    let writer = plain_client(&server).await;
    writer.set("k", "v").await.unwrap();
    for _ in 0..3 {
        let _: Option<String> = client.get("k").await.unwrap();
        let _: u64 = client.strlen("k").await.unwrap();
    }
    assert_eq!(calls(&writer, "get").await, 1);
    assert_eq!(calls(&writer, "strlen").await, 3);
}

each_version!(
    broadcast_mode_caches_only_its_prefixes,
    |version| async move {
        let server = TempServer::start(version);
        let writer = plain_client(&server).await;
        let config = Config::from_url(&server.url())
            .unwrap()
            .with_client_cache(CacheConfig::new().with_broadcast(["user:"]));
        let client = Client::connect(config).await.unwrap();
        writer.set("user:1", "a").await.unwrap();
        writer.set("other", "b").await.unwrap();
        // In broadcasting mode the writes above are told to the client too: let
        // their invalidations arrive first, or they could overtake the first
        // read's reply (which would then, rightly, not be cached).
        let _: String = client.ping().await.unwrap();
        for _ in 0..3 {
            let _: Option<String> = client.get("user:1").await.unwrap();
            let _: Option<String> = client.get("other").await.unwrap();
        }
        assert_eq!(calls(&writer, "get").await, 1 + 3);
        writer.set("user:1", "changed").await.unwrap();
        let _: String = client.ping().await.unwrap();
        assert_eq!(client.get::<String>("user:1").await.unwrap(), "changed");
    }
);
