//! `Repository<M>`: saves, loads and deletes records of one model.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use redis_core::commands::{Command, KeyCommands, ScanCommands, ScanOptions, Ttl};
use redis_core::{Cmd, Executor, Pipeline, Result, Transaction, Value};

use crate::model::Model;
use crate::pk::PrimaryKey;
use crate::primary_keys::{PrimaryKeys, glob_literal};
use crate::storage::{Storage, not_a_record};
use crate::update::Update;

/// How many models [`Repository::save_many`] sends in one round trip: big
/// enough that the round trip is amortised, small enough that one batch
/// neither holds the server up nor grows a buffer without bound.
const SAVE_CHUNK: usize = 1000;

/// The records of one model, over any executor (a `Client`, a dedicated
/// connection, a reference to either).
///
/// A record of a model with prefix `user` and primary key `42` lives at
/// `user:42`. The prefix is the model's unless [`Repository::with_prefix`]
/// gives another at run time (a tenant, an environment).
///
/// ```no_run
/// use redis_om::{RedisModel, Repository};
///
/// #[derive(RedisModel)]
/// struct User {
///     #[redis(pk)]
///     id: String,
///     name: String,
///     age: Option<u32>,
/// }
///
/// # async fn run() -> redis_om::core::Result<()> {
/// let client = redis_om::core::Client::connect("redis://127.0.0.1:6379").await?;
/// let users = Repository::<User, _>::new(&client);
/// let id = users.save(&User { id: String::new(), name: "Ada".into(), age: None }).await?;
/// let ada = users.get(&id).await?.expect("just saved");
/// assert_eq!(ada.name, "Ada");
/// assert!(users.delete(&id).await?);
/// # Ok(()) }
/// ```
pub struct Repository<M, E> {
    executor: E,
    prefix: Arc<str>,
    model: PhantomData<fn() -> M>,
}

impl<M: Model, E: Executor> Repository<M, E> {
    /// The records of `M` through `executor`, under the model's own prefix.
    pub fn new(executor: E) -> Self {
        Repository {
            executor,
            prefix: Arc::from(M::info().prefix()),
            model: PhantomData,
        }
    }

