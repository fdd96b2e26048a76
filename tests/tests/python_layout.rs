//! `#[redis(layout = "python")]` on Redis 8.2 (search and JSON modules),
//! over RESP3 and RESP2: the index, `{index}:hash`, `{index}:schema`, the
//! keys and the stored records are what Redis OM Python 1.1 writes for the
//! same models (`docs/interop/redis-om-python-1.1.md`), and records written
//! the way Python writes them read back.
//!
//! Each test's keys are under its own prefix, which is part of the schema
//! text: the expected texts are built from it, and their SHA-1 is the
//! server's (`redis.sha1hex`), not ours.

#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use redis_core::commands::*;
use redis_core::{Cmd, ErrorKind, Executor, Redis};
use redis_om::{MigrationOutcome, Migrator, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

/// The notes' `Customer` (Python: `global_key_prefix = "omres"`,
/// `model_key_prefix = "customer"`).
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(layout = "python", prefix = "omres:customer")]
struct Customer {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    first_name: String,
    #[redis(index(full_text_search))]
    last_name: String,
    #[redis(index(case_sensitive))]
    email: String,
    #[redis(index(sortable))]
    age: i64,
    #[redis(index)]
    score: f64,
    #[redis(index)]
    active: bool,
    #[redis(index)]
    joined: DateTime<Utc>,
    birthday: NaiveDate,
    bio: Option<String>,
    #[redis(index)]
    nickname: Option<String>,
    #[redis(index(vector(dim = 3, metric = "cosine", algorithm = "flat")))]
    embedding: [f32; 3],
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Address {
    city: String,
    zip: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Item {
    sku: String,
    qty: u32,
}

/// The notes' `Order`, without the embedded models' indexed fields (which
/// cannot be described yet).
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(layout = "python", storage = "json", prefix = "omres:order")]
struct Order {
    #[redis(pk)]
    pk: String,
    #[redis(index)]
    customer: String,
    #[redis(index(sortable))]
    total: f64,
    #[redis(index)]
    tags: Vec<String>,
    items: Vec<Item>,
    #[redis(index)]
    #[serde(with = "redis_om::epoch_seconds")]
    placed: DateTime<Utc>,
    #[redis(index)]
    paid: bool,
    note: Option<String>,
    address: Address,
}

fn ada() -> Customer {
    Customer {
        id: "01M97AS88E28GA3V0KPVNK9VJX".to_owned(),
        first_name: "Ada".to_owned(),
        last_name: "Lovelace".to_owned(),
        email: "Ada@Example.com".to_owned(),
        age: 36,
        score: 3.5,
        active: true,
        joined: DateTime::from_timestamp(1704164645, 123_456_000).unwrap(),
        birthday: NaiveDate::from_ymd_opt(1815, 12, 10).unwrap(),
        bio: None,
        nickname: None,
        embedding: [0.1, 0.2, 0.3],
    }
}

fn order() -> Order {
    Order {
        pk: "01M97AS88H9ZQ6SCEN6YKKDGHG".to_owned(),
        customer: "Ada".to_owned(),
        total: 12.5,
        tags: vec!["a".to_owned(), "b c".to_owned()],
        items: vec![
            Item {
                sku: "S1".to_owned(),
                qty: 2,
            },
            Item {
                sku: "S2".to_owned(),
                qty: 1,
            },
        ],
        placed: DateTime::from_timestamp(1704164645, 123_456_000).unwrap(),
        paid: true,
        note: None,
        address: Address {
            city: "London".to_owned(),
            zip: "N1".to_owned(),
        },
    }
}

fn le_bytes(vector: [f32; 3]) -> Vec<u8> {
    vector.iter().flat_map(|f| f.to_le_bytes()).collect()
}

/// The server's SHA-1 of `text`, in lower-case hex.
async fn sha1hex(client: &Redis, text: &str) -> String {
    client
        .execute(
            Cmd::new("EVAL")
                .arg("return redis.sha1hex(ARGV[1])")
                .arg(0)
                .arg(text),
        )
        .await
        .unwrap()
}

async fn key_type(client: &Redis, key: &str) -> String {
    client.execute(Cmd::new("TYPE").arg(key)).await.unwrap()
}

async fn found(client: &Redis, index: &str, query: &str) -> u64 {
    let options = SearchOptions::new().no_content();
    let result: SearchResult = client.ft_search_with(index, query, &options).await.unwrap();
    result.total
}

/// The index, `{index}:hash` and `{index}:schema` that Python's
/// `Migrator` writes, checked: plain strings holding the schema text and
/// its SHA-1, and the index's fields.
async fn check_index(client: &Redis, prefix: &str, schema: &str, attributes: &[(&str, &str)]) {
    let index = format!("{prefix}:index");
    let schema_key = format!("{index}:schema");
    let hash_key = format!("{index}:hash");
    let stored: Option<String> = client.get(&schema_key).await.unwrap();
    assert_eq!(stored.as_deref(), Some(schema));
    let stored: Option<String> = client.get(&hash_key).await.unwrap();
    assert_eq!(stored, Some(sha1hex(client, schema).await));
    assert_eq!(key_type(client, &schema_key).await, "string");
    assert_eq!(key_type(client, &hash_key).await, "string");
    let info = client.ft_info(&index).await.unwrap();
    assert_eq!(info.definition.prefixes, [format!("{prefix}:")]);
    let fields: Vec<(String, String)> = info
        .attributes
        .iter()
        .map(|a| (a.identifier.clone(), a.attribute.clone()))
        .collect();
    let expected: Vec<(String, String)> = attributes
        .iter()
        .map(|(identifier, attribute)| (identifier.to_string(), attribute.to_string()))
        .collect();
    assert_eq!(fields, expected);
}

each_redis8!(
    a_hash_model_is_indexed_and_stored_as_python_does,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let customers =
            Repository::<Customer, _>::new(client.clone()).with_prefix(ctx.key("omres:customer"));
        let prefix = customers.prefix().to_owned();
        let index = format!("{prefix}:index");

        let report = Migrator::new(&client)
            .repository(&customers)
            .run()
            .await
            .unwrap();
        assert_eq!(report[0].index, index);
        assert_eq!(report[0].outcome, MigrationOutcome::Created);
        // The notes' text, under this test's prefix.
        let schema = format!(
            "ON HASH PREFIX 1 {prefix}: SCHEMA pk TAG SEPARATOR | first_name TAG SEPARATOR | \
             last_name TAG SEPARATOR | last_name AS last_name_fts TEXT email TAG SEPARATOR | \
             CASESENSITIVE age NUMERIC SORTABLE score NUMERIC active TAG joined NUMERIC \
             nickname TAG SEPARATOR | embedding VECTOR FLAT 6 TYPE FLOAT32 DIM 3 \
             DISTANCE_METRIC COSINE"
        );
        let attributes = [
            ("pk", "pk"),
            ("first_name", "first_name"),
            ("last_name", "last_name"),
            ("last_name", "last_name_fts"),
            ("email", "email"),
            ("age", "age"),
            ("score", "score"),
            ("active", "active"),
            ("joined", "joined"),
            ("nickname", "nickname"),
            ("embedding", "embedding"),
        ];
        check_index(&client, &prefix, &schema, &attributes).await;

        // Saved: the key, and the fields in Python's order, `pk` first.
        let pk = customers.save(&ada()).await.unwrap();
        let key = format!("{prefix}:01M97AS88E28GA3V0KPVNK9VJX");
        assert_eq!(customers.key(&pk), key);
        let stored: Vec<(Bytes, Bytes)> = client.hgetall(&key).await.unwrap();
        let text = |s: &str| Bytes::copy_from_slice(s.as_bytes());
        let mut expected: Vec<(Bytes, Bytes)> = [
            ("pk", "01M97AS88E28GA3V0KPVNK9VJX"),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("email", "Ada@Example.com"),
            ("age", "36"),
            ("score", "3.5"),
            ("active", "1"),
            ("joined", "1704164645.123456"),
            ("birthday", "-4861728000.0"),
        ]
        .iter()
        .map(|(field, value)| (text(field), text(value)))
        .collect();
        // Python stores the base64 text `zczMPc3MTD6amZk+` here, which the
        // index refuses; these are the 12 bytes it encodes.
        expected.push((text("embedding"), Bytes::from(le_bytes([0.1, 0.2, 0.3]))));
        assert_eq!(stored, expected);

        // Indexed (Python's record is not: "blob size 16 (expected size 12)").
        let info = client.ft_info(&index).await.unwrap();
        assert_eq!(info.num_docs, 1);
        assert_eq!(info.hash_indexing_failures, 0);
        assert_eq!(found(&client, &index, "@age:[36 36]").await, 1);
        assert_eq!(found(&client, &index, "@active:{1}").await, 1);
        assert_eq!(found(&client, &index, "@last_name_fts:lovelace").await, 1);
        assert_eq!(
            found(&client, &index, "@pk:{01M97AS88E28GA3V0KPVNK9VJX}").await,
            1
        );
        assert_eq!(
            found(&client, &index, "@joined:[1704164645 1704164646]").await,
            1
        );

        // A record as Python writes it (the notes' second HSET, with the
        // vector's bytes) reads back.
        let bob = format!("{prefix}:01M97AS88FBN07RCZ9FTR62SEX");
        let embedding = le_bytes([1.0, -2.5, 1e-7]);
        client
            .execute::<i64>(
                Cmd::new("HSET")
                    .arg(&bob)
                    .arg("pk")
                    .arg("01M97AS88FBN07RCZ9FTR62SEX")
                    .arg("first_name")
                    .arg("Bob")
                    .arg("last_name")
                    .arg("Smith Jr")
                    .arg("email")
                    .arg("b@x.io")
                    .arg("age")
                    .arg("-7")
                    .arg("score")
                    .arg("0.1")
                    .arg("active")
                    .arg("0")
                    .arg("joined")
                    .arg("1704164645.0")
                    .arg("birthday")
                    .arg("951782400.0")
                    .arg("bio")
                    .arg("hello | world")
                    .arg("nickname")
                    .arg("bobby")
                    .arg("embedding")
                    .arg(&embedding[..]),
            )
            .await
            .unwrap();
        let read = customers
            .get(&"01M97AS88FBN07RCZ9FTR62SEX".to_owned())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            read,
            Customer {
                id: "01M97AS88FBN07RCZ9FTR62SEX".to_owned(),
                first_name: "Bob".to_owned(),
                last_name: "Smith Jr".to_owned(),
                email: "b@x.io".to_owned(),
                age: -7,
                score: 0.1,
                active: false,
                joined: DateTime::from_timestamp(1704164645, 0).unwrap(),
                birthday: NaiveDate::from_ymd_opt(2000, 2, 29).unwrap(),
                bio: Some("hello | world".to_owned()),
                nickname: Some("bobby".to_owned()),
                embedding: [1.0, -2.5, 1e-7],
            }
        );
        // Saved back, it is written as Python wrote it.
        customers.save(&read).await.unwrap();
        let stored: Vec<(String, Bytes)> = client.hgetall(&bob).await.unwrap();
        let joined = stored.iter().find(|(field, _)| field == "joined").unwrap();
        assert_eq!(joined.1, "1704164645.0");
        assert_eq!(found(&client, &index, "@nickname:{bobby}").await, 1);

