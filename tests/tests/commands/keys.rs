//! Generic key commands against the real servers.

use std::time::{Duration, SystemTime};

use redis_core::commands::*;
use redis_core::{Client, Cmd, ErrorKind, Pipeline, Protocol};
use redis_tests::{Ctx, TempServer, each_redis8, each_server_setup, each_setup};

/// A server of the test's own (for server-wide state: an empty keyspace, an
/// eviction policy, an AOF), and a client speaking the test's protocol.
async fn own_server(ctx: &Ctx, args: &[&str]) -> (TempServer, Client) {
    let server = TempServer::start_with(ctx.setup.version, args);
    let proto = match ctx.setup.protocol {
        Protocol::Resp2 => 2,
        Protocol::Resp3 => 3,
    };
    let client = Client::connect(format!("{}/?protocol={proto}", server.url()).as_str())
        .await
        .unwrap();
    (server, client)
}

/// A client of database 9 on the test's server (for COPY DB and MOVE).
async fn db9(ctx: &Ctx) -> Client {
    ctx.connect(redis_core::Config::from_url(&format!("{}&db=9", ctx.url())).unwrap())
        .await
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

each_setup!(
    del_unlink_exists_and_touch_count_keys,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b, c) = (ctx.key("a"), ctx.key("b"), ctx.key("c"));
        client
            .mset([(a.as_str(), "1"), (b.as_str(), "2"), (c.as_str(), "3")])
            .await
            .unwrap();
        // A key named twice counts twice.
        assert_eq!(client.exists([&a, &a, &b]).await.unwrap(), 3);
        assert_eq!(client.touch([&a, &ctx.key("none")]).await.unwrap(), 1);
        assert_eq!(client.del([&a, &ctx.key("none")]).await.unwrap(), 1);
        assert_eq!(client.unlink([&b, &c]).await.unwrap(), 2);
        assert_eq!(client.exists([&a, &b, &c]).await.unwrap(), 0);
    }
);

each_setup!(
    ttl_and_expiretime_tell_missing_persistent_and_expiring_keys_apart,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("k");
        assert_eq!(client.ttl(&key).await.unwrap(), Ttl::Missing);
        assert_eq!(client.pttl(&key).await.unwrap(), Ttl::Missing);
        assert_eq!(client.expiretime(&key).await.unwrap(), ExpireTime::Missing);
        assert_eq!(client.pexpiretime(&key).await.unwrap(), ExpireTime::Missing);

        client.set(&key, "v").await.unwrap();
        assert_eq!(client.ttl(&key).await.unwrap(), Ttl::Persistent);
        assert_eq!(client.pttl(&key).await.unwrap(), Ttl::Persistent);
        assert_eq!(
            client.expiretime(&key).await.unwrap(),
            ExpireTime::Persistent
        );
        assert_eq!(
            client.pexpiretime(&key).await.unwrap(),
            ExpireTime::Persistent
        );

        assert!(client.expire(&key, secs(100)).await.unwrap());
        let seconds = client.ttl(&key).await.unwrap();
        assert!(
            matches!(seconds, Ttl::Expires(d) if d == secs(100) || d == secs(99)),
            "{seconds:?}"
        );
        // Whole seconds from TTL, converted to the millisecond type.
        let seconds: Ttl = seconds.into();
        assert_eq!(seconds.remaining().unwrap().subsec_nanos(), 0);

        // EXPIRETIME rounds to the nearest second.
        let at = client.pexpiretime(&key).await.unwrap().at().unwrap();
        let in_seconds = client.expiretime(&key).await.unwrap().at().unwrap();
        let gap = at
            .duration_since(in_seconds)
            .or_else(|_| in_seconds.duration_since(at))
            .unwrap();
        assert!(gap <= Duration::from_millis(500), "{gap:?}");
        let since_epoch = in_seconds.duration_since(SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(since_epoch.subsec_nanos(), 0);
        let in_seconds: ExpireTime = client.expiretime(&key).await.unwrap().into();
        assert!(matches!(in_seconds, ExpireTime::At(_)));
    }
);

