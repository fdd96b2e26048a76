//! Search indexes from models on Redis 8.2 (the search module), over RESP3
//! and RESP2: created once, a no-op when unchanged; FT.INFO shows the
//! model's fields; the index covers the model's keys and no others. What
//! happens when a model changes is in migrations.rs.

#![allow(clippy::unwrap_used)]

use redis_core::commands::*;
use redis_core::{Config, ErrorKind, Redis};
use redis_om::{GeoPoint, MigrationOutcome, Migrator, Model, ModelIndex, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8, each_redis8_server};

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "product")]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index(text, sortable))]
    name: String,
    #[redis(index)]
    brand: String,
    #[redis(index(sortable))]
    price: f64,
    #[redis(index)]
    in_stock: bool,
    #[redis(index(full_text_search))]
    description: String,
    #[redis(index(vector(dim = 3, metric = "l2", algorithm = "flat")))]
    embedding: [f32; 3],
    #[redis(index)]
    store: GeoPoint,
    notes: Option<String>,
}

fn product(name: &str, price: f64) -> Product {
    Product {
        id: String::new(),
        name: name.to_owned(),
        brand: "Acme & Sons (EU)".to_owned(),
        price,
        in_stock: true,
        description: "a fine thing".to_owned(),
        embedding: [0.1, 0.2, 0.3],
        store: GeoPoint {
            longitude: 2.3522,
            latitude: 48.8566,
        },
        notes: None,
    }
}

fn repo<M: Model>(ctx: &Ctx, client: &Redis) -> Repository<M, Redis> {
    Repository::new(client.clone()).with_prefix(ctx.key(M::info().prefix()))
}

async fn drop_index(client: &Redis, name: &str) {
    client.ft_dropindex(name).await.unwrap();
}

each_redis8!(
    an_index_is_created_once_and_then_left_alone,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let products = repo::<Product>(&ctx, &client);
        let index = ModelIndex::of(Product::info(), products.prefix()).unwrap();
        assert_eq!(index.name(), format!("{}:index", products.prefix()));

        let first = Migrator::new(&client)
            .repository(&products)
            .run()
            .await
            .unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].index, index.name());
        assert_eq!(first[0].outcome, MigrationOutcome::Created);
        let again = Migrator::new(&client)
            .repository(&products)
            .run()
            .await
            .unwrap();
        assert_eq!(again[0].outcome, MigrationOutcome::Unchanged);
        let stored: String = client.get(format!("{}:hash", index.name())).await.unwrap();
        assert_eq!(stored, index.fingerprint());

        // FT.INFO shows the model's fields, kinds and options.
        let info = client.ft_info(index.name()).await.unwrap();
        assert_eq!(
            info.definition.prefixes,
            [format!("{}:", products.prefix())]
        );
        let fields: Vec<(String, String, String, bool)> = info
            .attributes
            .iter()
            .map(|a| {
                (
                    a.identifier.clone(),
                    a.attribute.clone(),
                    format!("{:?}", a.kind),
                    a.sortable,
                )
            })
            .collect();
        let expected = [
            ("name", "name", "Text", true),
            ("brand", "brand", "Tag", false),
            ("price", "price", "Numeric", true),
            ("in_stock", "in_stock", "Tag", false),
            ("description", "description", "Tag", false),
            ("description", "description_fts", "Text", false),
            ("embedding", "embedding", "Vector", false),
            ("store", "store", "Geo", false),
        ];
        let expected: Vec<(String, String, String, bool)> = expected
            .iter()
            .map(|(i, a, k, s)| (i.to_string(), a.to_string(), k.to_string(), *s))
            .collect();
        assert_eq!(fields, expected);
        drop_index(&client, index.name()).await;
    }
);

each_redis8!(
    the_index_finds_the_models_records_and_no_others,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let products = repo::<Product>(&ctx, &client);
        Migrator::new(&client)
            .repository(&products)
            .run()
            .await
            .unwrap();
        products.save(&product("ada phone", 9.5)).await.unwrap();
        products.save(&product("bob lamp", 20.0)).await.unwrap();
        // A key that merely starts like the prefix is not covered.
        client
            .hset(
                format!("{}State:1", products.prefix()),
                [("name", "ada"), ("price", "1")],
            )
            .await
            .unwrap();
        let index = format!("{}:index", products.prefix());
        let count = |query: &'static str| {
            let (client, index) = (client.clone(), index.clone());
            async move {
                let options = SearchOptions::new().no_content();
                let found: SearchResult = client
                    .ft_search_with(&index, query, &options)
                    .await
                    .unwrap();
                found.total
            }
        };
        assert_eq!(count("*").await, 2);
        assert_eq!(count("@price:[0 10]").await, 1);
        assert_eq!(count("@name:lamp").await, 1);
        assert_eq!(count("@in_stock:{1}").await, 2);
        assert_eq!(count("@description_fts:fine").await, 2);
        assert_eq!(count("@store:[2.35 48.85 10 km]").await, 2);
        assert_eq!(count("@store:[-122.4 37.7 10 km]").await, 0);
        // The vector went in as FLOAT32 bytes the index accepts.
        let info = client.ft_info(&index).await.unwrap();
        assert_eq!(info.num_docs, 2);
        assert_eq!(info.hash_indexing_failures, 0);
        drop_index(&client, &index).await;
    }
);

each_redis8!(overlapping_prefixes_are_refused, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let users = Repository::<Product, _>::new(client.clone()).with_prefix(ctx.key("user"));
    let admins = Repository::<Product, _>::new(client.clone()).with_prefix(ctx.key("user:admin"));
    let error = Migrator::new(&client)
        .repository(&users)
        .repository(&admins)
        .run()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PrefixConflict, "{error}");
    // Nothing was created.
    let created: Result<_, _> = client.ft_info(format!("{}:index", users.prefix())).await;
    assert!(created.is_err());
});

each_redis8_server!(
    an_indexed_model_on_another_database_fails_fast,
    |ctx: Ctx| async move {
        let config: Config = ctx.config().with_db(1);
        let client = ctx.connect(config).await;
        let products = repo::<Product>(&ctx, &Redis::from(client.clone()));
        let error = Migrator::new(&client)
            .repository(&products)
            .run()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{error}");
        assert!(error.to_string().contains("database 0"), "{error}");
    }
);
