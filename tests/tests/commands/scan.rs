//! scan commands against the real servers: each scan follows the cursor to
//! the end and yields every element (possibly more than once).

use std::collections::{HashMap, HashSet};

use redis_core::commands::{self, *};
use redis_core::{Cmd, ErrorKind, Pipeline};
use redis_tests::{Ctx, each_redis8, each_server_setup, each_setup};

/// Writes `count` string keys under `ctx`'s prefix, one round trip.
async fn fill(
    ctx: &Ctx,
    client: &impl redis_core::Executor,
    name: &str,
    count: usize,
) -> HashSet<String> {
    let keys: HashSet<String> = (0..count)
        .map(|i| ctx.key(&format!("{name}:{i}")))
        .collect();
    let pipe: Pipeline<Vec<()>> = keys.iter().map(|k| commands::set(k, "v")).collect();
    pipe.query(client).await.unwrap();
    keys
}

each_setup!(scan_yields_every_matching_key, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let keys = fill(&ctx, &client, "many", 1000).await;
    let pattern = format!("{}*", ctx.key(""));
    let mut scan = client.scan::<String>(ScanOptions::new().pattern(&pattern).count(500));
    let mut seen = HashSet::new();
    let mut yielded = 0;
    while let Some(key) = scan.next().await {
        let key = key.unwrap();
        assert!(key.starts_with(&ctx.key("")), "{key} does not match");
        seen.insert(key);
        yielded += 1;
    }
    assert_eq!(seen, keys);
    assert!(yielded >= keys.len());
    // Finished scans stay finished.
    assert!(scan.next().await.is_none());
});

each_setup!(scan_filters_by_type, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let strings = fill(&ctx, &client, "s", 20).await;
    let mut hashes = HashSet::new();
    for i in 0..5 {
        let key = ctx.key(&format!("h:{i}"));
        client.hset(&key, [("f", "v")]).await.unwrap();
        hashes.insert(key);
    }
    let pattern = format!("{}*", ctx.key(""));
    let found: HashSet<String> = client
        .scan(
            ScanOptions::new()
                .pattern(&pattern)
                .count(1000)
                .key_type(ScanType::Hash),
        )
        .try_collect()
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(found, hashes);
    let found: HashSet<String> = client
        .scan(
            ScanOptions::new()
                .pattern(&pattern)
                .count(1000)
                .key_type(ScanType::String),
        )
        .try_collect()
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(found, strings);
    let none: Vec<String> = client
        .scan(
            ScanOptions::new()
                .pattern(&pattern)
                .count(1000)
                .key_type(ScanType::Stream),
        )
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
});

each_setup!(hscan_yields_fields_with_values, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("hash");
    // Large enough to leave the compact encoding, so the cursor really moves.
    let fields: HashMap<String, String> = (0..600)
        .map(|i| (format!("f{i}"), format!("v{i}")))
        .collect();
    let pairs: Vec<(&String, &String)> = fields.iter().collect();
    client.hset(&key, &pairs).await.unwrap();

    let mut scanned = HashMap::new();
    let mut scan = client.hscan::<String, String>(&key, ElementScanOptions::new().count(50));
    while let Some(pair) = scan.next().await {
        let (field, value) = pair.unwrap();
        scanned.insert(field, value);
    }
    assert_eq!(scanned, fields);

    let matching: HashMap<String, String> = client
        .hscan(&key, ElementScanOptions::new().pattern("f1?"))
        .try_collect()
        .await
        .unwrap()
        .into_iter()
        .collect();
    let expected: HashMap<String, String> = (10..20)
        .map(|i| (format!("f{i}"), format!("v{i}")))
        .collect();
    assert_eq!(matching, expected);
    let missing: Vec<(String, String)> = client
        .hscan(ctx.key("missing"), ElementScanOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert!(missing.is_empty());
});

each_redis8!(hscan_novalues_yields_field_names, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("hash");
    let pairs: Vec<(String, u32)> = (0..300).map(|i| (format!("field:{i}"), i)).collect();
    client.hset(&key, &pairs).await.unwrap();
    let names: HashSet<String> = client
        .hscan_novalues(&key, ElementScanOptions::new().count(40))
        .try_collect()
        .await
        .unwrap()
        .into_iter()
        .collect();
    let expected: HashSet<String> = pairs.into_iter().map(|(f, _)| f).collect();
    assert_eq!(names, expected);
});

each_setup!(sscan_and_zscan_yield_members, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let set = ctx.key("set");
    let members: HashSet<String> = (0..500).map(|i| format!("m{i}")).collect();
    let members_vec: Vec<&String> = members.iter().collect();
    let added: u64 = Cmd::new("SADD")
        .arg(&set)
        .arg(&members_vec)
        .query(&client)
        .await
        .unwrap();
    assert_eq!(added, 500);
    let scanned: HashSet<String> = client
        .sscan(&set, ElementScanOptions::new().count(100))
        .try_collect()
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(scanned, members);

    let zset = ctx.key("zset");
    let mut zadd = Cmd::new("ZADD").arg(&zset);
    for i in 0..300 {
        zadd.push_arg(f64::from(i) + 0.5).push_arg(format!("z{i}"));
    }
    let added: u64 = zadd.query(&client).await.unwrap();
    assert_eq!(added, 300);
    let mut scores = HashMap::new();
    let mut scan = client.zscan::<String>(&zset, ElementScanOptions::new().count(64));
    while let Some(entry) = scan.next().await {
        let (member, score) = entry.unwrap();
        scores.insert(member, score);
    }
    assert_eq!(scores.len(), 300);
    assert!((0..300).all(|i| scores[&format!("z{i}")] == f64::from(i) + 0.5));
    let small: Vec<(String, f64)> = client
        .zscan(&zset, ElementScanOptions::new().pattern("z29?"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(small.len(), 10);
});

each_setup!(
    a_failing_page_ends_the_scan_with_its_error,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("a-string");
        client.set(&key, "v").await.unwrap();
        let mut scan = client.sscan::<String>(&key, ElementScanOptions::new());
        let err = scan.next().await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.code(), Some("WRONGTYPE"));
        assert!(scan.next().await.is_none());

        // An element that does not convert is an error too, not a panic.
        let numbers = ctx.key("numbers");
        client
            .hset(&numbers, [("a", "not a number")])
            .await
            .unwrap();
        let mut scan = client.hscan::<String, i64>(&numbers, ElementScanOptions::new());
        assert_eq!(
            scan.next().await.unwrap().unwrap_err().kind(),
            ErrorKind::Type
        );
        assert!(scan.next().await.is_none());
    }
);

each_server_setup!(
    scans_run_on_a_dedicated_connection_too,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let keys = fill(&ctx, &client, "d", 50).await;
        let conn = client.dedicated().await.unwrap();
        let pattern = format!("{}*", ctx.key(""));
        let found: HashSet<String> = conn
            .scan(ScanOptions::new().pattern(&pattern).count(1000))
            .try_collect()
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(found, keys);
    }
);
