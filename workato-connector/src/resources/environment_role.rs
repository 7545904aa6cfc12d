//! `environment_role`: RBAC-v2 environment roles, each × target environment (docs/ids.md),
//! and what they grant.
//!
//! An environment role's privileges and folders are learned once per distinct (env, role) from one
//! holder's `/privileges` row
//! (docs/decisions.md#d24-environment-roles-learn-their-access-from-one-holder) and emitted as
//! `privilege:…:assigned:environment_role:<R>` and
//! `folder:F:collaborator-access:environment_role:<R>` grants carrying `GrantExpandable` from
//! `environment_role:<R>:collaborator-has`. The `collaborator-has` entitlement is provisionable, so
//! it is not marked immutable (docs/decisions.md#d16-provisionable-entitlements-are-not-immutable).

use baton_model::model::{
    EntitlementBuilder, GrantBuilder, ModelError, Profile, ResourceBuilder, ResourceTypeBuilder,
};
use baton_model::proto::{Purpose, ResourceType, Trait};

use super::{entitlement_stub, profile_time, rid, Ctx, Objects};
use crate::catalogue::privilege_resource_id;
use crate::ids::{self, ENVIRONMENT_ROLE, FOLDER, PRIVILEGE};
use crate::snapshot::RoleRef;

pub(super) fn resource_type() -> Result<ResourceType, ModelError> {
    ResourceTypeBuilder::new(ENVIRONMENT_ROLE.id, ENVIRONMENT_ROLE.display_name)
        .trait_(Trait::Role)
        .build()
}

pub(super) fn build(ctx: &Ctx<'_>, out: &mut Objects) -> Result<(), ModelError> {
    if !ctx.snap.env_roles_synced() {
        return Ok(());
    }
    for role in ctx.snap.env_roles() {
        for &env in ctx.targets() {
            let (_, id) = ctx.role_resource(RoleRef::Env(role.id), env);
            let display = ids::role_display_name(&role.name, env);
            let profile = Profile::new()
                .with("id", role.id.to_string())
                .with("name", role.name.as_str())
                .with("type", role.kind.clone().unwrap_or_default())
                .with("environment", env.as_str());
            let profile = profile_time(profile, "created_at", role.created_at.as_deref());
            let profile = profile_time(profile, "updated_at", role.updated_at.as_deref());
            let resource = ResourceBuilder::new(ENVIRONMENT_ROLE.id, id.as_str(), display.as_str())
                .role_trait(profile)
                .build()?;
            let entitlement = EntitlementBuilder::new(&resource, ids::COLLABORATOR_HAS)
                .display_name(ids::ENVIRONMENT_ROLE_ENTITLEMENT_DISPLAY_NAME)
                .description(ids::ENVIRONMENT_ROLE_ENTITLEMENT_DESCRIPTION)
                .purpose(Purpose::Assignment)
                .grantable_to(std::slice::from_ref(&ctx.types.collaborator))
                .build()?;
            out.add_resource(resource, None);
            out.add_entitlement(entitlement);

            let Some(access) = ctx.snap.env_role_access(env, role.id) else {
                continue;
            };
            let role_rid = rid(ENVIRONMENT_ROLE.id, id.as_str());
            let source = [ids::environment_role_entitlement_id(&id)];
            for (group, perm) in &access.privileges {
                let ent = entitlement_stub(
                    PRIVILEGE.id,
                    &privilege_resource_id(group, perm),
                    ids::ASSIGNED,
                );
                let grant = GrantBuilder::new(&ent, &role_rid)
                    .expandable(&source, true, &[])
                    .build()?;
                out.add_grant(&role_rid, grant);
            }
            for folder in &access.folder_ids {
                if !ctx.snap.folders().contains(*folder) {
                    ctx.snap.warnings().warn(format!(
                        "environment role {} ({:?}) reaches folder {folder}, which is not in any project; ignored",
                        role.id, role.name
                    ));
                    continue;
                }
                let ent =
                    entitlement_stub(FOLDER.id, &folder.to_string(), ids::COLLABORATOR_ACCESS);
                let grant = GrantBuilder::new(&ent, &role_rid)
                    .expandable(&source, true, &[])
                    .build()?;
                out.add_grant(&role_rid, grant);
            }
        }
    }
    Ok(())
}
