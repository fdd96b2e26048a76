//! Reply and option types of the server commands: TIME, MEMORY, LATENCY,
//! SLOWLOG, ROLE, FLUSH modes.

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::commands::reply::{Fields, after_epoch, elements, entries, reply, unix_seconds};
use crate::{Cmd, Error, FromValue, Result, ToArgs, Value};

/// A point in time: `TIME`'s `[seconds, microseconds]`, or a Unix time in
/// whole seconds (`LASTSAVE`).
impl FromValue for SystemTime {
    fn from_value(value: Value) -> Result<Self> {
        match reply(value)? {
            Value::Array(items) if items.len() == 2 => {
                let (seconds, micros) = <(u64, u64)>::from_value(Value::Array(items))?;
                after_epoch(Duration::from_secs(seconds) + Duration::from_micros(micros))
            }
            other => unix_seconds(i64::from_value(other)?),
        }
    }
}

/// How `FLUSHDB` / `FLUSHALL` free the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushMode {
    /// `ASYNC`: the keys are gone at once, their memory is freed in the background.
    Async,
    /// `SYNC`: the reply comes after everything is freed.
    Sync,
}

impl ToArgs for FlushMode {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            FlushMode::Async => b"ASYNC",
            FlushMode::Sync => b"SYNC",
        });
    }
}

/// How many elements of a collection `MEMORY USAGE` looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemorySamples {
    /// `SAMPLES 0`: every element (exact, and slow on big collections).
    #[doc(alias = "SAMPLES")]
    All,
    /// `SAMPLES n`: `n` elements, the total estimated from them (the server
    /// samples 5 when not told).
    #[doc(alias = "SAMPLES")]
    Count(u32),
}

impl ToArgs for MemorySamples {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(b"SAMPLES");
        match self {
            MemorySamples::All => cmd.push_bytes(b"0"),
            MemorySamples::Count(n) => n.write_args(cmd),
        }
    }
}

/// The reply of `MEMORY STATS`: the server's memory use by category
/// (`peak.allocated`, `dataset.bytes`, `fragmentation` ...) and per database.
///
/// Every figure is kept as text and read with [`MemoryStats::get`], so a
/// figure a newer server adds is there too; the usual ones have accessors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemoryStats {
    stats: Vec<(String, String)>,
    /// Per database with keys: the overhead of its hash tables.
    pub databases: Vec<DbMemory>,
}

/// One `db.N` entry of `MEMORY STATS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbMemory {
    /// The database number.
    pub db: u32,
    /// Bytes of the main hash table's overhead.
    pub overhead_hashtable_main: u64,
    /// Bytes of the expires hash table's overhead.
    pub overhead_hashtable_expires: u64,
}

impl MemoryStats {
    /// The figure named `name` (`"peak.allocated"`, `"dataset.percentage"`),
    /// parsed as `T`: `None` if missing or not a `T`.
    pub fn get<T: FromStr>(&self, name: &str) -> Option<T> {
        self.stats
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, value)| value.parse().ok())
    }

    /// Every figure as `(name, text)`, in the order received (the `db.N`
    /// entries are in [`MemoryStats::databases`]).
    pub fn stats(&self) -> impl Iterator<Item = (&str, &str)> {
        self.stats.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// `peak.allocated`: the most memory the server has used, in bytes.
    pub fn peak_allocated(&self) -> Option<u64> {
        self.get("peak.allocated")
    }

    /// `total.allocated`: the memory in use now, in bytes.
    pub fn total_allocated(&self) -> Option<u64> {
        self.get("total.allocated")
    }

    /// `dataset.bytes`: the memory the data takes, overhead excluded.
    pub fn dataset_bytes(&self) -> Option<u64> {
        self.get("dataset.bytes")
    }

    /// `keys.count`: the number of keys in all databases.
    pub fn keys_count(&self) -> Option<u64> {
        self.get("keys.count")
    }

    /// `fragmentation`: resident memory over allocated memory.
    pub fn fragmentation(&self) -> Option<f64> {
        self.get("fragmentation")
    }
}

impl FromValue for MemoryStats {
    fn from_value(value: Value) -> Result<Self> {
        let mut out = MemoryStats::default();
        for (name, value) in entries(value, "MEMORY STATS reply")? {
            let name = String::from_value(name)?;
            if let Some(db) = name.strip_prefix("db.").and_then(|n| n.parse().ok()) {
                let mut fields = Fields::new(value, "MEMORY STATS db entry")?;
                out.databases.push(DbMemory {
                    db,
                    overhead_hashtable_main: fields.or_default("overhead.hashtable.main")?,
                    overhead_hashtable_expires: fields.or_default("overhead.hashtable.expires")?,
                });
            } else if let Ok(text) = String::from_value(value) {
                out.stats.push((name, text));
            }
        }
        Ok(out)
    }
}

