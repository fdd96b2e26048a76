//! The one error type of the crate.

use std::fmt;
use std::sync::Arc;

/// What went wrong, in the terms a caller acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The socket failed: refused, reset, closed by the peer.
    Io,
    /// The peer sent bytes that are not valid RESP, or broke a decoder limit.
    Protocol,
    /// The server answered with an error reply; see [`Error::server_error`].
    Server,
    /// No reply (or no connection) within the configured time.
    Timeout,
    /// A reply could not be converted to the requested Rust type.
    Type,
    /// The server refused the credentials, or the user lacks a permission.
    Auth,
    /// The client was closed, or a dedicated connection can no longer be
    /// used; retrying on the same handle cannot help.
    Closed,
    /// A transaction was aborted because a watched key changed (EXEC returned nil).
    Watch,
    /// Invalid configuration or URL, or a command that may not run where
    /// it was sent (the error says where to send it instead).
    Config,
    /// TLS could not be set up: a certificate the client does not trust or
    /// that names another host, a client certificate the server refused,
    /// unreadable PEM.
    Tls,
    /// The caller's input was refused before anything was sent, because
    /// the server would refuse it or not answer it: a command without a
    /// name, an argument over the server's size limit, a NaN where a number
    /// goes, field/value pairs that do not pair up. Nothing was written.
    InvalidInput,
    /// Stored data does not fit what it is read into: a record missing a
    /// required field, a value of the wrong type, a corrupt encoding, a key
    /// holding another kind of value. The error names the key and field.
    Decode,
    /// A search index of the model's index name exists but was not built
    /// by the object mapper's migrator (no fingerprint of its definition is
    /// stored beside it), so it is not ours to change; the error names the
    /// index.
    IndexOutdated,
    /// Two models' key prefixes overlap (one covers the other's keys), so
    /// each one's index and scans would see the other's records.
    PrefixConflict,
    /// A query matched more documents than the server lets a search page
    /// through (FT.SEARCH stops at its `MAXSEARCHRESULTS` setting); the
    /// error says how many were read of how many.
    TooManyHits,
    /// A search index a query needs does not exist (the model's
    /// `Migrator` has not run against this server, or the index was
    /// dropped); the error names the index.
    IndexMissing,
    /// An optimistic write lost a race: the record's stored version is not
    /// the one the write expected (someone saved or updated it since it was
    /// read, or created it when an insert was meant). Nothing was written;
    /// the error names the key, the version expected and the version found.
    /// Read the record again and retry, or give up.
    Conflict,
    /// A lock's holder released or extended it after losing it: its time to
    /// live ran out and the key was deleted or taken by another owner (the
    /// stored token is not the holder's). Nothing was changed; the new
    /// owner's lock is left as it is. Work done under the lost lock may
    /// have overlapped with another owner's; fencing tokens let the
    /// protected resource refuse it.
    LockLost,
    /// A command or transaction for a cluster has keys in more than one
    /// hash slot, which no node can run atomically. Refused before
    /// anything was sent; the error names two of the keys and their slots.
    /// Give the keys a common `{hash tag}`, or send them separately.
    CrossSlot,
}

impl ErrorKind {
    /// The kind's name in snake case (`io`, `timeout`, `server`, ...), as
    /// command spans give it in `error.type` for errors the server did not
    /// send: stable, for metrics labels and log queries.
    ///
    /// ```
    /// assert_eq!(redis_core::ErrorKind::Timeout.as_str(), "timeout");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Type => "type",
            ErrorKind::Auth => "auth",
            ErrorKind::Closed => "closed",
            ErrorKind::Watch => "watch",
            ErrorKind::Config => "config",
            ErrorKind::Tls => "tls",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Decode => "decode",
            ErrorKind::IndexOutdated => "index_outdated",
            ErrorKind::PrefixConflict => "prefix_conflict",
            ErrorKind::TooManyHits => "too_many_hits",
            ErrorKind::IndexMissing => "index_missing",
            ErrorKind::Conflict => "conflict",
            ErrorKind::LockLost => "lock_lost",
            ErrorKind::CrossSlot => "cross_slot",
        }
    }
}

/// How a caller (or the cluster layer) can recover from an error, decided by
/// the error itself so no one parses messages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryMethod {
    /// Retrying will not help.
    NoRetry,
    /// Retry at once on the same connection.
    RetryImmediately,
    /// Reconnect, then retry.
    Reconnect,
    /// Wait a little (the server is loading, busy, or fails over), then retry.
    WaitAndRetry,
    /// Follow a `MOVED` redirection to the given address.
    MovedRedirect {
        /// Hash slot of the command's keys.
        slot: u16,
        /// `host:port` that owns the slot now.
        address: String,
    },
    /// Follow an `ASK` redirection (send `ASKING` first) to the given address.
    AskRedirect {
        /// Hash slot of the command's keys.
        slot: u16,
        /// `host:port` to ask.
        address: String,
    },
}

