//! The single-process setups: Redis 8.2.3 with the modules (`stack`), Debian's Redis 7.0
//! serving a plain port and a TLS port in one process (`redis7`), and Valkey 8.1.8 (`valkey`).

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::certs::{self, Certs};
use crate::cmd::{read_lossy, run, tail};
use crate::error::{Context, Result, bail};
use crate::install::{Installed, REDIS_CLI, REDIS7_BIN};
use crate::layout::Layout;
use crate::ports::Ports;
use crate::server::{self, wait_until};

/// Bounds one `redis-cli` call: a TLS handshake against a wrong peer can hang.
const CLI_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the Redis 7.0 process listens.
#[derive(Debug, Clone)]
pub struct Redis7 {
    /// The plain port.
    pub port: u16,
    /// The TLS port (client certificates optional).
    pub tls_port: u16,
    /// The certificates it serves and trusts.
    pub certs: Certs,
}

/// Starts Redis 8.2.3 with RediSearch, RedisJSON, RedisBloom, RedisTimeSeries and the graph
/// module (FalkorDB); returns its port. Only this process gets OpenSSL 1.1 on its
/// `LD_LIBRARY_PATH`.
pub fn start_stack(layout: &Layout, installed: &Installed) -> Result<u16> {
    let port = Ports::default().pick()?;
    let mut args = Vec::new();
    for module in installed
        .modules
        .iter()
        .chain([&installed.timeseries, &installed.graph])
    {
        args.push(OsString::from("--loadmodule"));
        args.push(module.into());
    }
    server::start_with_env(
        layout,
        "stack",
        port,
        &installed.redis8,
        &args,
        &[("LD_LIBRARY_PATH", &installed.openssl11)],
    )
    .context(|| {
        format!(
            "starting the stack server with redistimeseries.so and falkordb.so (OpenSSL 1.1 from {}; \
             remove that directory to rebuild it)",
            installed.openssl11.display()
        )
    })?;
    Ok(port)
}

/// Starts Valkey 8.1.8 (no modules, no TLS); returns its port.
pub fn start_valkey(layout: &Layout, installed: &Installed) -> Result<u16> {
    let port = Ports::default().pick()?;
    server::start(layout, "valkey", port, &installed.valkey, &[])?;
    Ok(port)
}

/// Makes fresh certificates and starts Redis 7.0 on a plain and a TLS port.
pub fn start_redis7(layout: &Layout) -> Result<Redis7> {
    let certs = certs::generate(&layout.certs)?;
    let (port, tls_port) = {
        let mut ports = Ports::default();
        (ports.pick()?, ports.pick()?)
    };
    let args: Vec<OsString> = vec![
        "--tls-port".into(),
        tls_port.to_string().into(),
        "--tls-cert-file".into(),
        certs.server_cert.clone().into(),
        "--tls-key-file".into(),
        certs.server_key.clone().into(),
        "--tls-ca-cert-file".into(),
        certs.ca.clone().into(),
        "--tls-auth-clients".into(),
        "optional".into(),
    ];
    server::start(layout, "redis7", port, Path::new(REDIS7_BIN), &args)?;
    let out = layout.run_dir("redis7").join("tls-ping.out");
    if !wait_until(Duration::from_secs(10), || {
        tls_ping(tls_port, &certs.ca, &out)
    }) {
        bail!(
            "Redis 7.0 answers on its plain port {port} but not with TLS on {tls_port}; \
             last redis-cli output:\n{}\nlast lines of its log:\n{}",
            tail(&read_lossy(&out), 5),
            tail(&read_lossy(&layout.run_dir("redis7").join("log")), 10)
        );
    }
    Ok(Redis7 {
        port,
        tls_port,
        certs,
    })
}

/// Whether the TLS port answers PING to a client trusting only our CA.
pub fn tls_ping(tls_port: u16, ca: &Path, out: &Path) -> bool {
    let mut command = Command::new(REDIS_CLI);
    command
        .args(["--tls", "--cacert"])
        .arg(ca)
        .args(["-p", &tls_port.to_string(), "ping"]);
    matches!(run(&mut command, out, CLI_TIMEOUT), Ok(done) if done.status.success() && done.output.trim() == "PONG")
}
