//! The task that owns a subscriber's connection: sends the handles'
//! subscription changes, sorts what the server sends, completes each change
//! when the server confirmed it, and reconnects and subscribes again after
//! a loss.

use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::event::PubSubEvent;
use super::request::{Class, Op, Request};

mod answers;
mod notices;
mod shared;

pub(crate) use notices::{Notice, Notices};

/// Hands `event` to the subscriber's stream, keeping order: straight through
/// while nothing waits in `outbox` and the stream has room, else behind what
/// waits.
pub(crate) fn emit(
    events: &mpsc::Sender<PubSubEvent>,
    outbox: &mut VecDeque<PubSubEvent>,
    event: PubSubEvent,
) {
    if !outbox.is_empty() {
        outbox.push_back(event);
        return;
    }
    if let Err(mpsc::error::TrySendError::Full(event)) = events.try_send(event) {
        outbox.push_back(event);
    }
}

/// Hands the first of `outbox`'s events to the subscriber's stream once it has room;
/// `false` when the stream's receiver is gone. A task's `select!` waits on this beside its
/// connection, so a slow reader holds events in the outbox, not the connection.
pub(crate) async fn deliver(
    events: &mpsc::Sender<PubSubEvent>,
    outbox: &mut VecDeque<PubSubEvent>,
) -> bool {
    match events.reserve().await {
        Ok(permit) => {
            if let Some(event) = outbox.pop_front() {
                permit.send(event);
            }
            true
        }
        Err(_) => false,
    }
}

use crate::config::Config;
use crate::connection::{Connection, Connector};
use crate::retry::{Backoff, ExponentialBackoff};
use crate::{Cmd, Error, ErrorKind, Result, Value};
use answers::{Expect, Pending};

/// Events the task holds while the stream's buffer is full; past this it
/// stops reading, so that a slow reader slows the socket (and the server's
/// output buffer limit decides, as for any slow subscriber) instead of
/// growing this process's memory.
const OUTBOX_LIMIT: usize = 1024;

/// The pause between reconnect attempts after the first fails.
const RECONNECT_BACKOFF: ExponentialBackoff = ExponentialBackoff {
    base: Duration::from_millis(50),
    cap: Duration::from_secs(2),
    jitter: true,
};

/// How long a connection must have served for its loss to be retried at
/// once rather than after a backoff.
const STABLE_CONNECTION: Duration = Duration::from_secs(1);

pub(crate) struct Task {
    config: Config,
    connector: Connector,
    requests: mpsc::UnboundedReceiver<Request>,
    events: mpsc::Sender<PubSubEvent>,
    outbox: VecDeque<PubSubEvent>,
    /// What the connection should be subscribed to, per [`Class`].
    wanted: [BTreeSet<Bytes>; 3],
    pending: VecDeque<Pending>,
    /// Calls made while no connection was up, answered once the
    /// resubscription is confirmed.
    after_resubscribe: Vec<oneshot::Sender<Result<()>>>,
    /// Between a loss the stream was told of and the resubscription that
    /// ends it.
    gap: bool,
    /// For a node's task under a cluster subscriber: its router.
    notices: Option<Notices>,
    /// Calls made before the first connection (of a task started without
    /// one): sent as they came once it is up, so that each is answered by
    /// the server (a refusal, a MOVED) rather than taken as a
    /// resubscription.
    before_first: Option<Vec<Request>>,
}

/// What woke the connection's loop.
enum Wake {
    Frame(Result<Value>),
    Request(Option<Request>),
    Delivered,
    Timer,
    Closed,
}

/// How a connection's service ended.
enum End {
    Lost(Error),
    /// Nobody listens any more.
    Closed,
}

impl Task {
    pub(crate) fn new(
        config: Config,
        connector: Connector,
        requests: mpsc::UnboundedReceiver<Request>,
        events: mpsc::Sender<PubSubEvent>,
    ) -> Task {
        Task {
            config,
            connector,
            requests,
            events,
            outbox: VecDeque::new(),
            wanted: Default::default(),
            pending: VecDeque::new(),
            after_resubscribe: Vec::new(),
            gap: false,
            notices: None,
            before_first: None,
        }
    }

    /// A task that tells `notices` of its losses, returns and the shard
    /// channels the server drops.
    pub(crate) fn with_notices(mut self, notices: Notices) -> Task {
        self.notices = Some(notices);
        self
    }

    pub(super) fn tell(&self, notice: Notice) {
        if let Some(notices) = &self.notices {
            notices.tell(notice);
        }
    }

