//! Hash models on real servers: saved, read back field for field, deleted;
//! stored data that does not fit the struct is an error naming the key and
//! field. Every body runs on Redis 8.2 and 7.0, over RESP3 and RESP2.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use std::collections::BTreeMap;

use redis_core::commands::*;
use redis_core::{Client, Config, ErrorKind, Executor, Redis};
use redis_om::{RedisEnum, RedisModel, Repository};
use redis_tests::{Ctx, TempServer, each_setup, each_version};
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "everything")]
struct Everything {
    #[redis(pk)]
    id: String,
    text: String,
    empty: String,
    small: i8,
    big: i64,
    huge: u64,
    widest: i128,
    ratio: f64,
    single: f32,
    flag: bool,
    id_ref: uuid::Uuid,
    blob: Vec<u8>,
    #[redis(rename = "nick")]
    nickname: Option<String>,
    score: Option<f64>,
    #[redis(skip)]
    cached: Option<u32>,
}

fn everything() -> Everything {
    Everything {
        id: String::new(),
        text: "Zoë 🦀 \"quoted\" \r\n and | @ { } tags".to_owned(),
        empty: String::new(),
        small: i8::MIN,
        big: i64::MIN,
        huge: u64::MAX,
        widest: i128::MAX,
        ratio: f64::MAX,
        single: 0.1,
        flag: true,
        id_ref: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        blob: vec![0, 255, b'\r', b'\n', 0x80],
        nickname: Some("ada".to_owned()),
        score: None,
        cached: None,
    }
}

fn repo<M: redis_om::Model>(ctx: &Ctx, client: &Redis) -> Repository<M, Redis> {
    Repository::new(client.clone()).with_prefix(ctx.key(M::info().prefix()))
}

each_setup!(
    a_hash_model_round_trips_every_field_type,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let repo = repo::<Everything>(&ctx, &client);
        let model = everything();
        let id = repo.save(&model).await.unwrap();
        assert_eq!(id.len(), 26, "a generated ULID: {id}");
        let stored = repo.get(&id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            Everything {
                id: id.clone(),
                ..model.clone()
            }
        );
        assert!(repo.exists(&id).await.unwrap());

        // What is in Redis: the pk as a field, renamed fields under their
        // stored name, absent fields absent, numbers as their text.
        let key = repo.key(&id);
        assert_eq!(key, format!("{}:{id}", ctx.key("everything")));
        let id_field: String = client.hget(&key, "id").await.unwrap();
        assert_eq!(id_field, id);
        let nick: String = client.hget(&key, "nick").await.unwrap();
        assert_eq!(nick, "ada");
        let flag: String = client.hget(&key, "flag").await.unwrap();
        assert_eq!(flag, "1");
        let huge: String = client.hget(&key, "huge").await.unwrap();
        assert_eq!(huge, "18446744073709551615");
        for absent in ["score", "cached", "nickname"] {
            assert!(!client.hexists(&key, absent).await.unwrap(), "{absent}");
        }

        assert!(repo.delete(&id).await.unwrap());
        assert_eq!(repo.get(&id).await.unwrap(), None);
        assert!(!repo.exists(&id).await.unwrap());
        assert!(!repo.delete(&id).await.unwrap());
    }
);

each_setup!(
    floats_keep_their_extremes_and_nan_is_refused,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let repo = repo::<Everything>(&ctx, &client);
        for ratio in [
            f64::MIN_POSITIVE,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-300,
            -1.5,
        ] {
            let model = Everything {
                ratio,
                score: Some(ratio),
                ..everything()
            };
            let id = repo.save(&model).await.unwrap();
            let stored = repo.get(&id).await.unwrap().unwrap();
            assert_eq!(stored.ratio.to_bits(), ratio.to_bits(), "{ratio}");
            assert_eq!(stored.score.map(f64::to_bits), Some(ratio.to_bits()));
        }
        // NaN has no place in a search index and no Redis number reads as it:
        // saving it is refused, and nothing is written.
        let nan = Everything {
            id: "nan".to_owned(),
            score: Some(f64::NAN),
            ..everything()
        };
        let error = repo.save(&nan).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        assert!(!repo.exists(&"nan".to_owned()).await.unwrap());
    }
);

