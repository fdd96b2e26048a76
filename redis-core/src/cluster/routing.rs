//! Where a command, or a transaction's commands, which must stay together,
//! go (the batch says which commands a transaction holds): the slot of its
//! keys; every primary or every node when its `request_policy` tip says
//! `all_shards` or `all_nodes` (DBSIZE, KEYS, SCRIPT LOAD, FUNCTION LOAD,
//! CONFIG SET ...), the replies merged as its `response_policy` says; else
//! any primary. Channels (SPUBLISH's and PUBLISH's) choose the slot as keys
//! do. Keys and tips come from the command table (or what a server taught
//! it), never from parsing arguments here.

use std::ops::Range;

use super::merge::merges;
use super::slots::key_slot;
use crate::batch::Batch;
use crate::cmd_info::{Request, Response, policy, reads_data_only, slot_args};
use crate::{Cmd, Error, ErrorKind, Result};

/// Where a unit goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// The primary of this slot.
    Slot(u16),
    /// Any primary: the command has no keys.
    AnyPrimary,
    /// Every node of the group, their replies merged as the policy says.
    Fan(Group, Response),
}

/// The nodes a fanned-out command goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// `request_policy:all_shards`: every primary.
    Primaries,
    /// `request_policy:all_nodes`: every primary and replica.
    AllNodes,
}

/// What a unit is in its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A command of what must run first (a script's `SCRIPT LOAD`), on
    /// each node that gets it.
    Preamble,
    /// A command on its own.
    Command,
    /// A transaction's commands, which its node gets between `MULTI` and
    /// `EXEC`.
    Atomic,
}

/// Commands of a batch that go to one node together: one command, or a
/// transaction's commands.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Where its commands are in the batch, decoded (the preamble's first).
    pub(crate) cmds: Range<usize>,
    pub(crate) kind: Kind,
    pub(crate) route: Route,
    /// A single command that only reads keys: a replica may serve it.
    pub(crate) reads: bool,
}

impl Unit {
    /// Where its replies are in the batch's: as its commands, and for a
    /// transaction `MULTI`'s before them and `EXEC`'s after.
    pub(crate) fn replies(&self) -> Range<usize> {
        match self.kind {
            Kind::Atomic => self.cmds.start..self.cmds.end + 2,
            Kind::Preamble | Kind::Command => self.cmds.clone(),
        }
    }
}

/// The units of `batch`, whose commands `cmds` are ([`Batch::decoded`]):
/// the preamble's commands, each on its own, then the transaction whole or
/// each command on its own, as the batch says it is. Refuses, before
/// anything is sent, a transaction or command whose keys are in more than
/// one slot.
pub(crate) fn units(batch: &Batch, cmds: &[Cmd]) -> Result<Vec<Unit>> {
    let preamble = batch.preamble_len().min(cmds.len());
    let mut units = Vec::with_capacity(cmds.len() + 1);
    for i in 0..preamble {
        units.push(single(cmds, i, Kind::Preamble)?);
    }
    if batch.is_atomic() {
        let all = preamble..cmds.len();
        units.push(Unit {
            route: route_of(cmds.get(all.clone()).unwrap_or_default(), true)?,
            cmds: all,
            kind: Kind::Atomic,
            reads: false,
        });
    } else {
        for i in preamble..cmds.len() {
            units.push(single(cmds, i, Kind::Command)?);
        }
    }
    Ok(units)
}

/// Each of `cmds` a unit of its own: a command sent alone, a command split
/// by slot.
pub(crate) fn singles(cmds: &[Cmd]) -> Result<Vec<Unit>> {
    (0..cmds.len())
        .map(|i| single(cmds, i, Kind::Command))
        .collect()
}

fn single(cmds: &[Cmd], i: usize, kind: Kind) -> Result<Unit> {
    let cmd = cmds.get(i..=i).unwrap_or_default();
    Ok(Unit {
        cmds: i..i + 1,
        kind,
        route: route(cmd)?,
        reads: matches!(cmd, [cmd] if reads_data_only(cmd)),
    })
}

/// The route of commands that must go to one node together (a command
/// alone may be fanned out).
pub(crate) fn route(cmds: &[Cmd]) -> Result<Route> {
    route_of(cmds, cmds.len() > 1)
}

/// The route of `cmds`, which run as one transaction when `together`:
/// then never fanned out, even when it holds one command.
fn route_of(cmds: &[Cmd], together: bool) -> Result<Route> {
    let mut slot: Option<(u16, &[u8])> = None;
    for cmd in cmds {
        for key in slot_args(cmd) {
            let this = key_slot(key);
            match slot {
                None => slot = Some((this, key)),
                Some((first, _)) if first == this => {}
                Some((first, first_key)) => {
                    let error = cross_slot(together, cmd, (first, first_key), (this, key));
                    return Err(error);
                }
            }
        }
    }
    if let Some((slot, _)) = slot {
        return Ok(Route::Slot(slot));
    }
    let ([cmd], false) = (cmds, together) else {
        return Ok(Route::AnyPrimary);
    };
    Ok(match policy(cmd) {
        (Request::AllShards, merge) if merges(cmd, merge) => Route::Fan(Group::Primaries, merge),
        (Request::AllNodes, merge) if merges(cmd, merge) => Route::Fan(Group::AllNodes, merge),
        _ => Route::AnyPrimary,
    })
}

