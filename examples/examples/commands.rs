//! The typed command surface: options as values, replies as Rust types, the
//! same commands sent alone, in a pipeline, or built first and sent later,
//! across the core groups and the JSON, Search, Bloom and vector-set modules.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example commands`),
//! or against a Redis 8 with the modules: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use std::collections::HashMap;
use std::time::Duration;

use redis_core::commands::{
    self, Command, CreateIndexOptions, Field, IndexOn, Json, ScanOptions, Schema, SearchOptions,
    SearchResult, SetOptions, StreamBound, StreamEntry, VectorQuery, VsimOptions, ZRange,
};
use redis_core::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let key = |name: &str| format!("example:commands:{name}");

    // Options are typed: a condition and an expiry, not strings.
    let once = SetOptions::new()
        .if_missing()
        .expire_in(Duration::from_secs(60));
    let first = client.set_with(key("lock"), "me", once.clone()).await?;
    let second = client.set_with(key("lock"), "you", once).await?;
    println!("SET NX EX twice -> {first:?}, then {second:?}");

    // Replies are typed as users expect, the same over RESP2 and RESP3.
    client
        .zadd(
            key("scores"),
            &[(3.0, "carol"), (1.0, "alice"), (2.0, "bob")],
        )
        .await?;
    let top: Vec<(String, f64)> = client
        .zrange_withscores(key("scores"), ZRange::rank(0, -1).rev())
        .await?;
    println!("ZRANGE ... REV WITHSCORES -> {top:?}");

    let id = client
        .xadd(key("events"), [("kind", "signup"), ("user", "ada")])
        .await?;
    let events: Vec<StreamEntry<HashMap<String, String>>> = client
        .xrange(key("events"), StreamBound::Min, StreamBound::Max)
        .await?;
    println!("XADD -> {id}; XRANGE -> {} entry", events.len());

    // A pipeline takes the same commands; its replies are a typed tuple.
    let (visits, name, scores) = Pipeline::new()
        .incrby(key("visits"), 1)
        .get::<Option<String>>(key("lock"))
        .zcard(key("scores"))
        .query(&client)
        .await?;
    println!("pipeline -> visits {visits}, lock {name:?}, {scores} scores");

    // Commands are values: built, inspected, sent later.
    let get: Command<Option<String>> = commands::get(key("lock"));
    let keys: Vec<String> = get
        .cmd()
        .keys()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    println!("{} touches {keys:?}", get.cmd().name());
    println!("-> {:?}", get.query(&client).await?);

    // SCAN as a stream that follows the cursor.
    let mut scan = client.scan::<String>(ScanOptions::new().pattern("example:commands:*"));
    let mut found = 0;
    while let Some(name) = scan.next().await {
        name?;
        found += 1;
    }
    println!("SCAN MATCH example:commands:* -> {found} keys (SCAN may repeat one)");

    // Modules: JSON documents through serde, search with parameters.
    let doc = serde_json::json!({ "name": "Ada", "langs": ["en", "fr"] });
    client.json_set(key("user:1"), "$", &doc).await?;
    let langs: Option<Json<Vec<Vec<String>>>> = client.json_get(key("user:1"), "$.langs").await?;
    println!("JSON.GET $.langs -> {:?}", langs.map(|Json(v)| v));

    let index = key("idx");
    // Left over by an earlier run that stopped half-way, if any.
    let _ = client.ft_dropindex(&index).await;
    let schema = Schema::new(Field::text("name")).field(Field::numeric("age"));
    let on_people = CreateIndexOptions::new()
        .on(IndexOn::Hash)
        .prefix(key("person:"));
    client.ft_create_with(&index, &on_people, &schema).await?;
    client
        .hset(key("person:1"), [("name", "Ada Lovelace"), ("age", "36")])
        .await?;
    // The user's input is a parameter, never part of the query text.
    let wanted = "Ada";
    let found: SearchResult = client
        .ft_search_with(
            &index,
            "@name:$name",
            &SearchOptions::new().param("name", wanted),
        )
        .await?;
    println!(
        "FT.SEARCH @name:$name -> {} of {}",
        found.documents.len(),
        found.total
    );

    client.bf_add(key("seen"), "ada").await?;
    let seen = client.bf_mexists(key("seen"), ["ada", "bob"]).await?;
    println!("BF.MEXISTS ada bob -> {seen:?}");

    client.vadd(key("vectors"), &[1.0, 0.0], "east").await?;
    client.vadd(key("vectors"), &[0.0, 1.0], "north").await?;
    let near: Vec<(String, f64)> = client
        .vsim_withscores(
            key("vectors"),
            &VectorQuery::vector(&[0.9, 0.1]),
            &VsimOptions::new().count(1),
        )
        .await?;
    println!("VSIM [0.9, 0.1] -> {near:?}");

    client.ft_dropindex(&index).await?;
    let all = [
        "lock", "scores", "events", "visits", "user:1", "person:1", "seen", "vectors",
    ];
    let removed = client
        .del(all.iter().map(|name| key(name)).collect::<Vec<_>>())
        .await?;
    println!("cleaned up {removed} keys");
    client.close().await;
    Ok(())
}
