//! The standalone client behind the fault-injection proxy: one test per
//! fault, each run over RESP3 and RESP2 against a server of its own.
//!
//! Every call is wrapped in a hang check: it must return, a value or an
//! error, within the longest time the client's settings allow it plus a
//! margin for scheduling. That bounds waiting, it does not measure speed.
//! After each fault clears, the same `Client` handle must serve again.

#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

use redis_core::commands::*;
use redis_core::retry::Retry;
use redis_core::{
    Client, Cmd, Config, Error, ErrorKind, Pipeline, Protocol, Transaction, Watching,
};
use redis_tests::{Direction, FaultProxy, TempServer, Version};

/// The client's reply timeout in these tests.
const TIMEOUT: Duration = Duration::from_secs(1);
/// The client's connect (and handshake) timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// Slack on top of a call's own budget before it counts as hung: scheduling
/// on a busy machine, never a speed target.
const MARGIN: Duration = Duration::from_secs(2);
/// The client's stall detection: a connection silent this long past a
/// command's deadline is presumed dead (multiplexer.rs `STALL_GRACE`).
const STALL_GRACE: Duration = Duration::from_secs(1);

/// A test's server, the proxy in front of it, and the protocol of its run.
struct Rig {
    server: TempServer,
    proxy: FaultProxy,
    protocol: Protocol,
}

impl Rig {
    async fn new(version: Version, protocol: Protocol) -> Rig {
        let server = TempServer::start(version);
        let proxy = FaultProxy::start(&server.addr()).await.unwrap();
        Rig {
            server,
            proxy,
            protocol,
        }
    }

    /// Settings for a client that goes through the proxy.
    fn config(&self) -> Config {
        Config::from_url(&self.proxy.url())
            .unwrap()
            .with_protocol(self.protocol)
            .with_response_timeout(Some(TIMEOUT))
            .with_connect_timeout(CONNECT_TIMEOUT)
    }

    async fn client(&self) -> Client {
        self.connect(self.config()).await
    }

    async fn connect(&self, config: Config) -> Client {
        bounded("Client::connect", CONNECT_TIMEOUT, Client::connect(config))
            .await
            .unwrap()
    }

    /// A client straight to the server, to see what was applied.
    async fn admin(&self) -> Client {
        let config = Config::from_url(&self.server.url())
            .unwrap()
            .with_protocol(self.protocol);
        Client::connect(config).await.unwrap()
    }
}

/// Runs `call`, failing the test if it has not returned within `budget`
/// plus [`MARGIN`]: a hung future, not a slow one.
async fn bounded<T>(what: &str, budget: Duration, call: impl Future<Output = T>) -> T {
    let limit = budget + MARGIN;
    match tokio::time::timeout(limit, call).await {
        Ok(result) => result,
        Err(_) => panic!("{what} hung: no result within {limit:?}"),
    }
}

/// The longest a write may take: one try.
const WRITE_BUDGET: Duration = TIMEOUT;
/// What a command may take past its timeout in all, its retries, backoff
/// and reconnects included (the deadline covers them): the clock task's
/// wake-up and scheduling on a busy machine. Less than the timeout itself,
/// so a retry that started the clock again fails the check.
const DEADLINE_SLACK: Duration = Duration::from_millis(500);
/// The longest a read may take: its timeout, which covers the retry after a
/// reconnect (the default policy), and the slack.
const READ_BUDGET: Duration = TIMEOUT.saturating_add(DEADLINE_SLACK);

/// Runs a read under the hang check, then checks that it kept its
/// deadline: returned within [`READ_BUDGET`], whatever was retried.
async fn read<T>(what: &str, call: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let result = bounded(what, READ_BUDGET, call).await;
    let took = started.elapsed();
    assert!(
        took <= READ_BUDGET,
        "{what} took {took:?}: past its timeout {TIMEOUT:?} plus the slack {DEADLINE_SLACK:?}"
    );
    result
}

