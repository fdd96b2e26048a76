//! Handlers per channel, pattern or shard channel: the messages they take
//! never reach the stream, as with redis-py's `subscribe(**{channel: handler})`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::message::{Message, MessageKind};
use super::request::Class;
use crate::sync::lock;

/// A handler for the messages of one subscription.
pub(crate) type Handler = Arc<dyn Fn(Message) + Send + Sync>;

/// The handlers of one subscriber, shared by its handles.
#[derive(Clone, Default)]
pub(crate) struct Handlers(Arc<Mutex<HashMap<(Class, Bytes), Handler>>>);

impl Handlers {
    pub(crate) fn set(&self, class: Class, name: Bytes, handler: Handler) {
        lock(&self.0).insert((class, name), handler);
    }

    /// Forgets the handlers of `names`; of every name of the class when
    /// `names` is empty.
    pub(crate) fn remove(&self, class: Class, names: &[Bytes]) {
        let mut handlers = lock(&self.0);
        if names.is_empty() {
            handlers.retain(|(c, _), _| *c != class);
            return;
        }
        for name in names {
            handlers.remove(&(class, name.clone()));
        }
    }

    /// The handler that takes `message`, if one does: a pattern's handler
    /// takes what the pattern matched.
    pub(crate) fn find(&self, message: &Message) -> Option<Handler> {
        let key = match message.kind {
            MessageKind::Message => (Class::Channel, message.channel.clone()),
            MessageKind::SMessage => (Class::Shard, message.channel.clone()),
            MessageKind::PMessage => (Class::Pattern, message.pattern.clone()?),
            _ => return None,
        };
        let handlers = lock(&self.0);
        if handlers.is_empty() {
            return None;
        }
        handlers.get(&key).cloned()
    }
}
