//! Reading the facts of one command from a `COMMAND INFO` reply, so that a
//! connection can learn commands the generated table does not know (a newer
//! server, another module). RESP2 and RESP3 shapes alike: RESP3 sends flags
//! as sets and key specs as maps, RESP2 both as arrays.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, RwLock};

use super::facts::{Command, Request, Response, flag};
use super::keys::{Begin, Find, KeySpec};
use crate::Value;

/// The commands this process learned from servers, for names the generated
/// table does not have (a module it was not generated with, a newer server).
/// A name is asked about once: the first client that sends it asks its
/// server `COMMAND INFO name` in the background, and commands created after
/// the answer get the learned facts. Lines are leaked on purpose: a process
/// learns each name at most once, and only names some server knows, so the
/// set is bounded by the servers' command tables.
struct Registry {
    /// Upper-case name: the learned line's position, or `None` while asked
    /// about and for names no server knew.
    by_name: HashMap<Box<[u8]>, Option<u16>>,
    lines: Vec<&'static Command>,
}

static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(|| {
    RwLock::new(Registry {
        by_name: HashMap::new(),
        lines: Vec::new(),
    })
});

/// Set once anything is learned: until then a name the table does not have
/// (the unnamed scratch commands arguments are built in, above all) costs
/// one load, not a lock and a hash lookup.
static LEARNED_ANY: AtomicBool = AtomicBool::new(false);

/// Learned lines beyond this many are not kept: a bound against a server
/// that claims to know every name a program makes up.
const MAX_LEARNED: usize = 4096;

/// The learned line for an upper-case `name`, with its position.
pub(crate) fn lookup(name: &[u8]) -> Option<(u16, &'static Command)> {
    if name.is_empty() || !LEARNED_ANY.load(Ordering::Acquire) {
        return None;
    }
    let registry = REGISTRY.read().ok()?;
    let index = (*registry.by_name.get(name)?)?;
    Some((index, *registry.lines.get(usize::from(index))?))
}

/// The learned line at `index`.
pub(crate) fn line(index: u16) -> Option<&'static Command> {
    let registry = REGISTRY.read().ok()?;
    registry.lines.get(usize::from(index)).copied()
}

/// True for the first caller that asks about `name` (upper case): that
/// caller asks a server and then calls [`remember`]. Names that cannot be
/// commands (empty, long, with spaces or control bytes) are never asked about.
pub(crate) fn claim(name: &[u8]) -> bool {
    let plausible = !name.is_empty() && name.len() <= 64 && name.iter().all(u8::is_ascii_graphic);
    if !plausible {
        return false;
    }
    let Ok(mut registry) = REGISTRY.write() else {
        return false;
    };
    if registry.by_name.contains_key(name) || registry.by_name.len() >= MAX_LEARNED {
        return false;
    }
    registry.by_name.insert(name.into(), None);
    true
}

/// Records what a server's reply to `COMMAND INFO name` says about `name`
/// (upper case). A reply that names no command (nil) or that cannot be
/// read leaves the name unknown for good: it is not asked about again.
pub(crate) fn remember(name: &[u8], reply: &Value) {
    let Some(learned) = facts_from_command_info(reply) else {
        return;
    };
    let line: &'static Command = Box::leak(Box::new(learned.into_line()));
    let Ok(mut registry) = REGISTRY.write() else {
        return;
    };
    let Ok(index) = u16::try_from(registry.lines.len()) else {
        return;
    };
    registry.lines.push(line);
    registry.by_name.insert(name.into(), Some(index));
    LEARNED_ANY.store(true, Ordering::Release);
}

/// What a `COMMAND INFO` entry says about a command: the same facts as a
/// table line, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Learned {
    /// Upper case; a subcommand is `CONTAINER|SUB`.
    pub(crate) name: String,
    /// Bits of [`flag`]; [`flag::CONTAINER`] when it lists subcommands.
    pub(crate) flags: u16,
    /// Where its keys are: its key specs, or else a spec made from the
    /// legacy first/last/step.
    pub(crate) keys: Vec<KeySpec<String>>,
    /// The `request_policy` tip.
    pub(crate) request: Request,
    /// The `response_policy` tip.
    pub(crate) response: Response,
    /// Its subcommands, in the server's order.
    pub(crate) subcommands: Vec<Learned>,
}

