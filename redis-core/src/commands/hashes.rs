//! Hash commands, field expiration (Redis 7.4+) and HGETEX/HSETEX/HGETDEL
//! (Redis 8.0+) included.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::commands::durations::{millis, ttl_seconds, unix_millis};
use crate::commands::{ExpireTime, Ttl};
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Error, Result, Value};

define_commands! {
    /// HSET, HGET, HGETALL, per-field expiration and friends.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use std::collections::HashMap;
    /// use std::time::Duration;
    /// use redis_core::commands::{FieldExpireOutcome, Ttl};
    /// use redis_core::prelude::*;
    /// client.hset("user:1", &[("name", "Ada"), ("session", "x1")]).await?;
    /// let set = client.hexpire("user:1", Duration::from_secs(60), "session").await?;
    /// assert_eq!(set, [FieldExpireOutcome::Set]);
    /// let user: HashMap<String, String> = client.hgetall("user:1").await?;
    /// let ttl = client.httl("user:1", &["name", "session"]).await?;
    /// assert_eq!(ttl[0], Ttl::Persistent);
    /// # let _ = user; Ok(()) }
    /// ```
    pub trait HashCommands;

    /// `HSET key field value [field value ...]`; returns how many fields
    /// were added (fields that existed and were overwritten are not
    /// counted). Each pair must write one field and one value: a pair whose
    /// value is `None` (which writes nothing) is refused with
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) rather
    /// than shifting every later value onto the wrong field.
    fn hset(key: impl ToArgs, fields: impl FieldValues) -> u64 {
        pairs(Cmd::new("HSET").arg(key), fields)
    }

    /// `HSETNX key field value`: sets the field only if it does not exist;
    /// true if it was set.
    fn hsetnx(key: impl ToArgs, field: impl ToArgs, value: impl ToArgs) -> bool {
        Cmd::new("HSETNX").arg(key).arg(field).arg(value)
    }

    /// `HMSET key field value [field value ...]`: as [`hset`], replying only
    /// OK. Deprecated by Redis since 4.0 in favour of HSET.
    fn hmset(key: impl ToArgs, fields: impl FieldValues) -> () {
        pairs(Cmd::new("HMSET").arg(key), fields)
    }

    /// `HGET key field`: ask for `Option<T>` when the field may be missing.
    fn hget<T: FromValue>(key: impl ToArgs, field: impl ToArgs) -> T {
        Cmd::new("HGET").arg(key).arg(field)
    }

    /// `HMGET key field...`: one `Option` per field, in order (`None` for a
    /// missing field or key).
    fn hmget<T: FromValue>(key: impl ToArgs, fields: impl ToArgs) -> Vec<Option<T>> {
        Cmd::new("HMGET").arg(key).arg(fields)
    }

    /// `HGETALL key`, into a map (or a `Vec` of pairs), the same from RESP2
    /// and RESP3; a missing key is an empty map.
    fn hgetall<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("HGETALL").arg(key)
    }

    /// `HKEYS key`: the field names (empty for a missing key).
    fn hkeys<T: FromValue>(key: impl ToArgs) -> Vec<T> {
        Cmd::new("HKEYS").arg(key)
    }

    /// `HVALS key`: the values (empty for a missing key).
    fn hvals<T: FromValue>(key: impl ToArgs) -> Vec<T> {
        Cmd::new("HVALS").arg(key)
    }

    /// `HLEN key`: the number of fields (0 for a missing key).
    fn hlen(key: impl ToArgs) -> u64 {
        Cmd::new("HLEN").arg(key)
    }

    /// `HSTRLEN key field`: the length in bytes of the field's value (0 when
    /// the field or key is missing).
    fn hstrlen(key: impl ToArgs, field: impl ToArgs) -> u64 {
        Cmd::new("HSTRLEN").arg(key).arg(field)
    }

    /// `HEXISTS key field`: true if the field exists.
    fn hexists(key: impl ToArgs, field: impl ToArgs) -> bool {
        Cmd::new("HEXISTS").arg(key).arg(field)
    }

    /// `HDEL key field...`: how many of the fields were removed.
    fn hdel(key: impl ToArgs, fields: impl ToArgs) -> u64 {
        Cmd::new("HDEL").arg(key).arg(fields)
    }

    /// `HINCRBY key field delta`: the field's new value (a missing field
    /// counts as 0).
    fn hincrby(key: impl ToArgs, field: impl ToArgs, delta: i64) -> i64 {
        Cmd::new("HINCRBY").arg(key).arg(field).arg(delta)
    }

    /// `HINCRBYFLOAT key field delta`: the field's new value (a missing field
    /// counts as 0).
    fn hincrbyfloat(key: impl ToArgs, field: impl ToArgs, delta: f64) -> f64 {
        Cmd::new("HINCRBYFLOAT").arg(key).arg(field).arg(delta)
    }

    /// `HRANDFIELD key`: one random field name; ask for `Option<T>`, since a
    /// missing key replies nil.
    fn hrandfield<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("HRANDFIELD").arg(key)
    }

    /// `HRANDFIELD key count`: random field names. A positive `count` gives
    /// up to `count` distinct fields; a negative one gives exactly `-count`
    /// fields, which may repeat. Empty for a missing key.
    #[doc(alias = "COUNT")]
    fn hrandfield_count<T: FromValue>(key: impl ToArgs, count: i64) -> Vec<T> {
        Cmd::new("HRANDFIELD").arg(key).arg(count)
    }

    /// `HRANDFIELD key count WITHVALUES`: random `(field, value)` pairs, with
    /// `count` as in [`hrandfield_count`]; the same from RESP2 (a flat array)
    /// and RESP3 (an array of pairs).
    #[doc(alias = "WITHVALUES")]
    fn hrandfield_withvalues<K: FromValue, V: FromValue>(
        key: impl ToArgs,
        count: i64,
    ) -> Vec<(K, V)> {
        Cmd::new("HRANDFIELD").arg(key).arg(count).arg("WITHVALUES")
    }

    /// `HEXPIRE key seconds FIELDS n field...` (Redis 7.4+): the fields
    /// expire after `ttl`, in whole seconds, rounded up (use [`hpexpire`]
    /// for milliseconds). A zero `ttl` deletes the fields. One outcome per
    /// field, in order.
    fn hexpire(key: impl ToArgs, ttl: Duration, fields: impl ToArgs) -> Vec<FieldExpireOutcome> {
        counted_args(Cmd::new("HEXPIRE").arg(key).arg(ttl_seconds(ttl)).arg("FIELDS"), fields)
    }

    /// `HEXPIRE key seconds NX|XX|GT|LT FIELDS n field...`: [`hexpire`] for
    /// the fields whose current expiry meets `condition`; the others report
    /// [`FieldExpireOutcome::ConditionNotMet`].
    fn hexpire_with(
        key: impl ToArgs,
        ttl: Duration,
        condition: FieldExpireCondition,
        fields: impl ToArgs,
    ) -> Vec<FieldExpireOutcome> {
        let cmd = Cmd::new("HEXPIRE").arg(key).arg(ttl_seconds(ttl)).arg(condition);
        counted_args(cmd.arg("FIELDS"), fields)
    }

    /// `HPEXPIRE key milliseconds FIELDS n field...` (Redis 7.4+): the fields
    /// expire after `ttl` (millisecond precision; a zero `ttl` deletes them).
    /// One outcome per field, in order.
    fn hpexpire(key: impl ToArgs, ttl: Duration, fields: impl ToArgs) -> Vec<FieldExpireOutcome> {
        counted_args(Cmd::new("HPEXPIRE").arg(key).arg(millis(ttl)).arg("FIELDS"), fields)
    }

    /// `HPEXPIRE key milliseconds NX|XX|GT|LT FIELDS n field...`: [`hpexpire`]
    /// for the fields whose current expiry meets `condition`.
    fn hpexpire_with(
        key: impl ToArgs,
        ttl: Duration,
        condition: FieldExpireCondition,
        fields: impl ToArgs,
    ) -> Vec<FieldExpireOutcome> {
        let cmd = Cmd::new("HPEXPIRE").arg(key).arg(millis(ttl)).arg(condition);
        counted_args(cmd.arg("FIELDS"), fields)
    }

    /// `HEXPIREAT key unix-seconds FIELDS n field...` (Redis 7.4+): the
    /// fields expire at `at`, in whole seconds, rounded up (use
    /// [`hpexpireat`] for milliseconds). A time in the past deletes them.
    /// One outcome per field, in order.
    fn hexpireat(key: impl ToArgs, at: SystemTime, fields: impl ToArgs) -> Vec<FieldExpireOutcome> {
        let cmd = Cmd::new("HEXPIREAT").arg(key).arg(ttl_seconds(since_epoch(at)));
        counted_args(cmd.arg("FIELDS"), fields)
    }

    /// `HEXPIREAT key unix-seconds NX|XX|GT|LT FIELDS n field...`:
    /// [`hexpireat`] for the fields whose current expiry meets `condition`.
    fn hexpireat_with(
        key: impl ToArgs,
        at: SystemTime,
        condition: FieldExpireCondition,
        fields: impl ToArgs,
    ) -> Vec<FieldExpireOutcome> {
        let cmd = Cmd::new("HEXPIREAT").arg(key).arg(ttl_seconds(since_epoch(at)));
        counted_args(cmd.arg(condition).arg("FIELDS"), fields)
    }

    /// `HPEXPIREAT key unix-milliseconds FIELDS n field...` (Redis 7.4+): the
    /// fields expire at `at` (a time in the past deletes them). One outcome
    /// per field, in order.
    fn hpexpireat(
        key: impl ToArgs,
        at: SystemTime,
        fields: impl ToArgs,
    ) -> Vec<FieldExpireOutcome> {
        let cmd = Cmd::new("HPEXPIREAT").arg(key).arg(unix_millis(at));
        counted_args(cmd.arg("FIELDS"), fields)
    }

    /// `HPEXPIREAT key unix-milliseconds NX|XX|GT|LT FIELDS n field...`:
    /// [`hpexpireat`] for the fields whose current expiry meets `condition`.
    fn hpexpireat_with(
        key: impl ToArgs,
        at: SystemTime,
        condition: FieldExpireCondition,
        fields: impl ToArgs,
    ) -> Vec<FieldExpireOutcome> {
        let cmd = Cmd::new("HPEXPIREAT").arg(key).arg(unix_millis(at));
        counted_args(cmd.arg(condition).arg("FIELDS"), fields)
    }

    /// `HTTL key FIELDS n field...` (Redis 7.4+): the time each field has
    /// left, in whole seconds, in order (a missing field is
    /// [`Ttl::Missing`], as a missing key is for `TTL`).
    fn httl(key: impl ToArgs, fields: impl ToArgs) -> Vec<Ttl<1000>> {
        counted_args(Cmd::new("HTTL").arg(key).arg("FIELDS"), fields)
    }

    /// `HPTTL key FIELDS n field...` (Redis 7.4+): the time each field has
    /// left, in milliseconds, in order.
    fn hpttl(key: impl ToArgs, fields: impl ToArgs) -> Vec<Ttl> {
        counted_args(Cmd::new("HPTTL").arg(key).arg("FIELDS"), fields)
    }

    /// `HEXPIRETIME key FIELDS n field...` (Redis 7.4+): when each field
    /// expires, in whole seconds, in order.
    fn hexpiretime(key: impl ToArgs, fields: impl ToArgs) -> Vec<ExpireTime<1000>> {
        counted_args(Cmd::new("HEXPIRETIME").arg(key).arg("FIELDS"), fields)
    }

    /// `HPEXPIRETIME key FIELDS n field...` (Redis 7.4+): when each field
    /// expires, in milliseconds, in order.
    fn hpexpiretime(key: impl ToArgs, fields: impl ToArgs) -> Vec<ExpireTime> {
        counted_args(Cmd::new("HPEXPIRETIME").arg(key).arg("FIELDS"), fields)
    }

    /// `HPERSIST key FIELDS n field...` (Redis 7.4+): removes the fields'
    /// expiry; one outcome per field, in order.
    fn hpersist(key: impl ToArgs, fields: impl ToArgs) -> Vec<FieldPersistOutcome> {
        counted_args(Cmd::new("HPERSIST").arg(key).arg("FIELDS"), fields)
    }

    /// `HGETEX key EX|PX|EXAT|PXAT|PERSIST FIELDS n field...` (Redis 8.0+):
    /// the fields' values (`None` for a missing one), in order, and sets or
    /// removes their expiry. Without an expiry option it would be HMGET.
    fn hgetex<T: FromValue>(
        key: impl ToArgs,
        expiry: FieldGetExpiry,
        fields: impl ToArgs,
    ) -> Vec<Option<T>> {
        counted_args(Cmd::new("HGETEX").arg(key).arg(expiry).arg("FIELDS"), fields)
    }

    /// `HGETDEL key FIELDS n field...` (Redis 8.0+): the fields' values
    /// (`None` for a missing one), in order, and deletes the fields (the key
    /// too when no field is left).
    fn hgetdel<T: FromValue>(key: impl ToArgs, fields: impl ToArgs) -> Vec<Option<T>> {
        counted_args(Cmd::new("HGETDEL").arg(key).arg("FIELDS"), fields)
    }

    /// `HSETEX key PX ttl FIELDS n field value...` (Redis 8.0+): sets the
    /// fields and their expiry (millisecond precision) at once. Always true
    /// (see [`hsetex_with`] for conditions).
    fn hsetex(
        key: impl ToArgs,
        ttl: Duration,
        fields: impl FieldValues,
    ) -> bool {
        let cmd = Cmd::new("HSETEX").arg(key).arg("PX").arg(millis(ttl));
        pairs(cmd.arg("FIELDS").arg(fields.pair_count()), fields)
    }

    /// `HSETEX key [FNX|FXX] [PX|PXAT|KEEPTTL] FIELDS n field value...`
    /// (Redis 8.0+): true if the fields were set, false if `options`'
    /// condition failed (then none was). Without an expiry option the
    /// fields' expiry is removed.
    fn hsetex_with(
        key: impl ToArgs,
        options: HsetexOptions,
        fields: impl FieldValues,
    ) -> bool {
        let cmd = Cmd::new("HSETEX").arg(key).arg(options);
        pairs(cmd.arg("FIELDS").arg(fields.pair_count()), fields)
    }
}

