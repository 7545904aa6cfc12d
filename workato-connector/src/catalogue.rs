//! The static Workato privilege catalogue and the privilege sets of the three system roles.
//!
//! Workato's API names privileges as `(group, privilege id)` pairs (for example
//! `("Recipes", "read")`), but publishes no machine-readable list of them. This table is the newest
//! one of ConductorOne's Go connector (43 groups, 111 privileges,
//! docs/ids.md#display-names-and-profiles), kept byte-for-byte — including the line breaks embedded
//! in the `Activity audit` and `Network trace` descriptions and the blank lines of
//! `manage_test_cases` — because resource ids and profiles must match what the Go connector wrote.
//! It is a seed, not a whitelist: callers synthesize a privilege the catalogue lacks instead of
//! failing (docs/decisions.md#d12-unknown-privileges-are-added-not-fatal).
//!
//! Order matters: [`catalogue`] yields the groups and privileges in the table's order, which is
//! the order resources are emitted in.

use std::fmt;
use std::str::FromStr;

/// One privilege of the catalogue: a permission id inside a privilege group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Privilege {
    /// The privilege group (Workato calls it the resource), e.g. `"Recipes"`.
    pub group: &'static str,
    /// The privilege id inside the group, e.g. `"read"`.
    pub id: &'static str,
    /// Human description, stored as the privilege resource's profile `description`.
    pub description: &'static str,
    /// The Baton resource id, `"<group>-<id>"` (e.g. `"Recipes-read"`).
    pub resource_id: &'static str,
}

// Builds the catalogue slice; `concat!` makes every resource id a `&'static str` so lookups and
// emitted ids never allocate.
macro_rules! catalogue_table {
    ($($group:literal => [$($perm:literal : $desc:literal),+ $(,)?]),+ $(,)?) => {
        &[$($(Privilege {
            group: $group,
            id: $perm,
            description: $desc,
            resource_id: concat!($group, "-", $perm),
        }),+),+]
    };
}

