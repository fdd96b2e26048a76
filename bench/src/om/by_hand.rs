//! The object-mapper rows' baseline: the commands redis-om sends, written by hand with
//! redis-core, the struct built from the reply by hand with the same checks (a required field
//! missing or unparsable is an error naming the key and the field).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;

use bytes::Bytes;
use redis_core::commands::{SearchCommands, SearchOptions, SearchResult, SortProperty};
use redis_core::{Client, Cmd, Pipeline, Script, Value};

use super::models::{Doc, KNN_DIM, Order, User};
use crate::clients::{Result, not_ok};

/// `bench:omh:{id}`, as the repository spells it.
pub fn user_key(id: &str) -> String {
    format!("bench:omh:{id}")
}

/// `bench:omv:{id}`, the versioned model's key.
pub fn versioned_key(id: &str) -> String {
    format!("bench:omv:{id}")
}

/// `bench:omf:{id}`, the key of `om_find`'s copy of a user.
pub fn found_key(id: &str) -> String {
    format!("{FOUND_PREFIX}:{id}")
}

/// The prefix of `om_find`'s records.
pub const FOUND_PREFIX: &str = "bench:omf";
/// Their index, as redis-om's migrator names it.
pub const FOUND_INDEX: &str = "bench:omf:index";

/// The prefix of `om_knn`'s records.
pub const KNN_PREFIX: &str = "bench:omk";
/// Their index, as redis-om's migrator names it.
pub const KNN_INDEX: &str = "bench:omk:index";
/// `om_knn`'s query text, as redis-om renders a KNN without a pre-filter.
pub const KNN_QUERY: &str = "*=>[KNN $k @embedding $vec AS __dist]";

/// The `k` documents nearest to `query`: `FT.SEARCH` of [`KNN_QUERY`] with the vector's
/// little-endian bytes as `$vec`, sorted by distance, each document built by hand from its
/// fields (the vector read back from its bytes).
pub async fn knn_docs(client: &Client, query: &[f32], k: u64) -> Result<Vec<Doc>> {
    let blob: Vec<u8> = query.iter().flat_map(|x| x.to_le_bytes()).collect();
    let options = SearchOptions::new()
        .dialect(2)
        .param("k", k.to_string())
        .param("vec", blob)
        .sort_by(SortProperty::asc("__dist"))
        .limit(0, k);
    let found: SearchResult<HashMap<String, Bytes>> = client
        .ft_search_with(KNN_INDEX, KNN_QUERY, &options)
        .await?;
    let prefix = format!("{KNN_PREFIX}:");
    found
        .documents
        .into_iter()
        .map(|document| {
            let id = document
                .id
                .strip_prefix(&prefix)
                .ok_or_else(|| format!("{KNN_INDEX} found {}", document.id))?;
            let bytes = document
                .fields
                .get("embedding")
                .ok_or_else(|| format!("{} has no embedding", document.id))?;
            if bytes.len() != KNN_DIM * 4 {
                return Err(
                    format!("{}'s embedding has {} bytes", document.id, bytes.len()).into(),
                );
            }
            let mut embedding = [0f32; KNN_DIM];
            for (element, chunk) in embedding.iter_mut().zip(bytes.chunks_exact(4)) {
                *element = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
            Ok(Doc {
                id: id.to_owned(),
                embedding,
            })
        })
        .collect()
}

/// `bench:omj:{id}`.
pub fn order_key(id: &str) -> String {
    format!("bench:omj:{id}")
}

/// `HSET key id .. name .. ...`: every field, the primary key included, encoded as redis-om
/// encodes it (numbers as decimal text, floats as the shortest text that reads back the same,
/// `bool` as `1`/`0`). The data never holds a `None`, which would also need an HDEL.
pub fn hset_user(key: &str, user: &User) -> Cmd {
    let cmd = Cmd::new("HSET")
        .arg(key)
        .arg("id")
        .arg(&user.id)
        .arg("name")
        .arg(&user.name)
        .arg("email")
        .arg(&user.email)
        .arg("city")
        .arg(&user.city)
        .arg("age")
        .arg(user.age)
        .arg("visits")
        .arg(user.visits)
        .arg("balance")
        .arg(user.balance)
        .arg("score")
        .arg(user.score)
        .arg("active")
        .arg(user.active);
    match &user.nickname {
        Some(nickname) => cmd.arg("nickname").arg(nickname),
        None => cmd,
    }
}

/// Fails unless HSET's count of new fields is possible for a user.
fn check_added(added: u64) -> Result<()> {
    if added > 10 {
        return Err(format!("HSET of a user reported {added} new fields").into());
    }
    Ok(())
}

/// Saves `user` with one HSET.
pub async fn save_user(client: &Client, user: &User) -> Result<()> {
    let key = user_key(&user.id);
    check_added(hset_user(&key, user).query(client).await?)
}

/// HGETALL, then the struct field by field; `None` when the key holds no hash.
pub async fn get_user(client: &Client, id: &str) -> Result<Option<User>> {
    let key = user_key(id);
    let fields: HashMap<String, String> = Cmd::new("HGETALL").arg(&key).query(client).await?;
    if fields.is_empty() {
        return Ok(None);
    }
    user_from(&key, fields).map(Some)
}

fn user_from(key: &str, mut fields: HashMap<String, String>) -> Result<User> {
    let mut take = |field: &str| {
        fields
            .remove(field)
            .ok_or_else(|| format!("{key}: field `{field}` is missing"))
    };
    let user = User {
        id: take("id")?,
        name: take("name")?,
        email: take("email")?,
        city: take("city")?,
        age: parse(key, "age", &take("age")?)?,
        visits: parse(key, "visits", &take("visits")?)?,
        balance: parse(key, "balance", &take("balance")?)?,
        score: parse(key, "score", &take("score")?)?,
        active: match take("active")?.as_str() {
            "1" => true,
            "0" => false,
            other => return Err(format!("{key}: field `active` holds {other:?}").into()),
        },
        nickname: fields.remove("nickname"),
    };
    Ok(user)
}

fn parse<T: FromStr>(key: &str, field: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| format!("{key}: field `{field}` holds {text:?}").into())
}

