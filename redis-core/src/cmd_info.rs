//! What the client must know about a command before sending it: whether it is
//! safe to repeat, whether it blocks, and for how long.
//!
//! A static classification keeps this cheap and available before any
//! connection exists; the cluster layer will add key positions from
//! `COMMAND` replies.

use std::time::Duration;

use crate::Cmd;

/// What the name alone says about a command, computed once when the command
/// is created (one `match`, no table scans on the hot path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Traits(u8);

impl Traits {
    /// Never modifies data: repeating it after a lost connection cannot apply
    /// anything twice.
    const READ_ONLY: u8 = 1;
    /// Leaves state on its connection (WATCH, MULTI, subscriptions): on a
    /// shared connection that state would leak to every other caller, and on
    /// a pooled one it would be lost when it is returned.
    const STATEFUL: u8 = 2;
    /// May block on the server; its arguments say for how long.
    const BLOCKING: u8 = 4;
    /// `MULTI`: stateful, but allowed inside a batch that ends it.
    const MULTI: u8 = 8;
    /// `CLIENT`: whether it leaves state depends on its subcommand.
    const SUBCOMMANDS: u8 = 16;
    /// `EXEC` and `DISCARD`: end what `MULTI` began.
    const ENDS_MULTI: u8 = 32;

    /// Classifies a command by its name, in any case.
    pub(crate) fn of(name: &[u8]) -> Traits {
        if !name.iter().any(u8::is_ascii_lowercase) {
            // Names are usually written in capitals: no copy needed.
            return Self::of_uppercase(name);
        }
        let mut upper = [0u8; 24];
        let Some(upper) = upper.get_mut(..name.len()) else {
            return Traits(0);
        };
        upper.copy_from_slice(name);
        upper.make_ascii_uppercase();
        Self::of_uppercase(upper)
    }

    fn of_uppercase(name: &[u8]) -> Traits {
        Traits(match name {
            b"BITCOUNT" | b"BITPOS" | b"DBSIZE" | b"DUMP" | b"ECHO" | b"EXISTS" | b"EXPIRETIME"
            | b"GEODIST" | b"GEOHASH" | b"GEOPOS" | b"GEOSEARCH" | b"GET" | b"GETBIT"
            | b"GETRANGE" | b"HEXISTS" | b"HGET" | b"HGETALL" | b"HKEYS" | b"HLEN" | b"HMGET"
            | b"HRANDFIELD" | b"HSCAN" | b"HSTRLEN" | b"HVALS" | b"INFO" | b"KEYS" | b"LCS"
            | b"LINDEX" | b"LLEN" | b"LPOS" | b"LRANGE" | b"MGET" | b"PEXPIRETIME" | b"PFCOUNT"
            | b"PING" | b"PTTL" | b"RANDOMKEY" | b"SCAN" | b"SCARD" | b"SDIFF" | b"SINTER"
            | b"SINTERCARD" | b"SISMEMBER" | b"SMEMBERS" | b"SMISMEMBER" | b"SRANDMEMBER"
            | b"SSCAN" | b"STRLEN" | b"SUBSTR" | b"SUNION" | b"TIME" | b"TOUCH" | b"TTL"
            | b"TYPE" | b"XINFO" | b"XLEN" | b"XPENDING" | b"XRANGE" | b"XREVRANGE" | b"ZCARD"
            | b"ZCOUNT" | b"ZDIFF" | b"ZINTER" | b"ZINTERCARD" | b"ZLEXCOUNT" | b"ZMSCORE"
            | b"ZRANDMEMBER" | b"ZRANGE" | b"ZRANGEBYLEX" | b"ZRANGEBYSCORE" | b"ZRANK"
            | b"ZREVRANGE" | b"ZREVRANGEBYLEX" | b"ZREVRANGEBYSCORE" | b"ZREVRANK" | b"ZSCAN"
            | b"ZSCORE" | b"ZUNION" | b"EVALSHA_RO" | b"EVAL_RO" | b"FCALL_RO" | b"JSON.GET"
            | b"JSON.MGET" | b"JSON.TYPE" | b"JSON.STRLEN" | b"JSON.ARRLEN" | b"JSON.OBJKEYS"
            | b"JSON.OBJLEN" | b"FT.SEARCH" | b"FT.AGGREGATE" | b"FT.INFO" | b"FT._LIST"
            | b"BF.EXISTS" | b"BF.MEXISTS" => Self::READ_ONLY,
            b"BLPOP" | b"BRPOP" | b"BRPOPLPUSH" | b"BLMOVE" | b"BZPOPMIN" | b"BZPOPMAX"
            | b"BLMPOP" | b"BZMPOP" | b"WAIT" | b"WAITAOF" => Self::BLOCKING,
            // Only with BLOCK, and then they only read.
            b"XREAD" => Self::BLOCKING | Self::READ_ONLY,
            b"XREADGROUP" => Self::BLOCKING,
            b"MULTI" => Self::STATEFUL | Self::MULTI,
            b"EXEC" | b"DISCARD" => Self::ENDS_MULTI,
            b"WATCH" | b"SUBSCRIBE" | b"PSUBSCRIBE" | b"SSUBSCRIBE" | b"MONITOR" | b"SELECT"
            | b"HELLO" | b"RESET" | b"AUTH" | b"READONLY" | b"READWRITE" => Self::STATEFUL,
            // Stateful for some subcommands only (TRACKING, REPLY): see `is_stateful`.
            b"CLIENT" => Self::SUBCOMMANDS,
            _ => 0,
        })
    }

    fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    /// Never modifies data (see [`Traits::READ_ONLY`]).
    pub(crate) fn reads_only(self) -> bool {
        self.has(Self::READ_ONLY)
    }
}

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
    cmd.traits().reads_only()
}

/// True for commands that leave state on their connection; see [`Traits`].
/// `CLIENT TRACKING` and `CLIENT REPLY` do; other `CLIENT` subcommands do not.
pub(crate) fn is_stateful(cmd: &Cmd) -> bool {
    let traits = cmd.traits();
    if traits.has(Traits::SUBCOMMANDS) {
        return cmd.args().nth(1).is_some_and(|sub| {
            sub.eq_ignore_ascii_case(b"TRACKING") || sub.eq_ignore_ascii_case(b"REPLY")
        });
    }
    traits.has(Traits::STATEFUL)
}

/// True for `EXEC` and `DISCARD`.
pub(crate) fn ends_multi(cmd: &Cmd) -> bool {
    cmd.traits().has(Traits::ENDS_MULTI)
}

/// Why `cmds` may not run on a connection other callers share, if they may
/// not: a command that leaves state behind, or a `MULTI` that the same batch
/// does not end with `EXEC` or `DISCARD` (the connection would stay inside a
/// transaction for every other caller).
pub(crate) fn shared_connection_refusal(cmds: &[Cmd]) -> Option<String> {
    let mut open_multi = false;
    for cmd in cmds {
        if is_multi(cmd) {
            if open_multi {
                return Some("MULTI inside MULTI: use one Transaction".to_owned());
            }
            open_multi = true;
        } else if ends_multi(cmd) {
            open_multi = false;
        } else if is_stateful(cmd) {
            return Some(format!(
                "{} leaves state on its connection: run it on client.dedicated() \
                 (for WATCH use Transaction / transaction(); for another database, a client of its own)",
                stateful_name(cmd)
            ));
        }
    }
    open_multi.then(|| {
        "MULTI leaves state on its connection: use Transaction, or run it on client.dedicated()"
            .to_owned()
    })
}

/// The name and, for `CLIENT`, the subcommand, as the user wrote them.
fn stateful_name(cmd: &Cmd) -> String {
    let words = if cmd.traits().has(Traits::SUBCOMMANDS) {
        2
    } else {
        1
    };
    let words: Vec<_> = cmd
        .args()
        .take(words)
        .map(String::from_utf8_lossy)
        .collect();
    words.join(" ")
}

