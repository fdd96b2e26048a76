//! Incremental decoding of RESP2 and RESP3 frames from a read buffer.
//!
//! The decoder keeps its own stack of partially filled aggregates, so a reply
//! that arrives over many reads is parsed once: every complete line is
//! consumed as soon as it is read, and nothing is ever re-parsed.

use bytes::{Buf, BytesMut};

use super::Value;
use super::header::{Blob, Header, Line, ListKind, find_line, parse_header};
use crate::error::{Error, Result, ServerError};

/// Aggregates never preallocate more than this many elements, whatever their
/// header claims: a hostile `*4294967295` costs nothing until its elements
/// actually arrive.
const PREALLOC_CAP: usize = 64;

/// Decoder limits. The defaults match Redis' own bounds.
///
/// Nesting is bounded by `max_depth` because dropping, comparing and
/// formatting a [`Value`] recurse on its depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of aggregates (arrays, maps, sets, pushes, attributes).
    pub max_depth: usize,
    /// Longest bulk string, blob error, verbatim string or streamed string
    /// (all chunks together), in bytes. Default 512 MiB (`proto-max-bulk-len`).
    pub max_bulk_len: usize,
    /// Most elements in one aggregate (pairs, for maps and attributes).
    /// Default `i32::MAX`, the server's multibulk bound.
    pub max_aggregate_len: usize,
    /// Longest line (simple string, error, number or header) without its
    /// CRLF. Without a bound, a peer that never sends CRLF would make the
    /// buffer grow forever. Default 64 KiB.
    pub max_line_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 128,
            max_bulk_len: 512 * 1024 * 1024,
            max_aggregate_len: i32::MAX as usize,
            max_line_len: 64 * 1024,
        }
    }
}

/// One partially filled aggregate. `remaining: None` marks a streamed one,
/// which ends at `.` instead of after a count.
#[derive(Debug)]
enum Frame {
    List {
        kind: ListKind,
        items: Vec<Value>,
        remaining: Option<usize>,
    },
    Map {
        attribute: bool,
        pairs: Vec<(Value, Value)>,
        key: Option<Value>,
        remaining: Option<usize>,
    },
    /// An attribute map is complete; the value it annotates comes next.
    Annotated(Vec<(Value, Value)>),
    /// The chunks of a `$?` streamed string so far.
    Streamed(BytesMut),
}

enum Step {
    Value(Value),
    Opened,
    Pending,
}

/// An incremental RESP2/RESP3 decoder. Feed it one connection's read buffer.
///
/// Simple strings must be UTF-8 (anything else is a protocol error, so
/// converting one to `String` cannot fail); error texts that are not UTF-8
/// are converted lossily, so the server's error still reaches the caller.
#[derive(Debug)]
pub struct Decoder {
    limits: Limits,
    stack: Vec<Frame>,
    /// Header of a bulk payload that has not fully arrived.
    pending: Option<(Blob, usize)>,
    missing: Option<usize>,
    /// How far into the current unfinished line CR/LF has been searched.
    scanned: usize,
    poisoned: Option<Error>,
}

