//! A struct stored as a RedisJSON document with its search index: derive
//! `RedisModel` with `storage = "json"`, create the index with `Migrator`,
//! then save, load, list and delete through a `Repository`.
//!
//! Needs Redis with RedisJSON and RediSearch (the test servers' Redis 8.2):
//! `cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example json_model`.

use redis_om::GeoPoint;
use redis_om::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Address {
    city: String,
    street: String,
}

/// Stored at `example:order:{id}` as one JSON document, indexed as
/// `example:order:index`.
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "example:order")]
struct Order {
    #[redis(pk)]
    id: String,
    #[redis(index(text))]
    customer: String,
    #[redis(index(sortable))]
    total: f64,
    /// A multi-valued TAG: `$.tags[*]`.
    #[redis(index)]
    tags: Vec<String>,
    #[redis(index)]
    shop: GeoPoint,
    /// Nested values are stored as they are.
    address: Address,
    lines: Vec<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let orders = Repository::<Order, _>::new(&client);

    // FT.CREATE once; later runs find the same fingerprint and do nothing.
    let report = Migrator::new(&client).model::<Order>().run().await?;
    println!("indexes: {report:?}");

    let order = Order {
        id: String::new(),
        customer: "Ada Lovelace".to_owned(),
        total: 42.5,
        tags: vec!["gift".to_owned(), "express".to_owned()],
        shop: GeoPoint {
            longitude: 2.3522,
            latitude: 48.8566,
        },
        address: Address {
            city: "London".to_owned(),
            street: "St James's Square".to_owned(),
        },
        lines: vec!["analytical engine".to_owned()],
    };
    let ids = orders
        .save_many(&[
            order.clone(),
            Order {
                total: 7.0,
                ..order.clone()
            },
        ])
        .await?;
    let loaded = orders
        .get(&ids[0])
        .await?
        .ok_or("the order just saved is missing")?;
    assert_eq!(
        loaded,
        Order {
            id: ids[0].clone(),
            ..order
        }
    );
    println!("loaded {loaded:?}");

    // Every primary key under the prefix, streamed page by page.
    let mut pks = orders.all_pks();
    while let Some(pk) = pks.next().await {
        println!("listed {}", pk?);
    }

    // A typed query: the bounds go to the server as parameters.
    let found = orders
        .find(Order::total().in_range(40.0..=50.0))
        .count()
        .await?;
    println!("orders between 40 and 50: {found}");

    orders.delete_many(&ids).await?;
    Ok(())
}
