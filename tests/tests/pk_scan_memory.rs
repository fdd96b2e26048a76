//! `Repository::all_pks` over 100,000 records holds one SCAN page at a time:
//! the heap's peak growth while streaming every primary key stays far below
//! what the keys themselves take. Its own binary (and one test), so that the
//! counting allocator sees nothing else.

#![allow(clippy::unwrap_used)]

use peak_alloc::PeakAlloc;
use redis_om::{RedisModel, Repository};
use redis_tests::{Ctx, Setup};

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

#[derive(RedisModel)]
#[redis(prefix = "session")]
struct Session {
    #[redis(pk)]
    id: uuid::Uuid,
    user: String,
}

const RECORDS: u128 = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_pks_streams_a_hundred_thousand_records_in_bounded_memory() {
    let ctx = Ctx::new("pk_scan_memory", Setup::REDIS8_RESP3).await;
    let client = ctx.client().await;
    let repo = Repository::<Session, _>::new(client.clone()).with_prefix(ctx.key("session"));
    let sessions: Vec<Session> = (0..RECORDS)
        .map(|i| Session {
            id: uuid::Uuid::from_u128(i + 1),
            user: format!("u{i}"),
        })
        .collect();
    repo.save_many(&sessions).await.unwrap();
    drop(sessions);

    // Allocated before the baseline: which keys came, duplicates allowed
    // (SCAN repeats keys while the server resizes its table).
    let mut seen = vec![false; RECORDS as usize];
    let baseline = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let mut pks = repo.all_pks();
    while let Some(pk) = pks.next().await {
        let index = pk.unwrap().as_u128() - 1;
        seen[usize::try_from(index).unwrap()] = true;
    }
    drop(pks);
    let growth = ALLOCATOR.peak_usage().saturating_sub(baseline);
    // Each key is a 62-byte string on the server side and a 16-byte UUID
    // here: 100,000 of them held at once would be megabytes. A page is a
    // thousand keys, about 100 KB with its reply's buffers.
    assert!(growth < 1024 * 1024, "the heap grew by {growth} bytes");
    assert!(
        seen.iter().all(|&seen| seen),
        "every record's key was streamed"
    );

    let all: Vec<uuid::Uuid> = (1..=RECORDS).map(uuid::Uuid::from_u128).collect();
    assert_eq!(repo.delete_many(&all).await.unwrap(), RECORDS as u64);
}
