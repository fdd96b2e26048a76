//! Highlighted and summarized TEXT fields on Redis 8.2, hash and JSON
//! records, RESP3 and RESP2: the matches are those the Rust computation
//! finds, each record comes back as stored, a highlight is the stored
//! text with exactly the query's term wrapped in the tags asked for, a
//! summary is at most the fragments asked for, each a run of the stored
//! words holding the term; and the query's sort, limit and page size
//! apply.

#![allow(clippy::unwrap_used)]

use redis_core::Redis;
use redis_core::commands::SearchCommands;
use redis_om::field::{Field, Sortable, kind};
use redis_om::query::Excerpted;
use redis_om::{Migrator, Model, ModelIndex, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

const RECORDS: u64 = 200;
const WORDS: [&str; 12] = [
    "amber", "basil", "cedar", "delta", "ember", "fjord", "gecko", "harbor", "indigo", "jasper",
    "kelp", "lumen",
];
const TERM: &str = "gecko";

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "hl")]
struct HashArticle {
    #[redis(pk)]
    id: String,
    #[redis(index(text, no_stem))]
    body: String,
    #[redis(index(full_text_search))]
    title: String,
    #[redis(index(sortable))]
    rank: i64,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "hldoc")]
struct JsonArticle {
    #[redis(pk)]
    id: String,
    #[redis(index(text, no_stem))]
    body: String,
    #[redis(index(full_text_search))]
    title: String,
    #[redis(index(sortable))]
    rank: i64,
}

trait Article:
    Model<Pk = String> + Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static
{
    fn make(id: String, body: String, title: String, rank: i64) -> Self;
    fn parts(&self) -> (&str, &str, &str, i64);
    fn body() -> Field<Self, kind::Text>;
    fn title() -> Field<Self, kind::TagText>;
    fn rank() -> Field<Self, kind::Numeric<i64>, Sortable>;
}

macro_rules! article {
    ($t:ident) => {
        impl Article for $t {
            fn make(id: String, body: String, title: String, rank: i64) -> Self {
                $t {
                    id,
                    body,
                    title,
                    rank,
                }
            }
            fn parts(&self) -> (&str, &str, &str, i64) {
                (&self.id, &self.body, &self.title, self.rank)
            }
            fn body() -> Field<Self, kind::Text> {
                $t::body()
            }
            fn title() -> Field<Self, kind::TagText> {
                $t::title()
            }
            fn rank() -> Field<Self, kind::Numeric<i64>, Sortable> {
                $t::rank()
            }
        }
    };
}
article!(HashArticle);
article!(JsonArticle);

