//! What each task wrote and what the server acknowledged, and the checks of
//! the final data against it.
//!
//! Every key has one writer, so its final value is known exactly: the last
//! acknowledged one. A write that failed may still have been applied (its
//! reply was lost, or it was held in a stall and delivered late), so after
//! such a write the task moves on to a fresh key and the old key may hold
//! either value; each key has at most one write of unknown outcome.

use redis_core::{Cmd, Executor};

use crate::run::Run;

/// One key of one task.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub key: String,
    /// The value of the last write that returned Ok.
    pub acked: Option<u64>,
    /// A write after it that failed or hung: the key's last write.
    pub unknown: Option<u64>,
    /// How many writes to it returned Ok.
    pub acks: u64,
}

/// A task's keys: a few in use, and those retired after a failed write.
#[derive(Debug)]
pub struct Keys {
    prefix: String,
    live: Vec<KeyRecord>,
    retired: Vec<KeyRecord>,
    generation: u64,
}

impl Keys {
    pub fn new(prefix: String, count: usize) -> Keys {
        let mut keys = Keys {
            prefix,
            live: Vec::with_capacity(count),
            retired: Vec::new(),
            generation: 0,
        };
        for _ in 0..count {
            let fresh = keys.fresh();
            keys.live.push(fresh);
        }
        keys
    }

    fn fresh(&mut self) -> KeyRecord {
        self.generation += 1;
        KeyRecord {
            key: format!("{}:{}", self.prefix, self.generation),
            acked: None,
            unknown: None,
            acks: 0,
        }
    }

    pub fn count(&self) -> usize {
        self.live.len()
    }

    /// A key in use: every write to it so far was acknowledged.
    pub fn live(&self, slot: usize) -> &KeyRecord {
        &self.live[slot]
    }

    pub fn acked(&mut self, slot: usize, value: u64) {
        let record = &mut self.live[slot];
        record.acked = Some(value);
        record.acks += 1;
    }

    /// The write of `value` failed or hung: retire the key.
    pub fn unknown(&mut self, slot: usize, value: u64) {
        let fresh = self.fresh();
        let mut old = std::mem::replace(&mut self.live[slot], fresh);
        old.unknown = Some(value);
        self.retired.push(old);
    }

    pub fn into_records(self) -> Vec<KeyRecord> {
        let mut all = self.retired;
        all.extend(self.live);
        all
    }
}

/// A counter only one task increments.
#[derive(Debug, Clone)]
pub struct Counter {
    pub key: String,
    /// Increments that returned Ok.
    pub ok: u64,
    /// Increments sent, whatever came back.
    pub attempts: u64,
}

impl Counter {
    pub fn new(key: String) -> Counter {
        Counter {
            key,
            ok: 0,
            attempts: 0,
        }
    }

    /// One increment of 1 was acknowledged with the new value `n`: `n` counts
    /// at least every acknowledged increment and at most every one sent.
    pub fn check_ack(&mut self, n: u64, run: &Run) {
        self.ok += 1;
        if n < self.ok || n > self.attempts {
            run.violation(format!(
                "{}: INCRBY returned {n} after {} acknowledged of {} sent",
                self.key, self.ok, self.attempts
            ));
        }
    }
}

/// Two counters a task only increments together, in MULTI/EXEC.
#[derive(Debug, Clone)]
pub struct Pair {
    pub a: Counter,
    pub b: Counter,
}

/// Everything one task leaves to check.
#[derive(Debug, Default)]
pub struct Ledger {
    pub keys: Vec<KeyRecord>,
    pub counters: Vec<Counter>,
    pub pairs: Vec<Pair>,
}

/// What the final check covered.
#[derive(Debug, Default)]
pub struct Checked {
    /// Keys whose every write was acknowledged: exact value checked.
    pub exact_keys: u64,
    /// Keys whose last write had an unknown outcome.
    pub unknown_keys: u64,
    pub counters: u64,
    pub pairs: u64,
    /// Writes that returned Ok, all of them covered by the checks above.
    pub acked_writes: u64,
}

impl Ledger {
    pub fn merge(&mut self, other: Ledger) {
        self.keys.extend(other.keys);
        self.counters.extend(other.counters);
        self.pairs.extend(other.pairs);
    }

    /// Reads everything back (on `client`, straight to the server or the
    /// cluster's nodes; a cluster splits the MGETs by slot) and records a
    /// violation for each acknowledged write that is missing.
    pub async fn verify(
        &self,
        client: &impl Executor,
        run: &Run,
    ) -> Result<Checked, redis_core::Error> {
        let mut checked = Checked::default();
        for chunk in self.keys.chunks(500) {
            let values: Vec<Option<u64>> = mget(client, chunk.iter().map(|r| &r.key)).await?;
            for (record, found) in chunk.iter().zip(values) {
                checked.acked_writes += record.acks;
                let fine = match record.unknown {
                    None => {
                        checked.exact_keys += 1;
                        found == record.acked
                    }
                    Some(unknown) => {
                        checked.unknown_keys += 1;
                        found == record.acked || found == Some(unknown)
                    }
                };
                if !fine {
                    run.violation(format!(
                        "{}: last acknowledged value {:?} (then unknown {:?}), found {found:?}",
                        record.key, record.acked, record.unknown
                    ));
                }
            }
        }
        let counters = self
            .counters
            .iter()
            .chain(self.pairs.iter().flat_map(|p| [&p.a, &p.b]));
        let counters: Vec<&Counter> = counters.collect();
        for chunk in counters.chunks(500) {
            let values: Vec<Option<u64>> = mget(client, chunk.iter().map(|c| &c.key)).await?;
            for (counter, found) in chunk.iter().zip(values) {
                let n = found.unwrap_or(0);
                checked.acked_writes += counter.ok;
                if n < counter.ok || n > counter.attempts {
                    run.violation(format!(
                        "{}: {n} after {} acknowledged increments of {} sent",
                        counter.key, counter.ok, counter.attempts
                    ));
                }
            }
        }
        checked.counters = self.counters.len() as u64;
        let pair_keys = self.pairs.iter().flat_map(|p| [&p.a.key, &p.b.key]);
        let values: Vec<Option<u64>> = mget(client, pair_keys).await?;
        for (pair, found) in self.pairs.iter().zip(values.chunks(2)) {
            checked.pairs += 1;
            if found[0] != found[1] {
                run.violation(format!(
                    "{} and {} are only incremented together in MULTI/EXEC, found {:?} and {:?}",
                    pair.a.key, pair.b.key, found[0], found[1]
                ));
            }
        }
        Ok(checked)
    }
}

async fn mget<'a>(
    client: &impl Executor,
    keys: impl Iterator<Item = &'a String>,
) -> Result<Vec<Option<u64>>, redis_core::Error> {
    let mut cmd = Cmd::new("MGET");
    let mut any = false;
    for key in keys {
        cmd.push_arg(key);
        any = true;
    }
    if !any {
        return Ok(Vec::new());
    }
    cmd.query(client).await
}
