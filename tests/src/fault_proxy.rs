//! A TCP proxy between a client and a server that misbehaves on command.
//!
//! A test points its client at [`FaultProxy::url`] instead of the server and
//! then, while commands run, adds latency, drops every connection, stalls,
//! cuts a reply in half, swallows one reply whole (the connection stays
//! up), black-holes or refuses new connections, and goes back to normal. Each control method returns once the fault is in effect,
//! so a test can act right after it without racing the proxy's tasks.
//!
//! Bytes are forwarded chunk by chunk as they are read. A stall holds the
//! chunk in hand (and stops reading), so what was sent during a stall arrives
//! late rather than never, as delayed packets would; dropping the connections
//! is what loses bytes. Replies are also decoded as they pass, only to know
//! where each one starts, so that one can be swallowed whole.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::BytesMut;
use redis_core::resp::Decoder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The longest the proxy waits for the server to accept a connection; the
/// client's own connect timeout is usually shorter.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which way bytes travel through the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to server: commands.
    ToServer,
    /// Server to client: replies.
    ToClient,
    /// Both ways.
    Both,
}

/// What the proxy has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Connections accepted from clients, black-holed ones included.
    pub accepted: u64,
    /// Of those, connections held without ever being forwarded.
    pub black_holed: u64,
    /// Connections closed by [`FaultProxy::drop_all`].
    pub dropped: u64,
    /// Replies cut in half by [`FaultProxy::cut_next_reply`].
    pub cut: u64,
    /// Replies swallowed by [`FaultProxy::swallow_next_reply`].
    pub swallowed: u64,
    /// Accepted connections closed at once because the server did not accept
    /// the proxy's own connection (it was down).
    pub upstream_failed: u64,
    /// Client connections open right now.
    pub open: u64,
}

/// The faults in effect; new connections and every forwarded chunk look here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Faults {
    to_server_latency: Duration,
    to_client_latency: Duration,
    stalled: bool,
    black_hole: bool,
    refuse: bool,
}

impl Faults {
    fn latency(&self, direction: Direction) -> Duration {
        match direction {
            Direction::ToServer => self.to_server_latency,
            Direction::ToClient => self.to_client_latency,
            Direction::Both => self.to_server_latency.max(self.to_client_latency),
        }
    }
}

