//! `Subscriptions`: the cloneable handle that changes a subscriber's
//! subscriptions; each call is sent to the subscriber's task and completes
//! when the server confirmed it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use super::handlers::{Handler, Handlers};
use super::message::Message;
use super::request::{Class, Op, Request};
use crate::{Error, ErrorKind, Result};

/// A handle that changes a [`PubSub`](crate::PubSub)'s subscriptions, cheap to clone and
/// to send to other tasks; calls on it are sent to the subscriber's task
/// and complete when the server confirmed them.
///
/// ```no_run
/// # async fn run(client: redis_core::Client) -> redis_core::Result<()> {
/// let mut pubsub = client.pubsub().await?;
/// let subscriptions = pubsub.subscriptions();
/// let reader = tokio::spawn(async move { pubsub.next_message().await });
/// subscriptions.subscribe(["news"]).await?;
/// # let _ = reader; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Subscriptions {
    requests: mpsc::UnboundedSender<Request>,
    handlers: Handlers,
    timeout: Option<Duration>,
    node: Arc<str>,
}

impl fmt::Debug for Subscriptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscriptions")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

impl Subscriptions {
    pub(super) fn new(
        requests: mpsc::UnboundedSender<Request>,
        timeout: Option<Duration>,
        node: Arc<str>,
    ) -> Subscriptions {
        Subscriptions {
            requests,
            handlers: Handlers::default(),
            timeout,
            node,
        }
    }

    pub(super) fn handlers(&self) -> &Handlers {
        &self.handlers
    }

    pub(super) fn node(&self) -> &str {
        &self.node
    }

    /// Subscribes to `channels` (SUBSCRIBE); completes when the server
    /// confirmed every one.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.subscribe(["news", "sport"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe<I, N>(&self, channels: I) -> Result<()>
    where
        I: IntoIterator<Item = N>,
        N: AsRef<[u8]>,
    {
        self.change(Class::Channel, true, names(channels)).await
    }

    /// Subscribes to the channels matching each glob-style pattern
    /// (PSUBSCRIBE); their messages are of kind
    /// [`MessageKind::PMessage`](crate::MessageKind::PMessage) and carry
    /// the pattern.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.psubscribe(["news.*"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn psubscribe<I, N>(&self, patterns: I) -> Result<()>
    where
        I: IntoIterator<Item = N>,
        N: AsRef<[u8]>,
    {
        self.change(Class::Pattern, true, names(patterns)).await
    }

    /// Subscribes to shard channels (SSUBSCRIBE, Redis 7+), where SPUBLISH
    /// publishes.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.ssubscribe(["orders"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn ssubscribe<I, N>(&self, channels: I) -> Result<()>
    where
        I: IntoIterator<Item = N>,
        N: AsRef<[u8]>,
    {
        self.change(Class::Shard, true, names(channels)).await
    }

