//! Transports, the connector and its handshake, exclusive connections and
//! the multiplexer.

mod conn;
mod connector;
mod handshake;
mod multiplexer;
mod read_reserve;
mod socket;

pub(crate) use conn::Connection;
pub(crate) use connector::{Connector, Node};
pub(crate) use handshake::explain_noperm;
#[cfg(feature = "bench-internals")]
pub use multiplexer::Bookkeeping;
pub(crate) use multiplexer::{Failed, Multiplexer, PendingReplies, Replies};
