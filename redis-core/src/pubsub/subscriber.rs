//! `PubSub`: the subscriber, its stream and its polling.

use std::fmt;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::mpsc;

use super::event::PubSubEvent;
use super::request::Request;
use super::subscriptions::Subscriptions;
use super::task::Task;
use crate::client::IntoConfig;
use crate::config::Config;
use crate::connection::{Connector, Node, SeatEvents, SubscriberSeat};
use crate::{Client, Result};

/// How many events the stream buffers for its reader (the task holds up
/// to as many again before it stops reading the socket).
const STREAM_BUFFER: usize = 1024;

/// A subscriber, like redis-py's `PubSub`, served by a background task.
///
/// Its transport is one of three, with the same calls and the same stream:
///
/// - **the client's shared connection**, for a RESP3 client (the default,
///   see [`Config::with_shared_pubsub`](crate::Config::with_shared_pubsub)):
///   RESP3 lets one connection carry commands and subscriptions at once,
///   the server's push frames keeping messages apart from replies. No
///   extra connection, handshake or health check, and the messages arrive
///   in order with the replies. One subscriber per client shares it (the
///   server keeps one set of subscriptions per connection); more get
///   connections of their own;
/// - **a connection of its own**, with RESP2 (whose subscribed connection
///   can run nothing else), for a further subscriber, when configured, and
///   for [`PubSub::connect`];
/// - **connections to a cluster's nodes**, from
///   [`ClusterClient::pubsub`](crate::ClusterClient::pubsub): channels and
///   patterns on one node, each shard channel on the primary of its slot,
///   following it when the slot moves.
///
/// Sharing is the default because it is what RESP3 was made for and costs
/// nothing until used. A connection of its own is the choice for a flood
/// of messages: it keeps them from delaying the client's replies, and a
/// reader that falls behind holds the server back (below) instead of
/// losing messages; on the shared connection, which must keep reading for
/// the other callers, a subscriber about 65,000 messages behind loses
/// those that arrive while it stays that far behind, and is told, as for a
/// lost connection, with [`PubSubEvent::Disconnected`], then
/// [`PubSubEvent::Reconnected`] once it subscribed again.
///
/// Subscribe and unsubscribe at any time ([`subscribe`], [`psubscribe`],
/// [`ssubscribe`] and their counterparts, reached through [`Deref`] to
/// [`Subscriptions`]); each call completes when the server confirmed it.
/// Messages come out in the order the server sent them, as a
/// [`Stream`](futures_core::Stream) of [`PubSubEvent`]s or through
/// [`next_message`](PubSub::next_message),
/// [`try_next_message`](PubSub::try_next_message) and
/// [`next_message_timeout`](PubSub::next_message_timeout) (redis-py's
/// `get_message`). To change subscriptions from another task while one
/// reads messages, give it a [`Subscriptions`] handle
/// ([`PubSub::subscriptions`]).
///
/// Confirmations of subscription changes are messages too (kinds
/// `subscribe`, `unsubscribe`...), unless
/// [`ignore_subscribe_messages`](PubSub::ignore_subscribe_messages) hides
/// them. A message on a channel (or matching a pattern) that has a handler
/// ([`Subscriptions::subscribe_with`]) goes to the handler instead.
///
/// When the connection is lost, the subscriber reconnects by itself (with
/// backoff, through the client's connector; on the shared connection, with
/// the client) and subscribes again to everything it had; the stream
/// reports the gap with [`PubSubEvent::Disconnected`] and
/// [`PubSubEvent::Reconnected`]. A connection of its own is checked with a
/// PING after the configured health-check interval of silence (the shared
/// one is checked by the client). Dropping the `PubSub` closes its own
/// connection, or unsubscribes the shared one from everything it had.
///
/// A reader that falls behind is not buffered without end: past a few
/// thousand waiting events the task stops reading its own connection, so
/// the server holds the rest, and its output-buffer limit for pub/sub
/// clients (`client-output-buffer-limit pubsub`) may then close the
/// connection, which the stream reports as a gap like any other loss.
///
/// [`subscribe`]: Subscriptions::subscribe
/// [`psubscribe`]: Subscriptions::psubscribe
/// [`ssubscribe`]: Subscriptions::ssubscribe
///
/// ```no_run
/// use redis_core::{Client, PubSubEvent};
/// # async fn run() -> redis_core::Result<()> {
/// let client = Client::connect("redis://127.0.0.1:6379").await?;
/// let mut pubsub = client.pubsub().await?.ignore_subscribe_messages(true);
/// pubsub.subscribe(["news"]).await?;
/// pubsub.psubscribe(["weather.*"]).await?;
/// while let Some(event) = pubsub.next_message().await {
///     if let PubSubEvent::Message(message) = event {
///         println!("{:?}: {:?}", message.channel, message.payload);
///     }
/// }
/// # Ok(()) }
/// ```
pub struct PubSub {
    subscriptions: Subscriptions,
    events: mpsc::Receiver<PubSubEvent>,
    ignore_subscribe_messages: bool,
}

