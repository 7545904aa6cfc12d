//! `sync_full`: heartbeats, the sync into a temp c1z, the upload, then `FinishTask`
//! (docs/service-mode.md, "Full sync").

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use baton_model::proto::{Entitlement, Grant, Resource, ResourceId, ResourceType};
use baton_model::sync::{Connector, ConnectorError, Page, PageToken, Syncer};
use tokio_util::sync::CancellationToken;
use tonic::Code;

use super::{error_chain, heartbeat_interval, Finish};
use crate::client::BatonClient;
use crate::connector::BoxError;
use crate::proto::baton::SyncFullTask;
use crate::runner::Context;
use crate::upload;

/// Consecutive heartbeat failures after which the task is given up (the 10th is not sent).
const MAX_HEARTBEAT_FAILURES: u32 = 9;

/// A connector with nothing in it: `--skip-full-sync` uploads a sync run with no data.
struct EmptyConnector;

#[async_trait]
impl Connector for EmptyConnector {
    async fn resource_types(
        &self,
        _page: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError> {
        Ok(Page::empty())
    }
    async fn resources(
        &self,
        _resource_type_id: &str,
        _parent: Option<&ResourceId>,
        _page: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError> {
        Ok(Page::empty())
    }
    async fn entitlements(
        &self,
        _resource: &Resource,
        _page: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError> {
        Ok(Page::empty())
    }
    async fn grants(
        &self,
        _resource: &Resource,
        _page: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError> {
        Ok(Page::empty())
    }
}

/// Honours a task's `skip_entitlements_and_grants` and `skip_grants` by listing nothing for
/// what the task skips; the syncer then writes resources (and entitlements) only.
struct Skipping {
    inner: Box<dyn Connector>,
    skip_entitlements: bool,
    skip_grants: bool,
}

#[async_trait]
impl Connector for Skipping {
    async fn resource_types(
        &self,
        page: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError> {
        self.inner.resource_types(page).await
    }
    async fn resources(
        &self,
        resource_type_id: &str,
        parent: Option<&ResourceId>,
        page: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError> {
        self.inner.resources(resource_type_id, parent, page).await
    }
    async fn entitlements(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError> {
        if self.skip_entitlements {
            return Ok(Page::empty());
        }
        self.inner.entitlements(resource, page).await
    }
    async fn grants(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError> {
        if self.skip_grants {
            return Ok(Page::empty());
        }
        self.inner.grants(resource, page).await
    }
    async fn entitlements_encoded(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        if self.skip_entitlements {
            return Some(Ok(Page::empty()));
        }
        self.inner.entitlements_encoded(resource, page).await
    }
    async fn grants_encoded(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        if self.skip_grants {
            return Some(Ok(Page::empty()));
        }
        self.inner.grants_encoded(resource, page).await
    }
}

/// Why the heartbeat loop stopped the task.
type StopReason = Arc<Mutex<Option<String>>>;

enum SyncEnd {
    Done,
    Failed(BoxError),
    /// Heartbeat cancel or failure (reason set) or shutdown (no reason).
    Stopped,
}

pub(super) async fn sync_full(ctx: &Context, task_id: &str, task: SyncFullTask) -> Finish {
    let base = ctx
        .config
        .temp_dir
        .clone()
        .unwrap_or_else(std::env::temp_dir);
    let dir = match tokio::task::spawn_blocking(move || {
        tempfile::Builder::new()
            .prefix("baton-sdk-sync-upload")
            .tempdir_in(base)
    })
    .await
    {
        Ok(Ok(dir)) => dir,
        Ok(Err(err)) => {
            return Finish::error(
                Code::Unknown,
                format!("cannot create the temp dir for the sync file: {err}"),
                false,
            )
        }
        Err(err) => {
            return Finish::error(
                Code::Internal,
                format!("the temp dir task failed: {err}"),
                false,
            )
        }
    };
    let path = dir.path().join("sync.c1z");

    // The initial heartbeat tells C1 the task was picked up; without it there is nothing to do.
    let first = match ctx.client.heartbeat(&ctx.host_id, task_id).await {
        Ok(answer) if answer.cancelled => {
            return Finish::Skip("ConductorOne cancelled the task at its first heartbeat".into())
        }
        Ok(answer) => answer,
        Err(status) => {
            return Finish::Skip(format!(
                "the first heartbeat failed ({:?}): {}",
                status.code(),
                status.message()
            ))
        }
    };

    let stop_heartbeats = CancellationToken::new();
    let cancelled = CancellationToken::new();
    let reason: StopReason = Arc::new(Mutex::new(None));
    let heartbeats = tokio::spawn(heartbeat_loop(
        ctx.client.clone(),
        ctx.host_id.clone(),
        task_id.to_string(),
        heartbeat_interval(first.next_heartbeat.as_ref()),
        stop_heartbeats.clone(),
        cancelled.clone(),
        Arc::clone(&reason),
    ));

    let end = run_sync(ctx, &task, path.clone(), cancelled.clone()).await;
    let finish = match end {
        SyncEnd::Stopped => stopped(ctx, &reason),
        SyncEnd::Failed(err) => {
            let err: &(dyn std::error::Error + 'static) = err.as_ref();
            Finish::error(ctx.connector.code_of(err), error_chain(err), false)
        }
        SyncEnd::Done => {
            // Shutdown no longer interrupts: the data is complete, so upload and report it.
            let uploaded = tokio::select! {
                r = upload::upload_file(
                    &ctx.client,
                    &ctx.host_id,
                    task_id,
                    &path,
                    ctx.config.backoff_unit,
                ) => Some(r),
                () = cancelled.cancelled() => None,
            };
            match uploaded {
                None => stopped(ctx, &reason),
                Some(Ok(bytes)) => {
                    tracing::info!(bytes, "sync uploaded");
                    Finish::Success {
                        response: None,
                        annotations: Vec::new(),
                    }
                }
                Some(Err(err)) => Finish::error(
                    Code::Unknown,
                    format!("uploading the sync failed: {}", error_chain(&err)),
                    false,
                ),
            }
        }
    };
    stop_heartbeats.cancel();
    let _ = heartbeats.await;
    remove_dir(dir).await;
    finish
}

/// The finish of a stopped sync: an error for a heartbeat cancel or failure, none for shutdown.
fn stopped(ctx: &Context, reason: &StopReason) -> Finish {
    let why = reason.lock().ok().and_then(|r| r.clone());
    match why {
        Some(why) => Finish::error(Code::Cancelled, why, false),
        None if ctx.shutdown.is_cancelled() => {
            Finish::Skip("shutting down: the sync was cancelled and nothing was uploaded".into())
        }
        None => Finish::error(Code::Cancelled, "task was cancelled", false),
    }
}

async fn remove_dir(dir: tempfile::TempDir) {
    let path = dir.path().to_path_buf();
    let result = tokio::task::spawn_blocking(move || dir.close()).await;
    if !matches!(result, Ok(Ok(()))) {
        tracing::warn!(dir = %path.display(), "could not remove the sync temp dir");
    }
}

/// The resource-type filter: the task's own list, else the configured default.
fn type_filter(ctx: &Context, task: &SyncFullTask) -> Vec<String> {
    if task.sync_resource_type_ids.is_empty() {
        ctx.config.sync_resource_types.clone()
    } else {
        task.sync_resource_type_ids.clone()
    }
}

/// Runs the sync on a blocking-pool thread (the c1z writer does SQLite and zstd work inline),
/// driven by the runtime's handle so the connector's I/O still uses the shared runtime, and
/// stops it when the task is cancelled or the service shuts down.
async fn run_sync(
    ctx: &Context,
    task: &SyncFullTask,
    path: PathBuf,
    cancelled: CancellationToken,
) -> SyncEnd {
    if task.skip_expand_grants || !task.targeted_sync_resources.is_empty() {
        tracing::info!(
            skip_expand_grants = task.skip_expand_grants,
            targeted = task.targeted_sync_resources.len(),
            "expansion-skipping and targeted syncs are not supported; running a full sync"
        );
    }
    let skip_entitlements = task.skip_entitlements_and_grants;
    let skip_grants = task.skip_entitlements_and_grants || task.skip_grants;
    let filter = type_filter(ctx, task);
    let factory = Arc::clone(&ctx.connector.factory);
    let skip = ctx.config.skip_full_sync;
    let shutdown = ctx.shutdown.clone();
    let handle = tokio::runtime::Handle::current();
    let work = tokio::task::spawn_blocking(move || {
        handle.block_on(async move {
            let sync = async {
                let mut connector: Box<dyn Connector> = if skip {
                    Box::new(EmptyConnector)
                } else {
                    factory().await.map_err(|e| Box::new(e) as BoxError)?
                };
                if skip_entitlements || skip_grants {
                    connector = Box::new(Skipping {
                        inner: connector,
                        skip_entitlements,
                        skip_grants,
                    });
                }
                let mut syncer = Syncer::new(connector);
                if !filter.is_empty() {
                    syncer = syncer.resource_type_filter(filter);
                }
                syncer
                    .run(&path)
                    .await
                    .map(|_| ())
                    .map_err(|e| Box::new(e) as BoxError)
            };
            tokio::select! {
                r = sync => match r {
                    Ok(()) => SyncEnd::Done,
                    Err(e) => SyncEnd::Failed(e),
                },
                () = cancelled.cancelled() => SyncEnd::Stopped,
                () = shutdown.cancelled() => SyncEnd::Stopped,
            }
        })
    });
    match work.await {
        Ok(end) => end,
        Err(err) => SyncEnd::Failed(Box::new(err)),
    }
}

async fn heartbeat_loop(
    client: BatonClient,
    host_id: String,
    task_id: String,
    mut interval: Duration,
    stop: CancellationToken,
    cancel_task: CancellationToken,
    reason: StopReason,
) {
    let mut failures = 0u32;
    loop {
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = stop.cancelled() => return,
        }
        let answer = tokio::select! {
            a = client.heartbeat(&host_id, &task_id) => a,
            () = stop.cancelled() => return,
        };
        match answer {
            Ok(answer) => {
                failures = 0;
                interval = heartbeat_interval(answer.next_heartbeat.as_ref());
                if answer.cancelled {
                    tracing::info!("ConductorOne cancelled the task");
                    set_reason(&reason, "task was cancelled");
                    cancel_task.cancel();
                    return;
                }
            }
            Err(status) => {
                failures += 1;
                tracing::warn!(
                    failures,
                    code = ?status.code(),
                    error = status.message(),
                    "heartbeat failed"
                );
                if failures >= MAX_HEARTBEAT_FAILURES {
                    set_reason(&reason, "task failed heartbeat");
                    cancel_task.cancel();
                    return;
                }
            }
        }
    }
}

fn set_reason(reason: &StopReason, why: &str) {
    if let Ok(mut r) = reason.lock() {
        r.get_or_insert_with(|| why.to_string());
    }
}
