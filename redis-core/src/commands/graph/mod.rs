//! The graph module (FalkorDB, answering RedisGraph's `GRAPH.*`).
//!
//! Queries are [`GraphQuery`] values: the Cypher text, parameters bound as
//! typed [`GraphParam`]s in the module's `CYPHER name=value` header (escaped
//! in one function, never formatted into the query) and a timeout. Results
//! come in the `--compact` form, the only one that keeps types (the verbose
//! form sends lists, maps, paths and booleans as text and `null` as an
//! empty string): a [`CompactResultSet`] whose label, type and property
//! key ids a [`GraphSchema`] names.

mod admin;
mod params;
mod result;
#[cfg(test)]
mod tests;

pub use admin::*;
pub use params::*;
pub use result::*;

use crate::Cmd;
use crate::convert::ToArgs;

/// The one read-only query behind [`graph_ro_query_schema`].
const SCHEMA_QUERY: &str = "CALL { CALL db.labels() YIELD label RETURN collect(label) AS l } \
     CALL { CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS r } \
     CALL { CALL db.propertyKeys() YIELD propertyKey RETURN collect(propertyKey) AS k } \
     RETURN l, r, k";

define_commands! {
    /// The graph module (`GRAPH.*`): Cypher queries with typed parameters
    /// and typed results.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// use redis_core::commands::{GraphQuery, GraphValue};
    /// client
    ///     .graph_query("social", GraphQuery::new("CREATE (:Person {name: $name})").param("name", "O'Brien"))
    ///     .await?;
    /// let reply = client
    ///     .graph_ro_query("social", GraphQuery::new("MATCH (p:Person) WHERE p.name = $name RETURN p").param("name", "O'Brien"))
    ///     .await?;
    /// let schema = client.graph_ro_query_schema("social").await?;
    /// let result = reply.resolve(&schema)?;
    /// let GraphValue::Node(person) = &result.rows[0][0] else { unreachable!() };
    /// assert_eq!(person.labels, ["Person"]);
    /// assert_eq!(person.property("name"), Some(&GraphValue::String("O'Brien".into())));
    /// client.graph_delete("social").await?;
    /// # Ok(()) }
    /// ```
    pub trait GraphCommands;

    /// `GRAPH.QUERY graph query --compact [TIMEOUT ms]`: runs the query
    /// (creating the graph on a write); the compact reply, to
    /// [`resolve`](CompactResultSet::resolve).
    fn graph_query(graph: impl ToArgs, query: impl Into<GraphQuery>) -> CompactResultSet {
        Cmd::new("GRAPH.QUERY").arg(graph).arg(query.into())
    }

    /// `GRAPH.RO_QUERY graph query --compact [TIMEOUT ms]`: as
    /// [`graph_query`], refused by the server if the query writes.
    fn graph_ro_query(graph: impl ToArgs, query: impl Into<GraphQuery>) -> CompactResultSet {
        Cmd::new("GRAPH.RO_QUERY").arg(graph).arg(query.into())
    }

    /// `GRAPH.RO_QUERY graph "CALL db.labels() ... db.relationshipTypes()
    /// ... db.propertyKeys() ..." --compact`: the names behind the ids of
    /// compact replies, in one read-only query.
    fn graph_ro_query_schema(graph: impl ToArgs) -> GraphSchema {
        Cmd::new("GRAPH.RO_QUERY").arg(graph).arg(GraphQuery::new(SCHEMA_QUERY))
    }

    /// `GRAPH.DELETE graph`: removes the graph and its indexes.
    fn graph_delete(graph: impl ToArgs) -> () {
        Cmd::new("GRAPH.DELETE").arg(graph)
    }

    /// `GRAPH.EXPLAIN graph query`: the execution plan, one line per
    /// operation (indented by depth), without running the query.
    fn graph_explain(graph: impl ToArgs, query: impl Into<GraphQuery>) -> Vec<String> {
        Cmd::new("GRAPH.EXPLAIN").arg(graph).arg(query.into().text_only())
    }

    /// `GRAPH.PROFILE graph query`: runs the query; the plan with records
    /// produced and time per operation.
    fn graph_profile(graph: impl ToArgs, query: impl Into<GraphQuery>) -> Vec<String> {
        Cmd::new("GRAPH.PROFILE").arg(graph).arg(query.into().text_only())
    }

    /// `GRAPH.LIST`: the names of the graphs.
    fn graph_list() -> Vec<String> {
        Cmd::new("GRAPH.LIST")
    }

    /// `GRAPH.SLOWLOG graph`: the graph's slowest recent queries.
    fn graph_slowlog(graph: impl ToArgs) -> Vec<GraphSlowlogEntry> {
        Cmd::new("GRAPH.SLOWLOG").arg(graph)
    }

    /// `GRAPH.SLOWLOG graph RESET`: empties the graph's slowlog.
    fn graph_slowlog_reset(graph: impl ToArgs) -> () {
        Cmd::new("GRAPH.SLOWLOG").arg(graph).arg("RESET")
    }

    /// `GRAPH.CONFIG GET name`: a setting, or all with `*`.
    fn graph_config_get(name: impl ToArgs) -> GraphConfig {
        Cmd::new("GRAPH.CONFIG").arg("GET").arg(name)
    }

    /// `GRAPH.CONFIG SET name value`: changes a setting that can change at
    /// run time (`TIMEOUT_DEFAULT`, `RESULTSET_SIZE`, ...).
    fn graph_config_set(name: impl ToArgs, value: impl ToArgs) -> () {
        Cmd::new("GRAPH.CONFIG").arg("SET").arg(name).arg(value)
    }

    /// `GRAPH.CONSTRAINT CREATE graph UNIQUE|MANDATORY NODE label|RELATIONSHIP
    /// type PROPERTIES n prop...`: starts building the constraint (in the
    /// background; `CALL db.constraints()` shows its status).
    fn graph_constraint_create(graph: impl ToArgs, constraint: GraphConstraint) -> () {
        Cmd::new("GRAPH.CONSTRAINT").arg("CREATE").arg(graph).arg(constraint)
    }

    /// `GRAPH.CONSTRAINT DROP graph ...`: removes the constraint.
    fn graph_constraint_drop(graph: impl ToArgs, constraint: GraphConstraint) -> () {
        Cmd::new("GRAPH.CONSTRAINT").arg("DROP").arg(graph).arg(constraint)
    }
}
