//! Atomic operations on one record, each one round trip the server runs
//! without anything in between: increments that return the new value,
//! compare-and-set, read-and-delete, insert-if-absent, and the outbox (a
//! record and an event on a stream written together or not at all).

use std::sync::LazyLock;

use bytes::Bytes;
use redis_core::commands::{self, Command, ScanType, StreamId};
use redis_core::{Cmd, Error, ErrorKind, Executor, FromValue, Result, Script, Transaction, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::field::{Field, kind};
use crate::model::Model;

use crate::repository::Repository;
use crate::storage::{Storage, not_a_record};
use crate::stream::EventStream;
use crate::update::{Increment, Settable};

/// Runs commands only once every key they touch holds the type they
/// expect (or nothing), and, when asked, only if the first key does not
/// exist: checked before anything is written, so a script that would fail
/// half-way (a key of another type) writes nothing.
///
/// `KEYS`: the keys the commands touch. `ARGV[1]`: `1` when `KEYS[1]` must
/// not exist. `ARGV[2 ..= 1 + #KEYS]`: the type each key may hold. Then
/// each command as its argument count and its arguments. Replies `ok` and
/// the last command's reply, `exists`, or `wrongtype` with the key and
/// the type it holds.
static GUARDED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local n = #KEYS
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
for i = 1, n do
  local found = redis.call('TYPE', KEYS[i]).ok
  if found ~= 'none' and found ~= ARGV[1 + i] then return {'wrongtype', KEYS[i], found} end
end
local i = 2 + n
local last = false
while i <= #ARGV do
  local count = tonumber(ARGV[i])
  last = redis.call(unpack(ARGV, i + 1, i + count))
  i = i + count + 1
end
return {'ok', last}
",
    )
});

/// What the guarded script found.
enum Guarded {
    Done(Value),
    Exists,
}

/// Runs `cmds` through [`GUARDED`]: `keys` with the type each may hold.
async fn guarded<M: Model, E: Executor>(
    executor: &E,
    keys: &[(&str, String)],
    only_if_absent: bool,
    cmds: &[Cmd],
) -> Result<Guarded> {
    let mut invocation = GUARDED.arg(if only_if_absent { "1" } else { "0" });
    for (key, _) in keys {
        invocation = invocation.key(*key);
    }
    for (_, kind) in keys {
        invocation = invocation.arg(kind.as_str());
    }
    for cmd in cmds {
        invocation = invocation.arg(cmd.args().count());
        for arg in cmd.args() {
            invocation = invocation.arg(Bytes::copy_from_slice(arg));
        }
    }
    let reply: Vec<Value> = invocation.invoke(executor).await?;
    let mut reply = reply.into_iter();
    let status = reply
        .next()
        .map(String::from_value)
        .transpose()
        .ok()
        .flatten();
    match status.as_deref() {
        Some("ok") => Ok(Guarded::Done(reply.next().unwrap_or(Value::Nil))),
        Some("exists") => Ok(Guarded::Exists),
        Some("wrongtype") => {
            let mut text = reply.map(|v| String::from_value(v).unwrap_or_default());
            let (key, found) = (
                text.next().unwrap_or_default(),
                text.next().unwrap_or_default(),
            );
            Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "{key} holds a {found}, not what {} writes there; nothing was written",
                    M::info().name()
                ),
            ))
        }
        _ => Err(Error::new(
            ErrorKind::Protocol,
            "unexpected reply from the object mapper's guarded script",
        )),
    }
}

