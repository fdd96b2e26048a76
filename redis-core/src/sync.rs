//! Locking the client's shared state.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, ignoring poisoning: the state behind our locks is updated
/// in steps that each leave it consistent, so a panic elsewhere while it was
/// held is no reason to fail every later command too.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
