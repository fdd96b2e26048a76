//! Writing [`Value`]s as RESP3, for tests, fake servers and round-trip checks.
//!
//! Commands sent by the client are encoded by [`Cmd`](crate::Cmd), not here.

use bytes::{BufMut, BytesMut};

use super::Value;

/// Writes `value` as RESP3. [`Value::Nil`] becomes `_`, the RESP3 null.
///
/// An error whose text holds CR or LF is written as a blob error `!`, which
/// decodes to the same [`Value::Error`]. A simple string holding CR or LF, or
/// a verbatim format that is not three bytes, is written as is and does not
/// decode back: Redis never sends either, and a fake server may want to.
///
/// Recursion follows the nesting of `value`, which comes from our own code.
pub fn encode_value(value: &Value, out: &mut BytesMut) {
    match value {
        Value::Nil => out.put_slice(b"_\r\n"),
        Value::SimpleString(s) => line(out, b'+', s),
        Value::Error(err) => {
            let text = err.to_string();
            if text.contains(['\r', '\n']) {
                blob(out, b'!', text.as_bytes());
            } else {
                line(out, b'-', text.as_bytes());
            }
        }
        Value::Integer(i) => line(out, b':', itoa::Buffer::new().format(*i).as_bytes()),
        Value::BulkString(bytes) => blob(out, b'$', bytes),
        Value::Array(items) => list(out, b'*', items),
        Value::Set(items) => list(out, b'~', items),
        Value::Push(items) => list(out, b'>', items),
        Value::Map(pairs) => map(out, b'%', pairs),
        Value::Double(d) => {
            let text = match *d {
                d if d.is_nan() => "nan".to_owned(),
                f64::INFINITY => "inf".to_owned(),
                f64::NEG_INFINITY => "-inf".to_owned(),
                // Display prints the shortest text that parses back to `d`.
                d => d.to_string(),
            };
            line(out, b',', text.as_bytes());
        }
        Value::Boolean(b) => out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Value::BigNumber(n) => line(out, b'(', n.as_bytes()),
        Value::Verbatim { format, text } => {
            header(out, b'=', format.len() + 1 + text.len());
            out.put_slice(format);
            out.put_u8(b':');
            out.put_slice(text);
            out.put_slice(b"\r\n");
        }
        Value::Attribute { attributes, value } => {
            map(out, b'|', attributes);
            encode_value(value, out);
        }
    }
}

fn line(out: &mut BytesMut, kind: u8, text: &[u8]) {
    out.reserve(text.len() + 3);
    out.put_u8(kind);
    out.put_slice(text);
    out.put_slice(b"\r\n");
}

fn header(out: &mut BytesMut, kind: u8, len: usize) {
    line(out, kind, itoa::Buffer::new().format(len).as_bytes());
}

fn blob(out: &mut BytesMut, kind: u8, payload: &[u8]) {
    header(out, kind, payload.len());
    out.reserve(payload.len() + 2);
    out.put_slice(payload);
    out.put_slice(b"\r\n");
}

fn list(out: &mut BytesMut, kind: u8, items: &[Value]) {
    header(out, kind, items.len());
    for item in items {
        encode_value(item, out);
    }
}

fn map(out: &mut BytesMut, kind: u8, pairs: &[(Value, Value)]) {
    header(out, kind, pairs.len());
    for (key, value) in pairs {
        encode_value(key, out);
        encode_value(value, out);
    }
}
