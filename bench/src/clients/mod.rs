//! One adapter per client, each calling its library the way its documentation shows, behind
//! one trait so that every workload is written once.

mod cluster;
mod fred;
mod ours;
mod redis_rs;

use std::collections::HashMap;
use std::future::Future;

use bytes::Bytes;

pub use self::cluster::{FredCluster, OursCluster, RedisRsCluster};
pub use self::fred::Fred;
pub use self::ours::{Ours, config as ours_config};
pub use self::redis_rs::RedisRs;

/// Whatever went wrong; a failed reply check is one of these and stops the run.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The operations of the workloads. Every method checks the replies it gets (status, size and
/// content), so a client that skipped work would fail instead of winning.
///
/// Methods take `&mut self` because a redis-rs connection needs it; each task works on its
/// own clone, as applications do.
pub trait BenchClient: Clone + Send + Sync + 'static {
    /// `SET key value`, expecting `OK`.
    fn set(&mut self, key: &str, value: &Bytes) -> impl Future<Output = Result<()>> + Send;

    /// `GET key`, expecting `expected`.
    fn get(&mut self, key: &str, expected: &[u8]) -> impl Future<Output = Result<()>> + Send;

    /// One explicit pipeline of `SET key value` for every key, expecting `OK` for each.
    fn set_pipeline(
        &mut self,
        keys: &[String],
        value: &Bytes,
    ) -> impl Future<Output = Result<()>> + Send;

    /// `MGET keys...`, expecting `expected` in order; returns the value bytes received.
    fn mget(
        &mut self,
        keys: &[String],
        expected: &[Bytes],
    ) -> impl Future<Output = Result<usize>> + Send;

    /// `HSET key f v ...` then `HGETALL key` into a `HashMap<String, String>`, expecting the
    /// fields back.
    fn hash_round_trip(
        &mut self,
        key: &str,
        fields: &[(String, String)],
    ) -> impl Future<Output = Result<()>> + Send;
}

/// Fails unless a value read back is the one expected.
pub fn check_value(command: &str, got: Option<&[u8]>, expected: &[u8]) -> Result<()> {
    match got {
        Some(got) if got == expected => Ok(()),
        Some(got) => Err(format!(
            "{command} returned {} bytes that differ from the {} expected",
            got.len(),
            expected.len()
        )
        .into()),
        None => Err(format!("{command} returned nil where a value was expected").into()),
    }
}

/// Fails unless every value of an MGET is the one expected; returns their total size.
pub fn check_values<'a>(
    got: impl ExactSizeIterator<Item = Option<&'a [u8]>>,
    expected: &[Bytes],
) -> Result<usize> {
    if got.len() != expected.len() {
        return Err(format!(
            "MGET returned {} values for {} keys",
            got.len(),
            expected.len()
        )
        .into());
    }
    let mut total = 0;
    for (got, expected) in got.zip(expected) {
        check_value("MGET", got, expected)?;
        total += expected.len();
    }
    Ok(total)
}

/// Fails unless HSET's count of new fields is possible and HGETALL returned exactly `fields`.
pub fn check_hash(
    added: i64,
    got: &HashMap<String, String>,
    fields: &[(String, String)],
) -> Result<()> {
    if !(0..=fields.len() as i64).contains(&added) {
        return Err(format!("HSET of {} fields reported {added} new", fields.len()).into());
    }
    let same = got.len() == fields.len()
        && fields
            .iter()
            .all(|(field, value)| got.get(field) == Some(value));
    if !same {
        return Err(format!(
            "HGETALL returned {} fields that differ from the {} written",
            got.len(),
            fields.len()
        )
        .into());
    }
    Ok(())
}

/// The error for a reply that should have been `OK`.
pub fn not_ok(command: &str, got: impl std::fmt::Debug) -> Error {
    format!("{command} replied {got:?} instead of OK").into()
}
