//! The venv of the object-mapper table's Python columns: Redis OM Python 1.2 and redis-py,
//! pinned, in `target/redis-servers/bench-venv` (apart from the test servers' venv, whose
//! pins it must not disturb). Optional: without it the Rust rows still run.

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::cmd::{run, run_ok};
use crate::error::{Context, Result};
use crate::layout::Layout;

/// Redis OM Python 1.2 and what it runs on, pinned to the versions measured in bench/README.md.
const REQUIREMENTS: &str = "\
redis-om==1.2.0
redis==8.2.0
hiredis==3.5.0
pydantic==2.14.4
";

/// What the venv must answer to be taken as complete.
const PROBE: &str = "import redis_om, redis, hiredis, importlib.metadata as m; \
                     assert m.version('redis-om') == '1.2.0', m.version('redis-om'); \
                     assert m.version('redis') == '8.2.0', m.version('redis')";

/// pip gets minutes, not forever.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// Creating a venv or importing a module takes seconds.
const QUICK_TIMEOUT: Duration = Duration::from_secs(120);

/// The venv's interpreter, made and filled when missing; an error says why it cannot be
/// (no network for pip, no venv support), for the caller to print before going on without it.
pub fn ensure(layout: &Layout) -> Result<PathBuf> {
    let venv = layout.base.join("bench-venv");
    let python = venv.join("bin").join("python");
    let probe_log = layout.logs.join("bench-venv-probe.log");
    let complete = |python: &PathBuf| {
        matches!(
            run(Command::new(python).args(["-c", PROBE]), &probe_log, QUICK_TIMEOUT),
            Ok(done) if done.status.success()
        )
    };
    if python.exists() && complete(&python) {
        return Ok(python);
    }
    if !python.exists() {
        if venv.exists() {
            fs::remove_dir_all(&venv)
                .context(|| format!("removing the broken venv {}", venv.display()))?;
        }
        eprintln!("[xtask] creating {}", venv.display());
        run_ok(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            &layout.logs.join("bench-venv.log"),
            QUICK_TIMEOUT,
        )?;
    }
    let requirements = layout.base.join("bench-requirements.txt");
    fs::write(&requirements, REQUIREMENTS)
        .context(|| format!("writing {}", requirements.display()))?;
    eprintln!("[xtask] pip install redis-om==1.2.0 redis==8.2.0 hiredis==3.5.0 pydantic==2.14.4");
    run_ok(
        Command::new(venv.join("bin").join("pip"))
            .args(["install", "-q", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        &layout.logs.join("bench-pip.log"),
        INSTALL_TIMEOUT,
    )
    .context(|| "installing Redis OM Python (network access to PyPI?)".to_string())?;
    if !complete(&python) {
        crate::error::bail!(
            "pip installed Redis OM Python but it does not import; see {}",
            probe_log.display()
        );
    }
    Ok(python)
}
