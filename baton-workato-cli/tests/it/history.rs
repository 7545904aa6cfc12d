//! Sync history in one c1z: every sync into the same `-f` file is added to it, `inspect syncs`
//! lists them, `inspect diff` shows what a just-in-time grant and its revoke changed, the
//! default retention keeps two full syncs, and two writers never corrupt the file.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::support::{
    command, error_line, fake_env, fake_with_token, run_env, GRANT_OPERATOR, OPERATOR as ENT,
    OPERATOR_GRANT as GRANT,
};

/// The sync ids `inspect syncs -o json` lists, oldest first.
async fn sync_ids(dir: &Path) -> Vec<String> {
    let out = run_env(dir, &["inspect", "syncs", "-o", "json"], &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    json["syncs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// `inspect diff -o json` of the last two syncs.
async fn diff_json(dir: &Path) -> Value {
    let out = run_env(dir, &["inspect", "diff", "-o", "json"], &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// Ids of the grants of one diff list that were granted directly (expanded grants carry the
/// entitlements they come from as `sources`).
fn direct_ids(diff: &Value, kind: &str) -> Vec<String> {
    diff["grants"][kind]
        .as_array()
        .map(|list| {
            list.iter()
                .filter(|g| g.get("sources").is_none())
                .map(|g| g["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Every grant of one diff list that came through expansion lists `from` among its sources.
fn expanded_all_from(diff: &Value, kind: &str, from: &str) -> usize {
    let list = diff["grants"][kind].as_array().cloned().unwrap_or_default();
    let expanded: Vec<&Value> = list.iter().filter(|g| g.get("sources").is_some()).collect();
    for g in &expanded {
        assert!(
            g["sources"]["sources"].get(from).is_some(),
            "{kind} grant not through {from}: {g}"
        );
        assert_eq!(g["principal"]["id"]["resource"], "1002", "{g}");
    }
    expanded.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_accumulate_and_diff_shows_the_grant_then_its_revoke() {
    let fake = fake_with_token("history-token").await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = fake_env(&fake);

    assert_eq!(run_env(d, &[], &env).await.code, 0);
    let first = sync_ids(d).await;
    assert_eq!(first.len(), 1);
    let out = run_env(d, &["inspect", "diff"], &[]).await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("holds 1 finished full sync"),
        "{}",
        out.stderr
    );

    let out = run_env(d, &GRANT_OPERATOR, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(run_env(d, &[], &env).await.code, 0);
    let second = sync_ids(d).await;
    assert_eq!(second.len(), 2, "both syncs are in the file");
    assert_eq!(second[0], first[0]);

    let diff = diff_json(d).await;
    assert_eq!(direct_ids(&diff, "created"), [GRANT], "{diff}");
    assert!(direct_ids(&diff, "deleted").is_empty(), "{diff}");
    assert!(direct_ids(&diff, "modified").is_empty(), "{diff}");
    assert!(
        expanded_all_from(&diff, "created", ENT) > 0,
        "the role brings privileges"
    );
    expanded_all_from(&diff, "modified", ENT);
    assert!(diff["grants"].get("deleted").is_none(), "{diff}");
    assert_eq!(diff["entitlements"], serde_json::json!({}));

    let table = run_env(d, &["inspect", "diff"], &[]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    let line = table
        .stdout
        .lines()
        .find(|l| l.starts_with("collaborator:1002"))
        .unwrap_or_else(|| panic!("no row for collaborator 1002:\n{}", table.stdout));
    assert!(
        line.contains("Carol Mbeki") && line.contains("gained") && line.contains(ENT),
        "{line}"
    );
    assert!(
        table.stdout.contains(&format!("through {ENT}")),
        "{}",
        table.stdout
    );

    // Keep a copy of the two-sync file to check BATON_KEEP_SYNC_COUNT below.
    let keep_dir = tempfile::tempdir().unwrap();
    std::fs::copy(d.join("sync.c1z"), keep_dir.path().join("sync.c1z")).unwrap();

    let out = run_env(d, &["--revoke-grant", GRANT], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(run_env(d, &[], &env).await.code, 0);
    let third = sync_ids(d).await;
    assert_eq!(third.len(), 2, "default retention keeps two full syncs");
    assert_eq!(third[0], second[1], "the oldest sync is gone");
    assert!(!third.contains(&first[0]));

    let diff = diff_json(d).await;
    assert!(
        direct_ids(&diff, "deleted").contains(&GRANT.to_string()),
        "{diff}"
    );
    assert_eq!(direct_ids(&diff, "deleted"), [GRANT], "{diff}");
    expanded_all_from(&diff, "deleted", ENT);

    // With BATON_KEEP_SYNC_COUNT=3 the third sync keeps the first.
    let mut keep_env = env.clone();
    keep_env.push(("BATON_KEEP_SYNC_COUNT".into(), "3".into()));
    assert_eq!(run_env(keep_dir.path(), &[], &keep_env).await.code, 0);
    let kept = sync_ids(keep_dir.path()).await;
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[..2], second[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_a_c1z_is_refused_and_kept() {
    let fake = fake_with_token("history-token").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.c1z");
    std::fs::write(&file, b"my notes, not a c1z").unwrap();
    let out = run_env(dir.path(), &[], &fake_env(&fake)).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let last = error_line(&out);
    assert!(
        last.contains("sync.c1z") && last.contains("not a readable c1z") && last.contains("delete"),
        "{last}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"my notes, not a c1z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_syncs_never_corrupt_the_file() {
    let fake = fake_with_token("history-token").await;
    // Slow answers keep both syncs running at the same time.
    fake.set_latency(Duration::from_millis(150));
    let dir = tempfile::tempdir().unwrap();
    let env = fake_env(&fake);
    let spawn = || {
        let mut cmd = command(dir.path(), &[]);
        for (k, v) in &env {
            cmd.env(k, v);
        }
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = tokio::task::spawn_blocking(move || {
        (a.wait_with_output().unwrap(), b.wait_with_output().unwrap())
    })
    .await
    .unwrap();
    let mut succeeded = 0;
    for out in [&a, &b] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            succeeded += 1;
        } else {
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(
                stderr.contains("is being written by another sync"),
                "a failure is only the lock's: {stderr}"
            );
        }
    }
    assert!(succeeded >= 1);
    // The published file is a complete c1z holding one sync per successful run.
    assert_eq!(sync_ids(dir.path()).await.len(), succeeded);
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "sync.c1z" && n != "sync.c1z.lock")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_reading_the_file_during_a_sync_sees_a_complete_file() {
    let fake = fake_with_token("history-token").await;
    let dir = tempfile::tempdir().unwrap();
    let env = fake_env(&fake);
    assert_eq!(run_env(dir.path(), &[], &env).await.code, 0);

    fake.set_latency(Duration::from_millis(100));
    let mut cmd = command(dir.path(), &[]);
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let mut sync = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // A one-shot grant while the sync runs reads the previous complete file.
    let out = run_env(dir.path(), &GRANT_OPERATOR, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Readers while the sync runs and renames: each sees the old or the new complete file.
    while sync.try_wait().unwrap().is_none() {
        let out = run_env(dir.path(), &["inspect", "syncs", "-o", "json"], &[]).await;
        assert_eq!(out.code, 0, "a reader saw a broken file: {}", out.stderr);
    }
    assert!(sync.wait().unwrap().success());
    assert_eq!(sync_ids(dir.path()).await.len(), 2);
}
