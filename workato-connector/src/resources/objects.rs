//! [`Objects`]: every Baton object of one sync, built once from the snapshot.

use std::collections::{HashMap, HashSet};

use baton_model::model::ids::resource_key;
use baton_model::model::ModelError;
use baton_model::proto::{CreationSource, Entitlement, Grant, Resource, ResourceId, ResourceType};

use super::{
    collaborator, collaborator_group, environment_role, folder, privilege, project, project_role,
    role, Ctx, Types,
};
use crate::snapshot::Snapshot;

/// Every resource type, resource, entitlement and grant of one sync, derived from a
/// [`Snapshot`]. Building it runs each resource type's mapping, then the referential closure
/// check: a grant whose entitlement or principal is not an emitted entitlement/resource is
/// dropped with a warning (defect 9), and a grant id emitted twice is kept once.
#[derive(Debug, Default)]
pub struct Objects {
    resource_types: Vec<ResourceType>,
    resources: HashMap<(String, Option<String>), Vec<Resource>>,
    entitlements: HashMap<String, Vec<Entitlement>>,
    grants: HashMap<String, Vec<Grant>>,
    // Grant ids seen, to emit each once.
    grant_ids: HashSet<String>,
    dropped: Vec<String>,
}

impl Objects {
    /// Maps the whole snapshot.
    ///
    /// # Errors
    /// [`ModelError`] when an object breaks a Baton limit (e.g. a 2 KiB folder name).
    pub fn build(
        snap: &Snapshot,
        config: &crate::config::ConnectorConfig,
    ) -> Result<Objects, ModelError> {
        let types = Types::new(config)?;
        let ctx = Ctx {
            snap,
            types: &types,
        };
        let mut out = Objects {
            resource_types: types.in_order(),
            ..Objects::default()
        };
        if types.environment_role.is_some() {
            environment_role::build(&ctx, &mut out)?;
        }
        collaborator::build(&ctx, &mut out)?;
        privilege::build(&ctx, &mut out)?;
        role::build(&ctx, &mut out)?;
        folder::build(&ctx, &mut out)?;
        project::build(&ctx, &mut out)?;
        if types.project_role.is_some() {
            project_role::build(&ctx, &mut out)?;
        }
        if types.collaborator_group.is_some() {
            collaborator_group::build(&ctx, &mut out)?;
        }
        out.check_closure(snap);
        Ok(out)
    }

    /// Adds a resource, listed under `listed_under` (`None` = top-level listing).
    pub(crate) fn add_resource(
        &mut self,
        mut resource: Resource,
        listed_under: Option<&ResourceId>,
    ) {
        // Parity with existing baton-workato files (baton-proto.md §2): listed resources carry
        // creation source CONNECTOR_LIST_RESOURCES.
        if resource.creation_source == CreationSource::Unspecified as i32 {
            resource.creation_source = CreationSource::ConnectorListResources as i32;
        }
        let Some(id) = resource.id.as_ref() else {
            return;
        };
        let key = (id.resource_type.clone(), listed_under.map(resource_key));
        self.resources.entry(key).or_default().push(resource);
    }

    /// Adds an entitlement of its resource.
    pub(crate) fn add_entitlement(&mut self, entitlement: Entitlement) {
        let Some(id) = entitlement.resource.as_ref().and_then(|r| r.id.as_ref()) else {
            return;
        };
        self.entitlements
            .entry(resource_key(id))
            .or_default()
            .push(entitlement);
    }

    /// Adds a grant, returned when listing the grants of `listed_by`. A repeated grant id is
    /// ignored (several environments can yield the same grant).
    pub(crate) fn add_grant(&mut self, listed_by: &ResourceId, grant: Grant) {
        if self.grant_ids.insert(grant.id.clone()) {
            self.grants
                .entry(resource_key(listed_by))
                .or_default()
                .push(grant);
        }
    }

    fn check_closure(&mut self, snap: &Snapshot) {
        let resources: HashSet<String> = self
            .resources
            .values()
            .flatten()
            .filter_map(|r| r.id.as_ref().map(resource_key))
            .collect();
        let entitlements: HashSet<&str> = self
            .entitlements
            .values()
            .flatten()
            .map(|e| e.id.as_str())
            .collect();
        let mut dropped = Vec::new();
        for grants in self.grants.values_mut() {
            grants.retain(|g| {
                let ent_ok = g
                    .entitlement
                    .as_ref()
                    .is_some_and(|e| entitlements.contains(e.id.as_str()));
                let principal_ok = g
                    .principal
                    .as_ref()
                    .and_then(|p| p.id.as_ref())
                    .is_some_and(|id| resources.contains(&resource_key(id)));
                if !(ent_ok && principal_ok) {
                    dropped.push(g.id.clone());
                }
                ent_ok && principal_ok
            });
        }
        for id in &dropped {
            snap.warnings().warn(format!(
                "grant {id} refers to a resource or entitlement that is not synced; dropped"
            ));
        }
        self.dropped = dropped;
    }

    /// The resource types, in listing order.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// The resources of `resource_type` listed under `parent` (`None` = top level).
    pub fn resources(&self, resource_type: &str, parent: Option<&ResourceId>) -> &[Resource] {
        self.resources
            .get(&(resource_type.to_owned(), parent.map(resource_key)))
            .map_or(&[], Vec::as_slice)
    }

    /// The entitlements of a resource.
    pub fn entitlements(&self, resource: &ResourceId) -> &[Entitlement] {
        self.entitlements
            .get(&resource_key(resource))
            .map_or(&[], Vec::as_slice)
    }

    /// The grants listed with a resource.
    pub fn grants(&self, resource: &ResourceId) -> &[Grant] {
        self.grants
            .get(&resource_key(resource))
            .map_or(&[], Vec::as_slice)
    }

    /// Every resource (all types and parents).
    pub fn all_resources(&self) -> impl Iterator<Item = &Resource> {
        self.resources.values().flatten()
    }

    /// Every entitlement.
    pub fn all_entitlements(&self) -> impl Iterator<Item = &Entitlement> {
        self.entitlements.values().flatten()
    }

    /// Every grant.
    pub fn all_grants(&self) -> impl Iterator<Item = &Grant> {
        self.grants.values().flatten()
    }

    /// Ids of the grants the closure check dropped.
    pub fn dropped_grants(&self) -> &[String] {
        &self.dropped
    }
}
