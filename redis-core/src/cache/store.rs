//! Where cached replies are kept: the [`CacheStore`] trait and the built-in
//! least-recently-used store.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use bytes::Bytes;

use crate::Value;

/// One cached reply: the command that read it (its name and arguments as
/// they go on the wire), the key it read, the reply, and when it was read.
#[derive(Debug, Clone)]
pub struct CacheEntry {
    command: Bytes,
    key: Bytes,
    value: Value,
    stored_at: Instant,
    size: usize,
}

impl CacheEntry {
    pub(crate) fn new(command: Bytes, key: Bytes, value: Value) -> CacheEntry {
        let size = command.len() + key.len() + value_size(&value);
        CacheEntry {
            command,
            key,
            value,
            stored_at: Instant::now(),
            size,
        }
    }

    /// The command's name and arguments, as they go on the wire
    /// (`$3\r\nGET\r\n$1\r\nk\r\n`, without the array header): the
    /// entry's identity.
    pub fn command(&self) -> &[u8] {
        &self.command
    }

    /// The key the command read; an invalidation of this key drops the entry.
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// The server's reply.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// When the reply arrived.
    pub fn stored_at(&self) -> Instant {
        self.stored_at
    }

    /// About how many bytes the entry takes in memory.
    pub fn size(&self) -> usize {
        self.size
    }
}

/// An estimate of a reply's size in memory: its bytes plus a value's
/// footprint for each element.
fn value_size(value: &Value) -> usize {
    const NODE: usize = std::mem::size_of::<Value>();
    NODE + match value {
        Value::SimpleString(bytes) | Value::BulkString(bytes) => bytes.len(),
        Value::Verbatim { text, .. } => text.len(),
        Value::BigNumber(text) => text.len(),
        Value::Error(error) => error.message().len() + error.code().len(),
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            items.iter().map(value_size).sum()
        }
        Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| value_size(k) + value_size(v))
            .sum(),
        Value::Attribute { attributes, value } => {
            value_size(value)
                + attributes
                    .iter()
                    .map(|(k, v)| value_size(k) + value_size(v))
                    .sum::<usize>()
        }
        _ => 0,
    }
}

/// Keeps a client's cached replies. The client calls it under its own lock,
/// one call at a time, so a store needs no locking of its own; every call
/// should be quick (no I/O), since commands wait for it.
///
/// The client decides what is cached and when an entry is stale; a store
/// decides only what to keep when it is full. It must forget an entry when
/// told to ([`remove_key`](CacheStore::remove_key),
/// [`clear`](CacheStore::clear)): the cache is only correct if an
/// invalidated reply is never returned by [`get`](CacheStore::get) again.
///
/// ```
/// use std::collections::HashMap;
/// use redis_core::{CacheConfig, CacheEntry, CacheStore};
///
/// /// Unbounded, for illustration.
/// #[derive(Default)]
/// struct Everything(HashMap<Vec<u8>, CacheEntry>);
///
/// impl CacheStore for Everything {
///     fn get(&mut self, command: &[u8]) -> Option<&CacheEntry> {
///         self.0.get(command)
///     }
///     fn insert(&mut self, entry: CacheEntry) -> usize {
///         self.0.insert(entry.command().to_vec(), entry);
///         0
///     }
///     fn remove(&mut self, command: &[u8]) -> bool {
///         self.0.remove(command).is_some()
///     }
///     fn remove_key(&mut self, key: &[u8]) -> usize {
///         let before = self.0.len();
///         self.0.retain(|_, entry| entry.key() != key);
///         before - self.0.len()
///     }
///     fn clear(&mut self) -> usize {
///         let dropped = self.0.len();
///         self.0.clear();
///         dropped
///     }
///     fn len(&self) -> usize {
///         self.0.len()
///     }
/// }
///
/// let cache = CacheConfig::new().with_store(Everything::default);
/// # let _ = cache;
/// ```
pub trait CacheStore: Send + 'static {
    /// The entry for this command, if kept; counts as a use of it.
    fn get(&mut self, command: &[u8]) -> Option<&CacheEntry>;

    /// Keeps `entry`, replacing one for the same command; returns how many
    /// other entries were dropped to make room.
    fn insert(&mut self, entry: CacheEntry) -> usize;

    /// Forgets the entry for this command; true if there was one.
    fn remove(&mut self, command: &[u8]) -> bool;

    /// Forgets every entry that read `key`; returns how many there were.
    fn remove_key(&mut self, key: &[u8]) -> usize;

    /// Forgets everything; returns how many entries there were.
    fn clear(&mut self) -> usize;

    /// How many entries are kept.
    fn len(&self) -> usize;

    /// True when nothing is kept.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The built-in store: at most so many entries and bytes, dropping the
/// least recently used first.
///
/// ```
/// use redis_core::{CacheStore, LruStore};
/// let store = LruStore::new(1_000, 1 << 20);
/// assert!(store.is_empty());
/// ```
#[derive(Debug)]
pub struct LruStore {
    max_entries: usize,
    max_bytes: usize,
    bytes: usize,
    /// Bumped on every use.
    clock: u64,
    entries: HashMap<Bytes, Slot>,
    /// Every entry once, by the use it was listed at, least recent first.
    /// A use only stamps the slot (a hit must stay cheap: no reordering of
    /// 100,000 entries); eviction moves an entry used since it was listed
    /// to its latest use instead of dropping it, so the one dropped is
    /// still the least recently used.
    order: BTreeMap<u64, Bytes>,
    /// Key -> the commands cached for it (mostly one).
    by_key: HashMap<Bytes, Vec<Bytes>>,
}

