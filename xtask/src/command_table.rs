//! `command-table`: writes `redis-core/src/cmd_info/table.rs` from the `COMMAND` reply of the
//! running Redis 8.2 test server (modules loaded), so the client's facts about commands are the
//! server's own, checked in and readable.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::error::{Context, Result, bail};
use crate::layout::Layout;
use crate::resp::{self, Value};

/// Where the table goes, relative to the workspace root.
const TABLE: &str = "redis-core/src/cmd_info/table.rs";

/// The server flags the table keeps, with the name of their constant in `cmd_info::facts::flag`,
/// in the order a line lists them. Others (`fast`, `skip_monitor` ...) are dropped.
const FLAGS: [(&str, &str); 13] = [
    ("readonly", "READONLY"),
    ("write", "WRITE"),
    ("denyoom", "DENYOOM"),
    ("admin", "ADMIN"),
    ("pubsub", "PUBSUB"),
    ("noscript", "NOSCRIPT"),
    ("blocking", "BLOCKING"),
    ("loading", "LOADING"),
    ("stale", "STALE"),
    ("no_multi", "NO_MULTI"),
    ("allow_busy", "ALLOW_BUSY"),
    ("movablekeys", "MOVABLEKEYS"),
    ("module", "MODULE"),
];

/// `request_policy:` tips and their `facts::Request` variant.
const REQUEST: [(&str, &str); 4] = [
    ("all_nodes", "AllNodes"),
    ("all_shards", "AllShards"),
    ("multi_shard", "MultiShard"),
    ("special", "Special"),
];

/// `response_policy:` tips and their `facts::Response` variant.
const RESPONSE: [(&str, &str); 8] = [
    ("one_succeeded", "OneSucceeded"),
    ("all_succeeded", "AllSucceeded"),
    ("agg_logical_and", "AggLogicalAnd"),
    ("agg_logical_or", "AggLogicalOr"),
    ("agg_min", "AggMin"),
    ("agg_max", "AggMax"),
    ("agg_sum", "AggSum"),
    ("special", "Special"),
];

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    /// Upper case; `CONTAINER|SUB` for a subcommand.
    name: String,
    /// Constant names from [`FLAGS`], plus `CONTAINER`.
    flags: Vec<&'static str>,
    /// Rendered key specs (`at(1).range(0, 1, 0)`).
    keys: Vec<String>,
    request: Option<&'static str>,
    response: Option<&'static str>,
}

/// `cargo xtask command-table [--addr HOST:PORT]`.
pub fn command(layout: &Layout, args: &[OsString]) -> Result<()> {
    let addr = crate::env_file::stack_address(layout, args)?;
    let reply = resp::command(addr, &["COMMAND"])?;
    let mut commands = Vec::new();
    let mut subcommands = Vec::new();
    for entry in reply.items() {
        let (line, subs) = parse_entry(entry, true)?;
        commands.push(line);
        subcommands.extend(subs);
    }
    if commands.is_empty() {
        bail!("COMMAND on {addr} answered {reply:?}, not a list of commands");
    }
    commands.sort_by(|a, b| a.name.cmp(&b.name));
    subcommands.sort_by(|a, b| a.name.cmp(&b.name));
    let text = render(&server_description(addr)?, &commands, &subcommands);
    let path: PathBuf = layout.root.join(TABLE);
    fs::write(&path, text).context(|| format!("writing {}", path.display()))?;
    eprintln!(
        "[xtask] wrote {} ({} commands, {} subcommands, from {addr})",
        path.display(),
        commands.len(),
        subcommands.len()
    );
    Ok(())
}

