//! Pure parsing of what a provisioning request names: entitlement ids, grant ids, principals,
//! role targets (which role, in which environment) and project-role targets.
//!
//! Entitlement and grant ids are split by the parsers in `ids.rs`, next to the formulas they
//! reverse.
//!
//! Environment of a role id (docs/ids.md#environments-and-all-mode): in `all` mode the id carries
//! it (`175000-prod`). In single-environment mode ids are bare and the configured environment
//! applies. A suffixed id in single-environment mode (e.g. a grant synced while the connector ran
//! with `all`) is accepted when the suffix names the configured environment, because the meaning is
//! then unambiguous; a suffix naming another environment is
//! [`ProvisionError::EnvironmentNotInScope`], because acting on it would change an environment the
//! configuration says is out of reach.

use workato_api::{EnvRoleId, Id, MemberId, ProjectId, RoleId};

use super::error::ProvisionError;
use crate::catalogue::BaseRole;
use crate::env::{parse_role_resource_id, EnvScope, Environment};
use crate::ids::{
    self, EntitlementRef, COLLABORATOR, COLLABORATOR_GROUP, COLLABORATOR_HAS, ENVIRONMENT_ROLE,
    MEMBER, PROJECT_ROLE, ROLE,
};

/// A member id from a `collaborator` resource id (decimal).
pub(crate) fn member_id(id: &str) -> Result<MemberId, ProvisionError> {
    decimal(id)
        .map(MemberId)
        .ok_or_else(|| ProvisionError::MalformedId {
            what: "collaborator id",
            id: id.to_owned(),
            reason: "expected a decimal Workato member id",
        })
}

/// The collaborator a role grant or revoke acts on; any other principal type is refused.
pub(crate) fn collaborator_principal(
    operation: &'static str,
    principal_type: &str,
    principal_id: &str,
) -> Result<MemberId, ProvisionError> {
    if principal_type != COLLABORATOR.id {
        return Err(ProvisionError::WrongPrincipalType {
            operation,
            expected: "collaborator",
            got: principal_type.to_owned(),
        });
    }
    member_id(principal_id)
}

fn decimal(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Which role a legacy-role or environment-role entitlement names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleKey {
    /// A system role (Admin, Analyst, Operator), named by its name.
    Base(BaseRole),
    /// A legacy custom role (`/api/roles`), named by id.
    Custom(RoleId),
    /// An RBAC v2 environment role, named by id.
    Environment(EnvRoleId),
}

impl RoleKey {
    /// The family used in `role_type` and in "same role" comparisons.
    pub fn family(self) -> RoleFamily {
        match self {
            RoleKey::Base(_) | RoleKey::Custom(_) => RoleFamily::Legacy,
            RoleKey::Environment(_) => RoleFamily::Environment,
        }
    }
}

/// The two role generations a collaborator's per-environment role can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleFamily {
    /// System or legacy custom role (`role_type` `privilege_group` or absent).
    Legacy,
    /// RBAC v2 environment role (`role_type` `environment`).
    Environment,
}

/// A role entitlement resolved to role and environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleTarget {
    /// The role.
    pub role: RoleKey,
    /// The environment the grant acts on.
    pub env: Environment,
}

/// Parses a `role:<id>:collaborator-has` or `environment_role:<id>:collaborator-has`
/// entitlement. `Ok(None)` for any other resource type (the caller tries project roles).
pub(crate) fn role_target(
    ent: &EntitlementRef<'_>,
    scope: EnvScope,
) -> Result<Option<RoleTarget>, ProvisionError> {
    let is_env_role = match ent.resource_type {
        t if t == ROLE.id => false,
        t if t == ENVIRONMENT_ROLE.id => true,
        _ => return Ok(None),
    };
    if ent.slug != COLLABORATOR_HAS {
        return Err(ProvisionError::UnsupportedEntitlement(ids::entitlement_id(
            ent.resource_type,
            ent.resource_id,
            ent.slug,
        )));
    }
    let classify = |bare: &str| -> Option<RoleKey> {
        if is_env_role {
            decimal(bare).map(|n| RoleKey::Environment(EnvRoleId(n)))
        } else {
            BaseRole::from_name(bare)
                .map(RoleKey::Base)
                .or_else(|| decimal(bare).map(|n| RoleKey::Custom(RoleId(n))))
        }
    };
    let malformed = || ProvisionError::MalformedId {
        what: if is_env_role {
            "environment role id"
        } else {
            "role id"
        },
        id: ent.resource_id.to_owned(),
        reason: if is_env_role {
            "expected a decimal environment role id"
        } else {
            "expected a decimal custom role id or Admin, Analyst, Operator"
        },
    };
    let id = ent.resource_id;
    let (role, env) = match scope {
        EnvScope::All => {
            let (bare, env) = parse_role_resource_id(id, scope)?;
            (classify(bare).ok_or_else(malformed)?, env)
        }
        EnvScope::Single(configured) => match classify(id) {
            Some(role) => (role, configured),
            None => {
                let (bare, env) =
                    parse_role_resource_id(id, EnvScope::All).map_err(|_| malformed())?;
                let role = classify(bare).ok_or_else(malformed)?;
                if env != configured {
                    return Err(ProvisionError::EnvironmentNotInScope {
                        id: id.to_owned(),
                        env,
                        scope,
                    });
                }
                tracing::warn!(
                    role_id = id,
                    env = %env,
                    "role id carries an environment suffix although the connector is configured for one environment; accepting it because the suffix names that environment"
                );
                (role, env)
            }
        },
    };
    Ok(Some(RoleTarget { role, env }))
}

