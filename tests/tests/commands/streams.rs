//! streams commands against the real servers.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline};
use redis_tests::{Ctx, each_redis8, each_setup};

type Fields = Vec<(String, String)>;

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(f, v)| ((*f).to_owned(), (*v).to_owned()))
        .collect()
}

fn id(ms: u64, seq: u64) -> StreamId {
    StreamId::new(ms, seq)
}

/// A stream with entries 1-1 {n: 1}, 2-1 {n: 2}, 3-1 {n: 3}.
async fn three_entries(client: &redis_core::Redis, key: &str) {
    for n in 1..=3u64 {
        let options = XAddOptions::new().id(id(n, 1));
        let added = client.xadd_with(key, [("n", n)], options).await.unwrap();
        assert_eq!(added, Some(id(n, 1)));
    }
}

each_setup!(
    xadd_appends_entries_that_xrange_returns_in_order,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        let first = client
            .xadd(&key, [("name", "ada"), ("lang", "en")])
            .await
            .unwrap();
        let second = client.xadd(&key, [("name", "bob")]).await.unwrap();
        assert!(second > first, "{second} after {first}");
        assert_eq!(client.xlen(&key).await.unwrap(), 2);

        let all: Vec<StreamEntry<Fields>> = client
            .xrange(&key, StreamBound::Min, StreamBound::Max)
            .await
            .unwrap();
        assert_eq!(
            all,
            [
                StreamEntry {
                    id: first,
                    fields: fields(&[("name", "ada"), ("lang", "en")]),
                },
                StreamEntry {
                    id: second,
                    fields: fields(&[("name", "bob")]),
                },
            ]
        );
        let as_maps: Vec<StreamEntry<HashMap<String, String>>> = client
            .xrange(&key, StreamBound::Min, StreamBound::Max)
            .await
            .unwrap();
        assert_eq!(as_maps[0].fields["lang"], "en");

        let newest_first: Vec<StreamEntry<Fields>> = client
            .xrevrange(&key, StreamBound::Max, StreamBound::Min)
            .await
            .unwrap();
        assert_eq!(
            newest_first.iter().map(|e| e.id).collect::<Vec<_>>(),
            [second, first]
        );
        assert_eq!(client.xlen(ctx.key("missing")).await.unwrap(), 0);
    }
);

each_setup!(
    xrange_honours_count_and_exclusive_bounds,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        let ids = |entries: Vec<StreamEntry<Fields>>| {
            entries.into_iter().map(|e| e.id).collect::<Vec<_>>()
        };

        let first_two = client
            .xrange_count(&key, StreamBound::Min, StreamBound::Max, 2)
            .await
            .unwrap();
        assert_eq!(ids(first_two), [id(1, 1), id(2, 1)]);
        let after_first = client
            .xrange(&key, StreamBound::Exclusive(id(1, 1)), StreamBound::Max)
            .await
            .unwrap();
        assert_eq!(ids(after_first), [id(2, 1), id(3, 1)]);
        let up_to_second = client
            .xrange(&key, StreamBound::Min, StreamBound::Inclusive(id(2, 1)))
            .await
            .unwrap();
        assert_eq!(ids(up_to_second), [id(1, 1), id(2, 1)]);
        let last_one = client
            .xrevrange_count(&key, StreamBound::Max, StreamBound::Min, 1)
            .await
            .unwrap();
        assert_eq!(ids(last_one), [id(3, 1)]);
        let strictly_between = client
            .xrevrange(
                &key,
                StreamBound::Exclusive(id(3, 1)),
                StreamBound::Exclusive(id(1, 1)),
            )
            .await
            .unwrap();
        assert_eq!(ids(strictly_between), [id(2, 1)]);
    }
);

each_setup!(
    xadd_with_takes_explicit_and_partial_ids_and_nomkstream,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        let explicit = client
            .xadd_with(&key, [("a", "1")], XAddOptions::new().id(id(100, 5)))
            .await
            .unwrap();
        assert_eq!(explicit, Some(id(100, 5)));
        let same_ms = client
            .xadd_with(&key, [("a", "2")], XAddOptions::new().id_ms(100))
            .await
            .unwrap();
        assert_eq!(same_ms, Some(id(100, 6)));
        let err = client
            .xadd_with(&key, [("a", "3")], XAddOptions::new().id(id(100, 1)))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);

        let missing = ctx.key("missing");
        let not_created = client
            .xadd_with(&missing, [("a", "1")], XAddOptions::new().nomkstream())
            .await
            .unwrap();
        assert_eq!(not_created, None);
        assert_eq!(client.xlen(&missing).await.unwrap(), 0);
        let appended = client
            .xadd_with(&key, [("a", "4")], XAddOptions::new().nomkstream())
            .await
            .unwrap();
        assert!(appended.is_some_and(|new| new > id(100, 6)));
    }
);

