//! vector_sets commands against the real servers.

use std::collections::{BTreeMap, HashSet};

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline};
use redis_tests::{Ctx, each_redis8};

type Attrs = BTreeMap<String, i64>;

fn attrs(pairs: &[(&str, i64)]) -> Attrs {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// Four elements: `x` and `near_x` point the same way, `y` at a right
/// angle, `minus_x` the opposite way.
async fn four_points(client: &redis_core::Redis, key: &str) {
    let exact = VaddOptions::new().quantization(VectorQuantization::NoQuant);
    for (vector, element) in [
        ([1.0, 0.0], "x"),
        ([0.9, 0.1], "near_x"),
        ([0.0, 1.0], "y"),
        ([-1.0, 0.0], "minus_x"),
    ] {
        assert!(
            client
                .vadd_with(key, &vector, element, &exact)
                .await
                .unwrap()
        );
    }
}

each_redis8!(
    vadd_adds_elements_and_the_set_counts_them,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("vs");
        assert!(client.vadd(&key, &[1.0, 2.0, 3.0], "a").await.unwrap());
        assert!(client.vadd(&key, &[3.0, 2.0, 1.0], "b").await.unwrap());
        // Another vector for an existing element replaces it.
        assert!(!client.vadd(&key, &[1.0, 1.0, 1.0], "a").await.unwrap());
        assert_eq!(client.vcard(&key).await.unwrap(), 2);
        assert_eq!(client.vdim(&key).await.unwrap(), 3);
        assert!(client.vismember(&key, "a").await.unwrap());
        assert!(!client.vismember(&key, "zz").await.unwrap());

        let one: Option<String> = client.vrandmember(&key).await.unwrap();
        assert!(matches!(one.as_deref(), Some("a" | "b")), "{one:?}");
        let distinct: HashSet<String> = client
            .vrandmember_count::<String>(&key, 5)
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(distinct, HashSet::from(["a".to_owned(), "b".to_owned()]));
        let repeated: Vec<String> = client.vrandmember_count(&key, -5).await.unwrap();
        assert_eq!(repeated.len(), 5);

        // Another dimension is refused.
        let err = client.vadd(&key, &[1.0], "c").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.command(), Some("VADD"));

        assert!(client.vrem(&key, "a").await.unwrap());
        assert!(!client.vrem(&key, "a").await.unwrap());
        assert!(client.vrem(&key, "b").await.unwrap());
        // The last element took the set with it.
        assert_eq!(client.exists(&key).await.unwrap(), 0);

        let missing = ctx.key("missing");
        assert_eq!(client.vcard(&missing).await.unwrap(), 0);
        assert_eq!(client.vrandmember::<String>(&missing).await.unwrap(), None);
        assert!(
            client
                .vrandmember_count::<String>(&missing, 3)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(client.vdim(&missing).await.is_err());
        assert_eq!(client.vinfo(&missing).await.unwrap(), None);
    }
);

