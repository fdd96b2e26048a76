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
