//! Autocomplete on Redis 8.2, hash and JSON records, RESP3 and RESP2:
//! after saves (one by one and in bulk), changes of a value, deletes (one,
//! many, and of a query's matches), the suggestions of a prefix are
//! exactly the values the Rust model of the records says some record still
//! holds; a value two records hold survives the delete of one; `None`
//! suggests nothing; `fuzzy` and `max` reach the server.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use redis_core::Redis;
use redis_core::commands::{KeyCommands, SearchCommands};
use redis_om::{Autocomplete, Migrator, Model, ModelIndex, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

const NAMES: [&str; 8] = [
    "Desk lamp",
    "Desk chair",
    "Desert rose",
    "Dessert spoon",
    "Deck brush",
    "Lamp shade",
    "Lantern",
    "desk LAMP",
];

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "ac")]
struct HashProduct {
    #[redis(pk)]
    id: String,
    #[redis(autocomplete)]
    name: String,
    #[redis(autocomplete)]
    nickname: Option<String>,
    #[redis(index)]
    batch: String,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "acdoc")]
struct JsonProduct {
    #[redis(pk)]
    id: String,
    #[redis(autocomplete)]
    name: String,
    #[redis(autocomplete)]
    nickname: Option<String>,
    #[redis(index)]
    batch: String,
}

trait Product: Model<Pk = String> + Clone + std::fmt::Debug + Send + Sync + 'static {
    fn make(id: u32, name: &str, nickname: Option<&str>, batch: &str) -> Self;
    fn name_of(&self) -> &str;
    fn nickname_of(&self) -> Option<&str>;
    fn set_name(&mut self, name: &str);
    fn name() -> Autocomplete<Self>;
    fn nickname() -> Autocomplete<Self>;
    fn batch() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
}

macro_rules! product {
    ($t:ident) => {
        impl Product for $t {
            fn make(id: u32, name: &str, nickname: Option<&str>, batch: &str) -> Self {
                $t {
                    id: id.to_string(),
                    name: name.to_owned(),
                    nickname: nickname.map(str::to_owned),
                    batch: batch.to_owned(),
                }
            }
            fn name_of(&self) -> &str {
                &self.name
            }
            fn nickname_of(&self) -> Option<&str> {
                self.nickname.as_deref()
            }
            fn set_name(&mut self, name: &str) {
                self.name = name.to_owned();
            }
            fn name() -> Autocomplete<Self> {
                $t::name_suggestions()
            }
            fn nickname() -> Autocomplete<Self> {
                $t::nickname_suggestions()
            }
            fn batch() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
                $t::batch()
            }
        }
    };
}
product!(HashProduct);
product!(JsonProduct);

/// The distinct values the records hold that start with `prefix`, case
/// aside: what the dictionary must suggest.
fn expected<'a>(values: impl IntoIterator<Item = &'a str>, prefix: &str) -> BTreeSet<String> {
    values
        .into_iter()
        .filter(|v| v.to_lowercase().starts_with(&prefix.to_lowercase()))
        .map(str::to_owned)
        .collect()
}

async fn suggested<P: Product>(
    repo: &Repository<P, Redis>,
    field: Autocomplete<P>,
    prefix: &str,
) -> BTreeSet<String> {
    let all = repo.suggest(field, prefix).max(100).all().await.unwrap();
    let set: BTreeSet<String> = all.iter().cloned().collect();
    assert_eq!(set.len(), all.len(), "no value twice: {all:?}");
    set
}

async fn check<P: Product>(repo: &Repository<P, Redis>, live: &BTreeMap<u32, P>, what: &str) {
    for prefix in ["de", "des", "desk", "la", "lan", "desk l", "x"] {
        let names = suggested(repo, P::name(), prefix).await;
        let want = expected(live.values().map(P::name_of), prefix);
        assert_eq!(names, want, "{what}: names for {prefix:?}");
        let nicknames = suggested(repo, P::nickname(), prefix).await;
        let want = expected(live.values().filter_map(P::nickname_of), prefix);
        assert_eq!(nicknames, want, "{what}: nicknames for {prefix:?}");
    }
}

