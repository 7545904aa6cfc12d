//! The binary against the fake under each API-client profile: the setup guide's client role is
//! enough to sync and to run the whole just-in-time cycle; a read-only role syncs but cannot
//! grant; an RBAC v2 role adds environment and project roles; a client without DEV access is
//! told it needs it.

use std::path::Path;

use baton_model::c1z::{C1zReader, ResourceFilter};
use workato_api::fake::{EnvironmentScope, FakeWorkato, Profile, Seed};

use crate::support::{error_line, fake_env, run_env};

const PUT_MEMBER: &str = "PUT /api/members/:id";
/// Carol (1002) and the legacy custom role "Custom Reviewer" (1): its name is read from
/// `GET /api/roles`, which the guide's role allows.
const ENT: &str = "role:1:collaborator-has";
const GRANT: &str = "role:1:collaborator-has:collaborator:1002";
const GRANT_ARGS: [&str; 6] = [
    "--grant-entitlement",
    ENT,
    "--grant-principal",
    "1002",
    "--grant-principal-type",
    "collaborator",
];
/// Every type but the optional RBAC v2 and group types.
const GUIDE_TYPES: &str = "collaborator,role,privilege,folder,project";

async fn fake(profile: Profile, scope: EnvironmentScope) -> FakeWorkato {
    FakeWorkato::builder(Seed::default_workspace())
        .profile(profile)
        .environment_scope(scope)
        .start()
        .await
        .expect("start the fake Workato server")
}

fn env_of(fake: &FakeWorkato) -> Vec<(String, String)> {
    fake_env(fake)
}

