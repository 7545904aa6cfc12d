//! Grant expansion over an in-memory graph, written through the writer's bulk load.
//!
//! The grants expansion reads or changes are only those on graph entitlements (sources and
//! destinations of edges). One sequential scan of the grants table loads, for each of them,
//! the row id, the principal (interned: a workspace has far fewer principals than grants) and
//! the sources; the fixpoint then runs on that graph with hash lookups instead of one indexed
//! query per holder. At the end the created grants are encoded directly (the destination
//! entitlement and the principal are encoded once each, not once per grant) and appended
//! through the same bulk-load path as the connector's grants, before the grants indexes are
//! built, and the few stored grants that gained sources get their `data` rewritten by row id.
//!
//! The passes, the edge order, the holder order and the moment each holder's sources are read
//! are those of the reference expansion (`sql`), so both write the same grants with the same
//! sources.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use prost::Message;

use super::{add_edges, order_edges, Edge};
use crate::c1z::{decode, C1zError, C1zWriter, GrantKeys};
use crate::model::ids::write_grant_id;
use crate::proto::{
    pack, Entitlement, GrantExpandable, GrantImmutable, GrantSource, GrantSources, Resource,
    ResourceId,
};
use crate::sync::SyncError;

/// Holders whose sources are read at once. The reference expansion reads holders in pages of
/// this size, so on a self-loop (where a pass changes the sources of holders it has yet to
/// visit) both see the same, page-old sources.
const HOLDER_BATCH: usize = 1_000;

/// `principal` of a grant whose data names no principal id: never a holder.
const NO_PRINCIPAL: u32 = u32::MAX;

/// The part of a stored `Grant` expansion reads (prost skips the other fields undecoded).
#[derive(Clone, PartialEq, Message)]
struct GrantHead {
    #[prost(message, optional, tag = "2")]
    principal: Option<Resource>,
    #[prost(message, optional, tag = "5")]
    sources: Option<GrantSources>,
}

/// Strings to dense ids.
#[derive(Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.ids.insert(name.into(), id);
        self.names.push(name.into());
        id
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }
}

/// A distinct principal message found on a holder grant.
struct Principal {
    /// The message, encoded (as the created grants carry it).
    encoded: Vec<u8>,
    id: ResourceId,
    /// Interned `(type, id)`, comparable with the key columns of stored grants.
    key: u32,
}

/// A grant on a graph entitlement.
struct Node {
    /// Row id of a stored grant; 0 for one this expansion creates.
    row_id: i64,
    /// The entitlement (column) the grant is on.
    entitlement: u32,
    /// Index into `principals`, or [`NO_PRINCIPAL`].
    principal: u32,
    /// Current sources: (entitlement, is_direct), in insertion order, keys unique.
    sources: Vec<(u32, bool)>,
    /// A stored grant whose sources changed.
    modified: bool,
}

/// Grants of one (entitlement, principal): normally one.
enum Slot {
    One(u32),
    Many(Vec<u32>),
}

impl Slot {
    fn push(&mut self, node: u32) {
        match self {
            Slot::One(first) => *self = Slot::Many(vec![*first, node]),
            Slot::Many(v) => v.push(node),
        }
    }

    fn nodes(&self) -> &[u32] {
        match self {
            Slot::One(n) => std::slice::from_ref(n),
            Slot::Many(v) => v,
        }
    }
}

/// A destination entitlement as created grants embed it.
struct Dest {
    entitlement: Entitlement,
    encoded: Vec<u8>,
}

/// An edge with interned entitlements.
struct GraphEdge {
    source: u32,
    dest: u32,
    shallow: bool,
    resource_type_ids: Vec<String>,
}

