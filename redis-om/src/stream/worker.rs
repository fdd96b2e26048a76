//! `Worker`: the builder of a consumer-group worker, and `run`.

use std::collections::HashSet;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis_core::commands::{GroupStart, StreamCommands, StreamId, XGroupCreateOptions};
use redis_core::{Error, ErrorKind, Redis, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::watch;

use super::acker::Acker;
use super::delivery::Delivery;
use super::event_stream::EventStream;
use super::handle::{GroupOf, WorkerHandle};
use super::reader::Reader;
use super::stats::Counters;

/// The handler, boxed so the worker's loop is one piece of code per event
/// type rather than one per handler closure.
pub(crate) type Handler<E> = Arc<
    dyn Fn(Delivery<E>) -> Pin<Box<dyn Future<Output = std::result::Result<(), String>> + Send>>
        + Send
        + Sync,
>;

/// A background worker on a consumer group of an [`EventStream`]: reads
/// entries as one consumer of the group, runs a handler on each, and
/// acknowledges an entry only after its handler succeeded.
///
/// Guarantees, and how they are kept:
///
/// - **At least once.** XACK follows a handler's success, never precedes
///   it. An entry whose handler fails is retried after a backoff (taken
///   again with XCLAIM, which counts the delivery); after
///   [`max_deliveries`](Worker::max_deliveries) failed deliveries it is
///   added to the [dead-letter stream](Worker::dead_letter) with its
///   original fields, the error text and the count, and then acknowledged.
///   An entry whose fields do not decode as `E` goes there at once: no
///   retry can fix it. A handler that must not act twice on one entry
///   checks [`Processed`](super::Processed).
/// - **Nothing stranded.** At start the worker first handles what the group
///   still has pending for its consumer name (a previous run's unfinished
///   work, `XREADGROUP ... 0`). At start and every
///   [`claim_every`](Worker::claim_every), it takes over entries that another
///   consumer (dead, or stuck) left pending longer than
///   [`claim_after`](Worker::claim_after) (`XAUTOCLAIM`).
/// - **Back-pressure.** At most [`concurrency`](Worker::concurrency)
///   handlers run at once, and a read asks for no more entries than there
///   are free slots (`COUNT`), so entries wait in Redis, not in memory, and
///   other workers of the group can take them. A failed entry waiting for
///   its retry keeps its slot.
/// - **Resilience.** Reads block (`BLOCK`) on a connection of the worker's
///   own ([`Redis::dedicated_for`]: on a cluster, of the stream's node). A
///   failed read (a killed connection, a server restart) is logged, counted
///   in [`WorkerStats::errors`](super::WorkerStats),
///   and retried on a new connection with a growing pause; the group is
///   created again if the server lost it; then the consumer's pending
///   entries are read again, so that entries delivered in a reply that was
///   lost are not left behind. Nothing the worker meets while running is
///   fatal to it.
///
/// The worker creates the group if it is missing (`XGROUP CREATE ...
/// MKSTREAM`, from the start of the stream unless [`start`](Worker::start)
/// says otherwise).
///
/// Events (at `tracing` targets under `redis_om::stream`): each retry and
/// read failure at WARN, each dead-lettered entry at ERROR, claims at INFO,
/// starts and stops at INFO.
///
/// ```no_run
/// use std::time::Duration;
/// use redis_om::{Delivery, EventStream, Worker};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct OrderPlaced { order: String, amount: f64 }
///
/// async fn charge(order: &OrderPlaced) -> Result<(), String> {
///     println!("charging {} for order {}", order.amount, order.order);
///     Ok(())
/// }
///
/// # async fn run() -> redis_om::core::Result<()> {
/// let client = redis_om::core::Client::connect("redis://127.0.0.1:6379").await?;
/// let orders = EventStream::<OrderPlaced>::new(client, "orders");
/// let worker = Worker::new(orders, "billing", "billing-1")
///     .concurrency(16)
///     .max_deliveries(3)
///     .run(|delivery: Delivery<OrderPlaced>| async move { charge(delivery.value()).await })
///     .await?;
/// // ... until the service is asked to stop:
/// let stats = worker.shutdown(Duration::from_secs(10)).await?;
/// println!("acked {}", stats.acked);
/// # Ok(()) }
/// ```
#[must_use = "a worker does nothing until `run`"]
pub struct Worker<E> {
    pub(crate) stream: EventStream<E, Redis>,
    pub(crate) settings: Settings,
}

/// What the builder sets, shared by the worker's tasks.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) group: String,
    pub(crate) consumer: String,
    pub(crate) concurrency: usize,
    pub(crate) max_deliveries: u64,
    pub(crate) dead_letter: String,
    pub(crate) claim_after: Duration,
    pub(crate) claim_every: Duration,
    pub(crate) block: Duration,
    pub(crate) retry_backoff: Duration,
    pub(crate) start: GroupStart,
    pub(crate) remove_idle_after: Option<Duration>,
}