/// Field/value pairs, as HSET, HMSET and HSETEX take them: a slice, array
/// or `Vec` of `(field, value)` tuples, or a map, by value or by reference.
///
/// Each field and each value must be one argument: a pair whose value is
/// `None` (which writes nothing) or a slice makes the command fail with
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when sent,
/// instead of shifting every later value onto the wrong field.
///
/// ```
/// use std::collections::BTreeMap;
/// use redis_core::commands;
/// let map = BTreeMap::from([("lang", "en"), ("name", "Ada")]);
/// let from_map = commands::hset("user:1", &map);
/// let from_array = commands::hset("user:1", [("lang", "en"), ("name", "Ada")]);
/// assert_eq!(from_map.cmd(), from_array.cmd());
/// ```
pub trait FieldValues {
    /// The number of pairs.
    fn pair_count(&self) -> usize;

    /// Calls `write` with each field and its value, in order.
    fn each_pair(&self, write: &mut dyn FnMut(&dyn ToArgs, &dyn ToArgs));
}

impl<F: ToArgs, V: ToArgs> FieldValues for [(F, V)] {
    fn pair_count(&self) -> usize {
        self.len()
    }

    fn each_pair(&self, write: &mut dyn FnMut(&dyn ToArgs, &dyn ToArgs)) {
        self.iter().for_each(|(field, value)| write(field, value));
    }
}

