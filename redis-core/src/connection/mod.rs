//! Transports, the connector and its handshake, exclusive connections and
//! the multiplexer.

mod conn;
mod connector;
mod events;
mod handshake;
mod multiplexer;
mod read_reserve;
mod reader;
mod socket;
mod violation;

pub(crate) use conn::Connection;
pub(crate) use connector::{Connect, Connecting, Connector, Node};
pub use events::{ConnectionEvent, ConnectionEvents, EVENT_BUFFER};
pub(crate) use events::{SeatEvents, Tap};
pub(crate) use handshake::explain_noperm;
#[cfg(feature = "bench-internals")]
pub use multiplexer::Bookkeeping;
pub(crate) use multiplexer::{
    Answer, Failed, Multiplexer, PendingReplies, Replies, SubscriberSeat,
};

/// Opaque: the benchmarks' bookkeeping holds no secrets, but nothing in it
/// is meant to be read either. (Here rather than beside the type, so that
/// the multiplexer's files keep to the multiplexer.)
#[cfg(feature = "bench-internals")]
impl std::fmt::Debug for Bookkeeping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bookkeeping").finish_non_exhaustive()
    }
}