each_setup!(
    expire_conditions_decide_whether_the_expiry_changes,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("k");
        assert!(!client.expire(&key, secs(10)).await.unwrap());
        client.set(&key, "v").await.unwrap();

        assert!(
            !client
                .expire_with(&key, secs(100), ExpireCondition::HasExpiry)
                .await
                .unwrap()
        );
        // GT on a key without expiry: "never" is later than anything.
        assert!(
            !client
                .expire_with(&key, secs(100), ExpireCondition::Later)
                .await
                .unwrap()
        );
        assert!(
            client
                .expire_with(&key, secs(100), ExpireCondition::NoExpiry)
                .await
                .unwrap()
        );
        assert!(
            !client
                .expire_with(&key, secs(200), ExpireCondition::NoExpiry)
                .await
                .unwrap()
        );
        assert!(
            !client
                .pexpire_with(&key, secs(50), ExpireCondition::Later)
                .await
                .unwrap()
        );
        assert!(
            client
                .pexpire_with(&key, secs(50), ExpireCondition::Sooner)
                .await
                .unwrap()
        );
        let left = client.pttl(&key).await.unwrap().remaining().unwrap();
        assert!(left <= secs(50) && left > secs(40), "{left:?}");

        assert!(client.persist(&key).await.unwrap());
        assert!(!client.persist(&key).await.unwrap());
        assert_eq!(client.pttl(&key).await.unwrap(), Ttl::Persistent);

        // A fraction of a second goes out as PEXPIRE.
        assert!(
            client
                .expire(&key, Duration::from_millis(1500))
                .await
                .unwrap()
        );
        let left = client.pttl(&key).await.unwrap().remaining().unwrap();
        assert!(
            left <= Duration::from_millis(1500) && left > secs(1),
            "{left:?}"
        );
        assert!(client.pexpire(&key, secs(30)).await.unwrap());
        let left = client.pttl(&key).await.unwrap().remaining().unwrap();
        assert!(left <= secs(30) && left > secs(20), "{left:?}");

        // A zero expiry deletes the key.
        assert!(client.expire(&key, Duration::ZERO).await.unwrap());
        assert_eq!(client.exists(&key).await.unwrap(), 0);
    }
);

each_setup!(expireat_sets_the_exact_expiry_time, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("k");
    client.set(&key, "v").await.unwrap();
    let whole = SystemTime::UNIX_EPOCH + secs(4_102_444_800); // 2100-01-01
    assert!(
        !client
            .expireat_with(&key, whole, ExpireCondition::HasExpiry)
            .await
            .unwrap()
    );
    assert!(client.expireat(&key, whole).await.unwrap());
    assert_eq!(
        client.expiretime(&key).await.unwrap(),
        ExpireTime::At(whole)
    );

    let sooner = whole - Duration::from_millis(1_250);
    assert!(
        client
            .expireat_with(&key, sooner, ExpireCondition::Sooner)
            .await
            .unwrap()
    );
    assert_eq!(
        client.pexpiretime(&key).await.unwrap(),
        ExpireTime::At(sooner)
    );

    let later = whole + Duration::from_millis(7);
    assert!(client.pexpireat(&key, later).await.unwrap());
    assert_eq!(
        client.pexpiretime(&key).await.unwrap(),
        ExpireTime::At(later)
    );
    assert!(
        !client
            .pexpireat_with(&key, whole, ExpireCondition::Later)
            .await
            .unwrap()
    );
    assert!(
        client
            .pexpireat_with(&key, whole, ExpireCondition::HasExpiry)
            .await
            .unwrap()
    );
    assert_eq!(
        client.pexpiretime(&key).await.unwrap(),
        ExpireTime::At(whole)
    );

    // A time in the past deletes the key.
    assert!(
        client
            .expireat(&key, SystemTime::UNIX_EPOCH + secs(1))
            .await
            .unwrap()
    );
    assert_eq!(client.exists(&key).await.unwrap(), 0);
});

each_setup!(
    rename_copy_and_move_relocate_values,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b, c) = (ctx.key("a"), ctx.key("b"), ctx.key("c"));
        client.set(&a, "1").await.unwrap();
        client.rename(&a, &b).await.unwrap();
        assert_eq!(client.get::<Option<String>>(&a).await.unwrap(), None);
        assert_eq!(client.get::<String>(&b).await.unwrap(), "1");
        let err = client.rename(&a, &c).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);

        client.set(&c, "3").await.unwrap();
        assert!(!client.renamenx(&b, &c).await.unwrap());
        assert!(client.renamenx(&b, &a).await.unwrap());

        // a = 1, c = 3.
        assert!(!client.copy(&a, &c).await.unwrap());
        assert_eq!(client.get::<String>(&c).await.unwrap(), "3");
        assert!(
            client
                .copy_with(&a, &c, CopyOptions::new().replace())
                .await
                .unwrap()
        );
        assert_eq!(client.get::<String>(&c).await.unwrap(), "1");
        assert!(client.copy(&a, &b).await.unwrap());
        assert_eq!(client.get::<String>(&b).await.unwrap(), "1");
    }
);

