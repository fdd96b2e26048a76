//! String commands against the real servers.

use std::time::{Duration, SystemTime};

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline};
use redis_tests::{Ctx, each_setup};

each_setup!(
    append_grows_the_string_and_ranges_read_parts_of_it,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        assert_eq!(client.append(&key, "hello").await.unwrap(), 5);
        assert_eq!(client.append(&key, " world").await.unwrap(), 11);
        assert_eq!(client.strlen(&key).await.unwrap(), 11);
        assert_eq!(client.strlen(ctx.key("missing")).await.unwrap(), 0);
        assert_eq!(
            client.getrange::<String>(&key, 0, 4).await.unwrap(),
            "hello"
        );
        assert_eq!(
            client.getrange::<String>(&key, -5, -1).await.unwrap(),
            "world"
        );
        assert_eq!(
            client.substr::<String>(&key, 6, 100).await.unwrap(),
            "world"
        );
        assert_eq!(
            client
                .getrange::<String>(ctx.key("missing"), 0, -1)
                .await
                .unwrap(),
            ""
        );

        assert_eq!(client.setrange(&key, 6, "Redis").await.unwrap(), 11);
        assert_eq!(client.get::<String>(&key).await.unwrap(), "hello Redis");
        // Past the end the string is padded with zero bytes.
        let padded = ctx.key("padded");
        assert_eq!(client.setrange(&padded, 3, "x").await.unwrap(), 4);
        assert_eq!(client.get::<Vec<u8>>(&padded).await.unwrap(), b"\0\0\0x");
    }
);

each_setup!(
    counters_go_up_and_down_from_a_missing_key,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let n = ctx.key("n");
        assert_eq!(client.incr(&n).await.unwrap(), 1);
        assert_eq!(client.incrby(&n, 10).await.unwrap(), 11);
        assert_eq!(client.incrby(&n, 1).await.unwrap(), 12);
        assert_eq!(client.decr(&n).await.unwrap(), 11);
        assert_eq!(client.decrby(&n, 15).await.unwrap(), -4);
        assert_eq!(client.decr(ctx.key("other")).await.unwrap(), -1);

        let f = ctx.key("f");
        assert_eq!(client.incrbyfloat(&f, 1.5).await.unwrap(), 1.5);
        assert_eq!(client.incrbyfloat(&f, -0.25).await.unwrap(), 1.25);
        assert_eq!(client.get::<f64>(&f).await.unwrap(), 1.25);

        client.set(ctx.key("word"), "abc").await.unwrap();
        let err = client.incr(ctx.key("word")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }
);

each_setup!(
    set_with_conditions_writes_only_when_they_hold,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("k");
        let missing = SetOptions::new().if_missing();
        let existing = SetOptions::new().if_exists();

        assert_eq!(
            client.set_with(&key, "v1", existing.clone()).await.unwrap(),
            SetOutcome::NotSet
        );
        assert_eq!(client.exists(&key).await.unwrap(), 0);
        assert!(
            client
                .set_with(&key, "v1", missing.clone())
                .await
                .unwrap()
                .is_set()
        );
        assert_eq!(
            client.set_with(&key, "v2", missing).await.unwrap(),
            SetOutcome::NotSet
        );
        assert_eq!(client.get::<String>(&key).await.unwrap(), "v1");
        assert_eq!(
            client.set_with(&key, "v3", existing).await.unwrap(),
            SetOutcome::Set
        );
        assert_eq!(client.get::<String>(&key).await.unwrap(), "v3");
    }
);

each_setup!(
    set_with_expiry_sets_keeps_or_clears_the_ttl,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("k");
        let hundred = Duration::from_secs(100);
        client
            .set_with(&key, "a", SetOptions::new().expire_in(hundred))
            .await
            .unwrap();
        let left = client.pttl(&key).await.unwrap().remaining().unwrap();
        assert!(
            left <= hundred && left > Duration::from_secs(90),
            "{left:?}"
        );

        client
            .set_with(&key, "b", SetOptions::new().keep_ttl())
            .await
            .unwrap();
        assert!(matches!(client.pttl(&key).await.unwrap(), Ttl::Expires(_)));
        assert_eq!(client.get::<String>(&key).await.unwrap(), "b");

        // A plain SET clears the expiry.
        client.set(&key, "c").await.unwrap();
        assert_eq!(client.pttl(&key).await.unwrap(), Ttl::Persistent);

        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(4_102_444_800_123); // 2100
        client
            .set_with(&key, "d", SetOptions::new().if_exists().expire_at(at))
            .await
            .unwrap();
        assert_eq!(client.pexpiretime(&key).await.unwrap(), ExpireTime::At(at));

        client.set_ex(&key, "e", hundred).await.unwrap();
        assert!(client.pttl(&key).await.unwrap().remaining().unwrap() <= hundred);
    }
);

each_setup!(set_get_returns_the_previous_value, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("k");
    let previous: Option<String> = client
        .set_get(&key, "one", SetOptions::new())
        .await
        .unwrap();
    assert_eq!(previous, None);
    let previous: Option<String> = client
        .set_get(
            &key,
            "two",
            SetOptions::new().expire_in(Duration::from_secs(60)),
        )
        .await
        .unwrap();
    assert_eq!(previous.as_deref(), Some("one"));
    assert!(matches!(client.pttl(&key).await.unwrap(), Ttl::Expires(_)));
    // With NX on an existing key: nothing is written, the value is returned.
    let previous: Option<String> = client
        .set_get(&key, "three", SetOptions::new().if_missing())
        .await
        .unwrap();
    assert_eq!(previous.as_deref(), Some("two"));
    assert_eq!(client.get::<String>(&key).await.unwrap(), "two");

    assert_eq!(client.getset::<String>(&key, "four").await.unwrap(), "two");
    assert_eq!(client.get::<String>(&key).await.unwrap(), "four");
});

