//! Patterns and presence in typed queries on Redis 8.2, hash and JSON
//! records, RESP3 and RESP2: TAG `starts_with`/`ends_with`/`contains` with
//! values full of the query syntax's special characters, TEXT
//! `suffix`/`infix`, `is_missing` and `is_empty`, each checked against the
//! answer computed in Rust over the same records; and the refusal, before
//! sending, of `is_missing`/`is_empty` on a field indexed without the
//! option the server needs.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use redis_core::ErrorKind;
use redis_core::Redis;
use redis_core::commands::SearchCommands;
use redis_om::query::Expr;
use redis_om::{Migrator, Model, ModelIndex, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8};
use serde::{Deserialize, Serialize};

const RECORDS: usize = 300;

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "pat")]
struct HashEntry {
    #[redis(pk)]
    id: String,
    #[redis(index(index_empty))]
    code: String,
    #[redis(index(text, no_stem))]
    words: String,
    #[redis(index(index_missing))]
    nickname: Option<String>,
    #[redis(index)]
    plain: String,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "patdoc")]
struct JsonEntry {
    #[redis(pk)]
    id: String,
    #[redis(index(index_empty))]
    code: String,
    #[redis(index(text, no_stem))]
    words: String,
    #[redis(index(index_missing))]
    #[serde(skip_serializing_if = "Option::is_none")]
    nickname: Option<String>,
    #[redis(index)]
    plain: String,
}

/// One record's values, for both kinds.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    code: String,
    words: String,
    nickname: Option<String>,
}

/// Characters of the query syntax, and letters, for codes. No `,` (a
/// hash's TAG separator) and no spaces at the ends (the server trims them).
const CODE_CHARS: &[char] = &[
    'a', 'b', 'c', 'x', '1', '2', '-', '@', '.', '+', '_', '!', '$', '%', '&', '*', '(', ')', '[',
    ']', '{', '}', '|', ':', ';', '\'', '"', '<', '>', '?', '/', '\\', '~', '^', '#', '=', ' ',
];

const WORDS: &[&str] = &[
    "lantern", "pattern", "modern", "eastern", "cistern", "lamp", "clamp", "stamp", "tramp",
    "shelves", "elves", "delve", "redis", "credits", "edits",
];

fn rows() -> Vec<Row> {
    let mut rng = fastrand::Rng::with_seed(7);
    (0..RECORDS)
        .map(|i| {
            let len = rng.usize(1..8);
            let code: String = if i % 25 == 0 {
                String::new()
            } else {
                let mut code: String = (0..len)
                    .map(|_| CODE_CHARS[rng.usize(..CODE_CHARS.len())])
                    .collect();
                code = code.trim().to_owned();
                if code.is_empty() {
                    "z".to_owned()
                } else {
                    code
                }
            };
            let words: Vec<&str> = (0..rng.usize(1..4))
                .map(|_| WORDS[rng.usize(..WORDS.len())])
                .collect();
            Row {
                id: format!("{i}"),
                code,
                words: words.join(" "),
                nickname: (i % 3 != 0).then(|| format!("nick{i}")),
            }
        })
        .collect()
}

impl From<&Row> for HashEntry {
    fn from(row: &Row) -> Self {
        HashEntry {
            id: row.id.clone(),
            code: row.code.clone(),
            words: row.words.clone(),
            nickname: row.nickname.clone(),
            plain: "p".to_owned(),
        }
    }
}

impl From<&Row> for JsonEntry {
    fn from(row: &Row) -> Self {
        JsonEntry {
            id: row.id.clone(),
            code: row.code.clone(),
            words: row.words.clone(),
            nickname: row.nickname.clone(),
            plain: "p".to_owned(),
        }
    }
}

trait Entry:
    Model<Pk = String> + for<'r> From<&'r Row> + std::fmt::Debug + Send + Sync + 'static
{
    fn entry_id(&self) -> &str;
    fn code() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
    fn words() -> redis_om::field::Field<Self, redis_om::field::kind::Text>;
    fn nickname() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
    fn plain() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
}

impl Entry for HashEntry {
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn code() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
        HashEntry::code()
    }
    fn words() -> redis_om::field::Field<Self, redis_om::field::kind::Text> {
        HashEntry::words()
    }
    fn nickname() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
        HashEntry::nickname()
    }
    fn plain() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
        HashEntry::plain()
    }
}

impl Entry for JsonEntry {
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn code() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
        JsonEntry::code()
    }
    fn words() -> redis_om::field::Field<Self, redis_om::field::kind::Text> {
        JsonEntry::words()
    }
    fn nickname() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
        JsonEntry::nickname()
    }
    fn plain() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
        JsonEntry::plain()
    }
}