/// The facts in one entry of a `COMMAND INFO name` (or `COMMAND`) reply:
/// `[name, arity, flags, first, last, step, acl categories, tips, key specs,
/// subcommands]`, the last four missing before Redis 7; or the whole reply
/// to `COMMAND INFO name`, an array of that one entry. `None` when the entry
/// is not of that shape (a nil entry is an unknown command).
pub(crate) fn facts_from_command_info(reply: &Value) -> Option<Learned> {
    let entry = items(reply)?;
    if let [only] = entry {
        if items(only).is_some() {
            // The whole reply to `COMMAND INFO name`: its one entry.
            return facts_from_command_info(only);
        }
    }
    let name = text(entry.first()?)?.to_ascii_uppercase();
    let mut flags = 0;
    for name in items(entry.get(2)?)? {
        flags |= flag::of_name(text(name)?);
    }
    let legacy = [entry.get(3)?, entry.get(4)?, entry.get(5)?].map(integer);
    let mut request = Request::Default;
    let mut response = Response::Default;
    for tip in entry.get(7).and_then(items).unwrap_or_default() {
        let tip = text(tip)?;
        if let Some(policy) = tip.strip_prefix("request_policy:") {
            request = Request::of_name(policy).unwrap_or(Request::Special);
        } else if let Some(policy) = tip.strip_prefix("response_policy:") {
            response = Response::of_name(policy).unwrap_or(Response::Special);
        } else if tip == "nondeterministic_output" {
            flags |= flag::NONDETERMINISTIC;
        }
    }
    let mut keys = Vec::new();
    for spec in entry.get(8).and_then(items).unwrap_or_default() {
        keys.push(key_spec(spec)?);
    }
    if keys.is_empty() {
        keys.extend(legacy_spec(legacy)?);
    }
    let mut subcommands = Vec::new();
    for sub in entry.get(9).and_then(items).unwrap_or_default() {
        subcommands.push(facts_from_command_info(sub)?);
    }
    if !subcommands.is_empty() {
        flags |= flag::CONTAINER;
    }
    Some(Learned {
        name,
        flags,
        keys,
        request,
        response,
        subcommands,
    })
}

impl Learned {
    /// A table line of these facts, its strings leaked (see [`Registry`]).
    /// Subcommands are not kept: a learned container's subcommands stay
    /// unknown, so its commands are treated as writes that may not be
    /// repeated, and their keys as unknown.
    fn into_line(self) -> Command {
        let keys: Vec<KeySpec> = self
            .keys
            .into_iter()
            .map(|spec| KeySpec {
                begin: match spec.begin {
                    Begin::Index(index) => Begin::Index(index),
                    Begin::Keyword { keyword, from } => Begin::Keyword {
                        keyword: &*Box::leak(keyword.into_boxed_str()),
                        from,
                    },
                    Begin::Unknown => Begin::Unknown,
                },
                find: spec.find,
                not_key: spec.not_key,
                incomplete: spec.incomplete,
            })
            .collect();
        Command {
            name: Box::leak(self.name.into_boxed_str()),
            flags: self.flags,
            keys: Box::leak(keys.into_boxed_slice()),
            request: self.request,
            response: self.response,
        }
    }
}

/// The spec the legacy `first, last, step` describe: `last` is absolute
/// there (or negative, from the end), relative in a key spec.
fn legacy_spec([first, last, step]: [Option<i64>; 3]) -> Option<Option<KeySpec<String>>> {
    let (first, last, step) = (first?, last?, step?);
    if first <= 0 {
        return Some(None);
    }
    let last = if last >= 0 { last - first } else { last };
    Some(Some(KeySpec {
        begin: Begin::Index(u16::try_from(first).ok()?),
        find: Find::Range {
            last: i16::try_from(last).ok()?,
            step: u16::try_from(step).ok()?,
            limit: 0,
        },
        not_key: false,
        incomplete: false,
    }))
}

/// One key spec: `flags`, `begin_search` and `find_keys`, each a map (RESP3)
/// or a flat array of name and value (RESP2); `notes` is skipped.
fn key_spec(spec: &Value) -> Option<KeySpec<String>> {
    let mut not_key = false;
    let mut incomplete = false;
    let mut begin = None;
    let mut find = None;
    for (field, value) in pairs(spec)? {
        match text(field)? {
            "flags" => {
                for flag in items(value)? {
                    match text(flag)? {
                        "not_key" => not_key = true,
                        "incomplete" => incomplete = true,
                        _ => {}
                    }
                }
            }
            "begin_search" => begin = Some(begin_search(value)?),
            "find_keys" => find = Some(find_keys(value)?),
            _ => {}
        }
    }
    Some(KeySpec {
        begin: begin?,
        find: find?,
        not_key,
        incomplete,
    })
}

/// `type` and `spec` of a `begin_search` or `find_keys` map.
fn typed(value: &Value) -> Option<(&str, Vec<(&Value, &Value)>)> {
    let mut kind = None;
    let mut spec = None;
    for (field, value) in pairs(value)? {
        match text(field)? {
            "type" => kind = Some(text(value)?),
            "spec" => spec = Some(pairs(value)?),
            _ => {}
        }
    }
    Some((kind?, spec.unwrap_or_default()))
}