#[derive(Debug)]
struct Slot {
    entry: CacheEntry,
    /// Its last use.
    used: u64,
    /// Its place in `order`: its last use when it was listed.
    listed: u64,
}

impl LruStore {
    /// A store of at most `max_entries` entries and about `max_bytes`
    /// bytes (see [`CacheEntry::size`]); an entry larger than that is not
    /// kept at all.
    pub fn new(max_entries: usize, max_bytes: usize) -> LruStore {
        LruStore {
            max_entries,
            max_bytes,
            bytes: 0,
            clock: 0,
            entries: HashMap::new(),
            order: BTreeMap::new(),
            by_key: HashMap::new(),
        }
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn drop_least_recent(&mut self) -> bool {
        while let Some((listed, command)) = self.order.pop_first() {
            match self.entries.get_mut(&command) {
                Some(slot) if slot.used != listed => {
                    // Used since it was listed: listed again at that use.
                    slot.listed = slot.used;
                    self.order.insert(slot.used, command);
                }
                _ => {
                    self.forget(&command);
                    return true;
                }
            }
        }
        false
    }

    /// Removes `command`'s entry from every index.
    fn forget(&mut self, command: &[u8]) -> Option<CacheEntry> {
        let slot = self.entries.remove(command)?;
        self.order.remove(&slot.listed);
        self.bytes = self.bytes.saturating_sub(slot.entry.size);
        if let Some(commands) = self.by_key.get_mut(slot.entry.key()) {
            commands.retain(|c| c.as_ref() != command);
            if commands.is_empty() {
                self.by_key.remove(slot.entry.key());
            }
        }
        Some(slot.entry)
    }
}

impl CacheStore for LruStore {
    fn get(&mut self, command: &[u8]) -> Option<&CacheEntry> {
        let now = self.tick();
        let slot = self.entries.get_mut(command)?;
        slot.used = now;
        Some(&slot.entry)
    }

    fn insert(&mut self, entry: CacheEntry) -> usize {
        self.forget(entry.command());
        if entry.size > self.max_bytes || self.max_entries == 0 {
            return 0;
        }
        let mut dropped = 0;
        while self.entries.len() >= self.max_entries || self.bytes + entry.size > self.max_bytes {
            if !self.drop_least_recent() {
                break;
            }
            dropped += 1;
        }
        let used = self.tick();
        self.bytes += entry.size;
        self.order.insert(used, entry.command.clone());
        (self.by_key.entry(entry.key.clone()).or_default()).push(entry.command.clone());
        self.entries.insert(
            entry.command.clone(),
            Slot {
                entry,
                used,
                listed: used,
            },
        );
        dropped
    }

    fn remove(&mut self, command: &[u8]) -> bool {
        self.forget(command).is_some()
    }

    fn remove_key(&mut self, key: &[u8]) -> usize {
        let Some(commands) = self.by_key.remove(key) else {
            return 0;
        };
        commands
            .iter()
            .filter(|command| self.forget(command).is_some())
            .count()
    }

    fn clear(&mut self) -> usize {
        let dropped = self.entries.len();
        self.entries.clear();
        self.order.clear();
        self.by_key.clear();
        self.bytes = 0;
        dropped
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(command: &str, key: &str, value: &str) -> CacheEntry {
        CacheEntry::new(
            Bytes::copy_from_slice(command.as_bytes()),
            Bytes::copy_from_slice(key.as_bytes()),
            Value::BulkString(Bytes::copy_from_slice(value.as_bytes())),
        )
    }

    #[test]
    fn drops_the_least_recently_used_when_full() {
        let mut store = LruStore::new(2, usize::MAX);
        assert_eq!(store.insert(entry("GET a", "a", "1")), 0);
        assert_eq!(store.insert(entry("GET b", "b", "2")), 0);
        assert!(store.get(b"GET a").is_some());
        assert_eq!(store.insert(entry("GET c", "c", "3")), 1);
        assert!(store.get(b"GET b").is_none());
        assert!(store.get(b"GET a").is_some());
        assert!(store.get(b"GET c").is_some());
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn keeps_to_its_byte_budget() {
        let one = entry("GET a", "a", "1").size();
        let mut store = LruStore::new(100, one * 2);
        store.insert(entry("GET a", "a", "1"));
        store.insert(entry("GET b", "b", "2"));
        assert_eq!(store.insert(entry("GET c", "c", "3")), 1);
        assert_eq!(store.len(), 2);
        assert!(store.bytes <= one * 2);
        // Larger than the whole budget: not kept, nothing dropped for it.
        let huge = entry("GET d", "d", &"x".repeat(one * 3));
        assert_eq!(store.insert(huge), 0);
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn a_key_drops_every_command_that_read_it() {
        let mut store = LruStore::new(100, usize::MAX);
        store.insert(entry("HGET h f", "h", "1"));
        store.insert(entry("HGETALL h", "h", "2"));
        store.insert(entry("GET x", "x", "3"));
        assert_eq!(store.remove_key(b"h"), 2);
        assert_eq!(store.len(), 1);
        assert!(store.get(b"HGET h f").is_none());
        assert_eq!(store.remove_key(b"h"), 0);
        // Replacing an entry keeps one index line for it.
        store.insert(entry("GET x", "x", "4"));
        assert_eq!(store.remove_key(b"x"), 1);
        assert!(store.is_empty());
        assert_eq!(store.bytes, 0);
        assert!(store.order.is_empty() && store.by_key.is_empty());
    }
}
