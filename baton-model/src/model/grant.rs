//! [`GrantBuilder`].

use std::collections::BTreeMap;

use crate::proto::{
    pack, Any, Entitlement, Grant, GrantExpandable, GrantImmutable, GrantMetadata, GrantSource,
    GrantSources, Name, Resource, ResourceId,
};

use super::error::ModelError;
use super::ids::grant_id;
use super::profile::Profile;
use super::validate::validate_grant;

/// Builds a validated [`Grant`] with id `"<entitlement id>:<principal rt>:<principal id>"`.
///
/// Shape as baton-sdk's `NewGrant`: `grant.entitlement` is a stub `{id, resource: {id}}` (unless
/// [`GrantBuilder::full_entitlement`]) and `grant.principal` is a `Resource{id}` stub (unless
/// [`GrantBuilder::principal_resource`]).
///
/// ```
/// use baton_model::model::{EntitlementBuilder, GrantBuilder, ResourceBuilder, ids};
/// let role = ResourceBuilder::new("role", "1", "Role").build()?;
/// let ent = EntitlementBuilder::new(&role, "assigned").build()?;
/// let grant = GrantBuilder::new(&ent, &ids::resource_id("collaborator", "5")).build()?;
/// assert_eq!(grant.id, "role:1:assigned:collaborator:5");
/// # Ok::<(), baton_model::model::ModelError>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct GrantBuilder {
    grant: Grant,
    full_entitlement: Entitlement,
    use_full_entitlement: bool,
    annotations: Vec<Any>,
}

impl GrantBuilder {
    /// Starts a grant of `entitlement` to `principal`.
    pub fn new(entitlement: &Entitlement, principal: &ResourceId) -> Self {
        let stub = Entitlement {
            resource: Some(Resource {
                id: entitlement.resource.as_ref().and_then(|r| r.id.clone()),
                ..Default::default()
            }),
            id: entitlement.id.clone(),
            ..Default::default()
        };
        Self {
            grant: Grant {
                entitlement: Some(stub),
                principal: Some(Resource {
                    id: Some(principal.clone()),
                    ..Default::default()
                }),
                id: grant_id(&entitlement.id, principal),
                ..Default::default()
            },
            full_entitlement: entitlement.clone(),
            use_full_entitlement: false,
            annotations: Vec::new(),
        }
    }

    /// Embeds the full entitlement instead of the `{id, resource:{id}}` stub.
    pub fn full_entitlement(mut self) -> Self {
        self.use_full_entitlement = true;
        self
    }

    /// Embeds a full principal resource instead of the `Resource{id}` stub. The grant id keeps
    /// using the principal id given to [`GrantBuilder::new`].
    pub fn principal_resource(mut self, principal: Resource) -> Self {
        self.grant.principal = Some(principal);
        self
    }

    /// Adds `GrantMetadata{metadata}`.
    pub fn metadata(self, metadata: Profile) -> Self {
        self.annotate(&GrantMetadata {
            metadata: Some(metadata.into_struct()),
        })
    }

    /// Adds an empty `GrantImmutable`.
    pub fn immutable(self) -> Self {
        self.annotate(&GrantImmutable::default())
    }

    /// Adds `GrantExpandable`: holders of `entitlement_ids` also receive this grant's entitlement.
    pub fn expandable<S: AsRef<str>>(
        self,
        entitlement_ids: &[S],
        shallow: bool,
        resource_type_ids: &[S],
    ) -> Self {
        self.annotate(&GrantExpandable {
            entitlement_ids: entitlement_ids
                .iter()
                .map(|s| s.as_ref().to_string())
                .collect(),
            shallow,
            resource_type_ids: resource_type_ids
                .iter()
                .map(|s| s.as_ref().to_string())
                .collect(),
        })
    }

    /// Adds a grant source (`sources[entitlement_id] = {is_direct}`), as expansion does.
    pub fn source(mut self, entitlement_id: impl Into<String>, is_direct: bool) -> Self {
        self.grant
            .sources
            .get_or_insert_with(|| GrantSources {
                sources: BTreeMap::new(),
            })
            .sources
            .insert(entitlement_id.into(), GrantSource { is_direct });
        self
    }

    /// Appends an annotation already packed as [`Any`].
    pub fn annotation(mut self, any: Any) -> Self {
        self.annotations.push(any);
        self
    }

    /// Appends an annotation message.
    pub fn annotate<M: Name>(self, message: &M) -> Self {
        self.annotation(pack(message))
    }

    /// Validates and returns the grant.
    ///
    /// # Errors
    /// [`ModelError`] when the entitlement has no id or resource id, or the principal id is
    /// empty or too long.
    pub fn build(mut self) -> Result<Grant, ModelError> {
        if self.use_full_entitlement {
            self.grant.entitlement = Some(self.full_entitlement);
        }
        self.grant.annotations = self.annotations;
        validate_grant(&self.grant)?;
        Ok(self.grant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::resource_id;
    use crate::model::{AnnotationsExt, EntitlementBuilder, ResourceBuilder};

    fn entitlement() -> Entitlement {
        let role = ResourceBuilder::new("role", "Operator", "Operator")
            .role_trait(Profile::new().with("id", "Operator"))
            .build()
            .expect("valid");
        EntitlementBuilder::new(&role, "collaborator-has")
            .build()
            .expect("valid")
    }

    #[test]
    fn stub_shape_and_id() {
        let grant = GrantBuilder::new(&entitlement(), &resource_id("collaborator", "5"))
            .metadata(Profile::new().with("environment_type", "dev"))
            .build()
            .expect("valid");
        assert_eq!(grant.id, "role:Operator:collaborator-has:collaborator:5");
        let ent = grant.entitlement.as_ref().expect("stub");
        assert_eq!(ent.id, "role:Operator:collaborator-has");
        let stub_resource = ent.resource.as_ref().expect("resource stub");
        assert_eq!(stub_resource.id, Some(resource_id("role", "Operator")));
        assert!(stub_resource.annotations.is_empty());
        assert!(ent.display_name.is_empty());
        assert_eq!(
            grant.principal,
            Some(Resource {
                id: Some(resource_id("collaborator", "5")),
                ..Default::default()
            })
        );
        assert!(grant.annotations.has_annotation::<GrantMetadata>());
    }

    #[test]
    fn full_entitlement_expandable_immutable_sources() {
        let ent = entitlement();
        let grant = GrantBuilder::new(&ent, &resource_id("role", "1"))
            .full_entitlement()
            .expandable(&["role:1:member"], true, &["collaborator"])
            .immutable()
            .source("role:1:member", false)
            .build()
            .expect("valid");
        assert_eq!(grant.entitlement, Some(ent));
        let exp = grant
            .annotations
            .annotation::<GrantExpandable>()
            .expect("decodes")
            .expect("present");
        assert_eq!(exp.entitlement_ids, ["role:1:member"]);
        assert!(exp.shallow);
        assert_eq!(exp.resource_type_ids, ["collaborator"]);
        assert!(grant.annotations.has_annotation::<GrantImmutable>());
        let sources = grant.sources.expect("sources").sources;
        assert_eq!(sources["role:1:member"], GrantSource { is_direct: false });
    }

    #[test]
    fn rejects_empty_principal() {
        assert!(matches!(
            GrantBuilder::new(&entitlement(), &resource_id("collaborator", "")).build(),
            Err(ModelError::Empty { .. })
        ));
    }
}
