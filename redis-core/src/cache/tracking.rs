//! The server's side of client-side caching: `CLIENT TRACKING ON` on every
//! connection the shared connection makes, and the invalidation frames it
//! sends back.

use bytes::Bytes;

use super::config::CacheConfig;
use crate::connection::{Connect, Connecting, Connector};
use crate::{Cmd, Error, Value};

/// Opens connections as `inner` does, then turns tracking on, before the
/// multiplexer uses them: a reconnect always tracks again, so nothing read
/// on the new connection can go untracked.
pub(crate) struct Tracking {
    inner: Connector,
    command: Cmd,
    timeout: std::time::Duration,
}

impl Tracking {
    pub(crate) fn new(inner: Connector, cache: &CacheConfig, timeout: std::time::Duration) -> Self {
        Tracking {
            inner,
            command: tracking_command(cache),
            timeout,
        }
    }
}

/// `CLIENT TRACKING ON`, with `BCAST PREFIX p ...` in broadcasting mode.
pub(crate) fn tracking_command(cache: &CacheConfig) -> Cmd {
    let mut cmd = Cmd::new("CLIENT").arg("TRACKING").arg("ON");
    if let Some(prefixes) = &cache.broadcast {
        cmd.push_arg("BCAST");
        for prefix in prefixes {
            cmd.push_arg("PREFIX").push_arg(prefix.as_str());
        }
    }
    cmd
}

impl Connect for Tracking {
    fn connect(&self) -> Connecting<'_> {
        Box::pin(async move {
            let mut conn = self.inner.connect().await?;
            let replies = conn
                .request(std::slice::from_ref(&self.command), Some(self.timeout))
                .await
                .map_err(|e| e.at_node(&conn.addr))?;
            match replies.into_iter().next().map(Value::without_attributes) {
                Some(Value::SimpleString(ok)) if ok.as_ref() == b"OK" => Ok(conn),
                Some(Value::Error(error)) => Err(Error::server(error)
                    .with_command("CLIENT TRACKING")
                    .with_detail(format!(
                        "{} refused to track keys for the client-side cache",
                        conn.addr
                    ))
                    .at_node(&conn.addr)),
                other => Err(Error::protocol(format!(
                    "CLIENT TRACKING ON was answered with {}",
                    other.as_ref().map_or("nothing", Value::type_name)
                ))
                .at_node(&conn.addr)),
            }
        })
    }
}

/// What an invalidation push frame says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Invalidation {
    /// These keys changed.
    Keys(Vec<Bytes>),
    /// Everything may have changed (FLUSHDB, FLUSHALL, or the server ran
    /// out of room to remember what this client read).
    All,
}

/// The invalidation a push frame carries, if it is one:
/// `>2 invalidate [key ...]`, or `>2 invalidate _` for everything.
pub(crate) fn invalidation(frame: &Value) -> Option<Invalidation> {
    let Value::Push(items) = frame else {
        return None;
    };
    let [kind, keys] = &items[..] else {
        return None;
    };
    let is_invalidate = match kind {
        Value::BulkString(kind) | Value::SimpleString(kind) => kind.as_ref() == b"invalidate",
        _ => false,
    };
    if !is_invalidate {
        return None;
    }
    Some(match keys {
        Value::Array(keys) | Value::Set(keys) => {
            let mut named = Vec::with_capacity(keys.len());
            for key in keys {
                match key {
                    Value::BulkString(key) | Value::SimpleString(key) => named.push(key.clone()),
                    // A shape we do not know: forget everything rather than
                    // risk keeping what it meant to invalidate.
                    _ => return Some(Invalidation::All),
                }
            }
            Invalidation::Keys(named)
        }
        _ => Invalidation::All,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(text: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(text.as_bytes()))
    }

    #[test]
    fn reads_invalidations() {
        let keys = Value::Push(vec![
            bulk("invalidate"),
            Value::Array(vec![bulk("a"), bulk("b")]),
        ]);
        assert_eq!(
            invalidation(&keys),
            Some(Invalidation::Keys(vec![Bytes::from("a"), Bytes::from("b")]))
        );
        let all = Value::Push(vec![bulk("invalidate"), Value::Nil]);
        assert_eq!(invalidation(&all), Some(Invalidation::All));
        let odd = Value::Push(vec![
            bulk("invalidate"),
            Value::Array(vec![Value::Integer(1)]),
        ]);
        assert_eq!(invalidation(&odd), Some(Invalidation::All));
        let message = Value::Push(vec![bulk("message"), bulk("ch"), bulk("hi")]);
        assert_eq!(invalidation(&message), None);
        assert_eq!(invalidation(&bulk("invalidate")), None);
    }

    #[test]
    fn broadcast_names_its_prefixes() {
        let cmd = tracking_command(&CacheConfig::new().with_broadcast(["user:", "cfg:"]));
        let args: Vec<_> = cmd.args().map(<[u8]>::to_vec).collect();
        let expected: Vec<&[u8]> = vec![
            b"CLIENT",
            b"TRACKING",
            b"ON",
            b"BCAST",
            b"PREFIX",
            b"user:",
            b"PREFIX",
            b"cfg:",
        ];
        assert_eq!(args, expected);
    }
}
