//! The clock task: fails commands whose deadline passed, so a waiting
//! command costs no timer of its own.

use std::sync::Arc;

use tokio::time::Instant;

use super::{Shared, lock};
use crate::Error;

/// Fails commands whose deadline passed, sleeping until the earliest one.
pub(super) async fn clock(shared: Arc<Shared>) {
    loop {
        let (expired, armed) = {
            let mut state = lock(&shared.state);
            if state.closed {
                return;
            }
            let (expired, next) = state.expire(Instant::now());
            state.clock_armed = next;
            (expired, next)
        };
        for (tx, limit) in expired {
            let _ = tx.send(Err(Error::timeout(format!(
                "no reply from {} within {limit:?}",
                shared.config.addr
            ))));
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
