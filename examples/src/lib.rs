//! Runnable examples for the workspace; see `examples/examples/`.
//!
//! Each example reads the server address from `REDIS_URL`, or from the test
//! servers file that `cargo xtask servers up` writes.

/// The URL the examples connect to: `REDIS_URL`, else the `STACK` entry of
/// the file named by `REDIS_SERVERS_ENV`, else `redis://127.0.0.1:6379`.
pub fn redis_url() -> String {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return url;
    }
    let from_servers_file = std::env::var("REDIS_SERVERS_ENV")
        .ok()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("STACK=").map(str::to_owned))
        });
    match from_servers_file {
        Some(addr) => format!("redis://{addr}"),
        None => "redis://127.0.0.1:6379".to_owned(),
    }
}
