//! `EventStream<E>`: a Redis stream whose entries are values of one type.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use redis_core::commands::{
    ReadFrom, StreamBound, StreamCommands, StreamEntry, StreamId, StreamTrim, XAddOptions,
    XReadOptions, xadd_with,
};
use redis_core::{Client, Error, ErrorKind, Executor, Pipeline, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::fields_de::from_fields;
use super::fields_ser::{Fields, to_fields};

/// An entry's fields as they are read: names and values as bytes, so that
/// an entry another client wrote with a name that is not UTF-8 is still an
/// entry whose id an error can name.
pub(crate) type RawFields = Vec<(Vec<u8>, Vec<u8>)>;

/// A Redis stream whose entries are values of `E`, written and read through
/// serde.
///
/// Named `EventStream` rather than `Stream` so that it never clashes with
/// `futures::Stream`, which async code imports everywhere: a stream of
/// events (orders placed, prices changed), each an entry of its own.
///
/// Each field of `E` is one field of the entry: strings, numbers, bools and
/// fieldless enums as their text (`amount 12.5`, `status Placed`), so other
/// clients and `redis-cli` read them as they are; nested structs, `Vec`s,
/// maps and enums with data as one field of JSON text. `None` leaves the
/// field out. Reading back, the Rust type decides: a `String` field holding
/// `123` stays the string `"123"`. An entry that does not decode as `E` is
/// an error of kind [`ErrorKind::Decode`] naming the stream and the entry's
/// id, never skipped.
///
/// `X` is what the commands go through: a [`Client`] (the default, which a
/// [`Worker`](super::Worker) needs), a `&Client`, or any other
/// [`Executor`].
///
/// ```no_run
/// use redis_om::EventStream;
/// use redis_om::core::commands::StreamBound;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct OrderPlaced {
///     order: String,
///     amount: f64,
///     lines: Vec<String>, // one field of JSON text
/// }
///
/// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
/// let orders = EventStream::<OrderPlaced>::new(client, "orders").max_len(100_000);
/// let id = orders
///     .add(&OrderPlaced { order: "42".into(), amount: 12.5, lines: vec!["sku-1".into()] })
///     .await?; // XADD orders MAXLEN ~ 100000 * order 42 amount 12.5 lines ["sku-1"]
/// for entry in orders.range(StreamBound::Min, StreamBound::Max).await? {
///     println!("{}: order {} for {}", entry.id, entry.value.order, entry.value.amount);
/// }
/// # let _ = id; Ok(()) }
/// ```
pub struct EventStream<E, X = Client> {
    executor: X,
    key: String,
    trim: Option<StreamTrim>,
    event: PhantomData<fn() -> E>,
}

impl<E, X: Clone> Clone for EventStream<E, X> {
    fn clone(&self) -> Self {
        EventStream {
            executor: self.executor.clone(),
            key: self.key.clone(),
            trim: self.trim,
            event: PhantomData,
        }
    }
}

impl<E, X> fmt::Debug for EventStream<E, X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("key", &self.key)
            .field("event", &std::any::type_name::<E>())
            .field("trim", &self.trim)
            .finish()
    }
}

/// One entry of an [`EventStream`]: its id and its value.
///
/// ```
/// use redis_om::TypedEntry;
/// use redis_om::core::commands::StreamId;
/// let entry = TypedEntry { id: StreamId::new(1, 0), value: "hello" };
/// assert_eq!(entry.id.to_string(), "1-0");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TypedEntry<E> {
    /// The entry's id.
    pub id: StreamId,
    /// The entry's fields, decoded.
    pub value: E,
}

impl<E, X> EventStream<E, X> {
    /// The stream at `key`, through `executor`. Nothing is sent: the stream
    /// is created by its first entry (or a worker's consumer group).
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Order { id: String }
    /// let orders = redis_om::EventStream::<Order>::new(client, "orders");
    /// assert_eq!(orders.key(), "orders");
    /// # }
    /// ```
    pub fn new(executor: X, key: impl Into<String>) -> Self {
        EventStream {
            executor,
            key: key.into(),
            trim: None,
            event: PhantomData,
        }
    }

