//! The clock task: fails commands whose deadline passed, so a waiting
//! command costs no timer of its own.

use std::sync::Arc;
use std::task::Waker;

use tokio::time::Instant;

use super::{Shared, lock};
use crate::Error;

/// Fails commands whose deadline passed, sleeping until the earliest one.
pub(super) async fn clock(shared: Arc<Shared>) {
    loop {
        let mut wake = Vec::new();
        let probe;
        let armed = {
            let mut state = lock(&shared.state);
            if state.closed {
                return;
            }
            let addr = state.addr.clone();
            let timed_out = |limit| {
                Error::timeout(format!("no reply from {addr} within {limit:?}")).at_node(&addr)
            };
            // A probe waits at least as long as any command would.
            let probe_timeout = shared.config.response_timeout.unwrap_or_default();
            let next = state.expire(Instant::now(), timed_out, probe_timeout, &mut wake);
            state.clock_armed = next;
            probe = state.take_probe_unsent();
            next
        };
        wake.into_iter().for_each(Waker::wake);
        if probe {
            // No caller is about to write it.
            shared.writer_wake.notify_one();
        }
        match armed {
            Some(at) => tokio::select! {
                () = tokio::time::sleep_until(at) => {}
                () = shared.clock_wake.notified() => {}
            },
            None => shared.clock_wake.notified().await,
        }
    }
}
