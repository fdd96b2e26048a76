//! Pub/sub, keyspace notifications and MONITOR: a subscriber on a RESP3
//! client's shared connection or on a connection of its own, MONITOR on a
//! connection of its own, opened through the client's connector.
//!
//! [`PubSub`] is the subscriber (redis-py's `PubSub`): a background task
//! owns its connection, [`Subscriptions`] handles send it subscription
//! changes, and the messages come out as a stream of [`PubSubEvent`]s that
//! also tells of lost connections. [`KeyspaceEvent`] reads keyspace
//! notifications; [`Monitor`] is MONITOR as a stream of [`MonitorEntry`].
//!
//! Users never send SUBSCRIBE or MONITOR themselves: the client's shared
//! connection and [`Dedicated`](crate::Dedicated) refuse them, since no
//! reply slot can read what follows; [`PubSub`] sends its subscription
//! changes on the shared connection as entries answered by push frames.

mod event;
mod handlers;
mod keyspace;
mod message;
mod monitor;
mod monitor_line;
mod request;
mod runner;
mod subscriber;
mod subscriptions;
mod task;

pub use event::PubSubEvent;
pub use keyspace::{KeyEvent, KeyspaceEvent, keyevent_channel, keyspace_channel};
pub use message::{Message, MessageKind};
pub(crate) use message::{confirms_subscription, is_pubsub_frame};
pub use monitor::Monitor;
pub use monitor_line::MonitorEntry;
pub(crate) use request::{Class, Op, Request};
pub use runner::PubSubRunner;
pub use subscriber::PubSub;
pub use subscriptions::Subscriptions;
pub(crate) use task::{Notice, Notices, Task, deliver, emit};