/// The longest pause before a retry, however often an entry failed.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl<E> Worker<E> {
    /// A worker reading `stream` as `consumer` of `group`.
    ///
    /// Give each running worker its own consumer name, and the same name
    /// again after a restart (a host name, a pod name): what the previous
    /// run left pending under that name is handled first.
    ///
    /// Defaults: concurrency 1, 5 deliveries, dead letters to
    /// `{stream}:dead`, claim after 60 s, checking every 30 s, reads
    /// blocking 2 s, retries after 100 ms doubling per delivery.
    ///
    /// The stream may go through a [`Client`](redis_core::Client), a
    /// [`ClusterClient`](redis_core::ClusterClient) or a [`Redis`] handle: the blocking
    /// reads take a connection of the server (on a cluster, the primary) that holds the
    /// stream's key, lent by its pool.
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Order { id: String }
    /// let orders = redis_om::EventStream::<Order>::new(client, "orders");
    /// let worker = redis_om::Worker::new(orders, "billing", "billing-1");
    /// # let _ = worker; }
    /// ```
    pub fn new<X: Into<Redis>>(
        stream: EventStream<E, X>,
        group: impl Into<String>,
        consumer: impl Into<String>,
    ) -> Self {
        let stream = stream.map_executor(Into::into);
        let dead_letter = format!("{}:dead", stream.key());
        Worker {
            stream,
            settings: Settings {
                group: group.into(),
                consumer: consumer.into(),
                concurrency: 1,
                max_deliveries: 5,
                dead_letter,
                claim_after: Duration::from_secs(60),
                claim_every: Duration::from_secs(30),
                block: Duration::from_secs(2),
                retry_backoff: Duration::from_millis(100),
                start: GroupStart::After(StreamId::ZERO),
                remove_idle_after: None,
            },
        }
    }

    /// How many handlers run at once (at least 1; default 1).
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.concurrency(16);
    /// # }
    /// ```
    pub fn concurrency(mut self, handlers: usize) -> Self {
        self.settings.concurrency = handlers.max(1);
        self
    }

    /// After how many failed deliveries an entry goes to the dead-letter
    /// stream (at least 1; default 5). Deliveries are the server's count, so
    /// an entry whose handler crashes the worker is counted too.
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.max_deliveries(3);
    /// # }
    /// ```
    pub fn max_deliveries(mut self, deliveries: u64) -> Self {
        self.settings.max_deliveries = deliveries.max(1);
        self
    }

    /// The stream that entries which failed
    /// [`max_deliveries`](Self::max_deliveries) times go to (default
    /// `{stream}:dead`). Each dead letter holds the entry's own fields and
    /// `_id` (the entry's id), `_stream`, `_group`, `_error` (the handler's
    /// last error text) and `_deliveries`.
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.dead_letter("orders:failed");
    /// # }
    /// ```
    pub fn dead_letter(mut self, key: impl Into<String>) -> Self {
        self.settings.dead_letter = key.into();
        self
    }

    /// How long an entry must have been pending with another consumer,
    /// without being acknowledged, before this worker takes it over
    /// (default 60 s). Longer than the slowest handler should take: a
    /// handler still working on an entry past this time may see it handled
    /// a second time elsewhere.
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.claim_after(std::time::Duration::from_secs(300));
    /// # }
    /// ```
    pub fn claim_after(mut self, idle: Duration) -> Self {
        self.settings.claim_after = idle;
        self
    }

    /// How often to look for entries to take over (default 30 s; at least
    /// 10 ms).
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.claim_every(std::time::Duration::from_secs(5));
    /// # }
    /// ```
    pub fn claim_every(mut self, every: Duration) -> Self {
        self.settings.claim_every = every.max(Duration::from_millis(10));
        self
    }

    /// How long one read waits for new entries (`BLOCK`; default 2 s, at
    /// least 1 ms). Shorter makes claims and shutdown more prompt when the
    /// stream is quiet, at the price of more reads.
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.block(std::time::Duration::from_millis(500));
    /// # }
    /// ```
    pub fn block(mut self, time: Duration) -> Self {
        self.settings.block = time.max(Duration::from_millis(1));
        self
    }

    /// The pause before the first retry of a failed entry (default 100 ms);
    /// it doubles with each further delivery, up to 30 s.
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.retry_backoff(std::time::Duration::from_secs(1));
    /// # }
    /// ```
    pub fn retry_backoff(mut self, pause: Duration) -> Self {
        self.settings.retry_backoff = pause;
        self
    }

    /// Where a group that does not exist yet starts: the whole stream
    /// (`GroupStart::After(StreamId::ZERO)`, the default) or only entries
    /// added later (`GroupStart::NewEntries`). An existing group keeps its
    /// position.
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.start(redis_om::core::commands::GroupStart::NewEntries);
    /// # }
    /// ```
    pub fn start(mut self, start: GroupStart) -> Self {
        self.settings.start = start;
        self
    }

    /// Removes other consumers of the group that have nothing pending and
    /// have not read for `idle` (XGROUP DELCONSUMER), checked after each
    /// claim pass; off by default. Consumers come and go with deployments
    /// (a pod name each), and a group keeps every one it has seen. Only
    /// consumers with an empty pending list are removed (their entries are
    /// claimed first), and a running worker reads at least every
    /// [`block`](Self::block), so `idle` of minutes never removes a live one.
    ///
    /// ```no_run
    /// # fn run(worker: redis_om::Worker<()>) {
    /// let worker = worker.remove_idle_consumers(std::time::Duration::from_secs(24 * 3600));
    /// # }
    /// ```
    pub fn remove_idle_consumers(mut self, idle: Duration) -> Self {
        self.settings.remove_idle_after = Some(idle);
        self
    }
}

