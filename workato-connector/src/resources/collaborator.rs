//! `collaborator`: workspace members (USER trait), and their role grants (docs/ids.md).
//!
//! No per-member `/privileges` call (docs/decisions.md#d1-no-per-member-privilege-calls): a
//! collaborator's privileges and folder access reach it by grant expansion from its role grants.

use baton_model::model::{
    GrantBuilder, ModelError, Profile, ResourceBuilder, ResourceTypeBuilder, UserTraitBuilder,
};
use baton_model::proto::{Grant, Resource, ResourceType, Trait};

use super::{entitlement_stub, profile_time, rid, role_resource, timestamp, Ctx, Objects};
use crate::env::{EnvScope, Environment};
use crate::ids::{self, COLLABORATOR};
use crate::snapshot::{Member, RoleRef};

pub(super) fn resource_type() -> Result<ResourceType, ModelError> {
    ResourceTypeBuilder::new(COLLABORATOR.id, COLLABORATOR.display_name)
        .trait_(Trait::User)
        .build()
}

/// The collaborator resource of a member (USER trait, upstream's profile keys).
///
/// # Errors
/// [`ModelError`] if the name or email breaks a Baton limit.
pub fn resource(member: &Member) -> Result<Resource, ModelError> {
    let profile = Profile::new()
        .with("id", member.id)
        .with("email", member.email.as_str())
        .with("name", member.name.as_str())
        .with("externalId", member.external_id.clone().unwrap_or_default())
        .with("grantType", member.grant_type.clone().unwrap_or_default())
        .with("timeZone", member.time_zone.clone().unwrap_or_default());
    let profile = profile_time(profile, "createdAt", member.created_at.as_deref());
    let mut user = UserTraitBuilder::new()
        .email(member.email.as_str(), true)
        .login(member.email.as_str())
        .profile(profile);
    if let Some(at) = member.created_at.as_deref().and_then(timestamp) {
        user = user.created_at(at);
    }
    ResourceBuilder::new(COLLABORATOR.id, member.id.to_string(), member.name.as_str())
        .user_trait(user)
        .build()
}

/// The grant of a role (legacy, system or environment role) to a member in `env`:
/// `role:<R>:collaborator-has:collaborator:<M>` (or `environment_role:…`) with
/// `GrantMetadata{"environment_type": env}` — what sync emits and what a provisioning grant
/// returns.
///
/// # Errors
/// [`ModelError`] if an id breaks a Baton limit.
pub fn role_grant(
    scope: EnvScope,
    member_id: i64,
    env: Environment,
    role: RoleRef,
) -> Result<Grant, ModelError> {
    let (rt, role_id) = role_resource(scope, role, env);
    let ent = entitlement_stub(rt, &role_id, ids::COLLABORATOR_HAS);
    GrantBuilder::new(&ent, &rid(COLLABORATOR.id, member_id.to_string()))
        .metadata(Profile::new().with(ids::ENVIRONMENT_TYPE_KEY, env.as_str()))
        .build()
}

pub(super) fn build(ctx: &Ctx<'_>, out: &mut Objects) -> Result<(), ModelError> {
    for member in ctx.snap.members() {
        let resource = resource(member)?;
        let member_rid = rid(COLLABORATOR.id, member.id.to_string());
        out.add_resource(resource, None);
        for a in ctx.snap.assignments_of(member.id) {
            let grant = role_grant(ctx.snap.scope(), member.id, a.env, a.role)?;
            out.add_grant(&member_rid, grant);
        }
    }
    Ok(())
}
