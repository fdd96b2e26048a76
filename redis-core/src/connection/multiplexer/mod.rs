//! One connection shared by every task: automatic pipelining, replies
//! matched in order, reconnection in the background.
//!
//! Callers encode their commands straight into a shared write buffer and queue
//! a reply slot, both under one short lock, so the order of bytes on the wire
//! and the order of slots always agree. Who writes the buffer out:
//!
//! - on an idle connection, the caller itself (a non-blocking write, no task
//!   hand-off), so one task sending in turn pays one wake-up per command;
//! - while a write is in progress, whoever is writing, once it finishes,
//!   together with everything else that piled up meanwhile;
//! - while replies are outstanding, the last of the callers the previous
//!   delivery woke (a task that loops answers each reply with a new command,
//!   so k replies read at once bring k commands written at once), or the
//!   caller that completes a chunk of [`WRITE_CHUNK`] commands (so the server
//!   starts on those while the rest are being queued), or else a background
//!   writer once the tasks that were ready have queued theirs.
//!
//! The background writer also takes over when the socket is full. A reader
//! decodes replies and completes the oldest slots.
//!
//! A driver task owns the connection. When it breaks, every waiting command
//! fails with the cause and the driver reconnects: at once after a connection
//! that worked, with backoff after failed attempts, and only while someone is
//! waiting, so an idle client against a dead server does not spin.

#[cfg(feature = "bench-internals")]
mod bookkeeping;
mod clock;
mod driver;
mod housekeeping;
mod state;

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::BytesMut;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::connector::Connector;
use super::events::{ConnectionEvent, ConnectionEvents, Listeners, SeatEvents, Tap};
use super::socket::SharedWriter;
use super::violation;
use crate::config::Config;
use crate::pubsub::confirms_subscription;
use crate::sync::lock;
use crate::{Cmd, Error, ErrorKind, Result, Value};
#[cfg(feature = "bench-internals")]
pub use bookkeeping::Bookkeeping;
pub(crate) use state::{Failed, Replies};
use state::{Link, Misfit, State};

/// Once this much is queued, the caller that added the last of it writes it
/// out at once rather than leave it for the background writer: it is a
/// large write already, and the buffer stops growing.
const WRITE_AT_ONCE: usize = 64 * 1024;

/// While replies are outstanding, this many queued commands are written out
/// at once by the caller that queued the last of them, rather than wait for
/// the rest of the wave: the server works on them while the callers still
/// running encode the others, so client and server overlap instead of
/// taking turns (64 tasks on one client: 1.2x to 1.45x the throughput, with
/// 4 writes a wave instead of 1; bench/README.md has the measurements).
const WRITE_CHUNK: usize = 16;

/// The handle callers use; the driver task runs until it is dropped or closed.
pub(crate) struct Multiplexer {
    shared: Arc<Shared>,
    driver: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    config: Config,
    /// Asked for every new connection: where to, and the handshake.
    connector: Connector,
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
    /// Who hears of connects, losses and push frames.
    listeners: Listeners,
    /// The connector finds the node anew each time (Sentinel): a READONLY
    /// reply replaces the connection (see `Connect::follows_failover`).
    follow_failover: bool,
    /// Why the current connection is to be dropped and replaced, when
    /// someone asked ([`Multiplexer::replace`]).
    replace: Mutex<Option<Error>>,
    replace_wake: Notify,
}

impl Multiplexer {
    /// Starts the driver and waits for the first connection, so a wrong
    /// address or password is reported by `Client::connect` itself.
    /// `tap` hears every event first, synchronously (see [`Tap`]).
    pub(crate) async fn start(
        config: Config,
        connector: Connector,
        tap: Option<Tap>,
    ) -> Result<Multiplexer> {
        let first = connector.connect().await?;
        let follow_failover = connector.follows_failover();
        // Named before the driver attaches it, so that the client's Debug
        // and errors name the node from the start.
        let mut state = State::new();
        state.addr = Arc::from(first.addr.as_str());
        state.user = first.user.as_deref().map(Arc::from);
        let shared = Arc::new(Shared {
            config,
            connector,
            state: Mutex::new(state),
            writer_wake: Notify::new(),
            driver_wake: Notify::new(),
            clock_wake: Notify::new(),
            last_read: AtomicU64::new(0),
            epoch: Instant::now(),
            listeners: Listeners::new(tap),
            follow_failover,
            replace: Mutex::new(None),
            replace_wake: Notify::new(),
        });
        let driver = tokio::spawn(driver::drive(shared.clone(), first));
        tokio::spawn(clock::clock(shared.clone()));
        Ok(Multiplexer {
            shared,
            driver: Mutex::new(Some(driver)),
        })
    }

