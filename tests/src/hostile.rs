//! A fake Redis server that answers the handshake properly and then
//! misbehaves on cue: the peer of the client's hostile-input tests.
//!
//! Only the first connection misbehaves: it answers its first real command
//! (or first few, or the first after some answered properly) with the bytes
//! of a [`Script`], then behaves, falls silent or closes, as the script says. Every later connection is well behaved, so
//! a test can check that the same `Client` heals by reconnecting. Commands
//! are parsed with the client's own [`Decoder`], and well-behaved replies
//! are written with [`encode_value`].
//!
//! It needs no real server: nothing here reads `servers.env`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use redis_core::resp::{Decoder, encode_value};
use redis_core::retry::Retry;
use redis_core::{Config, Protocol, ServerError, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// How long [`HostileServer::closed`] waits before failing the test: a bound
/// that turns a client which never lets go into a clear failure instead of a
/// hung test run, not a measure of speed.
const CLOSE_WAIT_BOUND: Duration = Duration::from_secs(10);

/// What the first connection sends, when, and what it does afterwards.
#[derive(Debug, Clone)]
pub struct Script {
    bytes: Bytes,
    unprompted: bool,
    replies: usize,
    delay: Duration,
    trickle: bool,
    /// Real commands answered properly before the scripted ones.
    after: usize,
    then: Then,
    /// What connections after the first do (`None`: behave).
    later: Option<Box<Script>>,
}

/// What the first connection does once it has sent its scripted bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Answers later commands properly, on the same connection.
    Behave,
    /// Reads whatever comes and answers nothing, keeping the socket open.
    Silence,
    /// Closes the connection.
    Close,
}

impl Script {
    /// Answers the first real command (anything after the handshake) with
    /// `bytes`, then behaves.
    pub fn reply(bytes: impl AsRef<[u8]>) -> Script {
        Script {
            bytes: Bytes::copy_from_slice(bytes.as_ref()),
            unprompted: false,
            replies: 1,
            delay: Duration::ZERO,
            trickle: false,
            after: 0,
            then: Then::Behave,
            later: None,
        }
    }

    /// Swallows the first real command's reply: sends nothing for it, then
    /// answers every later command properly on the same connection, as a
    /// server does for a command it never answers (an empty one).
    pub fn swallow() -> Script {
        Script::reply(b"")
    }

    /// Never answers the first real command, nor anything after it.
    pub fn never_reply() -> Script {
        Script::reply(b"").then(Then::Silence)
    }

    /// Sends `bytes` unasked: on RESP2 as soon as the connection is
    /// accepted, on RESP3 right after the first HELLO is answered; then
    /// behaves.
    pub fn unprompted(bytes: impl AsRef<[u8]>) -> Script {
        Script {
            unprompted: true,
            ..Script::reply(bytes)
        }
    }

    /// What to do once the scripted bytes are sent.
    pub fn then(self, then: Then) -> Script {
        Script { then, ..self }
    }

    /// Waits this long before sending the scripted bytes.
    pub fn delayed(self, delay: Duration) -> Script {
        Script { delay, ..self }
    }

    /// Sends the scripted bytes one at a time, pausing a millisecond after
    /// each, so the client decodes them across many reads.
    pub fn trickled(self) -> Script {
        Script {
            trickle: true,
            ..self
        }
    }

    /// Answers the first `n` real commands properly; the script starts at
    /// the next one (so a test can store keys first).
    pub fn after(self, n: usize) -> Script {
        Script { after: n, ..self }
    }

    /// Answers the first `n` real commands with the scripted bytes, each.
    pub fn replies(self, n: usize) -> Script {
        Script { replies: n, ..self }
    }

    /// Connections after the first follow `later` instead of behaving.
    pub fn on_later_connections(self, later: Script) -> Script {
        Script {
            later: Some(Box::new(later)),
            ..self
        }
    }
}

/// A command the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Which connection it came on: 0 is the first (the misbehaving one).
    pub connection: usize,
    /// The command name and arguments, as (lossy) text.
    pub args: Vec<String>,
}

#[derive(Debug, Default)]
struct Log {
    connections: usize,
    closed: Vec<usize>,
    commands: Vec<Received>,
}

struct Shared {
    protocol: Protocol,
    script: Script,
    log: watch::Sender<Log>,
    store: Mutex<HashMap<Bytes, Bytes>>,
}

/// A fake server on a free loopback port; it stops when dropped.
///
/// Well-behaved connections answer `HELLO 3` with a map like the real
/// server's (`HELLO 2` with the flat array), `AUTH`, `SELECT` and
/// `CLIENT SETNAME` with `+OK`, `PING` with `+PONG` (or its argument), `ECHO`,
/// and `SET`/`GET` over a small in-memory store shared by all connections.
///
/// ```no_run
/// # async fn run() {
/// use redis_core::{Client, Cmd, ErrorKind, Protocol, Value};
/// use redis_tests::{HostileServer, Script, Then};
/// let script = Script::reply(b"*-5\r\n").then(Then::Close);
/// let server = HostileServer::start(Protocol::Resp3, script).await;
/// let client = Client::connect(server.config()).await.unwrap();
/// let get = Cmd::new("GET").arg("x");
/// let err = get.query::<Value>(&client).await.unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Protocol);
/// # }
/// ```
pub struct HostileServer {
    addr: SocketAddr,
    protocol: Protocol,
    log: watch::Receiver<Log>,
    task: JoinHandle<()>,
}