/// Who a project grant goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProjectPrincipal {
    /// A collaborator.
    Member(MemberId),
    /// A collaborator group (`am-…`).
    Group(String),
}

impl ProjectPrincipal {
    /// Parses a `collaborator:<id>` or `collaborator_group:<id>` principal.
    pub fn parse(
        operation: &'static str,
        principal_type: &str,
        principal_id: &str,
    ) -> Result<Self, ProvisionError> {
        match principal_type {
            t if t == COLLABORATOR.id => member_id(principal_id).map(ProjectPrincipal::Member),
            t if t == COLLABORATOR_GROUP.id => Ok(ProjectPrincipal::Group(principal_id.to_owned())),
            other => Err(ProvisionError::WrongPrincipalType {
                operation,
                expected: "collaborator or collaborator_group",
                got: other.to_owned(),
            }),
        }
    }

    /// The principal's resource type id.
    pub fn resource_type(&self) -> &'static str {
        match self {
            ProjectPrincipal::Member(_) => COLLABORATOR.id,
            ProjectPrincipal::Group(_) => COLLABORATOR_GROUP.id,
        }
    }

    /// The principal's resource id.
    pub fn resource_id(&self) -> String {
        match self {
            ProjectPrincipal::Member(id) => id.to_string(),
            ProjectPrincipal::Group(id) => id.clone(),
        }
    }
}

/// A `project_role:<project id>-<project role id>:member` entitlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProjectRoleTarget {
    /// The project.
    pub project: ProjectId,
    /// The project role id, as it appears in the resource id.
    pub role: String,
}

impl ProjectRoleTarget {
    /// The project role id in the form the API expects: integer when decimal (the list
    /// sample), string otherwise (`pr-…`).
    pub fn api_role_id(&self) -> Id {
        match decimal(&self.role) {
            Some(n) => Id::from(n),
            None => Id::from(self.role.as_str()),
        }
    }
}

/// Parses a project-role entitlement; `Ok(None)` for any other resource type.
pub(crate) fn project_role_target(
    ent: &EntitlementRef<'_>,
) -> Result<Option<ProjectRoleTarget>, ProvisionError> {
    if ent.resource_type != PROJECT_ROLE.id {
        return Ok(None);
    }
    if ent.slug != MEMBER {
        return Err(ProvisionError::UnsupportedEntitlement(ids::entitlement_id(
            ent.resource_type,
            ent.resource_id,
            ent.slug,
        )));
    }
    let (project, role) =
        ids::parse_project_role_resource_id(ent.resource_id).ok_or_else(|| {
            ProvisionError::MalformedId {
                what: "project role id",
                id: ent.resource_id.to_owned(),
                reason: "expected <decimal project id>-<project role id>",
            }
        })?;
    let project = decimal(project)
        .map(ProjectId)
        .ok_or_else(|| ProvisionError::MalformedId {
            what: "project id",
            id: project.to_owned(),
            reason: "expected a decimal project id",
        })?;
    Ok(Some(ProjectRoleTarget {
        project,
        role: role.to_owned(),
    }))
}

