//! Grant expansion (docs/architecture.md#grant-expansion): holders of a source entitlement S also
//! receive the destination entitlement D of every grant `GrantExpandable{S}` whose principal is S's
//! resource.
//!
//! Edges S -> D are collected from the stored expandable grants. Expansion runs to a fixpoint:
//! each pass processes the edges whose source gained grants or sources in the previous pass, in
//! topological order of the strongly connected components (so chains settle in one pass). Every
//! change only adds a grant or a source key, both drawn from finite sets, so cycles terminate.
//!
//! [`memory`] computes this over an in-memory graph of the grants on graph entitlements and
//! streams the created grants into the writer's bulk load; `sql` (feature
//! `reference-expansion`) is the earlier implementation that reads and writes through the
//! grants indexes row by row, kept as the reference the in-memory one is tested against.

use std::collections::{HashMap, HashSet};

use super::SyncError;
use crate::model::ids::resource_key;
use crate::proto::{Entitlement, Grant, GrantExpandable, ResourceId};

mod memory;
#[cfg(feature = "reference-expansion")]
mod sql;

pub(super) use memory::expand;
#[cfg(feature = "reference-expansion")]
pub(super) use sql::expand as expand_reference;

/// One expansion edge S -> D.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edge {
    source: String,
    dest: String,
    shallow: bool,
    resource_type_ids: Vec<String>,
}

fn same_resource(a: &ResourceId, b: &ResourceId) -> bool {
    a.resource_type == b.resource_type && a.resource == b.resource
}

/// The edges an expandable grant `g` contributes, deduplicated against `seen` and appended to
/// `edges`. `entitlement` looks a source entitlement up among the stored ones.
fn add_edges(
    g: &Grant,
    exp: &GrantExpandable,
    mut entitlement: impl FnMut(&str) -> Result<Option<Entitlement>, SyncError>,
    seen: &mut HashSet<(String, String, bool, Vec<String>)>,
    edges: &mut Vec<Edge>,
) -> Result<(), SyncError> {
    let (Some(dest), Some(principal)) = (
        g.entitlement.as_ref().map(|e| e.id.as_str()),
        g.principal.as_ref().and_then(|p| p.id.as_ref()),
    ) else {
        return Ok(());
    };
    for source in exp.entitlement_ids.iter().filter(|s| !s.trim().is_empty()) {
        let Some(src_ent) = entitlement(source)? else {
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
                source_resource: resource_key(&src_res),
                principal: resource_key(principal),
            });
        }
        let id = (
            source.clone(),
            dest.to_owned(),
            exp.shallow,
            exp.resource_type_ids.clone(),
        );
        if seen.insert(id) {
            edges.push(Edge {
                source: source.clone(),
                dest: dest.to_owned(),
                shallow: exp.shallow,
                resource_type_ids: exp.resource_type_ids.clone(),
            });
        }
    }
    Ok(())
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
