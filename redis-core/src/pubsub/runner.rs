//! `PubSub::run_in_background`: a task that reads a subscriber and hands
//! its messages to their handlers, like redis-py's `run_in_thread`.

use std::fmt;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::event::PubSubEvent;
use super::subscriber::PubSub;
use super::subscriptions::Subscriptions;
use crate::{Error, ErrorKind, Result};

/// A [`PubSub`] read by a task of its own; see
/// [`PubSub::run_in_background`]. Dropping it stops the task too (and
/// with it the subscriber); [`PubSubRunner::stop`] stops it and gives the
/// subscriber back.
///
/// ```no_run
/// # async fn run(client: redis_core::Client) -> redis_core::Result<()> {
/// let pubsub = client.pubsub().await?;
/// pubsub.subscribe_with("news", |m| println!("{:?}", m.payload)).await?;
/// let runner = pubsub.run_in_background(|error| eprintln!("pubsub: {error}"));
/// // ... later:
/// let pubsub = runner.stop().await?;
/// # drop(pubsub); Ok(()) }
/// ```
pub struct PubSubRunner {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<PubSub>>,
    subscriptions: Subscriptions,
}

impl fmt::Debug for PubSubRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PubSubRunner")
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

impl PubSub {
    /// Reads this subscriber on a tokio task of its own until stopped,
    /// giving each message to the handler of its channel or pattern
    /// ([`Subscriptions::subscribe_with`]). `on_error` is told of each lost
    /// connection (the subscriber reconnects by itself) and of each message
    /// that no handler takes (as redis-py's `run_in_thread` raises for
    /// one); confirmations are skipped. The task must be started inside a
    /// tokio runtime.
    ///
    /// ```no_run
    /// # async fn run(client: redis_core::Client) -> redis_core::Result<()> {
    /// let pubsub = client.pubsub().await?;
    /// pubsub.psubscribe_with("jobs.*", |m| println!("job on {:?}", m.channel)).await?;
    /// let runner = pubsub.run_in_background(|error| eprintln!("{error}"));
    /// runner.subscriptions().subscribe_with("alerts", |m| eprintln!("{:?}", m.payload)).await?;
    /// runner.stop().await?;
    /// # Ok(()) }
    /// ```
    pub fn run_in_background<E>(self, mut on_error: E) -> PubSubRunner
    where
        E: FnMut(Error) + Send + 'static,
    {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let subscriptions = self.subscriptions();
        let mut pubsub = self;
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    // Stop asked, or the runner dropped.
                    _ = &mut stopped => break,
                    event = pubsub.next_message() => match event {
                        None => break,
                        Some(PubSubEvent::Message(message)) if message.kind.is_confirmation() => {}
                        Some(PubSubEvent::Message(message)) => on_error(Error::new(
                            ErrorKind::Config,
                            format!(
                                "a {} on {:?} that no handler takes; subscribe with a handler \
                                 (subscribe_with, psubscribe_with, ssubscribe_with)",
                                message.kind.as_str(),
                                String::from_utf8_lossy(&message.channel)
                            ),
                        )),
                        Some(PubSubEvent::Disconnected { error, .. }) => on_error(error),
                        Some(_) => {}
                    },
                }
            }
            pubsub
        });
        PubSubRunner {
            stop: Some(stop),
            task: Some(task),
            subscriptions,
        }
    }
}

impl PubSubRunner {
    /// A handle to change the running subscriber's subscriptions.
    ///
    /// ```no_run
    /// # async fn run(runner: &redis_core::PubSubRunner) -> redis_core::Result<()> {
    /// runner.subscriptions().unsubscribe(["news"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn subscriptions(&self) -> Subscriptions {
        self.subscriptions.clone()
    }

    /// True once the task ended (stopped, or its subscriber was closed).
    ///
    /// ```no_run
    /// # fn run(runner: &redis_core::PubSubRunner) {
    /// assert!(!runner.is_finished());
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the task after the handler it is running (if any) returns,
    /// waits for it, and gives the subscriber back, still subscribed: drop
    /// it to close the connection. An error if a handler panicked.
    ///
    /// ```no_run
    /// # async fn run(runner: redis_core::PubSubRunner) -> redis_core::Result<()> {
    /// let pubsub = runner.stop().await?;
    /// pubsub.unsubscribe_all().await?;
    /// # Ok(()) }
    /// ```
    pub async fn stop(mut self) -> Result<PubSub> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = self
            .task
            .take()
            .ok_or_else(|| Error::closed("the runner was already stopped"))?;
        task.await.map_err(|error| {
            Error::new(
                ErrorKind::Closed,
                format!("the pub/sub runner's task ended abnormally: {error}"),
            )
        })
    }
}
