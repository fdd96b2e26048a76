//! String commands.

use std::ops::RangeInclusive;
use std::time::{Duration, SystemTime};

use super::durations::{ttl_millis, ttl_seconds, unix_millis};
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Error, Result, Value};

define_commands! {
    /// GET, SET, INCR and the other commands on string values.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use std::time::Duration;
    /// use redis_core::commands::{SetOptions, SetOutcome};
    /// use redis_core::prelude::*;
    /// let written = client
    ///     .set_with("lock", "me", SetOptions::new().if_missing().expire_in(Duration::from_secs(30)))
    ///     .await?;
    /// assert_eq!(written, SetOutcome::Set);
    /// let previous: Option<String> = client.set_get("greeting", "hello", SetOptions::new()).await?;
    /// let visits = client.incr("visits").await?;
    /// # let _ = (previous, visits); Ok(()) }
    /// ```
    pub trait StringCommands;

    /// `APPEND key value`: appends to the string (creating it if missing);
    /// the string's new length in bytes.
    fn append(key: impl ToArgs, value: impl ToArgs) -> u64 {
        Cmd::new("APPEND").arg(key).arg(value)
    }

    /// `DECR key`: subtracts one from the integer (a missing key counts as
    /// 0); the new value.
    fn decr(key: impl ToArgs) -> i64 {
        Cmd::new("DECR").arg(key)
    }

    /// `DECRBY key decrement`: subtracts `delta`; the new value.
    fn decrby(key: impl ToArgs, delta: i64) -> i64 {
        Cmd::new("DECRBY").arg(key).arg(delta)
    }

    /// `GET key`: the value; ask for `Option<T>` when the key may be missing.
    fn get<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("GET").arg(key)
    }

    /// `GETDEL key`: the value, and deletes the key (`None` for `Option<T>`
    /// when it was missing).
    fn getdel<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("GETDEL").arg(key)
    }

    /// `GETEX key PX|PXAT|PERSIST`: the value, and sets or removes the key's
    /// expiry. (Without an option GETEX is GET.)
    fn getex<T: FromValue>(key: impl ToArgs, expiry: GetExExpiry) -> T {
        let cmd = Cmd::new("GETEX").arg(key);
        match expiry {
            GetExExpiry::In(ttl) => cmd.arg("PX").arg(ttl_millis(ttl)),
            GetExExpiry::At(at) => cmd.arg("PXAT").arg(unix_millis(at).max(1)),
            GetExExpiry::Persist => cmd.arg("PERSIST"),
        }
    }

    /// `GETRANGE key start end`: the bytes from `start` to `end` inclusive;
    /// negative offsets count from the end (`-1` is the last byte). A missing
    /// key or an empty range is an empty string.
    fn getrange<T: FromValue>(key: impl ToArgs, start: i64, end: i64) -> T {
        Cmd::new("GETRANGE").arg(key).arg(start).arg(end)
    }

    /// `GETSET key value`: sets the value and returns the old one.
    /// Deprecated by Redis (since 6.2): [`set_get`] does the same with options.
    fn getset<T: FromValue>(key: impl ToArgs, value: impl ToArgs) -> T {
        Cmd::new("GETSET").arg(key).arg(value)
    }

    /// `INCR key`: adds one to the integer (a missing key counts as 0); the
    /// new value.
    fn incr(key: impl ToArgs) -> i64 {
        Cmd::new("INCR").arg(key)
    }

    /// `INCRBY key increment`: adds `delta`; the new value.
    fn incrby(key: impl ToArgs, delta: i64) -> i64 {
        Cmd::new("INCRBY").arg(key).arg(delta)
    }

    /// `INCRBYFLOAT key increment`: adds `delta` to the number; the new value.
    fn incrbyfloat(key: impl ToArgs, delta: f64) -> f64 {
        Cmd::new("INCRBYFLOAT").arg(key).arg(delta)
    }

    /// `LCS key1 key2`: the longest common subsequence of the two strings.
    fn lcs<T: FromValue>(key1: impl ToArgs, key2: impl ToArgs) -> T {
        Cmd::new("LCS").arg(key1).arg(key2)
    }

    /// `LCS key1 key2 LEN`: the length of the longest common subsequence.
    fn lcs_len(key1: impl ToArgs, key2: impl ToArgs) -> u64 {
        Cmd::new("LCS").arg(key1).arg(key2).arg("LEN")
    }

    /// `LCS key1 key2 IDX MINMATCHLEN min WITHMATCHLEN`: where the common
    /// subsequence lies in both strings, as matching runs of at least
    /// `min_match_len` bytes (0 keeps every run), and its total length.
    fn lcs_idx(key1: impl ToArgs, key2: impl ToArgs, min_match_len: u64) -> LcsMatches {
        Cmd::new("LCS")
            .arg(key1)
            .arg(key2)
            .arg("IDX")
            .arg("MINMATCHLEN")
            .arg(min_match_len)
            .arg("WITHMATCHLEN")
    }

    /// `MGET key...`: one `Option` per key, in order (`None` for a missing
    /// key or one that is not a string).
    fn mget<T: FromValue>(keys: impl ToArgs) -> Vec<Option<T>> {
        Cmd::new("MGET").arg(keys)
    }

    /// `MSET key value [key value ...]`: sets every pair (a slice of tuples,
    /// say), atomically.
    fn mset(pairs: impl ToArgs) -> () {
        Cmd::new("MSET").arg(pairs)
    }

    /// `MSET key value [key value ...]`, not atomic: on a
    /// [`ClusterClient`](crate::ClusterClient) the pairs are split by hash
    /// slot, each slot's `MSET` goes to its node and the nodes run in
    /// parallel, as redis-py's `mset_nonatomic`; other clients may see some
    /// keys set and others not yet, and if a node fails, the other slots'
    /// keys may be set all the same. On a single server it is [`mset`]. A
    /// plain [`mset`] with keys in several slots is refused
    /// ([`ErrorKind::CrossSlot`](crate::ErrorKind::CrossSlot)). Split only
    /// when sent alone: in a pipeline it is an `MSET`.
    ///
    /// ```no_run
    /// # async fn run(cluster: &redis_core::ClusterClient) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// cluster.mset_nonatomic([("user:1", "Ada"), ("user:2", "Grace")]).await?;
    /// # Ok(()) }
    /// ```
    fn mset_nonatomic(pairs: impl ToArgs) -> () {
        Cmd::new("MSET").arg(pairs).splitting_by_slot()
    }

    /// `MSETNX key value [key value ...]`: sets every pair only if none of
    /// the keys exists; whether they were set.
    fn msetnx(pairs: impl ToArgs) -> bool {
        Cmd::new("MSETNX").arg(pairs)
    }

    /// `PSETEX key milliseconds value`: sets the value with an expiry (at
    /// least 1 ms). Deprecated by Redis (since 2.6.12): [`set_with`] with
    /// [`SetOptions::expire_in`] does the same.
    fn psetex(key: impl ToArgs, ttl: Duration, value: impl ToArgs) -> () {
        Cmd::new("PSETEX").arg(key).arg(ttl_millis(ttl)).arg(value)
    }

    /// `SET key value`.
    fn set(key: impl ToArgs, value: impl ToArgs) -> () {
        Cmd::new("SET").arg(key).arg(value)
    }

    /// `SET key value PX ttl`: sets with an expiry (millisecond precision).
    fn set_ex(key: impl ToArgs, value: impl ToArgs, ttl: Duration) -> () {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        Cmd::new("SET").arg(key).arg(value).arg("PX").arg(millis)
    }

    /// `SET key value [NX|XX] [PX|PXAT|KEEPTTL]`: sets with a condition or
    /// an expiry; [`SetOutcome::NotSet`] when the condition kept the value
    /// from being written.
    fn set_with(key: impl ToArgs, value: impl ToArgs, options: SetOptions) -> SetOutcome {
        Cmd::new("SET").arg(key).arg(value).arg(options)
    }

    /// `SET key value [NX|XX] GET [PX|PXAT|KEEPTTL]`: sets (as [`set_with`])
    /// and returns the previous value, `None` when the key was missing.
    /// Whether the value was written follows from the condition: with
    /// `if_missing` (Redis 7.0 and later with GET), it was written exactly
    /// when the previous value is `None`.
    fn set_get<T: FromValue>(key: impl ToArgs, value: impl ToArgs, options: SetOptions) -> Option<T> {
        Cmd::new("SET").arg(key).arg(value).arg(options).arg("GET")
    }

    /// `SETEX key seconds value`: sets the value with an expiry in whole
    /// seconds (a fraction is rounded up; at least 1 s). Deprecated by Redis
    /// (since 2.6.12): [`set_with`] with [`SetOptions::expire_in`] does the same.
    fn setex(key: impl ToArgs, ttl: Duration, value: impl ToArgs) -> () {
        Cmd::new("SETEX").arg(key).arg(ttl_seconds(ttl).max(1)).arg(value)
    }

    /// `SETNX key value`: sets the value only if the key is missing; whether
    /// it was set. Deprecated by Redis (since 2.6.12): [`set_with`] with
    /// [`SetOptions::if_missing`] does the same.
    fn setnx(key: impl ToArgs, value: impl ToArgs) -> bool {
        Cmd::new("SETNX").arg(key).arg(value)
    }

    /// `SETRANGE key offset value`: overwrites the bytes from `offset` on
    /// (zero-padding a shorter string); the string's new length.
    fn setrange(key: impl ToArgs, offset: u64, value: impl ToArgs) -> u64 {
        Cmd::new("SETRANGE").arg(key).arg(offset).arg(value)
    }

    /// `STRLEN key`: the length of the string in bytes (0 for a missing key).
    fn strlen(key: impl ToArgs) -> u64 {
        Cmd::new("STRLEN").arg(key)
    }

    /// `SUBSTR key start end`: the same as [`getrange`]. Deprecated by Redis
    /// (since 2.0).
    fn substr<T: FromValue>(key: impl ToArgs, start: i64, end: i64) -> T {
        Cmd::new("SUBSTR").arg(key).arg(start).arg(end)
    }
}

