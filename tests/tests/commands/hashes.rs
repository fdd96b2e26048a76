//! hashes commands against the real servers.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis_core::commands::*;
use redis_core::{ErrorKind, FromValue, Pipeline, Value};
use redis_tests::{Ctx, each_setup};

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

each_setup!(hset_counts_only_new_fields, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("h");
    assert_eq!(
        client.hset(&key, [("a", "1"), ("b", "2")]).await.unwrap(),
        2
    );
    assert_eq!(
        client.hset(&key, [("b", "20"), ("c", "3")]).await.unwrap(),
        1
    );
    assert_eq!(client.hget::<String>(&key, "b").await.unwrap(), "20");
    assert_eq!(
        client.hget::<Option<String>>(&key, "zz").await.unwrap(),
        None
    );
    assert_eq!(client.hlen(&key).await.unwrap(), 3);
});

each_setup!(
    hgetall_is_the_same_map_over_resp2_and_resp3,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("h");
        client.hset(&key, [("a", "1"), ("b", "2")]).await.unwrap();
        let all: HashMap<String, String> = client.hgetall(&key).await.unwrap();
        assert_eq!(all, map(&[("a", "1"), ("b", "2")]));
        let typed: BTreeMap<String, i64> = client.hgetall(&key).await.unwrap();
        assert_eq!(
            typed.into_iter().collect::<Vec<_>>(),
            [("a".into(), 1), ("b".into(), 2)]
        );
        let mut pairs: Vec<(String, String)> = client.hgetall(&key).await.unwrap();
        pairs.sort();
        assert_eq!(pairs, [("a".into(), "1".into()), ("b".into(), "2".into())]);
        let missing: HashMap<String, String> = client.hgetall(ctx.key("none")).await.unwrap();
        assert!(missing.is_empty());
    }
);

each_setup!(
    hsetnx_hmset_hmget_and_field_queries,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("h");
        assert!(client.hsetnx(&key, "a", "1").await.unwrap());
        assert!(!client.hsetnx(&key, "a", "2").await.unwrap());
        client
            .hmset(&key, [("b", "hello"), ("c", "3")])
            .await
            .unwrap();
        let got: Vec<Option<String>> = client.hmget(&key, ["a", "zz", "b"]).await.unwrap();
        assert_eq!(got, [Some("1".into()), None, Some("hello".into())]);
        let none: Vec<Option<String>> = client.hmget(ctx.key("none"), "a").await.unwrap();
        assert_eq!(none, [None]);

        let mut keys: Vec<String> = client.hkeys(&key).await.unwrap();
        keys.sort();
        assert_eq!(keys, ["a", "b", "c"]);
        let vals: HashSet<String> = client.hvals(&key).await.unwrap().into_iter().collect();
        assert_eq!(
            vals,
            HashSet::from(["1".into(), "hello".into(), "3".into()])
        );
        assert!(
            client
                .hkeys::<String>(ctx.key("none"))
                .await
                .unwrap()
                .is_empty()
        );

        assert_eq!(client.hstrlen(&key, "b").await.unwrap(), 5);
        assert_eq!(client.hstrlen(&key, "zz").await.unwrap(), 0);
        assert!(client.hexists(&key, "a").await.unwrap());
        assert!(!client.hexists(&key, "zz").await.unwrap());

        assert_eq!(client.hdel(&key, ["a", "zz"]).await.unwrap(), 1);
        assert_eq!(client.hdel(&key, ["b", "c"]).await.unwrap(), 2);
        assert_eq!(client.hlen(&key).await.unwrap(), 0);
    }
);

each_setup!(hincrby_counts_from_zero, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("h");
    assert_eq!(client.hincrby(&key, "n", 5).await.unwrap(), 5);
    assert_eq!(client.hincrby(&key, "n", -7).await.unwrap(), -2);
    assert_eq!(client.hincrbyfloat(&key, "f", 1.5).await.unwrap(), 1.5);
    assert_eq!(client.hincrbyfloat(&key, "f", -0.25).await.unwrap(), 1.25);
    let err = client.hincrby(&key, "f", 1).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
});

