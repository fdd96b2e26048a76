//! Server commands an application uses: INFO, CONFIG, DBSIZE, FLUSHDB,
//! TIME, MEMORY, LATENCY, SLOWLOG, COMMAND, ROLE, ACL, persistence.
//!
//! Left to [`Cmd`] on purpose, as administration or replication plumbing
//! rather than application work, or because they take the connection over:
//! `DEBUG`, `SHUTDOWN`, `REPLICAOF` / `SLAVEOF`, `FAILOVER`, `MODULE *`,
//! `MONITOR` (streams every command: a connection of its own, not a reply),
//! `SYNC` / `PSYNC` / `REPLCONF` (the replication protocol), `ACL LOAD` /
//! `ACL SAVE` (the ACL file), `RESTORE-ASKING` (cluster migration) and the
//! `HELP` subcommands.

use std::collections::HashMap;
use std::time::SystemTime;

use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

mod acl;
mod command_docs;
mod info;
mod replies;

pub use acl::{AclDryRun, AclLogEntry, AclLogReason, AclSelector, AclUser};
pub use command_docs::{
    ArgKind, BeginSearch, CommandArg, CommandDoc, CommandFilter, CommandInfo, FindKeys, KeySpec,
};
pub use info::{DbKeyspace, Info, InfoSection};
pub use replies::{
    DbMemory, FlushMode, LatencyHistogram, LatencyLatest, LatencySample, MemorySamples,
    MemoryStats, ReplicaLinkState, Role, RoleReplica, SlowlogEntry,
};

/// `cmd`'s name and arguments appended to `prefix` (`COMMAND GETKEYS`,
/// `ACL DRYRUN`).
fn with_command(mut prefix: Cmd, command: &Cmd) -> Cmd {
    prefix.extend_from(command);
    prefix
}

