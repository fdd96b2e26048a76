//! Proving the connection is in step after a command timed out.
//!
//! Replies carry no tag: the n-th reply is the n-th command's. A server,
//! proxy or bug that swallows one reply (Redis does so for an empty command,
//! and for `CLIENT REPLY OFF`) shifts every later reply onto the command
//! before its own, and nothing else notices: the connection keeps answering.
//! The only outward sign is a command whose deadline passes, so that is when
//! the connection is checked. An internal `ECHO` of a fresh random token
//! (an entry nobody awaits) is queued behind everything, and until its slot
//! is reached every reply is held back from its caller:
//!
//! - the token in the probe's slot proves that every reply before it was
//!   in its own slot: the held replies are handed over in order;
//! - the token in an earlier slot, or anything else in the probe's slot,
//!   proves the connection out of step: the reader drops it, every command
//!   in flight fails (the held ones too) with a connection error, which a
//!   read-only command's retry policy retries on the next connection;
//! - no reply to the probe by its deadline: the connection is presumed dead,
//!   as a stall is (housekeeping).
//!
//! One probe at a time: a timeout while one is out joins it, or, if its
//! command was queued after the probe, has another sent when it returns.
//!
//! The cost when nothing timed out is one test of `probe` per reply. After a
//! timeout: one `ECHO` of about 60 bytes, and the replies that arrive
//! meanwhile reach their callers when the probe does, one round trip after
//! the timeout at most on a healthy server (its reply is queued right behind
//! them).

use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::{Link, Outcome, State};
use crate::{Cmd, Value};

/// A reply the reader cannot hand to anyone.
#[derive(Debug, PartialEq, Eq)]
pub(in super::super) enum Misfit {
    /// No command is waiting for one.
    Stray,
    /// The connection is out of step; why we know.
    OutOfStep(&'static str),
}

/// The probe's token came back before the probe's slot: a reply went missing.
const EARLY: &str = "the in-step probe sent after a command timed out (ECHO of a fresh token) \
                     was answered in the slot of an earlier command";
/// The probe's slot got something else: a reply too many, or the wrong one.
const WRONG: &str = "the in-step probe sent after a command timed out (ECHO of a fresh token) \
                     got another reply in its slot";

/// The probe that is out.
pub(super) struct Probe {
    /// Its entry's sequence number.
    seq: u64,
    /// What it asked the server to echo.
    token: Bytes,
    /// When the connection is presumed dead without its reply.
    deadline: Option<Instant>,
    /// The timeout that set the deadline, for a probe sent after it and
    /// for the message.
    timeout: Duration,
    /// A command queued after the probe timed out too: that reply may have
    /// gone missing after the probe's, so another probe follows this one.
    again: bool,
}

impl State {
    /// A command queued as entry `last` (or before) timed out with its reply
    /// still to come: probe the connection, unless a probe is out already.
    pub(super) fn timed_out(&mut self, last: u64, timeout: Duration) {
        // Commands not yet sent (the link is connecting or down) time out
        // without saying anything about the connection they will go out on.
        if self.link != Link::Up || self.closed {
            return;
        }
        match &mut self.probe {
            Some(probe) => probe.again |= last > probe.seq,
            None => self.send_probe(timeout),
        }
    }

    /// Queues the probe behind everything queued so far; the clock or the
    /// reader then wakes the writer ([`State::take_probe_unsent`]).
    fn send_probe(&mut self, timeout: Duration) {
        let token = format!(
            "redis-core:in-step:{:016x}{:016x}",
            fastrand::u64(..),
            fastrand::u64(..)
        );
        Cmd::new("ECHO").arg(&token).write_to(&mut self.out);
        self.unwritten += 1;
        let (seq, deadline) = self.push(1, Some(timeout));
        if let Some(entry) = self.entries.back_mut() {
            // Nobody awaits it: its reply is checked, never handed over.
            entry.outcome = Outcome::Gone;
        }
        self.probe = Some(Probe {
            seq,
            token: Bytes::from(token),
            deadline,
            timeout,
            again: false,
        });
        self.probe_unsent = true;
    }

    /// Whether a probe was queued since the last call: the writer must be
    /// woken for it, as no caller is about to write.
    pub(in super::super) fn take_probe_unsent(&mut self) -> bool {
        std::mem::take(&mut self.probe_unsent)
    }

