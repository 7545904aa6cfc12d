//! Creating a collaborator by invitation
//! (docs/architecture.md#connector-metadata-and-account-creation), and the collaborator resource
//! returned.
//!
//! 1. Validate the input ([`AccountRequest::from_account_info`]) — nothing is called on error.
//! 2. An existing collaborator with that email (exact, case-insensitive, over the full member
//!    list: docs/decisions.md#d21-email-lookup-is-exact) ⇒ `AlreadyExists`.
//! 3. Resolve each `env:role` name: an environment role of that name (`role_type`
//!    `environment`), else a system role (Admin, Analyst, Operator), else a legacy custom role
//!    (no `role_type`); none ⇒ [`ProvisionError::UnknownRoleName`] before the invitation.
//! 4. `POST /api/member_invitations`. If Workato answers that the user already exists (a 4xx
//!    whose message says "already": a Workato user of another workspace, or a race), add them
//!    directly with `POST /api/members {"email"}` and read them back ⇒ `Created` (a 404 there
//!    means no such Workato user: the "already" was a pending invitation ⇒ `ActionRequired`).
//! 5. Read the member list again: the invitee is a member ⇒ `Created`; otherwise the invitation
//!    is pending ⇒ `ActionRequired` (no resource exists until they accept).

use baton_model::json::struct_to_value;
use baton_model::model::{timestamp_from_rfc3339, Profile, ResourceBuilder, UserTraitBuilder};
use baton_model::proto::{CapabilityDetailCredentialOption, Resource};
use baton_model::provision::{AccountInfo, CreateAccountOutcome};
use futures::TryStreamExt;
use serde_json::{Map, Value};
use workato_api::members::{EnvRoleAssignment, Invitation, Member};
use workato_api::{Client, Id};

use super::error::ProvisionError;
use super::lookup::{self, is_missing_generation};
use super::plan::grant_assignment;
use super::target::RoleFamily;
use super::WorkatoProvisioner;
use crate::account::AccountRequest;
use crate::catalogue::BaseRole;
use crate::env::Environment;
use crate::gotime::go_time_string;
use crate::ids::COLLABORATOR;

impl WorkatoProvisioner {
    pub(super) async fn create_collaborator(
        &self,
        info: &AccountInfo,
        credential: CapabilityDetailCredentialOption,
    ) -> Result<CreateAccountOutcome, ProvisionError> {
        if credential != CapabilityDetailCredentialOption::NoPassword {
            return Err(ProvisionError::UnsupportedCredential(credential as i32));
        }
        let profile = match struct_to_value(&info.profile) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let emails: Vec<String> = [info.email.clone()]
            .into_iter()
            .filter(|e| !e.trim().is_empty())
            .collect();
        let request = AccountRequest::from_account_info(&profile, &info.login, &emails)?;
        let _guard = self
            .locks
            .lock(format!("email:{}", request.email.to_lowercase()))
            .await;

        if let Some(existing) = lookup::member_by_email(&self.client, &request.email).await? {
            tracing::info!(member = %existing.id, "a collaborator with this email already exists");
            return Ok(CreateAccountOutcome::AlreadyExists(collaborator_resource(
                &existing,
            )?));
        }

        let mut resolver = RoleResolver::new(&self.client);
        let mut env_roles = Vec::with_capacity(request.env_roles.len());
        for (env, name) in &request.env_roles {
            env_roles.push(resolver.assignment(*env, name).await?);
        }
        let invitation = Invitation {
            name: request.name.clone(),
            email: request.email.clone(),
            env_roles,
            user_group_ids: request
                .user_group_ids
                .iter()
                .map(|g| Id::from(g.as_str()))
                .collect(),
        };
        match self.client.members().invite(&invitation).await {
            Ok(()) => {}
            Err(e) if says_already_exists(&e) => {
                tracing::info!(error = %e, "Workato knows this user already; adding them directly");
                match self.client.members().add_existing(&request.email).await {
                    Ok(()) => {}
                    // Not a Workato user after all: the "already" was about an invitation
                    // still pending, which stands.
                    Err(e) if lookup::status(&e) == Some(404) => {
                        tracing::info!(error = %e, "no existing Workato user; an earlier invitation is pending");
                        return Ok(CreateAccountOutcome::ActionRequired {
                            message: pending_message(&request.email),
                        });
                    }
                    Err(e) => {
                        return Err(ProvisionError::api("adding the existing Workato user")(e))
                    }
                }
                let member = lookup::member_by_email(&self.client, &request.email)
                    .await?
                    .ok_or_else(|| ProvisionError::AddedMemberMissing {
                        email: request.email.clone(),
                    })?;
                return Ok(CreateAccountOutcome::Created(collaborator_resource(
                    &member,
                )?));
            }
            Err(e) => return Err(ProvisionError::api("sending the invitation")(e)),
        }
        match lookup::member_by_email(&self.client, &request.email).await? {
            Some(member) => Ok(CreateAccountOutcome::Created(collaborator_resource(
                &member,
            )?)),
            None => Ok(CreateAccountOutcome::ActionRequired {
                message: pending_message(&request.email),
            }),
        }
    }
}

