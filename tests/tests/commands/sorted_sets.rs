//! Sorted set commands against the real servers: Redis 8.2 and 7.0, RESP3
//! and RESP2 (the Redis 7.2 `WITHSCORE` forms on 8.2 only).

use std::ops::Bound;
use std::time::{Duration, Instant};

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline};
use redis_tests::{Ctx, each_redis8, each_setup};

fn owned(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect()
}

/// `board`: a 1, b 2, c 3, d 4, e 5.
async fn board(ctx: &Ctx, client: &redis_core::Redis) -> String {
    let key = ctx.key("board");
    let added = client
        .zadd(
            &key,
            &[(1.0, "a"), (2.0, "b"), (3.0, "c"), (4.0, "d"), (5.0, "e")],
        )
        .await
        .unwrap();
    assert_eq!(added, 5);
    key
}

/// `words`: a..e, all of score 0 (for lex ranges).
async fn words(ctx: &Ctx, client: &redis_core::Redis) -> String {
    let key = ctx.key("words");
    let members: Vec<(f64, &str)> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|m| (0.0, *m))
        .collect();
    assert_eq!(client.zadd(&key, &members).await.unwrap(), 5);
    key
}

each_setup!(
    zadd_counts_new_members_and_scores_read_back,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("z");
        assert_eq!(
            client.zadd(&key, &[(1.5, "a"), (2.0, "b")]).await.unwrap(),
            2
        );
        // Updating a score adds nothing.
        assert_eq!(
            client.zadd(&key, &[(3.0, "a"), (4.0, "c")]).await.unwrap(),
            1
        );
        assert_eq!(client.zcard(&key).await.unwrap(), 3);
        assert_eq!(client.zcard(ctx.key("missing")).await.unwrap(), 0);
        assert_eq!(client.zscore(&key, "a").await.unwrap(), Some(3.0));
        assert_eq!(client.zscore(&key, "nope").await.unwrap(), None);
        assert_eq!(
            client.zmscore(&key, ["b", "nope", "c"]).await.unwrap(),
            [Some(2.0), None, Some(4.0)]
        );
        assert_eq!(client.zincrby(&key, -0.5, "b").await.unwrap(), 1.5);
        assert_eq!(client.zincrby(&key, 2.0, "new").await.unwrap(), 2.0);
        assert_eq!(client.zrem(&key, ["a", "nope", "new"]).await.unwrap(), 2);
        assert_eq!(
            client
                .zrange_withscores::<String>(&key, ZRange::all())
                .await
                .unwrap(),
            owned(&[("b", 1.5), ("c", 4.0)])
        );
        // Scores at the ends of f64 survive the trip.
        client
            .zadd(
                &key,
                &[(f64::INFINITY, "top"), (f64::NEG_INFINITY, "bottom")],
            )
            .await
            .unwrap();
        assert_eq!(
            client.zscore(&key, "top").await.unwrap(),
            Some(f64::INFINITY)
        );
        assert_eq!(
            client.zscore(&key, "bottom").await.unwrap(),
            Some(f64::NEG_INFINITY)
        );
    }
);

