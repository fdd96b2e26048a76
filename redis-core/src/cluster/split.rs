//! Multi-key commands that need not be atomic (MGET, DEL, UNLINK, EXISTS,
//! TOUCH) with keys in several slots: one command per slot, sent like a
//! pipeline (per node, in parallel), and the replies merged back into the
//! one the caller asked for, as redis-py's `mget_nonatomic` does. Not
//! MSET: its callers may rely on all-or-nothing, so it stays refused
//! (`ErrorKind::CrossSlot`).

use super::slots::key_slot;
use crate::{Cmd, Error, Result, Value};

/// How the per-slot replies become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merge {
    /// MGET: the values, back in the order of the keys.
    InKeyOrder,
    /// DEL, UNLINK, EXISTS, TOUCH: the counts, added up.
    Sum,
}

/// A command split by slot.
#[derive(Debug)]
pub(super) struct Split {
    merge: Merge,
    /// One command per slot.
    pub(super) cmds: Vec<Cmd>,
    /// For each key of the original command: its command and its place there.
    places: Vec<(usize, usize)>,
}

/// The command split by slot, when it is one of the splittable ones and
/// its keys are in more than one slot.
pub(super) fn split(cmd: &Cmd) -> Option<Split> {
    let merge = if cmd.is("MGET") {
        Merge::InKeyOrder
    } else if cmd.is("DEL") || cmd.is("UNLINK") || cmd.is("EXISTS") || cmd.is("TOUCH") {
        Merge::Sum
    } else {
        return None;
    };
    // Every argument after the name is a key for these commands.
    let keys: Vec<&[u8]> = cmd.args().skip(1).collect();
    let first = key_slot(keys.first()?);
    if keys.iter().all(|key| key_slot(key) == first) {
        return None;
    }
    let mut slots: Vec<u16> = Vec::new();
    let mut cmds: Vec<Cmd> = Vec::new();
    let mut places = Vec::with_capacity(keys.len());
    for key in keys {
        let slot = key_slot(key);
        let index = match slots.iter().position(|&s| s == slot) {
            Some(index) => index,
            None => {
                slots.push(slot);
                cmds.push(like(cmd));
                cmds.len() - 1
            }
        };
        let sub = cmds.get_mut(index)?;
        places.push((index, sub.arg_count() - 1));
        sub.push_bytes(key);
    }
    Some(Split {
        merge,
        cmds,
        places,
    })
}

/// An empty command of `cmd`'s name and timeout.
fn like(cmd: &Cmd) -> Cmd {
    let sub = Cmd::new(cmd.name());
    match cmd.timeout() {
        Some(Some(timeout)) => sub.with_timeout(timeout),
        Some(None) => sub.without_timeout(),
        None => sub,
    }
}

impl Split {
    /// The reply to the original command from one reply per slot. The
    /// first error reply among them is the reply (it names what failed).
    pub(super) fn merge(&self, replies: Vec<Value>) -> Result<Value> {
        if let Some(error) = replies
            .iter()
            .find(|reply| matches!(reply.innermost(), Value::Error(_)))
        {
            return Ok(error.clone());
        }
        match self.merge {
            Merge::Sum => {
                let mut total: i64 = 0;
                for reply in replies {
                    match reply.without_attributes() {
                        Value::Integer(n) => total = total.saturating_add(n),
                        other => {
                            return Err(Error::protocol(format!(
                                "a count was expected, not {other:?}"
                            )));
                        }
                    }
                }
                Ok(Value::Integer(total))
            }
            Merge::InKeyOrder => {
                let mut lists: Vec<Vec<Option<Value>>> = Vec::with_capacity(replies.len());
                for reply in replies {
                    match reply.without_attributes() {
                        Value::Array(values) => lists.push(values.into_iter().map(Some).collect()),
                        other => {
                            return Err(Error::protocol(format!(
                                "MGET replied {other:?}, not an array"
                            )));
                        }
                    }
                }
                let values = self
                    .places
                    .iter()
                    .map(|&(list, at)| {
                        lists
                            .get_mut(list)
                            .and_then(|list| list.get_mut(at))
                            .and_then(Option::take)
                            .ok_or_else(|| Error::protocol("MGET replied fewer values than keys"))
                    })
                    .collect::<Result<Vec<Value>>>()?;
                Ok(Value::Array(values))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn mget_splits_by_slot_and_merges_in_key_order() {
        let cmd = Cmd::new("MGET").arg("a").arg("b").arg("{a}x").arg("c");
        let split = split(&cmd).unwrap();
        let args = |c: &Cmd| c.args().map(<[u8]>::to_vec).collect::<Vec<_>>();
        assert_eq!(args(&split.cmds[0]), [&b"MGET"[..], b"a", b"{a}x"]);
        assert_eq!(split.cmds.len(), 3);
        let reply = |items: &[&str]| {
            Value::Array(
                items
                    .iter()
                    .map(|s| Value::BulkString(s.as_bytes().to_vec().into()))
                    .collect(),
            )
        };
        let merged = split
            .merge(vec![reply(&["A", "AX"]), reply(&["B"]), reply(&["C"])])
            .unwrap();
        assert_eq!(merged, reply(&["A", "B", "AX", "C"]));
        assert!(
            split
                .merge(vec![reply(&["A"]), reply(&["B"]), reply(&["C"])])
                .is_err()
        );
    }

    #[test]
    fn counts_add_up_and_one_slot_is_left_alone() {
        let cmd = Cmd::new("DEL").arg("a").arg("b").arg("c");
        let split = split(&cmd).unwrap();
        let merged = split.merge(vec![
            Value::Integer(1),
            Value::Integer(0),
            Value::Integer(1),
        ]);
        assert_eq!(merged.unwrap(), Value::Integer(2));
        assert!(super::split(&Cmd::new("DEL").arg("{a}1").arg("{a}2")).is_none());
        assert!(super::split(&Cmd::new("MSET").arg("a").arg(1).arg("b").arg(2)).is_none());
    }
}