each_redis8!(
    vsim_finds_the_nearest_elements_by_element_or_vector,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("vs");
        four_points(&client, &key).await;

        let by_element: Vec<String> = client.vsim(&key, &VectorQuery::element("x")).await.unwrap();
        assert_eq!(by_element, ["x", "near_x", "y", "minus_x"]);
        let by_vector: Vec<String> = client
            .vsim_with(
                &key,
                &VectorQuery::vector(&[0.0, 2.0]),
                &VsimOptions::new().count(1),
            )
            .await
            .unwrap();
        assert_eq!(by_vector, ["y"]);

        let scored: Vec<(String, f64)> = client
            .vsim_withscores(
                &key,
                &VectorQuery::element("x"),
                &VsimOptions::new().count(4).ef(50).nothread(),
            )
            .await
            .unwrap();
        let names: Vec<&str> = scored.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(names, ["x", "near_x", "y", "minus_x"]);
        assert!((scored[0].1 - 1.0).abs() < 1e-6, "{scored:?}");
        assert!((scored[2].1 - 0.5).abs() < 1e-6, "{scored:?}");
        assert!(scored[3].1.abs() < 1e-6, "{scored:?}");

        // EPSILON keeps scores of at least 1 - d; TRUTH scans every element.
        let close: Vec<(String, f64)> = client
            .vsim_withscores(
                &key,
                &VectorQuery::element("x"),
                &VsimOptions::new().epsilon(0.1).truth(),
            )
            .await
            .unwrap();
        let names: Vec<&str> = close.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(names, ["x", "near_x"]);

        let missing: Vec<String> = client
            .vsim(ctx.key("missing"), &VectorQuery::element("x"))
            .await
            .unwrap();
        assert!(missing.is_empty());
        let err = client
            .vsim::<String>(&key, &VectorQuery::element("zz"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }
);

each_redis8!(
    attributes_are_set_read_filtered_on_and_returned,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("vs");
        let options = VaddOptions::new()
            .attributes(&attrs(&[("year", 2020)]))
            .unwrap();
        client
            .vadd_with(&key, &[1.0, 0.0], "old", &options)
            .await
            .unwrap();
        client.vadd(&key, &[0.9, 0.1], "new").await.unwrap();
        client.vadd(&key, &[0.0, 1.0], "bare").await.unwrap();
        assert!(
            client
                .vsetattr(&key, "new", &attrs(&[("year", 2024)]))
                .await
                .unwrap()
        );
        assert!(!client.vsetattr(&key, "zz", &attrs(&[])).await.unwrap());

        let got: Option<Json<Attrs>> = client.vgetattr(&key, "new").await.unwrap();
        assert_eq!(got, Some(Json(attrs(&[("year", 2024)]))));
        let text: Option<String> = client.vgetattr(&key, "old").await.unwrap();
        assert_eq!(text.as_deref(), Some(r#"{"year":2020}"#));
        assert_eq!(client.vgetattr::<String>(&key, "bare").await.unwrap(), None);

        let recent: Vec<String> = client
            .vsim_with(
                &key,
                &VectorQuery::element("old"),
                &VsimOptions::new().filter(".year > 2022").filter_ef(100),
            )
            .await
            .unwrap();
        assert_eq!(recent, ["new"]);

        let with_attrs: Vec<(String, Option<Json<Attrs>>)> = client
            .vsim_withattribs(&key, &VectorQuery::element("old"), &VsimOptions::new())
            .await
            .unwrap();
        assert_eq!(
            with_attrs,
            [
                ("old".to_owned(), Some(Json(attrs(&[("year", 2020)])))),
                ("new".to_owned(), Some(Json(attrs(&[("year", 2024)])))),
                ("bare".to_owned(), None),
            ]
        );
        let full: Vec<VectorMatch<String, Option<Json<Attrs>>>> = client
            .vsim_withscores_withattribs(
                &key,
                &VectorQuery::element("old"),
                &VsimOptions::new().count(2),
            )
            .await
            .unwrap();
        assert_eq!(full.len(), 2);
        assert_eq!(full[0].element, "old");
        assert!(full[0].score > 0.99, "{:?}", full[0]);
        assert_eq!(full[1].attributes, Some(Json(attrs(&[("year", 2024)]))));

        assert!(client.vsetattr_clear(&key, "new").await.unwrap());
        assert_eq!(client.vgetattr::<String>(&key, "new").await.unwrap(), None);
        assert_eq!(
            client.vinfo(&key).await.unwrap().unwrap().attributes_count,
            1
        );

        // Attributes that cannot be JSON are refused before anything is sent.
        let bad = BTreeMap::from([((1, 2), 3)]);
        let err = client.vsetattr(&key, "old", &bad).await.unwrap_err();
        assert_eq!(
            (err.kind(), err.command()),
            (ErrorKind::InvalidInput, Some("VSETATTR"))
        );
        let err = VaddOptions::new().attributes(&bad).unwrap_err();
        assert_eq!(err.command(), Some("VADD"));
    }
);

each_redis8!(
    vemb_and_vinfo_show_how_vectors_are_stored,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let exact = ctx.key("f32");
        let options = VaddOptions::new()
            .quantization(VectorQuantization::NoQuant)
            .m(8)
            .ef(100)
            .cas();
        client
            .vadd_with(&exact, &[3.0, 4.0], "a", &options)
            .await
            .unwrap();
        let close = |got: &[f32], want: &[f32]| {
            got.len() == want.len() && got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-6)
        };
        let stored = client.vemb(&exact, "a").await.unwrap().unwrap();
        assert!(close(&stored, &[3.0, 4.0]), "{stored:?}");
        let raw = client.vemb_raw(&exact, "a").await.unwrap().unwrap();
        assert_eq!(raw.quantization, VectorQuantization::NoQuant);
        let floats: Vec<f32> = raw
            .data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        // Stored normalized, (3, 4) / 5, with the norm beside it.
        assert!(close(&floats, &[0.6, 0.8]), "{floats:?}");
        assert!((raw.norm - 5.0).abs() < 1e-6, "{raw:?}");
        assert_eq!(raw.range, None);
        assert_eq!(client.vemb(&exact, "zz").await.unwrap(), None);
        assert_eq!(client.vemb_raw(&exact, "zz").await.unwrap(), None);

        let info = client.vinfo(&exact).await.unwrap().unwrap();
        assert_eq!(info.quantization, VectorQuantization::NoQuant);
        assert_eq!((info.m, info.dimension, info.size), (8, 2, 1));
        assert_eq!(info.projection_input_dimension, None);
        assert_eq!(info.attributes_count, 0);

        let q8 = ctx.key("q8");
        client.vadd(&q8, &[1.0, 0.0], "a").await.unwrap();
        let raw = client.vemb_raw(&q8, "a").await.unwrap().unwrap();
        assert_eq!(raw.quantization, VectorQuantization::Q8);
        assert_eq!(raw.data.len(), 2);
        assert!(raw.range.is_some());
        assert_eq!(
            client.vinfo(&q8).await.unwrap().unwrap().quantization,
            VectorQuantization::Q8
        );

        let bin = ctx.key("bin");
        let options = VaddOptions::new().quantization(VectorQuantization::Bin);
        client
            .vadd_with(&bin, &[3.0, -4.0], "a", &options)
            .await
            .unwrap();
        assert_eq!(client.vemb(&bin, "a").await.unwrap(), Some(vec![1.0, -1.0]));
        assert_eq!(
            client
                .vemb_raw(&bin, "a")
                .await
                .unwrap()
                .unwrap()
                .quantization,
            VectorQuantization::Bin
        );
        // A later VADD asking for another quantization is refused.
        let err = client
            .vadd_with(
                &bin,
                &[1.0, 1.0],
                "b",
                &VaddOptions::new().quantization(VectorQuantization::Q8),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);

        // REDUCE projects 4 dimensions to 2.
        let reduced = ctx.key("reduced");
        client
            .vadd_with(
                &reduced,
                &[1.0, 2.0, 3.0, 4.0],
                "a",
                &VaddOptions::new().reduce(2),
            )
            .await
            .unwrap();
        assert_eq!(client.vdim(&reduced).await.unwrap(), 2);
        let info = client.vinfo(&reduced).await.unwrap().unwrap();
        assert_eq!(
            (info.dimension, info.projection_input_dimension),
            (2, Some(4))
        );
        assert_eq!(client.vemb(&reduced, "a").await.unwrap().unwrap().len(), 2);
    }
);

