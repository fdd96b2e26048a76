//! probabilistic commands against the real servers.

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline};
use redis_tests::{Ctx, each_redis8};

each_redis8!(
    bloom_filters_answer_membership_and_describe_themselves,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("bf");
        client
            .bf_reserve_with(&key, 0.01, 100, BloomScaling::Expansion(4))
            .await
            .unwrap();
        assert!(client.bf_add(&key, "a").await.unwrap());
        assert!(!client.bf_add(&key, "a").await.unwrap());
        assert_eq!(
            client.bf_madd(&key, ["a", "b", "c"]).await.unwrap(),
            [false, true, true]
        );
        assert!(client.bf_exists(&key, "b").await.unwrap());
        assert!(!client.bf_exists(&key, "zz").await.unwrap());
        assert!(!client.bf_exists(ctx.key("missing"), "a").await.unwrap());
        assert_eq!(
            client.bf_mexists(&key, ["c", "zz"]).await.unwrap(),
            [true, false]
        );
        assert_eq!(client.bf_card(&key).await.unwrap(), 3);
        assert_eq!(client.bf_card(ctx.key("missing")).await.unwrap(), 0);

        let info = client.bf_info(&key).await.unwrap();
        assert_eq!(info.capacity, 100);
        assert_eq!(info.filters, 1);
        assert_eq!(info.items, 3);
        assert_eq!(info.expansion_rate, Some(4));
        assert!(info.size > 0);

        let err = client.bf_reserve(&key, 0.01, 10).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.command(), Some("BF.RESERVE"));
    }
);

each_redis8!(
    bloom_insert_creates_with_parameters_or_refuses_to,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let err = client
            .bf_insert_with(ctx.key("missing"), ["a"], BloomInsertMode::NoCreate)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(client.exists(ctx.key("missing")).await.unwrap(), 0);

        let key = ctx.key("made");
        let params = BloomParams::new()
            .capacity(10)
            .error_rate(0.1)
            .scaling(BloomScaling::NonScaling);
        assert_eq!(
            client
                .bf_insert_with(&key, ["a", "b", "a"], BloomInsertMode::Create(params))
                .await
                .unwrap(),
            [true, true, false]
        );
        let info = client.bf_info(&key).await.unwrap();
        assert_eq!((info.capacity, info.expansion_rate), (10, None));
        assert_eq!(
            client
                .bf_insert_with(&key, ["c"], BloomInsertMode::NoCreate)
                .await
                .unwrap(),
            [true]
        );

        let default = ctx.key("default");
        assert_eq!(client.bf_insert(&default, ["x"]).await.unwrap(), [true]);
        assert_eq!(client.bf_info(&default).await.unwrap().capacity, 100);

        // A full non-scaling filter: the command fails with the server's error.
        let small = ctx.key("small");
        client
            .bf_reserve_with(&small, 0.01, 2, BloomScaling::NonScaling)
            .await
            .unwrap();
        let err = client
            .bf_insert(&small, ["1", "2", "3", "4", "5"])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert!(err.to_string().contains("full"), "{err}");
    }
);

each_redis8!(
    a_bloom_filter_dumped_in_chunks_loads_into_another_key,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (from, to) = (ctx.key("from"), ctx.key("to"));
        let items: Vec<String> = (0..500).map(|i| format!("item:{i}")).collect();
        client.bf_insert(&from, &items).await.unwrap();

        let mut chunks = Vec::new();
        let mut iterator = 0;
        loop {
            let chunk = client.bf_scandump(&from, iterator).await.unwrap();
            if chunk.is_end() {
                assert!(chunk.data.is_empty());
                break;
            }
            iterator = chunk.iterator;
            chunks.push(chunk);
        }
        assert!(!chunks.is_empty());
        for chunk in &chunks {
            client
                .bf_loadchunk(&to, chunk.iterator, &chunk.data)
                .await
                .unwrap();
        }
        assert!(
            client
                .bf_mexists(&to, &items[..50])
                .await
                .unwrap()
                .into_iter()
                .all(|b| b)
        );
        assert_eq!(client.bf_card(&to).await.unwrap(), 500);
    }
);

