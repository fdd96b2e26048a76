//! The FT.* replies from fabricated values: both protocols' shapes give one
//! Rust value, RESP2's flat layouts are read without knowing the request,
//! and malformed replies are errors, never panics. What the commands send
//! is checked argument by argument.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use bytes::Bytes;

use super::*;
use crate::{Cmd, ErrorKind, FromValue, Value};

fn bulk(s: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
}

fn simple(s: &str) -> Value {
    Value::SimpleString(Bytes::copy_from_slice(s.as_bytes()))
}

fn int(n: i64) -> Value {
    Value::Integer(n)
}

fn array(items: Vec<Value>) -> Value {
    Value::Array(items)
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (simple(k), v)).collect())
}

fn args(cmd: &Cmd) -> Vec<String> {
    cmd.args()
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect()
}

type Fields = HashMap<String, String>;

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn resp2_and_resp3_searches_give_the_same_result() {
    let resp2 = array(vec![
        int(2),
        bulk("doc:1"),
        bulk("1.5"),
        bulk("#40"),
        array(vec![bulk("name"), bulk("ada")]),
        bulk("doc:2"),
        bulk("0.5"),
        Value::Nil,
        array(vec![]),
    ]);
    let resp3 = map(vec![
        ("attributes", array(vec![])),
        ("total_results", int(2)),
        ("format", simple("STRING")),
        (
            "results",
            array(vec![
                map(vec![
                    ("id", bulk("doc:1")),
                    ("score", Value::Double(1.5)),
                    ("sortkey", bulk("#40")),
                    ("extra_attributes", map(vec![("name", bulk("ada"))])),
                    ("values", array(vec![])),
                ]),
                map(vec![
                    ("id", bulk("doc:2")),
                    ("score", Value::Double(0.5)),
                    ("sortkey", Value::Nil),
                    ("extra_attributes", map(vec![])),
                ]),
            ]),
        ),
        ("warning", array(vec![])),
    ]);
    let expected = SearchResult {
        total: 2,
        documents: vec![
            Document {
                id: "doc:1".to_owned(),
                score: Some(1.5),
                sort_key: Some(SortKey::Number(40.0)),
                fields: fields(&[("name", "ada")]),
            },
            Document {
                id: "doc:2".to_owned(),
                score: Some(0.5),
                sort_key: None,
                fields: Fields::new(),
            },
        ],
    };
    assert_eq!(SearchResult::<Fields>::from_value(resp2).unwrap(), expected);
    assert_eq!(SearchResult::<Fields>::from_value(resp3).unwrap(), expected);
}

#[test]
fn resp2_ids_that_look_like_scores_are_still_ids() {
    // NOCONTENT without scores: every id is followed by its (nil) sort key.
    let reply = array(vec![
        int(3),
        bulk("7"),
        Value::Nil,
        bulk("1.5"),
        bulk("$text"),
        bulk("#1"),
        Value::Nil,
    ]);
    let result = SearchResult::<()>::from_value(reply).unwrap();
    let ids: Vec<&str> = result.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["7", "1.5", "#1"]);
    assert!(result.documents.iter().all(|d| d.score.is_none()));
    assert_eq!(
        result.documents[1].sort_key,
        Some(SortKey::Text("text".to_owned()))
    );

    // With scores, an id that is a number is read as the id it is.
    let reply = array(vec![int(1), bulk("42"), bulk("3"), Value::Nil]);
    let result = SearchResult::<()>::from_value(reply).unwrap();
    assert_eq!(result.documents[0].id, "42");
    assert_eq!(result.documents[0].score, Some(3.0));
}

#[test]
fn a_document_with_nil_fields_has_none() {
    let reply = array(vec![int(1), bulk("gone"), Value::Nil, Value::Nil]);
    let result = SearchResult::<Fields>::from_value(reply).unwrap();
    assert_eq!(result.documents.len(), 1);
    assert!(result.documents[0].fields.is_empty());
}

