//! Provisioning for just-in-time access: grant and revoke roles, environment roles and project
//! roles; invite and delete collaborators.
//!
//! [`WorkatoProvisioner`] implements baton-model's [`ResourceProvisioner`], [`AccountManager`]
//! and [`ResourceDeleter`]:
//!
//! | request | Workato calls | outcome |
//! |---|---|---|
//! | grant `role:<id>:collaborator-has` / `environment_role:<id>:collaborator-has` to `collaborator:<m>` | role name by id (`/api/roles`, `GET /api/environment_roles/:id`; system roles by name), `GET /api/members/:m`, then `PUT /api/members/:m` with one `env_roles` entry unless already held | `Granted{grant, superseded: [previous role's grant]}` / `AlreadyExists` |
//! | revoke such a grant | role name, `GET /api/members/:m`, then `PUT` of the baseline role in that one environment if still held | `Revoked` / `AlreadyRevoked` |
//! | grant `project_role:<p>-<r>:member` to `collaborator:<m>` or `collaborator_group:<g>` | `GET /api/project_roles/:r`, `GET /api/projects/:p/project_grants`, `PUT /api/projects/:p/project_grants` unless held | `Granted` / `AlreadyExists` |
//! | revoke such a grant | `GET /api/projects/:p/project_grants`, `DELETE /api/project_grants/:id` | `Revoked` / `AlreadyRevoked` |
//! | create account | `GET /api/members`, role lookups, `POST /api/member_invitations` (on "already exists": `POST /api/members`) | `Created` / `AlreadyExists` / `ActionRequired` |
//! | delete `collaborator:<m>` | `GET /api/members/:m`, `DELETE /api/members/:m` | `Deleted` / `AlreadyGone` |
//!
//! Bad input (wrong principal type, unsupported entitlement, malformed or out-of-scope ids,
//! unknown roles, bad account input) is a typed [`ProvisionError`] raised before any write.
//! The environment of a role grant is the configured one, or the id's suffix in `all` mode
//! (see `target.rs` for single-environment ids that carry a suffix). Calls touching the same
//! collaborator (or project, or invitee email) are serialized inside one provisioner so a
//! read-check-write sequence is never interleaved with another for the same target (`lock.rs`).
//!
//! ```no_run
//! use baton_model::model::{ids::resource_id, ResourceBuilder};
//! use baton_model::proto::{Entitlement, Resource};
//! use baton_model::provision::{GrantOutcome, ResourceProvisioner};
//! use workato_api::{ApiToken, Client};
//! use workato_connector::config::ConnectorConfig;
//! use workato_connector::provision::WorkatoProvisioner;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder().token(ApiToken::new("token")).build()?;
//! let provisioner = WorkatoProvisioner::new(client, ConnectorConfig::default());
//! let carol = ResourceBuilder::new("collaborator", "1002", "Carol").build()?;
//! let operator = Entitlement {
//!     id: "role:Operator:collaborator-has".into(),
//!     resource: Some(Resource {
//!         id: Some(resource_id("role", "Operator")),
//!         ..Default::default()
//!     }),
//!     ..Default::default()
//! };
//! match provisioner.grant(&carol, &operator).await? {
//!     GrantOutcome::Granted { grants, superseded } => {
//!         tracing::info!(grant = %grants[0].id, ?superseded, "granted");
//!     }
//!     other => tracing::info!(?other, "nothing to do"),
//! }
//! # Ok(()) }
//! ```

mod account;
mod delete;
mod error;
mod grant;
mod lock;
mod lookup;
mod plan;
mod project_grant;
mod revoke;
mod target;

use async_trait::async_trait;
use baton_model::proto::{
    CapabilityDetailCredentialOption, Entitlement, Grant, Resource, ResourceId,
};
use baton_model::provision::{
    AccountInfo, AccountManager, CreateAccountOutcome, DeleteOutcome, GrantOutcome,
    ResourceDeleter, ResourceProvisioner, RevokeOutcome,
};
use workato_api::Client;

pub use error::ProvisionError;

use crate::config::ConnectorConfig;
use crate::ids::{parse_entitlement_id, parse_grant_id};
use lock::KeyedLocks;
use target::{
    collaborator_principal, project_role_target, role_target, unsupported, ProjectPrincipal,
};