each_setup!(hrandfield_picks_existing_fields, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("h");
    let fields = map(&[("a", "1"), ("b", "2"), ("c", "3")]);
    let pairs: Vec<(&String, &String)> = fields.iter().collect();
    client.hset(&key, &pairs).await.unwrap();

    let one: String = client.hrandfield(&key).await.unwrap();
    assert!(fields.contains_key(&one), "{one}");
    let none: Option<String> = client.hrandfield(ctx.key("none")).await.unwrap();
    assert_eq!(none, None);

    // A positive count: distinct fields, at most as many as there are.
    let distinct: Vec<String> = client.hrandfield_count(&key, 10).await.unwrap();
    assert_eq!(distinct.iter().collect::<HashSet<_>>().len(), 3);
    assert_eq!(distinct.len(), 3);
    // A negative count: exactly that many, repeats allowed.
    let repeated: Vec<String> = client.hrandfield_count(&key, -7).await.unwrap();
    assert_eq!(repeated.len(), 7);
    assert!(repeated.iter().all(|f| fields.contains_key(f)));

    let with_values: Vec<(String, String)> = client.hrandfield_withvalues(&key, 2).await.unwrap();
    assert_eq!(with_values.len(), 2);
    for (field, value) in &with_values {
        assert_eq!(fields.get(field), Some(value));
    }
    let repeated: Vec<(String, i64)> = client.hrandfield_withvalues(&key, -5).await.unwrap();
    assert_eq!(repeated.len(), 5);
    let empty: Vec<(String, String)> = client
        .hrandfield_withvalues(ctx.key("none"), 3)
        .await
        .unwrap();
    assert!(empty.is_empty());
});

each_setup!(
    hash_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("h");
        let (added, n, got, all, len): (
            u64,
            i64,
            Vec<Option<String>>,
            HashMap<String, String>,
            u64,
        ) = Pipeline::new()
            .hset(&key, [("a", "1"), ("b", "2")])
            .hincrby(&key, "a", 10)
            .hmget(&key, ["a", "zz"])
            .hgetall(&key)
            .hlen(&key)
            .query(&client)
            .await
            .unwrap();
        assert_eq!((added, n, len), (2, 11, 2));
        assert_eq!(got, [Some("11".into()), None]);
        assert_eq!(all, map(&[("a", "11"), ("b", "2")]));
    }
);

each_setup!(
    hexpire_reports_an_outcome_per_field,
    |ctx: Ctx| async move {
        if !ctx.server_has_all(&["HEXPIRE", "HTTL"]).await {
            return;
        }
        let client = ctx.client().await;
        let key = ctx.key("h");
        client
            .hset(&key, [("a", "1"), ("b", "2"), ("c", "3")])
            .await
            .unwrap();
        let minute = Duration::from_secs(60);

        let set = client.hexpire(&key, minute, ["a", "zz"]).await.unwrap();
        assert_eq!(set, [FieldExpireOutcome::Set, FieldExpireOutcome::Missing]);
        // NX: only fields without an expiry.
        let nx = client
            .hexpire_with(&key, minute, FieldExpireCondition::Nx, ["a", "b"])
            .await
            .unwrap();
        assert_eq!(
            nx,
            [FieldExpireOutcome::ConditionNotMet, FieldExpireOutcome::Set]
        );
        // XX: only fields with one.
        let xx = client
            .hexpire_with(&key, minute, FieldExpireCondition::Xx, ["a", "c"])
            .await
            .unwrap();
        assert_eq!(
            xx,
            [FieldExpireOutcome::Set, FieldExpireOutcome::ConditionNotMet]
        );
        // GT / LT compare with the current expiry.
        let gt = client
            .hexpire_with(&key, Duration::from_secs(30), FieldExpireCondition::Gt, "a")
            .await
            .unwrap();
        assert_eq!(gt, [FieldExpireOutcome::ConditionNotMet]);
        let lt = client
            .hexpire_with(&key, Duration::from_secs(30), FieldExpireCondition::Lt, "a")
            .await
            .unwrap();
        assert_eq!(lt, [FieldExpireOutcome::Set]);
        assert_eq!(
            client.httl(&key, ["a", "b", "c", "zz"]).await.unwrap(),
            [
                Ttl::Expires(Duration::from_secs(30)),
                Ttl::Expires(minute),
                Ttl::Persistent,
                Ttl::Missing,
            ]
        );

        // A zero TTL deletes the field.
        let zero = client.hexpire(&key, Duration::ZERO, "c").await.unwrap();
        assert_eq!(zero, [FieldExpireOutcome::Deleted]);
        assert!(!client.hexists(&key, "c").await.unwrap());
        // A fraction of a second rounds up rather than deleting.
        let half = client
            .hexpire(&key, Duration::from_millis(500), "b")
            .await
            .unwrap();
        assert_eq!(half, [FieldExpireOutcome::Set]);
        assert_eq!(
            client.httl(&key, "b").await.unwrap(),
            [Ttl::Expires(Duration::from_secs(1))]
        );

        let missing = client
            .hexpire(ctx.key("none"), minute, ["a", "b"])
            .await
            .unwrap();
        assert_eq!(
            missing,
            [FieldExpireOutcome::Missing, FieldExpireOutcome::Missing]
        );
    }
);

