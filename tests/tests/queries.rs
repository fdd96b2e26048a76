//! Typed queries on Redis 8.2 (the search module), over RESP3 and RESP2:
//! a seeded data set of 10,000 hash records and 10,000 JSON records, where
//! every operator and some combinations are checked against the answer
//! computed in Rust over the same data (result sets, counts, sort orders);
//! and generated TAG values with every special character, each of which
//! finds exactly the records holding it.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use redis_core::commands::{GeoUnit, SearchCommands};
use redis_core::{Client, ClusterClient, ErrorKind, Executor, Redis};
use redis_om::query::{self, Distance, Expr};
use redis_om::{
    GeoPoint, Migrator, Model, ModelIndex, RedisEnum, RedisModel, Repository, StorageKind,
};
use redis_tests::{Ctx, Setup, TempServer, Version, each_redis8, servers};
use serde::{Deserialize, Serialize};

const RECORDS: usize = 10_000;

#[derive(RedisEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Color {
    Red,
    Green,
    Blue,
}

/// Stored as hashes.
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "item")]
struct HashItem {
    #[redis(pk)]
    id: String,
    #[redis(index(text, sortable))]
    name: String,
    #[redis(index)]
    brand: String,
    #[redis(index(sortable))]
    price: f64,
    #[redis(index)]
    stock: i64,
    #[redis(index)]
    active: bool,
    #[redis(index)]
    color: Color,
    #[redis(index)]
    place: GeoPoint,
    #[redis(index(full_text_search))]
    title: String,
}

/// The same, stored as JSON documents, with a multi-valued TAG.
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "doc")]
struct JsonItem {
    #[redis(pk)]
    id: String,
    #[redis(index(text, sortable))]
    name: String,
    #[redis(index)]
    brand: String,
    #[redis(index(sortable))]
    price: f64,
    #[redis(index)]
    stock: i64,
    #[redis(index)]
    active: bool,
    #[redis(index)]
    color: Color,
    #[redis(index)]
    place: GeoPoint,
    #[redis(index(full_text_search))]
    title: String,
    #[redis(index)]
    tags: Vec<String>,
}

/// One record, as the expectations read it.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    name: String,
    brand: String,
    price: f64,
    stock: i64,
    active: bool,
    color: Color,
    place: GeoPoint,
    title: String,
    tags: Vec<String>,
}

impl From<&Row> for HashItem {
    fn from(row: &Row) -> Self {
        HashItem {
            id: row.id.clone(),
            name: row.name.clone(),
            brand: row.brand.clone(),
            price: row.price,
            stock: row.stock,
            active: row.active,
            color: row.color,
            place: row.place,
            title: row.title.clone(),
        }
    }
}

impl From<&Row> for JsonItem {
    fn from(row: &Row) -> Self {
        JsonItem {
            id: row.id.clone(),
            name: row.name.clone(),
            brand: row.brand.clone(),
            price: row.price,
            stock: row.stock,
            active: row.active,
            color: row.color,
            place: row.place,
            title: row.title.clone(),
            tags: row.tags.clone(),
        }
    }
}

trait Item: Model<Pk = String> + Clone + PartialEq + Debug + for<'r> From<&'r Row> {
    fn item_id(&self) -> &str;
    fn item_price(&self) -> f64;
    fn item_name(&self) -> &str;
}

impl Item for HashItem {
    fn item_id(&self) -> &str {
        &self.id
    }
    fn item_price(&self) -> f64 {
        self.price
    }
    fn item_name(&self) -> &str {
        &self.name
    }
}

impl Item for JsonItem {
    fn item_id(&self) -> &str {
        &self.id
    }
    fn item_price(&self) -> f64 {
        self.price
    }
    fn item_name(&self) -> &str {
        &self.name
    }
}

const WORDS: [&str; 12] = [
    "quick", "brown", "fox", "lamp", "phone", "blue", "red", "desk", "chair", "steel", "oak",
    "glass",
];
const JOINS: [&str; 6] = [" ", "-", ", ", "/", " & ", "."];
/// Every one a TAG query must find as it is: special characters, spaces
/// inside, a backslash (no commas, nor spaces at the ends: a hash's TAG is
/// cut and trimmed there).
const BRANDS: [&str; 12] = [
    "Acme & Sons (EU)",
    "x|y",
    "O'Brien's",
    "foo-bar",
    "a@b.c",
    "50%",
    "$5",
    r"back\slash",
    "{curly}",
    "semi;colon [1]",
    "Globex",
    "~tilde^caret*star+plus=eq\"quote",
];
const TITLES: [&str; 5] = [
    "Blue Lamp",
    "Red Desk",
    "Oak Chair",
    "Steel Lamp",
    "Glass Desk",
];
const TAGS: [&str; 5] = ["sale", "new", "eco", "x|y", "a,b"];
const CITIES: [(f64, f64); 3] = [(2.3522, 48.8566), (-0.1276, 51.5072), (13.405, 52.52)];
const STOP_WORDS: [&str; 3] = ["the", "a", "and"];

/// The data set: the same for every run.
fn rows() -> Vec<Row> {
    let mut rng = fastrand::Rng::with_seed(29);
    (0..RECORDS)
        .map(|i| {
            let mut name = String::new();
            for w in 0..rng.usize(1..=4) {
                if w > 0 {
                    name.push_str(JOINS[rng.usize(..JOINS.len())]);
                }
                if rng.u8(..10) == 0 {
                    name.push_str(STOP_WORDS[rng.usize(..STOP_WORDS.len())]);
                    name.push(' ');
                }
                let word = WORDS[rng.usize(..WORDS.len())];
                if rng.bool() {
                    let mut chars = word.chars();
                    let first = chars.next().unwrap().to_ascii_uppercase();
                    name.push(first);
                    name.push_str(chars.as_str());
                } else {
                    name.push_str(word);
                }
            }
            let (longitude, latitude) = CITIES[rng.usize(..CITIES.len())];
            Row {
                id: format!("r{i:04}"),
                name,
                brand: BRANDS[rng.usize(..BRANDS.len())].to_owned(),
                price: f64::from(rng.u32(0..50_000)) / 100.0,
                stock: rng.i64(-50..1000),
                active: rng.bool(),
                color: [Color::Red, Color::Green, Color::Blue][rng.usize(..3)],
                place: GeoPoint {
                    longitude: longitude + rng.f64() - 0.5,
                    latitude: latitude + rng.f64() - 0.5,
                },
                title: TITLES[rng.usize(..TITLES.len())].to_owned(),
                tags: TAGS
                    .iter()
                    .filter(|_| rng.u8(..3) == 0)
                    .map(|t| (*t).to_owned())
                    .collect(),
            }
        })
        .collect()
}