fn words(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.usize(..WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

async fn seed<A: Article>(ctx: &Ctx, client: &Redis) -> (Repository<A, Redis>, Vec<A>) {
    let repo = Repository::<A, _>::new(client.clone()).with_prefix(ctx.key(A::info().prefix()));
    Migrator::new(client).repository(&repo).run().await.unwrap();
    let mut rng = fastrand::Rng::with_seed(29);
    let articles: Vec<A> = (0..RECORDS)
        .map(|i| {
            let n = 20 + rng.usize(..40);
            let body = words(&mut rng, n);
            let title = words(&mut rng, 3);
            A::make(format!("{i}"), body, title, i64::try_from(i).unwrap())
        })
        .collect();
    repo.save_many(&articles).await.unwrap();
    let index = ModelIndex::of(A::info(), repo.prefix()).unwrap();
    for _ in 0..3000 {
        let info = client.ft_info(index.name()).await.unwrap();
        if !info.indexing && info.num_docs == RECORDS {
            return (repo, articles);
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{} did not index the records within 30 s", index.name());
}

fn has_term(text: &str) -> bool {
    text.split(' ').any(|word| word == TERM)
}

/// `text` with every occurrence of the term between `open` and `close`.
fn marked(text: &str, open: &str, close: &str) -> String {
    text.split(' ')
        .map(|word| match word {
            TERM => format!("{open}{word}{close}"),
            other => other.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ids of the hits, and each hit's record equal to the stored one.
fn checked_ids<A: Article>(hits: &[Excerpted<A>], stored: &[A]) -> Vec<String> {
    hits.iter()
        .map(|hit| {
            let id = hit.model.parts().0;
            let original = stored.iter().find(|a| a.parts().0 == id).unwrap();
            assert_eq!(&hit.model, original, "the record comes back as stored");
            id.to_owned()
        })
        .collect()
}

async fn excerpts<A: Article>(ctx: Ctx) {
    let client = ctx.client().await;
    let (repo, stored) = seed::<A>(&ctx, &client).await;
    let mut expected: Vec<&A> = stored.iter().filter(|a| has_term(a.parts().1)).collect();
    expected.sort_by_key(|a| a.parts().3);
    assert!(expected.len() > 20, "the data set has matches");

    // Highlights: the body and the title's TEXT side, in tags of our own.
    let hits = repo
        .find(A::body().matches(TERM))
        .sort_by(A::rank().asc())
        .highlight(A::body())
        .highlight(A::title())
        .tags("<mark>", "</mark>")
        .all()
        .await
        .unwrap();
    let ids = checked_ids(&hits, &stored);
    let want: Vec<&str> = expected.iter().map(|a| a.parts().0).collect();
    assert_eq!(ids, want);
    for hit in &hits {
        let (_, body, title, _) = hit.model.parts();
        assert_eq!(
            hit.excerpt(A::body()),
            Some(marked(body, "<mark>", "</mark>").as_str())
        );
        assert_eq!(
            hit.excerpt(A::title()),
            Some(marked(title, "<mark>", "</mark>").as_str())
        );
    }

    // Summaries: at most 2 fragments of runs of the body's words, each
    // with the term; a page of them, read 4 at a time.
    let hits = repo
        .find(A::body().matches(TERM))
        .sort_by(A::rank().asc())
        .limit(3, 15)
        .page_size(4)
        .summarize(A::body())
        .fragments(2, 4, " | ")
        .all()
        .await
        .unwrap();
    let ids = checked_ids(&hits, &stored);
    assert_eq!(ids, want[3..18]);
    for hit in &hits {
        let body = hit.model.parts().1;
        let summary = hit.excerpt(A::body()).unwrap();
        let fragments: Vec<&str> = summary
            .split(" | ")
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
        assert!(!fragments.is_empty() && fragments.len() <= 2, "{summary:?}");
        let body_words: Vec<&str> = body.split(' ').collect();
        for fragment in fragments {
            let run: Vec<&str> = fragment.split_whitespace().collect();
            assert!(run.contains(&TERM), "{fragment:?} of {body:?}");
            assert!(
                body_words.windows(run.len()).any(|w| w == run.as_slice()),
                "{fragment:?} is no run of {body:?}"
            );
        }
        assert_eq!(hit.excerpt(A::title()), None, "not asked for");
    }

    // Both on one field: fragments with the term marked (default tags).
    let hits = repo
        .find(A::body().matches(TERM))
        .summarize(A::body())
        .highlight(A::body())
        .all()
        .await
        .unwrap();
    assert_eq!(hits.len(), expected.len());
    for hit in &hits {
        let summary = hit.excerpt(A::body()).unwrap();
        assert!(summary.contains("<b>gecko</b>"), "{summary:?}");
    }

    // No match, no hits.
    let none = repo
        .find(A::body().matches("zzzzz"))
        .highlight(A::body())
        .all()
        .await
        .unwrap();
    assert!(none.is_empty());

    let index = ModelIndex::of(A::info(), repo.prefix()).unwrap();
    client.ft_dropindex_delete_docs(index.name()).await.unwrap();
}

each_redis8!(hash_excerpts, |ctx: Ctx| async move {
    excerpts::<HashArticle>(ctx).await;
});

each_redis8!(json_excerpts, |ctx: Ctx| async move {
    excerpts::<JsonArticle>(ctx).await;
});
