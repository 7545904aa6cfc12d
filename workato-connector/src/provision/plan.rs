//! Pure decisions of role provisioning: what a collaborator holds in an environment, whether a
//! grant or revoke has anything to do, and the exact `env_roles` entry to send.
//!
//! Request bodies (`PUT /api/members/:id`, docs/workato-api.md#collaborators):
//!
//! - environment role: `{"environment_type":env,"name":name,"role_type":"environment"}`;
//! - system or legacy custom role: `{"environment_type":env,"name":name}` with **no**
//!   `role_type`. Workato defaults an omitted `role_type` to `privilege_group`, and after an
//!   RBAC-v2 migration it stops accepting an explicit `privilege_group`, so omitting it works
//!   on both generations where sending it would not (and it is what upstream sends);
//! - revoke: `{"environment_type":env,"name":<baseline>}` plus `"role_type":<configured>` only
//!   when `revoke_baseline_role_type` is set (whether RBAC v2 wants one beside `NoAccess` is
//!   unconfirmed: docs/decisions.md#d10-revoke-works).
//!
//! Only the one environment is ever listed: Workato changes only the environments a PUT names,
//! so other environments cannot be touched by construction.
//!
//! "Same role" means same name and same family. A member entry without `role_type` (older
//! response shape; whether the list always carries it is UNCONFIRMED) is read as a legacy role
//! when granting — at worst a redundant, idempotent PUT — but matches either family when
//! revoking, so that a revoke never reports "already revoked" while the collaborator may still
//! hold the role.

use workato_api::members::{EnvRoleAssignment, Member};
use workato_api::RoleType;

use super::target::RoleFamily;
use crate::config::ConnectorConfig;
use crate::env::Environment;
use crate::ids::NO_ACCESS_ROLE_NAME;

/// The role a collaborator holds in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeldRole {
    /// Role name as Workato lists it.
    pub name: String,
    /// Its family (absent `role_type` read as legacy); `None` for a `role_type` this connector
    /// does not know.
    pub family: Option<RoleFamily>,
    /// Whether the entry carried a `role_type` at all.
    pub typed: bool,
}

/// What `member` holds in `env`: `None` when it has no entry there or the entry is
/// `"No access"` (also when the baseline `NoAccess` is listed literally).
pub(crate) fn held_role(member: &Member, env: Environment) -> Option<HeldRole> {
    let entry = member
        .roles
        .iter()
        .find(|r| Environment::from_api(&r.environment_type) == Some(env))?;
    if entry.role_name == NO_ACCESS_ROLE_NAME || entry.role_name == "NoAccess" {
        return None;
    }
    let family = match &entry.role_type {
        // Omitted means privilege_group on Workato's side (docs/workato-api.md#collaborators).
        None | Some(RoleType::PrivilegeGroup) => Some(RoleFamily::Legacy),
        Some(RoleType::Environment) => Some(RoleFamily::Environment),
        Some(_) => None,
    };
    Some(HeldRole {
        name: entry.role_name.clone(),
        family,
        typed: entry.role_type.is_some(),
    })
}

impl HeldRole {
    /// Whether this is the role `name` of `family` (names compare exactly: Workato role names
    /// are case-sensitive identifiers in `PUT` bodies).
    pub fn is(&self, name: &str, family: RoleFamily) -> bool {
        self.name == name && self.family == Some(family)
    }

    /// Whether this may be the role `name` of `family`: as [`HeldRole::is`], but an entry
    /// without `role_type` matches either family (used by revoke, see the module docs).
    pub fn may_be(&self, name: &str, family: RoleFamily) -> bool {
        self.is(name, family) || (!self.typed && self.name == name)
    }
}

/// What a grant has to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GrantPlan {
    /// The collaborator already holds the role there: no call.
    AlreadyHeld,
    /// Send this assignment; `previous` is the role it replaces, if any.
    Put {
        /// The one `env_roles` entry.
        assignment: EnvRoleAssignment,
        /// The role held before, which the PUT replaces.
        previous: Option<HeldRole>,
    },
}

/// Decides a grant of role `name` (`family`) in `env` to `member`.
pub(crate) fn plan_grant(
    member: &Member,
    env: Environment,
    name: &str,
    family: RoleFamily,
) -> GrantPlan {
    let held = held_role(member, env);
    if held.as_ref().is_some_and(|h| h.is(name, family)) {
        return GrantPlan::AlreadyHeld;
    }
    GrantPlan::Put {
        assignment: grant_assignment(env, name, family),
        previous: held,
    }
}

