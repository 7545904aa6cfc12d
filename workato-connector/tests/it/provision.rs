//! Provisioning against the stateful fake Workato server: every outcome of grant, revoke,
//! create-account and delete, the full just-in-time cycle, concurrency, and input errors that
//! must stop before any API call.

use baton_model::model::ids::resource_id;
use baton_model::model::{AnnotationsExt, Profile, ResourceBuilder};
use baton_model::proto::{
    CapabilityDetailCredentialOption, Entitlement, Grant, GrantAlreadyExists, GrantReplaced,
    Resource,
};
use baton_model::provision::{
    AccountInfo, AccountManager, CreateAccountOutcome, DeleteOutcome, GrantOutcome,
    ResourceDeleter, ResourceProvisioner, RevokeOutcome,
};
use workato_api::fake::{FakeWorkato, Fault, MemberRole, Seed};
use workato_api::{ApiToken, Client};
use workato_connector::config::ConnectorConfig;
use workato_connector::env::{EnvScope, Environment};
use workato_connector::provision::{ProvisionError, WorkatoProvisioner};

const PUT_MEMBER: &str = "PUT /api/members/:id";

fn client(fake: &FakeWorkato) -> Client {
    Client::builder()
        .token(ApiToken::new(fake.token()))
        .base_url(fake.url())
        .rate_limit_all(0)
        .build()
        .expect("client")
}

fn config(env: EnvScope) -> ConnectorConfig {
    // Non-exhaustive outside its crate: start from the default and set fields.
    let mut config = ConnectorConfig::default();
    config.env = env;
    config
}

async fn start(env: EnvScope) -> (FakeWorkato, WorkatoProvisioner) {
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .expect("fake server");
    let provisioner = WorkatoProvisioner::new(client(&fake), config(env));
    (fake, provisioner)
}

const DEV: EnvScope = EnvScope::Single(Environment::Dev);

fn collaborator(id: &str) -> Resource {
    ResourceBuilder::new("collaborator", id, format!("member {id}"))
        .build()
        .expect("resource")
}

fn principal(resource_type: &str, id: &str) -> Resource {
    ResourceBuilder::new(resource_type, id, id)
        .build()
        .expect("resource")
}