/// The latest and worst spike of one latency event (`LATENCY LATEST`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencyLatest {
    /// The event (`command`, `fast-command`, `expire-cycle`, `aof-fsync-always` ...).
    pub event: String,
    /// When the latest spike happened.
    pub time: SystemTime,
    /// How long the latest spike took.
    pub latest: Duration,
    /// The longest spike since the server started (or the event was reset).
    pub max: Duration,
}

fn millis(n: i64) -> Result<Duration> {
    u64::try_from(n)
        .map(Duration::from_millis)
        .map_err(|_| Error::protocol(format!("a latency of {n} ms")))
}

impl FromValue for LatencyLatest {
    fn from_value(value: Value) -> Result<Self> {
        let mut items = elements(value, "LATENCY LATEST entry")?.into_iter();
        let mut next = || {
            items
                .next()
                .ok_or_else(|| Error::protocol("LATENCY LATEST entry with fewer than 4 elements"))
        };
        Ok(LatencyLatest {
            event: String::from_value(next()?)?,
            time: unix_seconds(i64::from_value(next()?)?)?,
            latest: millis(i64::from_value(next()?)?)?,
            max: millis(i64::from_value(next()?)?)?,
        })
    }
}

/// One spike of a latency event's history (`LATENCY HISTORY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencySample {
    /// When it happened.
    pub time: SystemTime,
    /// How long it took.
    pub latency: Duration,
}

impl FromValue for LatencySample {
    fn from_value(value: Value) -> Result<Self> {
        let (time, latency) = <(i64, i64)>::from_value(value)?;
        Ok(LatencySample {
            time: unix_seconds(time)?,
            latency: millis(latency)?,
        })
    }
}

/// The latency distribution of one command (`LATENCY HISTOGRAM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencyHistogram {
    /// How many times the command ran.
    pub calls: u64,
    /// `(upper bound, calls)`: how many calls took at most that long,
    /// cumulative, bounds ascending (powers of two microseconds).
    pub buckets: Vec<(Duration, u64)>,
}

impl FromValue for LatencyHistogram {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "LATENCY HISTOGRAM entry")?;
        let buckets: Vec<(u64, u64)> = fields.or_default("histogram_usec")?;
        Ok(LatencyHistogram {
            calls: fields.required("calls")?,
            buckets: buckets
                .into_iter()
                .map(|(usec, calls)| (Duration::from_micros(usec), calls))
                .collect(),
        })
    }
}

/// One entry of the slow log (`SLOWLOG GET`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowlogEntry {
    /// The entry's unique, increasing id.
    pub id: u64,
    /// When the command ran.
    pub time: SystemTime,
    /// How long it took to execute (I/O excluded).
    pub duration: Duration,
    /// The command and its arguments, as the server logged them: at most 32,
    /// each cut at 128 bytes, the last one saying how many more there were,
    /// and secrets (AUTH, ACL SETUSER rules ...) as `(redacted)`.
    pub args: Vec<Bytes>,
    /// The client's `ip:port`.
    pub client_addr: String,
    /// The client's name, if it set one.
    pub client_name: Option<String>,
}

impl FromValue for SlowlogEntry {
    fn from_value(value: Value) -> Result<Self> {
        let mut items = elements(value, "SLOWLOG entry")?.into_iter();
        let mut next = || {
            items
                .next()
                .ok_or_else(|| Error::protocol("SLOWLOG entry with fewer than 6 elements"))
        };
        let id = u64::from_value(next()?)?;
        let time = unix_seconds(i64::from_value(next()?)?)?;
        let duration = Duration::from_micros(u64::from_value(next()?)?);
        let args = Vec::<Bytes>::from_value(next()?)?;
        let client_addr = String::from_value(next()?)?;
        let client_name = String::from_value(next()?)?;
        Ok(SlowlogEntry {
            id,
            time,
            duration,
            args,
            client_addr,
            client_name: (!client_name.is_empty()).then_some(client_name),
        })
    }
}

/// What `ROLE` says a server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A primary (`master`).
    Master {
        /// Its replication offset.
        replication_offset: u64,
        /// The replicas connected to it.
        replicas: Vec<RoleReplica>,
    },
    /// A replica (`slave`).
    Replica {
        /// Its primary's host.
        master_host: String,
        /// Its primary's port.
        master_port: u16,
        /// The state of its link to the primary.
        state: ReplicaLinkState,
        /// The replication offset it has received; `-1` before the first sync.
        replication_offset: i64,
    },
    /// A Sentinel.
    Sentinel {
        /// The names of the primaries it monitors.
        masters: Vec<String>,
    },
}

/// A replica as its primary's `ROLE` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleReplica {
    /// Its host.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The replication offset it acknowledged.
    pub replication_offset: u64,
}