/// A connection failure, as opposed to a wrong value or a server error.
fn is_connection_failure(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Io | ErrorKind::Closed | ErrorKind::Timeout | ErrorKind::Protocol
    )
}

/// The same handle serves again once the fault is gone: a write and a read
/// succeed within a few tries (each bounded); every failure meanwhile is a
/// connection failure, never a wrong value.
async fn assert_heals(client: &Client, key: &str) {
    let mut last = None;
    for attempt in 0..5 {
        let value = format!("healed-{attempt}");
        let set = bounded("SET after the fault", WRITE_BUDGET, client.set(key, &value)).await;
        match set {
            Ok(()) => {
                let got: String = read("GET after the fault", client.get(key)).await.unwrap();
                assert_eq!(got, value);
                return;
            }
            Err(error) => {
                assert!(is_connection_failure(&error), "{error}");
                last = Some(error);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    panic!("the client did not heal after the fault cleared; last error: {last:?}");
}

/// What a call into a black-holed reconnect returns: the reconnect's
/// handshake (HELLO, on both protocols) is never answered, so it fails
/// with the connect timeout, and so does the command waiting for it.
fn assert_black_hole_error(err: &Error) {
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

/// Runs a test body once per server version and protocol, each in its own
/// test function with its own server and proxy.
macro_rules! each_rig {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis8_resp3() {
                ($body)(Rig::new(Version::Redis8, Protocol::Resp3).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis8_resp2() {
                ($body)(Rig::new(Version::Redis8, Protocol::Resp2).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis7_resp3() {
                ($body)(Rig::new(Version::Redis7, Protocol::Resp3).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis7_resp2() {
                ($body)(Rig::new(Version::Redis7, Protocol::Resp2).await).await
            }
        }
    };
}

each_rig!(latency_keeps_results_correct, |rig: Rig| async move {
    let client = rig.client().await;
    for (direction, latency) in [
        (Direction::ToServer, Duration::from_millis(30)),
        (Direction::ToClient, Duration::from_millis(30)),
        (Direction::Both, Duration::from_millis(50)),
    ] {
        rig.proxy.set_latency(direction, latency);
        let mut tasks = Vec::new();
        for task in 0..16 {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let key = format!("lat:{direction:?}:{task}");
                for i in 0..5 {
                    let value = format!("{task}-{i}");
                    bounded("SET", WRITE_BUDGET, client.set(&key, &value))
                        .await
                        .unwrap();
                    let got: String = read("GET", client.get(&key)).await.unwrap();
                    assert_eq!(got, value, "task {task} got another reply");
                    let n = bounded("INCRBY", WRITE_BUDGET, client.incrby(format!("{key}:n"), 1))
                        .await
                        .unwrap();
                    assert_eq!(n, i + 1);
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let pipe = Pipeline::new()
            .command(Cmd::new("SET").arg("lat:p").arg("x"))
            .command(Cmd::new("GET").arg("lat:p"))
            .command(Cmd::new("INCR").arg("lat:pn"));
        let (ok, got, _n): (String, String, i64) =
            bounded("pipeline", WRITE_BUDGET, pipe.query(&client))
                .await
                .unwrap();
        assert_eq!((ok.as_str(), got.as_str()), ("OK", "x"));
        let tx = Transaction::new()
            .command(Cmd::new("INCR").arg("lat:ta"))
            .command(Cmd::new("INCR").arg("lat:tb"));
        let (a, b): (i64, i64) = bounded("transaction", WRITE_BUDGET, tx.query(&client))
            .await
            .unwrap();
        assert_eq!(a, b);
    }
    // Latency past the reply timeout: a timeout error, then normal service.
    rig.proxy
        .set_latency(Direction::ToClient, TIMEOUT + Duration::from_millis(500));
    let err = read("GET", client.get::<Option<String>>("lat:p"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    rig.proxy.normal().await;
    assert_heals(&client, "lat:healed").await;
});

each_rig!(
    drop_all_retries_reads_and_never_repeats_writes,
    |rig: Rig| async move {
        let client = rig.client().await;
        let admin = rig.admin().await;
        // Idle: the next calls go over a new connection, reads and writes alike.
        client.set("drop:k", "v").await.unwrap();
        let before = rig.proxy.stats();
        rig.proxy.drop_all().await;
        assert_eq!(rig.proxy.stats().dropped, before.dropped + 1);
        let got: String = read("GET", client.get("drop:k")).await.unwrap();
        assert_eq!(got, "v");
        bounded("SET", WRITE_BUDGET, client.set("drop:k", "w"))
            .await
            .unwrap();
        assert!(rig.proxy.stats().accepted > before.accepted);

        // In flight: replies held back by latency are lost with the connection.
        for i in 0..20 {
            client.set(format!("drop:r{i}"), i).await.unwrap();
        }
        rig.proxy
            .set_latency(Direction::ToClient, Duration::from_millis(300));
        let mut reads = Vec::new();
        let mut incrs = Vec::new();
        for i in 0..20 {
            let c = client.clone();
            reads.push(tokio::spawn(async move {
                read("GET", c.get::<i64>(format!("drop:r{i}"))).await
            }));
            let c = client.clone();
            incrs.push(tokio::spawn(async move {
                bounded("INCRBY", WRITE_BUDGET, c.incrby(format!("drop:w{i}"), 1)).await
            }));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        rig.proxy.drop_all().await;
        rig.proxy.normal().await;
        for (i, read) in reads.into_iter().enumerate() {
            // Read-only: retried over the new connection, transparently.
            assert_eq!(read.await.unwrap().unwrap(), i as i64);
        }
        let mut failed = 0;
        for (i, incr) in incrs.into_iter().enumerate() {
            let applied: Option<i64> = admin.get(format!("drop:w{i}")).await.unwrap();
            match incr.await.unwrap() {
                Ok(n) => assert_eq!((n, applied), (1, Some(1))),
                Err(error) => {
                    failed += 1;
                    assert!(error.is_connection_error(), "{error}");
                    assert!(applied.unwrap_or(0) <= 1, "INCR applied twice: {applied:?}");
                }
            }
        }
        assert!(
            failed > 0,
            "no write was in flight when the connections dropped"
        );
        assert_heals(&client, "drop:healed").await;
    }
);

each_rig!(
    a_read_retried_after_a_stall_keeps_its_deadline,
    |rig: Rig| async move {
        let client = rig.client().await;
        client.set("keep:k", "v").await.unwrap();
        let accepted = rig.proxy.stats().accepted;
        rig.proxy.stall();
        // The short one's deadline passes first; the stall detection then
        // drops the connection under the long one, which is retried on a
        // reconnect (into the stall again) within what is left of its
        // timeout, not a fresh one.
        let long = Duration::from_secs(3);
        let short = {
            let c = client.clone();
            tokio::spawn(async move {
                Cmd::new("GET")
                    .arg("keep:k")
                    .with_timeout(Duration::from_millis(200))
                    .query::<String>(&c)
                    .await
            })
        };
        let started = Instant::now();
        let err = bounded(
            "GET",
            long,
            Cmd::new("GET")
                .arg("keep:k")
                .with_timeout(long)
                .query::<String>(&client),
        )
        .await
        .unwrap_err();
        let took = started.elapsed();
        assert!(is_connection_failure(&err), "{err}");
        assert!(
            took <= long + DEADLINE_SLACK,
            "the retried GET took {took:?}: past its timeout {long:?} plus the slack \
             {DEADLINE_SLACK:?} ({err})"
        );
        assert!(short.await.unwrap().is_err());
        assert!(
            rig.proxy.stats().accepted > accepted,
            "the stalled connection was not replaced, so nothing was retried"
        );
        rig.proxy.normal().await;
        assert_heals(&client, "keep:healed").await;
    }
);

each_rig!(
    stall_times_out_then_the_connection_is_replaced,
    |rig: Rig| async move {
        let client = rig.client().await;
        let admin = rig.admin().await;
        client.set("stall:k", "v").await.unwrap();
        let id: i64 = Cmd::new("CLIENT").arg("ID").query(&client).await.unwrap();
        let accepted = rig.proxy.stats().accepted;
        rig.proxy.stall();
        let read = {
            let c = client.clone();
            tokio::spawn(async move { read("GET", c.get::<String>("stall:k")).await })
        };
        let write = {
            let c = client.clone();
            tokio::spawn(
                async move { bounded("INCRBY", WRITE_BUDGET, c.incrby("stall:n", 1)).await },
            )
        };
        for result in [
            read.await.unwrap().map(|_| ()),
            write.await.unwrap().map(|_| ()),
        ] {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
        }
        // The stall detection gives the connection up and reconnects (into the
        // stall again): wait for that new connection, bounded.
        bounded("stall detection", STALL_GRACE, async {
            while rig.proxy.stats().accepted == accepted {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        rig.proxy.normal().await;
        assert_heals(&client, "stall:healed").await;
        let new_id: i64 = bounded(
            "CLIENT ID",
            WRITE_BUDGET,
            Cmd::new("CLIENT").arg("ID").query(&client),
        )
        .await
        .unwrap();
        assert_ne!(new_id, id, "still on the stalled connection");
        assert!(rig.proxy.stats().accepted > accepted);
        // The INCR was held in the stall and may land afterwards, but once.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let n: Option<i64> = admin.get("stall:n").await.unwrap();
        assert!(n.unwrap_or(0) <= 1, "INCR applied {n:?} times");
    }
);

each_rig!(
    cut_reply_fails_the_command_then_recovers,
    |rig: Rig| async move {
        let client = rig.client().await;
        let admin = rig.admin().await;
        // A write whose reply is cut: a connection error, applied once.
        rig.proxy.cut_next_reply();
        let err = bounded("INCRBY", WRITE_BUDGET, client.incrby("cut:n", 1))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Io | ErrorKind::Protocol | ErrorKind::Closed
            ),
            "{err}"
        );
        assert_eq!(rig.proxy.stats().cut, 1);
        assert_eq!(admin.get::<i64>("cut:n").await.unwrap(), 1);
        let n = bounded("INCRBY", WRITE_BUDGET, client.incrby("cut:n", 1))
            .await
            .unwrap();
        assert_eq!(n, 2);

        // A large read cut mid-bulk string: retried, the right value.
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        client.set("cut:big", &big[..]).await.unwrap();
        rig.proxy.cut_next_reply();
        let got: Vec<u8> = read("GET", client.get("cut:big")).await.unwrap();
        assert_eq!(got, big);
        assert_eq!(rig.proxy.stats().cut, 2);

        // Without retries the cut read is an error, never a short value.
        let no_retry = rig.connect(rig.config().with_retry(Retry::never())).await;
        rig.proxy.cut_next_reply();
        let err = bounded("GET", WRITE_BUDGET, no_retry.get::<Vec<u8>>("cut:big"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Io | ErrorKind::Protocol | ErrorKind::Closed
            ),
            "{err}"
        );
        assert_heals(&no_retry, "cut:healed").await;
        assert_heals(&client, "cut:healed").await;
    }
);

each_rig!(
    black_holed_reconnect_times_out_then_recovers,
    |rig: Rig| async move {
        let client = rig.client().await;
        client.set("hole:k", "v").await.unwrap();
        rig.proxy.black_hole();
        rig.proxy.drop_all().await;
        // The reconnect is accepted and never answered.
        for _ in 0..2 {
            let err = read("GET", client.get::<String>("hole:k"))
                .await
                .unwrap_err();
            assert_black_hole_error(&err);
        }
        let err = bounded("SET", WRITE_BUDGET, client.set("hole:k", "w"))
            .await
            .unwrap_err();
        assert_black_hole_error(&err);
        assert!(rig.proxy.stats().black_holed >= 1);
        // A new client cannot connect either, and says so in time: RESP2
        // sends HELLO on connect too.
        let connected = bounded(
            "Client::connect",
            CONNECT_TIMEOUT,
            Client::connect(rig.config()),
        )
        .await;
        let err = connected
            .err()
            .unwrap_or_else(|| panic!("{:?} connected through a black hole", rig.protocol));
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
        rig.proxy.normal().await;
        assert_heals(&client, "hole:healed").await;
    }
);

each_rig!(
    refused_reconnect_fails_fast_then_recovers,
    |rig: Rig| async move {
        let client = rig.client().await;
        client.set("refuse:k", "v").await.unwrap();
        rig.proxy.refuse().await;
        rig.proxy.drop_all().await;
        let err = read("GET", client.get::<String>("refuse:k"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{err}");
        let err = bounded("SET", WRITE_BUDGET, client.set("refuse:k", "w"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{err}");
        let err = bounded(
            "Client::connect",
            CONNECT_TIMEOUT,
            Client::connect(rig.config()),
        )
        .await
        .expect_err("connected to a closed port");
        assert_eq!(err.kind(), ErrorKind::Io, "{err}");
        rig.proxy.normal().await;
        assert_heals(&client, "refuse:healed").await;
        // The refused SET never left the client.
        let got: String = client.get("refuse:k").await.unwrap();
        assert_eq!(got, "v");
    }
);

each_rig!(server_down_behind_the_proxy, |mut rig: Rig| async move {
    let client = rig.client().await;
    client.set("down:k", "v").await.unwrap();
    rig.server.kill();
    // The proxy accepts and closes at once: a connection error, promptly.
    let err = read("GET", client.get::<String>("down:k"))
        .await
        .unwrap_err();
    assert!(is_connection_failure(&err), "{err}");
    assert!(err.is_connection_error(), "{err}");
    rig.server.restart();
    assert_heals(&client, "down:healed").await;
    assert!(rig.proxy.stats().upstream_failed >= 1);
});

each_rig!(pooled_connections_after_drop_all, |rig: Rig| async move {
    let client = rig.client().await;
    let conn = client.dedicated().await.unwrap();
    let pong: String = Cmd::new("PING").query(&conn).await.unwrap();
    assert_eq!(pong, "PONG");
    // Back to the pool, idle, when the network drops it.
    drop(conn);
    rig.proxy.drop_all().await;
    // The pool does not check an idle connection before the health check
    // interval, so the first one out may be the dead one: a connection
    // error, and the next one is fresh.
    let mut served = false;
    for _ in 0..2 {
        let conn = bounded(
            "Client::dedicated",
            WRITE_BUDGET + CONNECT_TIMEOUT,
            client.dedicated(),
        )
        .await
        .unwrap();
        match bounded(
            "PING",
            WRITE_BUDGET,
            Cmd::new("PING").query::<String>(&conn),
        )
        .await
        {
            Ok(pong) => {
                assert_eq!(pong, "PONG");
                served = true;
                break;
            }
            Err(error) => assert!(error.is_connection_error(), "{error}"),
        }
    }
    assert!(served, "the pool handed out a dead connection twice");
    // Blocking commands and WATCH transactions take pooled connections too.
    let popped: Option<(String, String)> = bounded(
        "BLPOP",
        WRITE_BUDGET + Duration::from_secs(1),
        Cmd::new("BLPOP").arg("pool:list").arg(0.2).query(&client),
    )
    .await
    .unwrap();
    assert_eq!(popped, None);
    let (_, n): (String, i64) = bounded(
        "Client::transaction",
        CONNECT_TIMEOUT + WRITE_BUDGET * 4,
        client.transaction(&["pool:n"], |conn| async move {
            let now: Option<i64> = Cmd::new("GET").arg("pool:n").query(&conn).await?;
            let tx = Transaction::new()
                .command(Cmd::new("SET").arg("pool:n").arg(now.unwrap_or(0) + 1))
                .command(Cmd::new("GET").arg("pool:n"));
            Ok(tx)
        }),
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
});
