//! The per-sync workspace snapshot (docs/decisions.md: D1, D2, D3).
//!
//! A [`Snapshot`] is the whole workspace as the connector needs it, read once per sync and
//! shared read-only by every resource type (and by provisioning): members and their
//! per-environment roles, legacy roles and environment roles indexed by id and by name, what
//! each environment role grants (learned once per distinct (env, role)), projects, the folder
//! tree, collaborator groups, project roles and project grants.
//!
//! Building it is split in two so the mapping can be tested without HTTP:
//! [`Snapshot::build`] turns a [`RawWorkspace`] (plain normalized records) into indexes and
//! resolves every in-scope member role entry into an [`Assignment`]; `load` (in
//! [`load`](mod@load)) fills a `RawWorkspace` from the API and learns environment-role access.

pub mod folder_walk;
mod folders;
pub mod load;
mod resolve;
mod types;
mod warnings;

use std::collections::{BTreeMap, HashMap};

pub use folders::FolderTree;
pub use resolve::Resolution;
pub use types::{
    Assignment, EnvRole, EnvRoleAccess, Folder, GrantSubject, Group, LegacyRole, Member,
    MemberRole, Project, ProjectGrant, ProjectRole, RoleRef, RoleType,
};
pub use warnings::Warnings;

use crate::config::ConnectorConfig;
use crate::env::{EnvScope, Environment};

/// Whether an optional part of the workspace could be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PartStatus {
    /// Read completely.
    #[default]
    Loaded,
    /// Not read because the configuration turns it off.
    Disabled,
    /// Not readable with this API client (401/403/404/410), e.g. a missing client-role permission
    /// or an RBAC generation the workspace does not have
    /// (docs/decisions.md#d15-a-missing-rbac-generation-degrades).
    Unavailable {
        /// HTTP status, when known.
        status: Option<u16>,
        /// The API-client permission that would allow it, when known.
        missing_permission: Option<String>,
    },
}

impl PartStatus {
    /// Whether the part was read.
    pub fn is_loaded(&self) -> bool {
        matches!(self, PartStatus::Loaded)
    }
}

/// Which optional parts of the workspace were read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Parts {
    /// `GET /api/roles` (legacy custom roles).
    pub legacy_roles: PartStatus,
    /// `GET /api/environment_roles`.
    pub environment_roles: PartStatus,
    /// `GET /api/project_roles`.
    pub project_roles: PartStatus,
    /// `GET /api/projects/:id/project_grants`.
    pub project_grants: PartStatus,
    /// `GET /api/user_groups` and their members.
    pub groups: PartStatus,
}

/// The normalized inputs of [`Snapshot::build`]: what the API returned, before indexing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawWorkspace {
    /// Members, in API order.
    pub members: Vec<Member>,
    /// Legacy custom roles.
    pub legacy_roles: Vec<LegacyRole>,
    /// Environment roles.
    pub env_roles: Vec<EnvRole>,
    /// Projects.
    pub projects: Vec<Project>,
    /// Folders below the projects' root folders.
    pub folders: Vec<Folder>,
    /// Collaborator groups with their members.
    pub groups: Vec<Group>,
    /// Project roles.
    pub project_roles: Vec<ProjectRole>,
    /// Project grants of every project.
    pub project_grants: Vec<ProjectGrant>,
    /// What each (env, environment role) grants, when already known.
    pub env_role_access: BTreeMap<(Environment, i64), EnvRoleAccess>,
    /// Which optional parts were read.
    pub parts: Parts,
}

/// One `GET /api/members/:id/privileges` row, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrivilegeRow {
    /// The row's environment.
    pub env: Environment,
    /// The role name the row describes.
    pub role_name: String,
    /// `(group, privilege id)` pairs.
    pub privileges: Vec<(String, String)>,
    /// `folder_ids`, when present.
    pub folder_ids: Vec<i64>,
}

/// The workspace, read once per sync. See the [module docs](self).
#[derive(Debug)]
pub struct Snapshot {
    scope: EnvScope,
    custom_roles: bool,
    env_roles_enabled: bool,
    members: Vec<Member>,
    member_index: HashMap<i64, usize>,
    legacy_roles: Vec<LegacyRole>,
    legacy_index: HashMap<i64, usize>,
    legacy_by_name: HashMap<String, Vec<i64>>,
    env_roles: Vec<EnvRole>,
    env_index: HashMap<i64, usize>,
    env_by_name: HashMap<String, Vec<i64>>,
    env_role_access: BTreeMap<(Environment, i64), EnvRoleAccess>,
    projects: Vec<Project>,
    project_index: HashMap<i64, usize>,
    folders: FolderTree,
    groups: Vec<Group>,
    group_index: HashMap<String, usize>,
    project_roles: Vec<ProjectRole>,
    project_grants: Vec<ProjectGrant>,
    parts: Parts,
    assignments: Vec<Assignment>,
    // Member id → range of its assignments (they are stored member by member).
    assignment_ranges: HashMap<i64, std::ops::Range<usize>>,
    warnings: Warnings,
}

