//! RedisTimeSeries commands against the real module, over RESP3 and RESP2:
//! ranges and aggregations compared with the answer computed here over the
//! same samples.

use std::time::{Duration, UNIX_EPOCH};

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline};
use redis_tests::{Ctx, each_redis8};

/// Samples 0..40 at 7 ms steps from 1000, values that are not a line.
fn samples() -> Vec<(u64, f64)> {
    (0..40u64)
        .map(|i| (1000 + i * 7, ((i * 37) % 23) as f64 - 5.5))
        .collect()
}

/// What the module computes for a bucket, written out here.
fn aggregate(aggregator: Aggregator, values: &[(u64, f64)], end: u64) -> f64 {
    let xs: Vec<f64> = values.iter().map(|s| s.1).collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let ss = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    let max = xs.iter().copied().fold(f64::MIN, f64::max);
    let min = xs.iter().copied().fold(f64::MAX, f64::min);
    match aggregator {
        Aggregator::Avg => mean,
        Aggregator::Sum => xs.iter().sum(),
        Aggregator::Min => min,
        Aggregator::Max => max,
        Aggregator::Range => max - min,
        Aggregator::Count => n,
        Aggregator::First => xs[0],
        Aggregator::Last => xs[xs.len() - 1],
        Aggregator::StdP => (ss / n).sqrt(),
        Aggregator::StdS => (ss / (n - 1.0)).sqrt(),
        Aggregator::VarP => ss / n,
        Aggregator::VarS => ss / (n - 1.0),
        Aggregator::Twa => {
            let _ = end;
            unreachable!("twa is checked on its own")
        }
    }
}

/// Buckets of `bucket` ms aligned to 0, as `(start, samples)`.
fn buckets(samples: &[(u64, f64)], bucket: u64) -> Vec<(u64, Vec<(u64, f64)>)> {
    let mut out: Vec<(u64, Vec<(u64, f64)>)> = Vec::new();
    for &(ts, v) in samples {
        let start = ts - ts % bucket;
        match out.last_mut() {
            Some((s, items)) if *s == start => items.push((ts, v)),
            _ => out.push((start, vec![(ts, v)])),
        }
    }
    out
}

fn close(a: &[(u64, f64)], b: &[(u64, f64)]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.0 == y.0
                && ((x.1 - y.1).abs() <= 1e-9 * (1.0 + y.1.abs()) || (x.1.is_nan() && y.1.is_nan()))
        })
}

async fn fill(client: &redis_core::Redis, key: &str) {
    let batch: Vec<(&str, Timestamp, f64)> = samples()
        .into_iter()
        .map(|(ts, v)| (key, Timestamp::from(ts), v))
        .collect();
    let stored = client.ts_madd(&batch).await.unwrap();
    assert_eq!(stored.len(), batch.len());
    assert!(stored.iter().all(|r| r.is_ok()));
}

