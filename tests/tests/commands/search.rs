//! search commands (FT.*) against the real servers: Redis 8.2 with the
//! Search module, over RESP3 and RESP2, with the same Rust values from both.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use redis_core::commands::*;
use redis_core::{Client, Cmd, ErrorKind, FromValue, Pipeline, Protocol, Redis, Value};
use redis_tests::{Ctx, TempServer, Version, each_redis8, servers};

type Fields = HashMap<String, String>;

/// Three people under `doc:` (1: alice smith 30 a,b with a location;
/// 2: bob jones 40 b,c; 3: alice jones 25 c), indexed as `idx` by name
/// (text, sortable), age (numeric, sortable), tags (tag) and loc (geo).
async fn people(ctx: &Ctx, client: &Redis) -> String {
    let idx = ctx.key("idx");
    let schema = Schema::new(Field::text("name").sortable())
        .field(Field::numeric("age").sortable())
        .field(Field::tag("tags"))
        .field(Field::geo("loc"));
    let options = CreateIndexOptions::new()
        .on(IndexOn::Hash)
        .prefix(ctx.key("doc:"));
    client
        .ft_create_with(&idx, &options, &schema)
        .await
        .unwrap();
    let docs: [&[(&str, &str)]; 3] = [
        &[
            ("name", "alice smith"),
            ("age", "30"),
            ("tags", "a,b"),
            ("loc", "13.4,52.5"),
        ],
        &[("name", "bob jones"), ("age", "40"), ("tags", "b,c")],
        &[("name", "alice jones"), ("age", "25"), ("tags", "c")],
    ];
    for (n, fields) in docs.iter().enumerate() {
        let key = ctx.key(&format!("doc:{}", n + 1));
        client.hset(&key, *fields).await.unwrap();
    }
    idx
}

fn ids<T>(result: &SearchResult<T>) -> Vec<String> {
    result.documents.iter().map(|d| d.id.clone()).collect()
}

fn sorted_ids<T>(result: &SearchResult<T>) -> BTreeSet<String> {
    result.documents.iter().map(|d| d.id.clone()).collect()
}

