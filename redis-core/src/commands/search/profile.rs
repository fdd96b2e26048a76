//! `FT.PROFILE`'s detail option and its reply.

use super::support::{reply, text};
use crate::{Cmd, Error, FromValue, Result, ToArgs, Value};

/// How much `FT.PROFILE` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProfileDetail {
    /// Every iterator.
    #[default]
    Full,
    /// `LIMITED`: large unions of iterators summarized.
    Limited,
}

impl ToArgs for ProfileDetail {
    fn write_args(&self, cmd: &mut Cmd) {
        if *self == ProfileDetail::Limited {
            cmd.push_arg("LIMITED");
        }
    }
}

/// `FT.PROFILE`'s reply: the query's own reply, parsed, and the profile
/// as the server sent it (its layout differs between protocols and server
/// versions, so it stays a [`Value`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile<R> {
    /// The query's reply ([`SearchResult`](super::SearchResult) or
    /// [`AggregateResult`](super::AggregateResult)).
    pub results: R,
    /// Timings and counters per query iterator and result processor.
    pub profile: Value,
}

/// From RESP2's `[results, profile]`, RESP3's reply map with a `profile`
/// entry (RediSearch 2.x), or RESP3's `Results`/`Profile` map (8.x).
impl<R: FromValue> FromValue for Profile<R> {
    fn from_value(value: Value) -> Result<Self> {
        match reply(value)? {
            Value::Array(items) => {
                let [results, profile] = <[Value; 2]>::try_from(items).map_err(|items| {
                    Error::protocol(format!(
                        "FT.PROFILE replied an array of {} elements, not 2",
                        items.len()
                    ))
                })?;
                Ok(Profile {
                    results: R::from_value(results)?,
                    profile,
                })
            }
            Value::Map(map) => {
                let mut results = None;
                let mut profile = Value::Nil;
                let mut rest = Vec::with_capacity(map.len());
                for (key, value) in map {
                    match text(&key) {
                        Some("Results") => results = Some(value),
                        Some("profile" | "Profile") => profile = value,
                        _ => rest.push((key, value)),
                    }
                }
                let results = results.unwrap_or(Value::Map(rest));
                Ok(Profile {
                    results: R::from_value(results)?,
                    profile,
                })
            }
            other => Err(Error::type_mismatch("FT.PROFILE reply", other.type_name())),
        }
    }
}
