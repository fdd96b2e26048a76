//! The driver task: runs one connection (reader, background writer,
//! housekeeping) until it breaks, fails what was waiting, and reconnects.

use std::sync::Arc;

use super::super::conn::Connection;
use super::super::events::ConnectionEvent;
use super::super::reader::{Frame, Reader};
use super::super::socket::{ReadHalf, WriteHalf};
use super::housekeeping::{self, HOUSEKEEPING};
use super::state::Link;
use super::{Shared, lock};
use crate::{Error, ErrorKind, Result, ServerError, Value};

/// How long a connection must have served for its loss to count as an
/// accident rather than a failed attempt.
const STABLE_CONNECTION: std::time::Duration = std::time::Duration::from_secs(1);

/// The driver: run a connection until it breaks, fail what was waiting,
/// reconnect; until the client is closed.
pub(super) async fn drive(shared: Arc<Shared>, first: Connection) {
    let _stop = FailOnPanic(&shared);
    let mut conn = Some(first);
    // The first connection was made before anyone could listen.
    let mut announce = false;
    let mut failed_attempts = 0u32;
    while !shared.is_closed() {
        let Some(current) = conn.take() else {
            match reconnect(&shared, failed_attempts).await {
                Some(Ok(next)) => {
                    conn = Some(next);
                }
                Some(Err(error)) => {
                    failed_attempts = failed_attempts.saturating_add(1);
                    tracing::debug!(%error, "reconnect failed");
                    shared.fail_all(&error, Link::Down);
                }
                None => break,
            }
            continue;
        };
        let connected = tokio::time::Instant::now();
        let addr = current.addr.clone();
        let announce = std::mem::replace(&mut announce, true);
        let (error, replaced) = tokio::select! {
            ended = run(current, &shared, announce) => ended,
            () = closed(&shared) => break,
        };
        // A connection that breaks soon after it was made (a server that
        // drops every connection for a protocol violation, say) counts as a
        // failed attempt, so the next one waits for a caller and goes
        // through the backoff instead of reconnecting in a tight loop; one
        // that served a while is lost by accident, and its successor is
        // made at once, as is the successor of one dropped on purpose (a
        // demoted master, a replacement asked for).
        if replaced || connected.elapsed() >= STABLE_CONNECTION {
            failed_attempts = 0;
        } else {
            failed_attempts = failed_attempts.saturating_add(1);
        }
        match replaced {
            true => tracing::debug!(%addr, %error, "connection replaced"),
            false => tracing::debug!(%addr, %error, "connection lost"),
        }
        // A connection presumed dead after a timeout is, for the commands
        // still waiting on it, a lost connection: that decides whether they
        // may be retried. Other causes (a protocol violation) keep their kind.
        let kind = match error.kind() {
            ErrorKind::Timeout => ErrorKind::Io,
            kind => kind,
        };
        // Say plainly whose fault a protocol violation is, so that nobody
        // looks for it in the command's arguments.
        let lost = match kind {
            // The node was demoted: the commands in flight reached it after
            // its demotion (it answers in order), so none of them was
            // executed; the code says so to the retry.
            _ if is_demoted(&error) => error,
            // Worded where it was found (see `violation`).
            ErrorKind::Protocol => Error::new(
                kind,
                format!("{error}; the connection was dropped with the command in flight"),
            ),
            _ => Error::new(
                kind,
                format!("connection to {addr} lost with the command in flight: {error}"),
            ),
        }
        .at_node(&addr);
        // Down when the next attempt waits for a caller: a caller's command
        // then wakes the driver.
        let link = match failed_attempts {
            0 => Link::Connecting,
            _ => Link::Down,
        };
        let node = addr.to_string();
        let event = match replaced {
            true => ConnectionEvent::Replaced {
                node,
                reason: lost.clone(),
            },
            false => ConnectionEvent::Lost {
                node,
                error: lost.clone(),
            },
        };
        // The tap hears it before anyone is failed: a caller told of the
        // loss must not then read a cached reply the lost connection can no
        // longer invalidate.
        shared.listeners.forewarn(&event);
        shared.fail_all(&lost, link);
        // After the waiting commands were failed: their failures come
        // before the event that tells of it.
        shared.listeners.emit(event);
    }
    shared.fail_all(&Error::closed("the client was closed"), Link::Down);
    shared.listeners.close();
}

/// Should the driver panic (a bug), its callers are failed and later
/// commands refused, rather than left waiting for replies nobody reads.
struct FailOnPanic<'a>(&'a Shared);

impl Drop for FailOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(&self.0.state).closed = true;
            let stopped = Error::closed("the client's connection task stopped");
            self.0.fail_all(&stopped, Link::Down);
            self.0.listeners.close();
        }
    }
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
    if failed_attempts == 0 {
        tracing::debug!(attempt = 1, "reconnecting at once");
    } else {
        while !shared.has_waiting() {
            shared.driver_wake.notified().await;
            if shared.is_closed() {
                return None;
            }
        }
        let delay = shared.config.retry.delay(failed_attempts);
        tracing::debug!(
            attempt = failed_attempts + 1,
            ?delay,
            "reconnecting after the backoff"
        );
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = closed(shared) => return None,
        }
    }
    shared.set_link(Link::Connecting);
    tokio::select! {
        result = shared.connector.connect() => Some(result),
        () = closed(shared) => None,
    }
}

