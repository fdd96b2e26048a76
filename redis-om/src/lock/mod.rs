//! A lock on one server: `SET key token NX PX ttl`, with fencing tokens,
//! and release and extension by scripts that check the token.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use redis_core::{Client, Error, ErrorKind, Executor, Result, Script};
use tokio::sync::watch;

mod redlock;
mod watchdog;

pub use redlock::{Redlock, RedlockGuard};

/// Sets the lock key to the token if it is absent and, only then,
/// increments the fence counter and returns it; nil when the lock is held.
static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then \
             return redis.call('INCR', KEYS[2]) \
         end \
         return false",
    )
});

/// Deletes the lock key only if it still holds the caller's token: 1, else 0.
pub(crate) static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then \
             return redis.call('DEL', KEYS[1]) \
         end \
         return 0",
    )
});

/// Sets the lock key's time to live only if it still holds the caller's
/// token: 1, else 0.
pub(super) static EXTEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then \
             return redis.call('PEXPIRE', KEYS[1], ARGV[2]) \
         end \
         return 0",
    )
});

/// The time to live of a lock whose [`Lock::ttl`] was not set.
pub(super) const DEFAULT_TTL: Duration = Duration::from_secs(30);

/// The pause between attempts of [`Lock::acquire_timeout`] unless
/// [`Lock::sleep`] sets another (redis-py's default `sleep` of 0.1 s).
pub(super) const DEFAULT_SLEEP: Duration = Duration::from_millis(100);

/// A named lock on one server, with redis-py's `Lock` semantics: the key
/// holds a random token of the holder's (`SET key token NX PX ttl`) and
/// expires after its time to live, so a holder that dies does not keep it.
///
/// Each acquisition also returns a **fencing token**
/// ([`LockGuard::fencing_token`]): a counter (the key `{name}:fence`)
/// incremented in the same script that sets the lock, so it only grows
/// across owners. A holder paused past its time to live (a GC pause, a
/// stalled VM) can still act as if it held the lock; passing the fencing
/// token to the protected resource, which refuses a token lower than one it
/// has seen, stops that holder's late writes.
///
/// [`LockGuard::release`] and [`LockGuard::extend`] run scripts that compare
/// the stored token first: a holder whose lock expired and was taken by
/// another owner never releases or extends the new owner's lock, and gets
/// [`ErrorKind::LockLost`] instead.
///
/// **Not reentrant.** A second acquisition by the same holder waits for (or,
/// with [`Lock::try_acquire`], is refused by) its own first one. A reentrant
/// lock needs to know who "the same holder" is, and across tasks, threads
/// and processes there is no identity to compare that a task cannot hand on
/// by mistake; a count of nested holds stored beside the key would also have
/// to expire with it, and releasing the inner hold would extend or shorten
/// the outer one's life. Pass the [`LockGuard`] down to the code that needs
/// the lock instead.
///
/// On any executor: a [`Client`] (the default), a
/// [`ClusterClient`](redis_core::ClusterClient) or a [`Redis`](redis_core::Redis) handle. The
/// keys (the name and its fence) share a hash slot, so the lock works on a cluster. It lives on
/// one server (the slot's primary): a failover can lose a lock that was not yet replicated
/// ([`Redlock`] spreads it over independent servers instead).
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use std::time::Duration;
/// use redis_om::Lock;
///
/// let guard = Lock::new(client, "order:42")
///     .ttl(Duration::from_secs(10))
///     .acquire_timeout(Duration::from_secs(2))
///     .await?;
/// let fence: u64 = guard.fencing_token(); // hand to the protected resource
/// # let _ = fence;
/// guard.extend(Duration::from_secs(10)).await?; // LockLost if it was lost
/// guard.release().await?; // LockLost if it had expired and was taken
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Lock<E = Client> {
    client: E,
    key: String,
    fence_key: String,
    ttl: Duration,
    sleep: Duration,
    watchdog: bool,
}