#[derive(Default)]
struct Graph {
    entitlements: Interner,
    /// Per entitlement id: 1 = edge source, 2 = edge destination (bits).
    roles: Vec<u8>,
    principal_keys: HashMap<Box<str>, HashMap<Box<str>, u32>>,
    principal_key_count: u32,
    principals: Vec<Principal>,
    principal_ids: HashMap<Vec<u8>, u32>,
    nodes: Vec<Node>,
    /// Grants on each graph entitlement, in row order (created grants last).
    holders: HashMap<u32, Vec<u32>>,
    /// Grants on each destination entitlement by principal key.
    by_principal: HashMap<(u32, u32), Slot>,
    /// Created grants, in creation order.
    created: Vec<u32>,
    scratch: Vec<u8>,
}

const SOURCE: u8 = 1;
const DEST: u8 = 2;

impl Graph {
    fn entitlement(&mut self, id: &str) -> u32 {
        let e = self.entitlements.intern(id);
        if self.roles.len() <= e as usize {
            self.roles.resize(e as usize + 1, 0);
        }
        e
    }

    fn role(&self, e: u32) -> u8 {
        self.roles.get(e as usize).copied().unwrap_or(0)
    }

    fn principal_key(&mut self, resource_type: &str, resource: &str) -> u32 {
        let by_id = match self.principal_keys.get_mut(resource_type) {
            Some(m) => m,
            None => self.principal_keys.entry(resource_type.into()).or_default(),
        };
        if let Some(k) = by_id.get(resource) {
            return *k;
        }
        let k = self.principal_key_count;
        self.principal_key_count += 1;
        by_id.insert(resource.into(), k);
        k
    }

    fn principal(&mut self, p: &Resource) -> u32 {
        let Some(id) = p.id.as_ref() else {
            return NO_PRINCIPAL;
        };
        self.scratch.clear();
        // A Vec grows on demand, so encoding into it cannot fail for lack of space.
        let _ = p.encode(&mut self.scratch);
        if let Some(i) = self.principal_ids.get(self.scratch.as_slice()) {
            return *i;
        }
        let key = self.principal_key(&id.resource_type, &id.resource);
        let i = u32::try_from(self.principals.len()).unwrap_or(NO_PRINCIPAL);
        self.principals.push(Principal {
            encoded: self.scratch.clone(),
            id: id.clone(),
            key,
        });
        self.principal_ids.insert(self.scratch.clone(), i);
        i
    }

    fn add_node(&mut self, node: Node, principal_key: u32) -> u32 {
        let n = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let e = node.entitlement;
        self.nodes.push(node);
        self.holders.entry(e).or_default().push(n);
        if self.role(e) & DEST != 0 {
            match self.by_principal.get_mut(&(e, principal_key)) {
                Some(slot) => slot.push(n),
                None => {
                    self.by_principal.insert((e, principal_key), Slot::One(n));
                }
            }
        }
        n
    }
}

/// Runs the expansion on the grants stored in `writer`; returns the number of grants created.
pub(in crate::sync) fn expand(writer: &mut C1zWriter) -> Result<u64, SyncError> {
    let edges = collect_edges(writer)?;
    if edges.is_empty() {
        return Ok(0);
    }
    let edges = order_edges(edges);
    let mut graph = Graph::default();
    let edges: Vec<GraphEdge> = edges
        .into_iter()
        .map(|e| {
            let source = graph.entitlement(&e.source);
            let dest = graph.entitlement(&e.dest);
            graph.roles[source as usize] |= SOURCE;
            graph.roles[dest as usize] |= DEST;
            GraphEdge {
                source,
                dest,
                shallow: e.shallow,
                resource_type_ids: e.resource_type_ids,
            }
        })
        .collect();
    let mut dests: HashMap<u32, Option<Dest>> = HashMap::new();
    for e in &edges {
        if let std::collections::hash_map::Entry::Vacant(slot) = dests.entry(e.dest) {
            let dest = writer
                .entitlement(graph.entitlements.name(e.dest))?
                .map(|entitlement| Dest {
                    encoded: entitlement.encode_to_vec(),
                    entitlement,
                });
            slot.insert(dest);
        }
    }
    let started = std::time::Instant::now();
    load(writer, &mut graph)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis(),
        edges = edges.len(),
        grants = graph.nodes.len(),
        principals = graph.principals.len(),
        "grant expansion graph loaded"
    );

    let mut dirty: Option<HashSet<u32>> = None;
    let mut pass = 0u32;
    loop {
        pass += 1;
        let mut changed = HashSet::new();
        for edge in &edges {
            if dirty.as_ref().is_some_and(|d| !d.contains(&edge.source)) {
                continue;
            }
            if dests.get(&edge.dest).is_none_or(Option::is_none) {
                tracing::warn!(entitlement = %graph.entitlements.name(edge.dest), "expansion destination entitlement not in sync; skipping edge");
                continue;
            }
            expand_edge(&mut graph, edge, &mut changed);
        }
        tracing::debug!(
            pass,
            changed = changed.len(),
            created = graph.created.len(),
            "grant expansion pass"
        );
        if changed.is_empty() {
            break;
        }
        dirty = Some(changed);
    }
    let started = std::time::Instant::now();
    let created = write(writer, &graph, &dests)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis(),
        created,
        "expanded grants written"
    );
    Ok(created)
}

