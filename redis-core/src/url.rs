//! Connection URLs.
//!
//! Accepted forms:
//!
//! - `redis://[[user]:password@]host[:port][/db][?options]` (port 6379 by default)
//! - `rediss://...`: the same over TLS (the server's certificate verified
//!   against the built-in roots, see [`crate::TlsConfig`])
//! - `unix:///path/to/redis.sock[?options]` (database via `db=`)
//!
//! Options, named as redis-py's `from_url` names them where it has them:
//!
//! - `db=N`, `protocol=2|3` (also `resp2`/`resp3`), `client_name=`;
//! - `username=`, `password=`: the credentials, for URLs that cannot carry
//!   them before the host (`unix://`), or as redis-py users write them;
//!   each may be given once, in the user info or as an option;
//! - `timeout=` or `socket_timeout=` (the response timeout),
//!   `connect_timeout=` or `socket_connect_timeout=`,
//!   `health_check_interval=` (`0` turns the check off): durations are
//!   seconds (`1.5`) or carry a unit (`500ms`, `2s`); a response timeout of
//!   `0` or `none` waits forever;
//! - `socket_keepalive=true|false`, `retry_on_timeout=true|false`;
//! - over TLS: `ssl_ca_certs=PATH` (trust this CA file instead of the
//!   built-in roots) or `ssl_ca_data=PEM`, `ssl_certfile=PATH&ssl_keyfile=PATH`
//!   (a client certificate, for mutual TLS), `ssl_cert_reqs=none` (accept
//!   any certificate: tests only), `ssl_check_hostname=true`.
//!
//! User, password and values are percent-decoded. Anything else is an error
//! that names what is wrong, and quotes the URL with every secret in it (the
//! password in the user info, the value of `password=` and of any option
//! this list does not name) replaced by `***`.
//!
//! ```
//! use redis_core::{Addr, Config, Protocol};
//! let config = Config::from_url("redis://app:p%40ss@[::1]:7000/3?protocol=2&timeout=250ms")?;
//! assert_eq!(config.addr(), &Addr::Tcp { host: "::1".into(), port: 7000 });
//! assert_eq!(config.db(), 3);
//! assert_eq!(config.protocol(), Protocol::Resp2);
//! assert!(Config::from_url("redis://host:99999").is_err());
//! # Ok::<(), redis_core::Error>(())
//! ```

use std::path::PathBuf;
use std::time::Duration;

use percent_encoding::percent_decode_str;

use crate::config::{Addr, Config, Protocol};
use crate::{Error, Result};

impl Config {
    /// Parses a `redis://`, `rediss://` or `unix://` URL; see [`crate::url`]
    /// for the accepted forms.
    ///
    /// (Here rather than in `config.rs`, so that the dependency goes one
    /// way: the parser builds a `Config` through its public builders, and
    /// `Config` knows nothing of URLs.)
    pub fn from_url(url: &str) -> Result<Self> {
        parse(url)
    }
}

/// Which credentials the URL gave so far: each may be given once, in the
/// user info or as an option.
#[derive(Default)]
struct Given {
    username: bool,
    password: bool,
}

/// Parses a connection URL into a [`Config`].
fn parse(url: &str) -> Result<Config> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        bad(
            url,
            "missing scheme (expected redis://, rediss:// or unix://)",
        )
    })?;
    if credentials_end(rest).is_some_and(|at| at > authority_end(rest)) {
        return Err(bad(
            url,
            "the user name or password contains '/' or '?': percent-encode them (%2F, %3F)",
        ));
    }
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    if location.contains('#') || query.contains('#') {
        return Err(bad(url, "fragments (#...) are not allowed"));
    }
    let (mut config, mut given) = match scheme.to_ascii_lowercase().as_str() {
        "redis" => parse_tcp(url, location)?,
        "rediss" => parse_tcp(url, location)?,
        "unix" | "redis+unix" => (parse_unix(url, location)?, Given::default()),
        "redis+sentinel" | "rediss+sentinel" => {
            return Err(bad(
                url,
                "a Sentinel URL names a group, not one server: open it with \
                 Sentinel::connect_url (or Sentinel::from_url)",
            ));
        }
        other => {
            return Err(bad(
                url,
                &format!("unknown scheme {other:?} (expected redis, rediss or unix)"),
            ));
        }
    };
    let mut tls = TlsOptions::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(url, value)?;
        if !tls.take(url, key, &value)? {
            config = apply_option(url, config, &mut given, key, &value)?;
        }
    }
    let over_tls = scheme.eq_ignore_ascii_case("rediss");
    if !over_tls && tls.given {
        return Err(bad(url, "ssl_* options need a rediss:// URL"));
    }
    if over_tls {
        tls.apply(url, config)
    } else {
        Ok(config)
    }
}

