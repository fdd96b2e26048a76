//! Date-time fields (`chrono` and `time`, features of redis-om) on real
//! servers: stored as epoch seconds in hashes (the text checked with HGET)
//! and, through `redis_om::epoch_seconds`, as numbers in JSON documents;
//! read back to the microsecond; indexed NUMERIC and found by a range
//! query on Redis 8.2; stored text that is not epoch seconds is an error
//! naming the key and the field.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, Utc};
use redis_core::ErrorKind;
use redis_core::Redis;
use redis_core::commands::*;
use redis_om::{Migrator, Model, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8, each_setup};
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, UtcOffset};

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "event")]
struct Event {
    #[redis(pk)]
    id: String,
    name: String,
    #[redis(index(sortable))]
    at: DateTime<Utc>,
    day: NaiveDate,
    ends: Option<DateTime<Utc>>,
    #[redis(index)]
    logged: OffsetDateTime,
    due: Option<Date>,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "order")]
struct Order {
    #[redis(pk)]
    id: String,
    #[redis(index(sortable))]
    #[serde(with = "redis_om::epoch_seconds")]
    placed: DateTime<Utc>,
    #[redis(index)]
    #[serde(with = "redis_om::epoch_seconds::option", default)]
    shipped: Option<OffsetDateTime>,
    #[serde(with = "redis_om::epoch_seconds")]
    due: Date,
}

fn at(seconds: i64, nanos: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, nanos).unwrap()
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn time_at(nanos: i128) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap()
}

/// 2024-01-02T03:04:05.123456Z, whose epoch seconds are 1704164645.123456.
fn event() -> Event {
    Event {
        id: String::new(),
        name: "launch".to_owned(),
        at: at(1_704_164_645, 123_456_000),
        day: day(1815, 12, 10),
        ends: None,
        logged: time_at(1_704_164_645_000_000_000),
        due: Some(Date::from_calendar_date(2000, Month::February, 29).unwrap()),
    }
}

fn repo<M: Model>(ctx: &Ctx, client: &Redis) -> Repository<M, Redis> {
    Repository::new(client.clone()).with_prefix(ctx.key(M::info().prefix()))
}

async fn search(client: &Redis, index: &str, query: &str) -> Vec<String> {
    let options = SearchOptions::new().no_content();
    let found: SearchResult = client.ft_search_with(index, query, &options).await.unwrap();
    let mut keys: Vec<String> = found.documents.into_iter().map(|d| d.id).collect();
    keys.sort();
    keys
}

each_setup!(
    date_times_round_trip_in_hashes_as_epoch_seconds,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let events = repo::<Event>(&ctx, &client);
        let id = events.save(&event()).await.unwrap();
        let stored = events.get(&id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            Event {
                id: id.clone(),
                ..event()
            }
        );

        // The stored text: epoch seconds, as short as reads back the same;
        // a date is its UTC midnight; None is an absent field.
        let key = events.key(&id);
        for (field, text) in [
            ("at", "1704164645.123456"),
            ("day", "-4861728000"),
            ("logged", "1704164645"),
            ("due", "951782400"),
        ] {
            let stored: String = client.hget(&key, field).await.unwrap();
            assert_eq!(stored, text, "{field}");
        }
        assert!(!client.hexists(&key, "ends").await.unwrap());

        // Before 1970, far in the future, nanoseconds (truncated toward the
        // past), another offset (read back at UTC: the same instant).
        let paris = UtcOffset::from_hms(2, 0, 0).unwrap();
        let edges = Event {
            id: "edges".to_owned(),
            at: at(-1, 999_999_999),
            day: day(9999, 12, 31),
            ends: Some(at(253_402_300_799, 999_999_999)),
            logged: time_at(-377_705_116_800_000_000_000).to_offset(paris),
            due: None,
            ..event()
        };
        events.save(&edges).await.unwrap();
        let back = events.get(&edges.id).await.unwrap().unwrap();
        assert_eq!(back.at, at(-1, 999_999_000));
        assert_eq!(back.ends, Some(at(253_402_300_799, 999_999_000)));
        assert_eq!(back.day, edges.day);
        assert_eq!(back.logged, edges.logged);
        assert_eq!(back.logged.offset(), UtcOffset::UTC);
        assert_eq!(back.due, None);
        let key = events.key(&edges.id);
        for (field, text) in [
            ("at", "-0.000001"),
            ("day", "253402214400"),
            ("ends", "253402300799.999999"),
            ("logged", "-377705116800"),
        ] {
            let stored: String = client.hget(&key, field).await.unwrap();
            assert_eq!(stored, text, "{field}");
        }
        assert!(!client.hexists(&key, "due").await.unwrap());
    }
);