fn begin_search(value: &Value) -> Option<Begin<String>> {
    let (kind, spec) = typed(value)?;
    let field = |name: &str| {
        spec.iter()
            .find(|(k, _)| text(k) == Some(name))
            .map(|p| p.1)
    };
    Some(match kind {
        "index" => Begin::Index(number(field("index")?)?),
        "keyword" => Begin::Keyword {
            keyword: text(field("keyword")?)?.to_owned(),
            from: number(field("startfrom")?)?,
        },
        _ => Begin::Unknown,
    })
}

fn find_keys(value: &Value) -> Option<Find> {
    let (kind, spec) = typed(value)?;
    let field = |name: &str| {
        spec.iter()
            .find(|(k, _)| text(k) == Some(name))
            .map(|p| p.1)
    };
    Some(match kind {
        "range" => Find::Range {
            last: number(field("lastkey")?)?,
            step: number(field("keystep")?)?,
            limit: number(field("limit")?)?,
        },
        "keynum" => Find::Keynum {
            index: number(field("keynumidx")?)?,
            first: number(field("firstkey")?)?,
            step: number(field("keystep")?)?,
        },
        _ => Find::Unknown,
    })
}

/// The elements of an array or set.
fn items(value: &Value) -> Option<&[Value]> {
    match value.innermost() {
        Value::Array(items) | Value::Set(items) => Some(items),
        _ => None,
    }
}

/// The fields of a map, or of an array of alternating names and values.
fn pairs(value: &Value) -> Option<Vec<(&Value, &Value)>> {
    match value.innermost() {
        Value::Map(pairs) => Some(pairs.iter().map(|(k, v)| (k, v)).collect()),
        Value::Array(items) if items.len() % 2 == 0 => Some(
            items
                .chunks_exact(2)
                .map(|pair| (&pair[0], &pair[1]))
                .collect(),
        ),
        _ => None,
    }
}

fn text(value: &Value) -> Option<&str> {
    match value.innermost() {
        Value::SimpleString(bytes) | Value::BulkString(bytes) => std::str::from_utf8(bytes).ok(),
        Value::Verbatim { text, .. } => std::str::from_utf8(text).ok(),
        _ => None,
    }
}

fn integer(value: &Value) -> Option<i64> {
    match value.innermost() {
        Value::Integer(n) => Some(*n),
        _ => None,
    }
}

