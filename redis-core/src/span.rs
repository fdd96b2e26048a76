//! The span each command or batch runs in, described as the OpenTelemetry
//! database conventions describe a Redis call, so that users of
//! `tracing-opentelemetry` get standard spans with no glue:
//!
//! - `otel.name` (the span's name there) and `db.operation.name`: the
//!   command's name as the application wrote it; a batch is `PIPELINE` or
//!   `MULTI`, followed by the command's name when every command in it is
//!   the same one (`PIPELINE SET`), with `db.operation.batch.size`;
//! - `otel.kind = "client"`, `db.system.name = "redis"`, `db.namespace`
//!   (the database index the client was configured with: the shared
//!   connection never changes it), `server.address` and `server.port` (the
//!   configured address, as the conventions ask: the name the application
//!   knows the service by);
//! - `network.peer.address` and `network.peer.port`: the node the command
//!   was actually sent to, which a Sentinel client (or a reconnect) picks,
//!   recorded where the connection in hand knows it (the shared
//!   connection's current node, a dedicated connection's own);
//! - on failure `error.type` (the server's error code, such as `WRONGTYPE`,
//!   also as `db.response.status_code`; or the client's
//!   [`ErrorKind::as_str`] name,
//!   such as `timeout`) and `otel.status_code = "ERROR"`.
//!
//! Never an argument: they hold user data and secrets. The tracing name of
//! every such span is `redis`.

use std::fmt;

use tracing::field::Empty;

use crate::batch::Batch;
use crate::config::{Addr, Config};
use crate::{Cmd, Error};

/// A command's span, kept only while a subscriber listens: when tracing is
/// off it costs the command's future one null pointer instead of a `Span`.
pub(crate) struct CommandSpan(Option<Box<tracing::Span>>);

impl CommandSpan {
    /// The span of `cmds` sent together (one command alone is not a batch).
    pub(crate) fn new(cmds: &[Cmd], config: &Config) -> CommandSpan {
        CommandSpan::of(|| Operation::of(cmds.iter().map(Cmd::name), false), config)
    }

    /// The span of a pipeline or transaction, named by its commands (the
    /// preamble's script loads not counted).
    pub(crate) fn of_batch(batch: &Batch, config: &Config) -> CommandSpan {
        let names = || (0..batch.len()).map(|i| batch.name(i));
        CommandSpan::of(|| Operation::of(names(), batch.is_atomic()), config)
    }

    /// The span; the operation's name is worked out (a batch's command names
    /// read) only when a subscriber listens.
    fn of<'a>(operation: impl FnOnce() -> Operation<'a>, config: &Config) -> CommandSpan {
        let unix;
        let (host, port): (&dyn fmt::Display, Option<u16>) = match &config.addr {
            Addr::Tcp { host, port } => (host, Some(*port)),
            Addr::Unix(path) => {
                unix = path.display();
                (&unix, None)
            }
        };
        let span = tracing::debug_span!(
            "redis",
            otel.name = Empty,
            otel.kind = "client",
            otel.status_code = Empty,
            db.system.name = "redis",
            db.operation.name = Empty,
            db.operation.batch.size = Empty,
            db.namespace = %config.db,
            db.response.status_code = Empty,
            server.address = %host,
            server.port = port.map(i64::from),
            network.peer.address = Empty,
            network.peer.port = Empty,
            error.type = Empty,
        );
        if span.is_disabled() {
            return CommandSpan(None);
        }
        let operation = operation();
        span.record("otel.name", tracing::field::display(&operation));
        span.record("db.operation.name", tracing::field::display(&operation));
        if let Some(size) = operation.batch_size.and_then(|n| i64::try_from(n).ok()) {
            span.record("db.operation.batch.size", size);
        }
        CommandSpan(Some(Box::new(span)))
    }

    /// The span, to instrument a future with.
    pub(crate) fn get(&self) -> tracing::Span {
        self.0
            .as_deref()
            .cloned()
            .unwrap_or_else(tracing::Span::none)
    }

    /// Records the node the command goes to, asked of `node` only when a
    /// subscriber listens (the shared connection's node takes a lock).
    pub(crate) fn record_peer<N: AsRef<str>>(&self, node: impl FnOnce() -> N) {
        if let Some(span) = self.0.as_deref() {
            record_peer(span, node().as_ref());
        }
    }

    /// Marks the span failed with `error`'s type; a no-op without a
    /// subscriber.
    pub(crate) fn record_error(&self, error: &Error) {
        let Some(span) = self.0.as_deref() else {
            return;
        };
        span.record("otel.status_code", "ERROR");
        match error.code() {
            Some(code) => {
                span.record("error.type", code);
                span.record("db.response.status_code", code);
            }
            None => {
                span.record("error.type", error.kind().as_str());
            }
        }
    }

    /// Records `result`'s error, if it is one, and passes it on.
    pub(crate) fn finish<T>(&self, result: crate::Result<T>) -> crate::Result<T> {
        if let Err(error) = &result {
            self.record_error(error);
        }
        result
    }
}

