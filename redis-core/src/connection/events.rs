//! What happens to a client's shared connection, told in the order it
//! happens: connected, lost, replaced, push frames. Pub/sub, the client-side cache and
//! users' own monitoring listen here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast::{self, Receiver, Sender, error::RecvError, error::TryRecvError};
use tokio::sync::mpsc;

use crate::pubsub::is_pubsub_frame;
use crate::sync::lock;
use crate::{Error, Value};

/// How many events a listener may fall behind by before it loses the
/// oldest ones (and is told, with [`ConnectionEvent::Missed`]).
pub const EVENT_BUFFER: usize = 1024;

/// Something that happened to a client's shared connection.
///
/// Events arrive in the order they happened on the wire: a push frame the
/// server sent after the reply to a command is told after that command's
/// reply was delivered to it, and a `Lost` (or `Replaced`) follows every
/// push frame its connection carried and precedes the next `Connected`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// A new connection was made, handshake done, after a loss. After a
    /// reconnect, what the old connection had set up (subscriptions,
    /// tracking) is gone unless the connector replays it.
    Connected {
        /// The server, as `host:port` (or `unix:path`).
        node: String,
    },
    /// The connection broke; the client reconnects in the background.
    Lost {
        /// The server it was connected to.
        node: String,
        /// Why: what the commands waiting on it failed with.
        error: Error,
    },
    /// The connection was dropped on purpose, to be replaced by a new one
    /// made through the client's connector: asked for
    /// ([`Client::reconnect`](crate::Client::reconnect), a Sentinel
    /// `+switch-master`), or its node answered READONLY to a client that
    /// follows failovers. As after a loss, what it had set up is gone, and
    /// [`ConnectionEvent::Connected`] follows once the new one is made.
    Replaced {
        /// The server it was connected to.
        node: String,
        /// Why: what the commands waiting on it failed with.
        reason: Error,
    },
    /// A RESP3 push frame that is not a reply to any command: pub/sub
    /// messages, client-side caching invalidations, and whatever a newer
    /// server sends.
    Push(Value),
    /// This listener fell more than [`EVENT_BUFFER`] events behind, and
    /// this many of the oldest ones it had not read were dropped.
    Missed {
        /// How many events were dropped.
        count: u64,
    },
}

/// A client's connection events, from [`crate::Client::connection_events`].
///
/// Bounded and lossy, so that a slow listener never holds up the
/// connection's reader (nor lets memory grow without bound): a listener
/// that falls more than [`EVENT_BUFFER`] events behind loses the oldest,
/// and its next [`recv`](ConnectionEvents::recv) returns
/// [`ConnectionEvent::Missed`] with how many, before the events it still
/// has. Ends (`None`) once the client is closed and its last events were
/// read.
#[derive(Debug)]
pub struct ConnectionEvents(Receiver<ConnectionEvent>);

impl ConnectionEvents {
    /// The next event; `None` once the client is closed.
    pub async fn recv(&mut self) -> Option<ConnectionEvent> {
        match self.0.recv().await {
            Ok(event) => Some(event),
            Err(RecvError::Lagged(count)) => Some(ConnectionEvent::Missed { count }),
            Err(RecvError::Closed) => None,
        }
    }

    /// The next event if one is waiting, without waiting.
    pub fn try_recv(&mut self) -> Option<ConnectionEvent> {
        match self.0.try_recv() {
            Ok(event) => Some(event),
            Err(TryRecvError::Lagged(count)) => Some(ConnectionEvent::Missed { count }),
            Err(TryRecvError::Empty | TryRecvError::Closed) => None,
        }
    }
}

/// Told of each event synchronously, on the connection's own task, before
/// any reply that follows it on the wire is delivered: what the client-side
/// cache needs, since a listener task would learn of an invalidation only
/// some time after the reply behind it had been handed out.
pub(crate) type Tap = Arc<dyn Fn(&ConnectionEvent) + Send + Sync>;

/// How many events the subscriber sharing the connection may fall behind
/// by before it loses the oldest. Larger than [`EVENT_BUFFER`]: a
/// subscriber's messages come in floods, and the shared connection cannot
/// hold the server back for it (it must keep reading the other callers'
/// replies), so this is all the slack a slow reader has. About 13 MB of
/// 64-byte messages at the most.
const SEAT_BUFFER: usize = 1 << 16;

/// The listeners of one connection's events: one broadcast channel, so an
/// event is stored once however many listen, and sending never waits; and
/// the seat of the subscriber sharing the connection, which hears only what
/// concerns it (pub/sub push frames, connects, losses), with more room.
pub(crate) struct Listeners {
    outlets: Mutex<Outlets>,
    tap: Option<Tap>,
}

struct Outlets {
    /// `None` once the client is closed: every listener's stream ends.
    broadcast: Option<Sender<ConnectionEvent>>,
    seat: Option<Seat>,
}

/// The sending side of a seated subscriber's events.
struct Seat {
    sender: mpsc::Sender<ConnectionEvent>,
    dropped: Arc<AtomicU64>,
}

impl Seat {
    fn wants(event: &ConnectionEvent) -> bool {
        match event {
            ConnectionEvent::Push(frame) => is_pubsub_frame(frame),
            ConnectionEvent::Connected { .. }
            | ConnectionEvent::Lost { .. }
            | ConnectionEvent::Replaced { .. } => true,
            ConnectionEvent::Missed { .. } => false,
        }
    }