#[test]
fn malformed_searches_are_errors() {
    let cases = [
        array(vec![]),
        array(vec![bulk("not a count")]),
        array(vec![int(1), bulk("doc")]),
        array(vec![int(1), bulk("doc"), bulk("1.0")]),
        array(vec![int(1), array(vec![]), Value::Nil]),
        array(vec![
            int(1),
            bulk("doc"),
            Value::Nil,
            array(vec![bulk("odd")]),
        ]),
        map(vec![("results", array(vec![]))]),
        map(vec![
            ("total_results", int(1)),
            (
                "results",
                array(vec![map(vec![("score", Value::Double(1.0))])]),
            ),
        ]),
        int(3),
    ];
    for case in cases {
        let debug = format!("{case:?}");
        let err = SearchResult::<Fields>::from_value(case).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Protocol | ErrorKind::Type),
            "{debug}: {err}"
        );
    }
    let error = Value::Error(crate::ServerError::parse("ERR Syntax error"));
    let err = SearchResult::<Fields>::from_value(error).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
}

#[test]
fn aggregate_replies_with_and_without_cursor() {
    let row = || array(vec![bulk("n"), bulk("1")]);
    let resp2 = array(vec![int(5), row(), row()]);
    let resp2_cursor = array(vec![array(vec![int(5), row()]), int(77)]);
    let resp3_reply = || {
        map(vec![
            ("total_results", int(5)),
            (
                "results",
                array(vec![map(vec![
                    ("extra_attributes", map(vec![("n", bulk("1"))])),
                    ("values", array(vec![])),
                ])]),
            ),
        ])
    };
    let resp3_done = array(vec![resp3_reply(), int(0)]);

    let plain = AggregateResult::<Fields>::from_value(resp2).unwrap();
    assert_eq!((plain.total, plain.rows.len(), plain.cursor), (5, 2, None));
    let with_cursor = AggregateResult::<Fields>::from_value(resp2_cursor).unwrap();
    assert_eq!(with_cursor.cursor, Some(77));
    assert_eq!(with_cursor.rows, [fields(&[("n", "1")])]);
    let done = AggregateResult::<Fields>::from_value(resp3_done).unwrap();
    assert_eq!((done.total, done.cursor), (5, None));
    assert_eq!(
        AggregateResult::<Fields>::from_value(resp3_reply()).unwrap(),
        with_cursor_free(with_cursor)
    );

    for bad in [array(vec![]), array(vec![int(1), bulk("flat")]), Value::Nil] {
        assert!(AggregateResult::<Fields>::from_value(bad).is_err());
    }
}

fn with_cursor_free<T>(mut result: AggregateResult<T>) -> AggregateResult<T> {
    result.cursor = None;
    result
}

#[test]
fn index_attributes_read_flags_inline_or_listed() {
    let resp2 = array(vec![
        simple("identifier"),
        simple("$.t"),
        simple("attribute"),
        simple("t"),
        simple("type"),
        simple("TAG"),
        simple("SEPARATOR"),
        simple(";"),
        simple("CASESENSITIVE"),
        simple("SORTABLE"),
        simple("UNF"),
        simple("INDEXMISSING"),
    ]);
    let resp3 = map(vec![
        ("identifier", simple("$.t")),
        ("attribute", simple("t")),
        ("type", simple("TAG")),
        ("SEPARATOR", simple(";")),
        (
            "flags",
            array(vec![
                simple("CASESENSITIVE"),
                simple("SORTABLE"),
                simple("UNF"),
                simple("INDEXMISSING"),
            ]),
        ),
    ]);
    let from2 = IndexAttribute::from_value(resp2).unwrap();
    assert_eq!(from2, IndexAttribute::from_value(resp3).unwrap());
    assert_eq!(from2.kind, AttributeType::Tag);
    assert_eq!(from2.separator.as_deref(), Some(";"));
    assert!(from2.case_sensitive && from2.sortable && from2.unf && from2.index_missing);
    assert!(!from2.no_index);

    let truncated = array(vec![simple("identifier")]);
    assert!(IndexAttribute::from_value(truncated).is_err());
}

#[test]
fn index_info_needs_a_name_and_ignores_what_it_does_not_know() {
    let info = IndexInfo::from_value(array(vec![
        simple("index_name"),
        simple("idx"),
        simple("something_new"),
        array(vec![int(1)]),
        simple("num_docs"),
        bulk("3"),
        simple("indexing"),
        int(1),
    ]))
    .unwrap();
    assert_eq!(
        (info.name.as_str(), info.num_docs, info.indexing),
        ("idx", 3, true)
    );
    assert!(IndexInfo::from_value(map(vec![("num_docs", int(1))])).is_err());
    assert!(IndexInfo::from_value(array(vec![simple("index_name")])).is_err());
}

