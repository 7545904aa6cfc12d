//! [`ResourceBuilder`].

use crate::proto::{
    is, pack, Any, AppTrait, ChildResourceType, CreationSource, ExternalLink, GroupTrait, Name,
    Resource, ResourceId, RoleTrait, SecretTrait, SkipEntitlements, SkipEntitlementsAndGrants,
    SkipGrants, UserTrait,
};

use super::error::ModelError;
use super::ids::resource_id;
use super::profile::Profile;
use super::traits::{AppTraitBuilder, UserTraitBuilder};
use super::validate::{validate_resource_fields_with, Prechecked};

/// Builds a validated [`Resource`].
///
/// Annotation order follows baton-sdk: every annotation in call order, then the trait(s) last
/// (docs/c1z.md#messages-and-annotations), whatever the order of the builder calls.
///
/// ```
/// use baton_model::model::{Profile, ResourceBuilder, UserTraitBuilder};
/// let user = ResourceBuilder::new("collaborator", "42", "Ada")
///     .user_trait(UserTraitBuilder::new().email("ada@example.com", true))
///     .build()?;
/// assert_eq!(user.annotations.len(), 1);
/// # Ok::<(), baton_model::model::ModelError>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ResourceBuilder {
    resource: Resource,
    traits: Vec<Any>,
    pending: Vec<PendingTrait>,
}

/// Trait builders run at `build()` so their errors surface there.
#[derive(Clone, Debug)]
enum PendingTrait {
    User(Box<UserTraitBuilder>),
    App(AppTraitBuilder),
}

