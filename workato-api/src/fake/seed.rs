//! The fake workspace's initial contents ([`Seed`]) and the reference workspace
//! ([`Seed::default_workspace`], described in docs/architecture.md#the-reference-workspace).
//!
//! A seed is plain data: build one by hand, load it from JSON ([`Seed::from_json`]),
//! take the reference workspace, or generate a large one ([`Seed::generate`]). The reference
//! workspace is itself seed JSON, `default_workspace.json` beside this file, compiled in.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Token the default seed accepts as `Authorization: Bearer <token>`.
pub const DEFAULT_TOKEN: &str = "fake-workato-token";

/// Role name that `PUT /api/members/:id` understands as "remove access in this environment".
pub const NO_ACCESS_INPUT: &str = "NoAccess";

/// Role name Workato lists for an environment without access (skipped by `/privileges`).
pub const NO_ACCESS_LISTED: &str = "No access";

/// A privileges map as Workato reports it: privilege group name -> privilege ids.
pub type Privileges = BTreeMap<String, Vec<String>>;

/// An id Workato sends either as a JSON integer or as a string (project roles).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum FakeId {
    /// Integer form, e.g. `7`.
    Int(u64),
    /// String form, e.g. `"pr-AQBGCnMB-JoFtKL"`.
    Str(String),
}

impl fmt::Display for FakeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FakeId::Int(n) => write!(f, "{n}"),
            FakeId::Str(s) => f.write_str(s),
        }
    }
}

/// The workspace `GET /api/users/me` describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// Workspace id.
    pub id: u64,
    /// Workspace name.
    pub name: String,
    /// Owner email.
    pub email: String,
    /// Plan id.
    pub plan_id: String,
    /// Home folder id.
    pub root_folder_id: u64,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace {
            id: 4242,
            name: "Fake Workspace".to_owned(),
            email: "owner@fake-workspace.example".to_owned(),
            plan_id: "enterprise".to_owned(),
            root_folder_id: 1,
        }
    }
}

/// One `roles[]` entry of a collaborator: the role held in one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRole {
    /// `dev`, `test` or `prod`.
    pub environment_type: String,
    /// Role name (`Admin`, a custom role's name, an environment role's name, `No access`).
    pub role_name: String,
    /// `privilege_group` (system and legacy custom roles) or `environment` (RBAC v2).
    #[serde(default = "default_role_type")]
    pub role_type: String,
}

impl MemberRole {
    /// A `privilege_group` role (system or legacy custom role) in `env`.
    pub fn privilege_group(env: &str, role_name: &str) -> Self {
        MemberRole {
            environment_type: env.to_owned(),
            role_name: role_name.to_owned(),
            role_type: "privilege_group".to_owned(),
        }
    }

    /// An environment role (RBAC v2) in `env`.
    pub fn environment(env: &str, role_name: &str) -> Self {
        MemberRole {
            environment_type: env.to_owned(),
            role_name: role_name.to_owned(),
            role_type: "environment".to_owned(),
        }
    }
}

fn default_role_type() -> String {
    "privilege_group".to_owned()
}

/// A workspace collaborator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeMember {
    /// Member id.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// `team` or `federation_manager`.
    #[serde(default = "default_grant_type")]
    pub grant_type: String,
    /// SCIM/SSO external id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Time zone name.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// RFC 3339 timestamp with offset.
    pub created_at: String,
    /// At most one role per environment.
    #[serde(default)]
    pub roles: Vec<MemberRole>,
}

impl FakeMember {
    /// The role this member holds in `env`, if any.
    pub fn role_in(&self, env: &str) -> Option<&MemberRole> {
        self.roles.iter().find(|r| r.environment_type == env)
    }
}

fn default_grant_type() -> String {
    "team".to_owned()
}

fn default_time_zone() -> String {
    "Pacific Time (US & Canada)".to_owned()
}

/// A legacy custom collaborator role (`GET /api/roles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyRole {
    /// Role id.
    pub id: u64,
    /// Role name.
    pub name: String,
    /// Whether folder access extends to sub-folders.
    #[serde(default)]
    pub inheritable: bool,
    /// Folders the role reaches.
    #[serde(default)]
    pub folder_ids: Vec<u64>,
    /// Privilege group -> privilege ids.
    #[serde(default)]
    pub privileges: Privileges,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

/// An RBAC v2 environment role (`GET /api/environment_roles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentRole {
    /// Role id.
    pub id: u64,
    /// Role name.
    pub name: String,
    /// `system`, `custom`, `inheritable` or `inherited`.
    #[serde(rename = "type", default = "default_custom")]
    pub role_type: String,
    /// What `/api/members/:id/privileges` reports for holders of this role.
    #[serde(default)]
    pub privileges: Privileges,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

fn default_custom() -> String {
    "custom".to_owned()
}

/// An RBAC v2 project role (`GET /api/project_roles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRole {
    /// Role id (string or integer, as Workato sends both).
    pub id: FakeId,
    /// Role name.
    pub name: String,
    /// `system` or `custom`.
    #[serde(rename = "type", default = "default_custom")]
    pub role_type: String,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