/// An error reply from the server: its code (the first word, such as
/// `WRONGTYPE`, `MOVED`, `NOSCRIPT`) and the rest of the message, and on a
/// cluster the node that sent it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ServerError(Box<ServerErrorParts>);

// One box: a `Value` holds a `ServerError`, and error replies are rare.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ServerErrorParts {
    code: Box<str>,
    message: Box<str>,
    node: Option<Arc<str>>,
}

impl fmt::Debug for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerError")
            .field("code", &self.0.code)
            .field("message", &self.0.message)
            .finish()
    }
}

impl ServerError {
    /// Splits a raw error line (`"WRONGTYPE Operation against ..."`) into code
    /// and message. A line whose first word is not an upper-case code gets the
    /// code `ERR`, as Redis' own generic errors do.
    pub fn parse(line: &str) -> Self {
        let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
        let is_code = !first.is_empty()
            && first
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        let (code, message) = if is_code {
            (first, rest)
        } else {
            ("ERR", line)
        };
        ServerError(Box::new(ServerErrorParts {
            code: code.into(),
            message: message.into(),
            node: None,
        }))
    }

    /// The error code: `ERR`, `WRONGTYPE`, `MOVED`, `ASK`, `NOSCRIPT`, ...
    pub fn code(&self) -> &str {
        &self.0.code
    }

    /// The message after the code.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Records the node that sent it, where a batch's replies come from
    /// several (a cluster): the [`Error`] made of it names that node.
    pub(crate) fn set_node(&mut self, node: &Arc<str>) {
        self.0.node = Some(node.clone());
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.message.is_empty() {
            f.write_str(&self.0.code)
        } else {
            write!(f, "{} {}", self.0.code, self.0.message)
        }
    }
}

/// The error type of every fallible operation in this crate.
///
/// It is cheap to clone (one pointer), so one connection failure can be
/// delivered to every command that was waiting on it.
#[derive(Clone)]
pub struct Error {
    inner: Arc<Inner>,
}

