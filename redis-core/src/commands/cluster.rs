//! Cluster introspection commands: the topology (SHARDS, SLOTS, NODES),
//! the node's own view (INFO, MYID, LINKS), and slots and their keys.
//!
//! Each runs on the node it is sent to; none needs a key, so any node of a
//! cluster answers (`CLUSTER KEYSLOT` is a pure computation). Left to
//! [`Cmd`] on purpose, as cluster administration: `ADDSLOTS`,
//! `ADDSLOTSRANGE`, `DELSLOTS`, `DELSLOTSRANGE`, `FLUSHSLOTS`, `SETSLOT`,
//! `MEET`, `FORGET`, `REPLICATE`, `FAILOVER`, `RESET`, `SAVECONFIG`,
//! `BUMPEPOCH`, `SET-CONFIG-EPOCH`, and `SLAVES` (the deprecated name of
//! `REPLICAS`). `READONLY` / `READWRITE` and `ASKING` change the
//! connection's state and belong to the cluster client.

use std::ops::Deref;
use std::str::FromStr;
use std::time::SystemTime;

use super::reply::{Fields, elements, unix_millis};
use crate::Cmd;
use crate::convert::{FromValue, ToArgs};
use crate::{Error, Result, Value};

define_commands! {
    /// CLUSTER SHARDS, SLOTS, NODES, INFO, KEYSLOT and the other
    /// introspection subcommands, answered by the node they are sent to.
    /// Cluster administration (ADDSLOTS, SETSLOT, MEET, FORGET, FAILOVER,
    /// RESET ...) has no typed method: send it as a [`Cmd`].
    ///
    /// ```no_run
    /// # async fn run(node: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::commands::NodeRole;
    /// use redis_core::prelude::*;
    /// for shard in node.cluster_shards().await? {
    ///     let primary = shard.nodes.iter().find(|n| n.role == NodeRole::Master);
    ///     println!("{:?} served by {:?}", shard.slots, primary.map(|n| &n.endpoint));
    /// }
    /// let slot = node.cluster_keyslot("user:1").await?;
    /// # let _ = slot; Ok(()) }
    /// ```
    pub trait ClusterCommands;

    /// `CLUSTER SHARDS`: every shard, with its slot ranges and its nodes.
    /// Redis 7.0+.
    fn cluster_shards() -> Vec<ClusterShard> {
        Cmd::new("CLUSTER").arg("SHARDS")
    }

    /// `CLUSTER SLOTS`: every slot range with its primary and replicas
    /// (deprecated by the server in favour of `CLUSTER SHARDS`, still answered).
    fn cluster_slots() -> Vec<SlotRange> {
        Cmd::new("CLUSTER").arg("SLOTS")
    }

    /// `CLUSTER NODES`: every node as this node sees it.
    fn cluster_nodes() -> ClusterNodes {
        Cmd::new("CLUSTER").arg("NODES")
    }

    /// `CLUSTER REPLICAS node-id`: the replicas of a primary.
    fn cluster_replicas(node_id: impl ToArgs) -> Vec<ClusterNode> {
        Cmd::new("CLUSTER").arg("REPLICAS").arg(node_id)
    }

    /// `CLUSTER INFO`: the cluster's state as this node sees it.
    fn cluster_info() -> ClusterInfo {
        Cmd::new("CLUSTER").arg("INFO")
    }

    /// `CLUSTER MYID`: this node's id.
    fn cluster_myid() -> String {
        Cmd::new("CLUSTER").arg("MYID")
    }

    /// `CLUSTER MYSHARDID`: the id of this node's shard. Redis 7.2+.
    fn cluster_myshardid() -> String {
        Cmd::new("CLUSTER").arg("MYSHARDID")
    }

    /// `CLUSTER LINKS`: this node's cluster bus links, both directions.
    /// Redis 7.0+.
    fn cluster_links() -> Vec<ClusterLink> {
        Cmd::new("CLUSTER").arg("LINKS")
    }

    /// `CLUSTER KEYSLOT key`: the hash slot of `key` (hash tags included).
    fn cluster_keyslot(key: impl ToArgs) -> u16 {
        Cmd::new("CLUSTER").arg("KEYSLOT").arg(key)
    }

    /// `CLUSTER COUNTKEYSINSLOT slot`: how many keys this node holds in `slot`.
    fn cluster_countkeysinslot(slot: u16) -> u64 {
        Cmd::new("CLUSTER").arg("COUNTKEYSINSLOT").arg(slot)
    }

    /// `CLUSTER GETKEYSINSLOT slot count`: up to `count` of this node's keys
    /// in `slot`.
    fn cluster_getkeysinslot<T: FromValue>(slot: u16, count: u64) -> Vec<T> {
        Cmd::new("CLUSTER").arg("GETKEYSINSLOT").arg(slot).arg(count)
    }

    /// `CLUSTER COUNT-FAILURE-REPORTS node-id`: how many primaries currently
    /// report the node as failing.
    fn cluster_count_failure_reports(node_id: impl ToArgs) -> u64 {
        Cmd::new("CLUSTER").arg("COUNT-FAILURE-REPORTS").arg(node_id)
    }

    /// `CLUSTER SLOT-STATS SLOTSRANGE ...|ORDERBY ...`: per-slot usage of
    /// this node's slots. Redis 8.2+.
    fn cluster_slot_stats(query: SlotStatsQuery) -> Vec<SlotStats> {
        Cmd::new("CLUSTER").arg("SLOT-STATS").arg(query)
    }
}

