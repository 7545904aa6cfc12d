//! The live progress line a sync shows on a terminal: phase and counts, redrawn in place.
//!
//! Off when stderr is not a terminal or logs are JSON (a machine reads them; `\r` redraws
//! would corrupt the lines).

use std::io::{self, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use baton_model::sync::{Phase, Progress};

/// Redraws at most this often, except on a phase change.
const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// Draws [`Progress`] reports on one stderr line.
#[derive(Debug, Default)]
pub(crate) struct ProgressLine {
    last: Mutex<Option<(Instant, Phase)>>,
}

impl ProgressLine {
    /// A progress line (draws nothing until the first report).
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Handles one report from the syncer.
    pub(crate) fn report(&self, p: Progress) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if let Some((at, phase)) = *last {
            if phase == p.phase && now.duration_since(at) < MIN_INTERVAL {
                return;
            }
        }
        *last = Some((now, p.phase));
        let mut err = io::stderr().lock();
        // \r + "erase line" so a shorter line leaves no residue; a closed stderr is ignored.
        let _ = write!(err, "\r\x1b[2K{}", render(&p));
        let _ = err.flush();
    }

    /// Erases the line (call when the sync ends, before printing anything else).
    pub(crate) fn finish(&self) {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some() {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

/// The text of one progress report, e.g. `syncing grants: 12 resources, 40 entitlements, …`.
pub(crate) fn render(p: &Progress) -> String {
    let phase = match p.phase {
        Phase::ResourceTypes => "resource types",
        Phase::Resources => "resources",
        Phase::Entitlements => "entitlements",
        Phase::Grants => "grants",
        Phase::Expansion => "expanding grants",
        Phase::Writing => "writing c1z",
        Phase::Done => "done",
        _ => "working",
    };
    let c = p.counts;
    format!(
        "syncing [{phase}] {} resource types, {} resources, {} entitlements, {} grants",
        c.resource_types,
        c.resources,
        c.entitlements,
        c.grants + c.expanded_grants
    )
}
