//! Endpoint families: the unit of Workato's rate limits and of API-client permissions.

use std::fmt;

/// A group of endpoints sharing one rate-limit bucket (docs/workato-api.md#rate-limits) and one
/// API-client permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Family {
    /// Workspace collaborators: every `/api/members*` path and `/api/member_invitations`.
    Members,
    /// Legacy collaborator roles, `/api/roles*`.
    Roles,
    /// Environment roles (RBAC v2), `/api/environment_roles*`.
    EnvironmentRoles,
    /// Project roles (RBAC v2), `/api/project_roles*`.
    ProjectRoles,
    /// Project grants: `/api/project_grants*`, `/api/projects/:id/project_grants`,
    /// `/api/user_groups/:id/project_grants`.
    ProjectGrants,
    /// Collaborator groups, `/api/user_groups*`.
    UserGroups,
    /// Projects and folders, `/api/projects*` and `/api/folders*`.
    Folders,
    /// Workspace details (`/api/users/me`) and any path not listed above.
    Workspace,
}

impl Family {
    /// Every family, in declaration order.
    pub const ALL: [Family; 8] = [
        Family::Members,
        Family::Roles,
        Family::EnvironmentRoles,
        Family::ProjectRoles,
        Family::ProjectGrants,
        Family::UserGroups,
        Family::Folders,
        Family::Workspace,
    ];

    /// The family of an API path such as `/api/members/12/privileges` (query ignored).
    ///
    /// `/api/members/:id/project_grants` stays in [`Family::Members`]: the rate-limit table
    /// puts all `/api/members*` paths in one bucket. Unknown paths fall back to
    /// [`Family::Workspace`].
    pub fn of_path(path: &str) -> Family {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        if segments.next() != Some("api") {
            return Family::Workspace;
        }
        let first = segments.next().unwrap_or_default();
        let rest: Vec<&str> = segments.collect();
        match first {
            "members" | "member_invitations" => Family::Members,
            "roles" => Family::Roles,
            "environment_roles" => Family::EnvironmentRoles,
            "project_roles" => Family::ProjectRoles,
            "project_grants" => Family::ProjectGrants,
            "user_groups" if rest.get(1) == Some(&"project_grants") => Family::ProjectGrants,
            "user_groups" => Family::UserGroups,
            "projects" if rest.get(1) == Some(&"project_grants") => Family::ProjectGrants,
            "projects" | "folders" => Family::Folders,
            _ => Family::Workspace,
        }
    }

    /// The API-client role permission that most likely grants access to this family, as
    /// Workato's "API clients" page names it; `None` for [`Family::Workspace`] (unknown paths;
    /// `/api/users/me` has its own permission, see [`crate::permissions`]).
    pub fn permission(self) -> Option<&'static str> {
        match self {
            Family::Members => Some("Workspace collaborators"),
            Family::Roles => Some("Collaborator roles (legacy)"),
            Family::EnvironmentRoles => Some("Environment roles"),
            Family::ProjectRoles => Some("Project roles"),
            Family::ProjectGrants => Some("Project grants"),
            Family::UserGroups => Some("Collaborator groups"),
            Family::Folders => Some("Projects & folders"),
            Family::Workspace => None,
        }
    }

    /// A stable snake-case name, used in stats and logs.
    pub fn name(self) -> &'static str {
        match self {
            Family::Members => "members",
            Family::Roles => "roles",
            Family::EnvironmentRoles => "environment_roles",
            Family::ProjectRoles => "project_roles",
            Family::ProjectGrants => "project_grants",
            Family::UserGroups => "user_groups",
            Family::Folders => "folders",
            Family::Workspace => "workspace",
        }
    }

    /// Position in [`Family::ALL`], for per-family arrays.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_families() {
        let cases = [
            ("/api/members", Family::Members),
            ("/api/members/12", Family::Members),
            ("/api/members/12/privileges", Family::Members),
            (
                "/api/members/12/project_grants?page%5Bnumber%5D=1",
                Family::Members,
            ),
            ("/api/member_invitations", Family::Members),
            ("/api/roles?page=1&per_page=100", Family::Roles),
            ("/api/environment_roles/3", Family::EnvironmentRoles),
            ("/api/project_roles", Family::ProjectRoles),
            ("/api/project_grants/pg-1", Family::ProjectGrants),
            ("/api/projects/7/project_grants", Family::ProjectGrants),
            (
                "/api/user_groups/am-1/project_grants",
                Family::ProjectGrants,
            ),
            ("/api/user_groups", Family::UserGroups),
            ("/api/user_groups/am-1/members", Family::UserGroups),
            ("/api/projects", Family::Folders),
            ("/api/folders?parent_id=4", Family::Folders),
            ("/api/users/me", Family::Workspace),
            ("/api/unknown", Family::Workspace),
            ("/elsewhere", Family::Workspace),
            ("api/members", Family::Members),
        ];
        for (path, family) in cases {
            assert_eq!(Family::of_path(path), family, "{path}");
        }
    }

    #[test]
    fn index_matches_all_order() {
        for (i, family) in Family::ALL.into_iter().enumerate() {
            assert_eq!(family.index(), i);
        }
    }

    #[test]
    fn permissions_named_for_every_family_but_workspace() {
        assert_eq!(
            Family::Members.permission(),
            Some("Workspace collaborators")
        );
        assert_eq!(Family::Folders.permission(), Some("Projects & folders"));
        assert_eq!(Family::Workspace.permission(), None);
    }
}