each_redis8!(vlinks_shows_the_graph_neighbours, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("vs");
    four_points(&client, &key).await;
    // Which links the graph keeps is the HNSW heuristic's choice; the
    // nearest element is always linked at the bottom layer, the last list.
    let layers: Vec<Vec<String>> = client.vlinks(&key, "x").await.unwrap().unwrap();
    let bottom = layers.last().unwrap();
    assert!(bottom.iter().any(|e| e == "near_x"), "{layers:?}");
    let others = ["near_x", "y", "minus_x"];
    assert!(
        layers
            .iter()
            .flatten()
            .all(|e| others.contains(&e.as_str())),
        "{layers:?}"
    );

    // Each link's score is its element's similarity to x.
    let scored: Vec<Vec<(String, f64)>> =
        client.vlinks_withscores(&key, "x").await.unwrap().unwrap();
    assert_eq!(scored.len(), layers.len());
    for (element, score) in scored.iter().flatten() {
        let want = match element.as_str() {
            "near_x" => 0.9 / 0.82f64.sqrt() / 2.0 + 0.5,
            "y" => 0.5,
            "minus_x" => 0.0,
            other => panic!("x is linked to {other}"),
        };
        assert!((score - want).abs() < 1e-6, "{element}: {score} {scored:?}");
    }

    assert_eq!(client.vlinks::<String>(&key, "zz").await.unwrap(), None);
    assert_eq!(
        client
            .vlinks_withscores::<String>(ctx.key("missing"), "x")
            .await
            .unwrap(),
        None
    );
});

each_redis8!(
    a_pipeline_adds_and_queries_a_vector_set,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("vs");
        let (added, again, card, dim, near, member, attr_set, got) = Pipeline::new()
            .vadd(&key, &[1.0, 0.0], "a")
            .vadd(&key, &[0.0, 1.0], "b")
            .vcard(&key)
            .vdim(&key)
            .vsim::<String>(&key, &VectorQuery::vector(&[1.0, 0.1]))
            .vismember(&key, "b")
            .vsetattr(&key, "a", &attrs(&[("n", 1)]))
            .vgetattr::<Json<Attrs>>(&key, "a")
            .query(&client)
            .await
            .unwrap();
        assert!(added && again && member && attr_set);
        assert_eq!((card, dim), (2, 2));
        assert_eq!(near, ["a", "b"]);
        assert_eq!(got, Some(Json(attrs(&[("n", 1)]))));
    }
);
