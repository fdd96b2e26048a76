//! What a subscriber's task tells the cluster subscriber that routes shard
//! channels to it: the task owns one node's connection, the router decides
//! where each shard channel lives, so it must hear when that node is lost,
//! comes back, or gives a channel up because its slot moved.

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

/// One thing a node's task tells its router.
#[derive(Debug)]
pub(crate) enum Notice {
    /// The connection was lost, or a new one could not be made.
    Lost,
    /// Connected and subscribed again after a loss.
    Back,
    /// The server unsubscribed a shard channel on its own: its slot moved
    /// to another node.
    Dropped(Bytes),
    /// The server answered a resubscription with MOVED: `slot` is served
    /// by `node` now.
    Moved { slot: u16, node: String },
}

/// Where a task sends its notices, named for the node it serves.
pub(crate) struct Notices {
    pub(crate) node: Arc<str>,
    pub(crate) to: mpsc::UnboundedSender<(Arc<str>, Notice)>,
}

impl Notices {
    pub(crate) fn tell(&self, notice: Notice) {
        // A router that is gone has nobody to route for.
        let _ = self.to.send((self.node.clone(), notice));
    }
}
