//! `coverage`: which commands of the running Redis 8.2 (modules loaded) have no typed method.
//!
//! The server's `COMMAND DOCS` says what exists and in which group; the source under
//! `redis-core/src/commands/` says what is typed: a command is typed when some file there builds
//! it with the literal `Cmd::new("NAME")`, a subcommand when `Cmd::new("NAME")` is followed by
//! `.arg("SUB")` (names in any case, whitespace and line breaks allowed between them).
//!
//! SENTINEL exists on sentinels only: its subcommands come from the `COMMAND DOCS SENTINEL` of
//! the test servers' first sentinel, when they are up.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::error::{Context, Result, bail};
use crate::layout::Layout;
use crate::resp::{self, Value};

/// Where typed commands live, relative to the workspace root.
const COMMANDS_DIR: &str = "redis-core/src/commands";

/// The core groups in scope, in the order printed.
const GROUPS: [&str; 16] = [
    "string",
    "generic",
    "hash",
    "list",
    "set",
    "sorted-set",
    "stream",
    "geo",
    "hyperloglog",
    "bitmap",
    "scripting",
    "pubsub",
    "server",
    "connection",
    "cluster",
    "sentinel",
];

/// Module commands (group `module`) by name prefix, and the group they are printed under.
/// Vector sets have no prefix: they are the module commands starting with `V` (VADD, VSIM ...).
const MODULE_GROUPS: [(&str, &str); 10] = [
    ("JSON.", "json"),
    ("TS.", "timeseries"),
    ("GRAPH.", "graph"),
    ("FT.", "search"),
    ("BF.", "bloom"),
    ("CF.", "cuckoo"),
    ("CMS.", "count-min-sketch"),
    ("TOPK.", "top-k"),
    ("TDIGEST.", "t-digest"),
    ("V", "vector-set"),
];