impl<F: ToArgs, V: ToArgs, const N: usize> FieldValues for [(F, V); N] {
    fn pair_count(&self) -> usize {
        N
    }

    fn each_pair(&self, write: &mut dyn FnMut(&dyn ToArgs, &dyn ToArgs)) {
        self[..].each_pair(write);
    }
}

impl<F: ToArgs, V: ToArgs> FieldValues for Vec<(F, V)> {
    fn pair_count(&self) -> usize {
        self.len()
    }

    fn each_pair(&self, write: &mut dyn FnMut(&dyn ToArgs, &dyn ToArgs)) {
        self[..].each_pair(write);
    }
}

impl<F: ToArgs, V: ToArgs, S> FieldValues for std::collections::HashMap<F, V, S> {
    fn pair_count(&self) -> usize {
        self.len()
    }

    fn each_pair(&self, write: &mut dyn FnMut(&dyn ToArgs, &dyn ToArgs)) {
        self.iter().for_each(|(field, value)| write(field, value));
    }
}

impl<F: ToArgs, V: ToArgs> FieldValues for std::collections::BTreeMap<F, V> {
    fn pair_count(&self) -> usize {
        self.len()
    }

    fn each_pair(&self, write: &mut dyn FnMut(&dyn ToArgs, &dyn ToArgs)) {
        self.iter().for_each(|(field, value)| write(field, value));
    }
}

