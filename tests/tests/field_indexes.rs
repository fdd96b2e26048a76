//! Indexes of fields that are not plain scalars, on Redis 8.2 (search and
//! JSON modules), over RESP3 and RESP2: the indexed fields of structs
//! embedded in JSON models (`$.address.city AS address_city`, and of a list
//! of them, `$.items[*].sku AS items_sku`) in the default and the python
//! layouts, and enum fields (`#[derive(RedisEnum)]`) indexed as TAG.

#![allow(clippy::unwrap_used)]

use redis_core::Redis;
use redis_core::commands::*;
use redis_om::{Migrator, Model, ModelIndex, RedisEnum, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(embedded)]
struct Address {
    #[redis(index)]
    city: String,
    zip: String,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(embedded)]
struct Item {
    #[redis(index)]
    sku: String,
    #[redis(index(sortable))]
    qty: u32,
}

/// The default layout: any kind inside a list.
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "order")]
struct Order {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    customer: String,
    #[redis(embed)]
    items: Vec<Item>,
    #[redis(embed)]
    address: Address,
    #[redis(embed)]
    billing: Option<Address>,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(embedded)]
struct PyItem {
    #[redis(index)]
    sku: String,
    qty: u32,
}

/// The notes' `Order` (`docs/interop/redis-om-python-1.1.md`), the
/// fields that matter here.
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", layout = "python", prefix = "omres:order")]
struct PyOrder {
    #[redis(pk)]
    pk: String,
    #[redis(index)]
    customer: String,
    #[redis(embed)]
    items: Vec<PyItem>,
    note: Option<String>,
    #[redis(embed)]
    address: Address,
}

#[derive(RedisEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Tier {
    Free,
    ProPlus,
}

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "account")]
struct Account {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    tier: Tier,
    #[redis(index)]
    previous: Option<Tier>,
}

fn item(sku: &str, qty: u32) -> Item {
    Item {
        sku: sku.to_owned(),
        qty,
    }
}

fn address(city: &str) -> Address {
    Address {
        city: city.to_owned(),
        zip: "N1".to_owned(),
    }
}

fn repo<M: Model>(ctx: &Ctx, client: &Redis) -> Repository<M, Redis> {
    Repository::new(client.clone()).with_prefix(ctx.key(M::info().prefix()))
}

async fn found(client: &Redis, index: &str, query: &str) -> Vec<String> {
    let options = SearchOptions::new().no_content();
    let result: SearchResult = client.ft_search_with(index, query, &options).await.unwrap();
    let mut keys: Vec<String> = result.documents.into_iter().map(|doc| doc.id).collect();
    keys.sort();
    keys
}

async fn drop_index(client: &Redis, index: &str) {
    let _: Result<(), _> = client.ft_dropindex(index).await;
}

each_redis8!(
    fields_of_embedded_structs_are_found_by_path,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = repo::<Order>(&ctx, &client);
        Migrator::new(&client)
            .repository(&orders)
            .run()
            .await
            .unwrap();
        let index = format!("{}:index", orders.prefix());
        let ada = orders
            .save(&Order {
                id: "ada".into(),
                customer: "Ada".into(),
                items: vec![item("S1", 2), item("S2", 1)],
                address: address("London"),
                billing: Some(address("Paris")),
            })
            .await
            .unwrap();
        let bob = orders
            .save(&Order {
                id: "bob".into(),
                customer: "Bob".into(),
                items: vec![item("S3", 7)],
                address: address("Paris"),
                billing: None,
            })
            .await
            .unwrap();
        let key = |pk: &String| orders.key(pk);

        assert_eq!(
            found(&client, &index, "@address_city:{London}").await,
            [key(&ada)]
        );
        // Each embedded struct under its own alias: Ada is billed in Paris,
        // Bob lives there.
        assert_eq!(
            found(&client, &index, "@address_city:{Paris}").await,
            [key(&bob)]
        );
        assert_eq!(
            found(&client, &index, "@billing_city:{Paris}").await,
            [key(&ada)]
        );
        // Any element of the list matches.
        assert_eq!(found(&client, &index, "@items_sku:{S2}").await, [key(&ada)]);
        assert_eq!(found(&client, &index, "@items_sku:{S3}").await, [key(&bob)]);
        assert_eq!(
            found(&client, &index, "@items_qty:[5 10]").await,
            [key(&bob)]
        );
        assert!(found(&client, &index, "@items_sku:{S9}").await.is_empty());

        let info = client.ft_info(&index).await.unwrap();
        assert_eq!(info.num_docs, 2);
        let fields: Vec<(String, String)> = info
            .attributes
            .iter()
            .map(|a| (a.identifier.clone(), a.attribute.clone()))
            .collect();
        let expected = [
            ("$.customer", "customer"),
            ("$.items[*].sku", "items_sku"),
            ("$.items[*].qty", "items_qty"),
            ("$.address.city", "address_city"),
            ("$.billing.city", "billing_city"),
        ]
        .map(|(i, a)| (i.to_owned(), a.to_owned()));
        assert_eq!(fields, expected);
        drop_index(&client, &index).await;
    }
);

