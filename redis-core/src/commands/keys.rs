//! Generic key commands: existence, expiry, renaming, copying, sorting,
//! serialization, replication acknowledgements.

use std::time::{Duration, SystemTime};

use super::durations::{ceil_millis, ttl_millis, unix_millis};
use super::key_replies::{AofAcks, ExpireTime, KeyType, Ttl};
use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

define_commands! {
    /// DEL, EXISTS, EXPIRE, TYPE, SORT and the other commands on keys of
    /// any type.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use std::time::Duration;
    /// use redis_core::commands::{ExpireCondition, KeyType, Ttl};
    /// use redis_core::prelude::*;
    /// client.set("session", "data").await?;
    /// client.expire_with("session", Duration::from_secs(60), ExpireCondition::NoExpiry).await?;
    /// if let Ttl::Expires(left) = client.pttl("session").await? {
    ///     assert!(left <= Duration::from_secs(60));
    /// }
    /// assert_eq!(client.key_type("session").await?, KeyType::String);
    /// # Ok(()) }
    /// ```
    pub trait KeyCommands;

    /// `COPY source destination`: copies the value (and its expiry) to a
    /// key that does not exist yet; whether it was copied.
    fn copy(source: impl ToArgs, destination: impl ToArgs) -> bool {
        Cmd::new("COPY").arg(source).arg(destination)
    }

    /// `COPY source destination [DB db] [REPLACE]`: copies into another
    /// database, or over an existing key; whether it was copied.
    fn copy_with(source: impl ToArgs, destination: impl ToArgs, options: CopyOptions) -> bool {
        Cmd::new("COPY").arg(source).arg(destination).arg(options)
    }

    /// `DEL key...`: how many keys were removed.
    fn del(keys: impl ToArgs) -> u64 {
        Cmd::new("DEL").arg(keys)
    }

    /// `DUMP key`: the value serialized in Redis's format (for [`restore`]),
    /// `None` if the key is missing.
    fn dump(key: impl ToArgs) -> Option<Vec<u8>> {
        Cmd::new("DUMP").arg(key)
    }

    /// `EXISTS key...`: how many of the keys exist (a key named twice counts
    /// twice).
    fn exists(keys: impl ToArgs) -> u64 {
        Cmd::new("EXISTS").arg(keys)
    }

    /// `EXPIRE key seconds`, or `PEXPIRE key milliseconds` when `ttl` is not
    /// a whole number of seconds: the key expires after `ttl` (zero deletes
    /// it); false if the key does not exist.
    #[doc(alias = "PEXPIRE")]
    fn expire(key: impl ToArgs, ttl: Duration) -> bool {
        expire_cmd(key, ttl, None)
    }

    /// `EXPIRE key seconds NX|XX|GT|LT` (or `PEXPIRE`, as [`expire`]): sets
    /// the expiry only if `condition` holds; whether it was set.
    #[doc(alias = "EXPIRE", alias = "PEXPIRE")]
    fn expire_with(key: impl ToArgs, ttl: Duration, condition: ExpireCondition) -> bool {
        expire_cmd(key, ttl, Some(condition))
    }

    /// `EXPIREAT key unix-seconds`, or `PEXPIREAT key unix-milliseconds`
    /// when `at` is not a whole second: the key expires at `at` (a time in
    /// the past deletes it); false if the key does not exist.
    #[doc(alias = "PEXPIREAT")]
    fn expireat(key: impl ToArgs, at: SystemTime) -> bool {
        expireat_cmd(key, at, None)
    }

    /// `EXPIREAT key unix-seconds NX|XX|GT|LT` (or `PEXPIREAT`, as
    /// [`expireat`]): sets the expiry only if `condition` holds.
    #[doc(alias = "EXPIREAT", alias = "PEXPIREAT")]
    fn expireat_with(key: impl ToArgs, at: SystemTime, condition: ExpireCondition) -> bool {
        expireat_cmd(key, at, Some(condition))
    }

    /// `EXPIRETIME key`: when the key expires, to the second.
    fn expiretime(key: impl ToArgs) -> ExpireTime<1000> {
        Cmd::new("EXPIRETIME").arg(key)
    }

    /// `KEYS pattern`: every key matching the glob-style pattern. It walks
    /// the whole keyspace at once, blocking the server: prefer SCAN outside
    /// of tests and small databases.
    fn keys<T: FromValue>(pattern: impl ToArgs) -> Vec<T> {
        Cmd::new("KEYS").arg(pattern)
    }

    /// `MOVE key db`: moves the key to database `db` of the same server;
    /// false if it is missing here or already exists there.
    fn move_key(key: impl ToArgs, db: u32) -> bool {
        Cmd::new("MOVE").arg(key).arg(db)
    }

    /// `OBJECT ENCODING key`: how the value is stored (`"embstr"`, `"int"`,
    /// `"listpack"`, `"hashtable"`, ...), `None` if the key is missing.
    fn object_encoding(key: impl ToArgs) -> Option<String> {
        Cmd::new("OBJECT").arg("ENCODING").arg(key)
    }

    /// `OBJECT FREQ key`: the key's logarithmic access frequency counter,
    /// `None` if the key is missing. An error unless the server's
    /// `maxmemory-policy` is an LFU one.
    fn object_freq(key: impl ToArgs) -> Option<u64> {
        Cmd::new("OBJECT").arg("FREQ").arg(key)
    }

    /// `OBJECT HELP`: the server's description of the OBJECT subcommands,
    /// one line each.
    fn object_help() -> Vec<String> {
        Cmd::new("OBJECT").arg("HELP")
    }

    /// `OBJECT IDLETIME key`: seconds since the key was last read or
    /// written, `None` if the key is missing. An error when the server's
    /// `maxmemory-policy` is an LFU one.
    fn object_idletime(key: impl ToArgs) -> Option<u64> {
        Cmd::new("OBJECT").arg("IDLETIME").arg(key)
    }

    /// `OBJECT REFCOUNT key`: how many references the server holds to the
    /// value, `None` if the key is missing.
    fn object_refcount(key: impl ToArgs) -> Option<u64> {
        Cmd::new("OBJECT").arg("REFCOUNT").arg(key)
    }

    /// `PERSIST key`: removes the expiry; false if the key is missing or had
    /// none.
    fn persist(key: impl ToArgs) -> bool {
        Cmd::new("PERSIST").arg(key)
    }

    /// `PEXPIRE key milliseconds`: the key expires after `ttl` (rounded up to
    /// the millisecond; zero deletes it); false if the key does not exist.
    fn pexpire(key: impl ToArgs, ttl: Duration) -> bool {
        Cmd::new("PEXPIRE").arg(key).arg(ceil_millis(ttl))
    }

    /// `PEXPIRE key milliseconds NX|XX|GT|LT`: sets the expiry only if
    /// `condition` holds.
    fn pexpire_with(key: impl ToArgs, ttl: Duration, condition: ExpireCondition) -> bool {
        Cmd::new("PEXPIRE").arg(key).arg(ceil_millis(ttl)).arg(condition)
    }

    /// `PEXPIREAT key unix-milliseconds`: the key expires at `at`; false if
    /// the key does not exist.
    fn pexpireat(key: impl ToArgs, at: SystemTime) -> bool {
        Cmd::new("PEXPIREAT").arg(key).arg(unix_millis(at))
    }

    /// `PEXPIREAT key unix-milliseconds NX|XX|GT|LT`: sets the expiry only
    /// if `condition` holds.
    fn pexpireat_with(key: impl ToArgs, at: SystemTime, condition: ExpireCondition) -> bool {
        Cmd::new("PEXPIREAT").arg(key).arg(unix_millis(at)).arg(condition)
    }

    /// `PEXPIRETIME key`: when the key expires, to the millisecond.
    fn pexpiretime(key: impl ToArgs) -> ExpireTime {
        Cmd::new("PEXPIRETIME").arg(key)
    }

    /// `PTTL key`: the time the key has left, to the millisecond.
    fn pttl(key: impl ToArgs) -> Ttl {
        Cmd::new("PTTL").arg(key)
    }

    /// `RANDOMKEY`: a random key of the database, `None` if it is empty.
    fn randomkey<T: FromValue>() -> Option<T> {
        Cmd::new("RANDOMKEY")
    }

    /// `RENAME key newkey`: renames the key, replacing any `newkey`; an
    /// error if `key` is missing.
    fn rename(key: impl ToArgs, newkey: impl ToArgs) -> () {
        Cmd::new("RENAME").arg(key).arg(newkey)
    }

    /// `RENAMENX key newkey`: renames the key only if `newkey` does not
    /// exist; whether it was renamed.
    fn renamenx(key: impl ToArgs, newkey: impl ToArgs) -> bool {
        Cmd::new("RENAMENX").arg(key).arg(newkey)
    }

    /// `RESTORE key 0 serialized-value`: creates the key, without an expiry,
    /// from what [`dump`] returned; an error if the key exists.
    fn restore(key: impl ToArgs, serialized: impl ToArgs) -> () {
        Cmd::new("RESTORE").arg(key).arg(0).arg(serialized)
    }

    /// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME s |
    /// FREQ f]`: creates the key from what [`dump`] returned, with the
    /// expiry, replacement and eviction hints of `options`.
    fn restore_with(key: impl ToArgs, serialized: impl ToArgs, options: RestoreOptions) -> () {
        options.command(Cmd::new("RESTORE").arg(key), serialized)
    }

    /// `SORT key`: the elements of a list, set or sorted set, sorted as
    /// numbers.
    fn sort<T: FromValue>(key: impl ToArgs) -> Vec<T> {
        Cmd::new("SORT").arg(key)
    }

    /// `SORT key [BY pattern] [LIMIT offset count] [GET pattern ...]
    /// [ASC|DESC] [ALPHA]`: the sorted elements, or with GET patterns the
    /// values they name: one per pattern for each element, in order, nil for
    /// a missing one (ask for `Vec<Option<T>>`).
    fn sort_with<T: FromValue>(key: impl ToArgs, options: SortOptions) -> Vec<T> {
        Cmd::new("SORT").arg(key).arg(options)
    }

    /// `SORT key ... STORE destination`: stores the result of
    /// [`sort_with`] as a list at `destination`; the list's length.
    #[doc(alias = "STORE")]
    fn sort_store(key: impl ToArgs, options: SortOptions, destination: impl ToArgs) -> u64 {
        Cmd::new("SORT").arg(key).arg(options).arg("STORE").arg(destination)
    }

    /// `SORT_RO key`: [`sort`] as a read-only command (which replicas serve).
    fn sort_ro<T: FromValue>(key: impl ToArgs) -> Vec<T> {
        Cmd::new("SORT_RO").arg(key)
    }

    /// `SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...]
    /// [ASC|DESC] [ALPHA]`: [`sort_with`] as a read-only command.
    fn sort_ro_with<T: FromValue>(key: impl ToArgs, options: SortOptions) -> Vec<T> {
        Cmd::new("SORT_RO").arg(key).arg(options)
    }

    /// `TOUCH key...`: marks the keys as accessed; how many exist.
    fn touch(keys: impl ToArgs) -> u64 {
        Cmd::new("TOUCH").arg(keys)
    }

    /// `TTL key`: the time the key has left, to the second (rounded).
    fn ttl(key: impl ToArgs) -> Ttl<1000> {
        Cmd::new("TTL").arg(key)
    }

    /// `TYPE key`: the type of the key's value.
    fn key_type(key: impl ToArgs) -> KeyType {
        Cmd::new("TYPE").arg(key)
    }

    /// `UNLINK key...`: removes the keys, freeing their memory in the
    /// background; how many were removed.
    fn unlink(keys: impl ToArgs) -> u64 {
        Cmd::new("UNLINK").arg(keys)
    }

    /// `WAIT numreplicas timeout`: blocks until the writes this connection
    /// sent before are acknowledged by `numreplicas` replicas or `timeout`
    /// passes (zero waits without limit); how many replicas acknowledged.
    fn wait(numreplicas: u64, timeout: Duration) -> u64 {
        Cmd::new("WAIT").arg(numreplicas).arg(ceil_millis(timeout))
    }

    /// `WAITAOF numlocal numreplicas timeout`: blocks until the writes this
    /// connection sent before are fsynced to the AOF locally (`numlocal` is
    /// 0 or 1) and on `numreplicas` replicas, or `timeout` passes (zero
    /// waits without limit). Redis 7.2 and later; an error for `numlocal` 1
    /// when the server has no AOF.
    fn waitaof(numlocal: u64, numreplicas: u64, timeout: Duration) -> AofAcks {
        Cmd::new("WAITAOF").arg(numlocal).arg(numreplicas).arg(ceil_millis(timeout))
    }
}