async fn autocomplete<P: Product>(ctx: Ctx) {
    let client = ctx.client().await;
    let repo = Repository::<P, _>::new(client.clone()).with_prefix(ctx.key(P::info().prefix()));
    Migrator::new(&client)
        .repository(&repo)
        .run()
        .await
        .unwrap();

    let mut rng = fastrand::Rng::with_seed(44);
    let mut live: BTreeMap<u32, P> = BTreeMap::new();
    for id in 0..200u32 {
        let name = NAMES[rng.usize(..NAMES.len())];
        let nickname = (id % 3 == 0).then(|| NAMES[rng.usize(..NAMES.len())]);
        let batch = if id < 60 { "first" } else { "rest" };
        live.insert(id, P::make(id, name, nickname, batch));
    }
    // The first ten one by one, the rest in bulk.
    for product in live.values().take(10) {
        repo.save(product).await.unwrap();
    }
    let rest: Vec<P> = live.values().skip(10).cloned().collect();
    repo.save_many(&rest).await.unwrap();
    check(&repo, &live, "after saving").await;

    // A value held by one record only goes with it; one held by two stays
    // when one of them is deleted.
    let lone = P::make(1000, "Lanyard", None, "rest");
    let twin = P::make(1001, "Lanyard", None, "rest");
    repo.save_many([&lone, &twin]).await.unwrap();
    live.insert(1000, lone);
    live.insert(1001, twin);
    assert!(
        suggested(&repo, P::name(), "lany")
            .await
            .contains("Lanyard")
    );
    assert!(repo.delete(&"1000".to_owned()).await.unwrap());
    live.remove(&1000);
    assert!(
        suggested(&repo, P::name(), "lany")
            .await
            .contains("Lanyard")
    );
    assert!(repo.delete(&"1001".to_owned()).await.unwrap());
    live.remove(&1001);
    assert!(suggested(&repo, P::name(), "lany").await.is_empty());

    // A save that changes a value moves the record from the old to the
    // new one; saving it again unchanged changes nothing.
    for id in [1u32, 2, 3, 4, 5] {
        let product = live.get_mut(&id).unwrap();
        product.set_name("Lattice");
        repo.save(product).await.unwrap();
        repo.save(product).await.unwrap();
    }
    check(&repo, &live, "after renaming").await;

    // Deletes: many at once, then every match of a query.
    let gone: Vec<String> = (10..40u32).map(|id| id.to_string()).collect();
    repo.delete_many(&gone).await.unwrap();
    for id in 10..40u32 {
        live.remove(&id);
    }
    check(&repo, &live, "after delete_many").await;
    let removed = repo.find(P::batch().eq("first")).delete().await.unwrap();
    let first: Vec<u32> = live.keys().copied().filter(|&id| id < 60).collect();
    assert_eq!(removed, first.len() as u64);
    for id in first {
        live.remove(&id);
    }
    check(&repo, &live, "after deleting a query's matches").await;

    // The server's options: at most `max`, and one edit away with `fuzzy`.
    let two = repo.suggest(P::name(), "de").max(2).all().await.unwrap();
    assert_eq!(two.len(), 2);
    assert!(
        repo.suggest(P::name(), "dex")
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    let fuzzy: BTreeSet<String> = repo
        .suggest(P::name(), "dex")
        .fuzzy()
        .max(100)
        .all()
        .await
        .unwrap()
        .into_iter()
        .collect();
    let exact = suggested(&repo, P::name(), "de").await;
    assert!(!exact.is_empty() && exact.is_subset(&fuzzy), "{fuzzy:?}");

    // Everything deleted: nothing left to suggest, no bookkeeping left.
    let pks: Vec<String> = live.keys().map(u32::to_string).collect();
    repo.delete_many(&pks).await.unwrap();
    live.clear();
    check(&repo, &live, "after deleting everything").await;
    for field in ["name", "nickname"] {
        let dict = format!("{{{}}}:suggest:{field}", repo.prefix());
        let left = client
            .exists([
                dict.clone(),
                format!("{dict}:records"),
                format!("{dict}:counts"),
            ])
            .await
            .unwrap();
        assert_eq!(left, 0, "{dict}");
    }
    let index = ModelIndex::of(P::info(), repo.prefix()).unwrap();
    client.ft_dropindex(index.name()).await.unwrap();
}

each_redis8!(hash_autocomplete, |ctx: Ctx| async move {
    autocomplete::<HashProduct>(ctx).await;
});

each_redis8!(json_autocomplete, |ctx: Ctx| async move {
    autocomplete::<JsonProduct>(ctx).await;
});