/// Commands left to `Cmd` on purpose, and why. A pattern is a command (`DEBUG`), a subcommand
/// (`CLUSTER MEET`), every subcommand of a container (`MODULE *`), or a subcommand of any
/// container (`* HELP`).
const DELIBERATE: [(&[&str], &str); 25] = [
    (
        &["DEBUG"],
        "debugs the server itself (sleeps, crashes, reloads)",
    ),
    (&["SHUTDOWN"], "stops the server: operations"),
    (
        &["REPLICAOF", "FAILOVER"],
        "changes replication: an operator's or Sentinel's job",
    ),
    (&["MODULE *"], "loads and unloads server code: operations"),
    (
        &["MONITOR"],
        "streams every command the server runs: gets a stream of its own, not a method",
    ),
    (
        &["SYNC", "PSYNC"],
        "the replication protocol a replica speaks",
    ),
    (
        &[
            "CLUSTER ADDSLOTS",
            "CLUSTER ADDSLOTSRANGE",
            "CLUSTER BUMPEPOCH",
            "CLUSTER DELSLOTS",
            "CLUSTER DELSLOTSRANGE",
            "CLUSTER FAILOVER",
            "CLUSTER FLUSHSLOTS",
            "CLUSTER FORGET",
            "CLUSTER MEET",
            "CLUSTER REPLICATE",
            "CLUSTER RESET",
            "CLUSTER SAVECONFIG",
            "CLUSTER SET-CONFIG-EPOCH",
            "CLUSTER SETSLOT",
        ],
        "builds and repairs a cluster: redis-cli --cluster's work",
    ),
    (
        &["ACL LOAD", "ACL SAVE"],
        "reads and writes the server's ACL file: operations",
    ),
    (
        &["MIGRATE"],
        "moves keys to another server: an operator's tool (redis-cli --cluster)",
    ),
    (
        &["CLIENT CACHING", "CLIENT REPLY", "CLIENT TRACKING"],
        "change how the server answers the connection: the client-side cache and the \
         connection layer send them; a shared connection refuses them",
    ),
    (
        &["BF.DEBUG", "CF.DEBUG"],
        "RedisBloom's internals, for its developers",
    ),
    (
        &["JSON.NUMPOWBY"],
        "deprecated by RedisJSON 2.0 and undocumented",
    ),
    (&["* HELP"], "help text for a person at redis-cli"),
    (
        &["SCRIPT DEBUG"],
        "the interactive Lua debugger of redis-cli",
    ),
    (
        &["HELLO", "RESET"],
        "connection state set through Config: the handshake sends it and replays it on every \
         reconnect; a shared connection refuses it",
    ),
    (
        &["ASKING", "READONLY", "READWRITE"],
        "sent by the cluster layer itself on its own connections",
    ),
    (
        &[
            "SUBSCRIBE",
            "PSUBSCRIBE",
            "SSUBSCRIBE",
            "UNSUBSCRIBE",
            "PUNSUBSCRIBE",
            "SUNSUBSCRIBE",
        ],
        "subscriptions belong to the pub/sub layer (a Stream that resubscribes on reconnect)",
    ),
    (
        &["FT.DEBUG", "FT.DEBUG *"],
        "RediSearch's internals, for its developers",
    ),
    (
        &[
            "TIMESERIES.CLUSTERSET",
            "TIMESERIES.CLUSTERSETFROMSHARD",
            "TIMESERIES.FORCESHARDSCONNECTION",
            "TIMESERIES.HELLO",
            "TIMESERIES.INFOCLUSTER",
            "TIMESERIES.INNERCOMMUNICATION",
            "TIMESERIES.NETWORKTEST",
            "TIMESERIES.REFRESHCLUSTER",
        ],
        "RedisTimeSeries' own cluster coordinator (Redis Enterprise shards)",
    ),
    (
        &[
            "FT._ALIASADDIFNX",
            "FT._ALIASDELIFX",
            "FT._ALTERIFNX",
            "FT._CREATEIFNX",
            "FT._DROPIFX",
            "FT._DROPINDEXIFX",
        ],
        "called by RediSearch's own cluster coordinator",
    ),
    (
        &["SENTINEL IS-MASTER-DOWN-BY-ADDR"],
        "the vote sentinels exchange among themselves: with a run id it casts this sentinel's \
         vote for a failover leader",
    ),
    (
        &[
            "SENTINEL CONFIG",
            "SENTINEL DEBUG",
            "SENTINEL INFO-CACHE",
            "SENTINEL PENDING-SCRIPTS",
            "SENTINEL SIMULATE-FAILURE",
        ],
        "a sentinel's own settings (sentinel-pass among them) and internals: operations",
    ),
    (
        &[
            "FT.ADD",
            "FT.SAFEADD",
            "FT.DEL",
            "FT.GET",
            "FT.MGET",
            "FT.DROP",
            "FT.SYNADD",
        ],
        "RediSearch 1.x document commands the module deprecated in 2.0 (HSET/JSON.SET, \
         FT.DROPINDEX); COMMAND DOCS marks no module command deprecated",
    ),
    (
        &[
            "GRAPH.DEBUG",
            "GRAPH.EFFECT",
            "GRAPH.RESTORE",
            "GRAPH.BULK",
            "GRAPH.COPY",
        ],
        "FalkorDB's internals and tooling: DEBUG and EFFECT (replication of a query's effects), \
         RESTORE and BULK (falkordb-bulk-loader's binary protocol), COPY (a graph copied in the \
         background; its key commands work)",
    ),
    (
        &["GRAPH.UDF", "GRAPH.PASSWORD", "GRAPH.INFO", "GRAPH.MEMORY"],
        "FalkorDB additions RedisGraph never had (user functions, the browser's password, \
         running queries, memory use): no redis-py counterpart; left to Cmd for now",
    ),
];

/// What `COMMAND DOCS` says about one command or subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Doc {
    /// Upper case; a subcommand as `CONTAINER SUB`.
    name: String,
    /// The group printed: a core group, a module group, or None when out of scope.
    group: Option<&'static str>,
    /// The server's group, as sent (for the out-of-scope line).
    server_group: String,
    /// `replaced_by` when `doc_flags` has `deprecated`.
    deprecated: Option<String>,
    /// `doc_flags` has `syscmd`: an internal command.
    internal: bool,
}

/// How one command stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Covered,
    Missing,
    Deliberate(usize),
    Deprecated(String),
    Internal,
}

