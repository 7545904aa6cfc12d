//! One test per upstream defect that sync can show (docs/decisions.md, D1 to D9, D12 to D19, D21
//! and D22; test names keep those numbers), each asserting we do not have it. The provisioning
//! and HTTP ones (D6, D10, D11, D20) are tested in other crates and modules.

use baton_model::model::ids::resource_id;
use baton_model::model::AnnotationsExt;
use baton_model::proto::{AppTrait, Kind, Resource};
use baton_model::sync::Connector;
use workato_api::fake::{FakeWorkato, Fault, GenParams, MemberRole, Seed};
use workato_connector::WorkatoConnector;

use crate::common::{client, config, connector, dump, sync_to_c1z, Dump};

async fn synced(seed: Seed, scope: &str) -> (FakeWorkato, WorkatoConnector, Dump) {
    let (fake, c) = connector(seed, scope).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dump(&sync_to_c1z(&c, dir.path()).await);
    (fake, c, d)
}

async fn warnings(c: &WorkatoConnector) -> Vec<String> {
    c.snapshot().await.expect("snapshot").warnings().all()
}

fn has(ws: &[String], needle: &str) -> bool {
    ws.iter().any(|w| w.contains(needle))
}

#[tokio::test]
async fn defect_1_no_per_member_privilege_calls() {
    for scope in ["dev", "all"] {
        let (fake, _c, d) = synced(Seed::default_workspace(), scope).await;
        // Only Erin's environment role is learned, once; the 7 members are never asked.
        assert_eq!(
            fake.request_count("GET /api/members/:id/privileges"),
            1,
            "{scope}"
        );
        // Privileges still reach collaborators, by expansion from role grants.
        assert!(d
            .grant_ids()
            .contains("privilege:Connections-read:assigned:collaborator:1003"));
    }
}

#[tokio::test]
async fn defect_2_one_snapshot_per_sync() {
    let (fake, _c, _d) = synced(Seed::default_workspace(), "all").await;
    for route in [
        "GET /api/members",
        "GET /api/roles",
        "GET /api/environment_roles",
        "GET /api/projects",
        "GET /api/project_roles",
        "GET /api/user_groups",
    ] {
        assert_eq!(fake.request_count(route), 1, "{route}");
    }
}

#[tokio::test]
async fn defect_3_grants_without_listing_first_and_missing_roles_are_warnings() {
    let (_fake, c) = connector(Seed::default_workspace(), "dev").await;
    // A resumed sync asks for grants before any List call in this process.
    let alice = Resource {
        id: Some(resource_id("collaborator", "1000")),
        ..Default::default()
    };
    let page = c.grants(&alice, None).await.expect("grants");
    let ids: Vec<&str> = page.items.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["role:Admin:collaborator-has:collaborator:1000"]);
    // Frank's deleted role is skipped with a warning, never an error.
    let frank = Resource {
        id: Some(resource_id("collaborator", "1005")),
        ..Default::default()
    };
    assert!(c
        .grants(&frank, None)
        .await
        .expect("grants")
        .items
        .is_empty());
    assert!(has(&warnings(&c).await, "\"Legacy Approver\""));
}

#[tokio::test]
async fn defects_4_5_all_pages_from_page_one() {
    let seed = Seed::generate(&GenParams {
        members: 10,
        custom_roles: 150,
        env_roles: 120,
        projects: 3,
        folder_depth: 1,
        folder_fanout: 2,
        groups: 1,
        ..GenParams::default()
    });
    let (fake, _c, d) = synced(seed, "dev").await;
    // 150 custom roles + 3 system roles, no duplicates (page 0 would alias page 1).
    assert_eq!(d.resource_ids("role").len(), 153);
    assert_eq!(d.resource_ids("environment_role").len(), 120);
    assert_eq!(fake.request_count("GET /api/roles"), 2);
    assert_eq!(fake.request_count("GET /api/environment_roles"), 2);
}

#[tokio::test]
async fn defect_7_names_resolve_by_role_type_and_id() {
    let mut seed = Seed::default_workspace();
    // An environment role with the name of Dave's legacy role.
    let mut clash = seed.environment_roles[0].clone();
    clash.id = 77;
    clash.name = "Custom Reviewer".to_owned();
    seed.environment_roles.push(clash);
    let (_fake, _c, d) = synced(seed, "dev").await;
    let ids = d.grant_ids();
    assert!(ids.contains("role:1:collaborator-has:collaborator:1003"));
    assert!(!ids.contains("environment_role:77:collaborator-has:collaborator:1003"));
    // Erin's environment role still resolves to the environment role.
    assert!(ids.contains("environment_role:50:collaborator-has:collaborator:1004"));
}

