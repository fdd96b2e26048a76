//! `newest-deps`: the published crates built against the newest dependencies their version
//! requirements allow, with warnings denied, so a deprecation in a new release of a dependency
//! (as rustls 0.23.48 deprecating its ring provider) is seen here before a user's fresh build
//! prints it.
//!
//! The workspace is copied (without any `target/` or `.git`) to a scratch directory under
//! `target/`, `cargo update` runs there (ignoring the workspace's `rust-version`, as a user's
//! project on a current toolchain would), and clippy checks the crates with `-D warnings`, in
//! a target directory of the scratch copy's own. Clippy rather than `cargo build`: rustc's
//! deprecation and other warnings come from type checking, which clippy runs (with the build
//! scripts, aws-lc-sys's C build included), and code generation would only add time. The real Cargo.lock is never touched, and the
//! scratch copy is removed afterwards, whatever happened.

use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::cmd::{describe, run_for_exit_code};
use crate::error::{Context, Result};
use crate::layout::Layout;

/// The crates a user depends on: what a downstream build compiles.
const PACKAGES: [&str; 3] = ["redis-core", "redis-mapper-derive", "redis-mapper"];

/// Copies the workspace, updates its lock file and checks [`PACKAGES`] with every feature and
/// warnings denied; the exit code is the first failing step's.
pub fn run(layout: &Layout) -> Result<ExitCode> {
    let started = Instant::now();
    let scratch = layout.root.join("target").join("newest-deps");
    if scratch.exists() {
        fs::remove_dir_all(&scratch)
            .context(|| format!("removing the old scratch copy {}", scratch.display()))?;
    }
    let workspace = scratch.join("workspace");
    copy_tree(&layout.root, &workspace)?;
    let outcome = check(layout, &workspace, &scratch.join("target"));
    let removed = fs::remove_dir_all(&scratch)
        .context(|| format!("removing the scratch copy {}", scratch.display()));
    let code = outcome?;
    removed?;
    eprintln!(
        "[xtask] newest-deps: {} in {:.0}s",
        if code == ExitCode::SUCCESS {
            "passed"
        } else {
            "FAILED"
        },
        started.elapsed().as_secs_f64()
    );
    Ok(code)
}

/// `cargo update`, then clippy over the published crates with warnings denied.
fn check(layout: &Layout, workspace: &Path, target: &Path) -> Result<ExitCode> {
    let cargo = || {
        let mut command = crate::cargo(layout);
        command
            .current_dir(workspace)
            .env("CARGO_TARGET_DIR", target);
        command
    };
    let mut update = cargo();
    // The newest releases, as a user's project on a current toolchain resolves them: not held
    // back to the workspace's `rust-version` (1.85), which would keep e.g. `time` and `uuid`
    // releases that need a newer compiler out of sight.
    update
        .arg("update")
        .env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "allow");
    let mut clippy = cargo();
    clippy.args(["clippy", "--quiet", "--all-features", "--lib"]);
    for package in PACKAGES {
        clippy.args(["-p", package]);
    }
    clippy.args(["--", "-D", "warnings"]);
    for command in [&mut update, &mut clippy] {
        eprintln!("[xtask] newest-deps: {}", describe(command));
        let code = run_for_exit_code(command)?;
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Copies `from` to `to` recursively, leaving out `.git` and every `target` directory (the
/// workspace's and those of bench/ and fuzz/); symbolic links are copied as links.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).context(|| format!("creating {}", to.display()))?;
    let entries = fs::read_dir(from).context(|| format!("listing {}", from.display()))?;
    for entry in entries {
        let entry = entry.context(|| format!("listing {}", from.display()))?;
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (source, dest) = (entry.path(), to.join(&name));
        let kind = entry
            .file_type()
            .context(|| format!("reading {}", source.display()))?;
        if kind.is_dir() {
            copy_tree(&source, &dest)?;
        } else if kind.is_symlink() {
            let link =
                fs::read_link(&source).context(|| format!("reading {}", source.display()))?;
            std::os::unix::fs::symlink(&link, &dest)
                .context(|| format!("linking {}", dest.display()))?;
        } else {
            fs::copy(&source, &dest)
                .context(|| format!("copying {} to {}", source.display(), dest.display()))?;
        }
    }
    Ok(())
}
