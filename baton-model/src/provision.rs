//! Provisioning traits: grant, revoke, create account, delete resource.
//!
//! Connectors implement these per resource type; the host (CLI or service mode) dispatches calls
//! to them and turns the typed outcomes into baton-sdk responses. Idempotency is part of the
//! contract: granting what is already held returns [`GrantOutcome::AlreadyExists`], revoking what
//! is gone returns [`RevokeOutcome::AlreadyRevoked`], neither is an error. `annotations()` gives
//! the response annotations baton-sdk uses for those cases.
//!
//! ```
//! use async_trait::async_trait;
//! use baton_model::provision::{GrantOutcome, ResourceProvisioner, RevokeOutcome};
//! use baton_model::proto::{Entitlement, Grant, Resource};
//!
//! struct Noop;
//!
//! #[async_trait]
//! impl ResourceProvisioner for Noop {
//!     type Error = std::io::Error;
//!     async fn grant(&self, _p: &Resource, _e: &Entitlement) -> Result<GrantOutcome, Self::Error> {
//!         Ok(GrantOutcome::AlreadyExists)
//!     }
//!     async fn revoke(&self, _g: &Grant) -> Result<RevokeOutcome, Self::Error> {
//!         Ok(RevokeOutcome::AlreadyRevoked)
//!     }
//! }
//! ```

use async_trait::async_trait;

use crate::proto::{
    pack, Any, CapabilityDetailCredentialOption, CredentialDetailsAccountProvisioning, Entitlement,
    Grant, GrantAlreadyExists, GrantAlreadyRevoked, GrantReplaced, Resource, ResourceId, Struct,
};

/// What a grant call did.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GrantOutcome {
    /// The principal now holds the entitlement.
    Granted {
        /// Grants created (may be empty when the connector cannot name them).
        grants: Vec<Grant>,
        /// Ids of grants the new grant replaced (e.g. the previous role in the same
        /// environment), reported as `GrantReplaced` annotations.
        superseded: Vec<String>,
    },
    /// The principal already held the entitlement; nothing changed.
    AlreadyExists,
}

impl GrantOutcome {
    /// A grant with no extra detail.
    pub fn granted(grants: Vec<Grant>) -> Self {
        GrantOutcome::Granted {
            grants,
            superseded: Vec::new(),
        }
    }

    /// Response annotations: `GrantAlreadyExists`, or one `GrantReplaced` per superseded grant.
    ///
    /// `GrantReplaced` is newer than baton-sdk v0.7.27: it belongs in a provisioning response
    /// only and must never be stored in a c1z.
    pub fn annotations(&self) -> Vec<Any> {
        match self {
            GrantOutcome::AlreadyExists => vec![pack(&GrantAlreadyExists {})],
            GrantOutcome::Granted { superseded, .. } => superseded
                .iter()
                .map(|id| {
                    pack(&GrantReplaced {
                        replaced_grant_id: id.clone(),
                    })
                })
                .collect(),
        }
    }
}

/// What a revoke call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevokeOutcome {
    /// The grant was removed.
    Revoked,
    /// The grant was already gone; nothing changed.
    AlreadyRevoked,
}

impl RevokeOutcome {
    /// Response annotations: `GrantAlreadyRevoked` when nothing changed.
    pub fn annotations(&self) -> Vec<Any> {
        match self {
            RevokeOutcome::Revoked => Vec::new(),
            RevokeOutcome::AlreadyRevoked => vec![pack(&GrantAlreadyRevoked {})],
        }
    }
}

/// What a create-account call did.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CreateAccountOutcome {
    /// The account was created.
    Created(Resource),
    /// An account for this identity already existed.
    AlreadyExists(Resource),
    /// The system needs a human step (e.g. the invitee must accept an email).
    ActionRequired {
        /// What the user has to do.
        message: String,
    },
}

impl CreateAccountOutcome {
    /// The account resource, when there is one.
    pub fn resource(&self) -> Option<&Resource> {
        match self {
            CreateAccountOutcome::Created(r) | CreateAccountOutcome::AlreadyExists(r) => Some(r),
            CreateAccountOutcome::ActionRequired { .. } => None,
        }
    }
}