/// The options of [`set_with`] and [`set_get`]: a condition on the key's
/// existence and what becomes of its expiry. Each setter replaces the
/// earlier choice of its kind, so only combinations SET accepts can be built.
///
/// Without an expiry option SET removes any expiry the key had.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct SetOptions {
    condition: Option<Condition>,
    expiry: Option<SetExpiry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    Missing,
    Exists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetExpiry {
    In(Duration),
    At(SystemTime),
    KeepTtl,
}

impl SetOptions {
    /// No condition, no expiry: a plain SET.
    pub fn new() -> Self {
        SetOptions::default()
    }

    /// `NX`: set only if the key does not exist.
    #[doc(alias = "NX")]
    pub fn if_missing(mut self) -> Self {
        self.condition = Some(Condition::Missing);
        self
    }

    /// `XX`: set only if the key already exists.
    #[doc(alias = "XX")]
    pub fn if_exists(mut self) -> Self {
        self.condition = Some(Condition::Exists);
        self
    }

    /// `PX`: expire after `ttl` (millisecond precision, at least 1 ms).
    #[doc(alias = "PX", alias = "EX")]
    pub fn expire_in(mut self, ttl: Duration) -> Self {
        self.expiry = Some(SetExpiry::In(ttl));
        self
    }

    /// `PXAT`: expire at `at` (millisecond precision).
    #[doc(alias = "PXAT", alias = "EXAT")]
    pub fn expire_at(mut self, at: SystemTime) -> Self {
        self.expiry = Some(SetExpiry::At(at));
        self
    }