fn collect_edges(writer: &C1zWriter) -> Result<Vec<Edge>, SyncError> {
    let mut edges = Vec::new();
    // `add_edges` is shared with the reference expansion and takes std's set.
    let mut seen = std::collections::HashSet::new();
    writer.scan_grants(true, |row| {
        let Some(exp) = row.expansion else {
            return Ok(());
        };
        let g = decode("v1_grants", row.row_id, row.data)?;
        let exp: GrantExpandable = decode("v1_grants", row.row_id, exp)?;
        add_edges(
            &g,
            &exp,
            |id| Ok(writer.entitlement(id)?),
            &mut seen,
            &mut edges,
        )
    })?;
    Ok(edges)
}

/// Loads every stored grant on a graph entitlement, in row order.
fn load(writer: &C1zWriter, graph: &mut Graph) -> Result<(), SyncError> {
    writer.scan_grants(false, |row| {
        let Some(e) = graph.entitlements.get(row.entitlement_id) else {
            return Ok::<(), SyncError>(());
        };
        if graph.role(e) == 0 {
            return Ok(());
        }
        let key = graph.principal_key(row.principal_type, row.principal_id);
        let head: GrantHead = decode("v1_grants", row.row_id, row.data)?;
        let principal = head
            .principal
            .as_ref()
            .map_or(NO_PRINCIPAL, |p| graph.principal(p));
        let sources = head.sources.map_or_else(Vec::new, |s| {
            s.sources
                .into_iter()
                .map(|(id, s)| (graph.entitlement(&id), s.is_direct))
                .collect()
        });
        graph.add_node(
            Node {
                row_id: row.row_id,
                entitlement: e,
                principal,
                sources,
                modified: false,
            },
            key,
        );
        Ok(())
    })
}

fn is_direct(sources: &[(u32, bool)], source: u32) -> bool {
    sources.is_empty() || sources.iter().any(|(k, _)| *k == source)
}

/// Applies one edge to the graph, recording the entitlements that changed.
fn expand_edge(graph: &mut Graph, edge: &GraphEdge, changed: &mut HashSet<u32>) {
    let mut batch: Vec<(u32, bool)> = Vec::with_capacity(HOLDER_BATCH);
    let mut next = 0;
    loop {
        batch.clear();
        let Some(list) = graph.holders.get(&edge.source) else {
            return;
        };
        let end = (next + HOLDER_BATCH).min(list.len());
        if next >= end {
            return;
        }
        for &n in &list[next..end] {
            let node = &graph.nodes[n as usize];
            batch.push((node.principal, is_direct(&node.sources, edge.source)));
        }
        next = end;
        for &(principal, direct) in &batch {
            let Some(p) = graph.principals.get(principal as usize) else {
                continue;
            };
            if !edge.resource_type_ids.is_empty()
                && !edge.resource_type_ids.contains(&p.id.resource_type)
            {
                continue;
            }
            if edge.shallow && !direct {
                continue;
            }
            let key = p.key;
            match graph.by_principal.get(&(edge.dest, key)) {
                None => {
                    let n = graph.add_node(
                        Node {
                            row_id: 0,
                            entitlement: edge.dest,
                            principal,
                            sources: vec![(edge.source, direct)],
                            modified: false,
                        },
                        key,
                    );
                    graph.created.push(n);
                    changed.insert(edge.dest);
                }
                Some(slot) => {
                    for &n in slot.nodes() {
                        let node = &mut graph.nodes[n as usize];
                        let mut modified = false;
                        if node.sources.is_empty() {
                            node.sources.push((edge.dest, true));
                            modified = true;
                        }
                        if !node.sources.iter().any(|(k, _)| *k == edge.source) {
                            node.sources.push((edge.source, direct));
                            modified = true;
                        }
                        if modified {
                            node.modified = true;
                            changed.insert(edge.dest);
                        }
                    }
                }
            }
        }
    }
}

