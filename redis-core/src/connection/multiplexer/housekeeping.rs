//! Periodic checks of a live connection, off the hot path.

use std::time::Duration;

use tokio::time::Instant;

use super::{Shared, lock};
use crate::{Cmd, Error};

/// After a command times out, how long the connection may stay silent before
/// it is presumed dead, closed and replaced. Its waiting commands fail;
/// read-only ones are retried on the new connection.
pub(super) const STALL_GRACE: Duration = Duration::from_secs(1);

/// How often the driver looks for stalls and idle time.
pub(super) const HOUSEKEEPING: Duration = Duration::from_millis(250);

/// Periodic checks off the hot path: a connection that went silent after a
/// command timed out is presumed dead (the error says why); an idle one is
/// PINGed, with a deadline like any command, so a dead peer is found before a
/// user's command needs it.
pub(super) fn check(shared: &Shared) -> Option<Error> {
    let now = Instant::now();
    let last_read = shared.last_read();
    let idle = {
        let mut state = lock(&shared.state);
        if let Some(since) = state.stall_suspected_at {
            if last_read > since || state.waiting.is_empty() {
                state.stall_suspected_at = None;
            } else if now.duration_since(since) >= STALL_GRACE {
                return Some(Error::timeout(format!(
                    "{} sent nothing for {STALL_GRACE:?} after a command timed out; connection presumed dead",
                    shared.config.addr
                )));
            }
        }
        state.waiting.is_empty()
    };
    let due = shared
        .config
        .health_check_interval
        .is_some_and(|interval| now.duration_since(last_read) >= interval);
    if idle && due {
        let timeout = shared
            .config
            .response_timeout
            .unwrap_or(Duration::from_secs(10));
        // Nobody awaits the reply: a PING that times out marks the stall
        // that the next checks act on.
        let _ = shared.enqueue(&[Cmd::new("PING")], Some(timeout));
    }
    None
}