each_setup!(xadd_trims_exactly_or_approximately, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("s");
    for n in 0..10u64 {
        client.xadd(&key, [("n", n)]).await.unwrap();
    }
    let exact = XAddOptions::new().trim(StreamTrim::max_len(3).exact());
    let newest = client
        .xadd_with(&key, [("n", 10)], exact)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(client.xlen(&key).await.unwrap(), 3);
    let kept: Vec<StreamEntry<Fields>> = client
        .xrange(&key, StreamBound::Min, StreamBound::Max)
        .await
        .unwrap();
    assert_eq!(kept[2].id, newest);
    assert_eq!(kept[0].fields, fields(&[("n", "8")]));

    // Approximate trimming only removes whole nodes (100 entries by
    // default), so a small stream keeps everything.
    let approximate = XAddOptions::new().trim(StreamTrim::max_len(1).limit(10));
    client
        .xadd_with(&key, [("n", 11)], approximate)
        .await
        .unwrap();
    assert_eq!(client.xlen(&key).await.unwrap(), 4);
    let by_id = XAddOptions::new().trim(StreamTrim::min_id(newest).exact());
    client.xadd_with(&key, [("n", 12)], by_id).await.unwrap();
    assert_eq!(client.xlen(&key).await.unwrap(), 3);
});

each_setup!(xtrim_and_xdel_remove_entries, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("s");
    three_entries(&client, &key).await;
    assert_eq!(
        client
            .xtrim(&key, StreamTrim::min_id(id(2, 0)).exact())
            .await
            .unwrap(),
        1
    );
    assert_eq!(client.xtrim(&key, StreamTrim::max_len(1)).await.unwrap(), 0);
    assert_eq!(
        client
            .xtrim(&key, StreamTrim::max_len(1).exact())
            .await
            .unwrap(),
        1
    );
    assert_eq!(client.xdel(&key, &[id(3, 1), id(9, 9)]).await.unwrap(), 1);
    assert_eq!(client.xlen(&key).await.unwrap(), 0);
});

each_setup!(
    xread_returns_new_entries_per_stream,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b, empty) = (ctx.key("a"), ctx.key("b"), ctx.key("empty"));
        three_entries(&client, &a).await;
        client
            .xadd_with(&b, [("x", "y")], XAddOptions::new().id(id(7, 0)))
            .await
            .unwrap();
        client
            .xgroup_create_with(
                &empty,
                "g",
                GroupStart::NewEntries,
                XGroupCreateOptions::new().mkstream(),
            )
            .await
            .unwrap();

        let read: Vec<StreamEntries<Fields>> = client
            .xread(&[
                (&a, ReadFrom::After(id(1, 1))),
                (&b, ReadFrom::After(StreamId::ZERO)),
                (&empty, ReadFrom::After(StreamId::ZERO)),
            ])
            .await
            .unwrap();
        assert_eq!(read.len(), 2, "the empty stream is left out: {read:?}");
        assert_eq!(read[0].key, a);
        assert_eq!(
            read[0].entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            [id(2, 1), id(3, 1)]
        );
        assert_eq!(read[1].key, b);
        assert_eq!(read[1].entries[0].fields, fields(&[("x", "y")]));

        let counted: Vec<StreamEntries<Fields>> = client
            .xread_with(
                &[(&a, ReadFrom::After(StreamId::ZERO))],
                XReadOptions::new().count(1),
            )
            .await
            .unwrap();
        assert_eq!(counted[0].entries.len(), 1);
        let nothing_new: Vec<StreamEntries<Fields>> =
            client.xread(&[(&a, ReadFrom::NewEntries)]).await.unwrap();
        assert!(nothing_new.is_empty());
    }
);

