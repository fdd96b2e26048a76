//! Whatever else is sent on the shared connection, every caller receives its
//! own reply or an error, never another caller's (issue 46): arbitrary
//! commands (arbitrary names and arguments, empty ones included) go out
//! concurrently from many tasks on one `Client`, interleaved with commands
//! whose reply identifies them (`ECHO` of a unique token, `GET` of a key
//! holding its own name). A command the server does not answer would shift
//! every later reply onto the wrong caller; the client must refuse it, or
//! notice at its timeout and drop the connection.
//!
//! And a reply lost on the way (a proxy swallows it) is found out when its
//! command times out: sequential callers after it get their own replies, on
//! a new connection, instead of timing out one after another for good.
//!
//! Runs on Redis 8.2, RESP3 and RESP2, one after the other in one test: the
//! arbitrary commands write junk keys, so they run in a database of their
//! own ([`DB`]) that the test empties before and after, and two runs at once
//! would empty it under each other.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use redis_core::{Client, Cmd, Config, ErrorKind, Protocol, Value};
use redis_tests::{Ctx, FaultProxy, Setup, servers};

/// The database the arbitrary commands write their junk to; no other suite
/// uses it on the shared servers.
const DB: i64 = 9;

/// Cases per protocol: enough to meet empty names, empty argument lists,
/// refused and unknown commands many times over, few enough that the
/// property takes a few seconds.
const CASES: u32 = 64;

/// Tasks sending at once, each its share of a case's commands.
const TASKS: usize = 16;

/// Keys holding their own names, for `GET`s whose reply identifies them.
const OWN_KEYS: usize = 32;

/// How long an arbitrary command may wait for its reply: a command the
/// server does not answer times out this soon, and the client must then
/// prove the connection in step before handing out later replies.
const ARBITRARY_TIMEOUT: Duration = Duration::from_millis(300);

/// How long the client may take to serve again after a case, once every
/// task is done (a case can end with the connection being replaced). A
/// bound that turns a client that never recovers into a failure.
const RECOVERY_BOUND: Duration = Duration::from_secs(5);

/// Names never sent, in any ASCII case (Redis ignores it). Not because the
/// client must survive them less, but because they would damage the test
/// or the shared server other suites use at the same time, or only make the
/// property slow:
///
/// - the server itself: SHUTDOWN, DEBUG (SLEEP, SEGFAULT), CONFIG (SET
///   maxmemory 1), ACL (SETUSER default off), MODULE (UNLOAD), FAILOVER,
///   REPLICAOF / SLAVEOF, SYNC / PSYNC / REPLCONF (a replication stream),
///   SAVE / BGSAVE / BGREWRITEAOF (disk work), CLUSTER, MIGRATE;
/// - other databases and other suites' data: FLUSHALL, FLUSHDB (our own
///   identifying keys), SWAPDB, MOVE, COPY (with DB), SCRIPT and FUNCTION
///   (FLUSH), EVAL and FCALL in every form, and module commands (a `.` in
///   the name: FT.DROPINDEX and the like);
/// - other connections: CLIENT (KILL, PAUSE; REPLY, TRACKING are refused by
///   the client anyway), MONITOR, the SUBSCRIBE family (refused too), QUIT
///   and RESET (close or reset the shared connection: errors for everyone,
///   which is allowed, but slow);
/// - waiting by design: the blocking commands, WAIT, WAITAOF (they would
///   only time out or sit on a dedicated connection);
/// - huge allocations on the server from a number in the arguments:
///   SETRANGE, SETBIT, BITFIELD, LOLWUT, PFSELFTEST.
const DENIED: &[&str] = &[
    "SHUTDOWN",
    "DEBUG",
    "CONFIG",
    "ACL",
    "MODULE",
    "FAILOVER",
    "REPLICAOF",
    "SLAVEOF",
    "SYNC",
    "PSYNC",
    "REPLCONF",
    "SAVE",
    "BGSAVE",
    "BGREWRITEAOF",
    "CLUSTER",
    "MIGRATE",
    "FLUSHALL",
    "FLUSHDB",
    "SWAPDB",
    "MOVE",
    "COPY",
    "SCRIPT",
    "FUNCTION",
    "EVAL",
    "EVALSHA",
    "EVAL_RO",
    "EVALSHA_RO",
    "FCALL",
    "FCALL_RO",
    "CLIENT",
    "MONITOR",
    "SUBSCRIBE",
    "PSUBSCRIBE",
    "SSUBSCRIBE",
    "QUIT",
    "RESET",
    "BLPOP",
    "BRPOP",
    "BRPOPLPUSH",
    "BLMOVE",
    "BLMPOP",
    "BZPOPMIN",
    "BZPOPMAX",
    "BZMPOP",
    "XREAD",
    "XREADGROUP",
    "WAIT",
    "WAITAOF",
    "SETRANGE",
    "SETBIT",
    "BITFIELD",
    "LOLWUT",
    "PFSELFTEST",
];