static CATALOGUE: &[Privilege] = catalogue_table! {
    // 1
    "Runtime user connections" => [
        "read": "View the Runtime user connections setting.",
        "update": "update the Runtime user connections setting.",
        "delete": "Delete the Runtime user connections setting.",
    ],
    // 2
    "Event streams" => [
        "read": "View Event topics in the workspace.",
        "create": "Create Event topics in the workspace.",
        "update": "Edit Event topics in the workspace.",
        "delete": "Delete Event topics in the workspace.",
        "view_history": "View the message content in the Event topics messages list.",
    ],
    // 3
    "Lookup tables" => [
        "read": "Allows users to view all tables and their records.",
        "create": "Allows users to create new tables in the Lookup tables interface.",
        "update_records": "Allows users to add, edit, or delete records for all Lookup tables in the Lookup tables interface.",
        "delete": "Allows users to delete tables.",
        "update_schema": "Allows users to edit the schema (to add, remove, or edit columns) for any table.",
    ],
    // 4
    "People task" => [
        "all": "Access to the People task tool.",
    ],
    // 5
    "Recipes" => [
        "read": "View recipes in a workspace.",
        "create": "Create recipes in a workspace.",
        "update": "Edit recipes in a workspace.",
        "delete": "Delete recipes in a workspace.",
        "run": "Run recipes and start and stop recipe tests in a workspace.",
        "read_run_history": "View a recipe's job history in the Jobs tab.",
    ],
    // 6
    "Folders" => [
        "read": "View folders and sub-folders in a workspace.",
        "create": "Create folders and sub-folders in a workspace.",
        "update": "Edit folders and sub-folders in a workspace.",
        "delete": "Delete folders and sub-folders in a workspace.",
    ],
    // 7
    "Projects" => [
        "read": "View specific projects in a workspace.",
        "create": "Create projects in a workspace.",
        "update": "Edit projects in a workspace.",
        "delete": "Delete projects in a workspace.",
    ],
    // 8
    "Connections" => [
        "read": "View connections in a workspace.",
        "create": "Create connections in a workspace.",
        "update": "Edit connections in a workspace.",
        "delete": "Delete connections in a workspace.",
    ],
    // 9
    "Connector SDK" => [
        "all": "Full Connector SDK permissions: view, edit, create, and delete.",
    ],
    // 10
    "Use in recipes" => [
        "all": "Allow users to distribute custom connectors into this workspace.",
    ],
    // 11
    "On-prem groups & agents" => [
        "read": "View on-prem groups and agents.",
        "create": "Create on-prem groups and agents.",
        "update": "Edit on-prem groups and agents.",
        "delete": "Delete on-prem groups and agents.",
    ],
    // 12
    "Connection - on-prem files" => [
        "all": "Access to create, edit, and delete on-prem files and on-prem files secondary connections.",
    ],
    // 13
    "Connection - command line scripts" => [
        "all": "Access to create, edit, and delete on-prem command line scripts connections.",
    ],
    // 14
    "Project folder" => [
        "all": "Access to create, edit, and delete project folders.",
    ],
    // 15
    "Connection Folders" => [
        "all": "Access to create, edit, and delete connection folders.",
    ],
    // 16
    "Common data models" => [
        "read": "View Common data models in the workspace.",
        "create": "Create Common data models in the workspace.",
        "update": "Edit Common data models in the workspace.",
        "delete": "Delete Common data models in the workspace.",
    ],
    // 17
    "Message templates" => [
        "read": "View Message templates in the workspace.",
        "create": "Create Message templates in the workspace.",
        "update": "Edit Message templates in the workspace.",
        "delete": "Delete Message templates in the workspace.",
    ],
    // 18
    "Workbot" => [
        "read": "View installed Workbots in the workspace.",
        "create": "Create Workbots in the workspace.",
        "update": "Edit installed Workbots in the workspace.",
        "delete": "Delete installed Workbots in the workspace.",
    ],
    // 19
    "Job History Search" => [
        "read": "View job history search results.",
        "create": "Create job history search queries.",
        "update": "Edit job history search queries.",
        "delete": "Delete job history search queries.",
    ],
    // 20
    "Test automation" => [
        "read": "View test case details, including mock data and checks.",
        "manage_test_cases": "View test case details\n\nCreate new test cases\n\nEdit test cases\n\nPick data for mocks from previous jobs\n\nDelete test cases\n\nRun test cases",
    ],
    // 21
    "Data masking" => [
        "all": "Access to create, edit, and delete data masking rules.",
    ],
    // 22
    "Environment properties" => [
        "read": "Allows users to view all Environment properties.",
        "update_records": "Allows users to add, edit, or delete Environment properties.",
        "create": "Allows users to create new Environment properties.",
        "delete": "Allows users to delete Environment properties.",
    ],
    // 23
    "Project properties" => [
        "read": "Allows users to view all project properties.",
        "update_records": "Allows users to add, edit, or delete project properties.",
        "create": "Allows users to create new project properties.",
        "delete": "Allows users to delete project properties.",
    ],
    // 24
    "Secrets management" => [
        "read": "View secrets management details, including all secrets configured in your workspace.",
        "update": "Edit secrets for your workspace.",
    ],
    // 25
    "Activity audit" => [
        "all": "Access to view workspace activity in the Dashboard's Activity audit log. This permission grants the user the ability to view all activity logs, regardless of other\n access settings.",
    ],
    // 26
    "Collaborator SAML SSO auth" => [
        "all": "View and edit SAML SSO settings for the workspace.",
    ],
    // 27
    "Collaborators" => [
        "all": "Manage collaborators in the workspace, including adding, editing, and removing collaborators.",
    ],
    // 28
    "Recipe lifecycle management" => [
        "all": "Access to the Recipe lifecycle management (RLCM) feature. This includes the ability to create manifests and view and interact with all assets included in manifests.",
    ],
    // 29
    "Collaborator roles (non-system)" => [
        "all": "View, edit, create, and delete custom collaborator roles in the workspace.",
    ],
    // 30
    "Developer API" => [
        "all": "View and edit developer API settings for the workspace.",
    ],
    // 31
    "Workspace settings" => [
        "all": "View and edit various workspace settings.",
    ],
    // 32
    "Debug, Log and Security" => [
        "all": "Access to view and edit the workspace’s environment-specific settings, including error alerts, network trace, data retention, and AWS IAM information.",
    ],
    // 33
    "Network trace" => [
        "all": "View network traces in job histories. Includes recipe input, output, and the network trace of HTTP calls. HTTP call information includes HTTP headers, requests,\n and communication (responses) between Workato and the end application",
    ],
    // 34
    "Policies" => [
        "all": "All policy permissions: view, edit, create, and delete.",
        "read": "View policy.",
        "create": "Create policy.",
        "update": "Edit policy.",
        "delete": "Delete policy.",
    ],
    // 35
    "Dashboard & logs" => [
        "all": "Full privileges for dashboard & logs: View metrics in dashboard and details in logs.",
    ],
    // 36
    "Manage locked projects" => [
        "all": "Access to manage locked projects in the workspace.",
    ],
    // 37
    "API platform" => [
        "all": "Access to view and edit API platform settings for the workspace.",
    ],
    // 38
    "Collections & endpoints" => [
        "all": "All collections and endpoints access: view, edit, create, and delete.",
        "read": "View collections and endpoints.",
        "create": "Create collections and endpoints.",
        "update": "Edit collections and endpoints.",
        "delete": "Delete collections and endpoints.",
    ],
    // 39
    "Data tables" => [
        "all": "Enables all other permissions.",
        "read": "Allows users to view all data tables.",
        "create": "Allows users to create new data tables.",
        "update_schema": "Allows users to edit the schema (to add, remove, or edit columns) for any data table.",
        "update_records": "Allows users to add, edit, or delete records in data tables.",
        "delete": "Allows users to delete data tables.",
    ],
    // 40
    "Settings" => [
        "all": "Manage API prefix and custom domain.",
    ],
    // 41
    "Client & access profiles" => [
        "all": "All clients and access profiles permissions: view, edit, create, and delete.",
        "read": "View clients and access profiles.",
        "create": "Create clients and access profiles.",
        "update": "Edit clients and access profiles.",
        "delete": "Delete clients and access profiles.",
    ],
    // 42
    "Decision Models" => [
        "read": "View Decision Models in the workspace.",
        "create": "Create Decision Models in the workspace.",
        "update": "Edit Decision Models in the workspace.",
        "delete": "Delete Decision Models in the workspace.",
    ],
    // 43
    "Manage projects" => [
        "create": "Create projects in the workspace.",
        "access_control": "Manage access control for projects in the workspace.",
    ],
};

