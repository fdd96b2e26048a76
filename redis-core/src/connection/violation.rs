//! How a server's breach of the protocol is worded, on every connection
//! alike (the shared one, a dedicated one, the handshake): as the server's
//! fault, naming the server and what it sent, so that nobody looks for the
//! cause in the command or its arguments.

use crate::{Error, ErrorKind};

/// Bytes the decoder refused (malformed, or beyond a limit).
pub(crate) fn not_resp(addr: &str, error: &Error) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("the server at {addr} sent a reply that is not valid RESP ({error})"),
    )
}

/// A RESP3 push frame on a connection the handshake set to RESP2, which has
/// none: well-formed, but not from the protocol agreed on.
pub(crate) fn push_on_resp2(addr: &str) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!(
            "the server at {addr} sent a RESP3 push frame on a RESP2 connection, which has \
             no push frames (it, or a proxy in between, ignored the protocol the handshake \
             chose)"
        ),
    )
}

/// A reply when no command was waiting for one: a second reply to one
/// command, or one never asked for.
pub(crate) fn stray_reply(addr: &str) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!(
            "the server at {addr} sent a reply when no command was waiting for one (a second \
             reply to one command, or a reply nobody asked for)"
        ),
    )
}
