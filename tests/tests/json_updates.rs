//! Atomic partial updates and optimistic versions of JSON models on Redis
//! 8.2: an update writes only the paths it names, `unset` removes an
//! optional member, increments and appends are atomic under concurrency, a
//! stale version writes nothing, and of two concurrent saves of one version
//! exactly one wins, round after round.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use redis_core::commands::*;
use redis_core::{Cmd, ErrorKind, Redis};
use redis_om::{RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "doc")]
struct Order {
    #[redis(pk)]
    id: String,
    #[redis(index(tag))]
    status: String,
    #[redis(index)]
    total: f64,
    #[redis(index)]
    items: i64,
    #[redis(index)]
    tags: Vec<String>,
    #[redis(index)]
    coupon: Option<String>,
    note: String,
    #[redis(version)]
    version: u64,
}

fn order(id: &str) -> Order {
    Order {
        id: id.to_owned(),
        status: "open".to_owned(),
        total: 10.5,
        items: 1,
        tags: vec!["new".to_owned()],
        coupon: Some("WELCOME".to_owned()),
        note: "first".to_owned(),
        version: 0,
    }
}

fn repo(ctx: &Ctx, client: &Redis) -> Repository<Order, Redis> {
    Repository::new(client.clone()).with_prefix(ctx.key("doc"))
}

each_redis8!(
    an_update_writes_only_the_paths_it_names,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = repo(&ctx, &client);
        let id = orders.save(&order("o1")).await.unwrap();
        let key = orders.key(&id);
        // Another client changes a member the update does not name.
        let _: () = Cmd::new("JSON.SET")
            .arg(&key)
            .arg("$.note")
            .arg("\"theirs\"")
            .query(&client)
            .await
            .unwrap();
        let found = orders
            .update(&id)
            .set(Order::status(), "paid \"in full\" \\ {now}".to_owned())
            .incr(Order::total(), 2.25)
            .incr(Order::items(), 2)
            .append(Order::tags(), "vip".to_owned())
            .unset(Order::coupon())
            .apply()
            .await
            .unwrap();
        assert!(found);
        let stored = orders.get(&id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            Order {
                status: "paid \"in full\" \\ {now}".to_owned(),
                total: 12.75,
                items: 3,
                tags: vec!["new".to_owned(), "vip".to_owned()],
                coupon: None,
                note: "theirs".to_owned(),
                version: 2,
                ..order("o1")
            }
        );
        let missing = "nobody".to_owned();
        let found = orders
            .update(&missing)
            .set(Order::total(), 1.0)
            .apply()
            .await
            .unwrap();
        assert!(!found);
        assert!(!orders.exists(&missing).await.unwrap());
    }
);

each_redis8!(
    increments_and_appends_are_atomic_under_concurrency,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = Arc::new(repo(&ctx, &client));
        let id = orders
            .save(&Order {
                items: 0,
                total: 0.0,
                tags: Vec::new(),
                ..order("counted")
            })
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for task in 0..16 {
            let (orders, id) = (Arc::clone(&orders), id.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    let applied = orders
                        .update(&id)
                        .incr(Order::items(), 1)
                        .incr(Order::total(), 0.5)
                        .append(Order::tags(), format!("{task}-{i}"))
                        .apply()
                        .await
                        .unwrap();
                    assert!(applied);
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let stored = orders.get(&id).await.unwrap().unwrap();
        assert_eq!(stored.items, 160);
        assert_eq!(stored.total, 80.0);
        assert_eq!(stored.tags.len(), 160);
        assert_eq!(stored.version, 161);
    }
);

each_redis8!(
    a_stale_version_conflicts_and_writes_nothing,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = repo(&ctx, &client);
        let mut copy = order("o2");
        let id = orders.save(&copy).await.unwrap();
        copy.version += 1;
        // Version 0 is an insert: the document exists now.
        let error = orders.save(&order("o2")).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        assert!(error.to_string().contains("version 1"), "{error}");

        assert!(
            orders
                .update(&id)
                .set(Order::status(), "shipped".to_owned())
                .if_version(copy.version)
                .apply()
                .await
                .unwrap()
        );
        let before = orders.get(&id).await.unwrap().unwrap();
        assert_eq!(before.version, 2);
        let error = orders
            .update(&id)
            .incr(Order::items(), 1)
            .if_version(copy.version)
            .apply()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        assert!(error.to_string().contains("version 2"), "{error}");
        let error = orders.save(&copy).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        assert_eq!(orders.get(&id).await.unwrap().unwrap(), before);

        let fresh = Order {
            note: "current".to_owned(),
            ..before.clone()
        };
        orders.save(&fresh).await.unwrap();
        assert_eq!(
            orders.get(&id).await.unwrap().unwrap(),
            Order {
                version: 3,
                ..fresh
            }
        );
    }
);