each_redis8!(cuckoo_filters_add_count_and_delete, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("cf");
    let options = CuckooReserveOptions::new()
        .bucket_size(2)
        .max_iterations(20)
        .expansion(1);
    client.cf_reserve_with(&key, 100, options).await.unwrap();
    assert!(client.cf_add(&key, "a").await.unwrap());
    assert!(!client.cf_addnx(&key, "a").await.unwrap());
    assert!(client.cf_addnx(&key, "b").await.unwrap());
    assert_eq!(
        client.cf_insert(&key, ["a", "c"]).await.unwrap(),
        [CuckooInsertResult::Added, CuckooInsertResult::Added]
    );
    assert_eq!(
        client.cf_insertnx(&key, ["a", "d"]).await.unwrap(),
        [CuckooInsertResult::Exists, CuckooInsertResult::Added]
    );
    assert!(client.cf_exists(&key, "d").await.unwrap());
    assert_eq!(
        client.cf_mexists(&key, ["a", "zz"]).await.unwrap(),
        [true, false]
    );
    assert_eq!(client.cf_count(&key, "a").await.unwrap(), 2);
    assert_eq!(client.cf_count(&key, "zz").await.unwrap(), 0);
    assert!(client.cf_del(&key, "a").await.unwrap());
    assert!(!client.cf_del(&key, "zz").await.unwrap());
    assert_eq!(client.cf_count(&key, "a").await.unwrap(), 1);

    let info = client.cf_info(&key).await.unwrap();
    assert_eq!(info.items_inserted, 4);
    assert_eq!(info.items_deleted, 1);
    assert_eq!(info.bucket_size, 2);
    assert_eq!(info.max_iterations, 20);
    assert_eq!(info.expansion_rate, 1);
    assert_eq!(info.filters, 1);
    assert!(info.buckets > 0 && info.size > 0);

    let err = client.cf_info(ctx.key("missing")).await.unwrap_err();
    assert_eq!(err.command(), Some("CF.INFO"));

    // Compacting reclaims what deletions left, and keeps every item.
    client.cf_compact(&key).await.unwrap();
    assert_eq!(client.cf_info(&key).await.unwrap().items_deleted, 0);
    assert_eq!(client.cf_count(&key, "a").await.unwrap(), 1);
    assert!(client.cf_compact(ctx.key("missing")).await.is_err());
});

each_redis8!(
    cuckoo_insert_reports_full_filters_and_nocreate,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let err = client
            .cf_insert_with(ctx.key("missing"), ["a"], CuckooInsertMode::NoCreate)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        let made = ctx.key("made");
        assert_eq!(
            client
                .cf_insertnx_with(
                    &made,
                    ["a"],
                    CuckooInsertMode::Create {
                        capacity: Some(1000)
                    }
                )
                .await
                .unwrap(),
            [CuckooInsertResult::Added]
        );
        assert_eq!(
            client
                .cf_insert_with(&made, ["a"], CuckooInsertMode::NoCreate)
                .await
                .unwrap(),
            [CuckooInsertResult::Added]
        );

        // One bucket of one slot that never grows: the second copy is refused.
        let tiny = ctx.key("tiny");
        let options = CuckooReserveOptions::new()
            .bucket_size(1)
            .max_iterations(1)
            .expansion(0);
        client.cf_reserve_with(&tiny, 2, options).await.unwrap();
        let results = client.cf_insert(&tiny, ["a", "a", "a"]).await.unwrap();
        assert_eq!(results[0], CuckooInsertResult::Added);
        assert_eq!(results[2], CuckooInsertResult::Full);
        let results = client
            .cf_insertnx(&tiny, ["a", "b", "c", "d"])
            .await
            .unwrap();
        assert_eq!(results[0], CuckooInsertResult::Exists);
        assert!(results.contains(&CuckooInsertResult::Full), "{results:?}");
    }
);

each_redis8!(
    a_cuckoo_filter_dumped_in_chunks_loads_into_another_key,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (from, to) = (ctx.key("from"), ctx.key("to"));
        client.cf_insert(&from, ["a", "b", "c"]).await.unwrap();
        let mut iterator = 0;
        loop {
            let chunk = client.cf_scandump(&from, iterator).await.unwrap();
            if chunk.is_end() {
                break;
            }
            iterator = chunk.iterator;
            client
                .cf_loadchunk(&to, chunk.iterator, &chunk.data)
                .await
                .unwrap();
        }
        assert_eq!(
            client.cf_mexists(&to, ["a", "b", "c", "zz"]).await.unwrap(),
            [true, true, true, false]
        );
    }
);

