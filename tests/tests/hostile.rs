//! The client against a hostile server: lengths that lie, malformed frames,
//! replies that are truncated, unsolicited, late or missing; and the valid
//! but rare RESP3 frames a complete decoder handles. Each case checks the
//! error (or the value), that the client allocated nothing near a size the
//! server claimed, and that the same `Client` then serves again. A panic in
//! the client's connection task would show as that last check failing.
//!
//! RESP2 frame types are tried on both protocols, RESP3-only types on RESP3.
//!
//! # Counting memory
//!
//! This binary's global allocator counts live heap bytes and their peak. The
//! allocations that matter happen on the runtime's worker threads (the
//! client's connection task) and in the fake server's tasks, not on the
//! test's own thread, so per-thread counters would miss them. Instead every
//! test holds one process-wide lock from its first line ([`one_at_a_time`]):
//! tests run one after the other, so the peak growth measured during a case
//! is that case's (a test builds its large inputs under the lock, before its
//! cases measure). Each case closes its client before the next one starts,
//! so nothing it allocated is freed during the next, where it would hide
//! that one's growth.

#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use bytes::Bytes;
use peak_alloc::PeakAlloc;
use redis_core::retry::Retry;
use redis_core::{
    Client, Cmd, ConnectionEvent, Error, ErrorKind, FromValue, Protocol, Result, Value,
};
use redis_tests::{HostileServer, Script, Then};
use tokio::sync::{Mutex, MutexGuard};

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

static ONE_TEST_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// Every test's first line: the heap counts are process-wide.
async fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_TEST_AT_A_TIME.lock().await
}

/// The most the heap may grow during a case, everything included (the fake
/// server, both connections, the runtime's timers). Every claimed size below
/// is 512 MiB or more.
const MEMORY_BOUND: usize = 8 * 1024 * 1024;

/// The per-command timeout of a `GET` whose reply does not come.
const GET_TIMEOUT: Duration = Duration::from_millis(200);

const BOTH: &[Protocol] = &[Protocol::Resp3, Protocol::Resp2];

/// The protocols a hostile frame is tried on: RESP2 types on both, RESP3
/// types on RESP3 only.
fn protocols_for(input: &[u8]) -> &'static [Protocol] {
    match input {
        [_, b'?', ..] => &[Protocol::Resp3],
        [b'*' | b'$' | b':' | b'+' | b'-', ..] => BOTH,
        _ => &[Protocol::Resp3],
    }
}

/// Shows the start of a hostile input in assertion messages.
fn show(input: &[u8]) -> String {
    format!(
        "{:?}",
        String::from_utf8_lossy(&input[..input.len().min(48)])
    )
}

fn bulk(text: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(text.as_bytes()))
}

fn simple(text: &str) -> Value {
    Value::SimpleString(Bytes::copy_from_slice(text.as_bytes()))
}

/// One client on one fresh hostile server, with the heap watched.
struct Case {
    client: Client,
    server: HostileServer,
    baseline: usize,
    what: String,
}

impl Case {
    async fn start(protocol: Protocol, script: Script, what: String) -> Case {
        Case::start_with(protocol, script, what, Retry::never()).await
    }

    async fn start_with(protocol: Protocol, script: Script, what: String, retry: Retry) -> Case {
        assert!(
            ONE_TEST_AT_A_TIME.try_lock().is_err(),
            "{what}: call one_at_a_time() first"
        );
        ALLOCATOR.reset_peak_usage();
        let baseline = ALLOCATOR.current_usage();
        let server = HostileServer::start(protocol, script).await;
        let client = Client::connect(server.config().with_retry(retry))
            .await
            .unwrap_or_else(|e| panic!("{what}: the handshake failed: {e}"));
        Case {
            client,
            server,
            baseline,
            what: format!("{what} on {protocol:?}"),
        }
    }

    /// `GET x`: the first real command, the one the script answers.
    async fn get<T: FromValue>(&self) -> Result<T> {
        Cmd::new("GET").arg("x").query(&self.client).await
    }

    /// `GET x` with a short per-command timeout, for replies that do not come.
    async fn get_briefly(&self) -> Result<Value> {
        Cmd::new("GET")
            .arg("x")
            .with_timeout(GET_TIMEOUT)
            .query(&self.client)
            .await
    }

    /// The first `GET` fails with `kind`, naming the command.
    async fn get_fails_with(&self, kind: ErrorKind) -> Error {
        let result = if kind == ErrorKind::Timeout {
            self.get_briefly().await
        } else {
            self.get::<Value>().await
        };
        let what = &self.what;
        let err = result.expect_err(&format!("{what}: GET succeeded"));
        assert_eq!(err.kind(), kind, "{what}: {err}");
        assert_eq!(err.command(), Some("GET"), "{what}: {err}");
        if kind == ErrorKind::Timeout {
            let limit = format!("{GET_TIMEOUT:?}");
            assert!(err.to_string().contains(&limit), "{what}: {err}");
        }
        err
    }