each_redis8!(
    of_two_concurrent_saves_of_one_version_exactly_one_wins,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = Arc::new(repo(&ctx, &client));
        let id = "raced".to_owned();
        for round in 0..1_000u64 {
            let tasks: Vec<_> = (0..2)
                .map(|writer| {
                    let orders = Arc::clone(&orders);
                    let model = Order {
                        note: format!("round {round} writer {writer}"),
                        version: round,
                        ..order(&id)
                    };
                    tokio::spawn(async move { (orders.save(&model).await, model) })
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
            let stored = orders.get(&id).await.unwrap().unwrap();
            assert_eq!(
                stored,
                Order {
                    version: round + 1,
                    ..winner
                }
            );
        }
    }
);

each_redis8!(
    what_cannot_be_incremented_or_appended_to_writes_nothing,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let orders = repo(&ctx, &client);
        let id = orders.save(&order("o3")).await.unwrap();
        let key = orders.key(&id);
        let _: () = Cmd::new("JSON.SET")
            .arg(&key)
            .arg("$.items")
            .arg("\"many\"")
            .query(&client)
            .await
            .unwrap();
        let _: () = Cmd::new("JSON.SET")
            .arg(&key)
            .arg("$.tags")
            .arg("\"one\"")
            .query(&client)
            .await
            .unwrap();
        let before: Option<String> = client.json_get(&key, "$").await.unwrap();
        for update in [
            orders
                .update(&id)
                .set(Order::status(), "x".to_owned())
                .incr(Order::items(), 1),
            orders
                .update(&id)
                .set(Order::status(), "x".to_owned())
                .append(Order::tags(), "vip".to_owned()),
        ] {
            let error = update.apply().await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
            let after: Option<String> = client.json_get(&key, "$").await.unwrap();
            assert_eq!(after, before);
        }
        // Unset of a member that is no Option is refused before sending.
        let error = orders
            .update(&id)
            .unset(Order::total())
            .apply()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    }
);

/// No version: an update that only sets values is one JSON.MSET.
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "plain")]
struct Profile {
    #[redis(pk)]
    id: String,
    #[redis(index(tag))]
    city: String,
    #[redis(index)]
    visits: i64,
    bio: String,
}

each_redis8!(
    a_set_only_update_of_a_versionless_document_is_atomic_and_never_creates,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let profiles: Repository<Profile, Redis> =
            Repository::new(client.clone()).with_prefix(ctx.key("plain"));
        let id = profiles
            .save(&Profile {
                id: "p".to_owned(),
                city: "Lyon".to_owned(),
                visits: 1,
                bio: "first".to_owned(),
            })
            .await
            .unwrap();
        let _: () = Cmd::new("JSON.SET")
            .arg(profiles.key(&id))
            .arg("$.bio")
            .arg("\"theirs\"")
            .query(&client)
            .await
            .unwrap();
        assert!(
            profiles
                .update(&id)
                .set(Profile::city(), "Nantes \"centre\"".to_owned())
                .set(Profile::visits(), 7)
                .apply()
                .await
                .unwrap()
        );
        assert_eq!(
            profiles.get(&id).await.unwrap().unwrap(),
            Profile {
                id: "p".to_owned(),
                city: "Nantes \"centre\"".to_owned(),
                visits: 7,
                bio: "theirs".to_owned(),
            }
        );
        let nobody = "nobody".to_owned();
        assert!(
            !profiles
                .update(&nobody)
                .set(Profile::visits(), 1)
                .apply()
                .await
                .unwrap()
        );
        assert!(!profiles.exists(&nobody).await.unwrap());
        client
            .set(profiles.key(&"str".to_owned()), "x")
            .await
            .unwrap();
        let error = profiles
            .update(&"str".to_owned())
            .set(Profile::visits(), 1)
            .apply()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    }
);