    /// The stream is told of a loss; the gap lasts until everything is
    /// subscribed again.
    pub(super) fn disconnected(&mut self, node: String, error: Error) {
        self.gap = true;
        self.tell(Notice::Lost);
        self.emit(PubSubEvent::Disconnected { node, error });
    }

    /// Serves `first` (or, without one, the first connection the connector
    /// makes, calls meanwhile taken as while reconnecting), then each
    /// reconnection, until the stream is dropped.
    pub(crate) async fn run(mut self, first: Option<Connection>) {
        let mut failed_attempts = 0u32;
        let mut conn = match first {
            Some(conn) => conn,
            None => match self.first_connection(&mut failed_attempts).await {
                Some(conn) => conn,
                None => return,
            },
        };
        loop {
            let node = conn.addr.clone();
            let connected = Instant::now();
            let served = self.serve(&mut conn).await;
            let error = match served {
                End::Lost(error) => error,
                End::Closed => return,
            };
            drop(conn);
            let error = match error.node() {
                Some(_) => error,
                None => error.at_node(&node),
            };
            tracing::debug!(%node, %error, "subscriber connection lost");
            self.lost(&node, error);
            if connected.elapsed() >= STABLE_CONNECTION {
                failed_attempts = 0;
            } else {
                failed_attempts = failed_attempts.saturating_add(1);
            }
            conn = match self.reconnect(&mut failed_attempts).await {
                Some(conn) => conn,
                None => return,
            };
        }
    }

    /// The first connection of a task started without one; calls made
    /// meanwhile wait for it.
    async fn first_connection(&mut self, failed_attempts: &mut u32) -> Option<Connection> {
        self.before_first = Some(Vec::new());
        self.reconnect(failed_attempts).await
    }

    /// After a loss: tells the stream, and settles the changes in flight.
    /// Subscriptions in flight are wanted and will be made again, so their
    /// callers wait for that; unsubscriptions are done (the new connection
    /// never had them); a PING failed.
    fn lost(&mut self, node: &str, error: Error) {
        for pending in std::mem::take(&mut self.pending) {
            self.orphan(pending, &error);
        }
        self.disconnected(node.to_owned(), error);
    }

    /// Settles a change whose connection was lost before the server
    /// answered it all.
    fn orphan(&mut self, pending: Pending, error: &Error) {
        let Some(done) = pending.done else { return };
        match (&pending.expect, &pending.change) {
            (_, Some((op, _))) if op.subscribe => self.after_resubscribe.push(done),
            (Expect::Confirm(_), _) => {
                let _ = done.send(Ok(()));
            }
            (Expect::Pong, _) => {
                let _ = done.send(Err(error.clone()));
            }
        }
    }

    /// Connects again through the connector, with backoff after failed
    /// attempts, while still taking calls and handing out events. `None`
    /// when the stream was dropped meanwhile.
    async fn reconnect(&mut self, failed_attempts: &mut u32) -> Option<Connection> {
        loop {
            let delay = match *failed_attempts {
                0 => Duration::ZERO,
                n => RECONNECT_BACKOFF.delay(n),
            };
            let connector = self.connector.clone();
            let attempt = async move {
                tokio::time::sleep(delay).await;
                connector.connect().await
            };
            tokio::pin!(attempt);
            let result = loop {
                let request = tokio::select! {
                    result = &mut attempt => break result,
                    request = self.requests.recv() => request,
                    permit = self.events.reserve(), if !self.outbox.is_empty() => match permit {
                        Ok(permit) => {
                            if let Some(event) = self.outbox.pop_front() {
                                permit.send(event);
                            }
                            continue;
                        }
                        Err(_) => return None,
                    },
                    () = self.events.closed() => return None,
                };
                match (request, &mut self.before_first) {
                    (Some(request), Some(early)) => early.push(request),
                    (Some(request), None) => self.take_offline(request),
                    (None, _) => return None,
                }
            };
            match result {
                Ok(conn) => return Some(conn),
                Err(error) => {
                    *failed_attempts = failed_attempts.saturating_add(1);
                    self.tell(Notice::Lost);
                    tracing::debug!(%error, "subscriber reconnect failed");
                }
            }
        }
    }

    /// A call while no connection is up: the wanted set changes now, the
    /// server hears of it on the next connection.
    fn take_offline(&mut self, request: Request) {
        match request {
            Request::Change { op, names, done } => {
                let names = self.expand(op, names);
                self.apply(op, &names);
                if op.subscribe {
                    self.after_resubscribe.push(done);
                } else {
                    let _ = done.send(Ok(()));
                }
            }
            Request::Ping { done } => {
                let _ = done.send(Err(Error::new(
                    ErrorKind::Io,
                    "the subscriber is reconnecting; PING was not sent",
                )));
            }
        }
    }

