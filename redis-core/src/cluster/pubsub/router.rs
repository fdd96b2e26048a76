//! The router of a cluster subscriber: takes the calls of its
//! [`Subscriptions`](crate::Subscriptions) handles, hands channels and
//! patterns to the task on any node, and places each shard channel on the
//! task of the primary that serves its slot, moving it when the slot moves
//! or the primary is lost.
//!
//! Every node's task writes to the subscriber's stream itself (messages
//! take no detour); the router hears from the tasks through notices (a
//! loss, a return, a channel the server dropped) and from the answers to
//! the changes it sent them.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use super::super::client::ClusterClient;
use super::super::nodes::node_config;
use super::super::slots::key_slot;
use crate::config::Config;
use crate::connection::{Connector, Node};
use crate::pubsub::{Class, Notice, Notices, Op, Request, Task, deliver, emit};
use crate::{Error, ErrorKind, PubSubEvent, Result, RetryMethod};

/// How soon the topology is asked for again while a shard channel has no
/// home (its node lost, its slot moved to a node not known yet): at first
/// (a failover takes about the cluster's node timeout), doubling while it
/// lasts, up to `CHECK_AT_MOST` (a node that stays down with no replica to
/// take over).
const CHECK_EVERY: Duration = Duration::from_millis(500);
const CHECK_AT_MOST: Duration = Duration::from_secs(2);

/// How many MOVED replies in a row a channel follows at once before it
/// waits for the next topology check (two nodes that disagree during a
/// migration would otherwise bounce it between them).
const REDIRECTS: u8 = 5;

pub(super) struct Router {
    cluster: ClusterClient,
    /// The nodes' settings; the address is given per node.
    template: Config,
    requests: mpsc::UnboundedReceiver<Request>,
    /// Connects the task of channels and patterns, to any node.
    any_node: Connector,
    /// That task, started on first use, for channels, patterns and PINGs.
    ordinary: Option<mpsc::UnboundedSender<Request>>,
    events: mpsc::Sender<PubSubEvent>,
    /// The router's own events (gaps of shard channels that moved) while
    /// the stream is full.
    outbox: VecDeque<PubSubEvent>,
    notices_to: mpsc::UnboundedSender<(Arc<str>, Notice)>,
    notices: mpsc::UnboundedReceiver<(Arc<str>, Notice)>,
    /// The task of each primary that has (or is getting) shard channels.
    shards: HashMap<Arc<str>, Shard>,
    /// The shard channels subscribed to, and where each lives.
    wanted: BTreeMap<Bytes, Wanted>,
    /// Nodes whose task lost its connection and has not come back.
    away: HashSet<Arc<str>>,
    calls: HashMap<u64, Call>,
    next_id: u64,
    answers: JoinSet<Answered>,
    refresh: Option<JoinHandle<()>>,
    next_check: Instant,
    check_every: Duration,
}

/// One node's task.
struct Shard {
    requests: mpsc::UnboundedSender<Request>,
    /// Changes sent to it whose answer has not come: the task is kept
    /// until they are answered.
    outstanding: usize,
}

struct Wanted {
    place: Place,
    /// The calls waiting for this channel's confirmation.
    waiting: Vec<u64>,
    /// Moved away from a node the stream was told of; `Reconnected` is due
    /// once it is subscribed on its new node.
    gap: bool,
    /// MOVED replies followed in a row.
    redirects: u8,
}

enum Place {
    /// Subscribed nowhere: waiting for the topology to name its owner.
    Homeless,
    /// SSUBSCRIBE sent to `node`; `attempt` tells its answer from older
    /// ones.
    Subscribing {
        node: Arc<str>,
        attempt: u64,
    },
    Subscribed(Arc<str>),
}

impl Place {
    fn node(&self) -> Option<&Arc<str>> {
        match self {
            Place::Homeless => None,
            Place::Subscribing { node, .. } | Place::Subscribed(node) => Some(node),
        }
    }
}

/// A user's call over several channels or nodes: answered when the last
/// part is, with the first error met.
struct Call {
    remaining: usize,
    error: Option<Error>,
    done: oneshot::Sender<Result<()>>,
}

