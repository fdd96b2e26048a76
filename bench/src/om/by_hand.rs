//! The object-mapper rows' baseline: the commands redis-om sends, written by hand with
//! redis-core, the struct built from the reply by hand with the same checks (a required field
//! missing or unparsable is an error naming the key and the field).

use std::collections::HashMap;
use std::str::FromStr;

use bytes::Bytes;
use redis_core::{Client, Cmd, Pipeline, Value};

use super::models::{Order, User};
use crate::clients::{Result, not_ok};

/// `bench:omh:{id}`, as the repository spells it.
pub fn user_key(id: &str) -> String {
    format!("bench:omh:{id}")
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
    let mut pipe = Pipeline::<Vec<u64>>::default();
    for user in users {
        pipe.push(hset_user(&user_key(&user.id), user));
    }
    let replies = pipe.query(client).await?;
    if replies.len() != users.len() {
        return Err(format!("{} replies to {} HSETs", replies.len(), users.len()).into());
    }
    replies.into_iter().try_for_each(check_added)
}