each_setup!(
    xread_block_times_out_empty_and_wakes_for_new_entries,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        let started = Instant::now();
        let timed_out: Vec<StreamEntries<Fields>> = client
            .xread_with(
                &[(&key, ReadFrom::NewEntries)],
                XReadOptions::new().block(Duration::from_millis(100)),
            )
            .await
            .unwrap();
        assert!(timed_out.is_empty(), "{timed_out:?}");
        assert!(started.elapsed() >= Duration::from_millis(90));

        let writer = client.clone();
        let writer_key = key.clone();
        let write = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            writer.xadd(&writer_key, [("late", "1")]).await.unwrap()
        });
        let woken: Vec<StreamEntries<Fields>> = client
            .xread_with(
                &[(&key, ReadFrom::NewEntries)],
                XReadOptions::new().block(Duration::from_secs(5)),
            )
            .await
            .unwrap();
        let late = write.await.unwrap();
        assert_eq!(woken.len(), 1);
        assert_eq!(woken[0].entries[0].id, late);
        assert_eq!(woken[0].entries[0].fields, fields(&[("late", "1")]));
    }
);

each_setup!(
    consumer_groups_deliver_track_and_acknowledge,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        client
            .xgroup_create(&key, "g", GroupStart::After(StreamId::ZERO))
            .await
            .unwrap();

        let to_alice: Vec<StreamEntries<Fields>> = client
            .xreadgroup_with(
                "g",
                "alice",
                &[(&key, GroupReadFrom::Undelivered)],
                XReadGroupOptions::new().count(2),
            )
            .await
            .unwrap();
        assert_eq!(
            to_alice[0].entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            [id(1, 1), id(2, 1)]
        );
        let to_bob: Vec<StreamEntries<Fields>> = client
            .xreadgroup("g", "bob", &[(&key, GroupReadFrom::Undelivered)])
            .await
            .unwrap();
        assert_eq!(to_bob[0].entries[0].id, id(3, 1));
        assert_eq!(to_bob[0].entries[0].fields, fields(&[("n", "3")]));

        let summary = client.xpending(&key, "g").await.unwrap();
        assert_eq!(
            summary,
            PendingSummary {
                count: 3,
                first_id: Some(id(1, 1)),
                last_id: Some(id(3, 1)),
                consumers: vec![("alice".to_owned(), 2), ("bob".to_owned(), 1)],
            }
        );
        let alices = client
            .xpending_range(&key, "g", XPendingRange::new(10).consumer("alice"))
            .await
            .unwrap();
        assert_eq!(alices.len(), 2);
        assert_eq!(alices[0].id, id(1, 1));
        assert_eq!(alices[0].consumer, "alice");
        assert_eq!(alices[0].deliveries, 1);
        let after_first = client
            .xpending_range(
                &key,
                "g",
                XPendingRange::new(10).start(StreamBound::Exclusive(id(1, 1))),
            )
            .await
            .unwrap();
        assert_eq!(
            after_first.iter().map(|p| p.id).collect::<Vec<_>>(),
            [id(2, 1), id(3, 1)]
        );
        let long_idle = client
            .xpending_range(
                &key,
                "g",
                XPendingRange::new(10).idle(Duration::from_secs(3600)),
            )
            .await
            .unwrap();
        assert!(long_idle.is_empty());

        // Alice's history: what she has pending.
        let history: Vec<StreamEntries<Fields>> = client
            .xreadgroup(
                "g",
                "alice",
                &[(&key, GroupReadFrom::PendingAfter(StreamId::ZERO))],
            )
            .await
            .unwrap();
        assert_eq!(history[0].entries.len(), 2);

        assert_eq!(
            client.xack(&key, "g", &[id(1, 1), id(9, 9)]).await.unwrap(),
            1
        );
        let summary = client.xpending(&key, "g").await.unwrap();
        assert_eq!(summary.count, 2);
        assert_eq!(summary.first_id, Some(id(2, 1)));
        assert_eq!(
            client.xack(&key, "g", &[id(2, 1), id(3, 1)]).await.unwrap(),
            2
        );
        let empty = client.xpending(&key, "g").await.unwrap();
        assert_eq!(
            empty,
            PendingSummary {
                count: 0,
                first_id: None,
                last_id: None,
                consumers: vec![],
            }
        );
    }
);

