//! What the server sends on a subscribed connection, matched to what was
//! asked: confirmations count down the oldest command waiting for them,
//! replies answer a PING or refuse a command, messages go to the stream.

use bytes::Bytes;
use tokio::sync::oneshot;

use super::{Notice, Task};
use crate::connection::Answer;
use crate::pubsub::event::PubSubEvent;
use crate::pubsub::message::{Frame, Message, MessageKind, classify};
use crate::pubsub::request::{Class, Op};
use crate::{Error, Result, RetryMethod, Value};

/// What a sent command waits for.
#[derive(Debug)]
pub(super) enum Expect {
    /// One confirmation of this kind per name.
    Confirm(MessageKind),
    Pong,
}

/// A sent command whose answer has not all come. The server answers in
/// the order commands were sent, so these form a queue.
pub(super) struct Pending {
    pub(super) expect: Expect,
    pub(super) remaining: usize,
    /// The change, to undo in the wanted set if the server refuses it.
    pub(super) change: Option<(Op, Vec<Bytes>)>,
    /// Sent by the task itself after a reconnect.
    pub(super) resubscribe: bool,
    pub(super) done: Option<oneshot::Sender<Result<()>>>,
    /// On the client's shared connection: the multiplexer's answer, which
    /// tells of a refusal (an error reply) or of the connection's loss;
    /// the confirmations themselves come as push frames, like messages.
    pub(super) answer: Option<Answer>,
}

impl Task {
    pub(super) fn take_frame(&mut self, frame: Value, node: &str) -> Result<()> {
        match classify(frame)? {
            Frame::Message(message) => {
                // Into the stream before the call it confirms returns, so
                // that a caller who then polls finds it there.
                let confirmation = message.kind.is_confirmation().then(|| message.clone());
                self.emit(PubSubEvent::Message(message));
                if let Some(message) = confirmation {
                    self.confirmation(&message, node);
                }
            }
            Frame::Reply(reply) => self.reply(reply, node)?,
            Frame::OtherPush(kind) => {
                tracing::debug!(%kind, "push frame on a subscriber connection skipped");
            }
        }
        Ok(())
    }

    /// A confirmation counts towards the oldest command waiting for one of
    /// its kind; one nobody waits for is the server's own doing (a cluster
    /// unsubscribing a shard channel whose slot moved), and the wanted set
    /// follows it.
    fn confirmation(&mut self, message: &Message, node: &str) {
        let expected = matches!(
            self.pending.front(),
            Some(Pending { expect: Expect::Confirm(kind), .. }) if *kind == message.kind
        );
        if !expected {
            let unsubscribed = match message.kind {
                MessageKind::Unsubscribe => Some(Class::Channel),
                MessageKind::PUnsubscribe => Some(Class::Pattern),
                MessageKind::SUnsubscribe => Some(Class::Shard),
                _ => None,
            };
            if let Some(class) = unsubscribed {
                self.wanted[class.index()].remove(&message.channel);
                if class == Class::Shard {
                    self.tell(Notice::Dropped(message.channel.clone()));
                }
            }
            return;
        }
        self.count_down(Ok(()), node);
    }

    pub(super) fn reply(&mut self, reply: Value, node: &str) -> Result<()> {
        match (&reply, self.pending.front()) {
            (Value::Error(server), Some(front)) => {
                let command = match (&front.change, &front.expect) {
                    (Some((op, _)), _) => op.command().to_owned(),
                    // A resubscription: the command its confirmations name.
                    (None, Expect::Confirm(kind)) => kind.as_str().to_ascii_uppercase(),
                    (None, Expect::Pong) => "PING".to_owned(),
                };
                let error = Error::server(server.clone())
                    .with_command(&command)
                    .at_node(node);
                if front.resubscribe {
                    // The server refuses what it accepted before (an ACL
                    // changed, or, in a cluster, the slot moved while the
                    // node was away): the connection is given up, and the
                    // stream says why; the next one tries again after a
                    // backoff, and a cluster's router moves the channel.
                    if let RetryMethod::MovedRedirect { slot, address } = error.retry_method() {
                        self.tell(Notice::Moved {
                            slot,
                            node: address,
                        });
                    }
                    return Err(error.with_detail("subscribing again after a reconnect failed"));
                }
                if let Some(pending) = self.pending.pop_front() {
                    if let Some((op, names)) = &pending.change {
                        if op.subscribe {
                            let undo = Op {
                                subscribe: false,
                                ..*op
                            };
                            self.apply(undo, names);
                        }
                    }
                    if let Some(done) = pending.done {
                        let _ = done.send(Err(error));
                    }
                }
                Ok(())
            }
            (
                _,
                Some(Pending {
                    expect: Expect::Pong,
                    ..
                }),
            ) => {
                self.count_down(Ok(()), node);
                Ok(())
            }
            _ => Err(Error::protocol(format!(
                "{node} sent a {} nobody asked for on a subscribed connection",
                reply.type_name()
            ))),
        }
    }

    /// One answer for the oldest command; a command fully answered is
    /// done, and the last of a resubscription tells the stream.
    pub(super) fn count_down(&mut self, result: Result<()>, node: &str) {
        let Some(front) = self.pending.front_mut() else {
            return;
        };
        front.remaining = front.remaining.saturating_sub(1);
        if front.remaining > 0 {
            return;
        }
        let Some(pending) = self.pending.pop_front() else {
            return;
        };
        if let Some(done) = pending.done {
            let _ = done.send(result);
        }
        if pending.resubscribe && !self.pending.iter().any(|p| p.resubscribe) {
            self.resubscribed(node);
        }
    }
}
