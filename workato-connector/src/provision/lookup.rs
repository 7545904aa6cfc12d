//! Reads provisioning needs from Workato: a role's current name from its id (the name is what
//! `PUT /api/members/:id` takes, and names can change after a sync:
//! docs/decisions.md#d6-a-role-grant-sends-the-current-role-name), a role's id from a name (to
//! report the grant a PUT replaced), collaborators by id or by email.

use futures::TryStreamExt;
use workato_api::members::Member;
use workato_api::{Client, MemberId};

use super::error::ProvisionError;
use super::plan::HeldRole;
use super::target::{RoleFamily, RoleKey};
use crate::catalogue::BaseRole;
use crate::env::{role_resource_id, EnvScope, Environment};
use crate::ids::{self, ENVIRONMENT_ROLE, ROLE};

/// The HTTP status of an API error, as a number (so this crate needs no `http` dependency).
pub(crate) fn status(e: &workato_api::Error) -> Option<u16> {
    e.status().map(|s| s.as_u16())
}

/// The current name of `role`: system roles by name, legacy custom roles from `/api/roles`,
/// environment roles from `GET /api/environment_roles/:id`.
///
/// # Errors
/// [`ProvisionError::UnknownRole`] when the id no longer exists; API errors otherwise.
pub(crate) async fn role_name(client: &Client, role: RoleKey) -> Result<String, ProvisionError> {
    match role {
        RoleKey::Base(base) => Ok(base.name().to_owned()),
        RoleKey::Custom(id) => {
            let mut roles = client.roles().list().into_stream();
            while let Some(r) = roles
                .try_next()
                .await
                .map_err(ProvisionError::api("listing legacy roles"))?
            {
                if r.id == id {
                    return Ok(r.name);
                }
            }
            Err(ProvisionError::UnknownRole {
                kind: "legacy role",
                id: id.to_string(),
            })
        }
        RoleKey::Environment(id) => match client.environment_roles().get(id).await {
            Ok(r) => Ok(r.name),
            Err(e) if status(&e) == Some(404) => Err(ProvisionError::UnknownRole {
                kind: "environment role",
                id: id.to_string(),
            }),
            Err(e) => Err(ProvisionError::api("reading the environment role")(e)),
        },
    }
}

/// The collaborator `id`, or `None` when Workato answers 404.
pub(crate) async fn member(
    client: &Client,
    id: MemberId,
) -> Result<Option<Member>, ProvisionError> {
    match client.members().get(id).await {
        Ok(m) => Ok(Some(m)),
        Err(e) if status(&e) == Some(404) => Ok(None),
        Err(e) => Err(ProvisionError::api("reading the collaborator")(e)),
    }
}

/// The collaborator whose email is `email`: exact, case-insensitive, over the full member list
/// (the server-side `?email=` filter is an undocumented substring match:
/// docs/decisions.md#d21-email-lookup-is-exact).
pub(crate) async fn member_by_email(
    client: &Client,
    email: &str,
) -> Result<Option<Member>, ProvisionError> {
    let list = client
        .members()
        .list()
        .send()
        .await
        .map_err(ProvisionError::api("listing collaborators"))?;
    if let Some(total) = list.total {
        if total > list.data.len() as u64 {
            // The list is documented as complete; say so if it is not
            // (docs/decisions.md#d22-a-truncated-member-list-is-reported).
            tracing::warn!(
                total,
                returned = list.data.len(),
                "GET /api/members returned fewer collaborators than its total; the email lookup may miss one"
            );
        }
    }
    let wanted = email.trim();
    Ok(list
        .data
        .into_iter()
        .find(|m| m.email.trim().eq_ignore_ascii_case(wanted)))
}

/// Whether an error means "this RBAC generation is not available here" (un-migrated
/// workspace for environment roles, migrated one for legacy roles), as opposed to a failure.
pub(crate) fn is_missing_generation(e: &workato_api::Error) -> bool {
    matches!(status(e), Some(401 | 403 | 404 | 410))
}

/// The grant id of a role a collaborator held before a grant replaced it, or `None` (with a
/// warning) when the role cannot be mapped back to an id — a deleted role, an unknown
/// `role_type`, or a failed lookup. Never an error: the grant itself already succeeded.
pub(crate) async fn superseded_grant_id(
    client: &Client,
    held: &HeldRole,
    env: Environment,
    scope: EnvScope,
    member: MemberId,
) -> Option<String> {
    let resolved = match held.family {
        Some(RoleFamily::Environment) => env_role_id(client, &held.name).await,
        Some(RoleFamily::Legacy) => match BaseRole::from_name(&held.name) {
            Some(base) => Some((ROLE.id, base.name().to_owned())),
            None => match custom_role_id(client, &held.name).await {
                Some(id) => Some((ROLE.id, id)),
                // Without a role_type the name may also be an environment role's.
                None if !held.typed => env_role_id(client, &held.name).await,
                None => None,
            },
        },
        None => None,
    };
    let Some((resource_type, bare)) = resolved else {
        tracing::warn!(
            role = %held.name,
            env = %env,
            member = %member,
            "the grant replaced a role that no longer maps to a role id; no superseded grant reported"
        );
        return None;
    };
    let rid = role_resource_id(&bare, env, scope);
    let entitlement = ids::entitlement_id(resource_type, &rid, ids::COLLABORATOR_HAS);
    Some(ids::collaborator_grant_id(
        &entitlement,
        &member.to_string(),
    ))
}

async fn env_role_id(client: &Client, name: &str) -> Option<(&'static str, String)> {
    match client.environment_roles().find_by_name(name).await {
        Ok(found) => found.map(|r| (ENVIRONMENT_ROLE.id, r.id.to_string())),
        Err(e) => {
            tracing::warn!(error = %e, role = name, "cannot look up the replaced environment role");
            None
        }
    }
}

async fn custom_role_id(client: &Client, name: &str) -> Option<String> {
    let mut roles = client.roles().list().into_stream();
    loop {
        match roles.try_next().await {
            Ok(Some(r)) if r.name == name => return Some(r.id.to_string()),
            Ok(Some(_)) => {}
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(error = %e, role = name, "cannot look up the replaced legacy role");
                return None;
            }
        }
    }
}
