//! `lock`: uncontended acquire + release of one lock, redis-om's `Lock` against SET NX PX and
//! a token-checking release script by hand with redis-core (and redis-py's `Lock` in the
//! Python driver).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis_core::{Client, Cmd, Script, Value};
use redis_om::Lock;

use super::{Step, measure_steps};
use crate::clients::Result;
use crate::workload::{Limit, Sample};

/// What redis-py's `Lock` and most hand-written locks release with.
const RELEASE: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
                       return redis.call('del', KEYS[1]) else return 0 end";

/// The TTL of every column's lock (redis-om's default is 30 s; redis-py's is none: the
/// driver gives 30 s too).
const TTL: Duration = Duration::from_secs(30);

/// A warm-up and a measured run of acquire + release pairs, one task.
pub async fn measure(om: bool, client: &Client, warmup: Limit, limit: Limit) -> Result<Sample> {
    let step: Arc<Step> = if om {
        let lock = Arc::new(Lock::new(client, "bench:flock:om").ttl(TTL));
        let last_fence = Arc::new(AtomicU64::new(0));
        Arc::new(move |_, _| {
            let (lock, last_fence) = (lock.clone(), last_fence.clone());
            Box::pin(async move {
                let guard = lock
                    .try_acquire()
                    .await?
                    .ok_or("try_acquire of an unheld lock returned None")?;
                let fence = guard.fencing_token();
                if fence <= last_fence.swap(fence, Ordering::Relaxed) {
                    return Err(format!("fencing token {fence} did not grow").into());
                }
                guard.release().await?;
                Ok(1)
            })
        })
    } else {
        let client = client.clone();
        let script = Arc::new(Script::new(RELEASE));
        // A 32-hex-digit token per acquisition as redis-om's (a v4 UUID), from a seed and a
        // counter: unique per acquisition, without a UUID crate.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        let counter = Arc::new(AtomicU64::new(0));
        Arc::new(move |_, _| {
            let (client, script, counter) = (client.clone(), script.clone(), counter.clone());
            Box::pin(async move {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let token = format!("{seed:016x}{n:016x}");
                let reply: Value = Cmd::new("SET")
                    .arg("bench:flock:hand")
                    .arg(token.as_str())
                    .arg("NX")
                    .arg("PX")
                    .arg(TTL.as_millis() as u64)
                    .query(&client)
                    .await?;
                if !matches!(&reply, Value::SimpleString(s) if s == "OK") {
                    return Err(format!("SET NX of an unheld lock replied {reply:?}").into());
                }
                let deleted: i64 = script
                    .key("bench:flock:hand")
                    .arg(token.as_str())
                    .invoke(&client)
                    .await?;
                if deleted != 1 {
                    return Err(format!("the release script deleted {deleted} keys").into());
                }
                Ok(1)
            })
        })
    };
    measure_steps(1, warmup, limit, false, step).await
}
