//! A hand-built reference workspace (docs/architecture.md#the-reference-workspace) and snapshot
//! tests.

use super::*;
use crate::catalogue::BaseRole;
use crate::env::Environment::{Dev, Prod, Test};

fn privs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(g, p)| ((*g).to_owned(), (*p).to_owned()))
        .collect()
}

fn member(id: i64, name: &str, roles: &[(Environment, &str, RoleType)]) -> Member {
    let mut m = Member::new(id, name, format!("{}@example.com", name.to_lowercase()));
    m.created_at = Some("2020-05-20T11:54:31.706-07:00".into());
    m.grant_type = Some("team".into());
    m.time_zone = Some("UTC".into());
    m.roles = roles
        .iter()
        .map(|(env, name, kind)| MemberRole::new(*env, *name, kind.clone()))
        .collect();
    m
}

fn folder(id: i64, name: &str, under: i64) -> Folder {
    Folder {
        id,
        name: name.into(),
        parent_id: Some(under),
        listed_under: under,
        created_at: Some("2024-01-02T03:04:05Z".into()),
        updated_at: Some("2024-01-02T03:04:05Z".into()),
    }
}

/// The reference workspace, hand-built (no HTTP).
pub(crate) fn sample_raw() -> RawWorkspace {
    use RoleType::{Environment as EnvT, PrivilegeGroup as Pg, Unspecified};
    RawWorkspace {
        members: vec![
            member(1000, "Alice", &[(Dev, "Admin", Pg)]),
            member(1001, "Bob", &[(Prod, "Operator", Unspecified)]),
            member(1002, "Carol", &[]),
            member(
                1003,
                "Dave",
                &[(Dev, "Custom Reviewer", Pg), (Test, "Custom Auditor", Pg)],
            ),
            member(1004, "Erin", &[(Dev, "Deployer", EnvT)]),
            member(1005, "Frank", &[(Dev, "Deleted Role", Pg)]),
            member(
                1006,
                "Grace",
                &[(Dev, "No access", Pg), (Prod, "Analyst", Pg)],
            ),
        ],
        legacy_roles: vec![
            LegacyRole {
                id: 1,
                name: "Custom Reviewer".into(),
                inheritable: false,
                folder_ids: vec![20],
                privileges: privs(&[("Folders", "read"), ("Recipes", "read")]),
                created_at: Some("2024-01-02T03:04:05Z".into()),
                updated_at: None,
            },
            LegacyRole {
                id: 2,
                name: "Custom Auditor".into(),
                inheritable: true,
                folder_ids: vec![10],
                privileges: privs(&[("Recipes", "read_run_history"), ("Secret Thing", "peek")]),
                created_at: None,
                updated_at: None,
            },
        ],
        env_roles: vec![
            EnvRole {
                id: 50,
                name: "Deployer".into(),
                kind: Some("custom".into()),
                created_at: None,
                updated_at: None,
            },
            EnvRole {
                id: 51,
                name: "Releaser".into(),
                kind: Some("custom".into()),
                created_at: None,
                updated_at: None,
            },
        ],
        projects: vec![
            Project {
                id: 100,
                name: "Billing Pipelines".into(),
                description: Some("Billing".into()),
                folder_id: Some(10),
            },
            Project {
                id: 101,
                name: "HR Pipelines".into(),
                description: None,
                folder_id: Some(11),
            },
        ],
        folders: vec![
            folder(20, "Invoices", 10),
            folder(21, "Archive", 20),
            folder(22, "Payroll", 11),
        ],
        groups: vec![
            Group {
                id: "am-fin".into(),
                name: "Finance".into(),
                description: None,
                system: false,
                member_ids: vec![1003, 1004],
            },
            Group {
                id: "am-ops".into(),
                name: "Ops".into(),
                description: Some("Operations".into()),
                system: false,
                member_ids: vec![1001],
            },
        ],
        project_roles: vec![
            ProjectRole {
                id: "pr-admin".into(),
                name: "ProjectAdmin".into(),
                kind: Some("system".into()),
            },
            ProjectRole {
                id: "7".into(),
                name: "ProjectOperator".into(),
                kind: Some("system".into()),
            },
        ],
        project_grants: vec![
            ProjectGrant {
                id: "pg-1".into(),
                project_id: 100,
                env: Some(Dev),
                project_role_id: "pr-admin".into(),
                project_role_name: "ProjectAdmin".into(),
                subject: GrantSubject::User(1003),
            },
            ProjectGrant {
                id: "pg-2".into(),
                project_id: 101,
                env: Some(Dev),
                project_role_id: "7".into(),
                project_role_name: "ProjectOperator".into(),
                subject: GrantSubject::Group("am-fin".into()),
            },
        ],
        env_role_access: BTreeMap::new(),
        parts: Parts::default(),
    }
}

/// The privileges row Erin's `/privileges` returns for Deployer.
pub(crate) fn erin_rows() -> Vec<PrivilegeRow> {
    vec![PrivilegeRow {
        env: Dev,
        role_name: "Deployer".into(),
        privileges: privs(&[("Recipes", "read"), ("Recipes", "run")]),
        folder_ids: vec![22],
    }]
}

/// The reference snapshot in `scope`, with Erin's environment role learned.
pub(crate) fn sample(scope: EnvScope) -> Snapshot {
    let config = ConnectorConfig {
        env: scope,
        ..ConnectorConfig::default()
    };
    let mut s = Snapshot::build(sample_raw(), &config);
    for id in s.env_role_holders_to_ask() {
        let rows = if id == 1004 { erin_rows() } else { Vec::new() };
        s.learn_env_role_access(id, &rows);
    }
    s
}

