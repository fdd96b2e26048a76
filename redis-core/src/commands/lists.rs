//! List commands.

use std::num::NonZeroU64;
use std::time::Duration;

use super::hashes::counted_args;
use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

define_commands! {
    /// LPUSH, RPUSH, LRANGE, BLPOP and friends.
    ///
    /// Blocking commands (BLPOP, BRPOP, BLMOVE, BLMPOP, BRPOPLPUSH) take
    /// their timeout as a `Duration` (`Duration::ZERO` blocks until an
    /// element arrives). The reply wait is the timeout plus the response
    /// timeout, so the call is never cut short, and on a [`crate::Client`]
    /// it runs on a pooled exclusive connection, never stalling other callers.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use std::time::Duration;
    /// use redis_core::commands::ListEnd;
    /// use redis_core::prelude::*;
    /// client.rpush("jobs", &["a", "b", "c"]).await?;
    /// let first: Option<String> = client.lpop("jobs").await?;
    /// let moved: Option<String> = client
    ///     .blmove("jobs", "doing", ListEnd::Left, ListEnd::Right, Duration::from_secs(1))
    ///     .await?;
    /// let all: Vec<String> = client.lrange("doing", 0, -1).await?;
    /// # let _ = (first, moved, all); Ok(()) }
    /// ```
    pub trait ListCommands;

    /// `LPUSH key value...`: inserts the values at the head, one after the
    /// other (so the last one ends up first); the new length.
    fn lpush(key: impl ToArgs, values: impl ToArgs) -> u64 {
        Cmd::new("LPUSH").arg(key).arg(values)
    }

    /// `RPUSH key value...`: appends the values at the tail; the new length.
    fn rpush(key: impl ToArgs, values: impl ToArgs) -> u64 {
        Cmd::new("RPUSH").arg(key).arg(values)
    }

    /// `LPUSHX key value...`: [`lpush`] only if the list exists; the new
    /// length, 0 when it does not exist.
    fn lpushx(key: impl ToArgs, values: impl ToArgs) -> u64 {
        Cmd::new("LPUSHX").arg(key).arg(values)
    }

    /// `RPUSHX key value...`: [`rpush`] only if the list exists; the new
    /// length, 0 when it does not exist.
    fn rpushx(key: impl ToArgs, values: impl ToArgs) -> u64 {
        Cmd::new("RPUSHX").arg(key).arg(values)
    }

    /// `LINSERT key BEFORE|AFTER pivot element`: inserts `element` next to
    /// the first `pivot`; the new length, `-1` when `pivot` is not in the
    /// list, `0` when the key does not exist.
    fn linsert(
        key: impl ToArgs,
        position: InsertPosition,
        pivot: impl ToArgs,
        element: impl ToArgs,
    ) -> i64 {
        Cmd::new("LINSERT").arg(key).arg(position).arg(pivot).arg(element)
    }

    /// `LSET key index element`: replaces the element at `index` (negative
    /// counts from the tail). An out-of-range index or a missing key is a
    /// server error.
    fn lset(key: impl ToArgs, index: i64, element: impl ToArgs) -> () {
        Cmd::new("LSET").arg(key).arg(index).arg(element)
    }

    /// `LLEN key`: the length (0 for a missing key).
    fn llen(key: impl ToArgs) -> u64 {
        Cmd::new("LLEN").arg(key)
    }

    /// `LINDEX key index`: the element at `index` (negative counts from the
    /// tail); ask for `Option<T>`, since out of range replies nil.
    fn lindex<T: FromValue>(key: impl ToArgs, index: i64) -> T {
        Cmd::new("LINDEX").arg(key).arg(index)
    }

    /// `LRANGE key start stop`: the elements from `start` to `stop`, both
    /// included (negative indexes count from the tail: `0, -1` is all).
    fn lrange<T: FromValue>(key: impl ToArgs, start: i64, stop: i64) -> Vec<T> {
        Cmd::new("LRANGE").arg(key).arg(start).arg(stop)
    }

    /// `LTRIM key start stop`: keeps only the elements from `start` to
    /// `stop`, both included (negative indexes count from the tail).
    fn ltrim(key: impl ToArgs, start: i64, stop: i64) -> () {
        Cmd::new("LTRIM").arg(key).arg(start).arg(stop)
    }

    /// `LREM key count element`: removes elements equal to `element`: the
    /// first `count` from the head when positive, the last `-count` from the
    /// tail when negative, all when 0; how many were removed.
    fn lrem(key: impl ToArgs, count: i64, element: impl ToArgs) -> u64 {
        Cmd::new("LREM").arg(key).arg(count).arg(element)
    }

    /// `LPOS key element`: the index of the first element equal to
    /// `element`, `None` when there is none.
    fn lpos(key: impl ToArgs, element: impl ToArgs) -> Option<u64> {
        Cmd::new("LPOS").arg(key).arg(element)
    }

    /// `LPOS key element [RANK rank] [MAXLEN len]`: the index of the match
    /// `options` select, `None` when there is none.
    fn lpos_with(key: impl ToArgs, element: impl ToArgs, options: LposOptions) -> Option<u64> {
        Cmd::new("LPOS").arg(key).arg(element).arg(options)
    }

    /// `LPOS key element [RANK rank] COUNT count [MAXLEN len]`: the indexes
    /// of up to `count` matches (all of them when `count` is 0), starting at
    /// the one `options` select, in the order they were found (from the tail
    /// with [`LposOptions::from_tail`]).
    #[doc(alias = "COUNT")]
    fn lpos_count(
        key: impl ToArgs,
        element: impl ToArgs,
        count: u64,
        options: LposOptions,
    ) -> Vec<u64> {
        Cmd::new("LPOS").arg(key).arg(element).arg("COUNT").arg(count).arg(options)
    }

    /// `LPOP key`: removes and returns the first element; ask for
    /// `Option<T>`, since an empty list replies nil.
    fn lpop<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("LPOP").arg(key)
    }

    /// `LPOP key count`: removes and returns up to `count` elements from the
    /// head (empty for a missing key).
    #[doc(alias = "COUNT")]
    fn lpop_count<T: FromValue>(key: impl ToArgs, count: u64) -> Vec<T> {
        Cmd::new("LPOP").arg(key).arg(count)
    }

    /// `RPOP key`: removes and returns the last element; ask for
    /// `Option<T>`, since an empty list replies nil.
    fn rpop<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("RPOP").arg(key)
    }

    /// `RPOP key count`: removes and returns up to `count` elements from the
    /// tail, last first (empty for a missing key).
    #[doc(alias = "COUNT")]
    fn rpop_count<T: FromValue>(key: impl ToArgs, count: u64) -> Vec<T> {
        Cmd::new("RPOP").arg(key).arg(count)
    }

    /// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`: moves one element
    /// from the `from` end of `source` to the `to` end of `destination` (the
    /// same key is a rotation) and returns it; ask for `Option<T>`, since an
    /// empty source replies nil.
    fn lmove<T: FromValue>(
        source: impl ToArgs,
        destination: impl ToArgs,
        from: ListEnd,
        to: ListEnd,
    ) -> T {
        Cmd::new("LMOVE").arg(source).arg(destination).arg(from).arg(to)
    }

    /// `RPOPLPUSH source destination`: [`lmove`] from the right to the left.
    /// Deprecated by Redis since 6.2 in favour of LMOVE.
    fn rpoplpush<T: FromValue>(source: impl ToArgs, destination: impl ToArgs) -> T {
        Cmd::new("RPOPLPUSH").arg(source).arg(destination)
    }

    /// `LMPOP numkeys key... LEFT|RIGHT COUNT count` (Redis 7.0+): pops up to
    /// `count` elements from the `end` of the first non-empty list among
    /// `keys`; `(key, elements)`, or `None` when all are empty.
    fn lmpop<T: FromValue>(
        keys: impl ToArgs,
        end: ListEnd,
        count: NonZeroU64,
    ) -> Option<(String, Vec<T>)> {
        counted_args(Cmd::new("LMPOP"), keys).arg(end).arg("COUNT").arg(count.get())
    }

    /// `BLPOP key... timeout`: `(key, value)` popped from the head of the
    /// first non-empty list, or `None` when `timeout` passed first.
    fn blpop<T: FromValue>(keys: impl ToArgs, timeout: Duration) -> Option<(String, T)> {
        Cmd::new("BLPOP").arg(keys).arg(timeout.as_secs_f64())
    }

    /// `BRPOP key... timeout`: `(key, value)` popped from the tail of the
    /// first non-empty list, or `None` when `timeout` passed first.
    fn brpop<T: FromValue>(keys: impl ToArgs, timeout: Duration) -> Option<(String, T)> {
        Cmd::new("BRPOP").arg(keys).arg(timeout.as_secs_f64())
    }

    /// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`: [`lmove`],
    /// waiting up to `timeout` for an element; `None` when it passed first.
    fn blmove<T: FromValue>(
        source: impl ToArgs,
        destination: impl ToArgs,
        from: ListEnd,
        to: ListEnd,
        timeout: Duration,
    ) -> Option<T> {
        Cmd::new("BLMOVE")
            .arg(source)
            .arg(destination)
            .arg(from)
            .arg(to)
            .arg(timeout.as_secs_f64())
    }

    /// `BRPOPLPUSH source destination timeout`: [`rpoplpush`], waiting up to
    /// `timeout` for an element; `None` when it passed first. Deprecated by
    /// Redis since 6.2 in favour of BLMOVE.
    fn brpoplpush<T: FromValue>(
        source: impl ToArgs,
        destination: impl ToArgs,
        timeout: Duration,
    ) -> Option<T> {
        Cmd::new("BRPOPLPUSH").arg(source).arg(destination).arg(timeout.as_secs_f64())
    }

    /// `BLMPOP timeout numkeys key... LEFT|RIGHT COUNT count` (Redis 7.0+):
    /// [`lmpop`], waiting up to `timeout` for an element; `None` when it
    /// passed first.
    fn blmpop<T: FromValue>(
        keys: impl ToArgs,
        end: ListEnd,
        count: NonZeroU64,
        timeout: Duration,
    ) -> Option<(String, Vec<T>)> {
        let cmd = Cmd::new("BLMPOP").arg(timeout.as_secs_f64());
        counted_args(cmd, keys).arg(end).arg("COUNT").arg(count.get())
    }
}