/// The `env_roles` entry that assigns role `name` in `env`.
pub(crate) fn grant_assignment(
    env: Environment,
    name: &str,
    family: RoleFamily,
) -> EnvRoleAssignment {
    let assignment = EnvRoleAssignment::new(env.to_api(), name);
    match family {
        RoleFamily::Environment => assignment.with_role_type(RoleType::Environment),
        RoleFamily::Legacy => assignment,
    }
}

/// What a revoke has to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RevokePlan {
    /// The collaborator does not hold the role there (any more): no call.
    NotHeld,
    /// Send this baseline assignment.
    Put(EnvRoleAssignment),
}

/// Decides a revoke of role `name` (`family`) in `env` from `member`.
///
/// # Errors
/// The role is the baseline itself (revoking could not change anything).
pub(crate) fn plan_revoke(
    member: &Member,
    env: Environment,
    name: &str,
    family: RoleFamily,
    config: &ConnectorConfig,
) -> Result<RevokePlan, BaselineConflict> {
    if !held_role(member, env).is_some_and(|h| h.may_be(name, family)) {
        return Ok(RevokePlan::NotHeld);
    }
    let baseline = baseline_assignment(env, config);
    let baseline_family = match baseline.role_type {
        Some(RoleType::Environment) => Some(RoleFamily::Environment),
        None | Some(RoleType::PrivilegeGroup) => Some(RoleFamily::Legacy),
        Some(_) => None,
    };
    if baseline.name == name && baseline_family == Some(family) {
        return Err(BaselineConflict);
    }
    Ok(RevokePlan::Put(baseline))
}

/// The revoked role is the configured baseline role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BaselineConflict;

