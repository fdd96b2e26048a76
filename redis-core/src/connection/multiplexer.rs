//! One connection shared by every task: automatic pipelining, replies
//! matched in order, reconnection in the background.
//!
//! Callers encode their commands straight into a shared write buffer and queue
//! a reply slot, both under one short lock, so the order of bytes on the wire
//! and the order of slots always agree. A writer flushes whatever has piled
//! up while its previous write was in flight, so commands from many tasks go
//! out together (automatic pipelining) without any caller waiting for another.
//! A reader decodes replies and completes the oldest slot with each one.
//!
//! A driver task owns the socket. When the connection breaks it fails every
//! waiting command with the cause, then reconnects: at once after a
//! connection that worked, with backoff after failed attempts, and only while
//! someone is waiting, so an idle client against a dead server does not spin.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::conn::{Connection, reserve_for_next_read};
use super::socket::Socket;
use crate::config::{Config, Protocol};
use crate::resp::Decoder;
use crate::{Cmd, Error, ErrorKind, Result, Value};

/// How long the connection may stay silent past the deadline of the oldest
/// waiting command (and past the last bytes read: a large reply still
/// arriving is progress) before it is presumed dead, closed and replaced.
/// Its waiting commands fail; read-only ones are retried on the new one.
const STALL_GRACE: Duration = Duration::from_secs(1);

/// The handle callers use; the driver task runs until it is dropped or closed.
pub(crate) struct Multiplexer {
    shared: Arc<Shared>,
    driver: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    config: Config,
    state: Mutex<State>,
    /// Commands were queued: the writer has work.
    writer_wake: Notify,
    /// The reader went idle with no deadline and a command arrived.
    reader_wake: Notify,
    /// A command arrived while the link is down, or close was requested.
    driver_wake: Notify,
}

struct State {
    /// Encoded commands not yet written.
    out: BytesMut,
    /// One slot per queued command (or batch), in wire order.
    waiting: VecDeque<Slot>,
    link: Link,
    closed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Connecting,
    Up,
    Down,
}

struct Slot {
    expected: usize,
    replies: Vec<Value>,
    deadline: Option<Instant>,
    tx: oneshot::Sender<Result<Vec<Value>>>,
}

impl Multiplexer {
    /// Starts the driver and waits for the first connection, so a wrong
    /// address or password is reported by `Client::connect` itself.
    pub(crate) async fn start(config: Config) -> Result<Multiplexer> {
        let first = super::connect(&config).await?;
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(State {
                out: BytesMut::with_capacity(16 * 1024),
                waiting: VecDeque::new(),
                link: Link::Up,
                closed: false,
            }),
            writer_wake: Notify::new(),
            reader_wake: Notify::new(),
            driver_wake: Notify::new(),
        });
        let driver = tokio::spawn(drive(shared.clone(), first));
        Ok(Multiplexer {
            shared,
            driver: Mutex::new(Some(driver)),
        })
    }

    /// Sends `cmds` as one unit (their bytes are contiguous on the wire, so a
    /// MULTI ... EXEC batch is never interleaved with other callers) and waits
    /// for one reply per command.
    pub(crate) async fn send(&self, cmds: &[Cmd], timeout: Option<Duration>) -> Result<Vec<Value>> {
        let rx = self.shared.enqueue(cmds, timeout)?;
        let received = match timeout {
            Some(limit) => tokio::time::timeout(limit, rx).await.map_err(|_| {
                Error::timeout(format!(
                    "no reply from {} within {limit:?}",
                    self.shared.config.addr
                ))
            })?,
            None => rx.await,
        };
        received.map_err(|_| Error::closed("the client's connection task has stopped"))?
    }

    /// Stops the driver, fails waiting commands and closes the socket.
    pub(crate) async fn close(&self) {
        self.shared.close();
        let driver = lock(&self.driver).take();
        if let Some(driver) = driver {
            let _ = driver.await;
        }
    }
}