/// Provisions Workato access through the Developer API.
#[derive(Debug)]
pub struct WorkatoProvisioner {
    client: Client,
    config: ConnectorConfig,
    locks: KeyedLocks,
}

impl WorkatoProvisioner {
    /// A provisioner acting through `client` with `config` (environment scope, revoke
    /// baseline role and its `role_type`).
    pub fn new(client: Client, config: ConnectorConfig) -> Self {
        Self {
            client,
            config,
            locks: KeyedLocks::default(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &ConnectorConfig {
        &self.config
    }

    async fn grant_entitlement(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<GrantOutcome, ProvisionError> {
        let ent = parse_entitlement_id(&entitlement.id)?;
        let principal_id = principal
            .id
            .as_ref()
            .ok_or_else(|| ProvisionError::MalformedId {
                what: "principal",
                id: String::new(),
                reason: "the principal resource has no id",
            })?;
        if let Some(target) = role_target(&ent, self.config.env)? {
            let member = collaborator_principal(
                "grant",
                &principal_id.resource_type,
                &principal_id.resource,
            )?;
            return self.grant_role(member, &ent, &target).await;
        }
        if let Some(target) = project_role_target(&ent)? {
            let who = ProjectPrincipal::parse(
                "grant",
                &principal_id.resource_type,
                &principal_id.resource,
            )?;
            return self.grant_project_role(&target, &who).await;
        }
        Err(unsupported(&ent))
    }

    async fn revoke_grant(&self, grant: &Grant) -> Result<RevokeOutcome, ProvisionError> {
        let id = grant_id_of(grant);
        let parsed = parse_grant_id(&id)?;
        let ent = parsed.entitlement;
        if let Some(target) = role_target(&ent, self.config.env)? {
            let member =
                collaborator_principal("revoke", parsed.principal_type, parsed.principal_id)?;
            return self.revoke_role(member, &target).await;
        }
        if let Some(target) = project_role_target(&ent)? {
            let who =
                ProjectPrincipal::parse("revoke", parsed.principal_type, parsed.principal_id)?;
            return self.revoke_project_role(&target, &who).await;
        }
        Err(unsupported(&ent))
    }
}

/// The grant's id; when a caller left it empty, rebuilt from the entitlement and principal
/// stubs the same way baton-sdk builds it.
fn grant_id_of(grant: &Grant) -> String {
    if !grant.id.is_empty() {
        return grant.id.clone();
    }
    let entitlement = grant.entitlement.as_ref().map(|e| e.id.as_str());
    let principal = grant.principal.as_ref().and_then(|p| p.id.as_ref());
    match (entitlement, principal) {
        (Some(e), Some(p)) if !e.is_empty() => baton_model::model::ids::grant_id(e, p),
        _ => String::new(),
    }
}

#[async_trait]
impl ResourceProvisioner for WorkatoProvisioner {
    type Error = ProvisionError;

    async fn grant(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<GrantOutcome, ProvisionError> {
        self.grant_entitlement(principal, entitlement).await
    }

    async fn revoke(&self, grant: &Grant) -> Result<RevokeOutcome, ProvisionError> {
        self.revoke_grant(grant).await
    }
}

#[async_trait]
impl AccountManager for WorkatoProvisioner {
    type Error = ProvisionError;

    async fn create_account(
        &self,
        info: &AccountInfo,
        credential: CapabilityDetailCredentialOption,
    ) -> Result<CreateAccountOutcome, ProvisionError> {
        self.create_collaborator(info, credential).await
    }
}

#[async_trait]
impl ResourceDeleter for WorkatoProvisioner {
    type Error = ProvisionError;

    async fn delete(&self, id: &ResourceId) -> Result<DeleteOutcome, ProvisionError> {
        self.delete_collaborator(id).await
    }
}

#[cfg(test)]
mod tests {
    use baton_model::model::ids::resource_id;

    use super::*;

    #[test]
    fn grant_ids_are_rebuilt_when_missing() {
        let grant = Grant {
            id: String::new(),
            entitlement: Some(Entitlement {
                id: "role:Admin:collaborator-has".into(),
                ..Default::default()
            }),
            principal: Some(Resource {
                id: Some(resource_id("collaborator", "1000")),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            grant_id_of(&grant),
            "role:Admin:collaborator-has:collaborator:1000"
        );
        assert_eq!(grant_id_of(&Grant::default()), "");
    }
}
