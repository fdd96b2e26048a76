//! Redis Cluster: [`ClusterClient`] routes each command to the primary of
//! its keys' hash slot and follows the cluster as slots move.
//!
//! `slots` computes hash slots (pure code), `topology` keeps the slot map,
//! `routing` decides where commands go, `nodes` holds one [`crate::Client`]
//! per node, `execute` sends, redirects and retries, `split` spreads MGET, DEL,
//! EXISTS, UNLINK and TOUCH over slots, `client` is the
//! public handle.

mod client;
mod execute;
mod nodes;
mod routing;
mod slots;
mod split;
mod topology;

pub use client::{ClusterClient, ClusterStats};
pub use execute::ClusterExecute;
pub use slots::{SLOT_COUNT, key_slot};
