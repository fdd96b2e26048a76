//! `redis+sentinel://` URLs: the sentinels, the master's name and the data
//! nodes' settings in one string.

use std::time::Duration;

use percent_encoding::percent_decode_str;

use super::Sentinel;
use crate::config::{Addr, Config};
use crate::{Error, Result};

/// The sentinels' port when an address has none.
pub(crate) const SENTINEL_PORT: u16 = 26379;

/// What a `redis+sentinel://` URL opens.
pub(crate) struct Parsed {
    pub(crate) sentinel: Sentinel,
    pub(crate) name: String,
    pub(crate) replica: bool,
}

/// Parses `redis+sentinel://[user:pass@]host[:port][,host[:port]...]/name[/db][?options]`
/// (and `rediss+sentinel://`, TLS to the sentinels and the data nodes).
pub(crate) fn parse(url: &str) -> Result<Parsed> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("missing scheme (expected redis+sentinel:// or rediss+sentinel://)"))?;
    let data_scheme = match scheme.to_ascii_lowercase().as_str() {
        "redis+sentinel" => "redis",
        "rediss+sentinel" => "rediss",
        other => {
            return Err(bad(&format!(
                "unknown scheme {other:?} (expected redis+sentinel or rediss+sentinel)"
            )));
        }
    };
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = location
        .split_once('/')
        .ok_or_else(|| bad("missing the master's name after the sentinel addresses (/mymaster)"))?;
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => (Some(userinfo), hosts),
        None => (None, authority),
    };
    let mut segments = path.trim_end_matches('/').splitn(2, '/');
    let name = decode(segments.next().unwrap_or(""))?;
    if name.is_empty() {
        return Err(bad(
            "missing the master's name after the sentinel addresses (/mymaster)",
        ));
    }
    let db = segments.next().unwrap_or("");
    let addrs = hosts
        .split(',')
        .map(sentinel_addr)
        .collect::<Result<Vec<Addr>>>()?;
    let first = hosts.split(',').next().unwrap_or("");

    let mut node_options = Vec::new();
    let mut tls_options = Vec::new();
    let (mut sentinel_username, mut sentinel_password) = (None, None);
    let mut sentinel_timeout = None;
    let mut replica = false;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sentinel_username" => sentinel_username = Some(decode(value)?),
            "sentinel_password" => sentinel_password = Some(decode(value)?),
            "sentinel_timeout" => sentinel_timeout = Some(seconds(key, &decode(value)?)?),
            "client_type" => {
                replica = match decode(value)?.as_str() {
                    "master" => false,
                    "replica" | "slave" => true,
                    other => {
                        return Err(bad(&format!(
                            "client_type={other:?} (expected master or replica)"
                        )));
                    }
                }
            }
            _ => {
                if key.starts_with("ssl_") {
                    tls_options.push(pair);
                }
                node_options.push(pair);
            }
        }
    }
    // The data nodes' settings are those of a redis:// URL with the same
    // credentials, database and options: one parser, one set of rules.
    let credentials = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
    let node_url = format!(
        "{data_scheme}://{credentials}{first}/{db}?{}",
        node_options.join("&")
    );
    let node_config = Config::from_url(&node_url)?;
    // The sentinels share the transport (TLS and its CA), not the
    // credentials, which are their own.
    let sentinel_url = format!("{data_scheme}://{first}?{}", tls_options.join("&"));
    let mut sentinel_config = Config::from_url(&sentinel_url)?;
    if let Some(username) = sentinel_username {
        sentinel_config = sentinel_config.with_username(username);
    }
    if let Some(password) = sentinel_password {
        sentinel_config = sentinel_config.with_password(password);
    }
    let mut sentinel = Sentinel::from_addrs(addrs)?
        .with_node_config(node_config)
        .with_sentinel_config(sentinel_config);
    if let Some(timeout) = sentinel_timeout {
        sentinel = sentinel.with_sentinel_timeout(timeout);
    }
    Ok(Parsed {
        sentinel,
        name,
        replica,
    })
}

/// `host[:port]` or `[v6][:port]`, the port 26379 when left out.
pub(crate) fn sentinel_addr(text: &str) -> Result<Addr> {
    let text = text.trim();
    let has_port = match text.strip_prefix('[') {
        Some(rest) => rest.contains("]:"),
        None => text.contains(':'),
    };
    let with_port = if has_port {
        text.to_owned()
    } else {
        format!("{text}:{SENTINEL_PORT}")
    };
    Config::from_url(&format!("redis://{with_port}"))
        .map(|config| config.addr().clone())
        .map_err(|e| {
            Error::config(format!(
                "invalid sentinel address {text:?} (expected host:port): {e}"
            ))
        })
}

fn seconds(key: &str, value: &str) -> Result<Duration> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| bad(&format!("{key}={value:?} (expected seconds, such as 0.5)")))
}

fn decode(text: &str) -> Result<String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| bad("percent-encoded text is not valid UTF-8"))
}

/// Never quotes the URL: it may hold the passwords of the nodes and of the
/// sentinels.
fn bad(what: &str) -> Error {
    Error::config(format!("invalid redis+sentinel URL: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(host: &str, port: u16) -> Addr {
        Addr::Tcp {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn sentinels_name_database_and_both_credentials() {
        let parsed = parse(
            "redis+sentinel://app:s3cret@10.0.0.1:26380,[::1],sentinel.local/mymaster/2\
             ?sentinel_password=other&protocol=2",
        )
        .expect("a valid URL");
        assert_eq!(parsed.name, "mymaster");
        assert!(!parsed.replica);
        let sentinel = &parsed.sentinel;
        assert_eq!(
            sentinel.addrs,
            vec![
                tcp("10.0.0.1", 26380),
                tcp("::1", 26379),
                tcp("sentinel.local", 26379)
            ]
        );
        assert_eq!(sentinel.node_config.db(), 2);
        assert_eq!(sentinel.node_config.protocol(), crate::Protocol::Resp2);
        assert_eq!(sentinel.node_config.username.as_deref(), Some("app"));
        assert!(sentinel.node_config.password.is_some());
        assert!(sentinel.sentinel_config.username.is_none());
        assert!(sentinel.sentinel_config.password.is_some());
        assert!(!format!("{sentinel:?}").contains("s3cret"));
        assert!(!format!("{sentinel:?}").contains("other"));
    }

    #[test]
    fn the_replica_client_type_and_the_sentinel_timeout() {
        let parsed = parse("redis+sentinel://h/m?client_type=replica&sentinel_timeout=0.25")
            .expect("a valid URL");
        assert!(parsed.replica);
        assert_eq!(parsed.sentinel.timeout, Duration::from_millis(250));
    }

    #[test]
    fn bad_urls_say_what_is_wrong_without_quoting_secrets() {
        for (url, expected) in [
            ("redis://h/m", "unknown scheme"),
            ("redis+sentinel://h", "missing the master's name"),
            ("redis+sentinel://h/", "missing the master's name"),
            ("redis+sentinel://h:99999/m", "invalid sentinel address"),
            ("redis+sentinel://u:pw@h/m/x", "database"),
            ("redis+sentinel://h/m?client_type=x", "client_type"),
        ] {
            let error = parse(url)
                .map(|_| ())
                .expect_err("an invalid URL")
                .to_string();
            assert!(error.contains(expected), "{url}: {error}");
            assert!(!error.contains("pw@"), "{url}: {error}");
        }
    }
}