    /// Queues `cmds` as one unit (their bytes are contiguous on the wire, so a
    /// MULTI ... EXEC batch is never interleaved with other callers); the
    /// returned future yields one reply per command.
    ///
    /// Queuing happens here, not at the first poll: the order in which
    /// callers submit is the order on the wire.
    /// A client closed meanwhile makes that future fail with
    /// [`crate::ErrorKind::Closed`].
    pub(crate) fn submit(&self, cmds: &[Cmd], timeout: Option<Duration>) -> PendingReplies<'_> {
        // The deadline travels with the command; the clock task enforces it,
        // so a waiting command costs no timer of its own.
        self.shared.enqueue(cmds.len(), None, timeout, |out| {
            cmds.iter().for_each(|cmd| cmd.write_to(out))
        })
    }

    /// As [`Multiplexer::submit`], for a pipeline's or transaction's
    /// batch, its commands already encoded: one copy into the write buffer
    /// (with `MULTI` and `EXEC` around them for a transaction).
    pub(crate) fn submit_batch(
        &self,
        batch: &crate::batch::Batch,
        timeout: Option<Duration>,
    ) -> PendingReplies<'_> {
        self.shared
            .enqueue(batch.reply_count(), None, timeout, |out| {
                batch.write_to(out)
            })
    }

    /// The server of the current (or last) connection, and the ACL user it
    /// authenticated as.
    pub(crate) fn peer(&self) -> (Arc<str>, Option<Arc<str>>) {
        let state = lock(&self.shared.state);
        (state.addr.clone(), state.user.clone())
    }

    /// Drops the current connection and opens a new one through the
    /// connector (which, for Sentinel, asks where the master is now). The
    /// commands waiting on the old connection fail with `why`, as they
    /// would if it broke, and are retried as the retry policy says. A
    /// request made while a connection is being opened is dropped: that
    /// connection is new already.
    pub(crate) fn replace(&self, why: Error) {
        *lock(&self.shared.replace) = Some(why);
        self.shared.replace_wake.notify_one();
    }

    /// Whether the client was closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Whether a READONLY reply replaces the connection.
    pub(crate) fn follows_failover(&self) -> bool {
        self.shared.follow_failover
    }

    /// The connection's events from now on.
    pub(crate) fn events(&self) -> ConnectionEvents {
        self.shared.listeners.subscribe()
    }

    /// The connection's one place for a subscriber, if free, and what the
    /// subscriber hears from then on: the server keeps one set of
    /// subscriptions per connection, so two subscribers on it would receive
    /// each other's messages and undo each other's subscriptions. Freed
    /// when the seat is dropped.
    pub(crate) fn seat_subscriber(&self) -> Option<(SubscriberSeat, SeatEvents)> {
        let events = self.shared.listeners.seat()?;
        Some((SubscriberSeat(self.shared.clone()), events))
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

/// A subscriber's hold on the shared connection (see
/// [`Multiplexer::seat_subscriber`]). While it is held, the connection is
/// reconnected after a loss even when no command waits, so that the
/// subscriber can subscribe again.
pub(crate) struct SubscriberSeat(Arc<Shared>);

impl SubscriberSeat {
    /// Sends `cmd`, answered by `confirmations` push frames (a subscription
    /// change), or by one reply with 0 (a PING). The answer is an error
    /// reply when the server refuses the command.
    pub(crate) fn send(
        &self,
        cmd: &Cmd,
        confirmations: usize,
        timeout: Option<Duration>,
    ) -> Answer {
        let by_push = (confirmations > 0).then_some(confirmations);
        let seq = self
            .0
            .enqueue(1, by_push, timeout, |out| cmd.write_to(out))
            .detach();
        Answer {
            shared: self.0.clone(),
            seq,
        }
    }

    /// The server of the current (or last) connection.
    pub(crate) fn node(&self) -> Arc<str> {
        lock(&self.0.state).addr.clone()
    }
}

impl Drop for SubscriberSeat {
    fn drop(&mut self) {
        self.0.listeners.unseat();
    }
}

/// The answer to a subscriber's command ([`SubscriberSeat::send`]): owns
/// its hold on the connection, so it can wait in the subscriber's task.
/// Dropping it abandons the answer.
pub(crate) struct Answer {
    shared: Arc<Shared>,
    /// `None`: the client was closed, nothing was sent.
    seq: Option<u64>,
}

impl Future for Answer {
    type Output = std::result::Result<Replies, Failed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(seq) = self.seq else {
            return Poll::Ready(Err(Failed {
                error: Error::closed("the client was closed"),
                deadline: None,
            }));
        };
        let outcome = std::task::ready!(lock(&self.shared.state).poll_outcome(seq, cx.waker()));
        self.seq = None;
        Poll::Ready(outcome)
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        if let Some(seq) = self.seq {
            lock(&self.shared.state).abandon(seq);
        }
    }
}