/// A project (a top-level folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Project id.
    pub id: u64,
    /// Project name.
    pub name: String,
    /// Optional description.
    #[serde(default)]
    pub description: Option<String>,
    /// The project's root folder (never listed by `/api/folders`).
    pub folder_id: u64,
    /// Environment the project lives in (reported on project grants).
    #[serde(default = "default_env")]
    pub environment_type: String,
}

fn default_env() -> String {
    "dev".to_owned()
}

/// A folder below a project's root folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    /// Folder id.
    pub id: u64,
    /// Folder name.
    pub name: String,
    /// Parent folder (a project root folder or another folder); `None` = Home.
    #[serde(default)]
    pub parent_id: Option<u64>,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

/// A collaborator group (`GET /api/user_groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserGroup {
    /// Group id, `am-…`.
    pub id: String,
    /// Group name.
    pub name: String,
    /// Optional description.
    #[serde(default)]
    pub description: Option<String>,
    /// Member ids.
    #[serde(default)]
    pub members: Vec<u64>,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

/// A project grant: a project role given to a member or to a group on one project.
/// Exactly one of `user_id` / `user_group_id` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectGrant {
    /// Grant id, `pg-…`.
    pub id: String,
    /// Project id.
    pub project_id: u64,
    /// Project role id.
    pub project_role_id: FakeId,
    /// Grantee member, if the grant is direct.
    #[serde(default)]
    pub user_id: Option<u64>,
    /// Grantee group, if the grant goes through a group.
    #[serde(default)]
    pub user_group_id: Option<String>,
}

/// The whole initial state of a fake workspace.
///
/// Every field has a serde default, so `{}` is a valid (empty) seed JSON.
/// [`Default`] is the reference workspace ([`Seed::default_workspace`]).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seed {
    /// Bearer token the server accepts.
    #[serde(default = "default_token")]
    pub token: String,
    /// What `/api/users/me` reports.
    #[serde(default)]
    pub workspace: Workspace,
    /// Environments that exist (`PUT` with another one answers 400).
    #[serde(default = "default_environments")]
    pub environments: Vec<String>,
    /// `false` = migrated workspace: `/api/roles` answers 404 and custom role names do not resolve.
    #[serde(default = "yes")]
    pub legacy_roles_enabled: bool,
    /// `false` = un-migrated workspace: environment-role, project-role and project-grant
    /// endpoints answer 401 and `role_type: "environment"` does not resolve.
    #[serde(default = "yes")]
    pub environment_roles_enabled: bool,
    /// Collaborators.
    #[serde(default)]
    pub members: Vec<FakeMember>,
    /// Legacy custom roles.
    #[serde(default)]
    pub custom_roles: Vec<LegacyRole>,
    /// Environment roles.
    #[serde(default)]
    pub environment_roles: Vec<EnvironmentRole>,
    /// Project roles.
    #[serde(default)]
    pub project_roles: Vec<ProjectRole>,
    /// Projects.
    #[serde(default)]
    pub projects: Vec<Project>,
    /// Folders (not including project root folders).
    #[serde(default)]
    pub folders: Vec<Folder>,
    /// Collaborator groups.
    #[serde(default)]
    pub user_groups: Vec<UserGroup>,
    /// Project grants.
    #[serde(default)]
    pub project_grants: Vec<ProjectGrant>,
}

fn default_token() -> String {
    DEFAULT_TOKEN.to_owned()
}

/// The environments of a workspace unless the seed says otherwise (also the ones
/// [`Seed::generate`] hands roles out in).
pub(crate) const DEFAULT_ENVIRONMENTS: [&str; 3] = ["dev", "test", "prod"];

fn default_environments() -> Vec<String> {
    DEFAULT_ENVIRONMENTS.map(str::to_owned).to_vec()
}

fn yes() -> bool {
    true
}

// Manual: the token must never show up in Debug output (assert_eq! failures, logs).
impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Seed")
            .field("token", &"<redacted>")
            .field("workspace", &self.workspace)
            .field("environments", &self.environments)
            .field("legacy_roles_enabled", &self.legacy_roles_enabled)
            .field("environment_roles_enabled", &self.environment_roles_enabled)
            .field("members", &self.members)
            .field("custom_roles", &self.custom_roles)
            .field("environment_roles", &self.environment_roles)
            .field("project_roles", &self.project_roles)
            .field("projects", &self.projects)
            .field("folders", &self.folders)
            .field("user_groups", &self.user_groups)
            .field("project_grants", &self.project_grants)
            .finish()
    }
}

impl Default for Seed {
    fn default() -> Self {
        Seed::default_workspace()
    }
}

impl Seed {
    /// A workspace with nothing in it (default token, three environments, both RBAC
    /// generations enabled).
    pub fn empty() -> Self {
        Seed {
            token: default_token(),
            workspace: Workspace::default(),
            environments: default_environments(),
            legacy_roles_enabled: true,
            environment_roles_enabled: true,
            members: Vec::new(),
            custom_roles: Vec::new(),
            environment_roles: Vec::new(),
            project_roles: Vec::new(),
            projects: Vec::new(),
            folders: Vec::new(),
            user_groups: Vec::new(),
            project_grants: Vec::new(),
        }
    }