/// `Redis 8.2.3 with the modules ReJSON 20803, search 21005, ...`, from INFO and MODULE LIST.
fn server_description(addr: SocketAddr) -> Result<String> {
    let info = resp::text(addr, &["INFO", "server"])?;
    let version = info
        .lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .map_or("of unknown version", str::trim);
    let mut modules = Vec::new();
    for module in resp::command(addr, &["MODULE", "LIST"])?.items() {
        let fields = module.items();
        let field = |name: &str| {
            fields
                .chunks_exact(2)
                .find(|pair| pair[0].text().as_deref() == Some(name))
                .map(|pair| match &pair[1] {
                    Value::Int(n) => n.to_string(),
                    other => other.text().unwrap_or_default(),
                })
        };
        if let (Some(name), Some(ver)) = (field("name"), field("ver")) {
            modules.push(format!("{name} {ver}"));
        }
    }
    modules.sort();
    Ok(if modules.is_empty() {
        format!("Redis {version} (no modules)")
    } else {
        format!("Redis {version} with the modules {}", modules.join(", "))
    })
}

/// The line of one `COMMAND` entry and, for a container, the lines of its subcommands.
fn parse_entry(entry: &Value, top: bool) -> Result<(Line, Vec<Line>)> {
    let fields = entry.items();
    let shown = || format!("{entry:?}");
    let Some(name) = fields.first().and_then(Value::text) else {
        bail!("a COMMAND entry without a name: {}", shown());
    };
    let name = name.to_ascii_uppercase();
    let what = || format!("the COMMAND entry of {name}");
    let server_flags: Vec<String> = fields
        .get(2)
        .map(|f| f.items().iter().filter_map(Value::text).collect())
        .unwrap_or_default();
    let mut flags: Vec<&'static str> = FLAGS
        .iter()
        .filter(|(server, _)| server_flags.iter().any(|f| f == server))
        .map(|&(_, ours)| ours)
        .collect();
    let legacy: Vec<i64> = (3..6)
        .filter_map(|i| match fields.get(i) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        })
        .collect();
    let [first, last, step] = legacy[..] else {
        bail!("{}: no first/last/step", what());
    };
    let mut request = None;
    let mut response = None;
    for tip in fields.get(7).map(Value::items).unwrap_or_default() {
        let tip = tip.text().unwrap_or_default();
        if let Some(policy) = tip.strip_prefix("request_policy:") {
            request = Some(variant(&REQUEST, policy));
        } else if let Some(policy) = tip.strip_prefix("response_policy:") {
            response = Some(variant(&RESPONSE, policy));
        } else if tip == "nondeterministic_output" {
            // Not a server flag but a tip; the client-side cache must not keep such replies.
            flags.push("NONDETERMINISTIC");
        }
    }
    let mut keys = Vec::new();
    for spec in fields.get(8).map(Value::items).unwrap_or_default() {
        keys.push(key_spec(spec).context(what)?);
    }
    if keys.is_empty() && first > 0 {
        // The legacy triple counts `last` from the command name, a key spec from the first key.
        let last = if last >= 0 { last - first } else { last };
        keys.push(format!("at({first}).range({last}, {step}, 0)"));
    }
    let mut subcommands = Vec::new();
    for sub in fields.get(9).map(Value::items).unwrap_or_default() {
        if !top {
            bail!("{}: subcommands nested in a subcommand", what());
        }
        subcommands.push(parse_entry(sub, false)?.0);
    }
    if !subcommands.is_empty() {
        flags.push("CONTAINER");
    }
    let line = Line {
        name,
        flags,
        keys,
        request,
        response,
    };
    Ok((line, subcommands))
}