fn expire_cmd(key: impl ToArgs, ttl: Duration, condition: Option<ExpireCondition>) -> Cmd {
    let cmd = if ttl.subsec_nanos() == 0 {
        Cmd::new("EXPIRE").arg(key).arg(ttl.as_secs())
    } else {
        Cmd::new("PEXPIRE").arg(key).arg(ceil_millis(ttl))
    };
    cmd.arg(condition)
}

fn expireat_cmd(key: impl ToArgs, at: SystemTime, condition: Option<ExpireCondition>) -> Cmd {
    let since_epoch = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let cmd = if since_epoch.subsec_nanos() == 0 {
        Cmd::new("EXPIREAT").arg(key).arg(since_epoch.as_secs())
    } else {
        Cmd::new("PEXPIREAT").arg(key).arg(unix_millis(at))
    };
    cmd.arg(condition)
}

/// When an EXPIRE-family command may change the expiry (Redis 7.0 and later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireCondition {
    /// `NX`: only if the key has no expiry.
    #[doc(alias = "NX")]
    NoExpiry,
    /// `XX`: only if the key has an expiry.
    #[doc(alias = "XX")]
    HasExpiry,
    /// `GT`: only if the new expiry is later than the current one (a key
    /// without expiry counts as expiring never, so this never sets one).
    #[doc(alias = "GT")]
    Later,
    /// `LT`: only if the new expiry is sooner than the current one (a key
    /// without expiry counts as expiring never, so this always sets one).
    #[doc(alias = "LT")]
    Sooner,
}

