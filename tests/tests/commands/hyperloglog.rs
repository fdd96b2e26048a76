//! HyperLogLog commands against the real servers.

use redis_core::Pipeline;
use redis_core::commands::*;
use redis_tests::{Ctx, each_setup};

each_setup!(
    pfadd_pfcount_and_pfmerge_count_distinct_elements,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (mon, tue, week) = (ctx.key("mon"), ctx.key("tue"), ctx.key("week"));
        assert!(client.pfadd(&mon, ["ada", "alan", "ada"]).await.unwrap());
        assert!(!client.pfadd(&mon, ["alan"]).await.unwrap());
        assert!(client.pfadd(&tue, ["ada", "grace"]).await.unwrap());
        assert_eq!(client.pfcount(&mon).await.unwrap(), 2);
        assert_eq!(client.pfcount([&mon, &tue]).await.unwrap(), 3);
        assert_eq!(client.pfcount(ctx.key("missing")).await.unwrap(), 0);

        client.pfmerge(&week, [&mon, &tue]).await.unwrap();
        assert_eq!(client.pfcount(&week).await.unwrap(), 3);
        // The destination's own elements are part of the union.
        client.pfmerge(&week, &[ctx.key("missing")]).await.unwrap();
        assert_eq!(client.pfcount(&week).await.unwrap(), 3);

        // A thousand distinct elements are counted within the standard error.
        let many = ctx.key("many");
        let elements: Vec<String> = (0..1000).map(|i| format!("e{i}")).collect();
        client.pfadd(&many, &elements).await.unwrap();
        let estimate = client.pfcount(&many).await.unwrap();
        assert!((970..=1030).contains(&estimate), "{estimate}");
    }
);

each_setup!(
    hyperloglog_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b, u) = (ctx.key("a"), ctx.key("b"), ctx.key("u"));
        let (added, again, (), count): (bool, bool, (), u64) = Pipeline::new()
            .pfadd(&a, ["x", "y"])
            .pfadd(&b, ["y", "z"])
            .pfmerge(&u, [&a, &b])
            .pfcount(&u)
            .query(&client)
            .await
            .unwrap();
        assert!(added && again);
        assert_eq!(count, 3);
    }
);
