//! What a typed query does besides reading its matches, on Redis 8.2, hash
//! and JSON records: `page` reads the page the sort order gives, `explain`
//! shows the query with its parameters and the server's parse of it,
//! `select` reads only some fields into a struct, `update` changes every
//! match atomically record by record, and
//! `delete` removes exactly the matching records, more than one batch of
//! them, or only a page's; with small pages, every executor crosses page
//! boundaries and gives the Rust computation's answer.

#![allow(clippy::unwrap_used)]

use redis_core::Redis;
use redis_core::commands::SearchCommands;
use redis_om::{Migrator, Model, ModelIndex, RedisModel, Repository, query};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

const RECORDS: u64 = 2500;

/// Two fields of a record.
#[derive(Deserialize, Debug)]
struct Selected {
    rank: i64,
    kind: String,
}

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "m")]
struct HashItem {
    #[redis(pk)]
    id: String,
    #[redis(index(sortable))]
    rank: i64,
    #[redis(index)]
    kind: String,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "jm")]
struct JsonItem {
    #[redis(pk)]
    id: String,
    #[redis(index(sortable))]
    rank: i64,
    #[redis(index)]
    kind: String,
}

trait Item: Model<Pk = String> + Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static {
    fn make(i: u64) -> Self;
    fn rank_of(&self) -> i64;
    fn rank()
    -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<i64>, redis_om::field::Sortable>;
    fn kind() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
}

macro_rules! item {
    ($t:ident) => {
        impl Item for $t {
            fn make(i: u64) -> Self {
                $t {
                    id: format!("{i}"),
                    rank: i64::try_from(i).unwrap(),
                    kind: if i % 5 == 0 {
                        "rare".into()
                    } else {
                        "common".into()
                    },
                }
            }
            fn rank_of(&self) -> i64 {
                self.rank
            }
            fn rank() -> redis_om::field::Field<
                Self,
                redis_om::field::kind::Numeric<i64>,
                redis_om::field::Sortable,
            > {
                $t::rank()
            }
            fn kind() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
                $t::kind()
            }
        }
    };
}
item!(HashItem);
item!(JsonItem);

