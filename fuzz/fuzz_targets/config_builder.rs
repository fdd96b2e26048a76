//! The `Config` builder and URL parser driven by structured input: a start (an address, a
//! generated URL, or any string as a URL), then a sequence of `with_*` calls with extreme
//! values (zero and near-`Duration::MAX` timeouts, pool size 0, which is kept and refused at
//! connect, limits from 0 to `usize::MAX`, any retry policy). Nothing may panic, and a model checks the outcome:
//!
//! - a generated URL parses exactly when it is well-formed, into the address, database,
//!   protocol and response timeout it spells;
//! - after the calls, the accessors and the pool size show the last value set;
//! - the Debug text never depends on the password (not on the password set, and not on the one
//!   in a URL: the same URL with another password must give the same text);
//! - the retry policy's delays stay within its cap and never shrink as attempts grow;
//! - replies decode under the limits set, with the checks of `resp_decode`.

#![no_main]

use std::path::PathBuf;
use std::time::Duration;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use redis_core::resp::Limits;
use redis_core::retry::{ConstantBackoff, ExponentialBackoff, NoBackoff, Retry};
use redis_core::{Addr, Config, ErrorKind, Protocol};
use redis_core_fuzz::{check_resp, pick_limit};

#[derive(Debug, Arbitrary)]
struct Input {
    start: Start,
    ops: Vec<Op>,
    /// Seeds the jitter of exponential backoff, so a run reproduces.
    seed: u64,
    /// Bytes decoded under the limits configured last.
    reply: Vec<u8>,
}

#[derive(Debug, Arbitrary)]
enum Start {
    Tcp { host: String, port: u16 },
    Unix(String),
    Url(GenUrl),
    Raw(String),
}

/// The parts of a URL; [`GenUrl::render`] writes it and says what it must parse to.
#[derive(Debug, Arbitrary)]
struct GenUrl {
    scheme: Scheme,
    user: Option<String>,
    password: Option<String>,
    host: Host,
    port: Option<u16>,
    db_path: Option<u32>,
    trailing_slash: bool,
    options: Vec<UrlOption>,
}

#[derive(Debug, Arbitrary)]
enum Scheme {
    Redis,
    Rediss,
    /// `REDIS://`: schemes are case-insensitive.
    RedisUpper,
    /// `unix://` and this path after a `/`.
    Unix(String),
    /// `redis+unix://`, a path that may not be absolute.
    RedisUnix(String),
}

#[derive(Debug, Arbitrary)]
enum Host {
    /// Letters, digits, `-` and `.`, one per byte (empty: "missing host").
    Name(Vec<u8>),
    V4([u8; 4]),
    V6([u16; 8]),
}

#[derive(Debug, Arbitrary)]
enum UrlOption {
    Db(u32),
    Protocol(ProtocolText),
    Timeout(DurationText),
    ResponseTimeout(DurationText),
    ConnectTimeout(DurationText),
    ClientName(String),
    /// An unknown key (prefixed so it cannot be a known one).
    Unknown(String),
    /// `&&`: empty pairs are skipped.
    Empty,
}

#[derive(Debug, Arbitrary)]
enum ProtocolText {
    Two,
    Three,
    Resp2,
    Resp3Upper,
    Bad(u8),
}

#[derive(Debug, Arbitrary)]
enum DurationText {
    Seconds(u32),
    SecondsSuffix(u32),
    Millis(u32),
    /// `a.bbb` seconds.
    Decimal(u16, u16),
    Zero,
    NoneWord,
    Negative(u16),
    /// Any text (percent-encoded): valid or not, it must not panic.
    Garbage(String),
}

#[derive(Debug, Arbitrary)]
enum Op {
    Username(String),
    Password(String),
    Db(i64),
    Protocol(bool),
    ClientName(String),
    ConnectTimeout(Dur),
    ResponseTimeout(Option<Dur>),
    HealthCheck(Option<Dur>),
    Keepalive(Option<Dur>),
    PoolSize(usize),
    PoolSizeZero,
    Retry(RetrySpec),
    Limits([u8; 4]),
}

#[derive(Debug, Clone, Copy, Arbitrary)]
enum Dur {
    Zero,
    Nanos(u32),
    Millis(u32),
    Secs(u64),
    Parts(u64, u32),
    Max,
    AlmostMax(u32),
}