/// `cargo xtask coverage [--check] [--addr HOST:PORT]`.
pub fn command(layout: &Layout, args: &[OsString]) -> Result<ExitCode> {
    let check = args.iter().any(|a| a == "--check");
    let rest: Vec<OsString> = args.iter().filter(|a| *a != "--check").cloned().collect();
    let (text, missing) = measure(layout, &rest)?;
    print!("{text}");
    Ok(if check && missing > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The check `cargo xtask test` ends with: one line when every command in scope is typed, the
/// whole report and a failure when one is not.
pub fn after_tests(layout: &Layout) -> Result<ExitCode> {
    let (text, missing) = measure(layout, &[])?;
    if missing == 0 {
        let total = text.lines().last().unwrap_or_default();
        eprintln!("[xtask] coverage: {total}");
        return Ok(ExitCode::SUCCESS);
    }
    eprint!("{text}");
    eprintln!("error: {missing} commands in scope have no typed method (`cargo xtask coverage`)");
    Ok(ExitCode::FAILURE)
}

/// The report against the running Redis 8.2 and the number of commands in scope it finds
/// untyped.
fn measure(layout: &Layout, args: &[OsString]) -> Result<(String, usize)> {
    let addr = crate::env_file::stack_address(layout, args)?;
    let mut docs = parse_docs(&resp::command(addr, &["COMMAND", "DOCS"])?)?;
    let sentinel = crate::env_file::first_sentinel(layout);
    if let Some(sentinel) = sentinel {
        let reply = resp::command(sentinel, &["COMMAND", "DOCS", "SENTINEL"])
            .context(|| format!("COMMAND DOCS SENTINEL at the sentinel {sentinel}"))?;
        docs.extend(parse_docs(&reply)?);
    }
    let dir = layout.root.join(COMMANDS_DIR);
    let typed = typed_commands(&dir)?;
    let version = resp::text(addr, &["INFO", "server"])?
        .lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .map_or_else(|| "?".to_string(), |v| v.trim().to_string());
    let sentinel = match sentinel {
        Some(sentinel) => format!(" and of the sentinel at {sentinel}"),
        None => " (no sentinel: SENTINEL not counted)".to_string(),
    };
    let header = format!(
        "typed methods under {COMMANDS_DIR} against COMMAND DOCS of Redis {version} at \
         {addr}{sentinel}"
    );
    Ok(report(&header, &docs, &typed))
}

/// The commands and subcommands of a RESP2 `COMMAND DOCS` reply: a flat array of name and doc,
/// each doc a flat array of field and value; a container's subcommands are its commands (the
/// container itself is not callable alone).
fn parse_docs(reply: &Value) -> Result<Vec<Doc>> {
    let items = reply.items();
    if items.is_empty() || items.len() % 2 != 0 {
        bail!("COMMAND DOCS answered {reply:?}, not a list of name and doc");
    }
    let mut docs = Vec::new();
    for pair in items.chunks_exact(2) {
        let Some(name) = pair[0].text() else {
            bail!("COMMAND DOCS: a name that is not text: {:?}", pair[0]);
        };
        let name = name.to_ascii_uppercase();
        let doc = &pair[1];
        let server_group = field(doc, "group")
            .and_then(Value::text)
            .unwrap_or_default();
        let group = group_of(&name, &server_group);
        let subcommands = field(doc, "subcommands")
            .map(Value::items)
            .unwrap_or_default();
        if subcommands.is_empty() {
            docs.push(entry(name, group, &server_group, doc));
            continue;
        }
        for sub in subcommands.chunks_exact(2) {
            let Some(sub_name) = sub[0].text() else {
                bail!("COMMAND DOCS: a subcommand of {name} that is not text");
            };
            // `client|kill` -> `CLIENT KILL`.
            let shown = sub_name.replace('|', " ").to_ascii_uppercase();
            docs.push(entry(shown, group, &server_group, &sub[1]));
        }
    }
    Ok(docs)
}

fn entry(name: String, group: Option<&'static str>, server_group: &str, doc: &Value) -> Doc {
    let flags: Vec<String> = field(doc, "doc_flags")
        .map(|f| f.items().iter().filter_map(Value::text).collect())
        .unwrap_or_default();
    let deprecated = flags.iter().any(|f| f == "deprecated").then(|| {
        field(doc, "replaced_by")
            .and_then(Value::text)
            .unwrap_or_else(|| "no replacement named".to_string())
    });
    Doc {
        name,
        group,
        server_group: server_group.to_string(),
        deprecated,
        internal: flags.iter().any(|f| f == "syscmd"),
    }
}

/// The printed group of a command: its core group, or for a module command the group of its
/// name prefix; None for what is out of scope (the transactions group).
fn group_of(name: &str, server_group: &str) -> Option<&'static str> {
    if server_group == "module" {
        return MODULE_GROUPS
            .iter()
            .find(|(prefix, _)| match *prefix {
                // Vector sets: a bare name (VADD), not another module's dotted one.
                "V" => name.starts_with('V') && !name.contains('.'),
                prefix => name.starts_with(prefix),
            })
            .map(|&(_, group)| group)
            .or(Some("module (other)"));
    }
    GROUPS.iter().find(|g| **g == server_group).copied()
}

/// The value after `name` in a flat array of names and values.
fn field<'a>(map: &'a Value, name: &str) -> Option<&'a Value> {
    map.items()
        .chunks_exact(2)
        .find(|pair| pair[0].text().as_deref() == Some(name))
        .map(|pair| &pair[1])
}