    /// `KEEPTTL`: keep the expiry the key already has.
    #[doc(alias = "KEEPTTL")]
    pub fn keep_ttl(mut self) -> Self {
        self.expiry = Some(SetExpiry::KeepTtl);
        self
    }
}

impl ToArgs for SetOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.condition {
            Some(Condition::Missing) => cmd.push_bytes(b"NX"),
            Some(Condition::Exists) => cmd.push_bytes(b"XX"),
            None => {}
        }
        match self.expiry {
            Some(SetExpiry::In(ttl)) => {
                cmd.push_arg("PX").push_arg(ttl_millis(ttl));
            }
            Some(SetExpiry::At(at)) => {
                cmd.push_arg("PXAT").push_arg(unix_millis(at).max(1));
            }
            Some(SetExpiry::KeepTtl) => cmd.push_bytes(b"KEEPTTL"),
            None => {}
        }
    }
}

/// Whether [`set_with`] wrote the value: SET answers `OK`, or nil when its
/// `NX`/`XX` condition did not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOutcome {
    /// The value was written.
    Set,
    /// The condition did not hold; the key is unchanged.
    NotSet,
}

impl SetOutcome {
    /// True for [`SetOutcome::Set`].
    pub fn is_set(self) -> bool {
        self == SetOutcome::Set
    }
}