    /// An unsubscription from everything names what there is.
    fn expand(&self, op: Op, names: Vec<Bytes>) -> Vec<Bytes> {
        if names.is_empty() && !op.subscribe {
            return self.wanted[op.class.index()].iter().cloned().collect();
        }
        names
    }

    fn apply(&mut self, op: Op, names: &[Bytes]) {
        let set = &mut self.wanted[op.class.index()];
        for name in names {
            if op.subscribe {
                set.insert(name.clone());
            } else {
                set.remove(name);
            }
        }
    }

    /// Subscribes again to everything wanted, then serves the connection
    /// until it fails or nobody listens.
    async fn serve(&mut self, conn: &mut Connection) -> End {
        if let Err(error) = self.resubscribe(conn).await {
            return End::Lost(error);
        }
        // With nothing to subscribe to again, the gap ends now.
        if !self.pending.iter().any(|p| p.resubscribe) {
            self.resubscribed(&conn.addr);
        }
        let mut early = self.before_first.take().unwrap_or_default().into_iter();
        while let Some(request) = early.next() {
            if let Err(error) = self.send(conn, request).await {
                for request in early {
                    self.take_offline(request);
                }
                return End::Lost(error);
            }
        }
        let every = self.config.health_check_interval;
        let answer_within = self.answer_within();
        let mut last_heard = Instant::now();
        let mut ping_sent: Option<Instant> = None;
        loop {
            let wake = match (ping_sent, every) {
                (Some(sent), _) => Some(sent + answer_within),
                (None, Some(every)) => Some(last_heard + every),
                (None, None) => None,
            };
            let room = self.outbox.len() < OUTBOX_LIMIT;
            // The branches only borrow fields; what they found is acted on
            // below, once the futures are gone.
            let woke = tokio::select! {
                frame = conn.read_frame(), if room => Wake::Frame(frame),
                request = self.requests.recv() => Wake::Request(request),
                delivered = deliver(&self.events, &mut self.outbox), if !self.outbox.is_empty() => {
                    if delivered { Wake::Delivered } else { Wake::Closed }
                },
                () = self.events.closed() => Wake::Closed,
                () = sleep_until(wake) => Wake::Timer,
            };
            match woke {
                Wake::Frame(frame) => {
                    last_heard = Instant::now();
                    ping_sent = None;
                    if let Err(error) = self.take_frames(conn, frame) {
                        return End::Lost(error);
                    }
                }
                Wake::Request(Some(request)) => {
                    if let Err(error) = self.send(conn, request).await {
                        return End::Lost(error);
                    }
                }
                Wake::Request(None) | Wake::Closed => return End::Closed,
                Wake::Delivered => self.flush_outbox(),
                Wake::Timer => {
                    if ping_sent.is_some() {
                        return End::Lost(Error::timeout(format!(
                            "{} did not answer a health-check PING within {answer_within:?}",
                            conn.addr
                        )));
                    }
                    self.pending.push_back(Pending {
                        expect: Expect::Pong,
                        remaining: 1,
                        change: None,
                        resubscribe: false,
                        done: None,
                        answer: None,
                    });
                    let ping = [Cmd::new("PING")];
                    if let Err(error) = send_within(conn, &ping, answer_within).await {
                        return End::Lost(error);
                    }
                    ping_sent = Some(Instant::now());
                }
            }
        }
    }

    /// Takes `first`, then every frame its read brought along, while the
    /// outbox has room: one turn of the loop's `select!` (its timer, its
    /// channels) per read rather than per message.
    fn take_frames(&mut self, conn: &mut Connection, first: Result<Value>) -> Result<()> {
        let mut frame = first?;
        loop {
            self.take_frame(frame, &conn.addr)?;
            if self.outbox.len() >= OUTBOX_LIMIT {
                return Ok(());
            }
            match conn.decode()? {
                Some(next) => frame = next,
                None => return Ok(()),
            }
        }
    }

    /// Sends one command per class for everything wanted.
    async fn resubscribe(&mut self, conn: &mut Connection) -> Result<()> {
        let (cmds, pendings) = self.resubscription();
        self.pending.extend(pendings);
        if cmds.is_empty() {
            return Ok(());
        }
        send_within(conn, &cmds, self.answer_within()).await
    }