async fn seed<M: Entry>(ctx: &Ctx, client: &Redis, rows: &[Row]) -> Repository<M, Redis> {
    let repo = Repository::<M, _>::new(client.clone()).with_prefix(ctx.key(M::info().prefix()));
    Migrator::new(client).repository(&repo).run().await.unwrap();
    let models: Vec<M> = rows.iter().map(M::from).collect();
    repo.save_many(&models).await.unwrap();
    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    for _ in 0..3000 {
        let info = client.ft_info(index.name()).await.unwrap();
        if !info.indexing && info.num_docs == RECORDS as u64 {
            return repo;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{} did not index the records within 30 s", index.name());
}

async fn check<M: Entry>(
    repo: &Repository<M, Redis>,
    what: &str,
    expr: Expr<M>,
    expected: BTreeSet<String>,
) {
    let shown = expr.to_string();
    let found: BTreeSet<String> = repo
        .find(expr)
        .all()
        .await
        .unwrap_or_else(|e| panic!("{what} ({shown}): {e}"))
        .iter()
        .map(|m| m.entry_id().to_owned())
        .collect();
    let missing: Vec<_> = expected.difference(&found).take(5).collect();
    let extra: Vec<_> = found.difference(&expected).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} ({shown}): {} found, {} expected; missing {missing:?}, extra {extra:?}",
        found.len(),
        expected.len()
    );
}

fn ids(rows: &[Row], keep: impl Fn(&Row) -> bool) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| keep(r))
        .map(|r| r.id.clone())
        .collect()
}

/// The pieces of stored codes the patterns look for: every code's first,
/// last and middle characters (1 to 3 of them).
fn pieces(rows: &[Row]) -> Vec<String> {
    let mut pieces = BTreeSet::new();
    for row in rows.iter().step_by(7) {
        let chars: Vec<char> = row.code.chars().collect();
        for n in 1..=3.min(chars.len()) {
            pieces.insert(chars[..n].iter().collect::<String>());
            pieces.insert(chars[chars.len() - n..].iter().collect::<String>());
            let start = (chars.len() - n) / 2;
            pieces.insert(chars[start..start + n].iter().collect::<String>());
        }
    }
    // The server looks for two characters or more (MINPREFIX).
    pieces
        .into_iter()
        .filter(|p| p.chars().count() >= 2 && !p.trim().is_empty())
        .collect()
}

async fn patterns_match_what_rust_finds<M: Entry>(ctx: Ctx) {
    let client = ctx.client().await;
    let rows = rows();
    let repo = seed::<M>(&ctx, &client, &rows).await;
    let lower = |s: &str| s.to_lowercase();
    for piece in pieces(&rows) {
        let p = lower(&piece);
        check(
            &repo,
            &format!("starts_with {piece:?}"),
            M::code().starts_with(&piece),
            ids(&rows, |r| lower(&r.code).starts_with(&p)),
        )
        .await;
        check(
            &repo,
            &format!("ends_with {piece:?}"),
            M::code().ends_with(&piece),
            ids(&rows, |r| lower(&r.code).ends_with(&p)),
        )
        .await;
        check(
            &repo,
            &format!("contains {piece:?}"),
            M::code().contains(&piece),
            ids(&rows, |r| lower(&r.code).contains(&p)),
        )
        .await;
    }
    for part in ["rn", "tern", "amp", "lves", "edi", "ist"] {
        let terms = |r: &Row| r.words.split(' ').map(str::to_owned).collect::<Vec<_>>();
        check(
            &repo,
            &format!("suffix {part}"),
            M::words().suffix(part),
            ids(&rows, |r| terms(r).iter().any(|t| t.ends_with(part))),
        )
        .await;
        check(
            &repo,
            &format!("infix {part}"),
            M::words().infix(part),
            ids(&rows, |r| terms(r).iter().any(|t| t.contains(part))),
        )
        .await;
    }
    check(
        &repo,
        "is_missing",
        M::nickname().is_missing(),
        ids(&rows, |r| r.nickname.is_none()),
    )
    .await;
    check(
        &repo,
        "not is_missing",
        !M::nickname().is_missing(),
        ids(&rows, |r| r.nickname.is_some()),
    )
    .await;
    check(
        &repo,
        "is_empty",
        M::code().is_empty(),
        ids(&rows, |r| r.code.is_empty()),
    )
    .await;
    check(
        &repo,
        "is_empty and a pattern",
        M::code().is_empty() | M::code().starts_with("ab"),
        ids(&rows, |r| {
            r.code.is_empty() || lower(&r.code).starts_with("ab")
        }),
    )
    .await;

    // Without the option the server needs, refused before sending.
    for expr in [
        M::plain().is_missing(),
        M::plain().is_empty(),
        M::code().starts_with("a"),
        M::words().suffix("s"),
    ] {
        let error = repo.find(expr).all().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        let text = error.to_string();
        assert!(
            text.contains("@plain") || text.contains("MINPREFIX"),
            "{text}"
        );
    }
    let index = ModelIndex::of(M::info(), repo.prefix()).unwrap();
    client.ft_dropindex_delete_docs(index.name()).await.unwrap();
}

each_redis8!(hash_patterns_and_presence, |ctx: Ctx| async move {
    patterns_match_what_rust_finds::<HashEntry>(ctx).await;
});

each_redis8!(json_patterns_and_presence, |ctx: Ctx| async move {
    patterns_match_what_rust_finds::<JsonEntry>(ctx).await;
});
