//! A minimal RESP2 client: one command per connection, every step under a timeout, enough for
//! PING and the few status commands the readiness checks read, and for the `COMMAND` and
//! `COMMAND DOCS` replies `command-table` and `coverage` read.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::error::{Context, Error, Result, bail};

/// A server that accepted the connection but does not answer (a TLS port does that to a plain
/// client) must not hang a readiness loop.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(300);
const IO_TIMEOUT: Duration = Duration::from_secs(2);
/// Replies here are status texts and command descriptions; anything larger is a confused peer.
const MAX_BULK: usize = 16 << 20;
/// `COMMAND DOCS` nests argument blocks in subcommands about 9 deep.
const MAX_DEPTH: usize = 16;

/// A RESP2 reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `+OK`
    Simple(String),
    /// `-ERR ...`
    Error(String),
    /// `:42`
    Int(i64),
    /// `$n` (None for `$-1`)
    Bulk(Option<Vec<u8>>),
    /// `*n` (None for `*-1`)
    Array(Option<Vec<Value>>),
}

impl Value {
    /// The reply as text, for simple and bulk strings.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Simple(s) => Some(s.clone()),
            Value::Bulk(Some(b)) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    /// The elements of an array reply (empty for anything else).
    pub fn items(&self) -> &[Value] {
        match self {
            Value::Array(Some(items)) => items,
            _ => &[],
        }
    }
}

/// The loopback address of `port`.
pub fn local(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Sends one command and reads its reply; an error reply is returned as [`Value::Error`].
pub fn command(addr: SocketAddr, args: &[&str]) -> Result<Value> {
    let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
        .context(|| format!("connecting to {addr}"))?;
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
        .context(|| format!("setting timeouts on {addr}"))?;
    let mut request = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        request.extend_from_slice(arg.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    (&stream)
        .write_all(&request)
        .context(|| format!("sending {} to {addr}", args.join(" ")))?;
    read_value(&mut BufReader::new(&stream), 0)
        .context(|| format!("reading the reply to {} from {addr}", args.join(" ")))
}

/// Whether the server at `addr` answers PING with PONG.
pub fn ping(addr: SocketAddr) -> bool {
    matches!(command(addr, &["PING"]), Ok(Value::Simple(s)) if s == "PONG")
}

/// The text reply of a command, or an error naming the command and what came back.
pub fn text(addr: SocketAddr, args: &[&str]) -> Result<String> {
    let reply = command(addr, args)?;
    reply
        .text()
        .ok_or_else(|| Error::new(format!("{} on {addr} answered {reply:?}", args.join(" "))))
}

/// Reads one reply; `depth` bounds nesting so a hostile peer cannot overflow the stack.
pub fn read_value(reader: &mut impl BufRead, depth: usize) -> Result<Value> {
    if depth > MAX_DEPTH {
        bail!("reply nested deeper than {MAX_DEPTH}");
    }
    let line = read_line(reader)?;
    let (kind, rest) = line.split_at_checked(1).unwrap_or(("", ""));
    Ok(match kind {
        "+" => Value::Simple(rest.to_string()),
        "-" => Value::Error(rest.to_string()),
        ":" => Value::Int(parse_int(rest)?),
        "$" => match parse_len(rest)? {
            None => Value::Bulk(None),
            Some(len) => {
                let mut data = vec![0; len + 2];
                reader
                    .read_exact(&mut data)
                    .context(|| "reading a bulk string".to_string())?;
                if !data.ends_with(b"\r\n") {
                    bail!("bulk string not followed by CRLF");
                }
                data.truncate(len);
                Value::Bulk(Some(data))
            }
        },
        "*" => match parse_len(rest)? {
            None => Value::Array(None),
            Some(len) => {
                let mut items = Vec::with_capacity(len.min(1024));
                for _ in 0..len {
                    items.push(read_value(reader, depth + 1)?);
                }
                Value::Array(Some(items))
            }
        },
        _ => bail!("unexpected reply line {line:?}"),
    })
}

fn read_line(reader: &mut impl BufRead) -> Result<String> {
    let mut line = Vec::new();
    // Bounded by MAX_BULK so a peer that never sends a newline cannot grow memory forever.
    reader
        .take(MAX_BULK as u64)
        .read_until(b'\n', &mut line)
        .context(|| "reading a reply line".to_string())?;
    match line.strip_suffix(b"\r\n") {
        Some(body) => Ok(String::from_utf8_lossy(body).into_owned()),
        None => bail!("connection closed or reply line not ended by CRLF"),
    }
}

fn parse_int(text: &str) -> Result<i64> {
    text.parse().context(|| format!("bad integer {text:?}"))
}

fn parse_len(text: &str) -> Result<Option<usize>> {
    let n = parse_int(text)?;
    if n < 0 {
        return Ok(None);
    }
    match usize::try_from(n) {
        Ok(len) if len <= MAX_BULK => Ok(Some(len)),
        _ => bail!("length {n} too large"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<Value> {
        read_value(&mut &bytes[..], 0)
    }

    #[test]
    fn parses_each_kind() -> Result<()> {
        assert_eq!(parse(b"+PONG\r\n")?, Value::Simple("PONG".into()));
        assert_eq!(parse(b"-ERR x\r\n")?, Value::Error("ERR x".into()));
        assert_eq!(parse(b":-3\r\n")?, Value::Int(-3));
        assert_eq!(parse(b"$-1\r\n")?, Value::Bulk(None));
        assert_eq!(parse(b"$2\r\nok\r\n")?, Value::Bulk(Some(b"ok".to_vec())));
        assert_eq!(
            parse(b"*2\r\n$1\r\na\r\n:1\r\n")?,
            Value::Array(Some(vec![Value::Bulk(Some(b"a".to_vec())), Value::Int(1)]))
        );
        Ok(())
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse(b"PONG\r\n").is_err());
        assert!(parse(b"$5\r\nab\r\n").is_err());
        assert!(parse(b"+no newline").is_err());
        assert!(parse(b"$99999999999\r\n").is_err());
    }
}
