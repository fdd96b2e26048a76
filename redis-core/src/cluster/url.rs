//! `redis+cluster://` URLs: the startup nodes and every node's settings in
//! one string.

use std::time::Duration;

use super::topology::{node_name, split_node};
use crate::config::Config;
use crate::{Error, Result};

/// What a `redis+cluster://` URL opens.
#[derive(Debug)]
pub(super) struct Parsed {
    /// Every node's settings (credentials, protocol, timeouts, TLS); its
    /// address is the first startup node.
    pub(super) config: Config,
    /// `host:port` of each node given.
    pub(super) startup: Vec<String>,
    pub(super) read_from_replicas: bool,
    /// `topology_refresh=`: the period of the background refresh (`none`
    /// turns it off); `None` when not given (the default period).
    pub(super) topology_refresh: Option<Option<Duration>>,
}

/// Parses `redis+cluster://[user:pass@]host:port[,host:port...][/][?options]`
/// (and `rediss+cluster://`, TLS to every node). The options are those of a
/// `redis://` URL, plus `read_from_replicas=true|false` and
/// `topology_refresh=10s|500ms|none` (see
/// [`ClusterClient::set_topology_refresh`](super::ClusterClient::set_topology_refresh));
/// a database other
/// than 0 is refused later, as for every cluster configuration.
pub(super) fn parse(url: &str) -> Result<Parsed> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("missing scheme (expected redis+cluster:// or rediss+cluster://)"))?;
    let node_scheme = match scheme.to_ascii_lowercase().as_str() {
        "redis+cluster" => "redis",
        "rediss+cluster" => "rediss",
        other => {
            return Err(bad(&format!(
                "unknown scheme {other:?} (expected redis+cluster or rediss+cluster)"
            )));
        }
    };
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = location.split_once('/').unwrap_or((location, ""));
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => (Some(userinfo), hosts),
        None => (None, authority),
    };
    let startup = hosts
        .split(',')
        .map(|node| {
            let (host, port) = split_node(node)
                .filter(|(host, _)| !host.is_empty())
                .ok_or_else(|| bad(&format!("a cluster node must be host:port, not {node:?}")))?;
            Ok(node_name(host, port))
        })
        .collect::<Result<Vec<String>>>()?;
    let first = startup
        .first()
        .ok_or_else(|| bad("no node to start from"))?;
    let mut read_from_replicas = false;
    let mut topology_refresh = None;
    let mut node_options = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=').unwrap_or((pair, "")) {
            ("read_from_replicas", value) => {
                read_from_replicas = match value {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    other => {
                        return Err(bad(&format!(
                            "read_from_replicas={other:?} (expected true or false)"
                        )));
                    }
                }
            }
            ("topology_refresh", value) => {
                let period = crate::url::parse_timeout(url, "topology_refresh", value)?;
                topology_refresh = Some(period);
            }
            _ => node_options.push(pair),
        }
    }
    // Every node's settings are those of a redis:// URL to the first one:
    // one parser, one set of rules (and its errors mask the password).
    let credentials = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
    let node_url = format!(
        "{node_scheme}://{credentials}{first}/{path}?{}",
        node_options.join("&")
    );
    let config = Config::from_url(&node_url)?;
    Ok(Parsed {
        config,
        startup,
        read_from_replicas,
        topology_refresh,
    })
}

fn bad(why: &str) -> Error {
    Error::config(format!("invalid cluster URL: {why}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn nodes_options_and_credentials() {
        let parsed = parse(
            "redis+cluster://u:p%40ss@10.0.0.1:7000,[::1]:7001/?protocol=2&read_from_replicas=true",
        )
        .unwrap();
        assert_eq!(parsed.startup, ["10.0.0.1:7000", "[::1]:7001"]);
        assert!(parsed.read_from_replicas);
        assert_eq!(parsed.config.addr().to_string(), "10.0.0.1:7000");
        assert_eq!(parsed.config.protocol, crate::Protocol::Resp2);
        assert_eq!(parsed.topology_refresh, None);
        let refresh = parse("redis+cluster://h:7000?topology_refresh=500ms").unwrap();
        let period = std::time::Duration::from_millis(500);
        assert_eq!(refresh.topology_refresh, Some(Some(period)));
        let off = parse("redis+cluster://h:7000?topology_refresh=none").unwrap();
        assert_eq!(off.topology_refresh, Some(None));
        let plain = parse("redis+cluster://h:7000").unwrap();
        assert!(!plain.read_from_replicas);
        assert_eq!(plain.startup, ["h:7000"]);
    }

    #[test]
    fn bad_urls_say_why_and_hide_the_password() {
        for (url, why) in [
            ("redis://h:7000", "unknown scheme"),
            ("redis+cluster://h", "host:port"),
            ("redis+cluster://h:7000,:1", "host:port"),
            (
                "redis+cluster://h:7000?read_from_replicas=maybe",
                "read_from_replicas",
            ),
            ("redis+cluster://u:secret@h:7000?nope=1", "nope"),
            (
                "redis+cluster://u:secret@h:7000?topology_refresh=soon",
                "topology_refresh",
            ),
        ] {
            let error = parse(url).unwrap_err().to_string();
            assert!(error.contains(why), "{url}: {error}");
            assert!(!error.contains("secret"), "{url}: {error}");
        }
    }
}
