//! Periodic checks of a live connection, off the hot path.

use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::state::Replies;
use super::{Shared, lock};
use crate::{Cmd, Error, Result};

/// After a command times out, how long the connection may stay silent before
/// it is presumed dead, closed and replaced. Its waiting commands fail;
/// read-only ones are retried on the new connection.
pub(super) const STALL_GRACE: Duration = Duration::from_secs(1);

/// How often the driver looks for stalls and idle time.
pub(super) const HOUSEKEEPING: Duration = Duration::from_millis(250);

/// Periodic checks off the hot path: a connection that went silent after a
/// command timed out is presumed dead; an idle one is PINGed so a dead peer is
/// found before a user's command needs it.
pub(super) struct Housekeeping {
    health_check: Option<(Instant, oneshot::Receiver<Result<Replies>>)>,
}

impl Housekeeping {
    pub(super) fn new(_shared: &Shared) -> Self {
        Housekeeping { health_check: None }
    }

    pub(super) fn check(&mut self, shared: &Shared) -> Option<Error> {
        let now = Instant::now();
        let last_read = shared.last_read();
        let addr = &shared.config.addr;
        {
            let mut state = lock(&shared.state);
            if let Some(since) = state.stall_suspected_at {
                if last_read > since || state.waiting.is_empty() {
                    state.stall_suspected_at = None;
                } else if now.duration_since(since) >= STALL_GRACE {
                    return Some(Error::timeout(format!(
                        "{addr} sent nothing for {STALL_GRACE:?} after a command timed out; connection presumed dead"
                    )));
                }
            }
        }
        if let Some((sent, rx)) = &mut self.health_check {
            if !matches!(rx.try_recv(), Err(oneshot::error::TryRecvError::Empty)) {
                self.health_check = None;
            } else if now.duration_since(*sent)
                >= shared
                    .config
                    .response_timeout
                    .unwrap_or(Duration::from_secs(10))
            {
                return Some(Error::timeout(format!(
                    "{addr} did not answer a health-check PING"
                )));
            }
            return None;
        }
        let idle_for = now.duration_since(last_read);
        if let Some(interval) = shared.config.health_check_interval {
            if idle_for >= interval && !shared.has_waiting() {
                if let Ok(rx) = shared.enqueue(&[Cmd::new("PING")], None) {
                    self.health_check = Some((now, rx));
                }
            }
        }
        None
    }
}
