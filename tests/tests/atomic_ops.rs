//! Atomic operations on models on real servers, hash models on every setup
//! and JSON models on Redis 8.2: concurrent increments give the exact sum
//! and each sees its own new value; of concurrent compare-and-sets and
//! get-and-deletes exactly one wins; save_if_absent never overwrites; the
//! outbox writes the record and its event together, or neither when a key
//! holds another type.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use redis_core::ErrorKind;
use redis_core::Redis;
use redis_core::commands::*;
use redis_om::{EventStream, Model, RedisModel, Repository};
use redis_tests::{Ctx, each_redis8, each_setup};
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "acct")]
struct Account {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    balance: i64,
    #[redis(index)]
    rate: f64,
    #[redis(index(tag))]
    status: String,
}

#[derive(RedisModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "jacct")]
struct JsonAccount {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    balance: i64,
    #[redis(index)]
    rate: f64,
    #[redis(index(tag))]
    status: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Opened {
    account: String,
    balance: i64,
}

/// What the tests need of both models.
trait Acct: Model<Pk = String> + Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    fn new(id: &str) -> Self;
    fn balance(&self) -> i64;
    fn balance_field() -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<i64>>;
    fn rate_field() -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<f64>>;
    fn status_field() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>>;
}

macro_rules! acct {
    ($t:ident) => {
        impl Acct for $t {
            fn new(id: &str) -> Self {
                $t {
                    id: id.to_owned(),
                    balance: 0,
                    rate: 0.0,
                    status: "open".to_owned(),
                }
            }
            fn balance(&self) -> i64 {
                self.balance
            }
            fn balance_field() -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<i64>>
            {
                $t::balance()
            }
            fn rate_field() -> redis_om::field::Field<Self, redis_om::field::kind::Numeric<f64>> {
                $t::rate()
            }
            fn status_field() -> redis_om::field::Field<Self, redis_om::field::kind::Tag<String>> {
                $t::status()
            }
        }
    };
}
acct!(Account);
acct!(JsonAccount);

fn repo<M: Model>(ctx: &Ctx, client: &Redis) -> Arc<Repository<M, Redis>> {
    Arc::new(Repository::new(client.clone()).with_prefix(ctx.key(M::info().prefix())))
}

async fn increments_are_exact<M: Acct>(ctx: &Ctx) {
    let client = ctx.client().await;
    let accounts = repo::<M>(ctx, &client);
    let id = accounts.save(&M::new("a")).await.unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (accounts, id) = (accounts.clone(), id.clone());
            tokio::spawn(async move {
                let balance = accounts
                    .increment(&id, M::balance_field(), 1)
                    .await
                    .unwrap()
                    .unwrap();
                let rate = accounts
                    .increment(&id, M::rate_field(), 0.5)
                    .await
                    .unwrap()
                    .unwrap();
                (balance, rate)
            })
        })
        .collect();
    let mut seen = BTreeSet::new();
    for task in tasks {
        let (balance, rate) = task.await.unwrap();
        assert!(seen.insert(balance), "two increments saw {balance}");
        assert!(rate > 0.0 && rate <= 32.0, "{rate}");
    }
    assert_eq!(seen, (1..=64).collect());
    let stored = accounts.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.balance(), 64);
    let missing = accounts
        .increment(&"nobody".to_owned(), M::balance_field(), 1)
        .await
        .unwrap();
    assert_eq!(missing, None);
    assert!(!accounts.exists(&"nobody".to_owned()).await.unwrap());
}