each_redis8!(
    count_min_sketches_count_merge_and_describe_themselves,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b, sum) = (ctx.key("a"), ctx.key("b"), ctx.key("sum"));
        client.cms_initbydim(&a, 100, 5).await.unwrap();
        client.cms_initbydim(&b, 100, 5).await.unwrap();
        client.cms_initbydim(&sum, 100, 5).await.unwrap();
        assert_eq!(
            client.cms_incrby(&a, &[("x", 3), ("y", 2)]).await.unwrap(),
            [3, 2]
        );
        assert_eq!(client.cms_incrby(&b, &[("x", 10)]).await.unwrap(), [10]);
        assert_eq!(
            client.cms_query(&a, ["x", "y", "zz"]).await.unwrap(),
            [3, 2, 0]
        );

        client.cms_merge(&sum, &[&a, &b]).await.unwrap();
        assert_eq!(client.cms_query(&sum, ["x"]).await.unwrap(), [13]);
        client
            .cms_merge_weighted(&sum, &[(&a, 2), (&b, 1)])
            .await
            .unwrap();
        assert_eq!(client.cms_query(&sum, ["x", "y"]).await.unwrap(), [16, 4]);

        let info = client.cms_info(&a).await.unwrap();
        assert_eq!((info.width, info.depth, info.count), (100, 5, 5));

        let p = ctx.key("p");
        client.cms_initbyprob(&p, 0.01, 0.01).await.unwrap();
        let info = client.cms_info(&p).await.unwrap();
        assert_eq!(info.count, 0);
        assert!(info.width >= 100, "{info:?}");

        let err = client
            .cms_query(ctx.key("missing"), ["x"])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }
);

each_redis8!(top_k_keeps_the_most_frequent_items, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("topk");
    client.topk_reserve_with(&key, 2, 50, 4, 0.9).await.unwrap();
    let expelled: Vec<Option<String>> = client.topk_add(&key, ["a", "a", "b"]).await.unwrap();
    assert_eq!(expelled, [None, None, None]);
    let expelled: Vec<Option<String>> = client.topk_incrby(&key, &[("c", 10)]).await.unwrap();
    assert_eq!(expelled, [Some("b".to_owned())]);
    assert_eq!(
        client.topk_query(&key, ["c", "a", "b"]).await.unwrap(),
        [true, true, false]
    );
    assert_eq!(client.topk_count(&key, ["c", "a"]).await.unwrap(), [10, 2]);
    let list: Vec<String> = client.topk_list(&key).await.unwrap();
    assert_eq!(list, ["c", "a"]);
    let counted: Vec<(String, u64)> = client.topk_list_withcount(&key).await.unwrap();
    assert_eq!(counted, [("c".to_owned(), 10), ("a".to_owned(), 2)]);

    let info = client.topk_info(&key).await.unwrap();
    assert_eq!((info.k, info.width, info.depth), (2, 50, 4));
    assert!((info.decay - 0.9).abs() < 1e-9, "{info:?}");

    let default = ctx.key("default");
    client.topk_reserve(&default, 5).await.unwrap();
    let info = client.topk_info(&default).await.unwrap();
    assert_eq!((info.k, info.width, info.depth), (5, 8, 7));
});

