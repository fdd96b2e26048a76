//! Starting one daemonized Redis process and stopping all of them, by their pidfiles.
//!
//! Every process gets its own directory under the run dir holding its pidfile and log, so
//! `down` finds everything that was started, even after an `up` that failed halfway.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::cmd::{self, read_lossy, run, tail};
use crate::error::{Context, Result, bail};
use crate::layout::Layout;
use crate::resp;

/// A daemonizing server forks and returns at once; this bounds a hung start.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for a started server to answer PING (it loads modules first).
const PING_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a server may take to exit after SIGTERM before it gets SIGKILL.
const TERM_TIMEOUT: Duration = Duration::from_secs(10);
/// Poll interval of every readiness loop.
pub const POLL: Duration = Duration::from_millis(50);

/// Polls `ready` every [`POLL`] until it holds or `timeout` passes; says whether it held.
pub fn wait_until(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if ready() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(POLL);
    }
}

/// Starts `bin` as server `name` on `port`, loopback only and without persistence, then waits
/// until it answers PING.
pub fn start(layout: &Layout, name: &str, port: u16, bin: &Path, extra: &[OsString]) -> Result<()> {
    start_with_env(layout, name, port, bin, extra, &[])
}

/// [`start`] with extra environment variables for the server process only.
pub fn start_with_env(
    layout: &Layout,
    name: &str,
    port: u16,
    bin: &Path,
    extra: &[OsString],
    env: &[(&str, &Path)],
) -> Result<()> {
    let dir = layout.run_dir(name);
    fs::create_dir_all(&dir).context(|| format!("creating {}", dir.display()))?;
    let mut command = Command::new(bin);
    command
        .arg("--port")
        .arg(port.to_string())
        .args(["--bind", "127.0.0.1", "--daemonize", "yes", "--save", ""])
        .args(["--appendonly", "no", "--enable-debug-command", "yes"])
        .arg("--dir")
        .arg(&dir)
        .arg("--logfile")
        .arg(dir.join("log"))
        .arg("--pidfile")
        .arg(dir.join("pid"))
        .args(extra)
        .envs(env.iter().copied());
    launch(name, port, &dir, &mut command)
}

/// Starts a sentinel from its config file (which it rewrites, so it lives in the run dir).
pub fn start_sentinel(
    layout: &Layout,
    name: &str,
    port: u16,
    bin: &Path,
    conf: &str,
) -> Result<()> {
    let dir = layout.run_dir(name);
    fs::create_dir_all(&dir).context(|| format!("creating {}", dir.display()))?;
    let conf_path = dir.join("sentinel.conf");
    fs::write(&conf_path, conf).context(|| format!("writing {}", conf_path.display()))?;
    let mut command = Command::new(bin);
    command.arg(&conf_path).arg("--sentinel");
    launch(name, port, &dir, &mut command)
}

/// Runs a daemonizing start command and waits for PING: `--daemonize yes` exits 0 even when
/// the server dies right after forking, so only an answer proves it runs.
fn launch(name: &str, port: u16, dir: &Path, command: &mut Command) -> Result<()> {
    let out = dir.join("start.out");
    let done = run(command, &out, LAUNCH_TIMEOUT)?;
    let log = dir.join("log");
    if !done.status.success() {
        bail!(
            "{name} failed to start ({}): {}\n{}\nlast lines of {}:\n{}",
            done.status,
            cmd::describe(command),
            tail(&done.output, 10),
            log.display(),
            tail(&read_lossy(&log), 10)
        );
    }
    let pidfile = dir.join("pid");
    let mut exited = false;
    let answered = wait_until(PING_TIMEOUT, || {
        // A server that died after writing its pidfile will never answer: stop waiting.
        exited = read_pid(&pidfile).is_some_and(|pid| !is_alive(pid));
        exited || resp::ping(resp::local(port))
    });
    if exited || !answered {
        let why = if exited {
            "exited during startup".to_string()
        } else {
            format!("did not answer PING within {}s", PING_TIMEOUT.as_secs())
        };
        bail!(
            "{name} (127.0.0.1:{port}) {why}; last lines of {}:\n{}",
            log.display(),
            tail(&read_lossy(&log), 10)
        );
    }
    Ok(())
}

