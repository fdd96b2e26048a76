//! What the client must know about a command before sending it: whether it
//! is safe to repeat, whether it blocks and for how long, whether it leaves
//! state on its connection, and where its keys are.
//!
//! The server's facts come from one generated [`table`], written by `cargo
//! xtask command-table` from the `COMMAND` reply of Redis 8.2 with its
//! modules (JSON, Search, Bloom, vector sets): flags, key specs, cluster
//! policy tips, subcommands. What the client makes of them is [`Traits`],
//! derived from each line at compile time together with the few notions of
//! our own the server has no flag for (which commands leave state on a
//! connection, MULTI and its end). [`learn`] reads the same facts from a
//! `COMMAND INFO` reply, for commands the table does not know.

mod facts;
mod keys;
pub(crate) mod learn;
mod module_tips;
mod table;

use std::time::Duration;

use crate::Cmd;
use facts::{Command, flag};
pub(crate) use facts::{Request, Response};

/// What the client makes of a command, computed once when it is created:
/// its name is looked up in the generated [`table`] (a `match` on the
/// upper-case name, as cheap as the hand-written one it replaced), and the
/// line's traits, derived at compile time, are copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Traits {
    /// Bits of the constants below.
    bits: u8,
    /// The command's position in [`table::COMMANDS`]; [`Traits::UNKNOWN`]
    /// for a name the table does not have.
    entry: u16,
}

/// Names longer than this are no command: upper-casing them needs no room.
const NAME_BUFFER: usize = 24;
const _: () = assert!(table::LONGEST_NAME <= NAME_BUFFER);
const _: () = assert!(table::COMMANDS.len() < u16::MAX as usize);

impl Traits {
    /// Repeating it after a lost connection cannot apply anything twice, so
    /// the client retries it on its own. The rule, from the server's flags:
    /// flagged `readonly`; or flagged none of `write`, `admin`, `pubsub`
    /// and `noscript`, which leaves the harmless ones the server does not
    /// call readonly (PING, ECHO, TIME, INFO, COMMAND ..., CLUSTER SLOTS,
    /// WAIT) and keeps out PUBLISH and SPUBLISH (`pubsub`), EVAL, EVALSHA
    /// and FCALL (`noscript`: no `write` flag, but their scripts may
    /// write), MULTI and EXEC. A container (CLIENT, CONFIG ...) is decided
    /// by its subcommand. Excepted: [`NOT_REPEATABLE`].
    const READ_ONLY: u8 = 1;
    /// Leaves state on its connection (WATCH, MULTI, subscriptions): on a
    /// shared connection that state would leak to every other caller, and on
    /// a pooled one it would be lost when it is returned. Ours: [`STATEFUL`].
    const STATEFUL: u8 = 2;
    /// The server flags it `blocking`: it may block, and its arguments say
    /// for how long (see [`blocking`]).
    const BLOCKING: u8 = 4;
    /// `MULTI`: stateful, but allowed inside a batch that ends it.
    const MULTI: u8 = 8;
    /// A container (CLIENT, CONFIG, XINFO, FT.DEBUG ...): its subcommand,
    /// the second argument, has the facts.
    const SUBCOMMANDS: u8 = 16;
    /// `EXEC` and `DISCARD`: end what `MULTI` began.
    const ENDS_MULTI: u8 = 32;
    /// Ours, set on a command rather than read from the table: the caller
    /// allows a cluster to split it by hash slot and send each slot's part
    /// apart, so that it is not atomic there (`mset_nonatomic`).
    const SPLITS_BY_SLOT: u8 = 64;

    /// The entry of a name the table does not have.
    const UNKNOWN: u16 = u16::MAX;

    /// Classifies a command by its name, in any case.
    pub(crate) fn of(name: &[u8]) -> Traits {
        if !name.iter().any(u8::is_ascii_lowercase) {
            // Names are usually written in capitals: no copy needed.
            return Self::of_uppercase(name);
        }
        let mut upper = [0u8; NAME_BUFFER];
        let Some(upper) = upper.get_mut(..name.len()) else {
            return Traits::unknown();
        };
        upper.copy_from_slice(name);
        upper.make_ascii_uppercase();
        Self::of_uppercase(upper)
    }