/// Every `NAME` and `NAME SUB` (upper case) that a `.rs` file under `dir` builds.
fn typed_commands(dir: &Path) -> Result<BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(dir, &mut files)?;
    if files.is_empty() {
        bail!("no .rs files under {}", dir.display());
    }
    let mut typed = BTreeSet::new();
    for file in files {
        let source = fs::read_to_string(&file).context(|| format!("reading {}", file.display()))?;
        typed.extend(built_commands(&without_comments(&source)));
    }
    Ok(typed)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .context(|| format!("listing {}", dir.display()))?
            .path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// `source` with its `//` comments (doc comments included) blanked, so that an example in a
/// doc comment does not count as a typed command; string and char literals are kept whole.
fn without_comments(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let mut in_string = false;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            if b == b'\\' {
                push_bytes(&mut out, source, i, 2);
                i += 2;
                continue;
            }
            in_string = b != b'"';
        } else if b == b'"' {
            in_string = true;
        } else if b == b'\'' {
            // A char literal ('"', '\'', 'x') is copied whole; a lifetime is just a quote.
            let len = match (bytes.get(i + 1), bytes.get(i + 2), bytes.get(i + 3)) {
                (Some(b'\\'), Some(_), Some(b'\'')) => 4,
                (Some(_), Some(b'\''), _) => 3,
                _ => 1,
            };
            push_bytes(&mut out, source, i, len);
            i += len;
            continue;
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while bytes.get(i).is_some_and(|&b| b != b'\n') {
                i += 1;
            }
            continue;
        }
        push_bytes(&mut out, source, i, 1);
        i += 1;
    }
    out
}

/// Appends `len` bytes of `source` from `at`, or what there is of them on a char boundary.
fn push_bytes(out: &mut String, source: &str, at: usize, len: usize) {
    let end = (at + len).min(source.len());
    if let Some(part) = source.get(at..end) {
        out.push_str(part);
    } else if let Some(part) = source.get(at..) {
        // Inside a multi-byte character: copy it whole.
        let width = part.chars().next().map_or(1, char::len_utf8);
        out.push_str(&part[..width]);
    }
}

/// The names `Cmd::new("NAME")` builds in `source`, and `NAME SUB` where `.arg("SUB")` follows
/// at once.
fn built_commands(source: &str) -> Vec<String> {
    const NEW: &str = "Cmd::new(";
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find(NEW) {
        rest = &rest[at + NEW.len()..];
        let Some((name, after)) = literal_call_end(rest) else {
            continue;
        };
        let name = name.to_ascii_uppercase();
        let after = after.trim_start();
        if let Some(arg) = after.strip_prefix(".arg(") {
            if let Some((sub, _)) = literal_call_end(arg) {
                found.push(format!("{name} {}", sub.to_ascii_uppercase()));
            }
        }
        found.push(name);
    }
    found
}

/// `"TEXT")...` -> (`TEXT`, `...`), whitespace allowed around the literal; None for anything
/// but a plain string literal.
fn literal_call_end(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start().strip_prefix('"')?;
    let end = text.find('"')?;
    let (literal, after) = (&text[..end], &text[end + 1..]);
    if literal.contains('\\') {
        return None;
    }
    let after = after.trim_start().strip_prefix(')')?;
    Some((literal, after))
}

/// Whether `pattern` of [`DELIBERATE`] covers `name`.
fn matches(pattern: &str, name: &str) -> bool {
    match (pattern.split_once(' '), name.split_once(' ')) {
        (Some(("*", sub)), Some((_, name_sub))) => sub == name_sub,
        (Some((container, "*")), Some((name_container, _))) => container == name_container,
        _ => pattern == name,
    }
}

