//! What the connection's users and its tasks share, under one lock.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::super::socket::WriteHalf;
use crate::{Result, Value};

pub(super) struct State {
    /// Encoded commands not yet written.
    pub(super) out: BytesMut,
    /// A spare buffer swapped with `out` by whoever writes, so neither allocates.
    pub(super) spare: BytesMut,
    /// One slot per queued command (or batch), in wire order.
    pub(super) waiting: VecDeque<Slot>,
    /// The replies gathered so far for the oldest slot, when it is a batch:
    /// replies arrive in order, so only that slot is ever being filled, and
    /// the slots themselves stay small (10,000 in flight add up).
    pub(super) front_batch: Vec<Value>,
    /// What the clock task sleeps until (`None`: until woken).
    pub(super) clock_armed: Option<Instant>,
    /// The socket's write half while connected.
    pub(super) sink: Option<Arc<WriteHalf>>,
    /// Someone (a caller or the background writer) is writing `spare` now.
    pub(super) writing: bool,
    /// How many of the callers the last delivery woke have not queued a
    /// command since. Tasks that loop (send, await, send) answer a delivery of
    /// k replies with k new commands: the k-th caller writes them all at once,
    /// so one read of replies costs one write, not one per early riser.
    pub(super) wave: u32,
    /// Counts connections, so a caller that was writing to a connection that
    /// has since been replaced does not touch the new one's state.
    pub(super) generation: u64,
    pub(super) link: Link,
    pub(super) closed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Link {
    Connecting,
    Up,
    Down,
}

/// Where a waiting caller's replies go.
pub(super) type ReplySender = oneshot::Sender<Result<Replies>>;

/// What a waiting caller gets.
pub(crate) enum Replies {
    One(Value),
    Many(Vec<Value>),
}

impl Replies {
    pub(crate) fn into_last(self) -> Option<Value> {
        match self {
            Replies::One(value) => Some(value),
            Replies::Many(mut values) => values.pop(),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<Value> {
        match self {
            Replies::One(value) => vec![value],
            Replies::Many(values) => values,
        }
    }
}

pub(super) struct Slot {
    /// Taken when the command times out: its reply, if it ever comes, is dropped.
    pub(super) tx: Option<ReplySender>,
    /// When the caller gives up.
    pub(super) deadline: Option<Instant>,
    /// The timeout that set the deadline, in milliseconds, for the error message.
    pub(super) timeout_ms: u32,
    /// How many replies the slot waits for: 1, or a batch's length.
    pub(super) expected: u32,
}

impl Slot {
    pub(super) fn new(tx: ReplySender, expected: usize, timeout: Option<Duration>) -> Slot {
        // A timeout too large to add to now is no timeout.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let millis = timeout.map_or(0, |t| t.as_millis());
        Slot {
            tx: Some(tx),
            deadline,
            timeout_ms: u32::try_from(millis).unwrap_or(u32::MAX),
            expected: u32::try_from(expected).unwrap_or(u32::MAX),
        }
    }

    pub(super) fn timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.timeout_ms))
    }
}

/// A completed slot, told its replies once the lock is released.
pub(super) struct Completed {
    tx: Option<ReplySender>,
    replies: Replies,
}

impl Completed {
    /// Someone still waits for these replies (not timed out).
    pub(super) fn is_awaited(&self) -> bool {
        self.tx.as_ref().is_some_and(|tx| !tx.is_closed())
    }

    pub(super) fn send(self) {
        // The caller may have given up (timeout, dropped future): fine.
        if let Some(tx) = self.tx {
            let _ = tx.send(Ok(self.replies));
        }
    }
}

impl State {
    /// Hands `value` to the oldest slot; returns that slot once it has every
    /// reply it waits for. With no slot waiting, the reply is a stray: `Err`.
    pub(super) fn take_reply(
        &mut self,
        value: Value,
    ) -> std::result::Result<Option<Completed>, Value> {
        let Some(oldest) = self.waiting.front() else {
            return Err(value);
        };
        let expected = oldest.expected as usize;
        let replies = if expected <= 1 {
            Replies::One(value)
        } else {
            if self.front_batch.is_empty() {
                self.front_batch.reserve_exact(expected);
            }
            self.front_batch.push(value);
            if self.front_batch.len() < expected {
                return Ok(None);
            }
            Replies::Many(std::mem::take(&mut self.front_batch))
        };
        Ok(self.waiting.pop_front().map(|slot| Completed {
            tx: slot.tx,
            replies,
        }))
    }

    /// Takes the senders of the commands whose deadline has passed, so they
    /// can be told (their slots stay, to swallow replies that come late), and
    /// returns the earliest deadline still pending.
    ///
    /// A scan of every waiting slot, but only when the clock wakes: at the
    /// earliest deadline, or when a command brings an earlier one. With one
    /// timeout for all commands that is about once per timeout period.
    pub(super) fn expire(
        &mut self,
        now: Instant,
    ) -> (Vec<(ReplySender, Duration)>, Option<Instant>) {
        let mut expired = Vec::new();
        let mut next: Option<Instant> = None;
        for slot in self.waiting.iter_mut().filter(|slot| slot.tx.is_some()) {
            match slot.deadline {
                Some(at) if at <= now => {
                    let timeout = slot.timeout();
                    expired.extend(slot.tx.take().map(|tx| (tx, timeout)));
                }
                Some(at) => next = Some(next.map_or(at, |n| n.min(at))),
                None => {}
            }
        }
        (expired, next)
    }
}
