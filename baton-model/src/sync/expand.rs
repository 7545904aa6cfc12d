//! Grant expansion (baton-proto.md §11): holders of a source entitlement S also receive the
//! destination entitlement D of every grant `GrantExpandable{S}` whose principal is S's resource.
//!
//! Edges S -> D are collected from the stored expandable grants. Expansion runs to a fixpoint:
//! each pass processes the edges whose source gained grants or sources in the previous pass, in
//! topological order of the strongly connected components (so chains settle in one pass). Every
//! change only adds a grant or a source key, both drawn from finite sets, so cycles terminate.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::SyncError;
use crate::c1z::C1zWriter;
use crate::proto::{Grant, GrantImmutable, GrantSource, GrantSources, ResourceId};

/// Grants read per batch while scanning a source entitlement.
const GRANT_BATCH: usize = 1_000;

/// One expansion edge S -> D.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edge {
    source: String,
    dest: String,
    shallow: bool,
    resource_type_ids: Vec<String>,
}

fn key(id: &ResourceId) -> String {
    format!("{}:{}", id.resource_type, id.resource)
}

fn same_resource(a: &ResourceId, b: &ResourceId) -> bool {
    a.resource_type == b.resource_type && a.resource == b.resource
}

/// Runs the expansion on the grants stored in `writer`; returns the number of grants created.
pub(super) fn expand(writer: &mut C1zWriter) -> Result<u64, SyncError> {
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
            let g = &row.grant;
            let (Some(dest), Some(principal)) = (
                g.entitlement.as_ref().map(|e| e.id.clone()),
                g.principal.as_ref().and_then(|p| p.id.as_ref()),
            ) else {
                continue;
            };
            for source in exp.entitlement_ids.iter().filter(|s| !s.trim().is_empty()) {
                let Some(src_ent) = writer.entitlement(source)? else {
                    tracing::debug!(grant = %g.id, source = %source, "expansion source entitlement not in sync; skipping edge");
                    continue;
                };
                let src_res = src_ent
                    .resource
                    .as_ref()
                    .and_then(|r| r.id.clone())
                    .unwrap_or_default();
                if !same_resource(&src_res, principal) {
                    return Err(SyncError::ExpansionPrincipalMismatch {
                        grant: g.id.clone(),
                        source_entitlement: source.clone(),
                        source_resource: key(&src_res),
                        principal: key(principal),
                    });
                }
                let edge = Edge {
                    source: source.clone(),
                    dest: dest.clone(),
                    shallow: exp.shallow,
                    resource_type_ids: exp.resource_type_ids.clone(),
                };
                let id = (
                    edge.source.clone(),
                    edge.dest.clone(),
                    edge.shallow,
                    edge.resource_type_ids.clone(),
                );
                if seen.insert(id) {
                    edges.push(edge);
                }
            }
        }
    }
    Ok(edges)
}

/// Orders edges by the topological order of the graph's strongly connected components (Tarjan),
/// logging every cycle found.
fn order_edges(edges: Vec<Edge>) -> Vec<Edge> {
    let mut index: HashMap<String, usize> = HashMap::new();
    for e in &edges {
        let n = index.len();
        index.entry(e.source.clone()).or_insert(n);
        let n = index.len();
        index.entry(e.dest.clone()).or_insert(n);
    }
    let n = index.len();
    let mut adj = vec![Vec::new(); n];
    for e in &edges {
        adj[index[&e.source]].push(index[&e.dest]);
    }
    let comp = tarjan(&adj);
    // Tarjan numbers components in reverse topological order: sources get the highest numbers.
    let comp_count = comp.iter().copied().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0usize; comp_count];
    for c in &comp {
        sizes[*c] += 1;
    }
    let cycles = sizes.iter().filter(|s| **s > 1).count()
        + edges.iter().filter(|e| e.source == e.dest).count();
    if cycles > 0 {
        tracing::info!(
            cycles,
            "grant expansion graph has cycles; expanding them to a fixpoint"
        );
    }
    let mut ordered: Vec<(usize, usize, Edge)> = edges
        .into_iter()
        .enumerate()
        .map(|(i, e)| (comp[index[&e.source]], i, e))
        .collect();
    ordered.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ordered.into_iter().map(|(_, _, e)| e).collect()
}

/// Iterative Tarjan SCC; returns the component number of each node.
fn tarjan(adj: &[Vec<usize>]) -> Vec<usize> {
    const UNVISITED: usize = usize::MAX;
    let n = adj.len();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![UNVISITED; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != UNVISITED {
            continue;
        }
        // (node, next child position)
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            if let Some(&w) = adj[v].get(*pos) {
                *pos += 1;
                if index[w] == UNVISITED {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    comp
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Position of every edge in an ordering.
    fn positions(edges: &[Edge]) -> HashMap<(String, String), usize> {
        edges
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.source.clone(), e.dest.clone()), i))
            .collect()
    }

    fn edge(s: &str, d: &str) -> Edge {
        Edge {
            source: s.into(),
            dest: d.into(),
            shallow: false,
            resource_type_ids: vec![],
        }
    }

    #[test]
    fn tarjan_finds_cycle() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3
        let adj = vec![vec![1], vec![2], vec![1, 3], vec![]];
        let comp = tarjan(&adj);
        assert_eq!(comp[1], comp[2]);
        assert_ne!(comp[0], comp[1]);
        assert_ne!(comp[3], comp[1]);
        // reverse topological numbering: sink first
        assert!(comp[3] < comp[1] && comp[1] < comp[0]);
    }

    #[test]
    fn edges_ordered_sources_first() {
        let ordered = order_edges(vec![edge("b", "c"), edge("c", "d"), edge("a", "b")]);
        let pos = positions(&ordered);
        assert!(pos[&("a".into(), "b".into())] < pos[&("b".into(), "c".into())]);
        assert!(pos[&("b".into(), "c".into())] < pos[&("c".into(), "d".into())]);
    }
}