each_setup!(
    saving_again_replaces_and_drops_fields_now_none,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let repo = repo::<Everything>(&ctx, &client);
        let first = Everything {
            id: "ada".to_owned(),
            score: Some(9.5),
            ..everything()
        };
        assert_eq!(repo.save(&first).await.unwrap(), "ada");
        let second = Everything {
            text: "changed".to_owned(),
            nickname: None,
            score: None,
            ..first
        };
        repo.save(&second).await.unwrap();
        let stored = repo.get(&"ada".to_owned()).await.unwrap().unwrap();
        assert_eq!(
            stored, second,
            "a field that became None keeps no stale value"
        );
        let key = repo.key(&"ada".to_owned());
        assert!(!client.hexists(&key, "nick").await.unwrap());
    }
);

#[derive(RedisModel, Debug, PartialEq)]
#[redis(prefix = "session", ttl = 60)]
struct Session {
    #[redis(pk)]
    id: uuid::Uuid,
    user: String,
}

each_setup!(
    a_model_ttl_is_set_by_the_save_itself,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let repo = repo::<Session>(&ctx, &client);
        let id = repo
            .save(&Session {
                id: uuid::Uuid::nil(),
                user: "ada".to_owned(),
            })
            .await
            .unwrap();
        assert_eq!(id.get_version_num(), 7, "a generated time-ordered UUID");
        let ttl = client
            .pttl(repo.key(&id))
            .await
            .unwrap()
            .remaining()
            .unwrap();
        assert!(
            ttl > Duration::from_secs(55) && ttl <= Duration::from_secs(60),
            "{ttl:?}"
        );
        let stored = repo.get(&id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            Session {
                id,
                user: "ada".to_owned()
            }
        );
    }
);

each_setup!(
    stored_data_that_does_not_fit_names_key_and_field,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let repo = repo::<Everything>(&ctx, &client);
        let id = repo.save(&everything()).await.unwrap();
        let key = repo.key(&id);
        let decode_error = |error: redis_core::Error, field: &str| {
            assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
            let message = error.to_string();
            assert!(
                message.contains(&key) && message.contains(field),
                "{message}"
            );
        };

        client.hset(&key, [("small", "128")]).await.unwrap();
        decode_error(repo.get(&id).await.unwrap_err(), "`small`");
        client.hset(&key, [("small", "1")]).await.unwrap();
        client.hset(&key, [("flag", "maybe")]).await.unwrap();
        decode_error(repo.get(&id).await.unwrap_err(), "`flag`");
        client.hset(&key, [("flag", "0")]).await.unwrap();
        client
            .hset(&key, [("text", &b"\xff\xfe"[..])])
            .await
            .unwrap();
        decode_error(
            repo.get(&id).await.unwrap_err(),
            "`text` is not valid UTF-8",
        );
        client.hset(&key, [("text", "ok")]).await.unwrap();
        client.hdel(&key, "big").await.unwrap();
        decode_error(repo.get(&id).await.unwrap_err(), "`big` is missing");

        // A key holding another type of value is named, not a bare WRONGTYPE.
        let other = "not-a-hash".to_owned();
        client.set(repo.key(&other), "plain string").await.unwrap();
        let error = repo.get(&other).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        assert!(error.to_string().contains(&repo.key(&other)), "{error}");
    }
);