/// The `ActionRequired` message of a pending invitation.
pub(crate) fn pending_message(email: &str) -> String {
    format!("Invitation sent to {email}; they must accept before the account exists")
}

/// A 4xx whose message says the user already exists (409 from ConductorOne's mock; the real
/// status is UNCONFIRMED, so the message decides).
fn says_already_exists(e: &workato_api::Error) -> bool {
    match e {
        workato_api::Error::Api {
            status,
            message,
            body_excerpt,
            ..
        } if status.is_client_error() => {
            let already = |s: &str| s.to_ascii_lowercase().contains("already");
            already(message) || already(body_excerpt)
        }
        _ => false,
    }
}

/// Resolves invitation role names, listing legacy roles at most once.
struct RoleResolver<'a> {
    client: &'a Client,
    legacy_names: Option<Vec<String>>,
}

impl<'a> RoleResolver<'a> {
    fn new(client: &'a Client) -> Self {
        Self {
            client,
            legacy_names: None,
        }
    }

    async fn assignment(
        &mut self,
        env: Environment,
        name: &str,
    ) -> Result<EnvRoleAssignment, ProvisionError> {
        match self.client.environment_roles().find_by_name(name).await {
            Ok(Some(_)) => return Ok(grant_assignment(env, name, RoleFamily::Environment)),
            Ok(None) => {}
            // Un-migrated workspace: no environment roles at all.
            Err(e) if is_missing_generation(&e) => {}
            Err(e) => return Err(ProvisionError::api("looking up the environment role")(e)),
        }
        if BaseRole::from_name(name).is_some()
            || self.legacy_names().await?.iter().any(|n| n == name)
        {
            return Ok(EnvRoleAssignment::new(env.to_api(), name));
        }
        Err(ProvisionError::UnknownRoleName {
            env,
            name: name.to_owned(),
        })
    }

    async fn legacy_names(&mut self) -> Result<&[String], ProvisionError> {
        if self.legacy_names.is_none() {
            let names = match self
                .client
                .roles()
                .list()
                .into_stream()
                .try_collect::<Vec<_>>()
                .await
            {
                Ok(roles) => roles.into_iter().map(|r| r.name).collect(),
                // Migrated workspace: legacy roles are gone.
                Err(e) if is_missing_generation(&e) => Vec::new(),
                Err(e) => return Err(ProvisionError::api("listing legacy roles")(e)),
            };
            self.legacy_names = Some(names);
        }
        Ok(self.legacy_names.as_deref().unwrap_or_default())
    }
}

/// The collaborator resource of a member, in the shape sync emits
/// (docs/ids.md#display-names-and-profiles): display name = name, USER trait with the email as
/// primary address and login, profile `id`, `email`, `name`, `externalId`, `createdAt` (Go time
/// layout), `grantType`, `timeZone`.
pub(crate) fn collaborator_resource(member: &Member) -> Result<Resource, ProvisionError> {
    let created = member.created_at.as_deref();
    let profile = Profile::new()
        .with("id", member.id.get())
        .with("email", member.email.as_str())
        .with("name", member.name.as_str())
        .with("externalId", member.external_id.clone().unwrap_or_default())
        .with(
            "createdAt",
            created
                .and_then(go_time_string)
                .map_or(Value::Null, Value::from),
        )
        .with(
            "grantType",
            member
                .grant_type
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
        .with("timeZone", member.time_zone.clone().unwrap_or_default());
    let mut user = UserTraitBuilder::new()
        .email(member.email.as_str(), true)
        .login(member.email.as_str())
        .profile(profile);
    if let Some(at) = created.and_then(|c| timestamp_from_rfc3339(c).ok()) {
        user = user.created_at(at);
    }
    Ok(
        ResourceBuilder::new(COLLABORATOR.id, member.id.to_string(), member.name.as_str())
            .user_trait(user)
            .build()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collaborator_resource_shape() {
        let member: Member = serde_json::from_value(serde_json::json!({
            "id": 1007, "name": "Hana", "email": "hana@x.example", "grant_type": "team",
            "roles": [], "external_id": null, "time_zone": "UTC",
            "created_at": "2024-01-02T03:04:05Z"
        }))
        .expect("member");
        let r = collaborator_resource(&member).expect("resource");
        let id = r.id.as_ref().expect("id");
        assert_eq!(
            (id.resource_type.as_str(), id.resource.as_str()),
            ("collaborator", "1007")
        );
        assert_eq!(r.display_name, "Hana");
        assert_eq!(
            pending_message("a@b.c"),
            "Invitation sent to a@b.c; they must accept before the account exists"
        );
    }
}
