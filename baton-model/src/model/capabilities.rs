//! Deriving `ConnectorCapabilities` from what a connector implements, in baton-sdk's order
//! (docs/architecture.md#capabilities; baton-sdk's `connectorbuilder.go` v0.7.27).

use std::collections::BTreeSet;

use crate::proto::{
    Capability, CapabilityPermissions, ConnectorCapabilities, CredentialDetails,
    CredentialDetailsAccountProvisioning, CredentialDetailsCredentialRotation, ResourceType,
    ResourceTypeCapability,
};

use super::annotations::AnnotationsExt;
use super::error::ModelError;

/// What a connector implements for one resource type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TypeFeatures {
    /// A targeted getter (fetch one resource by id) exists → `TARGETED_SYNC`.
    pub targeted_getter: bool,
    /// Grant/revoke are implemented → `PROVISION`.
    pub provisioner: bool,
    /// Account creation is implemented → `ACCOUNT_PROVISIONING`.
    pub account_manager: bool,
    /// Create and delete are implemented → `RESOURCE_DELETE`, `RESOURCE_CREATE`.
    pub resource_manager: bool,
    /// Delete alone is implemented → `RESOURCE_DELETE`.
    pub resource_deleter: bool,
    /// Credential rotation is implemented → `CREDENTIAL_ROTATION`.
    pub credential_rotation: bool,
}

impl TypeFeatures {
    /// Nothing beyond sync.
    pub fn sync_only() -> Self {
        Self::default()
    }

    /// Sets [`TypeFeatures::provisioner`].
    #[must_use]
    pub fn provisioner(mut self) -> Self {
        self.provisioner = true;
        self
    }

    /// Sets [`TypeFeatures::account_manager`].
    #[must_use]
    pub fn account_manager(mut self) -> Self {
        self.account_manager = true;
        self
    }

    /// Sets [`TypeFeatures::resource_manager`].
    #[must_use]
    pub fn resource_manager(mut self) -> Self {
        self.resource_manager = true;
        self
    }

    /// Sets [`TypeFeatures::resource_deleter`].
    #[must_use]
    pub fn resource_deleter(mut self) -> Self {
        self.resource_deleter = true;
        self
    }

    /// Sets [`TypeFeatures::targeted_getter`].
    #[must_use]
    pub fn targeted_getter(mut self) -> Self {
        self.targeted_getter = true;
        self
    }

    /// Sets [`TypeFeatures::credential_rotation`].
    #[must_use]
    pub fn credential_rotation(mut self) -> Self {
        self.credential_rotation = true;
        self
    }

    /// The type's capability list in baton-sdk's order.
    fn capabilities(&self) -> Vec<Capability> {
        let mut caps = vec![Capability::Sync];
        if self.targeted_getter {
            caps.push(Capability::TargetedSync);
        }
        if self.provisioner {
            caps.push(Capability::Provision);
        }
        if self.account_manager {
            caps.push(Capability::AccountProvisioning);
        }
        if self.resource_manager {
            caps.push(Capability::ResourceDelete);
            caps.push(Capability::ResourceCreate);
        } else if self.resource_deleter {
            caps.push(Capability::ResourceDelete);
        }
        if self.credential_rotation {
            caps.push(Capability::CredentialRotation);
        }
        caps
    }
}

/// Builds a [`ConnectorCapabilities`] message.
///
/// ```
/// use baton_model::model::{CapabilitiesBuilder, ResourceTypeBuilder, TypeFeatures};
/// let role = ResourceTypeBuilder::new("role", "Role").build()?;
/// let caps = CapabilitiesBuilder::new()
///     .resource_type(role, TypeFeatures::sync_only().provisioner())
///     .build()?;
/// assert_eq!(caps.connector_capabilities, vec![1, 2]); // PROVISION, SYNC
/// # Ok::<(), baton_model::model::ModelError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct CapabilitiesBuilder {
    types: Vec<(ResourceType, TypeFeatures)>,
    extra: BTreeSet<Capability>,
    account_provisioning: Option<CredentialDetailsAccountProvisioning>,
    credential_rotation: Option<CredentialDetailsCredentialRotation>,
}

impl CapabilitiesBuilder {
    /// No resource types yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a resource type and what the connector implements for it.
    pub fn resource_type(mut self, rt: ResourceType, features: TypeFeatures) -> Self {
        self.types.push((rt, features));
        self
    }

    /// Adds a connector-wide capability (e.g. `EVENT_FEED_V2`, `TICKETING`, `ACTIONS`).
    pub fn connector_capability(mut self, capability: Capability) -> Self {
        self.extra.insert(capability);
        self
    }

    /// Credential options of the account manager (see
    /// [`crate::provision::AccountManager::credential_options`]).
    pub fn account_provisioning_options(
        mut self,
        options: CredentialDetailsAccountProvisioning,
    ) -> Self {
        self.account_provisioning = Some(options);
        self
    }

    /// Credential options of credential rotation.
    pub fn credential_rotation_options(
        mut self,
        options: CredentialDetailsCredentialRotation,
    ) -> Self {
        self.credential_rotation = Some(options);
        self
    }

