//! What the connection's users and its tasks share, under one lock.
//!
//! Each queued command (or batch) has an entry, and its caller's future
//! waits on that entry through its sequence number: the reader puts the
//! replies in the entry and wakes the caller, who takes them out. No channel
//! is allocated per command, and the entry is the only place its outcome
//! lives (10,000 commands in flight add up).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::Duration;

use bytes::BytesMut;
use tokio::time::Instant;

use super::super::socket::SharedWriter;
use crate::{Error, Result, Value};

mod probe;

pub(super) use probe::Misfit;
use probe::Probe;

pub(super) struct State {
    /// Encoded commands not yet written.
    pub(super) out: BytesMut,
    /// A spare buffer swapped with `out` by whoever writes, so neither allocates.
    pub(super) spare: BytesMut,
    /// One entry per queued command (or batch), in wire order, from the
    /// oldest whose caller has not yet taken its outcome.
    entries: VecDeque<Entry>,
    /// The sequence number of `entries[0]`.
    base: u64,
    /// How many entries, from the front, the server has answered (or that
    /// failed with their connection): the replies read next belong to
    /// `entries[answered]`.
    answered: usize,
    /// Outcomes moved out of `entries` because their callers were slow to
    /// take them while many answered entries piled up behind (see
    /// [`PARK_AFTER`]), by sequence number, with their deadlines (a retry
    /// of a parked failure keeps it).
    parked: HashMap<u64, (Result<Replies>, Deadline)>,
    /// The replies gathered so far for `entries[answered]`, when it is a
    /// batch: replies arrive in order, so only that entry is ever being
    /// filled, and the entries themselves stay small.
    front_batch: Vec<Value>,
    /// After a command timed out with its reply still to come: the probe
    /// that proves the connection is still in step, while it is out
    /// (see [`probe`]).
    probe: Option<Probe>,
    /// Replies that came while a probe is out, with their entries' sequence
    /// numbers, in wire order: handed over once the probe comes back in its
    /// own slot, failed if it does not.
    held: VecDeque<(u64, Replies)>,
    /// A probe was queued in `out` that the writer has not been told of.
    probe_unsent: bool,
    /// What the clock task sleeps until (`None`: until woken).
    pub(super) clock_armed: Option<Instant>,
    /// What entries' deadlines count from.
    epoch: Instant,
    /// The socket's write half while connected, when callers may write
    /// through it (not under TLS: the background writer owns that one).
    pub(super) sink: Option<Arc<SharedWriter>>,
    /// Someone (a caller or the background writer) is writing `spare` now.
    pub(super) writing: bool,
    /// Commands queued in `out` since it was last taken for a write.
    pub(super) unwritten: usize,
    /// How many of the callers that deliveries woke have not queued a
    /// command since. Tasks that loop (send, await, send) answer a delivery of
    /// k replies with k new commands: the k-th caller writes them all at once,
    /// so one read of replies costs one write, not one per early riser. It
    /// adds up over deliveries: with writes in chunks, the replies to one
    /// wave come back in several reads. The background writer resets it, so
    /// callers that never come back do not hold writes up.
    pub(super) wave: u32,
    /// Counts connections, so a caller that was writing to a connection that
    /// has since been replaced does not touch the new one's state.
    pub(super) generation: u64,
    pub(super) link: Link,
    pub(super) closed: bool,
    /// The server of the current (or last) connection, for messages.
    pub(super) addr: Arc<str>,
    /// The ACL user it authenticated as.
    pub(super) user: Option<Arc<str>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Link {
    Connecting,
    Up,
    Down,
}

/// How many answered entries may wait behind the oldest one when its caller
/// has not taken its outcome: beyond that, the outcome is parked aside so the
/// queue does not grow without bound behind a future that is never polled
/// again (its outcome is kept; a dropped future frees it).
const PARK_AFTER: usize = 1 << 14;

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

/// A command that failed on the shared connection, with the deadline it
/// was given, so that a retry does not start the clock again.
pub(crate) struct Failed {
    pub(crate) error: Error,
    /// `None`: it had none.
    pub(crate) deadline: Option<Instant>,
}

impl From<Failed> for Error {
    fn from(failed: Failed) -> Error {
        failed.error
    }
}

struct Entry {
    outcome: Outcome,
    /// When the caller gives up.
    deadline: Deadline,
    /// The timeout that set the deadline, in milliseconds, for the error message.
    timeout_ms: u32,
    /// How many replies the entry waits for: 1, or a batch's length; with
    /// [`BY_PUSH`] set, how many push frames confirm its subscription change.
    expected: u32,
}

/// Marks, in an entry's `expected`, a subscription change on a RESP3
/// connection: the server answers SUBSCRIBE and its kin with one push frame
/// per name instead of a reply, or with one error reply when it refuses the
/// command whole. A flag bit rather than a field: every entry would grow
/// by 8 bytes for it.
const BY_PUSH: u32 = 1 << 31;

impl Entry {
    /// How many replies (or confirmations) complete the entry.
    fn wants(&self) -> usize {
        (self.expected & !BY_PUSH) as usize
    }

