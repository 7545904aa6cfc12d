//! Resource-type ids, entitlement slugs, entitlement/grant id formulas and display strings.
//!
//! Ids are a compatibility contract with ConductorOne's Go connector (docs/ids.md): a tenant
//! switching connectors keeps its history only if every id is byte-for-byte the same, so every
//! formula lives here, once, pinned by tests. Display strings follow upstream too, except for its
//! typos (a stray backtick, "acess"; docs/decisions.md#d18-display-typos-fixed), which are fixed
//! because they are display-only.
//!
//! Two resource types are ours (the Go connector has no RBAC-v2 project model):
//!
//! - [`PROJECT_ROLE`] (`project_role`): one resource per (project, project role) pair, id
//!   `"<project id>-<project role id>"`, child of `project:<project id>`, with one
//!   [`MEMBER`] entitlement granted to collaborators and collaborator groups by project grants.
//!   Per-pair resources (rather than one resource per project role) let an access request name
//!   exactly "role R on project P", which is what a Workato project grant is.
//! - [`COLLABORATOR_GROUP`] (`collaborator_group`): one resource per user group, id = the
//!   group's API id (`"am-…"`), with one [`MEMBER`] entitlement granted to its collaborators.

use crate::env::Environment;
use crate::provision::ProvisionError;

/// A Baton resource type's id and display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResourceTypeName {
    /// The resource-type id, part of every resource, entitlement and grant id.
    pub id: &'static str,
    /// The resource type's display name.
    pub display_name: &'static str,
}

/// Workspace collaborators (USER trait).
pub const COLLABORATOR: ResourceTypeName = ResourceTypeName {
    id: "collaborator",
    display_name: "Collaborator",
};
/// Legacy roles, custom and system (ROLE trait). Upstream's display name is plural.
pub const ROLE: ResourceTypeName = ResourceTypeName {
    id: "role",
    display_name: "Roles",
};
/// RBAC-v2 environment roles (ROLE trait). The display name is UNCONFIRMED upstream.
pub const ENVIRONMENT_ROLE: ResourceTypeName = ResourceTypeName {
    id: "environment_role",
    display_name: "Environment Role",
};
/// Catalogue privileges (no trait; resources still carry a RoleTrait).
pub const PRIVILEGE: ResourceTypeName = ResourceTypeName {
    id: "privilege",
    display_name: "Privilege",
};
/// Folders, including each project's root folder.
pub const FOLDER: ResourceTypeName = ResourceTypeName {
    id: "folder",
    display_name: "Folder",
};
/// Projects.
pub const PROJECT: ResourceTypeName = ResourceTypeName {
    id: "project",
    display_name: "Project",
};
/// Ours: a project role on one project (see the module docs).
pub const PROJECT_ROLE: ResourceTypeName = ResourceTypeName {
    id: "project_role",
    display_name: "Project Role",
};
/// Ours: a collaborator (user) group.
pub const COLLABORATOR_GROUP: ResourceTypeName = ResourceTypeName {
    id: "collaborator_group",
    display_name: "Collaborator Group",
};

/// Entitlement slug of roles and environment roles: "a collaborator has this role".
pub const COLLABORATOR_HAS: &str = "collaborator-has";
/// Entitlement slug of privileges: "assigned to a collaborator or role".
pub const ASSIGNED: &str = "assigned";
/// Entitlement slug of folders: "a collaborator or role can access this folder".
pub const COLLABORATOR_ACCESS: &str = "collaborator-access";
/// Ours: entitlement slug of project roles and collaborator groups ("is a member of"), the
/// usual Baton slug for membership.
pub const MEMBER: &str = "member";

/// Grant-metadata key holding the environment (`dev`/`test`/`prod`) of a role grant.
pub const ENVIRONMENT_TYPE_KEY: &str = "environment_type";

/// The `role_name` Workato reports for an environment without access; never emitted as a grant.
pub const NO_ACCESS_ROLE_NAME: &str = "No access";

/// Baton's entitlement id: `"<resource type>:<resource id>:<slug>"`.
pub fn entitlement_id(resource_type: &str, resource_id: &str, slug: &str) -> String {
    format!("{resource_type}:{resource_id}:{slug}")
}

/// Baton's grant id: `"<entitlement id>:<principal type>:<principal id>"`.
pub fn grant_id(entitlement_id: &str, principal_type: &str, principal_id: &str) -> String {
    format!("{entitlement_id}:{principal_type}:{principal_id}")
}

