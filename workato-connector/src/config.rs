//! The connector's settings, independent of how the CLI reads them.

use crate::env::EnvScope;

/// The revoke baseline role used when none is configured (docs/decisions.md#d10-revoke-works).
pub const DEFAULT_REVOKE_BASELINE_ROLE: &str = "NoAccess";

/// What the connector syncs and how it provisions. The API key and data center belong to the
/// API client, not here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectorConfig {
    /// `workato-env`: one environment or `all` (default `dev`).
    pub env: EnvScope,
    /// `disable-custom-roles-sync`: skip `/api/roles` and the folder→role grants built from it
    /// (default `false`).
    pub disable_custom_roles_sync: bool,
    /// The role a revoked environment is set back to (default `"NoAccess"`); e.g. `"Operator"`
    /// to revoke down to read-only instead of no access.
    pub revoke_baseline_role: String,
    /// The `role_type` sent beside the baseline role on revoke. Default `None` (no `role_type`
    /// in the request): whether RBAC-v2 workspaces need one beside `NoAccess` is UNCONFIRMED
    /// (docs/decisions.md#d10-revoke-works), so it is configurable rather than guessed.
    pub revoke_baseline_role_type: Option<String>,
    /// Sync RBAC-v2 environment roles (default `true`; upstream enables them unless the
    /// `environment_role` type is excluded).
    pub sync_environment_roles: bool,
    /// Ours: sync RBAC-v2 project roles and project grants (default `true`).
    pub sync_project_roles: bool,
    /// Ours: sync collaborator groups and their members (default `true`).
    pub sync_groups: bool,
}

impl Default for ConnectorConfig {
    fn default() -> Self {
        ConnectorConfig {
            env: EnvScope::default(),
            disable_custom_roles_sync: false,
            revoke_baseline_role: DEFAULT_REVOKE_BASELINE_ROLE.to_owned(),
            revoke_baseline_role_type: None,
            sync_environment_roles: true,
            sync_project_roles: true,
            sync_groups: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Environment;

    #[test]
    fn defaults() {
        let config = ConnectorConfig::default();
        assert_eq!(config.env, EnvScope::Single(Environment::Dev));
        assert!(!config.disable_custom_roles_sync);
        assert_eq!(config.revoke_baseline_role, "NoAccess");
        assert_eq!(config.revoke_baseline_role_type, None);
        assert!(config.sync_environment_roles);
        assert!(config.sync_project_roles);
        assert!(config.sync_groups);
    }
}