each_redis8!(
    t_digests_estimate_quantiles_ranks_and_means,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("td");
        client.tdigest_create_with(&key, 200).await.unwrap();

        // An empty sketch answers NaN (over RESP2 as the text "nan").
        assert!(client.tdigest_min(&key).await.unwrap().is_nan());
        assert!(client.tdigest_quantile(&key, &[0.5]).await.unwrap()[0].is_nan());
        assert_eq!(client.tdigest_rank(&key, &[1.0]).await.unwrap(), [-2]);

        client
            .tdigest_add(&key, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.5])
            .await
            .unwrap();
        assert_eq!(client.tdigest_min(&key).await.unwrap(), 1.0);
        assert_eq!(client.tdigest_max(&key).await.unwrap(), 6.5);
        assert_eq!(
            client
                .tdigest_quantile(&key, &[0.0, 0.5, 1.0])
                .await
                .unwrap(),
            [1.0, 4.0, 6.5]
        );
        let cdf = client
            .tdigest_cdf(&key, &[0.0, 3.0, f64::INFINITY])
            .await
            .unwrap();
        assert_eq!((cdf[0], cdf[2]), (0.0, 1.0));
        assert!((cdf[1] - 5.0 / 12.0).abs() < 1e-9, "{cdf:?}");
        let mean = client.tdigest_trimmed_mean(&key, 0.1, 0.9).await.unwrap();
        assert!(mean > 2.0 && mean < 5.0, "{mean}");
        assert_eq!(
            client
                .tdigest_rank(&key, &[-1.0, 3.0, 100.0])
                .await
                .unwrap(),
            [-1, 2, 6]
        );
        assert_eq!(
            client
                .tdigest_revrank(&key, &[-1.0, 3.0, 100.0])
                .await
                .unwrap(),
            [6, 3, -1]
        );
        assert_eq!(
            client.tdigest_byrank(&key, &[0, 2, 100]).await.unwrap(),
            [1.0, 3.0, f64::INFINITY]
        );
        assert_eq!(
            client.tdigest_byrevrank(&key, &[0, 2, 100]).await.unwrap(),
            [6.5, 4.0, f64::NEG_INFINITY]
        );

        let info = client.tdigest_info(&key).await.unwrap();
        assert_eq!(info.compression, 200);
        assert_eq!(info.observations, 6);
        assert_eq!(info.merged_weight + info.unmerged_weight, 6);
        assert!(info.capacity > 0 && info.memory_usage > 0);

        client.tdigest_reset(&key).await.unwrap();
        assert_eq!(client.tdigest_info(&key).await.unwrap().observations, 0);
        assert_eq!(client.tdigest_info(&key).await.unwrap().compression, 200);
    }
);

each_redis8!(t_digests_merge_into_a_destination, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let (a, b, dest) = (ctx.key("a"), ctx.key("b"), ctx.key("dest"));
    client.tdigest_create(&a).await.unwrap();
    client.tdigest_create(&b).await.unwrap();
    client.tdigest_add(&a, &[1.0, 2.0]).await.unwrap();
    client.tdigest_add(&b, &[10.0, 20.0]).await.unwrap();

    client.tdigest_merge(&dest, &[&a, &b]).await.unwrap();
    assert_eq!(client.tdigest_info(&dest).await.unwrap().observations, 4);
    assert_eq!(client.tdigest_max(&dest).await.unwrap(), 20.0);
    // Merged again, with its own observations ...
    client.tdigest_merge(&dest, &[&a]).await.unwrap();
    assert_eq!(client.tdigest_info(&dest).await.unwrap().observations, 6);
    // ... or replacing them, with another compression.
    client
        .tdigest_merge_with(
            &dest,
            &[&b],
            TDigestMergeOptions::new().compression(50).replace(),
        )
        .await
        .unwrap();
    let info = client.tdigest_info(&dest).await.unwrap();
    assert_eq!((info.observations, info.compression), (2, 50));
    assert_eq!(client.tdigest_min(&dest).await.unwrap(), 10.0);
});

each_redis8!(
    a_pipeline_chains_the_probabilistic_structures,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (bf, cf, cms, topk, td) = (
            ctx.key("bf"),
            ctx.key("cf"),
            ctx.key("cms"),
            ctx.key("topk"),
            ctx.key("td"),
        );
        let (added, cf_added, (), counts, (), expelled, (), (), max, info) = Pipeline::new()
            .bf_add(&bf, "a")
            .cf_add(&cf, "a")
            .cms_initbydim(&cms, 10, 2)
            .cms_incrby(&cms, &[("a", 5)])
            .topk_reserve(&topk, 1)
            .topk_add::<String>(&topk, ["a"])
            .tdigest_create(&td)
            .tdigest_add(&td, &[1.0, 9.0])
            .tdigest_max(&td)
            .bf_info(&bf)
            .query(&client)
            .await
            .unwrap();
        assert!(added && cf_added);
        assert_eq!(counts, [5]);
        assert_eq!(expelled, [None]);
        assert_eq!(max, 9.0);
        assert_eq!(info.items, 1);
    }
);
