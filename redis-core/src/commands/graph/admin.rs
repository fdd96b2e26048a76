//! Replies and options of the graph commands around queries: SLOWLOG,
//! CONFIG GET and CONSTRAINT.

use crate::Cmd;
use crate::convert::{FromValue, ToArgs};
use crate::{Result, Value};

/// One entry of [`graph_slowlog`](super::graph_slowlog).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GraphSlowlogEntry {
    /// When it ran, in seconds since the Unix epoch.
    pub timestamp: u64,
    /// The command (`GRAPH.QUERY`, ...).
    pub command: String,
    /// The query.
    pub query: String,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
}

impl FromValue for GraphSlowlogEntry {
    fn from_value(value: Value) -> Result<Self> {
        let (timestamp, command, query, duration_ms) =
            <(u64, String, String, f64)>::from_value(value)?;
        Ok(GraphSlowlogEntry {
            timestamp,
            command,
            query,
            duration_ms,
        })
    }
}

/// What [`graph_config_get`](super::graph_config_get) answers: `(name,
/// value)` of each setting the name or `*` selects (values are integers
/// or strings, as the module sends them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphConfig(pub Vec<(String, Value)>);

impl GraphConfig {
    /// The value of `name` as an integer, if it is set and one.
    pub fn integer(&self, name: &str) -> Option<i64> {
        let (_, value) = self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        i64::from_value(value.clone()).ok()
    }
}

impl FromValue for GraphConfig {
    fn from_value(value: Value) -> Result<Self> {
        // One name answers `[name, value]`, `*` answers `[[name, value]...]`.
        let items: Vec<Value> = Vec::from_value(value)?;
        if items.iter().all(|item| matches!(item, Value::Array(_))) {
            items
                .into_iter()
                .map(<(String, Value)>::from_value)
                .collect::<Result<_>>()
                .map(GraphConfig)
        } else {
            <(String, Value)>::from_value(Value::Array(items)).map(|pair| GraphConfig(vec![pair]))
        }
    }
}

/// The kind of a graph constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphConstraintKind {
    /// `UNIQUE`: no two entities share the properties' values (needs an
    /// exact-match index on them).
    Unique,
    /// `MANDATORY`: every entity has the properties.
    Mandatory,
}

/// What a constraint applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphEntity {
    /// `NODE label`.
    Node(String),
    /// `RELATIONSHIP type`.
    Relationship(String),
}

/// `UNIQUE|MANDATORY NODE label|RELATIONSHIP type PROPERTIES n prop...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphConstraint {
    /// Its kind.
    pub kind: GraphConstraintKind,
    /// What it applies to.
    pub entity: GraphEntity,
    /// The properties it covers.
    pub properties: Vec<String>,
}

impl GraphConstraint {
    /// A constraint on nodes with `label`.
    pub fn node<P: Into<String>>(
        kind: GraphConstraintKind,
        label: impl Into<String>,
        properties: impl IntoIterator<Item = P>,
    ) -> Self {
        Self::new(kind, GraphEntity::Node(label.into()), properties)
    }

    /// A constraint on relationships of type `rel_type`.
    pub fn relationship<P: Into<String>>(
        kind: GraphConstraintKind,
        rel_type: impl Into<String>,
        properties: impl IntoIterator<Item = P>,
    ) -> Self {
        Self::new(kind, GraphEntity::Relationship(rel_type.into()), properties)
    }

    fn new<P: Into<String>>(
        kind: GraphConstraintKind,
        entity: GraphEntity,
        properties: impl IntoIterator<Item = P>,
    ) -> Self {
        GraphConstraint {
            kind,
            entity,
            properties: properties.into_iter().map(Into::into).collect(),
        }
    }
}

impl ToArgs for GraphConstraint {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(match self.kind {
            GraphConstraintKind::Unique => "UNIQUE",
            GraphConstraintKind::Mandatory => "MANDATORY",
        });
        match &self.entity {
            GraphEntity::Node(label) => cmd.push_arg("NODE").push_arg(label),
            GraphEntity::Relationship(t) => cmd.push_arg("RELATIONSHIP").push_arg(t),
        };
        cmd.push_arg("PROPERTIES")
            .push_arg(self.properties.len())
            .push_arg(&self.properties);
    }
}