each_setup!(
    a_prefix_chosen_at_run_time_keeps_records_apart,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let tenant_a = repo::<Session>(&ctx, &client).with_prefix(ctx.key("a:session"));
        let tenant_b = repo::<Session>(&ctx, &client).with_prefix(ctx.key("b:session"));
        let id = tenant_a
            .save(&Session {
                id: uuid::Uuid::nil(),
                user: "ada".to_owned(),
            })
            .await
            .unwrap();
        assert!(tenant_a.exists(&id).await.unwrap());
        assert_eq!(tenant_b.get(&id).await.unwrap(), None);
        let ttl = client
            .ttl(tenant_a.key(&id))
            .await
            .unwrap()
            .remaining()
            .unwrap();
        assert!(
            ttl > Duration::ZERO && ttl <= Duration::from_secs(60),
            "{ttl:?}"
        );
    }
);

each_setup!(
    many_records_in_one_round_trip_each_way,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let repo = repo::<Everything>(&ctx, &client);
        // More than one chunk of a thousand, with an absent field (so each save
        // is a transaction of HSET and HDEL).
        let models: Vec<Everything> = (0..2_500)
            .map(|i| Everything {
                id: format!("m{i}"),
                big: i,
                nickname: None,
                ..everything()
            })
            .collect();
        let pks = repo.save_many(&models).await.unwrap();
        assert_eq!(pks.len(), 2_500);
        assert_eq!(pks[1_234], "m1234");
        assert_eq!(repo.count().await.unwrap(), 2_500);

        let wanted = vec!["m7".to_owned(), "missing".to_owned(), "m2499".to_owned()];
        let got = repo.get_many(&wanted).await.unwrap();
        assert_eq!(got[0].as_ref().map(|m| m.big), Some(7));
        assert!(got[1].is_none());
        assert_eq!(got[2].as_ref(), Some(&models[2_499]));

        assert_eq!(repo.delete_many(&wanted).await.unwrap(), 2);
        assert_eq!(repo.delete_many(&[]).await.unwrap(), 0);
        assert_eq!(repo.count().await.unwrap(), 2_498);
    }
);

each_setup!(expire_and_ttl_of_one_record, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let repo = repo::<Everything>(&ctx, &client);
    let id = repo.save(&everything()).await.unwrap();
    assert_eq!(repo.ttl(&id).await.unwrap(), Ttl::Persistent);
    assert!(repo.expire(&id, Duration::from_secs(30)).await.unwrap());
    let left = repo.ttl(&id).await.unwrap().remaining().unwrap();
    assert!(
        left > Duration::from_secs(25) && left <= Duration::from_secs(30),
        "{left:?}"
    );
    assert!(
        !repo
            .expire(&"missing".to_owned(), Duration::from_secs(1))
            .await
            .unwrap()
    );
    assert_eq!(repo.ttl(&"missing".to_owned()).await.unwrap(), Ttl::Missing);
});

each_setup!(
    all_pks_sees_only_this_repositorys_records,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        // A prefix with glob characters matches only itself.
        let starred = Repository::<Session, _>::new(client.clone()).with_prefix(ctx.key("s*"));
        let plain = Repository::<Session, _>::new(client.clone()).with_prefix(ctx.key("sX"));
        let ids = starred
            .save_many(&[
                Session {
                    id: uuid::Uuid::nil(),
                    user: "a".into(),
                },
                Session {
                    id: uuid::Uuid::nil(),
                    user: "b".into(),
                },
            ])
            .await
            .unwrap();
        plain
            .save(&Session {
                id: uuid::Uuid::nil(),
                user: "c".into(),
            })
            .await
            .unwrap();
        // A key of another type under the prefix is not a record.
        client
            .set(format!("{}:not-a-record", starred.prefix()), "x")
            .await
            .unwrap();
        let mut found = starred.all_pks().try_collect().await.unwrap();
        found.sort();
        let mut expected = ids.clone();
        expected.sort();
        assert_eq!(found, expected);
        // A hash under the prefix whose name is no UUID is named in an error.
        client
            .hset(format!("{}:garbage", starred.prefix()), [("user", "x")])
            .await
            .unwrap();
        let error = starred.all_pks().try_collect().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert!(error.to_string().contains(":garbage"), "{error}");
    }
);

#[derive(RedisEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Color {
    Red,
    Green,
    #[serde(rename = "bleu")]
    Blue,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Address {
    city: String,
    zip: Option<String>,
    lines: Vec<String>,
}

