//! The primary keys of a repository's records, as a stream over `SCAN`.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use redis_core::commands::Scan;
use redis_core::{Error, ErrorKind, Executor, Result};

use crate::model::Model;
use crate::pk::PrimaryKey;

/// The primary keys of every record under a repository's prefix, page by
/// page (`SCAN MATCH {prefix}:* TYPE ...`): constant memory however many
/// there are. As with `SCAN`, a key may come more than once when the
/// keyspace is resized meanwhile, and records saved or deleted during the
/// scan may or may not be seen. A key under the prefix whose rest is not a
/// primary key of the model (not a UUID, for a `Uuid` key) is an error
/// naming the key; the scan goes on after it.
pub struct PrimaryKeys<'a, M, E: Executor + 'a> {
    scan: Scan<'a, E, Bytes>,
    /// `{prefix}:`, stripped from each key.
    prefix: String,
    model: PhantomData<fn() -> M>,
}

impl<'a, M: Model, E: Executor + 'a> PrimaryKeys<'a, M, E> {
    pub(crate) fn new(scan: Scan<'a, E, Bytes>, prefix: String) -> Self {
        PrimaryKeys {
            scan,
            prefix,
            model: PhantomData,
        }
    }

    /// The next primary key, `None` at the end.
    pub async fn next(&mut self) -> Option<Result<M::Pk>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every remaining primary key, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<M::Pk>> {
        let mut all = Vec::new();
        while let Some(pk) = self.next().await {
            all.push(pk?);
        }
        Ok(all)
    }

    fn pk_of(&self, key: &[u8]) -> Result<M::Pk> {
        let pk = key
            .strip_prefix(self.prefix.as_bytes())
            .and_then(|rest| std::str::from_utf8(rest).ok())
            .and_then(M::Pk::parse);
        pk.ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the key {} is under {}'s prefix but does not end in one of its primary keys",
                    String::from_utf8_lossy(key),
                    M::info().name()
                ),
            )
        })
    }
}

impl<'a, M: Model, E: Executor + 'a> Unpin for PrimaryKeys<'a, M, E> {}

impl<'a, M: Model, E: Executor + 'a> Stream for PrimaryKeys<'a, M, E> {
    type Item = Result<M::Pk>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<M::Pk>>> {
        let this = self.get_mut();
        let key = ready!(Pin::new(&mut this.scan).poll_next(cx));
        Poll::Ready(key.map(|key| key.and_then(|key| this.pk_of(&key))))
    }
}

/// `prefix` as a `SCAN MATCH` pattern matching it literally: a tenant named
/// `a*b` must not match tenant `aXb`'s keys.
pub(crate) fn glob_literal(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 4);
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_characters_in_a_prefix_match_only_themselves() {
        assert_eq!(glob_literal("user"), "user");
        assert_eq!(glob_literal("a*b?[c]\\d"), "a\\*b\\?\\[c\\]\\\\d");
    }
}