impl<E: Executor + Clone + 'static> Lock<E> {
    /// The lock named `name` (its key), on `client`'s server (on a cluster, the primary of the
    /// name's slot). Its time to live is 30 seconds unless [`Lock::ttl`] says otherwise.
    pub fn new(client: &E, name: impl Into<String>) -> Self {
        let key = name.into();
        let fence_key = fence_key(&key);
        Lock {
            client: client.clone(),
            key,
            fence_key,
            ttl: DEFAULT_TTL,
            sleep: DEFAULT_SLEEP,
            watchdog: false,
        }
    }

    /// How long an acquisition holds the lock unless extended (`PX`, in
    /// whole milliseconds, at least one).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The pause between attempts of [`Lock::acquire`] and
    /// [`Lock::acquire_timeout`] (redis-py's `sleep`); 100 ms by default.
    pub fn sleep(mut self, sleep: Duration) -> Self {
        self.sleep = sleep;
        self
    }

    /// Keeps every acquisition alive while its guard lives: a task extends
    /// the lock to its full time to live every third of it, so a holder
    /// that works longer than the TTL keeps the lock, and one that dies
    /// (its process, not just its task) loses it within one TTL. When an
    /// extension fails (the lock was lost, or the server stayed out of
    /// reach until the lock must be presumed expired), the task stops and
    /// the guard says so: [`LockGuard::lost`] resolves and
    /// [`LockGuard::is_lost`] turns true. Needs a tokio runtime.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use std::time::Duration;
    /// use redis_om::Lock;
    ///
    /// let guard = Lock::new(client, "report:nightly")
    ///     .ttl(Duration::from_secs(10))
    ///     .watchdog()
    ///     .acquire()
    ///     .await?;
    /// tokio::select! {
    ///     () = tokio::time::sleep(Duration::from_secs(60)) => {} // the long work
    ///     lost = guard.lost() => return Err(lost), // stop: someone else may hold it now
    /// }
    /// guard.release().await?;
    /// # Ok(()) }
    /// ```
    pub fn watchdog(mut self) -> Self {
        self.watchdog = true;
        self
    }

    /// The lock's key.
    pub fn name(&self) -> &str {
        &self.key
    }

    /// One attempt: the guard if the lock was free, `None` if it is held
    /// (by anyone, this holder included).
    pub async fn try_acquire(&self) -> Result<Option<LockGuard<E>>> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let fence: Option<u64> = ACQUIRE
            .key(self.key.as_str())
            .key(self.fence_key.as_str())
            .arg(token.as_str())
            .arg(millis(self.ttl))
            .invoke(&self.client)
            .await?;
        Ok(fence.map(|fence| {
            let (lost_tx, lost) = watch::channel(None);
            let mut guard = LockGuard {
                client: self.client.clone(),
                key: self.key.clone(),
                token,
                fence,
                released: false,
                lost,
                watchdog: None,
            };
            if self.watchdog {
                guard.watchdog = Some(tokio::spawn(watchdog::keep_alive(
                    guard.client.clone(),
                    guard.key.clone(),
                    guard.token.clone(),
                    self.ttl,
                    lost_tx,
                )));
            }
            guard
        }))
    }

    /// Tries until the lock is free, pausing [`Lock::sleep`] between
    /// attempts, with no bound on the wait.
    pub async fn acquire(&self) -> Result<LockGuard<E>> {
        loop {
            if let Some(guard) = self.try_acquire().await? {
                return Ok(guard);
            }
            tokio::time::sleep(self.sleep).await;
        }
    }

    /// Tries until the lock is free, pausing [`Lock::sleep`] between
    /// attempts, for at most `timeout` (redis-py's `blocking_timeout`);
    /// then fails with [`ErrorKind::Timeout`]. At least one attempt is made.
    pub async fn acquire_timeout(&self, timeout: Duration) -> Result<LockGuard<E>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(guard) = self.try_acquire().await? {
                return Ok(guard);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("lock `{}`: still held after {timeout:?}", self.key),
                ));
            }
            tokio::time::sleep(self.sleep.min(deadline - now)).await;
        }
    }
}

/// A held lock, from [`Lock::try_acquire`], [`Lock::acquire`] or
/// [`Lock::acquire_timeout`].
///
/// Release it with [`LockGuard::release`], which says whether the lock was
/// still held. A guard dropped without it spawns the same release on the
/// current tokio runtime, if there is one, and ignores its outcome; outside
/// a runtime nothing is sent and the lock lives until its time to live runs
/// out.
pub struct LockGuard<E: Executor + Clone + 'static = Client> {
    client: E,
    key: String,
    token: String,
    fence: u64,
    released: bool,
    /// Set by the watchdog when it could not keep the lock.
    lost: watch::Receiver<Option<Error>>,
    watchdog: Option<tokio::task::JoinHandle<()>>,
}