/// What a node's task answered to one change the router sent it.
struct Answered {
    node: Arc<str>,
    sent: Sent,
    result: Result<()>,
}

enum Sent {
    Subscribe { channel: Bytes, attempt: u64 },
    Unsubscribe { call: Option<u64> },
}

/// What woke the router.
enum Wake {
    Request(Option<Request>),
    Notice(Option<(Arc<str>, Notice)>),
    Answered(Option<Answered>),
    Refreshed,
    Check,
    Delivered,
    Closed,
}

impl Router {
    pub(super) fn new(
        cluster: ClusterClient,
        template: Config,
        any_node: Connector,
        requests: mpsc::UnboundedReceiver<Request>,
        events: mpsc::Sender<PubSubEvent>,
    ) -> Router {
        let (notices_to, notices) = mpsc::unbounded_channel();
        Router {
            cluster,
            template,
            any_node,
            ordinary: None,
            requests,
            events,
            outbox: VecDeque::new(),
            notices_to,
            notices,
            shards: HashMap::new(),
            wanted: BTreeMap::new(),
            away: HashSet::new(),
            calls: HashMap::new(),
            next_id: 0,
            answers: JoinSet::new(),
            refresh: None,
            next_check: Instant::now(),
            check_every: CHECK_EVERY,
        }
    }

    /// Routes until every handle and the stream are gone; the node tasks
    /// end with it (their requests close).
    pub(super) async fn run(mut self) {
        loop {
            let check = self.unsettled().then_some(self.next_check);
            let woke = tokio::select! {
                request = self.requests.recv() => Wake::Request(request),
                notice = self.notices.recv() => Wake::Notice(notice),
                answered = self.answers.join_next(), if !self.answers.is_empty() => {
                    Wake::Answered(answered.and_then(|joined| joined.ok()))
                }
                () = finished(&mut self.refresh) => Wake::Refreshed,
                () = sleep_until(check), if self.refresh.is_none() => Wake::Check,
                delivered = deliver(&self.events, &mut self.outbox), if !self.outbox.is_empty() => {
                    if delivered { Wake::Delivered } else { Wake::Closed }
                },
                () = self.events.closed() => Wake::Closed,
            };
            match woke {
                Wake::Request(Some(request)) => self.take(request),
                Wake::Notice(Some((node, notice))) => self.notice(node, notice),
                Wake::Answered(Some(answered)) => self.answered(answered),
                Wake::Refreshed => {
                    self.refresh = None;
                    self.rebalance();
                    self.check_every = if self.unsettled() {
                        (self.check_every * 2).min(CHECK_AT_MOST)
                    } else {
                        CHECK_EVERY
                    };
                    self.next_check = Instant::now() + self.check_every;
                }
                Wake::Check => self.start_refresh(),
                Wake::Delivered | Wake::Notice(None) | Wake::Answered(None) => {}
                Wake::Request(None) | Wake::Closed => return,
            }
        }
    }

    /// Whether a shard channel waits for the topology: its node is away
    /// or it has none.
    fn unsettled(&self) -> bool {
        !self.away.is_empty()
            || self
                .wanted
                .values()
                .any(|wanted| matches!(wanted.place, Place::Homeless))
    }

    fn take(&mut self, request: Request) {
        match request {
            Request::Change { op, names, done } if op.class == Class::Shard => {
                if op.subscribe {
                    self.subscribe(names, done);
                } else {
                    self.unsubscribe(names, done);
                }
            }
            // Nothing to unsubscribe from before anything was subscribed:
            // no connection is made for it.
            Request::Change { op, done, .. } if !op.subscribe && self.ordinary.is_none() => {
                let _ = done.send(Ok(()));
            }
            // Channels, patterns and PINGs: the task on any node. If it
            // ended (the stream was dropped), the call hears so.
            other => {
                let _ = self.ordinary().send(other);
            }
        }
    }