/// Pairs of different types (a vector's bytes beside a text field), as a
/// tuple of pairs.
macro_rules! tuple_field_values {
    ($($f:ident $v:ident $i:tt)+) => {
        impl<$($f: ToArgs, $v: ToArgs),+> FieldValues for ($(($f, $v),)+) {
            fn pair_count(&self) -> usize {
                [$(stringify!($i)),+].len()
            }

            fn each_pair(&self, write: &mut dyn FnMut(&dyn ToArgs, &dyn ToArgs)) {
                $(write(&self.$i.0, &self.$i.1);)+
            }
        }
    };
}

tuple_field_values!(F0 V0 0);
tuple_field_values!(F0 V0 0 F1 V1 1);
tuple_field_values!(F0 V0 0 F1 V1 1 F2 V2 2);
tuple_field_values!(F0 V0 0 F1 V1 1 F2 V2 2 F3 V3 3);
tuple_field_values!(F0 V0 0 F1 V1 1 F2 V2 2 F3 V3 3 F4 V4 4);
tuple_field_values!(F0 V0 0 F1 V1 1 F2 V2 2 F3 V3 3 F4 V4 4 F5 V5 5);
tuple_field_values!(F0 V0 0 F1 V1 1 F2 V2 2 F3 V3 3 F4 V4 4 F5 V5 5 F6 V6 6);
tuple_field_values!(F0 V0 0 F1 V1 1 F2 V2 2 F3 V3 3 F4 V4 4 F5 V5 5 F6 V6 6 F7 V7 7);

