//! The graph module (FalkorDB) as typed commands: a graph built with
//! parameters (user text bound, never formatted into the query), read back
//! as typed nodes, relationships and paths.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example graph`),
//! or against a Redis with FalkorDB loaded: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use redis_core::commands::{GraphQuery, GraphValue};
use redis_core::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let graph = "example:graph:social";
    client.del(graph).await?;

    // A name that would break a query built by formatting: bound as a parameter it is just text.
    let names = ["Ada", "O'Brien' }) MATCH (n) DETACH DELETE n //"];
    for name in names {
        client
            .graph_query(
                graph,
                GraphQuery::new("CREATE (:Person {name: $name})").param("name", name),
            )
            .await?;
    }
    let created = client
        .graph_query(
            graph,
            GraphQuery::new(
                "MATCH (a:Person {name: $a}), (b:Person {name: $b}) CREATE (a)-[:KNOWS {since: $since}]->(b)",
            )
            .param("a", names[0])
            .param("b", names[1])
            .param("since", 2024),
        )
        .await?;
    println!(
        "relationships created: {}",
        created.stats.count("Relationships created")
    );

    let reply = client
        .graph_ro_query(graph, "MATCH p = (a)-[r:KNOWS]->(b) RETURN a, r, b, p")
        .await?;
    let schema = client.graph_ro_query_schema(graph).await?;
    let result = reply.resolve(&schema)?;
    for row in &result.rows {
        if let [
            GraphValue::Node(a),
            GraphValue::Edge(r),
            GraphValue::Node(b),
            GraphValue::Path(p),
        ] = &row[..]
        {
            println!(
                "{:?} -[{} {:?}]-> {:?} (a path of {} nodes)",
                a.property("name"),
                r.rel_type,
                r.property("since"),
                b.property("name"),
                p.nodes.len()
            );
            assert_eq!(
                b.property("name"),
                Some(&GraphValue::String(names[1].into()))
            );
        }
    }
    let count = client
        .graph_ro_query(graph, "MATCH (n) RETURN count(n)")
        .await?
        .resolve(&Default::default())?;
    assert_eq!(count.rows, [[GraphValue::Integer(2)]]);
    println!(
        "plan: {:?}",
        client
            .graph_explain(graph, "MATCH (n:Person) RETURN n")
            .await?
    );
    client.graph_delete(graph).await?;
    Ok(())
}
