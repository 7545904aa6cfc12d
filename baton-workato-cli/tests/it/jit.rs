//! Just-in-time access through the one-shot provisioning flags, against the fake workspace:
//! grant, sync shows it, grant again (already exists), revoke, revoke again (already
//! revoked), sync shows it gone. Plus the c1z look-ups that fail before any API call.

use crate::support::{
    fake_env, fake_with_token, run_env, GRANT_OPERATOR, OPERATOR as ENT, OPERATOR_GRANT as GRANT,
};

async fn operator_grants(dir: &std::path::Path) -> String {
    let out = run_env(dir, &["inspect", "grants", "--entitlement", ENT], &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_jit_cycle() {
    let fake = fake_with_token("jit-token").await;
    let dir = tempfile::tempdir().unwrap();
    let env = fake_env(&fake);
    let d = dir.path();
    let grant_args = GRANT_OPERATOR;

    // Carol (1002) has no role before.
    assert_eq!(run_env(d, &[], &env).await.code, 0);
    assert!(!operator_grants(d).await.contains("collaborator:1002"));
    assert!(fake.member(1002).unwrap().role_in("dev").is_none());

    let out = run_env(d, &grant_args, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("granted {ENT} to collaborator:1002 (grant {GRANT})\n")
    );
    let role = fake.member(1002).unwrap().role_in("dev").cloned().unwrap();
    assert_eq!(role.role_name, "Operator");

    assert_eq!(run_env(d, &[], &env).await.code, 0);
    assert!(operator_grants(d)
        .await
        .contains("collaborator:1002  Carol Mbeki"));

    let puts = fake.request_count("PUT /api/members/:id");
    let out = run_env(d, &grant_args, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("already granted: collaborator:1002 already has {ENT}; nothing changed\n")
    );
    assert_eq!(
        fake.request_count("PUT /api/members/:id"),
        puts,
        "no write when held"
    );

    let out = run_env(d, &["--revoke-grant", GRANT], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("revoked {GRANT}\n"));
    let after = fake.member(1002).unwrap();
    assert_ne!(
        after.role_in("dev").map(|r| r.role_name.as_str()),
        Some("Operator"),
        "{after:?}"
    );

    // The c1z still lists the grant (no sync since): the connector sees it is not held.
    let out = run_env(d, &["--revoke-grant", GRANT], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("already revoked: {GRANT} is not held any more; nothing changed\n")
    );

    assert_eq!(run_env(d, &[], &env).await.code, 0);
    assert!(!operator_grants(d).await.contains("collaborator:1002"));

    // Now gone from the c1z: revoking it again is refused with a hint to sync.
    let out = run_env(d, &["--revoke-grant", GRANT], &env).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!("error: grant {GRANT} is not in sync.c1z; run a sync first (baton-workato -f sync.c1z)\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_missing_from_the_c1z_and_refused_input() {
    let fake = fake_with_token("lookup-token").await;
    let dir = tempfile::tempdir().unwrap();
    let env = fake_env(&fake);
    let d = dir.path();
    assert_eq!(run_env(d, &[], &env).await.code, 0);
    fake.reset_counters();
    let cases: &[(&str, &[&str], i32)] = &[
        (
            "grant_unknown_entitlement",
            &[
                "--grant-entitlement",
                "role:Wizard:collaborator-has",
                "--grant-principal",
                "1002",
                "--grant-principal-type",
                "collaborator",
            ],
            1,
        ),
        (
            "grant_unknown_principal",
            &[
                "--grant-entitlement",
                ENT,
                "--grant-principal",
                "4242",
                "--grant-principal-type",
                "collaborator",
            ],
            1,
        ),
        (
            "delete_unknown_resource",
            &[
                "--delete-resource",
                "4242",
                "--delete-resource-type",
                "collaborator",
            ],
            1,
        ),
        (
            "grant_to_a_role_is_refused",
            &[
                "--grant-entitlement",
                ENT,
                "--grant-principal",
                "Admin",
                "--grant-principal-type",
                "role",
            ],
            2,
        ),
    ];
    for (name, args, code) in cases {
        let out = run_env(d, args, &env).await;
        assert_eq!(out.code, *code, "{name}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{name}");
        insta::assert_snapshot!(format!("provision_{name}"), out.stderr);
    }
    let writes: u64 = fake
        .requests()
        .iter()
        .filter(|(route, _)| !route.starts_with("GET "))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(writes, 0, "{:?}", fake.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_and_create_account() {
    let fake = fake_with_token("account-token").await;
    let dir = tempfile::tempdir().unwrap();
    let env = fake_env(&fake);
    let d = dir.path();
    assert_eq!(run_env(d, &[], &env).await.code, 0);

    let del = [
        "--delete-resource",
        "1002",
        "--delete-resource-type",
        "collaborator",
    ];
    let out = run_env(d, &del, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "deleted collaborator:1002\n");
    assert!(fake.member(1002).is_none());
    let out = run_env(d, &del, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "already deleted: collaborator:1002 does not exist; nothing changed\n"
    );

    let profile = r#"{"name":"Heidi Example","env_roles":["dev:Analyst"]}"#;
    let create = [
        "--create-account-email",
        "heidi@northwind-fake.example",
        "--create-account-profile",
        profile,
    ];
    let out = run_env(d, &create, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("action required: "),
        "{}",
        out.stdout
    );
    assert!(fake
        .invitations()
        .iter()
        .any(|i| format!("{i:?}").contains("heidi@northwind-fake.example")));

    let existing = [
        "--create-account-email",
        "alice.lindqvist@northwind-fake.example",
        "--create-account-profile",
        r#"{"name":"Alice Lindqvist","env_roles":["dev:Admin"]}"#,
    ];
    let out = run_env(d, &existing, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "already exists: account collaborator:1000 (Alice Lindqvist) for alice.lindqvist@northwind-fake.example; nothing changed\n"
    );
}