/// Every catalogue privilege, in the order of the upstream table (groups, then privileges).
pub fn catalogue() -> &'static [Privilege] {
    CATALOGUE
}

/// The privilege groups of the catalogue, in table order, each once.
pub fn groups() -> impl Iterator<Item = &'static str> {
    let mut previous: Option<&'static str> = None;
    CATALOGUE.iter().filter_map(move |p| {
        // The table lists each group's privileges contiguously, so comparing with the previous
        // entry is enough to de-duplicate.
        if previous == Some(p.group) {
            None
        } else {
            previous = Some(p.group);
            Some(p.group)
        }
    })
}

/// Finds a catalogue privilege by group and privilege id (both exact, case-sensitive, as the
/// API spells them).
pub fn lookup(group: &str, perm: &str) -> Option<&'static Privilege> {
    CATALOGUE.iter().find(|p| p.group == group && p.id == perm)
}

/// Finds a catalogue privilege by its resource id `"<group>-<id>"`.
///
/// Group names contain `-` themselves (`"Connection - on-prem files"`), so a resource id cannot
/// be split reliably; it is matched whole instead.
pub fn lookup_resource_id(resource_id: &str) -> Option<&'static Privilege> {
    CATALOGUE.iter().find(|p| p.resource_id == resource_id)
}

/// The privilege resource id for any `(group, perm)` pair, catalogued or not: `"<group>-<perm>"`.
pub fn privilege_resource_id(group: &str, perm: &str) -> String {
    format!("{group}-{perm}")
}

/// The Workato system roles the connector models (the API never returns them; "Team Owner" is
/// not modelled, as upstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BaseRole {
    /// Every privilege of the catalogue.
    Admin,
    /// Groups 1–24 in full except `Secrets management` `update` (70 privileges).
    Analyst,
    /// Read and run recipes, read folders and projects (7 privileges).
    Operator,
}

impl BaseRole {
    /// The three base roles in the order roles are emitted (after custom roles).
    pub const ALL: [BaseRole; 3] = [BaseRole::Admin, BaseRole::Analyst, BaseRole::Operator];

    /// The role's name as Workato spells it in `role_name` and as its bare resource id.
    pub fn name(self) -> &'static str {
        match self {
            BaseRole::Admin => "Admin",
            BaseRole::Analyst => "Analyst",
            BaseRole::Operator => "Operator",
        }
    }

    /// The base role with this exact name (`"Admin"`, `"Analyst"`, `"Operator"`), if any.
    ///
    /// Exact match: a custom role may be called `"admin"`, and it must not be mistaken for the
    /// system role.
    pub fn from_name(name: &str) -> Option<BaseRole> {
        BaseRole::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The privileges this role holds, in catalogue order. Same as [`base_role_privileges`].
    pub fn privileges(self) -> impl Iterator<Item = &'static Privilege> {
        base_role_privileges(self)
    }
}

impl fmt::Display for BaseRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a [`BaseRole`] from a string that names none.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown base role {0:?}: expected Admin, Analyst or Operator")]
pub struct UnknownBaseRole(pub String);