    fn send(&self, event: ConnectionEvent) {
        if self.sender.try_send(event).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What the subscriber sharing the connection hears, in wire order: its
/// push frames, connects, losses and replacements, and
/// [`ConnectionEvent::Missed`] when it fell more than [`SEAT_BUFFER`]
/// behind. Ends when the client is closed.
pub(crate) struct SeatEvents {
    receiver: mpsc::Receiver<ConnectionEvent>,
    dropped: Arc<AtomicU64>,
}

impl SeatEvents {
    /// The next event. Cancel safe.
    pub(crate) async fn recv(&mut self) -> Option<ConnectionEvent> {
        let count = self.dropped.swap(0, Ordering::Relaxed);
        if count > 0 {
            return Some(ConnectionEvent::Missed { count });
        }
        self.receiver.recv().await
    }
}

impl Default for Listeners {
    fn default() -> Self {
        Listeners::new(None)
    }
}

impl Listeners {
    pub(crate) fn new(tap: Option<Tap>) -> Listeners {
        Listeners {
            outlets: Mutex::new(Outlets {
                broadcast: Some(broadcast::channel(EVENT_BUFFER).0),
                seat: None,
            }),
            tap,
        }
    }

    pub(crate) fn subscribe(&self) -> ConnectionEvents {
        let receiver = match &lock(&self.outlets).broadcast {
            Some(sender) => sender.subscribe(),
            // Closed: a stream that has already ended.
            None => broadcast::channel(1).1,
        };
        ConnectionEvents(receiver)
    }

    /// Takes the subscriber's seat, if free and the client open.
    pub(crate) fn seat(&self) -> Option<SeatEvents> {
        let mut outlets = lock(&self.outlets);
        if outlets.seat.is_some() || outlets.broadcast.is_none() {
            return None;
        }
        let (sender, receiver) = mpsc::channel(SEAT_BUFFER);
        let dropped = Arc::new(AtomicU64::new(0));
        outlets.seat = Some(Seat {
            sender,
            dropped: dropped.clone(),
        });
        Some(SeatEvents { receiver, dropped })
    }

    /// Frees the subscriber's seat.
    pub(crate) fn unseat(&self) {
        lock(&self.outlets).seat = None;
    }

    /// Whether a subscriber holds the seat.
    pub(crate) fn is_seated(&self) -> bool {
        lock(&self.outlets).seat.is_some()
    }

    /// Tells the tap alone, ahead of [`Listeners::emit`] (a loss, before
    /// the commands waiting on the connection are failed); it hears the
    /// event again then.
    pub(crate) fn forewarn(&self, event: &ConnectionEvent) {
        if let Some(tap) = &self.tap {
            tap(event);
        }
    }

    /// Tells the tap, then the seated subscriber if it concerns it, then
    /// every listener; never waits. Nobody listening: nothing is kept.
    pub(crate) fn emit(&self, event: ConnectionEvent) {
        self.forewarn(&event);
        let outlets = lock(&self.outlets);
        let seat = outlets.seat.as_ref().filter(|_| Seat::wants(&event));
        let broadcast = outlets
            .broadcast
            .as_ref()
            .filter(|sender| sender.receiver_count() > 0);
        match (seat, broadcast) {
            (Some(seat), Some(sender)) => {
                seat.send(event.clone());
                let _ = sender.send(event);
            }
            (Some(seat), None) => seat.send(event),
            (None, Some(sender)) => {
                // Fails only when the last listener left meanwhile.
                let _ = sender.send(event);
            }
            (None, None) => {}
        }
    }

    /// Ends every listener's stream and the seated subscriber's (the
    /// client is closed).
    pub(crate) fn close(&self) {
        let mut outlets = lock(&self.outlets);
        outlets.broadcast.take();
        outlets.seat.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_listener_loses_the_oldest_and_is_told() {
        let listeners = Listeners::default();
        let mut events = listeners.subscribe();
        for i in 0..EVENT_BUFFER + 5 {
            listeners.emit(ConnectionEvent::Push(Value::Integer(i as i64)));
        }
        assert!(matches!(
            events.try_recv(),
            Some(ConnectionEvent::Missed { count: 5 })
        ));
        assert!(matches!(
            events.try_recv(),
            Some(ConnectionEvent::Push(Value::Integer(5)))
        ));
        listeners.close();
        let mut rest = 0;
        while events.try_recv().is_some() {
            rest += 1;
        }
        assert_eq!(rest, EVENT_BUFFER - 1);
        assert!(listeners.subscribe().try_recv().is_none());
    }

    fn push(kind: &str) -> ConnectionEvent {
        ConnectionEvent::Push(Value::Push(vec![
            Value::BulkString(bytes::Bytes::copy_from_slice(kind.as_bytes())),
            Value::BulkString(bytes::Bytes::from_static(b"ch")),
        ]))
    }

    #[tokio::test]
    async fn the_seat_hears_pubsub_and_connection_changes_and_counts_what_it_dropped() {
        let listeners = Listeners::default();
        let Some(mut seat) = listeners.seat() else {
            panic!("the seat of a new connection is free");
        };
        assert!(listeners.seat().is_none(), "one seat per connection");
        listeners.emit(push("invalidate"));
        listeners.emit(push("message"));
        listeners.emit(ConnectionEvent::Connected { node: "n".into() });
        assert!(matches!(seat.recv().await, Some(ConnectionEvent::Push(_))));
        assert!(matches!(
            seat.recv().await,
            Some(ConnectionEvent::Connected { .. })
        ));
        for _ in 0..SEAT_BUFFER + 3 {
            listeners.emit(push("smessage"));
        }
        assert!(matches!(
            seat.recv().await,
            Some(ConnectionEvent::Missed { count: 3 })
        ));
        listeners.unseat();
        assert!(listeners.seat().is_some(), "freed");
        listeners.close();
        assert!(listeners.seat().is_none(), "closed");
    }
}