/// Real command names, so that arbitrary arguments meet real commands
/// (most random names are only unknown commands): reads, writes, commands
/// the client refuses on the shared connection (SELECT, HELLO, WATCH, AUTH,
/// MULTI without EXEC), EXEC and DISCARD without MULTI, and ECHO and GET
/// themselves with the wrong number of arguments.
const NAMES: &[&str] = &[
    "GET", "SET", "ECHO", "PING", "DEL", "EXISTS", "INCR", "INCRBY", "LPUSH", "RPUSH", "LRANGE",
    "LPOP", "HSET", "HGET", "HGETALL", "SADD", "SMEMBERS", "ZADD", "ZRANGE", "EXPIRE", "TTL",
    "TYPE", "APPEND", "STRLEN", "MGET", "MSET", "GETDEL", "OBJECT", "DBSIZE", "TIME", "SELECT",
    "HELLO", "WATCH", "UNWATCH", "AUTH", "MULTI", "EXEC", "DISCARD", "PUBLISH", "KEYS", "SCAN",
];

fn denied(name: &str) -> bool {
    name.contains('.') || DENIED.iter().any(|d| name.eq_ignore_ascii_case(d))
}

/// A command as arbitrary as `Cmd` lets it be: its name is text (arbitrary
/// bytes made UTF-8, control characters, CR LF and NUL included), its
/// arguments are any bytes.
#[derive(Debug, Clone)]
struct Arbitrary {
    name: String,
    args: Vec<Vec<u8>>,
}

impl Arbitrary {
    fn cmd(&self) -> Cmd {
        let cmd = Cmd::new(&self.name).with_timeout(ARBITRARY_TIMEOUT);
        self.args.iter().fold(cmd, |cmd, arg| cmd.arg(&arg[..]))
    }
}

fn name() -> impl Strategy<Value = String> {
    let random = vec(any::<u8>(), 0..8).prop_map(|b| String::from_utf8_lossy(&b).into_owned());
    let real = (proptest::sample::select(NAMES), any::<bool>()).prop_map(|(name, lower)| {
        if lower {
            name.to_ascii_lowercase()
        } else {
            name.to_owned()
        }
    });
    prop_oneof![
        2 => random,
        1 => Just(String::new()),
        3 => real,
    ]
    .prop_filter("a denied name", |name| !denied(name))
}

fn arbitrary() -> impl Strategy<Value = Arbitrary> {
    let args = prop_oneof![
        1 => Just(Vec::new()),
        3 => vec(vec(any::<u8>(), 0..12), 0..4),
    ];
    (name(), args).prop_map(|(name, args)| Arbitrary { name, args })
}

/// What the identifying commands of one case found wrong.
type Violations = Vec<String>;

/// One identifying `ECHO` and one `GET`: each must come back with its own
/// token or key, or fail.
async fn identify(client: &Client, token: String, key: &str) -> Violations {
    let echo = Cmd::new("ECHO").arg(&token);
    let get = Cmd::new("GET").arg(key);
    let (echo, get) = tokio::join!(echo.query::<Value>(client), get.query::<Value>(client));
    let mut wrong = Vec::new();
    for (sent, expected, got) in [("ECHO", token.as_str(), echo), ("GET", key, get)] {
        match got {
            Ok(Value::BulkString(text)) if text == expected.as_bytes() => {}
            Ok(other) => wrong.push(format!("{sent} {expected:?} received {other:?}")),
            Err(_) => {}
        }
    }
    wrong
}

/// Sends a case's commands from [`TASKS`] tasks at once, each arbitrary
/// command together with an identifying ECHO and GET.
async fn run_case(client: &Client, keys: &[String], case: Vec<Arbitrary>) -> Violations {
    let mut shares: Vec<Vec<Arbitrary>> = vec![Vec::new(); TASKS];
    for (i, command) in case.into_iter().enumerate() {
        shares[i % TASKS].push(command);
    }
    let tasks: Vec<_> = shares
        .into_iter()
        .enumerate()
        .map(|(task, share)| {
            let client = client.clone();
            let keys = keys.to_vec();
            tokio::spawn(async move {
                let mut wrong = Vec::new();
                for (i, command) in share.into_iter().enumerate() {
                    let token = format!("token:{task}:{i}:{:016x}", fastrand::u64(..));
                    let key = &keys[(task + i) % keys.len()];
                    let sent = command.cmd().query::<Value>(&client);
                    let (_, found) = tokio::join!(sent, identify(&client, token, key));
                    wrong.extend(found);
                }
                wrong
            })
        })
        .collect();
    let mut wrong = Vec::new();
    for task in tasks {
        wrong.extend(task.await.unwrap());
    }
    wrong
}

