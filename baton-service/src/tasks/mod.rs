//! Task handlers and `FinishTask` (docs/service-mode.md, "Task types and answers").

mod provision;
mod sync;

use std::error::Error as StdError;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt as _;
use prost_types::Any;
use tokio::time::Instant;
use tonic::Code;
use tracing::Instrument as _;

use crate::proto::baton::{
    FinalState, FinishError, FinishSuccess, FinishTaskRequest, Task, TaskType,
};
use crate::proto::rpc::Status as RpcStatus;
use crate::runner::Context;

/// Appended (after a newline) to the message of a non-retryable task error, as baton-sdk does.
pub const NON_RETRYABLE_SUFFIX: &str = "task failed and is non-retryable";

/// How many times `FinishTask` is tried.
const FINISH_ATTEMPTS: u32 = 3;

/// What a handler decided to report.
#[derive(Debug)]
pub(crate) enum Finish {
    /// `success{annotations, response}`.
    Success {
        response: Option<Any>,
        annotations: Vec<Any>,
    },
    /// `status{code, message}` + `error{non_retryable}`.
    Error {
        code: Code,
        message: String,
        non_retryable: bool,
    },
    /// No `FinishTask` at all (server hello task, initial heartbeat failed or cancelled,
    /// shutdown during a sync); the reason is logged.
    Skip(String),
}

impl Finish {
    pub(crate) fn error(code: Code, message: impl Into<String>, non_retryable: bool) -> Self {
        Finish::Error {
            code,
            message: message.into(),
            non_retryable,
        }
    }

    fn request(self, host_id: &str, task_id: &str) -> Option<FinishTaskRequest> {
        let (status, state) = match self {
            Finish::Skip(_) => return None,
            Finish::Success {
                response,
                annotations,
            } => (
                None,
                FinalState::Success(FinishSuccess {
                    annotations,
                    response,
                }),
            ),
            Finish::Error {
                code,
                message,
                non_retryable,
            } => {
                let message = if non_retryable {
                    format!("{message}\n{NON_RETRYABLE_SUFFIX}")
                } else {
                    message
                };
                (
                    Some(RpcStatus {
                        code: code as i32,
                        message,
                        details: Vec::new(),
                    }),
                    FinalState::Error(FinishError {
                        non_retryable,
                        annotations: Vec::new(),
                        response: None,
                    }),
                )
            }
        };
        Some(FinishTaskRequest {
            host_id: host_id.to_string(),
            task_id: task_id.to_string(),
            status,
            final_state: Some(state),
        })
    }
}

/// The error and its sources, joined with `: ` (an inner message already contained in the
/// outer one is not repeated).
pub(crate) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut text = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let part = e.to_string();
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cur = e.source();
    }
    text
}

