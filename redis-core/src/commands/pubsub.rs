//! Pub/sub introspection commands (PUBLISH, PUBSUB ...); subscribing is the pub/sub layer's.

use crate::Cmd;
use crate::convert::ToArgs;

define_commands! {
    /// PUBLISH, SPUBLISH and the PUBSUB introspection subcommands.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::prelude::*;
    /// let receivers = client.publish("news", "hello").await?;
    /// let counts = client.pubsub_numsub(&["news", "sports"]).await?;
    /// for (channel, subscribers) in counts {
    ///     println!("{channel}: {subscribers}");
    /// }
    /// # let _ = receivers; Ok(()) }
    /// ```
    pub trait PubSubCommands;

    /// `PUBLISH channel message`: sends a message to a channel's subscribers;
    /// how many received it (on this node only, in a cluster).
    fn publish(channel: impl ToArgs, message: impl ToArgs) -> u64 {
        Cmd::new("PUBLISH").arg(channel).arg(message)
    }

    /// `SPUBLISH shardchannel message` (Redis 7.0+): sends a message to a
    /// shard channel's subscribers; how many received it.
    fn spublish(shard_channel: impl ToArgs, message: impl ToArgs) -> u64 {
        Cmd::new("SPUBLISH").arg(shard_channel).arg(message)
    }

    /// `PUBSUB CHANNELS`: the channels with at least one subscriber (pattern
    /// subscriptions not counted).
    fn pubsub_channels() -> Vec<String> {
        Cmd::new("PUBSUB").arg("CHANNELS")
    }

    /// `PUBSUB CHANNELS pattern`: the active channels whose names match a
    /// glob-style pattern.
    fn pubsub_channels_matching(pattern: impl ToArgs) -> Vec<String> {
        Cmd::new("PUBSUB").arg("CHANNELS").arg(pattern)
    }

    /// `PUBSUB NUMSUB channel ...`: each channel with its number of
    /// subscribers (pattern subscriptions not counted), in order.
    fn pubsub_numsub(channels: impl ToArgs) -> Vec<(String, u64)> {
        Cmd::new("PUBSUB").arg("NUMSUB").arg(channels)
    }

    /// `PUBSUB NUMPAT`: the number of pattern subscriptions, over all clients.
    fn pubsub_numpat() -> u64 {
        Cmd::new("PUBSUB").arg("NUMPAT")
    }

    /// `PUBSUB SHARDCHANNELS` (Redis 7.0+): the shard channels with at least
    /// one subscriber.
    fn pubsub_shardchannels() -> Vec<String> {
        Cmd::new("PUBSUB").arg("SHARDCHANNELS")
    }

    /// `PUBSUB SHARDCHANNELS pattern` (Redis 7.0+): the active shard channels
    /// whose names match a glob-style pattern.
    fn pubsub_shardchannels_matching(pattern: impl ToArgs) -> Vec<String> {
        Cmd::new("PUBSUB").arg("SHARDCHANNELS").arg(pattern)
    }

    /// `PUBSUB SHARDNUMSUB shardchannel ...` (Redis 7.0+): each shard channel
    /// with its number of subscribers, in order.
    fn pubsub_shardnumsub(shard_channels: impl ToArgs) -> Vec<(String, u64)> {
        Cmd::new("PUBSUB").arg("SHARDNUMSUB").arg(shard_channels)
    }
}