each_setup!(
    hpexpire_and_hpttl_work_in_milliseconds,
    |ctx: Ctx| async move {
        if !ctx.server_has_all(&["HPEXPIRE", "HPTTL"]).await {
            return;
        }
        let client = ctx.client().await;
        let key = ctx.key("h");
        client.hset(&key, [("a", "1"), ("b", "2")]).await.unwrap();
        let set = client
            .hpexpire(&key, Duration::from_millis(80_000), "a")
            .await
            .unwrap();
        assert_eq!(set, [FieldExpireOutcome::Set]);
        let not_set = client
            .hpexpire_with(
                &key,
                Duration::from_secs(5),
                FieldExpireCondition::Gt,
                ["a", "b"],
            )
            .await
            .unwrap();
        assert_eq!(
            not_set,
            [
                FieldExpireOutcome::ConditionNotMet,
                FieldExpireOutcome::ConditionNotMet
            ]
        );
        let ttl = client.hpttl(&key, ["a", "b", "zz"]).await.unwrap();
        match ttl[0] {
            Ttl::Expires(left) => {
                assert!(
                    left > Duration::from_secs(70) && left <= Duration::from_secs(80),
                    "{left:?}"
                )
            }
            other => panic!("expected an expiry, got {other:?}"),
        }
        assert_eq!(&ttl[1..], [Ttl::Persistent, Ttl::Missing]);

        // The field really goes away.
        client
            .hpexpire(&key, Duration::from_millis(50), "b")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!client.hexists(&key, "b").await.unwrap());
    }
);

each_setup!(
    hexpireat_sets_the_times_hexpiretime_reports,
    |ctx: Ctx| async move {
        if !ctx
            .server_has_all(&["HEXPIREAT", "HEXPIRETIME", "HPEXPIREAT", "HPEXPIRETIME"])
            .await
        {
            return;
        }
        let client = ctx.client().await;
        let key = ctx.key("h");
        client
            .hset(&key, [("a", "1"), ("b", "2"), ("c", "3")])
            .await
            .unwrap();
        let in_an_hour = UNIX_EPOCH
            + Duration::from_secs(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs()
                    + 3600,
            );
        let precise = UNIX_EPOCH + Duration::from_millis(4_000_000_000_123);

        let at = client.hexpireat(&key, in_an_hour, "a").await.unwrap();
        assert_eq!(at, [FieldExpireOutcome::Set]);
        let pat = client.hpexpireat(&key, precise, ["b", "zz"]).await.unwrap();
        assert_eq!(pat, [FieldExpireOutcome::Set, FieldExpireOutcome::Missing]);
        assert_eq!(
            client.hexpiretime(&key, ["a", "c", "zz"]).await.unwrap(),
            [
                ExpireTime::At(in_an_hour),
                ExpireTime::Persistent,
                ExpireTime::Missing
            ]
        );
        assert_eq!(
            client.hpexpiretime(&key, ["b", "a"]).await.unwrap(),
            [ExpireTime::At(precise), ExpireTime::At(in_an_hour)]
        );

        // Conditions, at absolute times.
        let nx = client
            .hexpireat_with(&key, in_an_hour, FieldExpireCondition::Nx, ["a", "c"])
            .await
            .unwrap();
        assert_eq!(
            nx,
            [FieldExpireOutcome::ConditionNotMet, FieldExpireOutcome::Set]
        );
        let lt = client
            .hpexpireat_with(&key, in_an_hour, FieldExpireCondition::Lt, ["b"])
            .await
            .unwrap();
        assert_eq!(lt, [FieldExpireOutcome::Set]);
        assert_eq!(
            client.hpexpiretime(&key, "b").await.unwrap(),
            [ExpireTime::At(in_an_hour)]
        );

        // A time in the past deletes the field.
        let past = client
            .hpexpireat(&key, UNIX_EPOCH + Duration::from_secs(1), "c")
            .await
            .unwrap();
        assert_eq!(past, [FieldExpireOutcome::Deleted]);
        assert!(!client.hexists(&key, "c").await.unwrap());
    }
);

