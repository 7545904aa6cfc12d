//! [`Objects`]: every Baton object of one sync, built once from the snapshot.
//!
//! The objects are kept protobuf-encoded and decoded a page at a time when the sync engine
//! lists them. A decoded message is several small heap allocations (every entitlement also
//! carries a copy of its resource and of the resource types it is grantable to), about three
//! times its encoded size: with some 50,000 folders and entitlements in a large workspace,
//! keeping messages decoded cost most of the sync's peak memory.

use foldhash::{HashMap, HashSet};

use baton_model::model::ids::resource_key;
use baton_model::model::ModelError;
use baton_model::proto::{
    CreationSource, Entitlement, Grant, Message, Resource, ResourceId, ResourceType,
};
use baton_model::sync::GrantKeys;
pub use prost::DecodeError;

use super::{
    collaborator, collaborator_group, environment_role, folder, privilege, project, project_role,
    role, Ctx, Types,
};
use crate::snapshot::Snapshot;

/// Every resource type, resource, entitlement and grant of one sync, derived from a [`Snapshot`].
/// Building it runs each resource type's mapping, then the referential closure check: a grant whose
/// entitlement or principal is not an emitted entitlement/resource is dropped with a warning
/// (docs/decisions.md#d9-all-mode-ids-always-resolve), and a grant id emitted twice is kept once.
#[derive(Debug, Default)]
pub struct Objects {
    resource_types: Vec<ResourceType>,
    resources: HashMap<(String, Option<String>), Vec<Encoded>>,
    entitlements: HashMap<String, Vec<Encoded>>,
    grants: HashMap<String, Vec<Encoded>>,
    // Keys of the resources and ids of the entitlements added, for the closure check.
    resource_keys: HashSet<String>,
    entitlement_ids: HashSet<String>,
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
        // Parity with existing baton-workato files: listed resources carry creation source
        // CONNECTOR_LIST_RESOURCES
        // (docs/decisions.md#d35-listed-resources-carry-a-creation-source).
        if resource.creation_source == CreationSource::Unspecified as i32 {
            resource.creation_source = CreationSource::ConnectorListResources as i32;
        }
        let Some(id) = resource.id.as_ref() else {
            return;
        };
        self.resource_keys.insert(resource_key(id));
        let key = (id.resource_type.clone(), listed_under.map(resource_key));
        self.resources
            .entry(key)
            .or_default()
            .push(Encoded::new(&resource));
    }

    /// Adds an entitlement of its resource.
    pub(crate) fn add_entitlement(&mut self, entitlement: Entitlement) {
        let Some(id) = entitlement.resource.as_ref().and_then(|r| r.id.as_ref()) else {
            return;
        };
        self.entitlement_ids.insert(entitlement.id.clone());
        self.entitlements
            .entry(resource_key(id))
            .or_default()
            .push(Encoded::new(&entitlement));
    }

    /// Adds a grant, returned when listing the grants of `listed_by`. A repeated grant id is
    /// ignored (several environments can yield the same grant).
    pub(crate) fn add_grant(&mut self, listed_by: &ResourceId, grant: Grant) {
        if self.grant_ids.insert(grant.id.clone()) {
            self.grants
                .entry(resource_key(listed_by))
                .or_default()
                .push(Encoded::new(&grant));
        }
    }

    fn check_closure(&mut self, snap: &Snapshot) {
        let mut dropped = Vec::new();
        let (resources, entitlements) = (&self.resource_keys, &self.entitlement_ids);
        for grants in self.grants.values_mut() {
            grants.retain(|encoded| {
                // Undecodable bytes cannot happen (we encoded them); such a grant is dropped
                // like any other that cannot be checked.
                // Only the keys are decoded: decoding whole grants was most of the check.
                let Ok(keys) = GrantKeys::read(encoded.bytes()) else {
                    return false;
                };
                let g = keys.into_row_keys();
                let ent_ok = g
                    .entitlement
                    .as_deref()
                    .is_some_and(|e| entitlements.contains(e));
                let principal_ok = g
                    .principal
                    .as_ref()
                    .is_some_and(|id| resources.contains(&resource_key(id)));
                if !(ent_ok && principal_ok) {
                    dropped.push(g.id);
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
        // Only needed while building.
        self.resource_keys = HashSet::default();
        self.entitlement_ids = HashSet::default();
        self.grant_ids = HashSet::default();
    }

    /// The resource types, in listing order.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// The resources of `resource_type` listed under `parent` (`None` = top level), encoded.
    pub(crate) fn resources_encoded(
        &self,
        resource_type: &str,
        parent: Option<&ResourceId>,
    ) -> &[Encoded] {
        self.resources
            .get(&(resource_type.to_owned(), parent.map(resource_key)))
            .map_or(&[], Vec::as_slice)
    }

    /// The entitlements of a resource, encoded.
    pub(crate) fn entitlements_encoded(&self, resource: &ResourceId) -> &[Encoded] {
        self.entitlements
            .get(&resource_key(resource))
            .map_or(&[], Vec::as_slice)
    }

    /// The grants listed with a resource, encoded.
    pub(crate) fn grants_encoded(&self, resource: &ResourceId) -> &[Encoded] {
        self.grants
            .get(&resource_key(resource))
            .map_or(&[], Vec::as_slice)
    }

    /// The resources of `resource_type` listed under `parent` (`None` = top level).
    ///
    /// # Errors
    /// [`DecodeError`] if a stored message does not decode (not expected: they are encoded
    /// by [`Objects::build`]).
    pub fn resources(
        &self,
        resource_type: &str,
        parent: Option<&ResourceId>,
    ) -> Result<Vec<Resource>, DecodeError> {
        decode_all(self.resources_encoded(resource_type, parent))
    }

    /// The entitlements of a resource.
    ///
    /// # Errors
    /// As [`Objects::resources`].
    pub fn entitlements(&self, resource: &ResourceId) -> Result<Vec<Entitlement>, DecodeError> {
        decode_all(self.entitlements_encoded(resource))
    }

    /// The grants listed with a resource.
    ///
    /// # Errors
    /// As [`Objects::resources`].
    pub fn grants(&self, resource: &ResourceId) -> Result<Vec<Grant>, DecodeError> {
        decode_all(self.grants_encoded(resource))
    }

    /// Every resource (all types and parents), decoded one at a time.
    pub fn all_resources(&self) -> impl Iterator<Item = Result<Resource, DecodeError>> + '_ {
        self.resources.values().flatten().map(Encoded::decode)
    }

    /// Every entitlement, decoded one at a time.
    pub fn all_entitlements(&self) -> impl Iterator<Item = Result<Entitlement, DecodeError>> + '_ {
        self.entitlements.values().flatten().map(Encoded::decode)
    }

    /// Every grant, decoded one at a time.
    pub fn all_grants(&self) -> impl Iterator<Item = Result<Grant, DecodeError>> + '_ {
        self.grants.values().flatten().map(Encoded::decode)
    }

    /// Ids of the grants the closure check dropped.
    pub fn dropped_grants(&self) -> &[String] {
        &self.dropped
    }
}

/// One protobuf-encoded message (exact-size allocation).
#[derive(Debug, Clone)]
pub(crate) struct Encoded(Box<[u8]>);

impl Encoded {
    /// `message`, encoded.
    pub(crate) fn new(message: &impl Message) -> Encoded {
        Encoded(message.encode_to_vec().into_boxed_slice())
    }

    /// Raw bytes (tests feed undecodable ones).
    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: Vec<u8>) -> Encoded {
        Encoded(bytes.into_boxed_slice())
    }

    /// The encoded message.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The message, decoded.
    pub(crate) fn decode<T: Message + Default>(&self) -> Result<T, DecodeError> {
        T::decode(&*self.0)
    }
}

fn decode_all<T: Message + Default>(items: &[Encoded]) -> Result<Vec<T>, DecodeError> {
    items.iter().map(Encoded::decode).collect()
}
