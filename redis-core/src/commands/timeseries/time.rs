//! When samples are: [`Timestamp`] and [`TsRange`].

use std::time::{SystemTime, UNIX_EPOCH};

use crate::Cmd;
use crate::convert::ToArgs;

/// When a sample is: milliseconds since the Unix epoch, or `*`, the
/// server's clock. From `u64` milliseconds or a [`SystemTime`] (one before
/// the epoch is 0; one past `u64::MAX` ms saturates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamp {
    /// `*`: the server's current time.
    Now,
    /// Milliseconds since the Unix epoch.
    Millis(u64),
}

impl From<u64> for Timestamp {
    fn from(ms: u64) -> Self {
        Timestamp::Millis(ms)
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        Timestamp::Millis(millis(time))
    }
}

/// Milliseconds since the Unix epoch, 0 before it.
fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl ToArgs for Timestamp {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            Timestamp::Now => cmd.push_bytes(b"*"),
            Timestamp::Millis(ms) => {
                cmd.push_arg(ms);
            }
        }
    }
}

/// A range of timestamps, both ends included: `a..=b`, `a..`, `..=b`, `..`
/// of `u64` milliseconds (`-` and `+` for an open end), or
/// [`TsRange::between`] two [`SystemTime`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TsRange {
    from: Option<u64>,
    to: Option<u64>,
}

impl TsRange {
    /// From `from` to `to`, both included.
    pub fn between(from: impl Into<Timestamp>, to: impl Into<Timestamp>) -> Self {
        let end = |t: Timestamp| match t {
            Timestamp::Millis(ms) => Some(ms),
            Timestamp::Now => None,
        };
        TsRange {
            from: end(from.into()),
            to: end(to.into()),
        }
    }
}

impl From<std::ops::RangeInclusive<u64>> for TsRange {
    fn from(range: std::ops::RangeInclusive<u64>) -> Self {
        TsRange {
            from: Some(*range.start()),
            to: Some(*range.end()),
        }
    }
}

impl From<std::ops::RangeFrom<u64>> for TsRange {
    fn from(range: std::ops::RangeFrom<u64>) -> Self {
        TsRange {
            from: Some(range.start),
            to: None,
        }
    }
}

impl From<std::ops::RangeToInclusive<u64>> for TsRange {
    fn from(range: std::ops::RangeToInclusive<u64>) -> Self {
        TsRange {
            from: None,
            to: Some(range.end),
        }
    }
}

impl From<std::ops::RangeFull> for TsRange {
    fn from(_: std::ops::RangeFull) -> Self {
        TsRange {
            from: None,
            to: None,
        }
    }
}

impl ToArgs for TsRange {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.from {
            Some(ms) => cmd.push_arg(ms),
            None => cmd.push_arg("-"),
        };
        match self.to {
            Some(ms) => cmd.push_arg(ms),
            None => cmd.push_arg("+"),
        };
    }
}
