//! sets commands against the real servers.

use std::collections::{BTreeSet, HashSet};

use redis_core::Pipeline;
use redis_core::commands::*;
use redis_tests::{Ctx, each_setup};

fn set(members: &[&str]) -> HashSet<String> {
    members.iter().map(|m| m.to_string()).collect()
}

each_setup!(sadd_and_srem_count_real_changes, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("s");
    assert_eq!(client.sadd(&key, ["a", "b", "c"]).await.unwrap(), 3);
    assert_eq!(client.sadd(&key, ["c", "d"]).await.unwrap(), 1);
    assert_eq!(client.scard(&key).await.unwrap(), 4);
    assert_eq!(client.srem(&key, ["a", "zz"]).await.unwrap(), 1);
    assert_eq!(client.scard(&key).await.unwrap(), 3);
    assert_eq!(client.scard(ctx.key("none")).await.unwrap(), 0);
});

each_setup!(
    smembers_converts_into_the_collection_asked_for,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        client.sadd(&key, ["b", "a", "c"]).await.unwrap();
        let members: HashSet<String> = client.smembers(&key).await.unwrap();
        assert_eq!(members, set(&["a", "b", "c"]));
        let sorted: BTreeSet<String> = client.smembers(&key).await.unwrap();
        assert_eq!(sorted.into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        let mut listed: Vec<String> = client.smembers(&key).await.unwrap();
        listed.sort();
        assert_eq!(listed, ["a", "b", "c"]);
        let numbers = ctx.key("n");
        client.sadd(&numbers, [3, 1, 2]).await.unwrap();
        let numbers: BTreeSet<i64> = client.smembers(&numbers).await.unwrap();
        assert_eq!(numbers, BTreeSet::from([1, 2, 3]));
        let none: HashSet<String> = client.smembers(ctx.key("none")).await.unwrap();
        assert!(none.is_empty());
    }
);

each_setup!(membership_and_smove, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let (src, dst) = (ctx.key("src"), ctx.key("dst"));
    client.sadd(&src, ["a", "b"]).await.unwrap();
    assert!(client.sismember(&src, "a").await.unwrap());
    assert!(!client.sismember(&src, "zz").await.unwrap());
    assert_eq!(
        client.smismember(&src, ["a", "zz", "b"]).await.unwrap(),
        [true, false, true]
    );
    assert_eq!(
        client.smismember(ctx.key("none"), "a").await.unwrap(),
        [false]
    );

    assert!(client.smove(&src, &dst, "a").await.unwrap());
    assert!(!client.smove(&src, &dst, "a").await.unwrap());
    assert_eq!(
        client.smembers::<HashSet<String>>(&src).await.unwrap(),
        set(&["b"])
    );
    assert_eq!(
        client.smembers::<HashSet<String>>(&dst).await.unwrap(),
        set(&["a"])
    );
});

each_setup!(spop_and_srandmember_draw_members, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("s");
    let all = set(&["a", "b", "c", "d"]);
    client.sadd(&key, ["a", "b", "c", "d"]).await.unwrap();

    let one: String = client.srandmember(&key).await.unwrap();
    assert!(all.contains(&one));
    let distinct: Vec<String> = client.srandmember_count(&key, 3).await.unwrap();
    assert_eq!(distinct.iter().collect::<HashSet<_>>().len(), 3);
    assert!(distinct.iter().all(|m| all.contains(m)));
    let repeated: Vec<String> = client.srandmember_count(&key, -9).await.unwrap();
    assert_eq!(repeated.len(), 9);
    assert!(repeated.iter().all(|m| all.contains(m)));
    assert_eq!(
        client.scard(&key).await.unwrap(),
        4,
        "SRANDMEMBER leaves members in place"
    );

    let popped: String = client.spop(&key).await.unwrap();
    assert!(all.contains(&popped));
    let more: HashSet<String> = client.spop_count(&key, 2).await.unwrap();
    assert_eq!(more.len(), 2);
    assert!(!more.contains(&popped));
    let rest: Vec<String> = client.spop_count(&key, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    let drawn: HashSet<String> = more.into_iter().chain(rest).chain([popped]).collect();
    assert_eq!(drawn, all);

    assert_eq!(client.spop::<Option<String>>(&key).await.unwrap(), None);
    assert!(
        client
            .spop_count::<Vec<String>>(&key, 2)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        client.srandmember::<Option<String>>(&key).await.unwrap(),
        None
    );
    assert!(
        client
            .srandmember_count::<String>(&key, 2)
            .await
            .unwrap()
            .is_empty()
    );
});

