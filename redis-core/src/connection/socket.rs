//! The transports (TCP, Unix sockets, TLS over TCP) behind one type.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;

use crate::config::{Addr, Config};
use crate::{Error, Result};

/// A connected byte stream to a server: the transport under a connection.
#[derive(Debug)]
pub(crate) enum Socket {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Socket {
    /// Opens the transport to `addr` (not the Redis handshake); the caller
    /// bounds the time.
    pub(crate) async fn open(config: &Config, addr: &Addr, tls: Option<&Tls>) -> Result<Socket> {
        let socket = match addr {
            Addr::Tcp { host, port } => {
                let stream = TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(|e| Error::io(&format!("connecting to {addr}"), e))?;
                stream
                    .set_nodelay(true)
                    .map_err(|e| Error::io("setting TCP_NODELAY", e))?;
                if let Some(idle) = config.tcp_keepalive {
                    let keepalive = socket2::TcpKeepalive::new().with_time(idle);
                    socket2::SockRef::from(&stream)
                        .set_tcp_keepalive(&keepalive)
                        .map_err(|e| Error::io("setting TCP keepalive", e))?;
                }
                Socket::Tcp(stream)
            }
            #[cfg(unix)]
            Addr::Unix(path) => UnixStream::connect(path)
                .await
                .map(Socket::Unix)
                .map_err(|e| Error::io(&format!("connecting to {addr}"), e))?,
            #[cfg(not(unix))]
            Addr::Unix(_) => {
                return Err(Error::config(
                    "Unix sockets are not available on this platform",
                ));
            }
        };
        match (socket, tls) {
            (socket, None) => Ok(socket),
            #[cfg(feature = "tls")]
            (Socket::Tcp(stream), Some(tls)) => {
                let Addr::Tcp { host, .. } = addr else {
                    return Err(Error::config("TLS is for TCP addresses"));
                };
                let stream = tls
                    .connector
                    .connect(tls.name_for(host)?, stream)
                    .await
                    .map_err(|e| crate::tls::handshake_error(&addr.to_string(), e))?;
                Ok(Socket::Tls(Box::new(stream)))
            }
            (_, Some(_)) => Err(Error::config(format!(
                "TLS is for TCP addresses; {addr} is not one"
            ))),
        }
    }
}

/// A client's prepared TLS settings, or, in a build without the `tls`
/// feature, nothing (there is no way to ask for TLS there).
#[cfg(feature = "tls")]
pub(crate) type Tls = crate::tls::PreparedTls;
/// A client's prepared TLS settings, or, in a build without the `tls`
/// feature, nothing (there is no way to ask for TLS there).
#[cfg(not(feature = "tls"))]
pub(crate) type Tls = std::convert::Infallible;

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
            #[cfg(feature = "tls")]
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
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
            #[cfg(feature = "tls")]
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "tls")]
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
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
            // Bytes waiting under TLS may be the server's session tickets,
            // which must not be taken from rustls: only a closed socket (a
            // peek of nothing) is known stale; the idle-time PING covers
            // the rest.
            #[cfg(feature = "tls")]
            Socket::Tls(s) => {
                let mut buf = ReadBuf::new(&mut probe);
                let mut cx = Context::from_waker(std::task::Waker::noop());
                return matches!(
                    s.get_ref().0.poll_peek(&mut cx, &mut buf),
                    Poll::Ready(Ok(0)) | Poll::Ready(Err(_))
                );
            }
        };
        !matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Splits into a reading half the reader owns and a writing half: for
    /// TCP and Unix sockets one that any task may write through a shared
    /// reference, with no lock; for TLS one the background writer owns (the
    /// session state is shared between the halves and encrypts in order).
    pub(crate) fn into_split(self) -> (ReadHalf, WriteHalf) {
        match self {
            Socket::Tcp(s) => {
                let (r, w) = s.into_split();
                (
                    ReadHalf::Tcp(r),
                    WriteHalf::Shared(Arc::new(SharedWriter::Tcp(w))),
                )
            }
            #[cfg(unix)]
            Socket::Unix(s) => {
                let (r, w) = s.into_split();
                (
                    ReadHalf::Unix(r),
                    WriteHalf::Shared(Arc::new(SharedWriter::Unix(w))),
                )
            }
            #[cfg(feature = "tls")]
            Socket::Tls(s) => {
                let (r, w) = tokio::io::split(*s);
                (ReadHalf::Tls(r), WriteHalf::Tls(w))
            }
        }
    }
}

#[cfg(feature = "tls")]
type TlsStream = tokio_rustls::client::TlsStream<TcpStream>;

/// The reading half of a [`Socket`].
#[derive(Debug)]
pub(crate) enum ReadHalf {
    Tcp(tokio::net::tcp::OwnedReadHalf),
    #[cfg(unix)]
    Unix(tokio::net::unix::OwnedReadHalf),
    #[cfg(feature = "tls")]
    Tls(tokio::io::ReadHalf<TlsStream>),
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
            #[cfg(feature = "tls")]
            ReadHalf::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

/// The writing half of a [`Socket`].
#[derive(Debug)]
pub(crate) enum WriteHalf {
    /// Callers may write through it too.
    Shared(Arc<SharedWriter>),
    #[cfg(feature = "tls")]
    Tls(tokio::io::WriteHalf<TlsStream>),
}

impl WriteHalf {
    /// The half callers may write through themselves, if the transport has one.
    pub(crate) fn shared(&self) -> Option<Arc<SharedWriter>> {
        match self {
            WriteHalf::Shared(writer) => Some(writer.clone()),
            #[cfg(feature = "tls")]
            WriteHalf::Tls(_) => None,
        }
    }

    /// Writes all of `buf` onto the wire (through the TLS session, flushed).
    pub(crate) async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            WriteHalf::Shared(writer) => writer.write_all(buf).await,
            #[cfg(feature = "tls")]
            WriteHalf::Tls(writer) => {
                use tokio::io::AsyncWriteExt;
                writer.write_all(buf).await?;
                writer.flush().await
            }
        }
    }
}

/// A writing half usable through `&self`: a kernel socket.
#[derive(Debug)]
pub(crate) enum SharedWriter {
    Tcp(tokio::net::tcp::OwnedWriteHalf),
    #[cfg(unix)]
    Unix(tokio::net::unix::OwnedWriteHalf),
}

impl SharedWriter {
    /// Writes what the socket takes now, without waiting.
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            SharedWriter::Tcp(s) => s.try_write(buf),
            #[cfg(unix)]
            SharedWriter::Unix(s) => s.try_write(buf),
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
            SharedWriter::Tcp(s) => s.writable().await,
            #[cfg(unix)]
            SharedWriter::Unix(s) => s.writable().await,
        }
    }
}
