//! The object-mapper workloads, written once over [`OmColumn`]: redis-om's repository and the
//! same commands by hand with redis-core.

use std::time::Instant;

use redis_core::commands::{JsonCommands, SearchCommands, SearchOptions, SearchResult};
use redis_core::{Client, Cmd, Pipeline};
use redis_om::{Migrator, Repository, query};

use super::by_hand;
use super::models::{
    self, Doc, FIND_AGES, FIND_CITIES, KNN_K, KNN_QUERIES, Order, RECORDS, SAVE_MANY, User,
    VersionedUser,
};
use crate::clients::Result;
use crate::workload::{Limit, Sample};

/// One row of the object-mapper table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OmWorkload {
    /// Save, then get, of the 10-field hash model.
    Hash10,
    /// Save, then get, of the JSON model with a nested struct and `Vec`s.
    Json,
    /// `save_many` of 10,000 hash models.
    SaveMany,
    /// An update of two fields (a number and a TAG) of the hash model.
    Update2,
    /// The same update, compared with the record's version and bumping it.
    Update2Versioned,
    /// An update of one top-level field of the JSON model.
    JsonUpdate,
    /// A query on an index of 10,000 hash records, about 10 hits.
    Find,
    /// The 10 nearest of 10,000 vectors of 128 dimensions (KNN on a FLAT index).
    Knn,
}

impl OmWorkload {
    /// Every workload, in table order.
    pub const ALL: [OmWorkload; 8] = [
        OmWorkload::Hash10,
        OmWorkload::Json,
        OmWorkload::SaveMany,
        OmWorkload::Update2,
        OmWorkload::Update2Versioned,
        OmWorkload::JsonUpdate,
        OmWorkload::Find,
        OmWorkload::Knn,
    ];

    /// Its name on the command line, in the table and in the Python driver's protocol.
    pub fn name(self) -> &'static str {
        match self {
            OmWorkload::Hash10 => "om_hash10",
            OmWorkload::Json => "om_json",
            OmWorkload::SaveMany => "om_save_many",
            OmWorkload::Update2 => "om_update2",
            OmWorkload::Update2Versioned => "om_update2_versioned",
            OmWorkload::JsonUpdate => "om_json_update",
            OmWorkload::Find => "om_find",
            OmWorkload::Knn => "om_knn",
        }
    }

    /// The unit of its figure.
    pub fn unit(self) -> &'static str {
        match self {
            OmWorkload::Hash10 | OmWorkload::Json => "pairs/s",
            OmWorkload::SaveMany => "models/s",
            OmWorkload::Update2 | OmWorkload::Update2Versioned | OmWorkload::JsonUpdate => {
                "updates/s"
            }
            OmWorkload::Find | OmWorkload::Knn => "queries/s",
        }
    }

    /// Whether the Python columns have a peer for it: Redis OM Python 1.2 has no
    /// optimistic versions, and its KNN is not driven yet.
    pub fn has_python(self) -> bool {
        !matches!(self, OmWorkload::Update2Versioned | OmWorkload::Knn)
    }

    /// The command whose module it needs (RedisJSON, RediSearch), if any.
    pub fn needs(self) -> Option<&'static str> {
        match self {
            OmWorkload::Json | OmWorkload::JsonUpdate => Some("JSON.SET"),
            OmWorkload::Find | OmWorkload::Knn => Some("FT.SEARCH"),
            _ => None,
        }
    }
}

/// Steps of the update rows between two read-backs of what the step wrote (every step
/// checks its reply).
pub const CHECK_EVERY: u64 = 50;
/// The `LIMIT` of `om_find`'s query: Redis OM Python's `all()` asks for pages of 1,000.
pub const FIND_LIMIT: u64 = 1000;

/// The Rust columns of the object-mapper table.
pub const RUST_COLUMNS: [&str; 2] = ["redis-om", "by-hand"];

