//! `cached_get_seq` and `cached_conc64`: redis-core with `Config::with_client_cache` against
//! the same client without it, on the same keys in the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use redis_core::commands::{ConnectionCommands, StringCommands};
use redis_core::{CacheConfig, Client, Cmd, Pipeline, Value, commands};

use super::{Feature, Step, measure_steps};
use crate::clients::{Result, ours_config};
use crate::workload::{Limit, Sample};

/// Keys `cached_get_seq` cycles through (all fit the default cache of 10,000 entries).
const HOT_KEYS: u64 = 1000;
/// Keys of `cached_conc64`.
const CONC_KEYS: u64 = 100_000;
/// Tasks of `cached_conc64`; task `t` owns the keys `i` with `i % 64 == t`.
const CONC_TASKS: u64 = 64;
/// One step in this many of `cached_conc64` is a SET, sent by the second client.
const WRITE_EVERY: u64 = 10;
/// Value length.
const VALUE_LEN: usize = 64;
/// Keys read back through the cache and compared with the server after each cached run.
const SAMPLE_KEYS: u64 = 1000;

/// The value of conc64's key `i` at version `v`: `{i:08}:{v:012}:` padded with `x` to 64 bytes.
fn value(i: u64, version: u64) -> Bytes {
    let mut text = format!("{i:08}:{version:012}:");
    text.extend(std::iter::repeat_n('x', VALUE_LEN - text.len()));
    Bytes::from(text)
}

/// The version in a value of key `i`, or an error if it is not one.
fn version_of(i: u64, got: &[u8]) -> Result<u64> {
    let text = std::str::from_utf8(got).map_err(|_| format!("key {i}: a value not UTF-8"))?;
    let mut parts = text.split(':');
    let (Some(key), Some(version), Some(pad)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("key {i}: value {text:?}").into());
    };
    if got.len() != VALUE_LEN
        || key.parse::<u64>().ok() != Some(i)
        || pad.bytes().any(|b| b != b'x')
    {
        return Err(format!("key {i}: value {text:?}").into());
    }
    Ok(version.parse()?)
}

fn hot_key(i: u64) -> String {
    format!("bench:fcg:{i}")
}

fn conc_key(i: u64) -> String {
    format!("bench:fcc:{i}")
}

/// The clients and the state of one cache row, kept from run to run.
pub struct CacheRow {
    workload: Feature,
    cached: Client,
    uncached: Client,
    /// `cached_conc64`'s writer: a second client, never cached.
    writer: Client,
    /// The version last written of every conc64 key.
    versions: Arc<Vec<AtomicU64>>,
    /// The row's keys, and their first values, made once so that a step allocates neither.
    keys: Arc<Vec<(String, Bytes)>>,
    /// Cache counters summed over the cached runs (warm-ups included, the first reads not).
    hits: u64,
    misses: u64,
    sampled: u64,
}

impl CacheRow {
    /// Connects the clients and writes the row's keys, unmeasured.
    pub async fn new(workload: Feature, url: &str, setup: &Client) -> Result<CacheRow> {
        let mut cache = CacheConfig::new();
        if workload == Feature::CachedConc64 {
            // The README's example: room for the whole key set (the default holds 10,000).
            cache = cache.with_max_entries(CONC_KEYS as usize);
        }
        let cached = Client::connect(ours_config(url, 3)?.with_client_cache(cache)).await?;
        let uncached = Client::connect(ours_config(url, 3)?).await?;
        let writer = Client::connect(ours_config(url, 3)?).await?;
        let count = if workload == Feature::CachedGetSeq {
            HOT_KEYS
        } else {
            CONC_KEYS
        };
        let keys: Vec<u64> = (0..count).collect();
        for chunk in keys.chunks(1000) {
            let mut pipe = Pipeline::<Vec<()>>::default();
            for &i in chunk {
                let key = if workload == Feature::CachedGetSeq {
                    hot_key(i)
                } else {
                    conc_key(i)
                };
                pipe.push(commands::set(key, value(i, 0)));
            }
            pipe.query(setup).await?;
        }
        if workload == Feature::CachedConc64 {
            // Every key read once through the cache, unmeasured: the warm-ups alone would
            // touch each of the 100,000 keys about twice, so a short run would measure the
            // cold misses rather than the cache.
            let tasks: Vec<_> = (0..CONC_TASKS)
                .map(|task| {
                    let cached = cached.clone();
                    tokio::spawn(async move {
                        for i in (task..CONC_KEYS).step_by(CONC_TASKS as usize) {
                            let got: Option<Bytes> =
                                cached.get(conc_key(i)).await.map_err(|e| e.to_string())?;
                            if got.as_deref() != Some(&value(i, 0)[..]) {
                                return Err(format!("GET {} returned {got:?}", conc_key(i)));
                            }
                        }
                        Ok(())
                    })
                })
                .collect();
            for task in tasks {
                task.await?.map_err(crate::clients::Error::from)?;
            }
        }
        Ok(CacheRow {
            workload,
            cached,
            uncached,
            writer,
            versions: Arc::new((0..count).map(|_| AtomicU64::new(0)).collect()),
            keys: Arc::new(
                (0..count)
                    .map(|i| {
                        let key = if workload == Feature::CachedGetSeq {
                            hot_key(i)
                        } else {
                            conc_key(i)
                        };
                        (key, value(i, 0))
                    })
                    .collect(),
            ),
            hits: 0,
            misses: 0,
            sampled: 0,
        })
    }