    /// The probe's timeout, once its deadline has passed without its reply.
    pub(in super::super) fn probe_overdue(&self, now: Instant) -> Option<Duration> {
        let probe = self.probe.as_ref()?;
        probe
            .deadline
            .is_some_and(|deadline| deadline <= now)
            .then_some(probe.timeout)
    }

    /// [`State::take_reply`] while a probe is out: replies are held until
    /// the probe's slot, where the token must be.
    #[cold]
    pub(super) fn take_reply_probing(
        &mut self,
        value: Value,
        wake: &mut Vec<std::task::Waker>,
    ) -> std::result::Result<usize, Misfit> {
        let Some(probe) = &self.probe else {
            return Err(Misfit::Stray);
        };
        let Some(entry) = self.entries.get_mut(self.answered) else {
            return Err(Misfit::Stray);
        };
        let seq = self.base + self.answered as u64;
        let is_token = matches!(&value, Value::BulkString(text) if *text == probe.token);
        if seq == probe.seq {
            if !is_token {
                return Err(Misfit::OutOfStep(WRONG));
            }
            let (again, timeout) = (probe.again, probe.timeout);
            self.answered += 1;
            self.probe = None;
            let woken = self.release(wake);
            if again {
                self.send_probe(timeout);
            }
            self.drop_finished();
            return Ok(woken);
        }
        if is_token {
            return Err(Misfit::OutOfStep(EARLY));
        }
        let Some(replies) = entry.gather(&mut self.front_batch, value) else {
            return Ok(0);
        };
        self.answered += 1;
        // A caller told already (a timeout) or gone drops its reply, as ever.
        if matches!(entry.outcome, Outcome::Waiting(_)) {
            self.held.push_back((seq, replies));
        }
        self.drop_finished();
        Ok(0)
    }

    /// Hands the held replies to their callers, in order; returns how many
    /// were still waiting.
    fn release(&mut self, wake: &mut Vec<std::task::Waker>) -> usize {
        let mut woken = 0;
        for (seq, replies) in std::mem::take(&mut self.held) {
            // Its caller may have left meanwhile, and its entry been forgotten.
            if let Some(entry) = self.entry_mut(seq) {
                woken += usize::from(matches!(entry.outcome, Outcome::Waiting(_)));
                wake.extend(entry.outcome.settle(Ok(replies)));
            }
        }
        woken
    }
}

#[cfg(test)]
mod tests {
    use std::task::{Poll, Waker};

    use super::super::Replies;
    use super::*;
    use crate::{Error, Result};

    const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

    fn reply(text: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(text.as_bytes()))
    }

    fn up() -> State {
        let mut state = State::new();
        state.link = Link::Up;
        state
    }

    fn poll(state: &mut State, seq: u64) -> Poll<Result<Replies>> {
        state.poll_outcome(seq, Waker::noop()).map_err(Error::from)
    }

    fn text(outcome: Poll<Result<Replies>>) -> String {
        match outcome {
            Poll::Ready(Ok(replies)) => format!("{:?}", replies.into_vec()),
            Poll::Ready(Err(error)) => format!("error: {error}"),
            Poll::Pending => "pending".into(),
        }
    }

    fn answer(state: &mut State, value: Value) -> std::result::Result<usize, Misfit> {
        state.take_reply(value, &mut Vec::new())
    }

    /// Queues a command with a 5 ms timeout; returns it and its deadline.
    fn push_slow(state: &mut State) -> (u64, Instant) {
        let (seq, deadline) = state.push(1, Some(Duration::from_millis(5)));
        let deadline = deadline.unwrap_or_else(|| panic!("a 5 ms timeout sets a deadline"));
        (seq, deadline)
    }

    /// Queues a command with a 5 ms timeout and lets it time out.
    fn push_and_time_out(state: &mut State) -> u64 {
        let (seq, deadline) = push_slow(state);
        expire_at(state, deadline);
        seq
    }

    fn expire_at(state: &mut State, now: Instant) {
        let timed_out = |_| Error::timeout("too slow");
        state.expire(now, timed_out, PROBE_TIMEOUT, &mut Vec::new());
    }

