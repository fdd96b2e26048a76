//! The replies of `COMMAND INFO` and `COMMAND DOCS`, and the filter of
//! `COMMAND LIST`.

use std::collections::HashMap;

use crate::commands::reply::{Fields, elements};
use crate::{Cmd, Error, FromValue, Result, ToArgs, Value};

/// Which commands `COMMAND LIST FILTERBY` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandFilter {
    /// `MODULE name`: the commands of one module (`"search"`, `"bf"`).
    Module(String),
    /// `ACLCAT category`: the commands of one ACL category (`"keyspace"`).
    #[doc(alias = "ACLCAT")]
    AclCategory(String),
    /// `PATTERN glob`: the commands whose name matches (`"x*"`).
    Pattern(String),
}

impl ToArgs for CommandFilter {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(b"FILTERBY");
        let (token, value): (&[u8], &str) = match self {
            CommandFilter::Module(name) => (b"MODULE", name),
            CommandFilter::AclCategory(category) => (b"ACLCAT", category),
            CommandFilter::Pattern(pattern) => (b"PATTERN", pattern),
        };
        cmd.push_bytes(token);
        cmd.push_bytes(value.as_bytes());
    }
}

/// What `COMMAND INFO` says about a command: how it is called, what it
/// touches, and where its keys are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandInfo {
    /// Its name in lower case (`get`, `config|get` for a subcommand).
    pub name: String,
    /// Its number of arguments, the name included; negative for "at least
    /// that many".
    pub arity: i64,
    /// Its flags (`readonly`, `write`, `fast`, `blocking`, `module` ...).
    pub flags: Vec<String>,
    /// The position of its first key (0 for none).
    pub first_key: i64,
    /// The position of its last key (negative: counted from the end).
    pub last_key: i64,
    /// The step between keys.
    pub step: i64,
    /// Its ACL categories (`@read`, `@string` ...).
    pub acl_categories: Vec<String>,
    /// Hints for clients (`request_policy:all_nodes`, `nondeterministic_output` ...).
    pub tips: Vec<String>,
    /// Where its keys are, as the server describes them.
    pub key_specs: Vec<KeySpec>,
    /// Its subcommands, each described the same way.
    pub subcommands: Vec<CommandInfo>,
}

impl FromValue for CommandInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut items = elements(value, "COMMAND INFO entry")?.into_iter();
        let mut next = || {
            items
                .next()
                .ok_or_else(|| Error::protocol("COMMAND INFO entry with fewer than 6 elements"))
        };
        let name = String::from_value(next()?)?;
        let arity = i64::from_value(next()?)?;
        let flags = Vec::from_value(next()?)?;
        let first_key = i64::from_value(next()?)?;
        let last_key = i64::from_value(next()?)?;
        let step = i64::from_value(next()?)?;
        // Older servers stop here; each later element came with a version.
        let mut rest = || next().ok();
        Ok(CommandInfo {
            name,
            arity,
            flags,
            first_key,
            last_key,
            step,
            acl_categories: rest().map(Vec::from_value).transpose()?.unwrap_or_default(),
            tips: rest().map(Vec::from_value).transpose()?.unwrap_or_default(),
            key_specs: rest().map(Vec::from_value).transpose()?.unwrap_or_default(),
            subcommands: rest().map(Vec::from_value).transpose()?.unwrap_or_default(),
        })
    }
}

/// One key specification of a command: how to find a run of its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// What the command does with these keys (`RO`, `RW`, `OW`, `access`,
    /// `update`, `insert`, `delete` ...).
    pub flags: Vec<String>,
    /// Where the search for the keys starts.
    pub begin_search: BeginSearch,
    /// How the keys are found from there.
    pub find_keys: FindKeys,
    /// The server's notes on the spec, if any.
    pub notes: Option<String>,
}

/// Where the search for a run of keys starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeginSearch {
    /// At this argument position.
    Index(i64),
    /// After the argument `keyword`, searched for from `start_from`
    /// (negative: from the end).
    Keyword {
        /// The keyword (`STREAMS`).
        keyword: String,
        /// Where the search for the keyword starts.
        start_from: i64,
    },
    /// The server cannot say: ask `COMMAND GETKEYS`.
    Unknown,
}

/// How a run of keys is found from where the search began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindKeys {
    /// A range: the keys up to `last_key` (relative; negative counts from
    /// the end), every `key_step`-th, at most `limit`-th of the rest when
    /// `last_key` is -1 (`limit` 0 meaning all).
    Range {
        /// The last key's offset from the first (negative: from the end).
        last_key: i64,
        /// The step between keys.
        key_step: i64,
        /// With `last_key` -1: stop after 1/`limit` of the remaining arguments.
        limit: i64,
    },
    /// The number of keys is an argument (`EVAL script numkeys key...`).
    KeyNum {
        /// The count's offset from where the search began.
        key_num_index: i64,
        /// The first key's offset from there.
        first_key: i64,
        /// The step between keys.
        key_step: i64,
    },
    /// The server cannot say: ask `COMMAND GETKEYS`.
    Unknown,
}

