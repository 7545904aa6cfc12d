//! `demo` syncs the embedded fake workspace into a c1z; `demo --serve` keeps it running.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{command, run, GRANT_OPERATOR};

#[test]
fn demo_writes_a_c1z_and_says_what_to_try() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["demo"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("sync.c1z").exists());
    // Volatile parts: the fake's port and the elapsed time.
    let mut text = String::new();
    for line in out.stdout.lines() {
        let line = match line.find("http://127.0.0.1:") {
            Some(at) => {
                let port_at = at + "http://127.0.0.1:".len();
                let digits = line[port_at..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(line.len() - port_at);
                let end = port_at + digits;
                format!("{}[FAKE_URL]{}", &line[..at], &line[end..])
            }
            None => line.to_string(),
        };
        let line = match (line.starts_with("synced "), line.rsplit_once(", ")) {
            (true, Some((head, _))) => format!("{head}, [ELAPSED]"),
            _ => line,
        };
        text.push_str(&line);
        text.push('\n');
    }
    insta::assert_snapshot!("demo_stdout", text);
    // The file opens and holds the seeded collaborators.
    let out = run(
        dir.path(),
        &["inspect", "resources", "--resource-type", "collaborator"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1 + 7, "{}", out.stdout);
}

#[test]
fn demo_serve_keeps_the_fake_running() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path(), &["demo", "--serve", "-f", "demo.c1z"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut export = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("export ") {
            export = Some(rest.to_string());
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let export = export.expect("the export hint");
    let env: Vec<(String, String)> = export
        .split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    assert_eq!(env[0].0, "BATON_WORKATO_BASE_URL");
    assert_eq!(env[1].0, "BATON_WORKATO_API_KEY");
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // The printed hint works: a grant against the served fake, using the demo's c1z.
    let out = run(
        dir.path(),
        &[&["-f", "demo.c1z"][..], &GRANT_OPERATOR].concat(),
        &env_ref,
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "granted role:Operator:collaborator-has to collaborator:1002 (grant role:Operator:collaborator-has:collaborator:1002)\n"
    );
}

#[test]
fn capabilities_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["capabilities"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stdout.ends_with('\n'),
        "baton prints no trailing newline"
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["@type"],
        "type.googleapis.com/c1.connector.v2.ConnectorCapabilities"
    );
    insta::assert_snapshot!("capabilities", out.stdout);
}
