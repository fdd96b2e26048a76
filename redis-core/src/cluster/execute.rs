//! Sending commands over the cluster: each unit (a command, or a MULTI ...
//! EXEC) to its node, one batch per node, the nodes in parallel, then
//! redirections and retries per unit, and the replies back in the caller's
//! order.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use super::client::ClusterClient;
use super::merge::merge;
use super::routing::{Group, Kind, Route, Unit, singles, units};
use super::slots::key_slot;
use super::split::split;
use crate::batch::Batch;
use crate::cmd_info::is_read_only;
use crate::executor::reply_to;
use crate::pool::batch_timeout;
use crate::retry::{Backoff, ExponentialBackoff};
use crate::{Cmd, Error, ErrorKind, Executor, FromValue, Result, RetryMethod, Value};

/// The future of a command sent through a [`ClusterClient`]. Boxed: the
/// cluster's path (routing, redirections, retries) is larger than a
/// standalone client's, and a box is small beside a network round trip.
pub type ClusterExecute<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// How many times a unit is sent in all, redirections and retries
/// included, when its deadline does not end it first: enough for a MOVED
/// followed by an ASK and a few TRYAGAINs during a resharding, and for a
/// CLUSTERDOWN that lasts as long as a failover (with the backoff below).
const ATTEMPTS: u32 = 16;

/// The pause before retrying after TRYAGAIN, CLUSTERDOWN, LOADING, BUSY,
/// READONLY or a lost connection (not after MOVED or ASK, which name where
/// to go at once): from 10 ms, doubling, up to half a second, so a
/// failover of a few seconds is waited out within the attempts.
const BACKOFF: ExponentialBackoff = ExponentialBackoff {
    base: Duration::from_millis(10),
    cap: Duration::from_millis(500),
    jitter: true,
};

/// A unit still to be sent.
struct Pending {
    unit: Unit,
    /// The node an `ASK` named: the next try goes there, after `ASKING`.
    ask: Option<String>,
    replied: bool,
}

/// One node's part of a round: which units, and where their replies start.
struct Share {
    node: Arc<str>,
    /// (index into the pending units, where it is in `batch`)
    places: Vec<(usize, Place)>,
    /// The units' commands as the node gets them: a transaction's as a
    /// transaction, after any `ASKING` that must precede it.
    batch: Batch,
}

/// Where a unit is in its share's batch.
enum Place {
    /// The `n`th command of the preamble.
    Preamble(usize),
    /// The `n`th command.
    Command(usize),
    /// The transaction.
    Atomic,
}

impl Share {
    /// (index into the pending units, where its replies start in the node's)
    fn parts(&self) -> Vec<(usize, usize)> {
        let preamble = self.batch.preamble_len();
        self.places
            .iter()
            .map(|&(p, ref place)| match place {
                Place::Preamble(at) => (p, *at),
                Place::Command(at) => (p, preamble + at),
                // MULTI's reply comes first.
                Place::Atomic => (p, preamble),
            })
            .collect()
    }
}

/// A node's replies, or why there are none and whether the commands went
/// out at all.
type ShareResult = std::result::Result<Vec<Value>, (Error, Sent)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// The node could not be reached: nothing was sent.
    No,
    /// The commands may have reached the node.
    Maybe,
}

/// What a unit's replies call for.
enum Next {
    Done,
    Moved { slot: u16, node: String },
    Ask { node: String },
    Wait,
}

/// The replies of a run, and the node the last unit was answered by (to
/// name in a single command's error).
pub(super) struct Ran {
    pub(super) replies: Vec<Value>,
    pub(super) node: Option<Arc<str>>,
}

impl ClusterClient {
    /// Sends `cmds`, each on its own, and returns one reply per command, in
    /// order. Server errors other than redirections stay in place as
    /// values; `Err` means the batch could not be routed (cross-slot), or a
    /// node failed in a way that is not retried.
    pub(super) async fn run(&self, cmds: &[Cmd]) -> Result<Ran> {
        self.run_since(cmds, singles(cmds)?, Instant::now()).await
    }

