//! Where a command, or a group of commands that must stay together (a
//! MULTI ... EXEC), goes: the slot of its keys; every primary or every
//! node when its `request_policy` tip says `all_shards` or `all_nodes`
//! (DBSIZE, KEYS, SCRIPT LOAD, FUNCTION LOAD, CONFIG SET ...), the replies
//! merged as its `response_policy` says; else any primary. Shard channels
//! (SPUBLISH's) choose the slot as keys do. Keys and tips
//! come from the command table (or what a server taught it), never from
//! parsing arguments here.

use std::ops::Range;

use super::merge::merges;
use super::slots::key_slot;
use crate::cmd_info::{
    Request, Response, ends_multi, is_multi, policy, reads_data_only, slot_args,
};
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

/// Commands of a batch that go to one node together: one command, or a
/// MULTI ... EXEC with everything in between.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Where its commands are in the batch.
    pub(crate) cmds: Range<usize>,
    pub(crate) route: Route,
    /// A single command that only reads keys: a replica may serve it.
    pub(crate) reads: bool,
}

/// Splits `cmds` into units and routes each; refuses, before anything is
/// sent, a unit whose keys are in more than one slot.
pub(crate) fn units(cmds: &[Cmd]) -> Result<Vec<Unit>> {
    let mut units = Vec::new();
    let mut i = 0;
    while i < cmds.len() {
        let end = match cmds.get(i) {
            Some(cmd) if is_multi(cmd) => {
                let close = cmds
                    .get(i..)
                    .and_then(|rest| rest.iter().position(ends_multi))
                    .ok_or_else(|| {
                        Error::config(
                            "MULTI without EXEC or DISCARD in the same batch: a transaction \
                             on a cluster is sent whole to its slot's node",
                        )
                    })?;
                i + close + 1
            }
            _ => i + 1,
        };
        let group = cmds.get(i..end).unwrap_or_default();
        units.push(Unit {
            cmds: i..end,
            route: route(group)?,
            reads: matches!(group, [cmd] if reads_data_only(cmd)),
        });
        i = end;
    }
    Ok(units)
}

/// The route of commands that must go to one node together.
pub(crate) fn route(cmds: &[Cmd]) -> Result<Route> {
    let mut slot: Option<(u16, &[u8])> = None;
    for cmd in cmds {
        for key in slot_args(cmd) {
            let this = key_slot(key);
            match slot {
                None => slot = Some((this, key)),
                Some((first, _)) if first == this => {}
                Some((first, first_key)) => {
                    return Err(cross_slot(cmds, (first, first_key), (this, key)));
                }
            }
        }
    }
    if let Some((slot, _)) = slot {
        return Ok(Route::Slot(slot));
    }
    let [cmd] = cmds else {
        return Ok(Route::AnyPrimary);
    };
    Ok(match policy(cmd) {
        (Request::AllShards, merge) if merges(cmd, merge) => Route::Fan(Group::Primaries, merge),
        (Request::AllNodes, merge) if merges(cmd, merge) => Route::Fan(Group::AllNodes, merge),
        _ => Route::AnyPrimary,
    })
}

fn cross_slot(cmds: &[Cmd], first: (u16, &[u8]), other: (u16, &[u8])) -> Error {
    // A single command's name comes first in the error's text already.
    let what = match cmds {
        [_] => "keys",
        _ => "the transaction has keys",
    };
    let show = |key: &[u8]| String::from_utf8_lossy(key).into_owned();
    Error::new(
        ErrorKind::CrossSlot,
        format!(
            "{what} in more than one hash slot ({:?} in slot {}, {:?} in slot {}), which a \
             cluster cannot run atomically; nothing was sent. Give the keys a common hash tag \
             (`{{user1}}:a`, `{{user1}}:b`) or send the commands separately",
            show(first.1),
            first.0,
            show(other.1),
            other.0
        ),
    )
    .with_command(
        cmds.iter()
            .find(|c| !is_multi(c))
            .map_or("MULTI", Cmd::name),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn units_keep_transactions_whole() {
        let cmds = [
            Cmd::new("GET").arg("a"),
            Cmd::new("MULTI"),
            Cmd::new("SET").arg("{t}1").arg(1),
            Cmd::new("INCR").arg("{t}2"),
            Cmd::new("EXEC"),
            Cmd::new("ECHO").arg("hi"),
            Cmd::new("SCRIPT").arg("LOAD").arg("return 1"),
            Cmd::new("DBSIZE"),
            Cmd::new("INFO"),
        ];
        let units = units(&cmds).unwrap();
        let shape: Vec<_> = units.iter().map(|u| (u.cmds.clone(), u.route)).collect();
        assert_eq!(
            shape,
            [
                (0..1, Route::Slot(key_slot(b"a"))),
                (1..5, Route::Slot(key_slot(b"t"))),
                (5..6, Route::AnyPrimary),
                (6..7, Route::Fan(Group::AllNodes, Response::AllSucceeded)),
                (7..8, Route::Fan(Group::Primaries, Response::AggSum)),
                // `special`, not mergeable: one node.
                (8..9, Route::AnyPrimary),
            ]
        );
    }

    #[test]
    fn shard_channels_choose_the_slot() {
        let spublish = Cmd::new("SPUBLISH").arg("orders{eu}").arg("m");
        assert_eq!(route(&[spublish]).unwrap(), Route::Slot(key_slot(b"eu")));
        let publish = Cmd::new("PUBLISH").arg("orders{eu}").arg("m");
        assert_eq!(route(&[publish]).unwrap(), Route::AnyPrimary);
    }

    #[test]
    fn cross_slot_atomic_commands_are_refused() {
        let mset = Cmd::new("MSET").arg("a").arg(1).arg("b").arg(2);
        let error = route(&[mset]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::CrossSlot);
        assert!(
            error
                .to_string()
                .starts_with("MSET: keys in more than one hash slot"),
            "{error}"
        );
        let same = Cmd::new("MSET").arg("{a}1").arg(1).arg("{a}2").arg(2);
        assert_eq!(route(&[same]).unwrap(), Route::Slot(key_slot(b"a")));
        let tx = [
            Cmd::new("MULTI"),
            Cmd::new("SET").arg("a").arg(1),
            Cmd::new("SET").arg("b").arg(1),
            Cmd::new("EXEC"),
        ];
        assert_eq!(units(&tx).unwrap_err().kind(), ErrorKind::CrossSlot);
        let open = [Cmd::new("MULTI"), Cmd::new("SET").arg("a").arg(1)];
        assert_eq!(units(&open).unwrap_err().kind(), ErrorKind::Config);
    }
}