each_setup!(xreadgroup_noack_and_block_timeout, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("s");
    three_entries(&client, &key).await;
    client
        .xgroup_create(&key, "g", GroupStart::After(StreamId::ZERO))
        .await
        .unwrap();
    let read: Vec<StreamEntries<HashMap<String, u64>>> = client
        .xreadgroup_with(
            "g",
            "c",
            &[(&key, GroupReadFrom::Undelivered)],
            XReadGroupOptions::new().noack(),
        )
        .await
        .unwrap();
    assert_eq!(read[0].entries[2].fields["n"], 3);
    assert_eq!(client.xpending(&key, "g").await.unwrap().count, 0);

    let started = Instant::now();
    let timed_out: Vec<StreamEntries<Fields>> = client
        .xreadgroup_with(
            "g",
            "c",
            &[(&key, GroupReadFrom::Undelivered)],
            XReadGroupOptions::new()
                .block(Duration::from_millis(100))
                .count(5),
        )
        .await
        .unwrap();
    assert!(timed_out.is_empty(), "{timed_out:?}");
    assert!(started.elapsed() >= Duration::from_millis(90));
});

each_setup!(
    xclaim_moves_pending_entries_between_consumers,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        client
            .xgroup_create(&key, "g", GroupStart::After(StreamId::ZERO))
            .await
            .unwrap();
        let _: Vec<StreamEntries<Fields>> = client
            .xreadgroup_with(
                "g",
                "alice",
                &[(&key, GroupReadFrom::Undelivered)],
                XReadGroupOptions::new().count(2),
            )
            .await
            .unwrap();

        // Nothing has been idle for an hour.
        let none: Vec<StreamEntry<Fields>> = client
            .xclaim(&key, "g", "bob", Duration::from_secs(3600), &[id(1, 1)])
            .await
            .unwrap();
        assert!(none.is_empty());
        let claimed: Vec<StreamEntry<Fields>> = client
            .xclaim(&key, "g", "bob", Duration::ZERO, &[id(1, 1)])
            .await
            .unwrap();
        assert_eq!(
            claimed,
            [StreamEntry {
                id: id(1, 1),
                fields: fields(&[("n", "1")])
            }]
        );

        let options = XClaimOptions::new()
            .idle(Duration::from_secs(600))
            .retry_count(7);
        let claimed: Vec<StreamEntry<Fields>> = client
            .xclaim_with(&key, "g", "carol", Duration::ZERO, &[id(2, 1)], options)
            .await
            .unwrap();
        assert_eq!(claimed[0].id, id(2, 1));
        let pending = client
            .xpending_range(&key, "g", XPendingRange::new(10).consumer("carol"))
            .await
            .unwrap();
        assert_eq!(pending[0].deliveries, 7);
        assert!(pending[0].idle >= Duration::from_secs(600));

        // 3-1 was never delivered: only FORCE makes it pending.
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let ids = client
            .xclaim_justid(
                &key,
                "g",
                "dave",
                Duration::ZERO,
                &[id(3, 1)],
                XClaimOptions::new(),
            )
            .await
            .unwrap();
        assert!(ids.is_empty());
        let forced = XClaimOptions::new().force().time(an_hour_ago);
        let ids = client
            .xclaim_justid(
                &key,
                "g",
                "dave",
                Duration::ZERO,
                &[id(3, 1), id(1, 1)],
                forced,
            )
            .await
            .unwrap();
        assert_eq!(ids, [id(3, 1), id(1, 1)]);
        let daves = client
            .xpending_range(&key, "g", XPendingRange::new(10).consumer("dave"))
            .await
            .unwrap();
        assert_eq!(daves.len(), 2);
        assert!(
            daves.iter().all(|p| p.idle >= Duration::from_secs(3599)),
            "{daves:?}"
        );
    }
);

each_setup!(
    xautoclaim_scans_the_pending_list_and_reports_deleted_entries,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        client
            .xgroup_create(&key, "g", GroupStart::After(StreamId::ZERO))
            .await
            .unwrap();
        let _: Vec<StreamEntries<Fields>> = client
            .xreadgroup("g", "alice", &[(&key, GroupReadFrom::Undelivered)])
            .await
            .unwrap();
        assert_eq!(client.xdel(&key, &[id(2, 1)]).await.unwrap(), 1);

        let first = client
            .xautoclaim::<Fields>(&key, "g", "bob", Duration::ZERO, StreamId::ZERO, 1)
            .await
            .unwrap();
        assert_eq!(
            first.claimed,
            [StreamEntry {
                id: id(1, 1),
                fields: fields(&[("n", "1")])
            }]
        );
        assert_eq!(first.next, id(2, 1));
        let rest = client
            .xautoclaim_justid(&key, "g", "bob", Duration::ZERO, first.next, 10)
            .await
            .unwrap();
        assert_eq!(rest.claimed, [id(3, 1)]);
        assert_eq!(rest.deleted, [id(2, 1)]);
        assert_eq!(rest.next, StreamId::ZERO);
        let summary = client.xpending(&key, "g").await.unwrap();
        assert_eq!(summary.consumers, [("bob".to_owned(), 2)]);
    }
);