#[test]
fn spellcheck_replies_from_both_protocols() {
    let resp2 = array(vec![array(vec![
        simple("TERM"),
        bulk("helo"),
        array(vec![
            array(vec![bulk("0.5"), bulk("hello")]),
            array(vec![bulk("0.25"), bulk("help")]),
        ]),
    ])]);
    let resp3 = map(vec![(
        "results",
        map(vec![(
            "helo",
            array(vec![
                map(vec![("hello", Value::Double(0.5))]),
                map(vec![("help", Value::Double(0.25))]),
            ]),
        )]),
    )]);
    let expected = SpellcheckResult {
        terms: vec![MisspelledTerm {
            term: "helo".to_owned(),
            suggestions: vec![("hello".to_owned(), 0.5), ("help".to_owned(), 0.25)],
        }],
    };
    assert_eq!(SpellcheckResult::from_value(resp2).unwrap(), expected);
    assert_eq!(SpellcheckResult::from_value(resp3).unwrap(), expected);
    assert!(SpellcheckResult::from_value(array(vec![array(vec![bulk("x")])])).is_err());
}

#[test]
fn suggestions_come_in_triples() {
    let reply = array(vec![
        bulk("help"),
        bulk("2"),
        Value::Nil,
        bulk("hello"),
        Value::Double(0.5),
        bulk("payload"),
    ]);
    let suggestions = Vec::<Suggestion>::from_value(reply).unwrap();
    assert_eq!(
        suggestions,
        [
            Suggestion {
                text: "help".to_owned(),
                score: 2.0,
                payload: None
            },
            Suggestion {
                text: "hello".to_owned(),
                score: 0.5,
                payload: Some("payload".to_owned())
            },
        ]
    );
    assert!(Vec::<Suggestion>::from_value(array(vec![bulk("a"), bulk("1")])).is_err());
}

#[test]
fn profiles_from_both_protocols_and_both_layouts() {
    let search2 = || array(vec![int(1), bulk("doc"), Value::Nil, array(vec![])]);
    let resp2 = array(vec![search2(), array(vec![simple("Total profile time")])]);
    let profiled = Profile::<SearchResult<Fields>>::from_value(resp2).unwrap();
    assert_eq!(profiled.results.total, 1);
    assert!(matches!(profiled.profile, Value::Array(_)));

    let search3 = || {
        vec![
            ("total_results", int(1)),
            ("results", array(vec![map(vec![("id", bulk("doc"))])])),
        ]
    };
    let mut inline = search3();
    inline.push(("profile", map(vec![])));
    let profiled = Profile::<SearchResult<Fields>>::from_value(map(inline)).unwrap();
    assert_eq!(profiled.results.documents[0].id, "doc");
    assert!(matches!(profiled.profile, Value::Map(_)));

    let nested = map(vec![("Results", map(search3())), ("Profile", map(vec![]))]);
    let profiled = Profile::<SearchResult<Fields>>::from_value(nested).unwrap();
    assert_eq!(profiled.results.documents[0].id, "doc");

    assert!(Profile::<SearchResult<Fields>>::from_value(array(vec![search2()])).is_err());
}

#[test]
fn fields_are_written_in_the_order_the_server_parses_them() {
    let schema = Schema::new(
        Field::text("$.title")
            .alias("title")
            .sortable_unf()
            .index_missing()
            .weight(2.0)
            .phonetic(Phonetic::French)
            .index_empty(),
    )
    .field(Field::tag("t").separator(b';').no_index().sortable())
    .field(Field::numeric("n").no_index().index_missing())
    .field(Field::geoshape("s").flat())
    .field(
        Field::vector(
            "v",
            HnswVector::new(VectorDataType::Float32, 4, DistanceMetric::Cosine).m(8),
        )
        .index_missing(),
    );
    let cmd = Cmd::new("FT.CREATE").arg("idx").arg("SCHEMA").arg(&schema);
    assert_eq!(
        args(&cmd),
        [
            "FT.CREATE",
            "idx",
            "SCHEMA", //
            "$.title",
            "AS",
            "title",
            "TEXT",
            "WEIGHT",
            "2",
            "PHONETIC",
            "dm:fr",
            "INDEXEMPTY",
            "INDEXMISSING",
            "SORTABLE",
            "UNF", //
            "t",
            "TAG",
            "SEPARATOR",
            ";",
            "SORTABLE",
            "NOINDEX", //
            "n",
            "NUMERIC",
            "INDEXMISSING", //
            "s",
            "GEOSHAPE",
            "FLAT", //
            "v",
            "VECTOR",
            "HNSW",
            "8",
            "TYPE",
            "FLOAT32",
            "DIM",
            "4",
            "DISTANCE_METRIC",
            "COSINE",
            "M",
            "8",
            "INDEXMISSING",
        ]
    );
}

