//! What a subscriber's stream yields: messages, and the gaps between
//! connections.

use super::message::Message;
use crate::Error;

/// One item of a [`PubSub`](crate::PubSub) stream.
///
/// A lost connection is not hidden: the stream says [`Disconnected`] when
/// it happens and [`Reconnected`] once every subscription is back in place.
/// Whatever was published in between is lost, as in Redis itself: a
/// subscriber only receives what is published while it is subscribed.
///
/// [`Disconnected`]: PubSubEvent::Disconnected
/// [`Reconnected`]: PubSubEvent::Reconnected
///
/// ```no_run
/// use redis_core::PubSubEvent;
/// # async fn run(mut pubsub: redis_core::PubSub) {
/// while let Some(event) = pubsub.next_message().await {
///     match event {
///         PubSubEvent::Message(message) => println!("{:?}", message.payload),
///         PubSubEvent::Disconnected { node, error } => eprintln!("lost {node}: {error}"),
///         PubSubEvent::Reconnected { node } => eprintln!("subscribed again on {node}"),
///         _ => {}
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PubSubEvent {
    /// A message or a subscription change's confirmation.
    Message(Message),
    /// The connection was lost (on a cluster, also: the slot of a shard
    /// channel moved away from `node`): from here until
    /// [`PubSubEvent::Reconnected`], messages are missed.
    Disconnected {
        /// The server the connection was to.
        node: String,
        /// Why it was lost.
        error: Error,
    },
    /// Connected again and subscribed again to everything (the
    /// confirmations of the new subscriptions come just before this); on a
    /// cluster, `node` may be another node than the one lost, the one that
    /// serves the channels now.
    Reconnected {
        /// The server now connected to.
        node: String,
    },
}

impl PubSubEvent {
    /// The message, if this is one.
    ///
    /// ```no_run
    /// # async fn run(mut pubsub: redis_core::PubSub) {
    /// if let Some(message) = pubsub.next_message().await.and_then(|e| e.into_message()) {
    ///     println!("{:?}", message.payload);
    /// }
    /// # }
    /// ```
    pub fn into_message(self) -> Option<Message> {
        match self {
            PubSubEvent::Message(message) => Some(message),
            _ => None,
        }
    }
}
