//! Sentinel commands: what a sentinel knows of the masters it monitors,
//! their replicas and the other sentinels, and the administration of its
//! monitoring (MONITOR, SET, REMOVE, RESET, FAILOVER, FLUSHCONFIG).
//!
//! They are sent to a sentinel (a [`Client`](crate::Client) connected to
//! its port), not to a Redis server, which does not know them. A sentinel
//! answers in RESP2 and RESP3; each record (a master, a replica, a
//! sentinel) is a flat list of names and values in RESP2 and a map in
//! RESP3, and reads the same from both.
//!
//! Left to [`Cmd`] on purpose: `SENTINEL IS-MASTER-DOWN-BY-ADDR` (the vote
//! sentinels exchange among themselves: with a run id it casts this
//! sentinel's vote in a leader election), `SENTINEL CONFIG` (the sentinel's
//! own settings, `sentinel-pass` among them: operations),
//! `SENTINEL INFO-CACHE`, `SENTINEL PENDING-SCRIPTS`, `SENTINEL DEBUG` and
//! `SENTINEL SIMULATE-FAILURE` (the sentinel's internals), and `SLAVES`
//! (the deprecated name of `REPLICAS`).

use std::time::Duration;

use super::reply::Fields;
use crate::Cmd;
use crate::convert::{FromValue, ToArgs};
use crate::{Result, Value};

define_commands! {
    /// SENTINEL MASTERS, MASTER, REPLICAS, SENTINELS,
    /// GET-MASTER-ADDR-BY-NAME and the administration subcommands, sent to
    /// a sentinel.
    ///
    /// ```no_run
    /// # async fn run() -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// let sentinel = Client::connect("redis://127.0.0.1:26379/?protocol=3").await?;
    /// if let Some((host, port)) = sentinel.sentinel_get_master_addr_by_name("mymaster").await? {
    ///     println!("mymaster is at {host}:{port}");
    /// }
    /// let master = sentinel.sentinel_master("mymaster").await?;
    /// println!("{} replicas, quorum {}, down: {}", master.num_replicas, master.quorum, master.is_down());
    /// for replica in sentinel.sentinel_replicas("mymaster").await? {
    ///     println!("{}:{} link ok: {}", replica.ip, replica.port, replica.master_link_ok);
    /// }
    /// # Ok(()) }
    /// ```
    pub trait SentinelCommands;

    /// `SENTINEL MASTERS`: every master this sentinel monitors.
    fn sentinel_masters() -> Vec<SentinelMaster> {
        Cmd::new("SENTINEL").arg("MASTERS")
    }

    /// `SENTINEL MASTER name`: the master monitored as `name`; an unknown
    /// name is an error (`ERR No such master with that name`).
    fn sentinel_master(name: impl ToArgs) -> SentinelMaster {
        Cmd::new("SENTINEL").arg("MASTER").arg(name)
    }

    /// `SENTINEL REPLICAS name`: the replicas of the master monitored as
    /// `name`, as this sentinel sees them. Redis 5.0+ (`SLAVES` before).
    fn sentinel_replicas(name: impl ToArgs) -> Vec<SentinelReplica> {
        Cmd::new("SENTINEL").arg("REPLICAS").arg(name)
    }

    /// `SENTINEL SENTINELS name`: the other sentinels that monitor the
    /// master `name` (this one is not listed).
    fn sentinel_sentinels(name: impl ToArgs) -> Vec<SentinelPeer> {
        Cmd::new("SENTINEL").arg("SENTINELS").arg(name)
    }

    /// `SENTINEL GET-MASTER-ADDR-BY-NAME name`: the current address
    /// `(host, port)` of the master monitored as `name` (after a failover,
    /// the promoted replica's); `None` for a name it does not monitor.
    fn sentinel_get_master_addr_by_name(name: impl ToArgs) -> Option<(String, u16)> {
        Cmd::new("SENTINEL").arg("GET-MASTER-ADDR-BY-NAME").arg(name)
    }

    /// `SENTINEL FAILOVER name`: forces a failover of the master `name` as
    /// if it were down, without asking the other sentinels. Replies once
    /// the failover has started; `NOGOODSLAVE` when no replica can be
    /// promoted, `INPROG` while one is already running.
    fn sentinel_failover(name: impl ToArgs) -> () {
        Cmd::new("SENTINEL").arg("FAILOVER").arg(name)
    }

    /// `SENTINEL CKQUORUM name`: whether the sentinels that monitor `name`
    /// can reach the quorum to agree that it is down, and the majority to
    /// authorize a failover. The sentinel's message on success
    /// (`OK 3 usable Sentinels ...`); an error (`NOQUORUM ...`) when not.
    fn sentinel_ckquorum(name: impl ToArgs) -> String {
        Cmd::new("SENTINEL").arg("CKQUORUM").arg(name)
    }

    /// `SENTINEL RESET pattern`: forgets the state (replicas, sentinels,
    /// failover) of every master whose name matches the glob `pattern`,
    /// which the sentinel then discovers again; how many masters matched.
    fn sentinel_reset(pattern: impl ToArgs) -> u64 {
        Cmd::new("SENTINEL").arg("RESET").arg(pattern)
    }

    /// `SENTINEL MONITOR name ip port quorum`: starts monitoring the master
    /// at `ip:port` as `name`; `quorum` sentinels must agree that it is
    /// down before a failover. `ip` must be an address unless the
    /// sentinel's `resolve-hostnames` is on.
    fn sentinel_monitor(name: impl ToArgs, ip: impl ToArgs, port: u16, quorum: u32) -> () {
        Cmd::new("SENTINEL")
            .arg("MONITOR")
            .arg(name)
            .arg(ip)
            .arg(port)
            .arg(quorum)
    }

    /// `SENTINEL REMOVE name`: stops monitoring the master `name` and
    /// forgets it.
    fn sentinel_remove(name: impl ToArgs) -> () {
        Cmd::new("SENTINEL").arg("REMOVE").arg(name)
    }

    /// `SENTINEL SET name option value`: changes one monitoring setting of
    /// the master `name` (`down-after-milliseconds`, `failover-timeout`,
    /// `parallel-syncs`, `quorum`, `auth-pass` ...).
    fn sentinel_set(name: impl ToArgs, option: impl ToArgs, value: impl ToArgs) -> () {
        Cmd::new("SENTINEL").arg("SET").arg(name).arg(option).arg(value)
    }

    /// `SENTINEL FLUSHCONFIG`: rewrites the sentinel's configuration file
    /// with its current state.
    fn sentinel_flushconfig() -> () {
        Cmd::new("SENTINEL").arg("FLUSHCONFIG")
    }

    /// `SENTINEL MYID`: this sentinel's id (40 hex characters).
    fn sentinel_myid() -> String {
        Cmd::new("SENTINEL").arg("MYID")
    }
}

