//! What a graph query answers: [`CompactResultSet`] as it comes, and
//! [`GraphResultSet`] once the ids in it are named by a [`GraphSchema`].

use crate::convert::FromValue;
use crate::{Error, Result, Value};

/// A value in a result row or a property.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GraphValue {
    /// `null`.
    Null,
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Boolean(bool),
    /// A float.
    Double(f64),
    /// A list.
    Array(Vec<GraphValue>),
    /// A map, in the order sent.
    Map(Vec<(String, GraphValue)>),
    /// A node.
    Node(GraphNode),
    /// A relationship.
    Edge(GraphEdge),
    /// A path.
    Path(GraphPath),
    /// A point.
    Point {
        /// Latitude.
        latitude: f64,
        /// Longitude.
        longitude: f64,
    },
    /// A type this client does not decode (vectors, temporal values): the
    /// module's type code and the value as sent.
    Other(i64, Value),
}

/// A node: its id, labels and properties.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GraphNode {
    /// The node's internal id.
    pub id: i64,
    /// Its labels.
    pub labels: Vec<String>,
    /// Its properties, in the order sent.
    pub properties: Vec<(String, GraphValue)>,
}

/// A relationship: its id, type, ends and properties.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GraphEdge {
    /// The relationship's internal id.
    pub id: i64,
    /// Its type.
    pub rel_type: String,
    /// The id of the node it starts at.
    pub src: i64,
    /// The id of the node it ends at.
    pub dest: i64,
    /// Its properties, in the order sent.
    pub properties: Vec<(String, GraphValue)>,
}

/// A path: its nodes, and the relationships between them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GraphPath {
    /// The nodes, in path order.
    pub nodes: Vec<GraphNode>,
    /// The relationships, one fewer than the nodes.
    pub edges: Vec<GraphEdge>,
}

impl GraphNode {
    /// The property `name`, if the node has it.
    pub fn property(&self, name: &str) -> Option<&GraphValue> {
        property(&self.properties, name)
    }
}

impl GraphEdge {
    /// The property `name`, if the relationship has it.
    pub fn property(&self, name: &str) -> Option<&GraphValue> {
        property(&self.properties, name)
    }
}

fn property<'a>(properties: &'a [(String, GraphValue)], name: &str) -> Option<&'a GraphValue> {
    properties.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The statistics lines of a reply (`Nodes created: 2`, `Query internal
/// execution time: 0.1 milliseconds`), in the order sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphStats(pub Vec<(String, String)>);

impl GraphStats {
    /// The text after `name: `, if the line is there.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A counter (`Nodes created`, `Properties set`, ...): 0 when the line
    /// is missing, as the module leaves out counters that stayed 0.
    pub fn count(&self, name: &str) -> u64 {
        self.get(name).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    /// `Query internal execution time`, in milliseconds.
    pub fn execution_time_ms(&self) -> Option<f64> {
        self.get("Query internal execution time")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// Whether the query's plan came from the cache (`Cached execution: 1`).
    pub fn cached(&self) -> bool {
        self.count("Cached execution") == 1
    }
}

impl FromValue for GraphStats {
    fn from_value(value: Value) -> Result<Self> {
        let lines: Vec<String> = Vec::from_value(value)?;
        lines
            .into_iter()
            .map(|line| match line.split_once(": ") {
                Some((k, v)) => Ok((k.to_owned(), v.to_owned())),
                None => Err(Error::protocol(format!(
                    "a graph statistics line without `: `: {line:?}"
                ))),
            })
            .collect::<Result<_>>()
            .map(GraphStats)
    }
}

/// The names behind the ids of a compact reply, in id order: what
/// `db.labels()`, `db.relationshipTypes()` and `db.propertyKeys()` list.
/// Ids only grow, so a schema read after a reply names everything in it.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct GraphSchema {
    /// Node labels.
    pub labels: Vec<String>,
    /// Relationship types.
    pub rel_types: Vec<String>,
    /// Property keys.
    pub property_keys: Vec<String>,
}

impl FromValue for GraphSchema {
    fn from_value(value: Value) -> Result<Self> {
        let set = CompactResultSet::from_value(value)?.resolve(&GraphSchema::default())?;
        let row = set
            .rows
            .into_iter()
            .next()
            .ok_or_else(|| Error::protocol("the graph schema query sent no row"))?;
        let mut lists = row.into_iter().map(|v| match v {
            GraphValue::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    GraphValue::String(s) => Ok(s),
                    other => Err(Error::protocol(format!(
                        "a graph schema name that is not a string: {other:?}"
                    ))),
                })
                .collect::<Result<Vec<String>>>(),
            other => Err(Error::protocol(format!(
                "a graph schema list that is not a list: {other:?}"
            ))),
        });
        let mut next = || {
            lists.next().unwrap_or_else(|| {
                Err(Error::protocol(
                    "the graph schema query sent too few columns",
                ))
            })
        };
        Ok(GraphSchema {
            labels: next()?,
            rel_types: next()?,
            property_keys: next()?,
        })
    }
}