    /// Sends the `units` of `cmds`, first sent at `started` (a command sent
    /// straight to its node before this general path): the timeout counts
    /// from then, so no call waits past it in all. The replies are as many
    /// as the units' ([`Unit::replies`]).
    async fn run_since(&self, cmds: &[Cmd], units: Vec<Unit>, started: Instant) -> Result<Ran> {
        if let Some(refused) = cmds.iter().find_map(Cmd::refusal) {
            return Err(refused);
        }
        // Each node's client refuses these too, but only once it is
        // reached: refused here, a command that would leave state on a
        // node's shared connection fails at once even when its node is
        // down, rather than being retried until its timeout.
        if let Some(why) = crate::cmd_info::shared_connection_refusal(cmds) {
            return Err(Error::config(why));
        }
        let timeout = batch_timeout(cmds, self.inner.nodes.template().response_timeout);
        let deadline = timeout.map(|t| started + t);
        let count = units.last().map_or(0, |unit| unit.replies().end);
        let mut pending: Vec<Pending> = units
            .into_iter()
            .map(|unit| Pending {
                unit,
                ask: None,
                replied: false,
            })
            .collect();
        let mut replies = vec![Value::Nil; count];
        let mut node = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let shares = self.shares(cmds, &pending)?;
            // The deadline covers every try: a try begun late is cut short
            // rather than given a whole response timeout of its own.
            let results = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, self.send(shares))
                    .await
                    .map_err(|_| out_of_time(timeout, attempt))?,
                None => self.send(shares).await,
            };
            let mut again: Vec<usize> = Vec::new();
            let mut wait = false;
            let mut lost: Option<Error> = None;
            // Each fanned-out unit's replies, one per node, and whether a
            // node of it failed (then it is not merged from the others).
            let mut fanned: Vec<Vec<Value>> = vec![Vec::new(); pending.len()];
            let mut broken = vec![false; pending.len()];
            for ((share_node, parts), result) in results {
                let values = match result {
                    Ok(values) => values,
                    Err((error, sent)) => {
                        // Whether or not these commands are tried again,
                        // the node may be gone: its replica may have taken
                        // over, which only a new map tells.
                        self.schedule_refresh();
                        for &(p, _) in &parts {
                            let Some(unit) = pending.get(p).map(|p| &p.unit) else {
                                continue;
                            };
                            let cmds = cmds.get(unit.cmds.clone()).unwrap_or_default();
                            if !retried_after_loss(&error, sent, cmds) {
                                return Err(error);
                            }
                            if let Some(broken) = broken.get_mut(p) {
                                *broken = true;
                            }
                            if !again.contains(&p) {
                                again.push(p);
                            }
                        }
                        wait = true;
                        lost = Some(error);
                        continue;
                    }
                };
                for (p, first) in parts {
                    let Some(unit) = pending.get_mut(p) else {
                        continue;
                    };
                    let count = unit.unit.replies().len();
                    let Some(got) = values.get(first..first + count) else {
                        return Err(Error::protocol(format!(
                            "{share_node} sent {} replies where {} were due",
                            values.len(),
                            first + count
                        ))
                        .at_node(&share_node));
                    };
                    if let Route::Fan(..) = unit.unit.route {
                        // Merged below, once every node's reply is in. No
                        // redirection for a keyless command: only waits.
                        if let Some(fan) = fanned.get_mut(p) {
                            fan.extend(got.iter().cloned());
                        }
                        if let Next::Wait = next(got) {
                            wait = true;
                            if !again.contains(&p) {
                                again.push(p);
                            }
                        }
                        continue;
                    }
                    for (into, value) in replies
                        .get_mut(unit.unit.replies())
                        .into_iter()
                        .flatten()
                        .zip(got)
                    {
                        *into = value.clone();
                        name_errors(into, &share_node);
                    }
                    unit.replied = true;
                    node = Some(share_node.clone());
                    match next(got) {
                        Next::Done => {}
                        Next::Moved { slot, node } => {
                            self.inner.counters.moved.fetch_add(1, Ordering::Relaxed);
                            self.moved(slot, &node);
                            self.schedule_refresh();
                            unit.ask = None;
                            again.push(p);
                        }
                        Next::Ask { node } => {
                            self.inner.counters.ask.fetch_add(1, Ordering::Relaxed);
                            unit.ask = Some(node);
                            again.push(p);
                        }
                        Next::Wait => {
                            self.schedule_refresh();
                            unit.ask = None;
                            wait = true;
                            again.push(p);
                        }
                    }
                }
            }
            for (p, values) in fanned.into_iter().enumerate() {
                let Some(unit) = pending.get_mut(p) else {
                    continue;
                };
                let Route::Fan(_, policy) = unit.unit.route else {
                    continue;
                };
                if broken.get(p).copied().unwrap_or(true) {
                    unit.replied = false;
                    continue;
                }
                let merged = merge(policy, values).map_err(|e| {
                    e.with_command(cmds.get(unit.unit.cmds.start).map_or("", Cmd::name))
                })?;
                if let Some(into) = replies.get_mut(unit.unit.replies().start) {
                    *into = merged;
                }
                unit.replied = true;
            }
            if again.is_empty() {
                return Ok(Ran { replies, node });
            }
            let delay = if wait {
                BACKOFF.delay(attempt)
            } else {
                Duration::ZERO
            };
            let late = deadline.is_some_and(|deadline| Instant::now() + delay >= deadline);
            if attempt >= ATTEMPTS || late {
                // Out of attempts or time: the last replies stand (a
                // redirection or TRYAGAIN the caller sees as it is), unless
                // a unit has none because its node was lost.
                let unanswered = again
                    .iter()
                    .any(|&p| pending.get(p).is_some_and(|p| !p.replied));
                return match lost {
                    Some(error) if unanswered => Err(error),
                    _ => Ok(Ran { replies, node }),
                };
            }
            if wait {
                self.inner
                    .counters
                    .retries
                    .fetch_add(again.len() as u64, Ordering::Relaxed);
                tracing::debug!(attempt, ?delay, "retrying cluster commands");
                tokio::time::sleep(delay).await;
            }
            let mut kept = std::mem::take(&mut pending)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| again.contains(i))
                .map(|(_, p)| p)
                .collect();
            std::mem::swap(&mut pending, &mut kept);
        }
    }

    /// Groups the pending units by the node each goes to now.
    fn shares(&self, cmds: &[Cmd], pending: &[Pending]) -> Result<Vec<Share>> {
        let map = self.map();
        let primaries = map.primaries();
        if primaries.is_empty() {
            return Err(Error::new(
                ErrorKind::Io,
                "no primary of the cluster is known; the topology could not be discovered",
            ));
        }
        // One node for every keyless command of the batch: one round trip.
        let keyless = primaries
            .get(fastrand::usize(..primaries.len()))
            .cloned()
            .ok_or_else(|| Error::protocol("no primary"))?;
        let mut shares: Vec<Share> = Vec::new();
        for (p, pending) in pending.iter().enumerate() {
            let unit = &pending.unit;
            let targets: Vec<Arc<str>> = match (&pending.ask, unit.route) {
                (Some(ask), _) => vec![Arc::from(ask.as_str())],
                // A slot no one serves: any node answers with MOVED or
                // CLUSTERDOWN, which leads to the owner or waits for one.
                (None, Route::Slot(slot)) => {
                    let primary = map.primary(slot).cloned();
                    let replicas = map.replicas(slot);
                    let node = match primary {
                        // Reads spread evenly over the slot's primary and
                        // its replicas.
                        Some(_)
                            if unit.reads && self.read_from_replicas && !replicas.is_empty() =>
                        {
                            let pick = fastrand::usize(..=replicas.len());
                            replicas.get(pick).cloned().or(primary)
                        }
                        Some(primary) => Some(primary),
                        None => None,
                    };
                    vec![node.unwrap_or_else(|| keyless.clone())]
                }
                (None, Route::AnyPrimary) => vec![keyless.clone()],
                (None, Route::Fan(Group::Primaries, _)) => primaries.to_vec(),
                (None, Route::Fan(Group::AllNodes, _)) => map.nodes(),
            };
            let unit_cmds = cmds.get(unit.cmds.clone()).unwrap_or_default();
            for target in targets {
                let share = match shares.iter().position(|s| s.node == target) {
                    Some(i) => &mut shares[i],
                    None => {
                        shares.push(Share {
                            node: target,
                            places: Vec::new(),
                            batch: Batch::default(),
                        });
                        let last = shares.len() - 1;
                        &mut shares[last]
                    }
                };
                let batch = &mut share.batch;
                let asking = pending.ask.is_some().then(|| Cmd::new("ASKING"));
                let place = match unit.kind {
                    Kind::Preamble => {
                        asking.iter().for_each(|asking| batch.preload(asking));
                        Place::Preamble(batch.preamble_len())
                    }
                    Kind::Command => {
                        asking.iter().for_each(|asking| batch.push(asking));
                        Place::Command(batch.len())
                    }
                    Kind::Atomic => {
                        // Right before MULTI: the server keeps it for the
                        // whole transaction.
                        asking.iter().for_each(|asking| batch.preload(asking));
                        batch.make_atomic();
                        Place::Atomic
                    }
                };
                match unit.kind {
                    Kind::Preamble => unit_cmds.iter().for_each(|cmd| batch.preload(cmd)),
                    Kind::Command | Kind::Atomic => {
                        unit_cmds.iter().for_each(|cmd| batch.push(cmd));
                    }
                }
                share.places.push((p, place));
            }
        }
        Ok(shares)
    }

    /// Sends each node its share, all nodes at once: a slow or dead node
    /// delays only the units that go to it (and the batch they are in).
    async fn send(
        &self,
        shares: Vec<Share>,
    ) -> Vec<((Arc<str>, Vec<(usize, usize)>), ShareResult)> {
        let mut shares = shares;
        if shares.len() == 1
            && let Some(share) = shares.pop()
        {
            // One node: no task to spawn.
            let result = self.send_share(&share.node, &share.batch).await;
            return vec![((share.node.clone(), share.parts()), result)];
        }
        let mut tasks = JoinSet::new();
        let mut heads = Vec::with_capacity(shares.len());
        for (i, share) in shares.into_iter().enumerate() {
            heads.push((share.node.clone(), share.parts()));
            let client = self.clone();
            tasks.spawn(async move { (i, client.send_share(&share.node, &share.batch).await) });
        }
        let mut results: Vec<Option<ShareResult>> = heads.iter().map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((i, result)) => {
                    if let Some(slot) = results.get_mut(i) {
                        *slot = Some(result);
                    }
                }
                Err(error) => tracing::error!(%error, "a cluster node's send task failed"),
            }
        }
        heads
            .into_iter()
            .zip(results)
            .map(|(head, result)| {
                let result = result.unwrap_or_else(|| {
                    Err((
                        Error::new(ErrorKind::Io, "the node's send task ended without a reply")
                            .at_node(&head.0),
                        Sent::Maybe,
                    ))
                });
                (head, result)
            })
            .collect()
    }

    async fn send_share(&self, node: &str, batch: &Batch) -> ShareResult {
        let client = self
            .inner
            .nodes
            .get(node)
            .await
            .map_err(|e| (e, Sent::No))?;
        client
            .execute_batch(batch)
            .await
            .map_err(|e| (e, Sent::Maybe))
    }
}

