//! Pacing and retries against the fake's rate limiter and injected faults.

use workato_api::fake::{FakeWorkato, Fault, GenParams, Seed};
use workato_connector::WorkatoConnector;

use crate::common::{client, config, dump, sync_to_c1z, walk};

#[tokio::test]
async fn paced_client_is_never_throttled() {
    // The documented 60/min per family, scaled up 100x so the test stays quick; client and
    // fake use the same quota.
    let seed = Seed::generate(&GenParams {
        members: 2_000,
        custom_roles: 50,
        env_roles: 20,
        projects: 20,
        // Two levels: the fake ignores `with_nested_folders` by default, so the connector
        // walks these trees one listing per folder (hundreds of paced calls).
        folder_depth: 2,
        folder_fanout: 4,
        ..GenParams::default()
    });
    let fake = FakeWorkato::start(seed).await.expect("fake");
    fake.set_rate_limit(6_000);
    let api = client(&fake, Some(6_000));
    let c = WorkatoConnector::new(api.clone(), config("dev"));
    let (resources, _, _) = walk(&c).await;
    assert!(resources > 2_000);
    assert!(fake.total_requests() > 300);
    assert_eq!(fake.throttled(), 0);
    assert_eq!(api.stats().rate_limited, 0);
}

#[tokio::test]
async fn sync_survives_bursts_of_429_and_503() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = {
        let fake = FakeWorkato::start(Seed::default_workspace())
            .await
            .expect("fake");
        let c = WorkatoConnector::new(client(&fake, None), config("all"));
        dump(&sync_to_c1z(&c, dir.path()).await).render()
    };

    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .expect("fake");
    // Within the client's 6 attempts per request, on several endpoint families.
    fake.inject_on(
        "GET /api/members",
        Fault::RateLimitBurst {
            count: 3,
            retry_after: None,
        },
    );
    fake.inject_on(
        "GET /api/folders",
        Fault::Status {
            status: 503,
            body: r#"{"message":"Service Unavailable"}"#.into(),
            count: 2,
        },
    );
    fake.inject_on(
        "GET /api/projects/:id/project_grants",
        Fault::Status {
            status: 502,
            body: "bad gateway".into(),
            count: 1,
        },
    );
    fake.inject_on(
        "GET /api/roles",
        Fault::RateLimitBurst {
            count: 1,
            retry_after: Some(1),
        },
    );
    let api = client(&fake, None);
    let c = WorkatoConnector::new(api.clone(), config("all"));
    let faulty = dump(&sync_to_c1z(&c, dir.path()).await).render();
    assert_eq!(fake.throttled(), 4);
    assert!(api.stats().retries >= 7, "{:?}", api.stats());
    assert_eq!(faulty, clean, "faults change nothing in the output");
}
