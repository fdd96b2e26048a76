//! The task that keeps a watched lock alive while its guard lives.

use std::time::Duration;

use redis_core::{Error, ErrorKind, Executor, Result};
use tokio::sync::watch;
use tokio::time::Instant;

use super::{EXTEND, millis};

/// Extends the lock at `key` (held with `token`) to `ttl` every third of
/// it, until the task is aborted (the guard was released or dropped) or an
/// extension fails for good: the lock was lost, or no extension got
/// through before the last one's TTL ran out. Then `lost` says why.
pub(super) async fn keep_alive<E: Executor>(
    client: E,
    key: String,
    token: String,
    ttl: Duration,
    lost: watch::Sender<Option<Error>>,
) {
    let every = (ttl / 3).max(Duration::from_millis(1));
    // The lock is known to live until here: its last successful setting.
    let mut alive_until = Instant::now() + ttl;
    loop {
        tokio::time::sleep(every).await;
        let attempt = Instant::now();
        let extended: Result<i64> = EXTEND
            .key(key.as_str())
            .arg(token.as_str())
            .arg(millis(ttl))
            .invoke(&client)
            .await;
        match extended {
            Ok(1) => alive_until = attempt + ttl,
            Ok(_) => {
                let _ = lost.send(Some(Error::new(
                    ErrorKind::LockLost,
                    format!(
                        "lock `{key}`: the watchdog found it no longer held by this owner (it \
                         expired, and perhaps another owner took it)"
                    ),
                )));
                return;
            }
            // A failed round trip: the lock may still be ours; try again
            // while it must still be alive.
            Err(error) if Instant::now() + every < alive_until => {
                tracing::debug!(%key, %error, "lock watchdog: an extension failed; retrying");
            }
            Err(error) => {
                let _ = lost.send(Some(Error::new(
                    ErrorKind::LockLost,
                    format!(
                        "lock `{key}`: the watchdog could not extend it before its time to \
                         live ran out ({error}); presume it lost"
                    ),
                )));
                return;
            }
        }
    }
}