each_setup!(
    xgroup_creates_moves_and_destroys_groups_and_consumers,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        let err = client
            .xgroup_create(&key, "g", GroupStart::NewEntries)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server, "no stream yet: {err}");
        client
            .xgroup_create_with(
                &key,
                "g",
                GroupStart::NewEntries,
                XGroupCreateOptions::new().mkstream().entries_read(0),
            )
            .await
            .unwrap();
        let err = client
            .xgroup_create(&key, "g", GroupStart::NewEntries)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("BUSYGROUP"));

        assert!(client.xgroup_createconsumer(&key, "g", "c").await.unwrap());
        assert!(!client.xgroup_createconsumer(&key, "g", "c").await.unwrap());
        three_entries(&client, &key).await;
        // The group was created at the end of an empty stream: it gets all three.
        let read: Vec<StreamEntries<Fields>> = client
            .xreadgroup("g", "c", &[(&key, GroupReadFrom::Undelivered)])
            .await
            .unwrap();
        assert_eq!(read[0].entries.len(), 3);
        assert_eq!(client.xgroup_delconsumer(&key, "g", "c").await.unwrap(), 3);
        assert_eq!(client.xgroup_delconsumer(&key, "g", "c").await.unwrap(), 0);

        client
            .xgroup_setid(&key, "g", GroupStart::After(id(1, 1)))
            .await
            .unwrap();
        let groups = client.xinfo_groups(&key).await.unwrap();
        assert_eq!(groups[0].last_delivered_id, id(1, 1));
        client
            .xgroup_setid_with(&key, "g", GroupStart::NewEntries, 3)
            .await
            .unwrap();
        let groups = client.xinfo_groups(&key).await.unwrap();
        assert_eq!(groups[0].last_delivered_id, id(3, 1));
        assert_eq!(groups[0].entries_read, Some(3));
        assert_eq!(groups[0].lag, Some(0));

        assert!(client.xgroup_destroy(&key, "g").await.unwrap());
        assert!(!client.xgroup_destroy(&key, "g").await.unwrap());
        assert!(client.xinfo_groups(&key).await.unwrap().is_empty());
    }
);

