//! The load: tasks doing SET/GET/INCRBY on keys of their own, pipelines, and
//! MULTI/EXEC transactions, all on one shared handle (a `Client`, or a
//! `ClusterClient` with `--cluster`), each checking what it can as it goes
//! and recording what the server acknowledged.
//!
//! Written once over [`Watching`] (the executor trait plus WATCH
//! transactions). Key names suit a cluster too: a task's plain keys spread
//! over slots, while the keys of one MULTI/EXEC share a hash tag per task,
//! so a cluster can run the transaction on one node.

use std::sync::Arc;
use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Cmd, FromValue, Pipeline, Transaction, Value, Watching};

use crate::ledger::{Counter, Keys, Ledger, Pair};
use crate::run::{Outcome, Run};

/// What a call may take, from the client's settings (before the margin).
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    /// A read: its try and the retries of the policy, each with its timeout.
    pub read: Duration,
    /// A write or a batch that writes: one try.
    pub write: Duration,
    /// `Client::transaction`: waiting for a pooled connection, opening it,
    /// then WATCH, GET, the MULTI/EXEC batch (or UNWATCH after a failed
    /// GET), each with its timeout.
    pub watched: Duration,
}

/// After each call: a violation for an error the faults cannot explain (the
/// proxy delays, cuts and drops bytes but never alters them, so a reply that
/// does not parse or convert means the client mixed replies up), and a short
/// pause after a failure, as an application would take, so that calls that
/// fail at once (server down) do not spin.
async fn after_call<T>(outcome: &Outcome<T>, op: &str, run: &Run) {
    if let Some(Err(error)) = outcome {
        if !(error.is_connection_error() || error.is_timeout() || error.server_error().is_some()) {
            run.violation(format!(
                "{op}: unexpected {:?} error: {error}",
                error.kind()
            ));
        }
        tokio::time::sleep(Duration::from_millis(fastrand::u64(10..=30))).await;
    }
}

/// SET, GET and INCRBY at random on the task's own keys and counters.
pub async fn key_values<R: Watching>(
    run: Arc<Run>,
    client: R,
    task: usize,
    budgets: Budgets,
) -> Ledger {
    let mut rng = fastrand::Rng::new();
    let mut keys = Keys::new(format!("soak:kv:{task}"), 8);
    let mut counters: Vec<Counter> = (0..2)
        .map(|i| Counter::new(format!("soak:kv-ctr:{task}:{i}")))
        .collect();
    let mut seq = 0u64;
    while !run.stopped() {
        let slot = rng.usize(..keys.count());
        match rng.u8(0..10) {
            0..=3 => {
                seq += 1;
                let key = keys.live(slot).key.clone();
                let outcome = run.call("SET", budgets.write, client.set(&key, seq)).await;
                after_call(&outcome, "SET", &run).await;
                match outcome {
                    Some(Ok(())) => keys.acked(slot, seq),
                    _ => keys.unknown(slot, seq),
                }
            }
            4..=6 => {
                let record = keys.live(slot).clone();
                let get = client.get::<Option<u64>>(&record.key);
                let outcome = run.call("GET", budgets.read, get).await;
                after_call(&outcome, "GET", &run).await;
                if let Some(Ok(found)) = outcome {
                    if found != record.acked {
                        run.violation(format!(
                            "{}: read {found:?} after writing {:?} (acknowledged, no other writer)",
                            record.key, record.acked
                        ));
                    }
                }
            }
            _ => {
                let counter = &mut counters[slot % 2];
                counter.attempts += 1;
                let incr = client.incrby(&counter.key, 1);
                let outcome = run.call("INCRBY", budgets.write, incr).await;
                after_call(&outcome, "INCRBY", &run).await;
                if let Some(Ok(n)) = outcome {
                    counter.check_ack(u64::try_from(n).unwrap_or(0), &run);
                }
            }
        }
    }
    Ledger {
        keys: keys.into_records(),
        counters,
        pairs: Vec::new(),
    }
}

/// Pipelines of SET, GET of the same key, INCRBY.
pub async fn pipelines<R: Watching>(
    run: Arc<Run>,
    client: R,
    task: usize,
    budgets: Budgets,
) -> Ledger {
    let mut rng = fastrand::Rng::new();
    let mut keys = Keys::new(format!("soak:pipe:{task}"), 4);
    let mut counter = Counter::new(format!("soak:pipe-ctr:{task}"));
    let mut seq = 0u64;
    while !run.stopped() {
        let slot = rng.usize(..keys.count());
        seq += 1;
        let key = keys.live(slot).key.clone();
        let pipe: Pipeline<(Value, Value, Value)> = Pipeline::new()
            .command(Cmd::new("SET").arg(&key).arg(seq))
            .command(Cmd::new("GET").arg(&key))
            .command(Cmd::new("INCRBY").arg(&counter.key).arg(1));
        counter.attempts += 1;
        let outcome = run
            .call("pipeline", budgets.write, pipe.execute(&client))
            .await;
        after_call(&outcome, "pipeline", &run).await;
        let Some(Ok(results)) = outcome else {
            keys.unknown(slot, seq);
            continue;
        };
        let Ok([set, get, incr]) = <[redis_core::Result<Value>; 3]>::try_from(results) else {
            run.violation("pipeline: not three results for three commands".into());
            keys.unknown(slot, seq);
            continue;
        };
        if set.is_err() {
            keys.unknown(slot, seq);
            continue;
        }
        keys.acked(slot, seq);
        match get.and_then(u64::from_value) {
            Ok(read) if read == seq => {}
            other => run.violation(format!(
                "{key}: GET right after SET {seq} in one pipeline gave {other:?}"
            )),
        }
        if let Ok(n) = incr.and_then(u64::from_value) {
            counter.check_ack(n, &run);
        }
    }
    Ledger {
        keys: keys.into_records(),
        counters: vec![counter],
        pairs: Vec::new(),
    }
}

