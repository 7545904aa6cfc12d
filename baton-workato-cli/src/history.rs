//! `inspect syncs` and `inspect diff`: the sync history a c1z keeps (a sync into an existing
//! `-f` file is added to it) and what changed between two syncs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use baton_model::c1z::diff::latest_two_full_syncs;
use baton_model::c1z::timestamp::format_go;
use baton_model::c1z::{diff, C1zReader, Changes, SyncDiff, SyncRun};
use baton_model::json::{diff_output, syncs_output, SyncRow};
use baton_model::model::ids::resource_key;
use baton_model::proto::{Grant, ResourceId, Timestamp};

use crate::args::OutputFormat;
use crate::table::Table;

/// Which two syncs `inspect diff` compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DiffSelection {
    /// Take the base sync from this file instead of `-f`.
    pub(crate) base_file: Option<PathBuf>,
    /// The base (older) sync id.
    pub(crate) base_sync: Option<String>,
    /// The applied (newer) sync id.
    pub(crate) applied_sync: Option<String>,
}

fn open(file: &Path) -> anyhow::Result<C1zReader> {
    C1zReader::open(file).with_context(|| format!("cannot read {}", file.display()))
}

/// `inspect syncs`: every sync run of `file`, oldest first, the one readers show marked.
pub(crate) fn syncs(file: &Path, output: OutputFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    let reader = open(file)?;
    let runs = reader.syncs().context("cannot list the syncs")?;
    match output {
        OutputFormat::Json => {
            // protobuf Timestamps, as baton prints them.
            let timestamp = |t: baton_model::c1z::timestamp::UtcTime| Timestamp {
                seconds: t.timestamp(),
                nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
            };
            let rows: Vec<SyncRow> = runs
                .iter()
                .map(|r| SyncRow {
                    id: r.sync_id.clone(),
                    started_at: r.started_at.map(timestamp),
                    ended_at: r.ended_at.map(timestamp),
                    sync_token: r.sync_token.clone(),
                    sync_type: r.sync_type.clone(),
                    parent_sync_id: r.parent_sync_id.clone(),
                })
                .collect();
            let mut text = syncs_output(&rows)?.to_compact_string();
            text.push('\n');
            out.write_all(text.as_bytes())?;
        }
        OutputFormat::Table => {
            let shown = reader.current_sync().map(|s| s.sync_id.clone());
            let mut table = Table::new(&["ID", "TYPE", "STARTED (UTC)", "ENDED (UTC)", "SHOWN"]);
            for r in &runs {
                table.row(vec![
                    r.sync_id.clone(),
                    r.sync_type.clone(),
                    r.started_at.map(|t| format_go(&t)).unwrap_or_default(),
                    r.ended_at
                        .map(|t| format_go(&t))
                        .unwrap_or_else(|| "unfinished".into()),
                    if shown.as_deref() == Some(r.sync_id.as_str()) {
                        "*".into()
                    } else {
                        String::new()
                    },
                ]);
            }
            table.write(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Why `inspect diff` has nothing to compare.
#[derive(Debug, thiserror::Error)]
#[error("cannot diff: {file} holds {count} finished full sync(s); it needs two. Each sync into the same -f file adds one (baton-workato -f {file}), or compare with another file (--base-file)")]
pub(crate) struct NothingToCompare {
    file: String,
    count: usize,
}

/// `inspect diff`: what changed from the base sync to the applied sync.
pub(crate) fn run_diff(
    file: &Path,
    selection: &DiffSelection,
    output: OutputFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let applied = open(file)?;
    let base_reader = match &selection.base_file {
        Some(base) => Some(open(base)?),
        None => None,
    };
    let base = base_reader.as_ref().unwrap_or(&applied);
    let (base_sync, applied_sync) = choose(file, &applied, base, selection)?;
    let d = diff(base, &base_sync, &applied, &applied_sync).context("cannot compare the syncs")?;
    match output {
        OutputFormat::Json => {
            let mut text = diff_output(&d)?.to_compact_string();
            text.push('\n');
            out.write_all(text.as_bytes())?;
        }
        OutputFormat::Table => {
            let describe = |reader: &C1zReader, id: &str| -> anyhow::Result<String> {
                let run = reader.syncs()?.into_iter().find(|s| s.sync_id == id);
                Ok(run.as_ref().map_or_else(|| id.to_string(), describe_run))
            };
            writeln!(out, "base     {}", describe(base, &base_sync)?)?;
            writeln!(out, "applied  {}", describe(&applied, &applied_sync)?)?;
            write_people(&d, base, &applied, out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn describe_run(run: &SyncRun) -> String {
    let ended = run.ended_at.map_or_else(
        || "unfinished".to_string(),
        |t| format!("ended {} UTC", format_go(&t)),
    );
    format!("{} ({}, {ended})", run.sync_id, run.sync_type)
}

/// Picks the sync ids: explicit ids win; otherwise the applied sync is the newest finished
/// full sync of `-f` and the base the one before it (or the newest of `--base-file`).
fn choose(
    file: &Path,
    applied: &C1zReader,
    base: &C1zReader,
    selection: &DiffSelection,
) -> anyhow::Result<(String, String)> {
    let full_count = |r: &C1zReader| -> anyhow::Result<usize> {
        Ok(r.syncs()?
            .iter()
            .filter(|s| s.sync_type == "full" && s.ended_at.is_some())
            .count())
    };
    let nothing = |r: &C1zReader, f: &Path| -> anyhow::Result<anyhow::Error> {
        Ok(NothingToCompare {
            file: f.display().to_string(),
            count: full_count(r)?,
        }
        .into())
    };
    let latest = |r: &C1zReader, f: &Path| -> anyhow::Result<String> {
        match r
            .current_sync()
            .filter(|s| s.ended_at.is_some() && s.sync_type == "full")
        {
            Some(s) => Ok(s.sync_id.clone()),
            None => Err(nothing(r, f)?),
        }
    };
    let applied_sync = match &selection.applied_sync {
        Some(id) => id.clone(),
        None => latest(applied, file)?,
    };
    let base_sync = match (&selection.base_sync, &selection.base_file) {
        (Some(id), _) => id.clone(),
        (None, Some(base_file)) => latest(base, base_file)?,
        (None, None) => match latest_two_full_syncs(applied)? {
            Some((older, newer)) if newer == applied_sync => older,
            Some((_, newer)) if selection.applied_sync.is_some() && newer != applied_sync => {
                // An explicit older applied sync: compare with the newest full sync before it.
                previous_full(applied, &applied_sync)?.ok_or(nothing(applied, file)?)?
            }
            _ => return Err(nothing(applied, file)?),
        },
    };
    Ok((base_sync, applied_sync))
}

/// The newest finished full sync that ended before `sync_id` ended.
fn previous_full(reader: &C1zReader, sync_id: &str) -> anyhow::Result<Option<String>> {
    let runs = reader.syncs()?;
    let Some(end) = runs
        .iter()
        .find(|s| s.sync_id == sync_id)
        .and_then(|s| s.ended_at)
    else {
        return Ok(None);
    };
    Ok(runs
        .iter()
        .filter(|s| s.sync_type == "full" && s.sync_id != sync_id)
        .filter_map(|s| s.ended_at.filter(|e| *e <= end).map(|e| (e, &s.sync_id)))
        .max_by_key(|(e, _)| *e)
        .map(|(_, id)| id.clone()))
}

/// One principal's grant changes.
#[derive(Default)]
struct PrincipalChanges {
    /// (change, entitlement id) of direct grants.
    direct: Vec<(&'static str, String)>,
    /// Expanded grants per (change, source entitlements).
    expanded: BTreeMap<(&'static str, String), usize>,
}

/// Grants held through expansion carry the entitlements they come from as sources.
fn expanded_from(g: &Grant) -> Option<String> {
    let sources = g.sources.as_ref()?;
    if sources.sources.is_empty() {
        return None;
    }
    let mut ids: Vec<&str> = sources.sources.keys().map(String::as_str).collect();
    ids.sort_unstable();
    Some(ids.join(","))
}

fn principal_of(g: &Grant) -> Option<ResourceId> {
    g.principal.as_ref().and_then(|p| p.id.clone())
}

fn counts<T>(c: &Changes<T>, added: &str, removed: &str) -> String {
    format!(
        "{} {added}, {} {removed}, {} changed",
        c.created.len(),
        c.deleted.len(),
        c.modified.len()
    )
}

/// The people table: grant changes grouped by principal, then other changed objects.
fn write_people(
    d: &SyncDiff,
    base: &C1zReader,
    applied: &C1zReader,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut by_principal: BTreeMap<String, (ResourceId, PrincipalChanges)> = BTreeMap::new();
    let changes = [
        ("gained", &d.grants.created),
        ("lost", &d.grants.deleted),
        ("changed", &d.grants.modified),
    ];
    for (change, grants) in changes {
        for g in grants {
            let Some(pid) = principal_of(g) else { continue };
            let entry = by_principal
                .entry(resource_key(&pid))
                .or_insert_with(|| (pid.clone(), PrincipalChanges::default()));
            let ent = g
                .entitlement
                .as_ref()
                .map(|e| e.id.clone())
                .unwrap_or_default();
            match expanded_from(g) {
                Some(from) => *entry.1.expanded.entry((change, from)).or_default() += 1,
                None => entry.1.direct.push((change, ent)),
            }
        }
    }
    writeln!(
        out,
        "resources: {}; entitlements: {}; grants: {}",
        counts(&d.resources, "added", "removed"),
        counts(&d.entitlements, "added", "removed"),
        counts(&d.grants, "gained", "lost"),
    )?;
    if d.is_empty() {
        writeln!(out, "no changes")?;
        return Ok(());
    }
    let name = |pid: &ResourceId| -> anyhow::Result<String> {
        let found = match applied.resource_in_sync(&d.applied_sync_id, pid)? {
            Some(r) => Some(r),
            None => base.resource_in_sync(&d.base_sync_id, pid)?,
        };
        Ok(found.map(|r| r.display_name).unwrap_or_default())
    };
    if !by_principal.is_empty() {
        writeln!(out)?;
        let mut table = Table::new(&["PRINCIPAL", "NAME", "CHANGE", "ENTITLEMENT"]);
        for (key, (pid, changes)) in &by_principal {
            let mut first = true;
            let mut label = |table: &mut Table, change: &str, what: String| -> anyhow::Result<()> {
                let (k, n) = if first {
                    first = false;
                    (key.clone(), name(pid)?)
                } else {
                    (String::new(), String::new())
                };
                table.row(vec![k, n, change.to_string(), what]);
                Ok(())
            };
            for (change, ent) in &changes.direct {
                label(&mut table, change, ent.clone())?;
            }
            for ((change, from), n) in &changes.expanded {
                let noun = if *n == 1 { "grant" } else { "grants" };
                label(&mut table, change, format!("{n} {noun} through {from}"))?;
            }
        }
        table.write(out)?;
    }
    let mut objects = Table::new(&["OBJECT", "CHANGE", "ID", "NAME"]);
    for (change, list) in [
        ("added", &d.resources.created),
        ("removed", &d.resources.deleted),
        ("changed", &d.resources.modified),
    ] {
        for r in list {
            objects.row(vec![
                "resource".into(),
                change.into(),
                r.id.as_ref().map(resource_key).unwrap_or_default(),
                r.display_name.clone(),
            ]);
        }
    }
    for (change, list) in [
        ("added", &d.entitlements.created),
        ("removed", &d.entitlements.deleted),
        ("changed", &d.entitlements.modified),
    ] {
        for e in list {
            objects.row(vec![
                "entitlement".into(),
                change.into(),
                e.id.clone(),
                e.display_name.clone(),
            ]);
        }
    }
    if !objects.is_empty() {
        writeln!(out)?;
        objects.write(out)?;
    }
    Ok(())
}
