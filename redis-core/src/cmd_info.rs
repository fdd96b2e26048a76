//! What the client must know about a command before sending it: whether it is
//! safe to repeat, whether it blocks, and for how long.
//!
//! A static table keeps this cheap and available before any connection
//! exists; the cluster layer will add key positions from `COMMAND` replies.

use std::time::Duration;

use crate::Cmd;

/// Commands that never modify data: repeating one after a lost connection
/// cannot apply anything twice.
const READ_ONLY: &[&str] = &[
    "BITCOUNT",
    "BITPOS",
    "DBSIZE",
    "DUMP",
    "ECHO",
    "EXISTS",
    "EXPIRETIME",
    "GEODIST",
    "GEOHASH",
    "GEOPOS",
    "GEOSEARCH",
    "GET",
    "GETBIT",
    "GETRANGE",
    "HEXISTS",
    "HGET",
    "HGETALL",
    "HKEYS",
    "HLEN",
    "HMGET",
    "HRANDFIELD",
    "HSCAN",
    "HSTRLEN",
    "HVALS",
    "INFO",
    "KEYS",
    "LCS",
    "LINDEX",
    "LLEN",
    "LPOS",
    "LRANGE",
    "MGET",
    "PEXPIRETIME",
    "PFCOUNT",
    "PING",
    "PTTL",
    "RANDOMKEY",
    "SCAN",
    "SCARD",
    "SDIFF",
    "SINTER",
    "SINTERCARD",
    "SISMEMBER",
    "SMEMBERS",
    "SMISMEMBER",
    "SRANDMEMBER",
    "SSCAN",
    "STRLEN",
    "SUBSTR",
    "SUNION",
    "TIME",
    "TOUCH",
    "TTL",
    "TYPE",
    "XINFO",
    "XLEN",
    "XPENDING",
    "XRANGE",
    "XREVRANGE",
    "ZCARD",
    "ZCOUNT",
    "ZDIFF",
    "ZINTER",
    "ZINTERCARD",
    "ZLEXCOUNT",
    "ZMSCORE",
    "ZRANDMEMBER",
    "ZRANGE",
    "ZRANGEBYLEX",
    "ZRANGEBYSCORE",
    "ZRANK",
    "ZREVRANGE",
    "ZREVRANGEBYLEX",
    "ZREVRANGEBYSCORE",
    "ZREVRANK",
    "ZSCAN",
    "ZSCORE",
    "ZUNION",
    "EVALSHA_RO",
    "EVAL_RO",
    "FCALL_RO",
    "JSON.GET",
    "JSON.MGET",
    "JSON.TYPE",
    "JSON.STRLEN",
    "JSON.ARRLEN",
    "JSON.OBJKEYS",
    "JSON.OBJLEN",
    "FT.SEARCH",
    "FT.AGGREGATE",
    "FT.INFO",
    "FT._LIST",
    "BF.EXISTS",
    "BF.MEXISTS",
];

/// Commands whose last argument is a timeout in seconds (0: forever).
const BLOCKING_LAST_ARG_SECONDS: &[&str] = &[
    "BLPOP",
    "BRPOP",
    "BRPOPLPUSH",
    "BLMOVE",
    "BZPOPMIN",
    "BZPOPMAX",
];

/// Commands whose second argument is a timeout in seconds (0: forever).
const BLOCKING_FIRST_ARG_SECONDS: &[&str] = &["BLMPOP", "BZMPOP"];

/// Commands that leave state on the connection, so they need one of their own.
const STATEFUL: &[&str] = &[
    "WATCH",
    "MULTI",
    "SUBSCRIBE",
    "PSUBSCRIBE",
    "SSUBSCRIBE",
    "MONITOR",
];

/// How long a command may legitimately make the server wait before replying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blocking {
    /// Replies as soon as it runs.
    No,
    /// Blocks up to this long on the server.
    For(Duration),
    /// May block forever (a timeout of 0).
    Forever,
}

pub(crate) fn is_read_only(cmd: &Cmd) -> bool {
    READ_ONLY.iter().any(|name| cmd.is(name))
}

/// True for commands that leave state on their connection (WATCH, MULTI,
/// subscriptions): on a shared connection that state would leak to every
/// other caller, and on a pooled one it would be lost when it is returned.
pub(crate) fn is_stateful(cmd: &Cmd) -> bool {
    STATEFUL.iter().any(|name| cmd.is(name))
}

