//! `privilege`: the static catalogue, plus privileges the catalogue lacks
//! (docs/decisions.md#d12-unknown-privileges-are-added-not-fatal).

use std::collections::BTreeSet;

use baton_model::model::{
    EntitlementBuilder, ModelError, Profile, ResourceBuilder, ResourceTypeBuilder,
};
use baton_model::proto::{Purpose, ResourceType};

use super::{Ctx, Objects};
use crate::catalogue::{catalogue, lookup, privilege_resource_id};
use crate::ids::{self, PRIVILEGE};

pub(super) fn resource_type() -> Result<ResourceType, ModelError> {
    // No trait (resources still carry a RoleTrait, as upstream); grants are never listed here.
    ResourceTypeBuilder::new(PRIVILEGE.id, PRIVILEGE.display_name)
        .skip_grants()
        .build()
}

/// `(group, perm)` pairs some role holds that the catalogue does not know, sorted.
fn unknown_privileges(ctx: &Ctx<'_>) -> BTreeSet<(String, String)> {
    let legacy = ctx
        .snap
        .legacy_roles()
        .iter()
        .flat_map(|r| r.privileges.iter());
    let env = ctx
        .snap
        .env_role_accesses()
        .iter()
        .filter(|((env, _), _)| ctx.snap.scope().includes(*env))
        .flat_map(|(_, a)| a.privileges.iter());
    legacy
        .chain(env)
        .filter(|(g, p)| lookup(g, p).is_none())
        .cloned()
        .collect()
}

pub(super) fn build(ctx: &Ctx<'_>, out: &mut Objects) -> Result<(), ModelError> {
    let known = catalogue().iter().map(|p| {
        (
            p.group.to_owned(),
            p.id.to_owned(),
            p.description.to_owned(),
        )
    });
    let unknown: Vec<(String, String, String)> = unknown_privileges(ctx)
        .into_iter()
        .map(|(g, p)| {
            ctx.snap.warnings().warn(format!(
                "privilege {:?} is not in the catalogue; syncing it with an empty description",
                privilege_resource_id(&g, &p)
            ));
            (g, p, String::new())
        })
        .collect();
    let grantable = ctx.types.collaborator_or_roles();
    for (group, perm, description) in known.chain(unknown) {
        let id = privilege_resource_id(&group, &perm);
        let resource = ResourceBuilder::new(PRIVILEGE.id, id.as_str(), id.as_str())
            .role_trait(
                Profile::new()
                    .with("resource", group.as_str())
                    .with("permission", perm.as_str())
                    .with("description", description),
            )
            .build()?;
        let entitlement = EntitlementBuilder::new(&resource, ids::ASSIGNED)
            .display_name(ids::privilege_entitlement_display_name(&id))
            .description(ids::PRIVILEGE_ENTITLEMENT_DESCRIPTION)
            .purpose(Purpose::Assignment)
            .grantable_to(&grantable)
            .build()?;
        out.add_resource(resource, None);
        out.add_entitlement(entitlement);
    }
    Ok(())
}