/// An end of a list: where LMOVE, LMPOP and their blocking forms take
/// elements from or put them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListEnd {
    /// `LEFT`: the head (index 0).
    Left,
    /// `RIGHT`: the tail (index -1).
    Right,
}

impl ToArgs for ListEnd {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            ListEnd::Left => b"LEFT",
            ListEnd::Right => b"RIGHT",
        });
    }
}

/// Where LINSERT puts the new element, relative to the pivot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InsertPosition {
    /// `BEFORE`: on the head side of the pivot.
    Before,
    /// `AFTER`: on the tail side of the pivot.
    After,
}

impl ToArgs for InsertPosition {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            InsertPosition::Before => b"BEFORE",
            InsertPosition::After => b"AFTER",
        });
    }
}

/// Which matches LPOS reports (its `RANK`) and how far it looks (`MAXLEN`).
///
/// The default is the first match from the head, over the whole list.
/// `RANK` is written as a number of matches to skip and a direction, so
/// the `RANK 0` the server refuses cannot be asked for.
///
/// ```
/// use redis_core::commands::{self, LposOptions};
/// // The second match counting from the tail, among the last 100 elements.
/// let options = LposOptions::new().from_tail().skip(1).max_len(100);
/// let lpos = commands::lpos_with("list", "x", options);
/// let args: Vec<&[u8]> = lpos.cmd().args().collect();
/// assert_eq!(args, [&b"LPOS"[..], b"list", b"x", b"RANK", b"-2", b"MAXLEN", b"100"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LposOptions {
    skip: u64,
    from_tail: bool,
    max_len: Option<u64>,
}

impl LposOptions {
    /// The first match from the head, over the whole list.
    pub fn new() -> Self {
        LposOptions::default()
    }

    /// Skips the first `matches` matches (`RANK matches+1`, or negative from
    /// the tail).
    pub fn skip(mut self, matches: u64) -> Self {
        self.skip = matches;
        self
    }

    /// Looks from the tail towards the head (a negative `RANK`). The indexes
    /// reported still count from the head.
    pub fn from_tail(mut self) -> Self {
        self.from_tail = true;
        self
    }

    /// Compares at most `len` elements (`MAXLEN`; 0 means the whole list).
    #[doc(alias = "MAXLEN")]
    pub fn max_len(mut self, len: u64) -> Self {
        self.max_len = Some(len);
        self
    }
}

impl ToArgs for LposOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.skip > 0 || self.from_tail {
            // Saturates: no list has i64::MAX matches to skip.
            let rank = i64::try_from(self.skip)
                .unwrap_or(i64::MAX)
                .saturating_add(1);
            let rank = if self.from_tail { -rank } else { rank };
            cmd.push_arg("RANK").push_arg(rank);
        }
        if let Some(len) = self.max_len {
            cmd.push_arg("MAXLEN").push_arg(len);
        }
    }
}