/// Refuses any entitlement neither [`role_target`] nor [`project_role_target`] handles.
pub(crate) fn unsupported(ent: &EntitlementRef<'_>) -> ProvisionError {
    ProvisionError::UnsupportedEntitlement(ids::entitlement_id(
        ent.resource_type,
        ent.resource_id,
        ent.slug,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::parse_entitlement_id;

    const DEV: EnvScope = EnvScope::Single(Environment::Dev);

    fn ent(id: &str) -> EntitlementRef<'_> {
        parse_entitlement_id(id).expect("valid entitlement id")
    }

    #[test]
    fn principals() {
        assert_eq!(
            collaborator_principal("grant", "collaborator", "1001").expect("ok"),
            MemberId(1001)
        );
        let err = collaborator_principal("grant", "role", "Admin").expect_err("wrong type");
        assert_eq!(
            err.to_string(),
            "grant needs a principal of type collaborator, got \"role\""
        );
        assert!(matches!(
            collaborator_principal("grant", "collaborator", "10x"),
            Err(ProvisionError::MalformedId { .. })
        ));
        assert!(collaborator_principal("grant", "collaborator", "-1").is_err());
        assert_eq!(
            ProjectPrincipal::parse("grant", "collaborator_group", "am-1").expect("ok"),
            ProjectPrincipal::Group("am-1".into())
        );
        assert!(matches!(
            ProjectPrincipal::parse("grant", "role", "1"),
            Err(ProvisionError::WrongPrincipalType {
                expected: "collaborator or collaborator_group",
                ..
            })
        ));
    }

    #[test]
    fn role_targets_in_all_mode() {
        let t = role_target(&ent("role:175000-prod:collaborator-has"), EnvScope::All)
            .expect("ok")
            .expect("role");
        assert_eq!(
            t,
            RoleTarget {
                role: RoleKey::Custom(RoleId(175000)),
                env: Environment::Prod
            }
        );
        let t = role_target(&ent("role:Operator-test:collaborator-has"), EnvScope::All)
            .expect("ok")
            .expect("role");
        assert_eq!(t.role, RoleKey::Base(BaseRole::Operator));
        assert_eq!(t.env, Environment::Test);
        let t = role_target(
            &ent("environment_role:50-dev:collaborator-has"),
            EnvScope::All,
        )
        .expect("ok")
        .expect("role");
        assert_eq!(t.role, RoleKey::Environment(EnvRoleId(50)));
        assert_eq!(t.role.family(), RoleFamily::Environment);
        // No suffix in all mode.
        assert!(matches!(
            role_target(&ent("role:175000:collaborator-has"), EnvScope::All),
            Err(ProvisionError::RoleId(_))
        ));
        // Environment roles are never named by name.
        assert!(matches!(
            role_target(
                &ent("environment_role:Admin-dev:collaborator-has"),
                EnvScope::All
            ),
            Err(ProvisionError::MalformedId { .. })
        ));
    }

    #[test]
    fn role_targets_in_single_env_mode() {
        let t = role_target(&ent("role:Admin:collaborator-has"), DEV)
            .expect("ok")
            .expect("role");
        assert_eq!(
            t,
            RoleTarget {
                role: RoleKey::Base(BaseRole::Admin),
                env: Environment::Dev
            }
        );
        // A suffix naming the configured environment is unambiguous.
        let t = role_target(&ent("role:2-dev:collaborator-has"), DEV)
            .expect("ok")
            .expect("role");
        assert_eq!(t.role, RoleKey::Custom(RoleId(2)));
        // A suffix naming another environment is out of scope.
        let err = role_target(&ent("environment_role:50-prod:collaborator-has"), DEV)
            .expect_err("out of scope");
        assert_eq!(
            err.to_string(),
            "role id \"50-prod\" is for environment prod, but the connector is configured for dev"
        );
        // Base role names are exact.
        assert!(matches!(
            role_target(&ent("role:admin:collaborator-has"), DEV),
            Err(ProvisionError::MalformedId { .. })
        ));
        assert!(role_target(&ent("role:x-y-dev:collaborator-has"), DEV).is_err());
    }

    #[test]
    fn other_entitlements() {
        assert_eq!(
            role_target(&ent("project_role:100-7:member"), DEV).expect("ok"),
            None
        );
        assert!(matches!(
            role_target(&ent("role:Admin:assigned"), DEV),
            Err(ProvisionError::UnsupportedEntitlement(id)) if id == "role:Admin:assigned"
        ));
        let t = project_role_target(&ent("project_role:100-pr-AQBGCnMB-JoFtKL:member"))
            .expect("ok")
            .expect("project role");
        assert_eq!(t.project, ProjectId(100));
        assert_eq!(t.role, "pr-AQBGCnMB-JoFtKL");
        assert_eq!(t.api_role_id(), Id::from("pr-AQBGCnMB-JoFtKL"));
        let t = project_role_target(&ent("project_role:101-7:member"))
            .expect("ok")
            .expect("project role");
        assert_eq!(t.api_role_id(), Id::from(7));
        assert!(project_role_target(&ent("project_role:x-7:member")).is_err());
        assert!(project_role_target(&ent("project_role:101-7:admin")).is_err());
        assert_eq!(
            project_role_target(&ent("privilege:Recipes-read:assigned")).expect("ok"),
            None
        );
        assert_eq!(
            unsupported(&ent("privilege:Recipes-read:assigned")).to_string(),
            "entitlement \"privilege:Recipes-read:assigned\" cannot be provisioned: only role:<id>:collaborator-has, environment_role:<id>:collaborator-has and project_role:<project>-<role>:member can"
        );
    }
}