impl HostileServer {
    /// Starts a server whose clients speak `protocol` and whose first
    /// connection follows `script`.
    pub async fn start(protocol: Protocol, script: Script) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free loopback port");
        let addr = listener.local_addr().expect("the listener's address");
        let (log_tx, log) = watch::channel(Log::default());
        let shared = Arc::new(Shared {
            protocol,
            script,
            log: log_tx,
            store: Mutex::new(HashMap::new()),
        });
        let task = tokio::spawn(accept(listener, shared));
        HostileServer {
            addr,
            protocol,
            log,
            task,
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A client configuration for this server: its protocol, no health
    /// checks (a PING would be taken for the first real command), and no
    /// retries, so each misbehaviour's error reaches the caller instead of
    /// being retried away. Replies wait 2 s by default.
    pub fn config(&self) -> Config {
        let proto = match self.protocol {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        };
        Config::from_url(&format!("redis://{}/?protocol={proto}", self.addr))
            .expect("a loopback URL is valid")
            .with_connect_timeout(Duration::from_secs(2))
            .with_response_timeout(Some(Duration::from_secs(2)))
            .with_health_check_interval(None)
            .with_retry(Retry::never())
    }

    /// How many connections have been accepted.
    pub fn connections(&self) -> usize {
        self.log.borrow().connections
    }

    /// Every command received so far, handshakes included, in order.
    pub fn commands(&self) -> Vec<Received> {
        self.log.borrow().commands.clone()
    }

    /// Waits until connection `n` (0 is the first) is closed, by either side.
    /// Fails the test if that takes longer than 10 s.
    pub async fn closed(&self, n: usize) {
        let mut log = self.log.clone();
        let closed = log.wait_for(|log| log.closed.contains(&n));
        match tokio::time::timeout(CLOSE_WAIT_BOUND, closed).await {
            Ok(Ok(_)) => {}
            Ok(Err(_)) => panic!("the hostile server stopped"),
            Err(_) => panic!("connection {n} was still open after {CLOSE_WAIT_BOUND:?}"),
        }
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        // The accept task owns the connection tasks (a JoinSet): aborting it
        // aborts them too.
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let mut index = 0;
        shared.log.send_modify(|log| {
            index = log.connections;
            log.connections += 1;
        });
        connections.spawn(serve(Peer::new(socket), index, shared.clone()));
        while connections.try_join_next().is_some() {}
    }
}

/// One connection's socket, read buffer and decoder.
struct Peer {
    socket: TcpStream,
    rbuf: BytesMut,
    decoder: Decoder,
    /// RESP2 until `HELLO 3`.
    resp3: bool,
}

impl Peer {
    fn new(socket: TcpStream) -> Peer {
        Peer {
            socket,
            rbuf: BytesMut::with_capacity(4096),
            decoder: Decoder::default(),
            resp3: false,
        }
    }