/// What a column does for one step of each workload; every method checks what it read back.
pub trait OmColumn {
    /// Saves `user`, reads it back, fails unless the two are equal.
    async fn hash_pair(&self, user: &User) -> Result<()>;
    /// Saves `order`, reads it back, fails unless the two are equal.
    async fn json_pair(&self, order: &Order) -> Result<()>;
    /// Saves every user in as few round trips as the column allows.
    async fn save_many(&self, users: &[User]) -> Result<()>;
    /// Sets `visits` and `city` of the user `id`, fails unless the record was there.
    async fn update2(&self, id: &str, visits: u64, city: &str) -> Result<()>;
    /// The same on the versioned model, if its version is `expected` (which it bumps).
    async fn update2_versioned(
        &self,
        id: &str,
        expected: u64,
        visits: u64,
        city: &str,
    ) -> Result<()>;
    /// Sets `version` of the order `id`, fails unless the document was there.
    async fn json_update(&self, id: &str, version: u64) -> Result<()>;
    /// The users of `om_find`'s copy aged `ages.0..=ages.1` in `city`, in any order.
    async fn find(&self, ages: (u32, u32), city: &str) -> Result<Vec<User>>;
    /// The [`KNN_K`] documents of `om_knn` nearest to `query`, nearest first.
    async fn knn(&self, query: &[f32]) -> Result<Vec<Doc>>;
}

/// The object mapper: one repository per model over a clone of the client.
pub struct Om {
    users: Repository<User, Client>,
    orders: Repository<Order, Client>,
    versioned: Repository<VersionedUser, Client>,
    /// `om_find`'s copy of the users, under `bench:omf`.
    found: Repository<User, Client>,
    docs: Repository<Doc, Client>,
}

impl Om {
    /// The repositories over `client`.
    pub fn new(client: &Client) -> Om {
        Om {
            users: Repository::new(client.clone()),
            orders: Repository::new(client.clone()),
            versioned: Repository::new(client.clone()),
            found: Repository::new(client.clone()).with_prefix(by_hand::FOUND_PREFIX),
            docs: Repository::new(client.clone()),
        }
    }
}

impl OmColumn for Om {
    async fn hash_pair(&self, user: &User) -> Result<()> {
        let pk = self.users.save(user).await?;
        check_pk(&pk, &user.id)?;
        check_same("redis-om get", self.users.get(&pk).await?.as_ref(), user)
    }

    async fn json_pair(&self, order: &Order) -> Result<()> {
        let pk = self.orders.save(order).await?;
        check_pk(&pk, &order.id)?;
        check_same("redis-om get", self.orders.get(&pk).await?.as_ref(), order)
    }

    async fn save_many(&self, users: &[User]) -> Result<()> {
        let pks = self.users.save_many(users).await?;
        if pks.len() != users.len() || pks.iter().zip(users).any(|(pk, user)| *pk != user.id) {
            return Err(format!("save_many of {} users returned other keys", users.len()).into());
        }
        Ok(())
    }

    async fn update2(&self, id: &str, visits: u64, city: &str) -> Result<()> {
        let found = self
            .users
            .update(&id.to_owned())
            .set(User::visits(), visits)
            .set(User::city(), city.to_owned())
            .apply()
            .await?;
        check_found(found, id)
    }

    async fn update2_versioned(
        &self,
        id: &str,
        expected: u64,
        visits: u64,
        city: &str,
    ) -> Result<()> {
        let found = self
            .versioned
            .update(&id.to_owned())
            .set(VersionedUser::visits(), visits)
            .set(VersionedUser::city(), city.to_owned())
            .if_version(expected)
            .apply()
            .await?;
        check_found(found, id)
    }

    async fn json_update(&self, id: &str, version: u64) -> Result<()> {
        let found = self
            .orders
            .update(&id.to_owned())
            .set(Order::version(), version)
            .apply()
            .await?;
        check_found(found, id)
    }

    async fn find(&self, (lo, hi): (u32, u32), city: &str) -> Result<Vec<User>> {
        Ok(self
            .found
            .find(User::age().between(lo, hi) & User::city().eq(city))
            .limit(0, FIND_LIMIT)
            .all()
            .await?)
    }

    async fn knn(&self, query: &[f32]) -> Result<Vec<Doc>> {
        Ok(self
            .docs
            .find(query::all())
            .knn(Doc::embedding(), KNN_K, query)
            .all()
            .await?)
    }
}

/// The same commands, written by hand with redis-core.
pub struct ByHand(pub Client);

impl OmColumn for ByHand {
    async fn hash_pair(&self, user: &User) -> Result<()> {
        by_hand::save_user(&self.0, user).await?;
        let got = by_hand::get_user(&self.0, &user.id).await?;
        check_same("HGETALL by hand", got.as_ref(), user)
    }

    async fn json_pair(&self, order: &Order) -> Result<()> {
        by_hand::save_order(&self.0, order).await?;
        let got = by_hand::get_order(&self.0, &order.id).await?;
        check_same("JSON.GET by hand", got.as_ref(), order)
    }