fn vector(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

async fn json_set(client: &Redis, key: &str, json: &str) {
    Cmd::new("JSON.SET")
        .arg(key)
        .arg("$")
        .arg(json)
        .query::<()>(client)
        .await
        .unwrap();
}

/// Waits for the index's scan of existing keys (after FT.ALTER, or
/// FT.CREATE over keys that exist) to finish.
async fn wait_indexed(client: &Redis, idx: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let info = client.ft_info(idx).await.unwrap();
        if !info.indexing && info.percent_indexed >= 1.0 {
            return;
        }
        assert!(Instant::now() < deadline, "{idx} still indexing: {info:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// The server's default dialect (1) refuses `$name` with "Syntax error at
// offset ..."; parameters without a dialect send DIALECT 2.
each_redis8!(
    params_work_without_naming_a_dialect,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;
        let options = SearchOptions::new().param("name", "alice");
        let found: SearchResult = client
            .ft_search_with(&idx, "@name:$name", &options)
            .await
            .unwrap();
        assert_eq!(
            sorted_ids(&found),
            [ctx.key("doc:1"), ctx.key("doc:3")].into_iter().collect()
        );
        let options = AggregateOptions::new()
            .param("min", "30")
            .group_by(["@name"], [Reducer::count().alias("n")]);
        let grouped: AggregateResult = client
            .ft_aggregate(&idx, "@age:[$min +inf]", &options)
            .await
            .unwrap();
        assert_eq!(grouped.rows.len(), 2, "{grouped:?}");
        // A dialect asked for is the one sent: 1 still refuses parameters.
        let err = client
            .ft_search_with::<SearchResult>(&idx, "@name:$name", &options_in_dialect_1())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    }
);

fn options_in_dialect_1() -> SearchOptions {
    SearchOptions::new().param("name", "alice").dialect(1)
}

each_redis8!(
    search_with_params_finds_documents_and_their_fields,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;

        let options = SearchOptions::new().param("name", "alice").dialect(2);
        let found: SearchResult = client
            .ft_search_with(&idx, "@name:$name", &options)
            .await
            .unwrap();
        assert_eq!(found.total, 2);
        assert_eq!(
            sorted_ids(&found),
            [ctx.key("doc:1"), ctx.key("doc:3")].into_iter().collect()
        );
        let third = found
            .documents
            .iter()
            .find(|d| d.id == ctx.key("doc:3"))
            .unwrap();
        assert_eq!(third.fields["name"], "alice jones");
        assert_eq!(third.fields["age"], "25");
        assert_eq!(third.fields["tags"], "c");
        assert_eq!(third.score, None);
        assert_eq!(third.sort_key, None);

        let all: SearchResult<Vec<(String, String)>> = client.ft_search(&idx, "*").await.unwrap();
        assert_eq!(all.total, 3);
        assert_eq!(all.documents.len(), 3);
        let first = all
            .documents
            .iter()
            .find(|d| d.id == ctx.key("doc:1"))
            .unwrap();
        assert!(
            first
                .fields
                .contains(&("loc".to_owned(), "13.4,52.5".to_owned()))
        );

        let none: SearchResult = client.ft_search(&idx, "nobody").await.unwrap();
        assert_eq!((none.total, none.documents.len()), (0, 0));
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    no_content_scores_sorting_and_paging_shape_the_documents,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;

        let ids_only = SearchOptions::new().no_content().with_scores();
        let found: SearchResult = client
            .ft_search_with(&idx, "alice", &ids_only)
            .await
            .unwrap();
        assert_eq!(found.total, 2);
        for document in &found.documents {
            assert!(document.fields.is_empty(), "{document:?}");
            assert!(document.score.unwrap() > 0.0, "{document:?}");
        }

        let oldest_two = SearchOptions::new()
            .sort_by(SortProperty::desc("age"))
            .limit(0, 2)
            .return_field_as("name", "who");
        let found: SearchResult = client.ft_search_with(&idx, "*", &oldest_two).await.unwrap();
        assert_eq!(found.total, 3);
        assert_eq!(ids(&found), [ctx.key("doc:2"), ctx.key("doc:1")]);
        assert_eq!(found.documents[0].sort_key, Some(SortKey::Number(40.0)));
        assert_eq!(
            found.documents[0].fields,
            Fields::from([("who".to_owned(), "bob jones".to_owned())])
        );

        let by_name = SearchOptions::new()
            .sort_by(SortProperty::asc("name"))
            .no_content()
            .with_scores();
        let found: SearchResult<()> = client.ft_search_with(&idx, "*", &by_name).await.unwrap();
        assert_eq!(
            ids(&found),
            [ctx.key("doc:3"), ctx.key("doc:1"), ctx.key("doc:2")]
        );
        assert_eq!(
            found.documents[0].sort_key,
            Some(SortKey::Text("alice jones".to_owned()))
        );
        assert!(found.documents.iter().all(|d| d.score.is_some()));

        let count_only = SearchOptions::new().limit(0, 0);
        let found: SearchResult = client.ft_search_with(&idx, "*", &count_only).await.unwrap();
        assert_eq!((found.total, found.documents.len()), (3, 0));

        let second_page = SearchOptions::new()
            .sort_by(SortProperty::asc("age"))
            .limit(1, 1)
            .return_field("age");
        let found: SearchResult = client
            .ft_search_with(&idx, "*", &second_page)
            .await
            .unwrap();
        assert_eq!(ids(&found), [ctx.key("doc:1")]);
        assert_eq!(found.documents[0].fields["age"], "30");
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    filters_restrict_the_documents_searched,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;
        let search = |options: SearchOptions| {
            let client = client.clone();
            let idx = idx.clone();
            async move {
                let found: SearchResult<()> =
                    client.ft_search_with(&idx, "*", &options).await.unwrap();
                sorted_ids(&found)
            }
        };
        let keys = |ns: &[u32]| -> BTreeSet<String> {
            ns.iter().map(|n| ctx.key(&format!("doc:{n}"))).collect()
        };

        let from_25_below_30 = SearchOptions::new().filter(
            "age",
            NumericBound::Inclusive(25.0),
            NumericBound::Exclusive(30.0),
        );
        assert_eq!(search(from_25_below_30).await, keys(&[3]));
        let above_25 = SearchOptions::new().filter(
            "age",
            NumericBound::Exclusive(25.0),
            NumericBound::Unbounded,
        );
        assert_eq!(search(above_25).await, keys(&[1, 2]));
        let up_to_30 = SearchOptions::new().filter(
            "age",
            NumericBound::Unbounded,
            NumericBound::Inclusive(30.0),
        );
        assert_eq!(search(up_to_30).await, keys(&[1, 3]));

        let near_berlin =
            SearchOptions::new().geo_filter(GeoFilter::kilometers("loc", 13.41, 52.5, 5.0));
        assert_eq!(search(near_berlin).await, keys(&[1]));
        let far = SearchOptions::new().geo_filter(GeoFilter::meters("loc", 2.35, 48.85, 1000.0));
        assert_eq!(search(far).await, keys(&[]));
        let wide = SearchOptions::new().geo_filter(GeoFilter::miles("loc", 2.35, 48.85, 700.0));
        assert_eq!(search(wide).await, keys(&[1]));
        let feet = SearchOptions::new().geo_filter(GeoFilter::feet("loc", 13.4, 52.5, 100.0));
        assert_eq!(search(feet).await, keys(&[1]));

        let in_keys = SearchOptions::new().in_keys([ctx.key("doc:2"), ctx.key("doc:3")]);
        assert_eq!(search(in_keys).await, keys(&[2, 3]));

        let in_tags: SearchResult<()> = client
            .ft_search_with(&idx, "alice", &SearchOptions::new().in_fields(["tags"]))
            .await
            .unwrap();
        assert_eq!(in_tags.total, 0);
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    text_options_change_matching_and_the_returned_text,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;

        let reversed = "smith alice";
        let loose: SearchResult<()> = client.ft_search(&idx, reversed).await.unwrap();
        assert_eq!(loose.total, 1);
        let strict = SearchOptions::new().slop(0).in_order();
        let strict: SearchResult<()> = client
            .ft_search_with(&idx, reversed, &strict)
            .await
            .unwrap();
        assert_eq!(strict.total, 0);

        // "jones" is stemmed to "jone"; VERBATIM matches the word as written.
        let stemmed: SearchResult<()> = client.ft_search(&idx, "jone").await.unwrap();
        assert_eq!(stemmed.total, 2);
        let verbatim = SearchOptions::new().verbatim();
        let exact: SearchResult<()> = client
            .ft_search_with(&idx, "jone", &verbatim)
            .await
            .unwrap();
        assert_eq!(exact.total, 0);

        let highlighted = SearchOptions::new()
            .highlight(Highlight::new().fields(["name"]).tags("[", "]"))
            .return_field("name");
        let found: SearchResult = client
            .ft_search_with(&idx, "smith", &highlighted)
            .await
            .unwrap();
        assert_eq!(found.documents[0].fields["name"], "alice [smith]");

        let summarized = SearchOptions::new()
            .summarize(
                Summarize::new()
                    .fields(["name"])
                    .frags(1)
                    .len(1)
                    .separator("|"),
            )
            .return_field("name");
        let found: SearchResult = client
            .ft_search_with(&idx, "smith", &summarized)
            .await
            .unwrap();
        let summary = &found.documents[0].fields["name"];
        assert!(
            summary.contains("smith") && !summary.contains("alice"),
            "{summary}"
        );

        let tuned = SearchOptions::new()
            .language(Language::English)
            .scorer(Scorer::Bm25)
            .no_stopwords()
            .timeout(Duration::from_secs(2))
            .with_scores()
            .no_content();
        let found: SearchResult = client.ft_search_with(&idx, "alice", &tuned).await.unwrap();
        assert_eq!(found.total, 2);
        assert!(found.documents.iter().all(|d| d.score.unwrap() > 0.0));
        let by_doc_score = SearchOptions::new()
            .scorer(Scorer::DocScore)
            .with_scores()
            .no_content();
        let found: SearchResult = client
            .ft_search_with(&idx, "alice", &by_doc_score)
            .await
            .unwrap();
        assert!(
            found.documents.iter().all(|d| d.score == Some(1.0)),
            "{found:?}"
        );
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    json_index_searches_paths_under_their_aliases,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = ctx.key("idx");
        let schema = Schema::new(Field::text("$.name").alias("name"))
            .field(Field::numeric("$.age").alias("age").sortable())
            .field(Field::tag("$.colors[*]").alias("colors"));
        let options = CreateIndexOptions::new()
            .on(IndexOn::Json)
            .prefix(ctx.key("json:"));
        client
            .ft_create_with(&idx, &options, &schema)
            .await
            .unwrap();
        json_set(
            &client,
            &ctx.key("json:1"),
            r#"{"name":"red apple","age":3,"colors":["red","green"]}"#,
        )
        .await;
        json_set(
            &client,
            &ctx.key("json:2"),
            r#"{"name":"blue sky","age":9,"colors":["blue"]}"#,
        )
        .await;

        let options = SearchOptions::new().param("color", "green").dialect(2);
        let found: SearchResult = client
            .ft_search_with(&idx, "@colors:{$color}", &options)
            .await
            .unwrap();
        assert_eq!(ids(&found), [ctx.key("json:1")]);
        let whole = &found.documents[0].fields["$"];
        assert!(whole.contains(r#""name":"red apple""#), "{whole}");

        let options = SearchOptions::new()
            .return_field_as("$.name", "title")
            .return_field("age")
            .sort_by(SortProperty::desc("age"));
        let found: SearchResult = client.ft_search_with(&idx, "*", &options).await.unwrap();
        assert_eq!(ids(&found), [ctx.key("json:2"), ctx.key("json:1")]);
        assert_eq!(
            found.documents[0].fields,
            Fields::from([
                ("title".to_owned(), "blue sky".to_owned()),
                ("age".to_owned(), "9".to_owned()),
            ])
        );
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    vector_fields_answer_nearest_neighbour_queries,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = ctx.key("idx");
        let schema = Schema::new(Field::vector(
            "hnsw",
            HnswVector::new(VectorDataType::Float32, 2, DistanceMetric::L2)
                .m(8)
                .ef_construction(100)
                .ef_runtime(20)
                .epsilon(0.05)
                .initial_cap(10),
        ))
        .field(
            Field::vector(
                "flat",
                FlatVector::new(VectorDataType::Float32, 2, DistanceMetric::Cosine)
                    .initial_cap(10)
                    .block_size(64),
            )
            .index_missing(),
        )
        .field(Field::tag("kind"));
        let options = CreateIndexOptions::new().prefix(ctx.key("vec:"));
        client
            .ft_create_with(&idx, &options, &schema)
            .await
            .unwrap();
        let points: [(&str, [f32; 2]); 3] =
            [("a", [0.0, 0.0]), ("b", [1.0, 0.0]), ("c", [5.0, 5.0])];
        for (name, point) in points {
            let blob = vector(&point);
            client
                .hset(
                    ctx.key(&format!("vec:{name}")),
                    (("hnsw", &blob[..]), ("flat", &blob[..]), ("kind", "point")),
                )
                .await
                .unwrap();
        }

        let query = "*=>[KNN 2 @hnsw $near AS distance]";
        let options = SearchOptions::new()
            .param("near", vector(&[0.9, 0.1]))
            .sort_by(SortProperty::asc("distance"))
            .return_field("distance")
            .dialect(2);
        let found: SearchResult = client.ft_search_with(&idx, query, &options).await.unwrap();
        assert_eq!(ids(&found), [ctx.key("vec:b"), ctx.key("vec:a")]);
        let nearest: f64 = found.documents[0].fields["distance"].parse().unwrap();
        assert!((nearest - 0.02).abs() < 1e-4, "{nearest}");

        let query = "@kind:{point}=>[KNN 1 @flat $near AS distance]";
        let options = SearchOptions::new()
            .param("near", vector(&[4.0, 4.5]))
            .return_field("distance")
            .dialect(2);
        let found: SearchResult = client.ft_search_with(&idx, query, &options).await.unwrap();
        assert_eq!(ids(&found), [ctx.key("vec:c")]);
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    info_reports_the_definition_fields_and_counts,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = ctx.key("idx");
        let schema = Schema::new(
            Field::text("title")
                .weight(2.5)
                .no_stem()
                .phonetic(Phonetic::English)
                .with_suffix_trie()
                .index_empty()
                .index_missing()
                .sortable_unf(),
        )
        .field(
            Field::tag("labels")
                .separator(b';')
                .case_sensitive()
                .with_suffix_trie()
                .index_empty()
                .sortable(),
        )
        .field(Field::numeric("price").sortable().no_index())
        .field(Field::geo("where").index_missing())
        .field(Field::geoshape("area").flat().index_missing())
        .field(Field::text("notes").alias("memo").no_index().sortable())
        .field(Field::vector(
            "embedding",
            FlatVector::new(VectorDataType::Float64, 3, DistanceMetric::InnerProduct),
        ));
        let options = CreateIndexOptions::new()
            .on(IndexOn::Hash)
            .prefix(ctx.key("a:"))
            .prefix(ctx.key("b:"))
            .filter("@price > 1")
            .language(Language::German)
            .language_field("lang")
            .score(0.5)
            .score_field("rank")
            .payload_field("extra")
            .max_text_fields()
            .no_offsets()
            .no_highlight()
            .no_freqs()
            .stopwords(["der", "die"])
            .temporary(Duration::from_secs(600));
        client
            .ft_create_with(&idx, &options, &schema)
            .await
            .unwrap();
        client
            .hset(ctx.key("a:1"), [("title", "eins"), ("price", "5")])
            .await
            .unwrap();
        client
            .hset(ctx.key("b:1"), [("title", "zwei"), ("price", "7")])
            .await
            .unwrap();
        client
            .hset(ctx.key("b:2"), [("title", "filtered out"), ("price", "0")])
            .await
            .unwrap();

        let info = client.ft_info(&idx).await.unwrap();
        assert_eq!(info.name, idx);
        assert_eq!(info.num_docs, 2, "the FILTER keeps b:2 out");
        for option in ["NOOFFSETS", "NOHL", "NOFREQS", "MAXTEXTFIELDS"] {
            assert!(
                info.options.iter().any(|o| o == option),
                "{option}: {info:?}"
            );
        }
        let definition = &info.definition;
        assert_eq!(definition.key_type, IndexOn::Hash);
        assert_eq!(definition.prefixes, [ctx.key("a:"), ctx.key("b:")]);
        assert_eq!(definition.filter.as_deref(), Some("@price > 1"));
        assert_eq!(definition.default_language.as_deref(), Some("german"));
        assert_eq!(definition.language_field.as_deref(), Some("lang"));
        assert_eq!(definition.default_score, Some(0.5));
        assert_eq!(definition.score_field.as_deref(), Some("rank"));
        assert_eq!(definition.payload_field.as_deref(), Some("extra"));
        assert_eq!(
            info.stopwords,
            Some(vec!["der".to_owned(), "die".to_owned()])
        );

        let [title, labels, price, place, area, notes, embedding] = &info.attributes[..] else {
            panic!("seven attributes: {:?}", info.attributes);
        };
        assert_eq!(
            (
                title.kind.clone(),
                title.weight,
                title.no_stem,
                title.with_suffix_trie
            ),
            (AttributeType::Text, Some(2.5), true, true)
        );
        assert!(title.sortable && title.unf && title.index_empty && title.index_missing);
        assert_eq!(labels.kind, AttributeType::Tag);
        assert_eq!(labels.separator.as_deref(), Some(";"));
        assert!(
            labels.case_sensitive
                && labels.sortable
                && labels.with_suffix_trie
                && labels.index_empty
        );
        assert!(!labels.index_missing);
        assert_eq!(price.kind, AttributeType::Numeric);
        assert!(price.sortable && price.no_index && !price.index_missing);
        assert_eq!(place.kind, AttributeType::Geo);
        assert!(place.index_missing && !place.sortable);
        assert_eq!(area.kind, AttributeType::GeoShape);
        assert!(
            area.parameters
                .contains(&("coord_system".to_owned(), "FLAT".to_owned()))
        );
        assert_eq!(
            (notes.identifier.as_str(), notes.attribute.as_str()),
            ("notes", "memo")
        );
        assert!(notes.no_index && notes.sortable);
        assert_eq!(embedding.kind, AttributeType::Vector);
        for (key, value) in [
            ("algorithm", "FLAT"),
            ("data_type", "FLOAT64"),
            ("dim", "3"),
            ("distance_metric", "IP"),
        ] {
            assert!(
                embedding
                    .parameters
                    .contains(&(key.to_owned(), value.to_owned())),
                "{key}: {embedding:?}"
            );
        }
        client.ft_dropindex(&idx).await.unwrap();

        let missing = client.ft_info(&idx).await.unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::Server);
    }
);

each_redis8!(
    skip_initial_scan_and_alter_decide_what_is_reindexed,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = ctx.key("idx");
        client
            .hset(
                ctx.key("doc:old"),
                [("name", "old"), ("age", "70"), ("tag", "x")],
            )
            .await
            .unwrap();
        let options = CreateIndexOptions::new()
            .prefix(ctx.key("doc:"))
            .skip_initial_scan();
        client
            .ft_create_with(&idx, &options, &Schema::new(Field::text("name")))
            .await
            .unwrap();
        let found: SearchResult<()> = client.ft_search(&idx, "old").await.unwrap();
        assert_eq!(found.total, 0, "the key that existed is not indexed");
        client
            .hset(
                ctx.key("doc:new"),
                [("name", "new"), ("age", "20"), ("tag", "x")],
            )
            .await
            .unwrap();

        client
            .ft_alter(&idx, &Schema::new(Field::numeric("age")))
            .await
            .unwrap();
        wait_indexed(&client, &idx).await;
        let found: SearchResult<()> = client.ft_search(&idx, "@age:[10 30]").await.unwrap();
        assert_eq!(ids(&found), [ctx.key("doc:new")]);

        client
            .ft_alter_with(&idx, &Schema::new(Field::tag("tag")), InitialScan::Skip)
            .await
            .unwrap();
        client
            .hset(ctx.key("doc:newer"), [("name", "newer"), ("tag", "x")])
            .await
            .unwrap();
        let found: SearchResult<()> = client.ft_search(&idx, "@tag:{x}").await.unwrap();
        assert_eq!(ids(&found), [ctx.key("doc:newer")]);

        let info = client.ft_info(&idx).await.unwrap();
        let names: Vec<&str> = info
            .attributes
            .iter()
            .map(|a| a.attribute.as_str())
            .collect();
        assert_eq!(names, ["name", "age", "tag"]);
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    indexed_missing_and_empty_values_can_be_queried,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = ctx.key("idx");
        let schema = Schema::new(Field::tag("color").index_empty().index_missing())
            .field(Field::text("note").index_empty())
            .field(Field::numeric("size").index_missing());
        let options = CreateIndexOptions::new().prefix(ctx.key("doc:"));
        client
            .ft_create_with(&idx, &options, &schema)
            .await
            .unwrap();
        client
            .hset(
                ctx.key("doc:empty"),
                [("color", ""), ("note", ""), ("size", "1")],
            )
            .await
            .unwrap();
        client
            .hset(ctx.key("doc:bare"), [("other", "x")])
            .await
            .unwrap();
        client
            .hset(ctx.key("doc:full"), [("color", "red"), ("size", "2")])
            .await
            .unwrap();
        let dialect2 = SearchOptions::new().dialect(2);
        let query = |q: &'static str| {
            let client = client.clone();
            let idx = idx.clone();
            let options = dialect2.clone();
            async move {
                let found: SearchResult<()> =
                    client.ft_search_with(&idx, q, &options).await.unwrap();
                sorted_ids(&found)
            }
        };
        let keys = |names: &[&str]| -> BTreeSet<String> {
            names.iter().map(|n| ctx.key(&format!("doc:{n}"))).collect()
        };
        assert_eq!(query("ismissing(@color)").await, keys(&["bare"]));
        assert_eq!(query("ismissing(@size)").await, keys(&["bare"]));
        assert_eq!(query(r#"@color:{""}"#).await, keys(&["empty"]));
        assert_eq!(query(r#"@note:"""#).await, keys(&["empty"]));
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    geoshape_fields_answer_within_and_contains,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = ctx.key("idx");
        let schema = Schema::new(Field::geoshape("shape").flat())
            .field(Field::geoshape("earth").spherical().alias("place"));
        let options = CreateIndexOptions::new().prefix(ctx.key("doc:"));
        client
            .ft_create_with(&idx, &options, &schema)
            .await
            .unwrap();
        client
            .hset(
                ctx.key("doc:in"),
                [("shape", "POINT(1 1)"), ("earth", "POINT(13.4 52.5)")],
            )
            .await
            .unwrap();
        client
            .hset(
                ctx.key("doc:out"),
                [("shape", "POINT(9 9)"), ("earth", "POINT(2.3 48.8)")],
            )
            .await
            .unwrap();
        let options = SearchOptions::new()
            .param("box", "POLYGON((0 0, 0 2, 2 2, 2 0, 0 0))")
            .dialect(3);
        let found: SearchResult<()> = client
            .ft_search_with(&idx, "@shape:[WITHIN $box]", &options)
            .await
            .unwrap();
        assert_eq!(ids(&found), [ctx.key("doc:in")]);
        let options = SearchOptions::new()
            .param("berlin", "POLYGON((13 52, 13 53, 14 53, 14 52, 13 52))")
            .dialect(3);
        let found: SearchResult<()> = client
            .ft_search_with(&idx, "@place:[WITHIN $berlin]", &options)
            .await
            .unwrap();
        assert_eq!(ids(&found), [ctx.key("doc:in")]);
        client.ft_dropindex(&idx).await.unwrap();
    }
);

/// A row whose columns are a category and a list of values.
#[derive(Debug, PartialEq)]
struct ListRow {
    category: String,
    values: BTreeSet<String>,
}

impl FromValue for ListRow {
    fn from_value(value: Value) -> redis_core::Result<Self> {
        let mut row = HashMap::<String, Value>::from_value(value)?;
        let mut take = |name: &str| row.remove(name).unwrap_or(Value::Nil);
        Ok(ListRow {
            category: String::from_value(take("category"))?,
            values: BTreeSet::from_value(take("values"))?,
        })
    }
}

/// Products: fruit apple 3, fruit pear 5, fruit plum 10, veg kale 2.
async fn products(ctx: &Ctx, client: &Redis) -> String {
    let idx = ctx.key("idx");
    let schema = Schema::new(Field::tag("category").sortable())
        .field(Field::text("name").sortable())
        .field(Field::numeric("price").sortable());
    let options = CreateIndexOptions::new().prefix(ctx.key("p:"));
    client
        .ft_create_with(&idx, &options, &schema)
        .await
        .unwrap();
    // Measured: documents written within a millisecond of FT.CREATE, while the index's
    // scan of existing keys is still running, can be missing from a later cursor's batches
    // (20 of 30 pipelined runs on Redis 8.2 with RediSearch 2.10.5). Writes after the scan
    // ended are always read.
    wait_indexed(client, &idx).await;
    for (n, (category, name, price)) in [
        ("fruit", "apple", "3"),
        ("fruit", "pear", "5"),
        ("fruit", "plum", "10"),
        ("veg", "kale", "2"),
    ]
    .into_iter()
    .enumerate()
    {
        client
            .hset(
                ctx.key(&format!("p:{n}")),
                [("category", category), ("name", name), ("price", price)],
            )
            .await
            .unwrap();
    }
    idx
}

each_redis8!(
    aggregate_groups_reduces_applies_and_sorts,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = products(&ctx, &client).await;

        let pipeline = AggregateOptions::new()
            .load(["@price"])
            .group_by(
                ["@category"],
                [
                    Reducer::count().alias("count"),
                    Reducer::sum("@price").alias("sum"),
                    Reducer::min("@price").alias("min"),
                    Reducer::max("@price").alias("max"),
                    Reducer::avg("@price").alias("avg"),
                    Reducer::count_distinct("@name").alias("names"),
                    Reducer::count_distinctish("@name").alias("roughly"),
                    Reducer::quantile("@price", 0.5).alias("median"),
                    Reducer::stddev("@price").alias("stddev"),
                    Reducer::first_value_by("@name", SortProperty::desc("@price")).alias("dearest"),
                    Reducer::first_value("@category").alias("first"),
                ],
            )
            .apply("@sum * 2", "double")
            .sort_by([SortProperty::desc("@count")]);
        let result: AggregateResult = client.ft_aggregate(&idx, "*", &pipeline).await.unwrap();
        assert_eq!(result.cursor, None);
        assert_eq!(result.rows.len(), 2);
        let fruit = &result.rows[0];
        for (column, value) in [
            ("category", "fruit"),
            ("count", "3"),
            ("sum", "18"),
            ("min", "3"),
            ("max", "10"),
            ("avg", "6"),
            ("names", "3"),
            ("roughly", "3"),
            ("median", "5"),
            ("dearest", "plum"),
            ("first", "fruit"),
            ("double", "36"),
        ] {
            assert_eq!(fruit[column], value, "{column}: {fruit:?}");
        }
        let stddev: f64 = fruit["stddev"].parse().unwrap();
        assert!((stddev - 3.6056).abs() < 1e-3, "{stddev}");
        assert_eq!(result.rows[1]["category"], "veg");

        let pipeline = AggregateOptions::new()
            .load(["@price"])
            .filter("@price >= 3")
            .group_by(["@category"], [Reducer::count().alias("count")])
            .sort_by_max([SortProperty::asc("@category")], 1);
        let result: AggregateResult = client.ft_aggregate(&idx, "*", &pipeline).await.unwrap();
        assert_eq!(result.rows.len(), 1);
        assert_eq!(result.rows[0]["category"], "fruit");
        assert_eq!(result.rows[0]["count"], "3");

        let pipeline = AggregateOptions::new()
            .group_by(["@category"], [Reducer::tolist("@name").alias("values")])
            .sort_by([SortProperty::asc("@category")])
            .limit(0, 1);
        let result: AggregateResult<ListRow> =
            client.ft_aggregate(&idx, "*", &pipeline).await.unwrap();
        assert_eq!(
            result.rows,
            [ListRow {
                category: "fruit".to_owned(),
                values: ["apple", "pear", "plum"].map(String::from).into(),
            }]
        );

        let pipeline = AggregateOptions::new()
            .group_by(
                ["@category"],
                [Reducer::random_sample("@name", 2).alias("values")],
            )
            .filter("@category == 'fruit'");
        let result: AggregateResult<ListRow> =
            client.ft_aggregate(&idx, "*", &pipeline).await.unwrap();
        let sample = &result.rows[0].values;
        assert_eq!(sample.len(), 2);
        assert!(sample.is_subset(&["apple", "pear", "plum"].map(String::from).into()));
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    aggregate_takes_params_scores_and_loads_every_field,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = products(&ctx, &client).await;
        let pipeline = AggregateOptions::new()
            .load_all()
            .add_scores()
            .verbatim()
            .timeout(Duration::from_secs(2))
            .param("cheap", "4")
            .sort_by([SortProperty::asc("@price")])
            .dialect(2);
        let result: AggregateResult = client
            .ft_aggregate(&idx, "@price:[-inf $cheap]", &pipeline)
            .await
            .unwrap();
        assert_eq!(result.rows.len(), 2);
        assert_eq!(result.rows[0]["name"], "kale");
        assert_eq!(result.rows[0]["category"], "veg");
        assert_eq!(result.rows[1]["name"], "apple");
        assert!(
            result.rows[0].contains_key("__score"),
            "{:?}",
            result.rows[0]
        );
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    aggregate_cursor_reads_every_row_in_batches,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = products(&ctx, &client).await;
        let pipeline = AggregateOptions::new()
            .load(["@name"])
            .cursor_count(3)
            .cursor_max_idle(Duration::from_secs(30));
        let first: AggregateResult = client.ft_aggregate(&idx, "*", &pipeline).await.unwrap();
        assert_eq!(first.rows.len(), 3);
        let mut names: BTreeSet<String> = first.rows.iter().map(|r| r["name"].clone()).collect();
        let mut cursor = first.cursor.expect("a cursor for the rest");
        loop {
            let next: AggregateResult = client.ft_cursor_read(&idx, cursor).await.unwrap();
            names.extend(next.rows.iter().map(|r| r["name"].clone()));
            match next.cursor {
                Some(more) => cursor = more,
                None => break,
            }
        }
        assert_eq!(
            names,
            ["apple", "kale", "pear", "plum"].map(String::from).into()
        );

        let pipeline = AggregateOptions::new().load(["@name"]).with_cursor();
        let unread: AggregateResult = client
            .ft_aggregate(
                &idx,
                "*",
                &AggregateOptions::new().load(["@name"]).cursor_count(1),
            )
            .await
            .unwrap();
        let cursor = unread.cursor.unwrap();
        let batch: AggregateResult = client.ft_cursor_read_with(&idx, cursor, 2).await.unwrap();
        assert_eq!(batch.rows.len(), 2);
        client.ft_cursor_del(&idx, cursor).await.unwrap();
        let gone = client
            .ft_cursor_read::<Fields>(&idx, cursor)
            .await
            .unwrap_err();
        assert_eq!(gone.kind(), ErrorKind::Server);

        let all: AggregateResult = client.ft_aggregate(&idx, "*", &pipeline).await.unwrap();
        assert_eq!(all.rows.len(), 4);
        assert_eq!(all.cursor, None, "one batch held everything");
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(aliases_name_indexes, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let idx = people(&ctx, &client).await;
    let other = ctx.key("other");
    client
        .ft_create_with(
            &other,
            &CreateIndexOptions::new().prefix(ctx.key("nothing:")),
            &Schema::new(Field::text("name")),
        )
        .await
        .unwrap();
    let alias = ctx.key("alias");
    client.ft_aliasadd(&alias, &idx).await.unwrap();
    let found: SearchResult<()> = client.ft_search(&alias, "alice").await.unwrap();
    assert_eq!(found.total, 2);
    assert_eq!(
        client.ft_aliasadd(&alias, &other).await.unwrap_err().kind(),
        ErrorKind::Server
    );
    client.ft_aliasupdate(&alias, &other).await.unwrap();
    let found: SearchResult<()> = client.ft_search(&alias, "alice").await.unwrap();
    assert_eq!(found.total, 0);
    client.ft_aliasdel(&alias).await.unwrap();
    let err = client.ft_search::<()>(&alias, "alice").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    client.ft_dropindex(&idx).await.unwrap();
    client.ft_dropindex(&other).await.unwrap();
});

each_redis8!(
    list_explain_and_dropindex_with_documents,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;
        assert!(client.ft_list().await.unwrap().contains(&idx));

        let plan = client.ft_explain(&idx, "alice @age:[20 30]").await.unwrap();
        assert!(
            plan.contains("INTERSECT") && plan.contains("@age"),
            "{plan}"
        );
        // A wildcard pattern is a dialect 2 query; dialect 1 reads a prefix.
        let plan = client.ft_explain_with(&idx, "w'ali*'", 2).await.unwrap();
        assert!(plan.contains("WILDCARD{ali*}"), "{plan}");
        let plan = client.ft_explain_with(&idx, "w'ali*'", 1).await.unwrap();
        assert!(plan.contains("PREFIX{ali*}"), "{plan}");
        let lines = client
            .ft_explaincli(&idx, "alice @age:[20 30]")
            .await
            .unwrap();
        assert!(lines.iter().any(|l| l.contains("INTERSECT")), "{lines:?}");
        assert!(lines.len() > 2, "{lines:?}");
        let lines = client
            .ft_explaincli_with(&idx, "alice | bob", 2)
            .await
            .unwrap();
        assert!(lines.iter().any(|l| l.contains("UNION")), "{lines:?}");

        client.ft_dropindex(&idx).await.unwrap();
        assert!(!client.ft_list().await.unwrap().contains(&idx));
        assert_eq!(client.exists(ctx.key("doc:1")).await.unwrap(), 1);

        let idx = people(&ctx, &client).await;
        client.ft_dropindex_delete_docs(&idx).await.unwrap();
        let keys = [ctx.key("doc:1"), ctx.key("doc:2"), ctx.key("doc:3")];
        assert_eq!(client.exists(&keys).await.unwrap(), 0);
    }
);

each_redis8!(
    profile_returns_the_results_and_a_profile,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;
        let options = SearchOptions::new().with_scores().return_field("name");
        let profiled: Profile<SearchResult> = client
            .ft_profile_search(&idx, ProfileDetail::Limited, "alice", &options)
            .await
            .unwrap();
        assert_eq!(profiled.results.total, 2);
        assert_eq!(
            sorted_ids(&profiled.results),
            [ctx.key("doc:1"), ctx.key("doc:3")].into_iter().collect()
        );
        assert!(profiled.results.documents.iter().all(|d| d.score.is_some()));
        assert!(!matches!(profiled.profile, Value::Nil));

        let pipeline = AggregateOptions::new()
            .group_by(["@tags"], [Reducer::count().alias("n")])
            .sort_by([SortProperty::asc("@tags")]);
        let profiled: Profile<AggregateResult> = client
            .ft_profile_aggregate(&idx, ProfileDetail::Full, "*", &pipeline)
            .await
            .unwrap();
        let tags: Vec<&str> = profiled
            .results
            .rows
            .iter()
            .map(|r| r["tags"].as_str())
            .collect();
        assert_eq!(tags, ["a,b", "b,c", "c"]);
        assert!(!matches!(profiled.profile, Value::Nil));
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(
    suggestions_complete_prefixes_with_scores_and_payloads,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("sug");
        let with_payload = SugAddOptions::new().payload("greeting");
        assert_eq!(
            client
                .ft_sugadd_with(&key, "hello world", 1.0, &with_payload)
                .await
                .unwrap(),
            1
        );
        assert_eq!(client.ft_sugadd(&key, "help", 1.0).await.unwrap(), 2);
        assert_eq!(
            client
                .ft_sugadd_with(&key, "help", 2.0, &SugAddOptions::new().incr())
                .await
                .unwrap(),
            2
        );
        assert_eq!(client.ft_suglen(&key).await.unwrap(), 2);

        let plain = client.ft_sugget(&key, "hel").await.unwrap();
        assert_eq!(plain, ["help", "hello world"]);

        let detailed: Vec<Suggestion> = client
            .ft_sugget_with(&key, "hel", &SugGetOptions::new())
            .await
            .unwrap();
        assert_eq!(detailed.len(), 2);
        assert_eq!(detailed[0].text, "help");
        assert_eq!(detailed[0].payload, None);
        assert_eq!(detailed[1].text, "hello world");
        assert_eq!(detailed[1].payload.as_deref(), Some("greeting"));
        assert!(detailed[0].score > detailed[1].score, "{detailed:?}");

        let fuzzy: Vec<Suggestion> = client
            .ft_sugget_with(&key, "hwl", &SugGetOptions::new().fuzzy().max(1))
            .await
            .unwrap();
        assert_eq!(fuzzy.len(), 1, "{fuzzy:?}");
        assert!(fuzzy[0].text.starts_with("h"), "{fuzzy:?}");

        assert!(client.ft_sugdel(&key, "help").await.unwrap());
        assert!(!client.ft_sugdel(&key, "help").await.unwrap());
        assert_eq!(client.ft_suglen(&key).await.unwrap(), 1);
        assert!(client.ft_sugget(&key, "zzz").await.unwrap().is_empty());
    }
);

each_redis8!(synonym_groups_expand_queries, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let idx = people(&ctx, &client).await;
    client
        .ft_synupdate(&idx, "friends", ["bob", "robert"])
        .await
        .unwrap();
    wait_indexed(&client, &idx).await;
    client
        .ft_synupdate_with(&idx, "others", InitialScan::Skip, ["bob"])
        .await
        .unwrap();
    let groups = client.ft_syndump(&idx).await.unwrap();
    assert_eq!(groups["robert"], ["friends"]);
    let mut bob = groups["bob"].clone();
    bob.sort();
    assert_eq!(bob, ["friends", "others"]);

    // bob's document was written before the group: the update reindexed it.
    let found: SearchResult<()> = client.ft_search(&idx, "robert").await.unwrap();
    assert_eq!(ids(&found), [ctx.key("doc:2")]);
    client.ft_dropindex(&idx).await.unwrap();
});

each_redis8!(
    spellcheck_and_dictionaries_suggest_terms,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;
        let dict = ctx.key("dict");

        let checked = client.ft_spellcheck(&idx, "alice smyth").await.unwrap();
        assert_eq!(checked.terms.len(), 1, "{checked:?}");
        assert_eq!(checked.terms[0].term, "smyth");
        let suggested: Vec<&str> = checked.terms[0]
            .suggestions
            .iter()
            .map(|(s, _)| s.as_str())
            .collect();
        assert!(suggested.contains(&"smith"), "{checked:?}");
        assert!(
            checked.terms[0]
                .suggestions
                .iter()
                .all(|(_, score)| *score > 0.0)
        );

        assert_eq!(
            client.ft_dictadd(&dict, ["zebra", "zebu"]).await.unwrap(),
            2
        );
        assert_eq!(client.ft_dictadd(&dict, ["zebra"]).await.unwrap(), 0);
        assert_eq!(client.ft_dictdump(&dict).await.unwrap(), ["zebra", "zebu"]);

        let far = SpellcheckOptions::new().distance(2).include(&dict);
        let checked = client
            .ft_spellcheck_with(&idx, "zebro", &far)
            .await
            .unwrap();
        let suggested: BTreeSet<&str> = checked.terms[0]
            .suggestions
            .iter()
            .map(|(s, _)| s.as_str())
            .collect();
        assert!(
            suggested.contains("zebra") && suggested.contains("zebu"),
            "{checked:?}"
        );

        let excluded = SpellcheckOptions::new().exclude(&dict).dialect(2);
        let checked = client
            .ft_spellcheck_with(&idx, "zebu", &excluded)
            .await
            .unwrap();
        assert!(checked.terms.is_empty(), "{checked:?}");

        let nothing_close = client.ft_spellcheck(&idx, "qqqqqq").await.unwrap();
        assert_eq!(nothing_close.terms.len(), 1);
        assert!(nothing_close.terms[0].suggestions.is_empty());

        assert_eq!(
            client
                .ft_dictdel(&dict, ["zebra", "zebu", "nope"])
                .await
                .unwrap(),
            2
        );
        assert!(client.ft_dictdump(&dict).await.unwrap().is_empty());
        client.ft_dropindex(&idx).await.unwrap();
    }
);

each_redis8!(tagvals_lists_the_distinct_tags, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let idx = people(&ctx, &client).await;
    let mut tags = client.ft_tagvals(&idx, "tags").await.unwrap();
    tags.sort();
    assert_eq!(tags, ["a", "b", "c"]);
    client.ft_dropindex(&idx).await.unwrap();
});