each_redis8!(create_add_get_info_alter_and_del, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("ts");
    let group = ctx.key("g");
    client
        .ts_create_with(
            &key,
            TsCreateOptions::new()
                .encoding(TsEncoding::Uncompressed)
                .chunk_size(128)
                .duplicate_policy(DuplicatePolicy::Max)
                .ignore(5, 0.5)
                .label("group", &group)
                .label("kind", "temp"),
        )
        .await
        .unwrap();
    let err = client.ts_create(&key).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(client.ts_get(&key).await.unwrap(), LastSample(None));

    assert_eq!(client.ts_add(&key, 1000, 1.5).await.unwrap(), 1000);
    let at = UNIX_EPOCH + Duration::from_millis(2000);
    assert_eq!(client.ts_add(&key, at, 2.5).await.unwrap(), 2000);
    // MAX keeps the larger of two samples at one timestamp.
    client.ts_add(&key, 2000u64, 1.0).await.unwrap();
    assert_eq!(client.ts_get(&key).await.unwrap().0, Some((2000, 2.5)));
    let stored = client
        .ts_add_with(
            &key,
            2000u64,
            0.25,
            TsAddOptions::new().on_duplicate(DuplicatePolicy::Last),
        )
        .await
        .unwrap();
    assert_eq!(stored, 2000);
    assert_eq!(client.ts_get(&key).await.unwrap().0, Some((2000, 0.25)));
    let now = client.ts_add(&key, Timestamp::Now, 9.0).await.unwrap();
    assert!(now > 1_600_000_000_000, "{now}");

    let info = client.ts_info(&key).await.unwrap();
    assert_eq!(info.total_samples, 3);
    assert_eq!(info.first_timestamp, 1000);
    assert_eq!(info.last_timestamp, now);
    assert_eq!(info.retention_ms, 0);
    assert_eq!(info.chunk_size, 128);
    assert_eq!(info.encoding, TsEncoding::Uncompressed);
    assert_eq!(info.duplicate_policy, Some(DuplicatePolicy::Max));
    assert_eq!(info.ignore_max_time_diff, 5);
    assert_eq!(info.ignore_max_val_diff, 0.5);
    assert_eq!(
        info.labels,
        [
            ("group".to_string(), group.clone()),
            ("kind".into(), "temp".into())
        ]
    );
    assert_eq!(info.source_key, None);
    assert!(info.rules.is_empty());
    assert_eq!(info.chunks, None);
    let debug = client.ts_info_debug(&key).await.unwrap();
    let chunks = debug.chunks.unwrap();
    assert_eq!(chunks.iter().map(|c| c.samples).sum::<u64>(), 3);
    assert_eq!(chunks[0].start_timestamp, 1000);
    assert!(chunks[0].size > 0);

    client
        .ts_alter(
            &key,
            TsAlterOptions::new()
                .retention_ms(3_000_000_000_000)
                .duplicate_policy(DuplicatePolicy::Sum)
                .label("group", &group),
        )
        .await
        .unwrap();
    let info = client.ts_info(&key).await.unwrap();
    assert_eq!(info.retention_ms, 3_000_000_000_000);
    assert_eq!(info.duplicate_policy, Some(DuplicatePolicy::Sum));
    assert_eq!(info.labels, [("group".to_string(), group.clone())]);

    assert_eq!(client.ts_del(&key, 0..=1500).await.unwrap(), 1);
    assert_eq!(client.ts_range(&key, ..).await.unwrap().len(), 2);
    assert_eq!(client.ts_del(&key, ..).await.unwrap(), 2);
    assert_eq!(client.ts_get(&key).await.unwrap().into_option(), None);

    // INCRBY/DECRBY at chosen timestamps, creating the series.
    let counter = ctx.key("counter");
    let opts = |ts: u64| TsIncrByOptions::new().timestamp(ts).label("group", &group);
    assert_eq!(
        client
            .ts_incrby_with(&counter, 5.0, opts(10))
            .await
            .unwrap(),
        10
    );
    assert_eq!(
        client
            .ts_incrby_with(&counter, 2.5, opts(20))
            .await
            .unwrap(),
        20
    );
    assert_eq!(
        client
            .ts_decrby_with(&counter, 1.0, opts(30))
            .await
            .unwrap(),
        30
    );
    assert_eq!(
        client.ts_range(&counter, ..).await.unwrap(),
        [(10, 5.0), (20, 7.5), (30, 6.5)]
    );
    let at = client.ts_incrby(&counter, 1.0).await.unwrap();
    assert!(at > 30);
    let at2 = client.ts_decrby(&counter, 0.5).await.unwrap();
    assert!(at2 >= at);
    assert_eq!(
        client.ts_get(&counter).await.unwrap().0.map(|s| s.1),
        Some(7.0)
    );

    // MADD answers per sample: a missing series is an error in its slot.
    let missing = ctx.key("missing");
    let replies = client
        .ts_madd(&[
            (&counter, Timestamp::Millis(4_000_000_000_000), 1.0),
            (&missing, Timestamp::Millis(5), 1.0),
        ])
        .await
        .unwrap();
    assert!(replies[0].is_ok());
    assert_eq!(replies[1].as_ref().unwrap_err().kind(), ErrorKind::Server);

    assert_eq!(
        client
            .ts_queryindex(LabelMatcher::eq("group", &group))
            .await
            .unwrap()
            .len(),
        2
    );

    // The same values in a pipeline.
    let (created, added, last): ((), u64, LastSample) = Pipeline::new()
        .ts_create(ctx.key("p"))
        .ts_add(ctx.key("p"), 7u64, 3.0)
        .ts_get(ctx.key("p"))
        .query(&client)
        .await
        .unwrap();
    assert_eq!((created, added, last.0), ((), 7, Some((7, 3.0))));
});

