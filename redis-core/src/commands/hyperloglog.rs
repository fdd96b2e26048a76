//! HyperLogLog commands: approximate counts of distinct elements in a
//! fixed 12 KB per key (standard error 0.81%).

use crate::Cmd;
use crate::convert::ToArgs;

define_commands! {
    /// PFADD, PFCOUNT and PFMERGE.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// client.pfadd("visitors:mon", &["ada", "alan"]).await?;
    /// client.pfadd("visitors:tue", &["ada", "grace"]).await?;
    /// client.pfmerge("visitors:week", &["visitors:mon", "visitors:tue"]).await?;
    /// assert_eq!(client.pfcount("visitors:week").await?, 3);
    /// # Ok(()) }
    /// ```
    pub trait HyperLogLogCommands;

    /// `PFADD key element...`: adds the elements (creating the key if
    /// missing); true if the estimate changed (or the key was created).
    fn pfadd(key: impl ToArgs, elements: impl ToArgs) -> bool {
        Cmd::new("PFADD").arg(key).arg(elements)
    }

    /// `PFCOUNT key...`: the estimated number of distinct elements in the
    /// union of the HyperLogLogs (0 for missing keys).
    fn pfcount(keys: impl ToArgs) -> u64 {
        Cmd::new("PFCOUNT").arg(keys)
    }

    /// `PFMERGE destkey sourcekey...`: stores the union of the sources (and
    /// of `destkey` itself, if it exists) in `destkey`.
    fn pfmerge(destkey: impl ToArgs, sourcekeys: impl ToArgs) -> () {
        Cmd::new("PFMERGE").arg(destkey).arg(sourcekeys)
    }
}
