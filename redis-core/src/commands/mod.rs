//! Typed commands, one file per command group.
//!
//! Each command is a function returning a [`Command`] (`commands::get(key)`)
//! and a method of its group's trait, which is implemented for every
//! [`Target`]: any [`Executor`](crate::Executor) by reference (the method
//! returns the reply's future) and [`Pipeline`](crate::Pipeline) /
//! [`Transaction`](crate::Transaction) by value (the method returns the
//! batch with the reply's type appended). Bring the traits into scope with
//! `use redis_core::prelude::*;` ([`crate::prelude`]); the functions, the
//! options and the reply types stay here, named as `commands::get` or
//! `commands::SetOptions`. Anything without a typed command can be sent as
//! a [`Cmd`](crate::Cmd).
//!
//! ```no_run
//! # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
//! use redis_core::prelude::*;
//! client.set("user:1:name", "Ada").await?;
//! let name: Option<String> = client.get("user:1:name").await?;
//! client.hset("user:1", &[("lang", "en"), ("tz", "UTC")]).await?;
//! let fields: std::collections::HashMap<String, String> = client.hgetall("user:1").await?;
//!
//! let ((), visits, name): ((), i64, Option<String>) = Pipeline::new()
//!     .set("visits", 41)
//!     .incrby("visits", 1)
//!     .get("user:1:name")
//!     .query(client)
//!     .await?;
//! # let _ = (name, fields, visits); Ok(()) }
//! ```

#[macro_use]
mod define;

mod bitmaps;
mod cluster;
mod command;
mod connection;
mod durations;
mod geo;
mod graph;
mod hashes;
mod hyperloglog;
mod json;
mod key_replies;
mod keys;
mod lists;
mod probabilistic;
mod pubsub;
mod reply;
mod scan;
mod scripting;
mod search;
mod sentinel;
mod server;
mod sets;
mod sorted_sets;
mod streams;
mod strings;
mod timeseries;
mod vector_sets;

pub use bitmaps::*;
pub use cluster::*;
pub use command::{Command, Target};
pub use connection::*;
pub use geo::*;
pub use graph::*;
pub use hashes::*;
pub use hyperloglog::*;
pub use json::*;
pub use key_replies::*;
pub use keys::*;
pub use lists::*;
pub use probabilistic::*;
pub use pubsub::*;
pub use scan::*;
pub use scripting::*;
pub use search::*;
pub use sentinel::*;
pub use server::*;
pub use sets::*;
pub use sorted_sets::*;
pub use streams::*;
pub use strings::*;
pub use timeseries::*;
pub use vector_sets::*;

/// The text of every file of this module, read from the source tree: what
/// the tests that check the source's conventions (prelude, doc aliases) go
/// through.
#[cfg(test)]
pub(crate) fn sources() -> Vec<(std::path::PathBuf, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("the source tree is readable")
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).expect("a readable source file");
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands"),
        &mut out,
    );
    out
}

#[cfg(test)]
mod naming_tests {
    use super::*;
    use crate::Pipeline;

    /// Every group made by `define_commands!`, as (trait, its table).
    macro_rules! tables {
        ($($group:ident)*) => {
            &[$((stringify!($group), <Pipeline as $group>::COMMAND_NAMES)),*]
        };
    }

    type Table = &'static [(&'static str, &'static str)];

    const GROUPS: &[(&str, Table)] = tables!(
        BitmapCommands BloomCommands ClusterCommands ConnectionCommands
        CountMinSketchCommands CuckooCommands GeoCommands GraphCommands HashCommands
        HyperLogLogCommands JsonCommands KeyCommands ListCommands PubSubCommands
        ScriptingCommands SearchCommands SentinelCommands ServerCommands SetCommands
        SortedSetCommands StreamCommands StringCommands TDigestCommands TimeSeriesCommands TopKCommands
        VectorSetCommands
    );

    /// Commands whose Redis name is chosen when they are built (EXPIRE or
    /// PEXPIRE by the precision of the time): their aliases are written by
    /// hand.
    const CHOSEN_AT_RUN_TIME: &[&str] = &["expire", "expire_with", "expireat", "expireat_with"];