each_setup!(zadd_conditions_decide_what_changes, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("z");
    client
        .zadd(&key, &[(10.0, "a"), (10.0, "b")])
        .await
        .unwrap();
    let scores = |members: &'static [&'static str]| {
        let client = client.clone();
        let key = key.clone();
        async move { client.zmscore(&key, members).await.unwrap() }
    };

    // NX adds new members only.
    let added = client
        .zadd_with(&key, &[(1.0, "a"), (1.0, "c")], ZAddCondition::Nx)
        .await
        .unwrap();
    assert_eq!(added, 1);
    assert_eq!(scores(&["a", "c"]).await, [Some(10.0), Some(1.0)]);

    // XX updates existing members only; CH counts the update.
    let changed = client
        .zadd_with(
            &key,
            &[(2.0, "c"), (2.0, "d")],
            ZAddOptions::new().condition(ZAddCondition::Xx).changed(),
        )
        .await
        .unwrap();
    assert_eq!(changed, 1);
    assert_eq!(scores(&["c", "d"]).await, [Some(2.0), None]);

    // GT raises only, but still adds new members.
    let changed = client
        .zadd_with(
            &key,
            &[(5.0, "a"), (20.0, "b"), (7.0, "e")],
            ZAddOptions::new().condition(ZAddCondition::Gt).changed(),
        )
        .await
        .unwrap();
    assert_eq!(changed, 2);
    assert_eq!(
        scores(&["a", "b", "e"]).await,
        [Some(10.0), Some(20.0), Some(7.0)]
    );

    // LT lowers only.
    client
        .zadd_with(&key, &[(15.0, "a"), (3.0, "b")], ZAddCondition::Lt)
        .await
        .unwrap();
    assert_eq!(scores(&["a", "b"]).await, [Some(10.0), Some(3.0)]);

    // XX GT and XX LT never add.
    let changed = client
        .zadd_with(
            &key,
            &[(11.0, "a"), (50.0, "f")],
            ZAddOptions::from(ZAddCondition::XxGt).changed(),
        )
        .await
        .unwrap();
    assert_eq!(changed, 1);
    client
        .zadd_with(&key, &[(1.0, "a"), (1.0, "g")], ZAddCondition::XxLt)
        .await
        .unwrap();
    assert_eq!(scores(&["a", "f", "g"]).await, [Some(1.0), None, None]);
});

each_setup!(
    zadd_incr_returns_the_new_score_or_none_when_refused,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("z");
        let incr = |condition, by, member: &'static str| {
            let (client, key) = (client.clone(), key.clone());
            async move { client.zadd_incr(&key, condition, by, member).await.unwrap() }
        };
        assert_eq!(incr(ZAddCondition::Nx, 2.5, "a").await, Some(2.5));
        assert_eq!(incr(ZAddCondition::Nx, 1.0, "a").await, None);
        assert_eq!(incr(ZAddCondition::Xx, 1.0, "a").await, Some(3.5));
        assert_eq!(incr(ZAddCondition::Xx, 1.0, "missing").await, None);
        assert_eq!(incr(ZAddCondition::Gt, -1.0, "a").await, None);
        assert_eq!(incr(ZAddCondition::XxLt, -1.0, "a").await, Some(2.5));
        assert_eq!(client.zscore(&key, "a").await.unwrap(), Some(2.5));
    }
);

each_setup!(
    zcount_and_zlexcount_honour_each_kind_of_end,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        assert_eq!(client.zcount(&key, 2.0..=4.0).await.unwrap(), 3);
        assert_eq!(client.zcount(&key, 2.0..4.0).await.unwrap(), 2);
        assert_eq!(client.zcount(&key, 2..4).await.unwrap(), 2);
        assert_eq!(client.zcount(&key, 4.0..).await.unwrap(), 2);
        assert_eq!(client.zcount(&key, ..=1.0).await.unwrap(), 1);
        assert_eq!(client.zcount(&key, ..).await.unwrap(), 5);
        let above_two = (Bound::Excluded(2.0), Bound::Unbounded);
        assert_eq!(client.zcount(&key, above_two).await.unwrap(), 3);
        assert_eq!(client.zcount(&key, 10.0..).await.unwrap(), 0);

        let words = words(&ctx, &client).await;
        assert_eq!(client.zlexcount(&words, "b"..="d").await.unwrap(), 3);
        assert_eq!(client.zlexcount(&words, "b".."d").await.unwrap(), 2);
        assert_eq!(client.zlexcount(&words, "c"..).await.unwrap(), 3);
        assert_eq!(client.zlexcount(&words, ..).await.unwrap(), 5);
        let after_a = (Bound::Excluded("a"), Bound::Included("b"));
        assert_eq!(client.zlexcount(&words, after_a).await.unwrap(), 1);
    }
);

