//! The cache's bookkeeping without a server: what is kept, and what an
//! invalidation arriving before a reply does to it.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use bytes::Bytes;

use super::*;

fn cache() -> Arc<Cache> {
    Arc::new(Cache::new(CacheConfig::new()).unwrap())
}

fn get(key: &str) -> Cmd {
    Cmd::new("GET").arg(key)
}

fn value(text: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(text.as_bytes()))
}

fn invalidate(keys: &[&str]) -> ConnectionEvent {
    let keys = keys.iter().map(|key| value(key)).collect();
    ConnectionEvent::Push(Value::Push(vec![value("invalidate"), Value::Array(keys)]))
}

fn lead(cache: &Arc<Cache>, cmd: &Cmd) -> Ticket {
    match cache.lookup(cmd) {
        Lookup::Lead(ticket) => ticket,
        _ => panic!("expected a miss that sends"),
    }
}

fn is_hit(cache: &Arc<Cache>, cmd: &Cmd, expected: &str) -> bool {
    matches!(cache.lookup(cmd), Lookup::Hit(v) if v == value(expected))
}

#[test]
fn a_reply_is_kept_and_an_invalidation_drops_it() {
    let cache = cache();
    lead(&cache, &get("k")).finish(&Ok(value("1")));
    assert!(is_hit(&cache, &get("k"), "1"));
    cache.on_event(&invalidate(&["k"]));
    assert!(matches!(cache.lookup(&get("k")), Lookup::Lead(_)));
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses, stats.invalidations), (1, 2, 1));
}

#[test]
fn an_invalidation_between_send_and_reply_leaves_the_reply_uncached() {
    let cache = cache();
    let ticket = lead(&cache, &get("k"));
    cache.on_event(&invalidate(&["k"]));
    ticket.finish(&Ok(value("old")));
    assert!(matches!(cache.lookup(&get("k")), Lookup::Lead(_)));
    // Another key's invalidation does not matter.
    let ticket = lead(&cache, &get("a"));
    cache.on_event(&invalidate(&["b"]));
    ticket.finish(&Ok(value("1")));
    assert!(is_hit(&cache, &get("a"), "1"));
}

#[test]
fn a_flush_or_a_lost_connection_between_send_and_reply_too() {
    let cache = cache();
    let ticket = lead(&cache, &get("k"));
    cache.on_event(&ConnectionEvent::Push(Value::Push(vec![
        value("invalidate"),
        Value::Nil,
    ])));
    ticket.finish(&Ok(value("old")));
    assert!(matches!(cache.lookup(&get("k")), Lookup::Lead(_)));

    let ticket = lead(&cache, &get("j"));
    lead(&cache, &get("x")).finish(&Ok(value("x")));
    cache.on_event(&ConnectionEvent::Lost {
        node: "n".into(),
        error: crate::Error::protocol("gone"),
    });
    ticket.finish(&Ok(value("old")));
    assert!(matches!(cache.lookup(&get("j")), Lookup::Lead(_)));
    assert!(matches!(cache.lookup(&get("x")), Lookup::Lead(_)));
}

#[test]
fn own_writes_and_flushes_drop_entries_when_sent() {
    let cache = cache();
    lead(&cache, &get("k")).finish(&Ok(value("1")));
    lead(&cache, &Cmd::new("HGET").arg("h").arg("f")).finish(&Ok(value("2")));
    cache.forget_written(&[Cmd::new("SET").arg("k").arg("2")]);
    assert!(matches!(cache.lookup(&get("k")), Lookup::Lead(_)));
    assert!(is_hit(&cache, &Cmd::new("HGET").arg("h").arg("f"), "2"));
    cache.forget_written(&[Cmd::new("flushdb")]);
    assert!(matches!(
        cache.lookup(&Cmd::new("HGET").arg("h").arg("f")),
        Lookup::Lead(_)
    ));
}

#[test]
fn concurrent_misses_follow_the_first_and_retry_if_it_gives_up() {
    let cache = cache();
    let first = lead(&cache, &get("k"));
    let Lookup::Follow(waiting) = cache.lookup(&get("k")) else {
        panic!("the second miss should wait for the first");
    };
    drop(first);
    assert!(
        waiting.has_changed().is_err(),
        "a dropped leader closes the channel"
    );
    let second = lead(&cache, &get("k"));
    let Lookup::Follow(waiting) = cache.lookup(&get("k")) else {
        panic!("the third miss should wait for the second");
    };
    second.finish(&Ok(value("v")));
    assert!(matches!(&*waiting.borrow(), Some(Ok(v)) if *v == value("v")));
    assert!(is_hit(&cache, &get("k"), "v"));
    assert!(cache.state.lock().unwrap().reading.is_empty());
    assert!(cache.state.lock().unwrap().flights.is_empty());
}