/// The error of a command, or a transaction's commands (`together`),
/// whose command `cmd` has a key in another slot than an earlier key's.
fn cross_slot(together: bool, cmd: &Cmd, first: (u16, &[u8]), other: (u16, &[u8])) -> Error {
    // A single command's name comes first in the error's text already.
    let what = if together {
        "the transaction has keys"
    } else {
        "keys"
    };
    let show = |key: &[u8]| String::from_utf8_lossy(key).into_owned();
    let way_out = if !together && cmd.is("MSET") {
        ", or call mset_nonatomic, which sets each slot's keys apart (not atomically)"
    } else {
        " or send the commands separately"
    };
    Error::new(
        ErrorKind::CrossSlot,
        format!(
            "{what} in more than one hash slot ({:?} in slot {}, {:?} in slot {}), which a \
             cluster cannot run atomically; nothing was sent. Give the keys a common hash tag \
             (`{{user1}}:a`, `{{user1}}:b`){way_out}",
            show(first.1),
            first.0,
            show(other.1),
            other.0
        ),
    )
    .with_command(cmd.name())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn batch(mut batch: Batch, preamble: &[Cmd], cmds: &[Cmd]) -> (Batch, Vec<Cmd>) {
        preamble.iter().for_each(|cmd| batch.preload(cmd));
        cmds.iter().for_each(|cmd| batch.push(cmd));
        let decoded = batch.decoded();
        (batch, decoded)
    }

    fn shape(units: &[Unit]) -> Vec<(Range<usize>, Kind, Route)> {
        units
            .iter()
            .map(|u| (u.cmds.clone(), u.kind, u.route))
            .collect()
    }

    #[test]
    fn a_pipeline_routes_each_command_on_its_own() {
        let load = Cmd::new("SCRIPT").arg("LOAD").arg("return 1");
        let cmds = [
            Cmd::new("GET").arg("a"),
            Cmd::new("ECHO").arg("hi"),
            Cmd::new("DBSIZE"),
            Cmd::new("INFO"),
        ];
        let (batch, decoded) = batch(Batch::default(), &[load], &cmds);
        let units = units(&batch, &decoded).unwrap();
        assert_eq!(
            shape(&units),
            [
                (
                    0..1,
                    Kind::Preamble,
                    Route::Fan(Group::AllNodes, Response::AllSucceeded)
                ),
                (1..2, Kind::Command, Route::Slot(key_slot(b"a"))),
                (2..3, Kind::Command, Route::AnyPrimary),
                (
                    3..4,
                    Kind::Command,
                    Route::Fan(Group::Primaries, Response::AggSum)
                ),
                // `special`, not mergeable: one node.
                (4..5, Kind::Command, Route::AnyPrimary),
            ]
        );
        assert!(units[1].reads);
        assert_eq!(units[4].replies(), 4..5);
    }

    #[test]
    fn a_transaction_is_one_unit_after_its_preamble() {
        let load = Cmd::new("SCRIPT").arg("LOAD").arg("return 1");
        let cmds = [
            Cmd::new("SET").arg("{t}1").arg(1),
            Cmd::new("INCR").arg("{t}2"),
        ];
        let (tx, decoded) = batch(Batch::atomic(), &[load], &cmds);
        let tx_units = units(&tx, &decoded).unwrap();
        assert_eq!(
            shape(&tx_units),
            [
                (
                    0..1,
                    Kind::Preamble,
                    Route::Fan(Group::AllNodes, Response::AllSucceeded)
                ),
                (1..3, Kind::Atomic, Route::Slot(key_slot(b"t"))),
            ]
        );
        assert_eq!(tx_units[1].replies(), 1..5, "MULTI, 2 x QUEUED, EXEC");
        assert!(!tx_units[1].reads);
        // One fanned-out command in a transaction goes to one node whole.
        let (tx, decoded) = batch(Batch::atomic(), &[], &[Cmd::new("DBSIZE")]);
        assert_eq!(units(&tx, &decoded).unwrap()[0].route, Route::AnyPrimary);
        let (empty, decoded) = batch(Batch::atomic(), &[], &[]);
        let empty_units = units(&empty, &decoded).unwrap();
        assert_eq!(
            shape(&empty_units),
            [(0..0, Kind::Atomic, Route::AnyPrimary)]
        );
        assert_eq!(empty_units[0].replies(), 0..2);
    }

    #[test]
    fn channels_choose_the_slot() {
        let spublish = Cmd::new("SPUBLISH").arg("orders{eu}").arg("m");
        assert_eq!(route(&[spublish]).unwrap(), Route::Slot(key_slot(b"eu")));
        // Any node delivers PUBLISH, but one channel's messages keep their order through one.
        let publish = Cmd::new("PUBLISH").arg("orders{eu}").arg("m");
        assert_eq!(route(&[publish]).unwrap(), Route::Slot(key_slot(b"eu")));
    }

    #[test]
    fn cross_slot_atomic_commands_are_refused() {
        let mset = Cmd::new("MSET").arg("a").arg(1).arg("b").arg(2);
        let error = route(&[mset]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::CrossSlot);
        let text = error.to_string();
        assert!(
            text.starts_with("MSET: keys in more than one hash slot"),
            "{text}"
        );
        assert!(text.contains("mset_nonatomic"), "{text}");
        let same = Cmd::new("MSET").arg("{a}1").arg(1).arg("{a}2").arg(2);
        assert_eq!(route(&[same]).unwrap(), Route::Slot(key_slot(b"a")));
        let cmds = [
            Cmd::new("SET").arg("a").arg(1),
            Cmd::new("SET").arg("b").arg(1),
        ];
        let (tx, decoded) = batch(Batch::atomic(), &[], &cmds);
        let error = units(&tx, &decoded).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::CrossSlot);
        assert!(
            error.to_string().contains("the transaction has keys"),
            "{error}"
        );
        assert!(!error.to_string().contains("mset_nonatomic"), "{error}");
        // The same commands as a pipeline: each goes to its own slot.
        let (pipe, decoded) = batch(Batch::default(), &[], &cmds);
        assert_eq!(units(&pipe, &decoded).unwrap().len(), 2);
    }
}
