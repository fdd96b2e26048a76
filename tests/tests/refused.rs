//! Commands the server would not answer, or would refuse only after reading
//! all of them, are refused before anything is sent, on every path; the
//! shared connection stays in step. Every body runs on Redis 8.2 and 7.0,
//! over RESP3 and RESP2.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use redis_core::commands::*;
use redis_core::{Cmd, ErrorKind, Executor, Pipeline, Transaction};
use redis_tests::{Ctx, each_server_setup, each_setup};

/// 64 concurrent GETs, each of a key holding its own name: each caller must
/// get its own value, which fails at once if replies are handed out one
/// slot off.
async fn every_caller_gets_its_own_reply<E: Executor + Clone + 'static>(ctx: &Ctx, client: &E) {
    let keys: Vec<String> = (0..64).map(|i| ctx.key(&format!("own:{i}"))).collect();
    for key in &keys {
        client.set(key, key).await.unwrap();
    }
    let gets = keys.iter().map(|key| {
        let client = client.clone();
        let key = key.clone();
        tokio::spawn(async move { (client.get::<String>(&key).await.unwrap(), key) })
    });
    for get in gets.collect::<Vec<_>>() {
        let (value, key) = get.await.unwrap();
        assert_eq!(value, key);
    }
}

fn assert_refused<T: std::fmt::Debug>(result: redis_core::Result<T>, why: &str) {
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    let message = error.to_string();
    assert!(message.contains(why), "{message:?} should say {why:?}");
    assert!(message.contains("nothing was sent"), "{message}");
}

each_server_setup!(
    an_empty_command_is_refused_on_every_path,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let why = "needs a name";
        assert_refused(Cmd::new("").query::<String>(&client).await, why);
        let with_args = Cmd::new("").arg("GET").arg(ctx.key("x"));
        assert_refused(with_args.query::<String>(&client).await, why);
        let pipeline = Pipeline::new()
            .set(ctx.key("p"), 1)
            .command::<String>(Cmd::new(""))
            .get::<String>(ctx.key("p"));
        assert_refused(pipeline.query(&client).await, why);
        let transaction = Transaction::new()
            .set(ctx.key("t"), 1)
            .command::<String>(Cmd::new(""));
        assert_refused(transaction.query(&client).await, why);
        let mut untyped: Pipeline<Vec<redis_core::Value>> = Pipeline::default();
        untyped.push(Cmd::new("PING")).push(Cmd::new(""));
        assert_refused(untyped.query(&client).await, why);
        let dedicated = client.dedicated().await.unwrap();
        assert_refused(untyped.query(&dedicated).await, why);
        drop(dedicated);
        let dedicated = client.dedicated().await.unwrap();
        assert_refused(Cmd::new("").query::<String>(&dedicated).await, why);
        // Nothing of the refused batches was applied.
        assert_eq!(
            client.exists(&[ctx.key("p"), ctx.key("t")]).await.unwrap(),
            0
        );
        // The dedicated connection is still usable after its refusal.
        let pong: String = Cmd::new("PING").query(&dedicated).await.unwrap();
        assert_eq!(pong, "PONG");
        drop(dedicated);
        every_caller_gets_its_own_reply(&ctx, &client).await;
    }
);

each_setup!(
    nan_and_unpaired_fields_are_refused_before_sending,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let zset = ctx.key("z");
        assert_refused(client.zadd(&zset, &[(f64::NAN, "m")]).await, "NaN");
        assert_refused(client.incrbyfloat(&zset, f64::NAN).await, "NaN");
        let hash = ctx.key("h");
        let unpaired = client.hset(&hash, [("a", None), ("b", Some("2"))]).await;
        assert_refused(unpaired, "one field and one value per pair");
        assert_eq!(client.exists([&zset, &hash]).await.unwrap(), 0);
        // Infinities are numbers Redis takes.
        client.zadd(&zset, &[(f64::INFINITY, "top")]).await.unwrap();
        assert_eq!(
            client.zscore(&zset, "top").await.unwrap(),
            Some(f64::INFINITY)
        );
        let map = HashMap::from([("a", "1"), ("b", "2")]);
        assert_eq!(client.hset(&hash, &map).await.unwrap(), 2);
        every_caller_gets_its_own_reply(&ctx, &client).await;
    }
);

each_setup!(
    an_argument_over_512_mb_is_refused_without_copying_it,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        // Allocated zeroed and never read: its pages are never touched.
        let huge = vec![0u8; 512 * 1024 * 1024 + 1];
        let result = client.set(ctx.key("huge"), &huge[..]).await;
        assert_refused(result, "longer than 512 MB");
        drop(huge);
        assert_eq!(client.exists(ctx.key("huge")).await.unwrap(), 0);
        every_caller_gets_its_own_reply(&ctx, &client).await;
    }
);
