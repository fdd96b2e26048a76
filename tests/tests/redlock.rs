//! `redis_om::Redlock` over three servers of the test's own: mutual
//! exclusion under contention, still with one server killed; refusal with
//! two killed; release everywhere.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Client, ErrorKind};
use redis_om::Redlock;
use redis_tests::{TempServer, Version};

async fn clients(servers: &[TempServer]) -> Vec<Client> {
    let mut clients = Vec::new();
    for server in servers {
        clients.push(Client::connect(server.url()).await.unwrap());
    }
    clients
}

/// `tasks` tasks each taking the lock `rounds` times; inside it, a flag
/// that must be clear and a read-pause-write of a counter. Returns the
/// counter.
async fn contend(clients: &[Client], name: &str, tasks: usize, rounds: u64) -> u64 {
    let held = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    // A TTL of one second: each server gets 50 ms to answer, which is
    // what an attempt costs while one is down.
    let lock = Redlock::new(clients, name)
        .ttl(Duration::from_secs(1))
        .sleep(Duration::from_millis(2));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (lock, held, counter) = (lock.clone(), held.clone(), counter.clone());
            tokio::spawn(async move {
                for _ in 0..rounds {
                    let guard = lock.acquire_timeout(Duration::from_secs(60)).await.unwrap();
                    assert!(!held.swap(true, Ordering::SeqCst), "two holders at once");
                    let value = counter.load(Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    counter.store(value + 1, Ordering::SeqCst);
                    held.store(false, Ordering::SeqCst);
                    assert!(guard.validity() > Duration::ZERO);
                    guard.release().await.unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    counter.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redlock_keeps_mutual_exclusion_with_a_minority_down() {
    let mut servers: Vec<TempServer> = (0..3).map(|_| TempServer::start(Version::Redis8)).collect();
    let clients = clients(&servers).await;
    assert_eq!(contend(&clients, "job", 8, 20).await, 160);

    // A held lock is refused to others, and released on every server.
    let lock = Redlock::new(&clients, "job").ttl(Duration::from_secs(10));
    let guard = lock.try_acquire().await.unwrap().unwrap();
    assert!(lock.try_acquire().await.unwrap().is_none());
    for client in &clients {
        assert_eq!(client.exists(["job"]).await.unwrap(), 1);
    }
    guard.release().await.unwrap();
    for client in &clients {
        assert_eq!(client.exists(["job"]).await.unwrap(), 0);
    }

    servers[0].kill();
    assert_eq!(contend(&clients, "job", 8, 5).await, 40);

    servers[1].kill();
    let error = lock.try_acquire().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
    assert!(error.to_string().contains("1 of 3"), "{error}");
    // Nothing is left set on the one server still up.
    assert_eq!(clients[2].exists(["job"]).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extended_redlock_renews_its_validity_and_a_lost_one_says_so() {
    let servers: Vec<TempServer> = (0..3).map(|_| TempServer::start(Version::Redis8)).collect();
    let clients = clients(&servers).await;
    let lock = Redlock::new(&clients, "job").ttl(Duration::from_millis(500));
    let mut guard = lock.try_acquire().await.unwrap().unwrap();
    assert!(guard.validity() <= Duration::from_millis(500));
    tokio::time::sleep(Duration::from_millis(300)).await;
    guard.extend(Duration::from_secs(10)).await.unwrap();
    assert!(guard.validity() > Duration::from_secs(9));
    // Gone from two servers of three: it cannot be extended any more.
    for client in &clients[..2] {
        let _: u64 = client.del(["job"]).await.unwrap();
    }
    let error = guard.extend(Duration::from_secs(10)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LockLost, "{error}");
}
