//! json commands against the real servers.

use std::collections::{BTreeMap, HashMap};

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline, Value};
use redis_tests::{Ctx, each_redis8, each_redis8_server};

type Doc = BTreeMap<String, Vec<i64>>;

fn doc(pairs: &[(&str, &[i64])]) -> Doc {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_vec()))
        .collect()
}

each_redis8!(
    set_then_get_round_trips_a_document_through_serde,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("doc");
        let value = doc(&[("a", &[1, 2]), ("b", &[3])]);
        client.json_set(&key, "$", &value).await.unwrap();

        // The root, as a legacy path: the document itself.
        let Json(root) = client
            .json_get::<Json<Doc>>(&key, ".")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(root, value);
        // A JSONPath: the array of its matches.
        let all: Option<Json<Vec<Doc>>> = client.json_get(&key, "$").await.unwrap();
        assert_eq!(all, Some(Json(vec![value.clone()])));
        let a: Option<Json<Vec<Vec<i64>>>> = client.json_get(&key, "$.a").await.unwrap();
        assert_eq!(a.unwrap().into_inner(), [vec![1, 2]]);
        let none: Option<Json<Vec<i64>>> = client.json_get(&key, "$.zz").await.unwrap();
        assert_eq!(none, Some(Json(vec![])));
        // The text itself, for who wants it.
        let text: Option<String> = client.json_get(&key, ".b").await.unwrap();
        assert_eq!(text.as_deref(), Some("[3]"));
        // Several paths: an object keyed by path.
        let paths: Option<Json<HashMap<String, Vec<Vec<i64>>>>> =
            client.json_get_paths(&key, ["$.a", "$.b"]).await.unwrap();
        let paths = paths.unwrap().into_inner();
        assert_eq!(paths["$.a"], [vec![1, 2]]);
        assert_eq!(paths["$.b"], [vec![3]]);

        let missing: Option<Json<Doc>> = client.json_get(ctx.key("missing"), "$").await.unwrap();
        assert_eq!(missing, None);
        // A legacy path that does not exist is the server's error.
        let err = client.json_get::<Json<i64>>(&key, ".zz").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.command(), Some("JSON.GET"));
    }
);

each_redis8!(
    a_reply_that_does_not_deserialize_is_an_error_naming_the_command,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("doc");
        client
            .json_set(&key, "$", &doc(&[("a", &[1])]))
            .await
            .unwrap();
        let err = client
            .json_get::<Json<Vec<String>>>(&key, ".")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Type);
        assert_eq!(err.command(), Some("JSON.GET"));
        // The connection is fine afterwards.
        let a: Option<Json<Vec<i64>>> = client.json_get(&key, ".a").await.unwrap();
        assert_eq!(a, Some(Json(vec![1])));
    }
);

each_redis8_server!(
    a_value_that_cannot_be_serialized_is_refused_before_sending,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let key = ctx.key("doc");
        // JSON object keys must be strings. The error comes out of the
        // future, as every other refusal does: one `?` after `.await`.
        let bad = BTreeMap::from([((1, 2), 3)]);
        let err = client.json_set(&key, "$", &bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.command(), Some("JSON.SET"));
        assert!(err.to_string().contains("key must be a string"), "{err}");
        let err = client
            .json_arrappend(&key, "$", std::slice::from_ref(&bad))
            .await;
        assert_eq!(err.unwrap_err().kind(), ErrorKind::InvalidInput);
        // In a pipeline (or a transaction) the whole batch is refused, and
        // names the command; nothing of it is sent.
        let err = Pipeline::new()
            .set(&key, "before")
            .json_merge(&key, "$", &bad)
            .query(&client)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.to_string().contains("command 2 of the pipeline"),
            "{err}"
        );
        assert!(err.to_string().contains("JSON.MERGE"), "{err}");
        let err = redis_core::Transaction::new()
            .set(&key, "before")
            .json_set(&key, "$", &bad)
            .query(&client)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        // The same on a dedicated connection.
        let conn = client.dedicated().await.unwrap();
        let err = conn.json_set(&key, "$", &bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(client.exists(&key).await.unwrap(), 0);
    }
);

