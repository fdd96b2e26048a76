//! Retry policy and backoff strategies, for reconnects and for commands that
//! failed because their connection broke.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{Error, ErrorKind, RetryMethod};

/// How long to wait before attempt number `attempt` (1 for the first retry).
pub trait Backoff: Send + Sync + fmt::Debug {
    /// The delay before the given retry.
    fn delay(&self, attempt: u32) -> Duration;
}

/// Retry at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoBackoff;

impl Backoff for NoBackoff {
    fn delay(&self, _attempt: u32) -> Duration {
        Duration::ZERO
    }
}

/// The same delay before every retry.
#[derive(Debug, Clone, Copy)]
pub struct ConstantBackoff(pub Duration);

impl Backoff for ConstantBackoff {
    fn delay(&self, _attempt: u32) -> Duration {
        self.0
    }
}

/// `base * 2^(attempt-1)`, capped, with "full jitter": the delay is drawn
/// uniformly from `[0, computed]` so that many clients reconnecting after the
/// same outage do not arrive together.
#[derive(Debug, Clone, Copy)]
pub struct ExponentialBackoff {
    /// Delay before the first retry (before jitter).
    pub base: Duration,
    /// Largest delay.
    pub cap: Duration,
    /// Draw the delay uniformly from zero to the computed value.
    pub jitter: bool,
}

impl Default for ExponentialBackoff {
    fn default() -> Self {
        ExponentialBackoff {
            base: Duration::from_millis(8),
            cap: Duration::from_secs(1),
            jitter: true,
        }
    }
}

impl Backoff for ExponentialBackoff {
    fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let computed = self.base.saturating_mul(factor).min(self.cap);
        if self.jitter {
            computed.mul_f64(fastrand::f64())
        } else {
            computed
        }
    }
}

/// Whether `error` is a server's answer that it did not run the command
/// and may soon (`LOADING`, `BUSY`, `MASTERDOWN`, `CLUSTERDOWN`,
/// `TRYAGAIN`): the one classification every topology retries by
/// ([`Error::retry_method`]). Such a command is tried again whether it
/// writes or not: nothing of it ran.
pub(crate) fn not_run_yet(error: &Error) -> bool {
    matches!(
        error.retry_method(),
        RetryMethod::WaitAndRetry | RetryMethod::RetryImmediately
    )
}

/// When a failed command is tried again, and how long to wait in between.
///
/// The defaults follow the principle "never apply a write twice unless told":
/// a command whose connection broke while it was in flight is retried once
/// when it only reads (GET, HGETALL, ...); a command the server answered it
/// did not run yet (`LOADING`, `BUSY`, `MASTERDOWN`, `TRYAGAIN` ...) is
/// retried whether it writes or not; a write fails with an error of kind
/// [`ErrorKind::Io`] unless [`Retry::retry_writes`] is on. A closed client
/// ([`ErrorKind::Closed`]) is never retried by default. Timeouts are not retried unless [`Retry::retry_on_timeout`] is on
/// (the command may still run on the server).
///
/// ```
/// use std::time::Duration;
/// use redis_core::retry::{ConstantBackoff, Retry};
/// let retry = Retry::new(3, ConstantBackoff(Duration::from_millis(50)))
///     .retry_on_timeout(true);
/// assert_eq!(retry.attempts(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct Retry {
    attempts: u32,
    backoff: Arc<dyn Backoff>,
    on_kinds: Vec<ErrorKind>,
    on_timeout: bool,
    writes: bool,
}

impl Default for Retry {
    fn default() -> Self {
        Retry::new(1, ExponentialBackoff::default())
    }
}

impl Retry {
    /// Up to `attempts` retries after the first try, waiting `backoff` before each.
    pub fn new(attempts: u32, backoff: impl Backoff + 'static) -> Self {
        Retry {
            attempts,
            backoff: Arc::new(backoff),
            on_kinds: vec![ErrorKind::Io],
            on_timeout: false,
            writes: false,
        }
    }