/// Runs one connection until it fails; returns why, and whether it was
/// dropped on purpose (a demoted master, a replacement asked for) rather
/// than lost.
async fn run(conn: Connection, shared: &Shared, announce: bool) -> (Error, bool) {
    let Connection {
        socket,
        reader,
        addr,
        user,
        ..
    } = conn;
    let (read_half, mut sink) = socket.into_split();
    // Asked for before this connection existed: it is the new one.
    lock(&shared.replace).take();
    shared.attach(sink.shared(), &addr, user.as_deref());
    if announce {
        tracing::debug!(%addr, "connected");
        shared.listeners.emit(ConnectionEvent::Connected {
            node: addr.to_string(),
        });
    }
    let reader = read_loop(read_half, reader, &addr, shared);
    let writer = write_loop(&mut sink, &addr, shared);
    tokio::pin!(reader, writer);
    loop {
        tokio::select! {
            error = &mut reader => {
                let demoted = is_demoted(&error);
                return (error, demoted);
            }
            error = &mut writer => return (error, false),
            error = replace_requested(shared) => return (error, true),
            () = tokio::time::sleep(HOUSEKEEPING) => {
                if let Some(error) = housekeeping::check(shared) {
                    return (error, false);
                }
            }
        }
    }
}

/// Waits until someone asks for the connection to be replaced; why.
async fn replace_requested(shared: &Shared) -> Error {
    loop {
        if let Some(why) = lock(&shared.replace).take() {
            return why;
        }
        shared.replace_wake.notified().await;
    }
}

/// The error a connection ends with when its node answered READONLY while
/// the connector follows failovers.
fn is_demoted(error: &Error) -> bool {
    error.code() == Some("READONLY")
}

/// A READONLY reply on a connection whose connector follows failovers: the
/// master was demoted behind our back (a failover, a manual REPLICAOF).
fn demoted(addr: &str, reply: &Value) -> Option<Error> {
    let Value::Error(server) = reply else {
        return None;
    };
    if server.code() != "READONLY" {
        return None;
    }
    let why = ServerError::parse(&format!(
        "READONLY {addr} answered as a replica ({}): it was demoted, so the connection is \
         replaced by one to the current master; the command was not executed",
        server.message()
    ));
    Some(Error::server(why).at_node(addr))
}

/// The background writer: sends what callers left queued (a wave whose last
/// caller did not come, bytes queued while replies were outstanding, the rest
/// of a write that found the socket full).
async fn write_loop(sink: &mut WriteHalf, addr: &str, shared: &Shared) -> Error {
    loop {
        shared.writer_wake.notified().await;
        // Let the tasks that are ready now queue their commands first, so
        // they share this write instead of each getting its own.
        tokio::task::yield_now().await;
        let buf = {
            let mut state = lock(&shared.state);
            // The callers of the wave that did not come are not waited for.
            state.wave = 0;
            if state.writing || state.out.is_empty() {
                continue;
            }
            state.take_out()
        };
        let written = match shared.config.response_timeout {
            Some(limit) => tokio::time::timeout(limit, sink.write_all(&buf))
                .await
                .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into())),
            None => sink.write_all(&buf).await,
        };
        if let Err(e) = written {
            return Error::io(&format!("writing to {addr}"), e);
        }
        let more = {
            let mut state = lock(&shared.state);
            state.recycle(buf);
            state.writing = false;
            !state.out.is_empty()
        };
        if more {
            shared.writer_wake.notify_one();
        }
    }
}

/// Reads the connection: replies go to the oldest waiting commands, push
/// frames to the listeners, each in the order they arrived. Returns why it
/// stopped.
async fn read_loop(mut source: ReadHalf, mut reader: Reader, addr: &str, shared: &Shared) -> Error {
    let mut replies = Vec::new();
    let mut done = Vec::new();
    loop {
        // Everything already read, then one delivery for all its replies.
        loop {
            let frame = match reader.buffered() {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(error) => return error,
            };
            match frame {
                Frame::Push(value) => {
                    // In order with the replies: those decoded before it
                    // are delivered before it is told.
                    if !replies.is_empty() {
                        if let Err(error) = shared.deliver(&mut replies, &mut done) {
                            return error;
                        }
                    }
                    shared.take_push(value);
                }
                Frame::Reply(value) => {
                    if shared.follow_failover {
                        if let Some(error) = demoted(addr, &value) {
                            // Those before it were answered by the master;
                            // it and every later one were not executed, and
                            // fail with the connection, before their callers
                            // can send anything more to this node.
                            if let Err(error) = shared.deliver(&mut replies, &mut done) {
                                return error;
                            }
                            return error;
                        }
                    }
                    replies.push(value);
                }
            }
        }
        if !replies.is_empty() {
            if let Err(error) = shared.deliver(&mut replies, &mut done) {
                return error;
            }
        }
        if let Err(error) = reader.fill(&mut source).await {
            return error;
        }
        shared.mark_read();
    }
}
