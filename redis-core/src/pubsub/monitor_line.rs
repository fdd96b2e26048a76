//! One line of MONITOR output, parsed:
//! `1339518083.107412 [0 127.0.0.1:60866] "SET" "k" "a \"b\"\x00"`.
//!
//! The server writes each argument with `sdscatrepr`: in double quotes,
//! with `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b` and `\xHH` for every
//! other byte that is not printable ASCII. Anything else is refused with
//! an error that says where, never guessed at.

use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::{Error, ErrorKind, Result};

/// One command the server ran, as MONITOR reports it.
///
/// ```no_run
/// # async fn run(client: redis_core::Client) -> redis_core::Result<()> {
/// let mut monitor = client.monitor().await?;
/// while let Some(entry) = monitor.next_entry().await {
///     let entry = entry?;
///     println!("{:?} db {} from {}: {:?} {:?}", entry.time, entry.db, entry.client,
///              entry.command, entry.args);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MonitorEntry {
    /// When the server ran it (microsecond precision).
    pub time: SystemTime,
    /// The database it ran in.
    pub db: u32,
    /// Who sent it: `ip:port`, `unix:/path`, or `lua` for a script's call.
    pub client: String,
    /// The command's name as sent.
    pub command: Bytes,
    /// Its arguments, unescaped to the bytes that were sent.
    pub args: Vec<Bytes>,
}

impl MonitorEntry {
    /// Parses one MONITOR line; an error of kind
    /// [`ErrorKind::Protocol`] naming the byte where it went wrong.
    ///
    /// ```
    /// use redis_core::MonitorEntry;
    /// let entry = MonitorEntry::parse(br#"1700000000.000042 [3 lua] "SET" "a key" "\x00\"""#)?;
    /// assert_eq!(entry.db, 3);
    /// assert_eq!(entry.client, "lua");
    /// assert_eq!(&entry.command[..], b"SET");
    /// assert_eq!(entry.args, vec![&b"a key"[..], &b"\x00\""[..]]);
    /// assert!(MonitorEntry::parse(b"not a monitor line").is_err());
    /// # Ok::<(), redis_core::Error>(())
    /// ```
    pub fn parse(line: &[u8]) -> Result<MonitorEntry> {
        let mut p = Parser { line, at: 0 };
        let time = p.time()?;
        p.expect(b' ')?;
        p.expect(b'[')?;
        let db = p.number()?;
        p.expect(b' ')?;
        let client = p.client()?;
        let mut words = Vec::new();
        while p.at < line.len() {
            p.expect(b' ')?;
            words.push(p.quoted()?);
        }
        let mut words = words.into_iter();
        let command = words
            .next()
            .ok_or_else(|| p.error("the line names no command"))?;
        Ok(MonitorEntry {
            time,
            db,
            client,
            command,
            args: words.collect(),
        })
    }
}

