//! The mutable workspace behind the fake server, with the lookups the routes need.
//!
//! Members live in a `BTreeMap` (listing order = id order, O(log n) lookups at 20 000
//! members); folder children are indexed once because folders never change.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::privileges::SYSTEM_ROLES;
use super::seed::{
    EnvironmentRole, FakeId, FakeMember, Folder, LegacyRole, MemberRole, Project, ProjectGrant,
    ProjectRole, Seed, UserGroup, Workspace, NO_ACCESS_INPUT, NO_ACCESS_LISTED,
};

/// An invitation recorded by `POST /api/member_invitations` (pending until accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Invitee name.
    pub name: String,
    /// Invitee email.
    pub email: String,
    /// Roles the invitee gets on acceptance.
    pub env_roles: Vec<MemberRole>,
    /// Groups the invitee joins on acceptance.
    pub user_group_ids: Vec<String>,
}

/// A request the workspace refuses: HTTP status + Workato-style `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn not_found() -> Self {
        Refusal::new(404, "Not found")
    }
}

/// The live workspace.
#[derive(Debug)]
pub(crate) struct State {
    pub workspace: Workspace,
    pub environments: Vec<String>,
    pub legacy_roles_enabled: bool,
    pub environment_roles_enabled: bool,
    pub members: BTreeMap<u64, FakeMember>,
    pub custom_roles: Vec<LegacyRole>,
    pub environment_roles: Vec<EnvironmentRole>,
    pub project_roles: Vec<ProjectRole>,
    pub projects: Vec<Project>,
    pub folders: Vec<Folder>,
    pub user_groups: Vec<UserGroup>,
    pub project_grants: Vec<ProjectGrant>,
    pub invitations: Vec<Invitation>,
    /// How `with_nested_folders=true` is answered.
    pub nested_folders: super::NestedFolders,
    /// parent id (None = Home) -> indexes into `folders`, in seed order.
    children: HashMap<Option<u64>, Vec<usize>>,
    folder_index: HashMap<u64, usize>,
    next_member_id: u64,
    next_grant_id: u64,
}

impl State {
    pub(crate) fn new(seed: Seed) -> Self {
        let members: BTreeMap<u64, FakeMember> =
            seed.members.into_iter().map(|m| (m.id, m)).collect();
        let mut children: HashMap<Option<u64>, Vec<usize>> = HashMap::new();
        let mut folder_index = HashMap::new();
        for (i, f) in seed.folders.iter().enumerate() {
            children.entry(f.parent_id).or_default().push(i);
            folder_index.insert(f.id, i);
        }
        let next_member_id = members.keys().next_back().map_or(1000, |id| id + 1);
        let next_grant_id = seed
            .project_grants
            .iter()
            .filter_map(|g| g.id.strip_prefix("pg-")?.parse::<u64>().ok())
            .max()
            .map_or(1, |n| n + 1);
        State {
            workspace: seed.workspace,
            environments: seed.environments,
            legacy_roles_enabled: seed.legacy_roles_enabled,
            environment_roles_enabled: seed.environment_roles_enabled,
            members,
            custom_roles: seed.custom_roles,
            environment_roles: seed.environment_roles,
            project_roles: seed.project_roles,
            projects: seed.projects,
            folders: seed.folders,
            user_groups: seed.user_groups,
            project_grants: seed.project_grants,
            invitations: Vec::new(),
            nested_folders: super::NestedFolders::default(),
            children,
            folder_index,
            next_member_id,
            next_grant_id,
        }
    }

    /// Folders directly under `parent` (None = Home).
    pub(crate) fn children_of(&self, parent: Option<u64>) -> Vec<&Folder> {
        self.children
            .get(&parent)
            .map(|ix| ix.iter().filter_map(|&i| self.folders.get(i)).collect())
            .unwrap_or_default()
    }

    /// Every folder below `parent` (None = Home), breadth first, children in seed order.
    pub(crate) fn subtree_of(&self, parent: Option<u64>) -> Vec<&Folder> {
        let mut out = self.children_of(parent);
        let mut next = 0;
        // Each folder has one parent, so every folder is visited once.
        while let Some(f) = out.get(next) {
            let id = f.id;
            next += 1;
            out.extend(self.children_of(Some(id)));
        }
        out
    }

    /// The project whose tree holds `folder` (walks up to a project root folder).
    pub(crate) fn project_of_folder(&self, folder: &Folder) -> Option<u64> {
        let mut parent = folder.parent_id;
        // Bounded walk: a malformed seed with a parent cycle must not hang the server.
        for _ in 0..=self.folders.len() {
            let id = parent?;
            if let Some(p) = self.projects.iter().find(|p| p.folder_id == id) {
                return Some(p.id);
            }
            parent = self
                .folder_index
                .get(&id)
                .and_then(|&i| self.folders.get(i))
                .and_then(|f| f.parent_id);
        }
        None
    }

