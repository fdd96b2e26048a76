//! The master client's subscription to the sentinels' `+switch-master`:
//! each sentinel publishes it on its own `+switch-master` channel the
//! moment it adopts the new master, so the client moves then rather than
//! at the next master check (`watch`), or ten seconds later when the old
//! master is demoted and starts answering READONLY.
//!
//! One subscriber per sentinel, not one to the first reachable: a sentinel
//! that is down, partitioned or slow to learn of the failover must not be
//! the only ear. Every announcement moves a client that is not yet on the
//! announced master: the first sentinel to announce may be alone in
//! knowing, so the reconnect it causes can still be told the old master by
//! the majority; a later sentinel's announcement (by then most of them
//! know) moves the client again. Each subscriber reconnects by itself (the
//! pub/sub module's task); an announcement made while one is away is caught
//! by another, or by the master check.

use std::sync::Arc;
use std::time::Duration;

use crate::client::WeakClient;
use crate::config::{Addr, Config};
use crate::connection::{Connector, Node};
use crate::pubsub::{Message, PubSub, PubSubEvent};
use crate::retry::{Backoff, ExponentialBackoff};
use crate::{Error, ErrorKind};

/// The channel every sentinel announces a changed master address on.
const CHANNEL: &str = "+switch-master";

/// How often a subscriber looks whether its client still exists, when no
/// message comes: a dropped client's subscriptions end within this.
const LIVENESS: Duration = Duration::from_secs(1);

/// The pause before trying again to subscribe to a sentinel that could not
/// be reached at first (later losses are the subscriber's own business).
const RETRY: ExponentialBackoff = ExponentialBackoff {
    base: Duration::from_millis(200),
    cap: Duration::from_secs(10),
    jitter: true,
};

/// Subscribes to `+switch-master` on every sentinel for as long as the
/// client lives. `config` is the sentinels' (credentials, TLS, timeouts);
/// its address is replaced by each sentinel's.
pub(crate) fn follow(client: WeakClient, sentinels: &[Addr], config: &Config, name: &str) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    for sentinel in sentinels {
        let mut config = config.clone();
        config.addr = sentinel.clone();
        let connector: Connector = match Node::new(config.clone()) {
            Ok(node) => Arc::new(node),
            // The same settings opened the client's first asks, so this
            // does not happen; the master check still moves the client.
            Err(error) => {
                tracing::warn!(%error, %sentinel, "cannot subscribe to +switch-master");
                continue;
            }
        };
        let listener = Listener {
            client: client.clone(),
            sentinel: sentinel.to_string(),
            name: name.to_owned(),
        };
        runtime.spawn(listener.run(config, connector));
    }
}

/// One sentinel's subscriber, for one client.
struct Listener {
    client: WeakClient,
    sentinel: String,
    name: String,
}

impl Listener {
    async fn run(self, config: Config, connector: Connector) {
        let mut attempt = 0;
        loop {
            if self.client.upgrade().is_none() {
                return;
            }
            match subscribe(&config, &connector).await {
                Ok(pubsub) => {
                    attempt = 0;
                    if self.listen(pubsub).await {
                        return;
                    }
                }
                Err(error) => {
                    tracing::debug!(%error, sentinel = %self.sentinel, "cannot subscribe to +switch-master; trying again later");
                }
            }
            attempt += 1;
            tokio::time::sleep(RETRY.delay(attempt)).await;
        }
    }

    /// Reads announcements until the client is gone (true) or the
    /// subscriber stopped (false: subscribe again).
    async fn listen(&self, mut pubsub: PubSub) -> bool {
        loop {
            let event = tokio::time::timeout(LIVENESS, pubsub.next_message()).await;
            if self.client.upgrade().is_none() {
                return true;
            }
            match event {
                Ok(Some(PubSubEvent::Message(message))) => self.on_message(&message),
                Ok(Some(_)) | Err(_) => {}
                Ok(None) => return false,
            }
        }
    }

    fn on_message(&self, message: &Message) {
        let Some(new) = switched_to(&message.payload, &self.name) else {
            return;
        };
        let new = new.to_string();
        let Some(client) = self.client.upgrade() else {
            return;
        };
        let node = client.node();
        if *node == new {
            return;
        }
        tracing::info!(%node, master = %new, name = %self.name, sentinel = %self.sentinel, "+switch-master; reconnecting");
        client.replace_connection(Error::new(
            ErrorKind::Io,
            format!(
                "sentinel {} announced {new} as the new master of {:?} (+switch-master): the \
                 connection to {node} was replaced",
                self.sentinel, self.name
            ),
        ));
    }
}

async fn subscribe(config: &Config, connector: &Connector) -> crate::Result<PubSub> {
    let pubsub = PubSub::start(config.clone(), connector.clone())
        .await?
        .ignore_subscribe_messages(true);
    pubsub.subscribe([CHANNEL]).await?;
    Ok(pubsub)
}

/// The new master a `+switch-master` payload announces for `name`:
/// `<name> <old ip> <old port> <new ip> <new port>`. `None` for another
/// master's, or a payload of another shape.
fn switched_to(payload: &[u8], name: &str) -> Option<Addr> {
    let text = std::str::from_utf8(payload).ok()?;
    // The name comes first and may itself hold spaces (sentinel allows
    // it in `SENTINEL MONITOR`); the four address fields are the last ones.
    let mut fields = text.rsplitn(5, ' ');
    let port = fields.next()?.parse().ok()?;
    let host = fields.next()?;
    let _old_port = fields.next()?;
    let _old_host = fields.next()?;
    (fields.next()? == name).then(|| Addr::Tcp {
        host: host.to_owned(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::switched_to;

    #[test]
    fn the_new_address_is_read_for_the_master_named() {
        let payload = b"mymaster 127.0.0.1 6379 127.0.0.1 6380";
        let new = switched_to(payload, "mymaster").map(|a| a.to_string());
        assert_eq!(new.as_deref(), Some("127.0.0.1:6380"));
        let v6 = switched_to(b"mymaster ::1 6379 ::1 6380", "mymaster");
        assert_eq!(v6.map(|a| a.to_string()).as_deref(), Some("[::1]:6380"));
    }

    #[test]
    fn another_masters_switch_or_a_strange_payload_is_ignored() {
        assert!(switched_to(b"other 127.0.0.1 6379 127.0.0.1 6380", "mymaster").is_none());
        assert!(switched_to(b"my 127.0.0.1 6379 127.0.0.1 6380", "mymaster").is_none());
        assert!(switched_to(b"mymaster 127.0.0.1 6379", "mymaster").is_none());
        assert!(switched_to(b"mymaster a b c notaport", "mymaster").is_none());
        assert!(switched_to(&[0xff, 0xfe], "mymaster").is_none());
        let spaced = switched_to(b"my master 10.0.0.1 1 10.0.0.2 2", "my master");
        assert_eq!(spaced.map(|a| a.to_string()).as_deref(), Some("10.0.0.2:2"));
    }
}