/// `(name, text)` of `fields` named `name`.
fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A `flags` field: comma-separated (`master,s_down,o_down`).
fn flag_list(text: String) -> Vec<String> {
    text.split(',')
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A run id, empty until the sentinel has heard from the instance.
fn run_id(fields: &mut Fields) -> Result<Option<String>> {
    Ok(fields
        .optional::<String>("runid")?
        .filter(|id| !id.is_empty()))
}

/// A master as a sentinel sees it (`SENTINEL MASTERS`, `SENTINEL MASTER`).
///
/// The fields that matter are typed; every field the sentinel sent, these
/// included, is kept as text and read with [`SentinelMaster::get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelMaster {
    /// The name it is monitored as.
    pub name: String,
    /// Its current IP address (after a failover, the promoted replica's).
    pub ip: String,
    /// Its current port.
    pub port: u16,
    /// Its run id; `None` until the sentinel has reached it.
    pub runid: Option<String>,
    /// Its flags: `master`, and `s_down` (this sentinel finds it down),
    /// `o_down` (the quorum agrees), `disconnected`, `failover_in_progress`,
    /// `promoted`, `reconf_sent` ... while something is wrong.
    pub flags: Vec<String>,
    /// The role it reports in its `INFO`, if the sentinel has read it yet.
    pub role_reported: Option<String>,
    /// How many replicas the sentinel knows of (`num-slaves`).
    pub num_replicas: u64,
    /// How many other sentinels monitor it.
    pub num_other_sentinels: u64,
    /// How many sentinels must agree that it is down.
    pub quorum: u32,
    /// The configuration epoch of its current address (raised by each
    /// failover).
    pub config_epoch: u64,
    /// How long without a valid reply before a sentinel finds it down
    /// (`down-after-milliseconds`).
    pub down_after: Duration,
    /// The failover timeout (`failover-timeout`).
    pub failover_timeout: Duration,
    /// How many replicas resynchronize with a new master at once.
    pub parallel_syncs: u32,
    fields: Vec<(String, String)>,
}

