//! An async Redis client on tokio.
//!
//! ```no_run
//! use redis_core::prelude::*;
//!
//! # async fn run() -> redis_core::Result<()> {
//! let client = Client::connect("redis://127.0.0.1:6379/0?protocol=3").await?;
//! client.set("visits", 0).await?;
//! let visits = client.incrby("visits", 1).await?;
//!
//! let (incremented, read): (i64, i64) = Pipeline::new()
//!     .incrby("visits", 1)
//!     .command(Cmd::new("GET").arg("visits"))
//!     .query(&client)
//!     .await?;
//! # let _ = (visits, incremented, read); Ok(()) }
//! ```
//!
//! [`prelude`] brings the command methods and the types a program names;
//! the commands as free functions, their options and their reply types stay
//! in [`commands`] (`commands::get(key)`, `commands::SetOptions`).
//!
//! # Commands are values
//!
//! Every command of the core groups and of the JSON, Search, Bloom and
//! vector-set modules is a function in [`commands`] that returns a
//! [`commands::Command`]: its arguments (a [`Cmd`]) and the Rust type of its
//! reply. Each is also a method on any [`Executor`] (it returns the reply's
//! future), on [`Pipeline`] and [`Transaction`] (it appends the reply type
//! to the batch's typed tuple), and on `blocking::Client`
//! (feature `blocking`; it returns the reply). A [`Cmd`] knows its flags and
//! key positions ([`Cmd::keys`]) from a table generated from Redis 8.2's
//! `COMMAND`; names the table does not know are learned from the server the
//! first time they are sent.
//!
//! # Names
//!
//! A typed command is named after the Redis command, in lower case, with
//! nothing inserted: `incrby`, `hincrby`, `zrangebyscore`, `xautoclaim`, as
//! redis-py names them. A module's dot and a container command's space
//! become one underscore: `json_set` (`JSON.SET`), `ft_search`
//! (`FT.SEARCH`), `client_setname` (`CLIENT SETNAME`), `xgroup_create`. A
//! variant that sends an option adds it after an underscore: `_with` when it
//! takes an options value (`set_with`, `zadd_with`, `ft_search_with`), else
//! the keyword it adds (`zrange_withscores`, `lpop_count`, `xclaim_justid`).
//! Where the name would be a Rust keyword a noun is added: `move_key`
//! (`MOVE`), `key_type` (`TYPE`).
//!
//! Options are named for what they do (`SetOptions::if_missing`,
//! `expire_in`, `keep_ttl`). Every command and option whose Rust name is not
//! the Redis one carries the Redis name as a doc alias, so the search box of
//! these docs finds `NX`, `PX`, `KEEPTTL`, `WITHSCORES` or `FT.SEARCH`.
//!
//! # How commands travel
//!
//! A [`Client`] is a cheap handle over one multiplexed connection. A command
//! is encoded into the connection's write buffer when its future is first
//! polled; commands that arrive while a write is in flight are written
//! together in the next write (automatic pipelining), and replies are matched
//! to commands in order. [`Pipeline`] and [`Transaction`] put many commands
//! in one write on purpose, and MULTI ... EXEC is never interleaved with
//! other callers' commands.
//!
//! Blocking commands (BLPOP, XREAD BLOCK, WAIT ...) run on an exclusive
//! connection from a small pool, so they never hold up the shared one;
//! [`Client::dedicated`] gives one out for WATCH and other stateful work.
//!
//! # Pub/sub and MONITOR
//!
//! A subscribed connection answers with a stream of messages, not one
//! reply per command, so it never shares the client's connection:
//! [`Client::pubsub`] opens a [`PubSub`] on a connection of its own (it
//! reconnects and subscribes again by itself, and its stream of
//! [`PubSubEvent`]s says when messages may have been missed), and
//! [`Client::monitor`] a [`Monitor`]. Keyspace notifications are pub/sub
//! messages that [`KeyspaceEvent`] reads. Sharing the client's RESP3
//! connection with subscriptions is not done yet.
//!
//! ```no_run
//! # async fn run(client: redis_core::Client) -> redis_core::Result<()> {
//! use redis_core::PubSubEvent;
//! let mut pubsub = client.pubsub().await?.ignore_subscribe_messages(true);
//! pubsub.subscribe(["news"]).await?;
//! while let Some(PubSubEvent::Message(message)) = pubsub.next_message().await {
//!     println!("{:?}", message.payload);
//! }
//! # Ok(()) }
//! ```
//!
//! # Client-side caching
//!
//! [`Config::with_client_cache`] (RESP3) keeps replies to read-only
//! single-key commands in the client, kept right by the server's
//! `CLIENT TRACKING` invalidations: a cached read makes no round trip, a
//! change another client makes is seen after one round trip on this client,
//! a lost connection or a flush empties the cache. [`CacheConfig`] sets its
//! limits; [`Client::cache_stats`] counts hits, misses, evictions and
//! invalidations; [`CacheStore`] lets a store of one's own keep the replies.
//!
//! ```no_run
//! use redis_core::prelude::*;
//! use redis_core::{CacheConfig, Config};
//! # async fn run() -> redis_core::Result<()> {
//! let config = Config::from_url("redis://127.0.0.1:6379?protocol=3")?
//!     .with_client_cache(CacheConfig::new());
//! let client = Client::connect(config).await?;
//! let name: Option<String> = client.get("user:1:name").await?;
//! # let _ = name; Ok(()) }
//! ```
//!
//! # Timeouts, failures, cancellation
//!
//! Every wait on the network is bounded: connecting by the connect timeout,
//! replies by the response timeout (per command with
//! [`Cmd::with_timeout`]; blocking commands get their blocking time on top).
//! A command that times out fails alone; the connection is only presumed
//! dead, and replaced, when its oldest waiting command is past its deadline
//! and nothing arrives for a second more. A broken connection fails every
//! waiting command with an error that says so, and the client reconnects in
//! the background with backoff. A command
//! in flight when the connection broke is retried once if it only reads;
//! writes are not repeated unless the [`retry::Retry`] policy allows it.
//!
//! Dropping a command's future abandons its reply; if it was already queued,
//! it is still sent. Dropping the last clone of a client (or
//! [`Client::close`]) closes its sockets and stops its task.
//!
//! # Sentinel
//!
//! [`Sentinel`] finds a master and its replicas through Redis Sentinel:
//! [`Sentinel::master_for`] and [`Sentinel::replica_for`] give a [`Client`]
//! whose every connection asks the sentinels where to go, so it follows a
//! failover (a lost connection, a `READONLY` reply, a master the sentinels
//! no longer name) without being rebuilt; `redis+sentinel://` URLs open one
//! with [`Sentinel::connect_url`].
//!
//! # Cluster
//!
//! [`ClusterClient`] serves a Redis Cluster through the same [`Executor`]
//! trait: each command goes to the primary of its keys' hash slot
//! ([`cluster::key_slot`]), pipelines are split by node and sent in
//! parallel with their replies put back in order, and `MOVED`, `ASK`,
//! `TRYAGAIN` and `CLUSTERDOWN` are followed within the command's timeout.
//! Commands or transactions whose keys span slots are refused before
//! sending ([`ErrorKind::CrossSlot`]).
//!
//! # TLS
//!
//! `rediss://` URLs and [`Config::with_tls`] (feature `tls`, on by default)
//! go through rustls with its aws-lc-rs cryptography provider, named
//! explicitly for every connection, so no process-wide default has to be
//! installed. Server certificates are verified against Mozilla's roots built
//! into the binary, or against the CAs given in a [`TlsConfig`].
//!
//! Why aws-lc-rs and not ring: rustls 0.23.48 deprecates its ring provider
//! (`crypto::ring::default_provider`, "no support for post-quantum
//! algorithms"), so a client built on it makes every fresh downstream build
//! warn, and ring offers no other whole provider. aws-lc-rs is rustls' own
//! default and puts the post-quantum hybrid key exchange X25519MLKEM768
//! first (servers that do not know it agree on X25519 instead). Its
//! `aws-lc-sys` builds with a C compiler alone: no cmake, no nasm, no
//! OpenSSL. CI builds the crate against the newest compatible dependencies
//! with warnings denied, so the next deprecation is seen there first.
//!
//! # Crate layout
//!
//! [`resp`] is the codec (no I/O), [`convert`] the conversions between Rust
//! values and Redis arguments and replies, [`commands`] the typed commands,
//! one file per command group, over the [`Executor`] trait that every
//! connection kind implements.
//!
//! # Features
//!
//! - `blocking`: `redis_core::blocking::Client`, the typed commands without
//!   an async runtime of the caller's (one runtime thread per client).

