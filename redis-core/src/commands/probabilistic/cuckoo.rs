//! Cuckoo filters: `CF.*`.

use super::{FilterChunk, InfoFields};
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Error, Result, Value};

define_commands! {
    /// Cuckoo filters (`CF.*`): like Bloom filters, with deletion and
    /// counting of (probable) duplicates.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// client.cf_reserve("sessions", 10_000).await?;
    /// client.cf_add("sessions", "s:1").await?;
    /// assert!(client.cf_exists("sessions", "s:1").await?);
    /// assert!(client.cf_del("sessions", "s:1").await?);
    /// # Ok(()) }
    /// ```
    pub trait CuckooCommands;

    /// `CF.RESERVE key capacity`: creates an empty filter for about
    /// `capacity` items. An error if the key exists.
    fn cf_reserve(key: impl ToArgs, capacity: u64) -> () {
        Cmd::new("CF.RESERVE").arg(key).arg(capacity)
    }

    /// `CF.RESERVE key capacity [BUCKETSIZE b] [MAXITERATIONS m]
    /// [EXPANSION e]`: as [`cf_reserve`], with the filter's parameters.
    fn cf_reserve_with(key: impl ToArgs, capacity: u64, options: CuckooReserveOptions) -> () {
        Cmd::new("CF.RESERVE").arg(key).arg(capacity).arg(options)
    }

    /// `CF.ADD key item`: adds the item (again, if it is there; creating a
    /// default filter if the key is missing). Always true; a full filter is
    /// an error.
    fn cf_add(key: impl ToArgs, item: impl ToArgs) -> bool {
        Cmd::new("CF.ADD").arg(key).arg(item)
    }

    /// `CF.ADDNX key item`: adds the item unless it (probably) is there
    /// already; whether it was added.
    fn cf_addnx(key: impl ToArgs, item: impl ToArgs) -> bool {
        Cmd::new("CF.ADDNX").arg(key).arg(item)
    }

    /// `CF.INSERT key ITEMS item...`: [`cf_add`] for each item, creating a
    /// default filter if the key is missing; [`CuckooInsertResult::Full`]
    /// for an item that did not fit.
    fn cf_insert(key: impl ToArgs, items: impl ToArgs) -> Vec<CuckooInsertResult> {
        Cmd::new("CF.INSERT").arg(key).arg("ITEMS").arg(items)
    }

    /// `CF.INSERT key [CAPACITY c | NOCREATE] ITEMS item...`: as
    /// [`cf_insert`], choosing what happens when the key is missing.
    fn cf_insert_with(key: impl ToArgs, items: impl ToArgs, mode: CuckooInsertMode) -> Vec<CuckooInsertResult> {
        Cmd::new("CF.INSERT").arg(key).arg(mode).arg("ITEMS").arg(items)
    }

    /// `CF.INSERTNX key ITEMS item...`: [`cf_addnx`] for each item, creating
    /// a default filter if the key is missing.
    fn cf_insertnx(key: impl ToArgs, items: impl ToArgs) -> Vec<CuckooInsertResult> {
        Cmd::new("CF.INSERTNX").arg(key).arg("ITEMS").arg(items)
    }

    /// `CF.INSERTNX key [CAPACITY c | NOCREATE] ITEMS item...`: as
    /// [`cf_insertnx`], choosing what happens when the key is missing.
    fn cf_insertnx_with(key: impl ToArgs, items: impl ToArgs, mode: CuckooInsertMode) -> Vec<CuckooInsertResult> {
        Cmd::new("CF.INSERTNX").arg(key).arg(mode).arg("ITEMS").arg(items)
    }

    /// `CF.EXISTS key item`: whether the item may be in the filter (false
    /// means certainly not; also for a missing key).
    fn cf_exists(key: impl ToArgs, item: impl ToArgs) -> bool {
        Cmd::new("CF.EXISTS").arg(key).arg(item)
    }

    /// `CF.MEXISTS key item...`: [`cf_exists`] for each item, in order.
    fn cf_mexists(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> {
        Cmd::new("CF.MEXISTS").arg(key).arg(items)
    }

    /// `CF.DEL key item`: removes one copy of the item; false if it was not
    /// there. (Deleting an item that was never added may remove another
    /// item that shares its fingerprint.)
    fn cf_del(key: impl ToArgs, item: impl ToArgs) -> bool {
        Cmd::new("CF.DEL").arg(key).arg(item)
    }

    /// `CF.COUNT key item`: about how many times the item was added (never
    /// less than the truth; 0 for a missing key).
    fn cf_count(key: impl ToArgs, item: impl ToArgs) -> u64 {
        Cmd::new("CF.COUNT").arg(key).arg(item)
    }

    /// `CF.COMPACT key`: frees the room deleted items left in the filter's
    /// sub-filters (worth it after many `CF.DEL`s). An error if the key is
    /// missing.
    fn cf_compact(key: impl ToArgs) -> () {
        Cmd::new("CF.COMPACT").arg(key)
    }

    /// `CF.INFO key`: the filter's sizes, counts and parameters. An error if
    /// the key is missing.
    fn cf_info(key: impl ToArgs) -> CuckooInfo {
        Cmd::new("CF.INFO").arg(key)
    }

    /// `CF.SCANDUMP key iterator`: the next chunk of the filter's dump; see
    /// [`FilterChunk`]. Start with iterator 0.
    fn cf_scandump(key: impl ToArgs, iterator: i64) -> FilterChunk {
        Cmd::new("CF.SCANDUMP").arg(key).arg(iterator)
    }

    /// `CF.LOADCHUNK key iterator data`: restores a chunk [`cf_scandump`]
    /// gave, with its iterator; the chunks in the order they came.
    fn cf_loadchunk(key: impl ToArgs, iterator: i64, data: &[u8]) -> () {
        Cmd::new("CF.LOADCHUNK").arg(key).arg(iterator).arg(data)
    }
}

/// The parameters of [`cf_reserve_with`]; each one left out takes the
/// server's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct CuckooReserveOptions {
    bucket_size: Option<u32>,
    max_iterations: Option<u32>,
    expansion: Option<u32>,
}

