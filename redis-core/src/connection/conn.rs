//! An exclusive connection: one caller at a time, request then reply.
//!
//! Used for the handshake, for dedicated connections (blocking commands,
//! WATCH) and, taken apart, as the starting point of the multiplexer.

use std::time::Duration;

use bytes::BytesMut;
use tokio::io::AsyncWriteExt;

use super::reader::{Frame, Reader};
use super::socket::Socket;
use crate::config::Protocol;
use crate::resp::Decoder;
use crate::{Cmd, Error, Result, Value};

pub(crate) struct Connection {
    pub(crate) socket: Socket,
    /// The read side's state, which the multiplexer takes over with the
    /// socket's read half.
    pub(crate) reader: Reader,
    pub(crate) addr: String,
    /// The ACL user the handshake authenticated as (`None`: `default`,
    /// without credentials), for errors that say who lacked a permission.
    pub(crate) user: Option<String>,
    wbuf: BytesMut,
    /// Set while a request is in progress: if its future is dropped half-way,
    /// replies no longer line up with requests and the connection is unusable.
    in_request: bool,
}

impl Connection {
    pub(crate) fn new(socket: Socket, decoder: Decoder, protocol: Protocol, addr: String) -> Self {
        Connection {
            socket,
            reader: Reader::new(decoder, protocol, &addr),
            addr,
            user: None,
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
        if let Some(refused) = cmds.iter().find_map(Cmd::refusal) {
            return Err(refused);
        }
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
            // Flushed: under TLS the last record may wait in the session.
            let written = match self.socket.write_all(&self.wbuf).await {
                Ok(()) => self.socket.flush().await,
                Err(e) => Err(e),
            };
            written.map_err(|e| Error::io(&format!("writing to {}", self.addr), e))?;
            let mut replies = Vec::with_capacity(cmds.len());
            while replies.len() < cmds.len() {
                replies.push(self.read_reply().await?);
            }
            Ok::<_, Error>(replies)
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

    /// Writes `cmds` in one write without waiting for replies: on a
    /// subscribed or monitoring connection what comes back is a stream of
    /// frames, read with [`Connection::read_frame`], not one reply per command.
    pub(crate) async fn send(&mut self, cmds: &[Cmd]) -> Result<()> {
        if let Some(refused) = cmds.iter().find_map(Cmd::refusal) {
            return Err(refused);
        }
        self.wbuf.clear();
        for cmd in cmds {
            cmd.write_to(&mut self.wbuf);
        }
        let written = match self.socket.write_all(&self.wbuf).await {
            Ok(()) => self.socket.flush().await,
            Err(e) => Err(e),
        };
        written.map_err(|e| Error::io(&format!("writing to {}", self.addr), e))
    }

    /// The next frame of any kind, push frames included. Cancel safe (see
    /// [`Reader::next`]), so this can race other futures in a `select!`
    /// without losing bytes.
    pub(crate) async fn read_frame(&mut self) -> Result<Value> {
        Ok(self.reader.next(&mut self.socket).await?.into_value())
    }

    /// Reads the next reply, skipping RESP3 push frames (a dedicated
    /// connection has no subscriber to give them to).
    async fn read_reply(&mut self) -> Result<Value> {
        loop {
            if let Frame::Reply(value) = self.reader.next(&mut self.socket).await? {
                return Ok(value);
            }
        }
    }

    /// The next whole frame already read, if any, without waiting for the
    /// socket (see [`Reader::buffered`]). A reader takes what one read
    /// brought this way before waiting again.
    pub(crate) fn decode(&mut self) -> Result<Option<Value>> {
        Ok(self.reader.buffered()?.map(Frame::into_value))
    }
}
