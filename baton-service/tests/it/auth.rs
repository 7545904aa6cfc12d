//! Credentials and token failures.

use std::sync::Arc;
use std::time::Duration;

use baton_service::fake::{tasks, FakeC1, TokenFault};
use baton_service::{run, Code, ServiceError};

use crate::support::{
    admin_member, init_logs, service_connector, start, user, TestConnector, TestProvisioner, WAIT,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_401_at_startup_is_a_clear_error() {
    init_logs();
    let c1 = FakeC1::start().await.expect("fake");
    c1.set_token_fault(Some(TokenFault::Unauthorized));
    let config = c1.service_config().expect("config");
    let secret_part = format!("{:?}", config.client_secret);
    let result = tokio::time::timeout(
        WAIT,
        run(
            config,
            service_connector(TestConnector::new(0), Arc::new(TestProvisioner::default())),
            std::future::pending(),
        ),
    )
    .await
    .expect("returns");
    let err = result.expect_err("startup fails");
    assert!(err.is_auth(), "{err:?}");
    assert!(
        matches!(&err, ServiceError::Hello { code: Code::Unauthenticated, message } if message == "failed to get token: 401 Unauthorized"),
        "{err:?}"
    );
    assert_eq!(c1.token_requests().len(), 1);
    assert!(c1.hellos().is_empty());
    assert_eq!(secret_part, "ClientSecret(<redacted>)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_token_at_startup_is_unauthenticated() {
    init_logs();
    let c1 = FakeC1::start().await.expect("fake");
    c1.set_token_fault(Some(TokenFault::EmptyToken));
    let result = run(
        c1.service_config().expect("config"),
        service_connector(TestConnector::new(0), Arc::new(TestProvisioner::default())),
        std::future::pending(),
    )
    .await;
    let err = result.expect_err("startup fails");
    assert!(err.to_string().contains("empty access token"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_500_at_startup_is_retried_until_it_works() {
    init_logs();
    let c1 = FakeC1::start().await.expect("fake");
    c1.set_token_fault(Some(TokenFault::ServerError));
    let running = start(
        c1.service_config().expect("config"),
        service_connector(TestConnector::new(0), Arc::new(TestProvisioner::default())),
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    while c1.token_requests().len() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no retry");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    c1.set_token_fault(None);
    c1.wait_for_polls(1, WAIT).await.expect("recovers");
    assert_eq!(c1.hellos().len(), 1);
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_dropped_and_replaced() {
    init_logs();
    let c1 = FakeC1::start().await.expect("fake");
    let running = start(
        c1.service_config().expect("config").provisioning(true),
        service_connector(TestConnector::new(0), Arc::new(TestProvisioner::default())),
    );
    c1.wait_for_polls(2, WAIT).await.expect("polls");
    assert_eq!(c1.token_requests().len(), 1);
    c1.revoke_tokens();
    let id = c1.enqueue(tasks::grant(admin_member(), user("1")));
    assert!(c1
        .wait_for_finish(&id, WAIT)
        .await
        .expect("recovers")
        .is_success());
    assert_eq!(
        c1.token_requests().len(),
        2,
        "one new token after Unauthenticated"
    );
    assert!(c1.rpcs().iter().any(|r| !r.authorized));
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_401_mid_run_backs_off_and_recovers() {
    init_logs();
    let c1 = FakeC1::start().await.expect("fake");
    c1.set_expires_in(0);
    let running = start(
        c1.service_config().expect("config").provisioning(true),
        service_connector(TestConnector::new(0), Arc::new(TestProvisioner::default())),
    );
    c1.wait_for_polls(1, WAIT).await.expect("polls");
    c1.set_token_fault(Some(TokenFault::Unauthorized));
    let deadline = tokio::time::Instant::now() + WAIT;
    while !c1.token_requests().iter().any(|t| t.status == 401) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no failing token request"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    c1.set_token_fault(None);
    let id = c1.enqueue(tasks::grant(admin_member(), user("1")));
    assert!(c1
        .wait_for_finish(&id, WAIT)
        .await
        .expect("recovers")
        .is_success());
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_temp_dir_fails_startup() {
    init_logs();
    let c1 = FakeC1::start().await.expect("fake");
    let config = c1
        .service_config()
        .expect("config")
        .temp_dir(Some("/definitely/not/here".into()));
    let err = run(
        config,
        service_connector(TestConnector::new(0), Arc::new(TestProvisioner::default())),
        std::future::pending(),
    )
    .await
    .expect_err("fails");
    assert!(matches!(err, ServiceError::TempDir { .. }), "{err:?}");
    assert!(c1.token_requests().is_empty());
}