impl<T: FieldValues + ?Sized> FieldValues for &T {
    fn pair_count(&self) -> usize {
        (**self).pair_count()
    }

    fn each_pair(&self, write: &mut dyn FnMut(&dyn ToArgs, &dyn ToArgs)) {
        (**self).each_pair(write);
    }
}

/// Appends field/value pairs, checking that each wrote exactly one field and
/// one value.
fn pairs(mut cmd: Cmd, fields: impl FieldValues) -> Cmd {
    fields.each_pair(&mut |field, value| {
        for part in [field, value] {
            let before = cmd.arg_count();
            cmd.push_arg(part);
            if cmd.arg_count() != before + 1 {
                cmd.refuse(crate::cmd::Defect::Unpaired);
            }
        }
    });
    cmd
}

/// Appends `items` preceded by their count (the `numfields` of `FIELDS n
/// field...`, the `numkeys` of LMPOP and SINTERCARD): the number of
/// arguments they write, so any [`ToArgs`] (one field, a slice, a `Vec`)
/// is counted right.
pub(super) fn counted_args(mut cmd: Cmd, items: impl ToArgs) -> Cmd {
    let mut scratch = Cmd::scratch();
    scratch.push_arg(items);
    cmd.push_arg(scratch.arg_count());
    cmd.extend_from(&scratch);
    cmd
}