    fn of_uppercase(name: &[u8]) -> Traits {
        let Some(entry) = table::index(name) else {
            return Self::learned(name);
        };
        Traits {
            bits: TRAITS.get(entry).copied().unwrap_or(0),
            entry: u16::try_from(entry).unwrap_or(Self::UNKNOWN),
        }
    }

    /// The traits of a name the table does not have, as a server taught
    /// them (see [`learn`]), or none.
    fn learned(name: &[u8]) -> Traits {
        let Some((index, command)) = learn::lookup(name) else {
            return Traits::unknown();
        };
        let Some(entry) = usize::from(index)
            .checked_add(table::COMMANDS.len())
            .and_then(|entry| u16::try_from(entry).ok())
            .filter(|&entry| entry != Self::UNKNOWN)
        else {
            return Traits::unknown();
        };
        Traits {
            bits: derive(command),
            entry,
        }
    }

    /// True when the command can go on the shared connection as it is, with
    /// nothing to look at but its name: a known command that neither leaves
    /// state, nor ends a MULTI, nor blocks, nor is a container whose
    /// subcommand would decide.
    pub(crate) fn is_plain(self) -> bool {
        self.is_known()
            && !self.has(
                Self::STATEFUL
                    | Self::MULTI
                    | Self::ENDS_MULTI
                    | Self::BLOCKING
                    | Self::SUBCOMMANDS,
            )
    }

    /// False for a name neither the table nor a server taught us.
    pub(crate) fn is_known(self) -> bool {
        self.entry != Self::UNKNOWN
    }

    fn unknown() -> Traits {
        Traits {
            bits: 0,
            entry: Self::UNKNOWN,
        }
    }

    fn has(self, flag: u8) -> bool {
        self.bits & flag != 0
    }

    /// `MULTI`, `EXEC` or `DISCARD`: what frames a transaction.
    pub(crate) fn frames_multi(self) -> bool {
        self.has(Self::MULTI | Self::ENDS_MULTI)
    }

    /// These traits, and leave for a cluster to split the command by slot
    /// (see [`Traits::SPLITS_BY_SLOT`]).
    pub(crate) fn splitting_by_slot(self) -> Traits {
        Traits {
            bits: self.bits | Self::SPLITS_BY_SLOT,
            ..self
        }
    }

    /// Whether the caller let a cluster split the command by slot.
    pub(crate) fn splits_by_slot(self) -> bool {
        self.has(Self::SPLITS_BY_SLOT)
    }

    /// Never modifies data (see [`Traits::READ_ONLY`]). For a container, false:
    /// only its subcommand can say, and [`is_read_only`] asks it.
    pub(crate) fn reads_only(self) -> bool {
        self.has(Self::READ_ONLY)
    }
}

/// Ours: commands that leave state on their connection (see
/// [`Traits::STATEFUL`]); subcommands as `CONTAINER|SUB`.
const STATEFUL: [&str; 20] = [
    "WATCH",
    "SUBSCRIBE",
    "PSUBSCRIBE",
    "SSUBSCRIBE",
    // Outside subscribed mode they change nothing, but their replies are
    // one message per channel (push frames in RESP3), not one reply: see
    // [`pubsub_refusal`].
    "UNSUBSCRIBE",
    "PUNSUBSCRIBE",
    "SUNSUBSCRIBE",
    "MONITOR",
    "SELECT",
    "HELLO",
    "RESET",
    "AUTH",
    "READONLY",
    "READWRITE",
    "CLIENT|TRACKING",
    "CLIENT|REPLY",
    "CLIENT|CACHING",
    // Settings of the connection a reconnect would lose, and that a pooled
    // connection would carry to its next user (Config::with_client_name
    // names the shared connection, and keeps the name across reconnects).
    "CLIENT|SETNAME",
    "CLIENT|NO-EVICT",
    "CLIENT|NO-TOUCH",
];

/// Ours: what ends a `MULTI`.
const ENDS_MULTI: [&str; 2] = ["EXEC", "DISCARD"];