impl ResourceBuilder {
    /// Starts a resource with its type id, id and display name.
    pub fn new(
        resource_type: impl Into<String>,
        id: impl Into<String>,
        display_name: impl Into<String>,
    ) -> Self {
        Self {
            resource: Resource {
                id: Some(resource_id(resource_type, id)),
                display_name: display_name.into(),
                ..Default::default()
            },
            traits: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Sets the parent resource.
    pub fn parent(mut self, parent: ResourceId) -> Self {
        self.resource.parent_resource_id = Some(parent);
        self
    }

    /// Sets the description (at most 2048 bytes).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.resource.description = description.into();
        self
    }

    /// Sets the (deprecated) creation source; the sync engine stamps listed resources itself.
    pub fn creation_source(mut self, source: CreationSource) -> Self {
        self.resource.creation_source = source as i32;
        self
    }

    /// Appends an annotation already packed as [`Any`].
    pub fn annotation(mut self, any: Any) -> Self {
        self.resource.annotations.push(any);
        self
    }

    /// Appends an annotation message.
    pub fn annotate<M: Name>(self, message: &M) -> Self {
        self.annotation(pack(message))
    }

    /// Adds `ChildResourceType{resource_type_id}`: the syncer lists that type under this resource.
    pub fn child_type(self, resource_type_id: impl Into<String>) -> Self {
        self.annotate(&ChildResourceType {
            resource_type_id: resource_type_id.into(),
        })
    }

    /// Adds an `ExternalLink` (must be `https://`).
    pub fn external_link(self, url: impl Into<String>) -> Self {
        self.annotate(&ExternalLink { url: url.into() })
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

    /// Sets the user trait (built and validated at `build()`).
    pub fn user_trait(mut self, user: UserTraitBuilder) -> Self {
        self.traits.retain(|a| !is::<UserTrait>(a));
        self.pending.push(PendingTrait::User(Box::new(user)));
        self
    }

    /// Sets a role trait with this profile.
    pub fn role_trait(self, profile: Profile) -> Self {
        self.set_trait(&RoleTrait {
            profile: Some(profile.into_struct()),
            role_scope_conditions: None,
        })
    }

    /// Sets a group trait with this profile.
    pub fn group_trait(self, profile: Profile) -> Self {
        self.set_trait(&GroupTrait {
            icon: None,
            profile: Some(profile.into_struct()),
        })
    }

    /// Sets an app trait (a [`Profile`] converts into an [`AppTraitBuilder`]).
    pub fn app_trait(mut self, app: impl Into<AppTraitBuilder>) -> Self {
        self.traits.retain(|a| !is::<AppTrait>(a));
        self.pending.push(PendingTrait::App(app.into()));
        self
    }

    /// Sets a secret trait.
    pub fn secret_trait(self, secret: SecretTrait) -> Self {
        self.set_trait(&secret)
    }

    /// Sets any trait message; replaces a trait of the same type set before.
    pub fn set_trait<M: Name>(mut self, message: &M) -> Self {
        self.traits.retain(|a| !is::<M>(a));
        self.traits.push(pack(message));
        self
    }

    /// Validates and returns the resource.
    ///
    /// # Errors
    /// [`ModelError`] for empty/oversized ids, a long display name or description, a
    /// non-https link, `BatonID`, or an invalid trait.
    pub fn build(mut self) -> Result<Resource, ModelError> {
        let mut built = Prechecked::default();
        for pending in std::mem::take(&mut self.pending) {
            self = match pending {
                PendingTrait::User(user) => {
                    built.user = true;
                    self.set_trait(&user.build()?)
                }
                PendingTrait::App(app) => {
                    built.app = true;
                    self.set_trait(&app.build()?)
                }
            };
        }
        self.resource.annotations.append(&mut self.traits);
        // A trait built here was validated by its builder; it is the one the check would read
        // only when no other annotation of its type came before it.
        let only = |is_it: fn(&Any) -> bool| {
            self.resource
                .annotations
                .iter()
                .filter(|a| is_it(a))
                .count()
                == 1
        };
        let prechecked = Prechecked {
            user: built.user && only(is::<UserTrait>),
            app: built.app && only(is::<AppTrait>),
        };
        validate_resource_fields_with(&self.resource, prechecked)?;
        Ok(self.resource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AnnotationsExt;
    use crate::proto::{type_name, BatonId};

    #[test]
    fn a_trait_annotation_before_the_built_trait_is_still_validated() {
        let invalid_user = UserTrait::default();
        let err = ResourceBuilder::new("user", "1", "One")
            .annotate(&invalid_user)
            .user_trait(UserTraitBuilder::new())
            .build()
            .expect_err("the first UserTrait has no status");
        assert!(matches!(err, ModelError::MissingUserStatus), "{err:?}");
        let insecure_app = AppTrait {
            help_url: "http://example.com".into(),
            ..AppTrait::default()
        };
        let err = ResourceBuilder::new("app", "1", "One")
            .annotate(&insecure_app)
            .app_trait(AppTraitBuilder::new())
            .build()
            .expect_err("the first AppTrait links over http");
        assert!(!matches!(err, ModelError::MissingUserStatus), "{err:?}");
        // An invalid trait set directly (no builder) is caught by the final check.
        let err = ResourceBuilder::new("user", "1", "One")
            .set_trait(&invalid_user)
            .build()
            .expect_err("set without a builder");
        assert!(matches!(err, ModelError::MissingUserStatus), "{err:?}");
        // The builders' own traits pass once.
        ResourceBuilder::new("user", "1", "One")
            .user_trait(UserTraitBuilder::new())
            .build()
            .expect("valid user");
    }

    #[test]
    fn trait_goes_last_whatever_the_call_order() {
        let folder = ResourceBuilder::new("folder", "100003", "F0.1")
            .app_trait(Profile::new().with("id", 100003))
            .parent(resource_id("folder", "100001"))
            .child_type("folder")
            .build()
            .expect("valid");
        let names: Vec<_> = folder.annotations.iter().map(type_name).collect();
        assert_eq!(
            names,
            [
                "c1.connector.v2.ChildResourceType",
                "c1.connector.v2.AppTrait"
            ]
        );
        assert_eq!(
            folder.parent_resource_id,
            Some(resource_id("folder", "100001"))
        );
        assert!(folder
            .annotations
            .annotation::<AppTrait>()
            .expect("ok")
            .is_some());
    }

    #[test]
    fn user_trait_defaults_are_applied() {
        let user = ResourceBuilder::new("collaborator", "1", "User 1")
            .user_trait(UserTraitBuilder::new().email("user1@example.com", true))
            .build()
            .expect("valid");
        let trait_ = user
            .annotations
            .annotation::<UserTrait>()
            .expect("decodes")
            .expect("present");
        assert_eq!(trait_.status.map(|s| s.status), Some(1));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            ResourceBuilder::new("role", "", "x").build(),
            Err(ModelError::Empty { .. })
        ));
        assert!(matches!(
            ResourceBuilder::new("role", "1", "x")
                .external_link("http://example.com")
                .build(),
            Err(ModelError::NotHttps { .. })
        ));
        assert!(matches!(
            ResourceBuilder::new("role", "1", "x")
                .annotate(&BatonId {})
                .build(),
            Err(ModelError::ReservedBatonId { .. })
        ));
        assert!(matches!(
            ResourceBuilder::new("role", "1", "x".repeat(1025)).build(),
            Err(ModelError::TooLong {
                field: "resource.display_name",
                ..
            })
        ));
    }
}
