//! The Workato → Baton mapping, one module per resource type.
//!
//! Each module turns the [`Snapshot`] into its type's `ResourceType`, resources, entitlements and
//! grants (docs/ids.md) and adds them to an [`Objects`] collection; [`Objects::build`] runs them
//! all and then checks referential closure (docs/decisions.md#d9-all-mode-ids-always-resolve).
//!
//! Provisioning reuses [`role_resource`], [`role_grant`] and [`collaborator_resource`] so its
//! responses have exactly the shape sync writes.

mod collaborator;
mod collaborator_group;
mod environment_role;
mod folder;
mod objects;
mod privilege;
mod project;
mod project_role;
mod role;

pub use collaborator::{resource as collaborator_resource, role_grant};
pub(crate) use objects::Encoded;
pub use objects::{DecodeError, Objects};

use baton_model::model::{ModelError, Profile};
use baton_model::proto::{Entitlement, Resource, ResourceId, ResourceType, Timestamp};
use chrono::DateTime;

use crate::catalogue::BaseRole;
use crate::config::ConnectorConfig;
use crate::env::{role_resource_id, EnvScope, Environment};
use crate::gotime::go_time_string;
use crate::ids;
use crate::snapshot::{RoleRef, Snapshot};

/// The resource types of this configuration, as full messages (entitlements embed them in
/// `grantable_to`).
#[derive(Debug, Clone)]
pub(crate) struct Types {
    pub collaborator: ResourceType,
    pub role: ResourceType,
    pub environment_role: Option<ResourceType>,
    pub privilege: ResourceType,
    pub folder: ResourceType,
    pub project: ResourceType,
    pub project_role: Option<ResourceType>,
    pub collaborator_group: Option<ResourceType>,
}

impl Types {
    /// The types `config` syncs.
    pub fn new(config: &ConnectorConfig) -> Result<Types, ModelError> {
        Ok(Types {
            collaborator: collaborator::resource_type()?,
            role: role::resource_type()?,
            environment_role: config
                .sync_environment_roles
                .then(environment_role::resource_type)
                .transpose()?,
            privilege: privilege::resource_type()?,
            folder: folder::resource_type()?,
            project: project::resource_type()?,
            project_role: config
                .sync_project_roles
                .then(project_role::resource_type)
                .transpose()?,
            collaborator_group: config
                .sync_groups
                .then(collaborator_group::resource_type)
                .transpose()?,
        })
    }

    /// In upstream's builder order (environment_role, collaborator, privilege, role, folder,
    /// project), then ours (project_role, collaborator_group).
    pub fn in_order(&self) -> Vec<ResourceType> {
        let mut out = Vec::with_capacity(8);
        out.extend(self.environment_role.clone());
        out.push(self.collaborator.clone());
        out.push(self.privilege.clone());
        out.push(self.role.clone());
        out.push(self.folder.clone());
        out.push(self.project.clone());
        out.extend(self.project_role.clone());
        out.extend(self.collaborator_group.clone());
        out
    }

    /// `grantable_to` of privilege and folder entitlements: collaborators and the role principals
    /// that receive them
    /// (docs/decisions.md#d17-privilege-and-folder-entitlements-are-grantable-to-roles), including
    /// environment roles when synced.
    fn collaborator_or_roles(&self) -> Vec<ResourceType> {
        let mut out = vec![self.collaborator.clone(), self.role.clone()];
        out.extend(self.environment_role.clone());
        out
    }
}

/// What the type modules read.
pub(crate) struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub types: &'a Types,
}

impl Ctx<'_> {
    /// The target environments (`all` ⇒ prod, test, dev).
    fn targets(&self) -> &'static [Environment] {
        self.snap.scope().targets()
    }

    /// The `(resource type, resource id)` of a role in `env`.
    fn role_resource(&self, role: RoleRef, env: Environment) -> (&'static str, String) {
        role_resource(self.snap.scope(), role, env)
    }
}

/// The `(resource type, resource id)` of a role in `env` under `scope`: `("role", "Admin")`,
/// `("role", "175000-prod")`, `("environment_role", "50-dev")`…
pub fn role_resource(scope: EnvScope, role: RoleRef, env: Environment) -> (&'static str, String) {
    match role {
        RoleRef::Base(base) => (ids::ROLE.id, role_resource_id(base.name(), env, scope)),
        RoleRef::Legacy(id) => (ids::ROLE.id, role_resource_id(&id.to_string(), env, scope)),
        RoleRef::Env(id) => (
            ids::ENVIRONMENT_ROLE.id,
            role_resource_id(&id.to_string(), env, scope),
        ),
    }
}

/// A resource id.
fn rid(resource_type: &str, id: impl Into<String>) -> ResourceId {
    baton_model::model::ids::resource_id(resource_type, id)
}

/// The `{id, resource: {id}}` entitlement stub grants carry (baton-sdk `NewGrant`).
fn entitlement_stub(resource_type: &str, resource_id: &str, slug: &str) -> Entitlement {
    Entitlement {
        id: ids::entitlement_id(resource_type, resource_id, slug),
        resource: Some(Resource {
            id: Some(rid(resource_type, resource_id)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A profile time string: Go's layout, or `null` when absent or unparsable.
fn profile_time(profile: Profile, key: &str, rfc3339: Option<&str>) -> Profile {
    profile.with_opt(key, rfc3339.and_then(go_time_string))
}

/// A protobuf timestamp from an RFC 3339 string.
fn timestamp(rfc3339: &str) -> Option<Timestamp> {
    let t = DateTime::parse_from_rfc3339(rfc3339.trim()).ok()?;
    Some(Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).ok()?,
    })
}

/// The base roles, in emission order.
fn base_roles() -> [BaseRole; 3] {
    BaseRole::ALL
}

#[cfg(test)]
mod tests;
