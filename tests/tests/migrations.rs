//! Index migrations on Redis 8.2, RESP3 and RESP2: an unchanged model is a
//! no-op; fields added at the end go through FT.ALTER and are queryable;
//! any other change builds a new index behind the name (an alias) while
//! readers query through it without an error or a missing document; a dry
//! run changes nothing; a rebuild that cannot finish in time leaves the old
//! index serving; migrators started together migrate once.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use redis_core::ErrorKind;
use redis_core::Redis;
use redis_core::commands::*;
use redis_om::query;
use redis_om::{MigrationOutcome, Migrator, Model, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};

/// The first version: a name indexed as a TAG.
#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "item")]
struct ItemV1 {
    #[redis(pk)]
    id: String,
    #[redis(index(tag))]
    name: String,
    price: f64,
    note: String,
}

/// One field added at the end: an additive change.
#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "item")]
struct ItemV2 {
    #[redis(pk)]
    id: String,
    #[redis(index(tag))]
    name: String,
    #[redis(index)]
    price: f64,
    note: String,
}

/// The name indexed as TEXT: a change FT.ALTER cannot make.
#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "item")]
struct ItemV3 {
    #[redis(pk)]
    id: String,
    #[redis(index(text))]
    name: String,
    #[redis(index)]
    price: f64,
    note: String,
}

/// The note read as a number, which most stored notes are not, and indexed
/// first (no field added at the end, so a rebuild): a new index that never
/// holds what the old one holds.
#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "item")]
struct ItemV4 {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    note: f64,
    #[redis(index(tag))]
    name: String,
    price: f64,
}

fn repo<M: Model>(ctx: &Ctx, client: &Redis) -> Repository<M, Redis> {
    Repository::new(client.clone()).with_prefix(ctx.key("item"))
}

/// `count` records, saved as the first version.
async fn seed(ctx: &Ctx, client: &Redis, count: usize) -> Repository<ItemV1, Redis> {
    let items = repo::<ItemV1>(ctx, client);
    let records: Vec<ItemV1> = (0..count)
        .map(|i| ItemV1 {
            id: format!("{i}"),
            name: format!("item-{i}"),
            price: i as f64,
            note: if i % 10 == 0 {
                "7".into()
            } else {
                format!("note {i}")
            },
        })
        .collect();
    items.save_many(&records).await.unwrap();
    items
}

async fn migrate<M: Model>(client: &Redis, repo: &Repository<M, Redis>) -> MigrationOutcome {
    let report = Migrator::new(client).repository(repo).run().await.unwrap();
    assert_eq!(report.len(), 1);
    report[0].outcome
}

/// The index that answers under `name` (the alias's target, or itself).
async fn serving(client: &Redis, name: &str) -> String {
    client.ft_info(name).await.unwrap().name
}

