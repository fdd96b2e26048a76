//! `Repository<M>`: saves, loads and deletes records of one model.

use std::marker::PhantomData;
use std::sync::Arc;

use redis_core::commands::Command;
use redis_core::{Cmd, Executor, Result, Transaction, Value};

use crate::model::Model;
use crate::pk::PrimaryKey;
use crate::storage::{Storage, not_a_record};

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
    pub async fn save(&self, model: &M) -> Result<M::Pk> {
        let pk = match model.pk() {
            pk if pk.is_unset() => M::Pk::generate(),
            pk => pk.clone(),
        };
        let key = self.key(&pk);
        let cmds = M::Storage::save(model, &pk, &key, M::info().ttl());
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
        Ok(pk)
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
        Ok(n > 0)
    }
}
