//! One connection shared by every task: automatic pipelining, replies
//! matched in order, reconnection in the background.
//!
//! Callers encode their commands straight into a shared write buffer and queue
//! a reply slot, both under one short lock, so the order of bytes on the wire
//! and the order of slots always agree. If no write is in progress, the caller
//! then writes the buffer to the socket itself (a non-blocking write, no task
//! hand-off); otherwise the bytes wait for the write in progress to finish,
//! and go out together with everything else that piled up meanwhile
//! (automatic pipelining). A background writer only takes over when the
//! socket is full. A reader decodes replies and completes the oldest slots.
//!
//! A driver task owns the connection. When it breaks, every waiting command
//! fails with the cause and the driver reconnects: at once after a connection
//! that worked, with backoff after failed attempts, and only while someone is
//! waiting, so an idle client against a dead server does not spin.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::AsyncReadExt;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::conn::{Connection, reserve_for_next_read};
use super::socket::{ReadHalf, WriteHalf};
use crate::config::{Config, Protocol};
use crate::resp::Decoder;
use crate::{Cmd, Error, ErrorKind, Result, Value};

/// After a command times out, how long the connection may stay silent before
/// it is presumed dead, closed and replaced. Its waiting commands fail;
/// read-only ones are retried on the new connection.
const STALL_GRACE: Duration = Duration::from_secs(1);

/// How often the driver looks for stalls and idle time.
const HOUSEKEEPING: Duration = Duration::from_millis(250);

/// The handle callers use; the driver task runs until it is dropped or closed.
pub(crate) struct Multiplexer {
    shared: Arc<Shared>,
    driver: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    config: Config,
    state: Mutex<State>,
    /// The socket filled up: the background writer has work.
    writer_wake: Notify,
    /// A command arrived while the link is down, or close was requested.
    driver_wake: Notify,
    /// A deadline earlier than the one the clock sleeps until arrived.
    clock_wake: Notify,
    /// When bytes last arrived, in nanoseconds since `epoch`.
    last_read: AtomicU64,
    epoch: Instant,
}

struct State {
    /// Encoded commands not yet written.
    out: BytesMut,
    /// A spare buffer swapped with `out` by whoever writes, so neither allocates.
    spare: BytesMut,
    /// One slot per queued command (or batch), in wire order.
    waiting: VecDeque<Slot>,
    /// What the clock task sleeps until (`None`: until woken).
    clock_armed: Option<Instant>,
    /// The socket's write half while connected.
    sink: Option<Arc<WriteHalf>>,
    /// Someone (a caller or the background writer) is writing `spare` now.
    writing: bool,
    /// Counts connections, so a caller that was writing to a connection that
    /// has since been replaced does not touch the new one's state.
    generation: u64,
    link: Link,
    closed: bool,
    /// When the earliest unexplained command timeout happened.
    stall_suspected_at: Option<Instant>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Connecting,
    Up,
    Down,
}

/// Where a waiting caller's replies go.
type ReplySender = oneshot::Sender<Result<Replies>>;

/// What a waiting caller gets.
pub(crate) enum Replies {
    One(Value),
    Many(Vec<Value>),
}