/// The `env_roles` entry a revoke sends: the configured baseline (default `NoAccess`), with
/// `role_type` only when one is configured.
pub(crate) fn baseline_assignment(env: Environment, config: &ConnectorConfig) -> EnvRoleAssignment {
    let assignment = EnvRoleAssignment::new(env.to_api(), config.revoke_baseline_role.as_str());
    match config.revoke_baseline_role_type.as_deref() {
        Some(role_type) => assignment.with_role_type(RoleType::from(role_type)),
        None => assignment,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use workato_api::EnvironmentType;

    fn member(roles: serde_json::Value) -> Member {
        serde_json::from_value(json!({"id": 1001, "name": "Bob", "email": "b@x", "roles": roles}))
            .expect("member")
    }

    fn body(a: &EnvRoleAssignment) -> String {
        serde_json::to_string(a).expect("json")
    }

    #[test]
    fn held_roles() {
        let m = member(json!([
            {"environment_type": "dev", "role_name": "Admin"},
            {"environment_type": "test", "role_name": "Deployer", "role_type": "environment"},
            {"environment_type": "prod", "role_name": "No access", "role_type": "privilege_group"}
        ]));
        assert_eq!(
            held_role(&m, Environment::Dev),
            Some(HeldRole {
                name: "Admin".into(),
                family: Some(RoleFamily::Legacy),
                typed: false,
            })
        );
        assert_eq!(
            held_role(&m, Environment::Test).map(|h| h.family),
            Some(Some(RoleFamily::Environment))
        );
        assert_eq!(held_role(&m, Environment::Prod), None);
        assert_eq!(held_role(&member(json!([])), Environment::Dev), None);
        let odd =
            member(json!([{"environment_type": "dev", "role_name": "X", "role_type": "new"}]));
        assert_eq!(
            held_role(&odd, Environment::Dev).map(|h| h.family),
            Some(None)
        );
    }

    #[test]
    fn grant_plans() {
        let m = member(json!([
            {"environment_type": "dev", "role_name": "Admin", "role_type": "privilege_group"},
            {"environment_type": "test", "role_name": "Deployer", "role_type": "environment"}
        ]));
        assert_eq!(
            plan_grant(&m, Environment::Dev, "Admin", RoleFamily::Legacy),
            GrantPlan::AlreadyHeld
        );
        assert_eq!(
            plan_grant(&m, Environment::Test, "Deployer", RoleFamily::Environment),
            GrantPlan::AlreadyHeld
        );
        // Same name, other family: not the same role.
        let GrantPlan::Put {
            assignment,
            previous,
        } = plan_grant(&m, Environment::Test, "Deployer", RoleFamily::Legacy)
        else {
            panic!("expected a PUT");
        };
        assert_eq!(
            body(&assignment),
            r#"{"environment_type":"test","name":"Deployer"}"#
        );
        assert_eq!(previous.map(|p| p.name).as_deref(), Some("Deployer"));
        let GrantPlan::Put {
            assignment,
            previous,
        } = plan_grant(&m, Environment::Prod, "Releaser", RoleFamily::Environment)
        else {
            panic!("expected a PUT");
        };
        assert_eq!(
            body(&assignment),
            r#"{"environment_type":"prod","name":"Releaser","role_type":"environment"}"#
        );
        assert_eq!(previous, None);
    }

    #[test]
    fn untyped_entries_are_legacy_for_grants_but_match_any_family_for_revokes() {
        let m = member(json!([{"environment_type": "dev", "role_name": "Deployer"}]));
        let config = ConnectorConfig::default();
        assert_eq!(
            plan_grant(&m, Environment::Dev, "Deployer", RoleFamily::Legacy),
            GrantPlan::AlreadyHeld
        );
        assert!(matches!(
            plan_grant(&m, Environment::Dev, "Deployer", RoleFamily::Environment),
            GrantPlan::Put { .. }
        ));
        for family in [RoleFamily::Legacy, RoleFamily::Environment] {
            assert!(matches!(
                plan_revoke(&m, Environment::Dev, "Deployer", family, &config),
                Ok(RevokePlan::Put(_))
            ));
        }
        // A typed entry of the other family is not the revoked role.
        let typed = member(
            json!([{"environment_type": "dev", "role_name": "Deployer", "role_type": "privilege_group"}]),
        );
        assert_eq!(
            plan_revoke(
                &typed,
                Environment::Dev,
                "Deployer",
                RoleFamily::Environment,
                &config
            ),
            Ok(RevokePlan::NotHeld)
        );
    }

    #[test]
    fn revoke_plans_and_baseline_bodies() {
        let m = member(json!([
            {"environment_type": "dev", "role_name": "Custom Reviewer"},
            {"environment_type": "prod", "role_name": "Operator"}
        ]));
        let config = ConnectorConfig::default();
        assert_eq!(
            plan_revoke(
                &m,
                Environment::Dev,
                "Custom Reviewer",
                RoleFamily::Legacy,
                &config
            ),
            Ok(RevokePlan::Put(EnvRoleAssignment::new(
                EnvironmentType::Dev,
                "NoAccess"
            )))
        );
        assert_eq!(
            body(&baseline_assignment(Environment::Dev, &config)),
            r#"{"environment_type":"dev","name":"NoAccess"}"#
        );
        // Another role held, or none: nothing to do.
        assert_eq!(
            plan_revoke(&m, Environment::Dev, "Admin", RoleFamily::Legacy, &config),
            Ok(RevokePlan::NotHeld)
        );
        assert_eq!(
            plan_revoke(
                &m,
                Environment::Test,
                "Custom Reviewer",
                RoleFamily::Legacy,
                &config
            ),
            Ok(RevokePlan::NotHeld)
        );
        let typed = ConnectorConfig {
            revoke_baseline_role_type: Some("environment".into()),
            ..ConnectorConfig::default()
        };
        assert_eq!(
            body(&baseline_assignment(Environment::Prod, &typed)),
            r#"{"environment_type":"prod","name":"NoAccess","role_type":"environment"}"#
        );
        let operator = ConnectorConfig {
            revoke_baseline_role: "Operator".into(),
            ..ConnectorConfig::default()
        };
        assert_eq!(
            plan_revoke(
                &m,
                Environment::Prod,
                "Operator",
                RoleFamily::Legacy,
                &operator
            ),
            Err(BaselineConflict)
        );
        assert_eq!(
            plan_revoke(
                &m,
                Environment::Dev,
                "Custom Reviewer",
                RoleFamily::Legacy,
                &operator
            ),
            Ok(RevokePlan::Put(EnvRoleAssignment::new(
                EnvironmentType::Dev,
                "Operator"
            )))
        );
    }
}
