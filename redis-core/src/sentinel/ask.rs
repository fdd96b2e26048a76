//! Asking the sentinels, all at once, what they know of a master and its
//! replicas; a sentinel that is down or slow is skipped after the timeout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;

use super::vote::{self, Answer};
use crate::commands::{self, SentinelMaster, SentinelReplica};
use crate::config::{Addr, Config};
use crate::connection::{Connection, Node};
use crate::executor::reply_to;
use crate::sync::lock;
use crate::{Error, ErrorKind, Result};

/// The sentinels of one [`crate::Sentinel`], ready to be asked.
pub(crate) struct Sentinels {
    addrs: Vec<Addr>,
    /// Opens connections to any of them with the sentinels' settings.
    node: Node,
    /// The longest wait for one sentinel: connect, handshake and reply.
    timeout: Duration,
    /// A connection to each sentinel kept from its last answer, so the
    /// asks of every reconnect and of the master check do not each open
    /// one per sentinel.
    idle: Vec<Mutex<Option<Connection>>>,
}

/// What the sentinels that elected the master know of its replicas.
pub(crate) struct Replicas {
    pub(crate) master: Addr,
    pub(crate) replicas: Vec<Addr>,
}

impl Sentinels {
    pub(crate) fn new(addrs: Vec<Addr>, config: Config, timeout: Duration) -> Result<Sentinels> {
        if addrs.is_empty() {
            return Err(Error::config(
                "a Sentinel needs at least one sentinel address",
            ));
        }
        let config = config
            .with_connect_timeout(timeout)
            .with_response_timeout(Some(timeout));
        Ok(Sentinels {
            idle: addrs.iter().map(|_| Mutex::new(None)).collect(),
            addrs,
            node: Node::new(config)?,
            timeout,
        })
    }

    /// The master the majority of the answering sentinels name for `name`.
    pub(crate) async fn master(self: &Arc<Self>, name: &str) -> Result<Addr> {
        let answers = self.ask_all(name, false).await;
        let plain: Vec<(Addr, Answer)> = answers.into_iter().map(|(s, a, _)| (s, a)).collect();
        vote::elect(name, &plain).map_err(unreachable)
    }

    /// The elected master, and the replicas the sentinels that voted for it
    /// see up and linked to it (each listed once, in address order).
    pub(crate) async fn replicas(self: &Arc<Self>, name: &str) -> Result<Replicas> {
        let answers = self.ask_all(name, true).await;
        let plain: Vec<(Addr, Answer)> = answers
            .iter()
            .map(|(s, a, _)| (s.clone(), a.clone()))
            .collect();
        let master = vote::elect(name, &plain).map_err(unreachable)?;
        let mut replicas: Vec<Addr> = answers
            .into_iter()
            .filter(
                |(_, answer, _)| matches!(answer, Answer::Master { addr, .. } if *addr == master),
            )
            .flat_map(|(_, _, replicas)| replicas)
            .filter(usable)
            .map(|replica| Addr::Tcp {
                host: replica.ip,
                port: replica.port,
            })
            .filter(|addr| *addr != master)
            .collect();
        replicas.sort_by_key(|addr| addr.to_string());
        replicas.dedup();
        Ok(Replicas { master, replicas })
    }

    /// Asks every sentinel at once; stops early once a strict majority of
    /// all of them named the same master (the others cannot outvote it).
    async fn ask_all(
        self: &Arc<Self>,
        name: &str,
        with_replicas: bool,
    ) -> Vec<(Addr, Answer, Vec<SentinelReplica>)> {
        let mut asks = JoinSet::new();
        for index in 0..self.addrs.len() {
            let (sentinels, name) = (self.clone(), name.to_owned());
            asks.spawn(async move { sentinels.ask(index, &name, with_replicas).await });
        }
        let mut answers = Vec::with_capacity(self.addrs.len());
        while let Some(joined) = asks.join_next().await {
            // A panicking ask is a bug; the other sentinels still count.
            let Ok(answer) = joined else { continue };
            answers.push(answer);
            // With replicas, every voter's view of them is wanted.
            if !with_replicas {
                let plain: Vec<(Addr, Answer)> = answers
                    .iter()
                    .map(|(s, a, _)| (s.clone(), a.clone()))
                    .collect();
                if vote::settled(&plain, self.addrs.len()).is_some() {
                    break;
                }
            }
        }
        answers
    }

