//! A struct stored as a Redis hash: derive `RedisModel`, then save, load and
//! delete through a `Repository`.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example hash_model`),
//! or against any Redis: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use redis_om::prelude::*;

/// Stored at `example:user:{id}`, one hash field per struct field.
#[derive(RedisModel, Debug, PartialEq)]
#[redis(prefix = "example:user", ttl = 3600)]
struct User {
    /// Generated (a time-ordered ULID) when saved empty.
    #[redis(pk)]
    id: String,
    name: String,
    age: u32,
    admin: bool,
    /// Absent from the hash while `None`.
    #[redis(rename = "mail")]
    email: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let users = Repository::<User, _>::new(&client);

    let ada = User {
        id: String::new(),
        name: "Ada Lovelace".to_owned(),
        age: 36,
        admin: true,
        email: Some("ada@example.com".to_owned()),
    };
    // HSET and PEXPIRE in one MULTI/EXEC: one round trip.
    let id = users.save(&ada).await?;
    println!("saved {} at {}", ada.name, users.key(&id));

    let loaded = users
        .get(&id)
        .await?
        .ok_or("the user just saved is missing")?;
    println!("loaded {loaded:?}");
    assert_eq!(
        loaded,
        User {
            id: id.clone(),
            ..ada
        }
    );

    // Saving with `email: None` removes the stored field.
    let without_mail = User {
        email: None,
        ..loaded
    };
    users.save(&without_mail).await?;
    let reloaded = users
        .get(&id)
        .await?
        .ok_or("missing after the second save")?;
    assert_eq!(reloaded.email, None);

    assert!(users.delete(&id).await?);
    assert!(users.get(&id).await?.is_none());
    println!("deleted {id}");
    Ok(())
}