impl FromStr for BaseRole {
    type Err = UnknownBaseRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BaseRole::from_name(s).ok_or_else(|| UnknownBaseRole(s.to_owned()))
    }
}

/// Analyst's privileges as upstream lists them (group → privilege ids). Kept as an explicit list
/// rather than "groups 1–24" so a catalogue edit cannot silently change the role.
const ANALYST: &[(&str, &[&str])] = &[
    ("Runtime user connections", &["read", "update", "delete"]),
    (
        "Event streams",
        &["read", "create", "update", "delete", "view_history"],
    ),
    (
        "Lookup tables",
        &[
            "read",
            "create",
            "update_records",
            "delete",
            "update_schema",
        ],
    ),
    ("People task", &["all"]),
    (
        "Recipes",
        &[
            "read",
            "create",
            "update",
            "delete",
            "run",
            "read_run_history",
        ],
    ),
    ("Folders", &["read", "create", "update", "delete"]),
    ("Projects", &["read", "create", "update", "delete"]),
    ("Connections", &["read", "create", "update", "delete"]),
    ("Connector SDK", &["all"]),
    ("Use in recipes", &["all"]),
    (
        "On-prem groups & agents",
        &["read", "create", "update", "delete"],
    ),
    ("Connection - on-prem files", &["all"]),
    ("Connection - command line scripts", &["all"]),
    ("Project folder", &["all"]),
    ("Connection Folders", &["all"]),
    (
        "Common data models",
        &["read", "create", "update", "delete"],
    ),
    ("Message templates", &["read", "create", "update", "delete"]),
    ("Workbot", &["read", "create", "update", "delete"]),
    (
        "Job History Search",
        &["read", "create", "update", "delete"],
    ),
    ("Test automation", &["read", "manage_test_cases"]),
    ("Data masking", &["all"]),
    (
        "Environment properties",
        &["read", "update_records", "create", "delete"],
    ),
    (
        "Project properties",
        &["read", "update_records", "create", "delete"],
    ),
    ("Secrets management", &["read"]),
];

/// Operator's privileges as upstream lists them.
const OPERATOR: &[(&str, &[&str])] = &[
    ("Recipes", &["read", "run", "read_run_history"]),
    ("Folders", &["read"]),
    ("Projects", &["read"]),
    ("Use in recipes", &["all"]),
    ("Test automation", &["read"]),
];

fn listed(set: &[(&str, &[&str])], p: &Privilege) -> bool {
    set.iter()
        .any(|(group, perms)| *group == p.group && perms.contains(&p.id))
}