    fn by_push(&self) -> bool {
        self.expected & BY_PUSH != 0
    }

    /// Adds `value` to what the entry gathered so far in `batch`; its
    /// replies once complete. A reply to an entry answered by push frames
    /// is a refusal (or a server that answers otherwise): it ends the entry.
    fn gather(&self, batch: &mut Vec<Value>, value: Value) -> Option<Replies> {
        let wants = self.wants();
        if self.by_push() {
            batch.clear();
            return Some(Replies::One(value));
        }
        if wants <= 1 {
            return Some(Replies::One(value));
        }
        if batch.is_empty() {
            batch.reserve_exact(wants);
        }
        batch.push(value);
        (batch.len() >= wants).then(|| Replies::Many(std::mem::take(batch)))
    }
}

/// A deadline in nanoseconds since the state's epoch, 0 for none: half the
/// size of an `Option<Instant>`, in every entry.
#[derive(Clone, Copy)]
struct Deadline(u64);

impl Deadline {
    fn at(self, epoch: Instant) -> Option<Instant> {
        (self.0 != 0).then(|| epoch + Duration::from_nanos(self.0))
    }
}

/// Where an entry stands from its caller's side.
enum Outcome {
    /// The caller waits (with the waker of its last poll, once polled).
    Waiting(Option<Waker>),
    /// Replies, a timeout or a failed connection, for the caller to take.
    /// A timed-out entry stays unanswered until its late reply comes and is
    /// dropped.
    Ready(Result<Replies>),
    /// The caller took its outcome or dropped its future.
    Gone,
}

impl Outcome {
    /// Settles a waiting caller's outcome; returns its waker to wake once
    /// the lock is released. A caller that was told already (a timeout) or
    /// left keeps what it has.
    fn settle(&mut self, result: Result<Replies>) -> Option<Waker> {
        match self {
            Outcome::Waiting(waker) => {
                let waker = waker.take();
                *self = Outcome::Ready(result);
                waker
            }
            Outcome::Ready(_) | Outcome::Gone => None,
        }
    }

    /// Takes a ready outcome, leaving `Gone`.
    fn take_ready(&mut self) -> Option<Result<Replies>> {
        match std::mem::replace(self, Outcome::Gone) {
            Outcome::Ready(result) => Some(result),
            other => {
                *self = other;
                None
            }
        }
    }
}

/// What each of the two write buffers starts with, and returns to after a
/// burst grew it past [`KEEP_WRITE_BUFFER`].
const WRITE_BUFFER: usize = 16 * 1024;
/// The largest write buffer kept after a write.
const KEEP_WRITE_BUFFER: usize = 256 * 1024;
/// The most entries' room kept once every command is answered: a burst of
/// commands in flight does not leave its queue's size behind for good.
const KEEP_ENTRIES: usize = 4096;

impl State {
    /// Takes back a written-out buffer as the spare one, emptied, and small
    /// again if a burst grew it.
    pub(super) fn recycle(&mut self, mut written: BytesMut) {
        written.clear();
        self.spare = if written.capacity() > KEEP_WRITE_BUFFER {
            BytesMut::with_capacity(WRITE_BUFFER)
        } else {
            written
        };
    }