/// The variant for a policy name; a name the table does not know is `Special`, which makes the
/// cluster layer look at the command itself rather than guess.
fn variant(known: &[(&str, &'static str)], name: &str) -> &'static str {
    known
        .iter()
        .find(|(policy, _)| *policy == name)
        .map_or("Special", |&(_, variant)| variant)
}

/// One key spec rendered as the table's constructor calls.
fn key_spec(spec: &Value) -> Result<String> {
    let flags: Vec<String> = field(spec, "flags")
        .map(|f| f.items().iter().filter_map(Value::text).collect())
        .unwrap_or_default();
    let begin = field(spec, "begin_search");
    let find = field(spec, "find_keys");
    let kind = |v: Option<&Value>| v.and_then(|v| field(v, "type")).and_then(Value::text);
    let number = |v: Option<&Value>, name: &str| match spec_of(v).and_then(|s| field(s, name)) {
        Some(Value::Int(n)) => Ok(*n),
        other => Err(crate::error::Error::new(format!(
            "key spec field {name} is {other:?} in {spec:?}"
        ))),
    };
    let begin_text = match kind(begin).as_deref() {
        Some("index") => format!("at({})", number(begin, "index")?),
        Some("keyword") => {
            let keyword = spec_of(begin)
                .and_then(|s| field(s, "keyword"))
                .and_then(Value::text)
                .unwrap_or_default();
            if !keyword
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
            {
                bail!("keyword {keyword:?} would need escaping");
            }
            format!("after({keyword:?}, {})", number(begin, "startfrom")?)
        }
        _ => return Ok("unknown()".to_string()),
    };
    let find_text = match kind(find).as_deref() {
        Some("range") => format!(
            "range({}, {}, {})",
            number(find, "lastkey")?,
            number(find, "keystep")?,
            number(find, "limit")?
        ),
        Some("keynum") => format!(
            "keynum({}, {}, {})",
            number(find, "keynumidx")?,
            number(find, "firstkey")?,
            number(find, "keystep")?
        ),
        _ => return Ok("unknown()".to_string()),
    };
    let mut text = format!("{begin_text}.{find_text}");
    for (server, ours) in [("not_key", ".not_key()"), ("incomplete", ".incomplete()")] {
        if flags.iter().any(|f| f == server) {
            text.push_str(ours);
        }
    }
    Ok(text)
}

/// The `spec` of a `begin_search` or `find_keys`.
fn spec_of(search: Option<&Value>) -> Option<&Value> {
    search.and_then(|v| field(v, "spec"))
}

/// The value after `name` in a flat array of names and values (RESP2's form of a map).
fn field<'a>(map: &'a Value, name: &str) -> Option<&'a Value> {
    map.items()
        .chunks_exact(2)
        .find(|pair| pair[0].text().as_deref() == Some(name))
        .map(|pair| &pair[1])
}

/// The generated file: header, the two sorted tables, and the name-to-index `match`.
fn render(server: &str, commands: &[Line], subcommands: &[Line]) -> String {
    let longest = commands.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let origin = format!(
        "Generated by `cargo xtask command-table` from the `COMMAND` reply of {server}. Do not \
         edit by hand: run it again against the server wanted and commit the result."
    );
    let mut out = format!(
        "\
{}
//!
//! A line is a command's upper-case name, the server flags kept (`facts::flag`), where its keys
//! are (`keys::KeySpec`: the key specs, or else the legacy first/last/step) and its cluster
//! policy tips, if any.

use super::facts::flag::*;
use super::facts::{{Command, Request, Response, cmd}};
use super::keys::{{after, at, unknown}};

/// The length of the longest name in [`COMMANDS`].
pub(super) const LONGEST_NAME: usize = {longest};

/// Every command, sorted by name.
#[rustfmt::skip]
pub(super) static COMMANDS: [Command; {}] = [
",
        doc_lines(&origin),
        commands.len()
    );
    for line in commands {
        render_line(&mut out, line);
    }
    let _ = write!(
        out,
        "];

/// Every subcommand, named `CONTAINER|SUB`, sorted by name.
#[rustfmt::skip]
pub(super) static SUBCOMMANDS: [Command; {}] = [
",
        subcommands.len()
    );
    for line in subcommands {
        render_line(&mut out, line);
    }
    out.push_str(
        "];

/// The position in [`COMMANDS`] of the command called `name`, in upper case: a `match` the
/// compiler turns into a decision tree on length and bytes.
#[rustfmt::skip]
pub(super) fn index(name: &[u8]) -> Option<usize> {
    Some(match name {
",
    );
    let mut row = String::new();
    for (i, line) in commands.iter().enumerate() {
        let arm = format!("b\"{}\" => {i},", line.name);
        if !row.is_empty() && 8 + row.len() + 1 + arm.len() > 100 {
            let _ = writeln!(out, "        {row}");
            row.clear();
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(&arm);
    }
    if !row.is_empty() {
        let _ = writeln!(out, "        {row}");
    }
    out.push_str("        _ => return None,\n    })\n}\n");
    out
}

/// `text` as `//!` lines of at most 100 characters.
fn doc_lines(text: &str) -> String {
    let mut lines = vec![String::from("//!")];
    for word in text.split_whitespace() {
        let last = lines.len() - 1;
        if lines[last].len() + 1 + word.len() > 100 {
            lines.push(String::from("//!"));
        }
        let last = lines.len() - 1;
        lines[last].push(' ');
        lines[last].push_str(word);
    }
    lines.join("\n")
}

fn render_line(out: &mut String, line: &Line) {
    let flags = if line.flags.is_empty() {
        "0".to_string()
    } else {
        line.flags.join(" | ")
    };
    let _ = write!(
        out,
        "    cmd({:?}, {flags}, &[{}])",
        line.name,
        line.keys.join(", ")
    );
    if line.request.is_some() || line.response.is_some() {
        let _ = write!(
            out,
            ".tips(Request::{}, Response::{})",
            line.request.unwrap_or("Default"),
            line.response.unwrap_or("Default")
        );
    }
    out.push_str(",\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Some(s.as_bytes().to_vec()))
    }

    fn array(items: Vec<Value>) -> Value {
        Value::Array(Some(items))
    }

    #[test]
    fn renders_an_entry_with_keyword_spec_and_tips() -> Result<()> {
        let spec = array(vec![
            bulk("flags"),
            array(vec![Value::Simple("RO".into())]),
            bulk("begin_search"),
            array(vec![
                bulk("type"),
                bulk("keyword"),
                bulk("spec"),
                array(vec![
                    bulk("keyword"),
                    bulk("STREAMS"),
                    bulk("startfrom"),
                    Value::Int(1),
                ]),
            ]),
            bulk("find_keys"),
            array(vec![
                bulk("type"),
                bulk("range"),
                bulk("spec"),
                array(vec![
                    bulk("lastkey"),
                    Value::Int(-1),
                    bulk("keystep"),
                    Value::Int(1),
                    bulk("limit"),
                    Value::Int(2),
                ]),
            ]),
        ]);
        let entry = array(vec![
            bulk("xread"),
            Value::Int(-4),
            array(vec![
                Value::Simple("readonly".into()),
                Value::Simple("blocking".into()),
                Value::Simple("fast".into()),
            ]),
            Value::Int(0),
            Value::Int(0),
            Value::Int(0),
            array(vec![]),
            array(vec![Value::Simple("request_policy:all_shards".into())]),
            array(vec![spec]),
            array(vec![]),
        ]);
        let (line, subs) = parse_entry(&entry, true)?;
        assert!(subs.is_empty());
        let mut out = String::new();
        render_line(&mut out, &line);
        assert_eq!(
            out,
            "    cmd(\"XREAD\", READONLY | BLOCKING, &[after(\"STREAMS\", 1).range(-1, 1, 2)])\
             .tips(Request::AllShards, Response::Default),\n"
        );
        Ok(())
    }

    #[test]
    fn falls_back_to_first_last_step() -> Result<()> {
        let entry = array(vec![
            bulk("mset"),
            Value::Int(-3),
            array(vec![Value::Simple("write".into())]),
            Value::Int(1),
            Value::Int(-1),
            Value::Int(2),
        ]);
        let (line, _) = parse_entry(&entry, true)?;
        assert_eq!(line.keys, ["at(1).range(-1, 2, 0)"]);
        let entry = array(vec![
            bulk("json.debug"),
            Value::Int(-2),
            array(vec![]),
            Value::Int(2),
            Value::Int(3),
            Value::Int(1),
        ]);
        assert_eq!(parse_entry(&entry, true)?.0.keys, ["at(2).range(1, 1, 0)"]);
        Ok(())
    }
}
