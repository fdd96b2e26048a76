//! Client-side caching over RESP3 `CLIENT TRACKING`.
//!
//! The shared connection asks the server to track what it reads (on every
//! connect, see [`tracking`]); replies to cacheable reads are kept, and the
//! server's invalidation frames drop them. They are handled on the
//! connection's own task before any reply behind them is delivered (a
//! [`Tap`](crate::connection::Tap)), so after any round trip on the client
//! the cache knows of every change the server told it of before it.
//!
//! What makes it safe:
//!
//! - A loss of the connection (invalidations may have been missed) and a
//!   reconnect forget everything, as does an invalidation of everything
//!   (FLUSHDB, FLUSHALL, the server's tracking table full) and FLUSHDB,
//!   FLUSHALL or SWAPDB sent by this client.
//! - A read is cached only if nothing invalidated its key (nor everything)
//!   between the moment it was queued and the moment its reply was taken:
//!   each key being read carries a generation that invalidations bump, and
//!   the whole cache an epoch that flushes bump. A reply read while an
//!   invalidation of its key was on its way is thus never kept.
//! - This client's own writes drop the keys they name when they are sent:
//!   the server tells the writer of its own change only after its reply.
//!
//! Concurrent misses of one command make one request: the first caller
//! sends it, the others wait for its reply (and try again themselves if it
//! is cancelled).

mod config;
mod store;
pub(crate) mod tracking;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::watch;

pub use config::CacheConfig;
pub use store::{CacheEntry, CacheStore, LruStore};

use crate::cmd_info::{cacheable_key, empties_databases, is_read_only};
use crate::connection::ConnectionEvent;
use crate::sync::lock;
use crate::{Cmd, Result, Value};
use tracking::{Invalidation, invalidation};

/// The counters of a client-side cache, from
/// [`Client::cache_stats`](crate::Client::cache_stats).
///
/// ```no_run
/// # async fn run(client: redis_core::Client) -> redis_core::Result<()> {
/// if let Some(stats) = client.cache_stats() {
///     println!("{} hits, {} misses", stats.hits, stats.misses);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Reads answered from the cache, without a round trip.
    pub hits: u64,
    /// Cacheable reads that were not in the cache (including those that
    /// waited for another caller's identical read instead of sending).
    pub misses: u64,
    /// Entries dropped to make room, or because their TTL ran out.
    pub evictions: u64,
    /// Entries dropped because their key changed, everything was flushed,
    /// or the connection was lost.
    pub invalidations: u64,
    /// Entries held now.
    pub entries: u64,
}

/// A client's cache: its settings, its store and what is being read.
pub(crate) struct Cache {
    config: CacheConfig,
    state: Mutex<State>,
}

struct State {
    store: Box<dyn CacheStore>,
    /// Commands being read, by their encoding: later callers wait for them.
    flights: HashMap<Bytes, Flight>,
    /// Names the next flight.
    next_flight: u64,
    /// Keys being read: how many reads, and their generation.
    reading: HashMap<Bytes, Reading>,
    /// Bumped when everything is forgotten.
    epoch: u64,
    stats: CacheStats,
}

struct Flight {
    id: u64,
    done: watch::Receiver<Option<Result<Value>>>,
    /// Its key's generation and the epoch when it was sent: once either
    /// moved on, its reply may predate a change a later caller knows of,
    /// so that caller sends its own read instead of waiting for this one.
    generation: u64,
    epoch: u64,
}

struct Reading {
    readers: usize,
    generation: u64,
}

/// What to do with a command, according to the cache.
pub(crate) enum Lookup {
    /// Not a cacheable read: send it as usual.
    Pass,
    /// The cached reply.
    Hit(Value),
    /// A miss: send it, then hand the reply to the ticket.
    Lead(Ticket),
    /// The same read is on its way for another caller: wait for its reply
    /// (`None` from the channel's end: that caller gave up; look again).
    Follow(watch::Receiver<Option<Result<Value>>>),
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// A cache with `config`'s settings, after checking them.
    pub(crate) fn new(config: CacheConfig) -> Result<Cache> {
        config.check()?;
        Ok(Cache {
            state: Mutex::new(State {
                store: config.make_store(),
                flights: HashMap::new(),
                reading: HashMap::new(),
                next_flight: 0,
                epoch: 0,
                stats: CacheStats::default(),
            }),
            config,
        })
    }

    pub(crate) fn stats(&self) -> CacheStats {
        let state = lock(&self.state);
        CacheStats {
            entries: u64::try_from(state.store.len()).unwrap_or(u64::MAX),
            ..state.stats
        }
    }

    /// Hears the shared connection's events, on its own task, in wire order.
    pub(crate) fn on_event(&self, event: &ConnectionEvent) {
        match event {
            ConnectionEvent::Push(frame) => match invalidation(frame) {
                Some(Invalidation::Keys(keys)) => {
                    let mut state = lock(&self.state);
                    for key in &keys {
                        state.invalidate(key);
                    }
                }
                Some(Invalidation::All) => lock(&self.state).flush(),
                None => {}
            },
            // Invalidations may have been missed while the connection was
            // down, and the new one tracks nothing read before it.
            ConnectionEvent::Lost { .. }
            | ConnectionEvent::Replaced { .. }
            | ConnectionEvent::Connected { .. } => {
                lock(&self.state).flush();
            }
            _ => {}
        }
    }