    /// The task of channels and patterns, started on first use: it
    /// connects in the background, taking calls meanwhile, and moves to
    /// another node when its node is lost.
    fn ordinary(&mut self) -> &mpsc::UnboundedSender<Request> {
        self.ordinary.get_or_insert_with(|| {
            let (requests, requests_rx) = mpsc::unbounded_channel();
            let task = Task::new(
                self.template.clone(),
                self.any_node.clone(),
                requests_rx,
                self.events.clone(),
            );
            tokio::spawn(task.run(None));
            requests
        })
    }

    fn subscribe(&mut self, names: Vec<Bytes>, done: oneshot::Sender<Result<()>>) {
        let Some(call) = self.call(names.len(), done) else {
            return;
        };
        for name in names {
            let wanted = self.wanted.entry(name.clone()).or_insert(Wanted {
                place: Place::Homeless,
                waiting: Vec::new(),
                gap: false,
                redirects: 0,
            });
            wanted.waiting.push(call);
            wanted.redirects = 0;
            // Already on its way to a node: its answer answers this too.
            if !matches!(wanted.place, Place::Subscribing { .. }) {
                self.place(&name);
            }
        }
    }

    fn unsubscribe(&mut self, names: Vec<Bytes>, done: oneshot::Sender<Result<()>>) {
        let names = if names.is_empty() {
            self.wanted.keys().cloned().collect()
        } else {
            names
        };
        let mut by_node: HashMap<Arc<str>, Vec<Bytes>> = HashMap::new();
        for name in names {
            let Some(wanted) = self.wanted.remove(&name) else {
                continue;
            };
            // A subscription still waiting is settled by this change.
            for call in wanted.waiting {
                self.finish(call, Ok(()));
            }
            if let Some(node) = wanted.place.node() {
                by_node.entry(node.clone()).or_default().push(name);
            }
        }
        let Some(call) = self.call(by_node.len(), done) else {
            return;
        };
        for (node, names) in by_node {
            self.send(&node, false, names, Sent::Unsubscribe { call: Some(call) });
        }
    }

    /// A call of `parts` parts; `None` when there are none (it is answered
    /// at once).
    fn call(&mut self, parts: usize, done: oneshot::Sender<Result<()>>) -> Option<u64> {
        if parts == 0 {
            let _ = done.send(Ok(()));
            return None;
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.calls.insert(
            id,
            Call {
                remaining: parts,
                error: None,
                done,
            },
        );
        Some(id)
    }

    fn finish(&mut self, id: u64, result: Result<()>) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let Err(error) = result {
            call.error.get_or_insert(error);
        }
        call.remaining = call.remaining.saturating_sub(1);
        if call.remaining > 0 {
            return;
        }
        if let Some(call) = self.calls.remove(&id) {
            let _ = call.done.send(call.error.map_or(Ok(()), Err));
        }
    }

    /// Sends `name` to the primary of its slot as the map says now,
    /// leaving the node it was on; homeless if the map names none.
    fn place(&mut self, name: &Bytes) {
        let owner = self.cluster.map().primary(key_slot(name)).cloned();
        let Some(wanted) = self.wanted.get_mut(name) else {
            return;
        };
        let old = wanted.place.node().cloned();
        let Some(owner) = owner else {
            wanted.place = Place::Homeless;
            return;
        };
        let attempt = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        wanted.place = Place::Subscribing {
            node: owner.clone(),
            attempt,
        };
        if let Some(old) = old.filter(|old| *old != owner) {
            // So that the old node's task, if it comes back, does not
            // subscribe there again; offline, it only forgets.
            self.send(
                &old,
                false,
                vec![name.clone()],
                Sent::Unsubscribe { call: None },
            );
        }
        let sent = Sent::Subscribe {
            channel: name.clone(),
            attempt,
        };
        self.send(&owner, true, vec![name.clone()], sent);
    }