    /// Takes what is queued for a write, leaving the spare buffer to queue
    /// into meanwhile; the writer gives it back with [`State::recycle`].
    pub(super) fn take_out(&mut self) -> BytesMut {
        self.writing = true;
        self.unwritten = 0;
        let State { out, spare, .. } = self;
        std::mem::swap(out, spare);
        std::mem::take(spare)
    }

    pub(super) fn new() -> State {
        State {
            out: BytesMut::with_capacity(WRITE_BUFFER),
            spare: BytesMut::with_capacity(WRITE_BUFFER),
            entries: VecDeque::new(),
            base: 0,
            answered: 0,
            parked: HashMap::new(),
            front_batch: Vec::new(),
            probe: None,
            held: VecDeque::new(),
            probe_unsent: false,
            clock_armed: None,
            epoch: Instant::now(),
            sink: None,
            writing: false,
            unwritten: 0,
            wave: 0,
            generation: 0,
            link: Link::Connecting,
            addr: Arc::from(""),
            user: None,
            closed: false,
        }
    }

    /// Queues an entry for a command (or batch of `expected`); returns its
    /// sequence number and deadline.
    pub(super) fn push(
        &mut self,
        expected: usize,
        timeout: Option<Duration>,
    ) -> (u64, Option<Instant>) {
        // A timeout too large to add to now is no timeout.
        let at = timeout.and_then(|t| Instant::now().checked_add(t));
        // Never 0 (that is "none"); a deadline past u64 nanoseconds (584
        // years) is no deadline either.
        let nanos = at.map_or(0, |at| at.duration_since(self.epoch).as_nanos().max(1));
        let deadline = Deadline(u64::try_from(nanos).unwrap_or(0));
        let millis = timeout.map_or(0, |t| t.as_millis());
        self.entries.push_back(Entry {
            outcome: Outcome::Waiting(None),
            deadline,
            timeout_ms: u32::try_from(millis).unwrap_or(u32::MAX),
            expected: u32::try_from(expected).unwrap_or(u32::MAX).min(BY_PUSH - 1),
        });
        (
            self.base + self.entries.len() as u64 - 1,
            deadline.at(self.epoch),
        )
    }

    /// Commands written (or queued) whose replies have not come yet.
    pub(super) fn unanswered(&self) -> usize {
        self.entries.len() - self.answered
    }

    /// The deadline of the oldest command the server has not answered.
    pub(super) fn oldest_deadline(&self) -> Option<Instant> {
        self.entries
            .get(self.answered)
            .and_then(|entry| entry.deadline.at(self.epoch))
    }

    /// Hands `value` to the oldest unanswered entry. Returns how many
    /// callers that still wait got their outcome (0 while a batch is still
    /// being filled); their wakers are added to `wake`. With no command
    /// unanswered, the reply is a stray; while a probe is out, a reply out of
    /// step is refused too (see [`probe`]).
    pub(super) fn take_reply(
        &mut self,
        value: Value,
        wake: &mut Vec<Waker>,
    ) -> std::result::Result<usize, Misfit> {
        if self.probe.is_some() {
            return self.take_reply_probing(value, wake);
        }
        let Some(entry) = self.entries.get_mut(self.answered) else {
            return Err(Misfit::Stray);
        };
        let Some(replies) = entry.gather(&mut self.front_batch, value) else {
            return Ok(0);
        };
        self.answered += 1;
        let awaited = matches!(entry.outcome, Outcome::Waiting(_));
        wake.extend(entry.outcome.settle(Ok(replies)));
        self.drop_finished();
        Ok(usize::from(awaited))
    }

    /// Queues an entry for one subscription change answered by
    /// `confirmations` push frames (see [`BY_PUSH`]).
    pub(super) fn push_confirmed(
        &mut self,
        confirmations: usize,
        timeout: Option<Duration>,
    ) -> (u64, Option<Instant>) {
        let queued = self.push(confirmations, timeout);
        if let Some(entry) = self.entries.back_mut() {
            entry.expected |= BY_PUSH;
        }
        queued
    }