each_setup!(hpersist_removes_field_expiry, |ctx: Ctx| async move {
    if !ctx.server_has_all(&["HEXPIRE", "HPERSIST", "HTTL"]).await {
        return;
    }
    let client = ctx.client().await;
    let key = ctx.key("h");
    client.hset(&key, [("a", "1"), ("b", "2")]).await.unwrap();
    client
        .hexpire(&key, Duration::from_secs(60), "a")
        .await
        .unwrap();
    assert_eq!(
        client.hpersist(&key, ["a", "b", "zz"]).await.unwrap(),
        [
            FieldPersistOutcome::Removed,
            FieldPersistOutcome::NoExpiry,
            FieldPersistOutcome::Missing
        ]
    );
    assert_eq!(client.httl(&key, "a").await.unwrap(), [Ttl::Persistent]);
});

each_setup!(
    hsetex_sets_values_and_expiry_at_once,
    |ctx: Ctx| async move {
        if !ctx
            .server_has_all(&["HSETEX", "HTTL", "HPTTL", "HPEXPIRETIME"])
            .await
        {
            return;
        }
        let client = ctx.client().await;
        let key = ctx.key("h");
        assert!(
            client
                .hsetex(&key, Duration::from_secs(100), [("a", "1"), ("b", "2")])
                .await
                .unwrap()
        );
        assert_eq!(
            client.httl(&key, "a").await.unwrap(),
            [Ttl::Expires(Duration::from_secs(100))]
        );

        // FNX: refused when any field exists, and nothing is set.
        let fnx = HsetexOptions::new().only_if_none_exist();
        assert!(
            !client
                .hsetex_with(&key, fnx, [("a", "x"), ("c", "3")])
                .await
                .unwrap()
        );
        assert!(!client.hexists(&key, "c").await.unwrap());
        assert!(client.hsetex_with(&key, fnx, [("c", "3")]).await.unwrap());

        // FXX with KEEPTTL: all must exist; the expiry stays.
        let fxx = HsetexOptions::new().only_if_all_exist().keep_ttl();
        assert!(
            !client
                .hsetex_with(&key, fxx, [("a", "x"), ("zz", "0")])
                .await
                .unwrap()
        );
        assert!(client.hsetex_with(&key, fxx, [("a", "10")]).await.unwrap());
        assert_eq!(client.hget::<String>(&key, "a").await.unwrap(), "10");
        assert_eq!(
            client.httl(&key, "a").await.unwrap(),
            [Ttl::Expires(Duration::from_secs(100))]
        );

        // No expiry option: the expiry is removed. An absolute time sets one.
        assert!(
            client
                .hsetex_with(&key, HsetexOptions::new(), [("a", "11")])
                .await
                .unwrap()
        );
        assert_eq!(client.httl(&key, "a").await.unwrap(), [Ttl::Persistent]);
        let at = UNIX_EPOCH + Duration::from_millis(4_000_000_000_456);
        let fields: Vec<(String, String)> = vec![("b".into(), "20".into())];
        assert!(
            client
                .hsetex_with(&key, HsetexOptions::new().expire_at(at), &fields)
                .await
                .unwrap()
        );
        assert_eq!(
            client.hpexpiretime(&key, "b").await.unwrap(),
            [ExpireTime::At(at)]
        );
        let options = HsetexOptions::new().expire_in(Duration::from_millis(90_500));
        assert!(client.hsetex_with(&key, options, &fields).await.unwrap());
        match client.hpttl(&key, "b").await.unwrap()[..] {
            [Ttl::Expires(left)] => {
                assert!(left > Duration::from_secs(85) && left <= Duration::from_millis(90_500))
            }
            ref other => panic!("{other:?}"),
        }
    }
);