impl<E: Executor + Clone + 'static> std::fmt::Debug for LockGuard<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockGuard")
            .field("key", &self.key)
            .field("fencing_token", &self.fence)
            .finish_non_exhaustive()
    }
}

impl<E: Executor + Clone + 'static> LockGuard<E> {
    /// This acquisition's fencing token: greater than that of every earlier
    /// acquisition of the lock, by any owner (while the server keeps the
    /// `{name}:fence` key).
    pub fn fencing_token(&self) -> u64 {
        self.fence
    }

    /// The lock's key.
    pub fn name(&self) -> &str {
        &self.key
    }

    /// With [`Lock::watchdog`]: resolves, with the reason, once the
    /// watchdog could not keep the lock (it was lost to expiry or to
    /// another owner, or the server stayed out of reach past the lock's
    /// time to live). Without a watchdog it never resolves.
    pub async fn lost(&self) -> Error {
        let mut lost = self.lost.clone();
        loop {
            if let Some(error) = lost.borrow_and_update().clone() {
                return error;
            }
            if lost.changed().await.is_err() {
                // The watchdog ended without losing the lock (no watchdog,
                // or the guard is being released): never resolves.
                std::future::pending::<()>().await;
            }
        }
    }

    /// With [`Lock::watchdog`]: whether the watchdog found the lock lost
    /// (the reason is [`LockGuard::lost`]'s).
    pub fn is_lost(&self) -> bool {
        self.lost.borrow().is_some()
    }

    /// Releases the lock if it still holds this guard's token. Fails with
    /// [`ErrorKind::LockLost`], changing nothing, when it expired (and
    /// perhaps was taken by another owner).
    pub async fn release(mut self) -> Result<()> {
        self.released = true;
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.abort();
        }
        let deleted: i64 = RELEASE
            .key(self.key.as_str())
            .arg(self.token.as_str())
            .invoke(&self.client)
            .await?;
        if deleted == 1 {
            Ok(())
        } else {
            Err(self.lost_error("release"))
        }
    }

    /// Sets the lock's time to live to `ttl` from now (whole milliseconds,
    /// at least one), if it still holds this guard's token. Fails with
    /// [`ErrorKind::LockLost`], changing nothing, when it expired (and
    /// perhaps was taken by another owner).
    pub async fn extend(&self, ttl: Duration) -> Result<()> {
        let set: i64 = EXTEND
            .key(self.key.as_str())
            .arg(self.token.as_str())
            .arg(millis(ttl))
            .invoke(&self.client)
            .await?;
        if set == 1 {
            Ok(())
        } else {
            Err(self.lost_error("extend"))
        }
    }

    fn lost_error(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::LockLost,
            format!(
                "lock `{}`: cannot {what}, it expired and is no longer held by this owner \
                 (fencing token {})",
                self.key, self.fence
            ),
        )
    }
}

impl<E: Executor + Clone + 'static> Drop for LockGuard<E> {
    fn drop(&mut self) {
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.abort();
        }
        if self.released {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let client = self.client.clone();
            let key = std::mem::take(&mut self.key);
            let token = std::mem::take(&mut self.token);
            runtime.spawn(async move {
                let _: Result<i64> = RELEASE
                    .key(key.as_str())
                    .arg(token.as_str())
                    .invoke(&client)
                    .await;
            });
        }
    }
}

/// The fence counter's key, in the lock key's hash slot: `{name}:fence`, or
/// `name:fence` when the name has a hash tag of its own. (A name with a
/// `}` but no hash tag cannot be put in a tag whole: its fence key may land
/// in another slot, which only a cluster minds.)
fn fence_key(key: &str) -> String {
    if redis_core::cluster::hash_tag(key.as_bytes()).is_some() {
        format!("{key}:fence")
    } else {
        format!("{{{key}}}:fence")
    }
}

/// `duration` in whole milliseconds, at least one (`PX 0` is refused).
pub(super) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_key_shares_the_lock_keys_slot() {
        assert_eq!(fence_key("order:42"), "{order:42}:fence");
        assert_eq!(fence_key("{user}:lock"), "{user}:lock:fence");
    }

    #[test]
    fn millis_is_at_least_one() {
        assert_eq!(millis(Duration::ZERO), 1);
        assert_eq!(millis(Duration::from_micros(1500)), 1);
        assert_eq!(millis(Duration::from_secs(2)), 2000);
    }
}
