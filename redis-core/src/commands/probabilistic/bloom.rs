//! Bloom filters: `BF.*`.

use super::{FilterChunk, InfoFields};
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Result, Value};

define_commands! {
    /// Bloom filters (`BF.*`): set membership with false positives at a
    /// chosen rate and no false negatives.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// client.bf_reserve("seen", 0.001, 10_000).await?;
    /// assert!(client.bf_add("seen", "url:1").await?);
    /// assert_eq!(client.bf_mexists("seen", ["url:1", "url:2"]).await?, [true, false]);
    /// # Ok(()) }
    /// ```
    pub trait BloomCommands;

    /// `BF.ADD key item`: adds the item (creating a filter with the default
    /// error rate and capacity if the key is missing); false when it was
    /// (probably) there already.
    fn bf_add(key: impl ToArgs, item: impl ToArgs) -> bool {
        Cmd::new("BF.ADD").arg(key).arg(item)
    }

    /// `BF.MADD key item...`: [`bf_add`] for each item, in order.
    fn bf_madd(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> {
        Cmd::new("BF.MADD").arg(key).arg(items)
    }

    /// `BF.EXISTS key item`: whether the item may have been added (false
    /// means certainly not; also for a missing key).
    fn bf_exists(key: impl ToArgs, item: impl ToArgs) -> bool {
        Cmd::new("BF.EXISTS").arg(key).arg(item)
    }

    /// `BF.MEXISTS key item...`: [`bf_exists`] for each item, in order.
    fn bf_mexists(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> {
        Cmd::new("BF.MEXISTS").arg(key).arg(items)
    }

    /// `BF.RESERVE key error_rate capacity`: creates an empty filter for
    /// `capacity` items at a false-positive rate of `error_rate` (0 to 1),
    /// which grows by sub-filters twice as large when full. An error if the
    /// key exists.
    fn bf_reserve(key: impl ToArgs, error_rate: f64, capacity: u64) -> () {
        Cmd::new("BF.RESERVE").arg(key).arg(error_rate).arg(capacity)
    }

    /// `BF.RESERVE key error_rate capacity EXPANSION n | NONSCALING`: as
    /// [`bf_reserve`], choosing how the filter grows.
    fn bf_reserve_with(key: impl ToArgs, error_rate: f64, capacity: u64, scaling: BloomScaling) -> () {
        Cmd::new("BF.RESERVE").arg(key).arg(error_rate).arg(capacity).arg(scaling)
    }

    /// `BF.INSERT key ITEMS item...`: [`bf_madd`], creating the filter with
    /// the server's defaults if the key is missing. A non-scaling filter that
    /// fills up makes the command fail with the server's error (the items
    /// before it were added).
    fn bf_insert(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> {
        Cmd::new("BF.INSERT").arg(key).arg("ITEMS").arg(items)
    }

    /// `BF.INSERT key [CAPACITY c] [ERROR e] [EXPANSION n] [NONSCALING]
    /// [NOCREATE] ITEMS item...`: as [`bf_insert`], with the parameters of a
    /// filter to create, or refusing to create one.
    fn bf_insert_with(key: impl ToArgs, items: impl ToArgs, mode: BloomInsertMode) -> Vec<bool> {
        Cmd::new("BF.INSERT").arg(key).arg(mode).arg("ITEMS").arg(items)
    }

    /// `BF.INFO key`: the filter's capacity, size and counts. An error if
    /// the key is missing.
    fn bf_info(key: impl ToArgs) -> BloomInfo {
        Cmd::new("BF.INFO").arg(key)
    }

    /// `BF.CARD key`: how many items were added (0 for a missing key).
    fn bf_card(key: impl ToArgs) -> u64 {
        Cmd::new("BF.CARD").arg(key)
    }

    /// `BF.SCANDUMP key iterator`: the next chunk of the filter's dump; see
    /// [`FilterChunk`]. Start with iterator 0.
    fn bf_scandump(key: impl ToArgs, iterator: i64) -> FilterChunk {
        Cmd::new("BF.SCANDUMP").arg(key).arg(iterator)
    }

    /// `BF.LOADCHUNK key iterator data`: restores a chunk [`bf_scandump`]
    /// gave, with its iterator; the chunks in the order they came.
    fn bf_loadchunk(key: impl ToArgs, iterator: i64, data: &[u8]) -> () {
        Cmd::new("BF.LOADCHUNK").arg(key).arg(iterator).arg(data)
    }
}

/// How a Bloom filter grows once it holds its capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BloomScaling {
    /// `EXPANSION n`: adds a sub-filter `n` times as large as the last one
    /// (the server's default is 2).
    Expansion(u32),
    /// `NONSCALING`: never grows; adding to a full filter is an error.
    NonScaling,
}

impl ToArgs for BloomScaling {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            BloomScaling::Expansion(n) => {
                cmd.push_arg("EXPANSION").push_arg(n);
            }
            BloomScaling::NonScaling => cmd.push_bytes(b"NONSCALING"),
        }
    }
}

/// The parameters of a Bloom filter BF.INSERT creates; each one left out
/// takes the server's default.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[must_use]
pub struct BloomParams {
    capacity: Option<u64>,
    error_rate: Option<f64>,
    scaling: Option<BloomScaling>,
}

impl BloomParams {
    /// The server's defaults.
    pub fn new() -> Self {
        BloomParams::default()
    }

    /// `CAPACITY c`: the number of items the first sub-filter holds.
    pub fn capacity(mut self, capacity: u64) -> Self {
        self.capacity = Some(capacity);
        self
    }

    /// `ERROR e`: the false-positive rate, between 0 and 1.
    #[doc(alias = "ERROR")]
    pub fn error_rate(mut self, error_rate: f64) -> Self {
        self.error_rate = Some(error_rate);
        self
    }

    /// `EXPANSION n` or `NONSCALING` (the last one set wins).
    #[doc(alias = "EXPANSION")]
    pub fn scaling(mut self, scaling: BloomScaling) -> Self {
        self.scaling = Some(scaling);
        self
    }
}

/// What [`bf_insert_with`] does when the key is missing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BloomInsertMode {
    /// Creates the filter with these parameters.
    Create(BloomParams),
    /// `NOCREATE`: fails instead (the server answers `ERR not found`).
    NoCreate,
}

impl ToArgs for BloomInsertMode {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            BloomInsertMode::Create(params) => {
                if let Some(capacity) = params.capacity {
                    cmd.push_arg("CAPACITY").push_arg(capacity);
                }
                if let Some(error_rate) = params.error_rate {
                    cmd.push_arg("ERROR").push_arg(error_rate);
                }
                cmd.push_arg(params.scaling);
            }
            BloomInsertMode::NoCreate => cmd.push_bytes(b"NOCREATE"),
        }
    }
}

/// What `BF.INFO` says about a Bloom filter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BloomInfo {
    /// How many items fit before it grows (`Capacity`; all sub-filters).
    pub capacity: u64,
    /// Bytes allocated (`Size`).
    pub size: u64,
    /// Sub-filters (`Number of filters`).
    pub filters: u64,
    /// Items added (`Number of items inserted`).
    pub items: u64,
    /// How much larger each new sub-filter is (`Expansion rate`); `None`
    /// for a non-scaling filter.
    pub expansion_rate: Option<u64>,
}

impl FromValue for BloomInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut info = InfoFields::new("BF.INFO", value)?;
        Ok(BloomInfo {
            capacity: info.take("Capacity")?,
            size: info.take("Size")?,
            filters: info.take("Number of filters")?,
            items: info.take("Number of items inserted")?,
            expansion_rate: info.take("Expansion rate")?,
        })
    }
}