    /// Unsubscribes from `channels`; the other subscriptions stay. An empty
    /// list does nothing (see [`Subscriptions::unsubscribe_all`]).
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.unsubscribe(["sport"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn unsubscribe<I, N>(&self, channels: I) -> Result<()>
    where
        I: IntoIterator<Item = N>,
        N: AsRef<[u8]>,
    {
        self.change_some(Class::Channel, names(channels)).await
    }

    /// Unsubscribes from `patterns`.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.punsubscribe(["news.*"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn punsubscribe<I, N>(&self, patterns: I) -> Result<()>
    where
        I: IntoIterator<Item = N>,
        N: AsRef<[u8]>,
    {
        self.change_some(Class::Pattern, names(patterns)).await
    }

    /// Unsubscribes from shard `channels`.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.sunsubscribe(["orders"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn sunsubscribe<I, N>(&self, channels: I) -> Result<()>
    where
        I: IntoIterator<Item = N>,
        N: AsRef<[u8]>,
    {
        self.change_some(Class::Shard, names(channels)).await
    }

    /// Unsubscribes from every channel (UNSUBSCRIBE without arguments).
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.unsubscribe_all().await?;
    /// # Ok(()) }
    /// ```
    pub async fn unsubscribe_all(&self) -> Result<()> {
        self.change(Class::Channel, false, Vec::new()).await
    }

    /// Unsubscribes from every pattern.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.punsubscribe_all().await?;
    /// # Ok(()) }
    /// ```
    pub async fn punsubscribe_all(&self) -> Result<()> {
        self.change(Class::Pattern, false, Vec::new()).await
    }

    /// Unsubscribes from every shard channel.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.sunsubscribe_all().await?;
    /// # Ok(()) }
    /// ```
    pub async fn sunsubscribe_all(&self) -> Result<()> {
        self.change(Class::Shard, false, Vec::new()).await
    }

    /// Subscribes to `channel` with a handler that takes its messages
    /// instead of the stream (redis-py's `subscribe(**{channel: handler})`).
    /// Handlers run on the task that reads the `PubSub` (or in its
    /// [`PubSub::run_in_background`](crate::PubSub::run_in_background) runner); one that has async work to do
    /// spawns it.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub
    ///     .subscribe_with("news", |message| println!("news: {:?}", message.payload))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe_with<F>(&self, channel: impl AsRef<[u8]>, handler: F) -> Result<()>
    where
        F: Fn(Message) + Send + Sync + 'static,
    {
        self.change_with(Class::Channel, channel, Arc::new(handler))
            .await
    }

    /// Subscribes to a pattern with a handler for what it matches.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub
    ///     .psubscribe_with("news.*", |message| println!("{:?}", message.channel))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn psubscribe_with<F>(&self, pattern: impl AsRef<[u8]>, handler: F) -> Result<()>
    where
        F: Fn(Message) + Send + Sync + 'static,
    {
        self.change_with(Class::Pattern, pattern, Arc::new(handler))
            .await
    }

    /// Subscribes to a shard channel with a handler.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub
    ///     .ssubscribe_with("orders", |message| println!("{:?}", message.payload))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn ssubscribe_with<F>(&self, channel: impl AsRef<[u8]>, handler: F) -> Result<()>
    where
        F: Fn(Message) + Send + Sync + 'static,
    {
        self.change_with(Class::Shard, channel, Arc::new(handler))
            .await
    }

    /// Sends a PING on the subscribed connection and waits for its answer.
    ///
    /// ```no_run
    /// # async fn run(pubsub: redis_core::PubSub) -> redis_core::Result<()> {
    /// pubsub.ping().await?;
    /// # Ok(()) }
    /// ```
    pub async fn ping(&self) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.send(Request::Ping { done })?;
        self.wait("PING", answer).await
    }

    async fn change_with(
        &self,
        class: Class,
        name: impl AsRef<[u8]>,
        handler: Handler,
    ) -> Result<()> {
        let name = Bytes::copy_from_slice(name.as_ref());
        self.handlers.set(class, name.clone(), handler);
        let changed = self.change(class, true, vec![name.clone()]).await;
        if let Err(error) = &changed {
            if error.kind() == ErrorKind::Server {
                self.handlers.remove(class, &[name]);
            }
        }
        changed
    }

    async fn change_some(&self, class: Class, names: Vec<Bytes>) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        self.change(class, false, names).await
    }

    async fn change(&self, class: Class, subscribe: bool, names: Vec<Bytes>) -> Result<()> {
        let op = Op { class, subscribe };
        if subscribe && names.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{} needs at least one name; nothing was sent", op.command()),
            ));
        }
        if !subscribe {
            self.handlers.remove(class, &names);
        }
        let (done, answer) = oneshot::channel();
        self.send(Request::Change { op, names, done })?;
        self.wait(op.command(), answer).await
    }

    fn send(&self, request: Request) -> Result<()> {
        self.requests
            .send(request)
            .map_err(|_| Error::closed("the subscriber was dropped; subscribe on a new one"))
    }

    async fn wait(&self, command: &str, answer: oneshot::Receiver<Result<()>>) -> Result<()> {
        let answered = match self.timeout {
            Some(limit) => tokio::time::timeout(limit, answer).await.map_err(|_| {
                Error::timeout(format!(
                    "{command} was not confirmed by {} within {limit:?}; the change stays in \
                     effect and the server's confirmation still comes in the stream",
                    self.node
                ))
            })?,
            None => answer.await,
        };
        answered.map_err(|_| Error::closed("the subscriber stopped before the server answered"))?
    }
}

fn names<I, N>(names: I) -> Vec<Bytes>
where
    I: IntoIterator<Item = N>,
    N: AsRef<[u8]>,
{
    names
        .into_iter()
        .map(|name| Bytes::copy_from_slice(name.as_ref()))
        .collect()
}