/// An entitlement id split into its three parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntitlementRef<'a> {
    /// Resource type id (`role`, `environment_role`, `project_role`, …).
    pub resource_type: &'a str,
    /// Resource id (`175000-prod`, `Admin`, `100-7`).
    pub resource_id: &'a str,
    /// Entitlement slug (`collaborator-has`, `member`).
    pub slug: &'a str,
}

/// Splits `"<resource type>:<resource id>:<slug>"`, reversing [`entitlement_id`].
///
/// Resource ids of roles never contain `:`, but the split is made from both ends (resource
/// type first, slug last) so a `:` in the middle part stays in the resource id rather than
/// shifting every field.
pub(crate) fn parse_entitlement_id(id: &str) -> Result<EntitlementRef<'_>, ProvisionError> {
    let malformed = |reason| ProvisionError::MalformedId {
        what: "entitlement id",
        id: id.to_owned(),
        reason,
    };
    let (resource_type, rest) = id
        .split_once(':')
        .ok_or_else(|| malformed("expected <resource type>:<resource id>:<slug>"))?;
    let (resource_id, slug) = rest
        .rsplit_once(':')
        .ok_or_else(|| malformed("expected <resource type>:<resource id>:<slug>"))?;
    if resource_type.is_empty() || resource_id.is_empty() || slug.is_empty() {
        return Err(malformed("a part is empty"));
    }
    Ok(EntitlementRef {
        resource_type,
        resource_id,
        slug,
    })
}

/// A grant id split into entitlement and principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GrantRef<'a> {
    /// The granted entitlement.
    pub entitlement: EntitlementRef<'a>,
    /// The whole entitlement id.
    pub entitlement_id: &'a str,
    /// Principal resource type.
    pub principal_type: &'a str,
    /// Principal resource id.
    pub principal_id: &'a str,
}

/// Splits `"<entitlement id>:<principal type>:<principal id>"`, reversing [`grant_id`]: the
/// principal is split off the end, so the entitlement id keeps any `:` of its resource id.
pub(crate) fn parse_grant_id(id: &str) -> Result<GrantRef<'_>, ProvisionError> {
    let malformed = || ProvisionError::MalformedId {
        what: "grant id",
        id: id.to_owned(),
        reason: "expected <resource type>:<resource id>:<slug>:<principal type>:<principal id>",
    };
    let (rest, principal_id) = id.rsplit_once(':').ok_or_else(malformed)?;
    let (entitlement_id, principal_type) = rest.rsplit_once(':').ok_or_else(malformed)?;
    if principal_id.is_empty() || principal_type.is_empty() {
        return Err(malformed());
    }
    let entitlement = parse_entitlement_id(entitlement_id).map_err(|_| malformed())?;
    Ok(GrantRef {
        entitlement,
        entitlement_id,
        principal_type,
        principal_id,
    })
}

/// `role:<role resource id>:collaborator-has`.
pub fn role_entitlement_id(role_resource_id: &str) -> String {
    entitlement_id(ROLE.id, role_resource_id, COLLABORATOR_HAS)
}

/// `environment_role:<env-role resource id>:collaborator-has`.
pub fn environment_role_entitlement_id(env_role_resource_id: &str) -> String {
    entitlement_id(ENVIRONMENT_ROLE.id, env_role_resource_id, COLLABORATOR_HAS)
}

/// `privilege:<Group>-<perm>:assigned`.
pub fn privilege_entitlement_id(privilege_resource_id: &str) -> String {
    entitlement_id(PRIVILEGE.id, privilege_resource_id, ASSIGNED)
}

/// `folder:<folder id>:collaborator-access`.
pub fn folder_entitlement_id(folder_resource_id: &str) -> String {
    entitlement_id(FOLDER.id, folder_resource_id, COLLABORATOR_ACCESS)
}

/// Ours: `project_role:<project id>-<project role id>:member`.
pub fn project_role_entitlement_id(project_role_resource_id: &str) -> String {
    entitlement_id(PROJECT_ROLE.id, project_role_resource_id, MEMBER)
}

/// Ours: `collaborator_group:<group id>:member`.
pub fn collaborator_group_entitlement_id(group_resource_id: &str) -> String {
    entitlement_id(COLLABORATOR_GROUP.id, group_resource_id, MEMBER)
}

