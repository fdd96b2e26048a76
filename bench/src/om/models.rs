//! The models of the object-mapper rows, and the data every column saves: the same values in
//! Rust and (in `bench/python/om_bench.py`) in Python.

use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

/// Records `om_hash10` and `om_json` cycle through (each step saves one, then reads it back).
pub const RECORDS: usize = 100;
/// Models per `om_save_many` step, and records `om_find` queries.
pub const SAVE_MANY: usize = 10_000;
/// The cities of `om_find`'s records: `city{i % FIND_CITIES}`, a prime, so that every city
/// holds records of every age.
pub const FIND_CITIES: usize = 97;
/// The ages `om_find` asks for (inclusive): with [`FIND_CITIES`], about 10 hits a query.
pub const FIND_AGES: (u32, u32) = (30, 35);

/// The dimension of `om_knn`'s vectors.
pub const KNN_DIM: usize = 128;
/// The neighbours an `om_knn` query asks for.
pub const KNN_K: u64 = 10;
/// The query vectors `om_knn` cycles through (their answers computed in Rust beforehand).
pub const KNN_QUERIES: usize = 50;

/// The hash model of `om_hash10`, `om_save_many`, `om_update2` and `om_find`: ten fields, the
/// primary key included, stored at `bench:omh:{id}` by redis-om and by hand alike (`om_find`'s
/// copy at `bench:omf:{id}`). Three fields are indexed, for the handles of `om_update2` and
/// `om_find`; an index exists only for `om_find`'s prefix (no index covers `bench:omh:`, so
/// the other rows' writes are not indexed), and indexing does not change what a save writes.
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "bench:omh")]
pub struct User {
    /// Given (never generated), so every column writes the same keys on every run.
    #[redis(pk)]
    pub id: String,
    pub name: String,
    pub email: String,
    /// A TAG field.
    #[redis(index)]
    pub city: String,
    #[redis(index)]
    pub age: u32,
    /// Set to the step's number before each save, so a stale read fails the check.
    #[redis(index)]
    pub visits: u64,
    pub balance: i64,
    pub score: f64,
    pub active: bool,
    /// `Some` in the data: a `None` would make redis-om's save an HSET plus an HDEL in a
    /// MULTI/EXEC (it removes the stale field), which is a different workload.
    pub nickname: Option<String>,
}

/// The model of `om_update2_versioned`: [`User`]'s fields and a version, stored at
/// `bench:omv:{id}`.
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "bench:omv")]
pub struct VersionedUser {
    #[redis(pk)]
    pub id: String,
    pub name: String,
    pub email: String,
    #[redis(index)]
    pub city: String,
    pub age: u32,
    #[redis(index)]
    pub visits: u64,
    pub balance: i64,
    pub score: f64,
    pub active: bool,
    pub nickname: Option<String>,
    /// Compared and bumped by every versioned update.
    #[redis(version)]
    pub version: u64,
}

/// The nested struct of [`Order`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub zip: String,
}

/// One element of [`Order::items`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Item {
    pub sku: String,
    pub quantity: u32,
    pub price: f64,
}

/// The JSON model of `om_json`: scalars, a nested struct, a `Vec` of strings and a `Vec` of
/// structs, stored at `bench:omj:{id}` by redis-om and by hand alike.
#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(prefix = "bench:omj", storage = "json")]
pub struct Order {
    #[redis(pk)]
    pub id: String,
    pub customer: String,
    /// Set to the step's number before each save, as [`User::visits`]; indexed for its
    /// handle, which `om_json_update` sets (no index of `bench:omj:` is created).
    #[redis(index)]
    pub version: u64,
    pub total: f64,
    pub paid: bool,
    pub note: Option<String>,
    pub address: Address,
    pub tags: Vec<String>,
    pub items: Vec<Item>,
}

/// The `i`-th user. Floats are exact binary fractions, so every client's text for them reads
/// back as the same `f64`.
pub fn user(i: usize) -> User {
    User {
        id: format!("u{i:05}"),
        name: format!("User Number {i}"),
        email: format!("user{i}@example.com"),
        city: "Zürich".to_owned(),
        age: 20 + (i % 60) as u32,
        visits: 0,
        balance: -1_000_000 + i as i64 * 37,
        score: 0.5 + (i % 100) as f64 * 0.25,
        active: i.is_multiple_of(2),
        nickname: Some(format!("nick{i}")),
    }
}

/// The `i`-th user of `om_find`: [`user`] with one of [`FIND_CITIES`] cities.
pub fn find_user(i: usize) -> User {
    User {
        city: format!("city{}", i % FIND_CITIES),
        ..user(i)
    }
}

/// The `i`-th order.
pub fn order(i: usize) -> Order {
    Order {
        id: format!("o{i:05}"),
        customer: format!("Customer {i}"),
        version: 0,
        total: 99.75 + i as f64,
        paid: i.is_multiple_of(3),
        note: Some("leave at the door".to_owned()),
        address: Address {
            street: format!("{i} Rue de la Paix"),
            city: "Genève".to_owned(),
            zip: "1201".to_owned(),
        },
        tags: vec![
            "gift".to_owned(),
            "express".to_owned(),
            format!("batch{}", i % 10),
        ],
        items: (0..3)
            .map(|k| Item {
                sku: format!("SKU-{i}-{k}"),
                quantity: 1 + k,
                price: 4.5 + f64::from(k) * 10.25,
            })
            .collect(),
    }
}

/// The hash model of `om_knn`: a 128-dimension `f32` vector in a FLAT index (exact
/// neighbours, so a query's answer can be checked against a brute-force one), stored at
/// `bench:omk:{id}` as the vector's little-endian bytes.
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "bench:omk")]
pub struct Doc {
    #[redis(pk)]
    pub id: String,
    #[redis(index(vector(dim = 128, metric = "l2", algorithm = "flat")))]
    pub embedding: [f32; KNN_DIM],
}

/// A vector of pseudo-random elements in `[-1, 1)`, the same for the same `seed` on every run
/// (xorshift64).
pub fn vector(seed: u64) -> [f32; KNN_DIM] {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    std::array::from_fn(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    })
}

/// The `i`-th document of `om_knn`.
pub fn doc(i: usize) -> Doc {
    Doc {
        id: format!("d{i:05}"),
        embedding: vector(i as u64 + 1),
    }
}

/// The `n`-th query vector of `om_knn`.
pub fn knn_query(n: usize) -> [f32; KNN_DIM] {
    vector(1_000_000 + n as u64)
}
