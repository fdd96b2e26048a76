//! Redis Cluster: [`ClusterClient`] routes each command to the primary of
//! its keys' hash slot and follows the cluster as slots move.
//!
//! `slots` computes hash slots (pure code), `topology` keeps the slot map
//! (primaries and their replicas), `routing` decides where commands go
//! (their keys' slot, or every node their cluster tips name), `merge`
//! combines the replies of a fanned-out command, `nodes` holds one
//! [`crate::Client`] per node, `execute` sends, redirects and retries,
//! `split` spreads MGET, DEL, EXISTS, UNLINK and TOUCH over slots,
//! `targets` sends to nodes the caller names, `scan` runs SCAN over every
//! primary, `periodic` refreshes the topology every few seconds, `pubsub` subscribes
//! on the nodes (shard channels on their slot's primary), `url` reads
//! `redis+cluster://` URLs, `watching` runs WATCH transactions, `client` is the public handle.

mod client;
mod execute;
mod merge;
mod nodes;
mod periodic;
mod pubsub;
mod routing;
mod scan;
mod slots;
mod split;
mod targets;
mod topology;
mod url;
mod watching;

pub use client::{ClusterClient, ClusterStats};
pub use execute::ClusterExecute;
pub use slots::{SLOT_COUNT, hash_tag, key_slot};
pub use targets::{NodeReplies, OnNodes, Targets};
