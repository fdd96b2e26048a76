//! Graph module (FalkorDB) commands against the real module, over RESP3 and
//! RESP2: typed parameters stored exactly, compact results decoded into
//! nodes, edges, paths and scalars.

use std::time::Duration;

use redis_core::commands::*;
use redis_tests::{Ctx, each_redis8};

/// Strings a naive query builder would break on.
const NASTY: &[&str] = &[
    "' }) MATCH (n) DETACH DELETE n //",
    "\" }) MATCH (n) DETACH DELETE n //",
    "back\\slash\\' and \\\\ two",
    "$name $$ ${x}",
    "é ü 中文 😀 \u{200b}",
    "tab\tnew\nline",
    "`backtick` CYPHER x=1",
];

each_redis8!(
    parameters_store_exactly_what_was_given,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let graph = ctx.key("people");
        for (i, name) in NASTY.iter().enumerate() {
            let reply = client
                .graph_query(
                    &graph,
                    GraphQuery::new("CREATE (:Person {name: $name, i: $i})")
                        .param("name", *name)
                        .param("i", i as i64),
                )
                .await
                .unwrap();
            assert_eq!(reply.stats.count("Nodes created"), 1, "{name:?}");
        }
        let schema = client.graph_ro_query_schema(&graph).await.unwrap();
        assert_eq!(schema.labels, ["Person"]);
        for (i, name) in NASTY.iter().enumerate() {
            let found = client
                .graph_ro_query(
                    &graph,
                    GraphQuery::new("MATCH (p:Person) WHERE p.name = $name RETURN p.i, p")
                        .param("name", *name),
                )
                .await
                .unwrap()
                .resolve(&schema)
                .unwrap();
            assert_eq!(found.header, ["p.i", "p"]);
            assert_eq!(found.rows.len(), 1, "{name:?} matched {:?}", found.rows);
            assert_eq!(found.rows[0][0], GraphValue::Integer(i as i64));
            let GraphValue::Node(node) = &found.rows[0][1] else {
                panic!("not a node: {:?}", found.rows[0][1]);
            };
            assert_eq!(node.labels, ["Person"]);
            assert_eq!(
                node.property("name"),
                Some(&GraphValue::String(name.to_string()))
            );
        }
        let count = client
            .graph_ro_query(&graph, "MATCH (p) RETURN count(p)")
            .await
            .unwrap()
            .resolve(&GraphSchema::default())
            .unwrap();
        assert_eq!(count.rows, [[GraphValue::Integer(NASTY.len() as i64)]]);
        let none = client
            .graph_ro_query(
                &graph,
                GraphQuery::new("MATCH (p:Person) WHERE p.name = $name RETURN p")
                    .param("name", "'"),
            )
            .await
            .unwrap();
        assert!(none.raw_rows.is_empty());
        client.graph_delete(&graph).await.unwrap();
    }
);

each_redis8!(scalars_lists_maps_round_trip, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let graph = ctx.key("scalars");
    let reply = client
        .graph_query(
            &graph,
            GraphQuery::new("RETURN $i, $f, $b, $n, $l, $m, point({latitude: 1.5, longitude: 2})")
                .param("i", i64::MIN)
                .param("f", -2.5e-7)
                .param("b", true)
                .param("n", GraphParam::Null)
                .param(
                    "l",
                    vec![GraphParam::from(1), "a'b".into(), GraphParam::Null],
                )
                .param(
                    "m",
                    GraphParam::map([("a key", GraphParam::from(1.5)), ("k", "v".into())]),
                )
                .timeout(Duration::from_secs(5)),
        )
        .await
        .unwrap()
        .resolve(&GraphSchema::default())
        .unwrap();
    assert_eq!(
        reply.rows,
        [[
            GraphValue::Integer(i64::MIN),
            GraphValue::Double(-2.5e-7),
            GraphValue::Boolean(true),
            GraphValue::Null,
            GraphValue::Array(vec![
                GraphValue::Integer(1),
                GraphValue::String("a'b".into()),
                GraphValue::Null
            ]),
            GraphValue::Map(vec![
                ("a key".into(), GraphValue::Double(1.5)),
                ("k".into(), GraphValue::String("v".into()))
            ]),
            GraphValue::Point {
                latitude: 1.5,
                longitude: 2.0
            },
        ]]
    );
    assert!(reply.stats.execution_time_ms().is_some());
    let refused = client
        .graph_query(&graph, GraphQuery::new("RETURN $x").param("x", f64::NAN))
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), redis_core::ErrorKind::InvalidInput);
});