async fn one_compare_and_set_and_one_take_win<M: Acct>(ctx: &Ctx) {
    let client = ctx.client().await;
    let accounts = repo::<M>(ctx, &client);
    for round in 0..20 {
        let id = accounts.save(&M::new(&format!("r{round}"))).await.unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|task| {
                let (accounts, id) = (accounts.clone(), id.clone());
                tokio::spawn(async move {
                    accounts
                        .compare_and_set(
                            &id,
                            M::status_field(),
                            "open".into(),
                            format!("taken by {task}"),
                        )
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            winners += usize::from(task.await.unwrap());
        }
        assert_eq!(winners, 1, "round {round}");
        let takers: Vec<_> = (0..8)
            .map(|_| {
                let (accounts, id) = (accounts.clone(), id.clone());
                tokio::spawn(async move { accounts.get_and_delete(&id).await.unwrap() })
            })
            .collect();
        let mut taken = Vec::new();
        for taker in takers {
            taken.extend(taker.await.unwrap());
        }
        assert_eq!(taken.len(), 1, "round {round}");
        assert!(!accounts.exists(&id).await.unwrap());
    }
}

async fn save_if_absent_never_overwrites<M: Acct>(ctx: &Ctx) {
    let client = ctx.client().await;
    let accounts = repo::<M>(ctx, &client);
    let first = M::new("x");
    assert_eq!(
        accounts.save_if_absent(&first).await.unwrap(),
        Some("x".to_owned())
    );
    // The stored record moves on; a second insert of the same key (with
    // balance 0) must not overwrite it.
    accounts
        .increment(&"x".to_owned(), M::balance_field(), 5)
        .await
        .unwrap();
    let second = M::new("x");
    assert_eq!(accounts.save_if_absent(&second).await.unwrap(), None);
    assert_eq!(
        accounts
            .get(&"x".to_owned())
            .await
            .unwrap()
            .unwrap()
            .balance(),
        5
    );
}

async fn the_outbox_writes_both_or_neither<M: Acct>(ctx: &Ctx) {
    let client = ctx.client().await;
    let accounts = repo::<M>(ctx, &client);
    let events = EventStream::<Opened, _>::new(client.clone(), ctx.key("opened"));
    let (pk, entry) = accounts
        .save_with_event(&M::new("o1"), &events, |pk| Opened {
            account: pk.clone(),
            balance: 0,
        })
        .await
        .unwrap();
    assert!(accounts.exists(&pk).await.unwrap());
    let written = events
        .range(StreamBound::Min, StreamBound::Max)
        .await
        .unwrap();
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].id, entry);
    assert_eq!(written[0].value.account, pk);

    // The stream's key holds a string: neither is written.
    let broken = EventStream::<Opened, _>::new(client.clone(), ctx.key("not-a-stream"));
    client.set(broken.key(), "x").await.unwrap();
    let error = accounts
        .save_with_event(&M::new("o2"), &broken, |pk| Opened {
            account: pk.clone(),
            balance: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert!(!accounts.exists(&"o2".to_owned()).await.unwrap());

    // The record's key holds a string: the stream gets nothing.
    client
        .set(accounts.key(&"o3".to_owned()), "x")
        .await
        .unwrap();
    let error = accounts
        .save_with_event(&M::new("o3"), &events, |pk| Opened {
            account: pk.clone(),
            balance: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert_eq!(events.len().await.unwrap(), 1);
}

each_setup!(hash_increments_are_exact, |ctx: Ctx| async move {
    increments_are_exact::<Account>(&ctx).await;
});

each_redis8!(json_increments_are_exact, |ctx: Ctx| async move {
    increments_are_exact::<JsonAccount>(&ctx).await;
});

each_setup!(hash_one_winner, |ctx: Ctx| async move {
    one_compare_and_set_and_one_take_win::<Account>(&ctx).await;
});

each_redis8!(json_one_winner, |ctx: Ctx| async move {
    one_compare_and_set_and_one_take_win::<JsonAccount>(&ctx).await;
});

each_setup!(hash_save_if_absent, |ctx: Ctx| async move {
    save_if_absent_never_overwrites::<Account>(&ctx).await;
});

each_redis8!(json_save_if_absent, |ctx: Ctx| async move {
    save_if_absent_never_overwrites::<JsonAccount>(&ctx).await;
});

each_setup!(hash_outbox, |ctx: Ctx| async move {
    the_outbox_writes_both_or_neither::<Account>(&ctx).await;
});

each_redis8!(json_outbox, |ctx: Ctx| async move {
    the_outbox_writes_both_or_neither::<JsonAccount>(&ctx).await;
});
