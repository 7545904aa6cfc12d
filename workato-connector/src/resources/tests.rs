//! Mapping tests over the hand-built reference workspace.

use std::collections::BTreeSet;

use baton_model::model::AnnotationsExt;
use baton_model::proto::{GrantExpandable, GrantImmutable, GrantMetadata};

use super::*;
use crate::env::EnvScope;
use crate::snapshot::tests::sample;

fn objects(scope: EnvScope) -> (Snapshot, Objects) {
    let snap = sample(scope);
    let config = ConnectorConfig {
        env: scope,
        ..ConnectorConfig::default()
    };
    let objects = Objects::build(&snap, &config).expect("maps");
    (snap, objects)
}

fn resource_ids(o: &Objects, rt: &str) -> BTreeSet<String> {
    o.all_resources()
        .map(|r| r.expect("decodes"))
        .filter_map(|r| r.id)
        .filter(|id| id.resource_type == rt)
        .map(|id| id.resource)
        .collect()
}

fn grant_ids(o: &Objects) -> BTreeSet<String> {
    o.all_grants().map(|g| g.expect("decodes").id).collect()
}

const DEV: EnvScope = EnvScope::Single(Environment::Dev);

#[test]
fn dev_ids() {
    let (snap, o) = objects(DEV);
    assert!(o.dropped_grants().is_empty(), "{:?}", o.dropped_grants());
    assert_eq!(
        resource_ids(&o, "role"),
        ["1", "2", "Admin", "Analyst", "Operator"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        resource_ids(&o, "environment_role"),
        ["50", "51"].map(String::from).into()
    );
    assert_eq!(
        resource_ids(&o, "folder"),
        ["10", "11", "20", "21", "22"].map(String::from).into()
    );
    assert_eq!(
        resource_ids(&o, "project_role"),
        ["100-7", "100-pr-admin", "101-7", "101-pr-admin"]
            .map(String::from)
            .into()
    );
    let grants = grant_ids(&o);
    for id in [
        "role:Admin:collaborator-has:collaborator:1000",
        "role:1:collaborator-has:collaborator:1003",
        "environment_role:50:collaborator-has:collaborator:1004",
        "privilege:Recipes-read:assigned:role:1",
        "privilege:Secret Thing-peek:assigned:role:2",
        "privilege:Recipes-run:assigned:environment_role:50",
        "folder:22:collaborator-access:environment_role:50",
        "folder:20:collaborator-access:role:1",
        "folder:21:collaborator-access:role:2",
        "folder:10:collaborator-access:role:2",
        "folder:21:collaborator-access:role:Operator",
        "project_role:100-pr-admin:member:collaborator:1003",
        "project_role:101-7:member:collaborator_group:am-fin",
        "collaborator_group:am-fin:member:collaborator:1004",
    ] {
        assert!(grants.contains(id), "missing {id}");
    }
    // Non-inheritable Custom Reviewer reaches folder 20 only.
    assert!(!grants.contains("folder:21:collaborator-access:role:1"));
    // No per-member privilege or folder grants: those come from expansion.
    assert!(!grants
        .iter()
        .any(|g| g.starts_with("privilege:") && g.contains(":collaborator:")));
    assert!(snap
        .warnings()
        .contains("\"Secret Thing-peek\" is not in the catalogue"));
    assert!(resource_ids(&o, "privilege").contains("Secret Thing-peek"));
}

#[test]
fn all_mode_suffixes_everywhere() {
    let (_snap, o) = objects(EnvScope::All);
    assert!(o.dropped_grants().is_empty(), "{:?}", o.dropped_grants());
    let roles = resource_ids(&o, "role");
    assert_eq!(roles.len(), 15);
    assert!(roles.contains("2-test") && roles.contains("Operator-dev"));
    let grants = grant_ids(&o);
    for env in ["prod", "test", "dev"] {
        assert!(grants.contains(&format!("folder:20:collaborator-access:role:2-{env}")));
        assert!(grants.contains(&format!("folder:11:collaborator-access:role:Admin-{env}")));
    }
    assert!(grants.contains("role:2-test:collaborator-has:collaborator:1003"));
    assert!(grants.contains("role:Analyst-prod:collaborator-has:collaborator:1006"));
    // Every expansion source and every role principal carries a suffix.
    for g in o.all_grants().map(|g| g.expect("decodes")) {
        if let Some(exp) = g
            .annotations
            .annotation::<GrantExpandable>()
            .expect("decodes")
        {
            for src in exp.entitlement_ids {
                assert!(
                    src.ends_with("-prod:collaborator-has")
                        || src.ends_with("-test:collaborator-has")
                        || src.ends_with("-dev:collaborator-has")
                        || src.starts_with("collaborator_group:"),
                    "{src}"
                );
            }
        }
    }
}

#[test]
fn grant_annotations() {
    let (_snap, o) = objects(DEV);
    let find = |id: &str| {
        o.all_grants()
            .map(|g| g.expect("decodes"))
            .find(|g| g.id == id)
            .unwrap_or_else(|| panic!("no grant {id}"))
    };
    let role_grant = find("role:Admin:collaborator-has:collaborator:1000");
    let meta = role_grant
        .annotations
        .annotation::<GrantMetadata>()
        .expect("decodes")
        .expect("metadata");
    assert!(format!("{meta:?}").contains("dev"));
    assert!(!role_grant.annotations.has_annotation::<GrantImmutable>());

    let base = find("privilege:Recipes-read:assigned:role:Operator");
    assert!(base.annotations.has_annotation::<GrantImmutable>());
    let exp = base
        .annotations
        .annotation::<GrantExpandable>()
        .expect("decodes")
        .expect("expandable");
    assert_eq!(exp.entitlement_ids, ["role:Operator:collaborator-has"]);
    assert!(exp.shallow);

    let custom = find("privilege:Recipes-read:assigned:role:1");
    assert!(!custom.annotations.has_annotation::<GrantImmutable>());
    let group = find("project_role:101-7:member:collaborator_group:am-fin");
    let exp = group
        .annotations
        .annotation::<GrantExpandable>()
        .expect("decodes")
        .expect("expandable");
    assert_eq!(exp.entitlement_ids, ["collaborator_group:am-fin:member"]);
}

#[test]
fn closure_drops_dangling_grants() {
    let mut raw = crate::snapshot::tests::sample_raw();
    raw.groups[0].member_ids.push(4242);
    let snap = Snapshot::build(raw, &ConnectorConfig::default());
    let o = Objects::build(&snap, &ConnectorConfig::default()).expect("maps");
    assert_eq!(
        o.dropped_grants(),
        ["collaborator_group:am-fin:member:collaborator:4242"]
    );
    assert!(snap.warnings().contains("4242"));
}

#[test]
fn types_turned_off_leave_nothing_dangling() {
    let config = ConnectorConfig {
        sync_environment_roles: false,
        sync_groups: false,
        ..ConnectorConfig::default()
    };
    let snap = Snapshot::build(crate::snapshot::tests::sample_raw(), &config);
    let o = Objects::build(&snap, &config).expect("maps");
    assert!(o.dropped_grants().is_empty(), "{:?}", o.dropped_grants());
    let types: Vec<&str> = o.resource_types().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        types,
        [
            "collaborator",
            "privilege",
            "role",
            "folder",
            "project",
            "project_role"
        ]
    );
    // Erin's environment role is not synced: no grant, no warning.
    assert!(o
        .grants(&rid("collaborator", "1004"))
        .expect("decodes")
        .is_empty());
    assert!(!snap.warnings().contains("Deployer"));
    // Privilege entitlements are then grantable to collaborators and roles only.
    let ent = o
        .entitlements(&rid("privilege", "Recipes-read"))
        .expect("decodes")
        .into_iter()
        .next()
        .expect("entitlement");
    let grantable: Vec<&str> = ent.grantable_to.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(grantable, ["collaborator", "role"]);
}

#[test]
fn duplicate_members_are_listed_once() {
    let mut raw = crate::snapshot::tests::sample_raw();
    let dup = raw.members[0].clone();
    raw.members.push(dup);
    let snap = Snapshot::build(raw, &ConnectorConfig::default());
    assert_eq!(snap.members().len(), 7);
    assert_eq!(snap.assignments_of(1000).count(), 1);
    assert!(snap
        .warnings()
        .contains("collaborator 1000 is listed twice"));
}
