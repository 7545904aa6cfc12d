//! The in-memory grant expansion writes exactly what the reference expansion (through the
//! grants indexes, one query per holder) writes: the same grants, in the same rows, with the
//! same expansion sources and the same data, over the seed workspace and a generated one.

use std::collections::BTreeMap;

use baton_model::c1z::{C1zReader, GrantFilter};
use baton_model::proto::{Grant, GrantImmutable};
use baton_model::sync::{SyncSummary, Syncer};
use workato_api::fake::{GenParams, Seed};
use workato_connector::WorkatoConnector;

use crate::common::connector;

async fn sync(connector: &WorkatoConnector, reference: bool) -> (SyncSummary, Vec<Grant>) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("sync.c1z");
    let summary = Syncer::new(connector)
        .reference_expansion(reference)
        .run(&path)
        .await
        .expect("sync succeeds");
    let grants = C1zReader::open(&path)
        .expect("c1z opens")
        .grants(&GrantFilter::default())
        .expect("grants");
    (summary, grants)
}

fn sources(g: &Grant) -> BTreeMap<&str, bool> {
    g.sources
        .iter()
        .flat_map(|s| s.sources.iter().map(|(k, v)| (k.as_str(), v.is_direct)))
        .collect()
}

/// Syncs `seed` with both expansions and checks that they agree; returns the grants.
async fn both_agree(seed: Seed, scope: &str) -> (SyncSummary, Vec<Grant>) {
    let (_fake, c) = connector(seed, scope).await;
    let (fast, fast_grants) = sync(&c, false).await;
    let (reference, reference_grants) = sync(&c, true).await;
    assert_eq!(fast.grants, reference.grants);
    assert_eq!(fast.expanded_grants, reference.expanded_grants);
    let ids = |gs: &[Grant]| gs.iter().map(|g| g.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&fast_grants),
        ids(&reference_grants),
        "same grant ids in the same rows"
    );
    for (f, r) in fast_grants.iter().zip(&reference_grants) {
        assert_eq!(sources(f), sources(r), "sources of {}", f.id);
        assert_eq!(f, r, "data of {}", f.id);
    }
    (fast, fast_grants)
}

fn immutable(g: &Grant) -> bool {
    g.annotations
        .iter()
        .any(baton_model::proto::is::<GrantImmutable>)
}

/// Expansion did real work (grants created with sources), so agreement is not trivially true.
fn assert_exercised(summary: &SyncSummary, grants: &[Grant]) {
    assert!(summary.expanded_grants > 0, "{summary:?}");
    assert!(grants
        .iter()
        .any(|g| immutable(g) && !sources(g).is_empty()));
}

#[tokio::test]
async fn seed_workspace_expands_like_the_reference() {
    for scope in ["dev", "all"] {
        let (summary, grants) = both_agree(Seed::default_workspace(), scope).await;
        assert_exercised(&summary, &grants);
    }
}

#[tokio::test]
async fn generated_workspace_expands_like_the_reference() {
    let seed = Seed::generate(&GenParams {
        members: 300,
        custom_roles: 12,
        env_roles: 4,
        project_roles: 3,
        projects: 4,
        folder_depth: 2,
        folder_fanout: 3,
        groups: 4,
        seed: 7,
    });
    let (summary, grants) = both_agree(seed, "all").await;
    assert_exercised(&summary, &grants);
    assert!(summary.expanded_grants > 1_000, "{summary:?}");
    // Created grants reached from several sources: the fixpoint's update path ran too.
    assert!(grants.iter().any(|g| sources(g).len() > 1));
}