#[derive(Debug, Arbitrary)]
struct RetrySpec {
    attempts: u32,
    backoff: BackoffSpec,
    on_timeout: bool,
    writes: bool,
    kinds: Option<Vec<u8>>,
}

#[derive(Debug, Arbitrary)]
enum BackoffSpec {
    None,
    Constant(Dur),
    Exponential { base: Dur, cap: Dur, jitter: bool },
}

/// What the configuration must show; `None` fields are not known (a raw URL).
#[derive(Debug, Default)]
struct Model {
    addr: Option<Addr>,
    db: Option<i64>,
    protocol: Option<Protocol>,
    response_timeout: Option<Timeout>,
    tls: Option<bool>,
    password: Option<bool>,
    pool_size: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
enum Timeout {
    Exact(Option<Duration>),
    /// Parsed from a decimal or millisecond text: within a microsecond of this.
    About(Duration),
}

/// What a rendered URL must parse to.
enum Expect {
    Ok(Model),
    Fails,
    /// Garbage somewhere: any outcome will do, as long as nothing panics.
    Unknown,
}

fuzz_target!(|input: Input| {
    fastrand::seed(input.seed);
    let (config, mut model) = match &input.start {
        Start::Tcp { host, port } => {
            let addr = Addr::Tcp {
                host: host.clone(),
                port: *port,
            };
            let _ = addr.to_string();
            (Config::new(addr.clone()), defaults(addr))
        }
        Start::Unix(path) => {
            let addr = Addr::Unix(PathBuf::from(path));
            let _ = addr.to_string();
            (Config::new(addr.clone()), defaults(addr))
        }
        Start::Raw(url) => match Config::from_url(url) {
            Ok(config) => (config, Model::default()),
            Err(err) => {
                assert_eq!(err.kind(), ErrorKind::Config, "{err}");
                return;
            }
        },
        Start::Url(parts) => {
            let (url, expect) = parts.render(None);
            let parsed = Config::from_url(&url);
            if let Some(twin) = parts.twin_password() {
                let (twin_url, _) = parts.render(Some(twin));
                let shown = |r: &redis_core::Result<Config>| match r {
                    Ok(c) => format!("{c:?}"),
                    Err(e) => e.to_string(),
                };
                assert_eq!(
                    shown(&parsed),
                    shown(&Config::from_url(&twin_url)),
                    "the password shows: {url:?} vs {twin_url:?}"
                );
            }
            match (parsed, expect) {
                (Ok(config), Expect::Ok(model)) => {
                    check(&config, &model, &url);
                    (config, model)
                }
                (Ok(config), Expect::Unknown) => (config, Model::default()),
                (Err(err), Expect::Fails | Expect::Unknown) => {
                    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
                    return;
                }
                (Ok(config), Expect::Fails) => panic!("{url:?} must not parse: {config:?}"),
                (Err(err), Expect::Ok(model)) => panic!("{url:?} must parse to {model:?}: {err}"),
            }
        }
    };
    let mut config = config;
    let mut limits = Limits::default();
    for op in &input.ops {
        config = match op {
            Op::Username(name) => config.with_username(name.as_str()),
            Op::Password(password) => {
                model.password = Some(true);
                config.with_password(password.as_str())
            }
            Op::Db(db) => {
                model.db = Some(*db);
                config.with_db(*db)
            }
            Op::Protocol(two) => {
                let protocol = if *two {
                    Protocol::Resp2
                } else {
                    Protocol::Resp3
                };
                model.protocol = Some(protocol);
                config.with_protocol(protocol)
            }
            Op::ClientName(name) => config.with_client_name(name.as_str()),
            Op::ConnectTimeout(d) => config.with_connect_timeout(d.get()),
            Op::ResponseTimeout(d) => {
                let d = d.map(Dur::get);
                model.response_timeout = Some(Timeout::Exact(d));
                config.with_response_timeout(d)
            }
            Op::HealthCheck(d) => config.with_health_check_interval(d.map(Dur::get)),
            Op::Keepalive(d) => config.with_tcp_keepalive(d.map(Dur::get)),
            Op::PoolSize(n) => {
                model.pool_size = Some(*n);
                config.with_pool_size(*n)
            }
            Op::PoolSizeZero => {
                // Kept as given: `Client::connect` refuses it with a clear error.
                model.pool_size = Some(0);
                config.with_pool_size(0)
            }
            Op::Retry(spec) => config.with_retry(spec.build()),
            Op::Limits([depth, bulk, aggregate, line]) => {
                let d = Limits::default();
                limits = Limits {
                    max_depth: pick_limit(*depth, d.max_depth, true),
                    max_bulk_len: pick_limit(*bulk, d.max_bulk_len, false),
                    max_aggregate_len: pick_limit(*aggregate, d.max_aggregate_len, false),
                    max_line_len: pick_limit(*line, d.max_line_len, false),
                };
                config.with_limits(limits)
            }
        };
    }
    check(&config, &model, "after the with_* calls");
    let size = usize::try_from(input.seed % 7 + 1).unwrap_or(1);
    check_resp(&input.reply, input.reply.chunks(size), limits);
});

fn defaults(addr: Addr) -> Model {
    Model {
        addr: Some(addr),
        db: Some(0),
        protocol: Some(Protocol::Resp3),
        response_timeout: Some(Timeout::Exact(Some(Duration::from_secs(10)))),
        tls: Some(false),
        password: Some(false),
        pool_size: Some(16),
    }
}

/// Compares `config` with what `model` knows; `what` names the case in the message.
fn check(config: &Config, model: &Model, what: &str) {
    let shown = format!("{config:?}");
    let _ = config.addr().to_string();
    if let Some(addr) = &model.addr {
        assert_eq!(config.addr(), addr, "{what}");
    }
    if let Some(db) = model.db {
        assert_eq!(config.db(), db, "{what}");
    }
    if let Some(protocol) = model.protocol {
        assert_eq!(config.protocol(), protocol, "{what}");
    }
    match (model.response_timeout, config.response_timeout()) {
        (None, _) => {}
        (Some(Timeout::Exact(expected)), got) => assert_eq!(got, expected, "{what}"),
        (Some(Timeout::About(expected)), Some(got)) => {
            assert!(
                got.abs_diff(expected) <= Duration::from_micros(1),
                "{what}: {got:?}"
            );
        }
        (Some(Timeout::About(expected)), None) => panic!("{what}: no timeout, not {expected:?}"),
    }
    if let Some(tls) = model.tls {
        let expected = if tls { "tls: Some(TlsConfig {" } else { "tls: None," };
        assert!(shown.contains(expected), "{what}: {shown}");
        assert_eq!(config.tls().is_some(), tls, "{what}");
    }
    if let Some(size) = model.pool_size {
        assert!(
            shown.contains(&format!("pool_size: {size},")),
            "{what}: {shown}"
        );
    }
    // With a password set, setting another must not change the Debug text; without one,
    // setting one must (it shows as `Some(***)`).
    let other = format!("{:?}", config.clone().with_password("another password"));
    let has_password = shown == other;
    if let Some(expected) = model.password {
        assert_eq!(has_password, expected, "{what}: {shown}");
    }
}

impl Dur {
    fn get(self) -> Duration {
        match self {
            Dur::Zero => Duration::ZERO,
            Dur::Nanos(n) => Duration::from_nanos(n.into()),
            Dur::Millis(n) => Duration::from_millis(n.into()),
            Dur::Secs(n) => Duration::from_secs(n),
            Dur::Parts(secs, nanos) => Duration::new(secs, nanos % 1_000_000_000),
            Dur::Max => Duration::MAX,
            Dur::AlmostMax(n) => Duration::MAX - Duration::from_nanos(n.into()),
        }
    }
}

impl RetrySpec {
    /// The policy, after checking its delays.
    fn build(&self) -> Retry {
        let retry = match self.backoff {
            BackoffSpec::None => Retry::new(self.attempts, NoBackoff),
            BackoffSpec::Constant(d) => Retry::new(self.attempts, ConstantBackoff(d.get())),
            BackoffSpec::Exponential { base, cap, jitter } => Retry::new(
                self.attempts,
                ExponentialBackoff {
                    base: base.get(),
                    cap: cap.get(),
                    jitter,
                },
            ),
        };
        let mut retry = retry
            .retry_on_timeout(self.on_timeout)
            .retry_writes(self.writes);
        if let Some(kinds) = &self.kinds {
            const KINDS: [ErrorKind; 9] = [
                ErrorKind::Io,
                ErrorKind::Protocol,
                ErrorKind::Server,
                ErrorKind::Timeout,
                ErrorKind::Type,
                ErrorKind::Auth,
                ErrorKind::Closed,
                ErrorKind::Watch,
                ErrorKind::Config,
            ];
            let kinds: Vec<ErrorKind> = kinds
                .iter()
                .map(|k| KINDS[usize::from(*k) % KINDS.len()])
                .collect();
            retry = retry.retry_on(&kinds);
        }
        assert_eq!(retry.attempts(), self.attempts);
        let _ = format!("{retry:?}");
        let probes = [0, 1, 2, 3, 31, 32, 33, 34, 64, self.attempts, u32::MAX];
        let mut previous = Duration::ZERO;
        for attempt in probes.into_iter().take(9) {
            let delay = retry.delay(attempt);
            match self.backoff {
                BackoffSpec::None => assert_eq!(delay, Duration::ZERO),
                BackoffSpec::Constant(d) => assert_eq!(delay, d.get()),
                BackoffSpec::Exponential { base, cap, jitter } => {
                    let first = base.get().min(cap.get());
                    assert!(delay <= cap.get(), "attempt {attempt}: {delay:?} > cap");
                    if !jitter {
                        assert!(delay >= previous, "attempt {attempt}: the delay shrank");
                        if attempt <= 1 {
                            assert_eq!(delay, first);
                        }
                    }
                }
            }
            previous = delay;
        }
        // Any attempt number, however large, has a delay.
        let _ = retry.delay(self.attempts);
        let _ = retry.delay(u32::MAX);
        retry
    }
}

/// Percent-encodes every byte but the unreserved ones (and `keep`).
fn encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl DurationText {
    fn render(&self) -> (String, Option<Timeout>) {
        let exact = |secs: u32| {
            (f64::from(secs) <= 1e9).then_some(Timeout::Exact(
                (secs > 0).then(|| Duration::from_secs(secs.into())),
            ))
        };
        match self {
            DurationText::Seconds(n) => (n.to_string(), exact(*n)),
            DurationText::SecondsSuffix(n) => (format!("{n}s"), exact(*n)),
            DurationText::Millis(n) => (
                format!("{n}ms"),
                Some(if *n == 0 {
                    Timeout::Exact(None)
                } else {
                    Timeout::About(Duration::from_millis((*n).into()))
                }),
            ),
            DurationText::Decimal(a, b) => {
                let millis = u64::from(*a) * 1000 + u64::from(*b % 1000);
                (
                    format!("{a}.{:03}", b % 1000),
                    Some(if millis == 0 {
                        Timeout::Exact(None)
                    } else {
                        Timeout::About(Duration::from_millis(millis))
                    }),
                )
            }
            DurationText::Zero => ("0".into(), Some(Timeout::Exact(None))),
            DurationText::NoneWord => ("NoNe".into(), Some(Timeout::Exact(None))),
            DurationText::Negative(n) => {
                (format!("-{n}"), (*n == 0).then_some(Timeout::Exact(None)))
            }
            DurationText::Garbage(text) => (encode(text, &[]), None),
        }
    }
}

impl GenUrl {
    /// Another password to render the same URL with, when it has one.
    fn twin_password(&self) -> Option<&'static str> {
        if matches!(self.scheme, Scheme::Unix(_) | Scheme::RedisUnix(_)) {
            return None;
        }
        let password = self.password.as_deref().or(self.user.as_deref())?;
        if password.is_empty() {
            return None;
        }
        Some(if password == "x" { "y" } else { "x" })
    }

