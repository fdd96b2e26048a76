//! Typed aggregations on Redis 8.2, hash and JSON records, RESP3 and RESP2:
//! groups by one and two fields with every numeric reducer, a filtered
//! aggregation, count_distinct and tolist, sorting and limits, and a
//! result larger than one cursor batch, each compared with the same
//! group-by computed in Rust over the same records.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use redis_core::Redis;
use redis_core::commands::SearchCommands;
use redis_om::query::{self, reduce};
use redis_om::{Migrator, Model, ModelIndex, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

const RECORDS: usize = 2500;
const BRANDS: [&str; 5] = ["acme", "globex", "initech", "umbrella", "hooli"];
const COLORS: [&str; 3] = ["red", "green", "blue"];

#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "agg")]
struct HashSale {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    brand: String,
    #[redis(index)]
    color: String,
    #[redis(index)]
    price: f64,
    #[redis(index)]
    units: i64,
    #[redis(index)]
    code: String,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone)]
#[redis(storage = "json", prefix = "jagg")]
struct JsonSale {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    brand: String,
    #[redis(index)]
    color: String,
    #[redis(index)]
    price: f64,
    #[redis(index)]
    units: i64,
    #[redis(index)]
    code: String,
}

#[derive(Debug, Clone)]
struct Row {
    id: String,
    brand: &'static str,
    color: &'static str,
    price: f64,
    units: i64,
    code: String,
}

fn rows() -> Vec<Row> {
    let mut rng = fastrand::Rng::with_seed(11);
    (0..RECORDS)
        .map(|i| Row {
            id: format!("{i}"),
            brand: BRANDS[rng.usize(..BRANDS.len())],
            color: COLORS[rng.usize(..COLORS.len())],
            price: f64::from(rng.u32(1..10_000)) / 100.0,
            units: rng.i64(0..50),
            code: format!("c{i}"),
        })
        .collect()
}

macro_rules! sale {
    ($t:ident) => {
        impl From<&Row> for $t {
            fn from(r: &Row) -> Self {
                $t {
                    id: r.id.clone(),
                    brand: r.brand.to_owned(),
                    color: r.color.to_owned(),
                    price: r.price,
                    units: r.units,
                    code: r.code.clone(),
                }
            }
        }
        impl Sale for $t {
            fn brand() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
                $t::brand()
            }
            fn color() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
                $t::color()
            }
            fn price() -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<f64>> {
                $t::price()
            }
            fn units() -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<i64>> {
                $t::units()
            }
            fn code() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
                $t::code()
            }
        }
    };
}

trait Sale: Model<Pk = String> + for<'r> From<&'r Row> + Send + Sync + 'static {
    fn brand() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
    fn color() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
    fn price() -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<f64>>;
    fn units() -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<i64>>;
    fn code() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
}

sale!(HashSale);
sale!(JsonSale);

#[derive(Deserialize, Debug)]
struct PerBrand {
    brand: String,
    count: u64,
    sum_price: f64,
    avg_price: f64,
    min_price: f64,
    max_price: f64,
    total_units: i64,
}

#[derive(Deserialize, Debug)]
struct PerPair {
    brand: String,
    color: String,
    count: u64,
}

#[derive(Deserialize, Debug)]
struct Distinct {
    brand: String,
    count_distinct_color: u64,
    tolist_color: Vec<String>,
}

#[derive(Deserialize, Debug)]
struct PerCode {
    code: String,
    count: u64,
}