/// One shard of `CLUSTER SHARDS`: a primary, its replicas, and its slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterShard {
    /// Its slot ranges, inclusive at both ends.
    pub slots: Vec<(u16, u16)>,
    /// Its nodes, primary and replicas.
    pub nodes: Vec<ShardNode>,
}

/// A node of a [`ClusterShard`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardNode {
    /// The node's id.
    pub id: String,
    /// Its plain-text port, if it has one.
    pub port: Option<u16>,
    /// Its TLS port, if it has one.
    pub tls_port: Option<u16>,
    /// Its IP address.
    pub ip: String,
    /// What clients should connect to (an IP, a hostname, or `?`).
    pub endpoint: String,
    /// Its announced hostname, if any.
    pub hostname: Option<String>,
    /// Primary or replica.
    pub role: NodeRole,
    /// Its replication offset.
    pub replication_offset: u64,
    /// Whether it serves.
    pub health: NodeHealth,
}

/// A node's role in its shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRole {
    /// The primary (`master`).
    Master,
    /// A replica.
    Replica,
}

/// A shard node's health (`CLUSTER SHARDS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeHealth {
    /// `online`: it serves.
    Online,
    /// `failed`: it is considered down.
    Failed,
    /// `loading`: a replica loading its data set.
    Loading,
    /// A state this client does not know, as the server named it.
    Other(String),
}

impl FromValue for ClusterShard {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "CLUSTER SHARDS entry")?;
        Ok(ClusterShard {
            slots: fields.or_default("slots")?,
            nodes: fields.or_default("nodes")?,
        })
    }
}

impl FromValue for ShardNode {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "CLUSTER SHARDS node")?;
        let role: String = fields.required("role")?;
        let role = match role.as_str() {
            "master" => NodeRole::Master,
            "replica" | "slave" => NodeRole::Replica,
            other => {
                return Err(Error::protocol(format!(
                    "CLUSTER SHARDS node role {other:?}"
                )));
            }
        };
        let health: String = fields.required("health")?;
        let health = match health.as_str() {
            "online" => NodeHealth::Online,
            "failed" => NodeHealth::Failed,
            "loading" => NodeHealth::Loading,
            _ => NodeHealth::Other(health),
        };
        Ok(ShardNode {
            id: fields.required("id")?,
            port: fields.optional("port")?,
            tls_port: fields.optional("tls-port")?,
            ip: fields.or_default("ip")?,
            endpoint: fields.or_default("endpoint")?,
            hostname: fields.optional("hostname")?,
            role,
            replication_offset: fields.or_default("replication-offset")?,
            health,
        })
    }
}

