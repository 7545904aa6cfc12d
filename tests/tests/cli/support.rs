//! Runs the real `baton-workato` binary as a child process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A distinctive API key: tests scan every output for it.
pub const SECRET_KEY: &str = "wrk-TOPSECRET-9f3c2e71-do-not-print";

/// What a run printed and returned.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// The workspace root (parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests crate sits in the workspace")
        .to_path_buf()
}

/// A fixture file of this crate.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The binary, built once per test run with the same cargo and profile as the tests. The tests
/// crate cannot see the binary through `CARGO_BIN_EXE_*` (that works only inside the package
/// that owns it). The build selects what `cargo test --workspace` selects (every package, with
/// dev-dependencies), so the feature set is the same and it is a no-op there.
pub fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable path");
        // target/<profile>/deps/<test> -> target/<profile>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test executable lives in target/<profile>/deps")
            .to_path_buf();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.current_dir(workspace_root()).args([
            "build",
            "--quiet",
            "-p",
            "baton-workato-cli",
            "--bin",
            "baton-workato",
        ]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        if let Some(target) = profile_dir.parent() {
            build.env("CARGO_TARGET_DIR", target);
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "cargo build of baton-workato failed");
        let bin = profile_dir.join(format!("baton-workato{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "{} missing after build", bin.display());
        bin
    })
}

/// A command for the binary with a clean `BATON_*` environment, run in `dir`.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("BATON_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// Runs `cmd` to completion (blocking).
pub fn output(mut cmd: Command) -> Output {
    let out = cmd.output().expect("spawn baton-workato");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary in `dir` with `args` and extra environment variables.
pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(dir, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    output(cmd)
}

/// [`run`] from async tests: the fake server keeps serving on the test's runtime meanwhile.
pub async fn run_async(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run(&dir, &args, &env)
    })
    .await
    .expect("join the child process runner")
}

/// Replaces a temp directory path in text so snapshots are stable.
pub fn redact_dir(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "[DIR]")
}

/// A fake Workato workspace (the default seed) accepting `token`.
pub async fn fake_with_token(token: &str) -> workato_api::fake::FakeWorkato {
    let mut seed = workato_api::fake::Seed::default_workspace();
    seed.token = token.to_string();
    workato_api::fake::FakeWorkato::start(seed)
        .await
        .expect("start the fake Workato server")
}

/// Environment pointing the binary at `fake` with its token.
pub fn fake_env(fake: &workato_api::fake::FakeWorkato) -> Vec<(String, String)> {
    vec![
        ("BATON_WORKATO_BASE_URL".into(), fake.url()),
        ("BATON_WORKATO_API_KEY".into(), fake.token().to_string()),
    ]
}

/// [`run_async`] with an owned environment.
pub async fn run_env(dir: &Path, args: &[&str], env: &[(String, String)]) -> Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    run_async(dir, args, &env).await
}

/// The decompressed SQLite bytes of a c1z.
pub fn c1z_payload(path: &Path) -> Vec<u8> {
    let mut tmp = tempfile::tempfile().expect("temp file");
    baton_model::c1z::framing::decompress_to(path, &mut tmp, 1 << 30).expect("decompress c1z");
    use std::io::{Read, Seek};
    tmp.rewind().expect("rewind");
    let mut bytes = Vec::new();
    tmp.read_to_end(&mut bytes).expect("read payload");
    bytes
}

/// The number in `text` right before `label` (`"12 grants"` -> 12).
pub fn count_before(text: &str, label: &str) -> u64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} in {text:?}"));
    text[..at]
        .trim_end()
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("number before {label:?} in {text:?}"))
}