each_redis8!(
    ranges_and_every_aggregator_match_the_computed_answer,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("ts");
        client.ts_create(&key).await.unwrap();
        fill(&client, &key).await;
        let all = samples();

        assert_eq!(client.ts_range(&key, ..).await.unwrap(), all);
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(client.ts_revrange(&key, ..).await.unwrap(), reversed);
        let window: Vec<_> = all
            .iter()
            .copied()
            .filter(|s| (1050..=1150).contains(&s.0))
            .collect();
        assert_eq!(client.ts_range(&key, 1050..=1150).await.unwrap(), window);
        let tail: Vec<_> = all.iter().copied().filter(|s| s.0 >= 1200).collect();
        assert_eq!(client.ts_range(&key, 1200..).await.unwrap(), tail);
        let head: Vec<_> = all.iter().copied().filter(|s| s.0 <= 1020).collect();
        assert_eq!(client.ts_range(&key, ..=1020).await.unwrap(), head);

        let by_value: Vec<_> = all
            .iter()
            .copied()
            .filter(|s| (0.0..=5.0).contains(&s.1))
            .collect();
        let options = TsRangeOptions::new().filter_by_value(0.0, 5.0);
        assert_eq!(
            client.ts_range_with(&key, .., options).await.unwrap(),
            by_value
        );
        let options = TsRangeOptions::new()
            .filter_by_ts([1007, 1014, 1015])
            .count(1);
        assert_eq!(
            client
                .ts_range_with(&key, .., options.clone())
                .await
                .unwrap(),
            [all[1]]
        );
        assert_eq!(
            client.ts_revrange_with(&key, .., options).await.unwrap(),
            [all[2]]
        );

        for bucket in [10u64, 25, 100] {
            let grouped = buckets(&all, bucket);
            for aggregator in Aggregator::ALL {
                if aggregator == Aggregator::Twa {
                    continue;
                }
                let expected: Vec<(u64, f64)> = grouped
                    .iter()
                    // The module's sample deviation of one sample is 0.
                    .map(|(start, items)| {
                        let v = if items.len() == 1
                            && matches!(aggregator, Aggregator::StdS | Aggregator::VarS)
                        {
                            0.0
                        } else {
                            aggregate(aggregator, items, start + bucket)
                        };
                        (*start, v)
                    })
                    .collect();
                let got = client
                    .ts_range_with(
                        &key,
                        ..,
                        TsRangeOptions::new().aggregation(Aggregation::new(aggregator, bucket)),
                    )
                    .await
                    .unwrap();
                assert!(
                    close(&got, &expected),
                    "{aggregator:?} {bucket}: {got:?} vs {expected:?}"
                );
            }
        }

        // TWA of a bucket holding one constant value is that value.
        let flat = ctx.key("flat");
        for ts in [0u64, 5, 10, 15] {
            client.ts_add(&flat, ts, 4.0).await.unwrap();
        }
        let twa = Aggregation::new(Aggregator::Twa, 100);
        assert_eq!(
            client
                .ts_range_with(&flat, .., TsRangeOptions::new().aggregation(twa))
                .await
                .unwrap(),
            [(0, 4.0)]
        );

        // BUCKETTIMESTAMP, ALIGN and EMPTY move and fill the buckets.
        let sum = |b: BucketTimestamp| {
            TsRangeOptions::new()
                .aggregation(Aggregation::new(Aggregator::Sum, 100).bucket_timestamp(b))
        };
        let starts: Vec<u64> = buckets(&all, 100).iter().map(|b| b.0).collect();
        let ends: Vec<u64> = client
            .ts_range_with(&key, .., sum(BucketTimestamp::End))
            .await
            .unwrap()
            .iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(ends, starts.iter().map(|s| s + 100).collect::<Vec<_>>());
        let mids: Vec<u64> = client
            .ts_range_with(&key, .., sum(BucketTimestamp::Mid))
            .await
            .unwrap()
            .iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(mids, starts.iter().map(|s| s + 50).collect::<Vec<_>>());
        let aligned = TsRangeOptions::new()
            .aggregation(Aggregation::new(Aggregator::Count, 100).align(Align::At(1003)));
        let got = client
            .ts_range_with(&key, 1000..=1300, aligned)
            .await
            .unwrap();
        let shifted: Vec<(u64, f64)> = {
            let mut out: Vec<(u64, f64)> = Vec::new();
            for &(ts, _) in all.iter().filter(|s| s.0 <= 1300) {
                let start = ts - (ts - 3) % 100;
                match out.last_mut() {
                    Some((s, n)) if *s == start => *n += 1.0,
                    _ => out.push((start, 1.0)),
                }
            }
            out
        };
        assert_eq!(got, shifted);
        let start_aligned = TsRangeOptions::new()
            .aggregation(Aggregation::new(Aggregator::Count, 100).align(Align::Start));
        let got = client
            .ts_range_with(&key, 1010..=1300, start_aligned)
            .await
            .unwrap();
        assert_eq!(got[0].0, 1010);

        let sparse = ctx.key("sparse");
        client.ts_add(&sparse, 0u64, 1.0).await.unwrap();
        client.ts_add(&sparse, 300u64, 2.0).await.unwrap();
        let empty =
            TsRangeOptions::new().aggregation(Aggregation::new(Aggregator::Sum, 100).empty());
        assert_eq!(
            client.ts_range_with(&sparse, .., empty).await.unwrap(),
            [(0, 1.0), (100, 0.0), (200, 0.0), (300, 2.0)]
        );
        let empty_max =
            TsRangeOptions::new().aggregation(Aggregation::new(Aggregator::Max, 100).empty());
        let got = client.ts_range_with(&sparse, .., empty_max).await.unwrap();
        assert!(got[1].1.is_nan() && got[2].1.is_nan(), "{got:?}");
    }
);

