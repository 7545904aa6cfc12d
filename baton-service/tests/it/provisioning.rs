//! Grant, revoke, create account, delete resource; the provisioning gate; malformed and
//! unsupported tasks.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use baton_model::model::ids::resource_id;
use baton_model::model::GrantBuilder;
use baton_model::proto::{Email, GrantAlreadyExists, GrantAlreadyRevoked};
use baton_service::fake::{tasks, FinishRecord};
use baton_service::proto::baton::{GrantTask, TaskType};
use baton_service::proto::connector::{
    create_account_response, AccountInfo, CreateAccountResponse, DeleteResourceResponse,
    GrantManagerServiceGrantResponse, GrantManagerServiceRevokeResponse,
};
use baton_service::{Code, NON_RETRYABLE_SUFFIX};

use crate::support::{admin_member, start_with, user, TestConnector, TestProvisioner, WAIT};

const GRANT_ID: &str = "role:admin:member:user:7";

fn assert_non_retryable(f: &FinishRecord, code: Code, message: &str) {
    assert!(!f.is_success(), "{f:?}");
    assert_eq!(f.code(), code, "{f:?}");
    assert!(f.non_retryable, "{f:?}");
    assert_eq!(f.message, format!("{message}\n{NON_RETRYABLE_SUFFIX}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_then_repeat_grant_report_the_grant_and_already_exists() {
    let provisioner = Arc::new(TestProvisioner::default());
    let (c1, running) = start_with(TestConnector::new(0), Arc::clone(&provisioner), |c| {
        c.provisioning(true)
    })
    .await;
    let first = c1.enqueue(tasks::grant(admin_member(), user("7")));
    let f = c1.wait_for_finish(&first, WAIT).await.expect("finish");
    assert!(f.is_success(), "{f:?}");
    assert_eq!(
        f.response_type(),
        Some("c1.connector.v2.GrantManagerServiceGrantResponse")
    );
    let response: GrantManagerServiceGrantResponse = f.response_as().expect("decodes");
    assert_eq!(response.grants.len(), 1);
    assert_eq!(response.grants[0].id, GRANT_ID);
    assert!(f.annotations.is_empty());

    let again = c1.enqueue(tasks::grant(admin_member(), user("7")));
    let f = c1.wait_for_finish(&again, WAIT).await.expect("finish");
    assert!(f.is_success());
    let response: GrantManagerServiceGrantResponse = f.response_as().expect("decodes");
    assert!(response.grants.is_empty());
    assert!(
        f.has_annotation::<GrantAlreadyExists>(),
        "in success.annotations"
    );
    assert!(
        response
            .annotations
            .iter()
            .any(|a| a.type_url.ends_with("/c1.connector.v2.GrantAlreadyExists")),
        "and in the response"
    );
    assert_eq!(provisioner.calls.load(Ordering::SeqCst), 2);
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_provisioning_every_write_task_is_refused_without_a_call() {
    let provisioner = Arc::new(TestProvisioner::default());
    let (c1, running) = start_with(TestConnector::new(0), Arc::clone(&provisioner), |c| c).await;
    let grant = GrantBuilder::new(&admin_member(), user("7").id.as_ref().expect("id"))
        .build()
        .expect("grant");
    let ids = [
        c1.enqueue(tasks::grant(admin_member(), user("7"))),
        c1.enqueue(tasks::revoke(grant)),
        c1.enqueue(tasks::create_account(AccountInfo {
            emails: vec![Email {
                address: "a@example.com".into(),
                is_primary: true,
            }],
            ..Default::default()
        })),
        c1.enqueue(tasks::delete_resource(resource_id("user", "0"))),
    ];
    for id in ids {
        let f = c1.wait_for_finish(&id, WAIT).await.expect("finish");
        assert_non_retryable(&f, Code::FailedPrecondition, "provisioning is not enabled");
    }
    assert_eq!(
        provisioner.calls.load(Ordering::SeqCst),
        0,
        "no connector call"
    );
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_and_repeat_revoke() {
    let provisioner = Arc::new(TestProvisioner::holding(&[GRANT_ID]));
    let (c1, running) =
        start_with(TestConnector::new(0), provisioner, |c| c.provisioning(true)).await;
    let grant = GrantBuilder::new(&admin_member(), user("7").id.as_ref().expect("id"))
        .build()
        .expect("grant");
    let first = c1.enqueue(tasks::revoke(grant.clone()));
    let f = c1.wait_for_finish(&first, WAIT).await.expect("finish");
    assert!(f.is_success());
    assert_eq!(
        f.response_type(),
        Some("c1.connector.v2.GrantManagerServiceRevokeResponse")
    );
    assert!(f.annotations.is_empty());

    let again = c1.enqueue(tasks::revoke(grant));
    let f = c1.wait_for_finish(&again, WAIT).await.expect("finish");
    assert!(f.is_success());
    assert!(f.has_annotation::<GrantAlreadyRevoked>());
    let response: GrantManagerServiceRevokeResponse = f.response_as().expect("decodes");
    assert_eq!(response.annotations.len(), 1);
    running.stop().await.expect("stops");
}

fn account(email: &str) -> AccountInfo {
    AccountInfo {
        emails: vec![Email {
            address: email.into(),
            is_primary: true,
        }],
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_account_success_action_required_and_error() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true),
    )
    .await;
    let created = c1.enqueue(tasks::create_account(account("new@example.com")));
    let invited = c1.enqueue(tasks::create_account(account("x@invite.example")));
    let refused = c1.enqueue(tasks::create_account(account("x@refuse.example")));
    let existing = c1.enqueue(tasks::create_account(account("x@exists.example")));

    let f = c1.wait_for_finish(&created, WAIT).await.expect("finish");
    assert_eq!(
        f.response_type(),
        Some("c1.connector.v2.CreateAccountResponse")
    );
    let response: CreateAccountResponse = f.response_as().expect("decodes");
    let Some(create_account_response::Result::Success(ok)) = response.result else {
        panic!("success expected: {response:?}");
    };
    assert!(ok.is_create_account_result);
    assert_eq!(
        ok.resource.and_then(|r| r.id).map(|id| id.resource),
        Some("new@example.com".to_string())
    );

    let f = c1.wait_for_finish(&invited, WAIT).await.expect("finish");
    let response: CreateAccountResponse = f.response_as().expect("decodes");
    assert!(matches!(
        response.result,
        Some(create_account_response::Result::ActionRequired(ref a))
            if a.message == "the invitee must accept the email"
    ));

    let f = c1.wait_for_finish(&existing, WAIT).await.expect("finish");
    let response: CreateAccountResponse = f.response_as().expect("decodes");
    assert!(matches!(
        response.result,
        Some(create_account_response::Result::AlreadyExists(ref a)) if a.is_create_account_result
    ));

    let f = c1.wait_for_finish(&refused, WAIT).await.expect("finish");
    assert_non_retryable(
        &f,
        Code::Unknown,
        "the test provisioner refused: address not allowed",
    );
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_resource_reports_a_delete_response() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true),
    )
    .await;
    for rid in ["0", "gone"] {
        let id = c1.enqueue(tasks::delete_resource(resource_id("user", rid)));
        let f = c1.wait_for_finish(&id, WAIT).await.expect("finish");
        assert!(f.is_success(), "{f:?}");
        assert_eq!(
            f.response_type(),
            Some("c1.connector.v2.DeleteResourceResponse")
        );
        let _: DeleteResourceResponse = f.response_as().expect("decodes");
    }
    let empty = c1.enqueue(tasks::delete_resource(resource_id("user", "")));
    let f = c1.wait_for_finish(&empty, WAIT).await.expect("finish");
    assert_non_retryable(&f, Code::Unknown, "malformed delete resource task");
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_tasks_are_non_retryable() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true),
    )
    .await;
    let no_principal = c1.enqueue(tasks::with_type(TaskType::Grant(GrantTask {
        entitlement: Some(admin_member()),
        ..Default::default()
    })));
    let no_grant = c1.enqueue(tasks::with_type(TaskType::Revoke(Default::default())));
    let no_info = c1.enqueue(tasks::with_type(
        TaskType::CreateAccount(Default::default()),
    ));
    let f = c1
        .wait_for_finish(&no_principal, WAIT)
        .await
        .expect("finish");
    assert_non_retryable(&f, Code::Unknown, "malformed grant task");
    let f = c1.wait_for_finish(&no_grant, WAIT).await.expect("finish");
    assert_non_retryable(&f, Code::Unknown, "invalid task type");
    let f = c1.wait_for_finish(&no_info, WAIT).await.expect("finish");
    assert_non_retryable(&f, Code::Unknown, "malformed create account task");
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_and_ticket_tasks_get_the_retryable_unknown_answer() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true).ticketing(true),
    )
    .await;
    let feed = c1.enqueue(tasks::event_feed());
    let unknown = c1.enqueue_raw(tasks::unknown_type_bytes(999));
    let ticket = c1.enqueue(tasks::with_type(TaskType::GetTicket(Default::default())));
    for (id, message) in [
        (feed, "unsupported task type"),
        (unknown, "unsupported task type"),
        (ticket, "ticketing is not enabled"),
    ] {
        let f = c1.wait_for_finish(&id, WAIT).await.expect("finish");
        assert!(!f.is_success());
        assert_eq!(f.code(), Code::Unknown);
        assert!(!f.non_retryable);
        assert_eq!(f.message, message);
        assert!(f.annotations.is_empty());
    }
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_hello_task_sends_hello_and_no_finish() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true),
    )
    .await;
    let hello = c1.enqueue(tasks::hello());
    let next = c1.enqueue(tasks::grant(admin_member(), user("1")));
    c1.wait_for_finish(&next, WAIT).await.expect("finish");
    running.stop().await.expect("stops");
    let hellos = c1.hellos();
    assert!(
        hellos.iter().any(|h| h.request.task_id == hello),
        "{hellos:?}"
    );
    assert!(c1.finishes().iter().all(|f| f.task_id != hello));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_provisioner_is_reported_and_the_loop_goes_on() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true),
    )
    .await;
    let bad = c1.enqueue(tasks::grant(admin_member(), user("panic")));
    let f = c1.wait_for_finish(&bad, WAIT).await.expect("finish");
    assert_eq!(f.code(), Code::Internal);
    assert_eq!(f.message, "the task handler panicked");
    let next = c1.enqueue(tasks::grant(admin_member(), user("2")));
    assert!(c1
        .wait_for_finish(&next, WAIT)
        .await
        .expect("finish")
        .is_success());
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_resource_and_rotate_credentials_are_unimplemented() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true),
    )
    .await;
    let create = c1.enqueue(tasks::with_type(TaskType::CreateResource(
        baton_service::proto::baton::CreateResourceTask {
            resource: Some(user("5")),
        },
    )));
    let rotate = c1.enqueue(tasks::with_type(TaskType::RotateCredentials(
        baton_service::proto::baton::RotateCredentialsTask {
            resource_id: Some(resource_id("user", "5")),
            credential_options: None,
        },
    )));
    let f = c1.wait_for_finish(&create, WAIT).await.expect("finish");
    assert_non_retryable(
        &f,
        Code::Unimplemented,
        "resource type does not have resource manager configured",
    );
    let f = c1.wait_for_finish(&rotate, WAIT).await.expect("finish");
    assert_non_retryable(
        &f,
        Code::Unimplemented,
        "resource type does not have credential manager configured",
    );
    running.stop().await.expect("stops");
}
