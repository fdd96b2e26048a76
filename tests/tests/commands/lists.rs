//! lists commands against the real servers.

use std::num::NonZeroU64;
use std::time::{Duration, Instant};

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline};
use redis_tests::{Ctx, each_server_setup, each_setup};

/// Short enough to keep the suite quick, long enough to be measured.
const SHORT: Duration = Duration::from_millis(100);

fn two() -> NonZeroU64 {
    NonZeroU64::new(2).unwrap()
}

each_setup!(pushes_keep_their_order, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("l");
    assert_eq!(client.rpush(&key, ["b", "c"]).await.unwrap(), 2);
    // LPUSH inserts one after the other: the last one ends up first.
    assert_eq!(client.lpush(&key, ["a", "z"]).await.unwrap(), 4);
    assert_eq!(
        client.lrange::<String>(&key, 0, -1).await.unwrap(),
        ["z", "a", "b", "c"]
    );
    assert_eq!(
        client.lrange::<String>(&key, 1, 2).await.unwrap(),
        ["a", "b"]
    );
    assert_eq!(client.llen(&key).await.unwrap(), 4);
    assert_eq!(client.llen(ctx.key("none")).await.unwrap(), 0);

    // The X forms only push onto an existing list.
    assert_eq!(client.lpushx(&key, "y").await.unwrap(), 5);
    assert_eq!(client.rpushx(&key, ["d", "e"]).await.unwrap(), 7);
    assert_eq!(client.lpushx(ctx.key("none"), "x").await.unwrap(), 0);
    assert_eq!(client.rpushx(ctx.key("none"), "x").await.unwrap(), 0);
    assert_eq!(client.exists(ctx.key("none")).await.unwrap(), 0);
    assert_eq!(
        client.lrange::<String>(&key, 0, -1).await.unwrap(),
        ["y", "z", "a", "b", "c", "d", "e"]
    );
});

each_setup!(
    lindex_lset_linsert_lrem_and_ltrim_edit_in_place,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("l");
        client.rpush(&key, ["a", "b", "a", "c", "a"]).await.unwrap();
        assert_eq!(client.lindex::<String>(&key, 1).await.unwrap(), "b");
        assert_eq!(client.lindex::<String>(&key, -2).await.unwrap(), "c");
        assert_eq!(
            client.lindex::<Option<String>>(&key, 99).await.unwrap(),
            None
        );

        client.lset(&key, 1, "B").await.unwrap();
        assert_eq!(client.lindex::<String>(&key, 1).await.unwrap(), "B");
        let err = client.lset(&key, 99, "x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);

        assert_eq!(
            client
                .linsert(&key, InsertPosition::Before, "B", "x")
                .await
                .unwrap(),
            6
        );
        assert_eq!(
            client
                .linsert(&key, InsertPosition::After, "c", "y")
                .await
                .unwrap(),
            7
        );
        assert_eq!(
            client
                .linsert(&key, InsertPosition::After, "zz", "y")
                .await
                .unwrap(),
            -1
        );
        assert_eq!(
            client
                .linsert(ctx.key("none"), InsertPosition::After, "a", "y")
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            client.lrange::<String>(&key, 0, -1).await.unwrap(),
            ["a", "x", "B", "a", "c", "y", "a"]
        );

        // Positive counts remove from the head, negative from the tail, 0 all.
        assert_eq!(client.lrem(&key, -1, "a").await.unwrap(), 1);
        assert_eq!(
            client.lrange::<String>(&key, 0, -1).await.unwrap(),
            ["a", "x", "B", "a", "c", "y"]
        );
        assert_eq!(client.lrem(&key, 1, "a").await.unwrap(), 1);
        assert_eq!(
            client.lrange::<String>(&key, 0, -1).await.unwrap(),
            ["x", "B", "a", "c", "y"]
        );
        client.rpush(&key, ["a", "a"]).await.unwrap();
        assert_eq!(client.lrem(&key, 0, "a").await.unwrap(), 3);

        client.ltrim(&key, 1, -2).await.unwrap();
        assert_eq!(
            client.lrange::<String>(&key, 0, -1).await.unwrap(),
            ["B", "c"]
        );
    }
);

each_setup!(pops_take_one_or_a_count, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("l");
    client.rpush(&key, [1, 2, 3, 4, 5, 6]).await.unwrap();
    assert_eq!(client.lpop::<i64>(&key).await.unwrap(), 1);
    assert_eq!(client.rpop::<i64>(&key).await.unwrap(), 6);
    assert_eq!(client.lpop_count::<i64>(&key, 2).await.unwrap(), [2, 3]);
    // From the tail, the last first.
    assert_eq!(client.rpop_count::<i64>(&key, 5).await.unwrap(), [5, 4]);
    assert_eq!(client.lpop::<Option<i64>>(&key).await.unwrap(), None);
    assert_eq!(client.rpop::<Option<i64>>(&key).await.unwrap(), None);
    assert!(client.lpop_count::<i64>(&key, 3).await.unwrap().is_empty());
    assert!(client.rpop_count::<i64>(&key, 3).await.unwrap().is_empty());
});