/// A fault-injection proxy on a free loopback port in front of one server.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use std::time::Duration;
/// use redis_tests::{Direction, FaultProxy, TempServer, Version};
/// let server = TempServer::start(Version::Redis8);
/// let proxy = FaultProxy::start(&server.addr()).await?;
/// // Connect the client to proxy.url(), then:
/// proxy.set_latency(Direction::ToClient, Duration::from_millis(50));
/// proxy.stall();
/// proxy.normal().await;
/// # Ok(()) }
/// ```
///
/// Dropping it closes the listener and every connection.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    faults: watch::Sender<Faults>,
    /// Whether the listener is bound; `refuse` and `normal` wait on it.
    listening: watch::Sender<bool>,
    /// One-shot: the next chunk towards a client is cut in half.
    cut_armed: AtomicBool,
    /// One-shot: the next reply that starts towards a client is not forwarded.
    swallow_armed: AtomicBool,
    /// Every open client connection's task, so `drop_all` can end them.
    conns: Mutex<HashMap<u64, JoinHandle<()>>>,
    next_id: AtomicU64,
    accepted: AtomicU64,
    black_holed: AtomicU64,
    dropped: AtomicU64,
    cut: AtomicU64,
    swallowed: AtomicU64,
    upstream_failed: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking connection task leaves the map consistent (insert and
    // remove are single calls), so a poisoned lock is still usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`
    /// (`host:port`, an IP address), with no fault in effect.
    pub async fn start(upstream: &str) -> io::Result<FaultProxy> {
        let upstream: SocketAddr = upstream.parse().map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("upstream `{upstream}` is not an IP address and port: {e}"),
            )
        })?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            faults: watch::Sender::new(Faults::default()),
            listening: watch::Sender::new(true),
            cut_armed: AtomicBool::new(false),
            swallow_armed: AtomicBool::new(false),
            conns: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
            black_holed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            cut: AtomicU64::new(0),
            swallowed: AtomicU64::new(0),
            upstream_failed: AtomicU64::new(0),
        });
        let accept_task = tokio::spawn(accept_loop(shared.clone(), listener, addr));
        Ok(FaultProxy {
            addr,
            shared,
            accept_task,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `redis://127.0.0.1:<port>` of the proxy.
    pub fn url(&self) -> String {
        format!("redis://{}", self.addr)
    }

    /// The counters so far.
    pub fn stats(&self) -> ProxyStats {
        let shared = &self.shared;
        ProxyStats {
            accepted: shared.accepted.load(Ordering::SeqCst),
            black_holed: shared.black_holed.load(Ordering::SeqCst),
            dropped: shared.dropped.load(Ordering::SeqCst),
            cut: shared.cut.load(Ordering::SeqCst),
            swallowed: shared.swallowed.load(Ordering::SeqCst),
            upstream_failed: shared.upstream_failed.load(Ordering::SeqCst),
            open: lock(&shared.conns).len() as u64,
        }
    }

    /// Delays every chunk forwarded in `direction` by `latency` (zero: none),
    /// on open and new connections. The other direction keeps its setting
    /// unless `direction` is [`Direction::Both`].
    pub fn set_latency(&self, direction: Direction, latency: Duration) {
        self.shared.faults.send_modify(|faults| match direction {
            Direction::ToServer => faults.to_server_latency = latency,
            Direction::ToClient => faults.to_client_latency = latency,
            Direction::Both => {
                faults.to_server_latency = latency;
                faults.to_client_latency = latency;
            }
        });
    }

    /// Closes every open connection now (both sides), bytes in hand lost;
    /// returns once they are closed. New connections are accepted as usual.
    pub async fn drop_all(&self) {
        let tasks: Vec<JoinHandle<()>> = lock(&self.shared.conns)
            .drain()
            .map(|(_, task)| task)
            .collect();
        self.shared
            .dropped
            .fetch_add(tasks.len() as u64, Ordering::SeqCst);
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            // Cancelled (the sockets are dropped) or already finished.
            let _ = task.await;
        }
    }

    /// Forwards nothing, either way, on open and new connections, keeping
    /// the sockets open, until [`FaultProxy::normal`]; what was sent
    /// meanwhile is delivered then.
    pub fn stall(&self) {
        self.shared
            .faults
            .send_modify(|faults| faults.stalled = true);
    }

    /// The next chunk of reply bytes, on whichever connection it comes, is
    /// forwarded only up to its half, then that connection is closed.
    pub fn cut_next_reply(&self) {
        self.shared.cut_armed.store(true, Ordering::SeqCst);
    }

    /// The next reply that starts towards a client, on whichever connection
    /// it comes, is not forwarded; the bytes before and after it are, and the
    /// connection stays open: as if the server had never answered that
    /// command (as Redis does not answer an empty one). Push frames are
    /// never taken for it.
    pub fn swallow_next_reply(&self) {
        self.shared.swallow_armed.store(true, Ordering::SeqCst);
    }

    /// Whether a swallow asked for is still waiting for a reply.
    pub fn swallow_pending(&self) -> bool {
        self.shared.swallow_armed.load(Ordering::SeqCst)
    }

    /// Whether a cut asked for is still waiting for a reply to cut.
    pub fn cut_pending(&self) -> bool {
        self.shared.cut_armed.load(Ordering::SeqCst)
    }

    /// New connections are accepted and then never forwarded nor answered
    /// (what the client sends is read and discarded), until
    /// [`FaultProxy::normal`] closes them. Open connections are untouched.
    pub fn black_hole(&self) {
        self.shared
            .faults
            .send_modify(|faults| faults.black_hole = true);
    }

    /// Closes the listener, so new connections are refused
    /// (`ECONNREFUSED`); returns once it is closed. Open connections are
    /// untouched. [`FaultProxy::normal`] listens again on the same port.
    pub async fn refuse(&self) {
        self.shared
            .faults
            .send_modify(|faults| faults.refuse = true);
        let mut listening = self.shared.listening.subscribe();
        // The sender lives in `shared`, which `self` keeps alive.
        let _ = listening.wait_for(|up| !*up).await;
    }

    /// Ends every fault (a pending cut included): no latency, forwarding
    /// resumes, black-holed connections are closed, and the listener is
    /// bound again before this returns.
    pub async fn normal(&self) {
        self.shared.cut_armed.store(false, Ordering::SeqCst);
        self.shared.swallow_armed.store(false, Ordering::SeqCst);
        self.shared.faults.send_replace(Faults::default());
        let mut listening = self.shared.listening.subscribe();
        let _ = listening.wait_for(|up| *up).await;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept_task.abort();
        for (_, task) in lock(&self.shared.conns).drain() {
            task.abort();
        }
    }
}