    /// One sentinel's answer, within the timeout.
    async fn ask(
        &self,
        index: usize,
        name: &str,
        with_replicas: bool,
    ) -> (Addr, Answer, Vec<SentinelReplica>) {
        let addr = self.addrs[index].clone();
        let asked = tokio::time::timeout(self.timeout, self.ask_inner(index, name, with_replicas));
        let (answer, replicas) = match asked.await {
            Ok(Ok(answer)) => answer,
            Ok(Err(error)) => {
                tracing::debug!(sentinel = %addr, %error, "sentinel skipped");
                (Answer::Unreachable(error.to_string()), Vec::new())
            }
            Err(_) => (
                Answer::Unreachable(format!("no answer within {:?}", self.timeout)),
                Vec::new(),
            ),
        };
        (addr, answer, replicas)
    }

    async fn ask_inner(
        &self,
        index: usize,
        name: &str,
        with_replicas: bool,
    ) -> Result<(Answer, Vec<SentinelReplica>)> {
        let slot = &self.idle[index];
        let kept = lock(slot)
            .take()
            .filter(|conn| !conn.is_broken() && !conn.socket.is_stale());
        if let Some(mut conn) = kept {
            // A kept connection the sentinel closed since (a restart) is
            // no reason to skip it: a new one is tried below.
            if let Ok(answer) = self.exchange(&mut conn, name, with_replicas).await {
                lock(slot).get_or_insert(conn);
                return Ok(answer);
            }
        }
        let mut conn = self.node.connect_to(&self.addrs[index]).await?;
        let answer = self.exchange(&mut conn, name, with_replicas).await?;
        lock(slot).get_or_insert(conn);
        Ok(answer)
    }

    async fn exchange(
        &self,
        conn: &mut Connection,
        name: &str,
        with_replicas: bool,
    ) -> Result<(Answer, Vec<SentinelReplica>)> {
        let master_cmd = commands::sentinel_master(name).into_cmd();
        let replicas_cmd = commands::sentinel_replicas(name).into_cmd();
        let cmds = if with_replicas {
            vec![master_cmd.clone(), replicas_cmd.clone()]
        } else {
            vec![master_cmd.clone()]
        };
        let mut replies = conn.request(&cmds, Some(self.timeout)).await?.into_iter();
        let master = match replies
            .next()
            .map(|v| reply_to::<SentinelMaster>(&master_cmd, v))
        {
            Some(Ok(master)) => master,
            // `ERR No such master with that name`: it does not monitor it.
            Some(Err(error)) if error.kind() == ErrorKind::Server => {
                return Ok((Answer::Unknown, Vec::new()));
            }
            Some(Err(error)) => return Err(error),
            None => return Err(Error::protocol("the sentinel sent no reply")),
        };
        let replicas = match replies.next() {
            Some(value) => reply_to::<Vec<SentinelReplica>>(&replicas_cmd, value)?,
            None => Vec::new(),
        };
        let master_addr = Addr::Tcp {
            host: master.ip.clone(),
            port: master.port,
        };
        // As redis-py's check_master_state: a master this sentinel finds
        // down, or that it does not call a master, is not a vote for it.
        let answer = if master.is_down() || !master.has_flag("master") {
            Answer::Down(master_addr)
        } else {
            Answer::Master {
                addr: master_addr,
                config_epoch: master.config_epoch,
            }
        };
        Ok((answer, replicas))
    }
}

/// A replica that can serve reads: not down or disconnected, its link to
/// the master up (redis-py's filter_slaves drops the first two).
fn usable(replica: &SentinelReplica) -> bool {
    !replica.is_down() && !replica.has_flag("disconnected") && replica.master_link_ok
}

/// No master elected: as a lost connection, so the client's reconnect and
/// retry rules apply (sentinels mid-failover answer again shortly).
fn unreachable(why: String) -> Error {
    Error::new(ErrorKind::Io, why)
}