// A cluster has database 0 alone.
each_server_setup!(
    copy_and_move_reach_another_database,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        client.set(&a, "1").await.unwrap();
        client.set(&b, "1").await.unwrap();
        let other = db9(&ctx).await;
        let there = ctx.key("copied");
        assert!(
            client
                .copy_with(&a, &there, CopyOptions::new().db(9))
                .await
                .unwrap()
        );
        assert_eq!(client.exists(&there).await.unwrap(), 0);
        assert_eq!(other.get::<String>(&there).await.unwrap(), "1");

        assert!(client.move_key(&b, 9).await.unwrap());
        assert_eq!(client.exists(&b).await.unwrap(), 0);
        assert_eq!(other.get::<String>(&b).await.unwrap(), "1");
        // Already there: not moved.
        client.set(&b, "again").await.unwrap();
        assert!(!client.move_key(&b, 9).await.unwrap());
        assert_eq!(other.del([&there, &b]).await.unwrap(), 2);
    }
);

each_setup!(key_type_names_every_core_type, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = |name| ctx.key(name);
    client.set(key("string"), "v").await.unwrap();
    client.lpush(key("list"), "v").await.unwrap();
    client.hset(key("hash"), [("f", "v")]).await.unwrap();
    for cmd in [
        Cmd::new("SADD").arg(key("set")).arg("v"),
        Cmd::new("ZADD").arg(key("zset")).arg(1).arg("v"),
        Cmd::new("XADD")
            .arg(key("stream"))
            .arg("*")
            .arg("f")
            .arg("v"),
    ] {
        cmd.query::<()>(&client).await.unwrap();
    }
    let expected = [
        ("string", KeyType::String),
        ("list", KeyType::List),
        ("hash", KeyType::Hash),
        ("set", KeyType::Set),
        ("zset", KeyType::SortedSet),
        ("stream", KeyType::Stream),
        ("missing", KeyType::Missing),
    ];
    for (name, key_type) in expected {
        assert_eq!(
            client.key_type(key(name)).await.unwrap(),
            key_type,
            "{name}"
        );
    }
});

each_redis8!(
    key_type_names_vector_sets_and_module_types,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (vectors, doc) = (ctx.key("vectors"), ctx.key("doc"));
        Cmd::new("VADD")
            .arg(&vectors)
            .arg("VALUES")
            .arg(2)
            .arg(0.5)
            .arg(1.0)
            .arg("a")
            .query::<()>(&client)
            .await
            .unwrap();
        Cmd::new("JSON.SET")
            .arg(&doc)
            .arg("$")
            .arg("{}")
            .query::<()>(&client)
            .await
            .unwrap();
        assert_eq!(client.key_type(&vectors).await.unwrap(), KeyType::VectorSet);
        assert_eq!(
            client.key_type(&doc).await.unwrap(),
            KeyType::Module("ReJSON-RL".to_owned())
        );
    }
);

each_setup!(
    dump_and_restore_recreate_a_value_with_its_options,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (src, dst) = (ctx.key("src"), ctx.key("dst"));
        assert_eq!(client.dump(&src).await.unwrap(), None);
        client.rpush(&src, ["a", "b", "c"]).await.unwrap();
        let payload = client.dump(&src).await.unwrap().unwrap();

        client.restore(&dst, &payload[..]).await.unwrap();
        assert_eq!(
            client.lrange::<String>(&dst, 0, -1).await.unwrap(),
            ["a", "b", "c"]
        );
        assert_eq!(client.pttl(&dst).await.unwrap(), Ttl::Persistent);
        let err = client.restore(&dst, &payload[..]).await.unwrap_err();
        assert_eq!(err.code(), Some("BUSYKEY"));

        let options = RestoreOptions::new().replace().expire_in(secs(100));
        client
            .restore_with(&dst, &payload[..], options)
            .await
            .unwrap();
        let left = client.pttl(&dst).await.unwrap().remaining().unwrap();
        assert!(left <= secs(100) && left > secs(90), "{left:?}");

        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(4_102_444_800_321);
        let options = RestoreOptions::new().replace().expire_at(at);
        client
            .restore_with(&dst, &payload[..], options)
            .await
            .unwrap();
        assert_eq!(client.pexpiretime(&dst).await.unwrap(), ExpireTime::At(at));

        // An absolute expiry in the past leaves no key.
        let past = RestoreOptions::new()
            .replace()
            .expire_at(SystemTime::UNIX_EPOCH + secs(1));
        client.restore_with(&dst, &payload[..], past).await.unwrap();
        assert_eq!(client.exists(&dst).await.unwrap(), 0);
    }
);

