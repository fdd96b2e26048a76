//! Top-k: `TOPK.*`.

use super::InfoFields;
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Result, Value};

define_commands! {
    /// Top-k (`TOPK.*`): the `k` most frequent items of a stream, kept
    /// approximately in fixed memory.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// client.topk_reserve("searches", 3).await?;
    /// let expelled: Vec<Option<String>> = client.topk_add("searches", ["rust", "tokio"]).await?;
    /// let top: Vec<(String, u64)> = client.topk_list_withcount("searches").await?;
    /// # let _ = (expelled, top); Ok(()) }
    /// ```
    pub trait TopKCommands;

    /// `TOPK.RESERVE key k`: creates a top-k of `k` items with the server's
    /// default width (8), depth (7) and decay (0.9). An error if the key
    /// exists.
    fn topk_reserve(key: impl ToArgs, k: u64) -> () {
        Cmd::new("TOPK.RESERVE").arg(key).arg(k)
    }

    /// `TOPK.RESERVE key k width depth decay`: as [`topk_reserve`], with
    /// `depth` rows of `width` counters and the probability `decay` (0 to 1)
    /// of decrementing a counter held by another item.
    fn topk_reserve_with(key: impl ToArgs, k: u64, width: u64, depth: u64, decay: f64) -> () {
        Cmd::new("TOPK.RESERVE").arg(key).arg(k).arg(width).arg(depth).arg(decay)
    }

    /// `TOPK.ADD key item...`: counts each item once; for each, the item it
    /// pushed out of the top-k, or `None`.
    fn topk_add<T: FromValue>(key: impl ToArgs, items: impl ToArgs) -> Vec<Option<T>> {
        Cmd::new("TOPK.ADD").arg(key).arg(items)
    }

    /// `TOPK.INCRBY key item increment [item increment ...]`: as
    /// [`topk_add`], counting each item `increment` times (1 to 100,000).
    fn topk_incrby<T: FromValue, I: ToArgs>(key: impl ToArgs, increments: &[(I, u64)]) -> Vec<Option<T>> {
        Cmd::new("TOPK.INCRBY").arg(key).arg(increments)
    }

    /// `TOPK.QUERY key item...`: whether each item is in the top-k.
    fn topk_query(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> {
        Cmd::new("TOPK.QUERY").arg(key).arg(items)
    }

    /// `TOPK.COUNT key item...`: each item's approximate count (deprecated
    /// by RedisBloom: [`topk_list_withcount`] says the same for the top-k).
    fn topk_count(key: impl ToArgs, items: impl ToArgs) -> Vec<u64> {
        Cmd::new("TOPK.COUNT").arg(key).arg(items)
    }

    /// `TOPK.LIST key`: the top-k items, most frequent first.
    fn topk_list<T: FromValue>(key: impl ToArgs) -> Vec<T> {
        Cmd::new("TOPK.LIST").arg(key)
    }

    /// `TOPK.LIST key WITHCOUNT`: the top-k items with their approximate
    /// counts, most frequent first.
    #[doc(alias = "WITHCOUNT")]
    fn topk_list_withcount<T: FromValue>(key: impl ToArgs) -> Vec<(T, u64)> {
        Cmd::new("TOPK.LIST").arg(key).arg("WITHCOUNT")
    }

    /// `TOPK.INFO key`: the top-k's parameters.
    fn topk_info(key: impl ToArgs) -> TopKInfo {
        Cmd::new("TOPK.INFO").arg(key)
    }
}

/// What `TOPK.INFO` says about a top-k.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TopKInfo {
    /// How many items it keeps (`k`).
    pub k: u64,
    /// Counters per row (`width`).
    pub width: u64,
    /// Rows (`depth`).
    pub depth: u64,
    /// The decay probability (`decay`).
    pub decay: f64,
}

impl FromValue for TopKInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut info = InfoFields::new("TOPK.INFO", value)?;
        Ok(TopKInfo {
            k: info.take("k")?,
            width: info.take("width")?,
            depth: info.take("depth")?,
            decay: info.take("decay")?,
        })
    }
}
