//! A rebuild behind an alias: the new index is built beside the one serving
//! under the model's index name, and the name moves to it only once it
//! holds what the old one holds.

use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Error, ErrorKind, Executor, Result, Transaction};
use tokio::time::Instant;

use crate::schema::ModelIndex;

/// How often the new index's progress is read.
const POLL: Duration = Duration::from_millis(50);

/// Builds `index` under a versioned name, waits until it holds as many
/// documents as `serving` (the index now answering under the name), then
/// moves the name to it and drops `serving` (not its records). Past
/// `deadline` the new index is dropped and `serving` keeps serving.
pub(super) async fn rebuild(
    executor: &impl Executor,
    index: &ModelIndex,
    serving: &str,
    deadline: Instant,
) -> Result<()> {
    let target = versioned_name(index);
    // A run that died after moving the name, before recording it.
    if target == serving {
        return Ok(());
    }
    // A run that died while building left the same definition under the
    // same name: it is kept and waited for.
    match executor
        .execute::<()>(index.renamed(target.clone()).create())
        .await
    {
        Ok(()) => {}
        Err(error) if super::message_has(&error, "already exists") => {}
        Err(error) => return Err(error),
    }
    if let Err(error) = wait_until_built(executor, &target, serving, deadline).await {
        // The old index keeps serving; the half-built one goes.
        let _ = executor.ft_dropindex(&target).await;
        return Err(Error::new(
            error.kind(),
            format!(
                "the search index {} was not rebuilt: {error}; the old index {serving} keeps serving \
             and the new one ({target}) was dropped",
                index.name()
            ),
        ));
    }
    switch(executor, index.name(), serving, &target).await
}

/// `{index}:v{first 16 hex digits of the fingerprint}`: a name per
/// definition, so that a rebuild cut short is found again by the next run.
fn versioned_name(index: &ModelIndex) -> String {
    let fingerprint = index.fingerprint();
    let short = fingerprint.get(..16).unwrap_or(&fingerprint);
    format!("{}:v{short}", index.name())
}

/// Waits until `target` finished its scan of the keys and holds as many
/// documents as `serving`, both read in one transaction so that writes in
/// between cannot make them differ.
async fn wait_until_built(
    executor: &impl Executor,
    target: &str,
    serving: &str,
    deadline: Instant,
) -> Result<()> {
    loop {
        let (new, old): (IndexInfo, IndexInfo) = Transaction::new()
            .command(ft_info(target))
            .command(ft_info(serving))
            .query(executor)
            .await?;
        let scanned = !new.indexing && new.percent_indexed >= 1.0;
        if scanned && new.num_docs == old.num_docs {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "the rebuild's time ran out with {:.0}% of the keys scanned and {} documents \
                     indexed of the {} the old index holds ({} failed to index)",
                    new.percent_indexed * 100.0,
                    new.num_docs,
                    old.num_docs,
                    new.hash_indexing_failures
                ),
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Points `name` at `target` and drops `serving`, so that a query through
/// `name` finds one index or the other, never none.
async fn switch(executor: &impl Executor, name: &str, serving: &str, target: &str) -> Result<()> {
    if serving == name {
        // The first rebuild: the name is an index, not yet an alias. Its
        // drop and the alias are one transaction, so no query falls between.
        let ((), ()) = Transaction::new()
            .command(ft_dropindex(name))
            .command(ft_aliasadd(name, target))
            .query(executor)
            .await?;
        return Ok(());
    }
    executor.ft_aliasupdate(name, target).await?;
    executor.ft_dropindex(serving).await
}