impl Decoder {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Decoder {
            limits,
            stack: Vec::new(),
            pending: None,
            missing: None,
            scanned: 0,
            poisoned: None,
        }
    }

    /// Decodes the next complete top-level frame from the front of `buf`.
    ///
    /// `Ok(None)` means more bytes are needed: append them to the same buffer
    /// and call again. Everything parsed so far has been consumed from `buf`
    /// and is kept in the decoder, except a bulk payload that has not fully
    /// arrived: it stays in `buf` and only its length is checked next time.
    ///
    /// An error means malformed input or a broken [`Limits`] bound. The stream
    /// position is then lost, so every later call returns the same error.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Value>> {
        if let Some(err) = &self.poisoned {
            return Err(err.clone());
        }
        self.missing = None;
        let result = self.run(buf);
        if let Err(err) = &result {
            self.stack = Vec::new();
            self.pending = None;
            self.poisoned = Some(err.clone());
        }
        result
    }

    /// After [`decode`](Self::decode) returned `Ok(None)`, the number of
    /// bytes still missing from the buffer for the bulk payload in progress,
    /// so the reader can reserve exactly that. `None` when unknown.
    pub fn bytes_needed(&self) -> Option<usize> {
        self.missing
    }

    /// Elements (or bytes, for a streamed string) preallocated by the frames in progress.
    #[cfg(test)]
    pub(crate) fn reserved(&self) -> usize {
        self.stack
            .iter()
            .map(|frame| match frame {
                Frame::List { items, .. } => items.capacity(),
                Frame::Map { pairs, .. } | Frame::Annotated(pairs) => pairs.capacity(),
                Frame::Streamed(data) => data.capacity(),
            })
            .sum()
    }

    fn run(&mut self, buf: &mut BytesMut) -> Result<Option<Value>> {
        loop {
            let step = match self.pending {
                Some((blob, len)) => self.take_blob(buf, blob, len)?,
                None => match self.next_header(buf)? {
                    None => Step::Pending,
                    // Most replies are one line at the top level (`+OK`, `:1`,
                    // `$-1`): no aggregate to fill, no stream to check.
                    Some(Header::Value(value)) if self.stack.is_empty() => return Ok(Some(value)),
                    Some(header) => self.apply(header, buf)?,
                },
            };
            let mut value = match step {
                Step::Pending => return Ok(None),
                Step::Opened => continue,
                Step::Value(value) => value,
            };
            // A finished value may complete its parent, which may complete its own.
            loop {
                let Some(top) = self.stack.last_mut() else {
                    return Ok(Some(value));
                };
                match push(top, value, self.limits.max_aggregate_len)? {
                    Pushed::Incomplete => break,
                    Pushed::Complete(done) => {
                        self.stack.pop();
                        value = done;
                    }
                    Pushed::Attributes(attributes) => {
                        *top = Frame::Annotated(attributes);
                        break;
                    }
                }
            }
        }
    }

    /// The next line, parsed and consumed; `None` until its CRLF has arrived.
    fn next_header(&mut self, buf: &mut BytesMut) -> Result<Option<Header>> {
        let (header, consumed) = match find_line(buf, self.scanned, self.limits.max_line_len)? {
            Line::Partial(scanned) => {
                self.scanned = scanned;
                return Ok(None);
            }
            Line::Complete(line) => (parse_header(line)?, line.len() + 2),
        };
        buf.advance(consumed);
        self.scanned = 0;
        Ok(Some(header))
    }

    fn apply(&mut self, header: Header, buf: &mut BytesMut) -> Result<Step> {
        let in_stream = matches!(self.stack.last(), Some(Frame::Streamed(_)));
        if in_stream != matches!(header, Header::Blob(Blob::Chunk, _)) {
            return Err(Error::protocol(if in_stream {
                "expected a `;` chunk inside a streamed string"
            } else {
                "`;` chunk outside a streamed string"
            }));
        }
        let limits = self.limits;
        match header {
            Header::Value(value) => Ok(Step::Value(value)),
            Header::Blob(Blob::Chunk, 0) => match self.stack.pop() {
                Some(Frame::Streamed(data)) => Ok(Step::Value(Value::BulkString(data.freeze()))),
                _ => Err(Error::protocol("`;` chunk outside a streamed string")),
            },
            Header::Blob(blob, len) => {
                let so_far = match self.stack.last() {
                    Some(Frame::Streamed(data)) => data.len(),
                    _ => 0,
                };
                if len > limits.max_bulk_len.saturating_sub(so_far) {
                    return Err(Error::protocol(format!(
                        "bulk length {len} exceeds the limit of {} bytes",
                        limits.max_bulk_len
                    )));
                }
                if matches!(blob, Blob::Verbatim) && len < 4 {
                    return Err(Error::protocol(
                        "verbatim string shorter than its format prefix",
                    ));
                }
                self.pending = Some((blob, len));
                self.take_blob(buf, blob, len)
            }
            Header::List(kind, len) => {
                self.check_open(len)?;
                if len == Some(0) {
                    return Ok(Step::Value(kind.wrap(Vec::new())));
                }
                let items = Vec::with_capacity(len.unwrap_or(0).min(PREALLOC_CAP));
                self.stack.push(Frame::List {
                    kind,
                    items,
                    remaining: len,
                });
                Ok(Step::Opened)
            }
            Header::Map { attribute, len } => {
                self.check_open(len)?;
                let pairs = Vec::with_capacity(len.unwrap_or(0).min(PREALLOC_CAP));
                if len == Some(0) {
                    if attribute {
                        self.stack.push(Frame::Annotated(pairs));
                        return Ok(Step::Opened);
                    }
                    return Ok(Step::Value(Value::Map(pairs)));
                }
                self.stack.push(Frame::Map {
                    attribute,
                    pairs,
                    key: None,
                    remaining: len,
                });
                Ok(Step::Opened)
            }
            Header::StreamedString => {
                self.check_open(None)?;
                self.stack.push(Frame::Streamed(BytesMut::new()));
                Ok(Step::Opened)
            }
            Header::End => match self.stack.pop() {
                Some(Frame::List {
                    kind,
                    items,
                    remaining: None,
                }) => Ok(Step::Value(kind.wrap(items))),
                Some(Frame::Map {
                    attribute: false,
                    pairs,
                    key: None,
                    remaining: None,
                }) => Ok(Step::Value(Value::Map(pairs))),
                _ => Err(Error::protocol(
                    "`.` outside a streamed aggregate, or after a map key",
                )),
            },
        }
    }

    fn check_open(&self, len: Option<usize>) -> Result<()> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Error::protocol(format!(
                "aggregates nested deeper than {}",
                self.limits.max_depth
            )));
        }
        match len {
            Some(len) if len > self.limits.max_aggregate_len => Err(Error::protocol(format!(
                "aggregate length {len} exceeds the limit of {}",
                self.limits.max_aggregate_len
            ))),
            _ => Ok(()),
        }
    }

    fn take_blob(&mut self, buf: &mut BytesMut, blob: Blob, len: usize) -> Result<Step> {
        let total = len.saturating_add(2);
        if buf.len() < total {
            self.missing = Some(total - buf.len());
            return Ok(Step::Pending);
        }
        if buf.get(len..total) != Some(b"\r\n".as_slice()) {
            return Err(Error::protocol("bulk payload not followed by CRLF"));
        }
        self.pending = None;
        if let Blob::Chunk = blob {
            let Some(Frame::Streamed(data)) = self.stack.last_mut() else {
                return Err(Error::protocol("`;` chunk outside a streamed string"));
            };
            data.extend_from_slice(buf.get(..len).unwrap_or_default());
            buf.advance(total);
            return Ok(Step::Opened);
        }
        let mut payload = buf.split_to(len).freeze();
        buf.advance(2);
        let value = match blob {
            Blob::Bulk | Blob::Chunk => Value::BulkString(payload),
            Blob::Error => Value::Error(ServerError::parse(&String::from_utf8_lossy(&payload))),
            Blob::Verbatim => {
                let format = match payload.get(..4) {
                    Some([a, b, c, b':']) => [*a, *b, *c],
                    _ => return Err(Error::protocol("verbatim string without a `xxx:` format")),
                };
                // Formats are names like `txt` and `mkd`; anything else is garbage.
                if !format.is_ascii() {
                    return Err(Error::protocol("verbatim format is not ASCII"));
                }
                payload.advance(4);
                Value::Verbatim {
                    format,
                    text: payload,
                }
            }
        };
        Ok(Step::Value(value))
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(Limits::default())
    }
}