fn resource_types_in(file: &Path) -> Vec<String> {
    let reader = C1zReader::open(file).expect("c1z opens");
    let mut types: Vec<String> = reader
        .resources(&ResourceFilter::default())
        .expect("resources")
        .into_iter()
        .filter_map(|r| r.id.map(|id| id.resource_type))
        .collect();
    types.sort();
    types.dedup();
    types
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_guide_syncs_and_runs_the_jit_cycle_with_exact_puts() {
    let fake = fake(Profile::SetupGuide, EnvironmentScope::All).await;
    let env = env_of(&fake);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();

    let out = run_env(d, &[], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("synced sync.c1z:"), "{}", out.stdout);
    // Beyond the guide's list only the three optional listings were asked, each once and
    // each refused with one warning; /api/users/me never.
    assert_eq!(
        fake.requests_outside(&Profile::SetupGuide)
            .into_iter()
            .collect::<Vec<_>>(),
        [
            ("GET /api/environment_roles".to_owned(), 1),
            ("GET /api/project_roles".to_owned(), 1),
            ("GET /api/user_groups".to_owned(), 1),
        ]
    );
    for part in [
        "skipping environment roles",
        "skipping project roles",
        "skipping collaborator groups",
    ] {
        assert_eq!(
            out.stderr.matches(part).count(),
            1,
            "{part}: {}",
            out.stderr
        );
    }
    assert_eq!(fake.request_count("GET /api/users/me"), 0);

    let out = run_env(d, &GRANT_ARGS, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("granted {ENT} to collaborator:1002 (grant {GRANT})\n")
    );
    assert_eq!(fake.request_count(PUT_MEMBER), 1);
    assert_eq!(
        fake.member(1002)
            .and_then(|m| m.role_in("dev").map(|r| r.role_name.clone())),
        Some("Custom Reviewer".to_owned())
    );

    let out = run_env(d, &GRANT_ARGS, &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("already granted:"), "{}", out.stdout);
    assert_eq!(fake.request_count(PUT_MEMBER), 1, "no write when held");

    // A sync puts the new grant in the c1z, where the revoke finds it.
    let out = run_env(d, &[], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(fake.request_count(PUT_MEMBER), 1);

    let out = run_env(d, &["--revoke-grant", GRANT], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("revoked {GRANT}\n"));
    assert_eq!(fake.request_count(PUT_MEMBER), 2);
    assert!(fake.member(1002).expect("carol").role_in("dev").is_none());

    let out = run_env(d, &["--revoke-grant", GRANT], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("already revoked:"), "{}", out.stdout);
    assert_eq!(fake.request_count(PUT_MEMBER), 2, "no write when not held");

    // Provisioning asked nothing beyond the list; the two syncs asked the optional listings.
    assert_eq!(
        fake.requests_outside(&Profile::SetupGuide)
            .into_values()
            .collect::<Vec<_>>(),
        [2, 2, 2]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_guide_sync_calls_nothing_outside_the_list() {
    let fake = fake(Profile::SetupGuide, EnvironmentScope::All).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_env(
        dir.path(),
        &["--sync-resource-types", GUIDE_TYPES],
        &env_of(&fake),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let outside = fake.requests_outside(&Profile::SetupGuide);
    assert!(
        outside.is_empty(),
        "called outside the guide's list: {outside:?}"
    );
    assert!(fake.forbidden().is_empty(), "{:?}", fake.forbidden());
    // No part was refused, so no "skipping …: Workato answered 403" warning.
    assert!(!out.stderr.contains("Workato answered"), "{}", out.stderr);
    // The run did read what the guide allows.
    for template in [
        "GET /api/projects",
        "GET /api/folders",
        "GET /api/members",
        "GET /api/roles",
    ] {
        assert!(fake.request_count(template) >= 1, "{template}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readonly_guide_syncs_but_a_grant_fails_naming_the_permission() {
    let fake = fake(Profile::SetupGuideReadonly, EnvironmentScope::All).await;
    let env = env_of(&fake);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let out = run_env(d, &[], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);

    fake.reset_counters();
    let out = run_env(d, &GRANT_ARGS, &env).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("Update collaborators' roles"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("403"), "{}", out.stderr);
    insta::assert_snapshot!(error_line(&out), @r#"error: --grant-entitlement failed: assigning the role failed: PUT /api/members/1002 failed with HTTP 403 Forbidden: Forbidden (the API client role lacks the "Collaborators › Update collaborators' roles" permission, or the API client has no access to the DEV environment, which Workato requires for this endpoint)"#);
    // The role name, the member, one refused PUT, then nothing.
    assert_eq!(
        fake.requests().into_iter().collect::<Vec<_>>(),
        [
            ("GET /api/members/:id".to_owned(), 1),
            ("GET /api/roles".to_owned(), 1),
            (PUT_MEMBER.to_owned(), 1),
        ]
    );
    assert!(fake.member(1002).expect("carol").role_in("dev").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_v2_profile_brings_environment_and_project_roles() {
    let fake = fake(Profile::RbacV2, EnvironmentScope::All).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_env(dir.path(), &[], &env_of(&fake)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(fake.forbidden().is_empty(), "{:?}", fake.forbidden());
    let types = resource_types_in(&dir.path().join("sync.c1z"));
    for wanted in ["environment_role", "project_role", "collaborator_group"] {
        assert!(types.iter().any(|t| t == wanted), "{wanted}: {types:?}");
    }

    // The same workspace under the guide's role has neither.
    let guide = self::fake(Profile::SetupGuide, EnvironmentScope::All).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_env(dir.path(), &[], &env_of(&guide)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let types = resource_types_in(&dir.path().join("sync.c1z"));
    assert!(!types.iter().any(|t| t == "environment_role"), "{types:?}");
    assert!(!types.iter().any(|t| t == "project_role"), "{types:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prod_scoped_client_is_told_it_needs_dev_access() {
    let fake = fake(Profile::Full, EnvironmentScope::Prod).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_env(dir.path(), &["--workato-env", "prod"], &env_of(&fake)).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("access to the DEV environment"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Get collaborators"), "{}", out.stderr);
    assert!(
        error_line(&out).starts_with("error: sync failed; sync.c1z was left unchanged: "),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("sync.c1z").exists());
    assert_eq!(fake.forbidden().get("GET /api/members"), Some(&1));
}