each_setup!(
    epoch_seconds_from_elsewhere_read_and_garbage_is_named,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let events = repo::<Event>(&ctx, &client);
        // What Redis OM Python writes: whole seconds with `.0`, tiny ones
        // with an exponent.
        let key = events.key(&"py".to_owned());
        client
            .hset(
                &key,
                [
                    ("id", "py"),
                    ("name", "python"),
                    ("at", "1704164645.0"),
                    ("day", "-4861728000.0"),
                    ("ends", "1e-05"),
                    ("logged", "1704164645.123456"),
                ],
            )
            .await
            .unwrap();
        let py = events.get(&"py".to_owned()).await.unwrap().unwrap();
        assert_eq!(py.at, at(1_704_164_645, 0));
        assert_eq!(py.day, day(1815, 12, 10));
        assert_eq!(py.ends, Some(at(0, 10_000)));
        assert_eq!(py.logged, time_at(1_704_164_645_123_456_000));
        assert_eq!(py.due, None);

        // Not epoch seconds, or out of range: a decode error naming the key
        // and the field, never a panic.
        for (field, text, why) in [
            ("at", "2024-01-02T03:04:05Z", "which is not epoch seconds"),
            ("logged", "", "which is not epoch seconds"),
            ("ends", "inf", "which is not epoch seconds"),
            ("at", "1e300", "out of the range of chrono::DateTime<Utc>"),
            (
                "logged",
                "253402300800",
                "out of the range of time::OffsetDateTime",
            ),
            ("due", "-1e12", "out of the range of time::Date"),
        ] {
            client.hset(&key, [(field, text)]).await.unwrap();
            let error = events.get(&"py".to_owned()).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
            let message = error.to_string();
            assert!(message.contains(&key), "{message}");
            assert!(message.contains(&format!("`{field}`")), "{message}");
            assert!(message.contains(why), "{message}");
            client.hdel(&key, field).await.unwrap();
            if field == "at" || field == "logged" {
                client.hset(&key, [(field, "0")]).await.unwrap();
            }
        }
    }
);

each_redis8!(
    an_indexed_hash_date_time_is_found_by_a_numeric_range,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let events = repo::<Event>(&ctx, &client);
        Migrator::new(&client)
            .repository(&events)
            .run()
            .await
            .unwrap();
        let index = format!("{}:index", events.prefix());
        for (id, seconds) in [
            ("old", -4_861_728_000),
            ("y2k", 946_684_800),
            ("jan2", 1_704_164_645),
            ("far", 253_402_300_799),
        ] {
            let event = Event {
                id: id.to_owned(),
                at: at(seconds, 500_000_000),
                logged: time_at(i128::from(seconds) * 1_000_000_000),
                ..event()
            };
            events.save(&event).await.unwrap();
        }
        let keys = |ids: &[&str]| -> Vec<String> {
            let mut keys: Vec<String> =
                ids.iter().map(|id| events.key(&(*id).to_owned())).collect();
            keys.sort();
            keys
        };
        // 2024-01-01 to 2024-01-03, then everything before 1970, then a
        // bound at the half second (exclusive).
        assert_eq!(
            search(&client, &index, "@at:[1704067200 1704240000]").await,
            keys(&["jan2"])
        );
        assert_eq!(
            search(&client, &index, "@at:[-inf 0]").await,
            keys(&["old"])
        );
        assert_eq!(
            search(&client, &index, "@at:[(946684800.5 +inf]").await,
            keys(&["far", "jan2"])
        );
        assert_eq!(
            search(&client, &index, "@logged:[946684800 946684800]").await,
            keys(&["y2k"])
        );
        let info = client.ft_info(&index).await.unwrap();
        assert_eq!(info.num_docs, 4);
        assert_eq!(info.hash_indexing_failures, 0);
        let kinds: Vec<(String, String, bool)> = info
            .attributes
            .iter()
            .map(|a| (a.attribute.clone(), format!("{:?}", a.kind), a.sortable))
            .collect();
        assert_eq!(
            kinds,
            [
                ("at".to_owned(), "Numeric".to_owned(), true),
                ("logged".to_owned(), "Numeric".to_owned(), false),
            ]
        );
        client.ft_dropindex(&index).await.unwrap();
    }
);