impl Drop for Multiplexer {
    fn drop(&mut self) {
        self.shared.close();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave State half-updated in a way
    // that matters more than losing the client, so poisoning is ignored.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn enqueue(
        &self,
        cmds: &[Cmd],
        timeout: Option<Duration>,
    ) -> Result<oneshot::Receiver<Result<Vec<Value>>>> {
        let (tx, rx) = oneshot::channel();
        let deadline = timeout.map(|t| Instant::now() + t);
        let (was_idle, link) = {
            let mut state = lock(&self.state);
            if state.closed {
                return Err(Error::closed("the client was closed"));
            }
            for cmd in cmds {
                cmd.write_to(&mut state.out);
            }
            let was_idle = state.waiting.is_empty();
            state.waiting.push_back(Slot {
                expected: cmds.len(),
                replies: Vec::new(),
                deadline,
                tx,
            });
            (was_idle, state.link)
        };
        self.writer_wake.notify_one();
        if was_idle {
            self.reader_wake.notify_one();
        }
        if link == Link::Down {
            self.driver_wake.notify_one();
        }
        Ok(rx)
    }

    /// Hands one reply to the oldest waiting slot.
    fn deliver(&self, value: Value) -> Result<()> {
        let finished = {
            let mut state = lock(&self.state);
            let Some(slot) = state.waiting.front_mut() else {
                return Err(Error::protocol(
                    "the server sent a reply that matches no command sent",
                ));
            };
            slot.replies.push(value);
            if slot.replies.len() < slot.expected {
                return Ok(());
            }
            state.waiting.pop_front()
        };
        if let Some(slot) = finished {
            // The caller may have given up (timeout, dropped future): fine.
            let _ = slot.tx.send(Ok(slot.replies));
        }
        Ok(())
    }

    fn oldest_deadline(&self) -> Option<Instant> {
        lock(&self.state)
            .waiting
            .front()
            .and_then(|slot| slot.deadline)
    }

    fn has_waiting(&self) -> bool {
        !lock(&self.state).waiting.is_empty()
    }

    /// Fails every queued command with `error` and forgets their bytes.
    fn fail_all(&self, error: &Error, link: Link) {
        let failed = {
            let mut state = lock(&self.state);
            state.out.clear();
            state.link = link;
            std::mem::take(&mut state.waiting)
        };
        for slot in failed {
            let _ = slot.tx.send(Err(error.clone()));
        }
    }

    fn set_link(&self, link: Link) {
        lock(&self.state).link = link;
    }

    fn is_closed(&self) -> bool {
        lock(&self.state).closed
    }

    fn close(&self) {
        lock(&self.state).closed = true;
        self.driver_wake.notify_one();
    }
}

/// The driver: run a connection until it breaks, fail what was waiting,
/// reconnect; until the client is closed.
async fn drive(shared: Arc<Shared>, first: Connection) {
    let mut conn = Some(first);
    let mut failed_attempts = 0u32;
    while !shared.is_closed() {
        let Some(current) = conn.take() else {
            match reconnect(&shared, failed_attempts).await {
                Some(Ok(next)) => {
                    failed_attempts = 0;
                    conn = Some(next);
                }
                Some(Err(error)) => {
                    failed_attempts = failed_attempts.saturating_add(1);
                    tracing::debug!(addr = %shared.config.addr, %error, "reconnect failed");
                    shared.fail_all(&error, Link::Down);
                }
                None => break,
            }
            continue;
        };
        shared.set_link(Link::Up);
        // Commands queued while connecting go out now.
        shared.writer_wake.notify_one();
        let error = tokio::select! {
            error = run(current, &shared) => error,
            () = closed(&shared) => break,
        };
        tracing::debug!(addr = %shared.config.addr, %error, "connection lost");
        let lost = Error::new(
            error.kind(),
            format!(
                "connection to {} lost with the command in flight: {error}",
                shared.config.addr
            ),
        );
        shared.fail_all(&lost, Link::Connecting);
    }
    shared.fail_all(&Error::closed("the client was closed"), Link::Down);
}

/// Waits until closing is requested.
async fn closed(shared: &Shared) {
    while !shared.is_closed() {
        shared.driver_wake.notified().await;
    }
}