each_redis8!(
    set_with_a_condition_says_whether_it_wrote,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("doc");
        let first = doc(&[("a", &[1])]);
        let set = |value: &Doc, path: &'static str, condition| {
            client.json_set_with(&key, path, value, condition)
        };
        assert_eq!(
            set(&first, "$", JsonSetCondition::IfExists).await.unwrap(),
            JsonSetOutcome::NotSet
        );
        assert!(
            set(&first, "$", JsonSetCondition::IfMissing)
                .await
                .unwrap()
                .is_set()
        );
        assert_eq!(
            set(&doc(&[]), "$", JsonSetCondition::IfMissing)
                .await
                .unwrap(),
            JsonSetOutcome::NotSet
        );
        let b: &[i64] = &[7];
        let outcome = client
            .json_set_with(&key, "$.b", b, JsonSetCondition::IfMissing)
            .await
            .unwrap();
        assert_eq!(outcome, JsonSetOutcome::Set);
        let root: Option<Json<Doc>> = client.json_get(&key, ".").await.unwrap();
        assert_eq!(root, Some(Json(doc(&[("a", &[1]), ("b", &[7])]))));
    }
);

each_redis8!(
    mset_writes_several_keys_and_mget_reads_them,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (k1, k2) = (ctx.key("one"), ctx.key("two"));
        client
            .json_mset(&[
                (&k1, "$", doc(&[("n", &[1])])),
                (&k2, "$", doc(&[("n", &[2, 3])])),
            ])
            .await
            .unwrap();
        let matches: Vec<Option<Json<Vec<Vec<i64>>>>> = client
            .json_mget([&k1, &ctx.key("missing"), &k2], "$.n")
            .await
            .unwrap();
        assert_eq!(
            matches,
            [
                Some(Json(vec![vec![1]])),
                None,
                Some(Json(vec![vec![2, 3]]))
            ]
        );
        let legacy: Vec<Option<Json<Vec<i64>>>> = client.json_mget([&k1, &k2], ".n").await.unwrap();
        assert_eq!(legacy, [Some(Json(vec![1])), Some(Json(vec![2, 3]))]);
    }
);

each_redis8!(
    a_pipeline_builds_a_document_field_by_field_and_inspects_it,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("doc");
        let empty: BTreeMap<String, i64> = BTreeMap::new();
        let object = BTreeMap::from([("x", None::<i64>)]);
        let array: &[i64] = &[1, 2, 3];
        let ((), (), (), (), (), (), (), types) = Pipeline::new()
            .json_set(&key, "$", &empty)
            .json_set(&key, "$.n", &1)
            .json_set(&key, "$.s", "hi")
            .json_set(&key, "$.b", &true)
            .json_set(&key, "$.a", array)
            .json_set(&key, "$.o", &object)
            .json_set(&key, "$.f", &1.5)
            .json_type(&key, "$.*")
            .query(&client)
            .await
            .unwrap();
        assert_eq!(
            types,
            [
                JsonType::Integer,
                JsonType::String,
                JsonType::Boolean,
                JsonType::Array,
                JsonType::Object,
                JsonType::Number
            ]
        );

        assert!(
            client
                .json_type(ctx.key("missing"), "$")
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            client.json_strlen(&key, "$.*").await.unwrap(),
            [None, Some(2), None, None, None, None]
        );
        assert_eq!(
            client.json_arrlen(&key, "$.*").await.unwrap(),
            [None, None, None, Some(3), None, None]
        );
        assert_eq!(
            client.json_objlen(&key, "$.*").await.unwrap(),
            [None, None, None, None, Some(1), None]
        );
        let keys = ["n", "s", "b", "a", "o", "f"].map(String::from).to_vec();
        assert_eq!(client.json_objkeys(&key, "$").await.unwrap(), [Some(keys)]);
        assert_eq!(client.json_objkeys(&key, "$.n").await.unwrap(), [None]);
    }
);