/// A grant to a collaborator: `"<entitlement id>:collaborator:<member id>"`.
pub fn collaborator_grant_id(entitlement_id: &str, member_id: &str) -> String {
    grant_id(entitlement_id, COLLABORATOR.id, member_id)
}

/// A grant to a role principal: `"<entitlement id>:role:<role resource id>"`.
pub fn role_grant_id(entitlement_id: &str, role_resource_id: &str) -> String {
    grant_id(entitlement_id, ROLE.id, role_resource_id)
}

/// Ours: the project-role resource id, `"<project id>-<project role id>"`.
///
/// Project ids are decimal, so the first `-` always separates the two parts even though
/// project-role ids may contain `-` themselves (`"pr-AQBGCnMB-JoFtKL"`). No `:` is used,
/// because entitlement and grant ids are `:`-joined.
pub fn project_role_resource_id(project_id: &str, project_role_id: &str) -> String {
    format!("{project_id}-{project_role_id}")
}

/// Ours: splits a project-role resource id into (project id, project role id); `None` unless
/// the part before the first `-` is a non-empty decimal and the rest is non-empty.
pub fn parse_project_role_resource_id(id: &str) -> Option<(&str, &str)> {
    let (project, role) = id.split_once('-')?;
    let decimal = !project.is_empty() && project.bytes().all(|b| b.is_ascii_digit());
    (decimal && !role.is_empty()).then_some((project, role))
}

/// Display name of a legacy role, base role or environment role: `"<name> (<env>)"`, in every
/// scope (the newest upstream form).
pub fn role_display_name(name: &str, env: Environment) -> String {
    format!("{name} ({env})")
}

/// Display name, and also description, of a role's `collaborator-has` entitlement:
/// `"<role display name> has Collaborator"`.
pub fn role_entitlement_display_name(role_display_name: &str) -> String {
    format!("{role_display_name} has Collaborator")
}

/// Display name of an environment role's `collaborator-has` entitlement.
pub const ENVIRONMENT_ROLE_ENTITLEMENT_DISPLAY_NAME: &str = "Has environment role";
/// Description of an environment role's `collaborator-has` entitlement.
pub const ENVIRONMENT_ROLE_ENTITLEMENT_DESCRIPTION: &str =
    "Collaborator is assigned this environment role";

/// Display name of a privilege's `assigned` entitlement: `"Collaborator have <privilege
/// display name>"` (upstream's stray backtick removed, its grammar kept).
pub fn privilege_entitlement_display_name(privilege_display_name: &str) -> String {
    format!("Collaborator have {privilege_display_name}")
}

/// Description of every privilege's `assigned` entitlement.
pub const PRIVILEGE_ENTITLEMENT_DESCRIPTION: &str = "Assigned Collaborator to scopes";

/// Display name of a folder's `collaborator-access` entitlement: `"Collaborator access <folder
/// display name>"` (upstream: "acess").
pub fn folder_entitlement_display_name(folder_display_name: &str) -> String {
    format!("Collaborator access {folder_display_name}")
}

/// Description of a folder's `collaborator-access` entitlement: `"Collaborator can access
/// <folder display name>"` (upstream: "acess").
pub fn folder_entitlement_description(folder_display_name: &str) -> String {
    format!("Collaborator can access {folder_display_name}")
}

/// Display name of a project's root folder: `"ROOT PROJECT: <project name>"`.
pub fn root_folder_display_name(project_name: &str) -> String {
    format!("ROOT PROJECT: {project_name}")
}

/// Ours: display name of a project-role resource: `"<project name>: <project role name>"`.
pub fn project_role_display_name(project_name: &str, project_role_name: &str) -> String {
    format!("{project_name}: {project_role_name}")
}

/// Ours: display name of a project role's `member` entitlement: `"<project role display name>
/// member"`.
pub fn project_role_entitlement_display_name(project_role_display_name: &str) -> String {
    format!("{project_role_display_name} member")
}

/// Ours: description of a project role's `member` entitlement.
pub fn project_role_entitlement_description(project_name: &str, project_role_name: &str) -> String {
    format!("Collaborator or group has project role {project_role_name} in project {project_name}")
}

/// Ours: display name of a collaborator group's `member` entitlement: `"<group name> member"`.
pub fn collaborator_group_entitlement_display_name(group_name: &str) -> String {
    format!("{group_name} member")
}