/// The time since the Unix epoch; a time before it is the epoch (long past).
fn since_epoch(at: SystemTime) -> Duration {
    at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO)
}

/// The condition of HEXPIRE and its siblings: which fields get the new
/// expiry, judged by the expiry each one has now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldExpireCondition {
    /// `NX`: only fields that have no expiry.
    Nx,
    /// `XX`: only fields that have an expiry.
    Xx,
    /// `GT`: only where the new expiry is later than the current one (a
    /// field without expiry counts as never expiring, so it is skipped).
    Gt,
    /// `LT`: only where the new expiry is earlier than the current one (a
    /// field without expiry counts as never expiring, so it is set).
    Lt,
}

impl ToArgs for FieldExpireCondition {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            FieldExpireCondition::Nx => b"NX",
            FieldExpireCondition::Xx => b"XX",
            FieldExpireCondition::Gt => b"GT",
            FieldExpireCondition::Lt => b"LT",
        });
    }
}

/// What HEXPIRE (and HPEXPIRE, HEXPIREAT, HPEXPIREAT) did to one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldExpireOutcome {
    /// The field (or the whole key) does not exist (`-2`).
    Missing,
    /// The condition was not met; the expiry is unchanged (`0`).
    ConditionNotMet,
    /// The expiry was set (`1`).
    Set,
    /// The expiry was zero or in the past, so the field was deleted (`2`).
    Deleted,
}

impl FromValue for FieldExpireOutcome {
    fn from_value(value: Value) -> Result<Self> {
        match i64::from_value(value)? {
            -2 => Ok(FieldExpireOutcome::Missing),
            0 => Ok(FieldExpireOutcome::ConditionNotMet),
            1 => Ok(FieldExpireOutcome::Set),
            2 => Ok(FieldExpireOutcome::Deleted),
            n => Err(Error::protocol(format!("HEXPIRE replied {n} for a field"))),
        }
    }
}

/// What HPERSIST did to one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldPersistOutcome {
    /// The field (or the whole key) does not exist (`-2`).
    Missing,
    /// The field had no expiry (`-1`).
    NoExpiry,
    /// The field's expiry was removed (`1`).
    Removed,
}

impl FromValue for FieldPersistOutcome {
    fn from_value(value: Value) -> Result<Self> {
        match i64::from_value(value)? {
            -2 => Ok(FieldPersistOutcome::Missing),
            -1 => Ok(FieldPersistOutcome::NoExpiry),
            1 => Ok(FieldPersistOutcome::Removed),
            n => Err(Error::protocol(format!("HPERSIST replied {n} for a field"))),
        }
    }
}

/// What HGETEX does to the expiry of the fields it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldGetExpiry {
    /// `PX`: the fields expire after this long (millisecond precision; zero
    /// deletes them once read).
    #[doc(alias = "PX", alias = "EX")]
    In(Duration),
    /// `PXAT`: the fields expire at this time (a time in the past deletes
    /// them once read).
    #[doc(alias = "PXAT", alias = "EXAT")]
    At(SystemTime),
    /// `PERSIST`: the fields' expiry is removed.
    Persist,
}

impl ToArgs for FieldGetExpiry {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            FieldGetExpiry::In(ttl) => cmd.push_arg("PX").push_arg(millis(*ttl)),
            FieldGetExpiry::At(at) => cmd.push_arg("PXAT").push_arg(unix_millis(*at)),
            FieldGetExpiry::Persist => cmd.push_arg("PERSIST"),
        };
    }
}

