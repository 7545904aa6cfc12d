//! The one-shot sync shared by the default action and `demo`: run baton-model's [`Syncer`] on a
//! connector into `--file` (atomically: the syncer writes a temp file and renames it), then
//! print a one-line summary.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use baton_model::c1z::{Retention, WriterOptions};
use baton_model::sync::{Connector, SyncSummary, Syncer};

use crate::progress::ProgressLine;

/// What a finished sync did, for the summary line.
#[derive(Debug, Clone)]
pub(crate) struct SyncReport {
    /// The syncer's summary.
    pub(crate) summary: SyncSummary,
    /// HTTP requests sent to Workato (retries included).
    pub(crate) api_calls: u64,
}

/// Runs a full sync of `connector` into `file`. `type_filter` (already validated) limits the
/// resource types; `progress` draws a live line on the terminal. On error `file` is untouched.
pub(crate) async fn run<C: Connector>(
    connector: C,
    file: &Path,
    type_filter: &[String],
    progress: bool,
) -> anyhow::Result<SyncSummary> {
    // A sync into an existing c1z is added to it; which earlier syncs stay follows
    // BATON_KEEP_SYNC_COUNT / BATON_SKIP_CLEANUP, read as baton-sdk reads them.
    let mut syncer = Syncer::new(connector)
        .writer_options(WriterOptions::default().retention(Retention::from_env()));
    if !type_filter.is_empty() {
        syncer = syncer.resource_type_filter(type_filter.iter().cloned());
    }
    let line = progress.then(|| Arc::new(ProgressLine::new()));
    if let Some(line) = &line {
        let line = Arc::clone(line);
        syncer = syncer.progress(move |p| line.report(p));
    }
    tracing::info!(file = %file.display(), "sync started");
    let result = syncer.run(file).await;
    if let Some(line) = &line {
        line.finish();
    }
    result.with_context(|| format!("sync failed; {} was left unchanged", file.display()))
}

/// Writes the one-line summary, e.g.
/// `synced sync.c1z: 30 resources, 40 entitlements, 120 grants (80 expanded), 15 API calls, 0.4s`.
pub(crate) fn write_summary(
    out: &mut dyn Write,
    file: &Path,
    report: &SyncReport,
) -> anyhow::Result<()> {
    writeln!(out, "{}", summary_line(file, report))?;
    out.flush()?;
    Ok(())
}

/// The summary text (no newline).
pub(crate) fn summary_line(file: &Path, report: &SyncReport) -> String {
    let s = &report.summary;
    format!(
        "synced {}: {} resources, {} entitlements, {} grants ({} expanded), {} API calls, {}",
        file.display(),
        s.resources,
        s.entitlements,
        s.grants + s.expanded_grants,
        s.expanded_grants,
        report.api_calls,
        seconds(s.elapsed)
    )
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}
