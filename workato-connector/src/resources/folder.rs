//! `folder`: each project's root folder and the folders below it (child-only type), and the
//! role → folder grants (docs/ids.md).
//!
//! Which roles reach a folder:
//! - a custom role whose `folder_ids` lists it — or, for an inheritable role, lists one of its
//!   ancestors (the whole subtree);
//! - every system role (Admin, Analyst, Operator): they hold `Folders read` workspace-wide, so
//!   they reach every folder. Operator included: it has `Folders-read`. These grants are
//!   immutable, like the system roles' privileges.
//!
//! Each grant is `folder:F:collaborator-access:role:<R>`, one per target environment
//! (docs/decisions.md#d9-all-mode-ids-always-resolve). A custom role's grant carries
//! `GrantExpandable` from `role:<R>:collaborator-has`, so expansion gives every holder of R the
//! folder.
//!
//! A system role's grant does NOT: expanding it would give every Admin/Analyst/Operator
//! holder every folder, holders × folders grants (about 20 million for 20,000 members and
//! 5,000 folders), none of which the Go connector emits (its system-role holders get only
//! the folders Workato's `/privileges` lists). The workspace-wide reach is recorded once on
//! the role, and each holder's `role:<R>:collaborator-has` grant says who has it, so the
//! output stays bounded by the workspace, not by members × folders.

use std::collections::BTreeMap;

use baton_model::model::{
    AppTraitBuilder, EntitlementBuilder, GrantBuilder, ModelError, Profile, ResourceBuilder,
    ResourceTypeBuilder,
};
use baton_model::proto::{Purpose, Resource, ResourceType};

use super::{base_roles, entitlement_stub, profile_time, rid, Ctx, Objects};
use crate::ids::{self, FOLDER, PROJECT};
use crate::snapshot::{Folder, Project, RoleRef};

pub(super) fn resource_type() -> Result<ResourceType, ModelError> {
    ResourceTypeBuilder::new(FOLDER.id, FOLDER.display_name).build()
}

fn root_resource(project: &Project, folder_id: i64) -> Result<Resource, ModelError> {
    let display = ids::root_folder_display_name(&project.name);
    // docs/decisions.md#d19-root-folder-profile: `id` is the folder id (upstream wrote the project
    // id) and `project_id` is added; `parent_id` is null.
    let profile = Profile::new()
        .with("id", folder_id)
        .with("project_id", project.id)
        .with("name", display.as_str())
        .null("parent_id");
    ResourceBuilder::new(FOLDER.id, folder_id.to_string(), display.as_str())
        .parent(rid(PROJECT.id, project.id.to_string()))
        .child_type(FOLDER.id)
        .app_trait(AppTraitBuilder::new().profile(profile))
        .build()
}

fn folder_resource(folder: &Folder) -> Result<Resource, ModelError> {
    let profile = Profile::new()
        .with("id", folder.id)
        .with("name", folder.name.as_str())
        .with_opt("parent_id", folder.parent_id);
    let profile = profile_time(profile, "create_at", folder.created_at.as_deref());
    let profile = profile_time(profile, "updated_at", folder.updated_at.as_deref());
    ResourceBuilder::new(FOLDER.id, folder.id.to_string(), folder.name.as_str())
        .parent(rid(FOLDER.id, folder.listed_under.to_string()))
        .child_type(FOLDER.id)
        .app_trait(AppTraitBuilder::new().profile(profile))
        .build()
}

/// Folder id → the custom roles reaching it (ascending ids).
fn custom_reach(ctx: &Ctx<'_>) -> BTreeMap<i64, Vec<i64>> {
    let tree = ctx.snap.folders();
    let mut reach: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for role in ctx.snap.legacy_roles() {
        let mut folders = std::collections::BTreeSet::new();
        for &f in &role.folder_ids {
            if !tree.contains(f) {
                ctx.snap.warnings().warn(format!(
                    "custom role {} ({:?}) lists folder {f}, which is not in any project; ignored",
                    role.id, role.name
                ));
                continue;
            }
            if role.inheritable {
                folders.extend(tree.subtree(f));
            } else {
                folders.insert(f);
            }
        }
        for f in folders {
            reach.entry(f).or_default().push(role.id);
        }
    }
    for roles in reach.values_mut() {
        roles.sort_unstable();
        roles.dedup();
    }
    reach
}

fn add_folder(
    ctx: &Ctx<'_>,
    out: &mut Objects,
    resource: Resource,
    listed_under: &baton_model::proto::ResourceId,
    reach: &BTreeMap<i64, Vec<i64>>,
    folder_id: i64,
) -> Result<(), ModelError> {
    let display = resource.display_name.clone();
    let entitlement = EntitlementBuilder::new(&resource, ids::COLLABORATOR_ACCESS)
        .display_name(ids::folder_entitlement_display_name(&display))
        .description(ids::folder_entitlement_description(&display))
        .purpose(Purpose::Permission)
        .grantable_to(&ctx.types.collaborator_or_roles())
        .build()?;
    let folder_rid = rid(FOLDER.id, folder_id.to_string());
    let ent = entitlement_stub(FOLDER.id, &folder_id.to_string(), ids::COLLABORATOR_ACCESS);
    out.add_resource(resource, Some(listed_under));
    out.add_entitlement(entitlement);
    let custom = reach
        .get(&folder_id)
        .into_iter()
        .flatten()
        .map(|&id| (RoleRef::Legacy(id), false));
    let system = base_roles().into_iter().map(|b| (RoleRef::Base(b), true));
    for (role, immutable) in custom.chain(system) {
        for env in ctx.targets() {
            let (rt, role_id) = ctx.role_resource(role, *env);
            let principal = rid(rt, role_id.as_str());
            let source = [ids::role_entitlement_id(&role_id)];
            let grant = GrantBuilder::new(&ent, &principal);
            // System roles reach every folder: an expandable grant would give each of their
            // holders every folder (holders x folders grants, millions in a big workspace),
            // which the Go connector never emits. The reach stays visible on the role, and
            // each holder's role grant says who has it. Custom roles' reach is scoped by
            // their folder_ids, so expanding it stays proportional to what Workato lists.
            let grant = if immutable {
                grant.immutable()
            } else {
                grant.expandable(&source, true, &[])
            };
            out.add_grant(&folder_rid, grant.build()?);
        }
    }
    Ok(())
}

pub(super) fn build(ctx: &Ctx<'_>, out: &mut Objects) -> Result<(), ModelError> {
    let reach = custom_reach(ctx);
    let tree = ctx.snap.folders();
    for project in ctx.snap.projects() {
        let Some(root) = project.folder_id else {
            ctx.snap.warnings().warn(format!(
                "project {} ({:?}) has no root folder; its folders are not synced",
                project.id, project.name
            ));
            continue;
        };
        if tree.project_of_root(root) != Some(project.id) {
            ctx.snap.warnings().warn(format!(
                "project {} ({:?}) shares root folder {root} with another project; listed once",
                project.id, project.name
            ));
            continue;
        }
        // A project lists only its own root folder
        // (docs/decisions.md#d8-each-project-owns-its-root-folder).
        let parent = rid(PROJECT.id, project.id.to_string());
        add_folder(
            ctx,
            out,
            root_resource(project, root)?,
            &parent,
            &reach,
            root,
        )?;
    }
    for folder in tree.folders() {
        let parent = rid(FOLDER.id, folder.listed_under.to_string());
        add_folder(
            ctx,
            out,
            folder_resource(folder)?,
            &parent,
            &reach,
            folder.id,
        )?;
    }
    Ok(())
}
