//! `demo --service`: a whole service-mode session on one machine, with no ConductorOne or
//! Workato account. A fake ConductorOne (token endpoint and BatonService over TLS) and the
//! fake Workato workspace run on loopback; the real service-mode runtime connects to the
//! first and provisions the second. The demo queues a sync, a grant and a revoke the way
//! ConductorOne would, then prints what ConductorOne received.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, Context};
use baton_model::c1z::C1zReader;
use baton_model::model::ids::resource_id;
use baton_model::proto::{Entitlement, Grant, Resource};
use baton_service::fake::{tasks, FakeC1, FinishRecord};
use baton_service::proto::connector::GrantManagerServiceGrantResponse;
use workato_api::fake::{FakeWorkato, Seed};

use crate::config::Config;
use crate::connect;

/// The collaborator the demo grants a role to (Carol, no roles in the fake workspace).
const PRINCIPAL: &str = "1002";
/// The entitlement granted and revoked.
const ENTITLEMENT: &str = "role:Operator:collaborator-has";
/// How long one task may take before the demo gives up (a sync of the small fake workspace
/// takes about a second).
const TASK_TIMEOUT: Duration = Duration::from_secs(120);
/// Workato write calls counted in the summary.
const PUT_MEMBER: &str = "PUT /api/members/:id";

/// Runs the session and prints it to `out`.
///
/// # Errors
/// A fake could not start, or a task did not finish as a real ConductorOne session would.
pub async fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<()> {
    let workato = FakeWorkato::start(Seed::default_workspace())
        .await
        .context("cannot start the fake Workato server")?;
    let c1 = FakeC1::start()
        .await
        .context("cannot start the fake ConductorOne")?;
    let result = session(config, &workato, &c1, out).await;
    workato.shutdown().await;
    result
}

async fn session(
    config: &Config,
    workato: &FakeWorkato,
    c1: &FakeC1,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    // Polls every 200 ms instead of the real service's seconds: the demo should be brisk.
    c1.set_next_poll(Duration::from_millis(200));
    let scratch = tempfile::tempdir().context("cannot create a temp directory")?;
    let service = c1
        .service_config()
        .context("cannot mint fake ConductorOne credentials")?
        .provisioning(true)
        .temp_dir(Some(scratch.path().to_path_buf()))
        .package(crate::service::PACKAGE, env!("CARGO_PKG_VERSION"));
    writeln!(
        out,
        "Fake ConductorOne at {} (client id {}), fake Workato at {}.\n\
         Starting service mode with --provisioning, as the Kubernetes Deployment does.\n",
        c1.url(),
        service.client_id.as_str(),
        workato.url()
    )?;
    let client = connect::client_for(&workato.url(), workato.token())?;
    let connector = crate::service::connector(client, connect::connector_config(config))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::spawn(baton_service::run(service, connector, async move {
        let _ = stopped.await;
    }));

    let tasks_result = run_tasks(workato, c1, scratch.path(), out).await;
    let _ = stop.send(());
    let stopped = runtime
        .await
        .context("the service-mode runtime panicked")?
        .context("service mode stopped with an error");
    tasks_result?;
    stopped?;

    writeln!(out, "\nWhat the fake ConductorOne received:")?;
    writeln!(out, "  token requests: {}", c1.token_requests().len())?;
    for hello in c1.hellos() {
        let r = &hello.request;
        let meta = r.connector_metadata.as_ref();
        writeln!(
            out,
            "  Hello: host_id {:?}, connector {:?}, {} resource types with capabilities, build {} {}",
            r.host_id,
            meta.map(|m| m.display_name.as_str()).unwrap_or_default(),
            meta.and_then(|m| m.capabilities.as_ref())
                .map_or(0, |c| c.resource_type_capabilities.len()),
            r.build_info.as_ref().map(|b| b.package_version.as_str()).unwrap_or_default(),
            r.build_info.as_ref().map(|b| b.lang_version.as_str()).unwrap_or_default(),
        )?;
    }
    writeln!(out, "  GetTask polls: {}", c1.polls().len())?;
    for finish in c1.finishes() {
        writeln!(
            out,
            "  FinishTask {}: {}",
            finish.task_id,
            describe(&finish)
        )?;
    }
    writeln!(
        out,
        "\nRun it for real: see \"Kubernetes\" and \"Service mode\" in the README."
    )?;
    out.flush()?;
    Ok(())
}

