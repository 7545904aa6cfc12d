//! The fake's reference workspace synced end to end through the engine into a c1z, read back
//! and pinned, for `dev` and for `all`.

use baton_model::model::AnnotationsExt;
use baton_model::proto::{GrantExpandable, GrantImmutable, GrantMetadata};
use workato_api::fake::Seed;
use workato_connector::catalogue::lookup_resource_id;
use workato_connector::ids::parse_project_role_resource_id;

use crate::common::{connector, dump, sync_to_c1z, Dump};

fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn strip_env(s: &str) -> Option<&str> {
    ["-prod", "-test", "-dev"]
        .iter()
        .find_map(|suffix| s.strip_suffix(suffix))
}

/// Every id has its type's form (docs/ids.md).
fn check_id_forms(d: &Dump, all: bool) {
    let role_ok = |id: &str, base_ok: bool| {
        let bare = if all {
            match strip_env(id) {
                Some(b) => b,
                None => return false,
            }
        } else {
            id
        };
        is_decimal(bare) || (base_ok && ["Admin", "Analyst", "Operator"].contains(&bare))
    };
    let synthesized = ["Quantum flux-all"];
    for r in &d.resources {
        let id = r.id.as_ref().expect("id");
        let (rt, rid) = (id.resource_type.as_str(), id.resource.as_str());
        let ok = match rt {
            "collaborator" | "folder" | "project" => is_decimal(rid),
            "role" => role_ok(rid, true),
            "environment_role" => role_ok(rid, false),
            "privilege" => lookup_resource_id(rid).is_some() || synthesized.contains(&rid),
            "project_role" => parse_project_role_resource_id(rid).is_some(),
            "collaborator_group" => rid.starts_with("am-") && !rid.contains(':'),
            other => panic!("unexpected resource type {other}"),
        };
        assert!(ok, "bad {rt} id {rid:?}");
    }
    for e in &d.entitlements {
        let rid = e
            .resource
            .as_ref()
            .and_then(|r| r.id.as_ref())
            .expect("resource");
        let slug = match rid.resource_type.as_str() {
            "role" | "environment_role" => "collaborator-has",
            "privilege" => "assigned",
            "folder" => "collaborator-access",
            "project_role" | "collaborator_group" => "member",
            other => panic!("unexpected entitlement on {other}"),
        };
        assert_eq!(
            e.id,
            format!("{}:{}:{slug}", rid.resource_type, rid.resource)
        );
        assert_eq!(e.slug, slug);
    }
    for g in &d.grants {
        let ent = g.entitlement.as_ref().expect("entitlement");
        let p = g
            .principal
            .as_ref()
            .and_then(|p| p.id.as_ref())
            .expect("principal");
        assert_eq!(
            g.id,
            format!("{}:{}:{}", ent.id, p.resource_type, p.resource)
        );
    }
}

async fn run(scope: &str) -> Dump {
    let (_fake, c) = connector(Seed::default_workspace(), scope).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let reader = sync_to_c1z(&c, dir.path()).await;
    let warnings = c.snapshot().await.expect("snapshot").warnings().all();
    insta::assert_snapshot!(
        format!("default_workspace_{scope}_warnings"),
        warnings.join("\n")
    );
    dump(&reader)
}

#[tokio::test]
async fn dev_sync_is_pinned() {
    let d = run("dev").await;
    check_id_forms(&d, false);
    d.assert_closed();
    // Expansion gave Alice (dev Admin) every catalogue privilege, but not every folder: the
    // system role's workspace-wide folder reach stays on the role (immutable, not
    // expandable), so it is not multiplied by the role's holders.
    let g = d.grant("privilege:Recipes-read:assigned:collaborator:1000");
    assert!(g.annotations.has_annotation::<GrantImmutable>());
    assert!(!d
        .grant_ids()
        .contains("folder:21:collaborator-access:collaborator:1000"));
    let reach = d.grant("folder:21:collaborator-access:role:Admin");
    assert!(reach.annotations.has_annotation::<GrantImmutable>());
    assert!(!reach.annotations.has_annotation::<GrantExpandable>());
    // Dave (dev Custom Reviewer: folder 20, not inheritable) reaches 20 but not 21.
    assert!(d
        .grant_ids()
        .contains("folder:20:collaborator-access:collaborator:1003"));
    assert!(!d
        .grant_ids()
        .contains("folder:21:collaborator-access:collaborator:1003"));
    // Role grants carry the environment.
    let role = d.grant("role:Admin:collaborator-has:collaborator:1000");
    let meta = role
        .annotations
        .annotation::<GrantMetadata>()
        .expect("decodes")
        .expect("metadata");
    let env = meta.metadata.expect("struct").fields["environment_type"].clone();
    assert_eq!(
        env.kind,
        Some(baton_model::proto::Kind::StringValue("dev".into()))
    );
    insta::assert_snapshot!("default_workspace_dev", d.render());
}

#[tokio::test]
async fn all_sync_is_pinned() {
    let d = run("all").await;
    check_id_forms(&d, true);
    d.assert_closed();
    let ids = d.grant_ids();
    // Dave holds Custom Auditor in test (inheritable from root folder 10).
    assert!(ids.contains("role:2-test:collaborator-has:collaborator:1003"));
    assert!(ids.contains("folder:21:collaborator-access:role:2-test"));
    assert!(ids.contains("folder:21:collaborator-access:collaborator:1003"));
    // Bob holds Operator in prod; folder reach of system roles is per env.
    assert!(ids.contains("folder:22:collaborator-access:role:Operator-prod"));
    assert!(ids.contains("privilege:Recipes-run:assigned:collaborator:1001"));
    insta::assert_snapshot!("default_workspace_all", d.render());
}