impl SentinelMaster {
    /// Any field by its sentinel name (`"last-ok-ping-reply"`,
    /// `"failover-state"`, `"info-refresh"` ...), as text.
    pub fn get(&self, field_name: &str) -> Option<&str> {
        field(&self.fields, field_name)
    }

    /// Every field as `(name, text)`, in the order the sentinel sent them.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// True when it has flag `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// True when this sentinel finds it down (`s_down`) or the quorum
    /// agrees that it is (`o_down`).
    pub fn is_down(&self) -> bool {
        self.has_flag("s_down") || self.has_flag("o_down")
    }

    /// True while a failover of it is running (`failover_in_progress`).
    pub fn is_failing_over(&self) -> bool {
        self.has_flag("failover_in_progress")
    }
}

impl FromValue for SentinelMaster {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "SENTINEL MASTER entry")?;
        let all = fields.texts();
        Ok(SentinelMaster {
            name: fields.required("name")?,
            ip: fields.required("ip")?,
            port: fields.required("port")?,
            runid: run_id(&mut fields)?,
            flags: flag_list(fields.required("flags")?),
            role_reported: fields.optional("role-reported")?,
            num_replicas: fields.or_default("num-slaves")?,
            num_other_sentinels: fields.or_default("num-other-sentinels")?,
            quorum: fields.required("quorum")?,
            config_epoch: fields.or_default("config-epoch")?,
            down_after: Duration::from_millis(fields.or_default("down-after-milliseconds")?),
            failover_timeout: Duration::from_millis(fields.or_default("failover-timeout")?),
            parallel_syncs: fields.or_default("parallel-syncs")?,
            fields: all,
        })
    }
}

/// A replica of a monitored master, as a sentinel sees it
/// (`SENTINEL REPLICAS`).
///
/// The fields that matter are typed; every field the sentinel sent is kept
/// as text and read with [`SentinelReplica::get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelReplica {
    /// Its name for the sentinel: `ip:port`.
    pub name: String,
    /// Its IP address (as it announced it).
    pub ip: String,
    /// Its port.
    pub port: u16,
    /// Its run id; `None` until the sentinel has reached it.
    pub runid: Option<String>,
    /// Its flags: `slave`, and `s_down`, `o_down`, `disconnected`,
    /// `promoted` ... while something is wrong or changing.
    pub flags: Vec<String>,
    /// The role it reports in its `INFO`, if the sentinel has read it yet
    /// (`slave`; `master` once promoted).
    pub role_reported: Option<String>,
    /// True when it reports its link to its master up
    /// (`master-link-status:ok`).
    pub master_link_ok: bool,
    /// The master it replicates from, as it reports it; `None` while
    /// unknown.
    pub master_host: Option<String>,
    /// That master's port; `None` while unknown.
    pub master_port: Option<u16>,
    /// Its replica priority (`slave-priority`): lower is promoted first,
    /// 0 never.
    pub priority: u32,
    /// The replication offset it reports (`slave-repl-offset`).
    pub replication_offset: u64,
    fields: Vec<(String, String)>,
}

impl SentinelReplica {
    /// Any field by its sentinel name (`"master-link-down-time"`,
    /// `"replica-announced"` ...), as text.
    pub fn get(&self, field_name: &str) -> Option<&str> {
        field(&self.fields, field_name)
    }

    /// Every field as `(name, text)`, in the order the sentinel sent them.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// True when it has flag `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// True when this sentinel finds it down (`s_down`, or `o_down`).
    pub fn is_down(&self) -> bool {
        self.has_flag("s_down") || self.has_flag("o_down")
    }
}

impl FromValue for SentinelReplica {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "SENTINEL REPLICAS entry")?;
        let all = fields.texts();
        let master_host = fields
            .optional::<String>("master-host")?
            .filter(|host| host != "?" && !host.is_empty());
        let master_port = fields
            .optional::<u16>("master-port")?
            .filter(|&port| port != 0);
        Ok(SentinelReplica {
            name: fields.required("name")?,
            ip: fields.required("ip")?,
            port: fields.required("port")?,
            runid: run_id(&mut fields)?,
            flags: flag_list(fields.required("flags")?),
            role_reported: fields.optional("role-reported")?,
            master_link_ok: fields.optional::<String>("master-link-status")?.as_deref()
                == Some("ok"),
            master_host,
            master_port,
            priority: fields.or_default("slave-priority")?,
            replication_offset: fields.or_default("slave-repl-offset")?,
            fields: all,
        })
    }
}

