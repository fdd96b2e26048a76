//! Redlock: one lock over several independent servers, held while a
//! majority of them hold it.

use std::time::Duration;

use redis_core::{Client, Cmd, Error, ErrorKind, Result};
use tokio::time::Instant;

use super::{EXTEND, RELEASE, millis};

/// How much of the TTL is set aside for the servers' clocks running at
/// different rates (the algorithm's drift factor).
const CLOCK_DRIFT: f64 = 0.01;

/// The fixed part of the drift allowance.
const DRIFT_FLOOR: Duration = Duration::from_millis(2);

/// The lock over `N` independent servers (not replicas of each other, not
/// one cluster), as the Redlock algorithm describes it: a random token is
/// set with `SET NX PX ttl` on every server at once, each allowed a short
/// time to answer; the lock is held when a majority set it and time is
/// left of the TTL after the time taken and an allowance for clock drift
/// (the [validity](RedlockGuard::validity)). Otherwise it is released on
/// every server and the attempt failed.
///
/// **When to use it.** It keeps working while a minority of the servers is
/// down. It does not make a holder safe from itself: a holder paused past
/// the validity (a GC pause, a stalled VM) still believes it holds the
/// lock, and Redlock has no fencing token that only grows (each server
/// would count on its own). Where a late write would corrupt data, use a
/// single-server [`Lock`](super::Lock) with its fencing token checked by
/// the protected resource, or a consensus system; use Redlock for
/// efficiency (avoiding the same work twice), where a rare overlap costs
/// little. The algorithm also trusts the servers' clocks to move at about
/// the same rate, and a server restarted without persistence forgets the
/// locks it held (restart such a server only after one TTL).
///
/// ```no_run
/// # async fn run(a: redis_core::Client, b: redis_core::Client, c: redis_core::Client) -> redis_core::Result<()> {
/// use std::time::Duration;
/// use redis_om::Redlock;
///
/// let lock = Redlock::new(&[a, b, c], "jobs:rebuild").ttl(Duration::from_secs(10));
/// if let Some(guard) = lock.try_acquire().await? {
///     // ... work for less than guard.validity() ...
///     guard.release().await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Redlock {
    clients: Vec<Client>,
    key: String,
    ttl: Duration,
    sleep: Duration,
}

impl Redlock {
    /// The lock named `name` on every server of `clients` (one client per
    /// independent server). TTL 30 s, 100 ms between attempts of
    /// [`Redlock::acquire_timeout`], unless set.
    pub fn new(clients: &[Client], name: impl Into<String>) -> Self {
        Redlock {
            clients: clients.to_vec(),
            key: name.into(),
            ttl: super::DEFAULT_TTL,
            sleep: super::DEFAULT_SLEEP,
        }
    }

    /// How long an acquisition is valid at most.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The pause between attempts of [`Redlock::acquire_timeout`] (a random
    /// part up to as long again is added, so that contenders do not retry
    /// in step).
    pub fn sleep(mut self, sleep: Duration) -> Self {
        self.sleep = sleep;
        self
    }

    /// How long one server may take to answer: short against the TTL, so
    /// that a server that is down costs little of the validity.
    fn node_timeout(&self) -> Duration {
        (self.ttl / 20).clamp(Duration::from_millis(5), Duration::from_millis(200))
    }

    /// One attempt: the guard when a majority of the servers set the lock
    /// and validity is left; `None` when too few did (the lock is held
    /// elsewhere), after releasing it where it was set. Fails with
    /// [`ErrorKind::Io`] when fewer than a majority of the servers answered
    /// at all: then nobody can hold the lock.
    pub async fn try_acquire(&self) -> Result<Option<RedlockGuard>> {
        if self.clients.is_empty() {
            return Err(Error::new(
                ErrorKind::Config,
                format!("redlock `{}`: no servers were given", self.key),
            ));
        }
        let token = uuid::Uuid::new_v4().simple().to_string();
        let start = Instant::now();
        let set = Cmd::new("SET")
            .arg(self.key.as_str())
            .arg(token.as_str())
            .arg("NX")
            .arg("PX")
            .arg(millis(self.ttl));
        let replies = on_every(&self.clients, self.node_timeout(), move |client| {
            let set = set.clone();
            async move { set.query::<Option<String>>(&client).await }
        })
        .await;
        let answered = replies.iter().filter(|reply| reply.is_ok()).count();
        let granted = replies
            .iter()
            .filter(|reply| matches!(reply, Ok(Some(_))))
            .count();
        let drift = self.ttl.mul_f64(CLOCK_DRIFT) + DRIFT_FLOOR;
        let validity = self.ttl.saturating_sub(start.elapsed() + drift);
        let guard = RedlockGuard {
            clients: self.clients.clone(),
            key: self.key.clone(),
            token,
            valid_until: start + validity,
            node_timeout: self.node_timeout(),
            released: false,
        };
        if granted >= quorum(self.clients.len()) && !validity.is_zero() {
            return Ok(Some(guard));
        }
        guard.release_everywhere().await;
        let quorum = quorum(self.clients.len());
        if answered < quorum {
            let first = replies.into_iter().find_map(std::result::Result::err);
            return Err(Error::new(
                ErrorKind::Io,
                format!(
                    "redlock `{}`: only {answered} of {} servers answered, and {quorum} must \
                     ({})",
                    self.key,
                    self.clients.len(),
                    first.map_or_else(String::new, |e| e.to_string())
                ),
            ));
        }
        Ok(None)
    }