    /// A push frame that confirms a subscription change: it counts towards
    /// the oldest unanswered entry when that one waits for confirmations,
    /// and answers nothing otherwise (the server's own unsubscription, say).
    /// Returns how many callers that still wait got their outcome; their
    /// wakers are added to `wake`. The server answers in order, so the
    /// confirmations of one command all come before the next command's.
    pub(super) fn take_confirmation(&mut self, frame: Value, wake: &mut Vec<Waker>) -> usize {
        let Some(entry) = self.entries.get_mut(self.answered) else {
            return 0;
        };
        if !entry.by_push() {
            return 0;
        }
        self.front_batch.push(frame);
        if self.front_batch.len() < entry.wants() {
            return 0;
        }
        let replies = Replies::Many(std::mem::take(&mut self.front_batch));
        let seq = self.base + self.answered as u64;
        self.answered += 1;
        let awaited = matches!(entry.outcome, Outcome::Waiting(_));
        if self.probe.is_some() {
            // Held with the replies, until the probe proves them in step.
            if awaited {
                self.held.push_back((seq, replies));
            }
            self.drop_finished();
            return 0;
        }
        wake.extend(entry.outcome.settle(Ok(replies)));
        self.drop_finished();
        usize::from(awaited)
    }

    /// Fails every unanswered command with `error` (their connection is
    /// gone); their wakers are added to `wake`.
    pub(super) fn fail_unanswered(&mut self, error: &Error, wake: &mut Vec<Waker>) {
        self.front_batch.clear();
        // Replies held for a probe that never came back in its slot cannot
        // be trusted: whose they are is what the probe was to prove.
        self.probe = None;
        self.probe_unsent = false;
        for (seq, _) in std::mem::take(&mut self.held) {
            if let Some(entry) = self.entry_mut(seq) {
                wake.extend(entry.outcome.settle(Err(error.clone())));
            }
        }
        for entry in self.entries.range_mut(self.answered..) {
            wake.extend(entry.outcome.settle(Err(error.clone())));
        }
        self.answered = self.entries.len();
        self.drop_finished();
    }

    /// Times out the waiting commands whose deadline has passed (their
    /// entries stay, to swallow replies that come late; their wakers are
    /// added to `wake`), and returns the earliest deadline still pending.
    /// When one of them was still waiting for its reply on a live
    /// connection, a probe is queued behind (see [`probe`]); it waits at
    /// least `probe_timeout`.
    ///
    /// A scan of every unanswered entry, but only when the clock wakes: at
    /// the earliest deadline, or when a command brings an earlier one. With
    /// one timeout for all commands that is about once per timeout period.
    pub(super) fn expire(
        &mut self,
        now: Instant,
        timed_out: impl Fn(Duration) -> Error,
        probe_timeout: Duration,
        wake: &mut Vec<Waker>,
    ) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        // Held replies' callers keep their deadlines too: answered entries
        // are scanned only while some are held, which is after a timeout.
        let from = if self.held.is_empty() {
            self.answered
        } else {
            0
        };
        let mut unanswered_timeout: Option<(u64, Duration)> = None;
        for (index, entry) in self.entries.iter_mut().enumerate().skip(from) {
            if !matches!(entry.outcome, Outcome::Waiting(_)) {
                continue;
            }
            match entry.deadline.at(self.epoch) {
                Some(at) if at <= now => {
                    let limit = Duration::from_millis(u64::from(entry.timeout_ms));
                    wake.extend(entry.outcome.settle(Err(timed_out(limit))));
                    if index >= self.answered {
                        let seq = self.base + index as u64;
                        let longest = unanswered_timeout.map_or(limit, |(_, l)| l.max(limit));
                        unanswered_timeout = Some((seq, longest));
                    }
                }
                Some(at) => next = Some(next.map_or(at, |n| n.min(at))),
                None => {}
            }
        }
        if let Some((last, limit)) = unanswered_timeout {
            self.timed_out(last, limit.max(probe_timeout));
        }
        next
    }

