//! `#[derive(RedisModel)]`: maps a struct to a Redis hash or JSON document and
//! to a RediSearch index.
//!
//! The derive lands with its own issue, once `redis-core` has been measured;
//! this crate holds its place in the workspace so the dependency direction
//! `redis-derive -> redis-om -> redis-core` is fixed from the start.