each_redis8!(
    mget_and_mrange_select_by_labels_and_group,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let run = ctx.key("run");
        let series = [("a", "eu", 1.0), ("b", "eu", 10.0), ("c", "us", 100.0)];
        for (name, region, scale) in series {
            let key = ctx.key(name);
            client
                .ts_create_with(
                    &key,
                    TsCreateOptions::new()
                        .label("run", &run)
                        .label("region", region),
                )
                .await
                .unwrap();
            for ts in [10u64, 20, 30] {
                client.ts_add(&key, ts, scale * ts as f64).await.unwrap();
            }
        }
        let mine = LabelMatcher::eq("run", &run);

        let mut last = client.ts_mget(mine.clone()).await.unwrap();
        last.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(last.len(), 3);
        assert_eq!(last[0].key, ctx.key("a"));
        assert!(last[0].labels.is_empty());
        assert_eq!(last[2].sample, Some((30, 3000.0)));
        let with = client
            .ts_mget_with(
                [mine.clone(), LabelMatcher::eq("region", "us")],
                TsLabels::All,
            )
            .await
            .unwrap();
        assert_eq!(with.len(), 1);
        assert_eq!(
            with[0].labels,
            [
                ("run".to_string(), run.clone()),
                ("region".into(), "us".into())
            ]
        );
        let selected = client
            .ts_mget_with(
                [mine.clone(), LabelMatcher::ne("region", "us")],
                TsLabels::Selected(vec!["region".into()]),
            )
            .await
            .unwrap();
        assert_eq!(selected.len(), 2);
        assert!(
            selected
                .iter()
                .all(|e| e.labels == [("region".to_string(), "eu".to_string())])
        );

        let mut ranges = client.ts_mrange(.., mine.clone()).await.unwrap();
        ranges.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(ranges.len(), 3);
        assert_eq!(ranges[1].samples, [(10, 100.0), (20, 200.0), (30, 300.0)]);
        assert!(ranges[1].labels.is_empty() && ranges[1].sources.is_empty());
        let rev = client
            .ts_mrevrange(
                20..=30,
                [mine.clone(), LabelMatcher::any_of("region", ["us"])],
            )
            .await
            .unwrap();
        assert_eq!(rev.len(), 1);
        assert_eq!(rev[0].samples, [(30, 3000.0), (20, 2000.0)]);

        let aggregated = client
            .ts_mrange_with(
                ..,
                [mine.clone(), LabelMatcher::none_of("region", ["us"])],
                TsMRangeOptions::new().labels(TsLabels::All).range(
                    TsRangeOptions::new().aggregation(Aggregation::new(Aggregator::Sum, 100)),
                ),
            )
            .await
            .unwrap();
        assert_eq!(aggregated.len(), 2);
        for s in &aggregated {
            let scale = if s.key == ctx.key("a") { 1.0 } else { 10.0 };
            assert_eq!(s.samples, [(0, 60.0 * scale)]);
            assert!(s.labels.contains(&("region".to_string(), "eu".to_string())));
        }

        // GROUPBY region REDUCE sum: eu = a + b at each timestamp, us = c.
        let mut groups = client
            .ts_mrange_with(
                ..,
                mine.clone(),
                TsMRangeOptions::new()
                    .labels(TsLabels::All)
                    .group_by("region", TsReducer::Sum),
            )
            .await
            .unwrap();
        groups.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].key, "region=eu");
        assert_eq!(groups[0].labels, [("region".to_string(), "eu".to_string())]);
        let mut sources = groups[0].sources.clone();
        sources.sort();
        assert_eq!(sources, [ctx.key("a"), ctx.key("b")]);
        assert_eq!(groups[0].samples, [(10, 110.0), (20, 220.0), (30, 330.0)]);
        assert_eq!(
            groups[1].samples,
            [(10, 1000.0), (20, 2000.0), (30, 3000.0)]
        );
        let maxed = client
            .ts_mrevrange_with(
                ..,
                mine.clone(),
                TsMRangeOptions::new().group_by("run", TsReducer::Max),
            )
            .await
            .unwrap();
        assert_eq!(maxed.len(), 1);
        assert_eq!(maxed[0].samples, [(30, 3000.0), (20, 2000.0), (10, 1000.0)]);

        let present = client
            .ts_queryindex([mine.clone(), LabelMatcher::present("region")])
            .await
            .unwrap();
        assert_eq!(present.len(), 3);
        let absent = client
            .ts_queryindex([mine.clone(), LabelMatcher::absent("region")])
            .await
            .unwrap();
        assert!(absent.is_empty());
    }
);