each_setup!(
    object_reports_encoding_refcount_and_idle_time,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (number, text, list) = (ctx.key("number"), ctx.key("text"), ctx.key("list"));
        client.set(&number, 12345).await.unwrap();
        client.set(&text, "short").await.unwrap();
        client.rpush(&list, ["a"]).await.unwrap();
        let long = ctx.key("long");
        client.set(&long, "x".repeat(100)).await.unwrap();
        let encoding = |key| client.object_encoding(key);
        assert_eq!(encoding(&number).await.unwrap().as_deref(), Some("int"));
        assert_eq!(encoding(&long).await.unwrap().as_deref(), Some("raw"));
        // A short string is embedded in its object; Redis 8 embeds the key
        // too, and this test's long key name leaves no room for the value.
        let short = encoding(&text).await.unwrap().unwrap();
        assert!(["embstr", "raw"].contains(&short.as_str()), "{short}");
        let list_encoding = encoding(&list).await.unwrap().unwrap();
        assert!(
            ["listpack", "quicklist"].contains(&list_encoding.as_str()),
            "{list_encoding}"
        );
        assert!(client.object_refcount(&text).await.unwrap().unwrap() >= 1);
        assert!(client.object_idletime(&text).await.unwrap().unwrap() < 60);

        let missing = ctx.key("missing");
        assert_eq!(client.object_encoding(&missing).await.unwrap(), None);
        assert_eq!(client.object_refcount(&missing).await.unwrap(), None);
        assert_eq!(client.object_idletime(&missing).await.unwrap(), None);

        // FREQ needs an LFU eviction policy.
        let err = client.object_freq(&text).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        let help = client.object_help().await.unwrap();
        assert!(help.iter().any(|line| line.starts_with("FREQ")), "{help:?}");
    }
);

each_setup!(
    restore_hints_set_the_idle_time_and_the_lfu_counter,
    |ctx: Ctx| async move {
        // On servers of their own: the search module of the shared Redis 8
        // opens keys as they change, which resets their idle time.
        let (_server, client) = own_server(&ctx, &[]).await;
        client.set("k", "v").await.unwrap();
        let payload = client.dump("k").await.unwrap().unwrap();
        let idle = RestoreOptions::new().idle_time(secs(5000));
        client
            .restore_with("copy", &payload[..], idle)
            .await
            .unwrap();
        let idle = client.object_idletime("copy").await.unwrap().unwrap();
        assert!((5000..5060).contains(&idle), "{idle}");

        let (_server, client) = own_server(&ctx, &["--maxmemory-policy", "allkeys-lfu"]).await;
        client.set("k", "v").await.unwrap();
        assert!(client.object_freq("k").await.unwrap().is_some());
        assert_eq!(client.object_freq("missing").await.unwrap(), None);

        let payload = client.dump("k").await.unwrap().unwrap();
        client
            .restore_with("copy", &payload[..], RestoreOptions::new().freq(100))
            .await
            .unwrap();
        assert_eq!(client.object_freq("copy").await.unwrap(), Some(100));
    }
);

each_setup!(keys_and_randomkey_see_the_keyspace, |ctx: Ctx| async move {
    let (_server, client) = own_server(&ctx, &[]).await;
    assert_eq!(client.randomkey::<String>().await.unwrap(), None);
    assert_eq!(
        client.keys::<String>("*").await.unwrap(),
        Vec::<String>::new()
    );
    client
        .mset([("user:1", "a"), ("user:2", "b"), ("order:1", "c")])
        .await
        .unwrap();
    let mut users = client.keys::<String>("user:*").await.unwrap();
    users.sort();
    assert_eq!(users, ["user:1", "user:2"]);
    let any = client.randomkey::<String>().await.unwrap().unwrap();
    assert!(
        ["user:1", "user:2", "order:1"].contains(&any.as_str()),
        "{any}"
    );
});

