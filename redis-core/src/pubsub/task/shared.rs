//! The task's service on the client's shared RESP3 connection: changes go
//! out through the multiplexer, confirmations and messages come back as
//! push frames among the connection's events, and a loss is told by the
//! connection's own events rather than found on a socket of its own.
//!
//! Two streams arrive: the events (push frames, in wire order) and each
//! command's answer from the multiplexer (an error reply, a PONG, a lost
//! connection). The multiplexer settles an answer before it tells any push
//! frame that came after it on the wire, so the task settles every answer
//! that is ready before it counts a confirmation: the two stay in step.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::answers::{Expect, Pending};
use super::{OUTBOX_LIMIT, Task, deliver};
use crate::connection::{Failed, Replies, SeatEvents, SubscriberSeat};
use crate::pubsub::request::Request;
use crate::{Client, ConnectionEvent, Error, ErrorKind, Value};

/// What woke the task.
enum Wake {
    Answer(std::result::Result<Replies, Failed>),
    Event(Option<ConnectionEvent>),
    Request(Option<Request>),
    Delivered,
    Closed,
}

impl Task {
    /// Serves the subscriber on the client's shared connection until the
    /// stream is dropped or the client closed. `events` was taken before
    /// the `PubSub` was handed out, so nothing sent since is missed; the
    /// client is held so that its connection lives as long as the stream.
    pub(crate) async fn run_shared(
        mut self,
        seat: SubscriberSeat,
        mut events: SeatEvents,
        _client: Client,
    ) {
        // Between a loss and the resubscription that ends the gap.
        let mut away = false;
        // The server, as the last Connected named it (asked of the
        // multiplexer once, not per message).
        let mut node: Arc<str> = seat.node();
        loop {
            let room = self.outbox.len() < OUTBOX_LIMIT;
            let woke = tokio::select! {
                outcome = front_answer(&mut self.pending) => Wake::Answer(outcome),
                event = events.recv(), if room => Wake::Event(event),
                request = self.requests.recv() => Wake::Request(request),
                delivered = deliver(&self.events, &mut self.outbox), if !self.outbox.is_empty() => {
                    if delivered { Wake::Delivered } else { Wake::Closed }
                },
                () = self.events.closed() => Wake::Closed,
            };
            match woke {
                Wake::Answer(outcome) => self.settle_front(outcome, &node),
                Wake::Event(Some(ConnectionEvent::Push(frame))) => {
                    self.settle_ready(&node);
                    if let Err(error) = self.take_frame(frame, &node) {
                        tracing::warn!(%node, %error, "a pub/sub push frame was not understood");
                    }
                }
                Wake::Event(Some(
                    ConnectionEvent::Lost { node: lost, error }
                    | ConnectionEvent::Replaced {
                        node: lost,
                        reason: error,
                    },
                )) => {
                    self.forget_old(&error, &lost);
                    if !std::mem::replace(&mut away, true) {
                        self.disconnected(lost, error);
                    }
                }
                Wake::Event(Some(ConnectionEvent::Connected { node: now })) => {
                    node = Arc::from(now.as_str());
                    away = false;
                    self.resubscribe_shared(&seat, &node);
                }
                Wake::Event(Some(ConnectionEvent::Missed { count })) => {
                    // A loss may be among what was missed: the gap is told,
                    // and everything is subscribed again (a subscription
                    // the server still has is confirmed again, harmlessly).
                    self.settle_ready(&node);
                    if !std::mem::replace(&mut away, true) {
                        let error = Error::new(
                            ErrorKind::Io,
                            format!(
                                "the subscriber fell {count} events behind on the shared \
                                 connection to {node}; messages among them were dropped"
                            ),
                        );
                        self.disconnected(node.to_string(), error);
                    }
                    away = false;
                    self.resubscribe_shared(&seat, &node);
                }
                Wake::Delivered => {}
                Wake::Request(Some(request)) => self.send_shared(&seat, request),
                Wake::Event(None) => return,
                Wake::Request(None) | Wake::Closed => return self.leave(&seat).await,
            }
        }
    }

    /// Nobody listens any more: the connection, which stays in use, is
    /// unsubscribed from everything, so that it no longer carries messages
    /// for nobody. The seat is held until that is confirmed, so that a
    /// next subscriber does not take these confirmations for its own.
    async fn leave(&mut self, seat: &SubscriberSeat) {
        let mut answers = Vec::new();
        for (_, cmd) in self.wanted_commands(false) {
            let confirmations = cmd.arg_count().saturating_sub(1);
            answers.push(seat.send(&cmd, confirmations, self.config.response_timeout));
        }
        for answer in answers {
            // A lost connection took the subscriptions with it; a timeout
            // leaves the confirmations to come with nobody listening.
            if answer.await.is_err() {
                return;
            }
        }
    }

