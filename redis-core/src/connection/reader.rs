//! Reading frames off a connection. One reader serves the shared
//! connection (the multiplexer's driver) and the exclusive ones (dedicated
//! connections, the handshake, a subscriber's or a monitor's own), so that
//! buffering and what a broken or misbehaving server is told as are written
//! once.

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::read_reserve::{MIN_READ_RESERVE, ReadReserve};
use super::violation;
use crate::config::Protocol;
use crate::resp::Decoder;
use crate::{Error, ErrorKind, Result, Value};

/// A connection's read side: what arrived and is not yet decoded, and
/// the decoder partway through a frame.
pub(crate) struct Reader {
    rbuf: BytesMut,
    decoder: Decoder,
    reserve: ReadReserve,
    protocol: Protocol,
    /// The server, for errors.
    addr: String,
}

/// A whole frame, sorted.
pub(crate) enum Frame {
    /// A reply (or, on a RESP2 subscribed connection, a message: RESP2 has
    /// no other way to send one).
    Reply(Value),
    /// A RESP3 push frame: pub/sub, invalidations, whatever a newer server
    /// sends unasked.
    Push(Value),
}

impl Frame {
    pub(crate) fn into_value(self) -> Value {
        match self {
            Frame::Reply(value) | Frame::Push(value) => value,
        }
    }
}

impl Reader {
    pub(crate) fn new(decoder: Decoder, protocol: Protocol, addr: &str) -> Reader {
        Reader {
            rbuf: BytesMut::with_capacity(MIN_READ_RESERVE),
            decoder,
            reserve: ReadReserve::new(),
            protocol,
            addr: addr.to_owned(),
        }
    }

    /// The next whole frame among the bytes read so far; `None` until more
    /// arrive. Malformed bytes, and a push frame on a RESP2 connection
    /// (which has none), are the server's fault, and said to be.
    pub(crate) fn buffered(&mut self) -> Result<Option<Frame>> {
        match self.decoder.decode(&mut self.rbuf) {
            Ok(Some(value)) if value.is_push() => match self.protocol {
                Protocol::Resp2 => Err(violation::push_on_resp2(&self.addr)),
                Protocol::Resp3 => Ok(Some(Frame::Push(value))),
            },
            Ok(Some(value)) => Ok(Some(Frame::Reply(value))),
            Ok(None) => Ok(None),
            Err(error) => Err(violation::not_resp(&self.addr, &error)),
        }
    }

    /// Reads what `source` has now (waiting for at least a byte); the end
    /// of the stream is an error: the server closed the connection. Cancel
    /// safe: a read that is dropped has read nothing.
    pub(crate) async fn fill(&mut self, source: &mut (impl AsyncRead + Unpin)) -> Result<()> {
        let room = self
            .reserve
            .prepare(&mut self.rbuf, self.decoder.bytes_needed());
        let read = source
            .read_buf(&mut self.rbuf)
            .await
            .map_err(|e| Error::io(&format!("reading from {}", self.addr), e))?;
        if read == 0 {
            return Err(Error::new(
                ErrorKind::Io,
                format!("{} closed the connection", self.addr),
            ));
        }
        self.reserve.record(read, room);
        Ok(())
    }

    /// The next frame, reading from `source` as needed. Cancel safe: what
    /// was decoded so far stays in the decoder and the buffer.
    pub(crate) async fn next(&mut self, source: &mut (impl AsyncRead + Unpin)) -> Result<Frame> {
        loop {
            match self.buffered()? {
                Some(frame) => return Ok(frame),
                None => self.fill(source).await?,
            }
        }
    }
}