/// Records the node used on `span`, a command's (a clone of
/// [`CommandSpan::get`]), from work that runs apart from the
/// `CommandSpan` (a blocking command's dedicated connection, a retry).
pub(crate) fn record_peer_on(span: &tracing::Span, node: &str) {
    if !span.is_disabled() {
        record_peer(span, node);
    }
}

fn record_peer(span: &tracing::Span, node: &str) {
    let (address, port) = split_node(node);
    span.record("network.peer.address", address);
    if let Some(port) = port {
        span.record("network.peer.port", i64::from(port));
    }
}

/// A node as connections name it (`host:port`, `[v6]:port`, `unix:path`)
/// split into the address and the port the conventions record apart.
fn split_node(node: &str) -> (&str, Option<u16>) {
    if let Some(path) = node.strip_prefix("unix:") {
        return (path, None);
    }
    match node.rsplit_once(':') {
        Some((host, port)) => match port.parse() {
            Ok(port) => (
                host.trim_start_matches('[').trim_end_matches(']'),
                Some(port),
            ),
            Err(_) => (node, None),
        },
        None => (node, None),
    }
}

/// What a span calls the operation: one command's name, or a batch's kind
/// and, when every command in it is the same, that command's name.
struct Operation<'a> {
    batch: Option<&'static str>,
    common: Option<&'a str>,
    batch_size: Option<usize>,
}

impl<'a> Operation<'a> {
    /// The operation of commands sent together, `atomic` when they are a
    /// transaction's (between MULTI and EXEC, which are not named).
    fn of(names: impl ExactSizeIterator<Item = &'a str> + Clone, atomic: bool) -> Operation<'a> {
        if names.len() == 1 && !atomic {
            return Operation {
                batch: None,
                common: names.clone().next(),
                batch_size: None,
            };
        }
        let batch = if atomic { "MULTI" } else { "PIPELINE" };
        let inner: Vec<&str> = names.collect();
        let common = inner
            .first()
            .copied()
            .filter(|first| inner.iter().all(|name| name.eq_ignore_ascii_case(first)));
        Operation {
            batch: Some(batch),
            common,
            batch_size: Some(inner.len()),
        }
    }
}

impl fmt::Display for Operation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.batch, self.common) {
            (Some(batch), Some(name)) => write!(f, "{batch} {name}"),
            (Some(batch), None) => f.write_str(batch),
            (None, name) => f.write_str(name.unwrap_or("")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Operation, split_node};

    #[test]
    fn a_node_splits_into_address_and_port() {
        assert_eq!(split_node("10.0.0.1:6380"), ("10.0.0.1", Some(6380)));
        assert_eq!(split_node("[::1]:6379"), ("::1", Some(6379)));
        assert_eq!(
            split_node("unix:/tmp/redis.sock"),
            ("/tmp/redis.sock", None)
        );
        assert_eq!(split_node("odd"), ("odd", None));
    }

    fn name(names: &[&str]) -> (String, Option<usize>) {
        let op = Operation::of(names.iter().copied(), false);
        (op.to_string(), op.batch_size)
    }

    fn transaction(names: &[&str]) -> (String, Option<usize>) {
        let op = Operation::of(names.iter().copied(), true);
        (op.to_string(), op.batch_size)
    }

    #[test]
    fn a_command_alone_is_named_as_written_and_is_no_batch() {
        assert_eq!(name(&["hmset"]), ("hmset".into(), None));
    }

    #[test]
    fn a_pipeline_of_one_command_repeated_names_it() {
        assert_eq!(
            name(&["SET", "SET", "SET"]),
            ("PIPELINE SET".into(), Some(3))
        );
        assert_eq!(name(&["SET", "GET"]), ("PIPELINE".into(), Some(2)));
        assert_eq!(name(&[]), ("PIPELINE".into(), Some(0)));
    }

    #[test]
    fn a_transaction_counts_what_runs_between_multi_and_exec() {
        assert_eq!(
            transaction(&["INCR", "INCR"]),
            ("MULTI INCR".into(), Some(2))
        );
        assert_eq!(transaction(&["INCR", "GET"]), ("MULTI".into(), Some(2)));
        assert_eq!(transaction(&["INCR"]), ("MULTI INCR".into(), Some(1)));
        assert_eq!(transaction(&[]), ("MULTI".into(), Some(0)));
        // Commands named MULTI and EXEC in a plain list make no transaction.
        assert_eq!(
            name(&["MULTI", "INCR", "EXEC"]),
            ("PIPELINE".into(), Some(3))
        );
    }
}