    /// The same records under another prefix, chosen at run time: keys
    /// become `{prefix}:{pk}`.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Arc::from(prefix.into());
        self
    }

    /// The prefix of this repository's keys (without the colon).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The executor it sends commands through.
    pub(crate) fn executor(&self) -> &E {
        &self.executor
    }

    /// The key of the record with primary key `pk`.
    ///
    /// ```
    /// # use redis_om::{RedisModel, Repository};
    /// # #[derive(RedisModel)]
    /// # #[redis(prefix = "user")]
    /// # struct User { #[redis(pk)] id: String }
    /// # fn run(client: &redis_om::core::Client) {
    /// let users = Repository::<User, _>::new(client);
    /// assert_eq!(users.key(&"42".to_owned()), "user:42");
    /// # }
    /// ```
    pub fn key(&self, pk: &M::Pk) -> String {
        let mut key = String::with_capacity(self.prefix.len() + 1 + 26);
        key.push_str(&self.prefix);
        key.push(':');
        pk.write_to(&mut key);
        key
    }

    /// Stores `model`, replacing the record with its primary key if there
    /// is one, and returns the primary key: the model's own, or a new
    /// time-ordered one when it is unset (empty). Fields that are `None`
    /// are removed from the stored record, and the model's TTL is set, in
    /// the same round trip (as one transaction when there is more than one
    /// command to send).
    ///
    /// A model with a `#[redis(version)]` field is saved by one Lua script
    /// that first compares versions: the stored record's version must be
    /// the model's (and a model whose version is 0 is an insert: no record
    /// may exist at its key), else the save fails with
    /// [`ErrorKind::Conflict`](redis_core::ErrorKind::Conflict), naming
    /// the key and both versions, and nothing is written. The stored
    /// version is then the model's plus one: bump the copy you keep (or
    /// load it again) before saving it again.
    ///
    /// ```no_run
    /// use redis_om::{RedisModel, Repository};
    /// use redis_om::core::ErrorKind;
    ///
    /// #[derive(RedisModel, Clone)]
    /// struct Account {
    ///     #[redis(pk)]
    ///     id: String,
    ///     balance: i64,
    ///     #[redis(version)]
    ///     version: u64,
    /// }
    ///
    /// # async fn run(client: &redis_om::core::Client) -> redis_om::core::Result<()> {
    /// let accounts = Repository::<Account, _>::new(client);
    /// let mut account = Account { id: "a1".into(), balance: 10, version: 0 };
    /// accounts.save(&account).await?; // an insert: stored with version 1
    /// account.version += 1;
    /// account.balance = 20;
    /// accounts.save(&account).await?; // version 2
    /// let stale = Account { version: 1, ..account.clone() };
    /// let error = accounts.save(&stale).await.unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::Conflict);
    /// # Ok(()) }
    /// ```
    pub async fn save(&self, model: &M) -> Result<M::Pk> {
        if let Some(field) = M::info().version() {
            return self.save_versioned(model, field).await;
        }
        let (pk, cmds) = self.save_commands(model)?;
        match <[Cmd; 1]>::try_from(cmds) {
            Ok([cmd]) => {
                self.executor.execute::<Value>(cmd).await?;
            }
            Err(cmds) => {
                let transaction: Transaction<Vec<Value>> =
                    cmds.into_iter().map(Command::<Value>::from).collect();
                transaction.query(&self.executor).await?;
            }
        }
        self.keep_suggestions([(&pk, model)]).await?;
        Ok(pk)
    }

    async fn save_versioned(&self, model: &M, field: &'static str) -> Result<M::Pk> {
        let pk = self.pk_to_save(model);
        let key = self.key(&pk);
        let expected = crate::update::checked_version(model.version().unwrap_or(0), &key)?;
        let argv = M::Storage::save_checked(model, &pk, &key, M::info().ttl(), field, expected)?;
        crate::update::run_save::<M, E>(&self.executor, &key, argv, expected).await?;
        self.keep_suggestions([(&pk, model)]).await?;
        Ok(pk)
    }

    /// An atomic partial update of the record with primary key `pk`: see
    /// [`Update`]. Only the fields named are written, in one Lua script,
    /// and the model's version field, if it has one, is bumped.
    pub fn update(&self, pk: &M::Pk) -> Update<'_, M, E> {
        Update::new(&self.executor, self.key(pk))
    }

    /// The primary key `model` is saved under: its own, or a new one.
    pub(crate) fn pk_to_save(&self, model: &M) -> M::Pk {
        match model.pk() {
            pk if pk.is_unset() => M::Pk::generate(),
            pk => pk.clone(),
        }
    }

    /// The primary key `model` is saved under, and the commands that save it.
    fn save_commands(&self, model: &M) -> Result<(M::Pk, Vec<Cmd>)> {
        let pk = self.pk_to_save(model);
        let cmds = M::Storage::save(model, &pk, &self.key(&pk), M::info().ttl())?;
        Ok((pk, cmds))
    }

    /// Saves every model, as [`Repository::save`] does, a thousand per
    /// round trip, and returns their primary keys in order. Each round trip
    /// is one pipeline, or one transaction when a model needs more than one
    /// command (fields now `None`, a TTL). A model that cannot be sent (NaN
    /// in a field) fails the call before its round trip is sent; earlier
    /// round trips stay applied. Models with a version field are saved one
    /// by one, as [`Repository::save`] does, up to the first failure.
    pub async fn save_many<'m>(&self, models: impl IntoIterator<Item = &'m M>) -> Result<Vec<M::Pk>>
    where
        M: 'm,
    {
        let mut pks = Vec::new();
        if M::info().version().is_some() {
            for model in models {
                pks.push(self.save(model).await?);
            }
            return Ok(pks);
        }
        let mut chunk: Vec<Cmd> = Vec::new();
        let mut saved: Vec<&M> = Vec::new();
        let mut atomic = false;
        for model in models {
            let (pk, cmds) = self.save_commands(model)?;
            pks.push(pk);
            atomic |= cmds.len() > 1;
            chunk.extend(cmds);
            saved.push(model);
            if saved.len() == SAVE_CHUNK {
                self.send_all(std::mem::take(&mut chunk), atomic).await?;
                let first = pks.len() - saved.len();
                self.keep_suggestions(pks[first..].iter().zip(saved.drain(..)))
                    .await?;
                atomic = false;
            }
        }
        if !saved.is_empty() {
            self.send_all(chunk, atomic).await?;
            let first = pks.len() - saved.len();
            self.keep_suggestions(pks[first..].iter().zip(saved))
                .await?;
        }
        Ok(pks)
    }

    async fn send_all(&self, cmds: Vec<Cmd>, atomic: bool) -> Result<()> {
        let commands = cmds.into_iter().map(Command::<Value>::from);
        if atomic {
            commands
                .collect::<Transaction<Vec<Value>>>()
                .query(&self.executor)
                .await?;
        } else {
            commands
                .collect::<Pipeline<Vec<Value>>>()
                .query(&self.executor)
                .await?;
        }
        Ok(())
    }

    /// The records with these primary keys, in order, `None` for each one
    /// missing: one round trip. A record that does not fit the model fails
    /// the call with an error naming its key.
    pub async fn get_many(&self, pks: &[M::Pk]) -> Result<Vec<Option<M>>> {
        let keys: Vec<String> = pks.iter().map(|pk| self.key(pk)).collect();
        let loads: Pipeline<Vec<Value>> = keys
            .iter()
            .map(|key| Command::<Value>::from(M::Storage::load(key)))
            .collect();
        let replies = loads.execute(&self.executor).await?;
        let mut records = Vec::with_capacity(pks.len());
        for ((pk, key), reply) in pks.iter().zip(&keys).zip(replies) {
            let reply = reply.map_err(|error| not_a_record::<M>(key, error))?;
            records.push(M::Storage::decode(key, pk.clone(), reply)?);
        }
        Ok(records)
    }

    /// Deletes the records with these primary keys in one command; returns
    /// how many there were.
    pub async fn delete_many(&self, pks: &[M::Pk]) -> Result<u64> {
        if pks.is_empty() {
            return Ok(0);
        }
        let keys: Vec<String> = pks.iter().map(|pk| self.key(pk)).collect();
        let deleted = self
            .executor
            .execute(Cmd::new("UNLINK").arg(&keys[..]))
            .await?;
        self.forget_suggestions(pks).await?;
        Ok(deleted)
    }

    /// Sets the record's time to live (to the millisecond); false when
    /// there is no such record.
    pub async fn expire(&self, pk: &M::Pk, ttl: Duration) -> Result<bool> {
        self.executor.pexpire(self.key(pk), ttl).await
    }

    /// The record's time to live: missing, persistent, or what is left.
    pub async fn ttl(&self, pk: &M::Pk) -> Result<Ttl> {
        self.executor.pttl(self.key(pk)).await
    }

    /// The primary keys of every record of this repository, as a stream
    /// over `SCAN` (constant memory; see [`PrimaryKeys`] for what a scan
    /// guarantees).
    pub fn all_pks(&self) -> PrimaryKeys<'_, M, E> {
        let prefix = format!("{}:", self.prefix);
        let options = ScanOptions::new()
            .pattern(format!("{}*", glob_literal(&prefix)))
            .count(1000)
            .key_type(M::Storage::key_type());
        PrimaryKeys::new(self.executor.scan(options), prefix)
    }

    /// How many records this repository holds: a full scan of the keyspace
    /// (O(all keys), as `all_pks`); a search index answers faster.
    pub async fn count(&self) -> Result<u64> {
        let mut pks = self.all_pks();
        let mut count = 0;
        while let Some(pk) = pks.next().await {
            pk?;
            count += 1;
        }
        Ok(count)
    }

    /// The record with primary key `pk`, or `None` if there is none. Stored
    /// data that does not fit the model (a required field missing, a value
    /// of the wrong type, a key holding another kind of value) is an error
    /// of kind [`redis_core::ErrorKind::Decode`] naming the key and field.
    pub async fn get(&self, pk: &M::Pk) -> Result<Option<M>> {
        let key = self.key(pk);
        let reply = self
            .executor
            .execute::<Value>(M::Storage::load(&key))
            .await
            .map_err(|error| not_a_record::<M>(&key, error))?;
        M::Storage::decode(&key, pk.clone(), reply)
    }

    /// True when a record with primary key `pk` exists.
    pub async fn exists(&self, pk: &M::Pk) -> Result<bool> {
        let n: u64 = self
            .executor
            .execute(Cmd::new("EXISTS").arg(self.key(pk)))
            .await?;
        Ok(n > 0)
    }

    /// Deletes the record with primary key `pk`; true if there was one.
    pub async fn delete(&self, pk: &M::Pk) -> Result<bool> {
        let n: u64 = self
            .executor
            .execute(Cmd::new("UNLINK").arg(self.key(pk)))
            .await?;
        self.forget_suggestions(std::slice::from_ref(pk)).await?;
        Ok(n > 0)
    }
}