/// After a case the client serves its callers again, within
/// [`RECOVERY_BOUND`].
async fn serves_again(client: &Client, keys: &[String]) -> Violations {
    let started = std::time::Instant::now();
    loop {
        let token = format!("after:{:016x}", fastrand::u64(..));
        let echo = Cmd::new("ECHO").arg(&token).query::<String>(client).await;
        let get = Cmd::new("GET").arg(&keys[0]).query::<String>(client).await;
        match (echo, get) {
            (Ok(echo), Ok(get)) if echo == token && get == keys[0] => return Vec::new(),
            (Ok(echo), _) if echo != token => return vec![format!("ECHO {token:?}: {echo:?}")],
            (_, Ok(get)) if get != keys[0] => return vec![format!("GET {:?}: {get:?}", keys[0])],
            _ if started.elapsed() > RECOVERY_BOUND => {
                return vec![format!("not serving again after {RECOVERY_BOUND:?}")];
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Empties [`DB`] of what the arbitrary commands wrote.
async fn flush_junk(ctx: &Ctx) {
    let admin = ctx.connect(ctx.config().with_db(DB)).await;
    Cmd::new("FLUSHDB").query::<()>(&admin).await.unwrap();
    admin.close().await;
}

#[test]
fn every_caller_receives_its_own_reply_or_an_error_whatever_else_is_sent() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for setup in [Setup::REDIS8_RESP3, Setup::REDIS8_RESP2] {
        let protocol = setup.protocol;
        let ctx = runtime.block_on(Ctx::new("in_step", setup));
        runtime.block_on(flush_junk(&ctx));
        let config = ctx
            .config()
            .with_db(DB)
            .with_response_timeout(Some(Duration::from_secs(2)));
        let client = runtime.block_on(ctx.connect(config));
        let keys: Vec<String> = (0..OWN_KEYS)
            .map(|i| ctx.key(&format!("own:{i}")))
            .collect();
        runtime.block_on(async {
            for key in &keys {
                Cmd::new("SET")
                    .arg(key)
                    .arg(key)
                    .query::<()>(&client)
                    .await
                    .unwrap();
            }
        });
        let mut runner = TestRunner::new(ProptestConfig {
            cases: CASES,
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        let result = runner.run(&vec(arbitrary(), 1..64), |case| {
            let mut wrong = runtime.block_on(run_case(&client, &keys, case));
            if wrong.is_empty() {
                wrong = runtime.block_on(serves_again(&client, &keys));
            }
            if wrong.is_empty() {
                Ok(())
            } else {
                Err(TestCaseError::fail(format!("{protocol:?}: {wrong:#?}")))
            }
        });
        runtime.block_on(async {
            client.close().await;
            flush_junk(&ctx).await;
        });
        if let Err(failure) = result {
            panic!("{protocol:?}: {failure}");
        }
    }
}

/// The reply timeout of the client behind the swallowing proxy.
const SHORT_TIMEOUT: Duration = Duration::from_millis(300);

/// From the lost reply's timeout to a caller getting its own reply again:
/// the probe's round trip and one reconnect. Generous: it turns a client
/// that never recovers into a failure (measured: a few milliseconds).
const SWALLOW_RECOVERY_BOUND: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_lost_on_the_way_is_found_out_at_the_timeout() {
    for setup in [Setup::REDIS8_RESP3, Setup::REDIS8_RESP2] {
        let ctx = Ctx::new("in_step_swallowed", setup).await;
        let proxy = FaultProxy::start(servers().redis8()).await.unwrap();
        let proto = match setup.protocol {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        };
        let config = Config::from_url(&format!("{}/?protocol={proto}", proxy.url()))
            .unwrap()
            .with_response_timeout(Some(SHORT_TIMEOUT));
        let client = ctx.connect(config).await;
        let keys: Vec<String> = (0..8).map(|i| ctx.key(&format!("own:{i}"))).collect();
        for key in &keys {
            Cmd::new("SET")
                .arg(key)
                .arg(key)
                .query::<()>(&client)
                .await
                .unwrap();
        }
        proxy.swallow_next_reply();
        let lost = Cmd::new("GET").arg(&keys[0]).query::<Value>(&client).await;
        assert_eq!(lost.unwrap_err().kind(), ErrorKind::Timeout, "{setup:?}");
        assert_eq!(proxy.stats().swallowed, 1, "{setup:?}");
        let timed_out = std::time::Instant::now();
        // One caller after the other: with the connection one reply behind,
        // each would get the reply before its own, or time out, for good.
        let mut recovered = None;
        for round in 0..24 {
            let key = &keys[round % keys.len()];
            match Cmd::new("GET").arg(key).query::<Value>(&client).await {
                Ok(Value::BulkString(text)) if text == key.as_bytes() => {
                    recovered.get_or_insert(timed_out.elapsed());
                }
                Ok(other) => panic!("{setup:?}: GET {key} received {other:?}"),
                Err(error) => assert!(
                    recovered.is_none(),
                    "{setup:?}: failed after recovering: {error}"
                ),
            }
        }
        let recovered = recovered.unwrap_or_else(|| panic!("{setup:?}: never recovered"));
        eprintln!("{setup:?}: serving its own replies {recovered:?} after the timeout");
        assert!(
            recovered < SWALLOW_RECOVERY_BOUND,
            "{setup:?}: {recovered:?}"
        );
        assert_eq!(proxy.stats().accepted, 2, "{setup:?}: one reconnect");
        client.close().await;
    }
}