/// The `ssl_*` options, named as redis-py names them.
#[derive(Default)]
struct TlsOptions {
    given: bool,
    ca_certs: Option<String>,
    ca_data: Option<String>,
    certfile: Option<String>,
    keyfile: Option<String>,
    accept_any: bool,
}

impl TlsOptions {
    /// Takes `key` if it is a TLS option; false if it is not one.
    fn take(&mut self, url: &str, key: &str, value: &str) -> Result<bool> {
        let slot = match key {
            "ssl_ca_certs" => &mut self.ca_certs,
            "ssl_ca_data" => &mut self.ca_data,
            "ssl_certfile" => &mut self.certfile,
            "ssl_keyfile" => &mut self.keyfile,
            "ssl_check_hostname" => {
                if !parse_bool(url, key, value)? {
                    return Err(bad(
                        url,
                        "ssl_check_hostname=false is not supported: name the certificate's host \
                         with TlsConfig::with_server_name, or (tests only) ssl_cert_reqs=none",
                    ));
                }
                self.given = true;
                return Ok(true);
            }
            "ssl_password" => {
                return Err(bad(
                    url,
                    "ssl_password (a password-protected private key) is not supported: give \
                     ssl_keyfile an unencrypted PEM key",
                ));
            }
            "ssl_cert_reqs" => {
                self.accept_any = match value.to_ascii_lowercase().as_str() {
                    "none" => true,
                    "required" => false,
                    _ => {
                        return Err(bad(
                            url,
                            &format!("invalid ssl_cert_reqs {value:?} (expected none or required)"),
                        ));
                    }
                };
                self.given = true;
                return Ok(true);
            }
            _ => return Ok(false),
        };
        *slot = Some(value.to_owned());
        self.given = true;
        Ok(true)
    }

    #[cfg(feature = "tls")]
    fn apply(self, url: &str, config: Config) -> Result<Config> {
        let mut tls = crate::tls::TlsConfig::new();
        match (&self.ca_certs, &self.ca_data) {
            (Some(path), None) => tls = tls.with_ca_file(path)?,
            (None, Some(pem)) => tls = tls.with_ca_pem(pem.as_bytes())?,
            (None, None) => {}
            (Some(_), Some(_)) => {
                return Err(bad(url, "give ssl_ca_certs or ssl_ca_data, not both"));
            }
        }
        match (&self.certfile, &self.keyfile) {
            (Some(cert), Some(key)) => tls = tls.with_client_cert_files(cert, key)?,
            (None, None) => {}
            _ => return Err(bad(url, "ssl_certfile and ssl_keyfile go together")),
        }
        if self.accept_any {
            tls = tls.dangerously_accept_any_certificate();
        }
        Ok(config.with_tls(tls))
    }

    #[cfg(not(feature = "tls"))]
    fn apply(self, url: &str, _config: Config) -> Result<Config> {
        Err(bad(
            url,
            "rediss:// needs redis-core's `tls` feature, which this build leaves out",
        ))
    }
}

fn parse_tcp(url: &str, location: &str) -> Result<(Config, Given)> {
    let (authority, path) = location.split_once('/').unwrap_or((location, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    let (host, port) = split_host_port(url, hostport)?;
    let mut config = Config::new(Addr::Tcp { host, port });
    let mut given = Given::default();
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (userinfo, None),
        };
        let user = decode(url, user)?;
        match password {
            Some(password) => {
                config = config.with_password(decode(url, password)?);
                given.password = true;
                if !user.is_empty() {
                    config = config.with_username(user);
                    given.username = true;
                }
            }
            // `redis://secret@host` is the old password-only form.
            None if !user.is_empty() => {
                config = config.with_password(user);
                given.password = true;
            }
            None => {}
        }
    }
    let path = path.trim_end_matches('/');
    if !path.is_empty() {
        config = config.with_db(parse_db(url, path)?);
    }
    Ok((config, given))
}