each_setup!(hgetex_reads_and_changes_expiry, |ctx: Ctx| async move {
    if !ctx
        .server_has_all(&["HGETEX", "HTTL", "HPTTL", "HPEXPIRETIME"])
        .await
    {
        return;
    }
    let client = ctx.client().await;
    let key = ctx.key("h");
    client
        .hset(&key, [("a", "1"), ("b", "2"), ("c", "3")])
        .await
        .unwrap();

    let got: Vec<Option<String>> = client
        .hgetex(
            &key,
            FieldGetExpiry::In(Duration::from_secs(50)),
            ["a", "zz"],
        )
        .await
        .unwrap();
    assert_eq!(got, [Some("1".into()), None]);
    match client.hpttl(&key, "a").await.unwrap()[..] {
        [Ttl::Expires(left)] => {
            assert!(left > Duration::from_secs(45) && left <= Duration::from_secs(50))
        }
        ref other => panic!("{other:?}"),
    }
    let at = UNIX_EPOCH + Duration::from_millis(4_000_000_000_789);
    let got: Vec<Option<i64>> = client
        .hgetex(&key, FieldGetExpiry::At(at), "b")
        .await
        .unwrap();
    assert_eq!(got, [Some(2)]);
    assert_eq!(
        client.hpexpiretime(&key, "b").await.unwrap(),
        [ExpireTime::At(at)]
    );

    let got: Vec<Option<String>> = client
        .hgetex(&key, FieldGetExpiry::Persist, ["a", "b"])
        .await
        .unwrap();
    assert_eq!(got, [Some("1".into()), Some("2".into())]);
    assert_eq!(
        client.httl(&key, ["a", "b"]).await.unwrap(),
        [Ttl::Persistent, Ttl::Persistent]
    );

    // A zero TTL hands the value back and deletes the field.
    let got: Vec<Option<String>> = client
        .hgetex(&key, FieldGetExpiry::In(Duration::ZERO), "c")
        .await
        .unwrap();
    assert_eq!(got, [Some("3".into())]);
    assert!(!client.hexists(&key, "c").await.unwrap());
});

each_setup!(hgetdel_returns_and_removes_fields, |ctx: Ctx| async move {
    if !ctx.server_has("HGETDEL").await {
        return;
    }
    let client = ctx.client().await;
    let key = ctx.key("h");
    client.hset(&key, [("a", "1"), ("b", "2")]).await.unwrap();
    let got: Vec<Option<String>> = client.hgetdel(&key, ["a", "zz"]).await.unwrap();
    assert_eq!(got, [Some("1".into()), None]);
    assert_eq!(client.hkeys::<String>(&key).await.unwrap(), ["b"]);
    // The last field gone, the key is gone.
    let got: Vec<Option<String>> = client.hgetdel(&key, "b").await.unwrap();
    assert_eq!(got, [Some("2".into())]);
    assert_eq!(client.exists(&key).await.unwrap(), 0);
    let got: Vec<Option<String>> = client.hgetdel(&key, "b").await.unwrap();
    assert_eq!(got, [None]);
});

each_setup!(
    field_expiration_chains_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        if !ctx
            .server_has_all(&["HSETEX", "HEXPIRE", "HTTL", "HPERSIST", "HGETDEL"])
            .await
        {
            return;
        }
        let client = ctx.client().await;
        let key = ctx.key("h");
        // The reply types come from the commands; only HGETDEL's values are chosen.
        let (set, expired, ttl, persisted, got) = Pipeline::new()
            .hsetex(&key, Duration::from_secs(40), [("a", "1"), ("b", "2")])
            .hexpire(&key, Duration::from_secs(20), "b")
            .httl(&key, ["a", "b"])
            .hpersist(&key, "a")
            .hgetdel::<String>(&key, ["a", "b"])
            .query(&client)
            .await
            .unwrap();
        assert!(set);
        assert_eq!(expired, [FieldExpireOutcome::Set]);
        assert_eq!(
            ttl,
            [
                Ttl::Expires(Duration::from_secs(40)),
                Ttl::Expires(Duration::from_secs(20))
            ]
        );
        assert_eq!(persisted, [FieldPersistOutcome::Removed]);
        assert_eq!(got, [Some("1".into()), Some("2".into())]);
    }
);

#[test]
fn unknown_per_field_codes_are_protocol_errors() {
    let err = FieldExpireOutcome::from_value(Value::Integer(7)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    let err = FieldPersistOutcome::from_value(Value::Integer(0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    let err = Ttl::<1000>::from_value(Value::Integer(-3)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    let err = ExpireTime::<1>::from_value(Value::Integer(-5)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert_eq!(
        ExpireTime::<1000>::from_value(Value::Integer(10)).unwrap(),
        ExpireTime::<1000>::At(UNIX_EPOCH + Duration::from_secs(10))
    );
}
