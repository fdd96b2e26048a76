//! The test harness: where the servers are, an isolated place per test, and
//! throw-away servers for tests that kill or restart one.
//!
//! `cargo xtask servers up` (or `cargo xtask test`) starts the shared servers
//! and writes where they listen to `target/redis-servers/servers.env`; the
//! harness reads that file (or the one named by `REDIS_SERVERS_ENV`). A test
//! that needs a server that is not there fails and says how to start it.

#![allow(clippy::unwrap_used)]

mod blocked;
mod context;
mod fault_proxy;
mod hostile;
mod servers;
mod temp_server;

pub use blocked::until_blocked;
pub use context::{Ctx, Setup, Version};
pub use fault_proxy::{Direction, FaultProxy, ProxyStats};
pub use hostile::{HostileServer, Received, Script, Then};
pub use servers::{Servers, servers};
pub use temp_server::TempServer;

/// Runs an async test body once per server version, on a [`TempServer`] of
/// its own, each in its own test function so a failure names the version:
///
/// ```text
/// each_version!(heals_after_a_restart, |version| async move {
///     let server = TempServer::start(version);
///     /* ... */
/// });
/// ```
#[macro_export]
macro_rules! each_version {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis8() {
                ($body)($crate::Version::Redis8).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis7() {
                ($body)($crate::Version::Redis7).await
            }
        }
    };
}

/// Runs an async test body once per standard setup: Redis 8.2, Redis 7.0 and Valkey 8.1,
/// each with RESP3 and RESP2, 7.0 over TLS, and the six-node cluster with RESP3 and RESP2
/// (through the same [`redis_core::Redis`] handle, keys under one hash tag), each in its own
/// test function so a failure names the setup. A command one of them lacks is skipped by
/// asking the server ([`Ctx::server_has`]), never by naming the setup:
///
/// ```text
/// each_setup!(set_then_get, |ctx| async move {
///     let client = ctx.client().await;
///     /* ... */
/// });
/// ```
#[macro_export]
macro_rules! each_setup {
    ($name:ident, $body:expr) => {
        $crate::test_per_setup!(
            servers: $name, $body;
            cluster_resp3 = CLUSTER_RESP3, cluster_resp2 = CLUSTER_RESP2
        );
    };
}

/// [`each_setup!`] without the cluster: for what only one server has (a dedicated
/// connection, a subscriber on it, MONITOR, SELECT, CLIENT commands about this one
/// connection) or what a cluster answers otherwise by design; the test's doc says which.
#[macro_export]
macro_rules! each_server_setup {
    ($name:ident, $body:expr) => {
        $crate::test_per_setup!(servers: $name, $body;);
    };
}

/// Runs an async test body on Redis 8.2 only (the shared one, with the
/// Search, JSON and Bloom modules and vector sets) and on the cluster of Redis 8.2 nodes,
/// over RESP3 and RESP2: for module commands and for new arguments of old commands
/// (`ZRANK ... WITHSCORE`, `BITOP DIFF`), which `COMMAND INFO` does not tell apart. A whole
/// command that some servers lack (HEXPIRE, WAITAOF) goes in [`each_setup!`] and asks
/// [`Ctx::server_has`], so it also runs on every other server that has it.
///
/// ```text
/// each_redis8!(json_set_then_get, |ctx| async move {
///     let client = ctx.client().await;
///     /* ... */
/// });
/// ```
#[macro_export]
macro_rules! each_redis8 {
    ($name:ident, $body:expr) => {
        $crate::test_per_setup!(
            redis8: $name, $body;
            cluster_resp3 = CLUSTER_RESP3, cluster_resp2 = CLUSTER_RESP2
        );
    };
}

/// [`each_redis8!`] without the cluster; the test's doc says why.
#[macro_export]
macro_rules! each_redis8_server {
    ($name:ident, $body:expr) => {
        $crate::test_per_setup!(redis8: $name, $body;);
    };
}

/// One test function per named [`Setup`] constant, in a module named after the test:
/// `servers:` starts from the standalone setups, `redis8:` from Redis 8.2's, and the setups
/// after `;` are added.
#[doc(hidden)]
#[macro_export]
macro_rules! test_per_setup {
    (servers: $name:ident, $body:expr; $($test:ident = $setup:ident),*) => {
        $crate::test_per_setup!(
            $name,
            $body,
            redis8_resp3 = REDIS8_RESP3,
            redis8_resp2 = REDIS8_RESP2,
            redis7_resp3 = REDIS7_RESP3,
            redis7_resp2 = REDIS7_RESP2,
            redis7_tls = REDIS7_TLS,
            valkey8_resp3 = VALKEY8_RESP3,
            valkey8_resp2 = VALKEY8_RESP2
            $(, $test = $setup)*
        );
    };
    (redis8: $name:ident, $body:expr; $($test:ident = $setup:ident),*) => {
        $crate::test_per_setup!(
            $name,
            $body,
            redis8_resp3 = REDIS8_RESP3,
            redis8_resp2 = REDIS8_RESP2
            $(, $test = $setup)*
        );
    };
    ($name:ident, $body:expr, $($test:ident = $setup:ident),+) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    $crate::Ctx::run(stringify!($name), $crate::Setup::$setup, $body).await
                }
            )+
        }
    };
}
