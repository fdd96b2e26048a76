//! TLS against Redis 7.0's TLS port (`tls-auth-clients optional`), with the
//! certificates `cargo xtask servers up` generated: who is trusted, which
//! name must match, and mutual TLS.

#![allow(clippy::unwrap_used)]

use redis_core::{Addr, Client, Cmd, Config, ErrorKind, Protocol, TlsConfig};
use redis_tests::{TempServer, Version, servers};

fn tls_addr() -> Addr {
    parse_addr(servers().redis7_tls())
}

fn parse_addr(text: &str) -> Addr {
    let (host, port) = text.rsplit_once(':').expect("an address is host:port");
    Addr::Tcp {
        host: host.to_owned(),
        port: port.parse().expect("REDIS7_TLS has a numeric port"),
    }
}

fn ca() -> TlsConfig {
    TlsConfig::new()
        .with_ca_file(servers().get("TLS_CA"))
        .expect("the test CA reads")
}

fn with_client_cert(tls: TlsConfig) -> TlsConfig {
    let s = servers();
    tls.with_client_cert_files(s.get("TLS_CLIENT_CERT"), s.get("TLS_CLIENT_KEY"))
        .expect("the test client certificate reads")
}

async fn round_trip(client: &Client) -> String {
    Cmd::new("ECHO")
        .arg("over tls")
        .query(client)
        .await
        .expect("ECHO over TLS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_with_the_servers_ca_over_both_protocols() {
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        let config = Config::new(tls_addr())
            .with_tls(ca())
            .with_protocol(protocol);
        let client = Client::connect(config).await.unwrap();
        assert_eq!(round_trip(&client).await, "over tls", "{protocol:?}");
        // A dedicated connection goes over TLS too.
        let blocked: Option<(String, String)> = Cmd::new("BLPOP")
            .arg("tls:nothing")
            .arg(0.05)
            .query(&client)
            .await
            .unwrap();
        assert_eq!(blocked, None);
        client.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rediss_url_carries_the_ca_and_client_certificate() {
    let s = servers();
    let url = format!(
        "rediss://{}/?ssl_ca_certs={}&ssl_certfile={}&ssl_keyfile={}",
        s.redis7_tls(),
        s.get("TLS_CA"),
        s.get("TLS_CLIENT_CERT"),
        s.get("TLS_CLIENT_KEY"),
    );
    let client = Client::connect(url.as_str()).await.unwrap();
    assert_eq!(round_trip(&client).await, "over tls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_issuer_is_not_trusted_is_refused() {
    // The built-in roots do not hold the test CA.
    let config = Config::new(tls_addr()).with_tls(TlsConfig::new());
    let err = Client::connect(config)
        .await
        .expect_err("an untrusted certificate was accepted");
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert_eq!(err.node(), Some(servers().redis7_tls()), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_name_is_refused() {
    let config = Config::new(tls_addr()).with_tls(ca().with_server_name("redis.example.com"));
    let err = Client::connect(config)
        .await
        .expect_err("a certificate for another name was accepted");
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    assert!(err.to_string().to_lowercase().contains("name"), "{err}");
    // The certificate names localhost as well as 127.0.0.1.
    let config = Config::new(tls_addr()).with_tls(ca().with_server_name("localhost"));
    let client = Client::connect(config).await.unwrap();
    assert_eq!(round_trip(&client).await, "over tls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_any_certificate_connects_without_the_ca() {
    let config =
        Config::new(tls_addr()).with_tls(TlsConfig::new().dangerously_accept_any_certificate());
    let client = Client::connect(config).await.unwrap();
    assert_eq!(round_trip(&client).await, "over tls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_needs_the_client_certificate_when_the_server_requires_one() {
    let server = TempServer::start_with_tls(Version::Redis7, "yes", &[]);
    let addr = parse_addr(&server.tls_addr());
    let with_cert = Config::new(addr.clone()).with_tls(with_client_cert(ca()));
    let client = Client::connect(with_cert).await.unwrap();
    assert_eq!(round_trip(&client).await, "over tls");

    let without = Config::new(addr).with_tls(ca());
    let err = Client::connect(without)
        .await
        .expect_err("the server took a client without a certificate");
    assert!(
        matches!(err.kind(), ErrorKind::Tls | ErrorKind::Io),
        "{:?}: {err}",
        err.kind()
    );
}

#[test]
fn unusable_pem_is_an_error_not_a_panic() {
    let err = TlsConfig::new()
        .with_ca_pem(b"not a certificate")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    let cert = std::fs::read(servers().get("TLS_CLIENT_CERT")).unwrap();
    let err = TlsConfig::new()
        .with_client_cert_pem(
            &cert,
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    let err = TlsConfig::new()
        .with_ca_file("/no/such/ca.crt")
        .unwrap_err();
    assert!(err.to_string().contains("/no/such/ca.crt"), "{err}");
}