/// Appends the created grants through the bulk load, then rewrites the stored grants that
/// gained sources; returns the number created.
fn write(
    writer: &mut C1zWriter,
    graph: &Graph,
    dests: &HashMap<u32, Option<Dest>>,
) -> Result<u64, SyncError> {
    let immutable = pack(&GrantImmutable::default()).encode_to_vec();
    let mut sources: Vec<(&str, bool)> = Vec::new();
    let mut created = graph.created.iter().filter_map(|&n| {
        let node = &graph.nodes[n as usize];
        // Created only for a known destination and a principal with an id.
        match (
            dests.get(&node.entitlement),
            graph.principals.get(node.principal as usize),
        ) {
            (Some(Some(dest)), Some(p)) => Some((node, dest, p)),
            _ => None,
        }
    });
    writer.put_grants_encoded(|data, id| {
        let Some((node, dest, p)) = created.next() else {
            return Ok(None);
        };
        let ent = &dest.entitlement;
        write_grant_id(id, &ent.id, &p.id);
        if ent.id.is_empty() {
            return Err(missing(id, "entitlement.id"));
        }
        let Some(erid) = ent.resource.as_ref().and_then(|r| r.id.as_ref()) else {
            return Err(missing(id, "entitlement.resource.id"));
        };
        sources.clear();
        sources.extend(
            node.sources
                .iter()
                .map(|(k, d)| (graph.entitlements.name(*k), *d)),
        );
        sources.sort_unstable_by(|a, b| a.0.cmp(b.0));
        encode_created(data, &dest.encoded, &p.encoded, id, &immutable, &sources);
        Ok(Some(GrantKeys {
            resource_type: &erid.resource_type,
            resource: &erid.resource,
            entitlement: &ent.id,
            principal_type: &p.id.resource_type,
            principal: &p.id.resource,
        }))
    })?;
    let mut data = Vec::with_capacity(1024);
    for node in graph.nodes.iter().filter(|n| n.modified && n.row_id > 0) {
        let Some(stored) = writer.grant_data(node.row_id)? else {
            continue;
        };
        let mut g: crate::proto::Grant = decode("v1_grants", node.row_id, &stored)?;
        let map: BTreeMap<String, GrantSource> = node
            .sources
            .iter()
            .map(|(k, d)| {
                (
                    graph.entitlements.name(*k).to_owned(),
                    GrantSource { is_direct: *d },
                )
            })
            .collect();
        g.sources = Some(GrantSources { sources: map });
        data.clear();
        let _ = g.encode(&mut data);
        writer.set_grant_data(node.row_id, &data)?;
    }
    Ok(graph.created.len() as u64)
}

fn missing(id: &str, field: &'static str) -> SyncError {
    SyncError::C1z(C1zError::MissingKey {
        kind: "grant",
        id: id.to_owned(),
        field,
    })
}

fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        // Truncation intended: the low seven bits with the continuation bit.
        #[allow(clippy::cast_possible_truncation)]
        buf.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    #[allow(clippy::cast_possible_truncation)]
    buf.push(v as u8);
}