pub(crate) fn blocking(cmd: &Cmd) -> Blocking {
    let mut args = cmd.args();
    let argc = cmd.arg_count();
    if BLOCKING_LAST_ARG_SECONDS.iter().any(|name| cmd.is(name)) {
        return seconds(args.nth(argc.saturating_sub(1)));
    }
    if BLOCKING_FIRST_ARG_SECONDS.iter().any(|name| cmd.is(name)) {
        return seconds(args.nth(1));
    }
    if cmd.is("WAIT") || cmd.is("WAITAOF") {
        return millis(args.nth(argc.saturating_sub(1)));
    }
    if cmd.is("XREAD") || cmd.is("XREADGROUP") {
        let mut args = args.skip(1);
        while let Some(arg) = args.next() {
            if arg.eq_ignore_ascii_case(b"BLOCK") {
                return millis(args.next());
            }
            if arg.eq_ignore_ascii_case(b"STREAMS") {
                break;
            }
        }
    }
    Blocking::No
}

fn seconds(arg: Option<&[u8]>) -> Blocking {
    let parsed = arg
        .and_then(|a| std::str::from_utf8(a).ok())
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0);
    match parsed {
        Some(0.0) => Blocking::Forever,
        Some(s) => Blocking::For(Duration::from_secs_f64(s.min(1e9))),
        // The server will reject it at once; no extra wait is owed.
        None => Blocking::No,
    }
}

fn millis(arg: Option<&[u8]>) -> Blocking {
    let parsed = arg
        .and_then(|a| std::str::from_utf8(a).ok())
        .and_then(|s| s.parse::<u64>().ok());
    match parsed {
        Some(0) => Blocking::Forever,
        Some(ms) => Blocking::For(Duration::from_millis(ms)),
        None => Blocking::No,
    }
}

/// The time to wait for a reply to `cmd`: its own override, else the default;
/// a blocking command gets its blocking time on top, so a response timeout
/// never cuts a BLPOP short.
pub(crate) fn reply_timeout(cmd: &Cmd, default: Option<Duration>) -> Option<Duration> {
    let base = cmd.timeout().unwrap_or(default)?;
    match blocking(cmd) {
        Blocking::No => Some(base),
        Blocking::For(extra) => Some(base.saturating_add(extra)),
        Blocking::Forever => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_time_comes_from_the_right_argument() {
        assert_eq!(
            blocking(&Cmd::new("BLPOP").arg("a").arg("b").arg("5")),
            Blocking::For(Duration::from_secs(5))
        );
        assert_eq!(
            blocking(&Cmd::new("brpop").arg("a").arg("0")),
            Blocking::Forever
        );
        assert_eq!(
            blocking(&Cmd::new("BLMPOP").arg("1.5").arg("1").arg("k").arg("LEFT")),
            Blocking::For(Duration::from_millis(1500))
        );
        assert_eq!(
            blocking(
                &Cmd::new("XREAD")
                    .arg("COUNT")
                    .arg("1")
                    .arg("BLOCK")
                    .arg("250")
                    .arg("STREAMS")
                    .arg("s")
                    .arg("$")
            ),
            Blocking::For(Duration::from_millis(250))
        );
        assert_eq!(
            blocking(&Cmd::new("XREAD").arg("STREAMS").arg("BLOCK").arg("0")),
            Blocking::No
        );
        assert_eq!(
            blocking(&Cmd::new("WAIT").arg("1").arg("0")),
            Blocking::Forever
        );
        assert_eq!(blocking(&Cmd::new("GET").arg("k")), Blocking::No);
    }

    #[test]
    fn blocking_commands_get_their_blocking_time_on_top() {
        let default = Some(Duration::from_secs(1));
        let blpop = Cmd::new("BLPOP").arg("k").arg("5");
        assert_eq!(reply_timeout(&blpop, default), Some(Duration::from_secs(6)));
        assert_eq!(
            reply_timeout(&Cmd::new("BLPOP").arg("k").arg("0"), default),
            None
        );
        let get = Cmd::new("GET")
            .arg("k")
            .with_timeout(Duration::from_millis(10));
        assert_eq!(
            reply_timeout(&get, default),
            Some(Duration::from_millis(10))
        );
        assert_eq!(reply_timeout(&Cmd::new("GET").arg("k"), None), None);
    }

    #[test]
    fn routing_facts() {
        assert!(is_read_only(&Cmd::new("get").arg("k")));
        assert!(!is_read_only(&Cmd::new("SET").arg("k").arg("v")));
        assert!(is_stateful(&Cmd::new("WATCH").arg("k")));
        assert!(!is_stateful(&Cmd::new("LPOP").arg("k")));
    }
}
