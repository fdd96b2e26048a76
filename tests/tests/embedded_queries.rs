//! Typed queries on the fields of embedded structs on Redis 8.2, RESP3 and
//! RESP2, in the default and the python layouts: `Order::address().city()`,
//! two levels deep (`Order::address().area().code()`) and inside a list
//! (`Order::items().sku()`, any element matching), each condition and
//! their combinations checked against the answer computed in Rust over the
//! same records. (Embedded structs are indexed in JSON models only: a hash
//! model stores one value per field, and the derive refuses `embed` there;
//! see the `embed_on_hash` UI test.)

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use redis_core::Redis;
use redis_core::commands::SearchCommands;
use redis_om::query::Expr;
use redis_om::{Migrator, Model, ModelIndex, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

const RECORDS: u32 = 600;
const CITIES: [&str; 4] = ["Paris", "Lyon", "Saint-Étienne", "New York"];
/// No `|`: the python layout's TAG separator, which cuts a stored value.
const SKUS: [&str; 5] = ["A-1", "B.2", "C 3", "D@4", "E"];

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(embedded)]
struct Area {
    #[redis(index)]
    code: u32,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(embedded)]
struct Address {
    #[redis(index)]
    city: String,
    #[redis(embed)]
    area: Area,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(embedded)]
struct Item {
    #[redis(index)]
    sku: String,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "emb")]
struct Order {
    #[redis(pk)]
    id: String,
    #[redis(embed)]
    address: Address,
    #[redis(embed)]
    items: Vec<Item>,
    #[redis(index(sortable))]
    total: u32,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", layout = "python", prefix = "embpy")]
struct PyOrder {
    #[redis(pk)]
    pk: String,
    #[redis(embed)]
    address: Address,
    #[redis(embed)]
    items: Vec<Item>,
    #[redis(index(sortable))]
    total: u32,
}

/// One record's values, for both models.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    city: &'static str,
    code: u32,
    skus: Vec<&'static str>,
    total: u32,
}

/// A condition under test, named, with the Rust predicate it means.
type Case<M> = (&'static str, Expr<M>, fn(&Row) -> bool);

trait OrderModel: Model<Pk = String> + Send + Sync + 'static {
    fn make(row: &Row) -> Self;
    fn id_of(&self) -> &str;
    /// The conditions under test, each with the Rust predicate it means.
    fn conditions() -> Vec<Case<Self>>;
}

macro_rules! order {
    ($t:ident, $id:ident) => {
        impl OrderModel for $t {
            fn make(row: &Row) -> Self {
                $t {
                    $id: row.id.clone(),
                    address: Address {
                        city: row.city.to_owned(),
                        area: Area { code: row.code },
                    },
                    items: row
                        .skus
                        .iter()
                        .map(|sku| Item {
                            sku: (*sku).to_owned(),
                        })
                        .collect(),
                    total: row.total,
                }
            }
            fn id_of(&self) -> &str {
                &self.$id
            }
            fn conditions() -> Vec<Case<Self>> {
                vec![
                    ("city", $t::address().city().eq("Paris"), |r| {
                        r.city == "Paris"
                    }),
                    (
                        "city with special characters",
                        $t::address().city().any_of(["Saint-Étienne", "New York"]),
                        |r| r.city == "Saint-Étienne" || r.city == "New York",
                    ),
                    ("two levels deep", $t::address().area().code().lt(3), |r| {
                        r.code < 3
                    }),
                    ("inside a list", $t::items().sku().eq("D@4"), |r| {
                        r.skus.contains(&"D@4")
                    }),
                    (
                        "combined",
                        ($t::address().city().eq("Lyon") | $t::address().area().code().ge(8))
                            & !$t::items().sku().any_of(["A-1", "C 3"])
                            & $t::total().between(10, 80),
                        |r| {
                            (r.city == "Lyon" || r.code >= 8)
                                && !r.skus.iter().any(|s| *s == "A-1" || *s == "C 3")
                                && (10..=80).contains(&r.total)
                        },
                    ),
                ]
            }
        }
    };
}
order!(Order, id);
order!(PyOrder, pk);

fn rows() -> Vec<Row> {
    let mut rng = fastrand::Rng::with_seed(5);
    (0..RECORDS)
        .map(|i| Row {
            id: format!("{i:05}"),
            city: CITIES[rng.usize(..CITIES.len())],
            code: rng.u32(..10),
            skus: (0..rng.usize(..4))
                .map(|_| SKUS[rng.usize(..SKUS.len())])
                .collect(),
            total: rng.u32(..100),
        })
        .collect()
}

async fn embedded_queries<M: OrderModel>(ctx: Ctx) {
    let client: Redis = ctx.client().await;
    let repo = Repository::<M, _>::new(client.clone()).with_prefix(ctx.key(M::info().prefix()));
    Migrator::new(&client)
        .repository(&repo)
        .run()
        .await
        .unwrap();
    let rows = rows();
    let models: Vec<M> = rows.iter().map(M::make).collect();
    repo.save_many(&models).await.unwrap();
    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    for _ in 0..3000 {
        let info = client.ft_info(index.name()).await.unwrap();
        if !info.indexing && info.num_docs == u64::from(RECORDS) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    for (what, condition, keep) in M::conditions() {
        let want: BTreeSet<String> = rows
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.id.clone())
            .collect();
        assert!(!want.is_empty(), "{what}: the data set has matches");
        let found: BTreeSet<String> = repo
            .find(condition)
            .all()
            .await
            .unwrap()
            .iter()
            .map(|m| m.id_of().to_owned())
            .collect();
        assert_eq!(found, want, "{what}");
    }
    client.ft_dropindex_delete_docs(index.name()).await.unwrap();
}

each_redis8!(default_layout, |ctx: Ctx| async move {
    embedded_queries::<Order>(ctx).await;
});

each_redis8!(python_layout, |ctx: Ctx| async move {
    embedded_queries::<PyOrder>(ctx).await;
});