/// Another sentinel monitoring the same master (`SENTINEL SENTINELS`).
///
/// The fields that matter are typed; every field the sentinel sent is kept
/// as text and read with [`SentinelPeer::get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelPeer {
    /// Its id (the same as its run id).
    pub name: String,
    /// Its IP address (as it announced it).
    pub ip: String,
    /// Its port.
    pub port: u16,
    /// Its run id.
    pub runid: Option<String>,
    /// Its flags: `sentinel`, and `s_down`, `disconnected` ... while
    /// something is wrong.
    pub flags: Vec<String>,
    /// How long ago its last hello message arrived (`last-hello-message`).
    pub last_hello: Duration,
    /// The sentinel it voted for as failover leader in
    /// [`SentinelPeer::voted_leader_epoch`]; `None` if it has not voted.
    pub voted_leader: Option<String>,
    /// The epoch of that vote.
    pub voted_leader_epoch: u64,
    fields: Vec<(String, String)>,
}

impl SentinelPeer {
    /// Any field by its sentinel name (`"last-ok-ping-reply"`,
    /// `"link-pending-commands"` ...), as text.
    pub fn get(&self, field_name: &str) -> Option<&str> {
        field(&self.fields, field_name)
    }

    /// Every field as `(name, text)`, in the order the sentinel sent them.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// True when it has flag `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

impl FromValue for SentinelPeer {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "SENTINEL SENTINELS entry")?;
        let all = fields.texts();
        let voted_leader = fields
            .optional::<String>("voted-leader")?
            .filter(|leader| leader != "?" && !leader.is_empty());
        Ok(SentinelPeer {
            name: fields.required("name")?,
            ip: fields.required("ip")?,
            port: fields.required("port")?,
            runid: run_id(&mut fields)?,
            flags: flag_list(fields.required("flags")?),
            last_hello: Duration::from_millis(fields.or_default("last-hello-message")?),
            voted_leader,
            voted_leader_epoch: fields.or_default("voted-leader-epoch")?,
            fields: all,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::ErrorKind;

    fn bulk(s: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
    }

    /// A record as RESP2 sends it (a flat array) and as RESP3 does (a map).
    fn both_shapes(pairs: &[(&str, &str)]) -> [Value; 2] {
        let flat = pairs.iter().flat_map(|(k, v)| [bulk(k), bulk(v)]).collect();
        let map = pairs.iter().map(|(k, v)| (bulk(k), bulk(v))).collect();
        [Value::Array(flat), Value::Map(map)]
    }

    /// `SENTINEL MASTER mymaster` of Redis 8.2.3 during a failover.
    const MASTER: &[(&str, &str)] = &[
        ("name", "mymaster"),
        ("ip", "127.0.0.1"),
        ("port", "39467"),
        ("runid", "5de20fcb0c9e5a4c61a932cd916b7c260510278d"),
        ("flags", "master,failover_in_progress"),
        ("link-pending-commands", "0"),
        ("last-ok-ping-reply", "569"),
        ("down-after-milliseconds", "1000"),
        ("role-reported", "master"),
        ("config-epoch", "3"),
        ("num-slaves", "1"),
        ("num-other-sentinels", "2"),
        ("quorum", "2"),
        ("failover-timeout", "5000"),
        ("parallel-syncs", "1"),
        ("failover-state", "wait_promotion"),
    ];

    #[test]
    fn a_master_reads_alike_from_both_protocols() {
        for value in both_shapes(MASTER) {
            let master = SentinelMaster::from_value(value).unwrap();
            assert_eq!(master.name, "mymaster");
            assert_eq!((master.ip.as_str(), master.port), ("127.0.0.1", 39467));
            assert_eq!(master.runid.as_deref().map(str::len), Some(40));
            assert_eq!(master.flags, ["master", "failover_in_progress"]);
            assert!(master.is_failing_over() && !master.is_down());
            assert_eq!(master.role_reported.as_deref(), Some("master"));
            assert_eq!(master.num_replicas, 1);
            assert_eq!(master.num_other_sentinels, 2);
            assert_eq!(master.quorum, 2);
            assert_eq!(master.config_epoch, 3);
            assert_eq!(master.down_after, Duration::from_secs(1));
            assert_eq!(master.failover_timeout, Duration::from_secs(5));
            assert_eq!(master.parallel_syncs, 1);
            // Nothing is lost: the typed fields and the others, in order.
            assert_eq!(master.get("failover-state"), Some("wait_promotion"));
            assert_eq!(master.get("port"), Some("39467"));
            assert_eq!(master.fields().count(), MASTER.len());
            assert_eq!(master.fields().next(), Some(("name", "mymaster")));
        }
    }

    #[test]
    fn a_replica_and_a_peer_read_their_own_fields() {
        let replica = [
            ("name", "127.0.0.1:39303"),
            ("ip", "127.0.0.1"),
            ("port", "39303"),
            ("runid", ""),
            ("flags", "slave,s_down,disconnected"),
            ("master-link-status", "err"),
            ("master-host", "?"),
            ("master-port", "0"),
            ("slave-priority", "100"),
            ("slave-repl-offset", "136569"),
        ];
        for value in both_shapes(&replica) {
            let replica = SentinelReplica::from_value(value).unwrap();
            assert_eq!(replica.port, 39303);
            assert_eq!(replica.runid, None);
            assert!(replica.is_down() && replica.has_flag("disconnected"));
            assert!(!replica.master_link_ok);
            assert_eq!((replica.master_host, replica.master_port), (None, None));
            assert_eq!(replica.priority, 100);
            assert_eq!(replica.replication_offset, 136_569);
            assert_eq!(replica.role_reported, None);
        }
        let peer = [
            ("name", "143cc314cf65d00bbcd380b84a5d5f7b6df71d56"),
            ("ip", "127.0.0.1"),
            ("port", "39911"),
            ("runid", "143cc314cf65d00bbcd380b84a5d5f7b6df71d56"),
            ("flags", "sentinel"),
            ("last-hello-message", "319"),
            ("voted-leader", "?"),
            ("voted-leader-epoch", "0"),
        ];
        for value in both_shapes(&peer) {
            let peer = SentinelPeer::from_value(value).unwrap();
            assert_eq!(peer.runid.as_deref(), Some(peer.name.as_str()));
            assert!(peer.has_flag("sentinel"));
            assert_eq!(peer.last_hello, Duration::from_millis(319));
            assert_eq!(peer.voted_leader, None);
        }
    }

    #[test]
    fn malformed_records_are_errors_not_panics() {
        let no_port: Vec<_> = MASTER
            .iter()
            .filter(|(k, _)| *k != "port")
            .copied()
            .collect();
        let bad_port: Vec<_> = MASTER
            .iter()
            .map(|&(k, v)| if k == "port" { (k, "70000") } else { (k, v) })
            .collect();
        for pairs in [no_port, bad_port] {
            for value in both_shapes(&pairs) {
                assert!(SentinelMaster::from_value(value).is_err());
            }
        }
        let odd = Value::Array(vec![bulk("name")]);
        assert_eq!(
            SentinelMaster::from_value(odd).unwrap_err().kind(),
            ErrorKind::Protocol
        );
        assert!(SentinelPeer::from_value(Value::Integer(1)).is_err());
        let error = Value::Error(crate::ServerError::parse(
            "ERR No such master with that name",
        ));
        let error = SentinelMaster::from_value(error).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Server);
        assert_eq!(error.code(), Some("ERR"));
    }

    #[test]
    fn commands_are_built_as_the_sentinel_expects() {
        let args = |cmd: Cmd| -> Vec<String> {
            cmd.args()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        };
        assert_eq!(
            args(sentinel_monitor("m", "127.0.0.1", 6380, 2).into_cmd()),
            ["SENTINEL", "MONITOR", "m", "127.0.0.1", "6380", "2"]
        );
        assert_eq!(
            args(sentinel_set("m", "quorum", 1).into_cmd()),
            ["SENTINEL", "SET", "m", "quorum", "1"]
        );
        assert_eq!(
            args(sentinel_get_master_addr_by_name("m").into_cmd()),
            ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m"]
        );
    }
}