/// Queues the sync, the grant, a repeated grant, the revoke and a repeated revoke, one at a
/// time, printing each outcome.
async fn run_tasks(
    workato: &FakeWorkato,
    c1: &FakeC1,
    scratch: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let sync_id = c1.enqueue(tasks::sync_full());
    writeln!(out, "ConductorOne queues sync_full {sync_id}")?;
    let finish = wait(c1, &sync_id).await?;
    let uploads = c1.uploads(&sync_id);
    let c1z = uploads
        .last()
        .ok_or_else(|| anyhow!("the sync finished without an upload"))?;
    let path = scratch.join("uploaded.c1z");
    std::fs::write(&path, c1z).context("cannot keep the uploaded c1z")?;
    let (summary, entitlement, principal) = read_upload(path).await?;
    writeln!(
        out,
        "  -> {} after uploading {} bytes in {} chunk(s): {summary}",
        describe(&finish),
        c1z.len(),
        c1.upload_records(&sync_id)
            .last()
            .map_or(0, |u| u.chunk_sizes.len()),
    )?;

    let puts_before = workato.request_count(PUT_MEMBER);
    let id = c1.enqueue(tasks::grant(entitlement.clone(), principal.clone()));
    writeln!(
        out,
        "ConductorOne queues grant {id}: {ENTITLEMENT} to collaborator:{PRINCIPAL}"
    )?;
    let finish = wait(c1, &id).await?;
    writeln!(out, "  -> {}", describe(&finish))?;
    let grant: Grant = finish
        .response_as::<GrantManagerServiceGrantResponse>()
        .and_then(|r| r.grants.into_iter().next())
        .ok_or_else(|| anyhow!("the grant task returned no grant"))?;

    let id = c1.enqueue(tasks::grant(entitlement, principal));
    writeln!(out, "ConductorOne queues the same grant again: {id}")?;
    writeln!(out, "  -> {}", describe(&wait(c1, &id).await?))?;

    let id = c1.enqueue(tasks::revoke(grant.clone()));
    writeln!(out, "ConductorOne queues revoke {id}: {}", grant.id)?;
    writeln!(out, "  -> {}", describe(&wait(c1, &id).await?))?;
    let id = c1.enqueue(tasks::revoke(grant));
    writeln!(out, "ConductorOne queues the same revoke again: {id}")?;
    writeln!(out, "  -> {}", describe(&wait(c1, &id).await?))?;
    writeln!(
        out,
        "Workato role changes for these four tasks: {} (the repeats change nothing)",
        workato.request_count(PUT_MEMBER) - puts_before
    )?;
    Ok(())
}

async fn wait(c1: &FakeC1, task_id: &str) -> anyhow::Result<FinishRecord> {
    c1.wait_for_finish(task_id, TASK_TIMEOUT)
        .await
        .with_context(|| format!("task {task_id} did not finish"))
}

/// One line for a finish: success with its response type and annotations, or the error.
fn describe(f: &FinishRecord) -> String {
    let annotations: Vec<&str> = f
        .annotations
        .iter()
        .map(|a| a.type_url.rsplit(['/', '.']).next().unwrap_or(&a.type_url))
        .collect();
    let mut text = if f.is_success() {
        match f.response_type() {
            Some(t) => format!("success, response {t}"),
            None => "success".to_string(),
        }
    } else {
        format!(
            "error {:?}{}: {}",
            f.code(),
            if f.non_retryable {
                " (non-retryable)"
            } else {
                ""
            },
            f.message.lines().next().unwrap_or_default()
        )
    };
    if !annotations.is_empty() {
        text.push_str(&format!(", annotations [{}]", annotations.join(", ")));
    }
    text
}

/// Opens the uploaded c1z (blocking work off the runtime) and returns its counts, the
/// entitlement to grant and the principal, as ConductorOne would take them from the sync.
async fn read_upload(path: PathBuf) -> anyhow::Result<(String, Entitlement, Resource)> {
    tokio::task::spawn_blocking(move || {
        let reader = C1zReader::open(&path).context("the uploaded c1z does not open")?;
        let stats = reader.stats().context("cannot count the uploaded c1z")?;
        let resources: u64 = stats.resources.values().sum();
        let summary = format!(
            "{resources} resources, {} entitlements, {} grants",
            stats.entitlements, stats.grants
        );
        let entitlement = reader
            .entitlement(ENTITLEMENT)?
            .ok_or_else(|| anyhow!("{ENTITLEMENT} is not in the uploaded c1z"))?;
        let principal = reader
            .resource(&resource_id("collaborator", PRINCIPAL))?
            .ok_or_else(|| anyhow!("collaborator:{PRINCIPAL} is not in the uploaded c1z"))?;
        Ok((summary, entitlement, principal))
    })
    .await
    .context("reading the upload panicked")?
}