#[tokio::test]
async fn defect_8_each_project_lists_only_its_root_folder() {
    let (_fake, c) = connector(Seed::default_workspace(), "dev").await;
    for (project, root) in [("100", "10"), ("101", "11")] {
        let page = c
            .resources("folder", Some(&resource_id("project", project)), None)
            .await
            .expect("folders");
        let ids: Vec<&str> = page
            .items
            .iter()
            .filter_map(|r| r.id.as_ref().map(|i| i.resource.as_str()))
            .collect();
        assert_eq!(ids, [root]);
    }
    // Top-level folder listing is empty (child-only type).
    assert!(c
        .resources("folder", None, None)
        .await
        .expect("ok")
        .items
        .is_empty());
}

#[tokio::test]
async fn defect_9_all_mode_ids_are_suffixed_and_closed() {
    let (_fake, _c, d) = synced(Seed::default_workspace(), "all").await;
    d.assert_closed();
    for g in &d.grants {
        let p = g
            .principal
            .as_ref()
            .and_then(|p| p.id.as_ref())
            .expect("principal");
        if p.resource_type == "role" || p.resource_type == "environment_role" {
            assert!(
                ["-prod", "-test", "-dev"]
                    .iter()
                    .any(|s| p.resource.ends_with(s)),
                "{}",
                g.id
            );
        }
    }
    // One folder grant per target env.
    for env in ["prod", "test", "dev"] {
        assert!(d
            .grant_ids()
            .contains(&format!("folder:22:collaborator-access:role:3-{env}")));
    }
}

#[tokio::test]
async fn defect_12_unknown_privileges_are_synthesized() {
    let (_fake, c, d) = synced(Seed::default_workspace(), "dev").await;
    let r = d.resource("privilege", "Quantum flux-all");
    assert_eq!(r.display_name, "Quantum flux-all");
    assert!(d
        .entitlements
        .iter()
        .any(|e| e.id == "privilege:Quantum flux-all:assigned"));
    assert!(d
        .grant_ids()
        .contains("privilege:Quantum flux-all:assigned:role:3"));
    assert!(has(
        &warnings(&c).await,
        "\"Quantum flux-all\" is not in the catalogue"
    ));
}

#[tokio::test]
async fn defect_13_zero_privilege_rows_mean_no_grants() {
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .expect("fake");
    fake.inject_on(
        "GET /api/members/:id/privileges",
        Fault::Status {
            status: 200,
            body: r#"{"data":[],"total":0}"#.into(),
            count: 1,
        },
    );
    let c = WorkatoConnector::new(client(&fake, None), config("dev"));
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dump(&sync_to_c1z(&c, dir.path()).await);
    assert!(d
        .grant_ids()
        .contains("environment_role:50:collaborator-has:collaborator:1004"));
    assert!(!d
        .grant_ids()
        .iter()
        .any(|g| g.ends_with(":environment_role:50")));
    assert!(has(
        &warnings(&c).await,
        "no dev privileges row for collaborator 1004"
    ));
}

#[tokio::test]
async fn defect_14_unknown_environment_skips_only_that_entry() {
    let mut seed = Seed::default_workspace();
    seed.members[0]
        .roles
        .push(MemberRole::privilege_group("staging", "Operator"));
    let (_fake, c, d) = synced(seed, "dev").await;
    assert!(d
        .grant_ids()
        .contains("role:Admin:collaborator-has:collaborator:1000"));
    assert!(has(&warnings(&c).await, "unknown environment \"staging\""));
}

#[tokio::test]
async fn defect_15_missing_rbac_generation_degrades() {
    // Migrated workspace: /api/roles answers 404 ⇒ system roles only.
    let mut seed = Seed::default_workspace();
    seed.legacy_roles_enabled = false;
    let (_fake, c, d) = synced(seed, "dev").await;
    assert_eq!(
        d.resource_ids("role").into_iter().collect::<Vec<_>>(),
        ["Admin", "Analyst", "Operator"]
    );
    assert!(has(
        &warnings(&c).await,
        "skipping custom roles (GET /api/roles)"
    ));

    // Un-migrated workspace: RBAC-v2 endpoints answer 401 ⇒ no environment/project roles.
    let mut seed = Seed::default_workspace();
    seed.environment_roles_enabled = false;
    let (fake, c, d) = synced(seed, "dev").await;
    assert!(d.resource_ids("environment_role").is_empty());
    assert!(d.resource_ids("project_role").is_empty());
    assert!(d
        .grant_ids()
        .contains("role:1:collaborator-has:collaborator:1003"));
    let ws = warnings(&c).await;
    assert!(has(
        &ws,
        "skipping environment roles (GET /api/environment_roles): Workato answered 401"
    ));
    // Not asked once per project when project roles are refused.
    assert_eq!(
        fake.request_count("GET /api/projects/:id/project_grants"),
        0
    );

    // A client role without the groups permission: 403 names the permission, sync goes on.
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .expect("fake");
    fake.inject_on(
        "GET /api/user_groups",
        Fault::Status {
            status: 403,
            body: r#"{"message":"Forbidden"}"#.into(),
            count: 1,
        },
    );
    let c = WorkatoConnector::new(client(&fake, None), config("dev"));
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dump(&sync_to_c1z(&c, dir.path()).await);
    assert!(d.resource_ids("collaborator_group").is_empty());
    let ws = warnings(&c).await;
    assert!(
        ws.iter()
            .any(|w| w.contains("skipping collaborator groups") && w.contains("permission")),
        "{ws:?}"
    );
}

