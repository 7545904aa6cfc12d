//! Resolving a member's `roles[]` entry (a role *name*) to a role id (docs/decisions.md: D3, D7,
//! D14).

use super::types::{MemberRole, RoleRef, RoleType};
use super::Snapshot;
use crate::catalogue::BaseRole;
use crate::ids::NO_ACCESS_ROLE_NAME;

/// What a member role entry resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolution {
    /// A role the connector models.
    Role(RoleRef),
    /// `"No access"`: no grant, nothing to say.
    NoAccess,
    /// A role of a kind that is not synced (custom roles or environment roles turned off).
    NotSynced,
    /// Nothing matches: skipped with this reason as a warning.
    Unknown(String),
}

/// `NoAccess` is what the PUT endpoint takes; `No access` is what the list shows.
fn is_no_access(name: &str) -> bool {
    let name = name.trim();
    name.eq_ignore_ascii_case(NO_ACCESS_ROLE_NAME) || name.eq_ignore_ascii_case("NoAccess")
}

impl Snapshot {
    /// Resolves one entry. Names are resolved preferring the entry's `role_type` (`environment` ⇒
    /// environment roles; `privilege_group` ⇒ system then legacy roles; absent ⇒ system, legacy,
    /// then environment roles); when several roles share a name the lowest id wins, with a warning
    /// (docs/decisions.md#d7-role-names-resolve-by-id-and-role-type).
    pub fn resolve(&self, entry: &MemberRole) -> Resolution {
        let name = entry.role_name.as_str();
        if is_no_access(name) {
            return Resolution::NoAccess;
        }
        match &entry.role_type {
            RoleType::Other(kind) => Resolution::Unknown(format!("unknown role_type {kind:?}")),
            RoleType::Environment => self.resolve_env(name),
            RoleType::PrivilegeGroup | RoleType::Unspecified => {
                if let Some(base) = BaseRole::from_name(name) {
                    return Resolution::Role(RoleRef::Base(base));
                }
                let legacy = self.resolve_legacy(name);
                match (&legacy, &entry.role_type) {
                    (Resolution::Unknown(_) | Resolution::NotSynced, RoleType::Unspecified) => {
                        match self.resolve_env(name) {
                            found @ Resolution::Role(_) => found,
                            _ => legacy,
                        }
                    }
                    _ => legacy,
                }
            }
        }
    }

    fn resolve_legacy(&self, name: &str) -> Resolution {
        if !self.custom_roles {
            return Resolution::NotSynced;
        }
        if !self.parts().legacy_roles.is_loaded() {
            return Resolution::Unknown(
                "custom roles could not be read (see the earlier warning about /api/roles)".into(),
            );
        }
        self.pick("custom role", name, self.legacy_roles_named(name))
            .map_or_else(Resolution::Unknown, |id| {
                Resolution::Role(RoleRef::Legacy(id))
            })
    }

    fn resolve_env(&self, name: &str) -> Resolution {
        if !self.env_roles_enabled {
            return Resolution::NotSynced;
        }
        if !self.parts().environment_roles.is_loaded() {
            return Resolution::Unknown(
                "environment roles could not be read (see the earlier warning about \
                 /api/environment_roles)"
                    .into(),
            );
        }
        self.pick("environment role", name, self.env_roles_named(name))
            .map_or_else(Resolution::Unknown, |id| Resolution::Role(RoleRef::Env(id)))
    }

    fn pick(&self, kind: &str, name: &str, ids: &[i64]) -> Result<i64, String> {
        match ids {
            [] => Err(format!("no {kind} is named {name:?} (deleted?)")),
            [one] => Ok(*one),
            [first, ..] => {
                self.warnings().warn(format!(
                    "{} {kind}s are named {name:?} (ids {ids:?}); using the lowest id, {first}",
                    ids.len()
                ));
                Ok(*first)
            }
        }
    }
}
