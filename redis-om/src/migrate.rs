//! `Migrator`: makes sure each model's search index exists and was built
//! from the model's current definition.

use redis_core::commands::*;
use redis_core::{Error, ErrorKind, Executor, Result};

use crate::model::Model;
use crate::repository::Repository;
use crate::schema::ModelIndex;

/// Creates the search indexes of the models it is given, once.
///
/// Each index's [fingerprint](ModelIndex::fingerprint) is stored at
/// `{index}:hash` (where Redis OM Python keeps its own), before the index is
/// created, so that a crash in between leaves a state the next run repairs.
/// In the [python layout](crate::layout) the fingerprint is Python's, and
/// the schema text is stored at `{index}:schema` too, as Python does (both
/// plain strings), so that Redis OM Python's own migrator finds the index
/// unchanged.
/// A later run finds the index and compares: the same fingerprint is a
/// no-op; another one is an error of kind [`ErrorKind::IndexOutdated`]
/// naming the index (altering and rebuilding come with index migrations).
///
/// Search indexes live in database 0 only: on another database the run
/// fails before sending anything else. Two models whose key prefixes
/// overlap (`user` and `user:admin`) are refused with
/// [`ErrorKind::PrefixConflict`]: each one's index would cover the other's
/// records.
///
/// ```no_run
/// use redis_om::{Migrator, RedisModel};
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index(text))]
///     name: String,
/// }
///
/// # async fn run(client: &redis_om::core::Client) -> redis_om::core::Result<()> {
/// let report = Migrator::new(client).model::<Product>().run().await?;
/// println!("{report:?}"); // [Migration { index: "Product:index", outcome: Created }]
/// # Ok(()) }
/// ```
pub struct Migrator<'e, E> {
    executor: &'e E,
    models: Vec<Registered>,
}

struct Registered {
    model: &'static str,
    prefix: String,
    index: Option<ModelIndex>,
}

/// What a run did to one index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The index's name.
    pub index: String,
    /// What happened to it.
    pub outcome: MigrationOutcome,
}

/// What a run did to one index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrationOutcome {
    /// It did not exist and was created.
    Created,
    /// It exists, built from the same definition: nothing was done.
    Unchanged,
}

impl<'e, E: Executor> Migrator<'e, E> {
    /// A migrator sending its commands through `executor`.
    pub fn new(executor: &'e E) -> Self {
        Migrator {
            executor,
            models: Vec::new(),
        }
    }

    /// Adds model `M` under its own key prefix.
    pub fn model<M: Model>(self) -> Self {
        self.register::<M>(M::info().prefix())
    }

    /// Adds the model of `repository` under the repository's key prefix
    /// (one chosen at run time: a tenant, an environment).
    pub fn repository<M: Model, X: Executor>(self, repository: &Repository<M, X>) -> Self {
        self.register::<M>(repository.prefix())
    }

    fn register<M: Model>(mut self, prefix: &str) -> Self {
        self.models.push(Registered {
            model: M::info().name(),
            prefix: prefix.to_owned(),
            index: ModelIndex::of(M::info(), prefix),
        });
        self
    }

    /// Creates what is missing and checks what exists; one [`Migration`]
    /// per index, in the order the models were given.
    pub async fn run(self) -> Result<Vec<Migration>> {
        check_prefixes(&self.models)?;
        let indexes: Vec<&ModelIndex> = self
            .models
            .iter()
            .filter_map(|m| m.index.as_ref())
            .collect();
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.executor.client_info().await?.db;
        if db != 0 {
            return Err(Error::new(
                ErrorKind::Config,
                format!(
                    "search indexes live in database 0 only, and this connection uses database {db}: \
                     connect to database 0 to use indexed models"
                ),
            ));
        }
        let mut report = Vec::with_capacity(indexes.len());
        for index in indexes {
            let outcome = migrate(self.executor, index).await?;
            report.push(Migration {
                index: index.name().to_owned(),
                outcome,
            });
        }
        Ok(report)
    }
}

async fn migrate(executor: &impl Executor, index: &ModelIndex) -> Result<MigrationOutcome> {
    let fingerprint_key = format!("{}:hash", index.name());
    let fingerprint = index.fingerprint();
    if !exists(executor, index.name()).await? {
        executor.set(&fingerprint_key, &fingerprint).await?;
        if let Some(schema) = index.python_schema() {
            executor
                .set(format!("{}:schema", index.name()), schema)
                .await?;
        }
        match executor.execute::<()>(index.create()).await {
            Ok(()) => return Ok(MigrationOutcome::Created),
            // Another process created it meanwhile: compare as below.
            Err(error) if message_has(&error, "already exists") => {}
            Err(error) => return Err(error),
        }
    }
    let stored: Option<String> = executor.get(&fingerprint_key).await?;
    match stored {
        Some(stored) if stored == fingerprint => Ok(MigrationOutcome::Unchanged),
        Some(_) => Err(Error::new(
            ErrorKind::IndexOutdated,
            format!(
                "the search index {} was built from another definition than the model's \
                 (its fingerprint at {fingerprint_key} differs): drop it (FT.DROPINDEX) to \
                 have it rebuilt, or keep the model as it was",
                index.name()
            ),
        )),
        None => Err(Error::new(
            ErrorKind::IndexOutdated,
            format!(
                "a search index named {} exists but was not created from this model \
                 (no fingerprint at {fingerprint_key}): give the model another index name, \
                 or drop that index",
                index.name()
            ),
        )),
    }
}

/// True when the index exists; a server that knows no such index says so
/// in words that changed across versions.
async fn exists(executor: &impl Executor, name: &str) -> Result<bool> {
    match executor.ft_info(name).await {
        Ok(_) => Ok(true),
        Err(error) if names_unknown_index(&error) => Ok(false),
        Err(error) => Err(error),
    }
}

/// True for the server's "no such index" error, whose words changed across
/// versions ("Unknown index name", "idx: no such index").
pub(crate) fn names_unknown_index(error: &Error) -> bool {
    message_has(error, "unknown index") || message_has(error, "no such index")
}

/// `error`, or an [`ErrorKind::IndexMissing`] naming `index` and what
/// creates it when the server knows no such index.
pub(crate) fn missing_index<M: Model>(error: Error, index: &str) -> Error {
    if !names_unknown_index(&error) {
        return error;
    }
    Error::new(
        ErrorKind::IndexMissing,
        format!(
            "the search index {index} of {} does not exist on this server: create it with \
             Migrator::new(&client).model::<{}>().run() (or .repository(&repo) for a prefix \
             chosen at run time)",
            M::info().name(),
            M::info().name()
        ),
    )
}

fn message_has(error: &Error, words: &str) -> bool {
    error.kind() == ErrorKind::Server && error.to_string().to_ascii_lowercase().contains(words)
}

/// Refuses prefixes where one model's keys (`{prefix}:...`) would fall
/// under another's.
fn check_prefixes(models: &[Registered]) -> Result<()> {
    for (i, a) in models.iter().enumerate() {
        for b in models.iter().skip(i + 1) {
            let (a_keys, b_keys) = (format!("{}:", a.prefix), format!("{}:", b.prefix));
            if a_keys.starts_with(&b_keys) || b_keys.starts_with(&a_keys) {
                return Err(Error::new(
                    ErrorKind::PrefixConflict,
                    format!(
                        "{} (keys {a_keys}*) and {} (keys {b_keys}*) overlap: each one's \
                         index and scans would see the other's records; give one of them \
                         another prefix",
                        a.model, b.model
                    ),
                ));
            }
        }
    }
    Ok(())
}
