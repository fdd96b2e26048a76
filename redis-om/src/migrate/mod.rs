//! `Migrator`: makes sure each model's search index exists and was built
//! from the model's current definition, and brings it there when the model
//! changed, without a moment in which queries find no index or half of one.

mod lock;
mod rebuild;

use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Error, ErrorKind, Executor, Result};

use crate::model::Model;
use crate::repository::Repository;
use crate::schema::ModelIndex;
use crate::shards::shard_indexes;

/// How long a rebuild may take by default before the old index is kept.
const REBUILD_TIMEOUT: Duration = Duration::from_secs(300);

/// Creates the search indexes of the models it is given, and migrates
/// them when a model changed.
///
/// Each index's [fingerprint](ModelIndex::fingerprint) is stored at
/// `{index}:hash` (where Redis OM Python keeps its own) and its
/// [definition](ModelIndex::definition) at `{index}:schema`, before the
/// index is created, so that a crash in between leaves a state the next run
/// repairs. In the [python layout](crate::layout) both are Python's, so
/// that Redis OM Python's own migrator finds the index unchanged.
///
/// A later run finds the index and compares fingerprints:
/// - the same: nothing to do ([`MigrationOutcome::Unchanged`]);
/// - the model only gained indexed fields at the end of its schema: they
///   are added in place with `FT.ALTER` ([`MigrationOutcome::Altered`]),
///   and the server indexes the existing records for them in the
///   background;
/// - any other change: the new index is built under a versioned name
///   (`{index}:v{fingerprint}`) while the old one keeps serving; once the
///   server reports the scan finished and the new index holds as many
///   documents as the old one, the index's name becomes an alias of the new
///   index and the old index is dropped (its records stay)
///   ([`MigrationOutcome::Rebuilt`]). Queries go through the name, so they
///   never find a missing or half-built index. A rebuild that does not
///   finish within [`Migrator::rebuild_timeout`] is abandoned: the old
///   index keeps serving and the error says how far the new one got.
///
/// One migrator at a time changes an index: others running at the same
/// moment (every instance of a service, started together) wait for it and
/// then find the index unchanged. [`Migrator::dry_run`] says what a run
/// would do and changes nothing.
///
/// Search indexes live in database 0 only: on another database the run
/// fails before sending anything else. Two models whose key prefixes
/// overlap (`user` and `user:admin`) are refused with
/// [`ErrorKind::PrefixConflict`]: each one's index would cover the other's
/// records. An index of the model's name that this migrator did not create
/// (no fingerprint stored) is left alone: [`ErrorKind::IndexOutdated`].
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
/// let plan = Migrator::new(client).model::<Product>().dry_run().await?;
/// println!("{plan:?}"); // [Migration { index: "Product:index", outcome: Created }]
/// let report = Migrator::new(client).model::<Product>().run().await?;
/// assert_eq!(report, plan);
/// # Ok(()) }
/// ```
pub struct Migrator<'e, E> {
    executor: &'e E,
    models: Vec<Registered>,
    rebuild_timeout: Duration,
}

struct Registered {
    model: &'static str,
    prefix: String,
    index: Option<ModelIndex>,
}

/// What a run did (or, in a dry run, would do) to one index.
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
    /// The model gained indexed fields, added to the index in place with
    /// `FT.ALTER`; the server indexes existing records for them in the
    /// background.
    Altered,
    /// The model changed otherwise: a new index was built beside the old
    /// one, the index's name moved to it (an alias) and the old one was
    /// dropped.
    Rebuilt,
}

impl<'e, E: Executor> Migrator<'e, E> {
    /// A migrator sending its commands through `executor`.
    pub fn new(executor: &'e E) -> Self {
        Migrator {
            executor,
            models: Vec::new(),
            rebuild_timeout: REBUILD_TIMEOUT,
        }
    }

    /// How long a rebuild may take (5 minutes by default): past it the new
    /// index is dropped, the old one keeps serving, and the run fails with
    /// [`ErrorKind::Timeout`] saying how far the new index got.
    pub fn rebuild_timeout(mut self, timeout: Duration) -> Self {
        self.rebuild_timeout = timeout;
        self
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

    /// Creates what is missing, migrates what changed; one [`Migration`]
    /// per index, in the order the models were given.
    pub async fn run(self) -> Result<Vec<Migration>> {
        self.migrate(Apply::Yes).await
    }

    /// What [`Migrator::run`] would do now, with nothing changed on the
    /// server: the same report, each outcome one that `run` would give.
    pub async fn dry_run(self) -> Result<Vec<Migration>> {
        self.migrate(Apply::No).await
    }

    async fn migrate(self, apply: Apply) -> Result<Vec<Migration>> {
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
            let outcome = migrate(self.executor, index, apply, self.rebuild_timeout).await?;
            report.push(Migration {
                index: index.name().to_owned(),
                outcome,
            });
        }
        Ok(report)
    }
}

/// Whether a run changes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Apply {
    Yes,
    No,
}

/// What an index needs, as found on the server: on every shard of a
/// cluster, each of which has an index of its own (see [`crate::shards`]).
enum Step {
    /// Create the shards' indexes of these names.
    Create {
        missing: Vec<String>,
    },
    Unchanged,
    /// Add these fields to the index serving under each shard's name
    /// (creating it where a shard has none).
    Alter {
        serving: Serving,
        added: Schema,
    },
    /// Build anew and move each shard's name from the index serving under
    /// it (creating it where a shard has none).
    Rebuild {
        serving: Serving,
    },
}