    /// Every folder id a system role reaches: all project roots and all folders.
    pub(crate) fn all_folder_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.projects.iter().map(|p| p.folder_id).collect();
        ids.extend(self.folders.iter().map(|f| f.id));
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    pub(crate) fn custom_role_by_name(&self, name: &str) -> Option<&LegacyRole> {
        self.custom_roles.iter().find(|r| r.name == name)
    }

    pub(crate) fn env_role_by_name(&self, name: &str) -> Option<&EnvironmentRole> {
        self.environment_roles.iter().find(|r| r.name == name)
    }

    pub(crate) fn project_role(&self, id: &str) -> Option<&ProjectRole> {
        self.project_roles.iter().find(|r| r.id.to_string() == id)
    }

    pub(crate) fn group(&self, id: &str) -> Option<&UserGroup> {
        self.user_groups.iter().find(|g| g.id == id)
    }

    /// Members holding environment role `name` in any environment.
    pub(crate) fn env_role_members_count(&self, name: &str) -> usize {
        self.members
            .values()
            .filter(|m| {
                m.roles
                    .iter()
                    .any(|r| r.role_type == "environment" && r.role_name == name)
            })
            .count()
    }

    /// Distinct principals (members, groups) granted project role `id`.
    pub(crate) fn project_role_members_count(&self, id: &FakeId) -> usize {
        self.project_grants
            .iter()
            .filter(|g| &g.project_role_id == id)
            .count()
    }

    /// Validate one requested `env_roles` entry and turn it into what the member will hold
    /// (`None` = remove access in that environment).
    fn resolve_env_role(&self, entry: &EnvRoleInput) -> Result<Option<MemberRole>, Refusal> {
        let env = entry.environment_type.as_deref().unwrap_or("");
        if !self.environments.iter().any(|e| e == env) {
            return Err(Refusal::new(
                400,
                "Environment Not existing environment not found",
            ));
        }
        let name = entry.name.as_deref().unwrap_or("");
        if name == NO_ACCESS_INPUT || name == NO_ACCESS_LISTED {
            return Ok(None);
        }
        let role_type = entry.role_type.as_deref().unwrap_or("privilege_group");
        let known = match role_type {
            "privilege_group" => {
                SYSTEM_ROLES.contains(&name)
                    || (self.legacy_roles_enabled && self.custom_role_by_name(name).is_some())
            }
            "environment" => {
                self.environment_roles_enabled && self.env_role_by_name(name).is_some()
            }
            other => {
                return Err(Refusal::new(
                    400,
                    format!("Role type {other} is not supported"),
                ));
            }
        };
        if !known {
            return Err(Refusal::new(400, "Role Not existing role not found"));
        }
        Ok(Some(MemberRole {
            environment_type: env.to_owned(),
            role_name: name.to_owned(),
            role_type: role_type.to_owned(),
        }))
    }

    /// `PUT /api/members/:id`: validate every entry first, then replace the role only in the
    /// named environments (all-or-nothing, so a 400 leaves the member untouched).
    pub(crate) fn put_member_roles(
        &mut self,
        id: u64,
        env_roles: &[EnvRoleInput],
    ) -> Result<(), Refusal> {
        if !self.members.contains_key(&id) {
            return Err(Refusal::not_found());
        }
        let mut changes = Vec::with_capacity(env_roles.len());
        for entry in env_roles {
            let env = entry.environment_type.clone().unwrap_or_default();
            changes.push((env, self.resolve_env_role(entry)?));
        }
        let member = self.members.get_mut(&id).ok_or_else(Refusal::not_found)?;
        for (env, role) in changes {
            member.roles.retain(|r| r.environment_type != env);
            if let Some(role) = role {
                member.roles.push(role);
            }
        }
        let order = self.environments.clone();
        member.roles.sort_by_key(|r| {
            order
                .iter()
                .position(|e| *e == r.environment_type)
                .unwrap_or(usize::MAX)
        });
        Ok(())
    }