/// One range of `CLUSTER SLOTS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRange {
    /// The first slot.
    pub start: u16,
    /// The last slot (inclusive).
    pub end: u16,
    /// The primary serving it.
    pub master: SlotNode,
    /// Its replicas.
    pub replicas: Vec<SlotNode>,
}

/// A node of a [`SlotRange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotNode {
    /// What clients should connect to (an IP or hostname); `None` when the
    /// node's endpoint is unknown.
    pub endpoint: Option<String>,
    /// Its port.
    pub port: u16,
    /// Its node id.
    pub id: String,
    /// Other endpoints it announced (`hostname`, `ip`).
    pub metadata: Vec<(String, String)>,
}

impl FromValue for SlotNode {
    fn from_value(value: Value) -> Result<Self> {
        let mut items = elements(value, "CLUSTER SLOTS node")?.into_iter();
        let mut next = || {
            items
                .next()
                .ok_or_else(|| Error::protocol("CLUSTER SLOTS node with fewer than 3 elements"))
        };
        let endpoint = Option::<String>::from_value(next()?)?;
        let port = u16::from_value(next()?)?;
        let id = String::from_value(next()?)?;
        let metadata = items.next().map(Vec::from_value).transpose()?;
        Ok(SlotNode {
            endpoint,
            port,
            id,
            metadata: metadata.unwrap_or_default(),
        })
    }
}

impl FromValue for SlotRange {
    fn from_value(value: Value) -> Result<Self> {
        let mut items = elements(value, "CLUSTER SLOTS range")?.into_iter();
        let mut next = || {
            items
                .next()
                .ok_or_else(|| Error::protocol("CLUSTER SLOTS range with fewer than 3 elements"))
        };
        let start = u16::from_value(next()?)?;
        let end = u16::from_value(next()?)?;
        let master = SlotNode::from_value(next()?)?;
        let replicas = items.map(SlotNode::from_value).collect::<Result<_>>()?;
        Ok(SlotRange {
            start,
            end,
            master,
            replicas,
        })
    }
}

/// One node of `CLUSTER NODES` (or `CLUSTER REPLICAS`), parsed from its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterNode {
    /// The node's id.
    pub id: String,
    /// Its IP address (empty when unknown).
    pub ip: String,
    /// Its client port.
    pub port: u16,
    /// Its cluster bus port.
    pub bus_port: u16,
    /// Its announced hostname, if any.
    pub hostname: Option<String>,
    /// Its flags: `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`,
    /// `noaddr`, `nofailover`, `noflags`.
    pub flags: Vec<String>,
    /// For a replica, its primary's id.
    pub master_id: Option<String>,
    /// When the pending ping was sent, if one is pending.
    pub ping_sent: Option<SystemTime>,
    /// When the last pong was received, if ever.
    pub pong_received: Option<SystemTime>,
    /// Its configuration epoch.
    pub config_epoch: u64,
    /// Whether the cluster bus link to it is up.
    pub connected: bool,
    /// The slot ranges it serves, inclusive at both ends.
    pub slots: Vec<(u16, u16)>,
    /// Slots it is moving to other nodes: `(slot, destination id)`.
    pub migrating: Vec<(u16, String)>,
    /// Slots it is receiving from other nodes: `(slot, source id)`.
    pub importing: Vec<(u16, String)>,
}