impl ToArgs for ExpireCondition {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            ExpireCondition::NoExpiry => b"NX",
            ExpireCondition::HasExpiry => b"XX",
            ExpireCondition::Later => b"GT",
            ExpireCondition::Sooner => b"LT",
        });
    }
}

/// The options of [`copy_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct CopyOptions {
    db: Option<u32>,
    replace: bool,
}

impl CopyOptions {
    /// Into the connection's own database, only if the destination is missing.
    pub fn new() -> Self {
        CopyOptions::default()
    }

    /// `DB db`: copy into database `db` of the same server.
    pub fn db(mut self, db: u32) -> Self {
        self.db = Some(db);
        self
    }

    /// `REPLACE`: overwrite the destination if it exists.
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }
}

impl ToArgs for CopyOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(db) = self.db {
            cmd.push_arg("DB").push_arg(db);
        }
        if self.replace {
            cmd.push_bytes(b"REPLACE");
        }
    }
}

/// The options of [`sort_with`], [`sort_ro_with`] and [`sort_store`].
///
/// ```
/// use redis_core::commands::{self, SortOptions};
/// let by_weight = SortOptions::new().by("weight_*").get("#").get("name_*").limit(0, 10).desc();
/// let cmd = commands::sort_with::<Option<String>>("ids", by_weight);
/// let args: Vec<&[u8]> = cmd.cmd().args().collect();
/// assert_eq!(args, [
///     &b"SORT"[..], b"ids", b"BY", b"weight_*", b"LIMIT", b"0", b"10",
///     b"GET", b"#", b"GET", b"name_*", b"DESC",
/// ]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct SortOptions {
    by: Option<String>,
    limit: Option<(u64, u64)>,
    get: Vec<String>,
    descending: bool,
    alpha: bool,
}

