//! Queries with parameters: [`GraphQuery`] and the values it binds,
//! [`GraphParam`].

use std::time::Duration;

use crate::Cmd;
use crate::cmd::Defect;
use crate::convert::ToArgs;

/// A value bound to a query parameter (`$name` in the query).
///
/// The module reads parameters from a `CYPHER name=value ...` header in
/// front of the query; each value is written there as a Cypher literal by
/// one escaping function (quotes and backslashes; see [`GraphQuery`]), never by formatting
/// user text into the query.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphParam {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float; NaN and infinities have no literal and refuse the command.
    Float(f64),
    /// A string, stored exactly (quotes, backslashes, `$`, any Unicode);
    /// one holding a NUL refuses the command.
    String(String),
    /// A list.
    List(Vec<GraphParam>),
    /// A map, keys in this order; a key that is empty or holds a backtick
    /// or NUL refuses the command.
    Map(Vec<(String, GraphParam)>),
}

macro_rules! param_from {
    ($($t:ty => $variant:ident as $as:ty),* $(,)?) => {$(
        impl From<$t> for GraphParam {
            fn from(value: $t) -> Self {
                GraphParam::$variant(<$as>::from(value))
            }
        }
    )*};
}

param_from!(
    bool => Bool as bool,
    i8 => Int as i64, i16 => Int as i64, i32 => Int as i64, i64 => Int as i64,
    u8 => Int as i64, u16 => Int as i64, u32 => Int as i64,
    f32 => Float as f64, f64 => Float as f64,
    String => String as String, &str => String as String,
);

impl<T: Into<GraphParam>> From<Option<T>> for GraphParam {
    fn from(value: Option<T>) -> Self {
        value.map_or(GraphParam::Null, Into::into)
    }
}

impl<T: Into<GraphParam>> From<Vec<T>> for GraphParam {
    fn from(items: Vec<T>) -> Self {
        GraphParam::List(items.into_iter().map(Into::into).collect())
    }
}

impl GraphParam {
    /// A map from `(key, value)` pairs.
    pub fn map<K: Into<String>, V: Into<GraphParam>>(
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        GraphParam::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// Appends this value as a Cypher literal; `Err` for what has none.
    pub(crate) fn write_literal(&self, out: &mut String) -> Result<(), Inexpressible> {
        match self {
            GraphParam::Null => out.push_str("null"),
            GraphParam::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            GraphParam::Int(i) => out.push_str(&i.to_string()),
            GraphParam::Float(f) if f.is_finite() => {
                // `{:?}` keeps a `.0` or an exponent, so the module reads a float.
                out.push_str(&format!("{f:?}"));
            }
            GraphParam::Float(_) => return Err(Inexpressible),
            GraphParam::String(s) => push_quoted(out, s, '\'')?,
            GraphParam::List(items) => {
                out.push('[');
                for (at, item) in items.iter().enumerate() {
                    if at > 0 {
                        out.push(',');
                    }
                    item.write_literal(out)?;
                }
                out.push(']');
            }
            GraphParam::Map(entries) => {
                out.push('{');
                for (at, (key, value)) in entries.iter().enumerate() {
                    if at > 0 {
                        out.push(',');
                    }
                    push_quoted(out, key, '`')?;
                    out.push(':');
                    value.write_literal(out)?;
                }
                out.push('}');
            }
        }
        Ok(())
    }
}

/// What the Cypher header cannot carry (see [`GraphParam`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Inexpressible;

/// The one place user text enters the Cypher header: `text` between
/// `delim`s. A string (`'`) escapes `\` and `'` with a backslash, which is
/// all the module's parser needs (checked on FalkorDB 4.16: it keeps `$`,
/// Unicode, tabs and newlines as they are, and reads no `\uXXXX`); a name or
/// map key (`` ` ``) cannot escape its backtick, so one holding a backtick
/// is refused, as is an empty one. A NUL is refused in both: the module
/// reads the query as a C string.
pub(crate) fn push_quoted(out: &mut String, text: &str, delim: char) -> Result<(), Inexpressible> {
    if text.contains('\0') || (delim == '`' && (text.is_empty() || text.contains('`'))) {
        return Err(Inexpressible);
    }
    out.push(delim);
    for c in text.chars() {
        if delim == '\'' && (c == '\\' || c == '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(delim);
    Ok(())
}

/// A Cypher query with its parameters and a timeout: what
/// [`graph_query`](super::graph_query) and
/// [`graph_ro_query`](super::graph_ro_query) send. From a `&str` or
/// `String` when it has neither.
///
/// ```
/// use redis_core::commands::{GraphParam, GraphQuery};
/// let query = GraphQuery::new("CREATE (:Person {name: $name, tags: $tags})")
///     .param("name", "O'Brien \\ $x")
///     .param("tags", vec!["a", "b"])
///     .param("meta", GraphParam::map([("since", 2024)]));
/// assert_eq!(
///     query.text().unwrap(),
///     "CYPHER `name`='O\\'Brien \\\\ $x' `tags`=['a','b'] `meta`={`since`:2024} \
///      CREATE (:Person {name: $name, tags: $tags})"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GraphQuery {
    query: String,
    params: Vec<(String, GraphParam)>,
    timeout: Option<Duration>,
}

impl GraphQuery {
    /// The query, with no parameters and the server's timeout.
    pub fn new(query: impl Into<String>) -> Self {
        GraphQuery {
            query: query.into(),
            params: Vec::new(),
            timeout: None,
        }
    }

    /// Binds `$name` to `value`. A name that is empty or holds a backtick
    /// or NUL refuses the command.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<GraphParam>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// `TIMEOUT ms`: the server stops the query after this long (whole
    /// milliseconds, at least 1).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The text sent: the `CYPHER ...` header (when there are parameters)
    /// and the query; `None` when a parameter has no Cypher literal.
    pub fn text(&self) -> Option<String> {
        if self.params.is_empty() {
            return Some(self.query.clone());
        }
        let mut out = String::from("CYPHER ");
        for (name, value) in &self.params {
            push_quoted(&mut out, name, '`').ok()?;
            out.push('=');
            value.write_literal(&mut out).ok()?;
            out.push(' ');
        }
        out.push_str(&self.query);
        Some(out)
    }

    /// The query text alone as one argument (EXPLAIN and PROFILE take no
    /// options).
    pub(crate) fn text_only(self) -> GraphQueryText {
        GraphQueryText(self)
    }
}

impl From<&str> for GraphQuery {
    fn from(query: &str) -> Self {
        GraphQuery::new(query)
    }
}

impl From<String> for GraphQuery {
    fn from(query: String) -> Self {
        GraphQuery::new(query)
    }
}

fn write_text(query: &GraphQuery, cmd: &mut Cmd) {
    match query.text() {
        Some(text) => {
            cmd.push_arg(text);
        }
        None => cmd.refuse(Defect::GraphParameter),
    }
}

/// `query --compact [TIMEOUT ms]`.
impl ToArgs for GraphQuery {
    fn write_args(&self, cmd: &mut Cmd) {
        write_text(self, cmd);
        cmd.push_arg("--compact");
        if let Some(timeout) = self.timeout {
            let ms = u64::try_from(timeout.as_millis())
                .unwrap_or(u64::MAX)
                .max(1);
            cmd.push_arg("TIMEOUT").push_arg(ms);
        }
    }
}

/// The text of a [`GraphQuery`] alone.
#[derive(Debug, Clone)]
pub(crate) struct GraphQueryText(GraphQuery);

impl ToArgs for GraphQueryText {
    fn write_args(&self, cmd: &mut Cmd) {
        write_text(&self.0, cmd);
    }
}