    async fn save_many(&self, users: &[User]) -> Result<()> {
        by_hand::save_users(&self.0, users).await
    }

    async fn update2(&self, id: &str, visits: u64, city: &str) -> Result<()> {
        by_hand::update_user(&self.0, id, visits, city).await
    }

    async fn update2_versioned(
        &self,
        id: &str,
        expected: u64,
        visits: u64,
        city: &str,
    ) -> Result<()> {
        by_hand::update_versioned(&self.0, id, expected, visits, city).await
    }

    async fn json_update(&self, id: &str, version: u64) -> Result<()> {
        by_hand::set_order_version(&self.0, id, version).await
    }

    async fn find(&self, ages: (u32, u32), city: &str) -> Result<Vec<User>> {
        by_hand::find_users(&self.0, ages, city, FIND_LIMIT).await
    }

    async fn knn(&self, query: &[f32]) -> Result<Vec<Doc>> {
        by_hand::knn_docs(&self.0, query, KNN_K).await
    }
}

fn check_found(found: bool, id: &str) -> Result<()> {
    if !found {
        return Err(format!("the update found no record {id}").into());
    }
    Ok(())
}

fn check_pk(pk: &str, id: &str) -> Result<()> {
    if pk != id {
        return Err(format!("save returned the key {pk:?} for the model {id:?}").into());
    }
    Ok(())
}

fn check_same<T: PartialEq + std::fmt::Debug>(
    what: &str,
    got: Option<&T>,
    saved: &T,
) -> Result<()> {
    match got {
        Some(got) if got == saved => Ok(()),
        Some(got) => Err(format!("{what} read {got:?} after saving {saved:?}").into()),
        None => Err(format!("{what} found nothing after saving {saved:?}").into()),
    }
}

/// The models the Rust columns save, and the step counter that makes every save differ from
/// the one before (a column that skipped a write would read a stale value and fail).
pub struct OmData {
    users: Vec<User>,
    orders: Vec<Order>,
    step: u64,
    /// The stored version of each versioned user, as the Rust columns left it.
    versions: Vec<u64>,
    /// What `om_find` must find for each city, ordered by id (filled by [`prepare`]).
    expected: Vec<Vec<User>>,
    /// The ids `om_knn` must find for each query, nearest first (filled by [`prepare`]).
    neighbours: Vec<Vec<String>>,
}

impl OmData {
    /// The fixed data set.
    pub fn new() -> OmData {
        OmData {
            users: (0..SAVE_MANY).map(models::user).collect(),
            orders: (0..RECORDS).map(models::order).collect(),
            step: 0,
            versions: vec![0; RECORDS],
            expected: Vec::new(),
            neighbours: Vec::new(),
        }
    }
}