#[test]
fn resolves_dev_assignments() {
    let s = sample(EnvScope::Single(Dev));
    let got: Vec<(i64, Environment, RoleRef)> = s
        .assignments()
        .iter()
        .map(|a| (a.member_id, a.env, a.role))
        .collect();
    assert_eq!(
        got,
        [
            (1000, Dev, RoleRef::Base(BaseRole::Admin)),
            (1003, Dev, RoleRef::Legacy(1)),
            (1004, Dev, RoleRef::Env(50)),
        ]
    );
    // Frank's deleted role is a warning, not an error; Grace's "No access" is silent.
    assert!(s.warnings().contains("\"Deleted Role\""));
    assert!(!s.warnings().contains("No access"));
    assert_eq!(
        s.env_role_access(Dev, 50).map(|a| a.folder_ids.clone()),
        Some(vec![22])
    );
}

#[test]
fn resolves_all_envs() {
    let s = sample(EnvScope::All);
    assert_eq!(s.assignments().len(), 6);
    assert!(s.assignments().iter().any(|a| a.member_id == 1006
        && a.env == Prod
        && a.role == RoleRef::Base(BaseRole::Analyst)));
    assert!(s
        .assignments()
        .iter()
        .any(|a| a.member_id == 1003 && a.env == Test && a.role == RoleRef::Legacy(2)));
}

#[test]
fn holders_are_asked_once_per_env_role() {
    let mut raw = sample_raw();
    // Three more holders of Deployer in dev, one holder of Releaser in dev and prod.
    for id in [2000, 2001, 2002] {
        raw.members
            .push(member(id, "X", &[(Dev, "Deployer", RoleType::Environment)]));
    }
    raw.members.push(member(
        2003,
        "Y",
        &[
            (Dev, "Releaser", RoleType::Environment),
            (Prod, "Releaser", RoleType::Environment),
        ],
    ));
    let config = ConnectorConfig {
        env: EnvScope::All,
        ..ConnectorConfig::default()
    };
    let s = Snapshot::build(raw, &config);
    assert_eq!(s.env_role_holders_to_ask(), [1004, 2003]);
}

#[test]
fn name_collisions_prefer_role_type_and_lowest_id() {
    let mut raw = sample_raw();
    raw.env_roles.push(EnvRole {
        id: 52,
        name: "Custom Reviewer".into(),
        kind: None,
        created_at: None,
        updated_at: None,
    });
    raw.legacy_roles.push(LegacyRole {
        id: 3,
        name: "Custom Reviewer".into(),
        inheritable: false,
        folder_ids: vec![],
        privileges: vec![],
        created_at: None,
        updated_at: None,
    });
    raw.members = vec![
        member(1, "A", &[(Dev, "Custom Reviewer", RoleType::Environment)]),
        member(
            2,
            "B",
            &[(Dev, "Custom Reviewer", RoleType::PrivilegeGroup)],
        ),
        member(3, "C", &[(Dev, "Releaser", RoleType::Unspecified)]),
        member(4, "D", &[(Dev, "Admin", RoleType::Other("weird".into()))]),
    ];
    let s = Snapshot::build(raw, &ConnectorConfig::default());
    let roles: Vec<RoleRef> = s.assignments().iter().map(|a| a.role).collect();
    assert_eq!(
        roles,
        [RoleRef::Env(52), RoleRef::Legacy(1), RoleRef::Env(51)]
    );
    assert!(s
        .warnings()
        .contains("2 custom roles are named \"Custom Reviewer\""));
    assert!(s.warnings().contains("unknown role_type \"weird\""));
}

#[test]
fn disabled_and_unavailable_parts() {
    let config = ConnectorConfig {
        disable_custom_roles_sync: true,
        ..ConnectorConfig::default()
    };
    let s = Snapshot::build(sample_raw(), &config);
    assert!(s.legacy_roles().is_empty());
    assert!(!s.custom_roles_synced());
    // Dave's custom role is not synced: no assignment, no warning.
    assert!(s.assignments_of(1003).next().is_none());
    assert!(!s.warnings().contains("Custom Reviewer"));

    let mut raw = sample_raw();
    raw.parts.environment_roles = PartStatus::Unavailable {
        status: Some(401),
        missing_permission: None,
    };
    let s = Snapshot::build(raw, &ConnectorConfig::default());
    assert!(!s.env_roles_synced());
    assert!(s.assignments_of(1004).next().is_none());
    assert!(s.warnings().contains("environment roles could not be read"));
}

#[test]
fn lookups() {
    let s = sample(EnvScope::Single(Dev));
    assert_eq!(
        s.member_by_email(" ALICE@example.com").map(|m| m.id),
        Some(1000)
    );
    assert!(s.member_by_email("alice@example").is_none());
    assert_eq!(s.legacy_roles_named("Custom Auditor"), [2]);
    assert_eq!(s.env_roles_named("Releaser"), [51]);
    assert_eq!(s.project(101).map(|p| p.folder_id), Some(Some(11)));
    assert_eq!(
        s.group("am-ops").map(|g| g.member_ids.clone()),
        Some(vec![1001])
    );
    assert_eq!(s.folders().project_of_root(11), Some(101));
}