struct Parser<'a> {
    line: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, why: &str) -> Error {
        let shown = String::from_utf8_lossy(&self.line[..self.line.len().min(200)]);
        Error::new(
            ErrorKind::Protocol,
            format!(
                "a MONITOR line that does not parse ({why}, at byte {}): {shown:?}",
                self.at
            ),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.line.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() != Some(byte) {
            return Err(self.error(&format!("expected {:?}", byte as char)));
        }
        self.at += 1;
        Ok(())
    }

    fn digits(&mut self) -> &[u8] {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        &self.line[start..self.at]
    }

    fn number(&mut self) -> Result<u32> {
        let digits = self.digits();
        let parsed = std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok());
        parsed.ok_or_else(|| self.error("expected a database number"))
    }

    /// `seconds.micros`, as the server writes its clock.
    fn time(&mut self) -> Result<SystemTime> {
        let secs = std::str::from_utf8(self.digits())
            .ok()
            .and_then(|d| d.parse::<u64>().ok());
        let secs = secs.ok_or_else(|| self.error("expected the time in seconds"))?;
        self.expect(b'.')?;
        let fraction = self.digits();
        let micros = match fraction.len() {
            6 => std::str::from_utf8(fraction)
                .ok()
                .and_then(|d| d.parse::<u32>().ok()),
            _ => None,
        };
        let micros = micros.ok_or_else(|| self.error("expected six digits of microseconds"))?;
        SystemTime::UNIX_EPOCH
            .checked_add(Duration::new(secs, micros * 1000))
            .ok_or_else(|| self.error("the time is out of range"))
    }

    /// Up to the `]` that ends the bracket: a Unix socket's path may hold
    /// one too, so the last `]` before the first quoted argument counts.
    fn client(&mut self) -> Result<String> {
        let rest = &self.line[self.at..];
        let end = match rest.windows(3).position(|w| w == b"] \"") {
            Some(end) => end,
            None if rest.last() == Some(&b']') => rest.len() - 1,
            None => return Err(self.error("expected `]` after the client")),
        };
        let client = String::from_utf8_lossy(&rest[..end]).into_owned();
        self.at += end + 1;
        Ok(client)
    }

    fn quoted(&mut self) -> Result<Bytes> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let Some(byte) = self.peek() else {
                return Err(self.error("an argument's quote is not closed"));
            };
            self.at += 1;
            match byte {
                b'"' => return Ok(Bytes::from(out)),
                b'\\' => out.push(self.escape()?),
                byte => out.push(byte),
            }
        }
    }

    fn escape(&mut self) -> Result<u8> {
        let Some(byte) = self.peek() else {
            return Err(self.error("the line ends inside an escape"));
        };
        self.at += 1;
        Ok(match byte {
            b'\\' => b'\\',
            b'"' => b'"',
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'a' => 0x07,
            b'b' => 0x08,
            b'x' => {
                let hex = self.line.get(self.at..self.at + 2);
                let value = hex
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                let value = value.ok_or_else(|| self.error("expected two hex digits after \\x"))?;
                self.at += 2;
                value
            }
            _ => return Err(self.error("an unknown escape")),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_line_with_every_escape() {
        let line =
            br#"1339518083.107412 [0 127.0.0.1:60866] "set" "k ey" "\\\"\n\r\t\a\b\x00\xff\x7f""#;
        let entry = MonitorEntry::parse(line).unwrap();
        assert_eq!(
            entry.time,
            SystemTime::UNIX_EPOCH + Duration::new(1339518083, 107_412_000)
        );
        assert_eq!(entry.db, 0);
        assert_eq!(entry.client, "127.0.0.1:60866");
        assert_eq!(&entry.command[..], b"set");
        assert_eq!(entry.args[0], &b"k ey"[..]);
        assert_eq!(entry.args[1], &b"\\\"\n\r\t\x07\x08\x00\xff\x7f"[..]);
    }

    #[test]
    fn unix_socket_clients_and_empty_arguments() {
        let entry = MonitorEntry::parse(br#"1.000001 [15 unix:/tmp/a]b.sock] "GET" """#).unwrap();
        assert_eq!(entry.client, "unix:/tmp/a]b.sock");
        assert_eq!(entry.db, 15);
        assert_eq!(entry.args, vec![Bytes::new()]);
    }

    #[test]
    fn malformed_lines_are_errors_at_every_cut() {
        let line = br#"1339518083.107412 [0 127.0.0.1:60866] "set" "k\x4" "v""#;
        assert!(MonitorEntry::parse(line).is_err());
        let good = br#"1339518083.107412 [0 127.0.0.1:60866] "set" "k\x41" "v\"""#;
        assert!(MonitorEntry::parse(good).is_ok());
        // No prefix panics; one is whole only where an argument ends.
        for cut in 0..good.len() {
            match MonitorEntry::parse(&good[..cut]) {
                Ok(_) => assert_eq!(good[cut - 1], b'"', "{cut}"),
                Err(error) => assert_eq!(error.kind(), ErrorKind::Protocol, "{cut}"),
            }
        }
        for bad in [
            &b"x.000001 [0 a] \"GET\""[..],
            b"1.1 [0 a] \"GET\"",
            b"1.000001 [z a] \"GET\"",
            b"1.000001 [0 a] GET",
            b"1.000001 [0 a] \"GET\" \"\\q\"",
            b"1.000001 [0 a]",
            b"99999999999999999999.000001 [0 a] \"GET\"",
        ] {
            assert!(MonitorEntry::parse(bad).is_err(), "{bad:?}");
        }
    }
}
