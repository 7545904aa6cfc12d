//! [`ResourceTypeBuilder`].

use crate::proto::{
    pack, Any, Name, ResourceType, SkipEntitlements, SkipEntitlementsAndGrants, SkipGrants, Trait,
};

use super::error::ModelError;
use super::validate::validate_resource_type;

/// Builds a validated [`ResourceType`].
///
/// ```
/// use baton_model::model::ResourceTypeBuilder;
/// use baton_model::proto::Trait;
/// let rt = ResourceTypeBuilder::new("collaborator", "Collaborator")
///     .trait_(Trait::User)
///     .skip_entitlements_and_grants()
///     .build()?;
/// assert_eq!(rt.traits, vec![Trait::User as i32]);
/// # Ok::<(), baton_model::model::ModelError>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ResourceTypeBuilder {
    rt: ResourceType,
}

impl ResourceTypeBuilder {
    /// Starts a type with its id and display name.
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        Self {
            rt: ResourceType {
                id: id.into(),
                display_name: display_name.into(),
                ..Default::default()
            },
        }
    }

    /// Declares a trait (resources must then carry the matching `*Trait` annotation).
    pub fn trait_(mut self, t: Trait) -> Self {
        if !self.rt.traits.contains(&(t as i32)) {
            self.rt.traits.push(t as i32);
        }
        self
    }

    /// Sets the description (at most 4096 bytes).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.rt.description = description.into();
        self
    }

    /// Marks resources of this type as sourced from another system.
    pub fn sourced_externally(mut self) -> Self {
        self.rt.sourced_externally = true;
        self
    }

    /// Appends an annotation already packed as [`Any`].
    pub fn annotation(mut self, any: Any) -> Self {
        self.rt.annotations.push(any);
        self
    }

    /// Appends an annotation message.
    pub fn annotate<M: Name>(self, message: &M) -> Self {
        self.annotation(pack(message))
    }

    /// Adds `SkipEntitlementsAndGrants`.
    pub fn skip_entitlements_and_grants(self) -> Self {
        self.annotate(&SkipEntitlementsAndGrants {})
    }

    /// Adds `SkipEntitlements`.
    pub fn skip_entitlements(self) -> Self {
        self.annotate(&SkipEntitlements {})
    }

    /// Adds `SkipGrants`.
    pub fn skip_grants(self) -> Self {
        self.annotate(&SkipGrants {})
    }

    /// Validates and returns the type.
    ///
    /// # Errors
    /// [`ModelError`] when the id is empty or a length limit is exceeded.
    pub fn build(self) -> Result<ResourceType, ModelError> {
        validate_resource_type(&self.rt)?;
        Ok(self.rt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AnnotationsExt;

    #[test]
    fn builds_with_traits_and_annotations() {
        let rt = ResourceTypeBuilder::new("role", "Roles")
            .trait_(Trait::Role)
            .trait_(Trait::Role)
            .description("Workato roles")
            .skip_grants()
            .build()
            .expect("valid");
        assert_eq!(rt.traits, vec![3]);
        assert_eq!(rt.description, "Workato roles");
        assert!(rt.annotations.has_annotation::<SkipGrants>());
    }

    #[test]
    fn rejects_empty_id_and_long_description() {
        assert!(matches!(
            ResourceTypeBuilder::new("", "x").build(),
            Err(ModelError::Empty {
                field: "resource_type.id"
            })
        ));
        assert!(matches!(
            ResourceTypeBuilder::new("x", "x")
                .description("d".repeat(4097))
                .build(),
            Err(ModelError::TooLong { max: 4096, .. })
        ));
    }
}
