//! Sockets, the handshake, exclusive connections and the multiplexer.

mod conn;
mod handshake;
mod multiplexer;
mod read_reserve;
mod socket;

pub(crate) use conn::Connection;
pub(crate) use handshake::connect;
#[cfg(feature = "bench-internals")]
pub use multiplexer::Bookkeeping;
pub(crate) use multiplexer::{Multiplexer, PendingReplies, Replies};