/// A `--compact` reply as it comes: column names, rows whose nodes and
/// relationships still name labels, types and property keys by id, and the
/// statistics. [`resolve`](Self::resolve) it with a [`GraphSchema`]
/// ([`graph_ro_query_schema`](super::graph_ro_query_schema)); a result of
/// scalars only needs none (`GraphSchema::default()`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CompactResultSet {
    /// The column names (empty for a query that returns nothing).
    pub header: Vec<String>,
    /// The rows, undecoded.
    pub raw_rows: Vec<Vec<Value>>,
    /// The statistics.
    pub stats: GraphStats,
}

/// A decoded result: column names, rows of values, statistics.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GraphResultSet {
    /// The column names (empty for a query that returns nothing).
    pub header: Vec<String>,
    /// The rows, one value per column.
    pub rows: Vec<Vec<GraphValue>>,
    /// The statistics.
    pub stats: GraphStats,
}

impl FromValue for CompactResultSet {
    fn from_value(value: Value) -> Result<Self> {
        let mut parts: Vec<Value> = Vec::from_value(value)?;
        match parts.len() {
            1 => Ok(CompactResultSet {
                header: Vec::new(),
                raw_rows: Vec::new(),
                stats: GraphStats::from_value(parts.remove(0))?,
            }),
            3 => {
                let stats = GraphStats::from_value(parts.remove(2))?;
                let raw_rows = Vec::from_value(parts.remove(1))?;
                let header = Vec::<Value>::from_value(parts.remove(0))?
                    .into_iter()
                    .map(|column| <(i64, String)>::from_value(column).map(|(_, name)| name))
                    .collect::<Result<_>>()?;
                Ok(CompactResultSet {
                    header,
                    raw_rows,
                    stats,
                })
            }
            n => Err(Error::protocol(format!(
                "a graph query reply of {n} parts (1 or 3 expected)"
            ))),
        }
    }
}

impl CompactResultSet {
    /// The rows decoded, ids named by `schema`; an error if an id is not in
    /// it (a schema read before the reply: read it again).
    pub fn resolve(self, schema: &GraphSchema) -> Result<GraphResultSet> {
        let rows = self
            .raw_rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|cell| typed(cell, schema))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<_>>()?;
        Ok(GraphResultSet {
            header: self.header,
            rows,
            stats: self.stats,
        })
    }
}

fn name(names: &[String], id: i64, what: &str) -> Result<String> {
    usize::try_from(id)
        .ok()
        .and_then(|at| names.get(at))
        .cloned()
        .ok_or_else(|| {
            Error::protocol(format!(
                "{what} id {id} is not in the graph schema (read the schema after the reply)"
            ))
        })
}

/// `[type, value]`, decoded.
fn typed(cell: Value, schema: &GraphSchema) -> Result<GraphValue> {
    let (code, value) = <(i64, Value)>::from_value(cell)?;
    scalar(code, value, schema)
}

