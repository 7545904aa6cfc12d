//! Small models shared by several resources.

use crate::lenient::open_enum;

open_enum! {
    /// A Workato environment. Single-environment workspaces use `dev`.
    pub enum EnvironmentType {
        /// Development (also the only environment of workspaces without environments).
        Dev = "dev",
        /// Test.
        Test = "test",
        /// Production.
        Prod = "prod",
    }
}

open_enum! {
    /// The kind of role named in a collaborator's role assignment.
    pub enum RoleType {
        /// A legacy collaborator role (privilege group); the default when omitted.
        PrivilegeGroup = "privilege_group",
        /// An environment role (RBAC v2).
        Environment = "environment",
    }
}

open_enum! {
    /// Where an environment or project role comes from.
    pub enum RoleKind {
        /// Built into Workato.
        System = "system",
        /// Defined by the workspace.
        Custom = "custom",
        /// Custom and inheritable by child workspaces.
        Inheritable = "inheritable",
        /// Inherited from a parent workspace.
        Inherited = "inherited",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_keep_unknown_values() {
        let known: EnvironmentType = serde_json::from_str(r#""prod""#).expect("known");
        let unknown: EnvironmentType = serde_json::from_str(r#""staging""#).expect("unknown");
        assert_eq!(known, EnvironmentType::Prod);
        assert_eq!(unknown, EnvironmentType::Other("staging".into()));
        assert_eq!(
            serde_json::to_string(&unknown).expect("ser"),
            r#""staging""#
        );
        assert_eq!(RoleType::from("environment"), RoleType::Environment);
        assert_eq!(RoleKind::Custom.to_string(), "custom");
    }
}
