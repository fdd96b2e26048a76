//! Count-min sketches: `CMS.*`.

use super::InfoFields;
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Result, Value};

define_commands! {
    /// Count-min sketches (`CMS.*`): approximate counts of many items in
    /// fixed memory (never below the true count).
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// client.cms_initbyprob("views", 0.001, 0.01).await?;
    /// client.cms_incrby("views", &[("page:1", 3), ("page:2", 1)]).await?;
    /// let counts = client.cms_query("views", ["page:1", "page:9"]).await?;
    /// assert!(counts[0] >= 3);
    /// # Ok(()) }
    /// ```
    pub trait CountMinSketchCommands;

    /// `CMS.INITBYDIM key width depth`: creates a sketch of `depth` rows of
    /// `width` counters. An error if the key exists.
    fn cms_initbydim(key: impl ToArgs, width: u64, depth: u64) -> () {
        Cmd::new("CMS.INITBYDIM").arg(key).arg(width).arg(depth)
    }

    /// `CMS.INITBYPROB key error probability`: creates a sketch whose counts
    /// overshoot by at most `error` (a fraction of the total count) except
    /// with `probability` (both between 0 and 1).
    fn cms_initbyprob(key: impl ToArgs, error: f64, probability: f64) -> () {
        Cmd::new("CMS.INITBYPROB").arg(key).arg(error).arg(probability)
    }

    /// `CMS.INCRBY key item increment [item increment ...]`: adds to each
    /// item's count; the new counts, in order. An error if the key is missing.
    fn cms_incrby<I: ToArgs>(key: impl ToArgs, increments: &[(I, u64)]) -> Vec<u64> {
        Cmd::new("CMS.INCRBY").arg(key).arg(increments)
    }

    /// `CMS.QUERY key item...`: each item's count, in order.
    fn cms_query(key: impl ToArgs, items: impl ToArgs) -> Vec<u64> {
        Cmd::new("CMS.QUERY").arg(key).arg(items)
    }

    /// `CMS.MERGE destination numkeys source...`: sets `destination` (which
    /// must exist, with the sources' dimensions) to the sum of the sources.
    fn cms_merge<K: ToArgs>(destination: impl ToArgs, sources: &[K]) -> () {
        Cmd::new("CMS.MERGE").arg(destination).arg(sources.len()).arg(sources)
    }

    /// `CMS.MERGE destination numkeys source... WEIGHTS weight...`: as
    /// [`cms_merge`], each source's counts multiplied by its weight.
    fn cms_merge_weighted<K: ToArgs>(destination: impl ToArgs, sources: &[(K, i64)]) -> () {
        let mut cmd = Cmd::new("CMS.MERGE").arg(destination).arg(sources.len());
        for (source, _) in sources {
            cmd.push_arg(source);
        }
        cmd.push_arg("WEIGHTS");
        for (_, weight) in sources {
            cmd.push_arg(weight);
        }
        cmd
    }

    /// `CMS.INFO key`: the sketch's dimensions and total count.
    fn cms_info(key: impl ToArgs) -> CmsInfo {
        Cmd::new("CMS.INFO").arg(key)
    }
}

/// What `CMS.INFO` says about a count-min sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CmsInfo {
    /// Counters per row (`width`).
    pub width: u64,
    /// Rows (`depth`).
    pub depth: u64,
    /// The sum of all increments (`count`).
    pub count: u64,
}

impl FromValue for CmsInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut info = InfoFields::new("CMS.INFO", value)?;
        Ok(CmsInfo {
            width: info.take("width")?,
            depth: info.take("depth")?,
            count: info.take("count")?,
        })
    }
}