impl ClusterClient {
    /// The client a single command goes to straight, as on a standalone
    /// [`crate::Client`], when nothing but its keys' slot decides: keys in
    /// one slot, a known and connected owner, no reading from replicas.
    /// Anything else (keyless and fanned-out commands, a first use of a
    /// node) takes the general path, [`ClusterClient::run`].
    fn direct(&self, cmd: &Cmd) -> Option<crate::Client> {
        if self.read_from_replicas && crate::cmd_info::reads_data_only(cmd) {
            return None;
        }
        let mut keys = cmd.keys();
        let slot = key_slot(keys.next()?);
        if keys.any(|key| key_slot(key) != slot) {
            return None;
        }
        let map = self.map();
        self.inner.nodes.connected(map.primary(slot)?)
    }
}

/// Names `node` in the error replies of `value`, and in those of a transaction's EXEC
/// array, so that a batch's error says which node refused the command.
fn name_errors(value: &mut Value, node: &Arc<str>) {
    match value {
        Value::Error(error) => error.set_node(node),
        Value::Array(items) => {
            for item in items {
                if let Value::Error(error) = item {
                    error.set_node(node);
                }
            }
        }
        _ => {}
    }
}

/// Whether a command sent straight to its slot's owner failed in a way
/// that the general path handles by sending it again: the server did not
/// run it (a redirection, TRYAGAIN, CLUSTERDOWN, LOADING, BUSY, READONLY),
/// or the connection was lost under a command that may be repeated.
fn sent_elsewhere(error: &Error, cmd: &Cmd) -> bool {
    match error.kind() {
        ErrorKind::Server => matches!(
            error.retry_method(),
            RetryMethod::MovedRedirect { .. }
                | RetryMethod::AskRedirect { .. }
                | RetryMethod::RetryImmediately
                | RetryMethod::WaitAndRetry
                | RetryMethod::Reconnect
        ),
        ErrorKind::Io => is_read_only(cmd),
        _ => false,
    }
}

