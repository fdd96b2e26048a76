//! Ordering a test after a blocking command without a sleep: wait until the
//! server lists the connection as blocked.

use std::time::{Duration, Instant};

use redis_core::{Cmd, Executor};

/// How long [`until_blocked`] waits before failing the test: a bound that
/// turns a command that never blocks into a clear failure, not a speed.
const BLOCK_WAIT_BOUND: Duration = Duration::from_secs(5);

/// Waits until a connection named `name` (`Config::with_client_name`, which
/// every connection of a client takes, dedicated ones included) is blocked
/// in a command, as `CLIENT LIST` shows it (`flags=b`), asking through
/// `admin`. A push or ping sent after a fixed sleep passes even when the
/// pop had not blocked yet; after this it cannot.
pub async fn until_blocked(admin: &impl Executor, name: &str) {
    let started = Instant::now();
    loop {
        let list: String = Cmd::new("CLIENT").arg("LIST").query(admin).await.unwrap();
        if list.lines().any(|line| is_blocked_as(line, name)) {
            return;
        }
        assert!(
            started.elapsed() < BLOCK_WAIT_BOUND,
            "no connection named {name:?} was blocked within {BLOCK_WAIT_BOUND:?}:\n{list}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// One `CLIENT LIST` line: the connection is named `name` and blocked.
fn is_blocked_as(line: &str, name: &str) -> bool {
    let mut named = false;
    let mut blocked = false;
    for field in line.split(' ') {
        if let Some(value) = field.strip_prefix("name=") {
            named = value == name;
        } else if let Some(flags) = field.strip_prefix("flags=") {
            blocked = flags.contains('b');
        }
    }
    named && blocked
}
