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
    /// What the clock task sleeps until (`None`: until woken).
    pub(super) clock_armed: Option<Instant>,
    /// The socket's write half while connected.
    pub(super) sink: Option<Arc<WriteHalf>>,
    /// Someone (a caller or the background writer) is writing `spare` now.
    pub(super) writing: bool,
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
    pub(super) expected: usize,
    pub(super) collected: Option<Replies>,
    /// Taken when the command times out: its reply, if it ever comes, is dropped.
    pub(super) tx: Option<ReplySender>,
    /// When the caller gives up, and the timeout that makes it so.
    pub(super) deadline: Option<(Instant, Duration)>,
}

impl Slot {
    /// Adds one reply; true when the slot has all it waits for.
    pub(super) fn push(&mut self, value: Value) -> bool {
        match (&mut self.collected, self.expected) {
            (None, 1) => self.collected = Some(Replies::One(value)),
            (None, expected) => {
                let mut all = Vec::with_capacity(expected);
                all.push(value);
                self.collected = Some(Replies::Many(all));
            }
            (Some(Replies::Many(all)), _) => all.push(value),
            // A single-reply slot is completed at its first reply.
            (Some(Replies::One(_)), _) => {}
        }
        match &self.collected {
            Some(Replies::Many(all)) => all.len() >= self.expected,
            _ => true,
        }
    }

    pub(super) fn complete(self) {
        let replies = self.collected.unwrap_or(Replies::Many(Vec::new()));
        // The caller may have given up (timeout, dropped future): fine.
        if let Some(tx) = self.tx {
            let _ = tx.send(Ok(replies));
        }
    }
}

impl State {
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
                Some((at, timeout)) if at <= now => {
                    expired.extend(slot.tx.take().map(|tx| (tx, timeout)));
                }
                Some((at, _)) => next = Some(next.map_or(at, |n| n.min(at))),
                None => {}
            }
        }
        (expired, next)
    }
}
