//! Test certificates made at run time: a CA, a server certificate for 127.0.0.1 and
//! localhost, and a client certificate for mutual TLS.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::error::{Context, Result};

/// Where the PEM files were written.
#[derive(Debug, Clone)]
pub struct Certs {
    /// The CA certificate both sides trust.
    pub ca: PathBuf,
    /// The server's certificate (SAN IP 127.0.0.1, DNS localhost).
    pub server_cert: PathBuf,
    /// The server's private key.
    pub server_key: PathBuf,
    /// The client's certificate (clientAuth).
    pub client_cert: PathBuf,
    /// The client's private key.
    pub client_key: PathBuf,
}

/// Generates fresh certificates into `dir`, replacing older ones.
pub fn generate(dir: &Path) -> Result<Certs> {
    fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
    let failed = |what: &str| format!("generating the {what} certificate");

    let ca_key = KeyPair::generate().context(|| failed("CA"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).context(|| failed("CA"))?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Redis Test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).context(|| failed("CA"))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf = |name: &str, sans: Vec<String>, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().context(|| failed(name))?;
        let mut params = CertificateParams::new(sans).context(|| failed(name))?;
        params
            .distinguished_name
            .push(DnType::CommonName, format!("redis-test-{name}"));
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &issuer).context(|| failed(name))?;
        Ok::<_, crate::error::Error>((cert.pem(), key.serialize_pem()))
    };
    // rcgen reads a SAN that parses as an IP address as an IP SAN, the rest as DNS names.
    let (server_pem, server_key_pem) = leaf(
        "server",
        vec!["127.0.0.1".into(), "localhost".into()],
        ExtendedKeyUsagePurpose::ServerAuth,
    )?;
    let (client_pem, client_key_pem) =
        leaf("client", Vec::new(), ExtendedKeyUsagePurpose::ClientAuth)?;

    let certs = Certs {
        ca: dir.join("ca.crt"),
        server_cert: dir.join("server.crt"),
        server_key: dir.join("server.key"),
        client_cert: dir.join("client.crt"),
        client_key: dir.join("client.key"),
    };
    write(&certs.ca, &ca_cert.pem(), 0o644)?;
    write(&dir.join("ca.key"), &issuer.key().serialize_pem(), 0o600)?;
    write(&certs.server_cert, &server_pem, 0o644)?;
    write(&certs.server_key, &server_key_pem, 0o600)?;
    write(&certs.client_cert, &client_pem, 0o644)?;
    write(&certs.client_key, &client_key_pem, 0o600)?;
    Ok(certs)
}

/// Writes a file with `mode`, replacing it; keys are kept private to the user.
fn write(path: &Path, contents: &str, mode: u32) -> Result<()> {
    // Removed first because the mode only applies to a newly created file.
    let _ = fs::remove_file(path);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .and_then(|mut file| file.write_all(contents.as_bytes()))
        .context(|| format!("writing {}", path.display()))
}