/// Enums and encoded fields: one hash field each.
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "nested")]
struct Nested {
    #[redis(pk)]
    id: String,
    color: Color,
    previous: Option<Color>,
    #[redis(encoded = "json")]
    address: Address,
    #[redis(encoded = "msgpack")]
    scores: BTreeMap<String, Vec<i64>>,
    #[redis(encoded = "json")]
    history: Option<Vec<Address>>,
    #[redis(encoded = "msgpack")]
    packed: Option<Address>,
}

fn nested() -> Nested {
    Nested {
        id: String::new(),
        color: Color::Blue,
        previous: None,
        address: Address {
            city: "Zürich \"Kreis 1\" 🦀".to_owned(),
            zip: None,
            lines: vec![String::new(), "a|b".to_owned()],
        },
        scores: BTreeMap::from([("x".to_owned(), vec![i64::MIN, i64::MAX])]),
        history: Some(vec![]),
        packed: None,
    }
}

each_setup!(enums_and_encoded_fields_round_trip, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let repo = repo::<Nested>(&ctx, &client);
    let id = repo.save(&nested()).await.unwrap();
    let stored = repo.get(&id).await.unwrap().unwrap();
    assert_eq!(
        stored,
        Nested {
            id: id.clone(),
            ..nested()
        }
    );

    // What is in Redis: the variant's serde name, the JSON text, the
    // MessagePack bytes; `None` is no field at all.
    let key = repo.key(&id);
    let color: String = client.hget(&key, "color").await.unwrap();
    assert_eq!(color, "bleu");
    let address: String = client.hget(&key, "address").await.unwrap();
    assert_eq!(
        address,
        r#"{"city":"Zürich \"Kreis 1\" 🦀","zip":null,"lines":["","a|b"]}"#
    );
    let history: String = client.hget(&key, "history").await.unwrap();
    assert_eq!(history, "[]");
    let scores: bytes::Bytes = client.hget(&key, "scores").await.unwrap();
    assert_eq!(scores[0], 0x81, "a MessagePack map of one entry");
    for absent in ["previous", "packed"] {
        assert!(!client.hexists(&key, absent).await.unwrap(), "{absent}");
    }

    // Set, then `None` again: the field goes away.
    let changed = Nested {
        id: id.clone(),
        previous: Some(Color::Red),
        packed: Some(nested().address),
        history: None,
        ..nested()
    };
    repo.save(&changed).await.unwrap();
    assert_eq!(repo.get(&id).await.unwrap().unwrap(), changed);
    assert!(!client.hexists(&key, "history").await.unwrap());
    repo.save(&Nested {
        id: id.clone(),
        ..nested()
    })
    .await
    .unwrap();
    assert!(!client.hexists(&key, "packed").await.unwrap());
    assert!(!client.hexists(&key, "previous").await.unwrap());
});