each_redis8!(
    in_place_edits_answer_one_entry_per_match,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("doc");
        let nums = BTreeMap::from([("i", 1.0), ("f", 1.5)]);
        client.json_set(&key, "$", &nums).await.unwrap();
        client.json_set(&key, "$.flag", &true).await.unwrap();
        client.json_set(&key, "$.s", "hi").await.unwrap();

        // BTreeMap serializes its keys in order: f, i; then flag and s.
        let Json(added) = client.json_numincrby(&key, "$.*", 2.0).await.unwrap();
        assert_eq!(added, [Some(3.5), Some(3.0), None, None]);
        let Json(multiplied) = client.json_nummultby(&key, "$.f", 2.0).await.unwrap();
        assert_eq!(multiplied, [Some(7.0)]);
        let Json(none) = client.json_numincrby(&key, "$.zz", 1.0).await.unwrap();
        assert!(none.is_empty());

        assert_eq!(
            client.json_toggle(&key, "$.flag").await.unwrap(),
            [Some(false)]
        );
        assert_eq!(client.json_toggle(&key, "$.s").await.unwrap(), [None]);

        assert_eq!(
            client.json_strappend(&key, "$.s", " \"x\"").await.unwrap(),
            [Some(6)]
        );
        let s: Option<Json<String>> = client.json_get(&key, ".s").await.unwrap();
        assert_eq!(s.unwrap().0, "hi \"x\"");

        assert_eq!(client.json_clear(&key, "$.*").await.unwrap(), 2);
        let Json(cleared) = client
            .json_get::<Json<Vec<f64>>>(&key, "$.i")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(cleared, [0.0]);

        let memory = client.json_debug_memory(&key, "$").await.unwrap();
        assert_eq!(memory.len(), 1);
        assert!(memory[0] > 0);

        let strings: Vec<String> = client.json_resp(&key, "$.s").await.unwrap();
        assert_eq!(strings, ["hi \"x\""]);
        let flags: Vec<String> = client.json_resp(&key, "$.flag").await.unwrap();
        assert_eq!(flags, ["false"]);

        assert_eq!(client.json_del(&key, "$.s").await.unwrap(), 1);
        assert_eq!(client.json_forget(&key, "$.flag").await.unwrap(), 1);
        assert_eq!(client.json_del(&key, "$.s").await.unwrap(), 0);
        assert_eq!(
            client.json_objkeys(&key, "$").await.unwrap(),
            [Some(vec!["f".to_owned(), "i".to_owned()])]
        );
        assert_eq!(client.json_del(&key, "$").await.unwrap(), 1);
        assert_eq!(client.exists(&key).await.unwrap(), 0);
        assert_eq!(client.json_del(&key, "$").await.unwrap(), 0);
    }
);

each_redis8!(array_commands_edit_arrays_in_place, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("arr");
    client.json_set(&key, "$", &[1, 2, 3]).await.unwrap();
    assert_eq!(
        client.json_arrappend(&key, "$", &[4, 5]).await.unwrap(),
        [Some(5)]
    );
    assert_eq!(
        client.json_arrinsert(&key, "$", 0, &[0]).await.unwrap(),
        [Some(6)]
    );
    // [0, 1, 2, 3, 4, 5]
    assert_eq!(
        client.json_arrindex(&key, "$", &3).await.unwrap(),
        [Some(3)]
    );
    assert_eq!(
        client
            .json_arrindex_with(&key, "$", &3, 4, None)
            .await
            .unwrap(),
        [Some(-1)]
    );
    assert_eq!(
        client
            .json_arrindex_with(&key, "$", &4, 1, Some(5))
            .await
            .unwrap(),
        [Some(4)]
    );
    let popped: Vec<Option<Json<i64>>> = client.json_arrpop(&key, "$").await.unwrap();
    assert_eq!(popped, [Some(Json(5))]);
    let popped: Vec<Option<String>> = client.json_arrpop_at(&key, "$", 0).await.unwrap();
    assert_eq!(popped, [Some("0".to_owned())]);
    // [1, 2, 3, 4]
    assert_eq!(
        client.json_arrtrim(&key, "$", 1, 2).await.unwrap(),
        [Some(2)]
    );
    let Json(rest) = client
        .json_get::<Json<Vec<i64>>>(&key, ".")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rest, [2, 3]);

    // Matches that are not arrays answer None.
    let scalar = ctx.key("scalar");
    client.json_set(&scalar, "$", &7).await.unwrap();
    assert_eq!(client.json_arrlen(&scalar, "$").await.unwrap(), [None]);
    let popped: Vec<Option<Json<i64>>> = client.json_arrpop(&scalar, "$").await.unwrap();
    assert_eq!(popped, [None]);
    assert_eq!(
        client.json_arrappend(&scalar, "$", &[1]).await.unwrap(),
        [None]
    );
});

each_redis8!(
    merge_adds_replaces_and_deletes_keys,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("doc");
        client
            .json_set(&key, "$", &BTreeMap::from([("a", 1), ("b", 2)]))
            .await
            .unwrap();
        let patch = BTreeMap::from([("b", None), ("c", Some(3))]);
        client.json_merge(&key, "$", &patch).await.unwrap();
        let Json(merged) = client
            .json_get::<Json<BTreeMap<String, i64>>>(&key, ".")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            merged,
            BTreeMap::from([("a".to_owned(), 1), ("c".to_owned(), 3)])
        );

        // JSON.RESP shows the document's structure in RESP form.
        let resp: Vec<Value> = client.json_resp(&key, "$").await.unwrap();
        let [Value::Array(items)] = &resp[..] else {
            panic!("JSON.RESP answered {resp:?}");
        };
        assert_eq!(items.len(), 5, "{items:?}");
        assert_eq!(items[2], Value::Integer(1));
    }
);