each_setup!(
    getex_and_getdel_read_and_change_the_key,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("k");
        client.set(&key, "v").await.unwrap();

        let ten = Duration::from_secs(10);
        let value: String = client.getex(&key, GetExExpiry::In(ten)).await.unwrap();
        assert_eq!(value, "v");
        let left = client.pttl(&key).await.unwrap().remaining().unwrap();
        assert!(left <= ten && left > Duration::from_secs(5), "{left:?}");

        let value: String = client.getex(&key, GetExExpiry::Persist).await.unwrap();
        assert_eq!(value, "v");
        assert_eq!(client.pttl(&key).await.unwrap(), Ttl::Persistent);

        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(4_102_444_800_456);
        let _: String = client.getex(&key, GetExExpiry::At(at)).await.unwrap();
        assert_eq!(client.pexpiretime(&key).await.unwrap(), ExpireTime::At(at));

        let missing: Option<String> = client
            .getex(ctx.key("missing"), GetExExpiry::Persist)
            .await
            .unwrap();
        assert_eq!(missing, None);

        assert_eq!(client.getdel::<String>(&key).await.unwrap(), "v");
        assert_eq!(client.exists(&key).await.unwrap(), 0);
        assert_eq!(client.getdel::<Option<String>>(&key).await.unwrap(), None);
    }
);

each_setup!(
    mset_and_mget_work_on_many_keys_and_msetnx_on_none_or_all,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b, c) = (ctx.key("a"), ctx.key("b"), ctx.key("c"));
        client
            .mset([(a.as_str(), "1"), (b.as_str(), "2")])
            .await
            .unwrap();
        let values: Vec<Option<i64>> = client.mget([&a, &c, &b]).await.unwrap();
        assert_eq!(values, [Some(1), None, Some(2)]);

        // One existing key and nothing is written.
        assert!(
            !client
                .msetnx([(a.as_str(), "x"), (c.as_str(), "3")])
                .await
                .unwrap()
        );
        assert_eq!(client.exists(&c).await.unwrap(), 0);
        let (d, e) = (ctx.key("d"), ctx.key("e"));
        assert!(
            client
                .msetnx([(d.as_str(), "4"), (e.as_str(), "5")])
                .await
                .unwrap()
        );
        let values: Vec<Option<String>> = client.mget([&d, &e]).await.unwrap();
        assert_eq!(values, [Some("4".to_owned()), Some("5".to_owned())]);
    }
);

each_setup!(
    the_deprecated_set_forms_still_set_expire_and_check,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("setex");
        client
            .setex(&key, Duration::from_secs(10), "a")
            .await
            .unwrap();
        let left = client.ttl(&key).await.unwrap().remaining().unwrap();
        assert!(
            left <= Duration::from_secs(10) && left >= Duration::from_secs(9),
            "{left:?}"
        );
        assert_eq!(client.get::<String>(&key).await.unwrap(), "a");

        let key = ctx.key("psetex");
        client
            .psetex(&key, Duration::from_millis(1500), "b")
            .await
            .unwrap();
        let left = client.pttl(&key).await.unwrap().remaining().unwrap();
        assert!(
            left <= Duration::from_millis(1500) && left > Duration::from_millis(1000),
            "{left:?}"
        );

        let key = ctx.key("setnx");
        assert!(client.setnx(&key, "first").await.unwrap());
        assert!(!client.setnx(&key, "second").await.unwrap());
        assert_eq!(client.get::<String>(&key).await.unwrap(), "first");
    }
);

each_setup!(
    lcs_finds_the_common_subsequence_its_length_and_positions,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        client.set(&a, "ohmytext").await.unwrap();
        client.set(&b, "mynewtext").await.unwrap();

        assert_eq!(client.lcs::<String>(&a, &b).await.unwrap(), "mytext");
        assert_eq!(client.lcs_len(&a, &b).await.unwrap(), 6);

        let all = client.lcs_idx(&a, &b, 0).await.unwrap();
        assert_eq!(
            all,
            LcsMatches {
                matches: vec![
                    LcsMatch {
                        first: 4..=7,
                        second: 5..=8,
                        len: 4
                    },
                    LcsMatch {
                        first: 2..=3,
                        second: 0..=1,
                        len: 2
                    },
                ],
                len: 6,
            }
        );
        let long = client.lcs_idx(&a, &b, 3).await.unwrap();
        assert_eq!(long.len, 6);
        assert_eq!(long.matches, all.matches[..1]);
    }
);

each_setup!(
    string_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (k, n) = (ctx.key("k"), ctx.key("n"));
        let (set, appended, len, count, value, values): (
            SetOutcome,
            u64,
            u64,
            i64,
            String,
            Vec<Option<String>>,
        ) = Pipeline::new()
            .set_with(&k, "abc", SetOptions::new().if_missing())
            .append(&k, "def")
            .strlen(&k)
            .incrby(&n, 5)
            .getrange(&k, 1, 3)
            .mget([&k, &n])
            .query(&client)
            .await
            .unwrap();
        assert_eq!(set, SetOutcome::Set);
        assert_eq!((appended, len, count), (6, 6, 5));
        assert_eq!(value, "bcd");
        assert_eq!(values, [Some("abcdef".to_owned()), Some("5".to_owned())]);
    }
);