    /// Rust keywords that a command's name would be: a noun is added.
    const KEYWORDS: &[(&str, &str)] = &[("key_type", "TYPE"), ("move_key", "MOVE")];

    #[test]
    fn every_group_is_in_the_table_list() {
        for (path, text) in sources() {
            for line in text.lines() {
                let Some(rest) = line.trim_start().strip_prefix("pub trait ") else {
                    continue;
                };
                if let Some(group) = rest.strip_suffix(';').filter(|g| !g.starts_with('$')) {
                    assert!(
                        GROUPS.iter().any(|(name, _)| *name == group),
                        "{group} ({}) is missing from GROUPS",
                        path.display()
                    );
                }
            }
        }
    }

    /// The one naming rule the crate docs state: the Redis command in lower
    /// case with nothing inserted, a module's dot or a container command's
    /// space as `_`, and a variant's suffix after `_`.
    #[test]
    fn typed_commands_are_named_after_the_redis_command() {
        let mut wrong = Vec::new();
        for (group, table) in GROUPS {
            for &(rust, redis) in *table {
                if redis.is_empty() {
                    assert!(
                        CHOSEN_AT_RUN_TIME.contains(&rust),
                        "{group}::{rust}: no `Cmd::new(\"NAME\")` in its body, so no doc alias"
                    );
                    continue;
                }
                let base = redis
                    .to_ascii_lowercase()
                    .replace("._", "_")
                    .replace('.', "_");
                let follows = rust == base
                    || rust.strip_prefix(&base).is_some_and(|s| s.starts_with('_'))
                    || KEYWORDS.contains(&(rust, redis));
                if !follows {
                    wrong.push(format!("{group}::{rust} sends {redis}"));
                }
            }
        }
        assert!(wrong.is_empty(), "named against the rule: {wrong:#?}");
    }

    #[test]
    fn the_alias_table_finds_the_redis_names() {
        let find = |rust: &str| {
            GROUPS
                .iter()
                .flat_map(|(_, table)| table.iter())
                .find(|(name, _)| *name == rust)
                .map(|(_, redis)| *redis)
        };
        for (rust, redis) in [
            ("incrby", "INCRBY"),
            ("decrby", "DECRBY"),
            ("hincrby", "HINCRBY"),
            ("set_with", "SET"),
            ("set_get", "SET"),
            ("zrange_withscores", "ZRANGE"),
            ("ft_search_with", "FT.SEARCH"),
            ("client_setname", "CLIENT"),
            ("key_type", "TYPE"),
            ("hset", "HSET"),
        ] {
            assert_eq!(find(rust), Some(redis), "{rust}");
        }
        assert_eq!(find("incr_by"), None, "one name per command: `incrby`");
    }

    /// The `#[doc(alias = ...)]` attributes directly above each item of a
    /// file: (item name, aliases).
    fn aliased_items(text: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
        let raw: Vec<&str> = text.lines().collect();
        let lines: Vec<&str> = raw.iter().map(|line| line.trim()).collect();
        let mut items = Vec::new();
        let mut in_trait = false;
        for (at, line) in lines.iter().enumerate() {
            if raw[at].starts_with("pub trait ") || raw[at].starts_with("define_commands!") {
                in_trait = raw[at].ends_with('{');
            } else if raw[at] == "}" {
                in_trait = false;
            }
            // A trait's methods are public without `pub`; elsewhere a bare
            // `fn` is a helper.
            let method = raw[at].strip_prefix("    fn ").filter(|_| in_trait);
            let name = line
                .strip_prefix("pub fn ")
                .or(method)
                .or_else(|| line.strip_prefix("pub const fn "))
                .map(|rest| rest.split(['(', '<']).next().unwrap_or_default())
                .or_else(|| {
                    let word = line.split(['(', ',', ' ', '{']).next().unwrap_or_default();
                    let variant = word.starts_with(|c: char| c.is_ascii_uppercase())
                        && word.chars().all(|c| c.is_ascii_alphanumeric())
                        && line.len() > word.len();
                    variant.then_some(word)
                });
            let Some(name) = name else { continue };
            let (mut aliases, mut doc) = (Vec::new(), Vec::new());
            for above in lines[..at].iter().rev() {
                if let Some(attr) = above.strip_prefix("#[doc(") {
                    aliases.extend(attr.split('"').skip(1).step_by(2).map(str::to_owned));
                } else if let Some(text) = above.strip_prefix("///") {
                    doc.insert(0, text.trim().to_owned());
                } else if !above.starts_with("#[") {
                    break;
                }
            }
            items.push((name.to_owned(), aliases, doc));
        }
        items
    }