/// A name's terms as the index holds them: lower case, cut at
/// punctuation, without stop words (which hold no position either).
fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .filter(|t| !STOP_WORDS.contains(&t.as_str()))
        .collect()
}

/// True when `words` are a phrase of the record's name, as RediSearch
/// 2.10 decides it: the name holds every word, and the words come one
/// after the other in the record's TEXT fields taken together (the server
/// checks positions over all of them: "lamp blue" in the name and "Blue
/// Lamp" in the title make "blue lamp" a phrase of the name).
fn has_phrase(row: &Row, words: &[String]) -> bool {
    let name = terms(&row.name);
    let mut all = name.clone();
    all.extend(terms(&row.title));
    words.iter().all(|w| name.contains(w)) && all.windows(words.len()).any(|w| w == words)
}

/// True when the record's name holds both words and, over its TEXT fields
/// taken together (see [`has_phrase`]), the first comes before the second
/// somewhere: what `INORDER` asks of two terms.
fn has_in_order(row: &Row, words: &[String; 2]) -> bool {
    let name = terms(&row.name);
    let mut all = name.clone();
    all.extend(terms(&row.title));
    let [first, then] = words;
    let first_at = all.iter().position(|t| t == first);
    let then_last = all.iter().rposition(|t| t == then);
    name.contains(first)
        && name.contains(then)
        && matches!((first_at, then_last), (Some(a), Some(b)) if a < b)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// Meters between two points, as Redis measures them.
fn distance(a: GeoPoint, b: (f64, f64)) -> f64 {
    const EARTH: f64 = 6_372_797.560_856;
    let (lat1, lat2) = (a.latitude.to_radians(), b.1.to_radians());
    let u = ((lat2 - lat1) / 2.0).sin();
    let v = ((b.0 - a.longitude).to_radians() / 2.0).sin();
    2.0 * EARTH * (u * u + lat1.cos() * lat2.cos() * v * v).sqrt().asin()
}

/// The records of `rows` that `keep` keeps, by id.
fn expect(rows: &[Row], keep: impl Fn(&Row) -> bool) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| keep(r))
        .map(|r| r.id.clone())
        .collect()
}

/// Runs `expr`: its records (decoded exactly as saved) and its count must
/// be those `expected` names.
async fn check<M: Item, E: Executor>(
    repo: &Repository<M, E>,
    saved: &BTreeMap<String, M>,
    what: &str,
    expr: Expr<M>,
    expected: BTreeSet<String>,
) {
    let shown = expr.to_string();
    let found = repo.find(expr.clone()).all().await.unwrap();
    let mut ids = BTreeSet::new();
    for model in &found {
        assert_eq!(Some(model), saved.get(model.item_id()), "{what}: decoded");
        assert!(
            ids.insert(model.item_id().to_owned()),
            "{what}: {} twice",
            model.item_id()
        );
    }
    let missing: Vec<_> = expected.difference(&ids).take(5).collect();
    let extra: Vec<_> = ids.difference(&expected).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} ({shown}): {} found, {} expected; missing {missing:?}, extra {extra:?}",
        ids.len(),
        expected.len()
    );
    let count = repo.find(expr).count().await.unwrap();
    assert_eq!(count, expected.len() as u64, "{what}: count");
}

/// Saves the data set as `M` under the test's prefix, behind its index.
async fn seed<M: Item, E: Executor + Clone>(
    ctx: &Ctx,
    client: &E,
    rows: &[Row],
) -> (Repository<M, E>, BTreeMap<String, M>) {
    let repo = Repository::<M, _>::new(client.clone()).with_prefix(ctx.key(M::info().prefix()));
    Migrator::new(client).repository(&repo).run().await.unwrap();
    settle(client, &repo).await;
    let models: Vec<M> = rows.iter().map(M::from).collect();
    repo.save_many(&models).await.unwrap();
    let saved = models
        .into_iter()
        .map(|m| (m.item_id().to_owned(), m))
        .collect();
    (repo, saved)
}

