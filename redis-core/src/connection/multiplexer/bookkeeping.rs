//! The multiplexer's per-command bookkeeping without a socket, for the
//! criterion benchmarks (feature `bench-internals`; not a stable API).

use std::task::{Poll, Waker};

use super::state::State;
use crate::{Cmd, Value};

/// What the shared connection does for each command between the caller
/// queuing it and taking its reply, minus the system calls: encode it into
/// the write buffer and queue its entry, hand a reply to the entry, and have
/// the caller take it out.
pub struct Bookkeeping {
    state: State,
    wake: Vec<Waker>,
}

impl Default for Bookkeeping {
    fn default() -> Self {
        Bookkeeping {
            state: State::new(),
            wake: Vec::new(),
        }
    }
}

impl Bookkeeping {
    /// Queues each of `cmds`, answers each with a clone of `reply`, then has
    /// each caller take its reply; returns how many replies were taken.
    pub fn round(&mut self, cmds: &[Cmd], reply: &Value) -> usize {
        let state = &mut self.state;
        let queued: Vec<u64> = cmds
            .iter()
            .map(|cmd| {
                cmd.write_to(&mut state.out);
                state.push(1, None).0
            })
            .collect();
        state.out.clear();
        for _ in &queued {
            let _ = state.take_reply(reply.clone(), &mut self.wake);
        }
        self.wake.clear();
        queued
            .into_iter()
            .filter(|seq| matches!(state.poll_outcome(*seq, Waker::noop()), Poll::Ready(Ok(_))))
            .count()
    }
}