/// Ours: description of a collaborator group's `member` entitlement.
pub fn collaborator_group_entitlement_description(group_name: &str) -> String {
    format!("Collaborator is a member of the collaborator group {group_name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{role_resource_id, EnvScope};

    #[test]
    fn resource_types() {
        let all = [
            (COLLABORATOR, "collaborator", "Collaborator"),
            (ROLE, "role", "Roles"),
            (ENVIRONMENT_ROLE, "environment_role", "Environment Role"),
            (PRIVILEGE, "privilege", "Privilege"),
            (FOLDER, "folder", "Folder"),
            (PROJECT, "project", "Project"),
            (PROJECT_ROLE, "project_role", "Project Role"),
            (
                COLLABORATOR_GROUP,
                "collaborator_group",
                "Collaborator Group",
            ),
        ];
        for (rt, id, name) in all {
            assert_eq!((rt.id, rt.display_name), (id, name));
        }
    }

    #[test]
    fn role_grant_ids_match_upstream() {
        let rid = role_resource_id("175000", Environment::Prod, EnvScope::All);
        let ent = role_entitlement_id(&rid);
        assert_eq!(ent, "role:175000-prod:collaborator-has");
        assert_eq!(
            collaborator_grant_id(&ent, "1001"),
            "role:175000-prod:collaborator-has:collaborator:1001"
        );
        let base = role_resource_id("Operator", Environment::Dev, EnvScope::All);
        assert_eq!(
            collaborator_grant_id(&role_entitlement_id(&base), "1001"),
            "role:Operator-dev:collaborator-has:collaborator:1001"
        );
        let single = role_resource_id("Admin", Environment::Dev, EnvScope::default());
        assert_eq!(
            collaborator_grant_id(&role_entitlement_id(&single), "1000"),
            "role:Admin:collaborator-has:collaborator:1000"
        );
        assert_eq!(
            collaborator_grant_id(&environment_role_entitlement_id("50-dev"), "1004"),
            "environment_role:50-dev:collaborator-has:collaborator:1004"
        );
    }

    #[test]
    fn privilege_and_folder_ids_match_upstream() {
        assert_eq!(
            privilege_entitlement_id("Recipes-read"),
            "privilege:Recipes-read:assigned"
        );
        assert_eq!(
            collaborator_grant_id(
                &privilege_entitlement_id("Debug, Log and Security-all"),
                "7"
            ),
            "privilege:Debug, Log and Security-all:assigned:collaborator:7"
        );
        assert_eq!(
            role_grant_id(&privilege_entitlement_id("Recipes-run"), "Operator-prod"),
            "privilege:Recipes-run:assigned:role:Operator-prod"
        );
        assert_eq!(folder_entitlement_id("20"), "folder:20:collaborator-access");
        assert_eq!(
            role_grant_id(&folder_entitlement_id("20"), "1-test"),
            "folder:20:collaborator-access:role:1-test"
        );
        assert_eq!(
            grant_id("folder:20:collaborator-access", "collaborator", "1000"),
            "folder:20:collaborator-access:collaborator:1000"
        );
    }

    #[test]
    fn our_ids() {
        let pr = project_role_resource_id("100", "pr-AQBGCnMB-JoFtKL");
        assert_eq!(pr, "100-pr-AQBGCnMB-JoFtKL");
        assert_eq!(
            parse_project_role_resource_id(&pr),
            Some(("100", "pr-AQBGCnMB-JoFtKL"))
        );
        assert_eq!(parse_project_role_resource_id("100-7"), Some(("100", "7")));
        assert_eq!(parse_project_role_resource_id("pr-1"), None);
        assert_eq!(parse_project_role_resource_id("100-"), None);
        assert_eq!(parse_project_role_resource_id("100"), None);
        assert_eq!(
            grant_id(
                &project_role_entitlement_id(&pr),
                COLLABORATOR_GROUP.id,
                "am-x1"
            ),
            "project_role:100-pr-AQBGCnMB-JoFtKL:member:collaborator_group:am-x1"
        );
        assert_eq!(
            collaborator_grant_id(&collaborator_group_entitlement_id("am-x1"), "1003"),
            "collaborator_group:am-x1:member:collaborator:1003"
        );
    }

    #[test]
    fn display_strings() {
        let role = role_display_name("Custom Reviewer", Environment::Dev);
        assert_eq!(role, "Custom Reviewer (dev)");
        assert_eq!(
            role_entitlement_display_name(&role),
            "Custom Reviewer (dev) has Collaborator"
        );
        assert_eq!(
            role_display_name("Admin", Environment::Prod),
            "Admin (prod)"
        );
        assert_eq!(
            ENVIRONMENT_ROLE_ENTITLEMENT_DISPLAY_NAME,
            "Has environment role"
        );
        assert_eq!(
            ENVIRONMENT_ROLE_ENTITLEMENT_DESCRIPTION,
            "Collaborator is assigned this environment role"
        );
        assert_eq!(
            privilege_entitlement_display_name("Recipes-read"),
            "Collaborator have Recipes-read"
        );
        assert_eq!(
            PRIVILEGE_ENTITLEMENT_DESCRIPTION,
            "Assigned Collaborator to scopes"
        );
        assert_eq!(
            folder_entitlement_display_name("Invoices"),
            "Collaborator access Invoices"
        );
        assert_eq!(
            folder_entitlement_description("Invoices"),
            "Collaborator can access Invoices"
        );
        assert_eq!(
            root_folder_display_name("Billing Pipelines"),
            "ROOT PROJECT: Billing Pipelines"
        );
        let pr = project_role_display_name("Billing Pipelines", "ProjectOperator");
        assert_eq!(pr, "Billing Pipelines: ProjectOperator");
        assert_eq!(
            project_role_entitlement_display_name(&pr),
            "Billing Pipelines: ProjectOperator member"
        );
        assert_eq!(
            project_role_entitlement_description("Billing Pipelines", "ProjectOperator"),
            "Collaborator or group has project role ProjectOperator in project Billing Pipelines"
        );
        assert_eq!(
            collaborator_group_entitlement_display_name("Finance"),
            "Finance member"
        );
        assert_eq!(
            collaborator_group_entitlement_description("Finance"),
            "Collaborator is a member of the collaborator group Finance"
        );
    }

    fn ent(id: &str) -> EntitlementRef<'_> {
        parse_entitlement_id(id).expect("valid entitlement id")
    }

    #[test]
    fn entitlement_ids_split_from_both_ends() {
        assert_eq!(
            ent("role:175000-prod:collaborator-has"),
            EntitlementRef {
                resource_type: "role",
                resource_id: "175000-prod",
                slug: "collaborator-has"
            }
        );
        assert_eq!(ent("a:b:c:d").resource_id, "b:c");
        for bad in ["", "role", "role:1", ":1:x", "role::x", "role:1:"] {
            assert!(
                matches!(
                    parse_entitlement_id(bad),
                    Err(ProvisionError::MalformedId {
                        what: "entitlement id",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn grant_ids_split_into_entitlement_and_principal() {
        let g =
            parse_grant_id("role:Operator-dev:collaborator-has:collaborator:1001").expect("valid");
        assert_eq!(g.entitlement_id, "role:Operator-dev:collaborator-has");
        assert_eq!(g.entitlement.resource_id, "Operator-dev");
        assert_eq!((g.principal_type, g.principal_id), ("collaborator", "1001"));
        let g =
            parse_grant_id("project_role:100-pr-AQBGCnMB-JoFtKL:member:collaborator_group:am-x")
                .expect("valid");
        assert_eq!(g.entitlement.resource_id, "100-pr-AQBGCnMB-JoFtKL");
        assert_eq!(
            (g.principal_type, g.principal_id),
            ("collaborator_group", "am-x")
        );
        for bad in [
            "role:1:collaborator-has",
            "role:1:collaborator-has:collaborator:",
            "collaborator:1001",
            "x:collaborator:1",
        ] {
            assert!(parse_grant_id(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn grant_ids_round_trip(
            rt in "[a-z_]{1,20}",
            rid in "[^:\\s][^:]{0,30}",
            slug in "[a-z-]{1,20}",
            ptype in "[a-z_]{1,20}",
            pid in "[^:]{1,20}",
        ) {
            let ent_id = entitlement_id(&rt, &rid, &slug);
            let id = grant_id(&ent_id, &ptype, &pid);
            let g = parse_grant_id(&id).expect("round trip");
            proptest::prop_assert_eq!(g.entitlement_id, ent_id.as_str());
            proptest::prop_assert_eq!(
                (g.entitlement.resource_type, g.entitlement.resource_id, g.entitlement.slug),
                (rt.as_str(), rid.as_str(), slug.as_str())
            );
            proptest::prop_assert_eq!((g.principal_type, g.principal_id), (ptype.as_str(), pid.as_str()));
        }
    }
}