        // Python's own vector text does not fit the model: an error naming
        // the key and the field, as Python's own `get` cannot read it either.
        client
            .hset(&bob, [("embedding", "AACAPwAAIMCVv9Yz")])
            .await
            .unwrap();
        let error = customers
            .get(&"01M97AS88FBN07RCZ9FTR62SEX".to_owned())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        assert!(error.to_string().contains(&bob), "{error}");
        assert!(error.to_string().contains("`embedding`"), "{error}");

        let again = Migrator::new(&client)
            .repository(&customers)
            .run()
            .await
            .unwrap();
        assert_eq!(again[0].outcome, MigrationOutcome::Unchanged);
        client.ft_dropindex(&index).await.unwrap();
    }
);

each_redis8!(
    a_json_model_is_indexed_and_stored_as_python_does,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders =
            Repository::<Order, _>::new(client.clone()).with_prefix(ctx.key("omres:order"));
        let prefix = orders.prefix().to_owned();
        let index = format!("{prefix}:index");

        let report = Migrator::new(&client)
            .repository(&orders)
            .run()
            .await
            .unwrap();
        assert_eq!(report[0].outcome, MigrationOutcome::Created);
        // The notes' text without the embedded models' parts (`items` and
        // `address` give empty parts): double spaces, two at the end.
        let schema = format!(
            "ON JSON PREFIX 1 {prefix}: SCHEMA $.pk AS pk TAG SEPARATOR | \
             $.customer AS customer TAG SEPARATOR | $.total AS total NUMERIC SORTABLE \
             $.tags[*] AS tags TAG SEPARATOR |  $.placed AS placed NUMERIC \
             $.paid AS paid TAG  "
        );
        let attributes = [
            ("$.pk", "pk"),
            ("$.customer", "customer"),
            ("$.total", "total"),
            ("$.tags[*]", "tags"),
            ("$.placed", "placed"),
            ("$.paid", "paid"),
        ];
        check_index(&client, &prefix, &schema, &attributes).await;

        // The document Python stores, byte for byte (`JSON.GET key`).
        orders.save(&order()).await.unwrap();
        let key = format!("{prefix}:01M97AS88H9ZQ6SCEN6YKKDGHG");
        let stored: String = client
            .execute(Cmd::new("JSON.GET").arg(&key))
            .await
            .unwrap();
        assert_eq!(
            stored,
            r#"{"pk":"01M97AS88H9ZQ6SCEN6YKKDGHG","customer":"Ada","total":12.5,"tags":["a","b c"],"items":[{"sku":"S1","qty":2},{"sku":"S2","qty":1}],"placed":1704164645.123456,"paid":true,"note":null,"address":{"city":"London","zip":"N1"}}"#
        );
        assert_eq!(found(&client, &index, "@paid:{true}").await, 1);
        assert_eq!(found(&client, &index, "@tags:{b\\ c}").await, 1);
        assert_eq!(
            found(&client, &index, "@placed:[1704164645 1704164646]").await,
            1
        );

        // A generated key is the document's first member too.
        let generated = Order {
            pk: String::new(),
            ..order()
        };
        let pk = orders.save(&generated).await.unwrap();
        let stored: String = client
            .execute(Cmd::new("JSON.GET").arg(orders.key(&pk)))
            .await
            .unwrap();
        assert!(
            stored.starts_with(&format!(r#"{{"pk":"{pk}","customer":"Ada","#)),
            "{stored}"
        );

        // A document as Python writes it (`JSON.SET key .` with json.dumps'
        // spaces, whole seconds as `1704067200.0`) reads back.
        let python = format!("{prefix}:01M97AS88J0000000000000000");
        client
            .execute::<()>(
                Cmd::new("JSON.SET").arg(&python).arg(".").arg(
                    r#"{"pk": "01M97AS88J0000000000000000", "customer": "Bob", "total": 100.0, "tags": [], "items": [], "placed": 1704067200.0, "paid": false, "note": "n", "address": {"city": "Paris", "zip": "75"}}"#,
                ),
            )
            .await
            .unwrap();
        let read = orders
            .get(&"01M97AS88J0000000000000000".to_owned())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            read,
            Order {
                pk: "01M97AS88J0000000000000000".to_owned(),
                customer: "Bob".to_owned(),
                total: 100.0,
                tags: Vec::new(),
                items: Vec::new(),
                placed: DateTime::from_timestamp(1704067200, 0).unwrap(),
                paid: false,
                note: Some("n".to_owned()),
                address: Address {
                    city: "Paris".to_owned(),
                    zip: "75".to_owned(),
                },
            }
        );
        assert_eq!(found(&client, &index, "@customer:{Bob}").await, 1);
        let info = client.ft_info(&index).await.unwrap();
        assert_eq!(info.num_docs, 3);

        let again = Migrator::new(&client)
            .repository(&orders)
            .run()
            .await
            .unwrap();
        assert_eq!(again[0].outcome, MigrationOutcome::Unchanged);
        client.ft_dropindex(&index).await.unwrap();
    }
);