    /// The same stream through another executor, made from this one.
    pub(crate) fn map_executor<Y>(self, to: impl FnOnce(X) -> Y) -> EventStream<E, Y> {
        EventStream {
            executor: to(self.executor),
            key: self.key,
            trim: self.trim,
            event: PhantomData,
        }
    }

    /// The stream's key.
    ///
    /// ```
    /// # fn run(client: &redis_om::core::Client) {
    /// let s = redis_om::EventStream::<std::collections::HashMap<String, String>, _>::new(client, "s");
    /// assert_eq!(s.key(), "s");
    /// # }
    /// ```
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the commands are sent through.
    ///
    /// ```
    /// # fn run(client: &redis_om::core::Client) {
    /// let s = redis_om::EventStream::<std::collections::HashMap<String, String>, _>::new(client, "s");
    /// let _client: &&redis_om::core::Client = s.executor();
    /// # }
    /// ```
    pub fn executor(&self) -> &X {
        &self.executor
    }

    /// Every [`add`](Self::add) trims the stream to about `len` entries
    /// (`MAXLEN ~ len`: the server removes whole nodes only, so a few more
    /// may stay, which is much cheaper than exact trimming).
    ///
    /// ```
    /// # fn run(client: &redis_om::core::Client) {
    /// # type Order = std::collections::HashMap<String, String>;
    /// let orders = redis_om::EventStream::<Order, _>::new(client, "orders").max_len(10_000);
    /// # }
    /// ```
    pub fn max_len(self, len: u64) -> Self {
        self.trim(StreamTrim::max_len(len))
    }

    /// Every [`add`](Self::add) removes entries older than `id` (`MINID ~
    /// id`, approximately as [`max_len`](Self::max_len) is).
    ///
    /// ```
    /// # fn run(client: &redis_om::core::Client) {
    /// # type Order = std::collections::HashMap<String, String>;
    /// use redis_om::core::commands::StreamId;
    /// let day_ago = StreamId::new(1_700_000_000_000, 0);
    /// let orders = redis_om::EventStream::<Order, _>::new(client, "orders").min_id(day_ago);
    /// # }
    /// ```
    pub fn min_id(self, id: StreamId) -> Self {
        self.trim(StreamTrim::min_id(id))
    }

    /// Every [`add`](Self::add) trims as `trim` says: exact, with a LIMIT,
    /// or with a reference policy (see [`StreamTrim`]).
    ///
    /// ```
    /// # fn run(client: &redis_om::core::Client) {
    /// # type Order = std::collections::HashMap<String, String>;
    /// use redis_om::core::commands::StreamTrim;
    /// let orders = redis_om::EventStream::<Order, _>::new(client, "orders")
    ///     .trim(StreamTrim::max_len(1_000).exact());
    /// # }
    /// ```
    pub fn trim(mut self, trim: StreamTrim) -> Self {
        self.trim = Some(trim);
        self
    }

    pub(crate) fn options(&self) -> XAddOptions {
        match &self.trim {
            Some(trim) => XAddOptions::new().trim(*trim),
            None => XAddOptions::new(),
        }
    }

    /// The decoded entry, or an error naming the stream and the id.
    pub(crate) fn decode(&self, entry: StreamEntry<RawFields>) -> Result<TypedEntry<E>>
    where
        E: DeserializeOwned,
    {
        decode_entry(&self.key, entry.id, &entry.fields).map(|value| TypedEntry {
            id: entry.id,
            value,
        })
    }

    pub(crate) fn encode(&self, event: &E) -> Result<Fields>
    where
        E: Serialize,
    {
        to_fields(event).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("an entry for stream {:?}: {e}", self.key),
            )
        })
    }
}