/// Before the first run of `workload`, unmeasured: the records its steps change or query,
/// written by hand (the same for both Rust columns, which share their keys).
/// - `om_update2`, `om_json_update`: the 100 users (orders), as `om_hash10` (`om_json`) saves them;
/// - `om_update2_versioned`: the 100 users at `bench:omv:*` with `version` 1, as a first
///   versioned save leaves them;
/// - `om_find`: the index of `bench:omf:*`, created by redis-om's `Migrator`, then 10,000
///   users (ages 20 to 79, 97 cities) in one pipeline, and the hits each city must give;
/// - `om_knn`: the FLAT index of `bench:omk:*`, 10,000 documents saved by redis-om, and each
///   query's 10 nearest by a brute-force search in Rust.
pub async fn prepare(workload: OmWorkload, client: &Client, data: &mut OmData) -> Result<()> {
    match workload {
        OmWorkload::Hash10 | OmWorkload::Json | OmWorkload::SaveMany => {}
        OmWorkload::Update2 => by_hand::save_users(client, &data.users[..RECORDS]).await?,
        OmWorkload::Update2Versioned => {
            let mut pipe = Pipeline::<Vec<u64>>::default();
            for user in &data.users[..RECORDS] {
                let key = by_hand::versioned_key(&user.id);
                pipe.push(Cmd::new("DEL").arg(&key));
                pipe.push(by_hand::hset_user(&key, user).arg("version").arg(1));
            }
            pipe.query(client).await?;
            data.versions = vec![1; RECORDS];
        }
        OmWorkload::JsonUpdate => {
            for order in &data.orders {
                by_hand::save_order(client, order).await?;
            }
        }
        OmWorkload::Knn => {
            let docs = Repository::<Doc, _>::new(client.clone());
            Migrator::new(client).model::<Doc>().run().await?;
            let all: Vec<Doc> = (0..SAVE_MANY).map(models::doc).collect();
            docs.save_many(&all).await?;
            let indexed: SearchResult = client
                .ft_search_with(
                    by_hand::KNN_INDEX,
                    "*",
                    &SearchOptions::new().no_content().limit(0, 0),
                )
                .await?;
            if indexed.total != SAVE_MANY as u64 {
                return Err(format!(
                    "{} holds {} documents after {SAVE_MANY} were saved",
                    by_hand::KNN_INDEX,
                    indexed.total
                )
                .into());
            }
            data.neighbours = (0..KNN_QUERIES)
                .map(|n| nearest(&all, &models::knn_query(n)))
                .collect();
        }
        OmWorkload::Find => {
            // The by-hand column sends the text redis-om renders, with the same parameters.
            let rendered = (User::age().between(FIND_AGES.0, FIND_AGES.1)
                & User::city().eq(find_city(0)))
            .to_string();
            let by_hand = format!(
                r#"{} PARAMS p0="{}" p1="{}" p2="{}""#,
                by_hand::FIND_QUERY,
                FIND_AGES.0,
                FIND_AGES.1,
                find_city(0)
            );
            if rendered != by_hand {
                return Err(format!("redis-om renders {rendered:?}, by hand {by_hand:?}").into());
            }
            let found =
                Repository::<User, _>::new(client.clone()).with_prefix(by_hand::FOUND_PREFIX);
            Migrator::new(client).repository(&found).run().await?;
            let users: Vec<User> = (0..SAVE_MANY).map(models::find_user).collect();
            by_hand::save_users_at(client, &users, by_hand::found_key).await?;
            let indexed: SearchResult = client
                .ft_search_with(
                    by_hand::FOUND_INDEX,
                    "*",
                    &SearchOptions::new().no_content().limit(0, 0),
                )
                .await?;
            if indexed.total != SAVE_MANY as u64 {
                return Err(format!(
                    "{} holds {} records after {SAVE_MANY} were saved",
                    by_hand::FOUND_INDEX,
                    indexed.total
                )
                .into());
            }
            data.expected = (0..FIND_CITIES)
                .map(|city| {
                    let city = find_city(city);
                    users
                        .iter()
                        .filter(|u| u.city == city && (FIND_AGES.0..=FIND_AGES.1).contains(&u.age))
                        .cloned()
                        .collect()
                })
                .collect();
        }
    }
    Ok(())
}

/// The ids of the [`KNN_K`] documents nearest to `query` (squared L2, as the index measures),
/// nearest first.
fn nearest(docs: &[Doc], query: &[f32]) -> Vec<String> {
    let mut ranked: Vec<(f64, &str)> = docs
        .iter()
        .map(|doc| {
            let distance = doc
                .embedding
                .iter()
                .zip(query)
                .map(|(a, b)| f64::from(a - b).powi(2))
                .sum();
            (distance, doc.id.as_str())
        })
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    ranked
        .iter()
        .take(KNN_K as usize)
        .map(|(_, id)| (*id).to_owned())
        .collect()
}

/// The name of `om_find`'s `n`-th city.
fn find_city(n: usize) -> String {
    format!("city{n}")
}

