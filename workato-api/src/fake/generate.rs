//! Deterministic large workspaces for benchmarks and scale tests ([`Seed::generate`]).

use serde::{Deserialize, Serialize};

use super::privileges::{CATALOGUE, SYSTEM_ROLES};
use super::seed::{
    EnvironmentRole, FakeId, FakeMember, Folder, LegacyRole, MemberRole, Privileges, Project,
    ProjectGrant, ProjectRole, Seed, UserGroup, DEFAULT_ENVIRONMENTS, NO_ACCESS_LISTED,
};

/// Size and shape of a generated workspace. Same parameters ⇒ same seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenParams {
    /// Collaborators (ids from 1000).
    pub members: usize,
    /// Legacy custom roles (ids from 1).
    pub custom_roles: usize,
    /// Environment roles (ids from 5000).
    pub env_roles: usize,
    /// Project roles (even positions get integer ids from 9000, odd ones `pr-gen-<n>`).
    pub project_roles: usize,
    /// Projects (ids from 100000; root folders from 200000).
    pub projects: usize,
    /// Folder levels below each project root.
    pub folder_depth: usize,
    /// Children per folder.
    pub folder_fanout: usize,
    /// Collaborator groups.
    pub groups: usize,
    /// Random seed.
    pub seed: u64,
}

impl Default for GenParams {
    fn default() -> Self {
        GenParams {
            members: 1_000,
            custom_roles: 20,
            env_roles: 5,
            project_roles: 4,
            projects: 10,
            folder_depth: 2,
            folder_fanout: 5,
            groups: 10,
            seed: 42,
        }
    }
}

impl GenParams {
    /// Folders the generator will create: `projects × Σ_{d=1..depth} fanout^d`.
    pub fn folder_count(&self) -> usize {
        let mut per_project = 0usize;
        let mut level = 1usize;
        for _ in 0..self.folder_depth {
            level = level.saturating_mul(self.folder_fanout);
            per_project = per_project.saturating_add(level);
        }
        per_project.saturating_mul(self.projects)
    }
}

const FIRST: &[&str] = &[
    "Ada", "Bram", "Chiara", "Dmitri", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kavya",
    "Lars", "Mei", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sami", "Tove", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zofia",
];
const LAST: &[&str] = &[
    "Abara",
    "Berg",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "Gupta",
    "Halvorsen",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindgren",
    "Moreau",
    "Nakamura",
    "Oduya",
    "Petrov",
    "Quispe",
    "Rossi",
    "Santos",
    "Tanaka",
    "Usman",
    "Varga",
    "Weiss",
    "Yilmaz",
    "Zhou",
];
const AREAS: &[&str] = &[
    "Billing",
    "Payroll",
    "Onboarding",
    "Support",
    "Analytics",
    "Procurement",
    "Logistics",
    "Marketing",
    "Security",
    "Finance",
];

/// A deterministic timestamp between 2019 and 2024 with a Pacific offset.
fn timestamp(rng: &mut fastrand::Rng) -> String {
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}-07:00",
        rng.u32(2019..2025),
        rng.u32(1..13),
        rng.u32(1..29),
        rng.u32(0..24),
        rng.u32(0..60),
        rng.u32(0..60),
        rng.u32(0..1000)
    )
}

fn privileges(rng: &mut fastrand::Rng) -> Privileges {
    let mut map = Privileges::new();
    for (group, perms) in CATALOGUE {
        if rng.u8(0..3) == 0 {
            continue;
        }
        let picked: Vec<String> = perms
            .iter()
            .filter(|_| rng.bool())
            .map(|p| (*p).to_owned())
            .collect();
        let picked = if picked.is_empty() {
            vec![perms.first().copied().unwrap_or("read").to_owned()]
        } else {
            picked
        };
        map.insert((*group).to_owned(), picked);
    }
    map
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        None
    } else {
        items.get(rng.usize(0..items.len()))
    }
}