fn entitlement(id: &str) -> Entitlement {
    let mut parts = id.splitn(2, ':');
    let rt = parts.next().expect("type");
    let rest = parts.next().expect("rest");
    let rid = rest.rsplit_once(':').expect("slug").0;
    Entitlement {
        id: id.to_owned(),
        resource: Some(Resource {
            id: Some(resource_id(rt, rid)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn grant_ref(id: &str) -> Grant {
    Grant {
        id: id.to_owned(),
        ..Default::default()
    }
}

/// (env, role name, role type) of a fake member, in environment order.
fn roles_of(fake: &FakeWorkato, id: u64) -> Vec<(String, String, String)> {
    fake.member(id)
        .expect("member exists")
        .roles
        .into_iter()
        .map(|r| (r.environment_type, r.role_name, r.role_type))
        .collect()
}

fn role(env: &str, name: &str, role_type: &str) -> (String, String, String) {
    (env.to_owned(), name.to_owned(), role_type.to_owned())
}

fn granted(outcome: GrantOutcome) -> (Vec<Grant>, Vec<String>) {
    match outcome {
        GrantOutcome::Granted { grants, superseded } => (grants, superseded),
        other => panic!("expected Granted, got {other:?}"),
    }
}

#[tokio::test]
async fn jit_cycle_grant_again_revoke_again_regrant() {
    let (fake, p) = start(DEV).await;
    // Carol holds roles in the other environments; the cycle must never touch them.
    assert!(fake.set_member_roles(
        1002,
        vec![
            MemberRole::privilege_group("test", "Custom Auditor"),
            MemberRole::environment("prod", "Releaser"),
        ]
    ));
    let others = [
        role("test", "Custom Auditor", "privilege_group"),
        role("prod", "Releaser", "environment"),
    ];
    let with_dev = |name: &str| {
        let mut all = vec![role("dev", name, "privilege_group")];
        all.extend(others.iter().cloned());
        all
    };
    let carol = collaborator("1002");
    let reviewer = entitlement("role:1:collaborator-has");

    // Grant: no dev role yet; Carol gets Custom Reviewer in dev.
    let (grants, superseded) = granted(p.grant(&carol, &reviewer).await.expect("grant"));
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].id, "role:1:collaborator-has:collaborator:1002");
    assert!(superseded.is_empty());
    assert_eq!(roles_of(&fake, 1002), with_dev("Custom Reviewer"));
    assert_eq!(fake.request_count(PUT_MEMBER), 1);

    // Grant again: already held, no PUT.
    let again = p.grant(&carol, &reviewer).await.expect("grant again");
    assert_eq!(again, GrantOutcome::AlreadyExists);
    assert!(again.annotations().has_annotation::<GrantAlreadyExists>());
    assert_eq!(fake.request_count(PUT_MEMBER), 1);

    // Revoke: dev back to the baseline (NoAccess removes the dev entry in the fake).
    let grant = grant_ref(&grants[0].id);
    assert_eq!(
        p.revoke(&grant).await.expect("revoke"),
        RevokeOutcome::Revoked
    );
    assert_eq!(roles_of(&fake, 1002), others);
    assert_eq!(fake.request_count(PUT_MEMBER), 2);

    // Revoke again: nothing held, no PUT.
    let again = p.revoke(&grant).await.expect("revoke again");
    assert_eq!(again, RevokeOutcome::AlreadyRevoked);
    assert_eq!(again.annotations().len(), 1);
    assert_eq!(fake.request_count(PUT_MEMBER), 2);
    assert_eq!(roles_of(&fake, 1002), others);

    // Re-grant works.
    let (grants, _) = granted(p.grant(&carol, &reviewer).await.expect("regrant"));
    assert_eq!(grants[0].id, "role:1:collaborator-has:collaborator:1002");
    assert_eq!(roles_of(&fake, 1002), with_dev("Custom Reviewer"));
    assert_eq!(fake.request_count(PUT_MEMBER), 3);
}

#[tokio::test]
async fn all_mode_grant_replaces_only_that_environment_and_reports_the_superseded_grant() {
    let (fake, p) = start(EnvScope::All).await;
    let dave = collaborator("1003");
    // Dave: dev Custom Reviewer (role 1), test Custom Auditor (role 2).
    let outcome = p
        .grant(&dave, &entitlement("role:Operator-dev:collaborator-has"))
        .await
        .expect("grant");
    let annotations = outcome.annotations();
    let (grants, superseded) = granted(outcome);
    assert_eq!(
        grants[0].id,
        "role:Operator-dev:collaborator-has:collaborator:1003"
    );
    assert_eq!(
        superseded,
        ["role:1-dev:collaborator-has:collaborator:1003"]
    );
    assert_eq!(
        annotations.annotation::<GrantReplaced>().expect("decodes"),
        Some(GrantReplaced {
            replaced_grant_id: "role:1-dev:collaborator-has:collaborator:1003".into()
        })
    );
    assert_eq!(
        roles_of(&fake, 1003),
        [
            role("dev", "Operator", "privilege_group"),
            role("test", "Custom Auditor", "privilege_group")
        ]
    );

    // Revoking it touches dev only.
    let revoked = p.revoke(&grant_ref(&grants[0].id)).await.expect("revoke");
    assert_eq!(revoked, RevokeOutcome::Revoked);
    assert_eq!(
        roles_of(&fake, 1003),
        [role("test", "Custom Auditor", "privilege_group")]
    );
}

#[tokio::test]
async fn environment_role_grant_resolves_the_name_and_reports_the_replaced_base_role() {
    let (fake, p) = start(EnvScope::All).await;
    let bob = collaborator("1001"); // prod: Operator
    let (grants, superseded) = granted(
        p.grant(
            &bob,
            &entitlement("environment_role:51-prod:collaborator-has"),
        )
        .await
        .expect("grant"),
    );
    assert_eq!(
        grants[0].id,
        "environment_role:51-prod:collaborator-has:collaborator:1001"
    );
    assert_eq!(
        superseded,
        ["role:Operator-prod:collaborator-has:collaborator:1001"]
    );
    assert_eq!(
        roles_of(&fake, 1001),
        [role("prod", "Releaser", "environment")]
    );
    assert_eq!(fake.request_count("GET /api/environment_roles/:id"), 1);

    // Erin holds Deployer in dev: granting it is a no-op; the env role held is recognized as
    // the same role only with role_type environment.
    let erin = collaborator("1004");
    let before = fake.request_count(PUT_MEMBER);
    assert_eq!(
        p.grant(
            &erin,
            &entitlement("environment_role:50-dev:collaborator-has")
        )
        .await
        .expect("grant"),
        GrantOutcome::AlreadyExists
    );
    assert_eq!(fake.request_count(PUT_MEMBER), before);

    // Replacing an environment role reports the environment-role grant.
    let (_, superseded) = granted(
        p.grant(&erin, &entitlement("role:Analyst-dev:collaborator-has"))
            .await
            .expect("grant"),
    );
    assert_eq!(
        superseded,
        ["environment_role:50-dev:collaborator-has:collaborator:1004"]
    );
}

#[tokio::test]
async fn revoke_when_another_role_is_held_is_already_revoked_without_put() {
    let (fake, p) = start(DEV).await;
    // Alice holds Admin in dev, not Custom Reviewer.
    let outcome = p
        .revoke(&grant_ref("role:1:collaborator-has:collaborator:1000"))
        .await
        .expect("revoke");
    assert_eq!(outcome, RevokeOutcome::AlreadyRevoked);
    assert_eq!(fake.request_count(PUT_MEMBER), 0);
    assert_eq!(
        roles_of(&fake, 1000),
        [role("dev", "Admin", "privilege_group")]
    );

    // A legacy role of the same name as an environment role is not the same role.
    let outcome = p
        .revoke(&grant_ref("role:Admin:collaborator-has:collaborator:1004"))
        .await
        .expect("revoke");
    assert_eq!(outcome, RevokeOutcome::AlreadyRevoked);

    // A deleted collaborator holds nothing.
    assert!(fake.remove_member(1003));
    let outcome = p
        .revoke(&grant_ref("role:1:collaborator-has:collaborator:1003"))
        .await
        .expect("revoke");
    assert_eq!(outcome, RevokeOutcome::AlreadyRevoked);
    assert_eq!(fake.request_count(PUT_MEMBER), 0);
}

#[tokio::test]
async fn revoke_to_a_configured_baseline_role() {
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .expect("fake");
    let mut config = config(DEV);
    config.revoke_baseline_role = "Operator".into();
    let p = WorkatoProvisioner::new(client(&fake), config);
    assert_eq!(
        p.revoke(&grant_ref("role:Admin:collaborator-has:collaborator:1000"))
            .await
            .expect("revoke"),
        RevokeOutcome::Revoked
    );
    assert_eq!(
        roles_of(&fake, 1000),
        [role("dev", "Operator", "privilege_group")]
    );
    // Revoking the baseline role itself cannot change anything: a clear error, no PUT.
    let before = fake.request_count(PUT_MEMBER);
    let err = p
        .revoke(&grant_ref(
            "role:Operator:collaborator-has:collaborator:1000",
        ))
        .await
        .expect_err("baseline");
    assert!(
        matches!(err, ProvisionError::BaselineIsRevokedRole { .. }),
        "{err}"
    );
    assert_eq!(fake.request_count(PUT_MEMBER), before);
}

#[tokio::test]
async fn concurrent_revokes_in_different_environments_do_not_clobber_each_other() {
    let (fake, p) = start(EnvScope::All).await;
    assert!(fake.set_member_roles(
        1003,
        vec![
            MemberRole::privilege_group("dev", "Custom Reviewer"),
            MemberRole::privilege_group("test", "Custom Auditor"),
            MemberRole::environment("prod", "Releaser"),
        ]
    ));
    let dev = grant_ref("role:1-dev:collaborator-has:collaborator:1003");
    let test = grant_ref("role:2-test:collaborator-has:collaborator:1003");
    let (a, b) = tokio::join!(p.revoke(&dev), p.revoke(&test));
    assert_eq!(a.expect("dev revoke"), RevokeOutcome::Revoked);
    assert_eq!(b.expect("test revoke"), RevokeOutcome::Revoked);
    // Both environments at baseline, prod untouched.
    assert_eq!(
        roles_of(&fake, 1003),
        [role("prod", "Releaser", "environment")]
    );
    assert_eq!(fake.request_count(PUT_MEMBER), 2);
}

#[tokio::test]
async fn concurrent_grants_to_one_member_are_serialized() {
    let (fake, p) = start(DEV).await;
    let carol = collaborator("1002");
    let admin = entitlement("role:Admin:collaborator-has");
    let operator = entitlement("role:Operator:collaborator-has");
    let (a, b) = tokio::join!(p.grant(&carol, &admin), p.grant(&carol, &operator));
    let (a_grants, a_superseded) = granted(a.expect("admin"));
    let (b_grants, b_superseded) = granted(b.expect("operator"));
    // Each read-check-PUT saw the previous one's result: exactly one replaced the other.
    let a_id = a_grants[0].id.clone();
    let b_id = b_grants[0].id.clone();
    let replaced = [a_superseded, b_superseded];
    assert!(
        replaced == [vec![], vec![a_id.clone()]] || replaced == [vec![b_id.clone()], vec![]],
        "{replaced:?}"
    );
    let last = if replaced[1].is_empty() {
        "Admin"
    } else {
        "Operator"
    };
    assert_eq!(
        roles_of(&fake, 1002),
        [role("dev", last, "privilege_group")]
    );
    assert_eq!(fake.request_count(PUT_MEMBER), 2);
}

#[tokio::test]
async fn bad_input_fails_before_any_api_call() {
    let (fake, p) = start(DEV).await;
    let carol = collaborator("1002");
    let cases: Vec<(Resource, Entitlement, &str)> = vec![
        (
            principal("role", "Admin"),
            entitlement("role:1:collaborator-has"),
            "grant needs a principal of type collaborator",
        ),
        (
            principal("collaborator_group", "am-Fin4nceEng01"),
            entitlement("environment_role:50:collaborator-has"),
            "grant needs a principal of type collaborator",
        ),
        (
            carol.clone(),
            entitlement("privilege:Recipes-read:assigned"),
            "cannot be provisioned",
        ),
        (
            carol.clone(),
            entitlement("folder:20:collaborator-access"),
            "cannot be provisioned",
        ),
        (
            carol.clone(),
            entitlement("role:1:privilege-has"),
            "cannot be provisioned",
        ),
        (
            carol.clone(),
            entitlement("role:abc:collaborator-has"),
            "malformed role id",
        ),
        (
            carol.clone(),
            entitlement("environment_role:50-prod:collaborator-has"),
            "is for environment prod, but the connector is configured for dev",
        ),
        (
            collaborator("bob"),
            entitlement("role:1:collaborator-has"),
            "malformed collaborator id",
        ),
        (
            carol.clone(),
            entitlement("project_role:abc:member"),
            "malformed project role id",
        ),
    ];
    for (who, what, message) in cases {
        let err = p.grant(&who, &what).await.expect_err(&what.id);
        assert!(err.to_string().contains(message), "{}: {err}", what.id);
        assert!(err.is_input_error());
    }
    for (id, message) in [
        ("role:1:collaborator-has", "malformed grant id"),
        (
            "role:1:collaborator-has:role:Admin",
            "revoke needs a principal of type collaborator",
        ),
        (
            "privilege:Recipes-read:assigned:collaborator:1002",
            "cannot be provisioned",
        ),
        (
            "project_role:100-7:member:role:1",
            "revoke needs a principal of type collaborator or collaborator_group",
        ),
    ] {
        let err = p.revoke(&grant_ref(id)).await.expect_err(id);
        assert!(err.to_string().contains(message), "{id}: {err}");
    }
    // Single-env mode with the configured env's suffix is accepted (unambiguous).
    assert_eq!(fake.total_requests(), 0);
    let ok = p
        .grant(&carol, &entitlement("role:Analyst-dev:collaborator-has"))
        .await
        .expect("suffix of the configured env");
    assert_eq!(
        granted(ok).0[0].id,
        "role:Analyst-dev:collaborator-has:collaborator:1002"
    );

    // All mode: a bare id lacks its environment.
    let all = WorkatoProvisioner::new(client(&fake), config(EnvScope::All));
    fake.reset_counters();
    let err = all
        .grant(&carol, &entitlement("role:1:collaborator-has"))
        .await
        .expect_err("no suffix");
    assert!(err.to_string().contains("no environment suffix"), "{err}");
    assert_eq!(fake.total_requests(), 0);
}

#[tokio::test]
async fn unknown_roles_and_members_fail_before_any_put() {
    let (fake, p) = start(DEV).await;
    let carol = collaborator("1002");
    let err = p
        .grant(&carol, &entitlement("role:999:collaborator-has"))
        .await
        .expect_err("unknown legacy role");
    assert_eq!(
        err.to_string(),
        "legacy role 999 does not exist in Workato (deleted or renamed since the last sync?)"
    );
    let err = p
        .grant(&carol, &entitlement("environment_role:99:collaborator-has"))
        .await
        .expect_err("unknown env role");
    assert!(matches!(
        err,
        ProvisionError::UnknownRole {
            kind: "environment role",
            ..
        }
    ));
    let err = p
        .grant(
            &collaborator("4242"),
            &entitlement("role:Admin:collaborator-has"),
        )
        .await
        .expect_err("unknown member");
    assert!(matches!(err, ProvisionError::MemberNotFound(4242)));
    let err = p
        .revoke(&grant_ref("role:999:collaborator-has:collaborator:1002"))
        .await
        .expect_err("unknown role on revoke");
    assert!(matches!(err, ProvisionError::UnknownRole { .. }));
    assert_eq!(fake.request_count(PUT_MEMBER), 0);
    // Role lookups happen before reading the member.
    assert_eq!(fake.request_count("GET /api/members/:id"), 1);
}

#[tokio::test]
async fn api_failures_are_typed_and_keep_their_source() {
    let (fake, p) = start(DEV).await;
    fake.inject_on(
        PUT_MEMBER,
        Fault::Status {
            status: 403,
            body: r#"{"message":"Forbidden"}"#.into(),
            count: 1,
        },
    );
    let err = p
        .grant(
            &collaborator("1002"),
            &entitlement("role:Admin:collaborator-has"),
        )
        .await
        .expect_err("forbidden");
    assert!(!err.is_input_error());
    let ProvisionError::Api { operation, source } = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(*operation, "assigning the role");
    assert_eq!(source.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(roles_of(&fake, 1002), []);
}

// ---- project grants -------------------------------------------------------------------

#[tokio::test]
async fn project_grant_cycle_for_a_collaborator() {
    let (fake, p) = start(DEV).await;
    let carol = collaborator("1002");
    let viewer = entitlement("project_role:101-7:member");
    let (grants, superseded) = granted(p.grant(&carol, &viewer).await.expect("grant"));
    assert_eq!(grants[0].id, "project_role:101-7:member:collaborator:1002");
    assert!(superseded.is_empty());
    let held: Vec<_> = fake
        .project_grants()
        .into_iter()
        .filter(|g| g.user_id == Some(1002))
        .map(|g| (g.project_id, g.project_role_id.to_string()))
        .collect();
    assert_eq!(held, [(101, "7".to_owned())]);
    let puts = "PUT /api/projects/:id/project_grants";
    assert_eq!(fake.request_count(puts), 1);

    assert_eq!(
        p.grant(&carol, &viewer).await.expect("again"),
        GrantOutcome::AlreadyExists
    );
    assert_eq!(fake.request_count(puts), 1);

    let grant = grant_ref(&grants[0].id);
    assert_eq!(
        p.revoke(&grant).await.expect("revoke"),
        RevokeOutcome::Revoked
    );
    assert!(fake
        .project_grants()
        .iter()
        .all(|g| g.user_id != Some(1002)));
    assert_eq!(
        p.revoke(&grant).await.expect("revoke again"),
        RevokeOutcome::AlreadyRevoked
    );
    assert_eq!(fake.request_count("DELETE /api/project_grants/:id"), 1);
}

#[tokio::test]
async fn project_grants_for_groups_and_replacements() {
    let (fake, p) = start(DEV).await;
    // pg-2: project 101, role 7, group am-Fin4nceEng01.
    let group = principal("collaborator_group", "am-Fin4nceEng01");
    assert_eq!(
        p.grant(&group, &entitlement("project_role:101-7:member"))
            .await
            .expect("grant"),
        GrantOutcome::AlreadyExists
    );
    assert_eq!(
        p.revoke(&grant_ref(
            "project_role:101-7:member:collaborator_group:am-Fin4nceEng01"
        ))
        .await
        .expect("revoke"),
        RevokeOutcome::Revoked
    );
    assert!(fake.project_grants().iter().all(|g| g.id != "pg-2"));

    // pg-1: Dave is Pipeline Editor on project 100; the fake keeps one role per principal and
    // project, so granting Pipeline Viewer replaces it.
    let dave = collaborator("1003");
    let (grants, superseded) = granted(
        p.grant(&dave, &entitlement("project_role:100-7:member"))
            .await
            .expect("grant"),
    );
    assert_eq!(grants[0].id, "project_role:100-7:member:collaborator:1003");
    assert_eq!(
        superseded,
        ["project_role:100-pr-AQBGCnMB-JoFtKL:member:collaborator:1003"]
    );

    // Unknown project role / project: typed errors, no PUT.
    let err = p
        .grant(&dave, &entitlement("project_role:100-pr-missing:member"))
        .await
        .expect_err("unknown role");
    assert!(matches!(
        err,
        ProvisionError::UnknownRole {
            kind: "project role",
            ..
        }
    ));
    let err = p
        .grant(&dave, &entitlement("project_role:999-7:member"))
        .await
        .expect_err("unknown project");
    assert!(matches!(err, ProvisionError::UnknownProject(_)));
    assert_eq!(
        fake.request_count("PUT /api/projects/:id/project_grants"),
        1
    );
    assert_eq!(
        p.revoke(&grant_ref("project_role:999-7:member:collaborator:1003"))
            .await
            .expect("revoke"),
        RevokeOutcome::AlreadyRevoked
    );
}

// ---- accounts -------------------------------------------------------------------------

fn account(email: &str, name: &str, env_roles: &[&str]) -> AccountInfo {
    let profile = Profile::new()
        .with("email", email)
        .with("name", name)
        .with(
            "env_roles",
            env_roles
                .iter()
                .map(|s| serde_json::Value::from(*s))
                .collect::<Vec<_>>(),
        )
        .into_struct();
    AccountInfo::new(email, email).with_profile(profile)
}

const NO_PASSWORD: CapabilityDetailCredentialOption = CapabilityDetailCredentialOption::NoPassword;

#[tokio::test]
async fn invitation_is_pending_until_accepted() {
    let (fake, p) = start(DEV).await;
    let info = account(
        "hana@northwind-fake.example",
        "Hana",
        &["dev:Deployer", "test:Custom Auditor", "prod:Operator"],
    );
    let outcome = p.create_account(&info, NO_PASSWORD).await.expect("create");
    assert_eq!(
        outcome,
        CreateAccountOutcome::ActionRequired {
            message: "Invitation sent to hana@northwind-fake.example; they must accept before the account exists".into()
        }
    );
    let invitations = fake.invitations();
    assert_eq!(invitations.len(), 1);
    let invited: Vec<_> = invitations[0]
        .env_roles
        .iter()
        .map(|r| {
            (
                r.environment_type.clone(),
                r.role_name.clone(),
                r.role_type.clone(),
            )
        })
        .collect();
    assert_eq!(
        invited,
        [
            role("dev", "Deployer", "environment"),
            role("test", "Custom Auditor", "privilege_group"),
            role("prod", "Operator", "privilege_group")
        ]
    );

    // Once accepted, creating again finds the collaborator.
    let id = fake
        .accept_invitation("hana@northwind-fake.example")
        .expect("accepted");
    let again = p.create_account(&info, NO_PASSWORD).await.expect("create");
    let CreateAccountOutcome::AlreadyExists(resource) = again else {
        panic!("expected AlreadyExists, got {again:?}");
    };
    assert_eq!(
        resource.id,
        Some(resource_id("collaborator", id.to_string()))
    );
    assert_eq!(resource.display_name, "Hana");
}

#[tokio::test]
async fn existing_collaborator_matches_email_exactly_and_case_insensitively() {
    let (fake, p) = start(DEV).await;
    let info = account(
        "ALICE.Lindqvist@northwind-fake.example",
        "Alice",
        &["dev:Admin"],
    );
    let outcome = p.create_account(&info, NO_PASSWORD).await.expect("create");
    let CreateAccountOutcome::AlreadyExists(resource) = outcome else {
        panic!("expected AlreadyExists, got {outcome:?}");
    };
    assert_eq!(resource.id, Some(resource_id("collaborator", "1000")));
    assert_eq!(fake.request_count("POST /api/member_invitations"), 0);

    // A substring of an existing email is a different person
    // (docs/decisions.md#d21-email-lookup-is-exact).
    let info = account(
        "lindqvist@northwind-fake.example",
        "Lind",
        &["dev:Operator"],
    );
    let outcome = p.create_account(&info, NO_PASSWORD).await.expect("create");
    assert!(matches!(
        outcome,
        CreateAccountOutcome::ActionRequired { .. }
    ));
    assert_eq!(fake.request_count("POST /api/member_invitations"), 1);
}

#[tokio::test]
async fn already_a_workato_user_is_added_directly() {
    let (fake, p) = start(DEV).await;
    let info = account("ivan@elsewhere.example", "Ivan", &["dev:Analyst"]);
    // A first invitation leaves a pending user the fake can add directly.
    assert!(matches!(
        p.create_account(&info, NO_PASSWORD).await.expect("invite"),
        CreateAccountOutcome::ActionRequired { .. }
    ));
    fake.inject_on(
        "POST /api/member_invitations",
        Fault::Status {
            status: 409,
            body: r#"{"message":"User already exists in Workato"}"#.into(),
            count: 1,
        },
    );
    let outcome = p.create_account(&info, NO_PASSWORD).await.expect("create");
    let CreateAccountOutcome::Created(resource) = outcome else {
        panic!("expected Created, got {outcome:?}");
    };
    let id = resource.id.expect("id").resource;
    let member = fake.member(id.parse().expect("decimal")).expect("member");
    assert_eq!(member.email, "ivan@elsewhere.example");
    assert_eq!(fake.request_count("POST /api/members"), 1);
}

#[tokio::test]
async fn already_invited_but_not_a_workato_user_stays_pending() {
    let (fake, p) = start(DEV).await;
    fake.inject_on(
        "POST /api/member_invitations",
        Fault::Status {
            status: 400,
            body: r#"{"message":"Collaborator already invited"}"#.into(),
            count: 1,
        },
    );
    let info = account("judy@elsewhere.example", "Judy", &["dev:Operator"]);
    let outcome = p.create_account(&info, NO_PASSWORD).await.expect("create");
    assert_eq!(
        outcome,
        CreateAccountOutcome::ActionRequired {
            message: "Invitation sent to judy@elsewhere.example; they must accept before the account exists".into()
        }
    );
    // The direct add was tried and answered 404 (the fake knows no such user).
    assert_eq!(fake.request_count("POST /api/members"), 1);
}

#[tokio::test]
async fn account_input_and_role_errors_stop_before_the_invitation() {
    let (fake, p) = start(DEV).await;
    let err = p
        .create_account(&account("new@x.example", "New", &[]), NO_PASSWORD)
        .await
        .expect_err("no roles");
    assert!(matches!(err, ProvisionError::AccountInput(_)));
    let err = p
        .create_account(
            &account("new@x.example", "New", &["staging:Admin"]),
            NO_PASSWORD,
        )
        .await
        .expect_err("bad env");
    assert!(matches!(err, ProvisionError::AccountInput(_)));
    let err = p
        .create_account(
            &account("new@x.example", "New", &["dev:Admin"]),
            CapabilityDetailCredentialOption::RandomPassword,
        )
        .await
        .expect_err("credential");
    assert!(matches!(err, ProvisionError::UnsupportedCredential(2)));
    assert_eq!(fake.total_requests(), 0);

    let err = p
        .create_account(
            &account("new@x.example", "New", &["dev:Admin", "prod:Chief Wizard"]),
            NO_PASSWORD,
        )
        .await
        .expect_err("unknown role");
    assert_eq!(
        err.to_string(),
        "no Workato role is named \"Chief Wizard\" (asked for environment prod): not an environment role, a system role (Admin, Analyst, Operator) or a legacy custom role"
    );
    assert_eq!(fake.request_count("POST /api/member_invitations"), 0);
    assert!(fake.invitations().is_empty());
}

// ---- delete ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_collaborator_then_already_gone() {
    let (fake, p) = start(DEV).await;
    let id = resource_id("collaborator", "1002");
    assert_eq!(p.delete(&id).await.expect("delete"), DeleteOutcome::Deleted);
    assert!(fake.member(1002).is_none());
    assert_eq!(
        p.delete(&id).await.expect("again"),
        DeleteOutcome::AlreadyGone
    );
    assert_eq!(fake.request_count("DELETE /api/members/:id"), 1);
    let err = p
        .delete(&resource_id("role", "Admin"))
        .await
        .expect_err("wrong type");
    assert!(matches!(
        err,
        ProvisionError::WrongPrincipalType {
            operation: "delete",
            ..
        }
    ));
}

// ---- exact request bodies (mockito) ----------------------------------------------------

mod bodies {
    use mockito::{Matcher, Server, ServerGuard};

    use super::*;

    fn mock_client(server: &ServerGuard) -> Client {
        Client::builder()
            .token(ApiToken::new("test-token"))
            .base_url(server.url())
            .rate_limit_all(0)
            .build()
            .expect("client")
    }

    async fn json_get(
        server: &mut ServerGuard,
        path: &str,
        body: &str,
        hits: usize,
    ) -> mockito::Mock {
        server
            .mock("GET", path)
            .match_query(Matcher::Any)
            .with_header("content-type", "application/json")
            .with_body(body)
            .expect(hits)
            .create_async()
            .await
    }

    async fn exact(
        server: &mut ServerGuard,
        method: &str,
        path: &str,
        body: &str,
    ) -> mockito::Mock {
        server
            .mock(method, path)
            .match_body(Matcher::Exact(body.to_owned()))
            .with_header("content-type", "application/json")
            .with_body(r#"{"result":"ok"}"#)
            .expect(1)
            .create_async()
            .await
    }

    #[tokio::test]
    async fn legacy_role_grant_sends_the_name_and_no_role_type() {
        let mut server = Server::new_async().await;
        let roles = json_get(
            &mut server,
            "/api/roles",
            r#"[{"id":1,"name":"Custom Reviewer"},{"id":2,"name":"Custom Auditor"}]"#,
            1,
        )
        .await;
        let member = json_get(
            &mut server,
            "/api/members/1002",
            r#"{"data":{"id":1002,"name":"Carol","email":"c@x","roles":[{"environment_type":"dev","role_name":"Admin","role_type":"privilege_group"}]}}"#,
            1,
        )
        .await;
        let put = exact(
            &mut server,
            "PUT",
            "/api/members/1002",
            r#"{"env_roles":[{"environment_type":"dev","name":"Custom Reviewer"}]}"#,
        )
        .await;
        let p = WorkatoProvisioner::new(mock_client(&server), config(DEV));
        let (_, superseded) = granted(
            p.grant(
                &collaborator("1002"),
                &entitlement("role:1:collaborator-has"),
            )
            .await
            .expect("grant"),
        );
        assert_eq!(
            superseded,
            ["role:Admin:collaborator-has:collaborator:1002"]
        );
        roles.assert_async().await;
        member.assert_async().await;
        put.assert_async().await;
    }

    #[tokio::test]
    async fn environment_role_grant_sends_role_type_environment() {
        let mut server = Server::new_async().await;
        let env_role = json_get(
            &mut server,
            "/api/environment_roles/51",
            r#"{"data":{"id":51,"name":"Releaser","type":"custom"}}"#,
            1,
        )
        .await;
        // Bare member object (the envelope is UNCONFIRMED).
        let member = json_get(
            &mut server,
            "/api/members/1001",
            r#"{"id":1001,"name":"Bob","email":"b@x","roles":[]}"#,
            1,
        )
        .await;
        let put = exact(
            &mut server,
            "PUT",
            "/api/members/1001",
            r#"{"env_roles":[{"environment_type":"prod","name":"Releaser","role_type":"environment"}]}"#,
        )
        .await;
        let p = WorkatoProvisioner::new(mock_client(&server), config(EnvScope::All));
        let (grants, superseded) = granted(
            p.grant(
                &collaborator("1001"),
                &entitlement("environment_role:51-prod:collaborator-has"),
            )
            .await
            .expect("grant"),
        );
        assert_eq!(
            grants[0].id,
            "environment_role:51-prod:collaborator-has:collaborator:1001"
        );
        assert!(superseded.is_empty());
        env_role.assert_async().await;
        member.assert_async().await;
        put.assert_async().await;
    }

    async fn revoke_body(role_type: Option<&str>, expected: &str) {
        let mut server = Server::new_async().await;
        let _roles = json_get(
            &mut server,
            "/api/roles",
            r#"[{"id":1,"name":"Custom Reviewer"}]"#,
            1,
        )
        .await;
        // role_type absent: an older response shape; it means privilege_group.
        let _member = json_get(
            &mut server,
            "/api/members/1003",
            r#"{"data":{"id":1003,"name":"Dave","email":"d@x","roles":[{"environment_type":"dev","role_name":"Custom Reviewer"},{"environment_type":"test","role_name":"Custom Auditor"}]}}"#,
            1,
        )
        .await;
        let put = exact(&mut server, "PUT", "/api/members/1003", expected).await;
        let mut config = config(DEV);
        config.revoke_baseline_role_type = role_type.map(str::to_owned);
        let p = WorkatoProvisioner::new(mock_client(&server), config);
        assert_eq!(
            p.revoke(&grant_ref("role:1:collaborator-has:collaborator:1003"))
                .await
                .expect("revoke"),
            RevokeOutcome::Revoked
        );
        put.assert_async().await;
    }

    #[tokio::test]
    async fn revoke_sends_no_access_without_role_type_by_default() {
        revoke_body(
            None,
            r#"{"env_roles":[{"environment_type":"dev","name":"NoAccess"}]}"#,
        )
        .await;
    }

    #[tokio::test]
    async fn revoke_sends_the_configured_baseline_role_type() {
        revoke_body(
            Some("environment"),
            r#"{"env_roles":[{"environment_type":"dev","name":"NoAccess","role_type":"environment"}]}"#,
        )
        .await;
    }

    #[tokio::test]
    async fn environment_role_revoke_when_the_member_list_omits_role_type() {
        let mut server = Server::new_async().await;
        let _env_role = json_get(
            &mut server,
            "/api/environment_roles/50",
            r#"{"data":{"id":50,"name":"Deployer"}}"#,
            1,
        )
        .await;
        let _member = json_get(
            &mut server,
            "/api/members/1004",
            r#"{"data":{"id":1004,"name":"Erin","email":"e@x","roles":[{"environment_type":"dev","role_name":"Deployer"}]}}"#,
            1,
        )
        .await;
        let put = exact(
            &mut server,
            "PUT",
            "/api/members/1004",
            r#"{"env_roles":[{"environment_type":"dev","name":"NoAccess"}]}"#,
        )
        .await;
        let p = WorkatoProvisioner::new(mock_client(&server), config(DEV));
        assert_eq!(
            p.revoke(&grant_ref(
                "environment_role:50:collaborator-has:collaborator:1004"
            ))
            .await
            .expect("revoke"),
            RevokeOutcome::Revoked
        );
        put.assert_async().await;
    }

    #[tokio::test]
    async fn project_grant_upsert_bodies() {
        let mut server = Server::new_async().await;
        let _role = json_get(
            &mut server,
            "/api/project_roles/7",
            r#"{"data":{"id":7,"name":"Viewer"}}"#,
            1,
        )
        .await;
        let _str_role = json_get(
            &mut server,
            "/api/project_roles/pr-X",
            r#"{"data":{"id":"pr-X","name":"Editor"}}"#,
            1,
        )
        .await;
        let list = json_get(
            &mut server,
            "/api/projects/101/project_grants",
            r#"{"data":[],"total":0,"page":{"number":1,"size":100}}"#,
            4,
        )
        .await;
        let user = exact(
            &mut server,
            "PUT",
            "/api/projects/101/project_grants",
            r#"{"grants":[{"user_id":1002,"project_role_id":7}]}"#,
        )
        .await;
        let group = exact(
            &mut server,
            "PUT",
            "/api/projects/101/project_grants",
            r#"{"grants":[{"user_group_id":"am-1","project_role_id":"pr-X"}]}"#,
        )
        .await;
        let p = WorkatoProvisioner::new(mock_client(&server), config(DEV));
        granted(
            p.grant(
                &collaborator("1002"),
                &entitlement("project_role:101-7:member"),
            )
            .await
            .expect("user grant"),
        );
        granted(
            p.grant(
                &principal("collaborator_group", "am-1"),
                &entitlement("project_role:101-pr-X:member"),
            )
            .await
            .expect("group grant"),
        );
        user.assert_async().await;
        group.assert_async().await;
        list.assert_async().await;
    }

    #[tokio::test]
    async fn invitation_body() {
        let mut server = Server::new_async().await;
        let members = json_get(&mut server, "/api/members", r#"{"data":[],"total":0}"#, 2).await;
        let deployer = server
            .mock("GET", "/api/environment_roles")
            .match_query(Matcher::UrlEncoded("name".into(), "Deployer".into()))
            .with_body(r#"{"data":[{"id":50,"name":"Deployer"}],"total":1,"page":{"number":1,"size":100}}"#)
            .expect(1)
            .create_async()
            .await;
        let operator = server
            .mock("GET", "/api/environment_roles")
            .match_query(Matcher::UrlEncoded("name".into(), "Operator".into()))
            .with_body(r#"{"data":[],"total":0,"page":{"number":1,"size":100}}"#)
            .expect(1)
            .create_async()
            .await;
        let invite = exact(
            &mut server,
            "POST",
            "/api/member_invitations",
            r#"{"name":"Hana","email":"hana@x.example","env_roles":[{"environment_type":"dev","name":"Deployer","role_type":"environment"},{"environment_type":"prod","name":"Operator"}],"user_group_ids":["am-1"]}"#,
        )
        .await;
        let p = WorkatoProvisioner::new(mock_client(&server), config(DEV));
        let profile = Profile::new()
            .with("name", "Hana")
            .with("env_roles", "dev:Deployer, prod:Operator")
            .with("user_group_ids", "am-1")
            .into_struct();
        let info = AccountInfo::new("hana@x.example", "hana").with_profile(profile);
        let outcome = p.create_account(&info, NO_PASSWORD).await.expect("create");
        assert!(matches!(
            outcome,
            CreateAccountOutcome::ActionRequired { .. }
        ));
        members.assert_async().await;
        deployer.assert_async().await;
        operator.assert_async().await;
        invite.assert_async().await;
    }
}