each_setup!(lpos_finds_matches_by_rank, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("l");
    client
        .rpush(&key, ["a", "b", "c", "a", "b", "c", "a"])
        .await
        .unwrap();
    assert_eq!(client.lpos(&key, "b").await.unwrap(), Some(1));
    assert_eq!(client.lpos(&key, "zz").await.unwrap(), None);
    assert_eq!(client.lpos(ctx.key("none"), "a").await.unwrap(), None);

    let second = LposOptions::new().skip(1);
    assert_eq!(client.lpos_with(&key, "a", second).await.unwrap(), Some(3));
    let last = LposOptions::new().from_tail();
    assert_eq!(client.lpos_with(&key, "a", last).await.unwrap(), Some(6));
    let second_last = LposOptions::new().from_tail().skip(1);
    assert_eq!(
        client.lpos_with(&key, "a", second_last).await.unwrap(),
        Some(3)
    );
    // MAXLEN bounds how many elements are compared.
    let near = LposOptions::new().max_len(3);
    assert_eq!(client.lpos_with(&key, "c", near).await.unwrap(), Some(2));
    assert_eq!(
        client.lpos_with(&key, "c", near.skip(1)).await.unwrap(),
        None
    );

    assert_eq!(
        client
            .lpos_count(&key, "a", 0, LposOptions::new())
            .await
            .unwrap(),
        [0, 3, 6]
    );
    assert_eq!(
        client
            .lpos_count(&key, "a", 2, LposOptions::new())
            .await
            .unwrap(),
        [0, 3]
    );
    assert_eq!(
        client.lpos_count(&key, "a", 0, last).await.unwrap(),
        [6, 3, 0]
    );
    assert_eq!(
        client
            .lpos_count(&key, "a", 0, second.max_len(5))
            .await
            .unwrap(),
        [3]
    );
    assert!(
        client
            .lpos_count(&key, "zz", 0, LposOptions::new())
            .await
            .unwrap()
            .is_empty()
    );
});

each_setup!(
    lmove_and_rpoplpush_move_between_ends,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (src, dst) = (ctx.key("src"), ctx.key("dst"));
        client.rpush(&src, ["a", "b", "c"]).await.unwrap();
        let moved: String = client
            .lmove(&src, &dst, ListEnd::Left, ListEnd::Right)
            .await
            .unwrap();
        assert_eq!(moved, "a");
        let moved: String = client
            .lmove(&src, &dst, ListEnd::Right, ListEnd::Left)
            .await
            .unwrap();
        assert_eq!(moved, "c");
        assert_eq!(
            client.lrange::<String>(&dst, 0, -1).await.unwrap(),
            ["c", "a"]
        );
        // The same key: a rotation.
        client
            .lmove::<String>(&dst, &dst, ListEnd::Left, ListEnd::Right)
            .await
            .unwrap();
        assert_eq!(
            client.lrange::<String>(&dst, 0, -1).await.unwrap(),
            ["a", "c"]
        );

        let moved: String = client.rpoplpush(&src, &dst).await.unwrap();
        assert_eq!(moved, "b");
        assert_eq!(
            client.lrange::<String>(&dst, 0, -1).await.unwrap(),
            ["b", "a", "c"]
        );
        assert_eq!(client.exists(&src).await.unwrap(), 0);
        let none: Option<String> = client
            .lmove(&src, &dst, ListEnd::Left, ListEnd::Left)
            .await
            .unwrap();
        assert_eq!(none, None);
        let none: Option<String> = client.rpoplpush(&src, &dst).await.unwrap();
        assert_eq!(none, None);
    }
);

each_setup!(
    lmpop_pops_from_the_first_non_empty_list,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (empty, full) = (ctx.key("empty"), ctx.key("full"));
        client.rpush(&full, ["a", "b", "c"]).await.unwrap();
        let popped = client
            .lmpop::<String>(&[&empty, &full], ListEnd::Left, two())
            .await
            .unwrap();
        assert_eq!(
            popped,
            Some((full.clone(), vec!["a".to_owned(), "b".to_owned()]))
        );
        let popped = client
            .lmpop::<String>(&[&empty, &full], ListEnd::Right, two())
            .await
            .unwrap();
        assert_eq!(popped, Some((full.clone(), vec!["c".to_owned()])));
        let popped = client
            .lmpop::<String>(&empty, ListEnd::Left, NonZeroU64::MIN)
            .await
            .unwrap();
        assert_eq!(popped, None);
    }
);