/// MULTI, INCRBY a, INCRBY b, SET, EXEC: a and b must move together. The
/// task's keys share the hash tag `{tx:<task>}`: one slot on a cluster.
pub async fn transactions<R: Watching>(
    run: Arc<Run>,
    client: R,
    task: usize,
    budgets: Budgets,
) -> Ledger {
    let mut rng = fastrand::Rng::new();
    let tag = format!("{{tx:{task}}}");
    let mut keys = Keys::new(format!("soak:{tag}"), 4);
    let mut pair = Pair {
        a: Counter::new(format!("soak:{tag}:a")),
        b: Counter::new(format!("soak:{tag}:b")),
    };
    let mut seq = 0u64;
    while !run.stopped() {
        let slot = rng.usize(..keys.count());
        seq += 1;
        let key = keys.live(slot).key.clone();
        let tx: Transaction<(Value, Value, Value)> = Transaction::new()
            .command(Cmd::new("INCRBY").arg(&pair.a.key).arg(1))
            .command(Cmd::new("INCRBY").arg(&pair.b.key).arg(1))
            .command(Cmd::new("SET").arg(&key).arg(seq));
        pair.a.attempts += 1;
        pair.b.attempts += 1;
        let outcome = run
            .call("transaction", budgets.write, tx.execute(&client))
            .await;
        after_call(&outcome, "transaction", &run).await;
        let Some(Ok(results)) = outcome else {
            keys.unknown(slot, seq);
            continue;
        };
        let Ok([a, b, set]) = <[redis_core::Result<Value>; 3]>::try_from(results) else {
            run.violation("transaction: not three results for three commands".into());
            keys.unknown(slot, seq);
            continue;
        };
        match (a.and_then(u64::from_value), b.and_then(u64::from_value)) {
            (Ok(a), Ok(b)) => {
                if a != b {
                    run.violation(format!(
                        "{} and {} move together in MULTI/EXEC, EXEC gave {a} and {b}",
                        pair.a.key, pair.b.key
                    ));
                }
                pair.a.check_ack(a, &run);
                pair.b.check_ack(b, &run);
            }
            other => run.violation(format!("transaction: INCRBY results {other:?}")),
        }
        if set.is_ok() {
            keys.acked(slot, seq);
        } else {
            keys.unknown(slot, seq);
        }
    }
    Ledger {
        keys: keys.into_records(),
        counters: Vec::new(),
        pairs: vec![pair],
    }
}

/// `Client::transaction` on a dedicated connection from the pool: WATCH a
/// counter, GET it, SET it one higher in MULTI/EXEC. One writer, so WATCH
/// never aborts; the pool's connections go through the faults too.
pub async fn watched<R: Watching>(
    run: Arc<Run>,
    client: R,
    task: usize,
    budgets: Budgets,
) -> Ledger {
    let mut counter = Counter::new(format!("soak:watch:{task}"));
    while !run.stopped() {
        counter.attempts += 1;
        let key = counter.key.clone();
        let watch = [key.as_str()];
        let txn = client.transaction(&watch, |conn| {
            let key = key.clone();
            async move {
                let now: Option<u64> = Cmd::new("GET").arg(&key).query(&conn).await?;
                let tx = Transaction::new()
                    .command(Cmd::new("SET").arg(&key).arg(now.unwrap_or(0) + 1))
                    .command(Cmd::new("GET").arg(&key));
                Ok(tx)
            }
        });
        let outcome: Outcome<(String, u64)> =
            run.call("WATCH transaction", budgets.watched, txn).await;
        after_call(&outcome, "WATCH transaction", &run).await;
        if let Some(Ok((_, n))) = outcome {
            counter.check_ack(n, &run);
        }
    }
    Ledger {
        keys: Vec::new(),
        counters: vec![counter],
        pairs: Vec::new(),
    }
}

/// Keys holding their own names, stored before the faults start, for GETs
/// whose reply identifies them.
pub const OWN_KEYS: usize = 32;

pub fn own_key(i: usize) -> String {
    format!("soak:own:{i}")
}

/// Calls whose reply identifies them: ECHO of a token used once, GET of a
/// key holding its own name. Any other reply is another call's: the shared
/// connection was out of step, and the client handed it out anyway.
pub async fn identified<R: Watching>(
    run: Arc<Run>,
    client: R,
    task: usize,
    budgets: Budgets,
) -> Ledger {
    let mut rng = fastrand::Rng::new();
    let mut n = 0u64;
    while !run.stopped() {
        n += 1;
        let (op, expected, call) = if rng.bool() {
            let token = format!("soak:echo:{task}:{n}:{:016x}", rng.u64(..));
            let echo = Cmd::new("ECHO").arg(&token);
            ("ECHO", token, echo)
        } else {
            let key = own_key(rng.usize(..OWN_KEYS));
            let get = Cmd::new("GET").arg(&key);
            ("GET", key, get)
        };
        let outcome: Outcome<Value> = run.call(op, budgets.read, call.query(&client)).await;
        after_call(&outcome, op, &run).await;
        if let Some(Ok(value)) = outcome {
            let own = matches!(&value, Value::BulkString(text) if text == expected.as_bytes());
            if !own {
                run.wrong_delivery(format!("{op} {expected:?} received {value:?}"));
            }
        }
    }
    Ledger {
        keys: Vec::new(),
        counters: Vec::new(),
        pairs: Vec::new(),
    }
}