enum Pushed {
    Incomplete,
    Complete(Value),
    Attributes(Vec<(Value, Value)>),
}

fn push(frame: &mut Frame, value: Value, max_len: usize) -> Result<Pushed> {
    let too_long = || Error::protocol(format!("streamed aggregate longer than {max_len}"));
    match frame {
        Frame::List {
            kind,
            items,
            remaining,
        } => {
            if remaining.is_none() && items.len() >= max_len {
                return Err(too_long());
            }
            items.push(value);
            if countdown(remaining) {
                return Ok(Pushed::Complete(kind.wrap(std::mem::take(items))));
            }
        }
        Frame::Map {
            attribute,
            pairs,
            key,
            remaining,
        } => {
            let Some(k) = key.take() else {
                *key = Some(value);
                return Ok(Pushed::Incomplete);
            };
            if remaining.is_none() && pairs.len() >= max_len {
                return Err(too_long());
            }
            pairs.push((k, value));
            if countdown(remaining) {
                let pairs = std::mem::take(pairs);
                return Ok(if *attribute {
                    Pushed::Attributes(pairs)
                } else {
                    Pushed::Complete(Value::Map(pairs))
                });
            }
        }
        Frame::Annotated(attributes) => {
            let attributes = std::mem::take(attributes);
            return Ok(Pushed::Complete(Value::Attribute {
                attributes,
                value: Box::new(value),
            }));
        }
        Frame::Streamed(_) => return Err(Error::protocol("value inside a streamed string")),
    }
    Ok(Pushed::Incomplete)
}

/// Counts one element down; true when a counted aggregate is now full.
fn countdown(remaining: &mut Option<usize>) -> bool {
    match remaining {
        Some(n) => {
            *n = n.saturating_sub(1);
            *n == 0
        }
        None => false,
    }
}
