//! Ours: `project_role`, one resource per (project, project role), with a `member`
//! entitlement granted from project grants (RBAC v2).
//!
//! Resources are listed at the top level but carry `project:<id>` as their parent. Every
//! project × every project role is emitted (not only held ones) so that provisioning can grant
//! a project role nobody holds yet; roles seen only in grants are added too. A grant to a
//! collaborator group carries `GrantExpandable` from `collaborator_group:<gid>:member`, so the
//! group's members inherit it through expansion.

use std::collections::{BTreeMap, HashSet};

use baton_model::model::{
    EntitlementBuilder, GrantBuilder, ModelError, Profile, ResourceBuilder, ResourceTypeBuilder,
};
use baton_model::proto::{Purpose, ResourceType, Trait};

use super::{entitlement_stub, rid, Ctx, Objects};
use crate::ids::{self, COLLABORATOR, COLLABORATOR_GROUP, PROJECT, PROJECT_ROLE};
use crate::snapshot::GrantSubject;

pub(super) fn resource_type() -> Result<ResourceType, ModelError> {
    ResourceTypeBuilder::new(PROJECT_ROLE.id, PROJECT_ROLE.display_name)
        .trait_(Trait::Role)
        .build()
}

pub(super) fn build(ctx: &Ctx<'_>, out: &mut Objects) -> Result<(), ModelError> {
    // Project role id → (name, type), listed roles first, then roles only seen in grants.
    let mut roles: Vec<(String, String, Option<String>)> = ctx
        .snap
        .project_roles()
        .iter()
        .map(|r| (r.id.clone(), r.name.clone(), r.kind.clone()))
        .collect();
    let listed: HashSet<&str> = ctx
        .snap
        .project_roles()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    let mut extra: BTreeMap<String, String> = BTreeMap::new();
    for g in ctx.snap.project_grants() {
        if !listed.contains(g.project_role_id.as_str()) {
            extra
                .entry(g.project_role_id.clone())
                .or_insert_with(|| g.project_role_name.clone());
        }
    }
    roles.extend(extra.into_iter().map(|(id, name)| (id, name, None)));

    let mut grantable = vec![ctx.types.collaborator.clone()];
    grantable.extend(ctx.types.collaborator_group.clone());
    for project in ctx.snap.projects() {
        for (role_id, role_name, kind) in &roles {
            let id = ids::project_role_resource_id(&project.id.to_string(), role_id);
            let display = ids::project_role_display_name(&project.name, role_name);
            let profile = Profile::new()
                .with("project_id", project.id)
                .with("project_name", project.name.as_str())
                .with("project_role_id", role_id.as_str())
                .with("name", role_name.as_str())
                .with_opt("type", kind.clone());
            let resource = ResourceBuilder::new(PROJECT_ROLE.id, id.as_str(), display.as_str())
                .parent(rid(PROJECT.id, project.id.to_string()))
                .role_trait(profile)
                .build()?;
            let entitlement = EntitlementBuilder::new(&resource, ids::MEMBER)
                .display_name(ids::project_role_entitlement_display_name(&display))
                .description(ids::project_role_entitlement_description(
                    &project.name,
                    role_name,
                ))
                .purpose(Purpose::Assignment)
                .grantable_to(&grantable)
                .build()?;
            out.add_resource(resource, None);
            out.add_entitlement(entitlement);
        }
    }
    for g in ctx.snap.project_grants() {
        if let Some(env) = g.env {
            if !ctx.snap.scope().includes(env) {
                continue;
            }
        }
        let id = ids::project_role_resource_id(&g.project_id.to_string(), &g.project_role_id);
        let listed_by = rid(PROJECT_ROLE.id, id.as_str());
        let ent = entitlement_stub(PROJECT_ROLE.id, &id, ids::MEMBER);
        let mut builder = match &g.subject {
            GrantSubject::User(member) => {
                GrantBuilder::new(&ent, &rid(COLLABORATOR.id, member.to_string()))
            }
            GrantSubject::Group(group) => {
                if ctx.types.collaborator_group.is_none() {
                    continue;
                }
                if ctx.snap.group(group).is_none() {
                    ctx.snap.warnings().warn(format!(
                        "project grant {} is for collaborator group {group}, which is not synced; skipped",
                        g.id
                    ));
                    continue;
                }
                let source = [ids::collaborator_group_entitlement_id(group)];
                GrantBuilder::new(&ent, &rid(COLLABORATOR_GROUP.id, group.as_str())).expandable(
                    &source,
                    true,
                    &[],
                )
            }
        };
        if let Some(env) = g.env {
            builder =
                builder.metadata(Profile::new().with(ids::ENVIRONMENT_TYPE_KEY, env.as_str()));
        }
        out.add_grant(&listed_by, builder.build()?);
    }
    Ok(())
}