define_commands! {
    /// INFO, CONFIG, TIME, MEMORY, LATENCY, SLOWLOG, COMMAND, ROLE, ACL and
    /// the other server commands. Administration and replication plumbing
    /// (DEBUG, SHUTDOWN, REPLICAOF, FAILOVER, MODULE, MONITOR, SYNC/PSYNC,
    /// ACL LOAD/SAVE) have no typed method: send them as a [`Cmd`].
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// let info = client.info_sections(["server", "memory"]).await?;
    /// let uptime: Option<u64> = info.get("server", "uptime_in_seconds");
    /// let config = client.config_get("maxmemory*").await?;
    /// let slow = client.slowlog_get(10).await?;
    /// for entry in &slow {
    ///     println!("{} took {:?}: {:?}", entry.id, entry.duration, entry.args);
    /// }
    /// # let _ = (uptime, config); Ok(()) }
    /// ```
    pub trait ServerCommands;

    /// `INFO`: the default sections, parsed into sections of fields.
    fn info() -> Info {
        Cmd::new("INFO")
    }

    /// `INFO section...`: the named sections (`"server"`, `"memory"`,
    /// `"keyspace"`, a module's; `"all"`, `"everything"`). Several at once
    /// need Redis 7.0+.
    fn info_sections(sections: impl ToArgs) -> Info {
        Cmd::new("INFO").arg(sections)
    }

    /// `CONFIG GET pattern...`: each matching parameter and its value.
    /// Patterns are globs (`"maxmemory*"`); several need Redis 7.0+.
    fn config_get(patterns: impl ToArgs) -> HashMap<String, String> {
        Cmd::new("CONFIG").arg("GET").arg(patterns)
    }

    /// `CONFIG SET parameter value [parameter value ...]`: `pairs` is a
    /// `(name, value)` tuple or a slice of them; several at once need Redis
    /// 7.0+, and are applied all or none.
    fn config_set(pairs: impl ToArgs) -> () {
        Cmd::new("CONFIG").arg("SET").arg(pairs)
    }

    /// `CONFIG RESETSTAT`: zeroes the statistics `INFO` reports (command
    /// stats, error stats, keyspace hits and misses ...).
    fn config_resetstat() -> () {
        Cmd::new("CONFIG").arg("RESETSTAT")
    }

    /// `CONFIG REWRITE`: writes the running configuration back to the
    /// server's config file; an error when it was started without one.
    fn config_rewrite() -> () {
        Cmd::new("CONFIG").arg("REWRITE")
    }

    /// `DBSIZE`: the number of keys in the selected database.
    fn dbsize() -> u64 {
        Cmd::new("DBSIZE")
    }

    /// `FLUSHDB`: deletes every key of the selected database, synchronously
    /// or not as the server's `lazyfree-lazy-user-flush` says.
    fn flushdb() -> () {
        Cmd::new("FLUSHDB")
    }

    /// `FLUSHDB ASYNC|SYNC`.
    fn flushdb_with(mode: FlushMode) -> () {
        Cmd::new("FLUSHDB").arg(mode)
    }

    /// `FLUSHALL`: deletes every key of every database.
    fn flushall() -> () {
        Cmd::new("FLUSHALL")
    }

    /// `FLUSHALL ASYNC|SYNC`.
    fn flushall_with(mode: FlushMode) -> () {
        Cmd::new("FLUSHALL").arg(mode)
    }

    /// `TIME`: the server's clock, to the microsecond.
    fn time() -> SystemTime {
        Cmd::new("TIME")
    }

    /// `LASTSAVE`: when the last successful save to disk happened (the
    /// start time if none has).
    fn lastsave() -> SystemTime {
        Cmd::new("LASTSAVE")
    }

    /// `SAVE`: saves the data set to disk now, blocking the server until done.
    fn save() -> () {
        Cmd::new("SAVE")
    }

    /// `BGSAVE`: starts a save in the background; the server's status text
    /// (`Background saving started`). An error while another save or an
    /// AOF rewrite runs.
    fn bgsave() -> String {
        Cmd::new("BGSAVE")
    }

    /// `BGSAVE SCHEDULE`: as [`bgsave`], but while an AOF rewrite runs the
    /// save is scheduled for after it (`Background saving scheduled`).
    #[doc(alias = "SCHEDULE")]
    fn bgsave_schedule() -> String {
        Cmd::new("BGSAVE").arg("SCHEDULE")
    }

    /// `BGREWRITEAOF`: starts an append-only file rewrite; the server's
    /// status text.
    fn bgrewriteaof() -> String {
        Cmd::new("BGREWRITEAOF")
    }

    /// `SWAPDB index1 index2`: swaps two databases, for every client at once.
    fn swapdb(index1: u32, index2: u32) -> () {
        Cmd::new("SWAPDB").arg(index1).arg(index2)
    }

    /// `LOLWUT`: the server's version, with a piece of generative art.
    fn lolwut() -> String {
        Cmd::new("LOLWUT")
    }

    /// `LOLWUT VERSION v`: the art of another version (5 and 6 have their own).
    fn lolwut_version(version: u32) -> String {
        Cmd::new("LOLWUT").arg("VERSION").arg(version)
    }

    /// `ROLE`: whether the server is a primary (and its replicas), a
    /// replica (and its link) or a Sentinel.
    fn role() -> Role {
        Cmd::new("ROLE")
    }

    /// `MEMORY USAGE key`: the bytes the key and its value take, `None` for
    /// a missing key. Collections are estimated from 5 elements.
    fn memory_usage(key: impl ToArgs) -> Option<u64> {
        Cmd::new("MEMORY").arg("USAGE").arg(key)
    }

    /// `MEMORY USAGE key SAMPLES n`: with a chosen sample of elements.
    fn memory_usage_with(key: impl ToArgs, samples: MemorySamples) -> Option<u64> {
        Cmd::new("MEMORY").arg("USAGE").arg(key).arg(samples)
    }

    /// `MEMORY STATS`: the server's memory use by category.
    fn memory_stats() -> MemoryStats {
        Cmd::new("MEMORY").arg("STATS")
    }

    /// `MEMORY DOCTOR`: the server's advice on its memory use, as text.
    fn memory_doctor() -> String {
        Cmd::new("MEMORY").arg("DOCTOR")
    }

    /// `MEMORY MALLOC-STATS`: the allocator's own statistics, as text.
    fn memory_malloc_stats() -> String {
        Cmd::new("MEMORY").arg("MALLOC-STATS")
    }

    /// `MEMORY PURGE`: asks the allocator to return dirty pages to the system.
    fn memory_purge() -> () {
        Cmd::new("MEMORY").arg("PURGE")
    }

    /// `LATENCY LATEST`: the latest and the worst spike of each latency
    /// event (recorded only above `latency-monitor-threshold`).
    fn latency_latest() -> Vec<LatencyLatest> {
        Cmd::new("LATENCY").arg("LATEST")
    }

    /// `LATENCY HISTORY event`: the spikes of one event, oldest first (up
    /// to 160).
    fn latency_history(event: impl ToArgs) -> Vec<LatencySample> {
        Cmd::new("LATENCY").arg("HISTORY").arg(event)
    }

    /// `LATENCY RESET event...`: forgets the named events' spikes; how many
    /// events were reset.
    fn latency_reset(events: impl ToArgs) -> u64 {
        Cmd::new("LATENCY").arg("RESET").arg(events)
    }

    /// `LATENCY RESET`: forgets every event's spikes; how many events were reset.
    fn latency_reset_all() -> u64 {
        Cmd::new("LATENCY").arg("RESET")
    }

    /// `LATENCY DOCTOR`: the server's analysis of its latency spikes, as text.
    fn latency_doctor() -> String {
        Cmd::new("LATENCY").arg("DOCTOR")
    }

    /// `LATENCY GRAPH event`: an ASCII-art graph of one event's spikes; an
    /// error when the event has none.
    fn latency_graph(event: impl ToArgs) -> String {
        Cmd::new("LATENCY").arg("GRAPH").arg(event)
    }

    /// `LATENCY HISTOGRAM command...`: the latency distribution of each
    /// named command that has run (every command that has, for an empty
    /// list), by command name (`config|get` for subcommands).
    fn latency_histogram(commands: impl ToArgs) -> HashMap<String, LatencyHistogram> {
        Cmd::new("LATENCY").arg("HISTOGRAM").arg(commands)
    }

    /// `SLOWLOG GET count`: the newest `count` entries of the slow log,
    /// newest first.
    fn slowlog_get(count: usize) -> Vec<SlowlogEntry> {
        Cmd::new("SLOWLOG").arg("GET").arg(count)
    }

    /// `SLOWLOG GET -1`: every entry of the slow log, newest first.
    fn slowlog_get_all() -> Vec<SlowlogEntry> {
        Cmd::new("SLOWLOG").arg("GET").arg(-1)
    }

    /// `SLOWLOG LEN`: how many entries the slow log holds.
    fn slowlog_len() -> u64 {
        Cmd::new("SLOWLOG").arg("LEN")
    }

    /// `SLOWLOG RESET`: empties the slow log.
    fn slowlog_reset() -> () {
        Cmd::new("SLOWLOG").arg("RESET")
    }

    /// `COMMAND COUNT`: how many commands the server has (modules' included).
    fn command_count() -> u64 {
        Cmd::new("COMMAND").arg("COUNT")
    }

    /// `COMMAND INFO name...`: what the server knows of each named command,
    /// in order, `None` for a name it does not know. With no names (an
    /// empty slice), every command.
    fn command_info(names: impl ToArgs) -> Vec<Option<CommandInfo>> {
        Cmd::new("COMMAND").arg("INFO").arg(names)
    }

    /// `COMMAND DOCS name...`: the documentation of each named command it
    /// knows, by name (every command's for an empty list). Redis 7.0+.
    fn command_docs(names: impl ToArgs) -> HashMap<String, CommandDoc> {
        Cmd::new("COMMAND").arg("DOCS").arg(names)
    }

    /// `COMMAND LIST`: the names of every command (subcommands as
    /// `config|get`). Redis 7.0+.
    fn command_list() -> Vec<String> {
        Cmd::new("COMMAND").arg("LIST")
    }

    /// `COMMAND LIST FILTERBY ...`: the names of the commands of a module,
    /// of an ACL category, or matching a pattern. Redis 7.0+.
    fn command_list_filtered(filter: CommandFilter) -> Vec<String> {
        Cmd::new("COMMAND").arg("LIST").arg(filter)
    }

    /// `COMMAND GETKEYS command arg...`: the keys `command` would touch,
    /// as the server finds them (`&commands::set("k", "v").into_cmd()`, or
    /// any [`Cmd`]). An error for a command without keys.
    fn command_getkeys<T: FromValue>(command: &Cmd) -> Vec<T> {
        with_command(Cmd::new("COMMAND").arg("GETKEYS"), command)
    }

    /// `COMMAND GETKEYSANDFLAGS command arg...`: each key `command` would
    /// touch, with what it does to it (`RW`, `OW`, `access`, `update` ...).
    /// Redis 7.0+.
    fn command_getkeysandflags<T: FromValue>(command: &Cmd) -> Vec<(T, Vec<String>)> {
        with_command(Cmd::new("COMMAND").arg("GETKEYSANDFLAGS"), command)
    }

    /// `ACL WHOAMI`: the user this connection is authenticated as.
    fn acl_whoami() -> String {
        Cmd::new("ACL").arg("WHOAMI")
    }

    /// `ACL CAT`: the ACL categories (`keyspace`, `read`, `write` ...).
    fn acl_cat() -> Vec<String> {
        Cmd::new("ACL").arg("CAT")
    }

    /// `ACL CAT category`: the commands in one category.
    fn acl_cat_commands(category: impl ToArgs) -> Vec<String> {
        Cmd::new("ACL").arg("CAT").arg(category)
    }

    /// `ACL LIST`: every user's rules, one `user <name> <rules>` line each.
    fn acl_list() -> Vec<String> {
        Cmd::new("ACL").arg("LIST")
    }

    /// `ACL USERS`: every user's name.
    fn acl_users() -> Vec<String> {
        Cmd::new("ACL").arg("USERS")
    }

    /// `ACL GETUSER username`: the user's rules, `None` if there is no such user.
    fn acl_getuser(username: impl ToArgs) -> Option<AclUser> {
        Cmd::new("ACL").arg("GETUSER").arg(username)
    }

    /// `ACL SETUSER username rule...`: creates the user or changes it; the
    /// rules are ACL rule words (`"on"`, `">password"`, `"~cache:*"`,
    /// `"+@read"`, `"resetkeys"` ...), applied in order, all or none.
    fn acl_setuser(username: impl ToArgs, rules: impl ToArgs) -> () {
        Cmd::new("ACL").arg("SETUSER").arg(username).arg(rules)
    }

    /// `ACL DELUSER username...`: deletes users (and disconnects their
    /// clients); how many existed.
    fn acl_deluser(usernames: impl ToArgs) -> u64 {
        Cmd::new("ACL").arg("DELUSER").arg(usernames)
    }

    /// `ACL GENPASS`: 256 random bits from the server's generator, as 64 hex
    /// digits, for a password.
    fn acl_genpass() -> String {
        Cmd::new("ACL").arg("GENPASS")
    }

    /// `ACL GENPASS bits`: `bits` random bits (rounded up to a multiple of
    /// 4), in hex.
    fn acl_genpass_bits(bits: u32) -> String {
        Cmd::new("ACL").arg("GENPASS").arg(bits)
    }

    /// `ACL LOG count`: the newest `count` denied authentications and
    /// commands, newest first.
    fn acl_log(count: usize) -> Vec<AclLogEntry> {
        Cmd::new("ACL").arg("LOG").arg(count)
    }

    /// `ACL LOG RESET`: empties the ACL log.
    fn acl_log_reset() -> () {
        Cmd::new("ACL").arg("LOG").arg("RESET")
    }

    /// `ACL DRYRUN username command arg...`: whether `username` may run
    /// `command`, without running it. Redis 7.0+.
    fn acl_dryrun(username: impl ToArgs, command: &Cmd) -> AclDryRun {
        with_command(Cmd::new("ACL").arg("DRYRUN").arg(username), command)
    }
}