/// Waits for a new index's first scan of the keyspace (all of the shared
/// server's keys) to end, on every primary: records saved meanwhile are
/// indexed twice, and pages read meanwhile shift.
async fn settle<M: Model, E: Executor>(client: &E, repo: &Repository<M, E>) {
    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    for shard in index.shard_names(client).unwrap() {
        let mut scanned = false;
        for _ in 0..3000 {
            if !client.ft_info(&shard).await.unwrap().indexing {
                scanned = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(scanned, "{shard} still indexing after 30 s");
    }
}

async fn drop_index<M: Model, E: Executor>(client: &E, repo: &Repository<M, E>) {
    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    for shard in index.shard_names(client).unwrap() {
        client.ft_dropindex_delete_docs(&shard).await.unwrap();
    }
    // The migrator's fingerprint beside it.
    let _: i64 = redis_core::Cmd::new("UNLINK")
        .arg(format!("{}:hash", index.name()))
        .query(client)
        .await
        .unwrap();
}

/// Sorting, limits, `first` and a stream of every record, by price.
async fn check_order<M: Item, E: Executor>(
    repo: &Repository<M, E>,
    rows: &[Row],
    asc: query::Sort<M>,
    desc: query::Sort<M>,
) {
    let mut prices: Vec<f64> = rows.iter().map(|r| r.price).collect();
    prices.sort_by(f64::total_cmp);
    let cheapest = repo
        .find(query::all())
        .sort_by(asc.clone())
        .limit(0, 25)
        .all()
        .await
        .unwrap();
    let got: Vec<f64> = cheapest.iter().map(Item::item_price).collect();
    assert_eq!(got, prices[..25]);
    let page = repo
        .find(query::all())
        .sort_by(asc.clone())
        .limit(100, 30)
        .all()
        .await
        .unwrap();
    let got: Vec<f64> = page.iter().map(Item::item_price).collect();
    assert_eq!(got, prices[100..130]);
    let dearest = repo
        .find(query::all())
        .sort_by(desc.clone())
        .limit(0, 10)
        .all()
        .await
        .unwrap();
    let got: Vec<f64> = dearest.iter().map(Item::item_price).collect();
    let top: Vec<f64> = prices.iter().rev().take(10).copied().collect();
    assert_eq!(got, top);
    let first = repo
        .find(query::all())
        .sort_by(desc)
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.item_price(), prices[prices.len() - 1]);

    // Every record, 333 per page, in order, each once.
    let mut stream = repo.find(query::all()).sort_by(asc).page_size(333).stream();
    let mut seen = BTreeSet::new();
    let mut streamed = Vec::new();
    while let Some(model) = stream.try_next().await.unwrap() {
        assert!(
            seen.insert(model.item_id().to_owned()),
            "{} twice",
            model.item_id()
        );
        streamed.push(model.item_price());
    }
    assert_eq!(streamed, prices);
}

/// Sorting by a TEXT field: by its lower-cased text.
/// Sorting by a TEXT field: a hash's by its lower-cased text, a JSON
/// document's by its text as it is (RediSearch 2.10 normalizes the sort
/// keys of hashes only).
async fn check_text_order<M: Item, E: Executor>(
    repo: &Repository<M, E>,
    rows: &[Row],
    asc: query::Sort<M>,
    desc: query::Sort<M>,
) {
    let key = |name: &str| match M::info().storage() {
        StorageKind::Json => name.to_owned(),
        _ => name.to_lowercase(),
    };
    let mut names: Vec<String> = rows.iter().map(|r| key(&r.name)).collect();
    names.sort();
    let first = repo
        .find(query::all())
        .sort_by(asc)
        .limit(0, 40)
        .all()
        .await
        .unwrap();
    let got: Vec<String> = first.iter().map(|m| key(m.item_name())).collect();
    assert_eq!(got, names[..40]);
    let last = repo
        .find(query::all())
        .sort_by(desc)
        .limit(0, 40)
        .all()
        .await
        .unwrap();
    let got: Vec<String> = last.iter().map(|m| key(m.item_name())).collect();
    let expected: Vec<String> = names.iter().rev().take(40).cloned().collect();
    assert_eq!(got, expected);
}

/// Every operator on the fields both models have, against `rows`. A
/// macro, because the handles are the model's own functions.
macro_rules! check_common {
    ($m:ident, $repo:expr, $saved:expr, $rows:expr) => {{
        let (repo, saved, rows): (&Repository<$m, _>, &BTreeMap<String, $m>, &[Row]) =
            (&$repo, &$saved, &$rows);
        let some_price = rows[7].price;

        // NUMERIC
        check(repo, saved, "all", query::all(), expect(rows, |_| true)).await;
        check(
            repo,
            saved,
            "price eq",
            $m::price().eq(some_price),
            expect(rows, |r| r.price == some_price),
        )
        .await;
        check(
            repo,
            saved,
            "price ne",
            $m::price().ne(some_price),
            expect(rows, |r| r.price != some_price),
        )
        .await;
        check(
            repo,
            saved,
            "price lt",
            $m::price().lt(some_price),
            expect(rows, |r| r.price < some_price),
        )
        .await;
        check(
            repo,
            saved,
            "price le",
            $m::price().le(some_price),
            expect(rows, |r| r.price <= some_price),
        )
        .await;
        check(
            repo,
            saved,
            "price gt",
            $m::price().gt(some_price),
            expect(rows, |r| r.price > some_price),
        )
        .await;
        check(
            repo,
            saved,
            "price ge",
            $m::price().ge(some_price),
            expect(rows, |r| r.price >= some_price),
        )
        .await;
        check(
            repo,
            saved,
            "price between",
            $m::price().between(100.0, 200.0),
            expect(rows, |r| (100.0..=200.0).contains(&r.price)),
        )
        .await;
        check(
            repo,
            saved,
            "price range",
            $m::price().in_range(100.0..200.0),
            expect(rows, |r| (100.0..200.0).contains(&r.price)),
        )
        .await;
        check(
            repo,
            saved,
            "price to",
            $m::price().in_range(..50.0),
            expect(rows, |r| r.price < 50.0),
        )
        .await;
        check(
            repo,
            saved,
            "price from",
            $m::price().in_range(450.0..),
            expect(rows, |r| r.price >= 450.0),
        )
        .await;
        check(
            repo,
            saved,
            "stock negative",
            $m::stock().lt(0),
            expect(rows, |r| r.stock < 0),
        )
        .await;
        check(
            repo,
            saved,
            "stock around 0",
            $m::stock().in_range(-10..=10),
            expect(rows, |r| (-10..=10).contains(&r.stock)),
        )
        .await;
        check(
            repo,
            saved,
            "stock eq",
            $m::stock().eq(rows[3].stock),
            expect(rows, |r| r.stock == rows[3].stock),
        )
        .await;
        check(
            repo,
            saved,
            "stock empty range",
            $m::stock().between(10, 5),
            BTreeSet::new(),
        )
        .await;

        // TAG
        for brand in BRANDS {
            check(
                repo,
                saved,
                brand,
                $m::brand().eq(brand),
                expect(rows, |r| r.brand == brand),
            )
            .await;
        }
        check(
            repo,
            saved,
            "brand ne",
            $m::brand().ne("x|y"),
            expect(rows, |r| r.brand != "x|y"),
        )
        .await;
        check(
            repo,
            saved,
            "brand any",
            $m::brand().any_of([BRANDS[0], BRANDS[7], BRANDS[11]]),
            expect(rows, |r| {
                [BRANDS[0], BRANDS[7], BRANDS[11]].contains(&r.brand.as_str())
            }),
        )
        .await;
        check(
            repo,
            saved,
            "brand none",
            $m::brand().none_of(BRANDS[..6].iter().copied()),
            expect(rows, |r| !BRANDS[..6].contains(&r.brand.as_str())),
        )
        .await;
        check(
            repo,
            saved,
            "brand no value",
            $m::brand().eq("x"),
            BTreeSet::new(),
        )
        .await;
        check(
            repo,
            saved,
            "active",
            $m::active().eq(true),
            expect(rows, |r| r.active),
        )
        .await;
        check(
            repo,
            saved,
            "inactive",
            $m::active().eq(false),
            expect(rows, |r| !r.active),
        )
        .await;
        check(
            repo,
            saved,
            "color any",
            $m::color().any_of([Color::Red, Color::Blue]),
            expect(rows, |r| r.color != Color::Green),
        )
        .await;
        check(
            repo,
            saved,
            "color ne",
            $m::color().ne(Color::Red),
            expect(rows, |r| r.color != Color::Red),
        )
        .await;
        check(
            repo,
            saved,
            "title tag",
            $m::title().eq("Blue Lamp"),
            expect(rows, |r| r.title == "Blue Lamp"),
        )
        .await;
        check(
            repo,
            saved,
            "title text",
            $m::title().matches("lamp"),
            expect(rows, |r| r.title.contains("Lamp")),
        )
        .await;

        // TEXT
        let has = |r: &Row, term: &str| terms(&r.name).iter().any(|t| t == term);
        for word in ["lamp", "Phone", "fox"] {
            let lower = word.to_lowercase();
            check(
                repo,
                saved,
                word,
                $m::name().matches(word),
                expect(rows, |r| has(r, &lower)),
            )
            .await;
        }
        check(
            repo,
            saved,
            "two terms",
            $m::name().matches("the Blue-lamp"),
            expect(rows, |r| has(r, "blue") && has(r, "lamp")),
        )
        .await;
        check(
            repo,
            saved,
            "stop words only",
            $m::name().matches("the and a"),
            BTreeSet::new(),
        )
        .await;
        // INORDER: both terms, the first before the second; some records
        // hold them the other way round only, which it leaves out.
        for (first, then) in [("blue", "lamp"), ("oak", "chair")] {
            let words = [first.to_owned(), then.to_owned()];
            let terms = format!("{first} {then}");
            let found = repo
                .find($m::name().matches(&terms))
                .in_order()
                .all()
                .await
                .unwrap();
            let ids: BTreeSet<String> = found.iter().map(|m| m.item_id().to_owned()).collect();
            let in_order = expect(rows, |r| has_in_order(r, &words));
            let reversed = [then.to_owned(), first.to_owned()];
            let only_reversed = expect(rows, |r| has_in_order(r, &reversed))
                .difference(&in_order)
                .count();
            assert!(
                only_reversed > 0,
                "{terms}: no record holds them the other way round only"
            );
            assert_eq!(ids, in_order, "{terms} in order");
        }
        for phrase in ["blue lamp", "oak, the chair", "quick brown fox"] {
            let words = terms(phrase);
            check(
                repo,
                saved,
                phrase,
                $m::name().phrase(phrase),
                expect(rows, |r| has_phrase(r, &words)),
            )
            .await;
        }
        check(
            repo,
            saved,
            "prefix",
            $m::name().prefix("ph"),
            expect(rows, |r| terms(&r.name).iter().any(|t| t.starts_with("ph"))),
        )
        .await;
        check(
            repo,
            saved,
            "prefix st",
            $m::name().prefix("st"),
            expect(rows, |r| terms(&r.name).iter().any(|t| t.starts_with("st"))),
        )
        .await;
        check(
            repo,
            saved,
            "fuzzy",
            $m::name().fuzzy("lamb", Distance::One),
            expect(rows, |r| {
                terms(&r.name).iter().any(|t| levenshtein(t, "lamb") <= 1)
            }),
        )
        .await;
        check(
            repo,
            saved,
            "fuzzy 2",
            $m::name().fuzzy("dask", Distance::Two),
            expect(rows, |r| {
                terms(&r.name).iter().any(|t| levenshtein(t, "dask") <= 2)
            }),
        )
        .await;

        // GEO: away from the circle's edge, where rounding may decide.
        for (city, radius, unit, meters) in [
            (CITIES[0], 30.0, GeoUnit::Kilometers, 30_000.0),
            (CITIES[1], 20.0, GeoUnit::Miles, 32_186.88),
        ] {
            let expr = $m::place().within_radius(city.0, city.1, radius, unit);
            let found: BTreeSet<String> = repo
                .find(expr)
                .all()
                .await
                .unwrap()
                .iter()
                .map(|m| m.item_id().to_owned())
                .collect();
            for row in rows {
                let d = distance(row.place, city);
                if d < meters * 0.995 {
                    assert!(found.contains(&row.id), "{} at {d} m not found", row.id);
                } else if d > meters * 1.005 {
                    assert!(!found.contains(&row.id), "{} at {d} m found", row.id);
                }
            }
            assert!(found.len() > 50, "{}", found.len());
        }

        // Combinations
        check(
            repo,
            saved,
            "and",
            $m::price().lt(100.0) & $m::brand().any_of([BRANDS[1], BRANDS[2]]),
            expect(rows, |r| {
                r.price < 100.0 && (r.brand == BRANDS[1] || r.brand == BRANDS[2])
            }),
        )
        .await;
        check(
            repo,
            saved,
            "or and not",
            ($m::color().eq(Color::Red) | $m::stock().lt(0)) & !$m::active().eq(true),
            expect(rows, |r| {
                (r.color == Color::Red || r.stock < 0) && !r.active
            }),
        )
        .await;
        let paris = CITIES[0];
        let near: BTreeSet<String> = repo
            .find($m::place().within_radius(paris.0, paris.1, 30.0, GeoUnit::Kilometers))
            .all()
            .await
            .unwrap()
            .iter()
            .map(|m| m.item_id().to_owned())
            .collect();
        check(
            repo,
            saved,
            "text or geo",
            $m::name().matches("lamp")
                | $m::place().within_radius(paris.0, paris.1, 30.0, GeoUnit::Kilometers),
            expect(rows, |r| has(r, "lamp") || near.contains(&r.id)),
        )
        .await;
        check(
            repo,
            saved,
            "not between",
            !$m::price().between(100.0, 400.0) & $m::color().ne(Color::Blue),
            expect(rows, |r| {
                !(100.0..=400.0).contains(&r.price) && r.color != Color::Blue
            }),
        )
        .await;
        check(
            repo,
            saved,
            "phrase and tag",
            $m::name().phrase("blue lamp") & $m::brand().ne("Globex")
                | $m::title().eq("Oak Chair") & $m::stock().ge(900),
            expect(rows, |r| {
                (has_phrase(r, &terms("blue lamp")) && r.brand != "Globex")
                    || (r.title == "Oak Chair" && r.stock >= 900)
            }),
        )
        .await;
        check(
            repo,
            saved,
            "nothing or",
            $m::brand().any_of::<&str>([]) | $m::active().eq(true),
            expect(rows, |r| r.active),
        )
        .await;
        check(
            repo,
            saved,
            "nothing and",
            $m::brand().any_of::<&str>([]) & $m::active().eq(true),
            BTreeSet::new(),
        )
        .await;

        check_order(repo, rows, $m::price().asc(), $m::price().desc()).await;
        check_text_order(repo, rows, $m::name().asc(), $m::name().desc()).await;
    }};
}

each_redis8!(
    hash_records_answer_every_operator_as_rust_does,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let rows = rows();
        let (repo, saved) = seed::<HashItem, _>(&ctx, &client, &rows).await;
        check_common!(HashItem, repo, saved, rows);
        drop_index(&client, &repo).await;
    }
);