    /// A warm-up and a measured run, through the cached or the uncached client.
    pub async fn measure(&mut self, cached: bool, warmup: Limit, limit: Limit) -> Result<Sample> {
        let reader = if cached {
            self.cached.clone()
        } else {
            self.uncached.clone()
        };
        let before = self.cached.cache_stats().unwrap_or_default();
        let sample = if self.workload == Feature::CachedGetSeq {
            let keys = self.keys.clone();
            let step: Arc<Step> = Arc::new(move |_task, n| {
                let (reader, keys) = (reader.clone(), keys.clone());
                Box::pin(async move {
                    let (key, expected) = &keys[(n % HOT_KEYS) as usize];
                    let got: Option<Bytes> = reader.get(key.as_str()).await?;
                    if got.as_ref() != Some(expected) {
                        return Err(format!("GET {key} returned {got:?}").into());
                    }
                    Ok(1)
                })
            });
            measure_steps(1, warmup, limit, true, step).await?
        } else {
            let writer = self.writer.clone();
            let versions = self.versions.clone();
            let keys = self.keys.clone();
            let step: Arc<Step> = Arc::new(move |task, n| {
                let (reader, writer, versions, keys) = (
                    reader.clone(),
                    writer.clone(),
                    versions.clone(),
                    keys.clone(),
                );
                Box::pin(async move {
                    // A scattered key among the task's own: only this task writes it.
                    let owned = CONC_KEYS / CONC_TASKS;
                    let j = (n.wrapping_mul(2_654_435_761) ^ task.wrapping_mul(7919)) % owned;
                    let i = task + CONC_TASKS * j;
                    let version = &versions[i as usize];
                    if (n + task) % WRITE_EVERY == WRITE_EVERY - 1 {
                        let next = version.load(Ordering::Relaxed) + 1;
                        let reply: Value = Cmd::new("SET")
                            .arg(conc_key(i))
                            .arg(value(i, next))
                            .query(&writer)
                            .await?;
                        if !matches!(&reply, Value::SimpleString(s) if s == "OK") {
                            return Err(format!("SET replied {reply:?}").into());
                        }
                        version.store(next, Ordering::Relaxed);
                    } else {
                        let got: Option<Bytes> = reader.get(keys[i as usize].0.as_str()).await?;
                        let got =
                            got.ok_or_else(|| format!("GET {} found nothing", conc_key(i)))?;
                        let read = version_of(i, &got)?;
                        let written = version.load(Ordering::Relaxed);
                        // The other client's SET may be seen one round trip of this client
                        // late (the invalidation travels on this client's connection): the
                        // version written last or the one before, never older, never unwritten.
                        if read > written || read + 1 < written {
                            return Err(format!(
                                "GET {} read version {read}, {written} was written last",
                                conc_key(i)
                            )
                            .into());
                        }
                    }
                    Ok(1)
                })
            });
            measure_steps(CONC_TASKS, warmup, limit, true, step).await?
        };
        if cached {
            let after = self.cached.cache_stats().unwrap_or_default();
            self.hits += after.hits - before.hits;
            self.misses += after.misses - before.misses;
            self.check_sample().await?;
        }
        Ok(sample)
    }

    /// After one round trip on the cached client, reads keys through its cache and compares
    /// them with what the server holds (asked on the uncached client).
    async fn check_sample(&mut self) -> Result<()> {
        let pong: String = self.cached.ping().await?;
        if pong != "PONG" {
            return Err(format!("PING replied {pong:?}").into());
        }
        let count = self.versions.len() as u64;
        for s in 0..SAMPLE_KEYS {
            let i = (s * 7919) % count;
            let key = if self.workload == Feature::CachedGetSeq {
                hot_key(i)
            } else {
                conc_key(i)
            };
            let cached: Option<Bytes> = self.cached.get(&key).await?;
            let stored: Option<Bytes> = self.uncached.get(&key).await?;
            if cached != stored || stored.is_none() {
                return Err(format!(
                    "{key}: the cache gave {cached:?}, the server holds {stored:?}"
                )
                .into());
            }
        }
        self.sampled += SAMPLE_KEYS;
        Ok(())
    }

    /// What the cache did, for the notes.
    pub fn summary(&self) -> String {
        let total = (self.hits + self.misses).max(1);
        format!(
            "{}: cache hits {:.1}% of {} cached GETs (warm-ups included); {} keys read back \
             through the cache after the runs equalled the server's values",
            self.workload.name(),
            100.0 * self.hits as f64 / total as f64,
            self.hits + self.misses,
            self.sampled
        )
    }
}