    /// Sends a change to `node`'s task (started if it has none), and
    /// waits for its answer among the router's others.
    fn send(&mut self, node: &Arc<str>, subscribe: bool, names: Vec<Bytes>, sent: Sent) {
        let (done, answer) = oneshot::channel();
        let request = Request::Change {
            op: Op {
                class: Class::Shard,
                subscribe,
            },
            names,
            done,
        };
        let sent_to = match self.shard(node) {
            Ok(shard) => match shard.requests.send(request) {
                Ok(()) => {
                    shard.outstanding += 1;
                    Ok(())
                }
                Err(_) => Err(Error::closed("the node's subscriber task ended")),
            },
            Err(error) => Err(error),
        };
        let node = node.clone();
        match sent_to {
            Ok(()) => {
                self.answers.spawn(async move {
                    let result = answer
                        .await
                        .unwrap_or_else(|_| Err(Error::closed("the node's subscriber task ended")));
                    Answered { node, sent, result }
                });
            }
            // Answered as if the task had refused it, on the next turn.
            Err(error) => {
                self.answers.spawn(async move {
                    Answered {
                        node,
                        sent,
                        result: Err(error),
                    }
                });
            }
        }
    }

    /// The task of `node`, started on first use: it connects in the
    /// background, taking changes meanwhile.
    fn shard(&mut self, node: &Arc<str>) -> Result<&mut Shard> {
        if !self.shards.contains_key(node) {
            let config = node_config(&self.template, node)?;
            let connector: Connector = Arc::new(Node::new(config.clone())?);
            let (requests, requests_rx) = mpsc::unbounded_channel();
            let notices = Notices {
                node: node.clone(),
                to: self.notices_to.clone(),
            };
            let task = Task::new(config, connector, requests_rx, self.events.clone())
                .with_notices(notices);
            tokio::spawn(task.run(None));
            self.shards.insert(
                node.clone(),
                Shard {
                    requests,
                    outstanding: 0,
                },
            );
        }
        self.shards
            .get_mut(node)
            .ok_or_else(|| Error::closed("the node's subscriber task ended"))
    }

    fn answered(&mut self, answered: Answered) {
        let Answered { node, sent, result } = answered;
        if let Some(shard) = self.shards.get_mut(&node) {
            shard.outstanding = shard.outstanding.saturating_sub(1);
        }
        match sent {
            Sent::Unsubscribe { call } => {
                if let Some(call) = call {
                    self.finish(call, result);
                }
            }
            Sent::Subscribe { channel, attempt } => self.subscribed(&channel, attempt, result),
        }
        self.drop_if_idle(&node);
    }

    /// The answer to SSUBSCRIBE `channel`, if it is still the latest sent.
    fn subscribed(&mut self, channel: &Bytes, attempt: u64, result: Result<()>) {
        let Some(wanted) = self.wanted.get_mut(channel) else {
            return;
        };
        let node = match &wanted.place {
            Place::Subscribing {
                node,
                attempt: sent,
            } if *sent == attempt => node.clone(),
            _ => return,
        };
        let error = match result {
            Ok(()) => {
                wanted.place = Place::Subscribed(node.clone());
                wanted.redirects = 0;
                let gap = std::mem::take(&mut wanted.gap);
                for call in std::mem::take(&mut wanted.waiting) {
                    self.finish(call, Ok(()));
                }
                if gap && !self.gap_towards(&node) {
                    self.emit(PubSubEvent::Reconnected {
                        node: node.to_string(),
                    });
                }
                return;
            }
            Err(error) => error,
        };
        match error.retry_method() {
            RetryMethod::MovedRedirect { slot, address } => {
                self.cluster.moved(slot, &address);
                self.cluster.schedule_refresh();
                wanted.place = Place::Homeless;
                wanted.redirects = wanted.redirects.saturating_add(1);
                if wanted.redirects <= REDIRECTS {
                    self.place(channel);
                }
            }
            // Refused for good (an ACL, a server without shard channels):
            // the call fails and the channel is not wanted.
            RetryMethod::NoRetry if error.kind() == ErrorKind::Server => {
                if let Some(wanted) = self.wanted.remove(channel) {
                    for call in wanted.waiting {
                        self.finish(call, Err(error.clone()));
                    }
                }
            }
            // ASK or TRYAGAIN during a migration, a node gone: tried again
            // once the topology is asked for.
            _ => wanted.place = Place::Homeless,
        }
    }