    /// Assembles the message: types sorted by id, each with SYNC first and its
    /// `CapabilityPermissions` annotation (or an empty one); connector capabilities are the union
    /// plus `SERVICE_MODE_TARGETED_SYNC` when any type has a targeted getter, sorted by number;
    /// `credential_details` always present.
    ///
    /// # Errors
    /// [`ModelError::Annotation`] when a `CapabilityPermissions` annotation does not decode.
    pub fn build(mut self) -> Result<ConnectorCapabilities, ModelError> {
        self.types.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let mut all = self.extra;
        let mut resource_type_capabilities = Vec::with_capacity(self.types.len());
        for (rt, features) in self.types {
            let caps = features.capabilities();
            all.extend(caps.iter().copied());
            if features.targeted_getter {
                all.insert(Capability::ServiceModeTargetedSync);
            }
            let permissions = rt
                .annotations
                .annotation::<CapabilityPermissions>()?
                .unwrap_or_default();
            resource_type_capabilities.push(ResourceTypeCapability {
                resource_type: Some(rt),
                capabilities: caps.into_iter().map(|c| c as i32).collect(),
                permissions: Some(permissions),
            });
        }
        Ok(ConnectorCapabilities {
            resource_type_capabilities,
            // BTreeSet orders by the derived Ord, i.e. by enum number.
            connector_capabilities: all.into_iter().map(|c| c as i32).collect(),
            credential_details: Some(CredentialDetails {
                capability_account_provisioning: self.account_provisioning,
                capability_credential_rotation: self.credential_rotation,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResourceTypeBuilder;
    use crate::proto::{CapabilityDetailCredentialOption, CapabilityPermission, Trait};

    fn rt(id: &str) -> ResourceType {
        ResourceTypeBuilder::new(id, id).build().expect("valid")
    }

    /// The expected Workato capabilities (docs/architecture.md#capabilities).
    #[test]
    fn workato_capabilities() {
        let no_password = CapabilityDetailCredentialOption::NoPassword as i32;
        let caps = CapabilitiesBuilder::new()
            .resource_type(rt("role"), TypeFeatures::sync_only().provisioner())
            .resource_type(rt("project"), TypeFeatures::sync_only())
            .resource_type(
                ResourceTypeBuilder::new("collaborator", "Collaborator")
                    .trait_(Trait::User)
                    .build()
                    .expect("valid"),
                TypeFeatures::sync_only()
                    .account_manager()
                    .resource_deleter(),
            )
            .resource_type(rt("privilege"), TypeFeatures::sync_only())
            .resource_type(rt("folder"), TypeFeatures::sync_only())
            .resource_type(
                rt("environment_role"),
                TypeFeatures::sync_only().provisioner(),
            )
            .account_provisioning_options(CredentialDetailsAccountProvisioning {
                supported_credential_options: vec![no_password],
                preferred_credential_option: no_password,
            })
            .build()
            .expect("builds");
        let ids: Vec<_> = caps
            .resource_type_capabilities
            .iter()
            .map(|c| {
                c.resource_type
                    .as_ref()
                    .map(|r| r.id.as_str())
                    .unwrap_or("")
            })
            .collect();
        assert_eq!(
            ids,
            [
                "collaborator",
                "environment_role",
                "folder",
                "privilege",
                "project",
                "role"
            ]
        );
        let per_type: Vec<Vec<i32>> = caps
            .resource_type_capabilities
            .iter()
            .map(|c| c.capabilities.clone())
            .collect();
        assert_eq!(
            per_type,
            vec![
                vec![2, 5, 8],
                vec![2, 1],
                vec![2],
                vec![2],
                vec![2],
                vec![2, 1]
            ]
        );
        assert_eq!(caps.connector_capabilities, vec![1, 2, 5, 8]);
        assert!(caps
            .resource_type_capabilities
            .iter()
            .all(|c| c.permissions == Some(CapabilityPermissions::default())));
        let details = caps.credential_details.expect("always present");
        assert_eq!(
            details
                .capability_account_provisioning
                .expect("set")
                .supported_credential_options,
            vec![no_password]
        );
    }

    #[test]
    fn manager_order_targeted_and_permissions() {
        let with_perms = ResourceTypeBuilder::new("user", "User")
            .annotate(&CapabilityPermissions {
                permissions: vec![CapabilityPermission {
                    permission: "users:write".into(),
                }],
            })
            .build()
            .expect("valid");
        let caps = CapabilitiesBuilder::new()
            .resource_type(
                with_perms,
                TypeFeatures::sync_only()
                    .targeted_getter()
                    .resource_manager()
                    .credential_rotation(),
            )
            .connector_capability(Capability::Ticketing)
            .build()
            .expect("builds");
        let rtc = &caps.resource_type_capabilities[0];
        assert_eq!(rtc.capabilities, vec![2, 11, 8, 7, 6]);
        assert_eq!(
            rtc.permissions.as_ref().map(|p| p.permissions.len()),
            Some(1)
        );
        assert_eq!(caps.connector_capabilities, vec![2, 4, 6, 7, 8, 11, 13]);
        assert_eq!(caps.credential_details, Some(CredentialDetails::default()));
    }
}
