//! Full sync: heartbeats, chunked upload with digest, cancellation.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use baton_model::c1z::{C1zReader, ResourceFilter};
use baton_service::fake::{tasks, Rpc};
use baton_service::proto::baton::{SyncFullTask, TaskType};
use baton_service::Code;
use tokio::sync::Semaphore;

use crate::support::{admin_member, start_with, user, TestConnector, TestProvisioner, WAIT};

fn open(bytes: &[u8]) -> (tempfile::TempDir, C1zReader) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("upload.c1z");
    std::fs::write(&path, bytes).expect("write");
    let reader = C1zReader::open(&path).expect("the upload is a c1z our reader opens");
    (dir, reader)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_uploads_a_c1z_in_512_kib_chunks_then_finishes() {
    let mut connector = TestConnector::new(1500);
    connector.padding = 1000;
    let (c1, running) = start_with(connector, Arc::new(TestProvisioner::default()), |c| c).await;
    let id = c1.enqueue(tasks::sync_full());
    let finish = c1.wait_for_finish(&id, WAIT).await.expect("finished");
    assert!(finish.is_success(), "{finish:?}");
    assert!(finish.response.is_none());
    assert!(finish.annotations.is_empty());

    let records = c1.upload_records(&id);
    assert_eq!(records.len(), 1, "exactly one upload");
    let upload = &records[0];
    assert!(upload.accepted && upload.digest_ok);
    assert!(upload.bytes.starts_with(b"C1ZF\x00"));
    assert!(upload.chunk_sizes.len() >= 2, "{:?}", upload.chunk_sizes);
    let (last, full) = upload.chunk_sizes.split_last().expect("chunks");
    assert!(
        full.iter().all(|&n| n == 524_288),
        "{:?}",
        upload.chunk_sizes
    );
    assert!(*last >= 1 && *last <= 524_288);
    assert!(upload.at <= finish.at, "upload before finish");

    let beats = c1.heartbeats(&id);
    assert!(!beats.is_empty(), "an initial heartbeat");
    assert!(beats[0].at <= upload.at);

    let (_dir, reader) = open(&upload.bytes);
    let users = reader
        .resources(&ResourceFilter::of_type("user"))
        .expect("users");
    assert_eq!(users.len(), 1500);
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_resource_type_ids_of_the_task_filter_the_sync() {
    let (c1, running) = start_with(
        TestConnector::new(3),
        Arc::new(TestProvisioner::default()),
        |c| c,
    )
    .await;
    let id = c1.enqueue(tasks::with_type(TaskType::SyncFull(SyncFullTask {
        sync_resource_type_ids: vec!["role".into()],
        ..Default::default()
    })));
    assert!(c1
        .wait_for_finish(&id, WAIT)
        .await
        .expect("finish")
        .is_success());
    let uploads = c1.uploads(&id);
    let (_dir, reader) = open(&uploads[0]);
    assert!(reader
        .resources(&ResourceFilter::of_type("user"))
        .expect("users")
        .is_empty());
    assert_eq!(
        reader
            .resources(&ResourceFilter::of_type("role"))
            .expect("roles")
            .len(),
        1
    );
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_full_sync_uploads_an_empty_sync() {
    let connector = TestConnector::new(3);
    let calls = Arc::clone(&connector.calls);
    let (c1, running) = start_with(connector, Arc::new(TestProvisioner::default()), |c| {
        c.skip_full_sync(true)
    })
    .await;
    let id = c1.enqueue(tasks::sync_full());
    assert!(c1
        .wait_for_finish(&id, WAIT)
        .await
        .expect("finish")
        .is_success());
    let uploads = c1.uploads(&id);
    let (_dir, reader) = open(&uploads[0]);
    assert!(reader.current_sync().is_some(), "one sync run");
    assert!(reader.resource_types().expect("types").is_empty());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the connector is not called"
    );
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_cancel_stops_the_sync_without_upload_and_the_next_task_runs() {
    let mut connector = TestConnector::new(2);
    // The sync hangs in its first resource listing until cancelled.
    connector.hold = Some(Arc::new(Semaphore::new(0)));
    let (c1, running) = start_with(connector, Arc::new(TestProvisioner::default()), |c| {
        c.provisioning(true)
    })
    .await;
    c1.set_next_heartbeat(Duration::from_secs(1));
    c1.set_cancel_after_heartbeats(Some(2));
    let id = c1.enqueue(tasks::sync_full());
    let finish = c1.wait_for_finish(&id, WAIT).await.expect("finish");
    assert!(!finish.is_success());
    assert_eq!(finish.code(), Code::Cancelled);
    assert!(!finish.non_retryable);
    assert_eq!(finish.message, "task was cancelled");
    assert!(c1.upload_records(&id).is_empty(), "no upload");
    let beats = c1.heartbeats(&id);
    assert_eq!(beats.len(), 2, "heartbeats stop after the cancel");
    assert!(beats[1].cancelled);

    let next = c1.enqueue(tasks::grant(admin_member(), user("9")));
    assert!(c1
        .wait_for_finish(&next, WAIT)
        .await
        .expect("finish")
        .is_success());
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_initial_heartbeat_means_no_upload_and_no_finish() {
    let connector = TestConnector::new(2);
    let calls = Arc::clone(&connector.calls);
    let (c1, running) = start_with(connector, Arc::new(TestProvisioner::default()), |c| {
        c.provisioning(true)
    })
    .await;
    c1.set_cancel_after_heartbeats(Some(1));
    let id = c1.enqueue(tasks::sync_full());
    c1.wait_for_heartbeats(&id, 1, WAIT)
        .await
        .expect("heartbeat");
    // A later task finishing shows the loop went on; by then the sync's handler is done.
    let next = c1.enqueue(tasks::grant(admin_member(), user("9")));
    c1.wait_for_finish(&next, WAIT)
        .await
        .expect("next finishes");
    running.stop().await.expect("stops");
    assert!(
        c1.finishes().iter().all(|f| f.task_id != id),
        "no FinishTask"
    );
    assert!(c1.upload_records(&id).is_empty());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the connector is never called"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_failing_once_is_retried() {
    let (c1, running) = start_with(
        TestConnector::new(5),
        Arc::new(TestProvisioner::default()),
        |c| c,
    )
    .await;
    c1.fail_next(Rpc::UploadAsset, Code::Unavailable, 1);
    let id = c1.enqueue(tasks::sync_full());
    let finish = c1.wait_for_finish(&id, WAIT).await.expect("finish");
    assert!(finish.is_success(), "{finish:?}");
    let records = c1.upload_records(&id);
    assert_eq!(records.len(), 2);
    assert!(!records[0].accepted);
    assert!(records[1].accepted && records[1].digest_ok);
    assert_eq!(records[0].bytes, records[1].bytes, "resent from the start");
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_failing_every_time_finishes_with_a_retryable_error() {
    let (c1, running) = start_with(
        TestConnector::new(5),
        Arc::new(TestProvisioner::default()),
        |c| c,
    )
    .await;
    c1.fail_next(Rpc::UploadAsset, Code::Unavailable, 3);
    let id = c1.enqueue(tasks::sync_full());
    let finish = c1.wait_for_finish(&id, WAIT).await.expect("finish");
    assert!(!finish.is_success());
    assert!(!finish.non_retryable);
    assert!(
        finish.message.starts_with("uploading the sync failed"),
        "{}",
        finish.message
    );
    assert_eq!(c1.upload_records(&id).len(), 3);
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_during_a_sync_cancels_it_cleanly() {
    let mut connector = TestConnector::new(2);
    let hold = Arc::new(Semaphore::new(0));
    connector.hold = Some(Arc::clone(&hold));
    let (c1, running) = start_with(connector, Arc::new(TestProvisioner::default()), |c| c).await;
    let id = c1.enqueue(tasks::sync_full());
    c1.wait_for_heartbeats(&id, 1, WAIT).await.expect("started");
    running.stop().await.expect("shutdown returns Ok");
    assert!(c1.upload_records(&id).is_empty(), "nothing uploaded");
    assert!(
        c1.finishes().is_empty(),
        "the sync is left for C1 to re-queue"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_initial_heartbeat_leaves_the_task_to_c1() {
    let (c1, running) = start_with(
        TestConnector::new(2),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true),
    )
    .await;
    c1.fail_next(Rpc::Heartbeat, Code::Unavailable, 1);
    let id = c1.enqueue(tasks::sync_full());
    let next = c1.enqueue(tasks::grant(admin_member(), user("9")));
    c1.wait_for_finish(&next, WAIT)
        .await
        .expect("next finishes");
    // The sync handler gives up right after its one heartbeat attempt.
    let deadline = tokio::time::Instant::now() + WAIT;
    while !c1.rpcs().iter().any(|r| r.method == "Heartbeat") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no heartbeat attempt"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.stop().await.expect("stops");
    assert!(c1.finishes().iter().all(|f| f.task_id != id));
    assert!(c1.upload_records(&id).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sync_finishes_with_the_classified_code_and_no_upload() {
    crate::support::init_logs();
    let c1 = baton_service::fake::FakeC1::start().await.expect("fake");
    let mut connector = TestConnector::new(2);
    connector.fail_users = Some("HTTP 503 from GET /users".into());
    let service =
        crate::support::service_connector(connector, Arc::new(TestProvisioner::default()))
            // The classifier sees the connector's own error type, not only its text.
            .error_code(|err| {
                err.downcast_ref::<crate::support::TestError>()
                    .map(|_| Code::Unavailable)
            });
    let running = crate::support::start(c1.service_config().expect("config"), service);
    let id = c1.enqueue(tasks::sync_full());
    let finish = c1.wait_for_finish(&id, WAIT).await.expect("finish");
    assert!(!finish.is_success());
    assert_eq!(finish.code(), Code::Unavailable);
    assert!(!finish.non_retryable, "a failed sync may be retried");
    assert!(
        finish.message.contains("HTTP 503 from GET /users"),
        "{}",
        finish.message
    );
    assert!(c1.upload_records(&id).is_empty());
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nine_failed_heartbeats_give_the_sync_up() {
    let mut connector = TestConnector::new(2);
    connector.hold = Some(Arc::new(Semaphore::new(0)));
    let (c1, running) = start_with(connector, Arc::new(TestProvisioner::default()), |c| c).await;
    c1.set_next_heartbeat(Duration::from_secs(1));
    let id = c1.enqueue(tasks::sync_full());
    c1.wait_for_heartbeats(&id, 1, WAIT)
        .await
        .expect("initial heartbeat");
    c1.fail_next(Rpc::Heartbeat, Code::Unavailable, 100);
    let finish = c1.wait_for_finish(&id, WAIT).await.expect("finish");
    assert_eq!(finish.code(), Code::Cancelled);
    assert_eq!(finish.message, "task failed heartbeat");
    assert!(!finish.non_retryable);
    let attempts = c1.rpcs().iter().filter(|r| r.method == "Heartbeat").count();
    assert_eq!(
        attempts, 10,
        "the initial one and nine failures; no tenth failure"
    );
    assert!(c1.upload_records(&id).is_empty());
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_options_of_the_task_are_honoured() {
    let (c1, running) = start_with(
        TestConnector::new(3),
        Arc::new(TestProvisioner::default()),
        |c| c,
    )
    .await;
    let no_grants = c1.enqueue(tasks::with_type(TaskType::SyncFull(SyncFullTask {
        skip_grants: true,
        ..Default::default()
    })));
    let resources_only = c1.enqueue(tasks::with_type(TaskType::SyncFull(SyncFullTask {
        skip_entitlements_and_grants: true,
        ..Default::default()
    })));
    let full = c1.enqueue(tasks::sync_full());
    for id in [&no_grants, &resources_only, &full] {
        assert!(c1
            .wait_for_finish(id, WAIT)
            .await
            .expect("finish")
            .is_success());
    }
    let counts = |id: &str| {
        let (_dir, reader) = open(&c1.uploads(id)[0]);
        let stats = reader.stats().expect("stats");
        (
            stats.resources.values().sum::<u64>(),
            stats.entitlements,
            stats.grants,
        )
    };
    let (r, e, g) = counts(&full);
    assert_eq!((r, e, g), (4, 1, 1), "the full sync has everything");
    assert_eq!(counts(&no_grants), (4, 1, 0));
    assert_eq!(counts(&resources_only), (4, 0, 0));
    running.stop().await.expect("stops");
}