each_redis8!(
    compaction_rules_produce_the_expected_buckets,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let source = ctx.key("raw");
        let dest = ctx.key("avg");
        client.ts_create(&source).await.unwrap();
        client.ts_create(&dest).await.unwrap();
        client
            .ts_createrule(&source, &dest, Aggregator::Avg, 100)
            .await
            .unwrap();
        let info = client.ts_info(&source).await.unwrap();
        assert_eq!(info.rules.len(), 1);
        assert_eq!(info.rules[0].dest, dest);
        assert_eq!(info.rules[0].bucket_ms, 100);
        assert_eq!(info.rules[0].aggregator, Aggregator::Avg);
        assert_eq!(info.rules[0].align_ms, 0);
        assert_eq!(
            client.ts_info(&dest).await.unwrap().source_key,
            Some(source.clone())
        );

        let all = samples();
        fill(&client, &source).await;
        // A bucket is written when a sample of a later bucket arrives: every
        // bucket but the last is closed.
        let grouped = buckets(&all, 100);
        let expected: Vec<(u64, f64)> = grouped[..grouped.len() - 1]
            .iter()
            .map(|(start, items)| (*start, aggregate(Aggregator::Avg, items, start + 100)))
            .collect();
        assert!(close(&client.ts_range(&dest, ..).await.unwrap(), &expected));
        let (last_start, last_items) = &grouped[grouped.len() - 1];
        assert_eq!(
            client.ts_get_latest(&dest).await.unwrap().0,
            Some((*last_start, aggregate(Aggregator::Avg, last_items, 0)))
        );
        let latest = client
            .ts_range_with(&dest, .., TsRangeOptions::new().latest())
            .await
            .unwrap();
        assert_eq!(latest.len(), grouped.len());

        client.ts_deleterule(&source, &dest).await.unwrap();
        assert!(client.ts_info(&source).await.unwrap().rules.is_empty());
        let aligned = ctx.key("aligned");
        client.ts_create(&aligned).await.unwrap();
        client
            .ts_createrule_aligned(&source, &aligned, Aggregator::Count, 100, 50)
            .await
            .unwrap();
        assert_eq!(client.ts_info(&source).await.unwrap().rules[0].align_ms, 50);
    }
);