#[tokio::test]
async fn defects_16_17_18_entitlement_shapes() {
    let (_fake, _c, d) = synced(Seed::default_workspace(), "dev").await;
    for e in &d.entitlements {
        let rt = e
            .resource
            .as_ref()
            .and_then(|r| r.id.as_ref())
            .map(|i| i.resource_type.as_str())
            .unwrap_or_default();
        // 16: no EntitlementImmutable, no exclusion groups, nothing at all.
        assert!(e.annotations.is_empty(), "{}", e.id);
        let grantable: Vec<&str> = e.grantable_to.iter().map(|t| t.id.as_str()).collect();
        if rt == "privilege" || rt == "folder" {
            // 17
            assert_eq!(
                grantable,
                ["collaborator", "role", "environment_role"],
                "{}",
                e.id
            );
        }
        // 18
        assert!(!e.display_name.contains('`') && !e.display_name.contains("acess"));
        assert!(!e.description.contains("acess"));
        // grantable_to holds full resource types.
        for t in &e.grantable_to {
            assert!(d.types.contains(t), "{} grantable_to {t:?}", e.id);
        }
    }
}

#[tokio::test]
async fn defect_19_root_folder_profile() {
    let (_fake, _c, d) = synced(Seed::default_workspace(), "dev").await;
    let root = d.resource("folder", "10");
    let app = root
        .annotations
        .annotation::<AppTrait>()
        .expect("decodes")
        .expect("app trait");
    let fields = app.profile.expect("profile").fields;
    assert_eq!(fields["id"].kind, Some(Kind::NumberValue(10.0)));
    assert_eq!(fields["project_id"].kind, Some(Kind::NumberValue(100.0)));
    assert_eq!(fields["parent_id"].kind, Some(Kind::NullValue(0)));
}

#[tokio::test]
async fn defect_21_email_lookup_is_exact() {
    let (_fake, c) = connector(Seed::default_workspace(), "dev").await;
    let snap = c.snapshot().await.expect("snapshot");
    assert_eq!(
        snap.member_by_email("ALICE.LINDQVIST@northwind-fake.example")
            .map(|m| m.id),
        Some(1000)
    );
    assert!(snap.member_by_email("alice").is_none());
}

#[tokio::test]
async fn defect_22_truncated_member_list_warns() {
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .expect("fake");
    fake.inject_on(
        "GET /api/members",
        Fault::Status {
            status: 200,
            body:
                r#"{"data":[{"id":1,"name":"Solo","email":"solo@x.example","roles":[]}],"total":5}"#
                    .into(),
            count: 1,
        },
    );
    let c = WorkatoConnector::new(client(&fake, None), config("dev"));
    let snap = c.snapshot().await.expect("snapshot");
    assert_eq!(snap.members().len(), 1);
    assert!(snap.warnings().contains("reported total 5 but returned 1"));
}

#[tokio::test]
async fn rejected_key_fails_with_a_clear_error() {
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .expect("fake");
    let bad = workato_api::Client::builder()
        .token(workato_api::ApiToken::new("wrong-token"))
        .base_url(fake.url())
        .allow_insecure_http(true)
        .rate_limit_all(0)
        .build()
        .expect("client");
    let c = WorkatoConnector::new(bad, config("dev"));
    let err = c.snapshot().await.expect_err("401");
    assert!(matches!(err, workato_connector::Error::Unauthorized { .. }));
    let text = format!("{err}");
    assert!(
        text.contains("API key") && text.contains("data center"),
        "{text}"
    );
    assert!(!text.contains("wrong-token"));
    assert!(c.validate().await.is_err());
    let good = WorkatoConnector::new(client(&fake, None), config("dev"));
    good.validate().await.expect("validates");
}
