//! `role`: legacy roles, custom and system, each × target environment (docs/ids.md).
//!
//! A role's privileges come from its definition (custom: `/api/roles` `privileges`; system: the
//! catalogue) as role → privilege grants carrying `GrantExpandable` from the role's
//! `collaborator-has`, so expansion gives every holder the privilege
//! (docs/decisions.md#d1-no-per-member-privilege-calls).

use baton_model::model::{
    EntitlementBuilder, GrantBuilder, ModelError, Profile, ResourceBuilder, ResourceTypeBuilder,
};
use baton_model::proto::{Purpose, ResourceType, Trait};

use super::{base_roles, entitlement_stub, profile_time, rid, Ctx, Objects};
use crate::catalogue::{base_role_privileges, privilege_resource_id};
use crate::env::Environment;
use crate::ids::{self, PRIVILEGE, ROLE};
use crate::snapshot::{LegacyRole, RoleRef};

pub(super) fn resource_type() -> Result<ResourceType, ModelError> {
    ResourceTypeBuilder::new(ROLE.id, ROLE.display_name)
        .trait_(Trait::Role)
        .build()
}

fn custom_profile(role: &LegacyRole, env: Environment) -> Profile {
    let p = Profile::new()
        .with("id", role.id.to_string())
        .with("name", role.name.as_str())
        .with("environment", env.as_str())
        .with("inheritable", role.inheritable);
    let p = profile_time(p, "create_at", role.created_at.as_deref());
    profile_time(p, "updated_at", role.updated_at.as_deref())
}

pub(super) fn build(ctx: &Ctx<'_>, out: &mut Objects) -> Result<(), ModelError> {
    // Custom roles, then the system roles, each × target env (upstream's order).
    let mut ordered: Vec<(RoleRef, Environment, String, Profile)> = Vec::new();
    for role in ctx.snap.legacy_roles() {
        for env in ctx.targets() {
            ordered.push((
                RoleRef::Legacy(role.id),
                *env,
                role.name.clone(),
                custom_profile(role, *env),
            ));
        }
    }
    for base in base_roles() {
        for env in ctx.targets() {
            let profile = Profile::new()
                .with("id", base.name())
                .with("name", base.name())
                .with("environment", env.as_str());
            ordered.push((RoleRef::Base(base), *env, base.name().to_owned(), profile));
        }
    }
    for (role, env, name, profile) in ordered {
        let (_, id) = ctx.role_resource(role, env);
        let display = ids::role_display_name(&name, env);
        let resource = ResourceBuilder::new(ROLE.id, id.as_str(), display.as_str())
            .role_trait(profile)
            .build()?;
        let ent_name = ids::role_entitlement_display_name(&display);
        let entitlement = EntitlementBuilder::new(&resource, ids::COLLABORATOR_HAS)
            .display_name(ent_name.as_str())
            .description(ent_name.as_str())
            .purpose(Purpose::Assignment)
            .grantable_to(std::slice::from_ref(&ctx.types.collaborator))
            .build()?;
        let role_rid = rid(ROLE.id, id.as_str());
        let source = [ids::role_entitlement_id(&id)];
        let privileges: Vec<(String, bool)> = match role {
            RoleRef::Base(base) => base_role_privileges(base)
                .map(|p| (p.resource_id.to_owned(), true))
                .collect(),
            RoleRef::Legacy(rid_) => ctx
                .snap
                .legacy_role(rid_)
                .map(|r| {
                    r.privileges
                        .iter()
                        .map(|(g, p)| (privilege_resource_id(g, p), false))
                        .collect()
                })
                .unwrap_or_default(),
            RoleRef::Env(_) => Vec::new(),
        };
        out.add_resource(resource, None);
        out.add_entitlement(entitlement);
        for (privilege, immutable) in privileges {
            let ent = entitlement_stub(PRIVILEGE.id, &privilege, ids::ASSIGNED);
            let mut grant = GrantBuilder::new(&ent, &role_rid);
            // System roles hold their privileges by definition: not revocable.
            if immutable {
                grant = grant.immutable();
            }
            let grant = grant.expandable(&source, true, &[]).build()?;
            out.add_grant(&role_rid, grant);
        }
    }
    Ok(())
}