each_setup!(
    zrange_selects_by_rank_score_and_lex,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        let range = |range| {
            let (client, key) = (client.clone(), key.clone());
            async move { client.zrange::<String>(&key, range).await.unwrap() }
        };
        assert_eq!(range(ZRange::all()).await, ["a", "b", "c", "d", "e"]);
        assert_eq!(range(ZRange::rank(1, 2)).await, ["b", "c"]);
        assert_eq!(range(ZRange::rank(-2, -1)).await, ["d", "e"]);
        assert_eq!(range(ZRange::rank(0, 1).rev()).await, ["e", "d"]);

        let by_score = |range| {
            let (client, key) = (client.clone(), key.clone());
            async move { client.zrange::<String>(&key, range).await.unwrap() }
        };
        assert_eq!(by_score(ZRange::score(2.0..4.0)).await, ["b", "c"]);
        assert_eq!(
            by_score(ZRange::score(2.0..=4.0).rev()).await,
            ["d", "c", "b"]
        );
        assert_eq!(by_score(ZRange::score(..).limit(1, 2)).await, ["b", "c"]);
        assert_eq!(
            by_score(ZRange::score(3.0..).rev().limit(0, 2)).await,
            ["e", "d"]
        );

        let words = words(&ctx, &client).await;
        let by_lex = |range| {
            let (client, words) = (client.clone(), words.clone());
            async move { client.zrange::<String>(&words, range).await.unwrap() }
        };
        assert_eq!(by_lex(ZRange::lex("b".."d")).await, ["b", "c"]);
        assert_eq!(by_lex(ZRange::lex("b"..="d").rev()).await, ["d", "c", "b"]);
        assert_eq!(by_lex(ZRange::lex(..).limit(3, 10)).await, ["d", "e"]);
        let missing: Vec<String> = client
            .zrange(ctx.key("missing"), ZRange::all())
            .await
            .unwrap();
        assert!(missing.is_empty());
    }
);

each_setup!(
    zrange_withscores_pairs_members_with_scores,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        let top: Vec<(String, f64)> = client
            .zrange_withscores(&key, ZRange::rank(0, 1).rev())
            .await
            .unwrap();
        assert_eq!(top, owned(&[("e", 5.0), ("d", 4.0)]));
        let middle: Vec<(String, f64)> = client
            .zrange_withscores(&key, ZRange::score(1.5..3.5))
            .await
            .unwrap();
        assert_eq!(middle, owned(&[("b", 2.0), ("c", 3.0)]));
        // Binary members come back as bytes.
        let raw: Vec<(Vec<u8>, f64)> = client
            .zrange_withscores(&key, ZRange::rank(0, 0))
            .await
            .unwrap();
        assert_eq!(raw, [(b"a".to_vec(), 1.0)]);
    }
);

each_setup!(
    zrangestore_copies_the_selection_with_scores,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        let dst = ctx.key("dst");
        let stored = client
            .zrangestore(&dst, &key, ZRange::score(2.0..).rev().limit(0, 2))
            .await
            .unwrap();
        assert_eq!(stored, 2);
        assert_eq!(
            client
                .zrange_withscores::<String>(&dst, ZRange::all())
                .await
                .unwrap(),
            owned(&[("d", 4.0), ("e", 5.0)])
        );
        let words = words(&ctx, &client).await;
        assert_eq!(
            client
                .zrangestore(&dst, &words, ZRange::lex("d"..))
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            client.zrange::<String>(&dst, ZRange::all()).await.unwrap(),
            ["d", "e"]
        );
        assert_eq!(
            client
                .zrangestore(&dst, &key, ZRange::rank(0, 0))
                .await
                .unwrap(),
            1
        );
        assert_eq!(client.zscore(&dst, "a").await.unwrap(), Some(1.0));
    }
);

each_setup!(
    zremrange_removes_by_rank_score_and_lex,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        assert_eq!(client.zremrangebyrank(&key, 0, 0).await.unwrap(), 1);
        assert_eq!(client.zremrangebyscore(&key, 4.0..).await.unwrap(), 2);
        assert_eq!(client.zremrangebyscore(&key, 10.0..).await.unwrap(), 0);
        assert_eq!(
            client.zrange::<String>(&key, ZRange::all()).await.unwrap(),
            ["b", "c"]
        );

        let words = words(&ctx, &client).await;
        assert_eq!(client.zremrangebylex(&words, "b"..="c").await.unwrap(), 2);
        assert_eq!(
            client
                .zrange::<String>(&words, ZRange::all())
                .await
                .unwrap(),
            ["a", "d", "e"]
        );
    }
);

