//! `SCAN` over a cluster: every primary in turn, one page at a time, so
//! that [`crate::commands::ScanCommands::scan`] (written once over the
//! executor trait) yields the keys of the whole cluster.
//!
//! A node's own cursor means nothing on another node, so the cursor the
//! caller gets back names the node too: `host:port/cursor`. `0` starts at
//! the first primary (in address order); when a primary's scan ends, the
//! next page starts at the next one (`next:port/0`); `0` comes back after
//! the last. A primary that stops being one during a scan is still
//! scanned to its end by address (it holds the keys it held); slots that
//! move meanwhile may be seen twice or not at all, within SCAN's own
//! guarantees.

use super::client::{ClusterClient, normalize};
use crate::{Cmd, Error, Executor, Result, Value};

impl ClusterClient {
    /// One page of a cluster-wide `SCAN cursor [options]`: the reply of
    /// the node the cursor names, with its cursor rewritten as above.
    pub(super) async fn scan_page(&self, cmd: &Cmd) -> Result<Value> {
        let mut args = cmd.args().skip(1);
        let cursor = args.next().unwrap_or(b"0");
        let cursor = std::str::from_utf8(cursor).map_err(|_| bad_cursor(cursor))?;
        let mut primaries = self.primaries();
        primaries.sort();
        let (node, own_cursor) = match cursor {
            "0" => (
                primaries
                    .first()
                    .cloned()
                    .ok_or_else(|| Error::protocol("no primary is known"))?,
                "0",
            ),
            other => {
                let (node, own) = other
                    .rsplit_once('/')
                    .ok_or_else(|| bad_cursor(other.as_bytes()))?;
                (normalize(node), own)
            }
        };
        let mut page = Cmd::new("SCAN").arg(own_cursor);
        for arg in args {
            page.push_bytes(arg);
        }
        let page = match cmd.timeout() {
            Some(Some(timeout)) => page.with_timeout(timeout),
            Some(None) => page.without_timeout(),
            None => page,
        };
        let client = self.inner.nodes.get(&node).await?;
        let reply: Value = client.execute(page).await.map_err(|e| e.at_node(&node))?;
        let Value::Array(mut parts) = reply.without_attributes() else {
            return Err(Error::protocol(
                "SCAN replied with something else than [cursor, keys]",
            ));
        };
        let (Some(keys), Some(next)) = (parts.pop(), parts.pop()) else {
            return Err(Error::protocol("SCAN replied without a cursor and keys"));
        };
        let next = match next {
            Value::BulkString(b) | Value::SimpleString(b) => b,
            other => return Err(Error::protocol(format!("SCAN's cursor was {other:?}"))),
        };
        let cursor = if &next[..] != b"0" {
            format!("{node}/{}", String::from_utf8_lossy(&next))
        } else {
            // This primary is done: the next one in address order, if any.
            match primaries.iter().find(|p| p.as_str() > node.as_str()) {
                Some(following) => format!("{following}/0"),
                None => "0".to_owned(),
            }
        };
        Ok(Value::Array(vec![
            Value::BulkString(cursor.into_bytes().into()),
            keys,
        ]))
    }
}

fn bad_cursor(cursor: &[u8]) -> Error {
    Error::new(
        crate::ErrorKind::InvalidInput,
        format!(
            "a cluster SCAN cursor is 0 or host:port/cursor as a previous page returned, not {:?}",
            String::from_utf8_lossy(cursor)
        ),
    )
}
