//! Folder trees through `with_nested_folders` where the fake supports it, and the per-folder
//! walk where it ignores the parameter or truncates the nested result: the synced folders
//! are the same in every case, only the number of calls differs.

use std::collections::BTreeSet;

use workato_api::fake::{FakeWorkato, GenParams, NestedFolders, Seed};
use workato_connector::snapshot::folder_walk::{ACROSS_ROOTS_LEAVES, FIRST_ROOT_LEAVES};
use workato_connector::WorkatoConnector;

use crate::common::{client, config, dump, sync_to_c1z};

fn seed(depth: usize) -> Seed {
    Seed::generate(&GenParams {
        members: 30,
        custom_roles: 3,
        env_roles: 2,
        project_roles: 2,
        projects: 4,
        folder_depth: depth,
        folder_fanout: 3,
        groups: 2,
        seed: 11,
    })
}

/// `(folder, parent)` of every seed folder: what a sync must contain.
fn expected(seed: &Seed) -> BTreeSet<(String, String)> {
    seed.folders
        .iter()
        .map(|f| {
            (
                f.id.to_string(),
                f.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

/// Syncs `seed` with the fake answering nested listings as `behaviour`; returns the synced
/// `(folder, parent)` pairs below project roots, the rendered c1z and the folder calls.
async fn sync(seed: Seed, behaviour: NestedFolders) -> (BTreeSet<(String, String)>, String, u64) {
    let roots: BTreeSet<String> = seed
        .projects
        .iter()
        .map(|p| p.folder_id.to_string())
        .collect();
    let fake = FakeWorkato::start(seed).await.expect("fake");
    fake.set_nested_folders(behaviour);
    let c = WorkatoConnector::new(client(&fake, None), config("dev"));
    let dir = tempfile::tempdir().expect("tmp");
    let d = dump(&sync_to_c1z(&c, dir.path()).await);
    let folders = d
        .resources
        .iter()
        .filter_map(|r| {
            let id = r.id.as_ref()?;
            let parent = r.parent_resource_id.as_ref()?;
            (id.resource_type == "folder" && parent.resource_type == "folder")
                .then(|| (id.resource.clone(), parent.resource.clone()))
        })
        .filter(|(id, _)| !roots.contains(id))
        .collect();
    (folders, d.render(), fake.request_count("GET /api/folders"))
}

#[tokio::test]
async fn supported_nested_listing_costs_a_call_per_project() {
    let s = seed(3);
    let want = expected(&s);
    assert_eq!(want.len(), 4 * (3 + 9 + 27));
    let (walked, walked_dump, walk_calls) = sync(s.clone(), NestedFolders::Ignored).await;
    let (nested, nested_dump, nested_calls) = sync(s, NestedFolders::Supported).await;
    assert_eq!(walked, want);
    assert_eq!(nested, want);
    assert_eq!(nested_dump, walked_dump, "both paths write the same c1z");
    // 4 nested listings plus the checks on the first tree (root, last parent, sampled
    // childless folders); the walk lists every folder, roots included.
    assert!(
        nested_calls <= 4 + 2 + FIRST_ROOT_LEAVES as u64,
        "{nested_calls}"
    );
    assert!(walk_calls >= 4 + want.len() as u64, "{walk_calls}");
}

#[tokio::test]
async fn ignored_parameter_falls_back_to_the_walk_and_loses_nothing() {
    let s = seed(2);
    let want = expected(&s);
    let (folders, _, calls) = sync(s, NestedFolders::Ignored).await;
    assert_eq!(folders, want);
    // The probe showed only the first root's children; a sampled child had children of its
    // own, so every folder was listed.
    assert!(calls > want.len() as u64, "{calls}");
}

#[tokio::test]
async fn truncated_nested_listing_falls_back_and_loses_nothing() {
    let s = seed(3);
    let want = expected(&s);
    // Breadth first: the first root's 3 children, then only 2 of the first child's 3.
    let (folders, _, calls) = sync(s, NestedFolders::Truncated { max: 5 }).await;
    assert_eq!(folders, want);
    assert!(calls > want.len() as u64, "{calls}");
    // Cut at a depth instead (the first two levels: 12 of the 39 folders).
    let s = seed(3);
    let (folders, _, _) = sync(s, NestedFolders::Truncated { max: 12 }).await;
    assert_eq!(folders, want);
}

#[tokio::test]
async fn flat_trees_are_listed_nested_even_when_the_parameter_is_ignored() {
    // One level below each root: a listing of the root is the whole tree either way; the
    // sampled childless folders (first tree, then spread over the others) prove it.
    let s = seed(1);
    let want = expected(&s);
    for behaviour in [NestedFolders::Ignored, NestedFolders::Supported] {
        let (folders, _, calls) = sync(s.clone(), behaviour).await;
        assert_eq!(folders, want);
        assert!(
            calls <= 4 + 1 + FIRST_ROOT_LEAVES as u64 + ACROSS_ROOTS_LEAVES as u64,
            "{calls}"
        );
    }
}