/// Flagged `readonly` by the server, yet changing something, so that a
/// repeat is not harmless: RediSearch flags `readonly` whatever leaves the
/// keyspace alone, including its aliases, dictionaries, configuration and
/// cursors (a repeated FT.CURSOR READ skips a batch). A container listed
/// here stands for all its subcommands.
const NOT_REPEATABLE: [&str; 10] = [
    "FT.ALIASADD",
    "FT.ALIASDEL",
    "FT.ALIASUPDATE",
    "FT.CONFIG",
    "FT.CURSOR",
    "FT.DEBUG",
    "FT.DICTADD",
    "FT.DICTDEL",
    "FT._ALIASADDIFNX",
    "FT._ALIASDELIFX",
];

/// The traits of every line of [`table::COMMANDS`], by position.
static TRAITS: [u8; table::COMMANDS.len()] = derive_all(&table::COMMANDS);
/// The traits of every line of [`table::SUBCOMMANDS`], by position.
static SUB_TRAITS: [u8; table::SUBCOMMANDS.len()] = derive_all(&table::SUBCOMMANDS);

const fn derive_all<const N: usize>(commands: &[Command; N]) -> [u8; N] {
    let mut traits = [0; N];
    let mut i = 0;
    while i < N {
        traits[i] = derive(&commands[i]);
        i += 1;
    }
    traits
}

/// The traits of one table line: the server's flags read as the doc
/// comments of [`Traits`] say, and our own lists.
const fn derive(command: &Command) -> u8 {
    let name = command.name;
    let mut bits = 0;
    if command.has(flag::CONTAINER) {
        bits |= Traits::SUBCOMMANDS;
    } else if (command.has(flag::READONLY)
        || command.flags & (flag::WRITE | flag::ADMIN | flag::PUBSUB | flag::NOSCRIPT) == 0)
        && !listed(name, &NOT_REPEATABLE)
    {
        bits |= Traits::READ_ONLY;
    }
    if command.has(flag::BLOCKING) {
        bits |= Traits::BLOCKING;
    }
    if listed(name, &STATEFUL) {
        bits |= Traits::STATEFUL;
    }
    if same(name, "MULTI") {
        bits |= Traits::STATEFUL | Traits::MULTI;
    }
    if listed(name, &ENDS_MULTI) {
        bits |= Traits::ENDS_MULTI;
    }
    bits
}

/// True when `name` is in `list`, or is a subcommand (`FT.DEBUG|HELP`) of a
/// container in it.
const fn listed(name: &str, list: &[&str]) -> bool {
    let mut i = 0;
    while i < list.len() {
        if same(name, list[i]) || is_subcommand_of(name, list[i]) {
            return true;
        }
        i += 1;
    }
    false
}