    /// The caller of entry `seq` polls: its outcome if ready, else its waker
    /// is kept for the reader.
    /// With a failure comes the entry's deadline, which a retry must keep.
    pub(super) fn poll_outcome(
        &mut self,
        seq: u64,
        waker: &Waker,
    ) -> Poll<std::result::Result<Replies, Failed>> {
        let epoch = self.epoch;
        let mut deadline = None;
        let outcome = match self.entry_mut(seq) {
            None => self.parked.remove(&seq).map(|(outcome, parked)| {
                deadline = parked.at(epoch);
                outcome
            }),
            Some(entry) => {
                deadline = entry.deadline.at(epoch);
                match &mut entry.outcome {
                    Outcome::Waiting(Some(known)) if known.will_wake(waker) => {
                        return Poll::Pending;
                    }
                    Outcome::Waiting(slot) => {
                        *slot = Some(waker.clone());
                        return Poll::Pending;
                    }
                    Outcome::Ready(_) | Outcome::Gone => {}
                }
                let outcome = entry.outcome.take_ready();
                self.drop_finished();
                outcome
            }
        };
        let outcome = outcome
            .unwrap_or_else(|| Err(Error::protocol("the command's reply was already taken")));
        Poll::Ready(outcome.map_err(|error| Failed { error, deadline }))
    }

    /// The caller of entry `seq` dropped its future: its outcome, if any, is
    /// dropped, and its reply, if still to come, will be.
    pub(super) fn abandon(&mut self, seq: u64) {
        match self.entry_mut(seq) {
            Some(entry) => {
                entry.outcome = Outcome::Gone;
                self.drop_finished();
            }
            None => drop(self.parked.remove(&seq)),
        }
    }

    fn entry_mut(&mut self, seq: u64) -> Option<&mut Entry> {
        let index = usize::try_from(seq.checked_sub(self.base)?).ok()?;
        self.entries.get_mut(index)
    }