/// The expiry HSETEX gives the fields it sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldSetExpiry {
    /// `PX`: the fields expire after this long (millisecond precision).
    #[doc(alias = "PX", alias = "EX")]
    In(Duration),
    /// `PXAT`: the fields expire at this time.
    #[doc(alias = "PXAT", alias = "EXAT")]
    At(SystemTime),
    /// `KEEPTTL`: each field keeps the expiry it had.
    KeepTtl,
}

impl ToArgs for FieldSetExpiry {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            FieldSetExpiry::In(ttl) => cmd.push_arg("PX").push_arg(millis(*ttl)),
            FieldSetExpiry::At(at) => cmd.push_arg("PXAT").push_arg(unix_millis(*at)),
            FieldSetExpiry::KeepTtl => cmd.push_arg("KEEPTTL"),
        };
    }
}

/// The condition of HSETEX, on all the fields at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldSetCondition {
    /// `FNX`: set only if none of the fields exists.
    #[doc(alias = "FNX")]
    NoneExist,
    /// `FXX`: set only if all of the fields exist.
    #[doc(alias = "FXX")]
    AllExist,
}

impl ToArgs for FieldSetCondition {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            FieldSetCondition::NoneExist => b"FNX",
            FieldSetCondition::AllExist => b"FXX",
        });
    }
}

/// The options of HSETEX: a condition on the fields and their expiry.
///
/// ```
/// use std::time::Duration;
/// use redis_core::commands::{self, HsetexOptions};
/// let options = HsetexOptions::new()
///     .only_if_none_exist()
///     .expire_in(Duration::from_secs(30));
/// let hsetex = commands::hsetex_with("user:1", options, &[("session", "x1")]);
/// let args: Vec<&[u8]> = hsetex.cmd().args().collect();
/// assert_eq!(
///     args,
///     [&b"HSETEX"[..], b"user:1", b"FNX", b"PX", b"30000", b"FIELDS", b"1", b"session", b"x1"]
/// );
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct HsetexOptions {
    condition: Option<FieldSetCondition>,
    expiry: Option<FieldSetExpiry>,
}

impl HsetexOptions {
    /// No condition, and the fields' expiry is removed.
    pub fn new() -> Self {
        HsetexOptions::default()
    }

    /// Sets the fields only if none of them exists (`FNX`).
    pub fn only_if_none_exist(mut self) -> Self {
        self.condition = Some(FieldSetCondition::NoneExist);
        self
    }

    /// Sets the fields only if all of them exist (`FXX`).
    pub fn only_if_all_exist(mut self) -> Self {
        self.condition = Some(FieldSetCondition::AllExist);
        self
    }

    /// The fields expire after `ttl` (`PX`).
    pub fn expire_in(mut self, ttl: Duration) -> Self {
        self.expiry = Some(FieldSetExpiry::In(ttl));
        self
    }

    /// The fields expire at `at` (`PXAT`).
    pub fn expire_at(mut self, at: SystemTime) -> Self {
        self.expiry = Some(FieldSetExpiry::At(at));
        self
    }

    /// Each field keeps the expiry it had (`KEEPTTL`).
    #[doc(alias = "KEEPTTL")]
    pub fn keep_ttl(mut self) -> Self {
        self.expiry = Some(FieldSetExpiry::KeepTtl);
        self
    }
}

impl ToArgs for HsetexOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(self.condition).push_arg(self.expiry);
    }
}

#[cfg(test)]
mod tests {
    use crate::ErrorKind;
    use crate::commands;

    #[test]
    fn a_pair_without_its_value_is_refused_instead_of_shifting_the_rest() {
        let shifted = commands::hset("h", [("a", None), ("b", Some("x"))]);
        let error = shifted.cmd().refusal().expect("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            error
                .to_string()
                .contains("one field and one value per pair")
        );
        let paired = commands::hset("h", [("a", Some("1")), ("b", Some("x"))]);
        assert!(paired.cmd().refusal().is_none());
        let args: Vec<&[u8]> = paired.cmd().args().collect();
        assert_eq!(args, [&b"HSET"[..], b"h", b"a", b"1", b"b", b"x"]);
    }
}
