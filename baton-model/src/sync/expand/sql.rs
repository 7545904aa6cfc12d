//! The reference grant expansion: reads holders and writes grants through the grants
//! indexes, one SQLite query per holder. Kept (feature `reference-expansion`) so that tests
//! can check that the in-memory expansion writes the same grants and sources.

use std::collections::{BTreeMap, HashSet};

use super::{add_edges, order_edges, Edge};
use crate::c1z::C1zWriter;
use crate::proto::{Grant, GrantImmutable, GrantSource, GrantSources};
use crate::sync::SyncError;

/// Grants read per batch while scanning a source entitlement.
const GRANT_BATCH: usize = 1_000;

/// Runs the expansion on the grants stored in `writer`; returns the number of grants created.
pub(in crate::sync) fn expand(writer: &mut C1zWriter) -> Result<u64, SyncError> {
    let edges = collect_edges(writer)?;
    if edges.is_empty() {
        return Ok(0);
    }
    let edges = order_edges(edges);
    let mut created = 0u64;
    let mut dirty: Option<HashSet<String>> = None;
    let mut pass = 0u32;
    loop {
        pass += 1;
        let mut changed = HashSet::new();
        for edge in &edges {
            if dirty.as_ref().is_some_and(|d| !d.contains(&edge.source)) {
                continue;
            }
            created += expand_edge(writer, edge, &mut changed)?;
        }
        tracing::debug!(
            pass,
            changed = changed.len(),
            created,
            "grant expansion pass"
        );
        if changed.is_empty() {
            return Ok(created);
        }
        dirty = Some(changed);
    }
}

fn collect_edges(writer: &C1zWriter) -> Result<Vec<Edge>, SyncError> {
    let mut edges = Vec::new();
    let mut seen = HashSet::new();
    let mut after = 0;
    loop {
        let rows = writer.expandable_grants(after, GRANT_BATCH)?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.row_id;
        for row in rows {
            let Some(exp) = row.expansion else { continue };
            add_edges(
                &row.grant,
                &exp,
                |id| Ok(writer.entitlement(id)?),
                &mut seen,
                &mut edges,
            )?;
        }
    }
    Ok(edges)
}

/// Applies one edge; returns how many grants it created and records changed entitlements.
fn expand_edge(
    writer: &mut C1zWriter,
    edge: &Edge,
    changed: &mut HashSet<String>,
) -> Result<u64, SyncError> {
    let Some(dest) = writer.entitlement(&edge.dest)? else {
        tracing::warn!(entitlement = %edge.dest, "expansion destination entitlement not in sync; skipping edge");
        return Ok(0);
    };
    let immutable = crate::proto::pack(&GrantImmutable::default());
    let mut created = 0;
    let mut after = 0;
    loop {
        let rows = writer.grants_for_entitlement(&edge.source, after, GRANT_BATCH)?;
        let Some(last) = rows.last() else {
            return Ok(created);
        };
        after = last.row_id;
        for row in rows {
            let holder = row.grant;
            let Some(principal) = holder.principal else {
                continue;
            };
            let Some(pid) = principal.id.clone() else {
                continue;
            };
            if !edge.resource_type_ids.is_empty()
                && !edge.resource_type_ids.contains(&pid.resource_type)
            {
                continue;
            }
            let direct = holder
                .sources
                .as_ref()
                .is_none_or(|s| s.sources.is_empty() || s.sources.contains_key(&edge.source));
            if edge.shallow && !direct {
                continue;
            }
            let existing = writer.grants_of_principal(&edge.dest, &pid)?;
            if existing.is_empty() {
                let mut sources = BTreeMap::new();
                sources.insert(edge.source.clone(), GrantSource { is_direct: direct });
                let grant = Grant {
                    id: format!("{}:{}:{}", dest.id, pid.resource_type, pid.resource),
                    entitlement: Some(dest.clone()),
                    principal: Some(principal),
                    annotations: vec![immutable.clone()],
                    sources: Some(GrantSources { sources }),
                };
                writer.put_grant(&grant)?;
                created += 1;
                changed.insert(edge.dest.clone());
                continue;
            }
            for row in existing {
                let mut g = row.grant;
                let sources = &mut g.sources.get_or_insert_with(GrantSources::default).sources;
                let mut modified = false;
                if sources.is_empty() {
                    sources.insert(edge.dest.clone(), GrantSource { is_direct: true });
                    modified = true;
                }
                if !sources.contains_key(&edge.source) {
                    sources.insert(edge.source.clone(), GrantSource { is_direct: direct });
                    modified = true;
                }
                if modified {
                    writer.update_grant_data(row.row_id, &g)?;
                    changed.insert(edge.dest.clone());
                }
            }
        }
    }
}