    /// Forgets answered entries at the front whose callers are gone, and
    /// parks the outcome of one whose caller holds up too many behind it.
    fn drop_finished(&mut self) {
        while self.answered > 0 {
            let Some(front) = self.entries.front_mut() else {
                return;
            };
            if self.answered > PARK_AFTER {
                if let Some(outcome) = front.outcome.take_ready() {
                    self.parked.insert(self.base, (outcome, front.deadline));
                }
            }
            if !matches!(front.outcome, Outcome::Gone) {
                return;
            }
            self.entries.pop_front();
            self.base += 1;
            self.answered -= 1;
        }
        if self.entries.is_empty() && self.entries.capacity() > KEEP_ENTRIES {
            self.entries.shrink_to(KEEP_ENTRIES);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> Value {
        Value::SimpleString(bytes::Bytes::copy_from_slice(text.as_bytes()))
    }

    fn poll(state: &mut State, seq: u64) -> Poll<Result<Replies>> {
        state.poll_outcome(seq, Waker::noop()).map_err(Error::from)
    }

    fn answer(state: &mut State, value: Value) -> usize {
        state
            .take_reply(value, &mut Vec::new())
            .unwrap_or_else(|misfit| panic!("reply refused: {misfit:?}"))
    }

    fn ready_text(outcome: Poll<Result<Replies>>) -> String {
        match outcome {
            Poll::Ready(Ok(replies)) => format!("{:?}", replies.into_vec()),
            Poll::Ready(Err(error)) => format!("error: {error}"),
            Poll::Pending => "pending".into(),
        }
    }

    #[test]
    fn replies_reach_their_commands_in_wire_order_whoever_polls_first() {
        let mut state = State::new();
        let (a, _) = state.push(1, None);
        let (b, _) = state.push(1, None);
        assert!(poll(&mut state, b).is_pending());
        assert_eq!(answer(&mut state, reply("first")), 1);
        assert_eq!(answer(&mut state, reply("second")), 1);
        assert!(ready_text(poll(&mut state, b)).contains("second"));
        assert!(ready_text(poll(&mut state, a)).contains("first"));
        assert!(state.entries.is_empty(), "taken outcomes are forgotten");
    }

    #[test]
    fn a_polled_caller_is_woken_by_its_reply() {
        let mut state = State::new();
        let (seq, _) = state.push(1, None);
        assert!(poll(&mut state, seq).is_pending());
        let mut wake = Vec::new();
        assert_eq!(state.take_reply(reply("OK"), &mut wake), Ok(1));
        assert_eq!(wake.len(), 1);
    }

    #[test]
    fn a_batch_completes_with_its_last_reply() {
        let mut state = State::new();
        let (batch, _) = state.push(3, None);
        assert_eq!(answer(&mut state, reply("1")), 0);
        assert_eq!(answer(&mut state, reply("2")), 0);
        assert!(poll(&mut state, batch).is_pending());
        assert_eq!(answer(&mut state, reply("3")), 1);
        let text = ready_text(poll(&mut state, batch));
        assert!(
            text.contains('1') && text.contains('2') && text.contains('3'),
            "{text}"
        );
    }

    fn confirmation(kind: &str, name: &str) -> Value {
        Value::Push(vec![reply(kind), reply(name), Value::Integer(1)])
    }

    #[test]
    fn a_subscription_change_completes_with_its_last_confirmation() {
        let mut state = State::new();
        let (get, _) = state.push(1, None);
        let (subscribe, _) = state.push_confirmed(2, None);
        let (after, _) = state.push(1, None);
        // Ahead of its command's turn, a confirmation answers nothing.
        assert_eq!(
            state.take_confirmation(confirmation("subscribe", "x"), &mut Vec::new()),
            0
        );
        answer(&mut state, reply("value"));
        assert!(poll(&mut state, subscribe).is_pending());
        state.take_confirmation(confirmation("subscribe", "a"), &mut Vec::new());
        assert!(poll(&mut state, subscribe).is_pending());
        state.take_confirmation(confirmation("subscribe", "b"), &mut Vec::new());
        let text = ready_text(poll(&mut state, subscribe));
        assert!(text.contains('a') && text.contains('b'), "{text}");
        answer(&mut state, reply("next"));
        assert!(ready_text(poll(&mut state, after)).contains("next"));
        assert!(ready_text(poll(&mut state, get)).contains("value"));
    }

    #[test]
    fn a_refused_subscription_change_is_answered_by_its_one_error_reply() {
        let mut state = State::new();
        let (refused, _) = state.push_confirmed(3, None);
        let (after, _) = state.push(1, None);
        let error = Value::Error(crate::ServerError::parse("NOPERM no channel"));
        answer(&mut state, error);
        assert!(ready_text(poll(&mut state, refused)).contains("NOPERM"));
        answer(&mut state, reply("in step"));
        assert!(ready_text(poll(&mut state, after)).contains("in step"));
    }

    #[test]
    fn a_reply_with_no_command_waiting_is_a_stray() {
        let mut state = State::new();
        assert!(state.take_reply(reply("who?"), &mut Vec::new()).is_err());
        let (seq, _) = state.push(1, None);
        answer(&mut state, reply("mine"));
        assert!(state.take_reply(reply("extra"), &mut Vec::new()).is_err());
        assert!(ready_text(poll(&mut state, seq)).contains("mine"));
    }

    #[test]
    fn an_abandoned_commands_reply_is_swallowed_and_the_next_gets_its_own() {
        let mut state = State::new();
        let (gone, _) = state.push(1, None);
        let (next, _) = state.push(1, None);
        state.abandon(gone);
        assert_eq!(answer(&mut state, reply("late")), 0);
        answer(&mut state, reply("next"));
        assert!(ready_text(poll(&mut state, next)).contains("next"));
        assert!(state.entries.is_empty());
    }

    #[test]
    fn a_timed_out_command_fails_at_its_deadline_and_its_late_reply_is_dropped() {
        let mut state = State::new();
        let (slow, deadline) = state.push(1, Some(Duration::from_millis(5)));
        let (patient, _) = state.push(1, None);
        let deadline = deadline.unwrap_or_else(|| panic!("a 5 ms timeout sets a deadline"));
        let mut wake = Vec::new();
        let timed_out = |_| Error::timeout("too slow");
        let next = state.expire(deadline, timed_out, Duration::from_secs(1), &mut wake);
        assert_eq!(next, None, "the other command has no deadline");
        assert!(ready_text(poll(&mut state, slow)).contains("too slow"));
        assert_eq!(state.unanswered(), 2, "the late reply is still expected");
        assert_eq!(answer(&mut state, reply("late")), 0);
        answer(&mut state, reply("patient"));
        assert!(ready_text(poll(&mut state, patient)).contains("patient"));
    }

    #[test]
    fn a_lost_connection_fails_what_is_unanswered_and_keeps_what_arrived() {
        let mut state = State::new();
        let (arrived, _) = state.push(1, None);
        let (lost, _) = state.push(1, None);
        answer(&mut state, reply("kept"));
        state.fail_unanswered(&Error::closed("connection lost"), &mut Vec::new());
        assert_eq!(state.unanswered(), 0);
        assert!(ready_text(poll(&mut state, arrived)).contains("kept"));
        assert!(ready_text(poll(&mut state, lost)).contains("connection lost"));
    }

    #[test]
    fn an_outcome_nobody_takes_does_not_hold_up_the_queue_forever() {
        let mut state = State::new();
        let (idle, _) = state.push(1, None);
        answer(&mut state, reply("for the idle caller"));
        for i in 0..PARK_AFTER + 100 {
            let (seq, _) = state.push(1, None);
            answer(&mut state, reply(&i.to_string()));
            assert!(poll(&mut state, seq).is_ready());
        }
        assert!(
            state.entries.len() <= PARK_AFTER + 1,
            "{} entries",
            state.entries.len()
        );
        assert!(ready_text(poll(&mut state, idle)).contains("for the idle caller"));
        assert!(state.parked.is_empty() && state.entries.is_empty());
    }

    #[test]
    fn a_parked_failure_keeps_its_deadline_for_the_retry() {
        let mut state = State::new();
        let (idle, deadline) = state.push(1, Some(Duration::from_secs(30)));
        assert!(deadline.is_some());
        state.fail_unanswered(&Error::closed("connection lost"), &mut Vec::new());
        for _ in 0..=PARK_AFTER {
            let (seq, _) = state.push(1, None);
            answer(&mut state, reply("x"));
            assert!(poll(&mut state, seq).is_ready());
        }
        assert_eq!(state.parked.len(), 1);
        let waker = std::task::Waker::noop();
        match state.poll_outcome(idle, waker) {
            Poll::Ready(Err(failed)) => assert_eq!(failed.deadline, deadline),
            _ => panic!("the parked failure was not returned"),
        }
    }

    #[test]
    fn a_dropped_caller_frees_its_parked_outcome() {
        let mut state = State::new();
        let (idle, _) = state.push(1, None);
        answer(&mut state, reply("never taken"));
        for _ in 0..=PARK_AFTER {
            let (seq, _) = state.push(1, None);
            answer(&mut state, reply("x"));
            assert!(poll(&mut state, seq).is_ready());
        }
        assert_eq!(state.parked.len(), 1);
        state.abandon(idle);
        assert!(state.parked.is_empty());
    }

    #[test]
    fn a_burst_does_not_leave_its_room_behind() {
        let mut state = State::new();
        let burst: Vec<u64> = (0..4 * KEEP_ENTRIES)
            .map(|_| state.push(1, None).0)
            .collect();
        for seq in &burst {
            answer(&mut state, reply("x"));
            assert!(poll(&mut state, *seq).is_ready());
        }
        assert!(state.entries.capacity() <= KEEP_ENTRIES);

        state.recycle(BytesMut::with_capacity(4 * KEEP_WRITE_BUFFER));
        assert!(state.spare.capacity() <= KEEP_WRITE_BUFFER);
        state.recycle(BytesMut::from(&b"written"[..]));
        assert!(state.spare.is_empty(), "a kept buffer is emptied");
    }

    #[test]
    fn a_write_takes_what_is_queued_and_callers_queue_into_the_spare() {
        let mut state = State::new();
        state.out.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        state.unwritten = 1;
        let taken = state.take_out();
        assert_eq!(&taken[..], b"*1\r\n$4\r\nPING\r\n");
        assert!(state.writing && state.out.is_empty() && state.unwritten == 0);

        state.out.extend_from_slice(b"queued meanwhile");
        state.recycle(taken);
        assert_eq!(
            &state.out[..],
            b"queued meanwhile",
            "a write does not touch what came after it"
        );
    }
}