/// The state of a replica's link to its primary (`ROLE` on a replica).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaLinkState {
    /// `none`: no replication.
    None,
    /// `connect`: it must connect to the primary.
    Connect,
    /// `connecting`: it is connecting.
    Connecting,
    /// `handshake`: it is in the replication handshake.
    Handshake,
    /// `sync`: the primary is sending its data set.
    Sync,
    /// `connected`: replication is online.
    Connected,
    /// A state this client does not know, as the server named it.
    Other(String),
}

impl ReplicaLinkState {
    fn parse(state: String) -> ReplicaLinkState {
        match state.as_str() {
            "none" => ReplicaLinkState::None,
            "connect" => ReplicaLinkState::Connect,
            "connecting" => ReplicaLinkState::Connecting,
            "handshake" => ReplicaLinkState::Handshake,
            "sync" => ReplicaLinkState::Sync,
            "connected" => ReplicaLinkState::Connected,
            _ => ReplicaLinkState::Other(state),
        }
    }
}

impl FromValue for RoleReplica {
    fn from_value(value: Value) -> Result<Self> {
        let (host, port, replication_offset) = FromValue::from_value(value)?;
        Ok(RoleReplica {
            host,
            port,
            replication_offset,
        })
    }
}

impl FromValue for Role {
    fn from_value(value: Value) -> Result<Self> {
        let mut items = elements(value, "ROLE reply")?.into_iter();
        let mut next = || {
            items
                .next()
                .ok_or_else(|| Error::protocol("ROLE reply too short"))
        };
        let role = String::from_value(next()?)?;
        match role.as_str() {
            "master" => Ok(Role::Master {
                replication_offset: u64::from_value(next()?)?,
                replicas: Vec::from_value(next()?)?,
            }),
            "slave" | "replica" => Ok(Role::Replica {
                master_host: String::from_value(next()?)?,
                master_port: u16::from_value(next()?)?,
                state: ReplicaLinkState::parse(String::from_value(next()?)?),
                replication_offset: i64::from_value(next()?)?,
            }),
            "sentinel" => Ok(Role::Sentinel {
                masters: Vec::from_value(next()?)?,
            }),
            other => Err(Error::protocol(format!("ROLE replied the role {other:?}"))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn time_reads_seconds_and_microseconds() {
        let time = SystemTime::from_value(Value::Array(vec![bulk("10"), bulk("250")])).unwrap();
        assert_eq!(
            time.duration_since(SystemTime::UNIX_EPOCH).unwrap(),
            Duration::from_micros(10_000_250)
        );
        let lastsave = SystemTime::from_value(Value::Integer(7)).unwrap();
        assert_eq!(
            lastsave.duration_since(SystemTime::UNIX_EPOCH).unwrap(),
            Duration::from_secs(7)
        );
        assert!(SystemTime::from_value(Value::Integer(-1)).is_err());
    }

    #[test]
    fn roles_of_every_kind() {
        let replica = Value::Array(vec![
            bulk("slave"),
            bulk("10.0.0.1"),
            Value::Integer(6379),
            bulk("connected"),
            Value::Integer(-1),
        ]);
        assert_eq!(
            Role::from_value(replica).unwrap(),
            Role::Replica {
                master_host: "10.0.0.1".into(),
                master_port: 6379,
                state: ReplicaLinkState::Connected,
                replication_offset: -1,
            }
        );
        let sentinel = Value::Array(vec![bulk("sentinel"), Value::Array(vec![bulk("m")])]);
        assert_eq!(
            Role::from_value(sentinel).unwrap(),
            Role::Sentinel {
                masters: vec!["m".into()]
            }
        );
        assert!(Role::from_value(Value::Array(vec![bulk("master")])).is_err());
        assert!(Role::from_value(Value::Array(vec![bulk("boss")])).is_err());
    }

    #[test]
    fn memory_stats_read_nested_databases_from_both_shapes() {
        let db = |nested: Value| {
            Value::Array(vec![
                bulk("peak.allocated"),
                Value::Integer(100),
                bulk("db.3"),
                nested,
                bulk("fragmentation"),
                bulk("1.5"),
            ])
        };
        let resp2 = db(Value::Array(vec![
            bulk("overhead.hashtable.main"),
            Value::Integer(7),
        ]));
        let resp3 = db(Value::Map(vec![(
            bulk("overhead.hashtable.main"),
            Value::Integer(7),
        )]));
        for value in [resp2, resp3] {
            let stats = MemoryStats::from_value(value).unwrap();
            assert_eq!(stats.peak_allocated(), Some(100));
            assert_eq!(stats.fragmentation(), Some(1.5));
            assert_eq!(stats.databases[0].db, 3);
            assert_eq!(stats.databases[0].overhead_hashtable_main, 7);
        }
    }
}