/// The harness's six-node cluster. Its search module has no coordinator:
/// every primary indexes only its own keys, and the object mapper creates
/// the index on each and merges their answers.
async fn cluster() -> ClusterClient {
    let node = servers().cluster()[0];
    ClusterClient::connect(format!("redis://{node}"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hash_records_on_a_cluster_answer_every_operator_as_rust_does() {
    let test = "hash_records_on_a_cluster";
    Ctx::run(test, Setup::REDIS8_RESP3, |ctx: Ctx| async move {
        let cluster = cluster().await;
        let rows = rows();
        let (repo, saved) = seed::<HashItem, _>(&ctx, &cluster, &rows).await;
        check_common!(HashItem, repo, saved, rows);
        // What needs the fields the search itself returns is refused, not
        // answered from one shard.
        #[derive(Deserialize, Debug)]
        struct Name {
            #[allow(dead_code)]
            name: String,
        }
        let error = repo
            .find(query::all())
            .select::<Name>(HashItem::name())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        #[derive(Deserialize, Debug)]
        struct PerBrand {
            #[allow(dead_code)]
            count: u64,
        }
        let error = repo
            .aggregate(query::all())
            .group_by(HashItem::brand(), [redis_om::query::reduce::count()])
            .rows::<PerBrand>()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        // Every shard's index has the query's plan.
        let explained = repo
            .find(HashItem::price().lt(10.0))
            .explain()
            .await
            .unwrap();
        assert!(explained.plan.contains("NUMERIC"), "{}", explained.plan);
        drop_index(&cluster, &repo).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_records_on_a_cluster_answer_every_operator_as_rust_does() {
    let test = "json_records_on_a_cluster";
    Ctx::run(test, Setup::REDIS8_RESP3, |ctx: Ctx| async move {
        let cluster = cluster().await;
        let rows = rows();
        let (repo, saved) = seed::<JsonItem, _>(&ctx, &cluster, &rows).await;
        check_common!(JsonItem, repo, saved, rows);
        drop_index(&cluster, &repo).await;
    })
    .await;
}

each_redis8!(
    json_records_answer_every_operator_as_rust_does,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let rows = rows();
        let (repo, saved) = seed::<JsonItem, _>(&ctx, &client, &rows).await;
        check_common!(JsonItem, repo, saved, rows);
        let (repo, saved, rows) = (&repo, &saved, &rows[..]);
        let tagged = |r: &Row, t: &str| r.tags.iter().any(|x| x == t);
        for tag in TAGS {
            check(
                repo,
                saved,
                tag,
                JsonItem::tags().eq(tag),
                expect(rows, |r| tagged(r, tag)),
            )
            .await;
        }
        check(
            repo,
            saved,
            "tags all",
            JsonItem::tags().all_of(["sale", "eco"]),
            expect(rows, |r| tagged(r, "sale") && tagged(r, "eco")),
        )
        .await;
        check(
            repo,
            saved,
            "tags any",
            JsonItem::tags().any_of(["x|y", "a,b"]),
            expect(rows, |r| tagged(r, "x|y") || tagged(r, "a,b")),
        )
        .await;
        check(
            repo,
            saved,
            "tags none",
            JsonItem::tags().none_of(["sale"]),
            expect(rows, |r| !tagged(r, "sale")),
        )
        .await;
        check(
            repo,
            saved,
            "tags ne",
            JsonItem::tags().ne("new") & JsonItem::price().lt(250.0),
            expect(rows, |r| !tagged(r, "new") && r.price < 250.0),
        )
        .await;
        drop_index(&client, repo).await;
    }
);

/// Labels for the TAG property: case-sensitive, so that only the very
/// same string matches; JSON keeps a value as it is.
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "label")]
struct JsonLabel {
    #[redis(pk)]
    id: String,
    #[redis(index(tag, case_sensitive))]
    label: String,
}

/// The same in hashes, whose TAG values the server cuts at the separator
/// (here one no value holds) and trims at both ends.
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "label")]
struct HashLabel {
    #[redis(pk)]
    id: String,
    #[redis(index(tag, case_sensitive, separator = "\u{1f}"))]
    label: String,
}

/// Every special character alone and between letters, then generated
/// strings of them, letters, spaces and a few non-ASCII characters.
fn labels() -> Vec<String> {
    let special = ",.<>{}[]\"':;!@#$%^&*()-+=~|/\\ ";
    let mut labels: Vec<String> = special
        .chars()
        .filter(|c| *c != ' ')
        .map(String::from)
        .collect();
    labels.extend(special.chars().map(|c| format!("a{c}b")));
    labels.push(special.to_owned());
    let strategy =
        proptest::string::string_regex(r#"[a-zA-Z0-9 ,.<>{}\[\]"':;!@#$%^&*()\-+=~|/\\éß✓]{1,16}"#)
            .unwrap();
    let mut runner = TestRunner::deterministic();
    for _ in 0..150 {
        labels.push(strategy.new_tree(&mut runner).unwrap().current());
    }
    labels
}

async fn check_labels<M: Model<Pk = String>>(
    repo: &Repository<M, Redis>,
    labels: &[String],
    make: impl Fn(String, String) -> M,
    find: impl Fn(&str) -> Expr<M>,
) {
    // Each label, and decoys a loose comparison would take for it.
    let mut stored = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        for (j, variant) in [
            label.clone(),
            label.to_uppercase(),
            format!("{label}x"),
            format!("x{label}"),
        ]
        .into_iter()
        .enumerate()
        {
            stored.push((format!("{i}-{j}"), variant));
        }
    }
    let models: Vec<M> = stored
        .iter()
        .map(|(id, label)| make(id.clone(), label.clone()))
        .collect();
    repo.save_many(&models).await.unwrap();
    for label in labels {
        let expected: BTreeSet<&str> = stored
            .iter()
            .filter(|(_, l)| l == label)
            .map(|(id, _)| id.as_str())
            .collect();
        let found = repo.find(find(label)).all().await.unwrap();
        let found: BTreeSet<String> = found.iter().map(|m| m.pk().clone()).collect();
        let found: BTreeSet<&str> = found.iter().map(String::as_str).collect();
        assert_eq!(found, expected, "label {label:?}");
    }
}

each_redis8!(a_tag_finds_exactly_its_value, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let labels = labels();

    let json = Repository::<JsonLabel, _>::new(client.clone()).with_prefix(ctx.key("json-label"));
    Migrator::new(&client)
        .repository(&json)
        .run()
        .await
        .unwrap();
    check_labels(
        &json,
        &labels,
        |id, label| JsonLabel { id, label },
        |l| JsonLabel::label().eq(l),
    )
    .await;
    drop_index(&client, &json).await;

    let hash = Repository::<HashLabel, _>::new(client.clone()).with_prefix(ctx.key("hash-label"));
    Migrator::new(&client)
        .repository(&hash)
        .run()
        .await
        .unwrap();
    let trimmed: Vec<String> = labels
        .iter()
        .map(|l| l.trim_matches(' ').to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    check_labels(
        &hash,
        &trimmed,
        |id, label| HashLabel { id, label },
        |l| HashLabel::label().eq(l),
    )
    .await;
    drop_index(&client, &hash).await;
});

/// A server of the test's own, whose MAXSEARCHRESULTS is lowered to 100:
/// past it, FT.SEARCH pages no further, and a sorted query goes on through
/// a cursor (FT.AGGREGATE WITHCURSOR) in the same order, each record once;
/// what cannot pick up where the pages stopped (an unsorted query, a
/// selection) fails with `TooManyHits` after what it could read, instead
/// of ending as if there were no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_past_the_servers_limit_goes_on_through_a_cursor() {
    let modules = servers().get("MODULES").to_owned();
    let mut args = Vec::new();
    for module in modules.split(':').filter(|m| !m.contains("bloom")) {
        args.push("--loadmodule");
        args.push(module);
    }
    let server = TempServer::start_with(Version::Redis8, &args);
    let client = Client::connect(server.url().as_str()).await.unwrap();
    let _: String = redis_core::Cmd::new("FT.CONFIG")
        .arg("SET")
        .arg("MAXSEARCHRESULTS")
        .arg(100)
        .query(&client)
        .await
        .unwrap();
    let repo = Repository::<HashItem, _>::new(client.clone());
    Migrator::new(&client)
        .repository(&repo)
        .run()
        .await
        .unwrap();
    let rows = rows();
    let models: Vec<HashItem> = rows[..300].iter().map(HashItem::from).collect();
    repo.save_many(&models).await.unwrap();
    let mut prices: Vec<f64> = models.iter().map(|m| m.price).collect();
    prices.sort_by(f64::total_cmp);

    assert_eq!(repo.find(query::all()).count().await.unwrap(), 300);
    // Sorted, 30 per page: 100 through FT.SEARCH, 200 through the cursor.
    let mut stream = repo
        .find(query::all())
        .sort_by(HashItem::price().asc())
        .page_size(30)
        .stream();
    let mut seen = BTreeSet::new();
    let mut streamed = Vec::new();
    while let Some(model) = stream.try_next().await.unwrap() {
        assert_eq!(
            Some(&model),
            models.iter().find(|m| m.id == model.id),
            "decoded"
        );
        assert!(seen.insert(model.id.clone()), "{} twice", model.id);
        streamed.push(model.price);
    }
    assert_eq!(streamed, prices);
    // A page that starts past the limit.
    let page = repo
        .find(query::all())
        .sort_by(HashItem::price().desc())
        .limit(150, 20)
        .all()
        .await
        .unwrap();
    let got: Vec<f64> = page.iter().map(|m| m.price).collect();
    let expected: Vec<f64> = prices.iter().rev().skip(150).take(20).copied().collect();
    assert_eq!(got, expected);

    // Unsorted matches come in another order through a cursor: the
    // stream stops after what it could read, and says to sort.
    let mut stream = repo.find(query::all()).page_size(30).stream();
    let mut read = 0;
    let error = loop {
        match stream.try_next().await {
            Ok(Some(_)) => read += 1,
            Ok(None) => panic!("the stream ended after {read} records"),
            Err(error) => break error,
        }
    };
    assert_eq!(read, 100);
    assert_eq!(error.kind(), ErrorKind::TooManyHits, "{error}");
    assert!(error.to_string().contains("sort the query"), "{error}");
    assert_eq!(stream.try_next().await.unwrap(), None);

    // A selection has no cursor to go on with.
    #[derive(Deserialize, Debug)]
    struct Name {
        #[allow(dead_code)]
        name: String,
    }
    let error = repo
        .find(query::all())
        .sort_by(HashItem::price().asc())
        .page_size(30)
        .select::<Name>(HashItem::name())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooManyHits, "{error}");
    assert!(error.to_string().contains("matched 300 records"), "{error}");

    // Updating and deleting every match go past the limit too.
    let updated = repo
        .find(query::all())
        .sort_by(HashItem::price().asc())
        .page_size(30)
        .update(|update| update.set(HashItem::active(), true))
        .await
        .unwrap();
    assert_eq!(updated, 300);
    let active = repo
        .find(HashItem::active().eq(true))
        .count()
        .await
        .unwrap();
    assert_eq!(active, 300);
    let deleted = repo
        .find(query::all())
        .page_size(30)
        .delete()
        .await
        .unwrap();
    assert_eq!(deleted, 300);
    assert_eq!(repo.find(query::all()).count().await.unwrap(), 0);
}