fn scalar(code: i64, value: Value, schema: &GraphSchema) -> Result<GraphValue> {
    Ok(match code {
        1 => GraphValue::Null,
        2 => GraphValue::String(String::from_value(value)?),
        3 => GraphValue::Integer(i64::from_value(value)?),
        4 => GraphValue::Boolean(match value {
            Value::Boolean(b) => b,
            other => match String::from_value(other)?.as_str() {
                "true" => true,
                "false" => false,
                text => return Err(Error::protocol(format!("a graph boolean {text:?}"))),
            },
        }),
        5 => GraphValue::Double(f64::from_value(value)?),
        6 => GraphValue::Array(
            Vec::<Value>::from_value(value)?
                .into_iter()
                .map(|item| typed(item, schema))
                .collect::<Result<_>>()?,
        ),
        7 => GraphValue::Edge(edge(value, schema)?),
        8 => GraphValue::Node(node(value, schema)?),
        9 => {
            let (nodes, edges) = <(Value, Value)>::from_value(value)?;
            let list = |v: Value| -> Result<Vec<GraphValue>> {
                match typed(v, schema)? {
                    GraphValue::Array(items) => Ok(items),
                    other => Err(Error::protocol(format!("a graph path part {other:?}"))),
                }
            };
            let nodes = list(nodes)?
                .into_iter()
                .map(|v| match v {
                    GraphValue::Node(n) => Ok(n),
                    other => Err(Error::protocol(format!("a path node {other:?}"))),
                })
                .collect::<Result<_>>()?;
            let edges = list(edges)?
                .into_iter()
                .map(|v| match v {
                    GraphValue::Edge(e) => Ok(e),
                    other => Err(Error::protocol(format!("a path edge {other:?}"))),
                })
                .collect::<Result<_>>()?;
            GraphValue::Path(GraphPath { nodes, edges })
        }
        10 => {
            let flat: Vec<Value> = Vec::from_value(value)?;
            if flat.len() % 2 != 0 {
                return Err(Error::protocol("a graph map of an odd number of items"));
            }
            let mut entries = Vec::with_capacity(flat.len() / 2);
            let mut items = flat.into_iter();
            while let (Some(k), Some(v)) = (items.next(), items.next()) {
                entries.push((String::from_value(k)?, typed(v, schema)?));
            }
            GraphValue::Map(entries)
        }
        11 => {
            let (latitude, longitude) = <(f64, f64)>::from_value(value)?;
            GraphValue::Point {
                latitude,
                longitude,
            }
        }
        other => GraphValue::Other(other, value),
    })
}

fn properties(value: Value, schema: &GraphSchema) -> Result<Vec<(String, GraphValue)>> {
    Vec::<(i64, i64, Value)>::from_value(value)?
        .into_iter()
        .map(|(key, code, value)| {
            Ok((
                name(&schema.property_keys, key, "property key")?,
                scalar(code, value, schema)?,
            ))
        })
        .collect()
}

/// `[id, [label ids], [[key id, type, value]...]]`.
fn node(value: Value, schema: &GraphSchema) -> Result<GraphNode> {
    let (id, labels, props) = <(i64, Vec<i64>, Value)>::from_value(value)?;
    Ok(GraphNode {
        id,
        labels: labels
            .into_iter()
            .map(|l| name(&schema.labels, l, "label"))
            .collect::<Result<_>>()?,
        properties: properties(props, schema)?,
    })
}

/// `[id, type id, src id, dest id, [[key id, type, value]...]]`.
fn edge(value: Value, schema: &GraphSchema) -> Result<GraphEdge> {
    let (id, rel_type, src, dest, props) = <(i64, i64, i64, i64, Value)>::from_value(value)?;
    Ok(GraphEdge {
        id,
        rel_type: name(&schema.rel_types, rel_type, "relationship type")?,
        src,
        dest,
        properties: properties(props, schema)?,
    })
}