/// Runs `workload` on `column` unmeasured for `warmup`, then measured until `limit`.
/// `checker` reads one saved field back after each `save_many` step.
pub async fn measure<C: OmColumn>(
    workload: OmWorkload,
    column: &C,
    checker: &Client,
    data: &mut OmData,
    warmup: Limit,
    limit: Limit,
) -> Result<Sample> {
    run_for(workload, column, checker, data, warmup).await?;
    let started = Instant::now();
    let units = run_for(workload, column, checker, data, limit).await?;
    Ok(Sample {
        rate: units as f64 / started.elapsed().as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}

async fn run_for<C: OmColumn>(
    workload: OmWorkload,
    column: &C,
    checker: &Client,
    data: &mut OmData,
    limit: Limit,
) -> Result<u64> {
    let deadline = Instant::now() + limit.duration;
    let steps = limit.steps.unwrap_or(u64::MAX);
    let mut units = 0;
    let mut done = 0;
    while done < steps && Instant::now() < deadline {
        data.step += 1;
        let step = data.step;
        let index = step as usize % RECORDS;
        units += match workload {
            OmWorkload::Hash10 => {
                let user = &mut data.users[index];
                user.visits = step;
                column.hash_pair(user).await?;
                1
            }
            OmWorkload::Json => {
                let order = &mut data.orders[index];
                order.version = step;
                column.json_pair(order).await?;
                1
            }
            OmWorkload::SaveMany => {
                for user in &mut data.users {
                    user.visits = step;
                }
                column.save_many(&data.users).await?;
                check_saved(
                    checker,
                    &data.users[(step as usize * 7919) % SAVE_MANY],
                    step,
                )
                .await?;
                SAVE_MANY as u64
            }
            OmWorkload::Update2 => {
                let (id, city) = (&data.users[index].id, format!("city{step}"));
                column.update2(id, step, &city).await?;
                if step.is_multiple_of(CHECK_EVERY) {
                    check_fields(checker, &by_hand::user_key(id), step, &city, None).await?;
                }
                1
            }
            OmWorkload::Update2Versioned => {
                let (id, city) = (&data.users[index].id, format!("city{step}"));
                let expected = data.versions[index];
                column.update2_versioned(id, expected, step, &city).await?;
                data.versions[index] = expected + 1;
                if step.is_multiple_of(CHECK_EVERY) {
                    let key = by_hand::versioned_key(id);
                    check_fields(checker, &key, step, &city, Some(expected + 1)).await?;
                }
                1
            }
            OmWorkload::JsonUpdate => {
                let id = &data.orders[index].id;
                column.json_update(id, step).await?;
                if step.is_multiple_of(CHECK_EVERY) {
                    check_version(checker, id, step).await?;
                }
                1
            }
            OmWorkload::Find => {
                let city = step as usize % FIND_CITIES;
                let mut found = column.find(FIND_AGES, &find_city(city)).await?;
                found.sort_by(|a, b| a.id.cmp(&b.id));
                let expected = data.expected.get(city).ok_or("om_find ran unprepared")?;
                if found != *expected {
                    return Err(format!(
                        "om_find of city{city} found {:?}, expected {:?}",
                        found.iter().map(|u| &u.id).collect::<Vec<_>>(),
                        expected.iter().map(|u| &u.id).collect::<Vec<_>>()
                    )
                    .into());
                }
                1
            }
            OmWorkload::Knn => {
                let n = step as usize % KNN_QUERIES;
                let found = column.knn(&models::knn_query(n)).await?;
                let ids: Vec<&str> = found.iter().map(|doc| doc.id.as_str()).collect();
                let expected = data.neighbours.get(n).ok_or("om_knn ran unprepared")?;
                if ids != *expected {
                    return Err(format!(
                        "om_knn of query {n} found {ids:?}, expected {expected:?}"
                    )
                    .into());
                }
                1
            }
        };
        done += 1;
    }
    Ok(units)
}

/// Fails unless the hash at `key` holds `visits` and `city` (and `version`, when given): one
/// HMGET every [`CHECK_EVERY`] updates, in every column.
async fn check_fields(
    client: &Client,
    key: &str,
    visits: u64,
    city: &str,
    version: Option<u64>,
) -> Result<()> {
    let stored: Vec<Option<String>> = Cmd::new("HMGET")
        .arg(key)
        .arg("visits")
        .arg("city")
        .arg("version")
        .query(client)
        .await?;
    let wanted = [
        Some(visits.to_string()),
        Some(city.to_owned()),
        version.map(|v| v.to_string()),
    ];
    if stored != wanted {
        return Err(format!("after the update of step {visits}, {key} holds {stored:?}").into());
    }
    Ok(())
}

/// Fails unless the order `id` holds `version`: `JSON.GET key $.version` every
/// [`CHECK_EVERY`] updates.
async fn check_version(client: &Client, id: &str, version: u64) -> Result<()> {
    let stored: Option<String> = client.json_get(by_hand::order_key(id), "$.version").await?;
    if stored.as_deref() != Some(format!("[{version}]").as_str()) {
        return Err(format!("after the update of step {version}, {id} holds {stored:?}").into());
    }
    Ok(())
}

/// Fails unless the stored `visits` of `user` is `step`: one HGET per 10,000 models saved.
async fn check_saved(client: &Client, user: &User, step: u64) -> Result<()> {
    let stored: Option<String> = redis_core::Cmd::new("HGET")
        .arg(by_hand::user_key(&user.id))
        .arg("visits")
        .query(client)
        .await?;
    if stored.as_deref() != Some(step.to_string().as_str()) {
        return Err(format!(
            "after save_many of step {step}, {} holds visits {stored:?}",
            user.id
        )
        .into());
    }
    Ok(())
}
