//! Geospatial commands against the real servers: Redis 8.2 and 7.0, RESP3
//! and RESP2.

use redis_core::commands::*;
use redis_core::{ErrorKind, Pipeline};
use redis_tests::{Ctx, each_setup};

const PALERMO: (f64, f64) = (13.361389, 38.115556);
const CATANIA: (f64, f64) = (15.087269, 37.502669);
const ROME: (f64, f64) = (12.496366, 41.902782);

/// Geo positions are stored as 52-bit geohashes: about 0.6 m of error.
fn assert_near(got: (f64, f64), want: (f64, f64)) {
    assert!(
        (got.0 - want.0).abs() < 1e-5 && (got.1 - want.1).abs() < 1e-5,
        "{got:?} is not {want:?}"
    );
}

fn assert_close(got: f64, want: f64, tolerance: f64) {
    assert!((got - want).abs() <= tolerance, "{got} is not {want}");
}

/// `sicily`: Palermo and Catania; `rome` is added by the tests that want it.
async fn sicily(ctx: &Ctx, client: &redis_core::Redis) -> String {
    let key = ctx.key("sicily");
    let added = client
        .geoadd(
            &key,
            &[
                (PALERMO.0, PALERMO.1, "Palermo"),
                (CATANIA.0, CATANIA.1, "Catania"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(added, 2);
    key
}

each_setup!(
    geoadd_then_positions_hashes_and_distances,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = sicily(&ctx, &client).await;
        // Moving a member adds nothing.
        assert_eq!(
            client
                .geoadd(&key, &[(CATANIA.0, CATANIA.1, "Catania")])
                .await
                .unwrap(),
            0
        );
        let positions = client
            .geopos(&key, ["Palermo", "Atlantis", "Catania"])
            .await
            .unwrap();
        assert_eq!(positions.len(), 3);
        assert_near(positions[0].unwrap(), PALERMO);
        assert_eq!(positions[1], None);
        assert_near(positions[2].unwrap(), CATANIA);

        assert_eq!(
            client.geohash(&key, ["Palermo", "Atlantis"]).await.unwrap(),
            [Some("sqc8b49rny0".to_owned()), None]
        );

        let km = client
            .geodist(&key, "Palermo", "Catania", GeoUnit::Kilometers)
            .await
            .unwrap()
            .unwrap();
        assert_close(km, 166.2742, 1e-3);
        let m = client
            .geodist(&key, "Palermo", "Catania", GeoUnit::Meters)
            .await
            .unwrap()
            .unwrap();
        assert_close(m, km * 1000.0, 1.0);
        let mi = client
            .geodist(&key, "Palermo", "Catania", GeoUnit::Miles)
            .await
            .unwrap();
        assert_close(mi.unwrap(), km / 1.609344, 1e-2);
        let ft = client
            .geodist(&key, "Palermo", "Catania", GeoUnit::Feet)
            .await
            .unwrap();
        assert_close(ft.unwrap(), m / 0.3048, 5.0);
        assert_eq!(
            client
                .geodist(&key, "Palermo", "Atlantis", GeoUnit::Meters)
                .await
                .unwrap(),
            None
        );
        // A geo set is a sorted set.
        assert_eq!(client.zcard(&key).await.unwrap(), 2);
    }
);

each_setup!(geoadd_with_conditions_and_ch, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = sicily(&ctx, &client).await;
    let elsewhere = (CATANIA.0 + 0.5, CATANIA.1);

    // NX: Rome is added, Catania does not move.
    let added = client
        .geoadd_with(
            &key,
            &[
                (ROME.0, ROME.1, "Rome"),
                (elsewhere.0, elsewhere.1, "Catania"),
            ],
            GeoAddCondition::Nx,
        )
        .await
        .unwrap();
    assert_eq!(added, 1);
    let catania = client.geopos(&key, "Catania").await.unwrap();
    assert_near(catania[0].unwrap(), CATANIA);

    // XX with CH: Catania moves (counted), Naples is not added.
    let changed = client
        .geoadd_with(
            &key,
            &[
                (elsewhere.0, elsewhere.1, "Catania"),
                (14.25, 40.83, "Naples"),
            ],
            GeoAddOptions::new()
                .condition(GeoAddCondition::Xx)
                .changed(),
        )
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let positions = client.geopos(&key, ["Catania", "Naples"]).await.unwrap();
    assert_near(positions[0].unwrap(), elsewhere);
    assert_eq!(positions[1], None);

    // CH alone counts additions and moves.
    let changed = client
        .geoadd_with(
            &key,
            &[
                (CATANIA.0, CATANIA.1, "Catania"),
                (14.25, 40.83, "Naples"),
                (ROME.0, ROME.1, "Rome"),
            ],
            GeoAddOptions::new().changed(),
        )
        .await
        .unwrap();
    assert_eq!(changed, 2);
});

each_setup!(geosearch_by_radius_and_box, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = sicily(&ctx, &client).await;
    client
        .geoadd(&key, &[(ROME.0, ROME.1, "Rome")])
        .await
        .unwrap();
    let search = |search| {
        let (client, key) = (client.clone(), key.clone());
        async move { client.geosearch::<String>(&key, search).await.unwrap() }
    };
    let near_etna = || GeoSearch::from_lonlat(15.0, 37.0);

    assert_eq!(
        search(near_etna().by_radius(200.0, GeoUnit::Kilometers).asc()).await,
        ["Catania", "Palermo"]
    );
    assert_eq!(
        search(near_etna().by_radius(200.0, GeoUnit::Kilometers).desc()).await,
        ["Palermo", "Catania"]
    );
    assert_eq!(
        search(near_etna().by_radius(100.0, GeoUnit::Kilometers)).await,
        ["Catania"]
    );
    assert_eq!(
        search(
            near_etna()
                .by_radius(1000.0, GeoUnit::Kilometers)
                .asc()
                .count(2)
        )
        .await,
        ["Catania", "Palermo"]
    );
    let any = search(
        near_etna()
            .by_radius(1000.0, GeoUnit::Kilometers)
            .count_any(1),
    )
    .await;
    assert_eq!(any.len(), 1);
    assert!(["Catania", "Palermo", "Rome"].contains(&any[0].as_str()));

    // A 400 km box around Palermo reaches Catania (166 km east), not Rome.
    let mut boxed =
        search(GeoSearch::from_member("Palermo").by_box(400.0, 400.0, GeoUnit::Kilometers)).await;
    boxed.sort();
    assert_eq!(boxed, ["Catania", "Palermo"]);
    // Tall and thin: Rome is 420 km north, 96 km west.
    assert_eq!(
        search(
            GeoSearch::from_member("Palermo")
                .by_box(250.0, 1000.0, GeoUnit::Kilometers)
                .desc()
        )
        .await,
        ["Rome", "Palermo"]
    );
    assert_eq!(
        search(GeoSearch::from_member("Rome").by_radius(1.0, GeoUnit::Miles)).await,
        ["Rome"]
    );

    let missing: Vec<String> = client
        .geosearch(
            ctx.key("missing"),
            near_etna().by_radius(1.0, GeoUnit::Feet),
        )
        .await
        .unwrap();
    assert!(missing.is_empty());
    let err = client
        .geosearch::<String>(
            &key,
            GeoSearch::from_member("Atlantis").by_radius(1.0, GeoUnit::Meters),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
});

each_setup!(
    geosearch_with_returns_the_details_asked_for,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = sicily(&ctx, &client).await;
        let around_palermo = || {
            GeoSearch::from_member("Palermo")
                .by_radius(400.0, GeoUnit::Kilometers)
                .asc()
        };

        let all: Vec<GeoMatch<String>> = client
            .geosearch_with(&key, around_palermo(), GeoWith::all())
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].member, "Palermo");
        assert_close(all[0].distance.unwrap(), 0.0, 1e-4);
        assert_eq!(all[0].hash, Some(3479099956230698));
        assert_near(all[0].coord.unwrap(), PALERMO);
        assert_eq!(all[1].member, "Catania");
        assert_close(all[1].distance.unwrap(), 166.2742, 1e-3);
        assert_near(all[1].coord.unwrap(), CATANIA);
        // The hash is the member's score in the underlying sorted set.
        let score = client.zscore(&key, "Catania").await.unwrap().unwrap();
        assert_eq!(all[1].hash, Some(score as u64));

        let hashes: Vec<GeoMatch<String>> = client
            .geosearch_with(&key, around_palermo(), GeoWith::new().hash())
            .await
            .unwrap();
        assert_eq!(hashes[1].hash, all[1].hash);
        assert_eq!((hashes[1].distance, hashes[1].coord), (None, None));

        let coords: Vec<GeoMatch<String>> = client
            .geosearch_with(&key, around_palermo().count(1), GeoWith::new().coord())
            .await
            .unwrap();
        assert_eq!(coords.len(), 1);
        assert_near(coords[0].coord.unwrap(), PALERMO);
        assert_eq!((coords[0].distance, coords[0].hash), (None, None));

        let far_first: Vec<GeoMatch<String>> = client
            .geosearch_with(
                &key,
                GeoSearch::from_lonlat(15.0, 37.0)
                    .by_box(500.0, 500.0, GeoUnit::Miles)
                    .desc(),
                GeoWith::new().distance(),
            )
            .await
            .unwrap();
        let names: Vec<&str> = far_first.iter().map(|m| m.member.as_str()).collect();
        assert_eq!(names, ["Palermo", "Catania"]);
        assert!(far_first[0].distance.unwrap() > far_first[1].distance.unwrap());
        assert!(far_first[0].distance.unwrap() < 200.0, "miles, not km");

        // No details asked: the members alone.
        let plain: Vec<GeoMatch<String>> = client
            .geosearch_with(&key, around_palermo(), GeoWith::new())
            .await
            .unwrap();
        assert_eq!(plain[1].member, "Catania");
        assert_eq!(
            (plain[1].distance, plain[1].hash, plain[1].coord),
            (None, None, None)
        );
    }
);

