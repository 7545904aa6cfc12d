//! Runs the real `baton-workato` binary with a controlled environment.

use std::path::Path;
use std::process::{Command, Stdio};

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

/// Variables the runs must not inherit: configuration, proxies and trust stores.
fn inherited(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("BATON_")
        || upper.ends_with("_PROXY")
        || upper == "SSL_CERT_FILE"
        || upper == "SSL_CERT_DIR"
}

/// Runs the binary in `dir` with `args` and `env` on a blocking thread, so a fake server on the
/// test's runtime keeps serving meanwhile.
pub async fn run(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton-workato"));
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if inherited(&name.to_string_lossy()) {
            cmd.env_remove(name);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join the child runner")
        .expect("spawn baton-workato");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The environment pointing the binary at `url` with `token`.
pub fn workato_env(url: &str, token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("BATON_WORKATO_BASE_URL", url.to_owned()),
        ("BATON_WORKATO_API_KEY", token.to_owned()),
    ]
}

/// The last line of stderr: the error report a person reads.
pub fn error_line(out: &Output) -> &str {
    out.stderr.lines().last().unwrap_or_default()
}
