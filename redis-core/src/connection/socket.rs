//! TCP and Unix sockets behind one type.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;

use crate::config::{Addr, Config};
use crate::{Error, Result};

/// A connected byte stream to a server.
#[derive(Debug)]
pub(crate) enum Socket {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Socket {
    /// Opens the socket (not the Redis handshake); the caller bounds the time.
    pub(crate) async fn open(config: &Config) -> Result<Socket> {
        if config.tls {
            return Err(Error::config(
                "TLS (rediss://) is not yet configured in this build of redis-core",
            ));
        }
        match &config.addr {
            Addr::Tcp { host, port } => {
                let stream = TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(|e| Error::io(&format!("connecting to {}", config.addr), e))?;
                stream
                    .set_nodelay(true)
                    .map_err(|e| Error::io("setting TCP_NODELAY", e))?;
                if let Some(idle) = config.tcp_keepalive {
                    let keepalive = socket2::TcpKeepalive::new().with_time(idle);
                    socket2::SockRef::from(&stream)
                        .set_tcp_keepalive(&keepalive)
                        .map_err(|e| Error::io("setting TCP keepalive", e))?;
                }
                Ok(Socket::Tcp(stream))
            }
            #[cfg(unix)]
            Addr::Unix(path) => UnixStream::connect(path)
                .await
                .map(Socket::Unix)
                .map_err(|e| Error::io(&format!("connecting to {}", config.addr), e)),
            #[cfg(not(unix))]
            Addr::Unix(_) => Err(Error::config(
                "Unix sockets are not available on this platform",
            )),
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

impl Socket {
    /// True when the peer has closed an idle connection, or sent bytes nobody
    /// asked for: either way it must not be reused. Does not wait.
    pub(crate) fn is_stale(&self) -> bool {
        let mut probe = [0u8; 1];
        let peeked = match self {
            Socket::Tcp(s) => s.try_read(&mut probe),
            #[cfg(unix)]
            Socket::Unix(s) => s.try_read(&mut probe),
        };
        !matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Splits into halves that need no lock between them: the reader owns one,
    /// and any task may write through a shared reference to the other.
    pub(crate) fn into_split(self) -> (ReadHalf, WriteHalf) {
        match self {
            Socket::Tcp(s) => {
                let (r, w) = s.into_split();
                (ReadHalf::Tcp(r), WriteHalf::Tcp(w))
            }
            #[cfg(unix)]
            Socket::Unix(s) => {
                let (r, w) = s.into_split();
                (ReadHalf::Unix(r), WriteHalf::Unix(w))
            }
        }
    }
}

/// The reading half of a [`Socket`].
#[derive(Debug)]
pub(crate) enum ReadHalf {
    Tcp(tokio::net::tcp::OwnedReadHalf),
    #[cfg(unix)]
    Unix(tokio::net::unix::OwnedReadHalf),
}

impl AsyncRead for ReadHalf {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ReadHalf::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            ReadHalf::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

/// The writing half of a [`Socket`], usable through `&self`.
#[derive(Debug)]
pub(crate) enum WriteHalf {
    Tcp(tokio::net::tcp::OwnedWriteHalf),
    #[cfg(unix)]
    Unix(tokio::net::unix::OwnedWriteHalf),
}

impl WriteHalf {
    /// Writes what the socket takes now, without waiting.
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            WriteHalf::Tcp(s) => s.try_write(buf),
            #[cfg(unix)]
            WriteHalf::Unix(s) => s.try_write(buf),
        }
    }

    /// Writes all of `buf`, waiting for the socket as needed.
    pub(crate) async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.try_write(buf) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.writable().await?,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn writable(&self) -> io::Result<()> {
        match self {
            WriteHalf::Tcp(s) => s.writable().await,
            #[cfg(unix)]
            WriteHalf::Unix(s) => s.writable().await,
        }
    }
}