impl Replies {
    pub(crate) fn into_last(self) -> Option<Value> {
        match self {
            Replies::One(value) => Some(value),
            Replies::Many(mut values) => values.pop(),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<Value> {
        match self {
            Replies::One(value) => vec![value],
            Replies::Many(values) => values,
        }
    }
}

struct Slot {
    expected: usize,
    collected: Option<Replies>,
    /// Taken when the command times out: its reply, if it ever comes, is dropped.
    tx: Option<ReplySender>,
    /// When the caller gives up, and the timeout that makes it so.
    deadline: Option<(Instant, Duration)>,
}

impl Slot {
    /// Adds one reply; true when the slot has all it waits for.
    fn push(&mut self, value: Value) -> bool {
        match (&mut self.collected, self.expected) {
            (None, 1) => self.collected = Some(Replies::One(value)),
            (None, expected) => {
                let mut all = Vec::with_capacity(expected);
                all.push(value);
                self.collected = Some(Replies::Many(all));
            }
            (Some(Replies::Many(all)), _) => all.push(value),
            // A single-reply slot is completed at its first reply.
            (Some(Replies::One(_)), _) => {}
        }
        match &self.collected {
            Some(Replies::Many(all)) => all.len() >= self.expected,
            _ => true,
        }
    }

    fn complete(self) {
        let replies = self.collected.unwrap_or(Replies::Many(Vec::new()));
        // The caller may have given up (timeout, dropped future): fine.
        if let Some(tx) = self.tx {
            let _ = tx.send(Ok(replies));
        }
    }
}

impl State {
    /// Takes the senders of the commands whose deadline has passed, so they
    /// can be told (their slots stay, to swallow replies that come late), and
    /// returns the earliest deadline still pending.
    ///
    /// A scan of every waiting slot, but only when the clock wakes: at the
    /// earliest deadline, or when a command brings an earlier one. With one
    /// timeout for all commands that is about once per timeout period.
    fn expire(&mut self, now: Instant) -> (Vec<(ReplySender, Duration)>, Option<Instant>) {
        let mut expired = Vec::new();
        let mut next: Option<Instant> = None;
        for slot in self.waiting.iter_mut().filter(|slot| slot.tx.is_some()) {
            match slot.deadline {
                Some((at, timeout)) if at <= now => {
                    expired.extend(slot.tx.take().map(|tx| (tx, timeout)));
                }
                Some((at, _)) => next = Some(next.map_or(at, |n| n.min(at))),
                None => {}
            }
        }
        if !expired.is_empty() {
            self.stall_suspected_at.get_or_insert(now);
        }
        (expired, next)
    }
}

/// Fails commands whose deadline passed, sleeping until the earliest one.
async fn clock(shared: Arc<Shared>) {
    loop {
        let (expired, armed) = {
            let mut state = lock(&shared.state);
            if state.closed {
                return;
            }
            let (expired, next) = state.expire(Instant::now());
            state.clock_armed = next;
            (expired, next)
        };
        for (tx, limit) in expired {
            let _ = tx.send(Err(Error::timeout(format!(
                "no reply from {} within {limit:?}",
                shared.config.addr
            ))));
        }
        match armed {
            Some(at) => tokio::select! {
                () = tokio::time::sleep_until(at) => {}
                () = shared.clock_wake.notified() => {}
            },
            None => shared.clock_wake.notified().await,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave State half-updated in a way
    // that matters more than losing the client, so poisoning is ignored.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
                spare: BytesMut::with_capacity(16 * 1024),
                waiting: VecDeque::new(),
                clock_armed: None,
                sink: None,
                writing: false,
                generation: 0,
                link: Link::Connecting,
                closed: false,
                stall_suspected_at: None,
            }),
            writer_wake: Notify::new(),
            driver_wake: Notify::new(),
            clock_wake: Notify::new(),
            last_read: AtomicU64::new(0),
            epoch: Instant::now(),
        });
        let driver = tokio::spawn(drive(shared.clone(), first));
        tokio::spawn(clock(shared.clone()));
        Ok(Multiplexer {
            shared,
            driver: Mutex::new(Some(driver)),
        })
    }

    /// Sends `cmds` as one unit (their bytes are contiguous on the wire, so a
    /// MULTI ... EXEC batch is never interleaved with other callers) and waits
    /// for one reply per command.
    pub(crate) async fn send(&self, cmds: &[Cmd], timeout: Option<Duration>) -> Result<Replies> {
        // The deadline travels with the command; the clock task enforces it,
        // so a waiting command costs no timer of its own.
        let rx = self.shared.enqueue(cmds, timeout)?;
        rx.await
            .map_err(|_| Error::closed("the client's connection task has stopped"))?
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

impl Shared {
    fn enqueue(
        &self,
        cmds: &[Cmd],
        timeout: Option<Duration>,
    ) -> Result<oneshot::Receiver<Result<Replies>>> {
        let (tx, rx) = oneshot::channel();
        // A timeout too large to add to now is no timeout.
        let deadline = timeout.and_then(|t| Some((Instant::now().checked_add(t)?, t)));
        let mut state = lock(&self.state);
        if state.closed {
            return Err(Error::closed("the client was closed"));
        }
        for cmd in cmds {
            cmd.write_to(&mut state.out);
        }
        state.waiting.push_back(Slot {
            expected: cmds.len(),
            collected: None,
            tx: Some(tx),
            deadline,
        });
        if let Some((at, _)) = deadline {
            if state.clock_armed.is_none_or(|armed| at < armed) {
                // Only when the clock would wake too late: with one timeout
                // for all commands that is about once per timeout period.
                state.clock_armed = Some(at);
                self.clock_wake.notify_one();
            }
        }
        let Some(sink) = &state.sink else {
            let link = state.link;
            drop(state);
            if link == Link::Down {
                self.driver_wake.notify_one();
            }
            return Ok(rx);
        };
        if state.writing {
            // The write in progress picks these bytes up when it finishes.
            return Ok(rx);
        }
        if state.waiting.len() > 1 {
            // Replies are outstanding, so the connection is busy anyway: the
            // background writer sends these bytes once the tasks that are
            // ready now have queued theirs too, in one larger write.
            drop(state);
            self.writer_wake.notify_one();
            return Ok(rx);
        }
        // An idle connection: write at once from this task, no hand-off.
        let sink = sink.clone();
        state.writing = true;
        let generation = state.generation;
        let State { out, spare, .. } = &mut *state;
        std::mem::swap(out, spare);
        let mut buf = std::mem::take(spare);
        drop(state);
        self.write_now(&sink, &mut buf, generation);
        Ok(rx)
    }

    /// Writes `buf` from the caller's own task for as long as the socket takes
    /// it, then hands over: anything left, or queued meanwhile, goes to the
    /// background writer.
    fn write_now(&self, sink: &WriteHalf, buf: &mut BytesMut, generation: u64) {
        let mut written = 0;
        while written < buf.len() {
            match sink.try_write(&buf[written..]) {
                Ok(n) if n > 0 => written += n,
                // Full socket or an error: the background writer waits for
                // room, or meets the error and brings the connection down.
                _ => break,
            }
        }
        let mut state = lock(&self.state);
        if state.generation != generation {
            // That connection is gone and its commands were failed already.
            return;
        }
        if written < buf.len() {
            let _ = buf.split_to(written);
            buf.extend_from_slice(&state.out);
            std::mem::swap(&mut state.out, buf);
        }
        buf.clear();
        state.spare = std::mem::take(buf);
        state.writing = false;
        let more = !state.out.is_empty();
        drop(state);
        if more {
            self.writer_wake.notify_one();
        }
    }

    /// Hands replies to the oldest waiting slots, in order. A reply that
    /// matches no command is an error, but the replies before it still reach
    /// their callers.
    fn deliver(&self, replies: &mut Vec<Value>, done: &mut Vec<Slot>) -> Result<()> {
        let mut outcome = Ok(());
        {
            let mut state = lock(&self.state);
            for value in replies.drain(..) {
                let Some(slot) = state.waiting.front_mut() else {
                    outcome = Err(Error::protocol(
                        "the server sent a reply that matches no command sent",
                    ));
                    break;
                };
                if slot.push(value) {
                    done.extend(state.waiting.pop_front());
                }
            }
        }
        done.drain(..).for_each(Slot::complete);
        outcome
    }

    fn mark_read(&self) {
        let nanos = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.last_read.store(nanos, Ordering::Relaxed);
    }

    fn last_read(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.last_read.load(Ordering::Relaxed))
    }

    /// Makes the new connection's write half available to callers and sends
    /// whatever was queued while connecting.
    fn attach(&self, sink: Arc<WriteHalf>) {
        {
            let mut state = lock(&self.state);
            state.sink = Some(sink);
            state.writing = false;
            state.generation += 1;
            state.link = Link::Up;
            state.stall_suspected_at = None;
        }
        self.mark_read();
        self.writer_wake.notify_one();
    }

    /// Fails every queued command with `error` and forgets their bytes.
    fn fail_all(&self, error: &Error, link: Link) {
        let failed = {
            let mut state = lock(&self.state);
            state.out.clear();
            state.sink = None;
            state.link = link;
            // A write still running on the old connection must not touch
            // the next one's state, nor hand it bytes of failed commands.
            state.writing = false;
            state.generation += 1;
            std::mem::take(&mut state.waiting)
        };
        for tx in failed.into_iter().filter_map(|slot| slot.tx) {
            let _ = tx.send(Err(error.clone()));
        }
    }

    fn set_link(&self, link: Link) {
        lock(&self.state).link = link;
    }

    fn has_waiting(&self) -> bool {
        !lock(&self.state).waiting.is_empty()
    }

    fn is_closed(&self) -> bool {
        lock(&self.state).closed
    }

    fn close(&self) {
        lock(&self.state).closed = true;
        self.driver_wake.notify_one();
        self.clock_wake.notify_one();
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
        let error = tokio::select! {
            error = run(current, &shared) => error,
            () = closed(&shared) => break,
        };
        tracing::debug!(addr = %shared.config.addr, %error, "connection lost");
        // A connection presumed dead after a timeout is, for the commands
        // still waiting on it, a lost connection: that decides whether they
        // may be retried. Other causes (a protocol violation) keep their kind.
        let kind = match error.kind() {
            ErrorKind::Timeout => ErrorKind::Io,
            kind => kind,
        };
        let lost = Error::new(
            kind,
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

/// Runs one connection until it fails; returns why.
async fn run(conn: Connection, shared: &Shared) -> Error {
    let Connection {
        socket,
        rbuf,
        decoder,
        protocol,
        ..
    } = conn;
    let (reader, sink) = socket.into_split();
    let sink = Arc::new(sink);
    shared.attach(sink.clone());
    let reader = read_loop(reader, rbuf, decoder, protocol, shared);
    let writer = write_loop(&sink, shared);
    let mut housekeeping = Housekeeping::new(shared);
    tokio::pin!(reader, writer);
    loop {
        tokio::select! {
            error = &mut reader => return error,
            error = &mut writer => return error,
            () = tokio::time::sleep(HOUSEKEEPING) => {
                if let Some(error) = housekeeping.check(shared) {
                    return error;
                }
            }
        }
    }
}

/// The background writer: only busy when the socket was full for a caller.
async fn write_loop(sink: &WriteHalf, shared: &Shared) -> Error {
    loop {
        shared.writer_wake.notified().await;
        let mut buf = {
            let mut state = lock(&shared.state);
            if state.writing || state.out.is_empty() {
                continue;
            }
            state.writing = true;
            let State { out, spare, .. } = &mut *state;
            std::mem::swap(out, spare);
            std::mem::take(spare)
        };
        let written = match shared.config.response_timeout {
            Some(limit) => tokio::time::timeout(limit, sink.write_all(&buf))
                .await
                .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into())),
            None => sink.write_all(&buf).await,
        };
        if let Err(e) = written {
            return Error::io(&format!("writing to {}", shared.config.addr), e);
        }
        buf.clear();
        let more = {
            let mut state = lock(&shared.state);
            state.spare = buf;
            state.writing = false;
            !state.out.is_empty()
        };
        if more {
            shared.writer_wake.notify_one();
        }
    }
}

async fn read_loop(
    mut reader: ReadHalf,
    mut rbuf: BytesMut,
    mut decoder: Decoder,
    protocol: Protocol,
    shared: &Shared,
) -> Error {
    let addr = &shared.config.addr;
    let mut replies = Vec::new();
    let mut done = Vec::new();
    loop {
        loop {
            match decoder.decode(&mut rbuf) {
                Ok(Some(value)) if value.is_push() => {
                    if protocol == Protocol::Resp2 {
                        return Error::protocol("push frame received on a RESP2 connection");
                    }
                    // Pub/sub and invalidations get their router with their
                    // issues; until then a push frame is never a reply.
                    tracing::trace!("push frame ignored");
                }
                Ok(Some(value)) => replies.push(value),
                Ok(None) => break,
                Err(error) => return error,
            }
        }
        if !replies.is_empty() {
            if let Err(error) = shared.deliver(&mut replies, &mut done) {
                return error;
            }
        }
        reserve_for_next_read(&mut rbuf, decoder.bytes_needed());
        match reader.read_buf(&mut rbuf).await {
            Ok(0) => return Error::new(ErrorKind::Io, format!("{addr} closed the connection")),
            Ok(_) => shared.mark_read(),
            Err(e) => return Error::io(&format!("reading from {addr}"), e),
        }
    }
}

/// Periodic checks off the hot path: a connection that went silent after a
/// command timed out is presumed dead; an idle one is PINGed so a dead peer is
/// found before a user's command needs it.
struct Housekeeping {
    health_check: Option<(Instant, oneshot::Receiver<Result<Replies>>)>,
}

impl Housekeeping {
    fn new(_shared: &Shared) -> Self {
        Housekeeping { health_check: None }
    }

    fn check(&mut self, shared: &Shared) -> Option<Error> {
        let now = Instant::now();
        let last_read = shared.last_read();
        let addr = &shared.config.addr;
        {
            let mut state = lock(&shared.state);
            if let Some(since) = state.stall_suspected_at {
                if last_read > since || state.waiting.is_empty() {
                    state.stall_suspected_at = None;
                } else if now.duration_since(since) >= STALL_GRACE {
                    return Some(Error::timeout(format!(
                        "{addr} sent nothing for {STALL_GRACE:?} after a command timed out; connection presumed dead"
                    )));
                }
            }
        }
        if let Some((sent, rx)) = &mut self.health_check {
            if !matches!(rx.try_recv(), Err(oneshot::error::TryRecvError::Empty)) {
                self.health_check = None;
            } else if now.duration_since(*sent)
                >= shared
                    .config
                    .response_timeout
                    .unwrap_or(Duration::from_secs(10))
            {
                return Some(Error::timeout(format!(
                    "{addr} did not answer a health-check PING"
                )));
            }
            return None;
        }
        let idle_for = now.duration_since(last_read);
        if let Some(interval) = shared.config.health_check_interval {
            if idle_for >= interval && !shared.has_waiting() {
                if let Ok(rx) = shared.enqueue(&[Cmd::new("PING")], None) {
                    self.health_check = Some((now, rx));
                }
            }
        }
        None
    }
}
