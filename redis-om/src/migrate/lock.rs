//! One migrator at a time per index: every instance of a service may run
//! the migrator as it starts, and two rebuilds of one index at once would
//! drop each other's work (an `FT.DROPINDEX` of the name drops the index an
//! alias points to).

use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Error, ErrorKind, Executor, Result};
use tokio::time::Instant;

use crate::schema::ModelIndex;

/// How long past the rebuild's own bound the lock outlives a migrator that
/// died holding it.
const GRACE: Duration = Duration::from_secs(60);

/// How often a waiting migrator looks whether the other one is done.
const POLL: Duration = Duration::from_millis(100);

/// The lock on one index's migration, held while it is altered or rebuilt.
pub(super) struct MigrationLock {
    key: String,
    token: String,
}

fn key(index: &ModelIndex) -> String {
    format!("{}:migrating", index.name())
}

impl MigrationLock {
    /// The lock, if no other migrator holds it; it expires by itself after
    /// `timeout` and a grace period, should its holder die.
    pub(super) async fn try_acquire(
        executor: &impl Executor,
        index: &ModelIndex,
        timeout: Duration,
    ) -> Result<Option<MigrationLock>> {
        let held = MigrationLock {
            key: key(index),
            token: uuid::Uuid::new_v4().to_string(),
        };
        let options = SetOptions::new()
            .if_missing()
            .expire_in(timeout.saturating_add(GRACE));
        let outcome = executor.set_with(&held.key, &held.token, options).await?;
        Ok(outcome.is_set().then_some(held))
    }

    /// Releases the lock. A failure leaves it to expire: the migration
    /// itself is done, and reporting its outcome matters more.
    pub(super) async fn release(self, executor: &impl Executor) {
        // The Lock's own token-checking release: a lock that expired and was
        // taken by another migrator is not ours to delete.
        let released: Result<i64> = crate::lock::RELEASE
            .key(&self.key)
            .arg(&self.token)
            .invoke(executor)
            .await;
        if let Err(error) = released {
            tracing::warn!(key = %self.key, %error, "could not release the migration lock; it expires by itself");
        }
    }
}

/// Waits until the migrator holding `index`'s lock is done, or `deadline`.
pub(super) async fn wait_for_other(
    executor: &impl Executor,
    index: &ModelIndex,
    deadline: Instant,
) -> Result<()> {
    let key = key(index);
    while executor.exists([&key]).await? > 0 {
        if Instant::now() >= deadline {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "another migrator has been migrating the search index {} for longer than \
                     this one's rebuild timeout (its lock is {key}); nothing was changed by this one",
                    index.name()
                ),
            ));
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(())
}
