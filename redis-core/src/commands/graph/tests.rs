use super::*;
use crate::convert::FromValue;

fn args(cmd: &crate::commands::Command<impl FromValue>) -> Vec<String> {
    cmd.cmd()
        .args()
        .skip(1)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

#[test]
fn parameters_become_one_escaped_header() {
    let cmd = graph_query(
        "g",
        GraphQuery::new("RETURN $s")
            .param("s", "' }) MATCH (n) DETACH DELETE n // \\ $x é")
            .param("n", GraphParam::Null)
            .param("f", 1.0)
            .param(
                "l",
                vec![GraphParam::from(1), true.into(), (-2.5e300).into()],
            )
            .timeout(std::time::Duration::from_millis(250)),
    );
    assert_eq!(
        args(&cmd),
        [
            "g",
            "CYPHER `s`='\\' }) MATCH (n) DETACH DELETE n // \\\\ $x é' `n`=null `f`=1.0 \
             `l`=[1,true,-2.5e300] RETURN $s",
            "--compact",
            "TIMEOUT",
            "250"
        ]
    );
}

#[test]
fn what_has_no_literal_refuses_the_command() {
    for query in [
        GraphQuery::new("RETURN 1").param("x", f64::NAN),
        GraphQuery::new("RETURN 1").param("x", f64::INFINITY),
        GraphQuery::new("RETURN 1").param("x", "a\0b"),
        GraphQuery::new("RETURN 1").param("a`b", 1),
        GraphQuery::new("RETURN 1").param("", 1),
        GraphQuery::new("RETURN 1").param("m", GraphParam::map([("k`", 1)])),
    ] {
        assert!(
            graph_query("g", query.clone()).cmd().refusal().is_some(),
            "{query:?}"
        );
    }
}
