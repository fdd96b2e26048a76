//! A server of a test's own, for tests that kill, restart or stall one.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Version;
use crate::servers::servers;

/// A Redis process owned by one test: stopped (SIGKILL) when dropped.
#[derive(Debug)]
pub struct TempServer {
    version: Version,
    port: u16,
    dir: PathBuf,
    extra_args: Vec<String>,
    tls_port: Option<u16>,
    child: Option<Child>,
}

impl TempServer {
    /// Starts a fresh server of `version` on a free loopback port.
    pub fn start(version: Version) -> TempServer {
        TempServer::start_with(version, &[])
    }

    /// Starts one with extra `redis-server` arguments (`["--appendonly", "yes"]`).
    pub fn start_with(version: Version, extra_args: &[&str]) -> TempServer {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("redis-temp-{port}-{:08x}", fastrand::u32(..)));
        std::fs::create_dir_all(&dir).expect("create the server's directory");
        let mut server = TempServer {
            version,
            port,
            dir,
            extra_args: extra_args.iter().map(|a| (*a).to_owned()).collect(),
            tls_port: None,
            child: None,
        };
        server.spawn();
        server
    }

    /// Starts one that also listens with TLS, with the shared servers'
    /// certificates (`TLS_CA` and the `server.crt` / `server.key` beside
    /// it); `auth_clients` is `tls-auth-clients` (`yes`, `no`, `optional`);
    /// `extra_args` as for [`TempServer::start_with`]. Redis 7 has TLS built
    /// in; the Redis 8 binary the servers use does not.
    pub fn start_with_tls(version: Version, auth_clients: &str, extra_args: &[&str]) -> TempServer {
        let tls_port = free_port();
        let ca = PathBuf::from(servers().get("TLS_CA"));
        let dir = ca.parent().expect("TLS_CA is a file in a directory");
        let path = |name: &str| dir.join(name).display().to_string();
        let args = [
            "--tls-port".to_owned(),
            tls_port.to_string(),
            "--tls-cert-file".to_owned(),
            path("server.crt"),
            "--tls-key-file".to_owned(),
            path("server.key"),
            "--tls-ca-cert-file".to_owned(),
            ca.display().to_string(),
            "--tls-auth-clients".to_owned(),
            auth_clients.to_owned(),
        ];
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend_from_slice(extra_args);
        let mut server = TempServer::start_with(version, &args);
        server.tls_port = Some(tls_port);
        server
    }

    /// `127.0.0.1:<tls port>`, for a server started with TLS.
    pub fn tls_addr(&self) -> String {
        let port = self
            .tls_port
            .expect("started with TempServer::start_with_tls");
        format!("127.0.0.1:{port}")
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://{}", self.addr())
    }

    /// The data directory, kept across restarts.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Whether the process was started and not killed since.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills the server at once (SIGKILL: no goodbye to its clients).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and directory.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    fn spawn(&mut self) {
        let child = Command::new(binary(self.version))
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "no", "--enable-debug-command", "yes"])
            .arg("--dir")
            .arg(&self.dir)
            .args(&self.extra_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        wait_for_ping(self.port);
    }
}

impl Drop for TempServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The server to run: `REDIS8_BIN` / `REDIS7_BIN` / `VALKEY_BIN` when set (the soak
/// runs without the shared servers, so without servers.env), else the one
/// servers.env names.
fn binary(version: Version) -> String {
    let (var, from_servers): (&str, fn() -> &'static str) = match version {
        Version::Redis8 => ("REDIS8_BIN", || servers().redis8_bin()),
        Version::Redis7 => ("REDIS7_BIN", || servers().redis7_bin()),
        Version::Valkey8 => ("VALKEY_BIN", || servers().valkey_bin()),
    };
    std::env::var(var).unwrap_or_else(|_| from_servers().to_owned())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn wait_for_ping(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if ping(port) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the temporary redis-server on port {port} did not answer PING within 10 s");
}

fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0u8; 64];
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    // A server with a password answers NOAUTH, which also means it is up.
    matches!(stream.read(&mut reply), Ok(n) if reply[..n].starts_with(b"+PONG") || reply[..n].starts_with(b"-NOAUTH"))
}