impl SortOptions {
    /// Ascending, by the elements' own numeric values, everything.
    pub fn new() -> Self {
        SortOptions::default()
    }

    /// `BY pattern`: sort by the values of the keys the pattern names, with
    /// `*` replaced by each element (`weight_*`, or `user:*->age` for a hash
    /// field).
    pub fn by(mut self, pattern: impl Into<String>) -> Self {
        self.by = Some(pattern.into());
        self
    }

    /// `BY nosort`: skip sorting (to only GET or LIMIT in the stored order).
    #[doc(alias = "NOSORT", alias = "BY")]
    pub fn no_sort(self) -> Self {
        self.by("nosort")
    }

    /// `LIMIT offset count`: only `count` elements from `offset` on.
    pub fn limit(mut self, offset: u64, count: u64) -> Self {
        self.limit = Some((offset, count));
        self
    }

    /// `GET pattern`: reply with the value the pattern names for each
    /// element instead of the element (`#` is the element itself).
    /// Repeatable: each pattern adds one value per element.
    pub fn get(mut self, pattern: impl Into<String>) -> Self {
        self.get.push(pattern.into());
        self
    }

    /// `ASC`: smallest first (the default).
    pub fn asc(mut self) -> Self {
        self.descending = false;
        self
    }

    /// `DESC`: largest first.
    pub fn desc(mut self) -> Self {
        self.descending = true;
        self
    }