each_setup!(
    xinfo_describes_stream_groups_and_consumers,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        client
            .xgroup_create(&key, "g", GroupStart::After(StreamId::ZERO))
            .await
            .unwrap();
        assert!(
            client
                .xgroup_createconsumer(&key, "g", "idle")
                .await
                .unwrap()
        );
        let _: Vec<StreamEntries<Fields>> = client
            .xreadgroup_with(
                "g",
                "busy",
                &[(&key, GroupReadFrom::Undelivered)],
                XReadGroupOptions::new().count(2),
            )
            .await
            .unwrap();

        let info: StreamInfo<Fields> = client.xinfo_stream(&key).await.unwrap();
        assert_eq!(info.length, 3);
        assert_eq!(info.groups, 1);
        assert_eq!(info.last_generated_id, id(3, 1));
        assert_eq!(info.entries_added, Some(3));
        assert_eq!(info.recorded_first_entry_id, Some(id(1, 1)));
        assert_eq!(info.max_deleted_entry_id, Some(StreamId::ZERO));
        assert!(info.radix_tree_keys >= 1);
        let first = info.first_entry.unwrap();
        assert_eq!((first.id, first.fields), (id(1, 1), fields(&[("n", "1")])));
        assert_eq!(info.last_entry.unwrap().id, id(3, 1));

        let groups = client.xinfo_groups(&key).await.unwrap();
        assert_eq!(groups.len(), 1);
        let group = &groups[0];
        assert_eq!(group.name, "g");
        assert_eq!((group.consumers, group.pending), (2, 2));
        assert_eq!(group.last_delivered_id, id(2, 1));
        assert_eq!(group.entries_read, Some(2));
        assert_eq!(group.lag, Some(1));

        let consumers = client.xinfo_consumers(&key, "g").await.unwrap();
        let names: Vec<_> = consumers
            .iter()
            .map(|c| (c.name.as_str(), c.pending))
            .collect();
        assert_eq!(names, [("busy", 2), ("idle", 0)]);
        assert!(consumers[0].idle < Duration::from_secs(60));
        if ctx.setup.version.has_redis_7_2() {
            assert!(consumers[0].inactive.is_some());
            assert_eq!(consumers[1].inactive, None, "never read anything");
        } else {
            assert_eq!(consumers[0].inactive, None, "7.0 does not report it");
        }

        let empty = ctx.key("empty");
        client
            .xgroup_create_with(
                &empty,
                "g",
                GroupStart::NewEntries,
                XGroupCreateOptions::new().mkstream(),
            )
            .await
            .unwrap();
        let info: StreamInfo<Fields> = client.xinfo_stream(&empty).await.unwrap();
        assert_eq!(
            (info.length, info.first_entry, info.last_entry),
            (0, None, None)
        );
        let err = client
            .xinfo_stream::<Fields>(ctx.key("missing"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }
);

each_setup!(
    xinfo_stream_full_lists_entries_and_pending_lists,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        client
            .xgroup_create(&key, "g", GroupStart::After(StreamId::ZERO))
            .await
            .unwrap();
        let before = SystemTime::now() - Duration::from_secs(60);
        let _: Vec<StreamEntries<Fields>> = client
            .xreadgroup_with(
                "g",
                "c",
                &[(&key, GroupReadFrom::Undelivered)],
                XReadGroupOptions::new().count(2),
            )
            .await
            .unwrap();

        let full: StreamInfoFull<Fields> = client.xinfo_stream_full(&key, None).await.unwrap();
        assert_eq!(full.length, 3);
        assert_eq!(full.entries.len(), 3);
        assert_eq!(full.entries[1].fields, fields(&[("n", "2")]));
        assert_eq!(full.groups.len(), 1);
        let group = &full.groups[0];
        assert_eq!(group.name, "g");
        assert_eq!(group.pel_count, 2);
        assert_eq!(group.last_delivered_id, id(2, 1));
        assert_eq!(group.pending.len(), 2);
        assert_eq!(group.pending[0].id, id(1, 1));
        assert_eq!(group.pending[0].consumer, "c");
        assert_eq!(group.pending[0].deliveries, 1);
        assert!(group.pending[0].delivered_at > before);
        let consumer = &group.consumers[0];
        assert_eq!((consumer.name.as_str(), consumer.pel_count), ("c", 2));
        assert_eq!(consumer.pending[1].id, id(2, 1));
        assert!(consumer.seen_time > before);
        assert_eq!(
            consumer.active_time.is_some(),
            ctx.setup.version.has_redis_7_2()
        );

        let limited: StreamInfoFull<Fields> =
            client.xinfo_stream_full(&key, Some(1)).await.unwrap();
        assert_eq!(limited.entries.len(), 1);
        assert_eq!(limited.groups[0].pending.len(), 1);
    }
);

each_setup!(xsetid_moves_the_last_generated_id, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("s");
    three_entries(&client, &key).await;
    client.xsetid(&key, id(50, 0)).await.unwrap();
    let next = client
        .xadd_with(&key, [("n", 4)], XAddOptions::new().id_ms(50))
        .await
        .unwrap();
    assert_eq!(next, Some(id(50, 1)));
    let err = client.xsetid(&key, id(1, 0)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "below the last entry");

    let options = XSetIdOptions::new()
        .entries_added(10)
        .max_deleted_id(id(40, 0));
    client.xsetid_with(&key, id(60, 0), options).await.unwrap();
    let info: StreamInfo<Fields> = client.xinfo_stream(&key).await.unwrap();
    assert_eq!(info.last_generated_id, id(60, 0));
    assert_eq!(info.entries_added, Some(10));
    assert_eq!(info.max_deleted_entry_id, Some(id(40, 0)));
});

each_redis8!(
    xread_from_the_last_entry_returns_it,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        let last: Vec<StreamEntries<Fields>> =
            client.xread(&[(&key, ReadFrom::LastEntry)]).await.unwrap();
        assert_eq!(last[0].entries.len(), 1);
        assert_eq!(last[0].entries[0].id, id(3, 1));
    }
);