    /// No retries at all.
    pub fn never() -> Self {
        Retry::new(0, NoBackoff)
    }

    /// Also retry on timeouts (like redis-py's `retry_on_timeout`).
    pub fn retry_on_timeout(mut self, on: bool) -> Self {
        self.on_timeout = on;
        self
    }

    /// The error kinds that are retried (like redis-py's `retry_on_error`);
    /// the default is a lost connection: [`ErrorKind::Io`].
    pub fn retry_on(mut self, kinds: &[ErrorKind]) -> Self {
        self.on_kinds = kinds.to_vec();
        self
    }

    /// Also retry commands that write. Only safe for idempotent writes.
    pub fn retry_writes(mut self, on: bool) -> Self {
        self.writes = on;
        self
    }

    /// The number of retries after the first try.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The delay before retry number `attempt` (from 1).
    pub fn delay(&self, attempt: u32) -> Duration {
        self.backoff.delay(attempt)
    }

    /// Whether a command that failed with `error` on try number `attempt`
    /// (from 1) is tried again.
    pub(crate) fn should_retry(&self, error: &Error, attempt: u32, read_only: bool) -> bool {
        if attempt > self.attempts {
            return false;
        }
        if not_run_yet(error) {
            return true;
        }
        if !(read_only || self.writes) {
            return false;
        }
        let kind = error.kind();
        (kind == ErrorKind::Timeout && self.on_timeout) || self.on_kinds.contains(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_backoff_doubles_up_to_its_cap() {
        let b = ExponentialBackoff {
            base: Duration::from_millis(10),
            cap: Duration::from_millis(50),
            jitter: false,
        };
        let delays: Vec<_> = (1..=5).map(|a| b.delay(a).as_millis()).collect();
        assert_eq!(delays, vec![10, 20, 40, 50, 50]);
        assert_eq!(b.delay(200), Duration::from_millis(50));
    }

    #[test]
    fn jitter_stays_within_the_computed_delay() {
        let b = ExponentialBackoff {
            base: Duration::from_millis(10),
            cap: Duration::from_secs(1),
            jitter: true,
        };
        for attempt in 1..20 {
            assert!(b.delay(attempt) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn writes_are_not_retried_by_default() {
        let retry = Retry::default();
        let lost = Error::new(ErrorKind::Io, "connection lost");
        assert!(retry.should_retry(&lost, 1, true));
        assert!(!retry.should_retry(&Error::closed("the client was closed"), 1, true));
        assert!(!retry.should_retry(&lost, 1, false));
        assert!(!retry.should_retry(&lost, 2, true));
        assert!(
            retry
                .clone()
                .retry_writes(true)
                .should_retry(&lost, 1, false)
        );
    }

    #[test]
    fn commands_the_server_did_not_run_yet_are_retried_writes_too() {
        let retry = Retry::default();
        let server = |text: &str| Error::server(crate::ServerError::parse(text));
        for text in [
            "LOADING Redis is loading the dataset in memory",
            "BUSY Redis is busy running a script",
            "MASTERDOWN Link with MASTER is down",
            "TRYAGAIN Multiple keys request during rehashing of slot",
        ] {
            assert!(retry.should_retry(&server(text), 1, false), "{text}");
            assert!(!retry.should_retry(&server(text), 2, false), "{text}: once");
            assert!(
                !Retry::never().should_retry(&server(text), 1, true),
                "{text}"
            );
        }
        let ran = server("WRONGTYPE Operation against a key holding the wrong kind of value");
        assert!(!retry.should_retry(&ran, 1, true));
    }

    #[test]
    fn timeouts_are_retried_only_when_asked() {
        let timeout = Error::timeout("no reply");
        assert!(!Retry::default().should_retry(&timeout, 1, true));
        assert!(
            Retry::default()
                .retry_on_timeout(true)
                .should_retry(&timeout, 1, true)
        );
    }
}
