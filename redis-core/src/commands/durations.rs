//! Durations and times as command arguments (expiries, timeouts), rounded
//! the way Redis needs them; shared by the command groups that take them.

use std::time::{Duration, SystemTime};

/// Milliseconds for a relative expiry: rounded up, at least 1 (SET, GETEX
/// and PSETEX refuse 0), saturating.
pub(in crate::commands) fn ttl_millis(ttl: Duration) -> u64 {
    ceil_millis(ttl).max(1)
}

/// Whole seconds, a fraction rounded up, saturating.
pub(in crate::commands) fn ttl_seconds(ttl: Duration) -> u64 {
    let extra = u64::from(ttl.subsec_nanos() > 0);
    ttl.as_secs().saturating_add(extra)
}

/// Milliseconds, a fraction rounded up (so a short non-zero duration does
/// not become 0, which means "now" or "no limit"), saturating.
pub(in crate::commands) fn ceil_millis(ttl: Duration) -> u64 {
    let nanos = ttl.as_nanos().div_ceil(1_000_000);
    u64::try_from(nanos).unwrap_or(u64::MAX)
}

/// Whole milliseconds, a fraction dropped, saturating.
pub(in crate::commands) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Milliseconds since the Unix epoch (0 for earlier times), saturating.
pub(in crate::commands) fn unix_millis(at: SystemTime) -> u64 {
    let since = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    millis(since)
}