impl<E: Serialize + DeserializeOwned + Send + 'static> Worker<E> {
    /// Creates the group if it is missing, then starts the worker on the
    /// current tokio runtime and returns its handle.
    ///
    /// `handler` is called with each entry; `Ok` acknowledges the entry,
    /// `Err` (any error that can be displayed: its text goes to the logs and
    /// the dead-letter stream) has it retried. Fails only if the group
    /// cannot be created (no server, a key of another type); once running,
    /// the worker recovers from errors by itself. Must be called inside a
    /// tokio runtime.
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Order { id: String }
    /// use redis_om::{Delivery, EventStream, Worker};
    /// let orders = EventStream::<Order>::new(client, "orders");
    /// let worker = Worker::new(orders, "audit", "audit-1")
    ///     .run(|d: Delivery<Order>| async move {
    ///         println!("{} (delivery {})", d.value().id, d.deliveries());
    ///         Ok::<(), std::io::Error>(())
    ///     })
    ///     .await?;
    /// # worker.shutdown(std::time::Duration::from_secs(5)).await?; Ok(()) }
    /// ```
    pub async fn run<F, Fut, Failure>(self, handler: F) -> Result<WorkerHandle>
    where
        F: Fn(Delivery<E>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<(), Failure>> + Send + 'static,
        Failure: Display + Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::new(
                ErrorKind::Config,
                "Worker::run needs a tokio runtime to run its tasks on",
            )
        })?;
        let counters = Arc::new(Counters::default());
        let acker = Acker::start(
            &runtime,
            self.stream.executor().clone(),
            self.stream.key().to_owned(),
            self.settings.group.clone(),
            counters.clone(),
        );
        let shared = Arc::new(Shared {
            stream: self.stream,
            settings: self.settings,
            handler: Arc::new(move |delivery| {
                let run = handler(delivery);
                Box::pin(async move { run.await.map_err(|e| e.to_string()) })
            }),
            counters,
            in_flight: Mutex::new(HashSet::new()),
            acker,
        });
        shared.ensure_group().await?;
        let (stop, stopped) = watch::channel(None);
        let counters = shared.counters.clone();
        let group = GroupOf {
            client: shared.client().clone(),
            key: shared.key().to_owned(),
            group: shared.settings.group.clone(),
        };
        let task = runtime.spawn(Reader::new(shared, stopped).run());
        Ok(WorkerHandle::new(stop, task, counters, group))
    }
}

/// What the worker's tasks share.
pub(crate) struct Shared<E> {
    pub(crate) stream: EventStream<E, Redis>,
    pub(crate) settings: Settings,
    pub(crate) handler: Handler<E>,
    pub(crate) counters: Arc<Counters>,
    /// Entries a handler task holds, so that a re-read of the pending list
    /// or a claim does not start a second one on the same entry.
    pub(crate) in_flight: Mutex<HashSet<StreamId>>,
    /// Sends the handled entries' acknowledgements behind the handlers.
    pub(crate) acker: Acker,
}

impl<E> Shared<E> {
    pub(crate) fn client(&self) -> &Redis {
        self.stream.executor()
    }

    pub(crate) fn key(&self) -> &str {
        self.stream.key()
    }

    /// `XGROUP CREATE key group start MKSTREAM`; a group that exists is fine.
    pub(crate) async fn ensure_group(&self) -> Result<()> {
        let created = self
            .client()
            .xgroup_create_with(
                self.key(),
                self.settings.group.as_str(),
                self.settings.start,
                XGroupCreateOptions::new().mkstream(),
            )
            .await;
        match created {
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            other => other,
        }
    }

    /// Whether a handler task holds `id`.
    pub(crate) fn is_in_flight(&self, id: StreamId) -> bool {
        crate::stream::lock(&self.in_flight).contains(&id)
    }
}