fn split_host_port(url: &str, hostport: &str) -> Result<(String, u16)> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| bad(url, "unclosed '[' in an IPv6 address"))?;
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err(bad(url, "unexpected text after the IPv6 address")),
            },
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(bad(url, "missing host"));
    }
    let port = match port {
        None => 6379,
        Some(text) => text
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad(url, &format!("invalid port {text:?} (expected 1-65535)")))?,
    };
    Ok((decode(url, host)?, port))
}

fn parse_unix(url: &str, location: &str) -> Result<Config> {
    let path = decode(url, location)?;
    if !path.starts_with('/') {
        return Err(bad(
            url,
            "a unix socket path must be absolute (unix:///path/to/socket)",
        ));
    }
    Ok(Config::new(Addr::Unix(PathBuf::from(path))))
}

fn apply_option(
    url: &str,
    config: Config,
    given: &mut Given,
    key: &str,
    value: &str,
) -> Result<Config> {
    Ok(match key {
        "db" => config.with_db(parse_db(url, value)?),
        "protocol" => config.with_protocol(match value.to_ascii_lowercase().as_str() {
            "2" | "resp2" => Protocol::Resp2,
            "3" | "resp3" => Protocol::Resp3,
            _ => {
                return Err(bad(
                    url,
                    &format!("invalid protocol {value:?} (expected 2 or 3)"),
                ));
            }
        }),
        "timeout" | "response_timeout" | "socket_timeout" => {
            config.with_response_timeout(parse_timeout(url, key, value)?)
        }
        "connect_timeout" | "socket_connect_timeout" => config.with_connect_timeout(
            parse_timeout(url, key, value)?
                .ok_or_else(|| bad(url, &format!("{key} must be positive")))?,
        ),
        "health_check_interval" => {
            config.with_health_check_interval(parse_timeout(url, key, value)?)
        }
        "socket_keepalive" => config.with_tcp_keepalive(match parse_bool(url, key, value)? {
            true => Config::DEFAULT_TCP_KEEPALIVE,
            false => None,
        }),
        // The URL's config starts from the default policy.
        "retry_on_timeout" => config.with_retry(
            crate::retry::Retry::default().retry_on_timeout(parse_bool(url, key, value)?),
        ),
        "client_name" => config.with_client_name(value),
        "username" => {
            if std::mem::replace(&mut given.username, true) {
                return Err(bad(
                    url,
                    "the user name is given twice (user info and username=)",
                ));
            }
            config.with_username(value)
        }
        "password" => {
            if std::mem::replace(&mut given.password, true) {
                return Err(bad(
                    url,
                    "the password is given twice (user info and password=)",
                ));
            }
            config.with_password(value)
        }
        _ => return Err(bad(url, &format!("unknown option {key:?}"))),
    })
}

/// A flag as redis-py reads one: `true`/`false`, `yes`/`no`, `1`/`0`, in
/// any case.
fn parse_bool(url: &str, key: &str, text: &str) -> Result<bool> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "on" => Ok(true),
        "0" | "false" | "no" | "n" | "off" => Ok(false),
        _ => Err(bad(
            url,
            &format!("invalid {key} {text:?} (expected true or false)"),
        )),
    }
}

fn parse_db(url: &str, text: &str) -> Result<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|db| *db >= 0)
        .ok_or_else(|| {
            bad(
                url,
                &format!("invalid database {text:?} (expected a number >= 0)"),
            )
        })
}

pub(crate) fn parse_timeout(url: &str, key: &str, text: &str) -> Result<Option<Duration>> {
    let invalid = || {
        bad(
            url,
            &format!("invalid {key} {text:?} (expected seconds, or a number with ms/s)"),
        )
    };
    if text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 1.0)
    };
    let seconds = number.parse::<f64>().map_err(|_| invalid())? * scale;
    if !(0.0..=1e9).contains(&seconds) {
        return Err(invalid());
    }
    Ok((seconds > 0.0).then(|| Duration::from_secs_f64(seconds)))
}