fn varint_len(v: u64) -> usize {
    let bits = 64 - (v | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// A length-delimited field `tag` holding `bytes`.
fn put_bytes_field(buf: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
    buf.push(tag << 3 | 2);
    put_varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

/// Encodes a created grant exactly as prost encodes
/// `Grant { entitlement, principal, id, annotations: [immutable], sources: Some(sources) }`
/// (fields in tag order; map entries sorted by key with default keys and values left out),
/// from the pre-encoded entitlement, principal and annotation. `sources` must be sorted.
fn encode_created(
    buf: &mut Vec<u8>,
    entitlement: &[u8],
    principal: &[u8],
    id: &str,
    annotation: &[u8],
    sources: &[(&str, bool)],
) {
    buf.clear();
    put_bytes_field(buf, 1, entitlement);
    put_bytes_field(buf, 2, principal);
    if !id.is_empty() {
        put_bytes_field(buf, 3, id.as_bytes());
    }
    put_bytes_field(buf, 4, annotation);
    // GrantSource { is_direct: true } is `08 01`; as map value (field 2) `12 02 08 01`.
    const DIRECT_VALUE: [u8; 4] = [0x12, 0x02, 0x08, 0x01];
    let entry_len = |key: &str, direct: bool| {
        let key_len = if key.is_empty() {
            0
        } else {
            1 + varint_len(key.len() as u64) + key.len()
        };
        key_len + if direct { DIRECT_VALUE.len() } else { 0 }
    };
    let map_len: usize = sources
        .iter()
        .map(|(k, d)| {
            let l = entry_len(k, *d);
            1 + varint_len(l as u64) + l
        })
        .sum();
    buf.push(5 << 3 | 2);
    put_varint(buf, map_len as u64);
    for (k, d) in sources {
        buf.push(1 << 3 | 2);
        put_varint(buf, entry_len(k, *d) as u64);
        if !k.is_empty() {
            put_bytes_field(buf, 1, k.as_bytes());
        }
        if *d {
            buf.extend_from_slice(&DIRECT_VALUE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::{grant_id, resource_id};
    use crate::proto::{Any, Grant};

    fn entitlement() -> Entitlement {
        Entitlement {
            id: "folder:7:access".into(),
            display_name: "x".repeat(200),
            resource: Some(Resource {
                id: Some(resource_id("folder", "7")),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn created_grants_encode_like_prost() {
        let ent = entitlement();
        let principal = Resource {
            id: Some(resource_id("collaborator", "42")),
            display_name: "A long display name ".repeat(10),
            ..Default::default()
        };
        let immutable = pack(&GrantImmutable::default());
        let cases: Vec<Vec<(&str, bool)>> = vec![
            vec![("role:1:member", true)],
            vec![("role:1:member", false)],
            vec![("", true), ("a", false), ("b".repeat(300).leak(), true)],
            vec![],
        ];
        let mut buf = Vec::new();
        for sources in cases {
            let id = grant_id(&ent.id, principal.id.as_ref().expect("id"));
            let expected = Grant {
                entitlement: Some(ent.clone()),
                principal: Some(principal.clone()),
                id: id.clone(),
                annotations: vec![immutable.clone()],
                sources: Some(GrantSources {
                    sources: sources
                        .iter()
                        .map(|(k, d)| ((*k).to_owned(), GrantSource { is_direct: *d }))
                        .collect(),
                }),
            }
            .encode_to_vec();
            encode_created(
                &mut buf,
                &ent.encode_to_vec(),
                &principal.encode_to_vec(),
                &id,
                &Any::encode_to_vec(&immutable),
                &sources,
            );
            assert_eq!(buf, expected, "{sources:?}");
        }
    }

    #[test]
    fn varint_lengths() {
        for v in [
            0u64,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut buf = Vec::new();
            put_varint(&mut buf, v);
            assert_eq!(buf.len(), varint_len(v), "{v}");
        }
    }
}