/// Every index on the server whose name starts with `prefix`, sorted.
async fn indexes_under(client: &Redis, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = client
        .ft_list()
        .await
        .unwrap()
        .into_iter()
        .filter(|name| name.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// Waits (bounded) until the index under `name` finished scanning.
async fn scanned(client: &Redis, name: &str) {
    for _ in 0..200 {
        let info = client.ft_info(name).await.unwrap();
        if !info.indexing && info.percent_indexed >= 1.0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{name} was still indexing after 5 s");
}

async fn drop_all(client: &Redis, prefix: &str) {
    for name in indexes_under(client, prefix).await {
        client.ft_dropindex(&name).await.unwrap();
    }
}

each_redis8!(an_unchanged_model_is_left_alone, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let items = seed(&ctx, &client, 10).await;
    assert_eq!(migrate(&client, &items).await, MigrationOutcome::Created);
    let before = indexes_under(&client, items.prefix()).await;
    assert_eq!(migrate(&client, &items).await, MigrationOutcome::Unchanged);
    assert_eq!(indexes_under(&client, items.prefix()).await, before);
    drop_all(&client, items.prefix()).await;
});

each_redis8!(
    fields_added_at_the_end_are_altered_in_place_and_queryable,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let items = seed(&ctx, &client, 200).await;
        migrate(&client, &items).await;
        let name = format!("{}:index", items.prefix());

        let v2 = repo::<ItemV2>(&ctx, &client);
        assert_eq!(migrate(&client, &v2).await, MigrationOutcome::Altered);
        // The same index, one field more.
        assert_eq!(serving(&client, &name).await, name);
        scanned(&client, &name).await;
        let cheap = v2.find(ItemV2::price().lt(50.0)).count().await.unwrap();
        assert_eq!(cheap, 50);
        assert_eq!(migrate(&client, &v2).await, MigrationOutcome::Unchanged);
        drop_all(&client, items.prefix()).await;
    }
);

each_redis8!(
    a_changed_field_is_rebuilt_behind_the_name_while_readers_query_it,
    |ctx: Ctx| async move {
        const RECORDS: u64 = 2_000;
        let client = ctx.client().await;
        let items = seed(&ctx, &client, RECORDS as usize).await;
        let v2 = repo::<ItemV2>(&ctx, &client);
        migrate(&client, &v2).await;
        let name = format!("{}:index", items.prefix());
        scanned(&client, &name).await;

        // A reader counts every record through the name, in a loop, for as
        // long as the migrations run.
        let stop = Arc::new(AtomicBool::new(false));
        let reads = Arc::new(AtomicU64::new(0));
        let reader = {
            let (client, stop, reads) = (client.clone(), stop.clone(), reads.clone());
            let prefix = items.prefix().to_owned();
            tokio::spawn(async move {
                let items = Repository::<ItemV2, Redis>::new(client).with_prefix(prefix);
                while !stop.load(Ordering::Relaxed) {
                    let count = items.find(query::all()).count().await;
                    match count {
                        Ok(count) => assert!(count >= RECORDS, "a read saw {count} records"),
                        Err(error) => panic!("a read through the name failed: {error}"),
                    }
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        };

        let v3 = repo::<ItemV3>(&ctx, &client);
        assert_eq!(migrate(&client, &v3).await, MigrationOutcome::Rebuilt);
        let first = serving(&client, &name).await;
        assert!(first.starts_with(&format!("{name}:v")), "{first}");
        // The old index is gone; its records are not.
        assert_eq!(
            indexes_under(&client, &name).await,
            std::slice::from_ref(&first)
        );
        assert_eq!(items.count().await.unwrap(), RECORDS);
        let matched = v3
            .find(ItemV3::name().matches("item-7"))
            .count()
            .await
            .unwrap();
        assert!(matched >= 1, "the new index answers TEXT queries");

        // Back to the TAG: the alias moves again, the first rebuild goes.
        assert_eq!(migrate(&client, &v2).await, MigrationOutcome::Rebuilt);
        let second = serving(&client, &name).await;
        assert_ne!(second, first);
        assert_eq!(indexes_under(&client, &name).await, [second]);
        assert_eq!(migrate(&client, &v2).await, MigrationOutcome::Unchanged);

        stop.store(true, Ordering::Relaxed);
        reader.await.unwrap();
        assert!(reads.load(Ordering::Relaxed) > 0, "the reader never read");
        drop_all(&client, items.prefix()).await;
    }
);

each_redis8!(a_dry_run_changes_nothing, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let items = seed(&ctx, &client, 20).await;
    let keys = || async {
        let mut keys: Vec<String> = client.keys(format!("{}*", items.prefix())).await.unwrap();
        keys.sort();
        (keys, indexes_under(&client, items.prefix()).await)
    };

    let before = keys().await;
    let plan = Migrator::new(&client)
        .repository(&items)
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan[0].outcome, MigrationOutcome::Created);
    assert_eq!(keys().await, before);
    migrate(&client, &items).await;

    let v2 = repo::<ItemV2>(&ctx, &client);
    let v3 = repo::<ItemV3>(&ctx, &client);
    for (plan, expected) in [
        (
            Migrator::new(&client).repository(&items).dry_run().await,
            MigrationOutcome::Unchanged,
        ),
        (
            Migrator::new(&client).repository(&v2).dry_run().await,
            MigrationOutcome::Altered,
        ),
        (
            Migrator::new(&client).repository(&v3).dry_run().await,
            MigrationOutcome::Rebuilt,
        ),
    ] {
        let before = keys().await;
        assert_eq!(plan.unwrap()[0].outcome, expected);
        assert_eq!(keys().await, before);
    }
    drop_all(&client, items.prefix()).await;
});

each_redis8!(
    a_rebuild_out_of_time_leaves_the_old_index_serving,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let items = seed(&ctx, &client, 100).await;
        migrate(&client, &items).await;
        let name = format!("{}:index", items.prefix());
        scanned(&client, &name).await;

        // Nine notes in ten are no numbers: the new index never holds what
        // the old one does.
        let v4 = repo::<ItemV4>(&ctx, &client);
        let error = Migrator::new(&client)
            .repository(&v4)
            .rebuild_timeout(Duration::from_millis(300))
            .run()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
        let text = error.to_string();
        assert!(
            text.contains(&name) && text.contains("keeps serving"),
            "{text}"
        );
        assert!(
            text.contains("documents indexed of the 100 the old index holds"),
            "says how far it got: {text}"
        );
        assert_eq!(serving(&client, &name).await, name);
        assert_eq!(
            indexes_under(&client, &name).await,
            std::slice::from_ref(&name)
        );
        assert_eq!(migrate(&client, &items).await, MigrationOutcome::Unchanged);
        // Nothing is left locked: the next migration runs at once.
        let v2 = repo::<ItemV2>(&ctx, &client);
        assert_eq!(migrate(&client, &v2).await, MigrationOutcome::Altered);
        drop_all(&client, items.prefix()).await;
    }
);

each_redis8!(
    migrators_started_together_migrate_once,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let items = seed(&ctx, &client, 500).await;
        migrate(&client, &items).await;
        let runs: Vec<_> = (0..4)
            .map(|_| {
                let (client, prefix) = (client.clone(), items.prefix().to_owned());
                tokio::spawn(async move {
                    let v3 = Repository::<ItemV3, Redis>::new(client.clone()).with_prefix(prefix);
                    Migrator::new(&client).repository(&v3).run().await
                })
            })
            .collect();
        let mut outcomes: Vec<MigrationOutcome> = Vec::new();
        for run in runs {
            outcomes.push(run.await.unwrap().unwrap()[0].outcome);
        }
        let rebuilt = outcomes
            .iter()
            .filter(|o| **o == MigrationOutcome::Rebuilt)
            .count();
        assert_eq!(rebuilt, 1, "{outcomes:?}");
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, MigrationOutcome::Rebuilt | MigrationOutcome::Unchanged)),
            "{outcomes:?}"
        );
        let name = format!("{}:index", items.prefix());
        assert_eq!(indexes_under(&client, &name).await.len(), 1);
        drop_all(&client, items.prefix()).await;
    }
);