impl CuckooReserveOptions {
    /// The server's defaults.
    pub fn new() -> Self {
        CuckooReserveOptions::default()
    }

    /// `BUCKETSIZE b`: items per bucket (1 to 255; default 2). Larger buckets
    /// fill better and give more false positives.
    #[doc(alias = "BUCKETSIZE")]
    pub fn bucket_size(mut self, bucket_size: u32) -> Self {
        self.bucket_size = Some(bucket_size);
        self
    }

    /// `MAXITERATIONS m`: how many times to move items to make room before
    /// growing the filter (default 20).
    #[doc(alias = "MAXITERATIONS")]
    pub fn max_iterations(mut self, max_iterations: u32) -> Self {
        self.max_iterations = Some(max_iterations);
        self
    }

    /// `EXPANSION e`: how much larger each new sub-filter is (default 1; 0
    /// never grows).
    pub fn expansion(mut self, expansion: u32) -> Self {
        self.expansion = Some(expansion);
        self
    }
}

impl ToArgs for CuckooReserveOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(b) = self.bucket_size {
            cmd.push_arg("BUCKETSIZE").push_arg(b);
        }
        if let Some(m) = self.max_iterations {
            cmd.push_arg("MAXITERATIONS").push_arg(m);
        }
        if let Some(e) = self.expansion {
            cmd.push_arg("EXPANSION").push_arg(e);
        }
    }
}

/// What [`cf_insert_with`] and [`cf_insertnx_with`] do when the key is
/// missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CuckooInsertMode {
    /// Creates a filter, for `capacity` items (`CAPACITY c`) or the
    /// server's default.
    Create {
        /// The capacity of the filter to create.
        capacity: Option<u64>,
    },
    /// `NOCREATE`: fails instead (the server answers `ERR not found`).
    NoCreate,
}

impl ToArgs for CuckooInsertMode {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            CuckooInsertMode::Create { capacity } => {
                if let Some(capacity) = capacity {
                    cmd.push_arg("CAPACITY").push_arg(capacity);
                }
            }
            CuckooInsertMode::NoCreate => cmd.push_bytes(b"NOCREATE"),
        }
    }
}

/// What CF.INSERT and CF.INSERTNX did with one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CuckooInsertResult {
    /// The item was added (`1`, RESP3 `true` from CF.INSERT).
    Added,
    /// CF.INSERTNX only: the item (probably) was there already (`0`).
    Exists,
    /// The filter is full and cannot grow: the item was not added (`-1`,
    /// RESP3 `false` from CF.INSERT).
    Full,
}

impl FromValue for CuckooInsertResult {
    fn from_value(value: Value) -> Result<Self> {
        // RESP3 CF.INSERT answers booleans (false: full), RESP2 and
        // CF.INSERTNX integers.
        match Value::from_value(value)?.without_attributes() {
            Value::Boolean(true) => Ok(CuckooInsertResult::Added),
            Value::Boolean(false) => Ok(CuckooInsertResult::Full),
            other => match i64::from_value(other)? {
                1 => Ok(CuckooInsertResult::Added),
                0 => Ok(CuckooInsertResult::Exists),
                -1 => Ok(CuckooInsertResult::Full),
                n => Err(Error::protocol(format!(
                    "CF.INSERT answered {n} for an item (expected 1, 0 or -1)"
                ))),
            },
        }
    }
}

/// What `CF.INFO` says about a cuckoo filter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CuckooInfo {
    /// Bytes allocated (`Size`).
    pub size: u64,
    /// Buckets (`Number of buckets`).
    pub buckets: u64,
    /// Sub-filters (`Number of filters`).
    pub filters: u64,
    /// Items added (`Number of items inserted`).
    pub items_inserted: u64,
    /// Items deleted (`Number of items deleted`).
    pub items_deleted: u64,
    /// Items per bucket (`Bucket size`).
    pub bucket_size: u64,
    /// How much larger each new sub-filter is (`Expansion rate`).
    pub expansion_rate: u64,
    /// Moves tried before growing (`Max iterations`).
    pub max_iterations: u64,
}

impl FromValue for CuckooInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut info = InfoFields::new("CF.INFO", value)?;
        Ok(CuckooInfo {
            size: info.take("Size")?,
            buckets: info.take("Number of buckets")?,
            filters: info.take("Number of filters")?,
            items_inserted: info.take("Number of items inserted")?,
            items_deleted: info.take("Number of items deleted")?,
            bucket_size: info.take("Bucket size")?,
            expansion_rate: info.take("Expansion rate")?,
            max_iterations: info.take("Max iterations")?,
        })
    }
}
