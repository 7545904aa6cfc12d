//! [`ProvisionError`]: why a provisioning call failed.
//!
//! Input errors (wrong principal type, unknown entitlement, malformed or out-of-scope ids,
//! roles that do not exist, bad account input) are detected before any write call, so a failed
//! request never leaves a half-done change behind.

use crate::account::AccountInputError;
use crate::env::{EnvScope, Environment, RoleIdError};

/// Why a grant, revoke, account creation or deletion failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvisionError {
    /// The principal (or the resource to delete) has a resource type the operation does not
    /// accept.
    #[error("{operation} needs a principal of type {expected}, got {got:?}")]
    WrongPrincipalType {
        /// What was attempted (`grant`, `revoke`, `delete`).
        operation: &'static str,
        /// The accepted resource types.
        expected: &'static str,
        /// The resource type given.
        got: String,
    },
    /// The entitlement is not one this connector provisions (e.g. `privilege:…:assigned`,
    /// `folder:…:collaborator-access`, or an unknown slug).
    #[error("entitlement {0:?} cannot be provisioned: only role:<id>:collaborator-has, environment_role:<id>:collaborator-has and project_role:<project>-<role>:member can")]
    UnsupportedEntitlement(String),
    /// An id does not have the expected shape.
    #[error("malformed {what} {id:?}: {reason}")]
    MalformedId {
        /// What the id names (`grant id`, `member id`, `role id`, …).
        what: &'static str,
        /// The id as given.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A role resource id could not be split into role and environment.
    #[error(transparent)]
    RoleId(#[from] RoleIdError),
    /// A role id names an environment the configured `workato-env` does not cover.
    #[error(
        "role id {id:?} is for environment {env}, but the connector is configured for {scope}"
    )]
    EnvironmentNotInScope {
        /// The role resource id.
        id: String,
        /// The environment the id names.
        env: Environment,
        /// The configured scope.
        scope: EnvScope,
    },
    /// The role does not exist (any more) in Workato.
    #[error("{kind} {id} does not exist in Workato (deleted or renamed since the last sync?)")]
    UnknownRole {
        /// `legacy role`, `environment role` or `project role`.
        kind: &'static str,
        /// The role id.
        id: String,
    },
    /// An account-creation role name resolves to no role.
    #[error("no Workato role is named {name:?} (asked for environment {env}): not an environment role, a system role (Admin, Analyst, Operator) or a legacy custom role")]
    UnknownRoleName {
        /// The environment the role was requested for.
        env: Environment,
        /// The role name as given.
        name: String,
    },
    /// The project does not exist in Workato.
    #[error("project {0} does not exist in Workato")]
    UnknownProject(String),
    /// The collaborator does not exist in Workato.
    #[error("collaborator {0} does not exist in Workato")]
    MemberNotFound(i64),
    /// Revoking would set the environment to the very role being revoked.
    #[error("cannot revoke role {role:?}: it is the configured revoke baseline role; revoking would leave the collaborator with the same role")]
    BaselineIsRevokedRole {
        /// The role name.
        role: String,
    },
    /// Account-creation input was rejected before any call.
    #[error("invalid account-creation input")]
    AccountInput(#[from] AccountInputError),
    /// Only `NO_PASSWORD` is supported: Workato invites by email.
    #[error("credential option {0} is not supported: Workato accounts are created by invitation (NO_PASSWORD)")]
    UnsupportedCredential(i32),
    /// Workato said the user already exists, yet adding them directly did not make them a
    /// collaborator.
    #[error("Workato reports {email} as an existing user, but the collaborator could not be found after adding them")]
    AddedMemberMissing {
        /// The email address.
        email: String,
    },
    /// A Workato API call failed.
    #[error("{operation} failed")]
    Api {
        /// What was being done, for the message.
        operation: &'static str,
        /// The API error (method, path, status, Workato's message).
        #[source]
        source: workato_api::Error,
    },
    /// A Baton object could not be built (an id too long, for example).
    #[error("cannot build the Baton object")]
    Model(#[from] baton_model::model::ModelError),
}

impl ProvisionError {
    /// Wraps an API error with what was being done.
    pub(crate) fn api(operation: &'static str) -> impl FnOnce(workato_api::Error) -> Self {
        move |source| ProvisionError::Api { operation, source }
    }

    /// Whether the request itself is at fault (malformed, out of scope, or naming a role,
    /// project or collaborator that does not exist). Such errors are raised before any write
    /// call, so there is nothing to undo; API and model failures give `false`.
    pub fn is_input_error(&self) -> bool {
        !matches!(
            self,
            ProvisionError::Api { .. }
                | ProvisionError::Model(_)
                | ProvisionError::AddedMemberMissing { .. }
        )
    }
}