impl ClusterNode {
    /// Parses one line of `CLUSTER NODES`.
    pub fn parse(line: &str) -> Result<ClusterNode> {
        let bad = || Error::protocol(format!("CLUSTER NODES line {line:?}"));
        let mut words = line.split_whitespace();
        let mut next = || words.next().ok_or_else(bad);
        let id = next()?.to_owned();
        let address = next()?;
        let (address, hostname) = match address.split_once(',') {
            // `ip:port@bus,hostname[,aux=value ...]`
            Some((address, rest)) => {
                let hostname = rest
                    .split(',')
                    .next()
                    .filter(|h| !h.is_empty() && !h.contains('='));
                (address, hostname.map(str::to_owned))
            }
            None => (address, None),
        };
        let (ip_port, bus_port) = address.split_once('@').unwrap_or((address, "0"));
        let (ip, port) = ip_port.rsplit_once(':').ok_or_else(bad)?;
        let flags = next()?.split(',').map(str::to_owned).collect();
        let master_id = Some(next()?).filter(|m| *m != "-").map(str::to_owned);
        let time = |text: &str| -> Result<Option<SystemTime>> {
            let millis: i64 = text.parse().map_err(|_| bad())?;
            Ok(if millis > 0 {
                Some(unix_millis(millis)?)
            } else {
                None
            })
        };
        let ping_sent = time(next()?)?;
        let pong_received = time(next()?)?;
        let config_epoch = next()?.parse().map_err(|_| bad())?;
        let connected = next()? == "connected";
        let mut node = ClusterNode {
            id,
            ip: ip.to_owned(),
            port: parse_or(port, bad)?,
            bus_port: parse_or(bus_port, bad)?,
            hostname,
            flags,
            master_id,
            ping_sent,
            pong_received,
            config_epoch,
            connected,
            slots: Vec::new(),
            migrating: Vec::new(),
            importing: Vec::new(),
        };
        for word in words {
            if let Some(moving) = word.strip_prefix('[').and_then(|w| w.strip_suffix(']')) {
                if let Some((slot, to)) = moving.split_once("->-") {
                    node.migrating.push((parse_or(slot, bad)?, to.to_owned()));
                } else if let Some((slot, from)) = moving.split_once("-<-") {
                    node.importing.push((parse_or(slot, bad)?, from.to_owned()));
                }
            } else if let Some((start, end)) = word.split_once('-') {
                node.slots
                    .push((parse_or(start, bad)?, parse_or(end, bad)?));
            } else {
                let slot = parse_or(word, bad)?;
                node.slots.push((slot, slot));
            }
        }
        Ok(node)
    }

    /// True for the node that answered.
    pub fn is_myself(&self) -> bool {
        self.has_flag("myself")
    }

    /// True for a primary.
    pub fn is_master(&self) -> bool {
        self.has_flag("master")
    }

    /// True for a replica.
    pub fn is_replica(&self) -> bool {
        self.has_flag("slave")
    }

    /// True when the node has flag `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

fn parse_or<T: FromStr>(text: &str, bad: impl Fn() -> Error) -> Result<T> {
    text.parse().map_err(|_| bad())
}

/// From one `CLUSTER NODES` line (the elements of `CLUSTER REPLICAS`).
impl FromValue for ClusterNode {
    fn from_value(value: Value) -> Result<Self> {
        ClusterNode::parse(&String::from_value(value)?)
    }
}

/// The reply of `CLUSTER NODES`: one [`ClusterNode`] per line. (A type of
/// its own rather than `Vec<ClusterNode>` because the server sends one text,
/// not an array; it derefs to a slice and iterates.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterNodes(pub Vec<ClusterNode>);

impl ClusterNodes {
    /// The node that answered.
    pub fn myself(&self) -> Option<&ClusterNode> {
        self.0.iter().find(|n| n.is_myself())
    }

    /// The nodes, as a vector.
    pub fn into_vec(self) -> Vec<ClusterNode> {
        self.0
    }
}

impl Deref for ClusterNodes {
    type Target = [ClusterNode];

