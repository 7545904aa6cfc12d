//! The connector within an API client's permissions: the setup guide's client role is enough to
//! sync and to grant/revoke; anything beyond it degrades with one warning; a refused
//! collaborator listing or role update fails with the permission named; a client without DEV
//! access is told so. HTTP shapes with mockito, whole runs against the fake's profiles.

use baton_model::model::ids::resource_id;
use baton_model::model::ResourceBuilder;
use baton_model::proto::{Entitlement, Grant, Resource};
use baton_model::provision::{GrantOutcome, ResourceProvisioner, RevokeOutcome};
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::json;
use workato_api::fake::{EnvironmentScope, FakeWorkato, Profile, Seed};
use workato_api::permissions::{self, SETUP_GUIDE};
use workato_api::{ApiToken, Client, RetryPolicy};
use workato_connector::error::Step;
use workato_connector::provision::WorkatoProvisioner;
use workato_connector::{Error, WorkatoConnector};

use crate::common::{client, config, dump, sync_to_c1z};

const TOKEN: &str = "perm-test-token";
const PUT_MEMBER: &str = "PUT /api/members/:id";

fn mock_client(server: &ServerGuard) -> Client {
    Client::builder()
        .token(ApiToken::new(TOKEN))
        .base_url(server.url())
        .rate_limit_all(0)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

/// A GET with bearer auth, no body, answering `status` with `body`, expected exactly once.
async fn get_once(s: &mut ServerGuard, path_and_query: &str, status: usize, body: &str) -> Mock {
    s.mock("GET", path_and_query)
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("content-type", Matcher::Missing)
        .match_body(Matcher::Exact(String::new()))
        .with_status(status)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body(body)
        .expect(1)
        .create_async()
        .await
}

/// Anything not mocked answers 500 and must never be hit.
async fn catch_all(s: &mut ServerGuard) -> Vec<Mock> {
    let mut mocks = Vec::new();
    for method in ["GET", "POST", "PUT", "DELETE"] {
        mocks.push(
            s.mock(method, Matcher::Any)
                .with_status(500)
                .with_body(r#"{"message":"unexpected request"}"#)
                .expect(0)
                .create_async()
                .await,
        );
    }
    mocks
}

#[tokio::test]
async fn connectivity_check_is_one_project_and_nothing_else() {
    let mut s = mockito::Server::new_async().await;
    let probe = get_once(
        &mut s,
        "/api/projects?page=1&per_page=1",
        200,
        r#"[{"id":100,"name":"Billing Pipelines","folder_id":10,"description":null}]"#,
    )
    .await;
    let guard = catch_all(&mut s).await;
    let c = WorkatoConnector::new(mock_client(&s), config("dev"));
    c.validate().await.expect("validates");
    probe.assert_async().await;
    for m in guard {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn connectivity_check_401_blames_the_key() {
    let mut s = mockito::Server::new_async().await;
    let probe = get_once(
        &mut s,
        "/api/projects?page=1&per_page=1",
        401,
        r#"{"message":"Unauthorized"}"#,
    )
    .await;
    let c = WorkatoConnector::new(mock_client(&s), config("dev"));
    let err = c.validate().await.expect_err("401");
    assert!(
        matches!(
            err,
            Error::Api {
                step: Step::Validate,
                ..
            }
        ),
        "{err:?}"
    );
    let text = chain(&err);
    assert!(text.contains("check the API key"), "{text}");
    assert!(text.contains("HTTP 401"), "{text}");
    probe.assert_async().await;
}

#[tokio::test]
async fn forbidden_collaborator_listing_names_the_permission_and_dev_access() {
    let mut s = mockito::Server::new_async().await;
    let members = get_once(&mut s, "/api/members", 403, r#"{"message":"Forbidden"}"#).await;
    // The optional listings run after the members; none is reached.
    let guard = catch_all(&mut s).await;
    let c = WorkatoConnector::new(mock_client(&s), config("dev"));
    let err = c.snapshot().await.expect_err("403");
    assert!(matches!(err, Error::MembersForbidden { .. }), "{err:?}");
    insta::assert_snapshot!(err.to_string(), @r#"Workato refused to list collaborators (403): the API client needs the "Collaborators › Get collaborators" permission in its client role, and access to the DEV environment (Workato serves the collaborator endpoints only to API clients with DEV access)"#);
    members.assert_async().await;
    for m in guard {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn forbidden_optional_listing_degrades_with_one_warning() {
    let mut s = mockito::Server::new_async().await;
    let mocks = vec![
        get_once(
            &mut s,
            "/api/members",
            200,
            &json!({"data": [{"id": 1000, "name": "Alice", "email": "alice@example.com",
                "grant_type": "team", "roles": [{"environment_type": "dev", "role_name": "Admin"}]}],
                "total": 1})
            .to_string(),
        )
        .await,
        get_once(&mut s, "/api/roles?page=1&per_page=100", 200, "[]").await,
        get_once(
            &mut s,
            "/api/environment_roles?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            200,
            r#"{"data":[],"total":0,"page":{"number":1,"size":100}}"#,
        )
        .await,
        get_once(
            &mut s,
            "/api/project_roles?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            200,
            r#"{"data":[],"total":0,"page":{"number":1,"size":100}}"#,
        )
        .await,
        get_once(&mut s, "/api/projects?page=1&per_page=100", 200, "[]").await,
        get_once(
            &mut s,
            "/api/user_groups?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            403,
            r#"{"message":"Forbidden"}"#,
        )
        .await,
    ];
    let guard = catch_all(&mut s).await;
    let c = WorkatoConnector::new(mock_client(&s), config("dev"));
    let snapshot = c.snapshot().await.expect("the sync goes on");
    let warnings = snapshot.warnings().all();
    let refused: Vec<&String> = warnings.iter().filter(|w| w.contains("403")).collect();
    assert_eq!(refused.len(), 1, "{warnings:?}");
    assert!(
        refused[0].contains("skipping collaborator groups")
            && refused[0].contains("\"Collaborator groups\" permission"),
        "{refused:?}"
    );
    for m in mocks.into_iter().chain(guard) {
        m.assert_async().await;
    }
}

/// `Display` of the error and every source, joined as the CLI prints them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        text.push_str(": ");
        text.push_str(&e.to_string());
        next = e.source();
    }
    text
}

async fn fake_with(profile: Profile, scope: EnvironmentScope) -> FakeWorkato {
    FakeWorkato::builder(Seed::default_workspace())
        .profile(profile)
        .environment_scope(scope)
        .start()
        .await
        .expect("fake starts")
}

#[tokio::test]
async fn setup_guide_sync_goes_beyond_the_list_only_for_the_optional_listings() {
    let fake = fake_with(Profile::SetupGuide, EnvironmentScope::All).await;
    let c = WorkatoConnector::new(client(&fake, None), config("dev"));
    c.validate().await.expect("validates");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dump(&sync_to_c1z(&c, dir.path()).await);
    assert!(d.resources.iter().any(|r| r
        .id
        .as_ref()
        .is_some_and(|id| id.resource_type == "collaborator")));

    // The only calls outside the guide's list are the three optional listings, each refused
    // once and each reported by exactly one warning.
    let outside = fake.requests_outside(&Profile::SetupGuide);
    assert_eq!(
        outside.into_iter().collect::<Vec<_>>(),
        [
            ("GET /api/environment_roles".to_owned(), 1),
            ("GET /api/project_roles".to_owned(), 1),
            ("GET /api/user_groups".to_owned(), 1),
        ]
    );
    assert_eq!(fake.forbidden().values().sum::<u64>(), 3);
    let warnings = c.snapshot().await.expect("snapshot").warnings().all();
    let refused: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("answered 403"))
        .collect();
    assert_eq!(refused.len(), 3, "{warnings:?}");
    for (needle, permission) in [
        ("environment roles", "Environment roles"),
        ("project roles", "Project roles"),
        ("collaborator groups", "Collaborator groups"),
    ] {
        assert!(
            refused
                .iter()
                .any(|w| w.contains(needle) && w.contains(&format!("{permission:?} permission"))),
            "{needle}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn setup_guide_sync_without_optional_parts_stays_inside_the_list() {
    let fake = fake_with(Profile::SetupGuide, EnvironmentScope::All).await;
    let mut cfg = config("dev");
    cfg.sync_environment_roles = false;
    cfg.sync_project_roles = false;
    cfg.sync_groups = false;
    let c = WorkatoConnector::new(client(&fake, None), cfg);
    c.validate().await.expect("validates");
    let dir = tempfile::tempdir().expect("tempdir");
    sync_to_c1z(&c, dir.path()).await;
    assert!(
        fake.requests_outside(&Profile::SetupGuide).is_empty(),
        "{:?}",
        fake.requests()
    );
    assert!(fake.forbidden().is_empty());
    for template in fake.requests().keys() {
        assert!(SETUP_GUIDE.contains(&template.as_str()), "{template}");
    }
}

#[tokio::test]
async fn rbac_v2_profile_syncs_environment_and_project_roles_without_refusals() {
    let fake = fake_with(Profile::RbacV2, EnvironmentScope::All).await;
    let c = WorkatoConnector::new(client(&fake, None), config("dev"));
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dump(&sync_to_c1z(&c, dir.path()).await);
    let types: Vec<&str> = d
        .resources
        .iter()
        .filter_map(|r| r.id.as_ref().map(|id| id.resource_type.as_str()))
        .collect();
    assert!(types.contains(&"environment_role"), "{types:?}");
    assert!(types.contains(&"project_role"), "{types:?}");
    assert!(fake.forbidden().is_empty(), "{:?}", fake.forbidden());
}

#[tokio::test]
async fn prod_scoped_client_is_told_it_needs_dev_access() {
    let fake = fake_with(Profile::Full, EnvironmentScope::Prod).await;
    let c = WorkatoConnector::new(client(&fake, None), config("prod"));
    // Projects are not DEV-only: the connectivity check passes.
    c.validate().await.expect("validates");
    let err = c
        .snapshot()
        .await
        .expect_err("no collaborators without DEV");
    assert!(matches!(err, Error::MembersForbidden { .. }), "{err:?}");
    assert!(
        err.to_string().contains("access to the DEV environment"),
        "{err}"
    );
    assert_eq!(fake.forbidden().get("GET /api/members"), Some(&1));
}

fn collaborator(id: &str) -> Resource {
    ResourceBuilder::new("collaborator", id, format!("member {id}"))
        .build()
        .expect("resource")
}

fn entitlement(resource_type: &str, resource: &str, slug: &str) -> Entitlement {
    Entitlement {
        id: format!("{resource_type}:{resource}:{slug}"),
        resource: Some(Resource {
            id: Some(resource_id(resource_type, resource)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn setup_guide_runs_the_whole_jit_cycle_with_exact_puts() {
    let fake = fake_with(Profile::SetupGuide, EnvironmentScope::All).await;
    let p = WorkatoProvisioner::new(client(&fake, None), config("dev"));
    let carol = collaborator("1002");
    // A legacy custom role: its name comes from GET /api/roles, inside the list.
    let reviewer = entitlement("role", "1", "collaborator-has");

    let outcome = p.grant(&carol, &reviewer).await.expect("grant");
    assert!(
        matches!(outcome, GrantOutcome::Granted { .. }),
        "{outcome:?}"
    );
    assert_eq!(fake.request_count(PUT_MEMBER), 1);
    assert_eq!(
        p.grant(&carol, &reviewer).await.expect("again"),
        GrantOutcome::AlreadyExists
    );
    assert_eq!(fake.request_count(PUT_MEMBER), 1);

    let grant = Grant {
        id: "role:1:collaborator-has:collaborator:1002".into(),
        ..Default::default()
    };
    assert_eq!(
        p.revoke(&grant).await.expect("revoke"),
        RevokeOutcome::Revoked
    );
    assert_eq!(fake.request_count(PUT_MEMBER), 2);
    assert_eq!(
        p.revoke(&grant).await.expect("revoke again"),
        RevokeOutcome::AlreadyRevoked
    );
    assert_eq!(fake.request_count(PUT_MEMBER), 2);
    assert!(
        fake.requests_outside(&Profile::SetupGuide).is_empty(),
        "{:?}",
        fake.requests()
    );
}

#[tokio::test]
async fn readonly_guide_grant_fails_naming_the_permission_and_stops() {
    let fake = fake_with(Profile::SetupGuideReadonly, EnvironmentScope::All).await;
    let p = WorkatoProvisioner::new(client(&fake, None), config("dev"));
    let err = p
        .grant(
            &collaborator("1002"),
            &entitlement("role", "Operator", "collaborator-has"),
        )
        .await
        .expect_err("no PUT permission");
    let text = chain(&err);
    assert!(
        text.contains(permissions::UPDATE_COLLABORATOR_ROLES),
        "{text}"
    );
    assert!(text.contains("Update collaborators' roles"), "{text}");
    assert!(text.contains("403"), "{text}");
    // Read the member, tried the PUT once, then nothing more.
    let requests = fake.requests();
    assert_eq!(requests.get(PUT_MEMBER), Some(&1), "{requests:?}");
    assert_eq!(fake.forbidden().values().sum::<u64>(), 1);
    assert_eq!(
        requests.keys().map(String::as_str).collect::<Vec<_>>(),
        ["GET /api/members/:id", PUT_MEMBER]
    );
    assert_eq!(
        fake.member(1002).and_then(|m| m.role_in("dev").cloned()),
        None
    );
}

#[tokio::test]
async fn per_item_refusals_give_one_warning_each() {
    // Project roles and groups listable, but not project grants nor group members.
    let mut allowed: Vec<String> = SETUP_GUIDE.iter().map(|t| (*t).to_owned()).collect();
    allowed.extend(
        ["GET /api/project_roles", "GET /api/user_groups"]
            .into_iter()
            .map(str::to_owned),
    );
    let fake = fake_with(Profile::Custom(allowed), EnvironmentScope::All).await;
    let c = WorkatoConnector::new(client(&fake, None), config("dev"));
    let dir = tempfile::tempdir().expect("tempdir");
    sync_to_c1z(&c, dir.path()).await;
    // Both projects and both groups were asked and refused...
    assert_eq!(
        fake.forbidden().get("GET /api/projects/:id/project_grants"),
        Some(&2)
    );
    assert_eq!(
        fake.forbidden().get("GET /api/user_groups/:id/members"),
        Some(&2)
    );
    // ...and each listing is reported once, naming every refused item.
    let warnings = c.snapshot().await.expect("snapshot").warnings().all();
    let grants: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("skipping the project grants"))
        .collect();
    assert_eq!(grants.len(), 1, "{warnings:?}");
    assert!(
        grants[0]
            .starts_with("skipping the project grants of projects 100, 101: Workato answered 403"),
        "{grants:?}"
    );
    assert!(
        grants[0].contains("\"Project grants\" permission"),
        "{grants:?}"
    );
    let members: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("skipping the members of collaborator groups"))
        .collect();
    assert_eq!(members.len(), 1, "{warnings:?}");
}

#[tokio::test]
async fn refused_privileges_give_one_warning_naming_the_permission() {
    // Environment roles listable, /privileges not: Erin's environment role gets no grants.
    let allowed: Vec<String> = SETUP_GUIDE
        .iter()
        .filter(|t| **t != "GET /api/members/:id/privileges")
        .map(|t| (*t).to_owned())
        .chain(["GET /api/environment_roles".to_owned()])
        .collect();
    let fake = fake_with(Profile::Custom(allowed), EnvironmentScope::All).await;
    let c = WorkatoConnector::new(client(&fake, None), config("all"));
    let dir = tempfile::tempdir().expect("tempdir");
    sync_to_c1z(&c, dir.path()).await;
    assert!(fake
        .forbidden()
        .contains_key("GET /api/members/:id/privileges"));
    let warnings = c.snapshot().await.expect("snapshot").warnings().all();
    let unread: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("could not read the privileges"))
        .collect();
    assert_eq!(unread.len(), 1, "{warnings:?}");
    assert!(
        unread[0].contains(permissions::GET_COLLABORATOR_PRIVILEGES),
        "{unread:?}"
    );
}
