//! Framing and parsing of single RESP lines: the type byte and what follows
//! it, before the decoder applies the result to its stack of aggregates.

use bytes::Bytes;

use super::Value;
use crate::error::{Error, Result, ServerError};

/// What a length-prefixed payload becomes once all of it has arrived.
#[derive(Debug, Clone, Copy)]
pub(super) enum Blob {
    Bulk,
    Error,
    Verbatim,
    /// One chunk of a streamed string.
    Chunk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListKind {
    Array,
    Set,
    Push,
}

/// A parsed line, before it is applied to the stack.
pub(super) enum Header {
    Value(Value),
    Blob(Blob, usize),
    List(ListKind, Option<usize>),
    Map { attribute: bool, len: Option<usize> },
    StreamedString,
    End,
}

impl ListKind {
    pub(super) fn wrap(self, items: Vec<Value>) -> Value {
        match self {
            ListKind::Array => Value::Array(items),
            ListKind::Set => Value::Set(items),
            ListKind::Push => Value::Push(items),
        }
    }
}

pub(super) enum Line<'a> {
    Complete(&'a [u8]),
    /// No CRLF yet; holds how far the search got.
    Partial(usize),
}

/// Finds the line at the front of `buf`, resuming the CR/LF search at `from`.
#[inline]
pub(super) fn find_line(buf: &[u8], from: usize, max_len: usize) -> Result<Line<'_>> {
    let window = buf
        .get(from..buf.len().min(max_len.saturating_add(1)))
        .unwrap_or_default();
    let Some(at) = window
        .iter()
        .position(|b| matches!(b, b'\r' | b'\n'))
        .map(|i| from + i)
    else {
        if buf.len() > max_len {
            return Err(Error::protocol(format!("line longer than {max_len} bytes")));
        }
        return Ok(Line::Partial(buf.len()));
    };
    match (buf.get(at), buf.get(at + 1)) {
        (Some(b'\r'), Some(b'\n')) => Ok(Line::Complete(buf.get(..at).unwrap_or_default())),
        (Some(b'\r'), None) => Ok(Line::Partial(at)),
        (Some(b'\r'), Some(_)) => Err(Error::protocol("CR not followed by LF")),
        _ => Err(Error::protocol("LF without CR")),
    }
}

#[inline]
pub(super) fn parse_header(line: &[u8]) -> Result<Header> {
    let Some((&kind, rest)) = line.split_first() else {
        return Err(Error::protocol("empty line where a frame was expected"));
    };
    let value = |v| Ok(Header::Value(v));
    match kind {
        b'+' => match rest {
            b"OK" => value(Value::SimpleString(Bytes::from_static(b"OK"))),
            b"QUEUED" => value(Value::SimpleString(Bytes::from_static(b"QUEUED"))),
            b"PONG" => value(Value::SimpleString(Bytes::from_static(b"PONG"))),
            _ if utf8(rest).is_some() => value(Value::SimpleString(Bytes::copy_from_slice(rest))),
            _ => Err(Error::protocol("simple string is not UTF-8")),
        },
        b'-' => value(Value::Error(ServerError::parse(&String::from_utf8_lossy(
            rest,
        )))),
        b':' => utf8(rest)
            .and_then(|s| s.parse().ok())
            .map_or_else(|| Err(bad("integer", rest)), |i| value(Value::Integer(i))),
        b'_' if rest.is_empty() => value(Value::Nil),
        b',' => utf8(rest)
            .and_then(|s| s.parse().ok())
            .map_or_else(|| Err(bad("double", rest)), |d| value(Value::Double(d))),
        b'#' => match rest {
            b"t" => value(Value::Boolean(true)),
            b"f" => value(Value::Boolean(false)),
            _ => Err(bad("boolean", rest)),
        },
        b'(' => {
            let digits = rest
                .strip_prefix(b"-")
                .or_else(|| rest.strip_prefix(b"+"))
                .unwrap_or(rest);
            match utf8(rest) {
                Some(s) if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
                    value(Value::BigNumber(s.to_owned()))
                }
                _ => Err(bad("big number", rest)),
            }
        }
        b'$' => match rest {
            b"?" => Ok(Header::StreamedString),
            b"-1" => value(Value::Nil),
            _ => Ok(Header::Blob(Blob::Bulk, length(rest)?)),
        },
        b'!' => Ok(Header::Blob(Blob::Error, length(rest)?)),
        b'=' => Ok(Header::Blob(Blob::Verbatim, length(rest)?)),
        b';' => Ok(Header::Blob(Blob::Chunk, length(rest)?)),
        b'*' if rest == b"-1" => value(Value::Nil),
        b'*' => Ok(Header::List(ListKind::Array, streamed_length(rest)?)),
        b'~' => Ok(Header::List(ListKind::Set, streamed_length(rest)?)),
        b'>' => Ok(Header::List(ListKind::Push, streamed_length(rest)?)),
        b'%' => Ok(Header::Map {
            attribute: false,
            len: streamed_length(rest)?,
        }),
        b'|' => Ok(Header::Map {
            attribute: true,
            len: Some(length(rest)?),
        }),
        b'.' if rest.is_empty() => Ok(Header::End),
        b'_' => Err(bad("null", rest)),
        b'.' => Err(bad("end of stream", rest)),
        other => Err(Error::protocol(format!(
            "unknown RESP type byte {:?} (0x{other:02x})",
            char::from(other)
        ))),
    }
}

fn streamed_length(text: &[u8]) -> Result<Option<usize>> {
    if text == b"?" {
        Ok(None)
    } else {
        length(text).map(Some)
    }
}

/// A non-negative decimal length; the only negative one, `-1`, is handled by
/// the callers that allow it.
fn length(text: &[u8]) -> Result<usize> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return Err(bad("length", text));
    }
    text.iter()
        .try_fold(0usize, |n, d| {
            n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
        })
        .ok_or_else(|| bad("length (overflow)", text))
}

fn utf8(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

fn bad(what: &str, text: &[u8]) -> Error {
    const SHOWN: usize = 32;
    let shown = String::from_utf8_lossy(text.get(..SHOWN).unwrap_or(text));
    Error::protocol(format!("invalid {what}: {shown:?}"))
}