    fn deref(&self) -> &[ClusterNode] {
        &self.0
    }
}

impl IntoIterator for ClusterNodes {
    type Item = ClusterNode;
    type IntoIter = std::vec::IntoIter<ClusterNode>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ClusterNodes {
    type Item = &'a ClusterNode;
    type IntoIter = std::slice::Iter<'a, ClusterNode>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromValue for ClusterNodes {
    fn from_value(value: Value) -> Result<Self> {
        String::from_value(value)?
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(ClusterNode::parse)
            .collect::<Result<_>>()
            .map(ClusterNodes)
    }
}

/// The reply of `CLUSTER INFO`: `name:value` fields
/// (`cluster_state:ok`, `cluster_known_nodes:6` ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterInfo {
    fields: Vec<(String, String)>,
}

impl ClusterInfo {
    /// Field `name` parsed as `T`: `None` if missing or not a `T`.
    pub fn get<T: FromStr>(&self, name: &str) -> Option<T> {
        self.get_str(name)?.parse().ok()
    }

    /// The text of field `name`.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every field as `(name, text)`, in order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// True when `cluster_state` is `ok`: every slot is served.
    pub fn is_ok(&self) -> bool {
        self.get_str("cluster_state") == Some("ok")
    }
}

/// From the text of `CLUSTER INFO` (bulk or verbatim string).
impl FromValue for ClusterInfo {
    fn from_value(value: Value) -> Result<Self> {
        let fields = String::from_value(value)?
            .lines()
            .filter_map(|line| line.trim_end().split_once(':'))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        Ok(ClusterInfo { fields })
    }
}

/// Which way a cluster bus link goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDirection {
    /// `to`: this node connected to the peer.
    To,
    /// `from`: the peer connected to this node.
    From,
}

/// One cluster bus link (`CLUSTER LINKS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterLink {
    /// Which way it goes.
    pub direction: LinkDirection,
    /// The peer's node id.
    pub node: String,
    /// When it was created.
    pub created: SystemTime,
    /// The events it waits for (`r`, `w`, `rw`).
    pub events: String,
    /// Bytes allocated for its send buffer.
    pub send_buffer_allocated: u64,
    /// Bytes of its send buffer in use.
    pub send_buffer_used: u64,
}

impl FromValue for ClusterLink {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "CLUSTER LINKS entry")?;
        let direction: String = fields.required("direction")?;
        let direction = match direction.as_str() {
            "to" => LinkDirection::To,
            "from" => LinkDirection::From,
            other => {
                return Err(Error::protocol(format!(
                    "CLUSTER LINKS direction {other:?}"
                )));
            }
        };
        Ok(ClusterLink {
            direction,
            node: fields.required("node")?,
            created: unix_millis(fields.required("create-time")?)?,
            events: fields.or_default("events")?,
            send_buffer_allocated: fields.or_default("send-buffer-allocated")?,
            send_buffer_used: fields.or_default("send-buffer-used")?,
        })
    }
}

/// A per-slot figure of `CLUSTER SLOT-STATS`. All but `KeyCount` are
/// collected only with `cluster-slot-stats-enabled yes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotMetric {
    /// `key-count`: keys in the slot.
    KeyCount,
    /// `cpu-usec`: CPU time spent on the slot's commands.
    CpuUsec,
    /// `network-bytes-in`: bytes received for the slot's commands.
    NetworkBytesIn,
    /// `network-bytes-out`: bytes sent for them.
    NetworkBytesOut,
}

impl SlotMetric {
    fn name(self) -> &'static str {
        match self {
            SlotMetric::KeyCount => "key-count",
            SlotMetric::CpuUsec => "cpu-usec",
            SlotMetric::NetworkBytesIn => "network-bytes-in",
            SlotMetric::NetworkBytesOut => "network-bytes-out",
        }
    }
}

/// Which slots `CLUSTER SLOT-STATS` reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotStatsQuery(SlotQuery);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotQuery {
    Range(u16, u16),
    Order(SlotMetric, u32, bool),
}

impl SlotStatsQuery {
    /// `SLOTSRANGE start end`: the slots from `start` to `end` inclusive
    /// that this node serves.
    #[doc(alias = "SLOTSRANGE")]
    pub fn range(start: u16, end: u16) -> SlotStatsQuery {
        SlotStatsQuery(SlotQuery::Range(start, end))
    }

