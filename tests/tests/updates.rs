//! Atomic partial updates and optimistic versions of hash models on real
//! servers: an update writes only the fields it names, increments are
//! atomic under concurrency, a stale version writes nothing, and of
//! concurrent saves of one version exactly one wins.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use redis_core::ErrorKind;
use redis_core::Redis;
use redis_core::commands::*;
use redis_om::{Migrator, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8, each_setup};

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "product")]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index(tag))]
    name: String,
    #[redis(index(sortable))]
    price: f64,
    #[redis(index)]
    stock: i64,
    note: Option<String>,
    #[redis(version)]
    version: u64,
}

fn product(id: &str) -> Product {
    Product {
        id: id.to_owned(),
        name: "Widget".to_owned(),
        price: 10.0,
        stock: 5,
        note: Some("first".to_owned()),
        version: 0,
    }
}

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "counter")]
struct Counter {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    hits: u64,
    #[redis(index)]
    total: f64,
}

fn repo<M: redis_om::Model>(ctx: &Ctx, client: &Redis) -> Repository<M, Redis> {
    Repository::new(client.clone()).with_prefix(ctx.key(M::info().prefix()))
}

each_setup!(
    an_update_changes_only_the_fields_it_names,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let products = repo::<Product>(&ctx, &client);
        let id = products.save(&product("p1")).await.unwrap();
        let key = products.key(&id);
        // Another client changes a field the update does not name, between
        // the read and the update: its change survives.
        let _ = client.hset(&key, [("note", "theirs")]).await.unwrap();
        let found = products
            .update(&id)
            .set(Product::price(), 9.99)
            .incr(Product::stock(), -1)
            .apply()
            .await
            .unwrap();
        assert!(found);
        let stored = products.get(&id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            Product {
                price: 9.99,
                stock: 4,
                note: Some("theirs".to_owned()),
                // Inserted as 1, bumped by the update.
                version: 2,
                ..product("p1")
            }
        );
        // An update of a missing record writes nothing.
        let missing = "nobody".to_owned();
        let found = products
            .update(&missing)
            .set(Product::price(), 1.0)
            .apply()
            .await
            .unwrap();
        assert!(!found);
        assert!(!products.exists(&missing).await.unwrap());
    }
);

each_setup!(
    increments_are_atomic_under_concurrency,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let counters = Arc::new(repo::<Counter>(&ctx, &client));
        let id = counters
            .save(&Counter {
                id: "c".to_owned(),
                hits: 0,
                total: 0.0,
            })
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for task in 0..32i64 {
            let counters = Arc::clone(&counters);
            let id = id.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..10 {
                    assert!(
                        counters
                            .update(&id)
                            .incr(Counter::hits(), task)
                            .incr(Counter::total(), 0.5)
                            .apply()
                            .await
                            .unwrap()
                    );
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let stored = counters.get(&id).await.unwrap().unwrap();
        assert_eq!(stored.hits, 10 * (0..32).sum::<u64>());
        assert_eq!(stored.total, 32.0 * 10.0 * 0.5);
    }
);

each_setup!(
    a_stale_version_conflicts_and_writes_nothing,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let products = repo::<Product>(&ctx, &client);
        let mut p = product("p2");
        let id = products.save(&p).await.unwrap();
        p.version += 1;
        // Version 0 is an insert: the record exists now.
        let error = products.save(&product("p2")).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        let text = error.to_string();
        assert!(
            text.contains(&products.key(&id)) && text.contains("version 1"),
            "{text}"
        );

        // Someone else updates it: our copy is stale.
        assert!(
            products
                .update(&id)
                .set(Product::name(), "Gadget".to_owned())
                .if_version(p.version)
                .apply()
                .await
                .unwrap()
        );
        let before = products.get(&id).await.unwrap().unwrap();
        assert_eq!(before.version, 2);
        let error = products
            .update(&id)
            .set(Product::price(), 1.0)
            .if_version(p.version)
            .apply()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        assert!(error.to_string().contains("version 2"), "{error}");
        let stale = Product {
            price: 2.0,
            ..p.clone()
        };
        let error = products.save(&stale).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        assert_eq!(products.get(&id).await.unwrap().unwrap(), before);

        // With the current version both go through.
        let fresh = Product {
            price: 3.0,
            note: None,
            ..before.clone()
        };
        products.save(&fresh).await.unwrap();
        let stored = products.get(&id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            Product {
                version: 3,
                ..fresh
            }
        );
        // A deleted record is a conflict for a save that expected it.
        assert!(products.delete(&id).await.unwrap());
        let error = products.save(&stored).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        assert!(!products.exists(&id).await.unwrap());
    }
);