/// True for `MULTI`.
pub(crate) fn is_multi(cmd: &Cmd) -> bool {
    cmd.traits().has(Traits::MULTI)
}

pub(crate) fn blocking(cmd: &Cmd) -> Blocking {
    if !cmd.traits().has(Traits::BLOCKING) {
        return Blocking::No;
    }
    let mut args = cmd.args();
    let argc = cmd.arg_count();
    if cmd.is("BLMPOP") || cmd.is("BZMPOP") {
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
        return Blocking::No;
    }
    // BLPOP, BRPOP, BLMOVE ...: the last argument, in seconds.
    seconds(args.nth(argc.saturating_sub(1)))
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
/// never cuts a BLPOP short. A command that blocks forever waits without
/// limit, unless it carries a timeout of its own: then that is the limit.
pub(crate) fn reply_timeout(cmd: &Cmd, default: Option<Duration>) -> Option<Duration> {
    let own = cmd.timeout();
    let base = own.unwrap_or(default)?;
    match blocking(cmd) {
        Blocking::No => Some(base),
        Blocking::For(extra) => Some(base.saturating_add(extra)),
        Blocking::Forever => own.flatten(),
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
        let bounded = Cmd::new("BLPOP")
            .arg("k")
            .arg("0")
            .with_timeout(Duration::from_secs(3));
        assert_eq!(
            reply_timeout(&bounded, default),
            Some(Duration::from_secs(3))
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
        assert!(is_multi(&Cmd::new("multi")));
        assert!(!is_read_only(&Cmd::new(
            "A_NAME_LONGER_THAN_THE_CLASSIFIER_BUFFER"
        )));
        assert!(!is_read_only(&Cmd::new("SET").arg("k").arg("v")));
        assert!(is_stateful(&Cmd::new("WATCH").arg("k")));
        assert!(!is_stateful(&Cmd::new("LPOP").arg("k")));
        assert!(is_stateful(&Cmd::new("CLIENT").arg("tracking").arg("on")));
        assert!(!is_stateful(&Cmd::new("CLIENT").arg("ID")));
        assert!(is_stateful(&Cmd::new("select").arg(1)));
    }

    #[test]
    fn a_batch_may_open_multi_only_if_it_ends_it() {
        let multi = || Cmd::new("MULTI");
        let set = || Cmd::new("SET").arg("k").arg("v");
        let exec = || Cmd::new("EXEC");
        assert_eq!(shared_connection_refusal(&[multi(), set(), exec()]), None);
        assert_eq!(
            shared_connection_refusal(&[multi(), Cmd::new("DISCARD")]),
            None
        );
        assert_eq!(shared_connection_refusal(&[set()]), None);
        for refused in [
            vec![multi(), set()],
            vec![multi()],
            vec![multi(), multi(), exec()],
            vec![set(), Cmd::new("SELECT").arg(2)],
            vec![Cmd::new("CLIENT").arg("TRACKING").arg("ON")],
            vec![multi(), exec(), multi(), set()],
        ] {
            assert!(shared_connection_refusal(&refused).is_some(), "{refused:?}");
        }
        let why = shared_connection_refusal(&[Cmd::new("client").arg("reply").arg("off")]);
        assert!(why.is_some_and(|why| why.starts_with("client reply ")));
    }

    #[test]
    fn names_classify_alike_in_any_case() {
        for name in [
            "GET", "get", "Get", "XREAD", "xRead", "MULTI", "multi", "SET", "set",
        ] {
            assert_eq!(
                Traits::of(name.as_bytes()),
                Traits::of(name.to_ascii_uppercase().as_bytes()),
                "{name}"
            );
        }
        assert!(is_read_only(&Cmd::new("Get").arg("k")));
        assert_ne!(blocking(&Cmd::new("bLpOp").arg("k").arg("1")), Blocking::No);
    }
}