struct Inner {
    kind: ErrorKind,
    detail: String,
    server: Option<ServerError>,
    command: Option<String>,
    node: Option<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error of `kind` saying `detail`: for the layers built on this
    /// crate (an object mapper's decode errors, say), so that a caller
    /// matches on one error type and its kind whichever layer failed.
    ///
    /// ```
    /// use redis_core::{Error, ErrorKind};
    /// let error = Error::new(ErrorKind::Decode, "user:1: field `age` is missing");
    /// assert_eq!(error.kind(), ErrorKind::Decode);
    /// assert_eq!(error.to_string(), "user:1: field `age` is missing");
    /// ```
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Error {
            inner: Arc::new(Inner {
                kind,
                detail: detail.into(),
                server: None,
                command: None,
                node: None,
                source: None,
            }),
        }
    }

    pub(crate) fn io(context: &str, err: std::io::Error) -> Self {
        let kind = if err.kind() == std::io::ErrorKind::TimedOut {
            ErrorKind::Timeout
        } else {
            ErrorKind::Io
        };
        let mut e = Error::new(kind, format!("{context}: {err}"));
        if let Some(inner) = Arc::get_mut(&mut e.inner) {
            inner.source = Some(Arc::new(err));
        }
        e
    }

    pub(crate) fn server(err: ServerError) -> Self {
        let kind = match err.code() {
            "NOAUTH" | "WRONGPASS" | "NOPERM" => ErrorKind::Auth,
            _ => ErrorKind::Server,
        };
        let mut e = Error::new(kind, String::new());
        if let Some(inner) = Arc::get_mut(&mut e.inner) {
            inner.node = err.0.node.as_deref().map(str::to_owned);
            inner.server = Some(err);
        }
        e
    }

    pub(crate) fn protocol(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::Protocol, detail)
    }

    pub(crate) fn type_mismatch(expected: &str, received: &str) -> Self {
        Error::new(
            ErrorKind::Type,
            format!("expected {expected}, received {received}"),
        )
    }

    pub(crate) fn config(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, detail)
    }

    pub(crate) fn timeout(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::Timeout, detail)
    }

    pub(crate) fn closed(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::Closed, detail)
    }

    /// Names the command this error belongs to (kept for display); the first
    /// name given wins, so the innermost command is reported.
    pub(crate) fn with_command(self, name: &str) -> Self {
        if self.inner.command.is_some() {
            return self;
        }
        self.rebuild(|inner| inner.command = Some(name.to_owned()))
    }

    /// Names the server this error came from; the first address given wins.
    pub(crate) fn at_node(self, addr: &str) -> Self {
        if self.inner.node.is_some() {
            return self;
        }
        self.rebuild(|inner| inner.node = Some(addr.to_owned()))
    }

    /// Adds an explanation to the error, keeping its kind and server reply.
    pub(crate) fn with_detail(self, detail: impl Into<String>) -> Self {
        self.rebuild(|inner| inner.detail = detail.into())
    }

    fn rebuild(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => Inner {
                kind: shared.kind,
                detail: shared.detail.clone(),
                server: shared.server.clone(),
                command: shared.command.clone(),
                node: shared.node.clone(),
                source: shared.source.clone(),
            },
        };
        change(&mut inner);
        Error {
            inner: Arc::new(inner),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The server's error reply, for [`ErrorKind::Server`] and [`ErrorKind::Auth`]
    /// errors that came from the server.
    pub fn server_error(&self) -> Option<&ServerError> {
        self.inner.server.as_ref()
    }

    /// The server's error code (`WRONGTYPE`, `NOSCRIPT`, ...), if the server sent one.
    pub fn code(&self) -> Option<&str> {
        self.inner.server.as_ref().map(ServerError::code)
    }

    /// The name of the command that failed, when known.
    pub fn command(&self) -> Option<&str> {
        self.inner.command.as_deref()
    }

    /// The server (`host:port`, or `unix:path`) the error came from: the
    /// one that sent the error reply, or whose connection failed. `None`
    /// for errors no server was involved in (a bad URL, a reply that does
    /// not convert).
    pub fn node(&self) -> Option<&str> {
        self.inner.node.as_deref()
    }

    /// True for [`ErrorKind::Timeout`].
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// True when the connection broke (I/O failure, or lost with the command in flight).
    pub fn is_connection_error(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Io | ErrorKind::Closed)
    }

    /// How this error can be recovered from.
    pub fn retry_method(&self) -> RetryMethod {
        match self.inner.kind {
            ErrorKind::Io => RetryMethod::Reconnect,
            ErrorKind::Timeout => RetryMethod::Reconnect,
            ErrorKind::Server => self.server_retry_method(),
            _ => RetryMethod::NoRetry,
        }
    }

    fn server_retry_method(&self) -> RetryMethod {
        let Some(server) = &self.inner.server else {
            return RetryMethod::NoRetry;
        };
        match server.code() {
            "MOVED" | "ASK" => {
                let mut words = server.message().split(' ');
                let slot = words.next().and_then(|s| s.parse().ok());
                let address = words.next().map(str::to_owned);
                match (slot, address, server.code()) {
                    (Some(slot), Some(address), "MOVED") => {
                        RetryMethod::MovedRedirect { slot, address }
                    }
                    (Some(slot), Some(address), _) => RetryMethod::AskRedirect { slot, address },
                    _ => RetryMethod::NoRetry,
                }
            }
            "TRYAGAIN" => RetryMethod::RetryImmediately,
            "LOADING" | "BUSY" | "CLUSTERDOWN" | "MASTERDOWN" => RetryMethod::WaitAndRetry,
            "READONLY" => RetryMethod::Reconnect,
            _ => RetryMethod::NoRetry,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        if let Some(command) = &inner.command {
            write!(f, "{command}: ")?;
        }
        match (&inner.server, inner.detail.is_empty()) {
            (Some(server), true) => write!(f, "{server}"),
            (Some(server), false) => write!(f, "{server} ({})", inner.detail),
            (None, _) => f.write_str(&inner.detail),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("message", &self.to_string())
            .field("node", &self.inner.node)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Shorthand for `Result<T, redis_core::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_error_splits_code_and_message() {
        let e =
            ServerError::parse("WRONGTYPE Operation against a key holding the wrong kind of value");
        assert_eq!(e.code(), "WRONGTYPE");
        assert!(e.message().starts_with("Operation against"));
        let e = ServerError::parse("unknown thing happened");
        assert_eq!(e.code(), "ERR");
        assert_eq!(e.message(), "unknown thing happened");
    }

    #[test]
    fn redirections_say_where_to_go() {
        let e = Error::server(ServerError::parse("MOVED 3999 127.0.0.1:6381"));
        assert_eq!(
            e.retry_method(),
            RetryMethod::MovedRedirect {
                slot: 3999,
                address: "127.0.0.1:6381".into()
            }
        );
        let e = Error::server(ServerError::parse("ASK 12 10.0.0.1:7000"));
        assert_eq!(
            e.retry_method(),
            RetryMethod::AskRedirect {
                slot: 12,
                address: "10.0.0.1:7000".into()
            }
        );
        let e = Error::server(ServerError::parse("MOVED garbage"));
        assert_eq!(e.retry_method(), RetryMethod::NoRetry);
    }

    #[test]
    fn auth_errors_have_their_own_kind() {
        let e = Error::server(ServerError::parse(
            "WRONGPASS invalid username-password pair",
        ));
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert_eq!(e.code(), Some("WRONGPASS"));
    }
}
