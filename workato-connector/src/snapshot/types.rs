//! The normalized workspace records a [`Snapshot`](super::Snapshot) holds.
//!
//! They are decoupled from `workato-api`'s wire models on purpose: the mapping to Baton reads
//! only these, so it can be tested with hand-built workspaces and does not change when a wire
//! model grows a field.

use crate::catalogue::BaseRole;
use crate::env::Environment;

/// A workspace collaborator (`GET /api/members`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Member {
    /// Member id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Email address (also the login).
    pub email: String,
    /// `external_id`, if any.
    pub external_id: Option<String>,
    /// `created_at`, RFC 3339 as the API sent it.
    pub created_at: Option<String>,
    /// `grant_type` (`team`, `federation_manager`, …), as the API spelled it.
    pub grant_type: Option<String>,
    /// `time_zone`.
    pub time_zone: Option<String>,
    /// One entry per environment the member has a role in. Entries whose `environment_type`
    /// is unknown were dropped with a warning when the snapshot was built
    /// (docs/decisions.md#d14-an-unknown-environment-skips-one-entry).
    pub roles: Vec<MemberRole>,
}

impl Member {
    /// A member with no optional fields and no roles (for tests and fakes).
    pub fn new(id: i64, name: impl Into<String>, email: impl Into<String>) -> Self {
        Member {
            id,
            name: name.into(),
            email: email.into(),
            external_id: None,
            created_at: None,
            grant_type: None,
            time_zone: None,
            roles: Vec::new(),
        }
    }

    /// The role entry of environment `env`, if any.
    pub fn role_in(&self, env: Environment) -> Option<&MemberRole> {
        self.roles.iter().find(|r| r.env == env)
    }
}

/// One `roles[]` entry of a member: the role held in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberRole {
    /// The environment.
    pub env: Environment,
    /// `role_name` as reported (e.g. `"Admin"`, `"Custom Reviewer"`, `"No access"`).
    pub role_name: String,
    /// `role_type`.
    pub role_type: RoleType,
}

impl MemberRole {
    /// A role entry.
    pub fn new(env: Environment, role_name: impl Into<String>, role_type: RoleType) -> Self {
        MemberRole {
            env,
            role_name: role_name.into(),
            role_type,
        }
    }
}

/// The `role_type` of a member role entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoleType {
    /// Absent: older workspaces; a legacy (privilege group) role, or an environment role of the
    /// same name when no legacy role matches.
    Unspecified,
    /// `privilege_group`: a legacy role (system or custom).
    PrivilegeGroup,
    /// `environment`: an RBAC-v2 environment role.
    Environment,
    /// Anything else, kept verbatim; such entries are skipped with a warning.
    Other(String),
}

/// A legacy custom role (`GET /api/roles`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyRole {
    /// Role id.
    pub id: i64,
    /// Role name.
    pub name: String,
    /// Whether access to a folder extends to its whole subtree.
    pub inheritable: bool,
    /// Folders the role reaches (each with its subtree when inheritable).
    pub folder_ids: Vec<i64>,
    /// `(group, privilege id)` pairs in API order (groups sorted, privileges as listed).
    pub privileges: Vec<(String, String)>,
    /// `created_at`, RFC 3339.
    pub created_at: Option<String>,
    /// `updated_at`, RFC 3339.
    pub updated_at: Option<String>,
}

/// An RBAC-v2 environment role (`GET /api/environment_roles`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvRole {
    /// Role id.
    pub id: i64,
    /// Role name.
    pub name: String,
    /// `type` (`system`, `custom`, …), as the API spelled it.
    pub kind: Option<String>,
    /// `created_at`, RFC 3339.
    pub created_at: Option<String>,
    /// `updated_at`, RFC 3339.
    pub updated_at: Option<String>,
}

/// What one environment role grants in one environment, learned from one holder's
/// `GET /api/members/:id/privileges` row, once per distinct (env, role), not once per member
/// (docs/decisions.md#d24-environment-roles-learn-their-access-from-one-holder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvRoleAccess {
    /// `(group, privilege id)` pairs.
    pub privileges: Vec<(String, String)>,
    /// Folders listed in the row's `folder_ids`.
    pub folder_ids: Vec<i64>,
}

/// A project (`GET /api/projects`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Project {
    /// Project id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The project's root folder (never listed by `/api/folders`).
    pub folder_id: Option<i64>,
}

/// A folder below a project's root (`GET /api/folders?parent_id=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Folder {
    /// Folder id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `parent_id` as the API reported it.
    pub parent_id: Option<i64>,
    /// The folder whose listing returned this one (the Baton parent).
    pub listed_under: i64,
    /// `created_at`, RFC 3339.
    pub created_at: Option<String>,
    /// `updated_at`, RFC 3339.
    pub updated_at: Option<String>,
}

/// A collaborator group (`GET /api/user_groups`) with its members.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Group {
    /// Group id (`"am-…"`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `system`.
    pub system: bool,
    /// Member ids (`GET /api/user_groups/:id/members`).
    pub member_ids: Vec<i64>,
}

/// A project role (`GET /api/project_roles`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProjectRole {
    /// Role id (string or integer in the API; kept as text).
    pub id: String,
    /// Name.
    pub name: String,
    /// `type`, as the API spelled it.
    pub kind: Option<String>,
}

/// Who a project grant is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum GrantSubject {
    /// A collaborator (member id).
    User(i64),
    /// A collaborator group (group id).
    Group(String),
}

/// A project grant (`GET /api/projects/:id/project_grants`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProjectGrant {
    /// Grant id (`"pg-…"`).
    pub id: String,
    /// The project.
    pub project_id: i64,
    /// The project's environment, when reported.
    pub env: Option<Environment>,
    /// The project role granted.
    pub project_role_id: String,
    /// Its name.
    pub project_role_name: String,
    /// Who holds it.
    pub subject: GrantSubject,
}

/// A role a member entry resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RoleRef {
    /// A system role (Admin, Analyst, Operator).
    Base(BaseRole),
    /// A legacy custom role, by id.
    Legacy(i64),
    /// An environment role, by id.
    Env(i64),
}

/// A member holding a role in an environment (a resolved, in-scope `roles[]` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Assignment {
    /// The member.
    pub member_id: i64,
    /// The environment.
    pub env: Environment,
    /// The role.
    pub role: RoleRef,
}