    fn token(state: &State) -> Value {
        let probe = state.probe.as_ref();
        let probe = probe.unwrap_or_else(|| panic!("a probe is out"));
        Value::BulkString(probe.token.clone())
    }

    #[test]
    fn nothing_is_probed_until_a_command_times_out_with_its_reply_to_come() {
        let mut state = up();
        let (seq, _) = state.push(1, Some(Duration::from_millis(5)));
        assert_eq!(answer(&mut state, reply("in time")), Ok(1));
        expire_at(&mut state, Instant::now() + Duration::from_secs(1));
        assert!(state.probe.is_none() && !state.take_probe_unsent());
        assert!(text(poll(&mut state, seq)).contains("in time"));
    }

    #[test]
    fn a_timeout_on_a_live_connection_queues_one_echo_of_a_fresh_token() {
        let mut state = up();
        push_and_time_out(&mut state);
        assert!(state.take_probe_unsent(), "the writer is to be woken");
        let Value::BulkString(token) = token(&state) else {
            unreachable!()
        };
        let expected = Cmd::new("ECHO").arg(&token[..]);
        let mut encoded = bytes::BytesMut::new();
        expected.write_to(&mut encoded);
        assert_eq!(state.out, encoded);
        assert_eq!(state.unanswered(), 2, "the timed-out command and the probe");

        push_and_time_out(&mut state);
        assert_eq!(state.unanswered(), 3, "a second timeout joins the probe");
        assert!(!state.take_probe_unsent());

        let mut other = up();
        push_and_time_out(&mut other);
        assert_ne!(
            token,
            other
                .probe
                .as_ref()
                .map(|p| p.token.clone())
                .unwrap_or_default()
        );
    }

    #[test]
    fn commands_not_yet_sent_are_not_probed() {
        for link in [Link::Connecting, Link::Down] {
            let mut state = State::new();
            state.link = link;
            push_and_time_out(&mut state);
            assert!(state.probe.is_none() && state.out.is_empty());
        }
    }

    #[test]
    fn replies_after_a_timeout_are_held_until_the_probe_confirms_them() {
        let mut state = up();
        let (slow, deadline) = push_slow(&mut state);
        let (b, _) = state.push(1, None);
        let (batch, _) = state.push(2, None);
        expire_at(&mut state, deadline);
        let token = token(&state);
        assert_eq!(answer(&mut state, reply("late")), Ok(0));
        assert_eq!(answer(&mut state, reply("b")), Ok(0));
        assert_eq!(answer(&mut state, reply("batch 1")), Ok(0));
        assert_eq!(answer(&mut state, reply("batch 2")), Ok(0));
        assert_eq!(text(poll(&mut state, b)), "pending", "held");
        assert_eq!(text(poll(&mut state, batch)), "pending", "held");
        assert_eq!(answer(&mut state, token), Ok(2), "both released");
        assert!(text(poll(&mut state, b)).contains("\"b\""));
        let both = text(poll(&mut state, batch));
        assert!(
            both.contains("batch 1") && both.contains("batch 2"),
            "{both}"
        );
        assert!(text(poll(&mut state, slow)).contains("too slow"));
        assert!(state.probe.is_none() && state.held.is_empty());
        assert!(state.entries.is_empty(), "the probe's entry is forgotten");
        // Back to the plain path.
        let (next, _) = state.push(1, None);
        assert_eq!(answer(&mut state, reply("next")), Ok(1));
        assert!(text(poll(&mut state, next)).contains("next"));
    }

    #[test]
    fn a_swallowed_reply_shows_as_the_token_arriving_early() {
        let mut state = up();
        let (_, deadline) = push_slow(&mut state);
        let (b, _) = state.push(1, None);
        let (c, _) = state.push(1, None);
        expire_at(&mut state, deadline);
        let token = token(&state);
        // The slow command's reply never comes: each reply lands one slot early.
        assert_eq!(answer(&mut state, reply("b")), Ok(0));
        assert_eq!(answer(&mut state, reply("c")), Ok(0));
        assert_eq!(answer(&mut state, token), Err(Misfit::OutOfStep(EARLY)));
        // The reader drops the connection, which fails what is in flight.
        let lost = Error::new(crate::ErrorKind::Io, "out of step");
        state.fail_unanswered(&lost, &mut Vec::new());
        assert!(
            text(poll(&mut state, b)).contains("out of step"),
            "not c's reply"
        );
        assert!(text(poll(&mut state, c)).contains("out of step"));
        assert!(state.probe.is_none() && state.held.is_empty());
        assert_eq!(state.unanswered(), 0);
    }