    /// The same client answers commands again, with their own replies.
    async fn serves_again(&self) {
        let what = &self.what;
        let pong: String = Cmd::new("PING")
            .query(&self.client)
            .await
            .unwrap_or_else(|e| panic!("{what}: PING afterwards: {e}"));
        assert_eq!(pong, "PONG", "{what}");
        Cmd::new("SET")
            .arg("k")
            .arg("after")
            .query::<()>(&self.client)
            .await
            .unwrap_or_else(|e| panic!("{what}: SET afterwards: {e}"));
        let after: String = Cmd::new("GET")
            .arg("k")
            .query(&self.client)
            .await
            .unwrap_or_else(|e| panic!("{what}: GET afterwards: {e}"));
        assert_eq!(after, "after", "{what}");
    }

    /// Checks the heap's peak growth over the whole case, then closes the
    /// client (waiting for its task to end) before the next case may start.
    async fn finish(self) {
        let growth = ALLOCATOR.peak_usage().saturating_sub(self.baseline);
        assert!(
            growth < MEMORY_BOUND,
            "{}: the heap grew by {growth} bytes at its peak (bound {MEMORY_BOUND})",
            self.what
        );
        self.client.close().await;
    }
}

/// The first `GET` is answered with `input` (then silence, or a close) and
/// fails with `kind`, its message saying `says`; the misbehaving connection
/// is then gone and the same client serves again on a new one.
async fn fails_then_recovers(input: &[u8], then: Then, kind: ErrorKind, says: &str) {
    for &protocol in protocols_for(input) {
        let what = format!("{} then {then:?}", show(input));
        let case = Case::start(protocol, Script::reply(input).then(then), what).await;
        let err = case.get_fails_with(kind).await;
        assert!(err.to_string().contains(says), "{}: {err}", case.what);
        if kind == ErrorKind::Protocol {
            // The server's fault, said so, not a lost connection.
            assert!(
                err.to_string()
                    .contains("sent a reply that is not valid RESP"),
                "{}: {err}",
                case.what
            );
        }
        case.server.closed(0).await;
        case.serves_again().await;
        assert_eq!(case.server.connections(), 2, "{}", case.what);
        case.finish().await;
    }
}

async fn each_fails(inputs: &[&[u8]], thens: &[Then], kind: ErrorKind, says: &str) {
    for input in inputs {
        for &then in thens {
            fails_then_recovers(input, then, kind, says).await;
        }
    }
}

// ---- Lengths that lie ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lengths_beyond_the_decoder_limits_are_protocol_errors() {
    let _turn = one_at_a_time().await;
    let inputs: [&[u8]; 9] = [
        b"*4294967295\r\n:1\r\n:2\r\n",
        b"$2147483647\r\nhello",
        b"%4294967295\r\n+k\r\n+v\r\n",
        b"~4294967295\r\n:1\r\n",
        b">4294967295\r\n+message\r\n",
        b"|4294967295\r\n+k\r\n+v\r\n",
        b"!2147483647\r\nERR",
        b"=2147483647\r\ntxt:hello",
        b"$?\r\n;2147483647\r\nhello",
    ];
    each_fails(
        &inputs,
        &[Then::Silence, Then::Close],
        ErrorKind::Protocol,
        "exceeds the limit",
    )
    .await;
}

