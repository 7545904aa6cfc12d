//! The default action against the fake workspace: summary line, API-call count, the c1z's
//! content through `inspect`, `--sync-resource-types`, and failed syncs leaving the previous
//! file byte-identical.

use workato_api::fake::Fault;

use crate::support::{count_before, fake_env, fake_with_token, run_env};

/// Summary with its volatile parts (temp dir, elapsed time) replaced.
fn stable_summary(stdout: &str) -> String {
    let line = stdout.trim_end();
    let (head, _elapsed) = line.rsplit_once(", ").expect("elapsed at the end");
    let path_end = head.find(": ").expect("path");
    format!("synced [FILE]{}", &head[path_end..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_then_inspect() {
    let fake = fake_with_token("sync-token").await;
    let dir = tempfile::tempdir().unwrap();
    let env = fake_env(&fake);
    let out = run_env(dir.path(), &[], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    // Every request the binary sent reached the fake, and nothing else did.
    assert_eq!(
        count_before(&out.stdout, " API calls"),
        fake.total_requests(),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!("sync_summary", stable_summary(&out.stdout));
    assert!(dir.path().join("sync.c1z").exists());

    // The c1z as people and tools read it.
    let cases: &[(&str, &[&str])] = &[
        ("fake_resource_types", &["inspect", "resource-types"]),
        ("fake_resources", &["inspect", "resources"]),
        ("fake_entitlements", &["inspect", "entitlements"]),
        (
            "fake_grants_of_erin",
            &["inspect", "grants", "--principal", "collaborator:1004"],
        ),
        (
            "fake_grants_on_admin",
            &["inspect", "grants", "--resource", "role:Admin"],
        ),
        (
            "fake_collaborator_json",
            &[
                "inspect",
                "resources",
                "-o",
                "json",
                "--resource",
                "collaborator:1000",
            ],
        ),
        (
            "fake_admin_grants_json",
            &[
                "inspect",
                "grants",
                "-o",
                "json",
                "--entitlement",
                "role:Admin:collaborator-has",
            ],
        ),
    ];
    for (name, args) in cases {
        let out = run_env(dir.path(), args, &[]).await;
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert_eq!(out.stderr, "", "{name}");
        let text = out.stdout.replace(&fake.url(), "[FAKE_URL]");
        insta::assert_snapshot!(*name, text);
    }
    // JSON listings parse and agree with the summary's counts.
    let all = run_env(dir.path(), &["inspect", "grants", "-o", "json"], &[]).await;
    let v: serde_json::Value = serde_json::from_str(&all.stdout).unwrap();
    assert_eq!(
        v["grants"].as_array().unwrap().len() as u64,
        count_before(&out.stdout, " grants")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_resource_types_limits_the_sync_and_rejects_unknown_ids() {
    let fake = fake_with_token("types-token").await;
    let dir = tempfile::tempdir().unwrap();
    let env = fake_env(&fake);
    let out = run_env(
        dir.path(),
        &["--sync-resource-types", "collaborator,role"],
        &env,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let types = run_env(dir.path(), &["inspect", "resource-types"], &[]).await;
    let ids: Vec<&str> = types
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(ids, ["collaborator", "role"], "{}", types.stdout);
    // No environment-role, project-role or group endpoint was called.
    let requests = fake.requests();
    for route in requests.keys() {
        assert!(
            !route.contains("environment_roles")
                && !route.contains("project_roles")
                && !route.contains("user_groups"),
            "{route} called: {requests:?}"
        );
    }

    fake.reset_counters();
    let before = std::fs::read(dir.path().join("sync.c1z")).unwrap();
    let out = run_env(
        dir.path(),
        &["--sync-resource-types", "collaborator,teams"],
        &env,
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    insta::assert_snapshot!("sync_unknown_resource_type", out.stderr);
    assert_eq!(fake.total_requests(), 0, "a usage error calls nothing");
    assert_eq!(std::fs::read(dir.path().join("sync.c1z")).unwrap(), before);

    // Folders are found under projects: asking for them alone is refused, not an empty sync.
    let out = run_env(dir.path(), &["--sync-resource-types", "folder"], &env).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    insta::assert_snapshot!("sync_folder_without_project", out.stderr);
    assert_eq!(fake.total_requests(), 0, "a usage error calls nothing");
    assert_eq!(std::fs::read(dir.path().join("sync.c1z")).unwrap(), before);
    let out = run_env(
        dir.path(),
        &["--sync-resource-types", "project,folder"],
        &env,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let folders = run_env(
        dir.path(),
        &["inspect", "resources", "--resource-type", "folder"],
        &[],
    )
    .await;
    assert_eq!(folders.code, 0, "{}", folders.stderr);
    assert!(folders.stdout.lines().count() > 1, "{}", folders.stdout);

    let out = run_env(dir.path(), &["--sync-resources", "collaborator:1000"], &env).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("--sync-resources: partial sync is not supported yet"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sync_leaves_the_previous_c1z_byte_identical() {
    let fake = fake_with_token("fail-token").await;
    let dir = tempfile::tempdir().unwrap();
    let c1z = dir.path().join("sync.c1z");
    let env = fake_env(&fake);
    let out = run_env(dir.path(), &[], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let before = std::fs::read(&c1z).unwrap();
    let listing = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };

    // 401 from the first call on (a revoked key).
    fake.inject(Fault::Status {
        status: 401,
        body: r#"{"message":"Unauthorized"}"#.into(),
        count: 1000,
    });
    let out = run_env(dir.path(), &[], &env).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("401"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(std::fs::read(&c1z).unwrap(), before, "401: c1z changed");
    fake.clear_faults();

    // 401 in the middle of the sync (members), after the key check passed.
    fake.inject_on(
        "GET /api/members",
        Fault::Status {
            status: 401,
            body: r#"{"message":"Unauthorized"}"#.into(),
            count: 1000,
        },
    );
    let out = run_env(dir.path(), &[], &env).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("was left unchanged"), "{}", out.stderr);
    assert_eq!(
        std::fs::read(&c1z).unwrap(),
        before,
        "mid-sync 401: c1z changed"
    );
    fake.clear_faults();

    // A 500 storm: retried, then given up.
    fake.inject_on(
        "GET /api/members",
        Fault::Status {
            status: 500,
            body: r#"{"message":"Internal error"}"#.into(),
            count: 1000,
        },
    );
    let out = run_env(dir.path(), &[], &env).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("500"), "{}", out.stderr);
    assert!(fake.request_count("GET /api/members") > 1, "500 is retried");
    assert_eq!(
        std::fs::read(&c1z).unwrap(),
        before,
        "500 storm: c1z changed"
    );
    // No temp file left behind; the empty `.lock` sidecar stays by design (see README).
    assert_eq!(listing(dir.path()), ["sync.c1z", "sync.c1z.lock"]);
}