each_redis8!(
    xdelex_and_xackdel_follow_the_reference_policy,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        for group in ["g1", "g2"] {
            client
                .xgroup_create(&key, group, GroupStart::After(StreamId::ZERO))
                .await
                .unwrap();
            let _: Vec<StreamEntries<Fields>> = client
                .xreadgroup(group, "c", &[(&key, GroupReadFrom::Undelivered)])
                .await
                .unwrap();
        }

        // 1-1 is pending in both groups: ACKED keeps it. (With ACKED the
        // server answers "referenced" for a missing id above what a group
        // has read, so the missing one here is below every entry.)
        let results = client
            .xdelex(&key, &[id(1, 1), id(0, 5)], StreamRefPolicy::Acked)
            .await
            .unwrap();
        assert_eq!(
            results,
            [StreamDeletion::Referenced, StreamDeletion::NotFound]
        );
        // g1 acknowledges it; g2 still holds it.
        let results = client
            .xackdel(&key, "g1", &[id(1, 1)], StreamRefPolicy::Acked)
            .await
            .unwrap();
        assert_eq!(results, [StreamDeletion::Referenced]);
        let results = client
            .xackdel(&key, "g2", &[id(1, 1)], StreamRefPolicy::Acked)
            .await
            .unwrap();
        assert_eq!(results, [StreamDeletion::Deleted]);
        assert_eq!(client.xlen(&key).await.unwrap(), 2);

        // DELREF removes the entry and every group's reference to it.
        let results = client
            .xdelex(&key, &[id(2, 1)], StreamRefPolicy::DelRef)
            .await
            .unwrap();
        assert_eq!(results, [StreamDeletion::Deleted]);
        assert_eq!(client.xpending(&key, "g1").await.unwrap().count, 1);
        assert_eq!(client.xpending(&key, "g2").await.unwrap().count, 1);
        // KEEPREF deletes it but leaves it pending.
        let results = client
            .xdelex(&key, &[id(3, 1)], StreamRefPolicy::KeepRef)
            .await
            .unwrap();
        assert_eq!(results, [StreamDeletion::Deleted]);
        assert_eq!(client.xlen(&key).await.unwrap(), 0);
        assert_eq!(client.xpending(&key, "g1").await.unwrap().count, 1);
    }
);

each_redis8!(
    trimming_with_acked_keeps_unacknowledged_entries,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("s");
        three_entries(&client, &key).await;
        client
            .xgroup_create(&key, "g", GroupStart::After(StreamId::ZERO))
            .await
            .unwrap();
        let _: Vec<StreamEntries<Fields>> = client
            .xreadgroup("g", "c", &[(&key, GroupReadFrom::Undelivered)])
            .await
            .unwrap();
        assert_eq!(client.xack(&key, "g", &[id(1, 1)]).await.unwrap(), 1);

        let acked_only = StreamTrim::max_len(0).exact().refs(StreamRefPolicy::Acked);
        assert_eq!(client.xtrim(&key, acked_only).await.unwrap(), 1);
        assert_eq!(client.xlen(&key).await.unwrap(), 2);

        let delref = StreamTrim::max_len(1).exact().refs(StreamRefPolicy::DelRef);
        let added = client
            .xadd_with(&key, [("n", 4)], XAddOptions::new().trim(delref))
            .await
            .unwrap();
        assert!(added.is_some());
        assert_eq!(client.xlen(&key).await.unwrap(), 1);
        assert_eq!(client.xpending(&key, "g").await.unwrap().count, 0);
    }
);

each_setup!(stream_commands_chain_in_a_pipeline, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("s");
    // Each command's reply type is the tuple's: (Option<StreamId>, (), u64,
    // Vec<StreamEntry<Fields>>, Vec<GroupInfo>, u64).
    let (added, (), len, entries, groups, trimmed) = Pipeline::new()
        .xadd_with(&key, [("a", "1")], XAddOptions::new().id(id(1, 0)))
        .xgroup_create(&key, "g", GroupStart::NewEntries)
        .xlen(&key)
        .xrange::<Fields>(&key, StreamBound::Min, StreamBound::Max)
        .xinfo_groups(&key)
        .xtrim(&key, StreamTrim::max_len(0).exact())
        .query(&client)
        .await
        .unwrap();
    assert_eq!(added, Some(id(1, 0)));
    assert_eq!(len, 1);
    assert_eq!(
        entries,
        [StreamEntry {
            id: id(1, 0),
            fields: fields(&[("a", "1")])
        }]
    );
    assert_eq!(groups[0].name, "g");
    assert_eq!(trimmed, 1);
});