/// The pid in a pidfile, if it holds one.
fn read_pid(pidfile: &Path) -> Option<u32> {
    read_lossy(pidfile).trim().parse().ok()
}

/// The pids in the pidfiles under the run dir, with the file each came from.
pub fn pidfiles(layout: &Layout) -> Vec<(PathBuf, Option<u32>)> {
    let Ok(entries) = fs::read_dir(&layout.run) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, Option<u32>)> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join("pid"))
        .filter(|path| path.is_file())
        .map(|path| {
            let pid = read_pid(&path);
            (path, pid)
        })
        .collect();
    found.sort();
    found
}

/// Whether `pid` is a live Redis (or Valkey) process; a recycled pid of another program is not
/// ours.
pub fn is_live_redis(pid: u32) -> bool {
    is_alive(pid) && {
        let cmdline = read_lossy(&Path::new("/proc").join(pid.to_string()).join("cmdline"));
        cmdline.contains("redis") || cmdline.contains("valkey")
    }
}

/// Whether `pid` runs; a zombie has exited and counts as gone.
fn is_alive(pid: u32) -> bool {
    let stat = read_lossy(&Path::new("/proc").join(pid.to_string()).join("stat"));
    match stat.rsplit_once(')') {
        Some((_, rest)) => !rest.trim_start().starts_with('Z'),
        None => false,
    }
}

/// Stops every Redis process with a pidfile under the run dir (SIGTERM, then SIGKILL after
/// [`TERM_TIMEOUT`]) and removes the run dir. Returns how many were stopped.
pub fn stop_all(layout: &Layout) -> Result<usize> {
    let pids: Vec<u32> = pidfiles(layout)
        .into_iter()
        .filter_map(|(_, pid)| pid)
        .filter(|&pid| is_live_redis(pid))
        .collect();
    stop(&pids, &layout.logs.join("kill.log"))?;
    if layout.run.exists() {
        fs::remove_dir_all(&layout.run).context(|| format!("removing {}", layout.run.display()))?;
    }
    Ok(pids.len())
}

/// Stops the test harness's throw-away servers (`TempServer`) that outlived their test
/// process (a test binary that aborted or was killed never ran their `Drop`). They are
/// found by their working directory: redis-server moves into its `--dir`, which for them is
/// `redis-temp-*` under the temp dir. Returns how many were stopped.
pub fn stop_orphaned_temp_servers(layout: &Layout) -> Result<usize> {
    let temp = std::env::temp_dir();
    let pids: Vec<u32> = fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| {
                    fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| {
                        cwd.strip_prefix(&temp)
                            .is_ok_and(|rest| rest.to_string_lossy().starts_with("redis-temp-"))
                    })
                })
                .filter(|&pid| is_live_redis(pid))
                .collect()
        })
        .unwrap_or_default();
    stop(&pids, &layout.logs.join("kill.log"))?;
    Ok(pids.len())
}

/// SIGTERM to each of `pids`, SIGKILL to those still there after [`TERM_TIMEOUT`].
fn stop(pids: &[u32], log: &Path) -> Result<()> {
    for &pid in pids {
        // A failure here means it exited meanwhile; the wait below tells.
        let _ = run(
            Command::new("kill").arg(pid.to_string()),
            log,
            LAUNCH_TIMEOUT,
        );
    }
    if wait_until(TERM_TIMEOUT, || pids.iter().all(|&pid| !is_alive(pid))) {
        return Ok(());
    }
    for &pid in pids.iter().filter(|&&pid| is_live_redis(pid)) {
        eprintln!(
            "[xtask] pid {pid} ignored SIGTERM for {}s, sending SIGKILL",
            TERM_TIMEOUT.as_secs()
        );
        let _ = run(
            Command::new("kill").args(["-9", &pid.to_string()]),
            log,
            LAUNCH_TIMEOUT,
        );
    }
    if !wait_until(TERM_TIMEOUT, || pids.iter().all(|&pid| !is_alive(pid))) {
        bail!(
            "some of the pids {pids:?} survived SIGKILL; see `ps -p {}`",
            pids.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
    }
    Ok(())
}