impl FromValue for KeySpec {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "key spec")?;
        let mut begin = Fields::new(fields.required("begin_search")?, "key spec begin_search")?;
        let kind: String = begin.required("type")?;
        let mut spec = Fields::new(
            begin.optional::<Value>("spec")?.unwrap_or(Value::Nil),
            "key spec begin_search spec",
        )?;
        let begin_search = match kind.as_str() {
            "index" => BeginSearch::Index(spec.required("index")?),
            "keyword" => BeginSearch::Keyword {
                keyword: spec.required("keyword")?,
                start_from: spec.required("startfrom")?,
            },
            _ => BeginSearch::Unknown,
        };
        let mut find = Fields::new(fields.required("find_keys")?, "key spec find_keys")?;
        let kind: String = find.required("type")?;
        let mut spec = Fields::new(
            find.optional::<Value>("spec")?.unwrap_or(Value::Nil),
            "key spec find_keys spec",
        )?;
        let find_keys = match kind.as_str() {
            "range" => FindKeys::Range {
                last_key: spec.required("lastkey")?,
                key_step: spec.required("keystep")?,
                limit: spec.required("limit")?,
            },
            "keynum" => FindKeys::KeyNum {
                key_num_index: spec.required("keynumidx")?,
                first_key: spec.required("firstkey")?,
                key_step: spec.required("keystep")?,
            },
            _ => FindKeys::Unknown,
        };
        Ok(KeySpec {
            flags: fields.or_default("flags")?,
            begin_search,
            find_keys,
            notes: fields.optional("notes")?,
        })
    }
}

/// What `COMMAND DOCS` says about a command: its documentation as the
/// server holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandDoc {
    /// One line on what it does (module commands may have none).
    pub summary: Option<String>,
    /// The version it appeared in (`1.0.0`).
    pub since: Option<String>,
    /// Its group (`string`, `server`, `module` ...).
    pub group: String,
    /// Its time complexity.
    pub complexity: Option<String>,
    /// The module it comes from, for module commands.
    pub module: Option<String>,
    /// `deprecated`, `syscmd`.
    pub doc_flags: Vec<String>,
    /// The version that deprecated it.
    pub deprecated_since: Option<String>,
    /// What to use instead, when deprecated.
    pub replaced_by: Option<String>,
    /// `(version, change)` for each change of its behaviour.
    pub history: Vec<(String, String)>,
    /// Its arguments, in order.
    pub arguments: Vec<CommandArg>,
    /// Its subcommands by full name (`config|get`).
    pub subcommands: HashMap<String, CommandDoc>,
}

impl FromValue for CommandDoc {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "COMMAND DOCS entry")?;
        Ok(CommandDoc {
            summary: fields.optional("summary")?,
            since: fields.optional("since")?,
            group: fields.or_default("group")?,
            complexity: fields.optional("complexity")?,
            module: fields.optional("module")?,
            doc_flags: fields.or_default("doc_flags")?,
            deprecated_since: fields.optional("deprecated_since")?,
            replaced_by: fields.optional("replaced_by")?,
            history: fields.or_default("history")?,
            arguments: fields.or_default("arguments")?,
            subcommands: fields.or_default("subcommands")?,
        })
    }
}

/// One argument of a command, as `COMMAND DOCS` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandArg {
    /// Its name (`key`, `condition`).
    pub name: String,
    /// What kind of value it is.
    pub kind: ArgKind,
    /// How the docs show it.
    pub display_text: Option<String>,
    /// For a key, the index of its [`KeySpec`] in [`CommandInfo::key_specs`].
    pub key_spec_index: Option<i64>,
    /// The literal word before it (`EX`, `MATCH`), or that it is (`pure-token`).
    pub token: Option<String>,
    /// One line on what it does.
    pub summary: Option<String>,
    /// The version it appeared in.
    pub since: Option<String>,
    /// The version that deprecated it.
    pub deprecated_since: Option<String>,
    /// `optional`, `multiple`, `multiple_token`.
    pub flags: Vec<String>,
    /// For `oneof` and `block`, the arguments inside.
    pub arguments: Vec<CommandArg>,
}

/// The kind of value a command argument is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgKind {
    /// `string`.
    String,
    /// `integer`.
    Integer,
    /// `double`.
    Double,
    /// `key`: a key name.
    Key,
    /// `pattern`: a glob-style pattern.
    Pattern,
    /// `unix-time`: a Unix time.
    UnixTime,
    /// `pure-token`: the token alone, no value.
    PureToken,
    /// `oneof`: exactly one of [`CommandArg::arguments`].
    OneOf,
    /// `block`: all of [`CommandArg::arguments`], in order.
    Block,
    /// A kind this client does not know, as the server named it.
    Other(String),
}

impl ArgKind {
    fn parse(kind: String) -> ArgKind {
        match kind.as_str() {
            "string" => ArgKind::String,
            "integer" => ArgKind::Integer,
            "double" => ArgKind::Double,
            "key" => ArgKind::Key,
            "pattern" => ArgKind::Pattern,
            "unix-time" => ArgKind::UnixTime,
            "pure-token" => ArgKind::PureToken,
            "oneof" => ArgKind::OneOf,
            "block" => ArgKind::Block,
            _ => ArgKind::Other(kind),
        }
    }
}

impl FromValue for CommandArg {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "COMMAND DOCS argument")?;
        Ok(CommandArg {
            name: fields.required("name")?,
            kind: ArgKind::parse(fields.required("type")?),
            display_text: fields.optional("display_text")?,
            key_spec_index: fields.optional("key_spec_index")?,
            token: fields.optional("token")?,
            summary: fields.optional("summary")?,
            since: fields.optional("since")?,
            deprecated_since: fields.optional("deprecated_since")?,
            flags: fields.or_default("flags")?,
            arguments: fields.or_default("arguments")?,
        })
    }
}