    /// `POST /api/member_invitations`.
    pub(crate) fn invite(&mut self, input: InvitationInput) -> Result<(), Refusal> {
        let name = input.name.unwrap_or_default();
        if name.trim().is_empty() {
            return Err(Refusal::new(400, "Name is required"));
        }
        let email = input.email.unwrap_or_default();
        if !plausible_email(&email) {
            return Err(Refusal::new(400, "Email is invalid"));
        }
        let env_roles = input.env_roles.unwrap_or_default();
        if env_roles.is_empty() {
            return Err(Refusal::new(400, "role_name or env_roles is required"));
        }
        let mut roles = Vec::new();
        for entry in &env_roles {
            if let Some(role) = self.resolve_env_role(entry)? {
                roles.push(role);
            }
        }
        let groups = input.user_group_ids.unwrap_or_default();
        if let Some(missing) = groups.iter().find(|g| self.group(g).is_none()) {
            return Err(Refusal::new(400, format!("User group {missing} not found")));
        }
        if self.member_by_email(&email).is_some() {
            return Err(Refusal::new(409, "Collaborator already exists"));
        }
        // A repeated invitation replaces the pending one (the real 20-minute
        // per-email limit is not modelled).
        self.invitations
            .retain(|i| !i.email.eq_ignore_ascii_case(&email));
        self.invitations.push(Invitation {
            name,
            email,
            env_roles: roles,
            user_group_ids: groups,
        });
        Ok(())
    }

    pub(crate) fn member_by_email(&self, email: &str) -> Option<&FakeMember> {
        self.members
            .values()
            .find(|m| m.email.eq_ignore_ascii_case(email))
    }

    /// Turn the pending invitation for `email` into a member; returns the new id.
    pub(crate) fn accept_invitation(&mut self, email: &str) -> Option<u64> {
        let pos = self
            .invitations
            .iter()
            .position(|i| i.email.eq_ignore_ascii_case(email))?;
        let inv = self.invitations.remove(pos);
        let id = self.next_member_id;
        self.add_member(FakeMember {
            id,
            name: inv.name,
            email: inv.email,
            grant_type: "team".to_owned(),
            external_id: None,
            time_zone: "Pacific Time (US & Canada)".to_owned(),
            created_at: "2026-01-01T00:00:00.000+00:00".to_owned(),
            roles: inv.env_roles,
        });
        for gid in inv.user_group_ids {
            if let Some(g) = self.user_groups.iter_mut().find(|g| g.id == gid) {
                g.members.push(id);
            }
        }
        Some(id)
    }

    /// `POST /api/members {"email"}`: only users the fake knows of (a pending invitation)
    /// can be added.
    pub(crate) fn add_existing(&mut self, email: &str) -> Result<u64, Refusal> {
        if self.member_by_email(email).is_some() {
            return Err(Refusal::new(409, "Collaborator already exists"));
        }
        self.accept_invitation(email)
            .ok_or_else(|| Refusal::new(404, "User not found"))
    }

    pub(crate) fn add_member(&mut self, member: FakeMember) {
        self.next_member_id = self.next_member_id.max(member.id + 1);
        self.members.insert(member.id, member);
    }

    /// Delete a member and everything that points at it (group memberships, direct grants).
    pub(crate) fn remove_member(&mut self, id: u64) -> bool {
        if self.members.remove(&id).is_none() {
            return false;
        }
        for g in &mut self.user_groups {
            g.members.retain(|m| *m != id);
        }
        self.project_grants.retain(|g| g.user_id != Some(id));
        true
    }