each_setup!(
    geosearchstore_keeps_positions_or_distances,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = sicily(&ctx, &client).await;
        let near = ctx.key("near");
        let search = || GeoSearch::from_lonlat(15.0, 37.0).by_radius(200.0, GeoUnit::Kilometers);

        assert_eq!(
            client.geosearchstore(&near, &key, search()).await.unwrap(),
            2
        );
        let positions = client.geopos(&near, ["Catania", "Palermo"]).await.unwrap();
        assert_near(positions[0].unwrap(), CATANIA);
        assert_near(positions[1].unwrap(), PALERMO);

        let dists = ctx.key("dists");
        let stored = client
            .geosearchstore_storedist(&dists, &key, search().asc().count(1))
            .await
            .unwrap();
        assert_eq!(stored, 1);
        let scored = client
            .zrange_withscores::<String>(&dists, ZRange::all())
            .await
            .unwrap();
        assert_eq!(scored.len(), 1);
        assert_eq!(scored[0].0, "Catania");
        assert_close(scored[0].1, 56.4413, 1e-2);

        // Nothing found: the destination is removed.
        let nowhere = GeoSearch::from_lonlat(0.0, 0.0).by_radius(1.0, GeoUnit::Meters);
        assert_eq!(
            client.geosearchstore(&near, &key, nowhere).await.unwrap(),
            0
        );
        assert_eq!(client.exists(&near).await.unwrap(), 0);
    }
);

