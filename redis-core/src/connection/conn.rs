//! An exclusive connection: one caller at a time, request then reply.
//!
//! Used for the handshake, for dedicated connections (blocking commands,
//! WATCH) and, taken apart, as the starting point of the multiplexer.

use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::socket::Socket;
use crate::config::Protocol;
use crate::resp::Decoder;
use crate::{Cmd, Error, Result, Value};

/// The smallest free space offered to each read.
const MIN_READ_RESERVE: usize = 16 * 1024;

pub(crate) struct Connection {
    pub(crate) socket: Socket,
    pub(crate) rbuf: BytesMut,
    pub(crate) decoder: Decoder,
    pub(crate) protocol: Protocol,
    pub(crate) addr: String,
    wbuf: BytesMut,
    /// Set while a request is in progress: if its future is dropped half-way,
    /// replies no longer line up with requests and the connection is unusable.
    in_request: bool,
}

impl Connection {
    pub(crate) fn new(socket: Socket, decoder: Decoder, protocol: Protocol, addr: String) -> Self {
        Connection {
            socket,
            rbuf: BytesMut::with_capacity(MIN_READ_RESERVE),
            decoder,
            protocol,
            addr,
            wbuf: BytesMut::with_capacity(1024),
            in_request: false,
        }
    }

    /// True when an earlier request was abandoned mid-way (its future was dropped
    /// or it timed out), so the next reply on the wire may not be ours.
    pub(crate) fn is_broken(&self) -> bool {
        self.in_request
    }

    /// Sends `cmds` in one write and reads one reply per command. Server error
    /// replies come back as [`Value::Error`], so each command's result stays
    /// separate; the outer error is for the connection itself.
    pub(crate) async fn request(
        &mut self,
        cmds: &[Cmd],
        timeout: Option<Duration>,
    ) -> Result<Vec<Value>> {
        if self.in_request {
            return Err(Error::closed(
                "this connection was left mid-request by a cancelled or timed-out command; open a new one",
            ));
        }
        self.in_request = true;
        let exchange = async {
            self.wbuf.clear();
            for cmd in cmds {
                cmd.write_to(&mut self.wbuf);
            }
            self.socket
                .write_all(&self.wbuf)
                .await
                .map_err(|e| Error::io(&format!("writing to {}", self.addr), e))?;
            let mut replies = Vec::with_capacity(cmds.len());
            while replies.len() < cmds.len() {
                replies.push(self.read_reply().await?);
            }
            Ok(replies)
        };
        let replies = match timeout {
            Some(limit) => tokio::time::timeout(limit, exchange).await.map_err(|_| {
                Error::timeout(format!("no reply from {} within {limit:?}", self.addr))
            })??,
            None => exchange.await?,
        };
        self.in_request = false;
        Ok(replies)
    }

    /// Reads the next reply, skipping RESP3 push frames (a dedicated
    /// connection has no subscriber to give them to).
    async fn read_reply(&mut self) -> Result<Value> {
        loop {
            match self.decoder.decode(&mut self.rbuf)? {
                Some(value) if value.is_push() => {
                    if self.protocol == Protocol::Resp2 {
                        return Err(Error::protocol("push frame received on a RESP2 connection"));
                    }
                }
                Some(value) => return Ok(value),
                None => self.fill().await?,
            }
        }
    }

    async fn fill(&mut self) -> Result<()> {
        reserve_for_next_read(&mut self.rbuf, self.decoder.bytes_needed());
        let n = self
            .socket
            .read_buf(&mut self.rbuf)
            .await
            .map_err(|e| Error::io(&format!("reading from {}", self.addr), e))?;
        if n == 0 {
            return Err(Error::new(
                crate::ErrorKind::Io,
                format!("{} closed the connection", self.addr),
            ));
        }
        Ok(())
    }
}

/// Makes room for the next read.
///
/// For the rest of a large bulk payload the buffer grows with what has
/// arrived (doubling) until the peer has sent an eighth of its claim, then
/// reserves the whole remainder at once: a 512 MB reply is copied at most a
/// fraction of its size and never held twice, while a false length claim costs
/// at most eight times the bytes the peer really sent.
pub(crate) fn reserve_for_next_read(rbuf: &mut BytesMut, needed: Option<usize>) {
    let want = match needed {
        // Exactly the rest, also when it is small: padding the last bytes of
        // a huge payload to a full step would double the whole buffer.
        Some(rest) if rest <= rbuf.len().saturating_mul(8) => rest,
        Some(_) => rbuf.len().max(MIN_READ_RESERVE),
        None => MIN_READ_RESERVE,
    };
    rbuf.reserve(want);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_claim_alone_reserves_little() {
        let mut rbuf = BytesMut::from(&b"$500000000\r\nabc"[..]);
        reserve_for_next_read(&mut rbuf, Some(500_000_000));
        assert!(
            rbuf.capacity() < 1024 * 1024,
            "reserved {}",
            rbuf.capacity()
        );
    }

    #[test]
    fn a_large_payload_arriving_in_reads_ends_in_a_buffer_of_its_own_size() {
        let total = 64 * 1024 * 1024;
        let mut rbuf = BytesMut::new();
        rbuf.extend_from_slice(format!("${total}\r\n").as_bytes());
        let mut decoder = Decoder::new(crate::resp::Limits::default());
        let mut largest = 0;
        let value = loop {
            if let Some(value) = decoder.decode(&mut rbuf).expect("valid frame") {
                break value;
            }
            reserve_for_next_read(&mut rbuf, decoder.bytes_needed());
            largest = largest.max(rbuf.capacity());
            // A read fills at most the free space, as a socket read does.
            let missing = decoder.bytes_needed().unwrap_or(2);
            let n = (rbuf.capacity() - rbuf.len()).min(1 << 20).min(missing);
            if missing <= 2 {
                rbuf.extend_from_slice(&b"\r\n"[..n]);
            } else {
                rbuf.extend_from_slice(&vec![b'x'; n.min(missing - 2)]);
            }
        };
        let Value::BulkString(bytes) = value else {
            panic!("not a bulk string")
        };
        assert_eq!(bytes.len(), total);
        // Never held twice its size, not even for the final CRLF.
        assert!(
            largest < total + total / 8,
            "the buffer grew to {largest} bytes"
        );
    }

    #[test]
    fn the_rest_of_a_payload_that_is_really_arriving_is_reserved_at_once() {
        let mut rbuf = BytesMut::from(&vec![b'x'; 8 * 1024 * 1024][..]);
        let rest = 56 * 1024 * 1024;
        reserve_for_next_read(&mut rbuf, Some(rest));
        assert!(rbuf.capacity() >= rbuf.len() + rest);
        // Exactly what is needed, not a doubling beyond it.
        assert!(rbuf.capacity() < 2 * (rbuf.len() + rest));
    }
}
