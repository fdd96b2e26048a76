//! String commands.

use std::time::Duration;

use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

define_commands! {
    /// GET, SET, INCR and friends.
    pub trait StringCommands;

    /// `GET key`: ask for `Option<T>` when the key may be missing.
    fn get<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("GET").arg(key)
    }

    /// `SET key value`.
    fn set(key: impl ToArgs, value: impl ToArgs) -> () {
        Cmd::new("SET").arg(key).arg(value)
    }

    /// `SET key value PX ttl`: set with an expiry (millisecond precision).
    fn set_ex(key: impl ToArgs, value: impl ToArgs, ttl: Duration) -> () {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        Cmd::new("SET").arg(key).arg(value).arg("PX").arg(millis)
    }

    /// `INCRBY key delta`: the new value.
    fn incr_by(key: impl ToArgs, delta: i64) -> i64 {
        Cmd::new("INCRBY").arg(key).arg(delta)
    }

    /// `MGET key...`: one `Option` per key, in order.
    fn mget<T: FromValue>(keys: impl ToArgs) -> Vec<Option<T>> {
        Cmd::new("MGET").arg(keys)
    }
}