each_redis8!(
    a_query_without_its_index_says_which_index_is_missing,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let repo = Repository::<HashItem, Redis>::new(client.clone())
            .with_prefix(ctx.key("never-migrated"));
        let error = repo
            .find(HashItem::price().lt(10.0))
            .count()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::IndexMissing, "{error}");
        assert!(
            error
                .to_string()
                .contains(&format!("{}:index", repo.prefix())),
            "{error}"
        );
        let error = repo.find(query::all()).all().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::IndexMissing, "{error}");
    }
);

const POINTS: usize = 500;
const DIM: usize = 8;
const GROUPS: [&str; 3] = ["a", "b", "c"];

/// Hash records with an 8-dimensional FLOAT32 vector, by squared L2.
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "l2-point")]
struct L2Point {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    group: String,
    #[redis(index)]
    rank: i64,
    #[redis(index(vector(dim = 8, metric = "l2", algorithm = "flat")))]
    embedding: [f32; DIM],
}

/// JSON records with the same vectors, by cosine distance.
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "cos-point")]
struct CosPoint {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    group: String,
    #[redis(index)]
    rank: i64,
    #[redis(index(vector(dim = 8, metric = "cosine", algorithm = "flat")))]
    embedding: [f32; DIM],
}

trait Point: Model<Pk = String> + Clone + Debug {
    fn build(id: String, group: String, rank: i64, embedding: [f32; DIM]) -> Self;
    fn parts(&self) -> (&str, &str, i64, &[f32; DIM]);
    /// The distance the index reports for the model's metric.
    fn distance(a: &[f32; DIM], b: &[f32; DIM]) -> f64;
}