    /// The commands that subscribe again to everything wanted, one per
    /// class (one per shard channel), and what each waits for.
    fn resubscription(&self) -> (Vec<Cmd>, Vec<Pending>) {
        let mut cmds = Vec::new();
        let mut pendings = Vec::new();
        for (op, cmd) in self.wanted_commands(true) {
            pendings.push(Pending {
                expect: Expect::Confirm(op.confirmation()),
                remaining: cmd.arg_count().saturating_sub(1),
                change: None,
                resubscribe: true,
                done: None,
                answer: None,
            });
            cmds.push(cmd);
        }
        (cmds, pendings)
    }

    /// The commands that subscribe to (or unsubscribe from) everything
    /// wanted, one per class (one per shard channel), each with its op.
    fn wanted_commands(&self, subscribe: bool) -> Vec<(Op, Cmd)> {
        let mut all = Vec::new();
        for class in Class::ALL {
            let names: Vec<Bytes> = self.wanted[class.index()].iter().cloned().collect();
            if names.is_empty() {
                continue;
            }
            let op = Op { class, subscribe };
            all.extend(op.commands(&names).into_iter().map(|cmd| (op, cmd)));
        }
        all
    }

    /// Every subscription is back: the calls made while away are answered,
    /// and the stream is told that the gap it heard of ended.
    fn resubscribed(&mut self, node: &str) {
        for done in self.after_resubscribe.drain(..) {
            let _ = done.send(Ok(()));
        }
        if std::mem::take(&mut self.gap) {
            self.tell(Notice::Back);
            self.emit(PubSubEvent::Reconnected {
                node: node.to_owned(),
            });
        }
    }

    async fn send(&mut self, conn: &mut Connection, request: Request) -> Result<()> {
        let Some((cmds, pendings)) = self.plan(request) else {
            return Ok(());
        };
        self.pending.extend(pendings);
        send_within(conn, &cmds, self.answer_within()).await
    }

    /// The commands a call sends, and what each waits for; `None` when
    /// there is nothing to send (the call was answered).
    fn plan(&mut self, request: Request) -> Option<(Vec<Cmd>, Vec<Pending>)> {
        match request {
            Request::Change { op, names, done } => {
                let names = self.expand(op, names);
                if names.is_empty() {
                    // Unsubscribing from everything when there is nothing:
                    // the server's answer (a nil channel) would say no more.
                    let _ = done.send(Ok(()));
                    return None;
                }
                self.apply(op, &names);
                let cmds = op.commands(&names);
                let last = cmds.len().saturating_sub(1);
                let mut done = Some(done);
                let pendings: Vec<Pending> = cmds
                    .iter()
                    .enumerate()
                    .map(|(i, cmd)| Pending {
                        expect: Expect::Confirm(op.confirmation()),
                        remaining: cmd.arg_count().saturating_sub(1),
                        change: Some((
                            op,
                            cmd.args().skip(1).map(Bytes::copy_from_slice).collect(),
                        )),
                        resubscribe: false,
                        // The call is answered when its last command is.
                        done: if i == last { done.take() } else { None },
                        answer: None,
                    })
                    .collect();
                Some((cmds, pendings))
            }
            Request::Ping { done } => Some((
                vec![Cmd::new("PING")],
                vec![Pending {
                    expect: Expect::Pong,
                    remaining: 1,
                    change: None,
                    resubscribe: false,
                    done: Some(done),
                    answer: None,
                }],
            )),
        }
    }

    /// How long the server has to take a write or answer a PING.
    fn answer_within(&self) -> Duration {
        self.config
            .response_timeout
            .unwrap_or(self.config.connect_timeout)
    }

    /// Hands the stream as much of the outbox as it has room for now: once
    /// the reader made room, the rest goes without a turn of the loop each.
    fn flush_outbox(&mut self) {
        while let Some(event) = self.outbox.pop_front() {
            if let Err(error) = self.events.try_send(event) {
                if let mpsc::error::TrySendError::Full(event) = error {
                    self.outbox.push_front(event);
                }
                return;
            }
        }
    }

    /// Hands an event to the stream, keeping order: straight through while
    /// nothing waits, else behind what waits.
    fn emit(&mut self, event: PubSubEvent) {
        emit(&self.events, &mut self.outbox, event);
    }
}

/// A write that a server which stopped reading cannot hold up forever.
async fn send_within(conn: &mut Connection, cmds: &[Cmd], limit: Duration) -> Result<()> {
    match tokio::time::timeout(limit, conn.send(cmds)).await {
        Ok(sent) => sent,
        Err(_) => Err(Error::timeout(format!(
            "{} did not take a write within {limit:?}",
            conn.addr
        ))),
    }
}

async fn sleep_until(wake: Option<Instant>) {
    match wake {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
