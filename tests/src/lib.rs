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

/// Runs an async test body once per standard setup (Redis 8.2, Redis 7.0 and
/// Valkey 8.1, each with RESP3 and RESP2, and 7.0 over TLS), each in its own test function so
/// a failure names the setup. A command one of them lacks is skipped by asking the server
/// ([`Ctx::server_has`]), never by naming the setup:
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
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis8_resp3() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::REDIS8_RESP3, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis8_resp2() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::REDIS8_RESP2, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis7_resp3() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::REDIS7_RESP3, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis7_resp2() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::REDIS7_RESP2, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis7_tls() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::REDIS7_TLS, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn valkey8_resp3() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::VALKEY8_RESP3, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn valkey8_resp2() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::VALKEY8_RESP2, $body).await
            }
        }
    };
}

/// Runs an async test body on Redis 8.2 only (the shared one, with the
/// Search, JSON and Bloom modules and vector sets), over RESP3 and RESP2:
/// for module commands and for new arguments of old commands (`ZRANK ... WITHSCORE`,
/// `BITOP DIFF`), which `COMMAND INFO` does not tell apart. A whole command that some
/// servers lack (HEXPIRE, WAITAOF) goes in [`each_setup!`] and asks
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
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis8_resp3() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::REDIS8_RESP3, $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis8_resp2() {
                $crate::Ctx::run(stringify!($name), $crate::Setup::REDIS8_RESP2, $body).await
            }
        }
    };
}
