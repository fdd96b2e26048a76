//! Sorted set commands.
//!
//! Ranges of members are typed: [`ScoreRange`] and [`LexRange`] come from
//! Rust ranges (`1.0..=2.0`, `"a".."c"`), and [`ZRange`] is what `ZRANGE`
//! selects. The commands Redis deprecated in favour of `ZRANGE`
//! (`ZRANGEBYSCORE`, `ZRANGEBYLEX`, `ZREVRANGE`, `ZREVRANGEBYSCORE`,
//! `ZREVRANGEBYLEX`) have no function of their own: they are
//! [`zrange`] with [`ZRange::score`], [`ZRange::lex`] and [`ZRange::rev`].

use std::time::Duration;

use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

mod options;
mod range;

use options::push_counted;
pub use options::{MinMax, ZAddCondition, ZAddOptions, ZAggregate, ZSets};
pub use range::{ByLex, ByRank, ByScore, LexRange, ScoreRange, ZRange, ZRangeBy, ZRangeByScored};

define_commands! {
    /// ZADD, ZRANGE, ZSCORE, ZPOPMIN, ZUNION and friends.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::commands::ZRange;
    /// use redis_core::prelude::*;
    /// client.zadd("board", &[(120.0, "ada"), (95.5, "grace"), (130.0, "alan")]).await?;
    /// let top: Vec<(String, f64)> = client.zrange_withscores("board", ZRange::rank(0, 1).rev()).await?;
    /// assert_eq!(top, [("alan".to_owned(), 130.0), ("ada".to_owned(), 120.0)]);
    /// let above_100: u64 = client.zcount("board", 100.0..).await?;
    /// let score: Option<f64> = client.zscore("board", "grace").await?;
    /// # let _ = (above_100, score); Ok(()) }
    /// ```
    pub trait SortedSetCommands;

    /// `ZADD key score member [score member ...]`: adds the members, or sets
    /// the score of those already there; `members` are `(score, member)`
    /// pairs. Returns how many members were added.
    fn zadd<M: ToArgs>(key: impl ToArgs, members: &[(f64, M)]) -> u64 {
        Cmd::new("ZADD").arg(key).arg(members)
    }

    /// `ZADD key [NX|XX] [GT|LT] [CH] score member ...`: [`zadd`] under a
    /// [`ZAddCondition`]; returns how many members were added, or with
    /// [`ZAddOptions::changed`] how many were added or given a new score.
    fn zadd_with<M: ToArgs>(
        key: impl ToArgs,
        members: &[(f64, M)],
        options: impl Into<ZAddOptions>,
    ) -> u64 {
        Cmd::new("ZADD").arg(key).arg(options.into()).arg(members)
    }

    /// `ZADD key NX|XX|GT|LT... INCR increment member`: adds `increment` to
    /// the member's score (a new member starts at 0) if `condition` allows;
    /// the new score, or `None` when the condition prevented the change.
    /// Without a condition, this is [`zincrby`].
    #[doc(alias = "INCR")]
    fn zadd_incr(
        key: impl ToArgs,
        condition: ZAddCondition,
        increment: f64,
        member: impl ToArgs,
    ) -> Option<f64> {
        Cmd::new("ZADD")
            .arg(key)
            .arg(condition)
            .arg("INCR")
            .arg(increment)
            .arg(member)
    }

    /// `ZINCRBY key increment member`: adds `increment` to the member's score
    /// (a new member starts at 0); the new score.
    fn zincrby(key: impl ToArgs, increment: f64, member: impl ToArgs) -> f64 {
        Cmd::new("ZINCRBY").arg(key).arg(increment).arg(member)
    }

    /// `ZREM key member...`: how many of the members were removed.
    fn zrem(key: impl ToArgs, members: impl ToArgs) -> u64 {
        Cmd::new("ZREM").arg(key).arg(members)
    }

    /// `ZCARD key`: the number of members (0 for a missing key).
    fn zcard(key: impl ToArgs) -> u64 {
        Cmd::new("ZCARD").arg(key)
    }

    /// `ZCOUNT key min max`: how many members have a score in `range`.
    fn zcount(key: impl ToArgs, range: impl Into<ScoreRange>) -> u64 {
        Cmd::new("ZCOUNT").arg(key).arg(range.into())
    }

    /// `ZLEXCOUNT key min max`: how many members are in the lex `range`.
    fn zlexcount(key: impl ToArgs, range: impl Into<LexRange>) -> u64 {
        Cmd::new("ZLEXCOUNT").arg(key).arg(range.into())
    }

    /// `ZSCORE key member`: the member's score, `None` if it is not there.
    fn zscore(key: impl ToArgs, member: impl ToArgs) -> Option<f64> {
        Cmd::new("ZSCORE").arg(key).arg(member)
    }

    /// `ZMSCORE key member...`: each member's score, in order, `None` for
    /// those not there.
    fn zmscore(key: impl ToArgs, members: impl ToArgs) -> Vec<Option<f64>> {
        Cmd::new("ZMSCORE").arg(key).arg(members)
    }

    /// `ZRANK key member`: the member's 0-based rank by ascending score,
    /// `None` if it is not there.
    fn zrank(key: impl ToArgs, member: impl ToArgs) -> Option<u64> {
        Cmd::new("ZRANK").arg(key).arg(member)
    }

    /// `ZRANK key member WITHSCORE` (Redis 7.2): the member's rank and score.
    #[doc(alias = "WITHSCORE")]
    fn zrank_withscore(key: impl ToArgs, member: impl ToArgs) -> Option<(u64, f64)> {
        Cmd::new("ZRANK").arg(key).arg(member).arg("WITHSCORE")
    }

    /// `ZREVRANK key member`: the member's 0-based rank by descending score,
    /// `None` if it is not there.
    fn zrevrank(key: impl ToArgs, member: impl ToArgs) -> Option<u64> {
        Cmd::new("ZREVRANK").arg(key).arg(member)
    }

    /// `ZREVRANK key member WITHSCORE` (Redis 7.2): the member's descending
    /// rank and its score.
    #[doc(alias = "WITHSCORE")]
    fn zrevrank_withscore(key: impl ToArgs, member: impl ToArgs) -> Option<(u64, f64)> {
        Cmd::new("ZREVRANK").arg(key).arg(member).arg("WITHSCORE")
    }

    /// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]`:
    /// the members `range` selects, in its order.
    fn zrange<T: FromValue>(key: impl ToArgs, range: ZRange<impl ZRangeBy>) -> Vec<T> {
        Cmd::new("ZRANGE").arg(key).arg(range)
    }

    /// `ZRANGE ... WITHSCORES`: the members `range` selects with their
    /// scores, in its order. Lex ranges do not compile here: Redis refuses
    /// `WITHSCORES` with `BYLEX`.
    #[doc(alias = "WITHSCORES")]
    fn zrange_withscores<T: FromValue>(
        key: impl ToArgs,
        range: ZRange<impl ZRangeByScored>,
    ) -> Vec<(T, f64)> {
        Cmd::new("ZRANGE").arg(key).arg(range).arg("WITHSCORES")
    }

    /// `ZRANGESTORE destination source start stop [BYSCORE|BYLEX] [REV]
    /// [LIMIT ...]`: stores the members `range` selects from `source` (with
    /// their scores) as `destination`, replacing it; how many were stored.
    fn zrangestore(
        destination: impl ToArgs,
        source: impl ToArgs,
        range: ZRange<impl ZRangeBy>,
    ) -> u64 {
        Cmd::new("ZRANGESTORE").arg(destination).arg(source).arg(range)
    }

    /// `ZREMRANGEBYRANK key start stop`: removes the members ranked `start`
    /// to `stop` (inclusive, negative from the end); how many were removed.
    fn zremrangebyrank(key: impl ToArgs, start: i64, stop: i64) -> u64 {
        Cmd::new("ZREMRANGEBYRANK").arg(key).arg(start).arg(stop)
    }

    /// `ZREMRANGEBYSCORE key min max`: removes the members with a score in
    /// `range`; how many were removed.
    fn zremrangebyscore(key: impl ToArgs, range: impl Into<ScoreRange>) -> u64 {
        Cmd::new("ZREMRANGEBYSCORE").arg(key).arg(range.into())
    }

    /// `ZREMRANGEBYLEX key min max`: removes the members in the lex `range`;
    /// how many were removed.
    fn zremrangebylex(key: impl ToArgs, range: impl Into<LexRange>) -> u64 {
        Cmd::new("ZREMRANGEBYLEX").arg(key).arg(range.into())
    }

    /// `ZRANDMEMBER key`: a random member, `None` for a missing key.
    fn zrandmember<T: FromValue>(key: impl ToArgs) -> Option<T> {
        Cmd::new("ZRANDMEMBER").arg(key)
    }

    /// `ZRANDMEMBER key count`: up to `count` distinct random members, or
    /// with a negative `count` exactly `-count` members, maybe repeated.
    #[doc(alias = "COUNT")]
    fn zrandmember_count<T: FromValue>(key: impl ToArgs, count: i64) -> Vec<T> {
        Cmd::new("ZRANDMEMBER").arg(key).arg(count)
    }

    /// `ZRANDMEMBER key count WITHSCORES`: as [`zrandmember_count`], with
    /// each member's score.
    #[doc(alias = "WITHSCORES")]
    fn zrandmember_withscores<T: FromValue>(key: impl ToArgs, count: i64) -> Vec<(T, f64)> {
        Cmd::new("ZRANDMEMBER").arg(key).arg(count).arg("WITHSCORES")
    }

    /// `ZPOPMIN key count`: removes and returns up to `count` members with
    /// the lowest scores, lowest first (empty for a missing key).
    fn zpopmin<T: FromValue>(key: impl ToArgs, count: u64) -> Vec<(T, f64)> {
        Cmd::new("ZPOPMIN").arg(key).arg(count)
    }

    /// `ZPOPMAX key count`: removes and returns up to `count` members with
    /// the highest scores, highest first (empty for a missing key).
    fn zpopmax<T: FromValue>(key: impl ToArgs, count: u64) -> Vec<(T, f64)> {
        Cmd::new("ZPOPMAX").arg(key).arg(count)
    }

    /// `BZPOPMIN key... timeout`: pops the lowest-scored member of the first
    /// non-empty set, waiting up to `timeout` (zero waits forever) for one;
    /// `(key, member, score)`, or `None` when the time ran out. On a
    /// [`crate::Client`] it runs on a pooled exclusive connection.
    fn bzpopmin<T: FromValue>(keys: impl ToArgs, timeout: Duration) -> Option<(String, T, f64)> {
        Cmd::new("BZPOPMIN").arg(keys).arg(timeout.as_secs_f64())
    }

    /// `BZPOPMAX key... timeout`: as [`bzpopmin`], for the highest score.
    fn bzpopmax<T: FromValue>(keys: impl ToArgs, timeout: Duration) -> Option<(String, T, f64)> {
        Cmd::new("BZPOPMAX").arg(keys).arg(timeout.as_secs_f64())
    }

    /// `ZMPOP numkeys key... MIN|MAX COUNT count` (Redis 7): pops up to
    /// `count` members from the first non-empty set, from the `end` given;
    /// `(key, [(member, score)...])`, or `None` when every set is empty.
    fn zmpop<T: FromValue>(
        keys: impl ToArgs,
        end: MinMax,
        count: u64,
    ) -> Option<(String, Vec<(T, f64)>)> {
        let mut cmd = Cmd::new("ZMPOP");
        push_counted(&mut cmd, keys);
        cmd.arg(end).arg("COUNT").arg(count)
    }

    /// `BZMPOP timeout numkeys key... MIN|MAX COUNT count` (Redis 7): as
    /// [`zmpop`], waiting up to `timeout` (zero waits forever) for a member;
    /// `None` when the time ran out.
    fn bzmpop<T: FromValue>(
        timeout: Duration,
        keys: impl ToArgs,
        end: MinMax,
        count: u64,
    ) -> Option<(String, Vec<(T, f64)>)> {
        let mut cmd = Cmd::new("BZMPOP").arg(timeout.as_secs_f64());
        push_counted(&mut cmd, keys);
        cmd.arg(end).arg("COUNT").arg(count)
    }

    /// `ZUNION numkeys key... [WEIGHTS ...] [AGGREGATE ...]`: the members of
    /// any of the sets, by ascending combined score.
    fn zunion<T: FromValue>(sets: impl Into<ZSets>) -> Vec<T> {
        let mut cmd = Cmd::new("ZUNION");
        sets.into().write(&mut cmd);
        cmd
    }

    /// `ZUNION ... WITHSCORES`: as [`zunion`], with the combined scores.
    #[doc(alias = "WITHSCORES")]
    fn zunion_withscores<T: FromValue>(sets: impl Into<ZSets>) -> Vec<(T, f64)> {
        let mut cmd = Cmd::new("ZUNION");
        sets.into().write(&mut cmd);
        cmd.arg("WITHSCORES")
    }

    /// `ZUNIONSTORE destination numkeys key... [WEIGHTS ...] [AGGREGATE ...]`:
    /// stores the union as `destination`, replacing it; its size.
    fn zunionstore(destination: impl ToArgs, sets: impl Into<ZSets>) -> u64 {
        let mut cmd = Cmd::new("ZUNIONSTORE").arg(destination);
        sets.into().write(&mut cmd);
        cmd
    }

    /// `ZINTER numkeys key... [WEIGHTS ...] [AGGREGATE ...]`: the members of
    /// every one of the sets, by ascending combined score.
    fn zinter<T: FromValue>(sets: impl Into<ZSets>) -> Vec<T> {
        let mut cmd = Cmd::new("ZINTER");
        sets.into().write(&mut cmd);
        cmd
    }

    /// `ZINTER ... WITHSCORES`: as [`zinter`], with the combined scores.
    #[doc(alias = "WITHSCORES")]
    fn zinter_withscores<T: FromValue>(sets: impl Into<ZSets>) -> Vec<(T, f64)> {
        let mut cmd = Cmd::new("ZINTER");
        sets.into().write(&mut cmd);
        cmd.arg("WITHSCORES")
    }

    /// `ZINTERSTORE destination numkeys key... [WEIGHTS ...] [AGGREGATE ...]`:
    /// stores the intersection as `destination`, replacing it; its size.
    fn zinterstore(destination: impl ToArgs, sets: impl Into<ZSets>) -> u64 {
        let mut cmd = Cmd::new("ZINTERSTORE").arg(destination);
        sets.into().write(&mut cmd);
        cmd
    }

    /// `ZINTERCARD numkeys key...` (Redis 7): the size of the intersection.
    fn zintercard(keys: impl ToArgs) -> u64 {
        let mut cmd = Cmd::new("ZINTERCARD");
        push_counted(&mut cmd, keys);
        cmd
    }

    /// `ZINTERCARD numkeys key... LIMIT limit` (Redis 7): the size of the
    /// intersection, counting stops at `limit` (0: no limit).
    #[doc(alias = "LIMIT")]
    fn zintercard_limit(keys: impl ToArgs, limit: u64) -> u64 {
        let mut cmd = Cmd::new("ZINTERCARD");
        push_counted(&mut cmd, keys);
        cmd.arg("LIMIT").arg(limit)
    }

    /// `ZDIFF numkeys key...`: the members of the first set that are in none
    /// of the others, by ascending score.
    fn zdiff<T: FromValue>(keys: impl ToArgs) -> Vec<T> {
        let mut cmd = Cmd::new("ZDIFF");
        push_counted(&mut cmd, keys);
        cmd
    }

    /// `ZDIFF numkeys key... WITHSCORES`: as [`zdiff`], with the scores the
    /// members have in the first set.
    #[doc(alias = "WITHSCORES")]
    fn zdiff_withscores<T: FromValue>(keys: impl ToArgs) -> Vec<(T, f64)> {
        let mut cmd = Cmd::new("ZDIFF");
        push_counted(&mut cmd, keys);
        cmd.arg("WITHSCORES")
    }

    /// `ZDIFFSTORE destination numkeys key...`: stores the difference as
    /// `destination`, replacing it; its size.
    fn zdiffstore(destination: impl ToArgs, keys: impl ToArgs) -> u64 {
        let mut cmd = Cmd::new("ZDIFFSTORE").arg(destination);
        push_counted(&mut cmd, keys);
        cmd
    }
}
