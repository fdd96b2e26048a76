//! Periodic checks of a live connection, off the hot path.

use std::time::Duration;

use tokio::time::Instant;

use super::{Shared, lock};
use crate::{Cmd, Error};

/// Once the oldest waiting command is past its deadline, how long the
/// connection may stay silent before it is presumed dead, closed and
/// replaced. Its waiting commands fail; read-only ones are retried on the new
/// connection.
pub(super) const STALL_GRACE: Duration = Duration::from_secs(1);

/// How often the driver looks for stalls and idle time.
pub(super) const HOUSEKEEPING: Duration = Duration::from_millis(250);

/// Periodic checks off the hot path: a connection whose oldest waiting
/// command is overdue and that has sent nothing for [`STALL_GRACE`] since is
/// presumed dead (the error says why); an idle one is PINGed, with a deadline
/// like any command, so a dead peer is found before a user's command needs it.
///
/// Only the oldest command counts: replies come in order, so a later command
/// with a shorter timeout (which fails alone, at its deadline) says nothing
/// about a slow one ahead of it that still has time.
pub(super) fn check(shared: &Shared) -> Option<Error> {
    let now = Instant::now();
    let last_read = shared.last_read();
    let idle = {
        let state = lock(&shared.state);
        if let Some(limit) = state.probe_overdue(now) {
            // The probe waits as long as any command: without its reply the
            // callers whose replies are held cannot be served, and a server
            // that slow (or that lost a second reply) is treated as stalled.
            return Some(Error::timeout(format!(
                "{} did not answer the in-step probe sent after a command timed out within {limit:?}; connection presumed dead",
                state.addr
            )));
        }
        let overdue = state.oldest_deadline();
        if let Some(deadline) = overdue.filter(|deadline| *deadline <= now) {
            if now.duration_since(deadline.max(last_read)) >= STALL_GRACE {
                return Some(Error::timeout(format!(
                    "{} sent nothing for {STALL_GRACE:?} after the oldest waiting command's deadline; connection presumed dead",
                    state.addr
                )));
            }
        }
        state.unanswered() == 0
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
        let ping = Cmd::new("PING");
        drop(shared.enqueue(1, None, Some(timeout), |out| ping.write_to(out)));
    }
    None
}
