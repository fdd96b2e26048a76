//! Set commands.

use super::hashes::counted_args;
use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

define_commands! {
    /// SADD, SMEMBERS, SINTER and friends.
    ///
    /// Commands that reply with a set convert into the collection asked for
    /// (`HashSet<T>`, `BTreeSet<T>`, `Vec<T>`), the same from RESP3 sets and
    /// RESP2 arrays.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use std::collections::HashSet;
    /// use redis_core::prelude::*;
    /// client.sadd("tags:1", &["rust", "redis"]).await?;
    /// client.sadd("tags:2", &["rust", "tokio"]).await?;
    /// let both: HashSet<String> = client.sinter(&["tags:1", "tags:2"]).await?;
    /// assert!(both.contains("rust"));
    /// let known = client.smismember("tags:1", &["rust", "go"]).await?;
    /// assert_eq!(known, [true, false]);
    /// # Ok(()) }
    /// ```
    pub trait SetCommands;

    /// `SADD key member...`: how many members were added (not counting those
    /// already there).
    fn sadd(key: impl ToArgs, members: impl ToArgs) -> u64 {
        Cmd::new("SADD").arg(key).arg(members)
    }

    /// `SREM key member...`: how many members were removed.
    fn srem(key: impl ToArgs, members: impl ToArgs) -> u64 {
        Cmd::new("SREM").arg(key).arg(members)
    }

    /// `SCARD key`: the number of members (0 for a missing key).
    fn scard(key: impl ToArgs) -> u64 {
        Cmd::new("SCARD").arg(key)
    }

    /// `SMEMBERS key`: all members, into a `HashSet`, `BTreeSet` or `Vec`
    /// (empty for a missing key).
    fn smembers<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("SMEMBERS").arg(key)
    }

    /// `SISMEMBER key member`: true if `member` is in the set.
    fn sismember(key: impl ToArgs, member: impl ToArgs) -> bool {
        Cmd::new("SISMEMBER").arg(key).arg(member)
    }

    /// `SMISMEMBER key member...`: for each member, in order, whether it is
    /// in the set.
    fn smismember(key: impl ToArgs, members: impl ToArgs) -> Vec<bool> {
        Cmd::new("SMISMEMBER").arg(key).arg(members)
    }

    /// `SMOVE source destination member`: moves `member` from one set to the
    /// other; false if it was not in `source`.
    fn smove(source: impl ToArgs, destination: impl ToArgs, member: impl ToArgs) -> bool {
        Cmd::new("SMOVE").arg(source).arg(destination).arg(member)
    }

    /// `SPOP key`: removes and returns a random member; ask for `Option<T>`,
    /// since an empty set replies nil.
    fn spop<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("SPOP").arg(key)
    }

    /// `SPOP key count`: removes and returns up to `count` distinct random
    /// members, into a `HashSet`, `BTreeSet` or `Vec` (empty for a missing
    /// key).
    #[doc(alias = "COUNT")]
    fn spop_count<T: FromValue>(key: impl ToArgs, count: u64) -> T {
        Cmd::new("SPOP").arg(key).arg(count)
    }

    /// `SRANDMEMBER key`: a random member, left in place; ask for
    /// `Option<T>`, since an empty set replies nil.
    fn srandmember<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("SRANDMEMBER").arg(key)
    }

    /// `SRANDMEMBER key count`: random members, left in place. A positive
    /// `count` gives up to `count` distinct members; a negative one gives
    /// exactly `-count` members, which may repeat. Empty for a missing key.
    #[doc(alias = "COUNT")]
    fn srandmember_count<T: FromValue>(key: impl ToArgs, count: i64) -> Vec<T> {
        Cmd::new("SRANDMEMBER").arg(key).arg(count)
    }

    /// `SDIFF key...`: the members of the first set that are in none of the
    /// others, into a `HashSet`, `BTreeSet` or `Vec`.
    fn sdiff<T: FromValue>(keys: impl ToArgs) -> T {
        Cmd::new("SDIFF").arg(keys)
    }

    /// `SINTER key...`: the members in all of the sets, into a `HashSet`,
    /// `BTreeSet` or `Vec` (a missing key is an empty set, so empty).
    fn sinter<T: FromValue>(keys: impl ToArgs) -> T {
        Cmd::new("SINTER").arg(keys)
    }

    /// `SUNION key...`: the members in any of the sets, into a `HashSet`,
    /// `BTreeSet` or `Vec`.
    fn sunion<T: FromValue>(keys: impl ToArgs) -> T {
        Cmd::new("SUNION").arg(keys)
    }

    /// `SDIFFSTORE destination key...`: stores [`sdiff`] in `destination`
    /// (replacing it); the size of the result.
    fn sdiffstore(destination: impl ToArgs, keys: impl ToArgs) -> u64 {
        Cmd::new("SDIFFSTORE").arg(destination).arg(keys)
    }

    /// `SINTERSTORE destination key...`: stores [`sinter`] in `destination`
    /// (replacing it); the size of the result.
    fn sinterstore(destination: impl ToArgs, keys: impl ToArgs) -> u64 {
        Cmd::new("SINTERSTORE").arg(destination).arg(keys)
    }

    /// `SUNIONSTORE destination key...`: stores [`sunion`] in `destination`
    /// (replacing it); the size of the result.
    fn sunionstore(destination: impl ToArgs, keys: impl ToArgs) -> u64 {
        Cmd::new("SUNIONSTORE").arg(destination).arg(keys)
    }

    /// `SINTERCARD numkeys key...` (Redis 7.0+): the size of [`sinter`],
    /// without building it.
    fn sintercard(keys: impl ToArgs) -> u64 {
        counted_args(Cmd::new("SINTERCARD"), keys)
    }

    /// `SINTERCARD numkeys key... LIMIT limit` (Redis 7.0+): [`sintercard`],
    /// stopping once it reaches `limit` (0 means no limit), which is cheaper
    /// when only "at least `limit`" matters.
    #[doc(alias = "LIMIT")]
    fn sintercard_limit(keys: impl ToArgs, limit: u64) -> u64 {
        counted_args(Cmd::new("SINTERCARD"), keys).arg("LIMIT").arg(limit)
    }
}