each_redis8!(
    label_values_with_special_characters_match_exactly_themselves,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let run = ctx.key("run");
        // What the module accepts as a label value: spaces, quotes, other
        // punctuation, non-ASCII.
        let values = [
            "two words",
            "say \"hi\"",
            "it's",
            "a;b|c{d}",
            "x\\y",
            "ünï 😀",
            " lead",
        ];
        for (i, value) in values.iter().enumerate() {
            client
                .ts_create_with(
                    ctx.key(&format!("s{i}")),
                    TsCreateOptions::new().label("run", &run).label("v", *value),
                )
                .await
                .unwrap();
        }
        for (i, value) in values.iter().enumerate() {
            let found = client
                .ts_queryindex([LabelMatcher::eq("run", &run), LabelMatcher::eq("v", *value)])
                .await
                .unwrap();
            assert_eq!(found, [ctx.key(&format!("s{i}"))], "{value:?}");
        }
        let two = client
            .ts_queryindex([
                LabelMatcher::eq("run", &run),
                LabelMatcher::any_of("v", [values[0], values[1]]),
            ])
            .await
            .unwrap();
        assert_eq!(two.len(), 2);
        let others = client
            .ts_queryindex([
                LabelMatcher::eq("run", &run),
                LabelMatcher::ne("v", values[0]),
            ])
            .await
            .unwrap();
        assert_eq!(others.len(), values.len() - 1);
        // Near misses match nothing.
        for near in ["two", "two words ", "say \"hi", "it", "lead"] {
            let found = client
                .ts_queryindex([LabelMatcher::eq("run", &run), LabelMatcher::eq("v", near)])
                .await
                .unwrap();
            assert!(found.is_empty(), "{near:?} matched {found:?}");
        }
        // Characters the filter syntax splits on cannot be expressed: the
        // command is refused before it is sent, instead of matching
        // something else.
        for bad in ["a=b", "a,b", "(a)", "a)", "!a"] {
            let err = client
                .ts_queryindex([LabelMatcher::eq("run", &run), LabelMatcher::eq("v", bad)])
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        }
        // And the module refuses such a value as a label.
        let err = client
            .ts_create_with(ctx.key("bad"), TsCreateOptions::new().label("v", "(a,b)"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }
);