/// What a delete call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteOutcome {
    /// The resource was deleted.
    Deleted,
    /// The resource did not exist; nothing changed.
    AlreadyGone,
}

/// The identity to create an account for.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AccountInfo {
    /// Email address.
    pub email: String,
    /// Login (often the email).
    pub login: String,
    /// Extra fields (e.g. `name`, `role`), as in baton-sdk's `AccountInfo.profile`.
    pub profile: Struct,
}

impl AccountInfo {
    /// Account info with an email and login and an empty profile.
    pub fn new(email: impl Into<String>, login: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            login: login.into(),
            profile: Struct::default(),
        }
    }

    /// Sets the profile.
    #[must_use]
    pub fn with_profile(mut self, profile: Struct) -> Self {
        self.profile = profile;
        self
    }
}

/// Grants and revokes entitlements (SDK `ResourceProvisionerV2`).
#[async_trait]
pub trait ResourceProvisioner: Send + Sync {
    /// The connector's error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Gives `principal` the `entitlement`.
    async fn grant(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<GrantOutcome, Self::Error>;

    /// Removes `grant`.
    async fn revoke(&self, grant: &Grant) -> Result<RevokeOutcome, Self::Error>;
}

/// Creates accounts (SDK `AccountManager`).
#[async_trait]
pub trait AccountManager: Send + Sync {
    /// The connector's error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Creates an account for `info` using `credential` (one of [`Self::credential_options`]).
    async fn create_account(
        &self,
        info: &AccountInfo,
        credential: CapabilityDetailCredentialOption,
    ) -> Result<CreateAccountOutcome, Self::Error>;

    /// Credential options for `ConnectorCapabilities.credential_details`; by default only
    /// `NO_PASSWORD` (the account signs in through SSO or an invitation).
    fn credential_options(&self) -> CredentialDetailsAccountProvisioning {
        CredentialDetailsAccountProvisioning {
            supported_credential_options: vec![CapabilityDetailCredentialOption::NoPassword as i32],
            preferred_credential_option: CapabilityDetailCredentialOption::NoPassword as i32,
        }
    }
}

/// Deletes resources (SDK `ResourceDeleter`).
#[async_trait]
pub trait ResourceDeleter: Send + Sync {
    /// The connector's error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Deletes the resource `id`.
    async fn delete(&self, id: &ResourceId) -> Result<DeleteOutcome, Self::Error>;
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    use futures::executor::block_on;

    use super::*;
    use crate::model::ids::{grant_id, resource_id};
    use crate::model::{AnnotationsExt, EntitlementBuilder, GrantBuilder, ResourceBuilder};
    use crate::proto::type_name;

    #[derive(Debug, thiserror::Error)]
    #[error("fake failure")]
    struct FakeError;

    /// An in-memory system: a set of grant ids.
    #[derive(Default)]
    struct Fake {
        held: Mutex<BTreeSet<String>>,
    }

    #[async_trait]
    impl ResourceProvisioner for Fake {
        type Error = FakeError;

        async fn grant(
            &self,
            principal: &Resource,
            entitlement: &Entitlement,
        ) -> Result<GrantOutcome, FakeError> {
            let pid = principal.id.as_ref().ok_or(FakeError)?;
            let id = grant_id(&entitlement.id, pid);
            let mut held = self.held.lock().map_err(|_| FakeError)?;
            if !held.insert(id) {
                return Ok(GrantOutcome::AlreadyExists);
            }
            let grant = GrantBuilder::new(entitlement, pid)
                .build()
                .map_err(|_| FakeError)?;
            Ok(GrantOutcome::granted(vec![grant]))
        }

        async fn revoke(&self, grant: &Grant) -> Result<RevokeOutcome, FakeError> {
            let mut held = self.held.lock().map_err(|_| FakeError)?;
            Ok(if held.remove(&grant.id) {
                RevokeOutcome::Revoked
            } else {
                RevokeOutcome::AlreadyRevoked
            })
        }
    }