each_redis8!(
    the_python_layout_indexes_embedded_fields_as_python_does,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = repo::<PyOrder>(&ctx, &client);
        let prefix = orders.prefix().to_owned();
        Migrator::new(&client)
            .repository(&orders)
            .run()
            .await
            .unwrap();
        let index = format!("{prefix}:index");
        let schema = format!(
            "ON JSON PREFIX 1 {prefix}: SCHEMA $.pk AS pk TAG SEPARATOR | \
             $.customer AS customer TAG SEPARATOR | $.items[*].sku AS items_sku TAG SEPARATOR |  \
             $.address.city AS address_city TAG SEPARATOR |"
        );
        let stored: Option<String> = client.get(format!("{index}:schema")).await.unwrap();
        assert_eq!(stored, Some(schema));
        let model_index = ModelIndex::of(PyOrder::info(), &prefix).unwrap();
        let stored: Option<String> = client.get(format!("{index}:hash")).await.unwrap();
        assert_eq!(stored, Some(model_index.fingerprint()));

        let pk = orders
            .save(&PyOrder {
                pk: String::new(),
                customer: "Ada".into(),
                items: vec![
                    PyItem {
                        sku: "S1".into(),
                        qty: 2,
                    },
                    PyItem {
                        sku: "S2".into(),
                        qty: 1,
                    },
                ],
                note: None,
                address: address("London"),
            })
            .await
            .unwrap();
        let key = orders.key(&pk);
        // The queries the notes ran against Python's document.
        assert_eq!(
            found(&client, &index, "@address_city:{London}").await,
            std::slice::from_ref(&key)
        );
        assert_eq!(found(&client, &index, "@items_sku:{S2}").await, [key]);
        drop_index(&client, &index).await;
    }
);

each_redis8!(
    an_enum_field_is_a_tag_of_its_serde_name,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let accounts = repo::<Account>(&ctx, &client);
        Migrator::new(&client)
            .repository(&accounts)
            .run()
            .await
            .unwrap();
        let index = format!("{}:index", accounts.prefix());
        let pro = accounts
            .save(&Account {
                id: "a".into(),
                tier: Tier::ProPlus,
                previous: Some(Tier::Free),
            })
            .await
            .unwrap();
        let free = accounts
            .save(&Account {
                id: "b".into(),
                tier: Tier::Free,
                previous: None,
            })
            .await
            .unwrap();
        let stored: String = client.hget(accounts.key(&pro), "tier").await.unwrap();
        assert_eq!(stored, "pro_plus");
        assert_eq!(
            found(&client, &index, "@tier:{pro_plus}").await,
            [accounts.key(&pro)]
        );
        assert_eq!(
            found(&client, &index, "@previous:{free}").await,
            [accounts.key(&pro)]
        );
        assert_eq!(
            found(&client, &index, "@tier:{free}").await,
            [accounts.key(&free)]
        );
        assert_eq!(
            accounts.get(&pro).await.unwrap().map(|a| a.tier),
            Some(Tier::ProPlus)
        );
        drop_index(&client, &index).await;
    }
);