/// The error of a batch whose timeout ran out while it was being sent
/// again after redirections or retries.
fn out_of_time(timeout: Option<Duration>, attempt: u32) -> Error {
    let tries = if attempt == 1 {
        String::new()
    } else {
        format!(" at try {attempt} (after redirections or retries)")
    };
    Error::timeout(format!(
        "no reply within the command's timeout of {timeout:?}{tries}"
    ))
}

/// Whether a unit whose node failed is sent again: on a lost connection
/// when nothing was sent or when it only reads (a write that was in flight
/// may have been applied; the node's own client has already retried what
/// its retry policy allows).
fn retried_after_loss(error: &Error, sent: Sent, cmds: &[Cmd]) -> bool {
    error.kind() == ErrorKind::Io && (sent == Sent::No || cmds.iter().all(is_read_only))
}

/// What a unit's replies call for: the first redirection or retryable
/// error among them (in a transaction, a queued command's MOVED comes
/// before EXEC's EXECABORT), else nothing.
fn next(replies: &[Value]) -> Next {
    for reply in replies {
        let Value::Error(server) = reply.innermost() else {
            continue;
        };
        match Error::server(server.clone()).retry_method() {
            RetryMethod::MovedRedirect { slot, address } => {
                return Next::Moved {
                    slot,
                    node: address,
                };
            }
            RetryMethod::AskRedirect { address, .. } => return Next::Ask { node: address },
            // TRYAGAIN (keys of a multi-key command split by a migration),
            // LOADING, BUSY, CLUSTERDOWN, MASTERDOWN; READONLY: a primary
            // demoted behind our back, which the refresh finds.
            RetryMethod::RetryImmediately | RetryMethod::WaitAndRetry | RetryMethod::Reconnect => {
                return Next::Wait;
            }
            _ => {}
        }
    }
    Next::Done
}