fn index_by<T, K: std::hash::Hash + Eq>(items: &[T], key: impl Fn(&T) -> K) -> HashMap<K, usize> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        map.entry(key(item)).or_insert(i);
    }
    map
}

fn names_to_ids<T>(
    items: &[T],
    name: impl Fn(&T) -> &str,
    id: impl Fn(&T) -> i64,
) -> HashMap<String, Vec<i64>> {
    let mut map: HashMap<String, Vec<i64>> = HashMap::new();
    for item in items {
        map.entry(name(item).to_owned()).or_default().push(id(item));
    }
    for ids in map.values_mut() {
        ids.sort_unstable();
        ids.dedup();
    }
    map
}

impl Snapshot {
    /// Indexes `raw` and resolves every in-scope member role entry (see [`Resolution`]).
    /// Problems in the data (unknown roles, ambiguous names…) become warnings, never errors.
    pub fn build(raw: RawWorkspace, config: &ConnectorConfig) -> Snapshot {
        let RawWorkspace {
            mut members,
            mut legacy_roles,
            env_roles,
            projects,
            folders,
            groups,
            project_roles,
            project_grants,
            env_role_access,
            parts,
        } = raw;
        if config.disable_custom_roles_sync {
            legacy_roles.clear();
        }
        let warnings = Warnings::new();
        let mut seen = std::collections::HashSet::new();
        members.retain(|m| {
            let first = seen.insert(m.id);
            if !first {
                warnings.warn(format!(
                    "collaborator {} is listed twice; keeping the first",
                    m.id
                ));
            }
            first
        });
        let folders = FolderTree::new(&projects, folders);
        let mut snapshot = Snapshot {
            scope: config.env,
            custom_roles: !config.disable_custom_roles_sync,
            env_roles_enabled: config.sync_environment_roles,
            member_index: index_by(&members, |m| m.id),
            members,
            legacy_index: index_by(&legacy_roles, |r| r.id),
            legacy_by_name: names_to_ids(&legacy_roles, |r| &r.name, |r| r.id),
            legacy_roles,
            env_index: index_by(&env_roles, |r| r.id),
            env_by_name: names_to_ids(&env_roles, |r| &r.name, |r| r.id),
            env_roles,
            env_role_access,
            project_index: index_by(&projects, |p| p.id),
            projects,
            folders,
            group_index: index_by(&groups, |g| g.id.clone()),
            groups,
            project_roles,
            project_grants,
            parts,
            assignments: Vec::new(),
            assignment_ranges: HashMap::new(),
            warnings,
        };
        snapshot.assignments = snapshot.resolve_all();
        let mut start = 0;
        while start < snapshot.assignments.len() {
            let member = snapshot.assignments[start].member_id;
            let len = snapshot.assignments[start..]
                .iter()
                .take_while(|a| a.member_id == member)
                .count();
            snapshot
                .assignment_ranges
                .entry(member)
                .or_insert(start..start + len);
            start += len;
        }
        snapshot
    }

    fn resolve_all(&self) -> Vec<Assignment> {
        let mut out = Vec::new();
        for member in &self.members {
            for entry in &member.roles {
                if !self.scope.includes(entry.env) {
                    continue;
                }
                match self.resolve(entry) {
                    Resolution::Role(role) => out.push(Assignment {
                        member_id: member.id,
                        env: entry.env,
                        role,
                    }),
                    Resolution::NoAccess | Resolution::NotSynced => {}
                    Resolution::Unknown(why) => self.warnings.warn(format!(
                        "collaborator {} ({}): skipping role {:?} in {}: {why}",
                        member.id, member.email, entry.role_name, entry.env
                    )),
                }
            }
        }
        out
    }

    /// The configured environment scope.
    pub fn scope(&self) -> EnvScope {
        self.scope
    }

    /// Whether legacy custom roles are synced (custom-role sync on and `/api/roles` readable).
    pub fn custom_roles_synced(&self) -> bool {
        self.custom_roles && self.parts.legacy_roles.is_loaded()
    }

    /// Whether environment roles are synced (enabled and `/api/environment_roles` readable).
    pub fn env_roles_synced(&self) -> bool {
        self.env_roles_enabled && self.parts.environment_roles.is_loaded()
    }

    /// Which optional parts were read.
    pub fn parts(&self) -> &Parts {
        &self.parts
    }

    /// Warnings raised so far (each logged once).
    pub fn warnings(&self) -> &Warnings {
        &self.warnings
    }

    /// Members in API order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// A member by id.
    pub fn member(&self, id: i64) -> Option<&Member> {
        self.member_index.get(&id).map(|&i| &self.members[i])
    }

    /// A member by email: exact, case-insensitive, over the full list
    /// (docs/decisions.md#d21-email-lookup-is-exact).
    pub fn member_by_email(&self, email: &str) -> Option<&Member> {
        let email = email.trim();
        self.members
            .iter()
            .find(|m| m.email.trim().eq_ignore_ascii_case(email))
    }