each_redis8!(
    json_date_times_are_numbers_found_by_a_numeric_range,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = repo::<Order>(&ctx, &client);
        Migrator::new(&client)
            .repository(&orders)
            .run()
            .await
            .unwrap();
        let index = format!("{}:index", orders.prefix());
        let order = Order {
            id: "o1".to_owned(),
            placed: at(1_704_164_645, 123_456_789),
            shipped: None,
            due: Date::from_calendar_date(1815, Month::December, 10).unwrap(),
        };
        orders.save(&order).await.unwrap();
        let back = orders.get(&"o1".to_owned()).await.unwrap().unwrap();
        assert_eq!(
            back,
            Order {
                placed: at(1_704_164_645, 123_456_000),
                ..order.clone()
            }
        );

        // Numbers in the document, the same as in a hash.
        let key = orders.key(&"o1".to_owned());
        let raw: String = client.json_get(&key, "$").await.unwrap().unwrap();
        let document: Vec<serde_json::Value> = serde_json::from_str(&raw).unwrap();
        assert_eq!(document[0]["placed"].to_string(), "1704164645.123456");
        assert_eq!(document[0]["shipped"], serde_json::Value::Null);
        assert_eq!(document[0]["due"].to_string(), "-4861728000");

        let shipped = Order {
            id: "o2".to_owned(),
            placed: at(-86_400, 0),
            shipped: Some(time_at(1_704_200_000_250_000_000)),
            ..order.clone()
        };
        orders.save(&shipped).await.unwrap();
        assert_eq!(orders.get(&shipped.id).await.unwrap().unwrap(), shipped);

        // A document as Redis OM Python writes it: `.0` on whole seconds.
        let python = serde_json::json!({
            "id": "py",
            "placed": 1_704_067_200.0,
            "shipped": 1_704_153_600.5,
            "due": 951_782_400.0,
        });
        let py_key = orders.key(&"py".to_owned());
        client.json_set(&py_key, "$", &python).await.unwrap();
        let py = orders.get(&"py".to_owned()).await.unwrap().unwrap();
        assert_eq!(py.placed, at(1_704_067_200, 0));
        assert_eq!(py.shipped, Some(time_at(1_704_153_600_500_000_000)));
        assert_eq!(
            py.due,
            Date::from_calendar_date(2000, Month::February, 29).unwrap()
        );

        let keys = |ids: &[&str]| -> Vec<String> {
            let mut keys: Vec<String> =
                ids.iter().map(|id| orders.key(&(*id).to_owned())).collect();
            keys.sort();
            keys
        };
        assert_eq!(
            search(&client, &index, "@placed:[1704067200 1704240000]").await,
            keys(&["o1", "py"])
        );
        assert_eq!(
            search(&client, &index, "@placed:[(1704067200 +inf]").await,
            keys(&["o1"])
        );
        assert_eq!(
            search(&client, &index, "@placed:[-inf 0]").await,
            keys(&["o2"])
        );
        assert_eq!(
            search(&client, &index, "@shipped:[1704153600 1704200000.25]").await,
            keys(&["o2", "py"])
        );
        let info = client.ft_info(&index).await.unwrap();
        assert_eq!(info.num_docs, 3);
        assert_eq!(info.hash_indexing_failures, 0);
        client.ft_dropindex(&index).await.unwrap();
    }
);
