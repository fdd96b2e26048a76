//! How the replies of a command sent to several nodes become the one reply
//! its caller expects, as the command's `response_policy` tip says (the
//! rules of the Redis documentation's "command tips", as redis-py and
//! redis-rs apply them). Pure code.

use crate::cmd_info::Response;
use crate::{Cmd, Error, Result, Value};

/// True when a reply of `cmd` under `policy` can be merged from every
/// node's: all policies but `special`, of which only RANDOMKEY's is
/// clear (any node's key). Other `special` commands (INFO, MEMORY STATS,
/// LATENCY ..., FUNCTION STATS) reply in a shape that one reply of the
/// same shape cannot sum up; they go to one node, and
/// [`crate::cluster::Targets`] gives each node's.
pub(super) fn merges(cmd: &Cmd, policy: Response) -> bool {
    policy != Response::Special || cmd.is("RANDOMKEY")
}

/// One reply from every node's, in the order the nodes were asked.
///
/// - an error reply wins (the first one), except under `one_succeeded`,
///   where the first success does;
/// - `all_succeeded`: the first node's reply (they agree);
/// - `agg_sum`, `agg_min`, `agg_max`, `agg_logical_and`, `agg_logical_or`:
///   integers (or booleans) combined, arrays of them element by element
///   (SCRIPT EXISTS);
/// - no tip: arrays, sets and maps concatenated (KEYS; TS.MGET's map over
///   RESP3), else the first node's reply;
/// - RANDOMKEY: a key from a node that had one.
pub(super) fn merge(policy: Response, replies: Vec<Value>) -> Result<Value> {
    let is_error = |v: &Value| matches!(v.innermost(), Value::Error(_));
    if policy == Response::OneSucceeded
        && let Some(success) = replies.iter().find(|v| !is_error(v))
    {
        return Ok(success.clone());
    }
    if let Some(error) = replies.iter().find(|v| is_error(v)) {
        return Ok(error.clone());
    }
    let mut replies = replies.into_iter().map(Value::without_attributes);
    let Some(first) = replies.next() else {
        return Ok(Value::Nil);
    };
    match policy {
        Response::OneSucceeded | Response::AllSucceeded => Ok(first),
        Response::AggSum
        | Response::AggMin
        | Response::AggMax
        | Response::AggLogicalAnd
        | Response::AggLogicalOr => replies.try_fold(first, |a, b| combine(policy, a, b)),
        Response::Default => match first {
            Value::Array(all) => joined(all, replies, |v| match v {
                Value::Array(items) => Ok(items),
                other => Err(other),
            })
            .map(Value::Array),
            Value::Set(all) => joined(all, replies, |v| match v {
                Value::Set(items) => Ok(items),
                other => Err(other),
            })
            .map(Value::Set),
            Value::Map(all) => joined(all, replies, |v| match v {
                Value::Map(pairs) => Ok(pairs),
                other => Err(other),
            })
            .map(Value::Map),
            first => Ok(first),
        },
        Response::Special => {
            let keys: Vec<Value> = std::iter::once(first)
                .chain(replies)
                .filter(|v| !matches!(v, Value::Nil))
                .collect();
            Ok(keys
                .get(fastrand::usize(..keys.len().max(1)))
                .cloned()
                .unwrap_or(Value::Nil))
        }
    }
}

/// Two nodes' replies aggregated.
fn combine(policy: Response, a: Value, b: Value) -> Result<Value> {
    match (a, b) {
        (Value::Integer(a), Value::Integer(b)) => Ok(Value::Integer(match policy {
            Response::AggSum => a.saturating_add(b),
            Response::AggMin => a.min(b),
            Response::AggMax => a.max(b),
            Response::AggLogicalAnd => i64::from(a != 0 && b != 0),
            _ => i64::from(a != 0 || b != 0),
        })),
        (Value::Boolean(a), Value::Boolean(b)) => Ok(Value::Boolean(match policy {
            Response::AggLogicalAnd => a && b,
            _ => a || b,
        })),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .into_iter()
            .zip(b)
            .map(|(a, b)| combine(policy, a.without_attributes(), b.without_attributes()))
            .collect::<Result<Vec<Value>>>()
            .map(Value::Array),
        (a, b) => Err(unlike(policy, &a, &b)),
    }
}