/// The error `get` gives once `field` holds `value`: a decode error naming
/// the key and the field.
async fn stored_garbage(
    client: &Redis,
    repo: &Repository<Nested, Redis>,
    id: &String,
    field: &str,
    value: &[u8],
) -> String {
    let key = repo.key(id);
    client.hset(&key, [(field, value)]).await.unwrap();
    let error = repo.get(id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    let text = error.to_string();
    assert!(text.contains(&key), "{text}");
    assert!(text.contains(&format!("field `{field}`")), "{text}");
    text
}

each_setup!(
    a_stored_enum_or_encoding_that_does_not_fit_names_key_and_field,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let repo = repo::<Nested>(&ctx, &client);
        let id = repo.save(&nested()).await.unwrap();
        let key = repo.key(&id);
        let failure = |field: &'static str, value: &'static [u8]| {
            stored_garbage(&client, &repo, &id, field, value)
        };
        let text = failure("color", b"purple").await;
        assert!(
            text.ends_with("holds \"purple\", which is not a Color: expected red, green or bleu"),
            "{text}"
        );
        client.hset(&key, [("color", "red")]).await.unwrap();
        let text = failure("address", b"{\"city\":").await;
        assert!(text.contains("holds corrupt JSON"), "{text}");
        client
            .hset(&key, [("address", "{\"city\":\"x\",\"lines\":[]}")])
            .await
            .unwrap();
        let text = failure("scores", &[0x81, 0xa1, b'x', 0x92, 1]).await;
        assert!(text.contains("holds corrupt MessagePack"), "{text}");
        // {"x": [1]}
        let valid: &[u8] = &[0x81, 0xa1, b'x', 0x91, 1];
        client.hset(&key, [("scores", valid)]).await.unwrap();
        let text = failure("history", b"[1]").await;
        assert!(text.contains("holds corrupt JSON"), "{text}");
        client.hdel(&key, "history").await.unwrap();
        client.hdel(&key, "address").await.unwrap();
        let error = repo.get(&id).await.unwrap_err();
        assert!(
            error.to_string().ends_with("field `address` is missing"),
            "{error}"
        );
    }
);

#[derive(RedisModel, Debug, PartialEq)]
#[redis(prefix = "counted", ttl = 60)]
struct Counted {
    #[redis(pk)]
    id: String,
    user: String,
}

/// `calls` of every command in `INFO commandstats`, read by `reader`.
async fn calls(reader: &impl Executor) -> BTreeMap<String, u64> {
    let info = reader.info_sections("commandstats").await.unwrap();
    let Some(section) = info.section("commandstats") else {
        return BTreeMap::new();
    };
    section
        .fields()
        .filter_map(|(name, value)| {
            let command = name.strip_prefix("cmdstat_")?;
            let calls = value
                .split(',')
                .find_map(|part| part.strip_prefix("calls="))?;
            Some((command.to_owned(), calls.parse().ok()?))
        })
        .collect()
}

// On a server of its own: `INFO commandstats` counts every client's
// commands, and the shared servers run the other suites' HSETs and EXECs
// at the same time, so only a server nobody else uses gives exact counts
// (the commands of the reader and of the connection handshakes are no
// HSET, PEXPIRE, MULTI or EXEC).
each_version!(
    a_ttl_is_set_by_the_same_transaction_as_the_hset,
    |version| async move {
        let server = TempServer::start(version);
        let config = Config::from_url(&server.url()).unwrap();
        let client = Client::connect(config.clone()).await.unwrap();
        let reader = Client::connect(config).await.unwrap();
        let repo = Repository::<Counted, _>::new(client.clone());
        // A first save opens the connection and warms up whatever the
        // client sends once (no transaction commands among them).
        repo.save(&Counted {
            id: "warm".into(),
            user: "x".into(),
        })
        .await
        .unwrap();

        let before = calls(&reader).await;
        let id = repo
            .save(&Counted {
                id: String::new(),
                user: "ada".into(),
            })
            .await
            .unwrap();
        let after = calls(&reader).await;

        let delta = |command: &str| {
            after.get(command).copied().unwrap_or(0) - before.get(command).copied().unwrap_or(0)
        };
        assert_eq!(
            ["multi", "hset", "pexpire", "exec", "expire", "hdel"].map(delta),
            [1, 1, 1, 1, 0, 0],
            "before {before:?}\nafter {after:?}"
        );
        // Only the reader's INFO ran besides: nothing else was sent.
        let others: Vec<(&String, u64)> = after
            .iter()
            .map(|(command, n)| (command, n - before.get(command).copied().unwrap_or(0)))
            .filter(|(command, n)| {
                *n > 0 && !["multi", "hset", "pexpire", "exec", "info"].contains(&command.as_str())
            })
            .collect();
        assert!(others.is_empty(), "{others:?}");
        let ttl = client
            .pttl(repo.key(&id))
            .await
            .unwrap()
            .remaining()
            .unwrap();
        assert!(ttl > Duration::from_secs(55), "{ttl:?}");
    }
);