    /// The keywords an item's docs open with: `` `NX` ``, `` `PX ms` ``,
    /// `` `NX|XX` `` give NX; PX; NX and XX.
    fn opening_keywords(doc: &[String]) -> Vec<String> {
        let Some(span) = doc.first().and_then(|first| first.strip_prefix('`')) else {
            return Vec::new();
        };
        let first_word = span.split(['`', ' ']).next().unwrap_or_default();
        first_word
            .split('|')
            .map(|word| word.trim_matches(['[', ']']))
            .filter(|word| {
                word.len() > 1
                    && word.starts_with(|c: char| c.is_ascii_uppercase())
                    && word
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
            .map(str::to_owned)
            .collect()
    }

    /// Options and their values say which keyword they send in the first
    /// words of their docs; where the Rust name is another, the keyword is
    /// a doc alias, so rustdoc's search for `NX` finds `if_missing`.
    #[test]
    fn options_carry_their_redis_keyword_as_a_doc_alias() {
        let mut missing = Vec::new();
        for (path, text) in sources() {
            let text = text.split("\n#[cfg(test)]").next().unwrap_or_default();
            // The commands of `define_commands!` get theirs from the macro.
            let text = match text.split_once("define_commands! {") {
                Some((before, rest)) => {
                    let after = rest.split_once("\n}\n").map_or("", |(_, after)| after);
                    format!("{before}{after}")
                }
                None => text.to_owned(),
            };
            for (name, aliases, doc) in aliased_items(&text) {
                for keyword in opening_keywords(&doc) {
                    let named_so = keyword.eq_ignore_ascii_case(&name);
                    if !named_so && !aliases.contains(&keyword) {
                        let file = path.file_name().unwrap_or_default().to_string_lossy();
                        missing.push(format!("{file}: {name} ({keyword})"));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "without their keyword as an alias: {missing:#?}"
        );
    }

    /// What the issue asked rustdoc's search to find, item by item.
    #[test]
    fn the_keywords_users_search_for_are_found() {
        let all: Vec<(String, Vec<String>)> = sources()
            .into_iter()
            .flat_map(|(path, text)| {
                let file = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                aliased_items(&text)
                    .into_iter()
                    .map(move |(name, aliases, _)| (format!("{file}:{name}"), aliases))
            })
            .collect();
        let has = |item: &str, alias: &str| {
            all.iter()
                .any(|(name, aliases)| name == item && aliases.iter().any(|a| a == alias))
        };
        for (item, alias) in [
            ("strings.rs:if_missing", "NX"),
            ("strings.rs:if_exists", "XX"),
            ("strings.rs:expire_in", "EX"),
            ("strings.rs:expire_in", "PX"),
            ("strings.rs:expire_at", "EXAT"),
            ("strings.rs:keep_ttl", "KEEPTTL"),
            ("hashes.rs:keep_ttl", "KEEPTTL"),
            ("keys.rs:NoExpiry", "NX"),
            ("search_options.rs:with_scores", "WITHSCORES"),
            ("sorted_sets.rs:zrange_withscores", "WITHSCORES"),
            ("sets.rs:sintercard_limit", "LIMIT"),
            ("keys.rs:expire", "PEXPIRE"),
            ("json.rs:json_set", "JSON.SET"),
        ] {
            assert!(has(item, alias), "{item} lacks #[doc(alias = {alias:?})]");
        }
        // Named as Redis names them, so found without an alias.
        for item in [
            "strings.rs:incrby",
            "range.rs:limit",
            "search_options.rs:limit",
            "search_options.rs:dialect",
            "aggregate.rs:dialect",
        ] {
            assert!(all.iter().any(|(name, _)| name == item), "{item} is gone");
        }
    }
}