/// The replies to submitted commands, once they arrive. Dropping it before
/// then abandons them (the commands are still sent).
pub(crate) struct PendingReplies<'a>(Pending<'a>);

/// Small (no reply inline): it lives in every command's future.
enum Pending<'a> {
    /// Waiting on the entry with this sequence number.
    Queued(&'a Shared, u64),
    /// Nothing was sent: no replies.
    Empty,
    /// The client was closed.
    Closed,
    /// The outcome was taken.
    Taken,
}

impl PendingReplies<'_> {
    /// The entry's sequence number, for a handle that waits on it instead
    /// (`None`: nothing was queued).
    fn detach(mut self) -> Option<u64> {
        match std::mem::replace(&mut self.0, Pending::Taken) {
            Pending::Queued(_, seq) => Some(seq),
            _ => None,
        }
    }
}

impl Future for PendingReplies<'_> {
    type Output = std::result::Result<Replies, Failed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let failed = |error| {
            Err(Failed {
                error,
                deadline: None,
            })
        };
        let outcome = match &mut self.0 {
            Pending::Queued(shared, seq) => {
                std::task::ready!(lock(&shared.state).poll_outcome(*seq, cx.waker()))
            }
            Pending::Empty => Ok(Replies::Many(Vec::new())),
            Pending::Closed => failed(Error::closed("the client was closed")),
            Pending::Taken => failed(Error::protocol("polled after completion")),
        };
        // Nothing is left to abandon on drop.
        self.0 = Pending::Taken;
        Poll::Ready(outcome)
    }
}

impl Drop for PendingReplies<'_> {
    fn drop(&mut self) {
        if let Pending::Queued(shared, seq) = self.0 {
            lock(&shared.state).abandon(seq);
        }
    }
}

impl Drop for Multiplexer {
    fn drop(&mut self) {
        self.shared.close();
    }
}