    /// `PUT /api/projects/:id/project_grants`: validate all, then upsert by principal.
    pub(crate) fn upsert_grants(
        &mut self,
        project_id: u64,
        grants: &[GrantInput],
    ) -> Result<Vec<String>, Refusal> {
        if !self.projects.iter().any(|p| p.id == project_id) {
            return Err(Refusal::not_found());
        }
        let mut valid = Vec::with_capacity(grants.len());
        for g in grants {
            let role = g
                .project_role_id
                .as_ref()
                .and_then(|id| self.project_role(&id.to_string()))
                .map(|r| r.id.clone())
                .ok_or_else(|| Refusal::new(400, "Project role not found"))?;
            match (&g.user_id, &g.user_group_id) {
                (Some(uid), None) => {
                    if !self.members.contains_key(uid) {
                        return Err(Refusal::new(400, "User not found"));
                    }
                }
                (None, Some(gid)) => {
                    if self.group(gid).is_none() {
                        return Err(Refusal::new(400, "User group not found"));
                    }
                }
                _ => {
                    return Err(Refusal::new(
                        400,
                        "Exactly one of user_id or user_group_id is required",
                    ))
                }
            }
            valid.push((role, g.user_id, g.user_group_id.clone()));
        }
        let mut ids = Vec::with_capacity(valid.len());
        for (role, user_id, user_group_id) in valid {
            let existing = self.project_grants.iter_mut().find(|g| {
                g.project_id == project_id
                    && g.user_id == user_id
                    && g.user_group_id == user_group_id
            });
            match existing {
                Some(g) => {
                    g.project_role_id = role;
                    ids.push(g.id.clone());
                }
                None => {
                    let id = format!("pg-{}", self.next_grant_id);
                    self.next_grant_id += 1;
                    self.project_grants.push(ProjectGrant {
                        id: id.clone(),
                        project_id,
                        project_role_id: role,
                        user_id,
                        user_group_id,
                    });
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }

    /// The state as a seed again (invitations are not part of a seed).
    pub(crate) fn to_seed(&self, token: &str) -> Seed {
        Seed {
            token: token.to_owned(),
            workspace: self.workspace.clone(),
            environments: self.environments.clone(),
            legacy_roles_enabled: self.legacy_roles_enabled,
            environment_roles_enabled: self.environment_roles_enabled,
            members: self.members.values().cloned().collect(),
            custom_roles: self.custom_roles.clone(),
            environment_roles: self.environment_roles.clone(),
            project_roles: self.project_roles.clone(),
            projects: self.projects.clone(),
            folders: self.folders.clone(),
            user_groups: self.user_groups.clone(),
            project_grants: self.project_grants.clone(),
        }
    }
}

fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => !local.is_empty() && !domain.is_empty() && !email.contains(' '),
        None => false,
    }
}

/// One `env_roles` entry of a PUT or invitation body (all optional so validation can
/// answer Workato-style 400s instead of serde errors).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct EnvRoleInput {
    pub environment_type: Option<String>,
    pub name: Option<String>,
    pub role_type: Option<String>,
}

/// `POST /api/member_invitations` body.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InvitationInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub env_roles: Option<Vec<EnvRoleInput>>,
    pub user_group_ids: Option<Vec<String>>,
}

/// One entry of a `PUT /api/projects/:id/project_grants` body.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct GrantInput {
    pub user_id: Option<u64>,
    pub user_group_id: Option<String>,
    pub project_role_id: Option<FakeId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(env: &str, name: &str, role_type: Option<&str>) -> EnvRoleInput {
        EnvRoleInput {
            environment_type: Some(env.to_owned()),
            name: Some(name.to_owned()),
            role_type: role_type.map(str::to_owned),
        }
    }

    #[test]
    fn put_replaces_only_named_environment() {
        let mut s = State::new(Seed::default_workspace());
        s.put_member_roles(1003, &[entry("dev", "Operator", None)])
            .expect("put");
        let dave = &s.members[&1003];
        assert_eq!(
            dave.roles,
            [
                MemberRole::privilege_group("dev", "Operator"),
                MemberRole::privilege_group("test", "Custom Auditor"),
            ]
        );
    }

    #[test]
    fn put_is_all_or_nothing() {
        let mut s = State::new(Seed::default_workspace());
        let err = s
            .put_member_roles(
                1003,
                &[entry("dev", "Operator", None), entry("prod", "Nope", None)],
            )
            .expect_err("unknown role");
        assert_eq!(err, Refusal::new(400, "Role Not existing role not found"));
        assert_eq!(s.members[&1003].roles[0].role_name, "Custom Reviewer");
    }

    #[test]
    fn environment_roles_resolve_only_with_role_type_environment() {
        let mut s = State::new(Seed::default_workspace());
        let err = s
            .put_member_roles(1002, &[entry("dev", "Deployer", None)])
            .expect_err("not a privilege group");
        assert_eq!(err.status, 400);
        s.put_member_roles(1002, &[entry("dev", "Deployer", Some("environment"))])
            .expect("env role");
        assert_eq!(
            s.members[&1002].roles,
            [MemberRole::environment("dev", "Deployer")]
        );
    }

    #[test]
    fn folder_projects_resolve_through_nested_parents() {
        let s = State::new(Seed::default_workspace());
        let archive = s.folders.iter().find(|f| f.id == 21).expect("folder 21");
        assert_eq!(s.project_of_folder(archive), Some(100));
        assert_eq!(
            s.children_of(Some(10))
                .iter()
                .map(|f| f.id)
                .collect::<Vec<_>>(),
            [20]
        );
        assert!(s.children_of(None).is_empty());
    }

    #[test]
    fn removing_a_member_drops_memberships_and_direct_grants() {
        let mut s = State::new(Seed::default_workspace());
        assert!(s.remove_member(1003));
        assert!(!s.remove_member(1003));
        assert!(s.project_grants.iter().all(|g| g.user_id != Some(1003)));
        assert_eq!(s.user_groups[0].members, [1000]);
    }
}