    /// Legacy custom roles (empty when not synced).
    pub fn legacy_roles(&self) -> &[LegacyRole] {
        &self.legacy_roles
    }

    /// A legacy custom role by id.
    pub fn legacy_role(&self, id: i64) -> Option<&LegacyRole> {
        self.legacy_index.get(&id).map(|&i| &self.legacy_roles[i])
    }

    /// Ids of the legacy custom roles with this exact name, ascending.
    pub fn legacy_roles_named(&self, name: &str) -> &[i64] {
        self.legacy_by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Environment roles (empty when not synced).
    pub fn env_roles(&self) -> &[EnvRole] {
        if self.env_roles_enabled {
            &self.env_roles
        } else {
            &[]
        }
    }

    /// An environment role by id.
    pub fn env_role(&self, id: i64) -> Option<&EnvRole> {
        self.env_index.get(&id).map(|&i| &self.env_roles[i])
    }

    /// Ids of the environment roles with this exact name, ascending.
    pub fn env_roles_named(&self, name: &str) -> &[i64] {
        self.env_by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// What environment role `id` grants in `env`, if learned.
    pub fn env_role_access(&self, env: Environment, id: i64) -> Option<&EnvRoleAccess> {
        self.env_role_access.get(&(env, id))
    }

    /// Every learned (env, environment role) access.
    pub fn env_role_accesses(&self) -> &BTreeMap<(Environment, i64), EnvRoleAccess> {
        &self.env_role_access
    }

    /// Projects in API order.
    pub fn projects(&self) -> &[Project] {
        &self.projects
    }

    /// A project by id.
    pub fn project(&self, id: i64) -> Option<&Project> {
        self.project_index.get(&id).map(|&i| &self.projects[i])
    }

    /// The folder tree.
    pub fn folders(&self) -> &FolderTree {
        &self.folders
    }

    /// Collaborator groups in API order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// A collaborator group by id.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.group_index.get(id).map(|&i| &self.groups[i])
    }

    /// Project roles in API order.
    pub fn project_roles(&self) -> &[ProjectRole] {
        &self.project_roles
    }

    /// Project grants, project by project.
    pub fn project_grants(&self) -> &[ProjectGrant] {
        &self.project_grants
    }

    /// Every resolved in-scope role assignment, in member order.
    pub fn assignments(&self) -> &[Assignment] {
        &self.assignments
    }

    /// The resolved in-scope assignments of one member.
    pub fn assignments_of(&self, member_id: i64) -> impl Iterator<Item = &Assignment> {
        let range = self
            .assignment_ranges
            .get(&member_id)
            .cloned()
            .unwrap_or(0..0);
        self.assignments.get(range).unwrap_or(&[]).iter()
    }

    /// Which members to ask `/privileges` so that every distinct in-scope (env, environment role)
    /// pair is learned once
    /// (docs/decisions.md#d24-environment-roles-learn-their-access-from-one-holder): greedy in
    /// member order, each member covering all of its own environment-role assignments. Pairs
    /// already known are skipped.
    pub fn env_role_holders_to_ask(&self) -> Vec<i64> {
        let mut covered: std::collections::BTreeSet<(Environment, i64)> =
            self.env_role_access.keys().copied().collect();
        let mut ask = Vec::new();
        for a in &self.assignments {
            let RoleRef::Env(id) = a.role else { continue };
            if covered.contains(&(a.env, id)) {
                continue;
            }
            ask.push(a.member_id);
            for own in self.assignments_of(a.member_id) {
                if let RoleRef::Env(own_id) = own.role {
                    covered.insert((own.env, own_id));
                }
            }
        }
        ask
    }

    /// Learns environment-role access from one member's `/privileges` rows: each row of an
    /// environment where the member holds an environment role (in scope) describes that role. A
    /// missing row means no privilege or folder grants for it
    /// (docs/decisions.md#d13-any-number-of-privilege-rows).
    pub fn learn_env_role_access(&mut self, member_id: i64, rows: &[PrivilegeRow]) {
        let held: Vec<(Environment, i64)> = self
            .assignments_of(member_id)
            .filter_map(|a| match a.role {
                RoleRef::Env(id) => Some((a.env, id)),
                _ => None,
            })
            .collect();
        for (env, id) in held {
            if self.env_role_access.contains_key(&(env, id)) {
                continue;
            }
            let name = self
                .env_role(id)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            match rows.iter().find(|r| r.env == env) {
                Some(row) => {
                    if row.role_name != name {
                        self.warnings.warn(format!(
                            "privileges of collaborator {member_id} in {env} name role {:?}, \
                             expected environment role {name:?}; using them anyway",
                            row.role_name
                        ));
                    }
                    self.env_role_access.insert(
                        (env, id),
                        EnvRoleAccess {
                            privileges: row.privileges.clone(),
                            folder_ids: row.folder_ids.clone(),
                        },
                    );
                }
                None => self.warnings.warn(format!(
                    "no {env} privileges row for collaborator {member_id}: environment role \
                     {name:?} ({id}) gets no privilege or folder grants"
                )),
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
