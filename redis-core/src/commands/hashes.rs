//! Hash commands.

use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

define_commands! {
    /// HSET, HGET, HGETALL and friends.
    pub trait HashCommands;

    /// `HSET key field value [field value ...]`: `fields` is any sequence of
    /// pairs (a slice of tuples, say); returns how many fields were added.
    fn hset(key: impl ToArgs, fields: impl ToArgs) -> u64 {
        Cmd::new("HSET").arg(key).arg(fields)
    }

    /// `HGET key field`.
    fn hget<T: FromValue>(key: impl ToArgs, field: impl ToArgs) -> T {
        Cmd::new("HGET").arg(key).arg(field)
    }

    /// `HGETALL key`, into a map (or a `Vec` of pairs), the same from RESP2 and RESP3.
    fn hgetall<T: FromValue>(key: impl ToArgs) -> T {
        Cmd::new("HGETALL").arg(key)
    }
}