/// One reconnect attempt, after backoff and, once attempts have failed, only
/// when a command is waiting. `None` when the client was closed meanwhile.
async fn reconnect(shared: &Shared, failed_attempts: u32) -> Option<Result<Connection>> {
    if failed_attempts > 0 {
        while !shared.has_waiting() {
            shared.driver_wake.notified().await;
            if shared.is_closed() {
                return None;
            }
        }
        let delay = shared.config.retry.delay(failed_attempts);
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = closed(shared) => return None,
        }
    }
    shared.set_link(Link::Connecting);
    tokio::select! {
        result = super::connect(&shared.config) => Some(result),
        () = closed(shared) => None,
    }
}

/// Runs reader and writer until one fails; returns why.
async fn run(conn: Connection, shared: &Shared) -> Error {
    let Connection {
        socket,
        rbuf,
        decoder,
        protocol,
        ..
    } = conn;
    let (reader, writer) = tokio::io::split(socket);
    tokio::select! {
        error = read_loop(reader, rbuf, decoder, protocol, shared) => error,
        error = write_loop(writer, shared) => error,
    }
}

async fn write_loop(mut writer: WriteHalf<Socket>, shared: &Shared) -> Error {
    let addr = &shared.config.addr;
    let mut buf = BytesMut::with_capacity(16 * 1024);
    loop {
        std::mem::swap(&mut lock(&shared.state).out, &mut buf);
        if buf.is_empty() {
            match shared.config.health_check_interval {
                Some(idle) => {
                    if tokio::time::timeout(idle, shared.writer_wake.notified())
                        .await
                        .is_err()
                    {
                        queue_health_check(shared);
                    }
                }
                None => shared.writer_wake.notified().await,
            }
            continue;
        }
        let write = writer.write_all(&buf);
        let written = match shared.config.response_timeout {
            Some(limit) => match tokio::time::timeout(limit, write).await {
                Ok(result) => result,
                Err(_) => {
                    return Error::timeout(format!("writing to {addr} took longer than {limit:?}"));
                }
            },
            None => write.await,
        };
        if let Err(e) = written {
            return Error::io(&format!("writing to {addr}"), e);
        }
        buf.clear();
    }
}

/// A PING on an idle connection: if the peer is gone, the reader's stall
/// check notices before a user's command does.
fn queue_health_check(shared: &Shared) {
    let timeout = shared
        .config
        .response_timeout
        .or(Some(Duration::from_secs(10)));
    // Nobody waits for the reply; a closed client just refuses the PING.
    let _ = shared.enqueue(&[Cmd::new("PING")], timeout);
}

async fn read_loop(
    mut reader: ReadHalf<Socket>,
    mut rbuf: BytesMut,
    mut decoder: Decoder,
    protocol: Protocol,
    shared: &Shared,
) -> Error {
    let addr = &shared.config.addr;
    let mut last_read = Instant::now();
    loop {
        loop {
            match decoder.decode(&mut rbuf) {
                Ok(Some(Value::Push(frame))) => {
                    if protocol == Protocol::Resp2 {
                        return Error::protocol("push frame received on a RESP2 connection");
                    }
                    // Pub/sub and invalidations get their router with their
                    // issues; until then a push frame is never a reply.
                    tracing::trace!(kind = ?frame.first(), "push frame ignored");
                }
                Ok(Some(value)) => {
                    if let Err(error) = shared.deliver(value) {
                        return error;
                    }
                }
                Ok(None) => break,
                Err(error) => return error,
            }
        }
        reserve_for_next_read(&mut rbuf, decoder.bytes_needed());
        let stall_at = shared
            .oldest_deadline()
            .map(|deadline| deadline.max(last_read) + STALL_GRACE);
        let read = reader.read_buf(&mut rbuf);
        let result = match stall_at {
            Some(at) => match tokio::time::timeout_at(at, read).await {
                Ok(result) => result,
                Err(_) => {
                    return Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "{addr} sent nothing past a command's deadline; connection presumed dead"
                        ),
                    );
                }
            },
            None => tokio::select! {
                result = read => result,
                // A command with a deadline arrived: recompute the stall time.
                () = shared.reader_wake.notified() => continue,
            },
        };
        match result {
            Ok(0) => return Error::new(ErrorKind::Io, format!("{addr} closed the connection")),
            Ok(_) => last_read = Instant::now(),
            Err(e) => return Error::io(&format!("reading from {addr}"), e),
        }
    }
}