each_setup!(
    zrank_and_zrevrank_count_from_each_end,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        assert_eq!(client.zrank(&key, "b").await.unwrap(), Some(1));
        assert_eq!(client.zrevrank(&key, "b").await.unwrap(), Some(3));
        assert_eq!(client.zrank(&key, "nope").await.unwrap(), None);
        assert_eq!(
            client.zrevrank(ctx.key("missing"), "b").await.unwrap(),
            None
        );
    }
);

each_redis8!(
    zrank_withscore_gives_rank_and_score,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        assert_eq!(
            client.zrank_withscore(&key, "c").await.unwrap(),
            Some((2, 3.0))
        );
        assert_eq!(
            client.zrevrank_withscore(&key, "e").await.unwrap(),
            Some((0, 5.0))
        );
        assert_eq!(client.zrank_withscore(&key, "nope").await.unwrap(), None);
        assert_eq!(client.zrevrank_withscore(&key, "nope").await.unwrap(), None);
    }
);

each_setup!(
    zrandmember_picks_members_of_the_set,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        let all = ["a", "b", "c", "d", "e"];
        let one: Option<String> = client.zrandmember(&key).await.unwrap();
        assert!(all.contains(&one.unwrap().as_str()));
        assert_eq!(
            client
                .zrandmember::<String>(ctx.key("missing"))
                .await
                .unwrap(),
            None
        );

        let mut distinct: Vec<String> = client.zrandmember_count(&key, 10).await.unwrap();
        distinct.sort();
        assert_eq!(distinct, all);
        let repeated: Vec<String> = client.zrandmember_count(&key, -8).await.unwrap();
        assert_eq!(repeated.len(), 8);
        assert!(repeated.iter().all(|m| all.contains(&m.as_str())));

        let scored: Vec<(String, f64)> = client.zrandmember_withscores(&key, 3).await.unwrap();
        assert_eq!(scored.len(), 3);
        for (member, score) in scored {
            let rank = all.iter().position(|m| *m == member).unwrap();
            assert_eq!(score, rank as f64 + 1.0, "{member}");
        }
        let none: Vec<String> = client
            .zrandmember_count(ctx.key("missing"), 3)
            .await
            .unwrap();
        assert!(none.is_empty());
    }
);

each_setup!(
    zpopmin_and_zpopmax_take_from_each_end,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        assert_eq!(
            client.zpopmin::<String>(&key, 1).await.unwrap(),
            owned(&[("a", 1.0)])
        );
        assert_eq!(
            client.zpopmax::<String>(&key, 2).await.unwrap(),
            owned(&[("e", 5.0), ("d", 4.0)])
        );
        assert_eq!(
            client.zpopmin::<String>(&key, 10).await.unwrap(),
            owned(&[("b", 2.0), ("c", 3.0)])
        );
        assert!(client.zpopmin::<String>(&key, 1).await.unwrap().is_empty());
    }
);

each_setup!(
    zmpop_pops_from_the_first_non_empty_set,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = board(&ctx, &client).await;
        let empty = ctx.key("empty");
        let popped = client
            .zmpop::<String>([&empty, &key], MinMax::Max, 2)
            .await
            .unwrap();
        assert_eq!(
            popped,
            Some((key.clone(), owned(&[("e", 5.0), ("d", 4.0)])))
        );
        let popped = client.zmpop::<String>(&key, MinMax::Min, 1).await.unwrap();
        assert_eq!(popped, Some((key.clone(), owned(&[("a", 1.0)]))));
        assert_eq!(
            client
                .zmpop::<String>(&empty, MinMax::Min, 1)
                .await
                .unwrap(),
            None
        );
    }
);

