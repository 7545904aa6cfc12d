//! [`EntitlementBuilder`].

use crate::proto::{pack, Any, Entitlement, Name, Purpose, Resource, ResourceType};

use super::error::ModelError;
use super::ids::entitlement_id;
use super::validate::validate_entitlement;

/// Builds a validated [`Entitlement`] with id `"<rt>:<rid>:<slug>"`.
///
/// As in baton-sdk, the display name defaults to the slug and the entitlement embeds the full
/// resource it belongs to.
///
/// ```
/// use baton_model::model::{EntitlementBuilder, ResourceBuilder, Profile};
/// use baton_model::proto::Purpose;
/// let role = ResourceBuilder::new("role", "1001", "Custom Role 1")
///     .role_trait(Profile::new())
///     .build()?;
/// let ent = EntitlementBuilder::new(&role, "assigned")
///     .display_name("Custom Role 1 role")
///     .purpose(Purpose::Assignment)
///     .build()?;
/// assert_eq!(ent.id, "role:1001:assigned");
/// # Ok::<(), baton_model::model::ModelError>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct EntitlementBuilder {
    entitlement: Entitlement,
}

impl EntitlementBuilder {
    /// Starts an entitlement of `resource` named `slug`.
    pub fn new(resource: &Resource, slug: impl Into<String>) -> Self {
        let slug = slug.into();
        let id = resource
            .id
            .as_ref()
            .map(|rid| entitlement_id(rid, &slug))
            .unwrap_or_default();
        Self {
            entitlement: Entitlement {
                resource: Some(resource.clone()),
                id,
                display_name: slug.clone(),
                slug,
                ..Default::default()
            },
        }
    }

    /// Sets the display name (default: the slug).
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.entitlement.display_name = name.into();
        self
    }

    /// Sets the description (at most 2048 bytes).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.entitlement.description = description.into();
        self
    }

    /// Sets the purpose.
    pub fn purpose(mut self, purpose: Purpose) -> Self {
        self.entitlement.purpose = purpose as i32;
        self
    }

    /// Sets the resource types that may receive the entitlement (full messages are embedded).
    pub fn grantable_to(mut self, types: &[ResourceType]) -> Self {
        self.entitlement.grantable_to = types.to_vec();
        self
    }

    /// Appends an annotation already packed as [`Any`].
    pub fn annotation(mut self, any: Any) -> Self {
        self.entitlement.annotations.push(any);
        self
    }

    /// Appends an annotation message.
    pub fn annotate<M: Name>(self, message: &M) -> Self {
        self.annotation(pack(message))
    }

    /// Validates and returns the entitlement.
    ///
    /// # Errors
    /// [`ModelError`] when the resource has no id, the slug is empty, or a limit is exceeded.
    pub fn build(self) -> Result<Entitlement, ModelError> {
        if self.entitlement.slug.is_empty() {
            return Err(ModelError::Empty {
                field: "entitlement.slug",
            });
        }
        validate_entitlement(&self.entitlement)?;
        Ok(self.entitlement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Profile, ResourceBuilder, ResourceTypeBuilder};
    use crate::proto::Trait;

    #[test]
    fn id_slug_and_defaults() {
        let folder = ResourceBuilder::new("folder", "100003", "F")
            .app_trait(Profile::new())
            .build()
            .expect("valid");
        let role_type = ResourceTypeBuilder::new("role", "Roles")
            .trait_(Trait::Role)
            .build()
            .expect("valid");
        let ent = EntitlementBuilder::new(&folder, "role-access")
            .description("Roles can access F")
            .purpose(Purpose::Permission)
            .grantable_to(std::slice::from_ref(&role_type))
            .build()
            .expect("valid");
        assert_eq!(ent.id, "folder:100003:role-access");
        assert_eq!(ent.slug, "role-access");
        assert_eq!(ent.display_name, "role-access");
        assert_eq!(ent.purpose, 2);
        assert_eq!(ent.grantable_to, vec![role_type]);
        assert_eq!(ent.resource, Some(folder));
    }

    #[test]
    fn rejects_resource_without_id_and_empty_slug() {
        assert!(matches!(
            EntitlementBuilder::new(&Resource::default(), "x").build(),
            Err(ModelError::Empty { .. } | ModelError::MissingId { .. })
        ));
        let r = ResourceBuilder::new("role", "1", "r")
            .build()
            .expect("valid");
        assert!(matches!(
            EntitlementBuilder::new(&r, "").build(),
            Err(ModelError::Empty {
                field: "entitlement.slug"
            })
        ));
    }
}
