//! What the handles ask of the subscriber's task.

use bytes::Bytes;
use tokio::sync::oneshot;

use super::message::MessageKind;
use crate::{Cmd, Result};

/// The three kinds of subscription, each a set of names of its own on the
/// server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    Channel,
    Pattern,
    Shard,
}

impl Class {
    pub(crate) const ALL: [Class; 3] = [Class::Channel, Class::Pattern, Class::Shard];

    pub(crate) fn index(self) -> usize {
        match self {
            Class::Channel => 0,
            Class::Pattern => 1,
            Class::Shard => 2,
        }
    }
}

/// A subscription change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Op {
    pub(crate) class: Class,
    pub(crate) subscribe: bool,
}

impl Op {
    pub(crate) fn command(self) -> &'static str {
        match (self.class, self.subscribe) {
            (Class::Channel, true) => "SUBSCRIBE",
            (Class::Channel, false) => "UNSUBSCRIBE",
            (Class::Pattern, true) => "PSUBSCRIBE",
            (Class::Pattern, false) => "PUNSUBSCRIBE",
            (Class::Shard, true) => "SSUBSCRIBE",
            (Class::Shard, false) => "SUNSUBSCRIBE",
        }
    }

    /// The kind of the confirmation the server sends per name.
    pub(crate) fn confirmation(self) -> MessageKind {
        match (self.class, self.subscribe) {
            (Class::Channel, true) => MessageKind::Subscribe,
            (Class::Channel, false) => MessageKind::Unsubscribe,
            (Class::Pattern, true) => MessageKind::PSubscribe,
            (Class::Pattern, false) => MessageKind::PUnsubscribe,
            (Class::Shard, true) => MessageKind::SSubscribe,
            (Class::Shard, false) => MessageKind::SUnsubscribe,
        }
    }

    /// The commands that make the change: shard channels one per command,
    /// since a cluster refuses one SSUBSCRIBE whose channels hash to
    /// different slots.
    pub(crate) fn commands(self, names: &[Bytes]) -> Vec<Cmd> {
        if self.class == Class::Shard {
            return names
                .iter()
                .map(|name| Cmd::new(self.command()).arg(name.as_ref()))
                .collect();
        }
        let mut cmd = Cmd::new(self.command());
        for name in names {
            cmd = cmd.arg(name.as_ref());
        }
        vec![cmd]
    }
}

/// One call of a handle, answered when the server confirmed it.
#[derive(Debug)]
pub(crate) enum Request {
    /// Names empty on an unsubscribe: every name of the class.
    Change {
        op: Op,
        names: Vec<Bytes>,
        done: oneshot::Sender<Result<()>>,
    },
    Ping {
        done: oneshot::Sender<Result<()>>,
    },
}