    #[test]
    fn anything_but_the_token_in_the_probes_slot_is_out_of_step() {
        for wrong in [reply("late"), Value::Nil, Value::SimpleString("OK".into())] {
            let mut state = up();
            push_and_time_out(&mut state);
            let (after, _) = state.push(1, None);
            assert_eq!(answer(&mut state, reply("late")), Ok(0));
            assert_eq!(answer(&mut state, wrong), Err(Misfit::OutOfStep(WRONG)));
            state.fail_unanswered(&Error::closed("dropped"), &mut Vec::new());
            assert!(text(poll(&mut state, after)).contains("dropped"));
        }
    }

    #[test]
    fn a_timeout_after_the_probe_sends_another_when_it_returns() {
        let mut state = up();
        push_and_time_out(&mut state);
        let first = token(&state);
        let late = push_and_time_out(&mut state);
        assert!(state.take_probe_unsent());
        let (after, _) = state.push(1, None);
        assert_eq!(answer(&mut state, reply("late 1")), Ok(0));
        assert_eq!(answer(&mut state, first.clone()), Ok(0));
        let second = token(&state);
        assert_ne!(first, second, "a second probe, behind the later command");
        assert!(state.take_probe_unsent());
        assert_eq!(answer(&mut state, reply("late 2")), Ok(0));
        assert_eq!(answer(&mut state, reply("after")), Ok(0));
        assert_eq!(text(poll(&mut state, after)), "pending");
        assert_eq!(answer(&mut state, second), Ok(1));
        assert!(text(poll(&mut state, after)).contains("after"));
        assert!(text(poll(&mut state, late)).contains("too slow"));
    }

    #[test]
    fn a_held_caller_still_times_out_at_its_own_deadline() {
        let mut state = up();
        let (slow, slow_deadline) = push_slow(&mut state);
        let (held, deadline) = state.push(1, Some(Duration::from_millis(50)));
        expire_at(&mut state, slow_deadline);
        let token = token(&state);
        assert_eq!(answer(&mut state, reply("late")), Ok(0));
        assert_eq!(answer(&mut state, reply("held")), Ok(0));
        expire_at(&mut state, deadline.unwrap_or_else(|| panic!("a deadline")));
        assert!(text(poll(&mut state, held)).contains("too slow"));
        assert_eq!(answer(&mut state, token), Ok(0), "its reply is dropped");
        assert!(poll(&mut state, slow).is_ready());
        assert!(state.entries.is_empty());
    }

    #[test]
    fn a_caller_that_leaves_while_held_is_forgotten() {
        let mut state = up();
        let (slow, deadline) = push_slow(&mut state);
        let (gone, _) = state.push(1, None);
        expire_at(&mut state, deadline);
        let token = token(&state);
        assert!(poll(&mut state, slow).is_ready());
        assert_eq!(answer(&mut state, reply("late")), Ok(0));
        assert_eq!(answer(&mut state, reply("for nobody")), Ok(0));
        state.abandon(gone);
        assert_eq!(answer(&mut state, token), Ok(0));
        assert!(state.entries.is_empty() && state.held.is_empty());
    }

    #[test]
    fn a_probe_without_a_reply_by_its_deadline_is_overdue() {
        let mut state = up();
        let before = Instant::now();
        push_and_time_out(&mut state);
        assert_eq!(state.probe_overdue(before), None);
        let later = Instant::now() + PROBE_TIMEOUT;
        assert_eq!(state.probe_overdue(later), Some(PROBE_TIMEOUT));
    }

    #[test]
    fn the_probe_waits_at_least_the_timed_out_commands_own_timeout() {
        let mut state = up();
        let (_, deadline) = state.push(1, Some(Duration::from_secs(3)));
        let deadline = deadline.unwrap_or_else(|| panic!("a deadline"));
        expire_at(&mut state, deadline);
        assert_eq!(
            state.probe.as_ref().map(|probe| probe.timeout),
            Some(Duration::from_secs(3))
        );
    }
}