#![deny(missing_debug_implementations)]

mod batch;
#[cfg(feature = "blocking")]
pub mod blocking;
mod cache;
mod client;
pub mod cluster;
mod cmd;
mod cmd_info;
pub mod commands;
mod config;
mod connection;
pub mod convert;
mod credentials;
mod error;
mod executor;
mod pipeline;
mod pool;
pub mod prelude;
mod pubsub;
mod redis;
pub mod resp;
pub mod retry;
mod script;
mod sentinel;
mod span;
mod sync;
#[cfg(feature = "tls")]
mod tls;
mod typed_script;
pub mod url;
mod watch;

#[doc(hidden)]
pub use batch::Batch;
pub use cache::{CacheConfig, CacheEntry, CacheStats, CacheStore, LruStore};
pub use client::{Client, Executing, IntoConfig};
pub use cluster::ClusterClient;
pub use cmd::Cmd;
pub use config::{Addr, Config, Protocol};
pub use connection::{ConnectionEvent, ConnectionEvents, EVENT_BUFFER};
pub use convert::{FromValue, ToArgs};
pub use credentials::{Credentials, CredentialsFuture, CredentialsProvider, Secret};
pub use error::{Error, ErrorKind, Result, RetryMethod, ServerError};
pub use executor::Executor;
pub use pipeline::{EachResult, Pipeline, ReplyTuple, Transaction};
pub use pool::{Dedicated, DedicatedExecute};
pub use pubsub::{
    KeyEvent, KeyspaceEvent, Message, MessageKind, Monitor, MonitorEntry, PubSub, PubSubEvent,
    PubSubRunner, Subscriptions, keyevent_channel, keyspace_channel,
};
pub use redis::{Redis, RedisExecute};
pub use resp::Value;
pub use script::{Script, ScriptInvocation};
pub use sentinel::Sentinel;
#[cfg(feature = "tls")]
pub use tls::TlsConfig;
pub use typed_script::{ScriptCall, ScriptValues, TypedScript};
pub use watch::Watching;

/// Internals exposed for the criterion benchmarks in `bench/`; not a
/// stable API.
#[cfg(feature = "bench-internals")]
#[doc(hidden)]
pub mod bench_internals {
    pub use crate::connection::Bookkeeping;
}