    /// Tries until the lock is acquired, for at most `timeout`; then fails
    /// with [`ErrorKind::Timeout`]. At least one attempt is made; an
    /// attempt that found too few servers fails the call at once.
    pub async fn acquire_timeout(&self, timeout: Duration) -> Result<RedlockGuard> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(guard) = self.try_acquire().await? {
                return Ok(guard);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("redlock `{}`: still held after {timeout:?}", self.key),
                ));
            }
            let jitter = self.sleep.mul_f64(fastrand::f64());
            tokio::time::sleep((self.sleep + jitter).min(deadline - now)).await;
        }
    }
}

/// A majority of `n` servers.
fn quorum(n: usize) -> usize {
    n / 2 + 1
}

/// Runs `each` against every client at once, each bounded by `timeout`;
/// the outcomes in the clients' order.
async fn on_every<T, F, Fut>(clients: &[Client], timeout: Duration, each: F) -> Vec<Result<T>>
where
    T: Send + 'static,
    F: Fn(Client) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let tasks: Vec<_> = clients
        .iter()
        .map(|client| {
            let attempt = each(client.clone());
            tokio::spawn(async move {
                tokio::time::timeout(timeout, attempt)
                    .await
                    .unwrap_or_else(|_| {
                        Err(Error::new(
                            ErrorKind::Timeout,
                            format!("no answer within {timeout:?}"),
                        ))
                    })
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.unwrap_or_else(|e| {
            Err(Error::new(
                ErrorKind::Closed,
                format!("the attempt's task failed: {e}"),
            ))
        }));
    }
    outcomes
}

/// A held [`Redlock`]. Released on drop (spawned, outcome ignored) unless
/// [`RedlockGuard::release`] was called.
pub struct RedlockGuard {
    clients: Vec<Client>,
    key: String,
    token: String,
    valid_until: Instant,
    node_timeout: Duration,
    released: bool,
}

impl std::fmt::Debug for RedlockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedlockGuard")
            .field("key", &self.key)
            .field("validity", &self.validity())
            .finish_non_exhaustive()
    }
}

impl RedlockGuard {
    /// How much longer the lock is certainly held: the TTL less the time
    /// acquiring (or extending) took and the clock-drift allowance, less
    /// the time since. Work must end within it.
    pub fn validity(&self) -> Duration {
        self.valid_until.saturating_duration_since(Instant::now())
    }

    /// The lock's key.
    pub fn name(&self) -> &str {
        &self.key
    }

    /// Releases the lock on every server that still holds this guard's
    /// token. Fails with [`ErrorKind::LockLost`] when none did (it expired
    /// everywhere).
    pub async fn release(mut self) -> Result<()> {
        self.released = true;
        if self.release_everywhere().await == 0 {
            return Err(Error::new(
                ErrorKind::LockLost,
                format!(
                    "redlock `{}`: cannot release, no server held it for this owner any more",
                    self.key
                ),
            ));
        }
        Ok(())
    }

    /// Sets the lock's TTL to `ttl` again on every server that still holds
    /// this guard's token; the validity is renewed when a majority did, in
    /// time. Fails with [`ErrorKind::LockLost`] otherwise.
    pub async fn extend(&mut self, ttl: Duration) -> Result<()> {
        let start = Instant::now();
        let (key, token) = (self.key.clone(), self.token.clone());
        let replies = on_every(&self.clients, self.node_timeout, move |client| {
            let (key, token) = (key.clone(), token.clone());
            async move {
                EXTEND
                    .key(key.as_str())
                    .arg(token.as_str())
                    .arg(millis(ttl))
                    .invoke::<i64>(&client)
                    .await
            }
        })
        .await;
        let extended = replies.iter().filter(|r| matches!(r, Ok(1))).count();
        let drift = ttl.mul_f64(CLOCK_DRIFT) + DRIFT_FLOOR;
        let validity = ttl.saturating_sub(start.elapsed() + drift);
        if extended >= quorum(self.clients.len()) && !validity.is_zero() {
            self.valid_until = start + validity;
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::LockLost,
            format!(
                "redlock `{}`: only {extended} of {} servers still held it for this owner",
                self.key,
                self.clients.len()
            ),
        ))
    }

    /// Deletes the key where it holds this guard's token; on how many
    /// servers it did.
    async fn release_everywhere(&self) -> usize {
        let (key, token) = (self.key.clone(), self.token.clone());
        let replies = on_every(&self.clients, self.node_timeout, move |client| {
            let (key, token) = (key.clone(), token.clone());
            async move {
                RELEASE
                    .key(key.as_str())
                    .arg(token.as_str())
                    .invoke::<i64>(&client)
                    .await
            }
        })
        .await;
        replies.iter().filter(|r| matches!(r, Ok(1))).count()
    }
}

impl Drop for RedlockGuard {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let guard = RedlockGuard {
                clients: std::mem::take(&mut self.clients),
                key: std::mem::take(&mut self.key),
                token: std::mem::take(&mut self.token),
                valid_until: self.valid_until,
                node_timeout: self.node_timeout,
                released: true,
            };
            runtime.spawn(async move {
                guard.release_everywhere().await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quorum;

    #[test]
    fn a_majority_is_more_than_half() {
        assert_eq!([1, 2, 3, 4, 5].map(quorum), [1, 2, 2, 3, 3]);
    }
}