/// Runs one task and reports it; logs start and end with type, id, outcome and duration.
pub(crate) async fn handle(ctx: Arc<Context>, task: Task) {
    let task_type = task.type_name();
    let task_id = task.id.clone();
    // The fields are repeated on the start and end events so that they sit at the top level
    // of JSON log lines, not only in the span.
    let span = tracing::info_span!("task", task_id = %task_id, task_type);
    async move {
        let started = Instant::now();
        tracing::info!(task_id = %task_id, task_type, "task started");
        // A panicking connector must not leave the task unreported or take the loop down.
        let finish = match AssertUnwindSafe(dispatch(&ctx, task)).catch_unwind().await {
            Ok(finish) => finish,
            Err(_) => Finish::error(Code::Internal, "the task handler panicked", false),
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let (outcome, code, message) = match &finish {
            Finish::Success { .. } => ("success", None, String::new()),
            Finish::Error { code, message, .. } => ("error", Some(*code), message.clone()),
            Finish::Skip(reason) => ("not reported", None, reason.clone()),
        };
        let reported = match finish.request(&ctx.host_id, &task_id) {
            None => true,
            Some(request) => finish_task(&ctx, request).await,
        };
        match code {
            None if outcome == "success" => tracing::info!(
                task_id = %task_id,
                task_type,
                outcome,
                duration_ms = elapsed_ms,
                reported,
                "task finished"
            ),
            None => tracing::info!(
                task_id = %task_id,
                task_type,
                outcome,
                reason = %message,
                duration_ms = elapsed_ms,
                "task finished"
            ),
            Some(code) => tracing::warn!(
                task_id = %task_id,
                task_type,
                outcome,
                code = ?code,
                error = %message,
                duration_ms = elapsed_ms,
                reported,
                "task finished"
            ),
        }
    }
    .instrument(span)
    .await;
}

async fn dispatch(ctx: &Context, task: Task) -> Finish {
    let Some(task_type) = task.task_type else {
        return unsupported();
    };
    match task_type {
        TaskType::Hello(_) => match ctx.client.hello(ctx.hello_request(&task.id)).await {
            Ok(_) => Finish::Skip("hello sent (hello tasks are not finished)".into()),
            Err(status) => Finish::Skip(format!("hello failed: {}", status.message())),
        },
        TaskType::SyncFull(t) => sync::sync_full(ctx, &task.id, t).await,
        TaskType::Grant(t) => provision::grant(ctx, t).await,
        TaskType::Revoke(t) => provision::revoke(ctx, t).await,
        TaskType::CreateAccount(t) => provision::create_account(ctx, t).await,
        TaskType::DeleteResource(t) => provision::delete_resource(ctx, t).await,
        TaskType::CreateResource(t) => provision::create_resource(ctx, t),
        TaskType::RotateCredentials(t) => provision::rotate_credentials(ctx, t),
        TaskType::CreateTicket(_)
        | TaskType::ListTicketSchemas(_)
        | TaskType::GetTicket(_)
        | TaskType::BulkCreateTickets(_)
        | TaskType::BulkGetTickets(_) => {
            // No ticket manager in this runtime: the gate's answer whatever --ticketing says.
            Finish::error(Code::Unknown, "ticketing is not enabled", false)
        }
        TaskType::None(_)
        | TaskType::EventFeed(_)
        | TaskType::ActionListSchemas(_)
        | TaskType::ActionGetSchema(_)
        | TaskType::ActionInvoke(_)
        | TaskType::ActionStatus(_)
        | TaskType::CreateSyncDiff(_)
        | TaskType::CompactSyncs(_)
        | TaskType::ListEventFeeds(_)
        | TaskType::ListEvents(_)
        | TaskType::IssueCredential(_) => unsupported(),
    }
}

fn unsupported() -> Finish {
    Finish::error(Code::Unknown, "unsupported task type", false)
}

/// Codes after which another `FinishTask` attempt cannot succeed.
fn finish_is_final(code: Code) -> bool {
    matches!(
        code,
        Code::InvalidArgument
            | Code::NotFound
            | Code::FailedPrecondition
            | Code::PermissionDenied
            | Code::Unimplemented
            | Code::AlreadyExists
    )
}

/// Sends `request`, up to three times with a growing wait on transient failures. Returns
/// whether C1 accepted it.
async fn finish_task(ctx: &Context, request: FinishTaskRequest) -> bool {
    for attempt in 1..=FINISH_ATTEMPTS {
        match ctx.client.finish_task(request.clone()).await {
            Ok(()) => return true,
            Err(status) => {
                let last = attempt == FINISH_ATTEMPTS || finish_is_final(status.code());
                tracing::warn!(
                    attempt,
                    code = ?status.code(),
                    error = status.message(),
                    will_retry = !last,
                    "FinishTask failed"
                );
                if last {
                    return false;
                }
                tokio::time::sleep(ctx.config.backoff_unit * attempt).await;
            }
        }
    }
    false
}

/// Heartbeat interval from an answer: missing or zero → 30 s, else clamped to 1 s – 5 min.
pub(crate) fn heartbeat_interval(d: Option<&prost_types::Duration>) -> Duration {
    let d = d
        .and_then(|d| {
            let secs = u64::try_from(d.seconds).ok()?;
            let nanos = u32::try_from(d.nanos).ok()?;
            Some(Duration::new(secs, nanos.min(999_999_999)))
        })
        .unwrap_or(Duration::ZERO);
    if d.is_zero() {
        Duration::from_secs(30)
    } else {
        d.clamp(Duration::from_secs(1), Duration::from_secs(300))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeat_interval_clamps() {
        let d = |seconds, nanos| prost_types::Duration { seconds, nanos };
        assert_eq!(heartbeat_interval(None), Duration::from_secs(30));
        assert_eq!(heartbeat_interval(Some(&d(0, 0))), Duration::from_secs(30));
        assert_eq!(heartbeat_interval(Some(&d(0, 1))), Duration::from_secs(1));
        assert_eq!(heartbeat_interval(Some(&d(2, 0))), Duration::from_secs(2));
        assert_eq!(
            heartbeat_interval(Some(&d(900, 0))),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn non_retryable_errors_carry_the_suffix() {
        let req = Finish::error(
            Code::FailedPrecondition,
            "provisioning is not enabled",
            true,
        )
        .request("h", "t")
        .expect("finish");
        let status = req.status.expect("status");
        assert_eq!(status.code, 9);
        assert_eq!(
            status.message,
            "provisioning is not enabled\ntask failed and is non-retryable"
        );
        let Some(FinalState::Error(e)) = req.final_state else {
            panic!("error state expected");
        };
        assert!(e.non_retryable);
        let retryable = Finish::error(Code::Unknown, "unsupported task type", false)
            .request("h", "t")
            .expect("finish");
        assert_eq!(
            retryable.status.expect("status").message,
            "unsupported task type"
        );
        assert!(Finish::Skip("x".into()).request("h", "t").is_none());
    }

    #[derive(Debug, thiserror::Error)]
    #[error("grant failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn error_chain_joins_sources_once() {
        let e = Outer(std::io::Error::other("HTTP 403 from PUT /x"));
        assert_eq!(error_chain(&e), "grant failed: HTTP 403 from PUT /x");
    }
}