each_setup!(
    blocking_pops_time_out_with_none_on_empty_sets,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let empty = [ctx.key("e1"), ctx.key("e2")];
        let timeout = Duration::from_millis(100);
        let started = Instant::now();
        assert_eq!(
            client.bzpopmin::<String>(&empty, timeout).await.unwrap(),
            None
        );
        assert_eq!(
            client.bzpopmax::<String>(&empty, timeout).await.unwrap(),
            None
        );
        assert_eq!(
            client
                .bzmpop::<String>(timeout, &empty, MinMax::Min, 2)
                .await
                .unwrap(),
            None
        );
        assert!(started.elapsed() >= 3 * timeout, "{:?}", started.elapsed());
    }
);

each_setup!(blocking_pops_return_what_is_there, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = board(&ctx, &client).await;
    let empty = ctx.key("empty");
    let second = Duration::from_secs(1);
    assert_eq!(
        client
            .bzpopmin::<String>([&empty, &key], second)
            .await
            .unwrap(),
        Some((key.clone(), "a".to_owned(), 1.0))
    );
    assert_eq!(
        client.bzpopmax::<String>(&key, second).await.unwrap(),
        Some((key.clone(), "e".to_owned(), 5.0))
    );
    assert_eq!(
        client
            .bzmpop::<String>(second, [&empty, &key], MinMax::Max, 2)
            .await
            .unwrap(),
        Some((key.clone(), owned(&[("d", 4.0), ("c", 3.0)])))
    );
});

each_setup!(
    bzpopmin_wakes_when_a_member_arrives,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("later");
        let writer = {
            let (client, key) = (client.clone(), key.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(150)).await;
                client.zadd(&key, &[(7.0, "late")]).await.unwrap()
            })
        };
        let popped = client
            .bzpopmin::<String>(&key, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(popped, Some((key.clone(), "late".to_owned(), 7.0)));
        assert_eq!(writer.await.unwrap(), 1);
    }
);

/// `x`: a 1, b 2, c 3; `y`: b 10, c 20, d 30.
async fn two_sets(ctx: &Ctx, client: &redis_core::Redis) -> (String, String) {
    let (x, y) = (ctx.key("x"), ctx.key("y"));
    client
        .zadd(&x, &[(1.0, "a"), (2.0, "b"), (3.0, "c")])
        .await
        .unwrap();
    client
        .zadd(&y, &[(10.0, "b"), (20.0, "c"), (30.0, "d")])
        .await
        .unwrap();
    (x, y)
}

each_setup!(
    zunion_and_zinter_weigh_and_aggregate_scores,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (x, y) = two_sets(&ctx, &client).await;
        assert_eq!(
            client.zunion::<String>([&x, &y]).await.unwrap(),
            ["a", "b", "c", "d"]
        );
        assert_eq!(
            client.zunion_withscores::<String>([&x, &y]).await.unwrap(),
            owned(&[("a", 1.0), ("b", 12.0), ("c", 23.0), ("d", 30.0)])
        );
        assert_eq!(
            client.zinter_withscores::<String>([&x, &y]).await.unwrap(),
            owned(&[("b", 12.0), ("c", 23.0)])
        );
        let weighted = ZSets::weighted([(&x, 100.0), (&y, 1.0)]);
        assert_eq!(
            client
                .zinter_withscores::<String>(weighted.clone())
                .await
                .unwrap(),
            owned(&[("b", 210.0), ("c", 320.0)])
        );
        assert_eq!(
            client
                .zunion_withscores::<String>(weighted.aggregate(ZAggregate::Max))
                .await
                .unwrap(),
            owned(&[("d", 30.0), ("a", 100.0), ("b", 200.0), ("c", 300.0)])
        );
        assert_eq!(
            client
                .zinter::<String>(ZSets::new([&x, &y]).aggregate(ZAggregate::Min))
                .await
                .unwrap(),
            ["b", "c"]
        );
        assert_eq!(
            client
                .zinter_withscores::<String>(ZSets::new(vec![&x, &y]).aggregate(ZAggregate::Sum))
                .await
                .unwrap(),
            owned(&[("b", 12.0), ("c", 23.0)])
        );
        // One set alone, and a missing one.
        assert_eq!(client.zunion::<String>(&x).await.unwrap(), ["a", "b", "c"]);
        assert!(
            client
                .zinter::<String>([&x, &ctx.key("missing")])
                .await
                .unwrap()
                .is_empty()
        );
    }
);