/// `fields` as an `E`; an error names the stream and the entry.
pub(crate) fn decode_entry<E: DeserializeOwned>(
    key: &str,
    id: StreamId,
    fields: &[(Vec<u8>, Vec<u8>)],
) -> Result<E> {
    if fields.is_empty() {
        // XADD writes at least one field: no fields means the entry was
        // deleted while a consumer group still had it pending.
        return Err(Error::new(
            ErrorKind::Decode,
            format!("stream {key:?}, entry {id}: no fields (the entry was deleted)"),
        ));
    }
    from_fields(fields).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!(
                "stream {key:?}, entry {id} does not decode as {}: {e}",
                std::any::type_name::<E>()
            ),
        )
    })
}

impl<E: Serialize + DeserializeOwned, X: Executor> EventStream<E, X> {
    /// `XADD key [MAXLEN|MINID ~ n] * field value ...`: appends `event`
    /// (trimming as set) and returns its id.
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Login { user: String }
    /// let logins = redis_om::EventStream::<Login>::new(client, "logins");
    /// let id = logins.add(&Login { user: "ada".into() }).await?;
    /// # let _ = id; Ok(()) }
    /// ```
    pub async fn add(&self, event: &E) -> Result<StreamId> {
        let fields = self.encode(event)?;
        let id = self
            .executor
            .xadd_with(self.key.as_str(), fields, self.options())
            .await?;
        // Without NOMKSTREAM the server always adds the entry.
        id.ok_or_else(|| Error::new(ErrorKind::Protocol, "XADD replied nil without NOMKSTREAM"))
    }

