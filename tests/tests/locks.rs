//! `redis_om::Lock` on real servers: mutual exclusion under contention,
//! refusal while held, a lost lock that its old owner can neither release
//! nor extend, fencing tokens that only grow, and a bounded wait that
//! gives up.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Cmd, ErrorKind};
use redis_om::Lock;
use redis_tests::{Ctx, each_setup};

each_setup!(
    tasks_incrementing_under_the_lock_lose_no_update,
    |ctx: Ctx| async move {
        // 32 tasks over two clients (two connections), 1,024 increments in
        // all, each a read, a pause and a write that would lose updates
        // without the lock.
        let clients = [ctx.client().await, ctx.client().await];
        let counter = Arc::new(ctx.key("counter"));
        clients[0].set(counter.as_str(), 0).await.unwrap();
        let mut tasks = Vec::new();
        for task in 0..32 {
            let client = clients[task % 2].clone();
            let counter = counter.clone();
            let lock = Lock::new(&client, ctx.key("lock"))
                .ttl(Duration::from_secs(10))
                .sleep(Duration::from_millis(1));
            tasks.push(tokio::spawn(async move {
                for _ in 0..32 {
                    let guard = lock.acquire_timeout(Duration::from_secs(60)).await.unwrap();
                    let value: i64 = client.get(counter.as_str()).await.unwrap();
                    tokio::task::yield_now().await;
                    client.set(counter.as_str(), value + 1).await.unwrap();
                    guard.release().await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let total: i64 = clients[1].get(counter.as_str()).await.unwrap();
        assert_eq!(total, 32 * 32);
    }
);

each_setup!(
    the_watchdog_keeps_a_lock_past_several_ttls,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let lock = Lock::new(&client, ctx.key("lock"))
            .ttl(Duration::from_millis(300))
            .watchdog();
        let guard = lock.try_acquire().await.unwrap().unwrap();
        // Five TTLs later it is still held, by this guard.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(!guard.is_lost());
        assert!(lock.try_acquire().await.unwrap().is_none());
        guard.release().await.unwrap();
        // Released: the watchdog stopped, and the lock is free.
        assert!(lock.try_acquire().await.unwrap().is_some());
    }
);

each_setup!(
    the_watchdog_tells_the_holder_when_the_lock_was_lost,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let name = ctx.key("lock");
        let lock = Lock::new(&client, &name)
            .ttl(Duration::from_millis(300))
            .watchdog();
        let guard = lock.try_acquire().await.unwrap().unwrap();
        // Someone deletes it behind the holder's back and takes it.
        let _: u64 = client.del([name.as_str()]).await.unwrap();
        let thief = Lock::new(&client, &name).ttl(Duration::from_secs(10));
        let other = thief.try_acquire().await.unwrap().unwrap();
        let lost = tokio::time::timeout(Duration::from_secs(5), guard.lost())
            .await
            .expect("the watchdog reports the loss within a TTL or two");
        assert_eq!(lost.kind(), ErrorKind::LockLost, "{lost}");
        assert!(guard.is_lost());
        // The new owner's lock is untouched by the old watchdog.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let pttl = client.pttl(name.as_str()).await.unwrap();
        assert!(
            matches!(pttl, Ttl::Expires(left) if left > Duration::from_secs(9)),
            "the thief's TTL was changed: {pttl:?}"
        );
        assert_eq!(
            guard.release().await.unwrap_err().kind(),
            ErrorKind::LockLost
        );
        other.release().await.unwrap();
    }
);

each_setup!(try_acquire_while_held_is_none, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let lock = Lock::new(&client, ctx.key("lock")).ttl(Duration::from_secs(10));
    let guard = lock.try_acquire().await.unwrap().unwrap();
    assert!(lock.try_acquire().await.unwrap().is_none());
    // Another handle on the same name is refused too.
    let other = Lock::new(&client, ctx.key("lock"));
    assert!(other.try_acquire().await.unwrap().is_none());
    guard.release().await.unwrap();
    let again = lock.try_acquire().await.unwrap().unwrap();
    again.release().await.unwrap();
});

each_setup!(
    an_expired_lock_taken_by_another_is_lost_to_its_old_owner,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("lock");
        let first = Lock::new(&client, key.as_str())
            .ttl(Duration::from_millis(100))
            .try_acquire()
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
        let second = Lock::new(&client, key.as_str())
            .ttl(Duration::from_secs(5))
            .try_acquire()
            .await
            .unwrap()
            .expect("the expired lock is free for another owner");
        assert!(second.fencing_token() > first.fencing_token());

        let error = first.extend(Duration::from_secs(60)).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::LockLost);
        let pttl: i64 = Cmd::new("PTTL")
            .arg(key.as_str())
            .query(&client)
            .await
            .unwrap();
        assert!(
            (1..=5000).contains(&pttl),
            "the new owner's time to live is untouched: {pttl}"
        );

        let error = first.release().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::LockLost);
        let held: Option<String> = client.get(key.as_str()).await.unwrap();
        assert!(held.is_some(), "the new owner's lock is still there");
        let lock = Lock::new(&client, key.as_str());
        assert!(lock.try_acquire().await.unwrap().is_none());

        second.extend(Duration::from_secs(5)).await.unwrap();
        second.release().await.unwrap();
        let held: Option<String> = client.get(key.as_str()).await.unwrap();
        assert!(held.is_none());
    }
);

each_setup!(
    fencing_tokens_strictly_increase_across_acquisitions,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let other = ctx.client().await;
        let mut last = 0;
        for round in 0..10 {
            let on = if round % 2 == 0 { &client } else { &other };
            let guard = Lock::new(on, ctx.key("lock"))
                .ttl(Duration::from_secs(5))
                .acquire_timeout(Duration::from_secs(5))
                .await
                .unwrap();
            assert!(guard.fencing_token() > last, "round {round}");
            last = guard.fencing_token();
            if round % 3 == 0 {
                // A dropped guard releases by a spawned task.
                drop(guard);
            } else {
                guard.release().await.unwrap();
            }
        }
    }
);

each_setup!(
    acquire_timeout_gives_up_with_a_timeout,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let lock = Lock::new(&client, ctx.key("lock"))
            .ttl(Duration::from_secs(10))
            .sleep(Duration::from_millis(20));
        let guard = lock.try_acquire().await.unwrap().unwrap();
        let error = lock
            .acquire_timeout(Duration::from_millis(150))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout);
        guard.release().await.unwrap();
    }
);
