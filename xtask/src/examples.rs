//! Every program in `examples/examples/` run against the test servers, after the tests: an
//! example that no longer works is a failing test, not a stale page.

use std::fs;
use std::process::ExitCode;

use crate::error::{Context, Result};
use crate::layout::Layout;
use crate::{SERVERS_ENV_VAR, cargo, cmd};

/// Runs each example (already built by `cargo test`) with the servers up; the first failure
/// ends the run with its exit code.
pub fn run_all(layout: &Layout) -> Result<ExitCode> {
    for name in names(layout)? {
        let mut command = cargo(layout);
        command
            .args(["run", "--quiet", "-p", "redis-examples", "--example", &name])
            .env(SERVERS_ENV_VAR, &layout.env_file);
        eprintln!("[xtask] example {name}");
        let code = cmd::run_for_exit_code(&mut command)?;
        if code != ExitCode::SUCCESS {
            eprintln!("error: the example `{name}` failed");
            return Ok(code);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The examples' names, sorted, from the file names under `examples/examples/`.
fn names(layout: &Layout) -> Result<Vec<String>> {
    let dir = layout.root.join("examples").join("examples");
    let entries = fs::read_dir(&dir).context(|| format!("listing {}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry
            .context(|| format!("listing {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                names.push(stem.to_owned());
            }
        }
    }
    names.sort();
    Ok(names)
}