/// Claims the decoder accepts (up to 512 MiB of bulk, `i32::MAX` elements):
/// the client waits for data that never comes, without reserving the claim.
const CLAIMS_WITHIN_LIMITS: [&[u8]; 5] = [
    b"*2147483647\r\n:1\r\n:2\r\n",
    b"$536870912\r\nhello",
    b"%2147483647\r\n+k\r\n:1\r\n",
    b"~2147483647\r\n:1\r\n",
    b"$?\r\n;536870912\r\nhello",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lengths_within_the_limits_then_silence_time_out_without_reserving_the_claim() {
    let _turn = one_at_a_time().await;
    each_fails(
        &CLAIMS_WITHIN_LIMITS,
        &[Then::Silence],
        ErrorKind::Timeout,
        "no reply",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lengths_within_the_limits_then_a_close_are_connection_errors() {
    let _turn = one_at_a_time().await;
    each_fails(
        &CLAIMS_WITHIN_LIMITS,
        &[Then::Close],
        ErrorKind::Io,
        "closed the connection",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_and_overflowing_lengths_are_protocol_errors() {
    let _turn = one_at_a_time().await;
    let inputs: [&[u8]; 10] = [
        b"*-5\r\n",
        b"$-7\r\n",
        b"%-1\r\n",
        b"~-2\r\n",
        b";-1\r\n",
        b"*99999999999999999999\r\n:1\r\n",
        b"$99999999999999999999\r\nhello\r\n",
        b"%18446744073709551616\r\n",
        b"$?\r\n;18446744073709551616\r\n",
        b"*+5\r\n",
    ];
    each_fails(
        &inputs,
        &[Then::Silence],
        ErrorKind::Protocol,
        "invalid length",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nesting_beyond_the_depth_limit_is_a_protocol_error() {
    let _turn = one_at_a_time().await;
    let deep = |level: &str| level.repeat(100_000).into_bytes();
    let inputs = [
        deep("*1\r\n"),
        deep("%1\r\n+k\r\n"),
        deep("~1\r\n"),
        deep("*?\r\n"),
        deep("|1\r\n+k\r\n+v\r\n"),
    ];
    for input in &inputs {
        fails_then_recovers(input, Then::Close, ErrorKind::Protocol, "nested deeper").await;
    }
}

// ---- Malformed frames ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_integers_doubles_and_booleans_are_protocol_errors() {
    let _turn = one_at_a_time().await;
    let inputs: [&[u8]; 18] = [
        b":12a\r\n",
        b":\r\n",
        b":9223372036854775808\r\n",
        b":1.5\r\n",
        b":--1\r\n",
        b",1.2.3\r\n",
        b",abc\r\n",
        b",\r\n",
        b",1,5\r\n",
        b", 1\r\n",
        b"#x\r\n",
        b"#\r\n",
        b"#tt\r\n",
        b"#T\r\n",
        b"(12a\r\n",
        b"(\r\n",
        b"(-\r\n",
        b"_x\r\n",
    ];
    each_fails(&inputs, &[Then::Silence], ErrorKind::Protocol, "invalid").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_strings_streams_and_type_bytes_are_protocol_errors() {
    let _turn = one_at_a_time().await;
    let cases: [(&[u8], &str); 11] = [
        (b"+\xff\xfe\r\n", "not UTF-8"),
        (b"=5\r\nabcde\r\n", "without a `xxx:` format"),
        (b"=3\r\ntxt\r\n", "shorter than its format prefix"),
        (b"$?\r\n:1\r\n", "expected a `;` chunk"),
        (b";4\r\nabcd\r\n", "chunk outside a streamed string"),
        (b".\r\n", "outside a streamed aggregate"),
        (b"%?\r\n+k\r\n.\r\n", "after a map key"),
        (b"*?\r\n|1\r\n+a\r\n+b\r\n.\r\n", "after a map key"),
        (b"|?\r\n", "invalid length"),
        (b"@what\r\n", "unknown RESP type byte '@'"),
        (b"\r\n", "empty line"),
    ];
    for (input, says) in cases {
        fails_then_recovers(input, Then::Silence, ErrorKind::Protocol, says).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_missing_its_crlf_is_a_protocol_error() {
    let _turn = one_at_a_time().await;
    let inputs: [&[u8]; 3] = [b"$3\r\nfooXY\r\n", b"$3\r\nfoo:1\r\n", b":1\rX\r\n"];
    each_fails(
        &inputs,
        &[Then::Silence, Then::Close],
        ErrorKind::Protocol,
        "CR",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_without_crlf_is_cut_at_the_line_limit() {
    let _turn = one_at_a_time().await;
    let mut endless = b"+".to_vec();
    endless.resize(1024 * 1024, b'a');
    fails_then_recovers(&endless, Then::Silence, ErrorKind::Protocol, "longer than").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfinished_line_then_silence_times_out() {
    let _turn = one_at_a_time().await;
    fails_then_recovers(b"+OK", Then::Silence, ErrorKind::Timeout, "no reply").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_lf_is_a_protocol_error() {
    let _turn = one_at_a_time().await;
    let inputs: [&[u8]; 4] = [b"+OK\n", b"\n", b":1\n", b"$3\nfoo\n"];
    each_fails(
        &inputs,
        &[Then::Silence],
        ErrorKind::Protocol,
        "LF without CR",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_frame_then_a_close_is_a_connection_error() {
    let _turn = one_at_a_time().await;
    let inputs: [&[u8]; 6] = [
        b"*3\r\n:1\r\n:2\r\n",
        b"$10\r\nhel",
        b"+OK",
        b"+OK\r",
        b"%1\r\n+k\r\n",
        b"$?\r\n;4\r\nHell\r\n",
    ];
    each_fails(
        &inputs,
        &[Then::Close],
        ErrorKind::Io,
        "closed the connection",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_command_cut_off_by_a_close_is_retried_by_default() {
    let _turn = one_at_a_time().await;
    for &protocol in BOTH {
        let script = Script::reply(b"$10\r\nhel").then(Then::Close);
        let what = "a GET cut off by a close".to_owned();
        let case = Case::start_with(protocol, script, what, Retry::default()).await;
        let value = case.get::<Value>().await.unwrap();
        assert_eq!(value, Value::Nil, "{}", case.what);
        let gets: Vec<usize> = case
            .server
            .commands()
            .into_iter()
            .filter(|c| c.args[0] == "GET")
            .map(|c| c.connection)
            .collect();
        assert_eq!(gets, [0, 1], "{}: sent once per connection", case.what);
        case.serves_again().await;
        case.finish().await;
    }
}

// ---- Push frames ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_frame_on_resp2_is_a_protocol_error() {
    let _turn = one_at_a_time().await;
    let script = Script::reply(b">2\r\n+message\r\n+hi\r\n$5\r\nhello\r\n");
    let case = Case::start(Protocol::Resp2, script, "a push frame".to_owned()).await;
    let err = case.get_fails_with(ErrorKind::Protocol).await;
    // Named as what it is: a well-formed frame of the other protocol.
    let server = case.server.addr().to_string();
    assert!(
        err.to_string().contains(&format!(
            "the server at {server} sent a RESP3 push frame on a RESP2 connection"
        )),
        "{err}"
    );
    assert!(!err.to_string().contains("not valid RESP"), "{err}");
    assert_eq!(err.node(), Some(server.as_str()), "{err:?}");
    case.server.closed(0).await;
    case.serves_again().await;
    case.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_frames_on_resp3_are_never_replies() {
    let _turn = one_at_a_time().await;
    let inputs: [&[u8]; 2] = [
        b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nx\r\n$5\r\nhello\r\n",
        // An attribute may precede any frame, a push frame included.
        b"|1\r\n+ttl\r\n:1\r\n>2\r\n+message\r\n+hi\r\n$5\r\nhello\r\n",
    ];
    for input in inputs {
        let case = Case::start(Protocol::Resp3, Script::reply(input), show(input)).await;
        let value = case.get::<Value>().await;
        assert_eq!(
            value.as_ref().ok(),
            Some(&bulk("hello")),
            "{}: {value:?}",
            case.what
        );
        case.serves_again().await;
        assert_eq!(case.server.connections(), 1, "{}", case.what);
        case.finish().await;
    }
}

// ---- Replies that match no command ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_reply_to_one_command_drops_the_connection() {
    let _turn = one_at_a_time().await;
    // Trickled, the two replies reach the client in separate reads; whole,
    // in one.
    for (protocol, trickled) in [
        (Protocol::Resp3, true),
        (Protocol::Resp2, true),
        (Protocol::Resp3, false),
        (Protocol::Resp2, false),
    ] {
        let script = Script::reply(b"$5\r\nfirst\r\n$6\r\nsecond\r\n");
        let (script, what) = if trickled {
            (script.trickled(), "two replies to one GET, trickled")
        } else {
            (script, "two replies to one GET, in one write")
        };
        let case = Case::start(protocol, script, what.to_owned()).await;
        let mut events = case.client.connection_events();
        let first: String = case
            .get()
            .await
            .unwrap_or_else(|e| panic!("{}: the answered GET failed: {e}", case.what));
        assert_eq!(first, "first", "{}", case.what);
        // Only the client can close it: this connection behaves otherwise.
        case.server.closed(0).await;
        // No command had the stray reply; the loss says what it was.
        let lost = loop {
            match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
                Ok(Some(ConnectionEvent::Lost { error, .. })) => break error,
                Ok(Some(_)) => {}
                other => panic!("{}: no Lost event: {other:?}", case.what),
            }
        };
        assert_eq!(lost.kind(), ErrorKind::Protocol, "{}: {lost}", case.what);
        assert!(
            lost.to_string()
                .contains("sent a reply when no command was waiting for one"),
            "{}: {lost}",
            case.what
        );
        assert!(
            !lost.to_string().contains("not valid RESP"),
            "{}: {lost}",
            case.what
        );
        case.serves_again().await;
        case.finish().await;
    }
}

/// A server that answers before it was asked (or a proxy a reply behind)
/// is caught by the handshake, whose last command is a second HELLO, whose
/// reply no other command's looks like: no command is ever handed a reply
/// that was not its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_sent_before_any_command_fails_the_handshake() {
    let _turn = one_at_a_time().await;
    for &protocol in BOTH {
        let server =
            HostileServer::start(protocol, Script::unprompted(b"$8\r\nsurprise\r\n")).await;
        let refused = Client::connect(server.config()).await;
        let err = refused.err().unwrap_or_else(|| {
            panic!("{protocol:?}: a client connected through an out-of-step handshake")
        });
        assert_eq!(err.kind(), ErrorKind::Protocol, "{protocol:?}: {err}");
        assert!(
            err.to_string().contains("out of step"),
            "{protocol:?}: {err}"
        );
        let addr = server.addr().to_string();
        assert_eq!(err.node(), Some(addr.as_str()), "{protocol:?}: {err:?}");
        server.closed(0).await;
        let after_handshake: Vec<String> = server
            .commands()
            .into_iter()
            .filter(|c| c.connection == 0)
            .map(|c| c.args[0].clone())
            .filter(|name| !["HELLO", "PING"].contains(&name.as_str()))
            .collect();
        assert!(
            after_handshake.is_empty(),
            "{protocol:?}: {after_handshake:?}"
        );

        // The next connection is in step, and so are its replies.
        let client = Client::connect(server.config()).await.unwrap();
        let echo: String = Cmd::new("ECHO").arg("mine").query(&client).await.unwrap();
        assert_eq!(echo, "mine", "{protocol:?}");
        client.close().await;
    }
}

/// Malformed bytes, and a push frame on RESP2, are the server's fault
/// on a dedicated connection and in the handshake too, worded as on the
/// shared connection and naming the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedicated_connections_and_the_handshake_blame_the_server() {
    let _turn = one_at_a_time().await;
    let malformed: &[u8] = b":12a\r\n";
    let push: &[u8] = b">2\r\n+message\r\n+hi\r\n";
    let cases: [(Protocol, &[u8], &str); 3] = [
        (
            Protocol::Resp3,
            malformed,
            "sent a reply that is not valid RESP",
        ),
        (
            Protocol::Resp2,
            malformed,
            "sent a reply that is not valid RESP",
        ),
        (
            Protocol::Resp2,
            push,
            "sent a RESP3 push frame on a RESP2 connection",
        ),
    ];
    for (protocol, input, says) in cases {
        let what = format!("{} on {protocol:?}", show(input));
        // The shared connection behaves; the dedicated one (the second
        // connection) answers its first command with `input`.
        let script = Script::reply(b"")
            .after(usize::MAX)
            .on_later_connections(Script::reply(input).then(Then::Silence));
        let server = HostileServer::start(protocol, script).await;
        let addr = server.addr().to_string();
        let client = Client::connect(server.config()).await.unwrap();
        let conn = client.dedicated().await.unwrap();
        let err = Cmd::new("GET")
            .arg("x")
            .query::<Value>(&conn)
            .await
            .expect_err(&what);
        assert_eq!(err.kind(), ErrorKind::Protocol, "{what}: {err}");
        assert!(
            err.to_string()
                .contains(&format!("the server at {addr} {says}")),
            "{what}: {err}"
        );
        assert_eq!(err.node(), Some(addr.as_str()), "{what}: {err:?}");
        drop(conn);
        client.close().await;

        // The same bytes before anything was asked: the handshake reads
        // them as the reply to its first command.
        let server = HostileServer::start(protocol, Script::unprompted(input)).await;
        let addr = server.addr().to_string();
        let err = Client::connect(server.config())
            .await
            .err()
            .unwrap_or_else(|| panic!("{what}: connected through a broken handshake"));
        assert_eq!(err.kind(), ErrorKind::Protocol, "{what}: {err}");
        assert!(
            err.to_string()
                .contains(&format!("the server at {addr} {says}")),
            "handshake, {what}: {err}"
        );
        assert_eq!(err.node(), Some(addr.as_str()), "{what}: {err:?}");
    }
}

/// A server that drops every new connection at once (here: the first one
/// breaks at its first command, and every later one answers before it was
/// asked) is not reconnected to in a tight loop: a connection lost that
/// soon counts as a failed attempt, and so does a handshake out of step, so
/// an idle client waits for a caller and then goes through the backoff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_drops_every_connection_is_not_hammered() {
    let _turn = one_at_a_time().await;
    let script = Script::reply(b"$5\r\nfirst\r\n$6\r\nsecond\r\n")
        .on_later_connections(Script::unprompted(b"$8\r\nsurprise\r\n"));
    let server = HostileServer::start(Protocol::Resp3, script).await;
    let client = Client::connect(server.config()).await.unwrap();
    let first: String = Cmd::new("GET").arg("k").query(&client).await.unwrap();
    assert_eq!(first, "first");
    server.closed(0).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.connections();
    assert!(idle <= 2, "{idle} connections in a second of idleness");

    // A caller makes it connect again: once or a few times, not thousands,
    // and it never gets the stray reply.
    let before = server.connections();
    let ping = tokio::time::timeout(
        Duration::from_secs(1),
        Cmd::new("PING").query::<Value>(&client),
    )
    .await;
    let tried = server.connections() - before;
    assert!(
        (1..=50).contains(&tried),
        "{tried} connections for one PING"
    );
    if let Ok(reply) = ping {
        assert!(reply.is_err(), "PING was answered with {reply:?}");
    }
}

// ---- Replies that are late or never come ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_reply_is_not_handed_to_the_next_command() {
    let _turn = one_at_a_time().await;
    for &protocol in BOTH {
        let script = Script::reply(b"$10\r\nlate reply\r\n").delayed(GET_TIMEOUT * 3);
        let case = Case::start(protocol, script, "a late reply".to_owned()).await;
        case.get_fails_with(ErrorKind::Timeout).await;
        let echo: String = Cmd::new("ECHO")
            .arg("next")
            .query(&case.client)
            .await
            .unwrap();
        assert_eq!(echo, "next", "{}", case.what);
        // Both went over the one connection: the late reply was read and
        // dropped in its place, not answered by a reconnect.
        assert_eq!(case.server.connections(), 1, "{}", case.what);
        case.serves_again().await;
        case.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_never_comes_times_out_and_the_silent_connection_is_replaced() {
    let _turn = one_at_a_time().await;
    for &protocol in BOTH {
        let case = Case::start(protocol, Script::never_reply(), "no reply".to_owned()).await;
        case.get_fails_with(ErrorKind::Timeout).await;
        case.server.closed(0).await;
        case.serves_again().await;
        assert_eq!(case.server.connections(), 2, "{}", case.what);
        case.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_command_queued_behind_a_reply_that_never_comes_is_retried() {
    let _turn = one_at_a_time().await;
    for &protocol in BOTH {
        let what = "a GET queued behind a silent one".to_owned();
        let case = Case::start_with(protocol, Script::never_reply(), what, Retry::default()).await;
        case.get_fails_with(ErrorKind::Timeout).await;
        // Sent on the silent connection before the client gives up on it;
        // the default policy retries a read-only command on the new one.
        let x: Option<String> = Cmd::new("GET")
            .arg("y")
            .query(&case.client)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.what));
        assert_eq!(x, None, "{}", case.what);
        case.serves_again().await;
        case.finish().await;
    }
}

// ---- Valid but rare RESP3 frames ----

/// The scripted frame, whole and then trickled a byte at a time, answers two
/// `GET`s: the first read as a `Value`, the second as `T`. The connection
/// then keeps serving, so the decoder kept its place in the stream.
async fn rare_frame<T: FromValue>(input: &[u8]) -> [(Result<Value>, Result<T>); 2] {
    let mut results = Vec::new();
    for trickled in [false, true] {
        let script = Script::reply(input).replies(2);
        let script = if trickled { script.trickled() } else { script };
        let what = format!("{}{}", show(input), if trickled { " trickled" } else { "" });
        let case = Case::start(Protocol::Resp3, script, what).await;
        let value = case.get::<Value>().await;
        let typed = case.get::<T>().await;
        case.serves_again().await;
        assert_eq!(case.server.connections(), 1, "{}", case.what);
        case.finish().await;
        results.push((value, typed));
    }
    results.try_into().ok().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attributes_come_with_their_value_and_typed_reads_look_through_them() {
    let _turn = one_at_a_time().await;
    for (value, typed) in rare_frame::<i64>(b"|1\r\n+key\r\n+val\r\n:42\r\n").await {
        let expected = Value::Attribute {
            attributes: vec![(simple("key"), simple("val"))],
            value: Box::new(Value::Integer(42)),
        };
        assert_eq!(value.unwrap(), expected);
        assert_eq!(typed.unwrap(), 42);
    }
    let nested = b"*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\na\r\n$1\r\nb\r\n";
    for (value, typed) in rare_frame::<Vec<String>>(nested).await {
        let annotated = Value::Attribute {
            attributes: vec![(simple("ttl"), Value::Integer(3600))],
            value: Box::new(bulk("a")),
        };
        assert_eq!(value.unwrap(), Value::Array(vec![annotated, bulk("b")]));
        assert_eq!(typed.unwrap(), ["a", "b"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_reply_with_attributes_is_still_an_error() {
    let _turn = one_at_a_time().await;
    for (value, typed) in rare_frame::<String>(b"|1\r\n+key\r\n+val\r\n-ERR boom\r\n").await {
        for err in [value.unwrap_err(), typed.unwrap_err()] {
            assert_eq!(err.kind(), ErrorKind::Server, "{err}");
            assert_eq!(err.code(), Some("ERR"), "{err}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_strings_are_reassembled() {
    let _turn = one_at_a_time().await;
    let input = b"$?\r\n;4\r\nHell\r\n;1\r\no\r\n;0\r\n";
    for (value, typed) in rare_frame::<String>(input).await {
        assert_eq!(value.unwrap(), bulk("Hello"));
        assert_eq!(typed.unwrap(), "Hello");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_aggregates_end_at_their_terminator() {
    let _turn = one_at_a_time().await;
    for (value, typed) in rare_frame::<Vec<i64>>(b"*?\r\n:1\r\n:2\r\n.\r\n").await {
        let expected = Value::Array(vec![Value::Integer(1), Value::Integer(2)]);
        assert_eq!(value.unwrap(), expected);
        assert_eq!(typed.unwrap(), [1, 2]);
    }
    let map = b"%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n";
    for (value, typed) in rare_frame::<HashMap<String, i64>>(map).await {
        let pairs = vec![
            (simple("a"), Value::Integer(1)),
            (simple("b"), Value::Integer(2)),
        ];
        assert_eq!(value.unwrap(), Value::Map(pairs));
        let expected = HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]);
        assert_eq!(typed.unwrap(), expected);
    }
    for (value, typed) in rare_frame::<HashSet<String>>(b"~?\r\n+x\r\n+y\r\n.\r\n").await {
        assert_eq!(value.unwrap(), Value::Set(vec![simple("x"), simple("y")]));
        let expected = HashSet::from(["x".to_owned(), "y".to_owned()]);
        assert_eq!(typed.unwrap(), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_errors_are_server_errors_with_their_code() {
    let _turn = one_at_a_time().await;
    for (value, typed) in rare_frame::<String>(b"!21\r\nSYNTAX invalid syntax\r\n").await {
        for err in [value.unwrap_err(), typed.unwrap_err()] {
            assert_eq!(err.kind(), ErrorKind::Server, "{err}");
            assert_eq!(err.code(), Some("SYNTAX"), "{err}");
            let message = err.server_error().map(|e| e.message().to_owned());
            assert_eq!(message.as_deref(), Some("invalid syntax"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbatim_strings_keep_their_format_and_convert_to_their_text() {
    let _turn = one_at_a_time().await;
    for (value, typed) in rare_frame::<String>(b"=15\r\ntxt:Some string\r\n").await {
        let expected = Value::Verbatim {
            format: *b"txt",
            text: Bytes::from_static(b"Some string"),
        };
        assert_eq!(value.unwrap(), expected);
        assert_eq!(typed.unwrap(), "Some string");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_numbers_keep_their_digits() {
    let _turn = one_at_a_time().await;
    let digits = "3492890328409238509324850943850943825024385";
    let input = format!("({digits}\r\n");
    for (value, typed) in rare_frame::<String>(input.as_bytes()).await {
        assert_eq!(value.unwrap(), Value::BigNumber(digits.to_owned()));
        assert_eq!(typed.unwrap(), digits);
    }
    let min = b"(-170141183460469231731687303715884105728\r\n";
    for (value, typed) in rare_frame::<i128>(min).await {
        assert!(matches!(value.unwrap(), Value::BigNumber(_)));
        assert_eq!(typed.unwrap(), i128::MIN);
    }
    // Too big for the type asked: a type error, not a wrong number.
    for (_, typed) in rare_frame::<i64>(input.as_bytes()).await {
        assert_eq!(typed.unwrap_err().kind(), ErrorKind::Type);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_and_nan_doubles() {
    let _turn = one_at_a_time().await;
    for (value, typed) in rare_frame::<f64>(b",inf\r\n").await {
        assert_eq!(value.unwrap(), Value::Double(f64::INFINITY));
        assert_eq!(typed.unwrap(), f64::INFINITY);
    }
    for (value, typed) in rare_frame::<f64>(b",-inf\r\n").await {
        assert_eq!(value.unwrap(), Value::Double(f64::NEG_INFINITY));
        assert_eq!(typed.unwrap(), f64::NEG_INFINITY);
    }
    for (value, typed) in rare_frame::<f64>(b",nan\r\n").await {
        assert!(matches!(value.unwrap(), Value::Double(d) if d.is_nan()));
        assert!(typed.unwrap().is_nan());
    }
}

// ---- A reply swallowed: the connection proves it is in step ----

/// Keys `key:0` .. holding their own names, for GETs whose reply names them.
const OWN_KEYS: usize = 64;

/// From a swallowed reply's timeout to the client serving every caller its
/// own reply again: the probe's round trip, one reconnect (its backoff is at
/// most 8 ms on the first attempt) and one retry. A bound that turns a
/// client which never recovers into a failure, not a measure of speed
/// (measured: tens of milliseconds).
const IN_STEP_BOUND: Duration = Duration::from_secs(2);

fn own_key(i: usize) -> String {
    format!("key:{i}")
}

/// Stores every key under its own name: the first [`OWN_KEYS`] real
/// commands, which [`Script::after`] lets through.
async fn store_own_keys(case: &Case) {
    for i in 0..OWN_KEYS {
        Cmd::new("SET")
            .arg(own_key(i))
            .arg(own_key(i))
            .query::<()>(&case.client)
            .await
            .unwrap_or_else(|e| panic!("{}: SET {i}: {e}", case.what));
    }
}

/// One GET of every own key, all at once; fails the test if any caller got
/// another key's value. Returns how many got an error instead of their own.
async fn each_gets_its_own(case: &Case, round: &str) -> usize {
    let gets: Vec<_> = (0..OWN_KEYS)
        .map(|i| {
            let client = case.client.clone();
            tokio::spawn(async move {
                let got = Cmd::new("GET")
                    .arg(own_key(i))
                    .query::<Option<String>>(&client)
                    .await;
                (i, got)
            })
        })
        .collect();
    let mut errors = 0;
    for get in gets {
        let (i, got) = get.await.unwrap();
        match got {
            Ok(Some(value)) => assert_eq!(
                value,
                own_key(i),
                "{} ({round}): GET {} received another caller's reply",
                case.what,
                own_key(i)
            ),
            Ok(None) => panic!("{} ({round}): GET {} found nothing", case.what, own_key(i)),
            Err(e) => {
                assert!(e.is_connection_error(), "{} ({round}): {e}", case.what);
                errors += 1;
            }
        }
    }
    errors
}

/// The GET the script answers, with a short timeout; spawned, so callers
/// can queue behind it while it waits.
fn victim(case: &Case) -> tokio::task::JoinHandle<Result<Value>> {
    let client = case.client.clone();
    tokio::spawn(async move {
        Cmd::new("GET")
            .arg("victim")
            .with_timeout(GET_TIMEOUT)
            .query(&client)
            .await
    })
}

/// The in-step probes the client sent on the first connection.
fn probes(case: &Case) -> usize {
    let commands = case.server.commands();
    commands
        .iter()
        .filter(|c| c.connection == 0 && c.args.first().is_some_and(|n| n == "ECHO"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_swallowed_reply_no_caller_receives_anothers_reply() {
    let _turn = one_at_a_time().await;
    for &protocol in BOTH {
        // Swallowed at once (callers come after the timeout), or after a
        // pause longer than the timeout, so that the replies of callers
        // queued behind it arrive after the timeout, each one slot early.
        for pause in [Duration::ZERO, GET_TIMEOUT * 2] {
            let script = Script::swallow().delayed(pause).after(OWN_KEYS);
            let what = format!("a reply swallowed after {pause:?}");
            let case = Case::start_with(protocol, script, what, Retry::default()).await;
            store_own_keys(&case).await;
            let victim = victim(&case);
            let mut queued_behind = 0;
            if !pause.is_zero() {
                tokio::time::sleep(GET_TIMEOUT / 4).await;
                // Queued behind the victim, answered after its timeout:
                // held, found out of step, retried on the new connection.
                queued_behind = each_gets_its_own(&case, "queued behind").await;
            }
            let err = victim.await.unwrap().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Timeout, "{}: {err}", case.what);
            let timed_out = std::time::Instant::now();
            let mut in_step = None;
            for round in 0..3 {
                let errors = each_gets_its_own(&case, &format!("round {round}")).await;
                if errors == 0 && in_step.is_none() {
                    in_step = Some(timed_out.elapsed());
                }
            }
            let in_step = in_step.unwrap_or_else(|| panic!("{}: never back in step", case.what));
            eprintln!(
                "{} on {protocol:?}: back in step {in_step:?} after the timeout; \
                 {queued_behind} of the callers queued behind failed",
                case.what
            );
            assert!(in_step < IN_STEP_BOUND, "{}: {in_step:?}", case.what);
            assert_eq!(queued_behind, 0, "{}: retried", case.what);
            assert_eq!(probes(&case), 1, "{}", case.what);
            // The connection out of step was dropped, once.
            case.server.closed(0).await;
            assert_eq!(case.server.connections(), 2, "{}", case.what);
            case.serves_again().await;
            case.finish().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_reply_is_confirmed_by_the_probe_without_dropping_anything() {
    let _turn = one_at_a_time().await;
    for &protocol in BOTH {
        let script = Script::reply(b"$4\r\nlate\r\n")
            .delayed(GET_TIMEOUT * 2)
            .after(OWN_KEYS);
        let what = "a late reply".to_owned();
        let case = Case::start(protocol, script, what).await;
        store_own_keys(&case).await;
        let victim = victim(&case);
        tokio::time::sleep(GET_TIMEOUT / 4).await;
        // Queued behind the slow one: held until the probe confirms them,
        // then each gets its own, with no retry (the policy has none).
        let started = std::time::Instant::now();
        assert_eq!(each_gets_its_own(&case, "queued behind").await, 0);
        let held = started.elapsed();
        let err = victim.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout, "{}: {err}", case.what);
        for round in 0..3 {
            assert_eq!(each_gets_its_own(&case, &format!("round {round}")).await, 0);
        }
        eprintln!(
            "{} on {protocol:?}: callers queued behind it answered after {held:?} \
             (the server held them {:?})",
            case.what,
            GET_TIMEOUT * 2
        );
        assert!(held < IN_STEP_BOUND, "{}: {held:?}", case.what);
        assert_eq!(probes(&case), 1, "{}", case.what);
        assert_eq!(
            case.server.connections(),
            1,
            "{}: nothing reconnected",
            case.what
        );
        case.serves_again().await;
        case.finish().await;
    }
}
