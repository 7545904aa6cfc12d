//! Ours: `collaborator_group`, collaborator groups (GROUP trait) with a `member` entitlement
//! granted to each member.

use baton_model::model::{
    EntitlementBuilder, GrantBuilder, ModelError, Profile, ResourceBuilder, ResourceTypeBuilder,
};
use baton_model::proto::{Purpose, ResourceType, Trait};

use super::{rid, Ctx, Objects};
use crate::ids::{self, COLLABORATOR, COLLABORATOR_GROUP};

pub(super) fn resource_type() -> Result<ResourceType, ModelError> {
    ResourceTypeBuilder::new(COLLABORATOR_GROUP.id, COLLABORATOR_GROUP.display_name)
        .trait_(Trait::Group)
        .build()
}

pub(super) fn build(ctx: &Ctx<'_>, out: &mut Objects) -> Result<(), ModelError> {
    for group in ctx.snap.groups() {
        let profile = Profile::new()
            .with("id", group.id.as_str())
            .with("name", group.name.as_str())
            .with("description", group.description.clone().unwrap_or_default())
            .with("system", group.system);
        let resource = ResourceBuilder::new(
            COLLABORATOR_GROUP.id,
            group.id.as_str(),
            group.name.as_str(),
        )
        .group_trait(profile)
        .build()?;
        let entitlement = EntitlementBuilder::new(&resource, ids::MEMBER)
            .display_name(ids::collaborator_group_entitlement_display_name(
                &group.name,
            ))
            .description(ids::collaborator_group_entitlement_description(&group.name))
            .purpose(Purpose::Assignment)
            .grantable_to(std::slice::from_ref(&ctx.types.collaborator))
            .build()?;
        let group_rid = rid(COLLABORATOR_GROUP.id, group.id.as_str());
        out.add_resource(resource, None);
        for member in &group.member_ids {
            let grant = GrantBuilder::new(&entitlement, &rid(COLLABORATOR.id, member.to_string()))
                .build()?;
            out.add_grant(&group_rid, grant);
        }
        out.add_entitlement(entitlement);
    }
    Ok(())
}
