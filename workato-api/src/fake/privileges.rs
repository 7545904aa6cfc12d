//! The privilege tables of the fake: the groups generated roles draw from and the built-in
//! maps of the system roles, written once so the two cannot drift apart.

use super::seed::Privileges;

/// Every recipe privilege (also Admin's recipe privileges).
const RECIPES_ALL: &[&str] = &[
    "read",
    "create",
    "update",
    "delete",
    "run",
    "read_run_history",
];
/// Full rights on folders, projects, connections and the like.
const CRUD: &[&str] = &["read", "create", "update", "delete"];

/// Privilege group -> every privilege in it; [`super::generate`] picks subsets of these.
pub(crate) const CATALOGUE: &[(&str, &[&str])] = &[
    ("Recipes", RECIPES_ALL),
    ("Folders", CRUD),
    ("Projects", CRUD),
    ("Connections", CRUD),
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
    ("Activity audit", &["all"]),
    ("Network trace", &["all"]),
    ("Debug, Log and Security", &["all"]),
];

/// System roles every workspace has; never listed by `/api/roles`.
pub(crate) const SYSTEM_ROLES: [&str; 3] = ["Admin", "Analyst", "Operator"];

/// Built-in privileges the fake reports for system roles (a small, plausible subset).
pub(crate) fn system_role_privileges(name: &str) -> Privileges {
    from_pairs(match name {
        "Admin" => &[
            ("Recipes", RECIPES_ALL),
            ("Folders", CRUD),
            ("Projects", CRUD),
            ("Connections", CRUD),
            ("Collaborators", &["all"]),
            ("Workspace settings", &["all"]),
        ],
        "Analyst" => &[
            (
                "Recipes",
                &["read", "create", "update", "run", "read_run_history"],
            ),
            ("Folders", &["read", "create", "update"]),
            ("Projects", &["read"]),
            ("Connections", &["read", "create", "update"]),
        ],
        "Operator" => &[
            ("Recipes", &["read", "run", "read_run_history"]),
            ("Folders", &["read"]),
            ("Projects", &["read"]),
        ],
        _ => &[],
    })
}

/// A privileges map from a static table of (group, privileges) pairs.
pub(crate) fn from_pairs(pairs: &[(&str, &[&str])]) -> Privileges {
    pairs
        .iter()
        .map(|(g, ps)| {
            (
                (*g).to_owned(),
                ps.iter().map(|p| (*p).to_owned()).collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_holds_every_privilege_of_the_shared_groups() {
        let admin = system_role_privileges("Admin");
        for (group, all) in &CATALOGUE[..4] {
            assert_eq!(admin.get(*group).map(Vec::len), Some(all.len()), "{group}");
        }
        assert_eq!(admin["Collaborators"], ["all"]);
        assert!(system_role_privileges("Custom Reviewer").is_empty());
    }
}