/// An integer that fits `T` (a position, a step).
fn number<T: TryFrom<i64>>(value: &Value) -> Option<T> {
    T::try_from(integer(value)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn bulk(s: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn simple(s: &str) -> Value {
        Value::SimpleString(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn array(items: Vec<Value>) -> Value {
        Value::Array(items)
    }

    fn int(n: i64) -> Value {
        Value::Integer(n)
    }

    /// `COMMAND INFO zunionstore` from Redis 8.2.3 over RESP2, as redis-cli
    /// shows it: flags and categories are simple strings, the rest bulk.
    fn zunionstore_resp2() -> Value {
        let spec = |flags: &[&str], begin: Value, find: Value| {
            array(vec![
                bulk("flags"),
                array(flags.iter().map(|f| simple(f)).collect()),
                bulk("begin_search"),
                begin,
                bulk("find_keys"),
                find,
            ])
        };
        let index = |i| {
            array(vec![
                bulk("type"),
                bulk("index"),
                bulk("spec"),
                array(vec![bulk("index"), int(i)]),
            ])
        };
        array(vec![
            bulk("zunionstore"),
            int(-4),
            array(vec![
                simple("write"),
                simple("denyoom"),
                simple("movablekeys"),
            ]),
            int(1),
            int(1),
            int(1),
            array(vec![
                simple("@write"),
                simple("@sortedset"),
                simple("@slow"),
            ]),
            array(vec![]),
            array(vec![
                spec(
                    &["OW", "update"],
                    index(1),
                    array(vec![
                        bulk("type"),
                        bulk("range"),
                        bulk("spec"),
                        array(vec![
                            bulk("lastkey"),
                            int(0),
                            bulk("keystep"),
                            int(1),
                            bulk("limit"),
                            int(0),
                        ]),
                    ]),
                ),
                spec(
                    &["RO", "access"],
                    index(2),
                    array(vec![
                        bulk("type"),
                        bulk("keynum"),
                        bulk("spec"),
                        array(vec![
                            bulk("keynumidx"),
                            int(0),
                            bulk("firstkey"),
                            int(1),
                            bulk("keystep"),
                            int(1),
                        ]),
                    ]),
                ),
            ]),
            array(vec![]),
        ])
    }

    #[test]
    fn reads_a_resp2_entry() {
        let learned = facts_from_command_info(&zunionstore_resp2());
        let whole_reply = array(vec![zunionstore_resp2()]);
        assert_eq!(facts_from_command_info(&whole_reply), learned);
        let expected = Learned {
            name: "ZUNIONSTORE".to_owned(),
            flags: flag::WRITE | flag::DENYOOM | flag::MOVABLEKEYS,
            keys: vec![
                KeySpec {
                    begin: Begin::Index(1),
                    find: Find::Range {
                        last: 0,
                        step: 1,
                        limit: 0,
                    },
                    not_key: false,
                    incomplete: false,
                },
                KeySpec {
                    begin: Begin::Index(2),
                    find: Find::Keynum {
                        index: 0,
                        first: 1,
                        step: 1,
                    },
                    not_key: false,
                    incomplete: false,
                },
            ],
            request: Request::Default,
            response: Response::Default,
            subcommands: vec![],
        };
        assert_eq!(learned.as_ref(), Some(&expected));
        let args: [&[u8]; 5] = [b"ZUNIONSTORE", b"dst", b"2", b"a", b"b"];
        let keys = super::super::keys::key_positions(&expected.keys, &args, false);
        assert_eq!(keys, [1, 3, 4]);
    }

    /// An entry in RESP3's shape: flags as sets, key specs as maps. (XINFO
    /// has no tips; these are DBSIZE's, to cover them too.)
    #[test]
    fn reads_a_resp3_entry_with_tips_and_subcommands() {
        let map = |pairs: Vec<(&str, Value)>| {
            Value::Map(pairs.into_iter().map(|(k, v)| (bulk(k), v)).collect())
        };
        let xinfo_stream = array(vec![
            bulk("xinfo|stream"),
            int(-3),
            Value::Set(vec![simple("readonly")]),
            int(2),
            int(2),
            int(1),
            Value::Set(vec![simple("@read")]),
            array(vec![]),
            array(vec![map(vec![
                ("flags", Value::Set(vec![simple("RO")])),
                (
                    "begin_search",
                    map(vec![
                        ("type", bulk("index")),
                        ("spec", map(vec![("index", int(2))])),
                    ]),
                ),
                (
                    "find_keys",
                    map(vec![
                        ("type", bulk("range")),
                        (
                            "spec",
                            map(vec![
                                ("lastkey", int(0)),
                                ("keystep", int(1)),
                                ("limit", int(0)),
                            ]),
                        ),
                    ]),
                ),
            ])]),
            array(vec![]),
        ]);
        let xinfo = array(vec![
            bulk("xinfo"),
            int(-2),
            Value::Set(vec![]),
            int(0),
            int(0),
            int(0),
            Value::Set(vec![simple("@slow")]),
            array(vec![
                simple("request_policy:all_shards"),
                simple("response_policy:agg_sum"),
            ]),
            array(vec![]),
            array(vec![xinfo_stream]),
        ]);
        let learned = facts_from_command_info(&xinfo);
        let learned = learned.as_ref();
        assert_eq!(learned.map(|l| l.flags), Some(flag::CONTAINER));
        assert_eq!(learned.map(|l| l.request), Some(Request::AllShards));
        assert_eq!(learned.map(|l| l.response), Some(Response::AggSum));
        let sub = learned.and_then(|l| l.subcommands.first());
        assert_eq!(sub.map(|s| s.name.as_str()), Some("XINFO|STREAM"));
        assert_eq!(sub.map(|s| s.flags), Some(flag::READONLY));
        let spec = sub.and_then(|s| s.keys.first()).map(|k| k.begin.clone());
        assert_eq!(spec, Some(Begin::Index(2)));
    }

    #[test]
    fn falls_back_to_first_last_step() {
        // A Redis 6 entry: no tips, key specs or subcommands.
        let mset = array(vec![
            bulk("mset"),
            int(-3),
            array(vec![simple("write")]),
            int(1),
            int(-1),
            int(2),
        ]);
        let learned = facts_from_command_info(&mset);
        let keys = learned.map(|l| l.keys);
        let args: [&[u8]; 5] = [b"MSET", b"a", b"1", b"b", b"2"];
        let found = keys.map(|k| super::super::keys::key_positions(&k, &args, false));
        assert_eq!(found, Some(vec![1, 3]));
    }

    #[test]
    fn refuses_what_is_not_an_entry() {
        assert_eq!(facts_from_command_info(&Value::Nil), None);
        assert_eq!(facts_from_command_info(&array(vec![Value::Nil])), None);
        assert_eq!(facts_from_command_info(&array(vec![bulk("get")])), None);
        let bad_flags = array(vec![bulk("get"), int(2), int(7), int(1), int(1), int(1)]);
        assert_eq!(facts_from_command_info(&bad_flags), None);
    }
}