each_setup!(
    geo_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("sicily");
        // The pipeline's reply type, spelled out: one typed reply per command.
        type Replies = (
            u64,
            Option<f64>,
            Vec<Option<String>>,
            Vec<Option<(f64, f64)>>,
            Vec<GeoMatch<String>>,
        );
        let (added, km, hashes, positions, found): Replies = Pipeline::new()
            .geoadd(
                &key,
                &[
                    (PALERMO.0, PALERMO.1, "Palermo"),
                    (CATANIA.0, CATANIA.1, "Catania"),
                ],
            )
            .geodist(&key, "Palermo", "Catania", GeoUnit::Kilometers)
            .geohash(&key, "Catania")
            .geopos(&key, ["Palermo", "nope"])
            .geosearch_with::<String>(
                &key,
                GeoSearch::from_member("Catania").by_radius(10.0, GeoUnit::Kilometers),
                GeoWith::new().distance(),
            )
            .query(&client)
            .await
            .unwrap();
        assert_eq!(added, 2);
        assert_close(km.unwrap(), 166.2742, 1e-3);
        assert_eq!(hashes, [Some("sqdtr74hyu0".to_owned())]);
        assert_near(positions[0].unwrap(), PALERMO);
        assert_eq!(positions[1], None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].member, "Catania");
        assert_close(found[0].distance.unwrap(), 0.0, 1e-4);
    }
);
