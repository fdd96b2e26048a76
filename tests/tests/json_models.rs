//! JSON models on real servers (Redis 8.2 with RedisJSON, over RESP3 and
//! RESP2): nested structs, vectors and maps round trip through serde;
//! serde's names are the stored names; a document that does not fit is an
//! error naming the key.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use redis_core::commands::*;
use redis_core::{Cmd, ErrorKind, Executor, Redis};
use redis_om::{Model, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Address {
    city: String,
    zip: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Item {
    sku: String,
    qty: u32,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "order")]
#[serde(rename_all = "camelCase")]
struct Order {
    #[redis(pk)]
    order_id: String,
    customer_name: String,
    total: f64,
    paid: bool,
    tags: Vec<String>,
    items: Vec<Item>,
    address: Address,
    note: Option<String>,
    counts: BTreeMap<String, i64>,
    #[serde(rename = "v")]
    version: u64,
}

fn order() -> Order {
    Order {
        order_id: String::new(),
        customer_name: "Zoë \"Ada\" 🦀".to_owned(),
        total: 1e-300,
        paid: true,
        tags: vec!["a|b".to_owned(), String::new(), "ünïcode".to_owned()],
        items: vec![Item {
            sku: "sku-1".to_owned(),
            qty: u32::MAX,
        }],
        address: Address {
            city: "Zürich".to_owned(),
            zip: None,
        },
        note: None,
        counts: BTreeMap::from([("x".to_owned(), i64::MIN), ("y".to_owned(), i64::MAX)]),
        version: u64::MAX,
    }
}

fn repo<M: Model>(ctx: &Ctx, client: &Redis) -> Repository<M, Redis> {
    Repository::new(client.clone()).with_prefix(ctx.key(M::info().prefix()))
}

each_redis8!(
    a_json_model_round_trips_nested_values,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = repo::<Order>(&ctx, &client);
        let id = orders.save(&order()).await.unwrap();
        let stored = orders.get(&id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            Order {
                order_id: id.clone(),
                ..order()
            }
        );

        // serde's names are the stored ones, the generated key included.
        let key = orders.key(&id);
        let raw: String = client.json_get(&key, "$").await.unwrap().unwrap();
        let document: serde_json::Value =
            serde_json::from_str::<Vec<serde_json::Value>>(&raw).unwrap()[0].clone();
        assert_eq!(document["orderId"], serde_json::json!(id));
        assert_eq!(
            document["customerName"],
            serde_json::json!("Zoë \"Ada\" 🦀")
        );
        assert_eq!(document["v"], serde_json::json!(u64::MAX));
        assert_eq!(document["note"], serde_json::Value::Null);

        // Saved again with its key: replaced, not merged.
        let changed = Order {
            order_id: id.clone(),
            tags: vec![],
            note: Some("x".into()),
            ..order()
        };
        orders.save(&changed).await.unwrap();
        assert_eq!(orders.get(&id).await.unwrap().unwrap(), changed);

        assert!(orders.delete(&id).await.unwrap());
        assert_eq!(orders.get(&id).await.unwrap(), None);
    }
);

each_redis8!(json_records_in_bulk, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let orders = repo::<Order>(&ctx, &client);
    let many: Vec<Order> = (0..50)
        .map(|i| Order {
            order_id: format!("o{i}"),
            version: i,
            ..order()
        })
        .collect();
    orders.save_many(&many).await.unwrap();
    // A hash under the same prefix is not one of its records.
    client
        .hset(format!("{}:o999", orders.prefix()), [("a", "b")])
        .await
        .unwrap();
    assert_eq!(orders.count().await.unwrap(), 50);
    let got = orders
        .get_many(&["o3".to_owned(), "none".to_owned()])
        .await
        .unwrap();
    assert_eq!(got[0].as_ref().map(|o| o.version), Some(3));
    assert!(got[1].is_none());
});

each_redis8!(
    a_document_that_does_not_fit_names_its_key,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = repo::<Order>(&ctx, &client);
        let id = orders.save(&order()).await.unwrap();
        let key = orders.key(&id);
        let corrupt = Cmd::new("JSON.SET")
            .arg(&key)
            .arg("$.total")
            .arg("\"not a number\"");
        client.execute::<()>(corrupt).await.unwrap();
        let error = orders.get(&id).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        assert!(error.to_string().contains(&key), "{error}");

        let plain = "a-string".to_owned();
        client.set(orders.key(&plain), "x").await.unwrap();
        let error = orders.get(&plain).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        assert!(error.to_string().contains(&orders.key(&plain)), "{error}");
    }
);