each_setup!(
    sort_orders_limits_looks_up_and_stores,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let ids = ctx.key("ids");
        client.rpush(&ids, ["3", "1", "2"]).await.unwrap();
        assert_eq!(client.sort::<i64>(&ids).await.unwrap(), [1, 2, 3]);
        assert_eq!(client.sort_ro::<i64>(&ids).await.unwrap(), [1, 2, 3]);
        let top = SortOptions::new().desc().limit(0, 2);
        assert_eq!(
            client.sort_with::<i64>(&ids, top.clone()).await.unwrap(),
            [3, 2]
        );
        assert_eq!(client.sort_ro_with::<i64>(&ids, top).await.unwrap(), [3, 2]);

        let words = ctx.key("words");
        client
            .rpush(&words, ["pear", "apple", "fig"])
            .await
            .unwrap();
        let alpha = SortOptions::new().alpha();
        assert_eq!(
            client.sort_with::<String>(&words, alpha).await.unwrap(),
            ["apple", "fig", "pear"]
        );
        let err = client.sort::<String>(&words).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);

        // By external weights, fetching the element and a name per element.
        client
            .mset(&[
                (ctx.key("weight_1"), "30"),
                (ctx.key("weight_2"), "10"),
                (ctx.key("weight_3"), "20"),
                (ctx.key("name_1"), "one"),
                (ctx.key("name_2"), "two"),
            ])
            .await
            .unwrap();
        let by_weight = SortOptions::new()
            .by(ctx.key("weight_*"))
            .get("#")
            .get(ctx.key("name_*"));
        let looked_up: Vec<Option<String>> =
            client.sort_with(&ids, by_weight.clone()).await.unwrap();
        let text = |s: &str| Some(s.to_owned());
        assert_eq!(
            looked_up,
            [
                text("2"),
                text("two"),
                text("3"),
                None,
                text("1"),
                text("one")
            ]
        );

        let kept = SortOptions::new().no_sort().get(ctx.key("weight_*"));
        assert_eq!(
            client.sort_with::<i64>(&ids, kept).await.unwrap(),
            [20, 30, 10]
        );

        let sorted = ctx.key("sorted");
        assert_eq!(
            client
                .sort_store(&ids, SortOptions::new().by(ctx.key("weight_*")), &sorted)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            client.lrange::<String>(&sorted, 0, -1).await.unwrap(),
            ["2", "3", "1"]
        );
    }
);

each_setup!(wait_counts_acknowledging_replicas, |ctx: Ctx| async move {
    let client = ctx.client().await;
    client.set(ctx.key("k"), "v").await.unwrap();
    if ctx.setup.cluster {
        // Each primary of the harness's cluster has one replica; WAIT asks every primary
        // and answers the least count.
        assert_eq!(client.wait(1, Duration::from_secs(5)).await.unwrap(), 1);
        assert!(client.wait(2, Duration::from_millis(50)).await.unwrap() <= 1);
    } else {
        // The shared standalone servers have no replicas.
        assert_eq!(client.wait(0, Duration::from_millis(100)).await.unwrap(), 0);
        assert_eq!(client.wait(1, Duration::from_millis(50)).await.unwrap(), 0);
    }
});

each_setup!(
    waitaof_counts_local_and_replica_fsyncs,
    |ctx: Ctx| async move {
        if !ctx.server_has("WAITAOF").await {
            return;
        }
        let client = ctx.client().await;
        // No AOF on the shared servers: nothing to wait for locally. The standalone ones
        // have no replicas; each primary of the cluster has one, which may have answered.
        let acks = client
            .waitaof(0, 0, Duration::from_millis(100))
            .await
            .unwrap();
        assert_eq!(acks.local, 0);
        assert!(acks.replicas <= u64::from(ctx.setup.cluster), "{acks:?}");
        let err = client
            .waitaof(1, 0, Duration::from_millis(100))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);

        let (_server, client) = own_server(&ctx, &["--appendonly", "yes"]).await;
        client.set("k", "v").await.unwrap();
        assert_eq!(
            client.waitaof(1, 0, secs(5)).await.unwrap(),
            AofAcks {
                local: 1,
                replicas: 0
            }
        );
    }
);

each_setup!(
    key_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (k, renamed) = (ctx.key("k"), ctx.key("renamed"));
        let ((), set, ttl, key_type, (), exists, missing): (
            (),
            bool,
            Ttl,
            KeyType,
            (),
            u64,
            KeyType,
        ) = Pipeline::new()
            .set(&k, "v")
            .expire(&k, secs(60))
            .pttl(&k)
            .key_type(&k)
            .rename(&k, &renamed)
            .exists([&k, &renamed])
            .key_type(&k)
            .query(&client)
            .await
            .unwrap();
        assert!(set);
        assert!(ttl.remaining().unwrap() <= secs(60));
        assert_eq!(key_type, KeyType::String);
        assert_eq!(exists, 1);
        assert_eq!(missing, KeyType::Missing);
    }
);