fn decode(url: &str, text: &str) -> Result<String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| bad(url, "percent-encoded text is not valid UTF-8"))
}

/// A URL error that never repeats the URL's password.
fn bad(url: &str, what: &str) -> Error {
    Error::config(format!("invalid Redis URL {:?}: {what}", redact(url)))
}

/// The URL as given, but with `***` for the password of the user info and
/// for the value of every option that may hold a secret: `password`,
/// `ssl_password`, and any option not known to hold none (a misspelt
/// `pasword=` is still a password). Also when the URL is malformed: what
/// looks like user info or options is treated as such.
fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let mut out = String::with_capacity(url.len());
    if let Some(scheme) = scheme {
        out.push_str(scheme);
        out.push_str("://");
    }
    let after_credentials = match credentials_end(rest) {
        Some(at) => {
            let user = rest[..at].split_once(':').map_or("", |(user, _)| user);
            out.push_str(user);
            out.push_str(":***@");
            &rest[at + 1..]
        }
        None => rest,
    };
    let Some((location, query)) = after_credentials.split_once('?') else {
        out.push_str(after_credentials);
        return out;
    };
    out.push_str(location);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, _)) if !shows_its_value(key) => {
                out.push_str(key);
                out.push_str("=***");
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// True for the options whose values are never secret, so that an error can
/// quote them (percent-decoded names, as the parser reads them).
fn shows_its_value(key: &str) -> bool {
    const PLAIN: [&str; 19] = [
        "db",
        "protocol",
        "timeout",
        "response_timeout",
        "socket_timeout",
        "connect_timeout",
        "socket_connect_timeout",
        "health_check_interval",
        "socket_keepalive",
        "retry_on_timeout",
        "client_name",
        "username",
        "ssl_ca_certs",
        "ssl_ca_data",
        "ssl_certfile",
        "ssl_keyfile",
        "ssl_cert_reqs",
        "ssl_check_hostname",
        "ssl_ca_path",
    ];
    PLAIN.contains(&key)
}

/// Where the host part would end if the credentials were well formed.
fn authority_end(rest: &str) -> usize {
    rest.find(['/', '?']).unwrap_or(rest.len())
}

/// The `@` that ends the user name and password, if there are any. Also
/// found when the password holds a raw `/` or `?` (which end the host part
/// early): a database path or an option name never holds an `@`, so an `@`
/// there belongs to the credentials.
fn credentials_end(rest: &str) -> Option<usize> {
    if let Some(at) = rest[..authority_end(rest)].rfind('@') {
        return Some(at);
    }
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    if let Some(at) = location.rfind('@') {
        return Some(at);
    }
    let first_name = &query[..query.find(['=', '&']).unwrap_or(query.len())];
    first_name.rfind('@').map(|at| location.len() + 1 + at)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn full_tcp_url() {
        let c = parse("redis://alice:s3cr%3At@redis.example:6380/4?protocol=resp2&timeout=1.5&connect_timeout=200ms&client_name=api").unwrap();
        assert_eq!(
            c.addr,
            Addr::Tcp {
                host: "redis.example".into(),
                port: 6380
            }
        );
        assert_eq!(c.username.as_deref(), Some("alice"));
        assert_eq!(c.password.as_ref().map(|p| p.expose()), Some("s3cr:t"));
        assert_eq!(c.db, 4);
        assert_eq!(c.protocol, Protocol::Resp2);
        assert_eq!(c.response_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(c.connect_timeout, Duration::from_millis(200));
        assert_eq!(c.client_name.as_deref(), Some("api"));
    }

    #[test]
    fn defaults_and_short_forms() {
        let c = parse("redis://localhost").unwrap();
        assert_eq!(
            c.addr,
            Addr::Tcp {
                host: "localhost".into(),
                port: 6379
            }
        );
        assert_eq!(c.db, 0);
        assert!(c.password.is_none());
        let c = parse("redis://:pw@h/").unwrap();
        assert!(c.username.is_none());
        assert_eq!(c.password.unwrap().expose(), "pw");
        assert!(parse("rediss://h").unwrap().tls.is_some());
        assert!(parse("redis://h").unwrap().tls.is_none());
        let insecure = parse("rediss://h?ssl_cert_reqs=none").unwrap();
        assert!(format!("{:?}", insecure.tls).contains("verify: false"));
        for refused in [
            "redis://h?ssl_cert_reqs=none",
            "rediss://h?ssl_cert_reqs=maybe",
            "rediss://h?ssl_certfile=/c.crt",
            "rediss://h?ssl_ca_certs=/no/such/ca.crt",
        ] {
            assert!(parse(refused).is_err(), "{refused} was accepted");
        }
        assert_eq!(parse("redis://h?timeout=0").unwrap().response_timeout, None);
    }

    #[test]
    fn unix_sockets() {
        let c = parse("unix:///run/redis.sock?db=2").unwrap();
        assert_eq!(c.addr, Addr::Unix("/run/redis.sock".into()));
        assert_eq!(c.db, 2);
        assert!(parse("unix://relative.sock").is_err());
    }

    #[test]
    fn errors_say_what_is_wrong_without_the_password() {
        let cases = [
            ("localhost:6379", "missing scheme"),
            ("http://h", "unknown scheme"),
            ("redis+sentinel://u:pw@h/mymaster", "Sentinel::connect_url"),
            ("redis://h:0", "invalid port"),
            ("redis://h:abc", "invalid port"),
            ("redis://:pw@h/x", "invalid database"),
            ("redis://h/-1", "invalid database"),
            ("redis://h?protocol=4", "invalid protocol"),
            ("redis://h?timeout=-1", "invalid timeout"),
            ("redis://h?bogus=1", "unknown option"),
            ("redis://[::1", "unclosed"),
            ("redis://", "missing host"),
            ("redis://u:pw@h?db=%ff", "UTF-8"),
        ];
        for (url, expected) in cases {
            let err = parse(url).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(expected), "{url}: {text}");
            assert!(!text.contains("pw@"), "{url} leaks the password: {text}");
            assert_eq!(err.kind(), crate::ErrorKind::Config);
        }
    }

    #[test]
    fn the_options_redis_py_reads_from_a_url() {
        let c = parse(
            "redis://h/2?username=app&password=p%26w&socket_timeout=2.5\
             &socket_connect_timeout=250ms&health_check_interval=30\
             &socket_keepalive=false&retry_on_timeout=True",
        )
        .unwrap();
        assert_eq!(c.username.as_deref(), Some("app"));
        assert_eq!(c.password.as_ref().map(|p| p.expose()), Some("p&w"));
        assert_eq!(c.db, 2);
        assert_eq!(c.response_timeout, Some(Duration::from_millis(2500)));
        assert_eq!(c.connect_timeout, Duration::from_millis(250));
        assert_eq!(c.health_check_interval, Some(Duration::from_secs(30)));
        assert_eq!(c.tcp_keepalive, None);
        let timeout = Error::timeout("slow");
        assert!(c.retry.should_retry(&timeout, 1, true));
        assert!(
            !Config::new(c.addr.clone())
                .retry
                .should_retry(&timeout, 1, true)
        );
        // A Unix socket has no user info: the options carry the credentials.
        let c = parse("unix:///run/redis.sock?db=1&password=pw").unwrap();
        assert_eq!(c.password.as_ref().map(|p| p.expose()), Some("pw"));
        assert!(c.username.is_none());
        // The old password-only user info, with a user name as an option.
        let c = parse("redis://pw@h?username=app").unwrap();
        assert_eq!(c.username.as_deref(), Some("app"));
        assert_eq!(c.password.as_ref().map(|p| p.expose()), Some("pw"));
        let c = parse("redis://h?health_check_interval=0&socket_keepalive=yes").unwrap();
        assert_eq!(c.health_check_interval, None);
        assert_eq!(c.tcp_keepalive, Config::DEFAULT_TCP_KEEPALIVE);
        let c = parse("rediss://h?ssl_check_hostname=true").unwrap();
        assert!(c.tls.is_some());
        for (url, expected) in [
            ("redis://u:pw@h?password=pw2", "password is given twice"),
            ("redis://u:pw@h?username=v", "user name is given twice"),
            (
                "redis://h?socket_keepalive=maybe",
                "invalid socket_keepalive",
            ),
            ("redis://h?socket_connect_timeout=0", "must be positive"),
            ("rediss://h?ssl_check_hostname=false", "not supported"),
            ("rediss://h?ssl_password=pw", "not supported"),
            ("rediss://h?ssl_ca_certs=/c&ssl_ca_data=x", "not both"),
            ("redis://h?decode_responses=True", "unknown option"),
        ] {
            let text = parse(url).unwrap_err().to_string();
            assert!(text.contains(expected), "{url}: {text}");
        }
    }

    /// Every error of a URL that carries a secret, in both forms it is
    /// printed in, searched for the secret (as given and percent-decoded).
    #[test]
    fn no_error_repeats_a_secret_from_the_url() {
        let urls = [
            // An unknown option beside a password given as an option.
            "redis://h:6379?password=Sup3rS3cret&bogus=1",
            "redis://h:6379?bogus=1&password=Sup3rS3cret",
            // A bad value beside it, and a bad value of its own kind.
            "redis://h?password=Sup3rS3cret&protocol=9",
            "redis://h?password=Sup3rS3cret&db=x",
            "redis://h?timeout=x&password=Sup3rS3cret",
            "redis://u:Sup3rS3cret@h?socket_keepalive=x",
            // Given twice, in both places.
            "redis://u:Sup3rS3cret@h?password=Sup3rS3cret",
            // Malformed URLs: no scheme, a bad port, a fragment, bad UTF-8.
            "h:6379?password=Sup3rS3cret",
            "u:Sup3rS3cret@h:6379",
            "redis://h:99999?password=Sup3rS3cret",
            "redis://h?password=Sup3rS3cret#frag",
            "redis://u:Sup3rS3cret@h#frag",
            "redis://h?password=Sup3rS3cret&db=%ff",
            "http://u:Sup3rS3cret@h?password=Sup3rS3cret",
            // The TLS key's password, and options that are not known (a
            // misspelt password is still one), percent-encoded or not.
            "rediss://h?ssl_password=Sup3rS3cret",
            "redis://h?ssl_password=Sup3rS3cret",
            "redis://h?pasword=Sup3rS3cret",
            "redis://h?pass%77ord=Sup%33rS3cret&x=1",
            "redis://h?password=Sup%33rS3cret&x=1",
            "unix:///run/redis.sock?password=Sup3rS3cret&bogus=1",
            "unix://relative?password=Sup3rS3cret",
        ];
        for url in urls {
            let err = parse(url).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Config, "{url}");
            for shown in [err.to_string(), format!("{err:?}")] {
                for secret in ["Sup3rS3cret", "Sup%33rS3cret"] {
                    assert!(!shown.contains(secret), "{url} leaks it: {shown}");
                }
                assert!(shown.contains("***"), "{url}: {shown}");
            }
        }
    }

    #[test]
    fn a_malformed_url_is_quoted_not_hidden() {
        let text = parse("localhost:6379/0").unwrap_err().to_string();
        assert!(text.contains("\"localhost:6379/0\""), "{text}");
        assert!(text.contains("missing scheme"), "{text}");
        let text = parse("app:pw@localhost:6379").unwrap_err().to_string();
        assert!(text.contains("\"app:***@localhost:6379\""), "{text}");
        // Values that are not secret stay, to show what is wrong.
        let text = parse("redis://h?protocol=9&client_name=api&password=pw")
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("?protocol=9&client_name=api&password=***"),
            "{text}"
        );
    }

    #[test]
    fn a_raw_slash_or_question_mark_in_the_password_is_refused_without_leaking_it() {
        for url in [
            "redis://u:se/cret@h:6379/0",
            "redis://u:se?cret@h",
            "redis://u:se?cret@h/0?protocol=3",
            "redis://:se/cret@h",
        ] {
            let text = parse(url).unwrap_err().to_string();
            assert!(text.contains("percent-encode"), "{url}: {text}");
            for piece in ["se/", "se?", "cret"] {
                assert!(!text.contains(piece), "{url} leaks {piece:?}: {text}");
            }
        }
        // An `@` in an option's value is not a password's end.
        let config = parse("redis://h/0?client_name=me@work").unwrap();
        assert_eq!(config.client_name.as_deref(), Some("me@work"));
        assert!(config.password.is_none());
    }
}
