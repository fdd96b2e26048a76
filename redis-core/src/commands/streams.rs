//! Stream commands.
//!
//! The commands are here; their option types are in `stream_options.rs`,
//! the ids, entries and pending entries they reply in `stream_replies.rs`,
//! and the XINFO structs in `stream_info.rs`.

use std::time::Duration;

use crate::Cmd;
use crate::commands::durations::millis;
use crate::convert::{FromValue, ToArgs};

#[path = "stream_info.rs"]
mod info;
#[path = "stream_options.rs"]
mod options;
#[path = "stream_replies.rs"]
mod replies;

pub use info::*;
pub use options::*;
pub use replies::*;

define_commands! {
    /// XADD, XREAD, XREADGROUP, consumer groups and the rest of the stream commands.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use std::collections::HashMap;
    /// use std::time::Duration;
    /// use redis_core::commands::{GroupReadFrom, GroupStart, StreamEntries, StreamId, XReadGroupOptions};
    /// use redis_core::prelude::*;
    /// let id = client.xadd("events", &[("kind", "login"), ("user", "ada")]).await?;
    /// client.xgroup_create("events", "mailer", GroupStart::After(StreamId::ZERO)).await?;
    /// let read: Vec<StreamEntries<HashMap<String, String>>> = client
    ///     .xreadgroup_with(
    ///         "mailer",
    ///         "worker-1",
    ///         &[("events", GroupReadFrom::Undelivered)],
    ///         XReadGroupOptions::new().count(10).block(Duration::from_secs(1)),
    ///     )
    ///     .await?;
    /// for entry in read.iter().flat_map(|stream| &stream.entries) {
    ///     client.xack("events", "mailer", &[entry.id]).await?;
    /// }
    /// # let _ = id; Ok(()) }
    /// ```
    pub trait StreamCommands;

    /// `XADD key * field value ...`: appends an entry with an id the server
    /// picks (creating the stream if needed) and returns that id.
    fn xadd(key: impl ToArgs, fields: impl ToArgs) -> StreamId {
        Cmd::new("XADD").arg(key).arg("*").arg(fields)
    }

    /// `XADD key [NOMKSTREAM] [KEEPREF|DELREF|ACKED] [MAXLEN|MINID ...] id
    /// field value ...`: appends an entry with the id, trimming and stream
    /// creation `options` say. `None` when [`XAddOptions::nomkstream`] was
    /// given and the stream does not exist.
    fn xadd_with(key: impl ToArgs, fields: impl ToArgs, options: XAddOptions) -> Option<StreamId> {
        let mut cmd = Cmd::new("XADD").arg(key);
        options.write_before_fields(&mut cmd);
        cmd.arg(fields)
    }

    /// `XRANGE key start end`: the entries between two bounds, oldest first
    /// (`StreamBound::Min, StreamBound::Max` for all of them).
    fn xrange<T: FromValue>(
        key: impl ToArgs,
        start: StreamBound,
        end: StreamBound,
    ) -> Vec<StreamEntry<T>> {
        Cmd::new("XRANGE").arg(key).arg(start).arg(end)
    }

    /// `XRANGE key start end COUNT count`: at most `count` entries between
    /// two bounds, oldest first.
    #[doc(alias = "COUNT")]
    fn xrange_count<T: FromValue>(
        key: impl ToArgs,
        start: StreamBound,
        end: StreamBound,
        count: u64,
    ) -> Vec<StreamEntry<T>> {
        Cmd::new("XRANGE").arg(key).arg(start).arg(end).arg("COUNT").arg(count)
    }

    /// `XREVRANGE key end start`: the entries between two bounds, newest
    /// first (the higher bound comes first).
    fn xrevrange<T: FromValue>(
        key: impl ToArgs,
        end: StreamBound,
        start: StreamBound,
    ) -> Vec<StreamEntry<T>> {
        Cmd::new("XREVRANGE").arg(key).arg(end).arg(start)
    }

    /// `XREVRANGE key end start COUNT count`: at most `count` entries
    /// between two bounds, newest first.
    #[doc(alias = "COUNT")]
    fn xrevrange_count<T: FromValue>(
        key: impl ToArgs,
        end: StreamBound,
        start: StreamBound,
        count: u64,
    ) -> Vec<StreamEntry<T>> {
        Cmd::new("XREVRANGE").arg(key).arg(end).arg(start).arg("COUNT").arg(count)
    }

    /// `XREAD STREAMS key ... id ...`: the entries after each given position,
    /// per stream; streams with nothing new are left out (so nothing at all
    /// gives an empty `Vec`).
    fn xread<T: FromValue>(streams: &[(impl ToArgs, ReadFrom)]) -> Vec<StreamEntries<T>> {
        with_streams(Cmd::new("XREAD"), streams)
    }

    /// `XREAD [COUNT n] [BLOCK ms] STREAMS key ... id ...`: as [`xread`],
    /// at most `count` entries per stream, and with a block time waiting for
    /// entries to arrive; an empty `Vec` when the time runs out.
    fn xread_with<T: FromValue>(
        streams: &[(impl ToArgs, ReadFrom)],
        options: XReadOptions,
    ) -> Vec<StreamEntries<T>> {
        with_streams(Cmd::new("XREAD").arg(options), streams)
    }

    /// `XREADGROUP GROUP group consumer STREAMS key ... id ...`: reads as
    /// `consumer` of `group`: new entries (which become pending for it) or
    /// its own pending entries, per stream.
    fn xreadgroup<T: FromValue>(
        group: impl ToArgs,
        consumer: impl ToArgs,
        streams: &[(impl ToArgs, GroupReadFrom)],
    ) -> Vec<StreamEntries<T>> {
        with_streams(Cmd::new("XREADGROUP").arg("GROUP").arg(group).arg(consumer), streams)
    }

    /// `XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS
    /// key ... id ...`: as [`xreadgroup`] with a count, a block time (an
    /// empty `Vec` when it runs out) and NOACK.
    fn xreadgroup_with<T: FromValue>(
        group: impl ToArgs,
        consumer: impl ToArgs,
        streams: &[(impl ToArgs, GroupReadFrom)],
        options: XReadGroupOptions,
    ) -> Vec<StreamEntries<T>> {
        let cmd = Cmd::new("XREADGROUP").arg("GROUP").arg(group).arg(consumer).arg(options);
        with_streams(cmd, streams)
    }

    /// `XACK key group id ...`: acknowledges entries (removes them from the
    /// group's pending list); how many were pending.
    fn xack(key: impl ToArgs, group: impl ToArgs, ids: &[StreamId]) -> u64 {
        Cmd::new("XACK").arg(key).arg(group).arg(ids)
    }

    /// `XACKDEL key group KEEPREF|DELREF|ACKED IDS n id ...` (Redis 8.2):
    /// acknowledges entries in `group` and deletes them from the stream as
    /// `policy` allows; one result per id.
    fn xackdel(
        key: impl ToArgs,
        group: impl ToArgs,
        ids: &[StreamId],
        policy: StreamRefPolicy,
    ) -> Vec<StreamDeletion> {
        Cmd::new("XACKDEL").arg(key).arg(group).arg(policy).arg("IDS").arg(ids.len()).arg(ids)
    }

    /// `XDEL key id ...`: deletes entries; how many existed. Consumer groups
    /// keep them in their pending lists (see [`xdelex`] for the choice).
    fn xdel(key: impl ToArgs, ids: &[StreamId]) -> u64 {
        Cmd::new("XDEL").arg(key).arg(ids)
    }

    /// `XDELEX key KEEPREF|DELREF|ACKED IDS n id ...` (Redis 8.2): deletes
    /// entries, keeping or removing consumer groups' references as `policy`
    /// says; one result per id.
    fn xdelex(key: impl ToArgs, ids: &[StreamId], policy: StreamRefPolicy) -> Vec<StreamDeletion> {
        Cmd::new("XDELEX").arg(key).arg(policy).arg("IDS").arg(ids.len()).arg(ids)
    }

    /// `XLEN key`: the number of entries (0 for a missing key).
    fn xlen(key: impl ToArgs) -> u64 {
        Cmd::new("XLEN").arg(key)
    }

    /// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT n] [KEEPREF|DELREF|ACKED]`:
    /// removes old entries; how many were removed.
    fn xtrim(key: impl ToArgs, trim: StreamTrim) -> u64 {
        Cmd::new("XTRIM").arg(key).arg(trim)
    }

    /// `XPENDING key group`: how many entries the group has pending, their
    /// id range and the count per consumer.
    fn xpending(key: impl ToArgs, group: impl ToArgs) -> PendingSummary {
        Cmd::new("XPENDING").arg(key).arg(group)
    }

    /// `XPENDING key group [IDLE ms] start end count [consumer]`: the pending
    /// entries themselves, oldest first, with their consumer, idle time and
    /// delivery count.
    fn xpending_range(
        key: impl ToArgs,
        group: impl ToArgs,
        range: XPendingRange,
    ) -> Vec<PendingEntry> {
        Cmd::new("XPENDING").arg(key).arg(group).arg(range)
    }

    /// `XCLAIM key group consumer min-idle id ...`: gives `consumer` the
    /// pending entries among `ids` that were idle at least `min_idle`, and
    /// returns them.
    fn xclaim<T: FromValue>(
        key: impl ToArgs,
        group: impl ToArgs,
        consumer: impl ToArgs,
        min_idle: Duration,
        ids: &[StreamId],
    ) -> Vec<StreamEntry<T>> {
        Cmd::new("XCLAIM").arg(key).arg(group).arg(consumer).arg(millis(min_idle)).arg(ids)
    }

    /// `XCLAIM key group consumer min-idle id ... [IDLE ms|TIME ms]
    /// [RETRYCOUNT n] [FORCE]`: as [`xclaim`], setting the claimed entries'
    /// idle time and delivery count, and creating missing pending entries.
    fn xclaim_with<T: FromValue>(
        key: impl ToArgs,
        group: impl ToArgs,
        consumer: impl ToArgs,
        min_idle: Duration,
        ids: &[StreamId],
        options: XClaimOptions,
    ) -> Vec<StreamEntry<T>> {
        Cmd::new("XCLAIM")
            .arg(key)
            .arg(group)
            .arg(consumer)
            .arg(millis(min_idle))
            .arg(ids)
            .arg(options)
    }

    /// `XCLAIM ... JUSTID`: as [`xclaim_with`], but returns only the ids
    /// claimed, and leaves their delivery counts alone.
    #[doc(alias = "JUSTID")]
    fn xclaim_justid(
        key: impl ToArgs,
        group: impl ToArgs,
        consumer: impl ToArgs,
        min_idle: Duration,
        ids: &[StreamId],
        options: XClaimOptions,
    ) -> Vec<StreamId> {
        Cmd::new("XCLAIM")
            .arg(key)
            .arg(group)
            .arg(consumer)
            .arg(millis(min_idle))
            .arg(ids)
            .arg(options)
            .arg("JUSTID")
    }

    /// `XAUTOCLAIM key group consumer min-idle start COUNT count`: gives
    /// `consumer` up to `count` pending entries idle at least `min_idle`,
    /// scanning from `start`; see [`AutoClaim`].
    fn xautoclaim<T: FromValue>(
        key: impl ToArgs,
        group: impl ToArgs,
        consumer: impl ToArgs,
        min_idle: Duration,
        start: StreamId,
        count: u64,
    ) -> AutoClaim<StreamEntry<T>> {
        Cmd::new("XAUTOCLAIM")
            .arg(key)
            .arg(group)
            .arg(consumer)
            .arg(millis(min_idle))
            .arg(start)
            .arg("COUNT")
            .arg(count)
    }

    /// `XAUTOCLAIM ... JUSTID`: as [`xautoclaim`], with only the claimed ids
    /// (delivery counts are left alone).
    #[doc(alias = "JUSTID")]
    fn xautoclaim_justid(
        key: impl ToArgs,
        group: impl ToArgs,
        consumer: impl ToArgs,
        min_idle: Duration,
        start: StreamId,
        count: u64,
    ) -> AutoClaim<StreamId> {
        Cmd::new("XAUTOCLAIM")
            .arg(key)
            .arg(group)
            .arg(consumer)
            .arg(millis(min_idle))
            .arg(start)
            .arg("COUNT")
            .arg(count)
            .arg("JUSTID")
    }

    /// `XGROUP CREATE key group id|$`: creates a consumer group that delivers
    /// the entries after `start`. The stream must exist, and a group of that
    /// name must not (`BUSYGROUP`).
    fn xgroup_create(key: impl ToArgs, group: impl ToArgs, start: GroupStart) -> () {
        Cmd::new("XGROUP").arg("CREATE").arg(key).arg(group).arg(start)
    }

    /// `XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]`: as
    /// [`xgroup_create`], creating an empty stream if needed and setting how
    /// many entries the group counts as read.
    fn xgroup_create_with(
        key: impl ToArgs,
        group: impl ToArgs,
        start: GroupStart,
        options: XGroupCreateOptions,
    ) -> () {
        Cmd::new("XGROUP").arg("CREATE").arg(key).arg(group).arg(start).arg(options)
    }

    /// `XGROUP CREATECONSUMER key group consumer`: true if the consumer was
    /// created, false if it existed.
    fn xgroup_createconsumer(key: impl ToArgs, group: impl ToArgs, consumer: impl ToArgs) -> bool {
        Cmd::new("XGROUP").arg("CREATECONSUMER").arg(key).arg(group).arg(consumer)
    }

    /// `XGROUP DELCONSUMER key group consumer`: removes a consumer and its
    /// pending entries; how many entries it had pending.
    fn xgroup_delconsumer(key: impl ToArgs, group: impl ToArgs, consumer: impl ToArgs) -> u64 {
        Cmd::new("XGROUP").arg("DELCONSUMER").arg(key).arg(group).arg(consumer)
    }

    /// `XGROUP DESTROY key group`: true if the group existed and was removed.
    fn xgroup_destroy(key: impl ToArgs, group: impl ToArgs) -> bool {
        Cmd::new("XGROUP").arg("DESTROY").arg(key).arg(group)
    }

    /// `XGROUP SETID key group id|$`: moves the group's last-delivered id,
    /// so it delivers the entries after `start` next.
    fn xgroup_setid(key: impl ToArgs, group: impl ToArgs, start: GroupStart) -> () {
        Cmd::new("XGROUP").arg("SETID").arg(key).arg(group).arg(start)
    }

    /// `XGROUP SETID key group id|$ ENTRIESREAD n` (Redis 7.0+): as
    /// [`xgroup_setid`], also setting how many entries the group counts as read.
    fn xgroup_setid_with(
        key: impl ToArgs,
        group: impl ToArgs,
        start: GroupStart,
        entries_read: u64,
    ) -> () {
        Cmd::new("XGROUP")
            .arg("SETID")
            .arg(key)
            .arg(group)
            .arg(start)
            .arg("ENTRIESREAD")
            .arg(entries_read)
    }

    /// `XINFO STREAM key`: the stream's length, ids, group count and first
    /// and last entries.
    fn xinfo_stream<T: FromValue>(key: impl ToArgs) -> StreamInfo<T> {
        Cmd::new("XINFO").arg("STREAM").arg(key)
    }

    /// `XINFO STREAM key FULL [COUNT n]`: the stream with its entries and
    /// every group's pending entries and consumers. `limit` caps the entries
    /// and pending entries listed (`None` lists all; the server's own
    /// default is 10).
    #[doc(alias = "FULL")]
    fn xinfo_stream_full<T: FromValue>(key: impl ToArgs, limit: Option<u64>) -> StreamInfoFull<T> {
        Cmd::new("XINFO").arg("STREAM").arg(key).arg("FULL").arg("COUNT").arg(limit.unwrap_or(0))
    }

    /// `XINFO GROUPS key`: the stream's consumer groups.
    fn xinfo_groups(key: impl ToArgs) -> Vec<GroupInfo> {
        Cmd::new("XINFO").arg("GROUPS").arg(key)
    }

    /// `XINFO CONSUMERS key group`: the group's consumers.
    fn xinfo_consumers(key: impl ToArgs, group: impl ToArgs) -> Vec<ConsumerInfo> {
        Cmd::new("XINFO").arg("CONSUMERS").arg(key).arg(group)
    }

    /// `XSETID key last-id`: sets the stream's last generated id (it must
    /// not be below the last entry's).
    fn xsetid(key: impl ToArgs, last_id: StreamId) -> () {
        Cmd::new("XSETID").arg(key).arg(last_id)
    }

    /// `XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]` (Redis 7.0+):
    /// as [`xsetid`], also setting the stream's added-entries counter and
    /// highest deleted id.
    fn xsetid_with(key: impl ToArgs, last_id: StreamId, options: XSetIdOptions) -> () {
        Cmd::new("XSETID").arg(key).arg(last_id).arg(options)
    }
}

