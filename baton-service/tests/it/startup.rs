//! Startup: token, Hello, polling cadence, token reuse, host override.

use std::sync::Arc;

use baton_service::fake::{FAKE_AUDIENCE, FAKE_CLIENT_ID, FAKE_HOST_ID};

use crate::support::{start_with, TestConnector, TestProvisioner, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_fetches_one_token_says_hello_and_polls() {
    let (c1, running) = start_with(
        TestConnector::new(1),
        Arc::new(TestProvisioner::default()),
        |c| c,
    )
    .await;
    c1.wait_for_polls(5, WAIT).await.expect("polls");

    let tokens = c1.token_requests();
    assert_eq!(tokens.len(), 1, "one token for the whole run");
    let t = &tokens[0];
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(t.status, 200);
    assert_eq!(
        t.version, "HTTP/2.0",
        "the token POST negotiates h2 like Go"
    );
    assert_eq!(t.client_id, FAKE_CLIENT_ID);
    assert!(t
        .content_type
        .starts_with("application/x-www-form-urlencoded"));
    assert!(
        t.user_agent.starts_with("baton-c1-credential-provider "),
        "{}",
        t.user_agent
    );
    // The audience is the client id's host, not the 127.0.0.1:<port> override.
    assert_eq!(t.claims["aud"], FAKE_AUDIENCE);
    assert_eq!(t.claims["iss"], FAKE_CLIENT_ID);
    assert_eq!(t.claims["sub"], FAKE_CLIENT_ID);

    let hellos = c1.hellos();
    assert_eq!(hellos.len(), 1);
    let hello = &hellos[0];
    assert!(hello.problems.is_empty(), "{:?}", hello.problems);
    assert_eq!(hello.request.task_id, "");
    assert_eq!(hello.request.host_id, FAKE_HOST_ID);
    let build = hello.request.build_info.as_ref().expect("build info");
    assert!(build.lang_version.starts_with("rustc "), "{build:?}");
    assert_eq!(build.package, "baton-service");
    let metadata = hello.request.connector_metadata.as_ref().expect("metadata");
    assert_eq!(metadata.display_name, "Test connector");

    let polls = c1.polls();
    assert!(polls.iter().all(|p| p.host_id == FAKE_HOST_ID));
    assert!(polls[0].at >= hello.at, "Hello comes before the first poll");

    let rpcs = c1.rpcs();
    assert!(
        rpcs.iter().all(|r| r.authorized),
        "every RPC carries the token"
    );
    assert!(
        rpcs.iter()
            .all(|r| r.user_agent.starts_with("test-client baton-service/")),
        "{:?}",
        rpcs[0].user_agent
    );
    assert!(
        rpcs.iter().all(|r| r.timeout.is_some()),
        "unary calls have deadlines"
    );

    running.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expiring_within_the_margin_is_fetched_for_every_call() {
    crate::support::init_logs();
    let c1 = baton_service::fake::FakeC1::start().await.expect("fake");
    // 5 s is inside the 10 s refresh margin: every RPC needs a new token.
    c1.set_expires_in(5);
    let config = c1.service_config().expect("config");
    let running = crate::support::start(
        config,
        crate::support::service_connector(
            TestConnector::new(0),
            Arc::new(TestProvisioner::default()),
        ),
    );
    c1.wait_for_polls(4, WAIT).await.expect("polls");
    running.stop().await.expect("stops");
    let rpcs = c1.rpcs().len();
    let tokens = c1.token_requests().len();
    assert_eq!(tokens, rpcs, "one token per RPC");
    let distinct: std::collections::BTreeSet<_> = c1
        .token_requests()
        .iter()
        .map(|t| t.header["nonce"].to_string())
        .collect();
    assert_eq!(distinct.len(), tokens, "a fresh nonce per assertion");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lowercase_bearer_token_type_is_normalised() {
    crate::support::init_logs();
    let c1 = baton_service::fake::FakeC1::start().await.expect("fake");
    c1.set_token_type("bearer");
    let running = crate::support::start(
        c1.service_config().expect("config"),
        crate::support::service_connector(
            TestConnector::new(0),
            Arc::new(TestProvisioner::default()),
        ),
    );
    c1.wait_for_polls(2, WAIT).await.expect("polls");
    assert!(c1.rpcs().iter().all(|r| r.authorized));
    running.stop().await.expect("stops");
}