const fn is_subcommand_of(name: &str, container: &str) -> bool {
    let (name, container) = (name.as_bytes(), container.as_bytes());
    if name.len() <= container.len() || name[container.len()] != b'|' {
        return false;
    }
    let mut i = 0;
    while i < container.len() {
        if name[i] != container[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The position in [`table::SUBCOMMANDS`] of `container`'s subcommand
/// `sub`, in any case; only containers have one, so this binary search is
/// off the hot path.
fn subcommand(container: &str, sub: &[u8]) -> Option<usize> {
    let wanted = || {
        container
            .bytes()
            .chain([b'|'])
            .chain(sub.iter().map(u8::to_ascii_uppercase))
    };
    table::SUBCOMMANDS
        .binary_search_by(|line| line.name.bytes().cmp(wanted()))
        .ok()
}

/// The table line of `cmd` (of its subcommand, for a container) and its
/// traits; `None` for a command or subcommand the table does not know.
fn line(cmd: &Cmd) -> Option<(&'static Command, u8)> {
    let traits = cmd.traits();
    let entry = usize::from(traits.entry);
    let command = match table::COMMANDS.get(entry) {
        Some(command) => command,
        None => learn::line(u16::try_from(entry.checked_sub(table::COMMANDS.len())?).ok()?)?,
    };
    if !traits.has(Traits::SUBCOMMANDS) {
        return Some((command, traits.bits));
    }
    let sub = subcommand(command.name, cmd.args().nth(1)?)?;
    Some((table::SUBCOMMANDS.get(sub)?, *SUB_TRAITS.get(sub)?))
}

/// The traits of `cmd`, of its subcommand for a container (none for one
/// the table does not know).
fn traits_bits(cmd: &Cmd) -> u8 {
    let traits = cmd.traits();
    if traits.has(Traits::SUBCOMMANDS) {
        line(cmd).map_or(0, |(_, bits)| bits)
    } else {
        traits.bits
    }
}

/// The arguments of `cmd` that are keys, found with the server's key specs
/// (see [`Cmd::keys`]).
pub(crate) fn keys(cmd: &Cmd) -> std::vec::IntoIter<&[u8]> {
    found(cmd, false)
}

/// The arguments of `cmd` that choose its hash slot on a cluster: its keys,
/// and its shard channels (SPUBLISH's channel hashes to a slot as a key
/// does, and only that slot's primary delivers it), and PUBLISH's channel:
/// any node delivers it to the whole cluster, but the messages of one channel
/// keep their order only when they go through one node.
pub(crate) fn slot_args(cmd: &Cmd) -> std::vec::IntoIter<&[u8]> {
    if cmd.is("PUBLISH") {
        return cmd
            .args()
            .nth(1)
            .into_iter()
            .collect::<Vec<_>>()
            .into_iter();
    }
    found(cmd, true)
}

fn found(cmd: &Cmd, channels: bool) -> std::vec::IntoIter<&[u8]> {
    let Some((command, _)) = line(cmd) else {
        return Vec::new().into_iter();
    };
    if command.keys.is_empty() {
        return Vec::new().into_iter();
    }
    let args: Vec<&[u8]> = cmd.args().collect();
    let found: Vec<&[u8]> = keys::key_positions(command.keys, &args, channels)
        .into_iter()
        .filter_map(|i| args.get(i).copied())
        .collect();
    found.into_iter()
}

/// The flags that keep a read out of the client-side cache: its reply may
/// change without a write (`NONDETERMINISTIC`: TTL, SRANDMEMBER, HSCAN ...),
/// it reads keys its key specs do not name (`MOVABLEKEYS`: SORT_RO's BY and
/// GET patterns; `NOSCRIPT`: EVAL_RO, FCALL_RO), or it waits (`BLOCKING`).
const UNCACHEABLE: u16 =
    flag::NONDETERMINISTIC | flag::MOVABLEKEYS | flag::NOSCRIPT | flag::BLOCKING | flag::PUBSUB;

/// The one key of `cmd` when its reply may be kept by the client-side cache:
/// a `readonly` command (from the table, or as a server taught it) without
/// [`UNCACHEABLE`] flags, whose arguments name exactly one key. The server
/// tracks exactly the keys a command's key specs name, so these are the
/// replies an invalidation for that key covers.
pub(crate) fn cacheable_key(cmd: &Cmd) -> Option<&[u8]> {
    let (command, _) = line(cmd)?;
    if !command.has(flag::READONLY) || command.flags & UNCACHEABLE != 0 || command.keys.is_empty() {
        return None;
    }
    // On the stack for the usual few arguments: this runs on every cache hit.
    let mut few: [&[u8]; 8] = [&[]; 8];
    let many: Vec<&[u8]>;
    let argc = cmd.arg_count();
    let args: &[&[u8]] = if argc <= few.len() {
        for (slot, arg) in few.iter_mut().zip(cmd.args()) {
            *slot = arg;
        }
        &few[..argc]
    } else {
        many = cmd.args().collect();
        &many
    };
    args.get(keys::only_key_position(command.keys, args)?)
        .copied()
}

/// True when commands named `name` (upper or lower case; not a container's
/// subcommand) can be cached at all: see [`cacheable_key`].
pub(crate) fn cacheable_name(name: &str) -> bool {
    let cmd = Cmd::new(name);
    if cmd.traits().has(Traits::SUBCOMMANDS) {
        return false;
    }
    line(&cmd).is_some_and(|(command, _)| {
        command.has(flag::READONLY) && command.flags & UNCACHEABLE == 0 && !command.keys.is_empty()
    })
}

/// True for the commands that empty or swap whole databases: FLUSHDB,
/// FLUSHALL, SWAPDB. Every cached reply may be stale after them.
pub(crate) fn empties_databases(cmd: &Cmd) -> bool {
    ["FLUSHDB", "FLUSHALL", "SWAPDB"]
        .iter()
        .any(|name| cmd.is(name))
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

/// True for commands that are safe to repeat; see [`Traits::READ_ONLY`].
pub(crate) fn is_read_only(cmd: &Cmd) -> bool {
    traits_bits(cmd) & Traits::READ_ONLY != 0
}

/// Where a cluster sends `cmd` and how it merges the replies: the
/// `request_policy` and `response_policy` tips of its table line (of its
/// subcommand, for a container), or of what a server taught about it, or
/// for a module command that states none, those of
/// [`module_tips`](module_tips::module_tips); none for a command nobody knows.
pub(crate) fn policy(cmd: &Cmd) -> (Request, Response) {
    match line(cmd).map(|(command, _)| (command.request, command.response)) {
        Some((Request::Default, Response::Default)) | None => {
            module_tips::module_tips(cmd.name()).unwrap_or_default()
        }
        Some(tips) => tips,
    }
}

/// True when the server flags `cmd` `readonly`: it reads keys and writes
/// nothing, so a replica in READONLY mode serves it. Stricter than
/// [`is_read_only`], which also admits keyless commands that merely
/// change nothing (PING, INFO, WAIT).
pub(crate) fn reads_data_only(cmd: &Cmd) -> bool {
    line(cmd).is_some_and(|(command, _)| command.has(flag::READONLY))
}

/// True for commands that leave state on their connection; see [`Traits`].
/// `CLIENT TRACKING` and `CLIENT REPLY` do; other `CLIENT` subcommands do not.
pub(crate) fn is_stateful(cmd: &Cmd) -> bool {
    traits_bits(cmd) & Traits::STATEFUL != 0
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
            if let Some(why) = pubsub_refusal(cmd) {
                return Some(why);
            }
            return Some(format!(
                "{} leaves state on its connection: run it on client.dedicated() \
                 (for WATCH use Transaction / transaction(); for another database, a client of its own; \
                 to name the connection, Config::with_client_name)",
                stateful_name(cmd)
            ));
        }
    }
    open_multi.then(|| {
        "MULTI leaves state on its connection: use Transaction, or run it on client.dedicated()"
            .to_owned()
    })
}

/// Why `cmd` may not be sent on any connection of this client, shared or
/// dedicated, if it is a command that turns the connection into a stream of
/// messages: the SUBSCRIBE family (and its UNSUBSCRIBE counterparts, whose
/// replies are one message per channel, push frames over RESP3) and
/// MONITOR. No reply slot can read such a stream: over RESP3 the command
/// would wait for its whole timeout, over RESP2 the messages would be taken
/// for the replies of later commands.
pub(crate) fn pubsub_refusal(cmd: &Cmd) -> Option<String> {
    const SUBSCRIPTIONS: [&str; 6] = [
        "SUBSCRIBE",
        "PSUBSCRIBE",
        "SSUBSCRIBE",
        "UNSUBSCRIBE",
        "PUNSUBSCRIBE",
        "SUNSUBSCRIBE",
    ];
    if !is_stateful(cmd) {
        return None;
    }
    let name = cmd.name();
    if SUBSCRIPTIONS.iter().any(|s| cmd.is(s)) {
        return Some(format!(
            "{name} is not available on the shared connection or a dedicated one (a subscribed \
             connection answers with a stream of messages that no command's reply can read): use \
             client.pubsub(), a PubSub (on a RESP3 client's own connection, which it keeps in \
             step, or on a connection of its own; cluster.pubsub() on a cluster), with \
             subscribe, psubscribe, ssubscribe and their unsubscribe counterparts. PUBLISH and \
             SPUBLISH work here."
        ));
    }
    cmd.is("MONITOR").then(|| {
        format!(
            "{name} is not available on the shared connection or a dedicated one: it turns its \
             connection into an endless stream of every command the server runs, which no \
             command's reply can read; use client.monitor(), a Monitor on a connection of its own"
        )
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

/// How long `cmd` may block: only for commands the table flags `blocking`,
/// with the time where each of them has it.
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
    fn subscriptions_and_monitor_are_refused_everywhere_with_what_will_serve() {
        for name in [
            "SUBSCRIBE",
            "psubscribe",
            "SSubscribe",
            "UNSUBSCRIBE",
            "PUNSUBSCRIBE",
            "sunsubscribe",
        ] {
            let cmd = Cmd::new(name).arg("news");
            let why = pubsub_refusal(&cmd).unwrap_or_default();
            assert!(
                why.starts_with(&format!("{name} is not available")),
                "{why}"
            );
            assert!(why.contains("PubSub"), "{why}");
            assert!(why.contains("client.pubsub()"), "{why}");
            // The shared connection gives the same reason, and no longer
            // sends the caller to a dedicated connection.
            let shared = shared_connection_refusal(std::slice::from_ref(&cmd));
            assert_eq!(shared.as_deref(), Some(why.as_str()));
            assert!(!why.contains("dedicated()"), "{why}");
        }
        let monitor = pubsub_refusal(&Cmd::new("MONITOR")).unwrap_or_default();
        assert!(monitor.contains("MONITOR is not available"), "{monitor}");
        assert!(monitor.contains("client.monitor()"), "{monitor}");
        for allowed in [
            Cmd::new("PUBLISH").arg("news").arg("hi"),
            Cmd::new("SPUBLISH").arg("news").arg("hi"),
            Cmd::new("PUBSUB").arg("CHANNELS"),
            Cmd::new("RESET"),
            Cmd::new("WATCH").arg("k"),
            Cmd::new("SENTINEL").arg("MONITOR").arg("m"),
        ] {
            assert_eq!(pubsub_refusal(&allowed), None, "{allowed:?}");
        }
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
    fn keys_of(cmd: &Cmd) -> Vec<String> {
        cmd.keys()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect()
    }

    #[test]
    fn keys_are_where_the_key_specs_say() {
        let mset = Cmd::new("MSET").arg("a").arg(1).arg("b").arg(2);
        assert_eq!(keys_of(&mset), ["a", "b"]);
        let xread = Cmd::new("xread")
            .arg("COUNT")
            .arg(1)
            .arg("STREAMS")
            .arg("s1")
            .arg("s2")
            .arg(0)
            .arg(0);
        assert_eq!(keys_of(&xread), ["s1", "s2"]);
        let eval = Cmd::new("EVAL")
            .arg("s")
            .arg(2)
            .arg("k1")
            .arg("k2")
            .arg("a");
        assert_eq!(keys_of(&eval), ["k1", "k2"]);
        let zunionstore = Cmd::new("ZUNIONSTORE").arg("dst").arg(2).arg("a").arg("b");
        assert_eq!(keys_of(&zunionstore), ["dst", "a", "b"]);
        let blmove = Cmd::new("BLMOVE")
            .arg("src")
            .arg("dst")
            .arg("LEFT")
            .arg("RIGHT")
            .arg(0);
        assert_eq!(keys_of(&blmove), ["src", "dst"]);
        assert_eq!(keys_of(&Cmd::new("GET").arg("k")), ["k"]);
        assert_eq!(keys_of(&Cmd::new("PING")), Vec::<String>::new());
        assert_eq!(
            keys_of(&Cmd::new("NO-SUCH-COMMAND").arg("k")),
            Vec::<String>::new()
        );
        let spublish = Cmd::new("SPUBLISH").arg("channel").arg("m");
        assert_eq!(keys_of(&spublish), Vec::<String>::new());
        // Not a key, but it chooses the slot.
        assert_eq!(slot_args(&spublish).collect::<Vec<_>>(), [b"channel"]);
        // PUBLISH's channel too, so one channel's messages go through one node, in order.
        let publish = Cmd::new("PUBLISH").arg("news").arg("m");
        assert_eq!(keys_of(&publish), Vec::<String>::new());
        assert_eq!(slot_args(&publish).collect::<Vec<_>>(), [b"news"]);
    }

    #[test]
    fn subcommands_have_their_own_keys() {
        let object = Cmd::new("OBJECT").arg("encoding").arg("k");
        assert_eq!(keys_of(&object), ["k"]);
        let xinfo = Cmd::new("xinfo").arg("STREAM").arg("s").arg("FULL");
        assert_eq!(keys_of(&xinfo), ["s"]);
        assert!(is_read_only(&xinfo));
        let unknown = Cmd::new("OBJECT").arg("NO-SUCH-SUB").arg("k");
        assert_eq!(keys_of(&unknown), Vec::<String>::new());
        assert!(!is_read_only(&unknown));
        assert_eq!(keys_of(&Cmd::new("CLIENT")), Vec::<String>::new());
    }

    #[test]
    fn module_commands_are_known() {
        assert!(is_read_only(&Cmd::new("JSON.GET").arg("k").arg("$")));
        assert!(is_read_only(&Cmd::new("json.get").arg("k")));
        assert!(is_read_only(&Cmd::new("FT.SEARCH").arg("idx").arg("*")));
        assert!(is_read_only(&Cmd::new("VSIM").arg("k").arg("ELE").arg("e")));
        assert!(!is_read_only(&Cmd::new("BF.ADD").arg("k").arg("x")));
        assert!(!is_read_only(
            &Cmd::new("JSON.SET").arg("k").arg("$").arg("1")
        ));
        assert!(!is_read_only(&Cmd::new("VADD").arg("k")));
        // Flagged readonly by RediSearch, but not safe to repeat.
        assert!(!is_read_only(
            &Cmd::new("FT.CURSOR").arg("READ").arg("idx").arg(1)
        ));
        assert!(!is_read_only(&Cmd::new("FT.ALIASADD").arg("a").arg("idx")));
        assert!(!is_read_only(&Cmd::new("FT.DEBUG").arg("GC_FORCEINVOKE")));
        assert_eq!(
            keys_of(&Cmd::new("JSON.MGET").arg("a").arg("b").arg("$")),
            ["a"]
        );
        assert_eq!(keys_of(&Cmd::new("bf.add").arg("f").arg("x")), ["f"]);
    }

    #[test]
    fn read_only_means_safe_to_repeat() {
        for harmless in [
            "PING", "ECHO", "TIME", "INFO", "DBSIZE", "LASTSAVE", "XREAD",
        ] {
            assert!(is_read_only(&Cmd::new(harmless)), "{harmless}");
        }
        assert!(is_read_only(&Cmd::new("COMMAND").arg("INFO").arg("get")));
        assert!(is_read_only(&Cmd::new("CLUSTER").arg("SLOTS")));
        for unsafe_to_repeat in [
            Cmd::new("PUBLISH").arg("ch").arg("m"),
            Cmd::new("SPUBLISH").arg("ch").arg("m"),
            Cmd::new("EVAL").arg("s").arg(0),
            Cmd::new("EVALSHA").arg("sha").arg(0),
            Cmd::new("FCALL").arg("f").arg(0),
            Cmd::new("EXEC"),
            Cmd::new("XREADGROUP").arg("GROUP"),
            Cmd::new("INCR").arg("k"),
            Cmd::new("CONFIG").arg("SET").arg("x").arg("y"),
            Cmd::new("CLIENT").arg("KILL").arg("ID").arg(1),
            Cmd::new("FLUSHALL"),
        ] {
            assert!(!is_read_only(&unsafe_to_repeat), "{unsafe_to_repeat:?}");
        }
        assert!(is_read_only(&Cmd::new("EVAL_RO").arg("s").arg(0)));
    }

    #[test]
    fn only_commands_the_server_calls_blocking_block() {
        // The position of the blocking time is ours: every command the table
        // flags `blocking` must be one whose position `blocking` knows.
        const KNOWN: [&str; 12] = [
            "BLMOVE",
            "BLMPOP",
            "BLPOP",
            "BRPOP",
            "BRPOPLPUSH",
            "BZMPOP",
            "BZPOPMAX",
            "BZPOPMIN",
            "WAIT",
            "WAITAOF",
            "XREAD",
            "XREADGROUP",
        ];
        let flagged: Vec<&str> = table::COMMANDS
            .iter()
            .chain(&table::SUBCOMMANDS)
            .filter(|c| c.has(flag::BLOCKING))
            .map(|c| c.name)
            .collect();
        assert_eq!(flagged, KNOWN);
        assert_eq!(blocking(&Cmd::new("LPOP").arg("k").arg("5")), Blocking::No);
        assert_eq!(
            blocking(
                &Cmd::new("XREADGROUP")
                    .arg("GROUP")
                    .arg("g")
                    .arg("c")
                    .arg("BLOCK")
                    .arg(5)
            ),
            Blocking::For(Duration::from_millis(5))
        );
    }

    #[test]
    fn the_table_is_sorted_and_indexed() {
        for (i, command) in table::COMMANDS.iter().enumerate() {
            assert_eq!(table::index(command.name.as_bytes()), Some(i));
            assert!(!command.name.contains('|'), "{}", command.name);
            assert!(command.name.len() <= table::LONGEST_NAME);
        }
        assert!(table::COMMANDS.windows(2).all(|w| w[0].name < w[1].name));
        assert!(table::SUBCOMMANDS.windows(2).all(|w| w[0].name < w[1].name));
        for (i, sub) in table::SUBCOMMANDS.iter().enumerate() {
            let (parent, name) = sub.name.split_once('|').unwrap_or_default();
            let parent = table::index(parent.as_bytes()).map(|p| &table::COMMANDS[p]);
            assert!(
                parent.is_some_and(|p| p.has(flag::CONTAINER)),
                "{}",
                sub.name
            );
            let lower = name.to_ascii_lowercase();
            let container = sub.name.split('|').next().unwrap_or_default();
            assert_eq!(subcommand(container, lower.as_bytes()), Some(i));
        }
        assert_eq!(table::index(b"get"), None);
        assert_eq!(table::index(b""), None);
    }

    #[test]
    fn our_lists_name_commands_the_table_has() {
        let known = |name: &str| {
            table::index(name.as_bytes()).is_some()
                || table::SUBCOMMANDS.iter().any(|c| c.name == name)
        };
        for name in STATEFUL.iter().chain(&ENDS_MULTI).chain(&NOT_REPEATABLE) {
            assert!(known(name), "{name} is not in the table");
        }
    }

    /// SENTINEL exists on sentinels only, so the table (made from a Redis
    /// server) does not have it: it goes out as an unknown command, and once
    /// a sentinel answered `COMMAND INFO SENTINEL` as a learned container,
    /// whose subcommands stay unknown. Either way no subcommand is repeated
    /// after a lost connection (FAILOVER, RESET, MONITOR, REMOVE and SET
    /// change the sentinel), and none is refused on a shared connection.
    #[test]
    fn sentinel_commands_are_never_repeated_nor_refused() {
        use crate::Value;
        use bytes::Bytes;

        let text = |s: &str| Value::BulkString(Bytes::copy_from_slice(s.as_bytes()));
        let entry = |name: &str, arity: i64, subcommands: Vec<Value>| {
            Value::Array(vec![
                text(name),
                Value::Integer(arity),
                Value::Array(vec![text("admin")]),
                Value::Integer(0),
                Value::Integer(0),
                Value::Integer(0),
                Value::Array(vec![text("@admin"), text("@slow"), text("@dangerous")]),
                Value::Array(vec![]),
                Value::Array(vec![]),
                Value::Array(subcommands),
            ])
        };
        let sentinels_answer = entry(
            "sentinel",
            -2,
            ["failover", "reset", "monitor", "remove", "set", "masters"]
                .map(|sub| entry(&format!("sentinel|{sub}"), -3, vec![]))
                .to_vec(),
        );
        let commands = || {
            [
                Cmd::new("SENTINEL").arg("FAILOVER").arg("m"),
                Cmd::new("SENTINEL").arg("RESET").arg("*"),
                Cmd::new("SENTINEL")
                    .arg("MONITOR")
                    .arg("m")
                    .arg("127.0.0.1")
                    .arg(6379)
                    .arg(2),
                Cmd::new("SENTINEL").arg("REMOVE").arg("m"),
                Cmd::new("SENTINEL")
                    .arg("SET")
                    .arg("m")
                    .arg("quorum")
                    .arg(2),
                Cmd::new("sentinel").arg("masters"),
            ]
        };
        let check = || {
            let commands = commands();
            for cmd in &commands {
                assert!(!is_read_only(cmd), "{cmd:?}");
                assert!(!is_stateful(cmd), "{cmd:?}");
                assert_eq!(keys(cmd).count(), 0, "{cmd:?}");
            }
            assert_eq!(shared_connection_refusal(&commands), None);
        };
        assert!(!Cmd::new("SENTINEL").traits().is_known());
        check();
        learn::remember(b"SENTINEL", &sentinels_answer);
        assert!(Cmd::new("SENTINEL").traits().is_known());
        check();
    }

    #[test]
    fn traits_stay_small() {
        // Every waiting command's future holds its Cmd.
        assert_eq!(std::mem::size_of::<Traits>(), 4);
        assert_eq!(std::mem::size_of::<Cmd>(), 40);
    }
}