impl FromValue for SetOutcome {
    fn from_value(value: Value) -> Result<Self> {
        Ok(match Option::<()>::from_value(value)? {
            Some(()) => SetOutcome::Set,
            None => SetOutcome::NotSet,
        })
    }
}

/// What [`getex`] does to the key's expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetExExpiry {
    /// `PX`: expire after this long (millisecond precision, at least 1 ms).
    #[doc(alias = "PX", alias = "EX")]
    In(Duration),
    /// `PXAT`: expire at this time (millisecond precision).
    #[doc(alias = "PXAT", alias = "EXAT")]
    At(SystemTime),
    /// `PERSIST`: remove the expiry.
    Persist,
}

/// The reply of [`lcs_idx`]: where the longest common subsequence of two
/// strings lies in each, and its length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LcsMatches {
    /// The matching runs, as the server lists them: from the end of the
    /// strings towards their start.
    pub matches: Vec<LcsMatch>,
    /// The length of the whole common subsequence (all runs, including
    /// those shorter than the minimum asked for).
    pub len: usize,
}

/// One run of bytes the two strings of [`lcs_idx`] have in common.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LcsMatch {
    /// Its byte positions in the first string, inclusive.
    pub first: RangeInclusive<usize>,
    /// Its byte positions in the second string, inclusive.
    pub second: RangeInclusive<usize>,
    /// Its length in bytes.
    pub len: usize,
}

impl FromValue for LcsMatches {
    /// From the RESP3 map or RESP2's flat `matches, [...], len, n` array.
    fn from_value(value: Value) -> Result<Self> {
        let mut matches = None;
        let mut len = None;
        for (field, value) in Vec::<(String, Value)>::from_value(value)? {
            match field.as_str() {
                "matches" => {
                    type Run = ((usize, usize), (usize, usize), usize);
                    let runs = Vec::<Run>::from_value(value)?;
                    matches = Some(
                        runs.into_iter()
                            .map(|((a0, a1), (b0, b1), len)| LcsMatch {
                                first: a0..=a1,
                                second: b0..=b1,
                                len,
                            })
                            .collect(),
                    );
                }
                "len" => len = Some(usize::from_value(value)?),
                _ => {}
            }
        }
        match (matches, len) {
            (Some(matches), Some(len)) => Ok(LcsMatches { matches, len }),
            _ => Err(Error::protocol("LCS IDX reply without `matches` and `len`")),
        }
    }
}
