//! What happens to a client's shared connection, told in the order it
//! happens: connected, lost, replaced, push frames. Pub/sub, the client-side cache and
//! users' own monitoring listen here.

use std::sync::{Arc, Mutex};

use tokio::sync::broadcast::{self, Receiver, Sender, error::RecvError, error::TryRecvError};

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

/// The listeners of one connection's events: one broadcast channel, so an
/// event is stored once however many listen, and sending never waits.
pub(crate) struct Listeners {
    /// `None` once the client is closed: every listener's stream ends.
    sender: Mutex<Option<Sender<ConnectionEvent>>>,
    tap: Option<Tap>,
}

impl Default for Listeners {
    fn default() -> Self {
        Listeners::new(None)
    }
}

impl Listeners {
    pub(crate) fn new(tap: Option<Tap>) -> Listeners {
        Listeners {
            sender: Mutex::new(Some(broadcast::channel(EVENT_BUFFER).0)),
            tap,
        }
    }

    pub(crate) fn subscribe(&self) -> ConnectionEvents {
        let receiver = match &*lock(&self.sender) {
            Some(sender) => sender.subscribe(),
            // Closed: a stream that has already ended.
            None => broadcast::channel(1).1,
        };
        ConnectionEvents(receiver)
    }

    /// Tells the tap alone, ahead of [`Listeners::emit`] (a loss, before
    /// the commands waiting on the connection are failed); it hears the
    /// event again then.
    pub(crate) fn forewarn(&self, event: &ConnectionEvent) {
        if let Some(tap) = &self.tap {
            tap(event);
        }
    }

    /// Tells the tap, then every listener; never waits. Nobody listening:
    /// nothing is kept.
    pub(crate) fn emit(&self, event: ConnectionEvent) {
        self.forewarn(&event);
        if let Some(sender) = &*lock(&self.sender) {
            // Fails only when nobody listens.
            let _ = sender.send(event);
        }
    }

    /// Ends every listener's stream (the client is closed).
    pub(crate) fn close(&self) {
        lock(&self.sender).take();
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
}