impl Shared {
    /// Queues `count` commands that `encode` writes to the write buffer;
    /// with `confirmations`, one subscription change answered by that many
    /// push frames (see [`State::take_confirmation`]).
    fn enqueue(
        &self,
        count: usize,
        confirmations: Option<usize>,
        timeout: Option<Duration>,
        encode: impl FnOnce(&mut bytes::BytesMut),
    ) -> PendingReplies<'_> {
        if count == 0 {
            return PendingReplies(Pending::Empty);
        }
        let mut state = lock(&self.state);
        if state.closed {
            return PendingReplies(Pending::Closed);
        }
        encode(&mut state.out);
        state.unwritten += count;
        let (seq, deadline) = match confirmations {
            None => state.push(count, timeout),
            Some(confirmations) => state.push_confirmed(confirmations, timeout),
        };
        let pending = PendingReplies(Pending::Queued(self, seq));
        let wave = state.wave;
        state.wave = wave.saturating_sub(1);
        if let Some(at) = deadline {
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
            match link {
                Link::Down => self.driver_wake.notify_one(),
                // A transport only the background writer writes to (TLS).
                Link::Up => self.writer_wake.notify_one(),
                Link::Connecting => {}
            }
            return pending;
        };
        if state.writing {
            // The write in progress picks these bytes up when it finishes.
            return pending;
        }
        let idle = wave == 0 && state.unanswered() == 1;
        let full = state.out.len() >= WRITE_AT_ONCE;
        let chunk = state.unwritten >= WRITE_CHUNK;
        if !idle && wave != 1 && !full && !chunk {
            // Replies are outstanding, so the connection is busy anyway: the
            // last caller of this wave, the caller that completes a chunk, or
            // else the background writer once the tasks that are ready now
            // have queued theirs too, sends these bytes in one larger write.
            drop(state);
            self.writer_wake.notify_one();
            return pending;
        }
        // An idle connection, the last caller the delivery woke, a chunk
        // the server can start on, or enough queued (one task submitting
        // thousands of commands at once would otherwise grow the buffer
        // until the writer gets a turn): write at once from this task, no
        // hand-off.
        let sink = sink.clone();
        let generation = state.generation;
        let mut buf = state.take_out();
        drop(state);
        self.write_now(&sink, &mut buf, generation);
        pending
    }

    /// Writes `buf` from the caller's own task for as long as the socket takes
    /// it, then hands over: anything left, or queued meanwhile, goes to the
    /// background writer.
    fn write_now(&self, sink: &SharedWriter, buf: &mut BytesMut, generation: u64) {
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
        state.recycle(std::mem::take(buf));
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
    fn deliver(&self, replies: &mut Vec<Value>, wake: &mut Vec<Waker>) -> Result<()> {
        let mut outcome = Ok(());
        let probe;
        {
            let mut state = lock(&self.state);
            let mut woken = 0usize;
            for value in replies.drain(..) {
                match state.take_reply(value, wake) {
                    Ok(completed) => woken += completed,
                    Err(Misfit::Stray) => {
                        outcome = Err(violation::stray_reply(&state.addr));
                        break;
                    }
                    Err(Misfit::OutOfStep(why)) => {
                        tracing::warn!(addr = %state.addr, "connection out of step: {why}");
                        outcome = Err(Error::new(
                            ErrorKind::Io,
                            format!(
                                "out of step: {why}, so a reply went missing (on the server, \
                                 a proxy or the network) and every later reply would have \
                                 reached the caller before its own; the connection was dropped"
                            ),
                        ));
                        break;
                    }
                }
            }
            state.wave = state
                .wave
                .saturating_add(u32::try_from(woken).unwrap_or(u32::MAX));
            probe = state.take_probe_unsent();
        }
        wake.drain(..).for_each(Waker::wake);
        if probe {
            self.writer_wake.notify_one();
        }
        outcome
    }

    /// A push frame: told to the listeners in order with the replies (the
    /// reader delivered those before it), then, if it confirms a
    /// subscription change, counted towards that change's entry, so that
    /// a subscriber finds the confirmation among its events by the time its
    /// call completes.
    fn take_push(&self, frame: Value) {
        let confirmation = confirms_subscription(&frame).then(|| frame.clone());
        self.listeners.emit(ConnectionEvent::Push(frame));
        if let Some(frame) = confirmation {
            let mut wake = Vec::new();
            lock(&self.state).take_confirmation(frame, &mut wake);
            wake.into_iter().for_each(Waker::wake);
        }
    }

    fn mark_read(&self) {
        let nanos = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.last_read.store(nanos, Ordering::Relaxed);
    }

    fn last_read(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.last_read.load(Ordering::Relaxed))
    }

    /// Makes the new connection's write half available to callers (when its
    /// transport lets them write) and sends whatever was queued while
    /// connecting.
    fn attach(&self, sink: Option<Arc<SharedWriter>>, addr: &str, user: Option<&str>) {
        {
            let mut state = lock(&self.state);
            state.sink = sink;
            if *state.addr != *addr {
                state.addr = Arc::from(addr);
            }
            if state.user.as_deref() != user {
                state.user = user.map(Arc::from);
            }
            state.writing = false;
            state.generation += 1;
            state.link = Link::Up;
        }
        self.mark_read();
        self.writer_wake.notify_one();
    }

    /// Fails every queued command with `error` and forgets their bytes.
    fn fail_all(&self, error: &Error, link: Link) {
        let mut wake = Vec::new();
        {
            let mut state = lock(&self.state);
            state.out.clear();
            state.unwritten = 0;
            state.sink = None;
            state.link = link;
            // A write still running on the old connection must not touch
            // the next one's state, nor hand it bytes of failed commands.
            state.writing = false;
            state.wave = 0;
            state.generation += 1;
            state.fail_unanswered(error, &mut wake);
        }
        wake.into_iter().for_each(Waker::wake);
    }

    fn set_link(&self, link: Link) {
        lock(&self.state).link = link;
    }

    /// Whether someone needs the connection back: a waiting command, or a
    /// subscriber that has to subscribe again.
    fn has_waiting(&self) -> bool {
        self.listeners.is_seated() || lock(&self.state).unanswered() > 0
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