    #[test]
    fn grant_and_revoke_are_idempotent_with_annotations() {
        let fake = Fake::default();
        let role = ResourceBuilder::new("role", "1", "R")
            .build()
            .expect("valid");
        let ent = EntitlementBuilder::new(&role, "assigned")
            .build()
            .expect("valid");
        let user = ResourceBuilder::new("collaborator", "5", "U")
            .build()
            .expect("valid");

        let first = block_on(fake.grant(&user, &ent)).expect("grant");
        let GrantOutcome::Granted { grants, superseded } = &first else {
            panic!("expected Granted, got {first:?}");
        };
        assert_eq!(grants[0].id, "role:1:assigned:collaborator:5");
        assert!(superseded.is_empty());
        assert!(first.annotations().is_empty());

        let second = block_on(fake.grant(&user, &ent)).expect("grant");
        assert_eq!(second, GrantOutcome::AlreadyExists);
        assert!(second.annotations().has_annotation::<GrantAlreadyExists>());

        let grant = grants[0].clone();
        assert_eq!(
            block_on(fake.revoke(&grant)).expect("revoke"),
            RevokeOutcome::Revoked
        );
        let again = block_on(fake.revoke(&grant)).expect("revoke");
        assert_eq!(again, RevokeOutcome::AlreadyRevoked);
        assert!(again.annotations().has_annotation::<GrantAlreadyRevoked>());
    }

    #[test]
    fn superseded_grants_become_grant_replaced() {
        let outcome = GrantOutcome::Granted {
            grants: vec![],
            superseded: vec!["a".into(), "b".into()],
        };
        let annos = outcome.annotations();
        assert_eq!(annos.len(), 2);
        assert!(annos
            .iter()
            .all(|a| type_name(a) == "c1.connector.v2.GrantReplaced"));
        assert_eq!(
            annos.annotation::<GrantReplaced>().expect("decodes"),
            Some(GrantReplaced {
                replaced_grant_id: "a".into()
            })
        );
    }

    struct Accounts;

    #[async_trait]
    impl AccountManager for Accounts {
        type Error = FakeError;

        async fn create_account(
            &self,
            info: &AccountInfo,
            _credential: CapabilityDetailCredentialOption,
        ) -> Result<CreateAccountOutcome, FakeError> {
            if info.email.ends_with("@pending.example") {
                return Ok(CreateAccountOutcome::ActionRequired {
                    message: "invitation sent".into(),
                });
            }
            let r = ResourceBuilder::new("collaborator", info.email.clone(), info.login.clone())
                .build()
                .map_err(|_| FakeError)?;
            Ok(CreateAccountOutcome::Created(r))
        }
    }

    #[test]
    fn account_manager_defaults_and_outcomes() {
        let accounts = Accounts;
        let opts = accounts.credential_options();
        assert_eq!(opts.supported_credential_options, vec![1]);
        assert_eq!(opts.preferred_credential_option, 1);
        let created = block_on(accounts.create_account(
            &AccountInfo::new("a@example.com", "a@example.com"),
            CapabilityDetailCredentialOption::NoPassword,
        ))
        .expect("create");
        assert_eq!(
            created.resource().and_then(|r| r.id.clone()),
            Some(resource_id("collaborator", "a@example.com"))
        );
        let pending = block_on(accounts.create_account(
            &AccountInfo::new("b@pending.example", "b"),
            CapabilityDetailCredentialOption::NoPassword,
        ))
        .expect("create");
        assert_eq!(pending.resource(), None);
    }

    struct Deleter;

    #[async_trait]
    impl ResourceDeleter for Deleter {
        type Error = FakeError;

        async fn delete(&self, id: &ResourceId) -> Result<DeleteOutcome, FakeError> {
            Ok(if id.resource == "1" {
                DeleteOutcome::Deleted
            } else {
                DeleteOutcome::AlreadyGone
            })
        }
    }

    #[test]
    fn deleter_reports_already_gone() {
        assert_eq!(
            block_on(Deleter.delete(&resource_id("collaborator", "1"))).expect("delete"),
            DeleteOutcome::Deleted
        );
        assert_eq!(
            block_on(Deleter.delete(&resource_id("collaborator", "2"))).expect("delete"),
            DeleteOutcome::AlreadyGone
        );
    }
}