each_redis8!(config_get_reads_module_settings, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let timeout = client.ft_config_get("TIMEOUT").await.unwrap();
    assert_eq!(timeout.len(), 1);
    let millis: u64 = timeout["TIMEOUT"].as_deref().unwrap().parse().unwrap();
    assert!(millis > 0);
    let all = client.ft_config_get("*").await.unwrap();
    assert!(
        all.contains_key("MINPREFIX") && all.contains_key("TIMEOUT"),
        "{all:?}"
    );
    assert!(
        client
            .ft_config_get("NO_SUCH_SETTING")
            .await
            .unwrap()
            .is_empty()
    );
});

each_redis8!(
    config_set_changes_a_setting_on_a_server_of_its_own,
    |ctx: Ctx| async move {
        // FT.CONFIG SET changes the whole server: never the shared one.
        let search_module = servers()
            .get("MODULES")
            .split(':')
            .find(|path| path.contains("redisearch"))
            .expect("the search module among MODULES")
            .to_owned();
        let server = TempServer::start_with(Version::Redis8, &["--loadmodule", &search_module]);
        let protocol = match ctx.setup.protocol {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        };
        let client = Client::connect(format!("{}/?protocol={protocol}", server.url()).as_str())
            .await
            .unwrap();
        client.ft_config_set("TIMEOUT", 1234).await.unwrap();
        let timeout = client.ft_config_get("TIMEOUT").await.unwrap();
        assert_eq!(timeout["TIMEOUT"].as_deref(), Some("1234"));
        let err = client
            .ft_config_set("NO_SUCH_SETTING", 1)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }
);

