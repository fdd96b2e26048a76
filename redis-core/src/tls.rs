//! TLS settings (`rediss://`), through rustls with the aws-lc-rs provider.
//!
//! Server certificates are verified by default, against Mozilla's root
//! certificates built into the binary (the `webpki-roots` crate) or against
//! the CAs you give. Built-in roots rather than the platform's store:
//! managed Redis services present publicly trusted certificates, and a
//! minimal container image (distroless, scratch) often has no CA bundle to
//! read, so verification works the same everywhere; a private CA is given
//! explicitly with [`TlsConfig::with_ca_pem`] or [`TlsConfig::with_ca_file`].
//!
//! The cryptography is rustls' aws-lc-rs provider, named explicitly (so a
//! process-wide default installed by someone else changes nothing here, and
//! an application with both rustls providers enabled does not panic). Not
//! ring: rustls 0.23.48 deprecates its ring provider for lacking
//! post-quantum key exchange, while aws-lc-rs offers X25519MLKEM768 first.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{CryptoProvider, aws_lc_rs};
use tokio_rustls::rustls::{self, ClientConfig, DigitallySignedStruct, RootCertStore};

use crate::{Error, ErrorKind, Result};

/// How a TLS connection is set up: which CAs are trusted, the name the
/// server's certificate must carry, and an optional client certificate for
/// mutual TLS.
///
/// ```no_run
/// use redis_core::{Addr, Config, TlsConfig};
/// # fn run() -> redis_core::Result<()> {
/// let tls = TlsConfig::new()
///     .with_ca_file("/etc/redis/ca.crt")?
///     .with_client_cert_files("/etc/redis/client.crt", "/etc/redis/client.key")?;
/// let config = Config::new(Addr::Tcp { host: "redis.internal".into(), port: 6380 }).with_tls(tls);
/// // or, the same from a URL:
/// let config = Config::from_url(
///     "rediss://redis.internal:6380?ssl_ca_certs=/etc/redis/ca.crt\
///      &ssl_certfile=/etc/redis/client.crt&ssl_keyfile=/etc/redis/client.key",
/// )?;
/// # let _ = config; Ok(()) }
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    /// `None`: the built-in (Mozilla) roots.
    ca: Option<Arc<[CertificateDer<'static>]>>,
    client: Option<Arc<ClientCertificate>>,
    server_name: Option<String>,
    verify: bool,
}

struct ClientCertificate {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig::new()
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key; the certificates' bytes say nothing useful either.
        f.debug_struct("TlsConfig")
            .field(
                "ca",
                &match &self.ca {
                    None => "built-in roots".to_owned(),
                    Some(ca) => format!("{} given certificate(s)", ca.len()),
                },
            )
            .field("client_certificate", &self.client.is_some())
            .field("server_name", &self.server_name)
            .field("verify", &self.verify)
            .finish()
    }
}

impl TlsConfig {
    /// Verifies the server against the built-in root certificates, with the
    /// host name connected to as the expected name (and as SNI).
    pub fn new() -> Self {
        TlsConfig {
            ca: None,
            client: None,
            server_name: None,
            verify: true,
        }
    }

