//! Runs the real `baton-workato` binary as a child process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A distinctive API key: tests scan every output for it.
pub const SECRET_KEY: &str = "wrk-TOPSECRET-9f3c2e71-do-not-print";

/// The entitlement the just-in-time tests grant: the Operator role.
pub const OPERATOR: &str = "role:Operator:collaborator-has";
/// Its grant to collaborator 1002 (Carol, who holds no role in the default workspace).
pub const OPERATOR_GRANT: &str = "role:Operator:collaborator-has:collaborator:1002";
/// The flags granting [`OPERATOR`] to collaborator 1002.
pub const GRANT_OPERATOR: [&str; 6] = [
    "--grant-entitlement",
    OPERATOR,
    "--grant-principal",
    "1002",
    "--grant-principal-type",
    "collaborator",
];

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

/// The Go-written fixtures, kept once in the workspace beside the c1z reader tests.
fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the CLI crate sits in the workspace")
        .join("baton-model/tests/fixtures")
}

/// A fixture file (`workato-small.c1z`, and what the Go `baton` CLI printed for it).
pub fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

/// The binary cargo built for these tests.
pub fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_baton-workato"))
}

/// A command for the binary run in `dir`, inheriting no configuration (`BATON_*`), proxy
/// (`*_PROXY`) or trust-store (`SSL_CERT_FILE`, `SSL_CERT_DIR`) variable from the test's
/// environment: a test sets what it means.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars_os() {
        let name = k.to_string_lossy().to_ascii_uppercase();
        if name.starts_with("BATON_")
            || name.ends_with("_PROXY")
            || name == "SSL_CERT_FILE"
            || name == "SSL_CERT_DIR"
        {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// The last line of stderr: the error report a person reads.
pub fn error_line(out: &Output) -> &str {
    out.stderr.lines().last().unwrap_or_default()
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