/// A model shared with Redis OM Python, first version.
#[derive(RedisModel, Debug, Clone)]
#[redis(layout = "python", prefix = "item")]
struct PyItem {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    name: String,
}

/// The same, its name now full-text searchable too.
#[derive(RedisModel, Debug, Clone)]
#[redis(layout = "python", prefix = "item")]
struct PyItemSearchable {
    #[redis(pk)]
    id: String,
    #[redis(index(full_text_search))]
    name: String,
}

each_redis8!(
    a_python_layout_rebuild_leaves_what_python_compares_matching,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let v1 = repo::<PyItem>(&ctx, &client);
        for i in 0..50 {
            let item = PyItem {
                id: format!("{i}"),
                name: format!("item {i}"),
            };
            v1.save(&item).await.unwrap();
        }
        migrate(&client, &v1).await;
        let v2 = repo::<PyItemSearchable>(&ctx, &client);
        assert_eq!(migrate(&client, &v2).await, MigrationOutcome::Rebuilt);

        // Python's migrator compares GET {index}:hash with the SHA-1 of its
        // own schema text (which the python layout reproduces byte for
        // byte): equal, so it leaves the rebuilt index alone.
        let index = redis_om::ModelIndex::of(PyItemSearchable::info(), v2.prefix()).unwrap();
        let hash: String = client.get(format!("{}:hash", index.name())).await.unwrap();
        let schema: String = client
            .get(format!("{}:schema", index.name()))
            .await
            .unwrap();
        assert_eq!(hash, index.fingerprint());
        assert_eq!(Some(schema.as_str()), index.python_schema());
        assert_ne!(serving(&client, index.name()).await, index.name());
        assert_eq!(v2.find(query::all()).count().await.unwrap(), 50);
        drop_all(&client, v1.prefix()).await;
    }
);