    /// Drops what this client's own writes among `cmds` change: before they
    /// are sent (the server tells a writer of its own change only after its
    /// reply, and by then the writer may already have read its key again),
    /// and, for writes on another connection (a dedicated one), once more
    /// after their reply, since the invalidation reaches the shared
    /// connection in its own time and reads made meanwhile may have cached
    /// the old value.
    pub(crate) fn forget_written(&self, cmds: &[Cmd]) {
        for cmd in cmds {
            // Reads first: every cached GET passes here, and the read-only
            // test is one table lookup where the database-emptying one
            // compares the name three times.
            if is_read_only(cmd) {
                continue;
            }
            if empties_databases(cmd) {
                lock(&self.state).flush();
            } else {
                let keys: Vec<&[u8]> = cmd.keys().collect();
                if !keys.is_empty() {
                    let mut state = lock(&self.state);
                    keys.into_iter().for_each(|key| state.invalidate(key));
                }
            }
        }
    }

    /// Looks `cmd` up: a hit, or who sends it.
    pub(crate) fn lookup(self: &Arc<Cache>, cmd: &Cmd) -> Lookup {
        let Some(key) = cacheable_key(cmd) else {
            return Lookup::Pass;
        };
        if !self.config.allows(cmd.name()) || !self.config.tracks(key) {
            return Lookup::Pass;
        }
        // Looked up by the command's own bytes: a hit allocates nothing.
        let command = cmd.wire_args();
        let mut state = lock(&self.state);
        let state = &mut *state;
        let ttl = self.config.ttl;
        let found = state.store.get(command).map(|entry| {
            let fresh = ttl.is_none_or(|ttl| entry.stored_at().elapsed() < ttl);
            fresh.then(|| entry.value().clone())
        });
        match found {
            Some(Some(value)) => {
                state.stats.hits += 1;
                return Lookup::Hit(value);
            }
            Some(None) => {
                state.store.remove(command);
                state.stats.evictions += 1;
            }
            None => {}
        }
        state.stats.misses += 1;
        if let Some(flight) = state.flights.get(command) {
            let current = state.reading.get(key).map(|reading| reading.generation);
            if flight.epoch == state.epoch && current == Some(flight.generation) {
                return Lookup::Follow(flight.done.clone());
            }
        }
        let command = Bytes::copy_from_slice(command);
        let key = Bytes::copy_from_slice(key);
        let reading = state.reading.entry(key.clone()).or_insert(Reading {
            readers: 0,
            generation: 0,
        });
        reading.readers += 1;
        let generation = reading.generation;
        let (done, receiver) = watch::channel(None);
        let id = state.next_flight;
        state.next_flight += 1;
        let flight = Flight {
            id,
            done: receiver,
            generation,
            epoch: state.epoch,
        };
        // Replaces a flight that was overtaken by an invalidation: later
        // callers wait for this one.
        state.flights.insert(command.clone(), flight);
        Lookup::Lead(Ticket {
            id,
            generation,
            epoch: state.epoch,
            cache: self.clone(),
            command,
            key,
            done,
        })
    }
}

impl State {
    fn invalidate(&mut self, key: &[u8]) {
        if let Some(reading) = self.reading.get_mut(key) {
            reading.generation += 1;
        }
        let dropped = self.store.remove_key(key);
        self.stats.invalidations += u64::try_from(dropped).unwrap_or(u64::MAX);
    }

    fn flush(&mut self) {
        self.epoch += 1;
        let dropped = self.store.clear();
        self.stats.invalidations += u64::try_from(dropped).unwrap_or(u64::MAX);
    }
}

/// The caller that sends a missed read: it stores the reply if nothing
/// invalidated it meanwhile, and hands it to the callers waiting for it.
/// Dropped without a reply (the caller's future was dropped), it lets them
/// look again.
pub(crate) struct Ticket {
    id: u64,
    cache: Arc<Cache>,
    command: Bytes,
    key: Bytes,
    generation: u64,
    epoch: u64,
    done: watch::Sender<Option<Result<Value>>>,
}

impl Ticket {
    /// The read's outcome: kept if still valid, and told to the waiters.
    pub(crate) fn finish(self, outcome: &Result<Value>) {
        if let Ok(value) = outcome {
            if !matches!(value, Value::Error(_)) {
                let mut state = lock(&self.cache.state);
                let state = &mut *state;
                let unchanged = state.epoch == self.epoch
                    && state
                        .reading
                        .get(&self.key)
                        .is_some_and(|reading| reading.generation == self.generation);
                if unchanged {
                    let entry =
                        CacheEntry::new(self.command.clone(), self.key.clone(), value.clone());
                    let dropped = state.store.insert(entry);
                    state.stats.evictions += u64::try_from(dropped).unwrap_or(u64::MAX);
                }
            }
        }
        self.done.send_replace(Some(outcome.clone()));
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = lock(&self.cache.state);
        if state
            .flights
            .get(&self.command)
            .is_some_and(|flight| flight.id == self.id)
        {
            state.flights.remove(&self.command);
        }
        if let Some(reading) = state.reading.get_mut(&self.key) {
            reading.readers = reading.readers.saturating_sub(1);
            if reading.readers == 0 {
                state.reading.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests;
