//! Where the test servers' files live: everything under `<workspace>/target/redis-servers`.

use std::path::{Path, PathBuf};

/// Absolute paths of the installs, certificates, run directories and the env file.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The workspace root (parent of the xtask crate).
    pub root: PathBuf,
    /// `target/redis-servers`: everything the xtask creates.
    pub base: PathBuf,
    /// The Python venv holding Redis 8.2.3 and the modules.
    pub venv: PathBuf,
    /// Generated CA, server and client certificates.
    pub certs: PathBuf,
    /// One directory per running server (pidfile, log, data); removed by `down`.
    pub run: PathBuf,
    /// Output of install steps, kept for diagnosis.
    pub logs: PathBuf,
    /// The `KEY=VALUE` file the tests read.
    pub env_file: PathBuf,
}

impl Layout {
    /// The layout of this workspace, found from where the xtask crate was compiled, so it does
    /// not depend on the current directory.
    pub fn of_workspace() -> Self {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = manifest.parent().unwrap_or(manifest).to_path_buf();
        let base = root.join("target").join("redis-servers");
        Self {
            venv: base.join("venv"),
            certs: base.join("certs"),
            run: base.join("run"),
            logs: base.join("logs"),
            env_file: base.join("servers.env"),
            root,
            base,
        }
    }

    /// The run directory of the server called `name`.
    pub fn run_dir(&self, name: &str) -> PathBuf {
        self.run.join(name)
    }
}
