//! Concurrency, backoff, FinishTask retries and shutdown.

use std::sync::Arc;
use std::time::Duration;

use baton_service::fake::{tasks, Rpc};
use baton_service::Code;
use tokio::sync::Semaphore;

use crate::support::{admin_member, start_with, user, TestConnector, TestProvisioner, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_three_tasks_run_and_no_poll_happens_while_they_do() {
    let hold = Arc::new(Semaphore::new(0));
    let provisioner = Arc::new(TestProvisioner {
        hold: Some(Arc::clone(&hold)),
        ..Default::default()
    });
    let (c1, running) =
        start_with(TestConnector::new(0), provisioner, |c| c.provisioning(true)).await;
    let ids: Vec<String> = (0..5)
        .map(|i| c1.enqueue(tasks::grant(admin_member(), user(&i.to_string()))))
        .collect();
    // Wait until three are handed out, then let the loop run a while: it must not poll.
    let deadline = tokio::time::Instant::now() + WAIT;
    while c1.queued() > 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "three tasks never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let polls_then = c1.polls().len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        c1.polls().len(),
        polls_then,
        "no GetTask while all slots are busy"
    );
    assert_eq!(c1.max_in_flight(), 3);

    hold.add_permits(5);
    for id in &ids {
        assert!(c1
            .wait_for_finish(id, WAIT)
            .await
            .expect("finish")
            .is_success());
    }
    assert_eq!(c1.max_in_flight(), 3, "never more than three");
    assert!(c1.polls().iter().all(|p| p.in_flight <= 3));
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_concurrency_one_runs_tasks_one_by_one() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| {
            c.provisioning(true)
                .task_concurrency(baton_service::TaskConcurrency::new(1).expect("1"))
        },
    )
    .await;
    let ids: Vec<String> = (0..3)
        .map(|i| c1.enqueue(tasks::grant(admin_member(), user(&i.to_string()))))
        .collect();
    for id in &ids {
        c1.wait_for_finish(id, WAIT).await.expect("finish");
    }
    assert_eq!(c1.max_in_flight(), 1);
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_task_unavailable_backs_off_quadratically_then_recovers() {
    crate::support::init_logs();
    let c1 = baton_service::fake::FakeC1::start().await.expect("fake");
    // Scripted before start, so the first three polls fail and the fourth gets the task.
    c1.fail_next(Rpc::GetTask, Code::Unavailable, 3);
    let id = c1.enqueue(tasks::grant(admin_member(), user("1")));
    let running = crate::support::start(
        c1.service_config().expect("config").provisioning(true),
        crate::support::service_connector(
            TestConnector::new(0),
            Arc::new(TestProvisioner::default()),
        ),
    );
    assert!(c1
        .wait_for_finish(&id, WAIT)
        .await
        .expect("recovers")
        .is_success());
    running.stop().await.expect("stops");

    // The three failed polls are the ones right before the poll that handed out the task.
    let polls = c1.polls();
    let got = polls
        .iter()
        .position(|p| p.task_id.as_deref() == Some(id.as_str()))
        .expect("the task was handed out");
    assert_eq!(got, 3);
    assert!(
        polls[got - 3..got].iter().all(|p| p.failed),
        "{:?}",
        &polls[got - 3..got]
    );
    let unit = Duration::from_millis(50); // FakeC1::service_config's backoff unit
    for (k, pair) in polls[got - 3..=got].windows(2).enumerate() {
        let failures = (k + 1) as u32;
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= unit * failures * failures,
            "gap after failure {failures} was {gap:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finish_task_is_retried_after_a_transient_failure() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c.provisioning(true),
    )
    .await;
    c1.fail_next(Rpc::FinishTask, Code::Unavailable, 1);
    let id = c1.enqueue(tasks::grant(admin_member(), user("1")));
    assert!(c1
        .wait_for_finish(&id, WAIT)
        .await
        .expect("finish")
        .is_success());
    let attempts = c1
        .rpcs()
        .iter()
        .filter(|r| r.method == "FinishTask")
        .count();
    assert_eq!(attempts, 2);
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_while_idle_returns_ok() {
    let (c1, running) = start_with(
        TestConnector::new(0),
        Arc::new(TestProvisioner::default()),
        |c| c,
    )
    .await;
    c1.wait_for_polls(2, WAIT).await.expect("polls");
    running.stop().await.expect("Ok after shutdown");
    let polls = c1.polls().len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(c1.polls().len(), polls, "no poll after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_running_provisioning_task_finish() {
    let hold = Arc::new(Semaphore::new(0));
    let provisioner = Arc::new(TestProvisioner {
        hold: Some(Arc::clone(&hold)),
        ..Default::default()
    });
    let (c1, mut running) = start_with(TestConnector::new(0), Arc::clone(&provisioner), |c| {
        c.provisioning(true)
    })
    .await;
    let id = c1.enqueue(tasks::grant(admin_member(), user("1")));
    let deadline = tokio::time::Instant::now() + WAIT;
    // Wait for the connector call itself: a GetTask answer still in flight at shutdown is
    // abandoned, like baton-sdk does.
    while provisioner.calls.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = running.shutdown.take().expect("sender").send(());
    // run() must wait for the grant: release it only after shutdown was requested.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !running.handle.is_finished(),
        "run waits for the running grant"
    );
    hold.add_permits(1);
    running.stop().await.expect("Ok");
    let f = c1.finishes();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].task_id, id);
    assert!(f[0].is_success());
}