fn status(doc: &Doc, typed: &BTreeSet<String>) -> Status {
    if typed.contains(&doc.name) {
        return Status::Covered;
    }
    if let Some(replacement) = &doc.deprecated {
        return Status::Deprecated(replacement.clone());
    }
    let deliberate = DELIBERATE
        .iter()
        .position(|(patterns, _)| patterns.iter().any(|p| matches(p, &doc.name)));
    match deliberate {
        Some(i) => Status::Deliberate(i),
        None if doc.internal => Status::Internal,
        None => Status::Missing,
    }
}

/// The printed report, and how many commands in scope are missing.
fn report(header: &str, docs: &[Doc], typed: &BTreeSet<String>) -> (String, usize) {
    let mut out = format!("{header}\n\n");
    let statuses: Vec<(&Doc, Status)> = docs
        .iter()
        .filter(|d| d.group.is_some())
        .map(|d| (d, status(d, typed)))
        .collect();
    let module_groups = MODULE_GROUPS.iter().map(|&(_, g)| g);
    let groups: Vec<&str> = GROUPS
        .iter()
        .copied()
        .chain(module_groups)
        .chain(["module (other)"])
        .collect();
    let (mut covered_total, mut missing_total) = (0, 0);
    for group in groups {
        let in_group: Vec<&(&Doc, Status)> = statuses
            .iter()
            .filter(|(d, _)| d.group == Some(group))
            .collect();
        let covered = in_group
            .iter()
            .filter(|(_, s)| *s == Status::Covered)
            .count();
        let mut missing: Vec<&str> = in_group
            .iter()
            .filter(|(_, s)| *s == Status::Missing)
            .map(|(d, _)| d.name.as_str())
            .collect();
        if covered + missing.len() == 0 && in_group.is_empty() {
            continue;
        }
        missing.sort_unstable();
        covered_total += covered;
        missing_total += missing.len();
        let ratio = format!("{covered}/{}", covered + missing.len());
        if missing.is_empty() {
            let _ = writeln!(out, "{group:<17} {ratio:>7}  complete");
        } else {
            let _ = writeln!(out, "{group:<17} {ratio:>7}  missing:");
            wrap(&mut out, &missing.join(", "), "    ");
        }
    }

    let _ = writeln!(out, "\nleft to Cmd on purpose:");
    let mut deliberate_total = 0;
    for (i, (_, reason)) in DELIBERATE.iter().enumerate() {
        let mut names: Vec<&str> = statuses
            .iter()
            .filter(|(_, s)| *s == Status::Deliberate(i))
            .map(|(d, _)| d.name.as_str())
            .collect();
        if names.is_empty() {
            continue;
        }
        names.sort_unstable();
        deliberate_total += names.len();
        wrap(&mut out, &format!("{reason}:"), "  ");
        wrap(&mut out, &names.join(", "), "    ");
    }
    let typed_anyway: Vec<&str> = docs
        .iter()
        .filter(|d| typed.contains(&d.name))
        .filter(|d| {
            DELIBERATE
                .iter()
                .any(|(patterns, _)| patterns.iter().any(|p| matches(p, &d.name)))
        })
        .map(|d| d.name.as_str())
        .collect();
    if !typed_anyway.is_empty() {
        let _ = writeln!(
            out,
            "  typed although listed here (take them off the list): {}",
            typed_anyway.join(", ")
        );
    }

    let mut deprecated: Vec<(&str, &str)> = statuses
        .iter()
        .filter_map(|(d, s)| match s {
            Status::Deprecated(by) => Some((d.name.as_str(), by.as_str())),
            _ => None,
        })
        .collect();
    deprecated.sort_unstable();
    let _ = writeln!(
        out,
        "\ndeprecated by the server, not typed (use the replacement):"
    );
    for (name, by) in &deprecated {
        let _ = writeln!(out, "  {name:<21} -> {by}");
    }
    let mut internal: Vec<&str> = statuses
        .iter()
        .filter(|(_, s)| *s == Status::Internal)
        .map(|(d, _)| d.name.as_str())
        .collect();
    internal.sort_unstable();
    if !internal.is_empty() {
        let _ = writeln!(
            out,
            "\ninternal (doc_flags syscmd): {}",
            internal.join(", ")
        );
    }

    let mut out_of_scope: Vec<String> = docs
        .iter()
        .filter(|d| d.group.is_none())
        .map(|d| d.server_group.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|g| {
            let n = docs
                .iter()
                .filter(|d| d.group.is_none() && d.server_group == g)
                .count();
            format!("{g} ({n})")
        })
        .collect();
    out_of_scope.sort();
    if !out_of_scope.is_empty() {
        let _ = writeln!(out, "not in scope: {}", out_of_scope.join(", "));
    }
    let unknown: Vec<&str> = typed
        .iter()
        .filter(|name| !name.is_empty() && !name.contains(' '))
        .filter(|name| {
            !docs
                .iter()
                .any(|d| d.name == **name || d.name.starts_with(&format!("{name} ")))
        })
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "typed names the server does not know: {}",
            unknown.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\ntotal: {covered_total}/{} typed, {missing_total} missing; {deliberate_total} on purpose, \
         {} deprecated, {} internal",
        covered_total + missing_total,
        deprecated.len(),
        internal.len()
    );
    (out, missing_total)
}

