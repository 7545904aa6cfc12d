//! API cost grows with pages and folders, not members
//! (docs/decisions.md#d1-no-per-member-privilege-calls): exact per-endpoint counts.

use std::collections::{BTreeMap, BTreeSet};

use workato_api::fake::{GenParams, Seed};
use workato_connector::snapshot::folder_walk::{ACROSS_ROOTS_LEAVES, FIRST_ROOT_LEAVES};

use crate::common::{connector, walk};

/// Pages of a listing of `n` items at 100 a page: a short (possibly empty) page ends it.
fn pages(n: usize) -> u64 {
    (n / 100 + 1) as u64
}

/// What the connector must ask for `seed` in `dev`, derived from the seed alone.
fn expected(seed: &Seed) -> BTreeMap<String, u64> {
    let mut children: BTreeMap<u64, usize> = BTreeMap::new();
    for f in &seed.folders {
        if let Some(p) = f.parent_id {
            *children.entry(p).or_default() += 1;
        }
    }
    let folder_ids = seed
        .projects
        .iter()
        .map(|p| p.folder_id)
        .chain(seed.folders.iter().map(|f| f.id));
    // Flat trees (one level below each root) are read with one nested listing per project,
    // after checks on the first tree (its root and sampled folders) and on sampled folders
    // of the others (see `folder_walk`).
    assert!(
        seed.folders.iter().all(|f| f
            .parent_id
            .is_some_and(|p| seed.projects.iter().any(|r| r.folder_id == p))),
        "the cost model below is for flat trees"
    );
    let roots = seed.projects.len();
    let first_children = children
        .get(&seed.projects[0].folder_id)
        .copied()
        .unwrap_or(0);
    let folder_calls = (roots
        + 1
        + first_children.min(FIRST_ROOT_LEAVES)
        + (seed.folders.len() - first_children).min(ACROSS_ROOTS_LEAVES))
        as u64;
    // The per-folder walk would list every folder (roots included) once per page.
    let walk_calls: u64 = folder_ids
        .map(|id| pages(children.get(&id).copied().unwrap_or(0)))
        .sum();
    assert!(folder_calls * 5 < walk_calls);
    let grant_calls: u64 = seed
        .projects
        .iter()
        .map(|p| {
            pages(
                seed.project_grants
                    .iter()
                    .filter(|g| g.project_id == p.id)
                    .count(),
            )
        })
        .sum();
    let env_names: BTreeSet<&str> = seed
        .environment_roles
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let held_env_roles: BTreeSet<&str> = seed
        .members
        .iter()
        .flat_map(|m| &m.roles)
        .filter(|r| {
            r.environment_type == "dev"
                && r.role_type == "environment"
                && env_names.contains(r.role_name.as_str())
        })
        .map(|r| r.role_name.as_str())
        .collect();
    let mut e = BTreeMap::new();
    let mut put = |k: &str, v: u64| {
        e.insert(k.to_owned(), v);
    };
    put("GET /api/members", 1);
    put("GET /api/roles", pages(seed.custom_roles.len()));
    put(
        "GET /api/environment_roles",
        pages(seed.environment_roles.len()),
    );
    put("GET /api/projects", pages(seed.projects.len()));
    put("GET /api/project_roles", pages(seed.project_roles.len()));
    put("GET /api/user_groups", pages(seed.user_groups.len()));
    put(
        "GET /api/user_groups/:id/members",
        seed.user_groups
            .iter()
            .map(|g| pages(g.members.len()))
            .sum(),
    );
    put("GET /api/folders", folder_calls);
    put("GET /api/projects/:id/project_grants", grant_calls);
    put(
        "GET /api/members/:id/privileges",
        held_env_roles.len() as u64,
    );
    e.retain(|_, v| *v > 0);
    e
}

fn params(members: usize) -> GenParams {
    GenParams {
        members,
        custom_roles: 50,
        env_roles: 20,
        project_roles: 4,
        projects: 20,
        folder_depth: 1,
        folder_fanout: 15,
        groups: 10,
        seed: 7,
    }
}

async fn cost(members: usize) -> BTreeMap<String, u64> {
    let seed = Seed::generate(&params(members));
    assert_eq!(seed.folders.len(), 300);
    let want = expected(&seed);
    let (fake, c) = connector(seed, "dev").await;
    let (resources, _ents, _grants) = walk(&c).await;
    assert!(resources > members, "walked {resources} resources");
    let got = fake.requests();
    assert_eq!(got, want, "per-endpoint request counts");
    got
}

#[tokio::test]
async fn cost_does_not_grow_with_members() {
    let small = cost(2_000).await;
    let total: u64 = small.values().sum();
    assert!(total < 400, "{total} requests");
    // Legacy roles never need /privileges; environment roles at most once each.
    assert!(
        small
            .get("GET /api/members/:id/privileges")
            .copied()
            .unwrap_or(0)
            <= 20
    );
    // 20 nested listings + 1 + 6 + 8 checks (a per-folder walk: 320).
    assert_eq!(small["GET /api/folders"], 35);
    assert_eq!(small["GET /api/projects/:id/project_grants"], 20);

    let large = cost(20_000).await;
    assert_eq!(large, small, "10x the members, the same calls");
}