each_redis8!(nodes_edges_paths_and_admin, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let graph = ctx.key("g");
    let created = client
        .graph_query(
            &graph,
            "CREATE (:A:B {name: 'a'})-[:KNOWS {w: 0.5}]->(:A {name: 'b'})",
        )
        .await
        .unwrap();
    assert_eq!(created.header, Vec::<String>::new());
    assert_eq!(created.stats.count("Nodes created"), 2);
    assert_eq!(created.stats.count("Relationships created"), 1);
    assert_eq!(created.stats.count("Properties set"), 3);
    let reply = client
        .graph_ro_query(&graph, "MATCH p = (x)-[r]->(y) RETURN x, r, p")
        .await
        .unwrap();
    let schema = client.graph_ro_query_schema(&graph).await.unwrap();
    assert_eq!(schema.rel_types, ["KNOWS"]);
    let result = reply.resolve(&schema).unwrap();
    let [
        GraphValue::Node(x),
        GraphValue::Edge(r),
        GraphValue::Path(p),
    ] = &result.rows[0][..]
    else {
        panic!("{:?}", result.rows);
    };
    assert_eq!(x.labels, ["A", "B"]);
    assert_eq!(x.property("name"), Some(&GraphValue::String("a".into())));
    assert_eq!(r.rel_type, "KNOWS");
    assert_eq!(r.src, x.id);
    assert_eq!(r.property("w"), Some(&GraphValue::Double(0.5)));
    assert_eq!(p.nodes.len(), 2);
    assert_eq!(p.edges, std::slice::from_ref(r));
    assert_eq!(
        p.nodes[1].property("name"),
        Some(&GraphValue::String("b".into()))
    );
    assert_eq!(r.dest, p.nodes[1].id);

    let plan = client
        .graph_explain(&graph, "MATCH (n:A) RETURN n")
        .await
        .unwrap();
    assert!(
        plan.iter().any(|l| l.contains("Node By Label Scan")),
        "{plan:?}"
    );
    let profile = client
        .graph_profile(
            &graph,
            GraphQuery::new("MATCH (n:A) WHERE n.name = $n RETURN n").param("n", "a"),
        )
        .await
        .unwrap();
    assert!(
        profile.iter().any(|l| l.contains("Records produced")),
        "{profile:?}"
    );
    assert!(client.graph_list().await.unwrap().contains(&graph));
    let slowlog = client.graph_slowlog(&graph).await.unwrap();
    assert!(
        slowlog.iter().all(|e| e.command.starts_with("GRAPH.")),
        "{slowlog:?}"
    );
    client.graph_slowlog_reset(&graph).await.unwrap();

    let timeout = client.graph_config_get("TIMEOUT_MAX").await.unwrap();
    assert_eq!(timeout.0.len(), 1);
    let all = client.graph_config_get("*").await.unwrap();
    assert!(all.0.len() > 5, "{all:?}");
    let before = client.graph_config_get("RESULTSET_SIZE").await.unwrap();
    client
        .graph_config_set("RESULTSET_SIZE", 1000)
        .await
        .unwrap();
    assert_eq!(
        client
            .graph_config_get("RESULTSET_SIZE")
            .await
            .unwrap()
            .integer("RESULTSET_SIZE"),
        Some(1000)
    );
    if let Some(old) = before.integer("RESULTSET_SIZE") {
        client
            .graph_config_set("RESULTSET_SIZE", old)
            .await
            .unwrap();
    }

    let mandatory = GraphConstraint::node(GraphConstraintKind::Mandatory, "A", ["name"]);
    client
        .graph_constraint_create(&graph, mandatory.clone())
        .await
        .unwrap();
    client
        .graph_constraint_drop(&graph, mandatory)
        .await
        .unwrap();

    client.graph_delete(&graph).await.unwrap();
    assert!(!client.graph_list().await.unwrap().contains(&graph));
});