/// `STREAMS key ... id ...`: the keys first, then the ids in the same order.
fn with_streams<K: ToArgs, I: ToArgs>(mut cmd: Cmd, streams: &[(K, I)]) -> Cmd {
    cmd.push_arg("STREAMS");
    for (key, _) in streams {
        cmd.push_arg(key);
    }
    for (_, id) in streams {
        cmd.push_arg(id);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cmd: &Cmd) -> Vec<String> {
        cmd.args()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn xadd_puts_its_options_where_the_server_wants_them() {
        let options = XAddOptions::new().nomkstream().id_ms(5).trim(
            StreamTrim::max_len(10)
                .limit(3)
                .refs(StreamRefPolicy::Acked),
        );
        let cmd = xadd_with("s", [("f", "v")], options).into_cmd();
        assert_eq!(
            args(&cmd),
            [
                "XADD",
                "s",
                "NOMKSTREAM",
                "ACKED",
                "MAXLEN",
                "~",
                "10",
                "LIMIT",
                "3",
                "5-*",
                "f",
                "v"
            ]
        );
    }

    #[test]
    fn exact_trimming_drops_the_limit_and_xtrim_puts_the_policy_last() {
        let trim = StreamTrim::min_id(StreamId::new(7, 0))
            .limit(3)
            .exact()
            .refs(StreamRefPolicy::DelRef);
        let cmd = xtrim("s", trim).into_cmd();
        assert_eq!(args(&cmd), ["XTRIM", "s", "MINID", "=", "7-0", "DELREF"]);
    }

    #[test]
    fn xread_lists_the_keys_then_the_ids() {
        let options = XReadOptions::new()
            .count(2)
            .block(Duration::from_micros(10));
        let streams = [
            ("a", ReadFrom::NewEntries),
            ("b", ReadFrom::After(StreamId::new(1, 2))),
        ];
        let cmd = xread_with::<Vec<(String, String)>>(&streams, options).into_cmd();
        assert_eq!(
            args(&cmd),
            [
                "XREAD", "COUNT", "2", "BLOCK", "1", "STREAMS", "a", "b", "$", "1-2"
            ]
        );
    }

    #[test]
    fn xpending_range_puts_idle_before_the_range() {
        let range = XPendingRange::new(5)
            .start(StreamBound::Exclusive(StreamId::new(1, 0)))
            .idle(Duration::from_millis(250))
            .consumer("c");
        let cmd = xpending_range("s", "g", range).into_cmd();
        assert_eq!(
            args(&cmd),
            ["XPENDING", "s", "g", "IDLE", "250", "(1-0", "+", "5", "c"]
        );
    }
}
