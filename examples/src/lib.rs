//! Runnable examples for the workspace; see `examples/examples/`.
//!
//! Each example reads the server address from `REDIS_URL` (or
//! `REDIS_SENTINEL_URL`, `REDIS_CLUSTER_URL`), or from the test servers file that
//! `cargo xtask servers up` writes.

/// The URL the examples connect to: `REDIS_URL`, else the `STACK` entry of
/// the file named by `REDIS_SERVERS_ENV`, else `redis://127.0.0.1:6379`.
pub fn redis_url() -> String {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return url;
    }
    match servers_entry("STACK") {
        Some(addr) => format!("redis://{addr}"),
        None => "redis://127.0.0.1:6379".to_owned(),
    }
}

/// The `redis+sentinel://` URL of a Sentinel group: `REDIS_SENTINEL_URL`,
/// else the `SENTINELS` and `SENTINEL_MASTER` entries of the servers file,
/// else `redis+sentinel://127.0.0.1:26379/mymaster`.
pub fn sentinel_url() -> String {
    if let Ok(url) = std::env::var("REDIS_SENTINEL_URL") {
        return url;
    }
    match (servers_entry("SENTINELS"), servers_entry("SENTINEL_MASTER")) {
        (Some(sentinels), Some(name)) => format!("redis+sentinel://{sentinels}/{name}"),
        _ => "redis+sentinel://127.0.0.1:26379/mymaster".to_owned(),
    }
}

/// A URL of one node of a Redis Cluster: `REDIS_CLUSTER_URL`, else the
/// first `CLUSTER` entry of the servers file, else `redis://127.0.0.1:7000`.
/// The client finds the other nodes from it.
pub fn cluster_url() -> String {
    if let Ok(url) = std::env::var("REDIS_CLUSTER_URL") {
        return url;
    }
    let first =
        servers_entry("CLUSTER").and_then(|nodes| nodes.split(',').next().map(str::to_owned));
    match first {
        Some(addr) => format!("redis://{addr}"),
        None => "redis://127.0.0.1:7000".to_owned(),
    }
}

/// One `KEY=value` entry of the file named by `REDIS_SERVERS_ENV`.
fn servers_entry(key: &str) -> Option<String> {
    let path = std::env::var("REDIS_SERVERS_ENV").ok()?;
    let text = std::fs::read_to_string(path).ok()?;
    let prefix = format!("{key}=");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix).map(str::to_owned))
}