impl Executor for ClusterClient {
    type Execute<'a, T: FromValue> = ClusterExecute<'a, T>;

    fn primaries(&self) -> Vec<String> {
        ClusterClient::primaries(self)
    }

    fn hash_tag_of(&self, primary: &str) -> Option<String> {
        ClusterClient::hash_tag_of(self, primary)
    }

    fn execute<T: FromValue>(&self, cmd: Cmd) -> ClusterExecute<'_, T> {
        Box::pin(async move {
            if cmd.is("SCAN") {
                let page = self
                    .scan_page(&cmd)
                    .await
                    .map_err(|e| e.with_command(cmd.name()))?;
                return reply_to(&cmd, page);
            }
            if let Some(split) = split(&cmd) {
                let ran = self
                    .run(&split.cmds)
                    .await
                    .map_err(|e| e.with_command(cmd.name()))?;
                return reply_to(&cmd, split.merge(ran.replies)?);
            }
            let started = Instant::now();
            if let Some(client) = self.direct(&cmd) {
                match client.execute_borrowed::<T>(&cmd).await {
                    // Not run there (a redirection, TRYAGAIN, LOADING ...), or a
                    // lost connection on a command that may be repeated: the
                    // general path follows the redirection or retries.
                    Err(error) if sent_elsewhere(&error, &cmd) => match error.retry_method() {
                        RetryMethod::MovedRedirect { slot, address } => {
                            // Patched now, so the general path goes to the new owner.
                            self.inner.counters.moved.fetch_add(1, Ordering::Relaxed);
                            self.moved(slot, &address);
                            self.schedule_refresh();
                        }
                        RetryMethod::AskRedirect { .. } => {}
                        _ => self.schedule_refresh(),
                    },
                    Err(error) if error.kind() == ErrorKind::Io => {
                        self.schedule_refresh();
                        return Err(error);
                    }
                    done => return done,
                }
            }
            let cmds = std::slice::from_ref(&cmd);
            let ran = self
                .run_since(cmds, singles(cmds)?, started)
                .await
                .map_err(|e| e.with_command(cmd.name()))?;
            let reply = ran
                .replies
                .into_iter()
                .next()
                .ok_or_else(|| Error::protocol("no reply"))?;
            reply_to(&cmd, reply).map_err(|e| match (&ran.node, e.kind()) {
                (Some(node), ErrorKind::Server | ErrorKind::Auth) => e.at_node(node),
                _ => e,
            })
        })
    }

    async fn execute_on_primaries<T: FromValue>(&self, cmd: Cmd) -> Result<Vec<T>> {
        let replies = self.execute_on(super::Targets::Primaries, cmd).await?;
        Ok(replies.into_iter().map(|(_, reply)| reply).collect())
    }

    /// Each command to its slot's node, a transaction whole to the node of
    /// its one slot (refused before sending when its keys span slots), and
    /// the preamble's script loads to every node: per node in one round
    /// trip, the nodes in parallel.
    async fn execute_batch(&self, batch: &Batch) -> Result<Vec<Value>> {
        if batch.reply_count() == 0 {
            return Ok(Vec::new());
        }
        let cmds = batch.decoded();
        let units = units(batch, &cmds)?;
        Ok(self.run_since(&cmds, units, Instant::now()).await?.replies)
    }
}