each_setup!(
    zunionstore_and_zinterstore_replace_the_destination,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (x, y) = two_sets(&ctx, &client).await;
        let dst = ctx.key("dst");
        client.zadd(&dst, &[(0.0, "stale")]).await.unwrap();
        assert_eq!(client.zunionstore(&dst, [&x, &y]).await.unwrap(), 4);
        assert_eq!(client.zscore(&dst, "stale").await.unwrap(), None);
        assert_eq!(client.zscore(&dst, "c").await.unwrap(), Some(23.0));
        let min = ZSets::weighted([(&x, 2.0), (&y, 0.5)]).aggregate(ZAggregate::Min);
        assert_eq!(client.zinterstore(&dst, min).await.unwrap(), 2);
        assert_eq!(
            client
                .zrange_withscores::<String>(&dst, ZRange::all())
                .await
                .unwrap(),
            owned(&[("b", 4.0), ("c", 6.0)])
        );
    }
);

each_setup!(
    zdiff_keeps_the_members_only_the_first_set_has,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (x, y) = two_sets(&ctx, &client).await;
        assert_eq!(client.zdiff::<String>([&x, &y]).await.unwrap(), ["a"]);
        assert_eq!(
            client.zdiff_withscores::<String>([&y, &x]).await.unwrap(),
            owned(&[("d", 30.0)])
        );
        let dst = ctx.key("dst");
        assert_eq!(client.zdiffstore(&dst, [&x, &y]).await.unwrap(), 1);
        assert_eq!(
            client
                .zrange_withscores::<String>(&dst, ZRange::all())
                .await
                .unwrap(),
            owned(&[("a", 1.0)])
        );
        assert_eq!(client.zdiffstore(&dst, [&x, &x]).await.unwrap(), 0);
        assert_eq!(client.zcard(&dst).await.unwrap(), 0);
    }
);

each_setup!(zintercard_counts_up_to_the_limit, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let (x, y) = two_sets(&ctx, &client).await;
    assert_eq!(client.zintercard([&x, &y]).await.unwrap(), 2);
    assert_eq!(client.zintercard_limit([&x, &y], 1).await.unwrap(), 1);
    assert_eq!(client.zintercard_limit([&x, &y], 0).await.unwrap(), 2);
    assert_eq!(
        client.zintercard([&x, &ctx.key("missing")]).await.unwrap(),
        0
    );
});

each_setup!(
    wrong_types_are_server_errors_not_panics,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("string");
        client.set(&key, "x").await.unwrap();
        let err = client.zadd(&key, &[(1.0, "a")]).await.unwrap_err();
        assert_eq!(err.code(), Some("WRONGTYPE"));
        let err = client
            .zrange::<String>(&key, ZRange::all())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        // A score asked of a member type that cannot hold it.
        let board = board(&ctx, &client).await;
        let err = client
            .zrange_withscores::<i64>(&board, ZRange::all())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Type);
    }
);

each_setup!(
    sorted_set_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("z");
        // The pipeline's reply type, spelled out: one typed reply per command.
        type Replies = (
            u64,
            f64,
            Option<u64>,
            Vec<(String, f64)>,
            u64,
            Vec<(String, f64)>,
        );
        let (added, score, ranked, top, count, popped): Replies = Pipeline::new()
            .zadd(&key, &[(1.0, "a"), (2.0, "b"), (3.0, "c")])
            .zincrby(&key, 10.0, "a")
            .zrank(&key, "a")
            .zrange_withscores::<String>(&key, ZRange::rank(0, 1).rev())
            .zcount(&key, 2.0..=3.0)
            .zpopmin::<String>(&key, 1)
            .query(&client)
            .await
            .unwrap();
        assert_eq!((added, score, ranked, count), (3, 11.0, Some(2), 2));
        assert_eq!(top, owned(&[("a", 11.0), ("c", 3.0)]));
        assert_eq!(popped, owned(&[("b", 2.0)]));
        assert_eq!(client.zcard(&key).await.unwrap(), 2);
    }
);