#[test]
fn search_options_count_their_arguments() {
    let options = SearchOptions::new()
        .no_content()
        .return_field("a")
        .return_field_as("$.b", "b")
        .filter("n", NumericBound::Exclusive(1.5), NumericBound::Unbounded)
        .in_keys(["k1", "k2"])
        .param("v", [0u8, 255])
        .limit(10, 5)
        .dialect(2);
    let cmd = Cmd::new("FT.SEARCH").arg("idx").arg("*").arg(&options);
    assert_eq!(
        args(&cmd),
        [
            "FT.SEARCH",
            "idx",
            "*",
            "RETURN",
            "4",
            "a",
            "$.b",
            "AS",
            "b",
            "WITHSORTKEYS",
            "FILTER",
            "n",
            "(1.5",
            "+inf",
            "INKEYS",
            "2",
            "k1",
            "k2",
            "LIMIT",
            "10",
            "5",
            "PARAMS",
            "2",
            "v",
            "\0\u{fffd}",
            "DIALECT",
            "2",
        ]
    );
    let ids_only = SearchOptions::new().return_field("a").no_content();
    let cmd = Cmd::new("FT.SEARCH").arg(&ids_only);
    assert_eq!(args(&cmd), ["FT.SEARCH", "NOCONTENT", "WITHSORTKEYS"]);
}

#[test]
fn params_without_a_dialect_send_dialect_2() {
    let tail = |options: &SearchOptions| {
        let cmd = Cmd::new("FT.SEARCH").arg(options);
        let args = args(&cmd);
        args[args.len().saturating_sub(2)..].to_vec()
    };
    let with_param = SearchOptions::new().param("v", "x");
    assert_eq!(tail(&with_param), ["DIALECT", "2"]);
    assert_eq!(tail(&with_param.clone().dialect(3)), ["DIALECT", "3"]);
    assert_eq!(tail(&with_param.dialect(1)), ["DIALECT", "1"]);
    // No parameters: the server's default, whatever it was configured to.
    let plain = Cmd::new("FT.SEARCH").arg(SearchOptions::new().limit(0, 1));
    assert!(!args(&plain).contains(&"DIALECT".to_owned()));

    let aggregate = |options: &AggregateOptions| args(&Cmd::new("FT.AGGREGATE").arg(options));
    let with_param = aggregate(&AggregateOptions::new().param("min", "3"));
    assert_eq!(
        with_param,
        ["FT.AGGREGATE", "PARAMS", "2", "min", "3", "DIALECT", "2"]
    );
    let chosen = aggregate(&AggregateOptions::new().param("min", "3").dialect(4));
    assert_eq!(chosen[chosen.len() - 2..], ["DIALECT", "4"]);
    assert!(!aggregate(&AggregateOptions::new()).contains(&"DIALECT".to_owned()));
}

#[test]
fn aggregate_steps_keep_their_order() {
    let pipeline = AggregateOptions::new()
        .filter("@x > 1")
        .group_by(
            ["@a"],
            [
                Reducer::count().alias("n"),
                Reducer::first_value_by("@b", SortProperty::desc("@c")),
            ],
        )
        .apply("@n * 2", "m")
        .sort_by_max([SortProperty::asc("@m"), SortProperty::desc("@a")], 3)
        .limit(0, 2)
        .cursor_max_idle(std::time::Duration::from_secs(1))
        .load_all();
    let cmd = Cmd::new("FT.AGGREGATE").arg(&pipeline);
    assert_eq!(
        args(&cmd),
        [
            "FT.AGGREGATE",
            "FILTER",
            "@x > 1",
            "GROUPBY",
            "1",
            "@a",
            "REDUCE",
            "COUNT",
            "0",
            "AS",
            "n",
            "REDUCE",
            "FIRST_VALUE",
            "4",
            "@b",
            "BY",
            "@c",
            "DESC",
            "APPLY",
            "@n * 2",
            "AS",
            "m",
            "SORTBY",
            "4",
            "@m",
            "ASC",
            "@a",
            "DESC",
            "MAX",
            "3",
            "LIMIT",
            "0",
            "2",
            "LOAD",
            "*",
            "WITHCURSOR",
            "MAXIDLE",
            "1000",
        ]
    );
}