impl Seed {
    /// A deterministic workspace of the given size (see [`GenParams`]).
    ///
    /// Members hold a role in each environment with probability ~2/3 (system, custom or
    /// environment role; ~1 in 20 entries is `"No access"`); each project root gets a full
    /// folder tree of `folder_depth` levels and `folder_fanout` children per folder; custom
    /// roles reach 1–3 folders; groups hold random members; every project gets a grant to
    /// a member and, when groups exist, one to a group. Linear in the sizes: 20 000 members
    /// and 5 000 folders take milliseconds.
    pub fn generate(params: &GenParams) -> Seed {
        let mut rng = fastrand::Rng::with_seed(params.seed);

        let mut projects = Vec::with_capacity(params.projects);
        let mut folders = Vec::with_capacity(params.folder_count());
        let mut next_folder = 300_000u64;
        for i in 0..params.projects {
            let area = AREAS.get(i % AREAS.len()).copied().unwrap_or("Area");
            let id = 100_000 + i as u64;
            let root = 200_000 + i as u64;
            projects.push(Project {
                id,
                name: format!("{area} Project {}", i + 1),
                description: (i % 2 == 0).then(|| format!("Generated project for {area}")),
                folder_id: root,
                environment_type: "dev".to_owned(),
            });
            // Breadth-first, level by level.
            let mut level = vec![root];
            for depth in 1..=params.folder_depth {
                let mut next_level = Vec::with_capacity(level.len() * params.folder_fanout);
                for parent in &level {
                    for k in 0..params.folder_fanout {
                        let created = timestamp(&mut rng);
                        folders.push(Folder {
                            id: next_folder,
                            name: format!("{area} L{depth} F{}", k + 1),
                            parent_id: Some(*parent),
                            updated_at: created.clone(),
                            created_at: created,
                        });
                        next_level.push(next_folder);
                        next_folder += 1;
                    }
                }
                level = next_level;
            }
        }
        let folder_ids: Vec<u64> = projects
            .iter()
            .map(|p| p.folder_id)
            .chain(folders.iter().map(|f| f.id))
            .collect();

        let custom_roles: Vec<LegacyRole> = (0..params.custom_roles)
            .map(|i| {
                let created = timestamp(&mut rng);
                let n = rng.usize(1..4);
                let mut ids: Vec<u64> = (0..n)
                    .filter_map(|_| pick(&mut rng, &folder_ids).copied())
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                LegacyRole {
                    id: 1 + i as u64,
                    name: format!("Custom Role {}", i + 1),
                    inheritable: rng.bool(),
                    folder_ids: ids,
                    privileges: privileges(&mut rng),
                    updated_at: created.clone(),
                    created_at: created,
                }
            })
            .collect();
        let environment_roles: Vec<EnvironmentRole> = (0..params.env_roles)
            .map(|i| {
                let created = timestamp(&mut rng);
                EnvironmentRole {
                    id: 5_000 + i as u64,
                    name: format!("Environment Role {}", i + 1),
                    role_type: "custom".to_owned(),
                    privileges: privileges(&mut rng),
                    updated_at: created.clone(),
                    created_at: created,
                }
            })
            .collect();
        let project_roles: Vec<ProjectRole> = (0..params.project_roles)
            .map(|i| {
                let created = timestamp(&mut rng);
                ProjectRole {
                    id: if i % 2 == 0 {
                        FakeId::Int(9_000 + i as u64)
                    } else {
                        FakeId::Str(format!("pr-gen-{i}"))
                    },
                    name: format!("Project Role {}", i + 1),
                    role_type: "custom".to_owned(),
                    updated_at: created.clone(),
                    created_at: created,
                }
            })
            .collect();

        let mut members = Vec::with_capacity(params.members);
        for i in 0..params.members {
            let first = FIRST.get(i % FIRST.len()).copied().unwrap_or("Pat");
            let last = LAST
                .get((i / FIRST.len()) % LAST.len())
                .copied()
                .unwrap_or("Doe");
            let mut roles = Vec::new();
            for env in DEFAULT_ENVIRONMENTS {
                if rng.u8(0..3) == 0 {
                    continue;
                }
                let role = match rng.u8(0..20) {
                    0 => MemberRole::privilege_group(env, NO_ACCESS_LISTED),
                    1..=6 => MemberRole::privilege_group(
                        env,
                        pick(&mut rng, &SYSTEM_ROLES).unwrap_or(&"Operator"),
                    ),
                    7..=15 if !custom_roles.is_empty() => {
                        let r =
                            pick(&mut rng, &custom_roles).map_or("Operator", |r| r.name.as_str());
                        MemberRole::privilege_group(env, r)
                    }
                    _ if !environment_roles.is_empty() => {
                        let r = pick(&mut rng, &environment_roles)
                            .map_or("Operator", |r| r.name.as_str());
                        MemberRole::environment(env, r)
                    }
                    _ => MemberRole::privilege_group(env, "Analyst"),
                };
                roles.push(role);
            }
            members.push(FakeMember {
                id: 1_000 + i as u64,
                name: format!("{first} {last}"),
                email: format!(
                    "{}.{}.{i}@gen-workspace.example",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                grant_type: if i % 50 == 0 {
                    "federation_manager"
                } else {
                    "team"
                }
                .to_owned(),
                external_id: (i % 3 == 0).then(|| format!("ext-{i:06}")),
                time_zone: "Pacific Time (US & Canada)".to_owned(),
                created_at: timestamp(&mut rng),
                roles,
            });
        }
        let member_ids: Vec<u64> = members.iter().map(|m| m.id).collect();

        let user_groups: Vec<UserGroup> = (0..params.groups)
            .map(|i| {
                let created = timestamp(&mut rng);
                let n = rng.usize(0..=member_ids.len().min(25));
                let mut ids: Vec<u64> = (0..n)
                    .filter_map(|_| pick(&mut rng, &member_ids).copied())
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                UserGroup {
                    id: format!("am-gen{i:05}"),
                    name: format!("Group {}", i + 1),
                    description: (i % 2 == 0).then(|| "Generated group".to_owned()),
                    members: ids,
                    updated_at: created.clone(),
                    created_at: created,
                }
            })
            .collect();

        let mut project_grants = Vec::new();
        if !project_roles.is_empty() {
            for p in &projects {
                let role =
                    |rng: &mut fastrand::Rng| pick(rng, &project_roles).map(|r| r.id.clone());
                if let (Some(uid), Some(rid)) =
                    (pick(&mut rng, &member_ids).copied(), role(&mut rng))
                {
                    project_grants.push(ProjectGrant {
                        id: format!("pg-{}", project_grants.len() + 1),
                        project_id: p.id,
                        project_role_id: rid,
                        user_id: Some(uid),
                        user_group_id: None,
                    });
                }
                if let (Some(g), Some(rid)) = (pick(&mut rng, &user_groups), role(&mut rng)) {
                    project_grants.push(ProjectGrant {
                        id: format!("pg-{}", project_grants.len() + 1),
                        project_id: p.id,
                        project_role_id: rid,
                        user_id: None,
                        user_group_id: Some(g.id.clone()),
                    });
                }
            }
        }

        Seed {
            members,
            custom_roles,
            environment_roles,
            project_roles,
            projects,
            folders,
            user_groups,
            project_grants,
            ..Seed::empty()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_params_same_seed_other_seed_differs() {
        let p = GenParams::default();
        assert_eq!(Seed::generate(&p), Seed::generate(&p));
        let q = GenParams {
            seed: 7,
            ..p.clone()
        };
        assert_ne!(Seed::generate(&p), Seed::generate(&q));
    }

    #[test]
    fn sizes_follow_params() {
        let p = GenParams {
            members: 2_000,
            projects: 12,
            folder_depth: 2,
            folder_fanout: 4,
            ..GenParams::default()
        };
        let s = Seed::generate(&p);
        assert_eq!(s.members.len(), 2_000);
        assert_eq!(p.folder_count(), 12 * (4 + 16));
        assert_eq!(s.folders.len(), 240);
        assert_eq!(s.custom_roles.len(), 20);
        assert_eq!(s.project_roles.len(), 4);
        assert_eq!(s.user_groups.len(), 10);
    }

    #[test]
    fn references_point_at_existing_things() {
        let s = Seed::generate(&GenParams::default());
        let folder_ids: std::collections::HashSet<u64> = s
            .folders
            .iter()
            .map(|f| f.id)
            .chain(s.projects.iter().map(|p| p.folder_id))
            .collect();
        for f in &s.folders {
            assert!(folder_ids.contains(&f.parent_id.expect("parent")));
        }
        for r in &s.custom_roles {
            assert!(r.folder_ids.iter().all(|id| folder_ids.contains(id)));
        }
        let names: std::collections::HashSet<&str> = s
            .custom_roles
            .iter()
            .map(|r| r.name.as_str())
            .chain(s.environment_roles.iter().map(|r| r.name.as_str()))
            .chain(["Admin", "Analyst", "Operator", NO_ACCESS_LISTED])
            .collect();
        for m in &s.members {
            assert!(m.roles.iter().all(|r| names.contains(r.role_name.as_str())));
        }
        assert_eq!(s.project_grants.len(), 2 * s.projects.len());
    }

    #[test]
    fn large_workspace_is_built() {
        let p = GenParams {
            members: 20_000,
            projects: 50,
            folder_depth: 2,
            folder_fanout: 10,
            ..GenParams::default()
        };
        let s = Seed::generate(&p);
        assert_eq!(s.members.len(), 20_000);
        assert_eq!(s.folders.len(), 5_500);
    }
}
