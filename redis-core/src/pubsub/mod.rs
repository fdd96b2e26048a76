//! Pub/sub, keyspace notifications and MONITOR, each on a connection of
//! its own opened through the client's connector.
//!
//! [`PubSub`] is the subscriber (redis-py's `PubSub`): a background task
//! owns its connection, [`Subscriptions`] handles send it subscription
//! changes, and the messages come out as a stream of [`PubSubEvent`]s that
//! also tells of lost connections. [`KeyspaceEvent`] reads keyspace
//! notifications; [`Monitor`] is MONITOR as a stream of [`MonitorEntry`].
//!
//! A subscribed connection is never shared with other commands: the
//! client's shared connection and [`Dedicated`](crate::Dedicated) refuse
//! SUBSCRIBE and MONITOR. Sharing the client's RESP3 connection with
//! subscriptions is not done yet.

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
pub use monitor::Monitor;
pub use monitor_line::MonitorEntry;
pub use runner::PubSubRunner;
pub use subscriber::PubSub;
pub use subscriptions::Subscriptions;