/// `first`'s items followed by those of every other reply, which `items` takes out of a
/// reply of the same kind (and hands back any other, which cannot be joined).
fn joined<T>(
    mut first: Vec<T>,
    replies: impl Iterator<Item = Value>,
    items: impl Fn(Value) -> std::result::Result<Vec<T>, Value>,
) -> Result<Vec<T>> {
    for reply in replies {
        match items(reply) {
            Ok(more) => first.extend(more),
            Err(other) => {
                return Err(Error::protocol(format!(
                    "the nodes' replies cannot be joined: a {} beside others",
                    other.type_name()
                )));
            }
        }
    }
    Ok(first)
}

fn unlike(policy: Response, a: &Value, b: &Value) -> Error {
    Error::protocol(format!(
        "the nodes' replies cannot be merged as {policy:?}: {a:?} and {b:?}"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn ints(items: &[i64]) -> Value {
        Value::Array(items.iter().map(|&i| Value::Integer(i)).collect())
    }

    #[test]
    fn aggregates_follow_the_policy() {
        let replies = || vec![Value::Integer(3), Value::Integer(0), Value::Integer(5)];
        assert_eq!(
            merge(Response::AggSum, replies()).unwrap(),
            Value::Integer(8)
        );
        assert_eq!(
            merge(Response::AggMin, replies()).unwrap(),
            Value::Integer(0)
        );
        assert_eq!(
            merge(Response::AggMax, replies()).unwrap(),
            Value::Integer(5)
        );
        assert_eq!(
            merge(Response::AggLogicalAnd, replies()).unwrap(),
            Value::Integer(0)
        );
        assert_eq!(
            merge(Response::AggLogicalOr, replies()).unwrap(),
            Value::Integer(1)
        );
        // SCRIPT EXISTS: element by element.
        let exists = vec![ints(&[1, 1, 0]), ints(&[1, 0, 0])];
        assert_eq!(
            merge(Response::AggLogicalAnd, exists).unwrap(),
            ints(&[1, 0, 0])
        );
        assert!(merge(Response::AggSum, vec![ints(&[1]), ints(&[1, 2])]).is_err());
    }

    #[test]
    fn errors_win_except_under_one_succeeded() {
        let error = Value::Error(crate::ServerError::parse("ERR no"));
        let ok = Value::SimpleString("OK".into());
        let replies = vec![ok.clone(), error.clone()];
        assert_eq!(
            merge(Response::AllSucceeded, replies.clone()).unwrap(),
            error
        );
        assert_eq!(merge(Response::OneSucceeded, replies).unwrap(), ok);
        assert_eq!(
            merge(Response::OneSucceeded, vec![error.clone()]).unwrap(),
            error
        );
    }

    #[test]
    fn default_concatenates_arrays_and_randomkey_skips_empty_nodes() {
        let keys = merge(
            Response::Default,
            vec![ints(&[1]), ints(&[]), ints(&[2, 3])],
        );
        assert_eq!(keys.unwrap(), ints(&[1, 2, 3]));
        // TS.MGET over RESP3: each node's map of series, joined.
        let series = |name: &str| (Value::BulkString(name.to_owned().into()), ints(&[]));
        let maps = vec![Value::Map(vec![series("a")]), Value::Map(vec![series("b")])];
        assert_eq!(
            merge(Response::Default, maps).unwrap(),
            Value::Map(vec![series("a"), series("b")])
        );
        let mixed = vec![Value::Map(vec![series("a")]), ints(&[1])];
        assert!(merge(Response::Default, mixed).is_err());
        let key = Value::BulkString("k".into());
        let random = merge(Response::Special, vec![Value::Nil, key.clone(), Value::Nil]);
        assert_eq!(random.unwrap(), key);
        assert_eq!(
            merge(Response::Special, vec![Value::Nil]).unwrap(),
            Value::Nil
        );
        assert!(merges(&Cmd::new("RANDOMKEY"), Response::Special));
        assert!(!merges(&Cmd::new("INFO"), Response::Special));
    }
}