/// `HSET key visits V city S`, expecting 0 new fields (a 1 or 2 would mean the record, or
/// one of its fields, was missing: an update must not create a half-made record).
pub async fn update_user(client: &Client, id: &str, visits: u64, city: &str) -> Result<()> {
    let added: u64 = Cmd::new("HSET")
        .arg(user_key(id))
        .arg("visits")
        .arg(visits)
        .arg("city")
        .arg(city)
        .query(client)
        .await?;
    if added != 0 {
        return Err(format!("HSET of two fields of {id} added {added} new fields").into());
    }
    Ok(())
}

/// The hand-written compare-and-set: the stored version must be `ARGV[1]`, then the two
/// fields are written and the version bumped by one HSET; the reply is the new version.
static VERSIONED_UPDATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local found = redis.call('HGET', KEYS[1], 'version')
if found ~= ARGV[1] then
  return redis.error_reply('CONFLICT expected version ' .. ARGV[1] .. ', found ' .. tostring(found))
end
local next = tonumber(found) + 1
redis.call('HSET', KEYS[1], 'visits', ARGV[2], 'city', ARGV[3], 'version', next)
return next
",
    )
});

/// `EVALSHA` of the compare-and-set above (`EVAL` once, on `NOSCRIPT`): fails unless the
/// stored version was `expected` and is now `expected + 1`.
pub async fn update_versioned(
    client: &Client,
    id: &str,
    expected: u64,
    visits: u64,
    city: &str,
) -> Result<()> {
    let version: u64 = VERSIONED_UPDATE
        .key(versioned_key(id))
        .arg(expected)
        .arg(visits)
        .arg(city)
        .invoke(client)
        .await?;
    if version != expected + 1 {
        return Err(format!("the versioned update of {id} left version {version}").into());
    }
    Ok(())
}

/// `JSON.SET key $.version V`, expecting OK.
pub async fn set_order_version(client: &Client, id: &str, version: u64) -> Result<()> {
    let reply: Value = Cmd::new("JSON.SET")
        .arg(order_key(id))
        .arg("$.version")
        .arg(version)
        .query(client)
        .await?;
    match &reply {
        Value::SimpleString(s) if s == "OK" => Ok(()),
        _ => Err(not_ok("JSON.SET", reply)),
    }
}

/// The query text redis-om renders for `User::age().between(lo, hi) & User::city().eq(city)`,
/// written by hand: dialect 2, every value a parameter.
pub const FIND_QUERY: &str = "@age:[$p0 $p1] @city:{$p2}";

/// `FT.SEARCH bench:omf:index "@age:[$p0 $p1] @city:{$p2}" PARAMS 6 p0 LO p1 HI p2 CITY
/// DIALECT 2 LIMIT 0 limit` with redis-core's typed command, each document's fields into a
/// `HashMap<String, String>` and the user built from it as [`get_user`] does.
pub async fn find_users(
    client: &Client,
    (lo, hi): (u32, u32),
    city: &str,
    limit: u64,
) -> Result<Vec<User>> {
    let options = SearchOptions::new()
        .dialect(2)
        .param("p0", lo.to_string())
        .param("p1", hi.to_string())
        .param("p2", city)
        .limit(0, limit);
    let found: SearchResult = client
        .ft_search_with(FOUND_INDEX, FIND_QUERY, &options)
        .await?;
    let prefix = format!("{FOUND_PREFIX}:");
    found
        .documents
        .into_iter()
        .map(|document| {
            if !document.id.starts_with(&prefix) {
                return Err(format!("{FOUND_INDEX} found {}", document.id).into());
            }
            user_from(&document.id, document.fields)
        })
        .collect()
}

/// `serde_json::to_vec`, then `JSON.SET key $ doc`, expecting OK.
pub async fn save_order(client: &Client, order: &Order) -> Result<()> {
    let document = serde_json::to_vec(order)?;
    let reply: Value = Cmd::new("JSON.SET")
        .arg(order_key(&order.id))
        .arg("$")
        .arg(&document[..])
        .query(client)
        .await?;
    match &reply {
        Value::SimpleString(s) if s == "OK" => Ok(()),
        _ => Err(not_ok("JSON.SET", reply)),
    }
}

/// `JSON.GET key`, then `serde_json::from_slice`.
pub async fn get_order(client: &Client, id: &str) -> Result<Option<Order>> {
    let document: Option<Bytes> = Cmd::new("JSON.GET")
        .arg(order_key(id))
        .query(client)
        .await?;
    match document {
        Some(document) => Ok(Some(serde_json::from_slice(&document)?)),
        None => Ok(None),
    }
}

/// One pipeline of an HSET per user, each reply checked.
pub async fn save_users(client: &Client, users: &[User]) -> Result<()> {
    save_users_at(client, users, user_key).await
}

/// [`save_users`] at the keys `key` gives.
pub async fn save_users_at(
    client: &Client,
    users: &[User],
    key: impl Fn(&str) -> String,
) -> Result<()> {
    let mut pipe = Pipeline::<Vec<u64>>::default();
    for user in users {
        pipe.push(hset_user(&key(&user.id), user));
    }
    let replies = pipe.query(client).await?;
    if replies.len() != users.len() {
        return Err(format!("{} replies to {} HSETs", replies.len(), users.len()).into());
    }
    replies.into_iter().try_for_each(check_added)
}