    /// Whether a channel that moved is still on its way to `node`.
    fn gap_towards(&self, node: &Arc<str>) -> bool {
        self.wanted.values().any(|wanted| {
            wanted.gap && matches!(&wanted.place, Place::Subscribing { node: to, .. } if to == node)
        })
    }

    /// Stops the task of a node that has no channel and no change in
    /// flight: its connection closes.
    fn drop_if_idle(&mut self, node: &Arc<str>) {
        let idle = self
            .shards
            .get(node)
            .is_some_and(|shard| shard.outstanding == 0)
            && !self
                .wanted
                .values()
                .any(|wanted| wanted.place.node() == Some(node));
        if idle {
            self.shards.remove(node);
            self.away.remove(node);
        }
    }

    fn notice(&mut self, node: Arc<str>, notice: Notice) {
        if !self.shards.contains_key(&node) {
            return;
        }
        match notice {
            Notice::Lost => {
                self.away.insert(node);
            }
            Notice::Back => {
                self.away.remove(&node);
            }
            Notice::Moved { slot, node: owner } => {
                self.cluster.moved(slot, &owner);
                self.cluster.schedule_refresh();
            }
            Notice::Dropped(channel) => self.dropped(&node, channel),
        }
    }

    /// The server unsubscribed `channel` on `node` by itself: its slot
    /// moved. The stream hears of the gap (once per node while channels
    /// of it are on their way), and the topology is asked where it went.
    fn dropped(&mut self, node: &Arc<str>, channel: Bytes) {
        let Some(wanted) = self.wanted.get_mut(&channel) else {
            return;
        };
        if wanted.place.node() != Some(node) {
            return;
        }
        let told = self
            .wanted
            .values()
            .any(|other| other.gap && matches!(other.place, Place::Homeless));
        if let Some(wanted) = self.wanted.get_mut(&channel) {
            wanted.place = Place::Homeless;
            wanted.gap = true;
            wanted.redirects = 0;
        }
        self.drop_if_idle(node);
        if !told {
            let error = Error::new(
                ErrorKind::Io,
                format!(
                    "{node} unsubscribed shard channel {:?}: its slot {} moved to another node",
                    String::from_utf8_lossy(&channel),
                    key_slot(&channel)
                ),
            )
            .at_node(node);
            self.emit(PubSubEvent::Disconnected {
                node: node.to_string(),
                error,
            });
        }
        self.start_refresh();
    }

    fn start_refresh(&mut self) {
        if self.refresh.is_some() {
            return;
        }
        let cluster = self.cluster.clone();
        self.refresh = Some(tokio::spawn(async move {
            if let Err(error) = cluster.refresh().await {
                tracing::debug!(%error, "topology refresh for shard channels failed");
            }
        }));
    }

    /// After a topology refresh: homeless channels go to their owner, and
    /// channels on a lost node to the node that serves their slot now.
    fn rebalance(&mut self) {
        let map = self.cluster.map();
        let mut moving = Vec::new();
        for (name, wanted) in &mut self.wanted {
            let go = match wanted.place.node() {
                None => true,
                Some(node) if self.away.contains(node) => {
                    let owner = map.primary(key_slot(name));
                    let elsewhere = owner.is_some_and(|owner| owner != node);
                    // The lost node's task reported the gap; the channel's
                    // new node ends it.
                    wanted.gap |= elsewhere;
                    elsewhere
                }
                Some(_) => false,
            };
            if go {
                wanted.redirects = 0;
                moving.push(name.clone());
            }
        }
        for name in moving {
            self.place(&name);
        }
    }

    /// Hands one of the router's own events to the stream, behind any
    /// that wait.
    fn emit(&mut self, event: PubSubEvent) {
        emit(&self.events, &mut self.outbox, event);
    }
}

/// Once the refresh in flight, if any, ended.
async fn finished(refresh: &mut Option<JoinHandle<()>>) {
    match refresh {
        Some(handle) => {
            let _ = handle.await;
        }
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
