//! The slot map: which primary serves each of the 16384 slots, built from
//! `CLUSTER SHARDS` (or `CLUSTER SLOTS` on servers before 7.0) and patched
//! one slot at a time by `MOVED` replies.

use std::sync::Arc;

use super::slots::SLOT_COUNT;
use crate::commands::{ClusterShard, NodeHealth, NodeRole, SlotRange};
use crate::{Error, Result};

/// Which node serves each slot. Nodes are held once, as `host:port`
/// strings (the form `MOVED` and `ASK` name them in), and slots point at
/// them by index, so the whole map is 32 KiB and a copy is cheap.
#[derive(Debug, Clone)]
pub(crate) struct SlotMap {
    primaries: Vec<Arc<str>>,
    /// The online replicas of each primary, by the primary's index.
    replicas: Vec<Vec<Arc<str>>>,
    /// Index into `primaries` per slot; `UNSERVED` for a slot no shard
    /// claimed.
    owners: Vec<u16>,
}

const UNSERVED: u16 = u16::MAX;

impl SlotMap {
    /// A map in which no slot is served: before the first discovery.
    pub(crate) fn empty() -> SlotMap {
        SlotMap {
            primaries: Vec::new(),
            replicas: Vec::new(),
            owners: vec![UNSERVED; usize::from(SLOT_COUNT)],
        }
    }

    /// The primary serving `slot`, if one is known.
    pub(crate) fn primary(&self, slot: u16) -> Option<&Arc<str>> {
        let index = *self.owners.get(usize::from(slot))?;
        self.primaries.get(usize::from(index))
    }

    /// Every primary that serves at least one slot.
    pub(crate) fn primaries(&self) -> &[Arc<str>] {
        &self.primaries
    }

    /// The replicas of the primary serving `slot`, as far as known.
    pub(crate) fn replicas(&self, slot: u16) -> &[Arc<str>] {
        self.owners
            .get(usize::from(slot))
            .and_then(|&index| self.replicas.get(usize::from(index)))
            .map_or(&[], Vec::as_slice)
    }

    /// Every replica of a primary that serves slots.
    pub(crate) fn all_replicas(&self) -> impl Iterator<Item = &Arc<str>> {
        self.replicas.iter().flatten()
    }

    /// Every node: the primaries that serve slots, then their replicas.
    pub(crate) fn nodes(&self) -> Vec<Arc<str>> {
        self.primaries
            .iter()
            .chain(self.all_replicas())
            .cloned()
            .collect()
    }

    /// How many slots have an owner.
    pub(crate) fn served(&self) -> usize {
        self.owners.iter().filter(|&&o| o != UNSERVED).count()
    }

    /// Records that `slot` is served by `node` now (a `MOVED` reply).
    pub(crate) fn assign(&mut self, slot: u16, node: &str) {
        let index = match self.primaries.iter().position(|p| &**p == node) {
            Some(index) => index,
            None => {
                self.primaries.push(Arc::from(node));
                self.replicas.push(Vec::new());
                self.primaries.len() - 1
            }
        };
        if let (Some(owner), Ok(index)) =
            (self.owners.get_mut(usize::from(slot)), u16::try_from(index))
        {
            *owner = index;
        }
    }

    fn assign_range(&mut self, start: u16, end: u16, node: &str) {
        for slot in start..=end.min(SLOT_COUNT - 1) {
            self.assign(slot, node);
        }
    }

    /// The map `CLUSTER SHARDS` describes: each shard's slots go to its
    /// online primary (a shard whose primary is failed keeps its slots
    /// unserved until a replica takes over). `tls` picks the TLS port.
    pub(crate) fn from_shards(shards: &[ClusterShard], tls: bool, asked: &str) -> Result<SlotMap> {
        let mut map = SlotMap::empty();
        for shard in shards {
            let primary = shard
                .nodes
                .iter()
                .find(|n| n.role == NodeRole::Master && n.health == NodeHealth::Online);
            let Some(primary) = primary else { continue };
            let port = if tls { primary.tls_port } else { primary.port };
            let Some(port) = port else { continue };
            let host = endpoint_host(&primary.endpoint, &primary.ip, asked);
            let node = node_name(&host, port);
            for &(start, end) in &shard.slots {
                map.assign_range(start, end, &node);
            }
            let replicas = shard
                .nodes
                .iter()
                .filter(|n| n.role == NodeRole::Replica && n.health == NodeHealth::Online)
                .filter_map(|n| {
                    let port = if tls { n.tls_port } else { n.port }?;
                    Some(node_name(&endpoint_host(&n.endpoint, &n.ip, asked), port))
                })
                .collect();
            map.set_replicas(&node, replicas);
        }
        map.check()
    }