    /// Sends a call's commands through the multiplexer.
    fn send_shared(&mut self, seat: &SubscriberSeat, request: Request) {
        let Some((cmds, pendings)) = self.plan(request) else {
            return;
        };
        self.queue_shared(seat, &cmds, pendings);
    }

    /// Subscribes again to everything wanted on a new connection; with
    /// nothing wanted, the gap ends now.
    fn resubscribe_shared(&mut self, seat: &SubscriberSeat, node: &str) {
        let (cmds, pendings) = self.resubscription();
        if cmds.is_empty() {
            self.resubscribed(node);
            return;
        }
        self.queue_shared(seat, &cmds, pendings);
    }

    fn queue_shared(&mut self, seat: &SubscriberSeat, cmds: &[crate::Cmd], pendings: Vec<Pending>) {
        let timeout = self.config.response_timeout;
        for (cmd, mut pending) in cmds.iter().zip(pendings) {
            let confirmations = match pending.expect {
                Expect::Confirm(_) => pending.remaining.max(1),
                Expect::Pong => 0,
            };
            pending.answer = Some(seat.send(cmd, confirmations, timeout));
            self.pending.push_back(pending);
        }
    }

    /// Settles the oldest commands whose answers are in already.
    fn settle_ready(&mut self, node: &str) {
        let mut cx = Context::from_waker(Waker::noop());
        while let Poll::Ready(outcome) = poll_front(&mut self.pending, &mut cx) {
            self.settle_front(outcome, node);
        }
    }

    /// The multiplexer's answer for the oldest command. Confirmations were
    /// counted as they came; an error reply refuses the change, a PONG
    /// answers a PING, a lost connection orphans the command, a timeout
    /// leaves it waiting for its confirmations (or the loss that ends it).
    fn settle_front(&mut self, outcome: std::result::Result<Replies, Failed>, node: &str) {
        let Some(front) = self.pending.front() else {
            return;
        };
        match outcome {
            Ok(replies) => match (&front.expect, replies.into_last()) {
                (_, Some(error @ Value::Error(_))) => {
                    if front.resubscribe {
                        tracing::warn!(%node, ?error, "subscribing again after a reconnect was refused");
                        // Refused whole: no confirmation is coming.
                        if let Some(front) = self.pending.front_mut() {
                            front.remaining = 1;
                        }
                        self.count_down(Ok(()), node);
                    } else if let Err(error) = self.reply(error, node) {
                        tracing::warn!(%node, %error, "a subscription change was refused");
                    }
                }
                (Expect::Pong, _) => self.count_down(Ok(()), node),
                (Expect::Confirm(_), _) => {}
            },
            Err(Failed { error, .. }) => match (error.kind(), &front.expect) {
                (ErrorKind::Timeout, Expect::Confirm(_)) => {}
                _ => {
                    if let Some(pending) = self.pending.pop_front() {
                        self.orphan(pending, &error);
                    }
                }
            },
        }
    }

    /// After a loss: the commands of the lost connection are settled, their
    /// answers failed with it before the loss was told (those sent since
    /// wait for the next connection); one whose answer was taken already (a
    /// timeout) and whose confirmations did not come is orphaned too.
    fn forget_old(&mut self, error: &Error, node: &str) {
        loop {
            self.settle_ready(node);
            match self.pending.front() {
                Some(front) if front.answer.is_none() => {
                    if let Some(pending) = self.pending.pop_front() {
                        self.orphan(pending, error);
                    }
                }
                _ => return,
            }
        }
    }
}

/// The answer of the oldest command, once it comes (pending while there is
/// none to wait for).
async fn front_answer(
    pending: &mut std::collections::VecDeque<Pending>,
) -> std::result::Result<Replies, Failed> {
    poll_fn(|cx| poll_front(pending, cx)).await
}

fn poll_front(
    pending: &mut std::collections::VecDeque<Pending>,
    cx: &mut Context<'_>,
) -> Poll<std::result::Result<Replies, Failed>> {
    let Some(answer) = pending.front_mut().and_then(|front| front.answer.as_mut()) else {
        return Poll::Pending;
    };
    let outcome = std::task::ready!(Pin::new(answer).poll(cx));
    if let Some(front) = pending.front_mut() {
        front.answer = None;
    }
    Poll::Ready(outcome)
}
