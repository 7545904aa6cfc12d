//! [`run`]: startup Hello, the poll loop and shutdown (docs/service-mode.md, "Lifecycle").

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use crate::client::BatonClient;
use crate::config::ServiceConfig;
use crate::connector::ServiceConnector;
use crate::error::ServiceError;
use crate::host;
use crate::proto::baton::{HelloRequest, Task, TaskType};
use crate::tasks;
use crate::token::TokenSource;

/// Longest wait between polls, whatever C1 asks for.
const MAX_POLL: Duration = Duration::from_secs(5 * 60);
/// Wait after an empty answer whose `next_poll` is zero (no hot loop).
const EMPTY_POLL_FLOOR: Duration = Duration::from_secs(1);
/// The poll error backoff stops growing at this many units.
const MAX_BACKOFF_UNITS: u32 = 60;
/// The startup Hello backoff stops doubling at this many units.
const MAX_HELLO_BACKOFF_UNITS: u32 = 300;

/// Everything a task handler needs; shared by all tasks.
pub(crate) struct Context {
    pub(crate) client: BatonClient,
    pub(crate) host_id: String,
    pub(crate) config: ServiceConfig,
    pub(crate) connector: ServiceConnector,
    /// Cancelled when shutdown starts: syncs stop, provisioning runs to the end.
    pub(crate) shutdown: CancellationToken,
    hello: HelloRequest,
}

impl Context {
    /// The Hello message for `task_id` (empty at startup).
    pub(crate) fn hello_request(&self, task_id: &str) -> HelloRequest {
        HelloRequest {
            task_id: task_id.to_string(),
            ..self.hello.clone()
        }
    }
}

/// Runs service mode until `shutdown` resolves: Hello, then poll, run and finish tasks.
///
/// On shutdown it stops polling, lets running provisioning tasks finish (they still report
/// with `FinishTask`), cancels a running sync without uploading anything, and returns
/// `Ok(())`.
///
/// # Errors
/// [`ServiceError`] when startup fails: a missing temp dir, TLS setup, or a permanent refusal
/// of the startup Hello (e.g. the token endpoint answers 401).
pub async fn run(
    config: ServiceConfig,
    connector: ServiceConnector,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServiceError> {
    if let Some(dir) = &config.temp_dir {
        match tokio::fs::metadata(dir).await {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(ServiceError::TempDir {
                    path: dir.clone(),
                    source: None,
                })
            }
            Err(source) => {
                return Err(ServiceError::TempDir {
                    path: dir.clone(),
                    source: Some(source),
                })
            }
        }
    }
    let roots = tokio::task::spawn_blocking(crate::token::platform_roots)
        .await
        .unwrap_or_default();
    let tokens = Arc::new(TokenSource::new(&config, roots)?);
    let client = BatonClient::new(&config, tokens)?;
    let host_id = host::host_id(&config);
    let hello = HelloRequest {
        host_id: host_id.clone(),
        task_id: String::new(),
        build_info: Some(host::build_info(&config)),
        os_info: Some(host::os_info()),
        connector_metadata: Some(connector.metadata.clone()),
        annotations: Vec::new(),
    };
    let ctx = Arc::new(Context {
        client,
        host_id,
        config,
        connector,
        shutdown: CancellationToken::new(),
        hello,
    });
    tracing::info!(
        target_host = ctx.config.target_host(),
        host_id = %ctx.host_id,
        client_id = %ctx.config.client_id,
        provisioning = ctx.config.provisioning,
        task_concurrency = ctx.config.task_concurrency.get(),
        "starting service mode"
    );

    tokio::pin!(shutdown);
    tokio::select! {
        result = startup_hello(&ctx) => result?,
        () = &mut shutdown => {
            tracing::info!("shutdown requested before ConductorOne answered Hello");
            return Ok(());
        }
    }

    let mut running = JoinSet::new();
    poll_loop(&ctx, &mut running, shutdown).await;

    ctx.shutdown.cancel();
    if !running.is_empty() {
        tracing::info!(
            running = running.len(),
            "shutting down: waiting for running tasks (syncs are cancelled, provisioning finishes)"
        );
    }
    while running.join_next().await.is_some() {}
    tracing::info!("service mode stopped");
    Ok(())
}

/// Codes that make the startup Hello give up (as baton-sdk's bootstrap does).
fn is_permanent_hello_error(code: Code) -> bool {
    matches!(
        code,
        Code::Unauthenticated
            | Code::PermissionDenied
            | Code::InvalidArgument
            | Code::Unimplemented
            | Code::FailedPrecondition
            | Code::NotFound
    )
}

/// Sends the startup Hello, retrying transient failures with a doubling wait (1 to 300
/// units) and giving up on permanent codes.
async fn startup_hello(ctx: &Context) -> Result<(), ServiceError> {
    let unit = ctx.config.backoff_unit;
    let mut units = 1u32;
    loop {
        match ctx.client.hello(ctx.hello_request("")).await {
            Ok(_) => {
                tracing::info!("ConductorOne accepted Hello");
                return Ok(());
            }
            Err(status) if is_permanent_hello_error(status.code()) => {
                return Err(ServiceError::Hello {
                    code: status.code(),
                    message: status.message().to_string(),
                });
            }
            Err(status) => {
                let wait = unit * units;
                tracing::warn!(
                    code = ?status.code(),
                    error = status.message(),
                    retry_in_ms = wait.as_millis() as u64,
                    "Hello failed; retrying"
                );
                tokio::time::sleep(wait).await;
                units = (units * 2).min(MAX_HELLO_BACKOFF_UNITS);
            }
        }
    }
}