    /// The map `CLUSTER SLOTS` describes.
    pub(crate) fn from_slots(ranges: &[SlotRange], asked: &str) -> Result<SlotMap> {
        let mut map = SlotMap::empty();
        for range in ranges {
            let endpoint = range.master.endpoint.as_deref().unwrap_or("?");
            let host = endpoint_host(endpoint, "", asked);
            let node = node_name(&host, range.master.port);
            map.assign_range(range.start, range.end, &node);
            let replicas = range
                .replicas
                .iter()
                .map(|r| {
                    let endpoint = r.endpoint.as_deref().unwrap_or("?");
                    node_name(&endpoint_host(endpoint, "", asked), r.port)
                })
                .collect();
            map.set_replicas(&node, replicas);
        }
        map.check()
    }

    /// Records the replicas of `primary` (a primary that serves slots).
    fn set_replicas(&mut self, primary: &str, replicas: Vec<String>) {
        let Some(index) = self.primaries.iter().position(|p| &**p == primary) else {
            return;
        };
        if let Some(known) = self.replicas.get_mut(index) {
            *known = replicas.into_iter().map(Arc::from).collect();
        }
    }

    fn check(self) -> Result<SlotMap> {
        if self.primaries.is_empty() {
            return Err(Error::new(
                crate::ErrorKind::Io,
                "the cluster named no primary that serves slots (is cluster mode enabled, and is the cluster formed?)",
            ));
        }
        Ok(self)
    }
}

/// The host to connect to for a node: its announced endpoint, else its IP;
/// `?` or an empty endpoint means "the address you reached me at", which
/// for the node that answered is the host we asked.
fn endpoint_host(endpoint: &str, ip: &str, asked: &str) -> String {
    let usable = |s: &str| !s.is_empty() && s != "?";
    if usable(endpoint) {
        endpoint.to_owned()
    } else if usable(ip) {
        ip.to_owned()
    } else {
        split_node(asked).map_or_else(|| asked.to_owned(), |(host, _)| host.to_owned())
    }
}

/// `host:port`, bracketing an IPv6 host, as `MOVED` names nodes.
pub(crate) fn node_name(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Splits `host:port` (or `[v6]:port`, or a bare `v6:port` as some
/// servers write it) into host and port.
pub(crate) fn split_node(node: &str) -> Option<(&str, u16)> {
    let (host, port) = node.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_patches_one_slot() {
        let mut map = SlotMap::empty();
        map.assign(0, "a:1");
        map.assign(1, "b:2");
        map.assign(2, "a:1");
        assert_eq!(map.primaries().len(), 2);
        assert_eq!(map.primary(2).map(|p| &**p), Some("a:1"));
        map.assign(2, "b:2");
        assert_eq!(map.primary(2).map(|p| &**p), Some("b:2"));
        assert_eq!(map.primary(3), None);
        assert_eq!(map.primary(SLOT_COUNT), None);
        assert_eq!(map.served(), 3);
    }

    #[test]
    fn node_names_round_trip() {
        assert_eq!(split_node("127.0.0.1:7000"), Some(("127.0.0.1", 7000)));
        assert_eq!(split_node("[::1]:7000"), Some(("::1", 7000)));
        assert_eq!(split_node("::1:7000"), Some(("::1", 7000)));
        assert_eq!(node_name("::1", 7000), "[::1]:7000");
        assert_eq!(split_node("nohost"), None);
        assert_eq!(endpoint_host("?", "", "10.0.0.1:7000"), "10.0.0.1");
    }
}
