//! Running external programs with a deadline, their output kept in a file.
//!
//! Output goes to a file rather than a pipe: a daemonizing server or apt's helpers can keep a
//! pipe open after the command returns, and a full pipe would block a child nobody reads.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Context, Result, bail};

/// How a finished command went.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Its stdout and stderr, interleaved.
    pub output: String,
}

/// Runs `cmd` with no stdin, its output in `log`, killing it after `timeout`.
pub fn run(cmd: &mut Command, log: &Path, timeout: Duration) -> Result<Finished> {
    let shown = describe(cmd);
    if let Some(dir) = log.parent() {
        fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
    }
    let out = File::create(log).context(|| format!("creating {}", log.display()))?;
    let err = out
        .try_clone()
        .context(|| format!("duplicating {}", log.display()))?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .context(|| format!("starting `{shown}` (is it installed and on PATH?)"))?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .context(|| format!("waiting for `{shown}`"))?
        {
            break status;
        }
        if Instant::now() >= deadline {
            // Best effort: the child may have exited between try_wait and kill.
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "`{shown}` did not finish within {}s; its output is in {}:\n{}",
                timeout.as_secs(),
                log.display(),
                tail(&read_lossy(log), 20)
            );
        }
        thread::sleep(Duration::from_millis(20));
    };
    Ok(Finished {
        status,
        output: read_lossy(log),
    })
}

/// Like [`run`], but a non-zero exit is an error that shows the output's last lines.
pub fn run_ok(cmd: &mut Command, log: &Path, timeout: Duration) -> Result<String> {
    let shown = describe(cmd);
    let done = run(cmd, log, timeout)?;
    if !done.status.success() {
        bail!(
            "`{shown}` failed ({}); last lines of {}:\n{}",
            done.status,
            log.display(),
            tail(&done.output, 20)
        );
    }
    Ok(done.output)
}

/// The file's text, or empty when it cannot be read (it is only shown to people).
pub fn read_lossy(path: &Path) -> String {
    fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The command line as a person would type it, for messages.
pub fn describe(cmd: &Command) -> String {
    let mut shown = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}

/// Runs `cmd` in the foreground (its output goes to ours) and returns its exit
/// code; a child killed by a signal gets the shell's 128+N convention.
pub fn run_for_exit_code(cmd: &mut Command) -> Result<std::process::ExitCode> {
    use std::os::unix::process::ExitStatusExt;
    let shown = describe(cmd);
    let status = cmd.status().context(|| format!("running `{shown}`"))?;
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1);
    Ok(std::process::ExitCode::from(
        u8::try_from(code).unwrap_or(1),
    ))
}