each_setup!(
    blocking_pops_answer_at_once_when_data_is_there,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        client
            .rpush(&b, ["1", "2", "3", "4", "5", "6", "7"])
            .await
            .unwrap();
        let started = Instant::now();
        let got = client.blpop::<String>(&[&a, &b], SHORT).await.unwrap();
        assert_eq!(got, Some((b.clone(), "1".to_owned())));
        let got = client.brpop::<String>(&[&a, &b], SHORT).await.unwrap();
        assert_eq!(got, Some((b.clone(), "7".to_owned())));
        let got: Option<String> = client
            .blmove(&b, &a, ListEnd::Left, ListEnd::Right, SHORT)
            .await
            .unwrap();
        assert_eq!(got.as_deref(), Some("2"));
        let got: Option<String> = client.brpoplpush(&b, &a, SHORT).await.unwrap();
        assert_eq!(got.as_deref(), Some("6"));
        let got = client
            .blmpop::<String>(&[&b, &a], ListEnd::Left, two(), SHORT)
            .await
            .unwrap();
        assert_eq!(got, Some((b.clone(), vec!["3".to_owned(), "4".to_owned()])));
        assert!(started.elapsed() < SHORT * 5, "{:?}", started.elapsed());
        assert_eq!(
            client.lrange::<String>(&a, 0, -1).await.unwrap(),
            ["6", "2"]
        );
        assert_eq!(client.lrange::<String>(&b, 0, -1).await.unwrap(), ["5"]);
    }
);

each_setup!(
    blocking_pops_give_none_when_the_timeout_passes,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        async fn timed<T>(f: impl std::future::Future<Output = T>) -> T {
            let started = Instant::now();
            let out = f.await;
            // The server's timer runs at 10 Hz by default: allow for its tick.
            let waited = started.elapsed();
            assert!(waited >= SHORT - Duration::from_millis(20), "{waited:?}");
            assert!(waited < Duration::from_secs(2), "{waited:?}");
            out
        }
        assert_eq!(
            timed(client.blpop::<String>(&[&a, &b], SHORT))
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            timed(client.brpop::<String>(&a, SHORT)).await.unwrap(),
            None
        );
        let moved: Option<String> =
            timed(client.blmove(&a, &b, ListEnd::Right, ListEnd::Left, SHORT))
                .await
                .unwrap();
        assert_eq!(moved, None);
        let moved: Option<String> = timed(client.brpoplpush(&a, &b, SHORT)).await.unwrap();
        assert_eq!(moved, None);
        let popped = timed(client.blmpop::<String>(&[&a, &b], ListEnd::Right, two(), SHORT))
            .await
            .unwrap();
        assert_eq!(popped, None);
        assert_eq!(client.exists([&a, &b]).await.unwrap(), 0);
    }
);

each_server_setup!(
    blpop_wakes_when_another_client_pushes,
    |ctx: Ctx| async move {
        // Named, so that CLIENT LIST shows when its BLPOP has blocked.
        let name = format!("blpop-{:08x}", fastrand::u32(..));
        let client = ctx.connect(ctx.config().with_client_name(&name)).await;
        let admin = ctx.server_client().await;
        let key = ctx.key("q");
        let started = Instant::now();
        // Once BLPOP is blocked on its own connection, the shared one is
        // free (LLEN answers), and a push wakes it.
        let (got, (len, pushed)) = tokio::join!(
            client.blpop::<String>(&key, Duration::from_secs(5)),
            async {
                redis_tests::until_blocked(&admin, &name).await;
                let len = client.llen(&key).await.unwrap();
                (len, admin.rpush(&key, "job").await.unwrap())
            }
        );
        assert_eq!(got.unwrap(), Some((key.clone(), "job".to_owned())));
        assert_eq!(len, 0);
        assert_eq!(pushed, 1);
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
    }
);

each_setup!(
    list_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("l");
        let (len, inserted, pos, popped, range, moved): (
            u64,
            i64,
            Option<u64>,
            Vec<String>,
            Vec<String>,
            String,
        ) = Pipeline::new()
            .rpush(&key, ["a", "b", "c"])
            .linsert(&key, InsertPosition::After, "a", "x")
            .lpos(&key, "c")
            .rpop_count(&key, 1)
            .lrange(&key, 0, -1)
            .lmove(&key, &key, ListEnd::Left, ListEnd::Right)
            .query(&client)
            .await
            .unwrap();
        assert_eq!((len, inserted, pos), (3, 4, Some(3)));
        assert_eq!(popped, ["c"]);
        assert_eq!(range, ["a", "x", "b"]);
        assert_eq!(moved, "a");
        assert_eq!(
            client.lrange::<String>(&key, 0, -1).await.unwrap(),
            ["x", "b", "a"]
        );
    }
);