async fn seed<M: Sale>(ctx: &Ctx, client: &Redis, rows: &[Row]) -> Repository<M, Redis> {
    let repo = Repository::<M, _>::new(client.clone()).with_prefix(ctx.key(M::info().prefix()));
    Migrator::new(client).repository(&repo).run().await.unwrap();
    let models: Vec<M> = rows.iter().map(M::from).collect();
    repo.save_many(&models).await.unwrap();
    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    for _ in 0..3000 {
        let info = client.ft_info(index.name()).await.unwrap();
        if !info.indexing && info.num_docs == rows.len() as u64 {
            return repo;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{} did not index the records within 30 s", index.name());
}

/// `found` is the group-by brand of every numeric reducer, sorted by
/// brand, that Rust computes over `rows`.
fn assert_per_brand(found: &[PerBrand], rows: &[Row]) {
    let mut expected: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for row in rows {
        expected.entry(row.brand).or_default().push(row);
    }
    assert_eq!(found.len(), expected.len());
    for (group, (brand, members)) in found.iter().zip(&expected) {
        assert_eq!(group.brand, *brand, "sorted by brand");
        let prices: Vec<f64> = members.iter().map(|r| r.price).collect();
        let sum: f64 = prices.iter().sum();
        assert_eq!(group.count, members.len() as u64, "{brand}");
        assert!(
            close(group.sum_price, sum),
            "{brand}: {} vs {sum}",
            group.sum_price
        );
        assert!(close(group.avg_price, sum / prices.len() as f64), "{brand}");
        let least = prices.iter().copied().fold(f64::MAX, f64::min);
        let most = prices.iter().copied().fold(f64::MIN, f64::max);
        assert!(close(group.min_price, least), "{brand}");
        assert!(close(group.max_price, most), "{brand}");
        let units: i64 = members.iter().map(|r| r.units).sum();
        assert_eq!(group.total_units, units, "{brand}");
    }
}

/// `found` is the three largest (brand, color) groups of the records
/// priced over 50, largest first, as Rust counts them over `rows`.
fn assert_top_pairs(found: &[PerPair], rows: &[Row]) {
    let mut pairs: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.price > 50.0) {
        *pairs.entry((row.brand, row.color)).or_default() += 1;
    }
    let mut counts: Vec<u64> = pairs.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(found.len(), 3);
    for (group, expected_count) in found.iter().zip(&counts) {
        assert_eq!(group.count, *expected_count, "the largest groups first");
        let key = (group.brand.as_str(), group.color.as_str());
        assert_eq!(pairs.get(&key), Some(&group.count), "{key:?}");
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

async fn aggregations_match_rust<M: Sale>(ctx: Ctx) {
    let client = ctx.client().await;
    let rows = rows();
    let repo = seed::<M>(&ctx, &client, &rows).await;

    // By brand, every numeric reducer.
    let found: Vec<PerBrand> = repo
        .aggregate(query::all())
        .group_by(
            M::brand(),
            [
                reduce::count(),
                reduce::sum(M::price()),
                reduce::avg(M::price()),
                reduce::min(M::price()),
                reduce::max(M::price()),
                reduce::sum(M::units()).named("total_units"),
            ],
        )
        .sort_by_asc("brand")
        .rows()
        .await
        .unwrap();
    assert_per_brand(&found, &rows);

    // By two fields, filtered, the three largest groups.
    let found: Vec<PerPair> = repo
        .aggregate(M::price().gt(50.0))
        .group_by((M::brand(), M::color()), [reduce::count()])
        .sort_by_desc("count")
        .limit(0, 3)
        .rows()
        .await
        .unwrap();
    assert_top_pairs(&found, &rows);

    // Distinct values per group.
    let found: Vec<Distinct> = repo
        .aggregate(query::all())
        .group_by(
            M::brand(),
            [
                reduce::count_distinct(M::color()),
                reduce::tolist(M::color()),
            ],
        )
        .rows()
        .await
        .unwrap();
    for group in &found {
        let colors: BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.brand == group.brand)
            .map(|r| r.color)
            .collect();
        assert_eq!(group.count_distinct_color, colors.len() as u64);
        let listed: BTreeSet<&str> = group.tolist_color.iter().map(String::as_str).collect();
        assert_eq!(listed, colors);
    }

    // More groups than one cursor batch holds: every one arrives once.
    let found: Vec<PerCode> = repo
        .aggregate(query::all())
        .group_by(M::code(), [reduce::count()])
        .rows()
        .await
        .unwrap();
    let codes: BTreeSet<&str> = found.iter().map(|g| g.code.as_str()).collect();
    assert_eq!(found.len(), RECORDS);
    assert_eq!(codes.len(), RECORDS);
    assert!(found.iter().all(|g| g.count == 1));

    // A row type that does not fit is a decode error naming the column.
    let error = repo
        .aggregate(query::all())
        .group_by(M::brand(), [reduce::count().named("brand_count")])
        .rows::<PerPair>()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), redis_core::ErrorKind::Decode, "{error}");
    let error = repo
        .aggregate(query::all())
        .group_by(M::brand(), [reduce::count().named("n) @x")])
        .rows::<PerPair>()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), redis_core::ErrorKind::InvalidInput, "{error}");

    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    client.ft_dropindex_delete_docs(index.name()).await.unwrap();
}

each_redis8!(hash_aggregations, |ctx: Ctx| async move {
    aggregations_match_rust::<HashSale>(ctx).await;
});

each_redis8!(json_aggregations, |ctx: Ctx| async move {
    aggregations_match_rust::<JsonSale>(ctx).await;
});