impl<M: Model, E: Executor> Repository<M, E> {
    /// Adds `by` to a numeric field of the record with primary key `pk`
    /// and returns the new value; `None` when there is no such record
    /// (nothing is written). One script, as
    /// [`Update::incr`](crate::Update::incr) sends it: concurrent increments
    /// all count, the model's version is bumped.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index)] stock: i64 }
    /// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let left = products.increment(&"lamp".to_owned(), Product::stock(), -1).await?;
    /// # let _ = left; Ok(()) }
    /// ```
    pub async fn increment<T: Increment + 'static, S>(
        &self,
        pk: &M::Pk,
        field: Field<M, kind::Numeric<T>, S>,
        by: T::Delta,
    ) -> Result<Option<T>> {
        let Some(values) = self.update(pk).incr(field, by).run().await? else {
            return Ok(None);
        };
        let text = values.into_iter().next().unwrap_or_default();
        T::read_hash(Some(text.as_bytes()))
            .map(Some)
            .map_err(|why| {
                Error::new(
                    ErrorKind::Decode,
                    format!(
                        "the new value of `{}` at {}: {why}",
                        field.name(),
                        self.key(pk)
                    ),
                )
            })
    }

    /// Sets `field` to `new` only if it holds `expected` now; whether it
    /// did (`false` too when there is no such record). One script: of
    /// concurrent calls expecting the same value, exactly one succeeds.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Order { #[redis(pk)] id: String, #[redis(index)] status: String }
    /// # async fn run(orders: Repository<Order, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let mine = orders
    ///     .compare_and_set(&"o1".to_owned(), Order::status(), "open".into(), "picked".into())
    ///     .await?;
    /// # let _ = mine; Ok(()) }
    /// ```
    pub async fn compare_and_set<K: Settable, S>(
        &self,
        pk: &M::Pk,
        field: Field<M, K, S>,
        expected: K::Value,
        new: K::Value,
    ) -> Result<bool> {
        self.update(pk)
            .when(field, expected)
            .set(field, new)
            .apply()
            .await
    }

    /// Reads the record with primary key `pk` and deletes it, in one
    /// transaction: of concurrent calls, one gets the record and the others
    /// `None` (a queue item taken once).
    pub async fn get_and_delete(&self, pk: &M::Pk) -> Result<Option<M>> {
        let key = self.key(pk);
        let (stored, _deleted): (Value, u64) = Transaction::new()
            .command(Command::<Value>::from(M::Storage::load(&key)))
            .command(commands::del([key.as_str()]))
            .query(self.executor())
            .await
            .map_err(|error| not_a_record::<M>(&key, error))?;
        self.forget_suggestions(std::slice::from_ref(pk)).await?;
        M::Storage::decode(&key, pk.clone(), stored)
    }

    /// Saves `model` only if no record has its primary key; the key when
    /// it did, `None` when one existed (nothing is written). A model with a
    /// version field is saved as an insert (stored with version 1).
    pub async fn save_if_absent(&self, model: &M) -> Result<Option<M::Pk>> {
        let pk = self.pk_to_save(model);
        let key = self.key(&pk);
        if let Some(field) = M::info().version() {
            let argv = M::Storage::save_checked(model, &pk, &key, M::info().ttl(), field, 0)?;
            return match crate::update::run_save::<M, E>(self.executor(), &key, argv, 0).await {
                Ok(()) => {
                    self.keep_suggestions([(&pk, model)]).await?;
                    Ok(Some(pk))
                }
                Err(error) if error.kind() == ErrorKind::Conflict => Ok(None),
                Err(error) => Err(error),
            };
        }
        let cmds = M::Storage::save(model, &pk, &key, M::info().ttl())?;
        let record_type = M::Storage::key_type().name().to_owned();
        match guarded::<M, E>(self.executor(), &[(&key, record_type)], true, &cmds).await? {
            Guarded::Done(_) => {
                self.keep_suggestions([(&pk, model)]).await?;
                Ok(Some(pk))
            }
            Guarded::Exists => Ok(None),
        }
    }

    /// The outbox: saves `model` and appends `event` to `stream` in one
    /// script, so a consumer of the stream sees the event exactly when the
    /// record was stored, never one without the other. Every key is
    /// checked first: a record key or stream holding another type fails
    /// with [`ErrorKind::Decode`] and nothing is written. Returns the
    /// record's primary key and the event's entry id. On a cluster the
    /// record and the stream must share a hash slot (a `{tag}` in both).
    /// Models with a version field are refused for now
    /// ([`ErrorKind::InvalidInput`]).
    ///
    /// ```no_run
    /// # use redis_om::{EventStream, RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # struct Order { #[redis(pk)] id: String, total: f64 }
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct OrderPlaced { order: String, total: f64 }
    ///
    /// # async fn run(orders: Repository<Order, redis_om::core::Client>, client: redis_om::core::Client) -> redis_om::core::Result<()> {
    /// let events = EventStream::<OrderPlaced>::new(client, "orders:events");
    /// let order = Order { id: String::new(), total: 9.5 };
    /// let (pk, entry) = orders
    ///     .save_with_event(&order, &events, |pk| OrderPlaced { order: pk.clone(), total: 9.5 })
    ///     .await?;
    /// # let _ = (pk, entry); Ok(()) }
    /// ```
    pub async fn save_with_event<Ev, X, F>(
        &self,
        model: &M,
        stream: &EventStream<Ev, X>,
        event: F,
    ) -> Result<(M::Pk, StreamId)>
    where
        Ev: Serialize + DeserializeOwned,
        F: FnOnce(&M::Pk) -> Ev,
    {
        if M::info().version().is_some() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{}: save_with_event does not yet check versions; save models with a \
                     #[redis(version)] field with save(); nothing was sent",
                    M::info().name()
                ),
            ));
        }
        let pk = self.pk_to_save(model);
        let key = self.key(&pk);
        let fields = stream.encode(&event(&pk))?;
        let mut cmds = M::Storage::save(model, &pk, &key, M::info().ttl())?;
        cmds.push(commands::xadd_with(stream.key(), fields, stream.options()).into_cmd());
        let keys = [
            (key.as_str(), M::Storage::key_type().name().to_owned()),
            (stream.key(), ScanType::Stream.name().to_owned()),
        ];
        let Guarded::Done(id) = guarded::<M, E>(self.executor(), &keys, false, &cmds).await? else {
            return Err(Error::new(
                ErrorKind::Protocol,
                "the outbox script did not run",
            ));
        };
        let id = StreamId::from_value(id)?;
        self.keep_suggestions([(&pk, model)]).await?;
        Ok((pk, id))
    }
}