async fn seed<M: Item>(ctx: &Ctx, client: &Redis) -> Repository<M, Redis> {
    let repo = Repository::<M, _>::new(client.clone()).with_prefix(ctx.key(M::info().prefix()));
    Migrator::new(client).repository(&repo).run().await.unwrap();
    let models: Vec<M> = (0..RECORDS).map(M::make).collect();
    repo.save_many(&models).await.unwrap();
    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    for _ in 0..3000 {
        let info = client.ft_info(index.name()).await.unwrap();
        if !info.indexing && info.num_docs == RECORDS {
            return repo;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{} did not index the records within 30 s", index.name());
}

async fn matches<M: Item>(ctx: Ctx) {
    let client = ctx.client().await;
    let repo = seed::<M>(&ctx, &client).await;

    let page: Vec<i64> = repo
        .find(M::kind().eq("common"))
        .sort_by(M::rank().asc())
        .page(3, 7)
        .all()
        .await
        .unwrap()
        .iter()
        .map(M::rank_of)
        .collect();
    let expected: Vec<i64> = (0..RECORDS as i64)
        .filter(|i| i % 5 != 0)
        .skip(21)
        .take(7)
        .collect();
    assert_eq!(page, expected);

    let explained = repo
        .find(M::kind().eq("rare") & M::rank().lt(100))
        .explain()
        .await
        .unwrap();
    assert_eq!(
        explained.query.as_deref(),
        Some("@kind:{$p0} @rank:[-inf ($p1]")
    );
    assert_eq!(
        explained.params,
        [
            ("p0".to_owned(), "rare".to_owned()),
            ("p1".to_owned(), "100".to_owned())
        ]
    );
    assert!(
        explained.plan.contains("TAG:@kind") && explained.plan.contains("rare"),
        "{}",
        explained.plan
    );
    assert!(explained.plan.contains("NUMERIC"), "{}", explained.plan);

    // Only some fields, into a struct of the caller's.
    let selected: Vec<Selected> = repo
        .find(M::kind().eq("rare"))
        .sort_by(M::rank().desc())
        .limit(0, 1500)
        .select((M::rank(), M::kind()))
        .await
        .unwrap();
    let expected: Vec<i64> = (0..RECORDS as i64).rev().filter(|i| i % 5 == 0).collect();
    assert_eq!(selected.len(), expected.len());
    assert_eq!(
        selected.iter().map(|s| s.rank).collect::<Vec<_>>(),
        expected
    );
    assert!(selected.iter().all(|s| s.kind == "rare"));
    let page: Vec<Selected> = repo
        .find(query::all())
        .sort_by(M::rank().asc())
        .limit(1200, 3)
        .select((M::rank(), M::kind()))
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|s| s.rank).collect::<Vec<_>>(),
        [1200, 1201, 1202]
    );

    // Every rare record updated, each atomically; the update takes them
    // out of the match, and none is skipped or done twice for it.
    let updated = repo
        .find(M::kind().eq("rare") & M::rank().lt(1000))
        .update(|update| update.set(M::kind(), "was-rare".to_owned()))
        .await
        .unwrap();
    assert_eq!(updated, 200);
    assert_eq!(
        repo.find(M::kind().eq("was-rare")).count().await.unwrap(),
        200
    );
    let put_back = repo
        .find(M::kind().eq("was-rare"))
        .update(|update| update.set(M::kind(), "rare".to_owned()))
        .await
        .unwrap();
    assert_eq!(put_back, 200);

    // Only a page: the 10 lowest ranks of the rare ones.
    let removed = repo
        .find(M::kind().eq("rare"))
        .sort_by(M::rank().asc())
        .limit(0, 10)
        .delete()
        .await
        .unwrap();
    assert_eq!(removed, 10);
    for rank in (0..50).step_by(5) {
        assert!(!repo.exists(&rank.to_string()).await.unwrap(), "{rank}");
    }
    assert!(repo.exists(&"50".to_owned()).await.unwrap());

    // More than one batch: every common record, and nothing else.
    let removed = repo.find(M::kind().eq("common")).delete().await.unwrap();
    assert_eq!(removed, RECORDS * 4 / 5);
    let left = repo.find(query::all()).count().await.unwrap();
    assert_eq!(left, RECORDS / 5 - 10);
    assert_eq!(repo.find(M::kind().eq("common")).count().await.unwrap(), 0);

    // Small pages, so that every executor crosses page boundaries: the
    // same answers as the Rust computation over what is left (the rare
    // ranks from 50 on).
    let mut left: Vec<i64> = (50..RECORDS as i64).filter(|i| i % 5 == 0).collect();
    let mut hits = repo
        .find(query::all())
        .sort_by(M::rank().asc())
        .limit(3, 30)
        .page_size(7)
        .stream();
    let mut streamed = Vec::new();
    while let Some(item) = hits.try_next().await.unwrap() {
        streamed.push(item.rank_of());
    }
    assert_eq!(streamed, left[3..33]);
    let below_300: Vec<i64> = left.iter().copied().filter(|&r| r < 300).collect();
    let selected: Vec<Selected> = repo
        .find(M::rank().lt(300))
        .sort_by(M::rank().asc())
        .page_size(7)
        .select((M::rank(), M::kind()))
        .await
        .unwrap();
    assert_eq!(
        selected.iter().map(|s| s.rank).collect::<Vec<_>>(),
        below_300
    );
    let updated = repo
        .find(M::rank().lt(300))
        .page_size(7)
        .update(|update| update.set(M::kind(), "seven".to_owned()))
        .await
        .unwrap();
    assert_eq!(updated, below_300.len() as u64);
    // A page deleted 4 records at a time: each round's deletions move the
    // later matches up, and the page still ends where it should.
    let removed = repo
        .find(M::kind().eq("seven"))
        .sort_by(M::rank().asc())
        .limit(3, 17)
        .page_size(4)
        .delete()
        .await
        .unwrap();
    assert_eq!(removed, 17);
    let mut kept = below_300.clone();
    kept.drain(3..20);
    let mut sevens: Vec<i64> = repo
        .find(M::kind().eq("seven"))
        .all()
        .await
        .unwrap()
        .iter()
        .map(M::rank_of)
        .collect();
    sevens.sort_unstable();
    assert_eq!(sevens, kept);
    left.retain(|rank| !below_300[3..20].contains(rank));
    assert_eq!(
        repo.find(query::all()).count().await.unwrap(),
        left.len() as u64
    );

    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    client.ft_dropindex_delete_docs(index.name()).await.unwrap();
}

each_redis8!(hash_matches, |ctx: Ctx| async move {
    matches::<HashItem>(ctx).await;
});

each_redis8!(json_matches, |ctx: Ctx| async move {
    matches::<JsonItem>(ctx).await;
});

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "verb")]
struct Note {
    #[redis(pk)]
    id: String,
    #[redis(index(text))]
    body: String,
}

each_redis8!(
    verbatim_terms_are_not_stemmed_and_options_reach_the_server,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let notes = Repository::<Note, _>::new(client.clone()).with_prefix(ctx.key("verb"));
        Migrator::new(&client)
            .repository(&notes)
            .run()
            .await
            .unwrap();
        for (id, body) in [
            ("1", "she runs daily"),
            ("2", "running late"),
            ("3", "a run"),
        ] {
            notes
                .save(&Note {
                    id: id.to_owned(),
                    body: body.to_owned(),
                })
                .await
                .unwrap();
        }
        let index = ModelIndex::of(Note::info(), notes.prefix()).unwrap();
        for _ in 0..500 {
            if client.ft_info(index.name()).await.unwrap().num_docs == 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let ids = |found: Vec<Note>| {
            let mut ids: Vec<String> = found.into_iter().map(|n| n.id).collect();
            ids.sort();
            ids
        };
        // Stemmed, "running" finds every form of "run"; verbatim, only itself.
        let stemmed = notes
            .find(Note::body().matches("running"))
            .all()
            .await
            .unwrap();
        assert_eq!(ids(stemmed), ["1", "2", "3"]);
        let verbatim = notes
            .find(Note::body().matches("running"))
            .verbatim()
            .timeout(std::time::Duration::from_secs(5))
            .scorer(redis_core::commands::Scorer::Bm25)
            .all()
            .await
            .unwrap();
        assert_eq!(ids(verbatim), ["2"]);
        client.ft_dropindex_delete_docs(index.name()).await.unwrap();
    }
);