/// The same sales with the fields a cluster's shards can group and reduce
/// kept sortable (the search module there reads nothing else), and one
/// that is not.
#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "cagg")]
struct ClusterSale {
    #[redis(pk)]
    id: String,
    #[redis(index(sortable))]
    brand: String,
    #[redis(index(sortable))]
    color: String,
    #[redis(index(sortable))]
    price: f64,
    #[redis(index(sortable))]
    units: i64,
    #[redis(index)]
    code: String,
}

#[derive(Deserialize, Debug)]
struct Colors {
    brand: String,
    tolist_color: Vec<String>,
}

/// On the six-node cluster each shard aggregates its own records and the
/// rows merge: the groups, their reducers, sorts and limits equal the
/// Rust group-by over all records; what cannot merge is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aggregations_on_a_cluster_merge_the_shards_rows() {
    let test = "aggregations_on_a_cluster";
    Ctx::run(
        test,
        redis_tests::Setup::REDIS8_RESP3,
        |ctx: Ctx| async move {
            let node = redis_tests::servers().cluster()[0];
            let cluster = redis_core::ClusterClient::connect(format!("redis://{node}"))
                .await
                .unwrap();
            let rows = rows();
            let repo = Repository::<ClusterSale, _>::new(cluster.clone())
                .with_prefix(ctx.key(ClusterSale::info().prefix()));
            Migrator::new(&cluster)
                .repository(&repo)
                .run()
                .await
                .unwrap();
            let models: Vec<ClusterSale> = rows
                .iter()
                .map(|r| ClusterSale {
                    id: r.id.clone(),
                    brand: r.brand.to_owned(),
                    color: r.color.to_owned(),
                    price: r.price,
                    units: r.units,
                    code: r.code.clone(),
                })
                .collect();
            repo.save_many(&models).await.unwrap();

            let found: Vec<PerBrand> = repo
                .aggregate(query::all())
                .group_by(
                    ClusterSale::brand(),
                    [
                        reduce::count(),
                        reduce::sum(ClusterSale::price()),
                        reduce::avg(ClusterSale::price()),
                        reduce::min(ClusterSale::price()),
                        reduce::max(ClusterSale::price()),
                        reduce::sum(ClusterSale::units()).named("total_units"),
                    ],
                )
                .sort_by_asc("brand")
                .rows()
                .await
                .unwrap();
            assert_per_brand(&found, &rows);

            // Filtered, by two fields, sorted and limited after the merge.
            let found: Vec<PerPair> = repo
                .aggregate(ClusterSale::price().gt(50.0))
                .group_by(
                    (ClusterSale::brand(), ClusterSale::color()),
                    [reduce::count()],
                )
                .sort_by_desc("count")
                .limit(0, 3)
                .rows()
                .await
                .unwrap();
            assert_top_pairs(&found, &rows);

            // The shards' lists united.
            let found: Vec<Colors> = repo
                .aggregate(query::all())
                .group_by(ClusterSale::brand(), [reduce::tolist(ClusterSale::color())])
                .rows()
                .await
                .unwrap();
            assert_eq!(found.len(), BRANDS.len());
            for group in &found {
                let mut got: Vec<&str> = group.tolist_color.iter().map(String::as_str).collect();
                got.sort_unstable();
                let wanted: BTreeSet<&str> = rows
                    .iter()
                    .filter(|r| r.brand == group.brand)
                    .map(|r| r.color)
                    .collect();
                assert_eq!(
                    got,
                    wanted.into_iter().collect::<Vec<_>>(),
                    "{}",
                    group.brand
                );
            }

            // What cannot merge, and a field the shards cannot read.
            let error = repo
                .aggregate(query::all())
                .group_by(
                    ClusterSale::brand(),
                    [reduce::quantile(ClusterSale::price(), 0.5)],
                )
                .rows::<PerCode>()
                .await
                .unwrap_err();
            assert_eq!(error.kind(), redis_core::ErrorKind::InvalidInput, "{error}");
            let error = repo
                .aggregate(query::all())
                .group_by(ClusterSale::code(), [reduce::count()])
                .rows::<PerCode>()
                .await
                .unwrap_err();
            assert_eq!(error.kind(), redis_core::ErrorKind::InvalidInput, "{error}");
            assert!(error.to_string().contains("sortable"), "{error}");

            let index = ModelIndex::of(ClusterSale::info(), repo.prefix()).unwrap();
            for shard in index.shard_names(&cluster).unwrap() {
                cluster.ft_dropindex_delete_docs(&shard).await.unwrap();
            }
        },
    )
    .await;
}