each_setup!(set_algebra_and_its_store_forms, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let (a, b, c) = (ctx.key("a"), ctx.key("b"), ctx.key("c"));
    client.sadd(&a, ["1", "2", "3", "4"]).await.unwrap();
    client.sadd(&b, ["3", "4", "5"]).await.unwrap();
    client.sadd(&c, ["4", "6"]).await.unwrap();
    let keys = [&a, &b, &c];

    assert_eq!(
        client.sdiff::<HashSet<String>>(&keys).await.unwrap(),
        set(&["1", "2"])
    );
    assert_eq!(
        client.sinter::<HashSet<String>>(&keys).await.unwrap(),
        set(&["4"])
    );
    assert_eq!(
        client.sunion::<HashSet<String>>(&keys).await.unwrap(),
        set(&["1", "2", "3", "4", "5", "6"])
    );
    let with_missing = [&a, &ctx.key("none")];
    assert!(
        client
            .sinter::<Vec<String>>(&with_missing)
            .await
            .unwrap()
            .is_empty()
    );

    let out = ctx.key("out");
    assert_eq!(client.sdiffstore(&out, [&a, &b]).await.unwrap(), 2);
    assert_eq!(
        client.smembers::<HashSet<String>>(&out).await.unwrap(),
        set(&["1", "2"])
    );
    assert_eq!(client.sinterstore(&out, [&a, &b]).await.unwrap(), 2);
    assert_eq!(
        client.smembers::<HashSet<String>>(&out).await.unwrap(),
        set(&["3", "4"])
    );
    assert_eq!(client.sunionstore(&out, [&b, &c]).await.unwrap(), 4);
    assert_eq!(
        client.smembers::<HashSet<String>>(&out).await.unwrap(),
        set(&["3", "4", "5", "6"])
    );
});

each_setup!(sintercard_counts_up_to_a_limit, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let (a, b) = (ctx.key("a"), ctx.key("b"));
    client.sadd(&a, ["1", "2", "3", "4"]).await.unwrap();
    client.sadd(&b, ["2", "3", "4", "5"]).await.unwrap();
    assert_eq!(client.sintercard([&a, &b]).await.unwrap(), 3);
    assert_eq!(client.sintercard(&a).await.unwrap(), 4);
    assert_eq!(client.sintercard_limit([&a, &b], 2).await.unwrap(), 2);
    assert_eq!(client.sintercard_limit([&a, &b], 0).await.unwrap(), 3);
    assert_eq!(client.sintercard([&a, &ctx.key("none")]).await.unwrap(), 0);
});

each_setup!(
    set_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        let (added, _, members, is_member, card, inter): (
            u64,
            u64,
            HashSet<String>,
            Vec<bool>,
            u64,
            BTreeSet<String>,
        ) = Pipeline::new()
            .sadd(&a, ["x", "y", "z"])
            .sadd(&b, ["y", "z", "w"])
            .smembers(&a)
            .smismember(&a, ["x", "w"])
            .sintercard([&a, &b])
            .sinter([&a, &b])
            .query(&client)
            .await
            .unwrap();
        assert_eq!(added, 3);
        assert_eq!(members, set(&["x", "y", "z"]));
        assert_eq!(is_member, [true, false]);
        assert_eq!(card, 2);
        assert_eq!(inter.into_iter().collect::<Vec<_>>(), ["y", "z"]);
    }
);
