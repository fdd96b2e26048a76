//! RedisTimeSeries as typed commands: series with labels, samples as
//! `(timestamp, f64)`, ranges aggregated into buckets, a compaction rule,
//! and many series selected by typed label matchers and grouped.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example timeseries`),
//! or against a Redis 8 with RedisTimeSeries: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use std::time::{Duration, SystemTime};

use redis_core::commands::{
    Aggregation, Aggregator, DuplicatePolicy, LabelMatcher, Timestamp, TsCreateOptions, TsLabels,
    TsMRangeOptions, TsRangeOptions, TsReducer,
};
use redis_core::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let key = |name: &str| format!("example:timeseries:{name}");
    let run = format!("{}", std::process::id());
    for name in ["lab", "hall", "lab:avg"] {
        client.del(key(name)).await?;
    }

    // Two rooms' temperatures, labelled; a duplicate timestamp keeps the last value.
    for (name, room) in [("lab", "lab"), ("hall", "hall")] {
        let options = TsCreateOptions::new()
            .duplicate_policy(DuplicatePolicy::Last)
            .label("run", &run)
            .label("room", room)
            .label("site", "north wing");
        client.ts_create_with(key(name), options).await?;
    }
    // A compaction: 1-minute averages of the lab, kept in their own series.
    client.ts_create(key("lab:avg")).await?;
    client
        .ts_createrule(key("lab"), key("lab:avg"), Aggregator::Avg, 60_000)
        .await?;

    let start = SystemTime::now() - Duration::from_secs(600);
    let samples: Vec<(String, Timestamp, f64)> = (0..20u64)
        .flat_map(|i| {
            let at = Timestamp::from(start + Duration::from_secs(30 * i));
            [
                (key("lab"), at, 20.0 + (i % 5) as f64),
                (key("hall"), at, 15.0 + (i % 3) as f64),
            ]
        })
        .collect();
    let stored = client.ts_madd(&samples).await?;
    println!("TS.MADD stored {} samples", stored.len());

    let last = client.ts_get(key("lab")).await?;
    println!("TS.GET lab -> {:?}", last.into_option());

    let per_minute = TsRangeOptions::new().aggregation(Aggregation::new(Aggregator::Max, 60_000));
    let maxima = client.ts_range_with(key("lab"), .., per_minute).await?;
    println!(
        "TS.RANGE lab AGGREGATION max 60000 -> {} buckets",
        maxima.len()
    );
    let compacted = client.ts_range(key("lab:avg"), ..).await?;
    println!(
        "the rule wrote {} closed 1-minute averages",
        compacted.len()
    );

    // Many series by label: a value with a space is matched exactly, no quoting needed.
    let mine = [
        LabelMatcher::eq("run", &run),
        LabelMatcher::eq("site", "north wing"),
    ];
    for entry in client.ts_mget_with(mine.clone(), TsLabels::All).await? {
        println!(
            "TS.MGET {} {:?} -> {:?}",
            entry.key, entry.labels, entry.sample
        );
    }
    let grouped = client
        .ts_mrange_with(
            ..,
            mine.clone(),
            TsMRangeOptions::new()
                .labels(TsLabels::All)
                .group_by("site", TsReducer::Avg),
        )
        .await?;
    for group in &grouped {
        println!(
            "TS.MRANGE GROUPBY site REDUCE avg: {} from {:?}: {} samples",
            group.key,
            group.sources,
            group.samples.len()
        );
    }

    let info = client.ts_info(key("lab")).await?;
    println!(
        "TS.INFO lab: {} samples, rules to {:?}",
        info.total_samples,
        info.rules.iter().map(|r| &r.dest).collect::<Vec<_>>()
    );
    let keys = client.ts_queryindex(mine).await?;
    println!("TS.QUERYINDEX -> {keys:?}");
    for name in ["lab", "hall", "lab:avg"] {
        client.del(key(name)).await?;
    }
    Ok(())
}