/// The wait after `n` consecutive failed polls: n² units, at most 60 units.
pub(crate) fn poll_backoff(unit: Duration, failures: u32) -> Duration {
    unit * failures.saturating_mul(failures).min(MAX_BACKOFF_UNITS)
}

/// `next_poll` clamped to 0..=5 min; a missing or negative value is 0.
fn next_poll(d: Option<&prost_types::Duration>) -> Duration {
    d.and_then(|d| {
        let secs = u64::try_from(d.seconds).ok()?;
        let nanos = u32::try_from(d.nanos).ok()?;
        Some(Duration::new(secs, nanos.min(999_999_999)))
    })
    .unwrap_or(Duration::ZERO)
    .min(MAX_POLL)
}

/// `true` when the answer carries nothing to run: no task, a `none` task, or a task with
/// neither id nor type (it could not be finished anyway).
fn is_no_task(task: &Option<Task>) -> bool {
    match task {
        None => true,
        Some(t) => {
            matches!(t.task_type, Some(TaskType::None(_)))
                || (t.id.is_empty() && t.task_type.is_none())
        }
    }
}

async fn poll_loop(
    ctx: &Arc<Context>,
    running: &mut JoinSet<()>,
    mut shutdown: std::pin::Pin<&mut impl Future<Output = ()>>,
) {
    let slots = Arc::new(Semaphore::new(ctx.config.task_concurrency.get()));
    let unit = ctx.config.backoff_unit;
    let mut wait = Duration::ZERO;
    let mut failures = 0u32;
    loop {
        while running.try_join_next().is_some() {}
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = &mut shutdown => return,
        }
        // A slot first, so a task is only claimed when it can start at once.
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
            () = &mut shutdown => return,
        };
        let answer = tokio::select! {
            answer = ctx.client.get_task(&ctx.host_id) => answer,
            () = &mut shutdown => return,
        };
        let response = match answer {
            Ok(r) => r,
            Err(status) => {
                failures = failures.saturating_add(1);
                wait = poll_backoff(unit, failures);
                log_poll_error(&status, failures, wait);
                continue;
            }
        };
        if failures > 0 {
            tracing::info!(failures, "polling ConductorOne works again");
        }
        failures = 0;
        wait = next_poll(response.next_poll.as_ref());
        if is_no_task(&response.task) {
            if wait.is_zero() {
                wait = EMPTY_POLL_FLOOR;
            }
            continue;
        }
        let Some(task) = response.task else {
            continue;
        };
        let ctx = Arc::clone(ctx);
        running.spawn(async move {
            tasks::handle(ctx, task).await;
            drop(permit);
        });
    }
}

fn log_poll_error(status: &Status, failures: u32, wait: Duration) {
    tracing::warn!(
        code = ?status.code(),
        error = status.message(),
        failures,
        retry_in_ms = wait.as_millis() as u64,
        "GetTask failed"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_backoff_is_quadratic_and_capped() {
        let unit = Duration::from_secs(1);
        let waits: Vec<u64> = (1..=10).map(|n| poll_backoff(unit, n).as_secs()).collect();
        assert_eq!(waits, vec![1, 4, 9, 16, 25, 36, 49, 60, 60, 60]);
        assert_eq!(poll_backoff(unit, u32::MAX).as_secs(), 60);
    }

    #[test]
    fn next_poll_is_clamped() {
        let d = |seconds, nanos| prost_types::Duration { seconds, nanos };
        assert_eq!(next_poll(None), Duration::ZERO);
        assert_eq!(next_poll(Some(&d(-5, 0))), Duration::ZERO);
        assert_eq!(
            next_poll(Some(&d(0, 50_000_000))),
            Duration::from_millis(50)
        );
        assert_eq!(next_poll(Some(&d(3600, 0))), MAX_POLL);
    }

    #[test]
    fn empty_answers_are_no_task() {
        assert!(is_no_task(&None));
        let none = Task {
            id: "x".repeat(27),
            task_type: Some(TaskType::None(Default::default())),
            ..Default::default()
        };
        assert!(is_no_task(&Some(none)));
        assert!(is_no_task(&Some(Task::default())));
        let unknown_with_id = Task {
            id: "x".repeat(27),
            ..Default::default()
        };
        assert!(!is_no_task(&Some(unknown_with_id)));
    }

    #[test]
    fn permanent_hello_codes() {
        assert!(is_permanent_hello_error(Code::Unauthenticated));
        assert!(is_permanent_hello_error(Code::NotFound));
        assert!(!is_permanent_hello_error(Code::Unavailable));
        assert!(!is_permanent_hello_error(Code::Internal));
    }
}