impl Point for L2Point {
    fn build(id: String, group: String, rank: i64, embedding: [f32; DIM]) -> Self {
        L2Point {
            id,
            group,
            rank,
            embedding,
        }
    }
    fn parts(&self) -> (&str, &str, i64, &[f32; DIM]) {
        (&self.id, &self.group, self.rank, &self.embedding)
    }
    fn distance(a: &[f32; DIM], b: &[f32; DIM]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum()
    }
}

impl Point for CosPoint {
    fn build(id: String, group: String, rank: i64, embedding: [f32; DIM]) -> Self {
        CosPoint {
            id,
            group,
            rank,
            embedding,
        }
    }
    fn parts(&self) -> (&str, &str, i64, &[f32; DIM]) {
        (&self.id, &self.group, self.rank, &self.embedding)
    }
    fn distance(a: &[f32; DIM], b: &[f32; DIM]) -> f64 {
        let dot: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        let norm = |v: &[f32; DIM]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
        1.0 - dot / (norm(a) * norm(b))
    }
}

fn random_vector(rng: &mut fastrand::Rng) -> [f32; DIM] {
    std::array::from_fn(|_| rng.f32() * 2.0 - 1.0)
}

/// The `k` nearest of `points` passing `keep`, by brute force: ids and
/// distances, nearest first.
fn brute_force<P: Point>(
    points: &[P],
    query: &[f32; DIM],
    k: usize,
    keep: impl Fn(&P) -> bool,
) -> Vec<(String, f64)> {
    let mut all: Vec<(String, f64)> = points
        .iter()
        .filter(|p| keep(p))
        .map(|p| {
            let (id, _, _, embedding) = p.parts();
            (id.to_owned(), P::distance(embedding, query))
        })
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1));
    all.truncate(k);
    all
}