/// Accepts connections while listening is allowed; closes the listener while
/// refusing and binds the same address again afterwards.
async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, addr: SocketAddr) {
    let mut faults = shared.faults.subscribe();
    let mut listener = Some(listener);
    loop {
        let refuse = faults.borrow_and_update().refuse;
        if refuse {
            if listener.take().is_some() {
                shared.listening.send_replace(false);
            }
            if faults.changed().await.is_err() {
                return;
            }
            continue;
        }
        let Some(bound) = &listener else {
            match TcpListener::bind(addr).await {
                Ok(bound) => {
                    listener = Some(bound);
                    shared.listening.send_replace(true);
                }
                Err(e) => {
                    // Someone took the port while it was free; keep trying,
                    // a test waiting in `normal` shows as a hang.
                    eprintln!("fault proxy: binding {addr} again failed: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            continue;
        };
        tokio::select! {
            accepted = bound.accept() => match accepted {
                Ok((stream, _)) => Shared::admit(&shared, stream),
                // Out of file descriptors and the like: try again shortly.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            changed = faults.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

impl Shared {
    fn admit(shared: &Arc<Shared>, client: TcpStream) {
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let faults = shared.faults.borrow().clone();
        if faults.refuse {
            // Accepted just before the listener closed: refuse it anyway.
            return;
        }
        let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
        // The task removes itself when it ends; holding the lock while it is
        // spawned makes sure it is registered before it can do so.
        let mut conns = lock(&shared.conns);
        let task = if faults.black_hole {
            shared.black_holed.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(hold(shared.clone(), client, id))
        } else {
            tokio::spawn(forward(shared.clone(), client, id))
        };
        conns.insert(id, task);
    }

    fn forget(&self, id: u64) {
        lock(&self.conns).remove(&id);
    }
}

/// A black-holed connection: read and discard until the client leaves or
/// the black hole is lifted, never write.
async fn hold(shared: Arc<Shared>, mut client: TcpStream, id: u64) {
    let mut faults = shared.faults.subscribe();
    let mut sink = [0u8; 4096];
    loop {
        tokio::select! {
            read = client.read(&mut sink) => match read {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            },
            _ = faults.wait_for(|f| !f.black_hole) => break,
        }
    }
    shared.forget(id);
}

/// A forwarded connection: until either side closes or fails.
async fn forward(shared: Arc<Shared>, client: TcpStream, id: u64) {
    let connect = tokio::time::timeout(
        UPSTREAM_CONNECT_TIMEOUT,
        TcpStream::connect(shared.upstream),
    );
    let server = match connect.await {
        Ok(Ok(server)) => server,
        _ => {
            shared.upstream_failed.fetch_add(1, Ordering::SeqCst);
            shared.forget(id);
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (from_client, to_client) = client.into_split();
    let (from_server, to_server) = server.into_split();
    tokio::select! {
        () = pump(&shared, from_client, to_server, Direction::ToServer) => {}
        () = pump(&shared, from_server, to_client, Direction::ToClient) => {}
    }
    // Both sockets close here, whichever side ended.
    shared.forget(id);
}

/// Where the replies towards a client start, followed across chunks.
struct Replies {
    decoder: Decoder,
    /// Bytes of a reply not yet complete.
    partial: BytesMut,
    /// Bytes received before the current chunk.
    seen: usize,
    /// Where the reply being decoded starts, in bytes since the connection began.
    start: usize,
    /// Bytes the decoder has taken so far.
    taken: usize,
    /// The stream is not RESP: it is forwarded as is, never swallowed from.
    broken: bool,
}

impl Replies {
    fn new() -> Replies {
        Replies {
            decoder: Decoder::default(),
            partial: BytesMut::new(),
            seen: 0,
            start: 0,
            taken: 0,
            broken: false,
        }
    }

    /// Feeds the next chunk; when `swallow` asks for it and a reply (not a
    /// push frame) starts and ends in this chunk, returns its range within
    /// the chunk. `None` once the stream is not RESP (it is forwarded as is).
    fn feed(&mut self, chunk: &[u8], swallow: bool) -> Option<std::ops::Range<usize>> {
        if self.broken {
            return None;
        }
        self.partial.extend_from_slice(chunk);
        let mut found = None;
        loop {
            let before = self.partial.len();
            let decoded = self.decoder.decode(&mut self.partial);
            self.taken += before - self.partial.len();
            match decoded {
                Ok(Some(value)) => {
                    let frame = self.start..self.taken;
                    self.start = self.taken;
                    if swallow && found.is_none() && frame.start >= self.seen && !value.is_push() {
                        found = Some(frame.start - self.seen..frame.end - self.seen);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    self.broken = true;
                    self.partial = BytesMut::new();
                    return None;
                }
            }
        }
        self.seen += chunk.len();
        found
    }
}

/// Copies one direction, applying stall, latency, cut and swallow to each chunk.
async fn pump(shared: &Shared, mut from: OwnedReadHalf, mut to: OwnedWriteHalf, way: Direction) {
    let mut faults = shared.faults.subscribe();
    let mut buf = vec![0u8; 16 * 1024];
    let mut replies = (way == Direction::ToClient).then(Replies::new);
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        // Stall and latency may change while a chunk waits: check both again
        // after each wait.
        loop {
            if faults.wait_for(|f| !f.stalled).await.is_err() {
                return;
            }
            let latency = faults.borrow().latency(way);
            if latency.is_zero() {
                break;
            }
            tokio::time::sleep(latency).await;
            if !faults.borrow().stalled {
                break;
            }
        }
        if way == Direction::ToClient && shared.cut_armed.swap(false, Ordering::SeqCst) {
            shared.cut.fetch_add(1, Ordering::SeqCst);
            let _ = to.write_all(&buf[..n / 2]).await;
            return;
        }
        if let Some(replies) = &mut replies {
            let swallow = shared.swallow_armed.load(Ordering::SeqCst);
            if let Some(frame) = replies.feed(&buf[..n], swallow) {
                if shared.swallow_armed.swap(false, Ordering::SeqCst) {
                    shared.swallowed.fetch_add(1, Ordering::SeqCst);
                    let before = to.write_all(&buf[..frame.start]).await;
                    if before.is_err() || to.write_all(&buf[frame.end..n]).await.is_err() {
                        return;
                    }
                    continue;
                }
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