    /// Trusts exactly the CA certificates in `pem` (one or more PEM
    /// `CERTIFICATE` blocks) instead of the built-in roots.
    pub fn with_ca_pem(mut self, pem: &[u8]) -> Result<Self> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| tls_error(format!("reading the CA certificates: {e}")))?;
        if certs.is_empty() {
            return Err(tls_error(
                "the CA PEM holds no CERTIFICATE block".to_owned(),
            ));
        }
        self.ca = Some(certs.into());
        Ok(self)
    }

    /// As [`TlsConfig::with_ca_pem`], reading the PEM file at `path`.
    pub fn with_ca_file(self, path: impl AsRef<Path>) -> Result<Self> {
        let pem = read(path.as_ref(), "CA certificate")?;
        self.with_ca_pem(&pem)
    }

    /// Presents this certificate chain (PEM, leaf first) and private key
    /// (PEM: PKCS#8, PKCS#1 or SEC1) to servers that ask for one (mutual TLS).
    pub fn with_client_cert_pem(mut self, chain_pem: &[u8], key_pem: &[u8]) -> Result<Self> {
        let chain = CertificateDer::pem_slice_iter(chain_pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| tls_error(format!("reading the client certificate: {e}")))?;
        if chain.is_empty() {
            return Err(tls_error(
                "the client certificate PEM holds no CERTIFICATE block".to_owned(),
            ));
        }
        // The key's own error text could quote its bytes: say only what failed.
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| {
            tls_error("the client key is not a PEM private key (PKCS#8, PKCS#1 or SEC1)".to_owned())
        })?;
        // Checked now, so a key that does not load fails here, not at the
        // first connect.
        provider()
            .key_provider
            .load_private_key(key.clone_key())
            .map_err(|e| tls_error(format!("the client key is unusable: {e}")))?;
        self.client = Some(Arc::new(ClientCertificate { chain, key }));
        Ok(self)
    }

    /// As [`TlsConfig::with_client_cert_pem`], reading the PEM files at
    /// `chain` and `key`.
    pub fn with_client_cert_files(
        self,
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self> {
        let chain = read(chain.as_ref(), "client certificate")?;
        let key = read(key.as_ref(), "client key")?;
        self.with_client_cert_pem(&chain, &key)
    }

    /// The name the server's certificate must carry, and the SNI sent,
    /// when it differs from the host connected to (connecting by IP to a
    /// server whose certificate names its DNS name, say).
    pub fn with_server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// Accepts any certificate from the server, whoever issued it and
    /// whatever name it carries: the connection is encrypted but anyone on
    /// the path can impersonate the server. For tests against throw-away
    /// servers only; redis-py's `ssl_cert_reqs="none"`.
    pub fn dangerously_accept_any_certificate(mut self) -> Self {
        self.verify = false;
        self
    }

    /// Builds what every connection of a client shares: rustls' client
    /// settings, and the name to verify if it was given.
    pub(crate) fn prepare(&self) -> Result<PreparedTls> {
        let provider = Arc::new(provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(format!("setting up TLS: {e}")))?;
        let builder = if self.verify {
            let mut roots = RootCertStore::empty();
            match &self.ca {
                None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
                Some(ca) => {
                    for cert in ca.iter() {
                        roots
                            .add(cert.clone())
                            .map_err(|e| tls_error(format!("a CA certificate is unusable: {e}")))?;
                    }
                }
            }
            builder.with_root_certificates(roots)
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        };
        let config = match &self.client {
            None => builder.with_no_client_auth(),
            Some(client) => builder
                .with_client_auth_cert(client.chain.clone(), client.key.clone_key())
                .map_err(|e| tls_error(format!("the client certificate is unusable: {e}")))?,
        };
        let server_name = match &self.server_name {
            Some(name) => Some(server_name(name)?),
            None => None,
        };
        Ok(PreparedTls {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            server_name,
        })
    }
}

/// The cryptography every TLS connection uses: rustls' aws-lc-rs provider, whose key exchanges
/// start with the post-quantum hybrid X25519MLKEM768 (rustls deprecates its ring provider, which
/// has none).
fn provider() -> CryptoProvider {
    aws_lc_rs::default_provider()
}

fn server_name(name: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(name.to_owned())
        .map_err(|_| tls_error(format!("{name:?} is not a valid TLS server name")))
}

/// A client's TLS settings, built once and used for each connection.
#[derive(Clone)]
pub(crate) struct PreparedTls {
    pub(crate) connector: tokio_rustls::TlsConnector,
    server_name: Option<ServerName<'static>>,
}

impl PreparedTls {
    /// The name the certificate of the server at `host` must carry.
    pub(crate) fn name_for(&self, host: &str) -> Result<ServerName<'static>> {
        match &self.server_name {
            Some(name) => Ok(name.clone()),
            None => server_name(host),
        }
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(&format!("reading the {what} {}", path.display()), e))
}

fn tls_error(detail: String) -> Error {
    Error::new(ErrorKind::Tls, detail)
}

/// Turns a failed TLS handshake into an error that names the server and
/// rustls' reason (an unknown issuer, a name mismatch, a refused client).
/// A connection that broke during the handshake (closed, reset, timed out:
/// no TLS verdict) is an I/O error like any lost connection, so that it is
/// retried as one; only what TLS itself refused is a TLS error.
pub(crate) fn handshake_error(addr: &str, error: std::io::Error) -> Error {
    match error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(rustls) => Error::new(
            ErrorKind::Tls,
            format!("the TLS handshake with {addr} failed: {rustls}"),
        ),
        None => Error::io(
            &format!("the connection to {addr} broke during the TLS handshake"),
            error,
        ),
    }
}

/// The verifier behind [`TlsConfig::dangerously_accept_any_certificate`]:
/// no check of issuer or name, but handshake signatures are still verified
/// (the server must hold the key of the certificate it shows).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