fn assert_neighbours<P: Point>(found: &[(P, f64)], expected: &[(String, f64)], what: &str) {
    let found: Vec<(String, f64)> = found
        .iter()
        .map(|(p, d)| (p.parts().0.to_owned(), *d))
        .collect();
    let ids = |v: &[(String, f64)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&found),
        ids(expected),
        "{what}: {found:?} vs {expected:?}"
    );
    for ((_, got), (_, want)) in found.iter().zip(expected) {
        assert!(
            (got - want).abs() < 1e-4,
            "{what}: distance {got} vs {want}"
        );
    }
}

async fn knn_matches_brute_force<P: Point, E: Executor + Clone>(
    ctx: &Ctx,
    client: &E,
    embedding: fn() -> redis_om::field::Field<P, redis_om::field::kind::Vector>,
    group: fn() -> redis_om::field::Field<P, redis_om::field::kind::Tag>,
    rank: fn() -> redis_om::field::Field<P, redis_om::field::kind::Numeric<i64>>,
) {
    let repo = Repository::<P, _>::new(client.clone()).with_prefix(ctx.key(P::info().prefix()));
    Migrator::new(client).repository(&repo).run().await.unwrap();
    settle(client, &repo).await;
    let mut rng = fastrand::Rng::with_seed(29);
    let points: Vec<P> = (0..POINTS)
        .map(|i| {
            P::build(
                format!("p{i}"),
                GROUPS[i % GROUPS.len()].to_owned(),
                i64::try_from(i).unwrap(),
                random_vector(&mut rng),
            )
        })
        .collect();
    repo.save_many(&points).await.unwrap();

    for round in 0..5 {
        let query = random_vector(&mut rng);
        let found = repo
            .find(query::all())
            .knn(embedding(), 10, &query)
            .all_with_distance()
            .await
            .unwrap();
        let expected = brute_force(&points, &query, 10, |_| true);
        assert_neighbours(&found, &expected, &format!("round {round}, no filter"));

        let found = repo
            .find(group().eq("b"))
            .knn(embedding(), 10, &query)
            .all_with_distance()
            .await
            .unwrap();
        let expected = brute_force(&points, &query, 10, |p| p.parts().1 == "b");
        assert_neighbours(&found, &expected, &format!("round {round}, tag filter"));

        let found = repo
            .find(rank().lt(120) & !group().eq("a"))
            .knn(embedding(), 7, &query)
            .all_with_distance()
            .await
            .unwrap();
        let expected = brute_force(&points, &query, 7, |p| {
            p.parts().2 < 120 && p.parts().1 != "a"
        });
        assert_neighbours(&found, &expected, &format!("round {round}, numeric filter"));

        let models = repo
            .find(query::all())
            .knn(embedding(), 3, &query)
            .all()
            .await
            .unwrap();
        let ids: Vec<&str> = models.iter().map(|p| p.parts().0).collect();
        let expected = brute_force(&points, &query, 3, |_| true);
        let expected: Vec<&str> = expected.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, expected);
    }

    // Range queries: a radius halfway between the 30th and 31st nearest
    // finds exactly the 30 nearest (of those the pre-filter keeps).
    for round in 0..3 {
        let query = random_vector(&mut rng);
        for (what, filter, keep) in [
            ("no filter", query::all(), (|_: &P| true) as fn(&P) -> bool),
            ("tag filter", group().eq("c"), |p: &P| p.parts().1 == "c"),
        ] {
            let ranked = brute_force(&points, &query, 31, keep);
            let radius = (ranked[29].1 + ranked[30].1) / 2.0;
            let found = repo
                .find(filter)
                .within_distance(embedding(), radius, &query)
                .all_with_distance()
                .await
                .unwrap();
            assert_neighbours(
                &found,
                &ranked[..30],
                &format!("range round {round}, {what}"),
            );
        }
        // Read 4 at a time, from the 5th within the radius, 20 of them.
        let ranked = brute_force(&points, &query, 31, |_| true);
        let radius = (ranked[29].1 + ranked[30].1) / 2.0;
        let found = repo
            .find(query::all())
            .limit(4, 20)
            .page_size(4)
            .within_distance(embedding(), radius, &query)
            .all_with_distance()
            .await
            .unwrap();
        assert_neighbours(
            &found,
            &ranked[4..24],
            &format!("paged range round {round}"),
        );
    }
    let error = repo
        .find(query::all())
        .within_distance(embedding(), f64::NAN, &[0.5f32; DIM])
        .all()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");

    for wrong in [&[0.5f32; 7][..], &[0.5f32; 9][..], &[][..]] {
        let error = repo
            .find(query::all())
            .knn(embedding(), 10, wrong)
            .all_with_distance()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        let error = repo
            .find(query::all())
            .within_distance(embedding(), 1.0, wrong)
            .all_with_distance()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    }
    drop_index(client, &repo).await;
}

each_redis8!(
    knn_on_hashes_finds_the_l2_neighbours_brute_force_finds,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        knn_matches_brute_force::<L2Point, _>(
            &ctx,
            &client,
            L2Point::embedding,
            L2Point::group,
            L2Point::rank,
        )
        .await;
    }
);

each_redis8!(
    knn_on_json_finds_the_cosine_neighbours_brute_force_finds,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        knn_matches_brute_force::<CosPoint, _>(
            &ctx,
            &client,
            CosPoint::embedding,
            CosPoint::group,
            CosPoint::rank,
        )
        .await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knn_on_a_cluster_finds_the_neighbours_brute_force_finds() {
    let test = "knn_on_a_cluster";
    Ctx::run(test, Setup::REDIS8_RESP3, |ctx: Ctx| async move {
        let cluster = cluster().await;
        knn_matches_brute_force::<L2Point, _>(
            &ctx,
            &cluster,
            L2Point::embedding,
            L2Point::group,
            L2Point::rank,
        )
        .await;
    })
    .await;
}