/// Appends `text` in lines of at most 100 characters, each starting with `indent`, broken
/// after commas.
fn wrap(out: &mut String, text: &str, indent: &str) {
    let mut line = String::from(indent);
    for word in text.split(' ') {
        if line.len() > indent.len() && line.len() + 1 + word.len() > 100 {
            let _ = writeln!(out, "{}", line.trim_end());
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if line.len() > indent.len() {
        let _ = writeln!(out, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_commands_and_subcommands_across_line_breaks() {
        let source = r#"
            /// `Cmd::new("DOCONLY")` in a doc comment does not count.
            fn get() -> Cmd { Cmd::new("get").arg(key) }
            fn kill() -> Cmd {
                Cmd::new("CLIENT")
                    .arg("kill")
                    .arg(id)
            }
            fn quote() -> char { '"' } // Cmd::new("COMMENTED")
            fn info() -> Cmd { Cmd::new( "XINFO" ).arg( "STREAM" ) }
            fn built(name: &str) -> Cmd { Cmd::new(name) }
        "#;
        let found = built_commands(&without_comments(source));
        assert_eq!(
            found,
            ["GET", "CLIENT KILL", "CLIENT", "XINFO STREAM", "XINFO"]
        );
    }

    #[test]
    fn groups_module_commands_by_prefix() {
        assert_eq!(group_of("JSON.GET", "module"), Some("json"));
        assert_eq!(group_of("FT.SEARCH", "module"), Some("search"));
        assert_eq!(group_of("TDIGEST.ADD", "module"), Some("t-digest"));
        assert_eq!(group_of("VSIM", "module"), Some("vector-set"));
        assert_eq!(group_of("TS.ADD", "module"), Some("timeseries"));
        assert_eq!(group_of("GRAPH.QUERY", "module"), Some("graph"));
        assert_eq!(group_of("MULTI", "transactions"), None);
        assert_eq!(group_of("GET", "string"), Some("string"));
    }

    #[test]
    fn patterns_cover_what_they_name() {
        assert!(matches("MODULE *", "MODULE LOAD"));
        assert!(!matches("MODULE *", "MODULE"));
        assert!(matches("* HELP", "XINFO HELP"));
        assert!(!matches("* HELP", "HELP"));
        assert!(matches("CLUSTER MEET", "CLUSTER MEET"));
        assert!(!matches("CLUSTER MEET", "CLUSTER INFO"));
        assert!(matches("DEBUG", "DEBUG"));
    }

    #[test]
    fn reports_per_group_and_fails_on_missing() {
        let doc = |name: &str, group: &'static str| Doc {
            name: name.to_string(),
            group: Some(group),
            server_group: group.to_string(),
            deprecated: None,
            internal: false,
        };
        let mut georadius = doc("GEORADIUS", "geo");
        georadius.deprecated = Some("`GEOSEARCH`".to_string());
        let docs = vec![
            doc("GET", "string"),
            doc("APPEND", "string"),
            doc("CLIENT KILL", "connection"),
            doc("CLIENT HELP", "connection"),
            georadius,
        ];
        let typed: BTreeSet<String> = ["GET", "CLIENT KILL"].map(String::from).into();
        let (text, missing) = report("header", &docs, &typed);
        assert_eq!(missing, 1);
        assert!(
            text.contains("string                1/2  missing:\n    APPEND\n"),
            "{text}"
        );
        assert!(
            text.contains("connection            1/1  complete"),
            "{text}"
        );
        assert!(
            text.contains("  GEORADIUS             -> `GEOSEARCH`"),
            "{text}"
        );
        assert!(text.contains("    CLIENT HELP\n"), "{text}");
        assert!(text.contains("total: 2/3 typed, 1 missing; 1 on purpose, 1 deprecated"));
    }
}