/// Each shard's index name with the index serving under it, if any.
type Serving = Vec<(String, Option<String>)>;

impl Step {
    fn outcome(&self) -> MigrationOutcome {
        match self {
            Step::Create { .. } => MigrationOutcome::Created,
            Step::Unchanged => MigrationOutcome::Unchanged,
            Step::Alter { .. } => MigrationOutcome::Altered,
            Step::Rebuild { .. } => MigrationOutcome::Rebuilt,
        }
    }
}

async fn migrate(
    executor: &impl Executor,
    index: &ModelIndex,
    apply: Apply,
    timeout: Duration,
) -> Result<MigrationOutcome> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let step = plan(executor, index).await?;
        if apply == Apply::No {
            return Ok(step.outcome());
        }
        match step {
            Step::Unchanged => return Ok(MigrationOutcome::Unchanged),
            Step::Create { missing } => {
                if create(executor, index, &missing).await? {
                    return Ok(MigrationOutcome::Created);
                }
                // Another process created it meanwhile: compare it.
            }
            Step::Alter { .. } | Step::Rebuild { .. } => {
                let Some(held) = lock::MigrationLock::try_acquire(executor, index, timeout).await?
                else {
                    lock::wait_for_other(executor, index, deadline).await?;
                    continue;
                };
                // Planned again under the lock: the one before it may have
                // migrated the index meanwhile.
                let outcome = match plan(executor, index).await {
                    Ok(step) => change(executor, index, step, deadline).await,
                    Err(error) => Err(error),
                };
                held.release(executor).await;
                return outcome;
            }
        }
    }
}

/// What `index` needs: compares the fingerprint stored beside the index of
/// its name with its own.
async fn plan(executor: &impl Executor, index: &ModelIndex) -> Result<Step> {
    let mut serving = Serving::new();
    for shard in shard_indexes(executor, index.name())? {
        let found = serving_index(executor, &shard).await?;
        serving.push((shard, found));
    }
    let missing: Vec<String> = serving
        .iter()
        .filter(|(_, found)| found.is_none())
        .map(|(shard, _)| shard.clone())
        .collect();
    if missing.len() == serving.len() {
        return Ok(Step::Create { missing });
    }
    let fingerprint_key = format!("{}:hash", index.name());
    let stored: Option<String> = executor.get(&fingerprint_key).await?;
    match stored {
        Some(stored) if stored == index.fingerprint() => match missing.is_empty() {
            true => Ok(Step::Unchanged),
            false => Ok(Step::Create { missing }),
        },
        Some(_) => {
            let earlier: Option<String> = executor.get(format!("{}:schema", index.name())).await?;
            Ok(match earlier.and_then(|e| index.additions_since(&e)) {
                Some(added) => Step::Alter { serving, added },
                None => Step::Rebuild { serving },
            })
        }
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

/// Creates the shards' indexes `missing` names after recording what `index`
/// is built from; false when another process created them all first.
async fn create(executor: &impl Executor, index: &ModelIndex, missing: &[String]) -> Result<bool> {
    record(executor, index).await?;
    let mut created = false;
    for shard in missing {
        created |= create_once(executor, &index.renamed(shard.clone())).await?;
    }
    Ok(created)
}

/// Creates `index`; false when it exists already.
async fn create_once(executor: &impl Executor, index: &ModelIndex) -> Result<bool> {
    match executor.execute::<()>(index.create()).await {
        Ok(()) => Ok(true),
        Err(error) if message_has(&error, "already exists") => Ok(false),
        Err(error) => Err(error),
    }
}

/// Stores `index`'s fingerprint and definition beside it.
async fn record(executor: &impl Executor, index: &ModelIndex) -> Result<()> {
    executor
        .set(format!("{}:hash", index.name()), index.fingerprint())
        .await?;
    executor
        .set(format!("{}:schema", index.name()), index.definition())
        .await?;
    Ok(())
}

/// Applies a step that changes an existing index, under the lock.
async fn change(
    executor: &impl Executor,
    index: &ModelIndex,
    step: Step,
    deadline: tokio::time::Instant,
) -> Result<MigrationOutcome> {
    let outcome = step.outcome();
    let (serving, added) = match step {
        Step::Create { .. } | Step::Unchanged => return Ok(outcome),
        Step::Alter { serving, added } => (serving, Some(added)),
        Step::Rebuild { serving } => (serving, None),
    };
    for (shard, serving) in serving {
        let shard_index = index.renamed(shard);
        match (serving, &added) {
            (None, _) => {
                create_once(executor, &shard_index).await?;
            }
            (Some(serving), Some(added)) => executor.ft_alter(&serving, added).await?,
            (Some(serving), None) => {
                rebuild::rebuild(executor, &shard_index, &serving, deadline).await?;
            }
        }
    }
    record(executor, index).await?;
    Ok(outcome)
}

/// The name of the index that serves under `name` (itself, or the index an
/// alias of that name points to); `None` when there is none.
async fn serving_index(executor: &impl Executor, name: &str) -> Result<Option<String>> {
    match executor.ft_info(name).await {
        Ok(info) => Ok(Some(info.name)),
        Err(error) if names_unknown_index(&error) => Ok(None),
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