    /// Parse a seed from JSON (missing fields take their defaults).
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Serialize the seed as pretty JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// The reference workspace (docs/architecture.md#the-reference-workspace).
    ///
    /// - Members 1000 Alice (dev: Admin), 1001 Bob (prod: Operator), 1002 Carol (no roles),
    ///   1003 Dave (dev: Custom Reviewer, test: Custom Auditor), 1004 Erin (dev: environment
    ///   role Deployer), 1005 Frank (dev: "Legacy Approver", a role that no longer exists),
    ///   1006 Grace (dev: Analyst, prod: "No access").
    /// - Custom roles 1 "Custom Reviewer", 2 "Custom Auditor" (inheritable), 3 "Custom
    ///   Experimenter" (holds the unknown privilege group "Quantum flux").
    /// - Environment roles 50 "Deployer", 51 "Releaser".
    /// - Projects 100 "Billing Pipelines" (root folder 10), 101 "HR Pipelines" (root 11);
    ///   folders 20 "Invoices" (parent 10), 21 "Archive" (parent 20), 22 "Payroll" (parent 11).
    /// - Project roles `"pr-AQBGCnMB-JoFtKL"` "Pipeline Editor" and `7` "Pipeline Viewer";
    ///   grants `pg-1` (project 100, Pipeline Editor, Dave) and `pg-2` (project 101,
    ///   Pipeline Viewer, group `am-Fin4nceEng01`).
    /// - Groups `am-Fin4nceEng01` "Finance Engineers" (Alice, Dave) and `am-PeopleOps02`
    ///   "People Ops" (Bob, Grace).
    pub fn default_workspace() -> Self {
        // Compiled in and parsed by this crate's tests, so a failure here is a build defect,
        // never a runtime input problem.
        Seed::from_json(DEFAULT_WORKSPACE_JSON)
            .expect("default_workspace.json is a valid seed (checked by the unit tests)")
    }
}

/// The reference workspace's data; everything it leaves out takes the [`Seed`] defaults.
const DEFAULT_WORKSPACE_JSON: &str = include_str!("default_workspace.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_workspace_json_has_no_key_the_types_ignore() {
        // Seeds accept unknown keys, so a misspelt one in the file would be dropped silently:
        // every value in the file must come back when the parsed seed is serialized again.
        let file: serde_json::Value =
            serde_json::from_str(DEFAULT_WORKSPACE_JSON).expect("valid JSON");
        let parsed = serde_json::to_value(Seed::default_workspace()).expect("serialize");
        let file = file.as_object().expect("an object");
        assert!(!file.is_empty());
        for (key, value) in file {
            assert_eq!(Some(value), parsed.get(key), "{key}");
        }
    }

    #[test]
    fn json_round_trip_keeps_everything() {
        let seed = Seed::default_workspace();
        let json = seed.to_json().expect("serialize");
        let back = Seed::from_json(&json).expect("parse");
        assert_eq!(back, seed);
    }

    #[test]
    fn empty_json_is_an_empty_workspace_with_defaults() {
        let seed = Seed::from_json("{}").expect("parse");
        assert_eq!(seed, Seed::empty());
        assert_eq!(seed.token, DEFAULT_TOKEN);
        assert_eq!(seed.environments, ["dev", "test", "prod"]);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let seed = Seed {
            token: "sekrit-123".to_owned(),
            ..Seed::empty()
        };
        let text = format!("{seed:?}");
        assert!(!text.contains("sekrit-123"));
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn project_role_ids_keep_their_json_form() {
        let seed = Seed::default_workspace();
        let json = serde_json::to_value(&seed.project_roles).expect("serialize");
        assert_eq!(json[0]["id"], "pr-AQBGCnMB-JoFtKL");
        assert_eq!(json[1]["id"], 7);
    }

    #[test]
    fn reference_workspace_matches_section_11() {
        let seed = Seed::default_workspace();
        let names: Vec<_> = seed.members.iter().map(|m| (m.id, m.roles.len())).collect();
        assert_eq!(
            names,
            [
                (1000, 1),
                (1001, 1),
                (1002, 0),
                (1003, 2),
                (1004, 1),
                (1005, 1),
                (1006, 2)
            ]
        );
        let roles: Vec<_> = seed
            .custom_roles
            .iter()
            .map(|r| (r.id, r.inheritable))
            .collect();
        assert_eq!(roles, [(1, false), (2, true), (3, false)]);
        let folders: Vec<_> = seed.folders.iter().map(|f| (f.id, f.parent_id)).collect();
        assert_eq!(folders, [(20, Some(10)), (21, Some(20)), (22, Some(11))]);
        let env_roles: Vec<_> = seed.environment_roles.iter().map(|r| r.id).collect();
        assert_eq!(env_roles, [50, 51]);
    }
}
