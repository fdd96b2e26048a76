//! What the server says about one command in its `COMMAND` reply, reduced to
//! what routing, retries and the cluster layer use. The generated
//! [`table`](super::table) is made of these, and so is what
//! [`facts_from_command_info`](super::learn::facts_from_command_info) learns
//! from a live server.

use super::keys::KeySpec;

/// The server flags kept (element 3 of a `COMMAND` entry), one bit each; the
/// others (`fast`, `skip_monitor`, `no_auth` ...) say nothing a client acts on.
pub(crate) mod flag {
    /// `readonly`: reads data, never modifies it.
    pub(crate) const READONLY: u16 = 1;
    /// `write`: may modify data, so it is never repeated unasked.
    pub(crate) const WRITE: u16 = 1 << 1;
    /// `denyoom`: a write refused with `-OOM` while the server is over its
    /// memory limit (others still run then).
    pub(crate) const DENYOOM: u16 = 1 << 2;
    /// `admin`: administrative (CONFIG SET, CLIENT KILL, ...).
    pub(crate) const ADMIN: u16 = 1 << 3;
    /// `pubsub`: publishes, subscribes, or asks about channels.
    pub(crate) const PUBSUB: u16 = 1 << 4;
    /// `noscript`: refused inside scripts; with few exceptions the commands
    /// that act on the connection or on scripts themselves (MULTI, AUTH,
    /// EVAL, SCRIPT LOAD, CLIENT SETNAME ...).
    pub(crate) const NOSCRIPT: u16 = 1 << 5;
    /// `blocking`: may make the server wait before it replies.
    pub(crate) const BLOCKING: u16 = 1 << 6;
    /// `loading`: runs while the server loads its data set; other commands
    /// get `-LOADING` then, which is worth waiting out.
    pub(crate) const LOADING: u16 = 1 << 7;
    /// `stale`: runs on a replica that lost its primary and serves stale data.
    pub(crate) const STALE: u16 = 1 << 8;
    /// `no_multi`: refused inside MULTI ... EXEC.
    pub(crate) const NO_MULTI: u16 = 1 << 9;
    /// `allow_busy`: runs while a script or function is busy (SCRIPT KILL,
    /// FUNCTION KILL ...); other commands get `-BUSY` then.
    pub(crate) const ALLOW_BUSY: u16 = 1 << 10;
    /// `movablekeys`: the legacy first/last/step cannot say where the keys
    /// are; the key specs (or nothing) can.
    pub(crate) const MOVABLEKEYS: u16 = 1 << 11;
    /// `module`: provided by a module (JSON.*, FT.*, BF.* ...).
    pub(crate) const MODULE: u16 = 1 << 12;
    /// Not a server flag: the `nondeterministic_output` tip. Two runs on
    /// the same data may answer differently (TTL, SRANDMEMBER, HSCAN ...),
    /// so the client-side cache never keeps the reply.
    pub(crate) const NONDETERMINISTIC: u16 = 1 << 13;
    /// Not a server flag: the reply lists subcommands for it (element 10),
    /// and the facts of `CLIENT KILL` are those of its `client|kill` entry.
    pub(crate) const CONTAINER: u16 = 1 << 15;

    /// The bit of a server flag name as the reply spells it; 0 for the
    /// flags not kept.
    pub(crate) fn of_name(name: &str) -> u16 {
        match name {
            "readonly" => READONLY,
            "write" => WRITE,
            "denyoom" => DENYOOM,
            "admin" => ADMIN,
            "pubsub" => PUBSUB,
            "noscript" => NOSCRIPT,
            "blocking" => BLOCKING,
            "loading" => LOADING,
            "stale" => STALE,
            "no_multi" => NO_MULTI,
            "allow_busy" => ALLOW_BUSY,
            "movablekeys" => MOVABLEKEYS,
            "module" => MODULE,
            _ => 0,
        }
    }
}

/// Where a cluster sends the command (the `request_policy` tip); without a
/// tip, to the node of its keys, or any node when it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Request {
    /// No tip.
    #[default]
    Default,
    /// `all_nodes`: to every node, primaries and replicas.
    AllNodes,
    /// `all_shards`: to every primary.
    AllShards,
    /// `multi_shard`: split by the slots of its keys (MSET, DEL ...).
    MultiShard,
    /// `special`: needs its own handling.
    Special,
}

/// How the replies of a fanned-out command combine (the `response_policy`
/// tip).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Response {
    /// No tip: arrays are concatenated, a single reply is taken as is.
    #[default]
    Default,
    /// `one_succeeded`: the first success.
    OneSucceeded,
    /// `all_succeeded`: success if every node succeeded.
    AllSucceeded,
    /// `agg_logical_and`: the AND of integer replies.
    AggLogicalAnd,
    /// `agg_logical_or`: the OR of integer replies.
    AggLogicalOr,
    /// `agg_min`: the smallest.
    AggMin,
    /// `agg_max`: the largest.
    AggMax,
    /// `agg_sum`: the sum.
    AggSum,
    /// `special`: needs its own handling.
    Special,
}

impl Request {
    /// The policy a `request_policy:<name>` tip names.
    pub(crate) fn of_name(name: &str) -> Option<Request> {
        Some(match name {
            "all_nodes" => Request::AllNodes,
            "all_shards" => Request::AllShards,
            "multi_shard" => Request::MultiShard,
            "special" => Request::Special,
            _ => return None,
        })
    }
}

impl Response {
    /// The policy a `response_policy:<name>` tip names.
    pub(crate) fn of_name(name: &str) -> Option<Response> {
        Some(match name {
            "one_succeeded" => Response::OneSucceeded,
            "all_succeeded" => Response::AllSucceeded,
            "agg_logical_and" => Response::AggLogicalAnd,
            "agg_logical_or" => Response::AggLogicalOr,
            "agg_min" => Response::AggMin,
            "agg_max" => Response::AggMax,
            "agg_sum" => Response::AggSum,
            "special" => Response::Special,
            _ => return None,
        })
    }
}

/// One command or subcommand of the table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Command {
    /// Upper case; a subcommand is `CONTAINER|SUB` (`CLIENT|KILL`).
    pub(crate) name: &'static str,
    /// Bits of [`flag`].
    pub(crate) flags: u16,
    /// Where its keys are, in the server's order.
    pub(crate) keys: &'static [KeySpec],
    /// Where a cluster sends it.
    pub(crate) request: Request,
    /// How a cluster merges its replies.
    pub(crate) response: Response,
}

/// A table line: a command without policy tips.
pub(crate) const fn cmd(name: &'static str, flags: u16, keys: &'static [KeySpec]) -> Command {
    Command {
        name,
        flags,
        keys,
        request: Request::Default,
        response: Response::Default,
    }
}

impl Command {
    /// The same command with its policy tips.
    pub(crate) const fn tips(self, request: Request, response: Response) -> Command {
        Command {
            request,
            response,
            ..self
        }
    }

    /// True when every bit of `flags` is set.
    pub(crate) const fn has(&self, flags: u16) -> bool {
        self.flags & flags == flags
    }
}