    /// `ALPHA`: compare as strings rather than numbers.
    pub fn alpha(mut self) -> Self {
        self.alpha = true;
        self
    }
}

impl ToArgs for SortOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(by) = &self.by {
            cmd.push_arg("BY").push_arg(by);
        }
        if let Some((offset, count)) = self.limit {
            cmd.push_arg("LIMIT").push_arg(offset).push_arg(count);
        }
        for pattern in &self.get {
            cmd.push_arg("GET").push_arg(pattern);
        }
        if self.descending {
            cmd.push_bytes(b"DESC");
        }
        if self.alpha {
            cmd.push_bytes(b"ALPHA");
        }
    }
}

/// The options of [`restore_with`]: the key's expiry, whether to replace
/// an existing key, and an eviction hint. Each setter replaces the earlier
/// choice of its kind (IDLETIME and FREQ exclude each other).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct RestoreOptions {
    expiry: Option<RestoreExpiry>,
    replace: bool,
    hint: Option<EvictionHint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RestoreExpiry {
    In(Duration),
    At(SystemTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EvictionHint {
    IdleTime(u64),
    Freq(u8),
}

impl RestoreOptions {
    /// No expiry, fail if the key exists, no eviction hint.
    pub fn new() -> Self {
        RestoreOptions::default()
    }

    /// The restored key expires after `ttl` (millisecond precision, at
    /// least 1 ms).
    pub fn expire_in(mut self, ttl: Duration) -> Self {
        self.expiry = Some(RestoreExpiry::In(ttl));
        self
    }

    /// `ABSTTL`: the restored key expires at `at` (millisecond precision;
    /// a time in the past leaves no key).
    #[doc(alias = "ABSTTL")]
    pub fn expire_at(mut self, at: SystemTime) -> Self {
        self.expiry = Some(RestoreExpiry::At(at));
        self
    }

    /// `REPLACE`: overwrite the key if it exists.
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }

    /// `IDLETIME seconds`: the key counts as idle for this long (whole
    /// seconds), for LRU eviction.
    #[doc(alias = "IDLETIME")]
    pub fn idle_time(mut self, idle: Duration) -> Self {
        self.hint = Some(EvictionHint::IdleTime(idle.as_secs()));
        self
    }

    /// `FREQ frequency`: the key's access frequency counter, for LFU eviction.
    pub fn freq(mut self, frequency: u8) -> Self {
        self.hint = Some(EvictionHint::Freq(frequency));
        self
    }

    /// `RESTORE key` continued: the ttl argument, the payload, then the flags.
    fn command(&self, cmd: Cmd, serialized: impl ToArgs) -> Cmd {
        let (ttl, absolute) = match self.expiry {
            None => (0, false),
            Some(RestoreExpiry::In(ttl)) => (ttl_millis(ttl), false),
            // 0 would mean "no expiry": a past time must stay a past time.
            Some(RestoreExpiry::At(at)) => (unix_millis(at).max(1), true),
        };
        let mut cmd = cmd.arg(ttl).arg(serialized);
        if self.replace {
            cmd.push_bytes(b"REPLACE");
        }
        if absolute {
            cmd.push_bytes(b"ABSTTL");
        }
        match self.hint {
            Some(EvictionHint::IdleTime(seconds)) => {
                cmd.push_arg("IDLETIME").push_arg(seconds);
            }
            Some(EvictionHint::Freq(frequency)) => {
                cmd.push_arg("FREQ").push_arg(frequency);
            }
            None => {}
        }
        cmd
    }
}