    /// The next command, or `None` when the client closed the connection
    /// (or sent something that is not a command).
    async fn command(&mut self) -> Option<Vec<Bytes>> {
        loop {
            match self.decoder.decode(&mut self.rbuf) {
                Ok(Some(Value::Array(items))) => {
                    return items
                        .into_iter()
                        .map(|item| match item {
                            Value::BulkString(arg) => Some(arg),
                            _ => None,
                        })
                        .collect();
                }
                Ok(None) => {}
                Ok(Some(_)) | Err(_) => return None,
            }
            self.rbuf.reserve(4096);
            match self.socket.read_buf(&mut self.rbuf).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Writes `bytes`; false when the client is gone.
    async fn send(&mut self, bytes: &[u8]) -> bool {
        self.socket.write_all(bytes).await.is_ok()
    }

    /// Writes the script's bytes, whole or trickled; false when the client is gone.
    async fn send_scripted(&mut self, script: &Script) -> bool {
        if !script.trickle {
            return self.send(&script.bytes).await;
        }
        let _ = self.socket.set_nodelay(true);
        for byte in script.bytes.chunks(1) {
            if !self.send(byte).await {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        true
    }

    async fn answer(&mut self, value: &Value) -> bool {
        let mut out = BytesMut::new();
        match value {
            // RESP2 has no `_`; the encoder writes RESP3.
            Value::Nil if !self.resp3 => out.extend_from_slice(b"$-1\r\n"),
            value => encode_value(value, &mut out),
        }
        self.send(&out).await
    }

    /// Reads and discards everything until the client closes.
    async fn ignore_everything(&mut self) {
        let mut sink = vec![0u8; 64 * 1024];
        while matches!(self.socket.read(&mut sink).await, Ok(n) if n > 0) {}
    }
}

async fn serve(mut peer: Peer, index: usize, shared: Arc<Shared>) {
    finish(&mut peer, index, &shared).await;
    shared.log.send_modify(|log| log.closed.push(index));
}

/// Runs one connection until either side closes it.
async fn finish(peer: &mut Peer, index: usize, shared: &Shared) {
    let (script, hostile) = match (index, &shared.script.later) {
        (0, _) => (&shared.script, true),
        (_, Some(later)) => (&**later, true),
        (_, None) => (&shared.script, false),
    };
    let mut scripted = if hostile && !script.unprompted {
        script.replies
    } else {
        0
    };
    let mut before = if hostile { script.after } else { 0 };
    // Unprompted bytes go before anything was asked on RESP2, and right
    // after the first HELLO is answered on RESP3.
    let mut unprompted = hostile && script.unprompted;
    if unprompted && shared.protocol == Protocol::Resp2 {
        unprompted = false;
        if !send_script(peer, script).await {
            return;
        }
    }
    while let Some(args) = peer.command().await {
        let received = Received {
            connection: index,
            args: args
                .iter()
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .collect(),
        };
        shared.log.send_modify(|log| log.commands.push(received));
        if let Some(reply) = handshake(&args, index, &mut peer.resp3) {
            if !peer.answer(&reply).await {
                return;
            }
            if unprompted && is(&args, "HELLO") {
                unprompted = false;
                if !send_script(peer, script).await {
                    return;
                }
            }
            continue;
        }
        if before > 0 {
            before -= 1;
        } else if scripted > 0 {
            scripted -= 1;
            tokio::time::sleep(script.delay).await;
            let open = if scripted == 0 {
                send_script(peer, script).await
            } else {
                peer.send_scripted(script).await
            };
            if !open {
                return;
            }
            continue;
        }
        let reply = behave(&args, &shared.store);
        if !peer.answer(&reply).await {
            return;
        }
    }
}

/// Sends the scripted bytes, then does what the script says next; false
/// when the connection is over.
async fn send_script(peer: &mut Peer, script: &Script) -> bool {
    if !peer.send_scripted(script).await {
        return false;
    }
    match script.then {
        Then::Behave => true,
        Then::Silence => {
            peer.ignore_everything().await;
            false
        }
        Then::Close => false,
    }
}

fn is(args: &[Bytes], name: &str) -> bool {
    args.first()
        .is_some_and(|first| first.eq_ignore_ascii_case(name.as_bytes()))
}

fn bulk(text: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(text.as_bytes()))
}

/// The reply to a handshake command, or `None` for any other command.
fn handshake(args: &[Bytes], index: usize, resp3: &mut bool) -> Option<Value> {
    if is(args, "HELLO") {
        let version = args.get(1).map(|v| v.as_ref());
        let proto: i64 = match version {
            Some(b"3") => 3,
            Some(b"2") | None => 2,
            Some(_) => {
                return Some(Value::Error(ServerError::parse(
                    "NOPROTO unsupported protocol version",
                )));
            }
        };
        *resp3 = proto == 3;
        let id = i64::try_from(index + 1).unwrap_or(i64::MAX);
        let fields = vec![
            (bulk("server"), bulk("redis")),
            (bulk("version"), bulk("7.4.0")),
            (bulk("proto"), Value::Integer(proto)),
            (bulk("id"), Value::Integer(id)),
            (bulk("mode"), bulk("standalone")),
            (bulk("role"), bulk("master")),
            (bulk("modules"), Value::Array(Vec::new())),
        ];
        return Some(if *resp3 {
            Value::Map(fields)
        } else {
            Value::Array(fields.into_iter().flat_map(|(k, v)| [k, v]).collect())
        });
    }
    let setname = is(args, "CLIENT")
        && args
            .get(1)
            .is_some_and(|sub| sub.eq_ignore_ascii_case(b"SETNAME"));
    (setname || is(args, "AUTH") || is(args, "SELECT")).then(|| Value::SimpleString("OK".into()))
}

/// What a real server would answer to the few commands the tests send.
fn behave(args: &[Bytes], store: &Mutex<HashMap<Bytes, Bytes>>) -> Value {
    let mut store = store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let arg = |i: usize| args.get(i).cloned();
    match args
        .first()
        .map(|name| name.to_ascii_uppercase())
        .as_deref()
    {
        Some(b"PING") => match arg(1) {
            Some(message) => Value::BulkString(message),
            None => Value::SimpleString("PONG".into()),
        },
        Some(b"ECHO") => arg(1).map_or(Value::Nil, Value::BulkString),
        Some(b"GET") => arg(1)
            .and_then(|key| store.get(&key).cloned())
            .map_or(Value::Nil, Value::BulkString),
        Some(b"SET") => match (arg(1), arg(2)) {
            (Some(key), Some(value)) => {
                store.insert(key, value);
                Value::SimpleString("OK".into())
            }
            _ => Value::Error(ServerError::parse(
                "ERR wrong number of arguments for 'set' command",
            )),
        },
        _ => Value::Error(ServerError::parse("ERR unknown command")),
    }
}