/// The privileges of a base role, in catalogue order.
///
/// Admin holds the whole catalogue (so it grows with it); Analyst and Operator hold upstream's
/// fixed sets. None of these sets is published by Workato (UNCONFIRMED); they are upstream's
/// model and ids built from them must match upstream's.
pub fn base_role_privileges(role: BaseRole) -> impl Iterator<Item = &'static Privilege> {
    CATALOGUE.iter().filter(move |p| match role {
        BaseRole::Admin => true,
        BaseRole::Analyst => listed(ANALYST, p),
        BaseRole::Operator => listed(OPERATOR, p),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalogue_has_111_privileges_in_43_groups() {
        assert_eq!(catalogue().len(), 111);
        assert_eq!(groups().count(), 43);
        // Each group appears in one contiguous run, so `groups()` saw every distinct group.
        let distinct: HashSet<_> = catalogue().iter().map(|p| p.group).collect();
        assert_eq!(distinct.len(), 43);
    }

    #[test]
    fn group_order_follows_the_table() {
        let groups: Vec<_> = groups().collect();
        assert_eq!(groups[0], "Runtime user connections");
        assert_eq!(groups[4], "Recipes");
        assert_eq!(groups[31], "Debug, Log and Security");
        assert_eq!(groups[42], "Manage projects");
        let first: Vec<_> = catalogue().iter().take(3).map(|p| p.resource_id).collect();
        assert_eq!(
            first,
            [
                "Runtime user connections-read",
                "Runtime user connections-update",
                "Runtime user connections-delete"
            ]
        );
        assert_eq!(
            catalogue()[110].resource_id,
            "Manage projects-access_control"
        );
    }

    #[test]
    fn resource_ids_are_group_dash_perm_and_unique() {
        let mut seen = HashSet::new();
        for p in catalogue() {
            assert_eq!(p.resource_id, format!("{}-{}", p.group, p.id));
            assert_eq!(p.resource_id, privilege_resource_id(p.group, p.id));
            assert!(seen.insert(p.resource_id), "duplicate {}", p.resource_id);
        }
    }

    #[test]
    fn exact_ids_and_lookups() {
        let debug = lookup("Debug, Log and Security", "all").expect("catalogued");
        assert_eq!(debug.resource_id, "Debug, Log and Security-all");
        assert_eq!(
            debug.description,
            "Access to view and edit the workspace\u{2019}s environment-specific settings, \
             including error alerts, network trace, data retention, and AWS IAM information."
        );
        assert_eq!(
            lookup("Recipes", "read").map(|p| p.resource_id),
            Some("Recipes-read")
        );
        assert_eq!(
            lookup_resource_id("Connection - on-prem files-all").map(|p| p.group),
            Some("Connection - on-prem files")
        );
        // The newest catalogue spells these in lower case (the Dec-2024 one did not).
        assert!(lookup("Runtime user connections", "update").is_some());
        assert!(lookup("Runtime user connections", "edit").is_none());
        assert!(lookup("People task", "All").is_none());
        assert!(lookup("recipes", "read").is_none());
        assert!(lookup_resource_id("Recipes-write").is_none());
    }

    #[test]
    fn multi_line_descriptions_are_byte_exact() {
        let audit = lookup("Activity audit", "all").expect("catalogued");
        assert!(audit
            .description
            .ends_with("view all activity logs, regardless of other\n access settings."));
        let trace = lookup("Network trace", "all").expect("catalogued");
        assert!(trace.description.ends_with(
            "includes HTTP headers, requests,\n and communication (responses) between Workato \
             and the end application"
        ));
        let tests = lookup("Test automation", "manage_test_cases").expect("catalogued");
        assert_eq!(
            tests.description,
            "View test case details\n\nCreate new test cases\n\nEdit test cases\n\n\
             Pick data for mocks from previous jobs\n\nDelete test cases\n\nRun test cases"
        );
        let with_newline = catalogue()
            .iter()
            .filter(|p| p.description.contains('\n'))
            .count();
        assert_eq!(with_newline, 3);
    }

    #[test]
    fn base_role_sets() {
        assert_eq!(base_role_privileges(BaseRole::Admin).count(), 111);
        assert_eq!(base_role_privileges(BaseRole::Analyst).count(), 70);
        let operator: Vec<_> = BaseRole::Operator
            .privileges()
            .map(|p| p.resource_id)
            .collect();
        assert_eq!(
            operator,
            [
                "Recipes-read",
                "Recipes-run",
                "Recipes-read_run_history",
                "Folders-read",
                "Projects-read",
                "Use in recipes-all",
                "Test automation-read",
            ]
        );
    }

    #[test]
    fn analyst_is_groups_1_to_24_without_secrets_update() {
        let first_24: HashSet<_> = groups().take(24).collect();
        let expected: Vec<_> = catalogue()
            .iter()
            .filter(|p| first_24.contains(p.group))
            .filter(|p| p.resource_id != "Secrets management-update")
            .map(|p| p.resource_id)
            .collect();
        let analyst: Vec<_> = BaseRole::Analyst
            .privileges()
            .map(|p| p.resource_id)
            .collect();
        assert_eq!(analyst, expected);
    }

    #[test]
    fn every_listed_base_privilege_is_catalogued() {
        // The filter in `base_role_privileges` would silently drop a misspelt entry.
        for (group, perms) in ANALYST.iter().chain(OPERATOR) {
            for perm in *perms {
                assert!(lookup(group, perm).is_some(), "{group}-{perm}");
            }
        }
    }

    #[test]
    fn catalogue_snapshot() {
        // Pins every id and description (the c1z content) against accidental edits.
        let rows: Vec<_> = catalogue()
            .iter()
            .map(|p| {
                serde_json::json!({
                    "resource_id": p.resource_id,
                    "description": p.description,
                })
            })
            .collect();
        let mut settings = insta::Settings::clone_current();
        // Not insta's default `snapshots/`: beside the `snapshot/` module it reads as part of it.
        settings.set_snapshot_path("catalogue_snapshots");
        settings.bind(|| insta::assert_json_snapshot!(rows));
    }

    #[test]
    fn base_role_names_round_trip() {
        for role in BaseRole::ALL {
            assert_eq!(role.name().parse::<BaseRole>(), Ok(role));
            assert_eq!(role.to_string(), role.name());
        }
        assert_eq!(BaseRole::from_name("admin"), None);
        let err = "Team Owner".parse::<BaseRole>().expect_err("not modelled");
        assert!(err.to_string().contains("Team Owner"));
    }
}
