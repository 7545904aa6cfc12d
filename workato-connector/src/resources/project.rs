//! `project`: projects, parents of their root folders (docs/ids.md#resource-types). The type
//! carries `SkipEntitlementsAndGrants`; project access is modelled by the `project_role` type.

use baton_model::model::{
    AppTraitBuilder, ModelError, Profile, ResourceBuilder, ResourceTypeBuilder,
};
use baton_model::proto::ResourceType;

use super::{Ctx, Objects};
use crate::ids::{FOLDER, PROJECT};

pub(super) fn resource_type() -> Result<ResourceType, ModelError> {
    ResourceTypeBuilder::new(PROJECT.id, PROJECT.display_name)
        .skip_entitlements_and_grants()
        .build()
}

pub(super) fn build(ctx: &Ctx<'_>, out: &mut Objects) -> Result<(), ModelError> {
    for project in ctx.snap.projects() {
        let profile = Profile::new()
            .with("id", project.id)
            .with("name", project.name.as_str())
            .with(
                "description",
                project.description.clone().unwrap_or_default(),
            )
            .with_opt("folder_id", project.folder_id);
        let resource =
            ResourceBuilder::new(PROJECT.id, project.id.to_string(), project.name.as_str())
                .child_type(FOLDER.id)
                .app_trait(AppTraitBuilder::new().profile(profile))
                .build()?;
        out.add_resource(resource, None);
    }
    Ok(())
}