    /// `ORDERBY metric LIMIT limit DESC`: the `limit` slots with the most.
    #[doc(alias = "ORDERBY")]
    pub fn top(metric: SlotMetric, limit: u32) -> SlotStatsQuery {
        SlotStatsQuery(SlotQuery::Order(metric, limit, true))
    }

    /// `ORDERBY metric LIMIT limit ASC`: the `limit` slots with the least.
    #[doc(alias = "ORDERBY")]
    pub fn bottom(metric: SlotMetric, limit: u32) -> SlotStatsQuery {
        SlotStatsQuery(SlotQuery::Order(metric, limit, false))
    }
}

impl ToArgs for SlotStatsQuery {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.0 {
            SlotQuery::Range(start, end) => {
                cmd.push_arg("SLOTSRANGE").push_arg(start).push_arg(end);
            }
            SlotQuery::Order(metric, limit, descending) => {
                cmd.push_arg("ORDERBY")
                    .push_arg(metric.name())
                    .push_arg("LIMIT")
                    .push_arg(limit)
                    .push_arg(if descending { "DESC" } else { "ASC" });
            }
        }
    }
}

/// One slot's figures (`CLUSTER SLOT-STATS`); a figure the server does not
/// collect is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotStats {
    /// The slot.
    pub slot: u16,
    /// Keys in it.
    pub key_count: Option<u64>,
    /// CPU microseconds spent on its commands.
    pub cpu_usec: Option<u64>,
    /// Bytes received for its commands.
    pub network_bytes_in: Option<u64>,
    /// Bytes sent for its commands.
    pub network_bytes_out: Option<u64>,
}

impl FromValue for SlotStats {
    fn from_value(value: Value) -> Result<Self> {
        let (slot, stats) = <(u16, Value)>::from_value(value)?;
        let mut fields = Fields::new(stats, "CLUSTER SLOT-STATS entry")?;
        Ok(SlotStats {
            slot,
            key_count: fields.optional(SlotMetric::KeyCount.name())?,
            cpu_usec: fields.optional(SlotMetric::CpuUsec.name())?,
            network_bytes_in: fields.optional(SlotMetric::NetworkBytesIn.name())?,
            network_bytes_out: fields.optional(SlotMetric::NetworkBytesOut.name())?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn node_lines_with_slots_hostnames_and_migrations() {
        let line = "dec6 127.0.0.1:46111@56111,node-a myself,master - 0 1796217816148 1 connected \
                    0-5460 5470 [5461->-e9d1] [93-<-212c]";
        let node = ClusterNode::parse(line).unwrap();
        assert_eq!(node.id, "dec6");
        assert_eq!(
            (node.ip.as_str(), node.port, node.bus_port),
            ("127.0.0.1", 46111, 56111)
        );
        assert_eq!(node.hostname.as_deref(), Some("node-a"));
        assert!(node.is_myself() && node.is_master() && !node.is_replica());
        assert_eq!(node.master_id, None);
        assert_eq!(node.ping_sent, None);
        assert!(node.pong_received.is_some());
        assert!(node.connected);
        assert_eq!(node.slots, [(0, 5460), (5470, 5470)]);
        assert_eq!(node.migrating, [(5461, "e9d1".to_owned())]);
        assert_eq!(node.importing, [(93, "212c".to_owned())]);

        let replica = ClusterNode::parse("73e5 [::1]:43781@53781 slave e9d1 0 0 2 disconnected");
        let replica = replica.unwrap();
        assert_eq!(replica.ip, "[::1]");
        assert_eq!(replica.master_id.as_deref(), Some("e9d1"));
        assert!(!replica.connected && replica.slots.is_empty());

        assert!(ClusterNode::parse("only-an-id").is_err());
        assert!(ClusterNode::parse("id 1.2.3.4:x@1 master - 0 0 1 connected").is_err());
    }
}