each_redis8!(
    pipeline_creates_fills_searches_and_drops_an_index,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = ctx.key("idx");
        let options = CreateIndexOptions::new().prefix(ctx.key("doc:"));
        let schema = Schema::new(Field::text("name")).field(Field::tag("tags"));
        let found_options = SearchOptions::new().param("t", "x").dialect(2);
        let ((), added, found, info, tags, dropped): (
            (),
            u64,
            SearchResult,
            IndexInfo,
            Vec<String>,
            (),
        ) = Pipeline::new()
            .ft_create_with(&idx, &options, &schema)
            .hset(ctx.key("doc:1"), [("name", "ada"), ("tags", "x,y")])
            .ft_search_with(&idx, "@tags:{$t}", &found_options)
            .ft_info(&idx)
            .ft_tagvals(&idx, "tags")
            .ft_dropindex(&idx)
            .query(&client)
            .await
            .unwrap();
        assert_eq!(added, 2);
        assert_eq!(ids(&found), [ctx.key("doc:1")]);
        assert_eq!(found.documents[0].fields["name"], "ada");
        assert_eq!((info.name.as_str(), info.num_docs), (idx.as_str(), 1));
        assert_eq!(
            tags.into_iter().collect::<BTreeSet<_>>(),
            ["x", "y"].map(String::from).into()
        );
        let () = dropped;
    }
);

each_redis8!(
    a_bad_query_is_a_server_error_not_a_panic,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let idx = people(&ctx, &client).await;
        let err = client
            .ft_search::<Fields>(&idx, "@name:(unclosed")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        let err = client
            .ft_aggregate::<Fields>(&idx, "*", &AggregateOptions::new().apply("@@", "x"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        let err = client
            .ft_search::<Fields>(ctx.key("no-such-index"), "*")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        client.ft_dropindex(&idx).await.unwrap();
    }
);