    /// Appends every one of `events` in one pipeline (one round trip), in
    /// order, and returns their ids. Nothing is sent if one of them cannot
    /// be encoded. Not atomic: if the connection fails half-way, some may
    /// have been added.
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Login { user: String }
    /// let logins = redis_om::EventStream::<Login>::new(client, "logins");
    /// let batch = ["ada", "grace"].map(|user| Login { user: user.into() });
    /// let ids = logins.add_many(&batch).await?;
    /// assert_eq!(ids.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn add_many<'e>(
        &self,
        events: impl IntoIterator<Item = &'e E>,
    ) -> Result<Vec<StreamId>>
    where
        E: 'e,
    {
        let mut pipeline = Pipeline::<Vec<Option<StreamId>>>::default();
        for event in events {
            pipeline.push(xadd_with(
                self.key.as_str(),
                self.encode(event)?,
                self.options(),
            ));
        }
        if pipeline.is_empty() {
            return Ok(Vec::new());
        }
        pipeline
            .query(&self.executor)
            .await?
            .into_iter()
            .map(|id| {
                id.ok_or_else(|| {
                    Error::new(ErrorKind::Protocol, "XADD replied nil without NOMKSTREAM")
                })
            })
            .collect()
    }

    /// `XRANGE key start end`: the entries between two bounds, oldest first
    /// (`StreamBound::Min, StreamBound::Max` for all).
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Login { user: String }
    /// use redis_om::core::commands::StreamBound;
    /// let logins = redis_om::EventStream::<Login>::new(client, "logins");
    /// for entry in logins.range(StreamBound::Min, StreamBound::Max).await? {
    ///     println!("{} {}", entry.id, entry.value.user);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn range(&self, start: StreamBound, end: StreamBound) -> Result<Vec<TypedEntry<E>>> {
        let entries = self.executor.xrange(self.key.as_str(), start, end).await?;
        self.decode_all(entries)
    }

    /// `XRANGE key start end COUNT count`: at most `count` entries between
    /// two bounds, oldest first; page on with
    /// `StreamBound::Exclusive(last.id)`.
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Login { user: String }
    /// use redis_om::core::commands::StreamBound;
    /// let logins = redis_om::EventStream::<Login>::new(client, "logins");
    /// let first_ten = logins.range_count(StreamBound::Min, StreamBound::Max, 10).await?;
    /// # let _ = first_ten; Ok(()) }
    /// ```
    pub async fn range_count(
        &self,
        start: StreamBound,
        end: StreamBound,
        count: u64,
    ) -> Result<Vec<TypedEntry<E>>> {
        let entries = self
            .executor
            .xrange_count(self.key.as_str(), start, end, count)
            .await?;
        self.decode_all(entries)
    }

    /// `XREVRANGE key end start`: the entries between two bounds, newest
    /// first (the higher bound comes first).
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Login { user: String }
    /// use redis_om::core::commands::StreamBound;
    /// let logins = redis_om::EventStream::<Login>::new(client, "logins");
    /// let newest_first = logins.rev_range(StreamBound::Max, StreamBound::Min).await?;
    /// # let _ = newest_first; Ok(()) }
    /// ```
    pub async fn rev_range(
        &self,
        end: StreamBound,
        start: StreamBound,
    ) -> Result<Vec<TypedEntry<E>>> {
        let entries = self
            .executor
            .xrevrange(self.key.as_str(), end, start)
            .await?;
        self.decode_all(entries)
    }

    /// `XREVRANGE key end start COUNT count`: at most `count` entries,
    /// newest first.
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Login { user: String }
    /// use redis_om::core::commands::StreamBound;
    /// let logins = redis_om::EventStream::<Login>::new(client, "logins");
    /// let latest = logins.rev_range_count(StreamBound::Max, StreamBound::Min, 1).await?;
    /// # let _ = latest; Ok(()) }
    /// ```
    pub async fn rev_range_count(
        &self,
        end: StreamBound,
        start: StreamBound,
        count: u64,
    ) -> Result<Vec<TypedEntry<E>>> {
        let entries = self
            .executor
            .xrevrange_count(self.key.as_str(), end, start, count)
            .await?;
        self.decode_all(entries)
    }

    /// `XREAD COUNT count [BLOCK ms] STREAMS key after`: up to `count`
    /// entries after `after`, oldest first. With a `block` time, waits that
    /// long for an entry when there is none (an empty `Vec` when it runs
    /// out; a [`Client`] sends a blocking read on a connection of its own).
    /// Without consumer groups: every reader sees every entry, and keeps its
    /// own position.
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Login { user: String }
    /// use std::time::Duration;
    /// use redis_om::core::commands::StreamId;
    /// let logins = redis_om::EventStream::<Login>::new(client, "logins");
    /// let mut after = StreamId::ZERO;
    /// loop {
    ///     for entry in logins.read(after, 100, Some(Duration::from_secs(5))).await? {
    ///         after = entry.id;
    ///         println!("{}", entry.value.user);
    ///     }
    /// #   break;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn read(
        &self,
        after: StreamId,
        count: u64,
        block: Option<Duration>,
    ) -> Result<Vec<TypedEntry<E>>> {
        let mut options = XReadOptions::new().count(count);
        if let Some(block) = block {
            options = options.block(block);
        }
        let streams = [(self.key.as_str(), ReadFrom::After(after))];
        let read = self.executor.xread_with(&streams, options).await?;
        let entries = read.into_iter().flat_map(|s| s.entries).collect();
        self.decode_all(entries)
    }

    /// `XLEN key`: how many entries the stream holds.
    ///
    /// ```no_run
    /// # async fn run(client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Login { user: String }
    /// let logins = redis_om::EventStream::<Login>::new(client, "logins");
    /// let n = logins.len().await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn len(&self) -> Result<u64> {
        self.executor.xlen(self.key.as_str()).await
    }

    fn decode_all(&self, entries: Vec<StreamEntry<RawFields>>) -> Result<Vec<TypedEntry<E>>> {
        entries.into_iter().map(|e| self.decode(e)).collect()
    }
}