each_setup!(
    of_two_concurrent_saves_of_one_version_exactly_one_wins,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let products = Arc::new(repo::<Product>(&ctx, &client));
        let id = "raced".to_owned();
        for round in 0..1_000u64 {
            let tasks: Vec<_> = (0..2)
                .map(|writer| {
                    let products = Arc::clone(&products);
                    let model = Product {
                        name: format!("round {round} writer {writer}"),
                        version: round,
                        ..product(&id)
                    };
                    tokio::spawn(async move { (products.save(&model).await, model) })
                })
                .collect();
            let mut winner = None;
            for task in tasks {
                match task.await.unwrap() {
                    (Ok(_), model) => {
                        assert!(winner.is_none(), "round {round}: two saves won");
                        winner = Some(model);
                    }
                    (Err(error), _) => assert_eq!(error.kind(), ErrorKind::Conflict, "{error}"),
                }
            }
            // No lost write: what is stored is the winner's, bumped.
            let winner = winner.unwrap_or_else(|| panic!("round {round}: no save won"));
            let stored = products.get(&id).await.unwrap().unwrap();
            assert_eq!(
                stored,
                Product {
                    version: round + 1,
                    ..winner
                }
            );
        }
    }
);

each_setup!(
    values_with_special_characters_round_trip,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let products = repo::<Product>(&ctx, &client);
        let id = products.save(&product("p3")).await.unwrap();
        for name in [
            "Zoë 🦀 \"quoted\" \r\n and | @ { } tags",
            "'); return redis.call('FLUSHALL') --",
            "",
            "\0 nul and ]] long brackets [[",
        ] {
            assert!(
                products
                    .update(&id)
                    .set(Product::name(), name.to_owned())
                    .apply()
                    .await
                    .unwrap()
            );
            assert_eq!(products.get(&id).await.unwrap().unwrap().name, name);
        }
        for price in [0.1, -0.0, 1e-300, f64::MAX, f64::INFINITY] {
            products
                .update(&id)
                .set(Product::price(), price)
                .apply()
                .await
                .unwrap();
            let stored = products.get(&id).await.unwrap().unwrap().price;
            assert_eq!(stored.to_bits(), price.to_bits(), "{price}");
        }
    }
);

each_setup!(a_nan_is_refused_before_sending, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let products = repo::<Product>(&ctx, &client);
    let id = products.save(&product("p4")).await.unwrap();
    let before = products.get(&id).await.unwrap().unwrap();
    let error = products
        .update(&id)
        .set(Product::name(), "changed".to_owned())
        .set(Product::price(), f64::NAN)
        .apply()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert!(error.to_string().contains("NaN"), "{error}");
    let error = products
        .update(&id)
        .incr(Product::stock(), 1)
        .incr(Product::price(), f64::NAN)
        .apply()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert_eq!(products.get(&id).await.unwrap().unwrap(), before);
    // A save with a NaN is refused the same way.
    let nan = Product {
        price: f64::NAN,
        ..before.clone()
    };
    let error = products.save(&nan).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert_eq!(products.get(&id).await.unwrap().unwrap(), before);
});

each_setup!(
    an_increment_of_a_field_holding_no_number_writes_nothing,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let products = repo::<Product>(&ctx, &client);
        let id = products.save(&product("p5")).await.unwrap();
        let key = products.key(&id);
        let _ = client.hset(&key, [("stock", "many")]).await.unwrap();
        let error = products
            .update(&id)
            .set(Product::name(), "changed".to_owned())
            .incr(Product::stock(), 1)
            .apply()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        assert!(error.to_string().contains("`stock`"), "{error}");
        let name: Option<String> = client.hget(&key, "name").await.unwrap();
        assert_eq!(name.as_deref(), Some("Widget"));
        let version: Option<String> = client.hget(&key, "version").await.unwrap();
        assert_eq!(version.as_deref(), Some("1"));
    }
);

each_redis8!(
    an_updated_indexed_field_is_found_by_its_new_value,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let products = repo::<Product>(&ctx, &client);
        Migrator::new(&client)
            .repository(&products)
            .run()
            .await
            .unwrap();
        let id = products.save(&product("p6")).await.unwrap();
        products
            .update(&id)
            .set(Product::price(), 123.5)
            .apply()
            .await
            .unwrap();
        let mut found = 0;
        for _ in 0..300 {
            found = products
                .find(Product::price().eq(123.5))
                .count()
                .await
                .unwrap();
            if found == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(found, 1);
        assert_eq!(
            products
                .find(Product::price().eq(10.0))
                .count()
                .await
                .unwrap(),
            0
        );
    }
);

each_setup!(unset_removes_an_optional_field, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let products = repo::<Tagged>(&ctx, &client);
    let id = products
        .save(&Tagged {
            id: "t".to_owned(),
            label: Some("sale".to_owned()),
            count: 1,
        })
        .await
        .unwrap();
    assert!(
        products
            .update(&id)
            .unset(Tagged::label())
            .apply()
            .await
            .unwrap()
    );
    let stored = products.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.label, None);
    let fields: Vec<String> = client.hkeys(products.key(&id)).await.unwrap();
    assert!(!fields.iter().any(|f| f == "label"), "{fields:?}");
    // A field that is no Option cannot be removed: refused before sending.
    let error = products
        .update(&id)
        .unset(Tagged::count())
        .apply()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert!(error.to_string().contains("not an Option"), "{error}");
});

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "tagged")]
struct Tagged {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    label: Option<String>,
    #[redis(index)]
    count: i64,
}