#[test]
fn a_miss_after_an_invalidation_does_not_wait_for_a_read_sent_before_it() {
    let cache = cache();
    let early = lead(&cache, &get("k"));
    cache.forget_written(&[Cmd::new("SET").arg("k").arg("new")]);
    // Its reply may hold the old value: the next caller sends its own read.
    let late = lead(&cache, &get("k"));
    // And callers after that one wait for the later read.
    let Lookup::Follow(waiting) = cache.lookup(&get("k")) else {
        panic!("a miss should wait for the read sent after the invalidation");
    };
    early.finish(&Ok(value("old")));
    assert!(waiting.borrow().is_none());
    late.finish(&Ok(value("new")));
    assert!(matches!(&*waiting.borrow(), Some(Ok(v)) if *v == value("new")));
    assert!(is_hit(&cache, &get("k"), "new"));
}

#[test]
fn only_cacheable_reads_are_cached() {
    let cache = cache();
    for cmd in [
        Cmd::new("TTL").arg("k"),
        Cmd::new("SRANDMEMBER").arg("s"),
        Cmd::new("MGET").arg("a").arg("b"),
        Cmd::new("SET").arg("a").arg("b"),
        Cmd::new("SORT_RO").arg("l"),
        Cmd::new("EVAL_RO").arg("return 1").arg(1).arg("k"),
        Cmd::new("PING"),
    ] {
        assert!(matches!(cache.lookup(&cmd), Lookup::Pass), "{cmd:?}");
    }
    for cmd in [
        get("k"),
        Cmd::new("HGETALL").arg("h"),
        Cmd::new("SMEMBERS").arg("s"),
        Cmd::new("JSON.GET").arg("doc").arg("$"),
        Cmd::new("STRLEN").arg("k"),
    ] {
        assert!(matches!(cache.lookup(&cmd), Lookup::Lead(_)), "{cmd:?}");
    }
}

#[test]
fn settings_refuse_what_cannot_be_cached_and_restrict_the_rest() {
    assert!(Cache::new(CacheConfig::new().with_commands(["get", "TTL"])).is_err());
    let only_get = Arc::new(Cache::new(CacheConfig::new().with_commands(["get"])).unwrap());
    assert!(matches!(only_get.lookup(&get("k")), Lookup::Lead(_)));
    assert!(matches!(
        only_get.lookup(&Cmd::new("STRLEN").arg("k")),
        Lookup::Pass
    ));
    let bcast = Arc::new(Cache::new(CacheConfig::new().with_broadcast(["user:"])).unwrap());
    assert!(matches!(bcast.lookup(&get("user:1")), Lookup::Lead(_)));
    assert!(matches!(bcast.lookup(&get("other")), Lookup::Pass));
}

#[test]
fn the_ttl_bounds_an_entry() {
    let cache = Arc::new(
        Cache::new(CacheConfig::new().with_ttl(std::time::Duration::from_millis(20))).unwrap(),
    );
    lead(&cache, &get("k")).finish(&Ok(value("1")));
    assert!(is_hit(&cache, &get("k"), "1"));
    std::thread::sleep(std::time::Duration::from_millis(30));
    assert!(matches!(cache.lookup(&get("k")), Lookup::Lead(_)));
    assert_eq!(cache.stats().evictions, 1);
}

#[test]
fn this_clients_writes_and_flushes_forget_what_they_change() {
    let cache = cache();
    for key in ["a", "b"] {
        lead(&cache, &get(key)).finish(&Ok(value(key)));
    }
    cache.forget_written(&[get("a"), Cmd::new("SET").arg("a").arg("2")]);
    assert!(matches!(cache.lookup(&get("a")), Lookup::Lead(_)));
    assert!(is_hit(&cache, &get("b"), "b"));
    for flush in [
        Cmd::new("FLUSHDB"),
        Cmd::new("flushall").arg("ASYNC"),
        Cmd::new("SWAPDB").arg(0).arg(1),
    ] {
        assert!(is_hit(&cache, &get("b"), "b"));
        cache.forget_written(std::slice::from_ref(&flush));
        let Lookup::Lead(ticket) = cache.lookup(&get("b")) else {
            panic!("{flush:?} left an entry");
        };
        ticket.finish(&Ok(value("b")));
    }
}