    /// The URL text (with `password` instead of the generated one, if given) and what it must
    /// parse to.
    fn render(&self, password: Option<&str>) -> (String, Expect) {
        let mut model = Model {
            password: Some(false),
            ..defaults(Addr::Unix(PathBuf::new()))
        };
        let mut ok = true;
        let mut known = true;
        let mut url = String::new();
        match &self.scheme {
            Scheme::Unix(path) | Scheme::RedisUnix(path) => {
                let absolute = matches!(self.scheme, Scheme::Unix(_));
                let path = if absolute {
                    format!("/{path}")
                } else {
                    path.clone()
                };
                url.push_str(if absolute { "unix://" } else { "redis+unix://" });
                url.push_str(&encode(&path, b"/"));
                ok &= path.starts_with('/');
                model.addr = Some(Addr::Unix(PathBuf::from(path)));
            }
            Scheme::Redis | Scheme::Rediss | Scheme::RedisUpper => {
                url.push_str(match self.scheme {
                    Scheme::Rediss => "rediss://",
                    Scheme::RedisUpper => "REDIS://",
                    _ => "redis://",
                });
                model.tls = Some(matches!(self.scheme, Scheme::Rediss));
                let user = self.user.as_deref().unwrap_or("");
                match (self.password.as_deref(), password) {
                    (Some(generated), twin) => {
                        url.push_str(&format!(
                            "{}:{}@",
                            encode(user, &[]),
                            encode(twin.unwrap_or(generated), &[])
                        ));
                        model.password = Some(true);
                    }
                    (None, twin) if self.user.is_some() => {
                        let password = twin.unwrap_or(user);
                        url.push_str(&format!("{}@", encode(password, &[])));
                        model.password = Some(!password.is_empty());
                    }
                    (None, _) => {}
                }
                let host = match &self.host {
                    Host::Name(bytes) => {
                        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-.";
                        let name: String = bytes
                            .iter()
                            .map(|b| char::from(CHARS[usize::from(*b) % CHARS.len()]))
                            .collect();
                        url.push_str(&name);
                        ok &= !name.is_empty();
                        name
                    }
                    Host::V4(octets) => {
                        let name = std::net::Ipv4Addr::from(*octets).to_string();
                        url.push_str(&name);
                        name
                    }
                    Host::V6(segments) => {
                        let name = segments
                            .iter()
                            .map(|s| format!("{s:x}"))
                            .collect::<Vec<_>>()
                            .join(":");
                        url.push_str(&format!("[{name}]"));
                        name
                    }
                };
                if let Some(port) = self.port {
                    url.push_str(&format!(":{port}"));
                    ok &= port != 0;
                }
                model.addr = Some(Addr::Tcp {
                    host,
                    port: self.port.unwrap_or(6379),
                });
                if let Some(db) = self.db_path {
                    url.push_str(&format!("/{db}"));
                    model.db = Some(db.into());
                }
                if self.trailing_slash {
                    url.push('/');
                }
            }
        }
        let mut separator = '?';
        for option in &self.options {
            url.push(separator);
            separator = '&';
            let pair = match option {
                UrlOption::Db(db) => {
                    model.db = Some((*db).into());
                    format!("db={db}")
                }
                UrlOption::Protocol(text) => {
                    let (text, protocol) = match text {
                        ProtocolText::Two => ("2".to_owned(), Some(Protocol::Resp2)),
                        ProtocolText::Three => ("3".to_owned(), Some(Protocol::Resp3)),
                        ProtocolText::Resp2 => ("resp2".to_owned(), Some(Protocol::Resp2)),
                        ProtocolText::Resp3Upper => ("RESP3".to_owned(), Some(Protocol::Resp3)),
                        ProtocolText::Bad(n) => (format!("{}", u16::from(*n) + 4), None),
                    };
                    match protocol {
                        Some(protocol) => model.protocol = Some(protocol),
                        None => ok = false,
                    }
                    format!("protocol={text}")
                }
                UrlOption::Timeout(text) | UrlOption::ResponseTimeout(text) => {
                    let (rendered, timeout) = text.render();
                    match timeout {
                        Some(timeout) => model.response_timeout = Some(timeout),
                        None if matches!(text, DurationText::Garbage(_)) => known = false,
                        None => ok = false,
                    }
                    let key = if matches!(option, UrlOption::Timeout(_)) {
                        "timeout"
                    } else {
                        "response_timeout"
                    };
                    format!("{key}={rendered}")
                }
                UrlOption::ConnectTimeout(text) => {
                    let (rendered, timeout) = text.render();
                    match timeout {
                        Some(Timeout::Exact(Some(_)) | Timeout::About(_)) => {}
                        None if matches!(text, DurationText::Garbage(_)) => known = false,
                        Some(Timeout::Exact(None)) | None => ok = false,
                    }
                    format!("connect_timeout={rendered}")
                }
                UrlOption::ClientName(name) => format!("client_name={}", encode(name, &[])),
                UrlOption::Unknown(key) => {
                    ok = false;
                    format!("x-{}=1", encode(key, &[]))
                }
                UrlOption::Empty => String::new(),
            };
            url.push_str(&pair);
        }
        let expect = if !ok {
            // A garbage value may fail first, but the URL fails either way.
            Expect::Fails
        } else if !known {
            Expect::Unknown
        } else {
            Expect::Ok(model)
        };
        (url, expect)
    }
}
