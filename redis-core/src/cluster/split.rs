//! Multi-key commands that need not be atomic (MGET, DEL, UNLINK, EXISTS,
//! TOUCH) with keys in several slots: one command per slot, sent like a
//! pipeline (per node, in parallel), and the replies merged back into the
//! one the caller asked for, as redis-py's `mget_nonatomic` does. MSET
//! only when its caller said it need not be atomic (`mset_nonatomic`):
//! a plain MSET's callers may rely on all-or-nothing, so it stays refused
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
    /// MSET: `OK` from every slot.
    Ok,
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
    // Every argument after the name is a key for these commands, or for
    // MSET every other one, each followed by its value.
    let (merge, per_key) = if cmd.is("MGET") {
        (Merge::InKeyOrder, 1)
    } else if cmd.is("DEL") || cmd.is("UNLINK") || cmd.is("EXISTS") || cmd.is("TOUCH") {
        (Merge::Sum, 1)
    } else if cmd.is("MSET") && cmd.traits().splits_by_slot() {
        (Merge::Ok, 2)
    } else {
        return None;
    };
    let args: Vec<&[u8]> = cmd.args().skip(1).collect();
    if args.len() % per_key != 0 {
        // A key without its value: sent whole, for the server to refuse.
        return None;
    }
    let groups: Vec<&[&[u8]]> = args.chunks(per_key).collect();
    let slot_of = |group: &[&[u8]]| group.first().map(|key| key_slot(key));
    let first = slot_of(groups.first()?)?;
    if groups.iter().all(|group| slot_of(group) == Some(first)) {
        return None;
    }
    let mut slots: Vec<u16> = Vec::new();
    let mut cmds: Vec<Cmd> = Vec::new();
    let mut places = Vec::with_capacity(groups.len());
    for group in groups {
        let slot = slot_of(group)?;
        let index = match slots.iter().position(|&s| s == slot) {
            Some(index) => index,
            None => {
                slots.push(slot);
                cmds.push(like(cmd));
                cmds.len() - 1
            }
        };
        let sub = cmds.get_mut(index)?;
        places.push((index, (sub.arg_count() - 1) / per_key));
        group.iter().for_each(|arg| sub.push_bytes(arg));
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
            Merge::Ok => replies
                .into_iter()
                .next()
                .ok_or_else(|| Error::protocol("no reply to MSET")),
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

    #[test]
    fn mset_splits_only_when_let_and_keeps_each_value_with_its_key() {
        let cmd = Cmd::new("MSET")
            .arg("a")
            .arg(1)
            .arg("b")
            .arg(2)
            .arg("{a}x")
            .arg(3)
            .splitting_by_slot();
        let split = split(&cmd).unwrap();
        let args = |c: &Cmd| c.args().map(<[u8]>::to_vec).collect::<Vec<_>>();
        assert_eq!(split.cmds.len(), 2);
        assert_eq!(
            args(&split.cmds[0]),
            [&b"MSET"[..], b"a", b"1", b"{a}x", b"3"]
        );
        assert_eq!(args(&split.cmds[1]), [&b"MSET"[..], b"b", b"2"]);
        let ok = Value::SimpleString(bytes::Bytes::from_static(b"OK"));
        assert_eq!(split.merge(vec![ok.clone(), ok.clone()]).unwrap(), ok);
        let error = Value::Error(crate::ServerError::parse("ERR no"));
        assert_eq!(split.merge(vec![ok, error.clone()]).unwrap(), error);
        // One slot, or a key without its value: sent whole.
        let one = Cmd::new("MSET").arg("{a}1").arg(1).arg("{a}2").arg(2);
        assert!(super::split(&one.splitting_by_slot()).is_none());
        let odd = Cmd::new("MSET").arg("a").arg(1).arg("b");
        assert!(super::split(&odd.splitting_by_slot()).is_none());
    }
}