impl fmt::Debug for PubSub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PubSub")
            .field("node", &self.subscriptions.node())
            .field("ignore_subscribe_messages", &self.ignore_subscribe_messages)
            .finish_non_exhaustive()
    }
}

impl PubSub {
    /// A subscriber on a connection of its own to the server `target`
    /// names, without a [`Client`](crate::Client) (which has
    /// [`Client::pubsub`](crate::Client::pubsub) for the same). Fails if
    /// the first connection cannot be made.
    ///
    /// ```no_run
    /// # async fn run() -> redis_core::Result<()> {
    /// let pubsub = redis_core::PubSub::connect("redis://127.0.0.1:6379/?protocol=2").await?;
    /// pubsub.subscribe(["news"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(target: impl IntoConfig) -> Result<PubSub> {
        let config = target.into_config()?;
        let connector: Connector = Arc::new(Node::new(config.clone())?);
        PubSub::start(config, connector).await
    }

    /// A subscriber whose connections `connector` opens, first and after
    /// every loss (a Sentinel client's connector finds the server each
    /// time).
    pub(crate) async fn start(config: Config, connector: Connector) -> Result<PubSub> {
        let conn = connector.connect().await?;
        let node: Arc<str> = Arc::from(conn.addr.as_str());
        let (pubsub, requests, events) = PubSub::open(config.response_timeout, node);
        tokio::spawn(Task::new(config, connector, requests, events).run(Some(conn)));
        Ok(pubsub)
    }

    /// A subscriber on the client's shared RESP3 connection, through the
    /// seat the client gave it and the events it hears from the moment it
    /// was taken, before anything is subscribed.
    pub(crate) fn share(
        config: Config,
        connector: Connector,
        client: Client,
        (seat, connection_events): (SubscriberSeat, SeatEvents),
    ) -> PubSub {
        let (pubsub, requests, events) = PubSub::open(config.response_timeout, seat.node());
        let task = Task::new(config, connector, requests, events);
        tokio::spawn(task.run_shared(seat, connection_events, client));
        pubsub
    }

    /// A subscriber whose calls go out as requests and whose stream is fed
    /// through the sender, by whatever serves them (a task on one
    /// connection, or a cluster's router). `node` names the server in
    /// errors; `timeout` bounds each call.
    pub(crate) fn open(
        timeout: Option<Duration>,
        node: Arc<str>,
    ) -> (
        PubSub,
        mpsc::UnboundedReceiver<Request>,
        mpsc::Sender<PubSubEvent>,
    ) {
        let (requests, requests_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::channel(STREAM_BUFFER);
        let pubsub = PubSub {
            subscriptions: Subscriptions::new(requests, timeout, node),
            events,
            ignore_subscribe_messages: false,
        };
        (pubsub, requests_rx, events_tx)
    }

    /// Hides the confirmations of subscription changes from the stream
    /// (redis-py's `ignore_subscribe_messages`); the calls still wait for
    /// them.
    ///
    /// ```no_run
    /// # async fn run(client: redis_core::Client) -> redis_core::Result<()> {
    /// let pubsub = client.pubsub().await?.ignore_subscribe_messages(true);
    /// # let _ = pubsub; Ok(()) }
    /// ```
    pub fn ignore_subscribe_messages(mut self, ignore: bool) -> PubSub {
        self.ignore_subscribe_messages = ignore;
        self
    }

    /// A handle to change the subscriptions from elsewhere (another task)
    /// while this `PubSub` is read.
    ///
    /// ```no_run
    /// # async fn run(pubsub: &redis_core::PubSub) -> redis_core::Result<()> {
    /// let subscriptions = pubsub.subscriptions();
    /// tokio::spawn(async move { subscriptions.subscribe(["later"]).await });
    /// # Ok(()) }
    /// ```
    pub fn subscriptions(&self) -> Subscriptions {
        self.subscriptions.clone()
    }

    /// The next event, waiting as long as it takes; `None` once the
    /// subscriber stopped. Cancel safe: dropping the future loses nothing.
    ///
    /// ```no_run
    /// # async fn run(mut pubsub: redis_core::PubSub) {
    /// while let Some(event) = pubsub.next_message().await {
    ///     println!("{event:?}");
    /// }
    /// # }
    /// ```
    pub async fn next_message(&mut self) -> Option<PubSubEvent> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// The next event if one has arrived, without waiting: redis-py's
    /// `get_message()` with no timeout.
    ///
    /// ```no_run
    /// # fn run(mut pubsub: redis_core::PubSub) {
    /// while let Some(event) = pubsub.try_next_message() {
    ///     println!("{event:?}");
    /// }
    /// # }
    /// ```
    pub fn try_next_message(&mut self) -> Option<PubSubEvent> {
        while let Ok(event) = self.events.try_recv() {
            if let Some(event) = self.accept(event) {
                return Some(event);
            }
        }
        None
    }

    /// The next event, waiting at most `timeout`: redis-py's
    /// `get_message(timeout=...)`. `None` if nothing came in time (or the
    /// subscriber stopped).
    ///
    /// ```no_run
    /// # async fn run(mut pubsub: redis_core::PubSub) {
    /// use std::time::Duration;
    /// if let Some(event) = pubsub.next_message_timeout(Duration::from_secs(1)).await {
    ///     println!("{event:?}");
    /// }
    /// # }
    /// ```
    pub async fn next_message_timeout(&mut self, timeout: Duration) -> Option<PubSubEvent> {
        tokio::time::timeout(timeout, self.next_message())
            .await
            .ok()
            .flatten()
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<PubSubEvent>> {
        loop {
            match self.events.poll_recv(cx) {
                Poll::Ready(Some(event)) => {
                    if let Some(event) = self.accept(event) {
                        return Poll::Ready(Some(event));
                    }
                }
                other => return other,
            }
        }
    }

    /// What the reader sees of `event`: nothing if it is a hidden
    /// confirmation or a handler took it.
    fn accept(&self, event: PubSubEvent) -> Option<PubSubEvent> {
        let PubSubEvent::Message(message) = event else {
            return Some(event);
        };
        if message.kind.is_confirmation() {
            return (!self.ignore_subscribe_messages).then_some(PubSubEvent::Message(message));
        }
        match self.subscriptions.handlers().find(&message) {
            Some(handler) => {
                handler(message);
                None
            }
            None => Some(PubSubEvent::Message(message)),
        }
    }
}

/// The subscription calls, on the `PubSub` itself.
impl Deref for PubSub {
    type Target = Subscriptions;

    fn deref(&self) -> &Subscriptions {
        &self.subscriptions
    }
}

impl futures_core::Stream for PubSub {
    type Item = PubSubEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<PubSubEvent>> {
        self.get_mut().poll_event(cx)
    }
}
