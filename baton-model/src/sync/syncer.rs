//! [`Syncer`]: walks a [`Connector`] in Baton order and writes a c1z.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use super::connector::{Connector, ConnectorError, Page, PageToken};
use super::encoded::{EntitlementKeys, GrantKeys};
use super::expand;
use super::progress::{Counts, Phase, Progress};
use super::writer_thread::{ExpandFn, Write, WriterThread};
use super::SyncError;
use crate::c1z::annotations;
use crate::c1z::WriterOptions;
use crate::model::ids::resource_key as key;
use crate::proto::{
    BatonId, ChildResourceType, Grant, GrantExpandable, InsertResourceGrants, Resource, ResourceId,
    ResourceType, SkipEntitlements, SkipEntitlementsAndGrants, SkipGrants, Trait,
};

/// Resources read back from the database per batch while listing entitlements and grants.
const RESOURCE_BATCH: usize = 500;

/// What a finished sync wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncSummary {
    /// The KSUID of the sync.
    pub sync_id: String,
    /// Resource types stored.
    pub resource_types: u64,
    /// Resources stored.
    pub resources: u64,
    /// Entitlements stored.
    pub entitlements: u64,
    /// Grants stored from the connector.
    pub grants: u64,
    /// Grants created by expansion.
    pub expanded_grants: u64,
    /// Size of the written c1z in bytes.
    pub c1z_bytes: u64,
    /// Wall time of the whole sync.
    pub elapsed: Duration,
}

type ProgressFn = Box<dyn Fn(Progress) + Send + Sync>;

/// Runs a full sync of a [`Connector`] into a c1z file.
///
/// ```no_run
/// # async fn demo(connector: impl baton_model::sync::Connector) -> Result<(), baton_model::sync::SyncError> {
/// use baton_model::sync::Syncer;
/// let summary = Syncer::new(connector)
///     .progress(|p| tracing::info!(phase = ?p.phase, grants = p.counts.grants, "sync"))
///     .run("sync.c1z")
///     .await?;
/// # let _ = summary; Ok(()) }
/// ```
pub struct Syncer<C> {
    connector: C,
    progress: Option<ProgressFn>,
    type_filter: Option<Vec<String>>,
    writer_options: WriterOptions,
    #[cfg(feature = "reference-expansion")]
    reference_expansion: bool,
    /// Tests: every listed key gets the same hash, so every resource after the first is a
    /// candidate duplicate the writer must rule out.
    #[cfg(test)]
    colliding_hashes: bool,
}

impl<C> fmt::Debug for Syncer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Syncer")
            .field("type_filter", &self.type_filter)
            .field("writer_options", &self.writer_options)
            .finish_non_exhaustive()
    }
}

impl<C: Connector> Syncer<C> {
    /// A syncer for `connector`.
    pub fn new(connector: C) -> Self {
        Self {
            connector,
            progress: None,
            type_filter: None,
            writer_options: WriterOptions::default(),
            #[cfg(feature = "reference-expansion")]
            reference_expansion: false,
            #[cfg(test)]
            colliding_hashes: false,
        }
    }

    /// Calls `callback` at every phase change and after every page.
    pub fn progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// Syncs only these resource types (an id the connector does not offer fails the sync).
    pub fn resource_type_filter<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.type_filter = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Options of the c1z writer (compression level, cache).
    pub fn writer_options(mut self, options: WriterOptions) -> Self {
        self.writer_options = options;
        self
    }

    /// Expands grants with the earlier implementation that reads and writes through the grants
    /// indexes (slower; for comparing the two in tests).
    #[cfg(feature = "reference-expansion")]
    pub fn reference_expansion(mut self, on: bool) -> Self {
        self.reference_expansion = on;
        self
    }

    /// Runs the sync and atomically writes `out`. On error `out` is left as it was.
    ///
    /// The c1z is written on a thread of its own (SQLite, grant expansion, compression and
    /// fsync never run on the async executor), fed through a bounded queue.
    pub async fn run(&self, out: impl AsRef<Path>) -> Result<SyncSummary, SyncError> {
        let started = Instant::now();
        let writer =
            WriterThread::start(out.as_ref().to_path_buf(), self.writer_options.clone()).await?;
        let mut run = Run {
            syncer: self,
            writer,
            types: HashMap::new(),
            type_order: Vec::new(),
            listed: Listed::default(),
            needs_expansion: false,
        };
        #[cfg(test)]
        {
            run.listed.colliding = self.colliding_hashes;
        }
        run.resource_types().await?;
        run.resources().await?;
        run.entitlements().await?;
        run.grants().await?;
        if run.needs_expansion {
            run.writer.flush().await?;
            run.report(Phase::Expansion);
            #[cfg(feature = "reference-expansion")]
            let expand: ExpandFn = if self.reference_expansion {
                expand::expand_reference
            } else {
                expand::expand
            };
            #[cfg(not(feature = "reference-expansion"))]
            let expand: ExpandFn = expand::expand;
            run.writer.expand(expand).await?;
        }
        run.writer.flush().await?;
        run.report(Phase::Writing);
        let Run { writer, .. } = run;
        let counts_of = writer.counts_handle();
        let written = writer.finish().await?;
        let counts = counts_of.snapshot();
        self.emit(Phase::Done, counts);
        let summary = SyncSummary {
            sync_id: written.sync_id,
            resource_types: counts.resource_types,
            resources: counts.resources,
            entitlements: counts.entitlements,
            grants: counts.grants,
            expanded_grants: counts.expanded_grants,
            c1z_bytes: written.c1z_bytes,
            elapsed: started.elapsed(),
        };
        tracing::info!(
            sync_id = %summary.sync_id,
            resource_types = summary.resource_types,
            resources = summary.resources,
            entitlements = summary.entitlements,
            grants = summary.grants,
            expanded_grants = summary.expanded_grants,
            "sync finished"
        );
        Ok(summary)
    }

    fn emit(&self, phase: Phase, counts: Counts) {
        if let Some(cb) = &self.progress {
            cb(Progress { phase, counts });
        }
    }
}

/// State of one sync run.
struct Run<'a, C> {
    syncer: &'a Syncer<C>,
    writer: WriterThread,
    types: HashMap<String, ResourceType>,
    type_order: Vec<String>,
    /// The resources listed so far. Deciding here which listed resource is new lets
    /// resources go to the writer in queued batches, like the other objects: asking the writer
    /// cost a round trip between the threads per listing, and a workspace with thousands of
    /// folders has thousands of (mostly small) child listings. Freed after the resources phase.
    listed: Listed,
    needs_expansion: bool,
}

/// 64-bit hashes of the keys of the resources listed so far (16 bytes or so per resource,
/// whatever the key's length, so a connector with millions of resources does not pay for a
/// set of their keys). A hash seen before is only a candidate duplicate: the writer, whose
/// unique index holds the keys, decides.
#[derive(Default)]
struct Listed {
    hashes: foldhash::HashSet<u64>,
    hasher: foldhash::quality::FixedState,
    /// The key being hashed, in a buffer reused for every resource.
    key: String,
    #[cfg(test)]
    colliding: bool,
}

impl Listed {
    /// Notes the key of `id`; `false` when its hash was noted before (a duplicate or a
    /// collision).
    fn note(&mut self, id: &ResourceId) -> bool {
        #[cfg(test)]
        if self.colliding {
            return self.hashes.insert(0);
        }
        self.key.clear();
        crate::model::ids::push_resource_key(&mut self.key, id);
        let hash = std::hash::BuildHasher::hash_one(&self.hasher, self.key.as_str());
        self.hashes.insert(hash)
    }
}

/// The resource id an entitlement of the resource `rkey` is stored under, or `None`, with a
/// warning, when the entitlement lacks an id or a resource id and is dropped.
fn stored_under<R>(rkey: &str, id: &str, resource_id: Option<R>) -> Option<R> {
    match resource_id {
        Some(rid) if !id.is_empty() => Some(rid),
        _ => {
            tracing::warn!(resource = %rkey, entitlement = %id, "dropping entitlement without id or resource");
            None
        }
    }
}

/// Checks that a connector does not hand back the token it was just given.
fn next_token(
    current: &Option<PageToken>,
    next: Option<PageToken>,
    what: impl FnOnce() -> String,
) -> Result<Option<PageToken>, SyncError> {
    match next {
        Some(n) if n.as_str().is_empty() => Ok(None),
        Some(n) if current.as_ref() == Some(&n) => Err(SyncError::RepeatedPageToken(what())),
        other => Ok(other),
    }
}

fn connector_err(what: impl Into<String>) -> impl FnOnce(ConnectorError) -> SyncError {
    let what = what.into();
    move |source| SyncError::Connector { what, source }
}

/// The annotation message a resource of a type with `t` must carry.
fn required_trait(t: i32) -> Option<&'static str> {
    match Trait::try_from(t).ok()? {
        Trait::User => Some("c1.connector.v2.UserTrait"),
        Trait::Group => Some("c1.connector.v2.GroupTrait"),
        Trait::Role => Some("c1.connector.v2.RoleTrait"),
        Trait::App => Some("c1.connector.v2.AppTrait"),
        Trait::Secret => Some("c1.connector.v2.SecretTrait"),
        _ => None,
    }
}

impl<C: Connector> Run<'_, C> {
    fn report(&self, phase: Phase) {
        self.syncer.emit(phase, self.writer.counts());
    }

    fn type_has<M: prost::Name>(&self, type_id: &str) -> bool {
        self.types
            .get(type_id)
            .is_some_and(|t| annotations::has::<M>(&t.annotations))
    }

    async fn resource_types(&mut self) -> Result<(), SyncError> {
        self.report(Phase::ResourceTypes);
        let filter: Option<HashSet<&str>> = self
            .syncer
            .type_filter
            .as_ref()
            .map(|f| f.iter().map(String::as_str).collect());
        let mut seen = HashSet::new();
        let mut page: Option<PageToken> = None;
        loop {
            let Page { items, next, .. } = self
                .syncer
                .connector
                .resource_types(page.clone())
                .await
                .map_err(connector_err("resource types"))?;
            for rt in items {
                if rt.id.is_empty() {
                    tracing::warn!(display_name = %rt.display_name, "dropping resource type without id");
                    continue;
                }
                seen.insert(rt.id.clone());
                if filter.as_ref().is_some_and(|f| !f.contains(rt.id.as_str())) {
                    continue;
                }
                if self.types.contains_key(&rt.id) {
                    tracing::warn!(resource_type = %rt.id, "duplicate resource type; keeping the first");
                    continue;
                }
                self.writer.write(Write::ResourceType(rt.clone())).await?;
                self.type_order.push(rt.id.clone());
                self.types.insert(rt.id.clone(), rt);
            }
            page = next_token(&page, next, || "resource types".into())?;
            if page.is_none() {
                break;
            }
        }
        if let Some(f) = &self.syncer.type_filter {
            if let Some(unknown) = f.iter().find(|id| !seen.contains(id.as_str())) {
                return Err(SyncError::UnknownResourceType(unknown.clone()));
            }
        }
        self.report(Phase::ResourceTypes);
        Ok(())
    }

    async fn resources(&mut self) -> Result<(), SyncError> {
        self.report(Phase::Resources);
        // Depth-first: a stack of (type, parent) listings; each pair is listed once.
        let mut stack: Vec<(String, Option<ResourceId>)> = self
            .type_order
            .iter()
            .rev()
            .map(|t| (t.clone(), None))
            .collect();
        let mut scheduled: HashSet<(String, String)> = HashSet::new();
        while let Some((type_id, parent)) = stack.pop() {
            let children = self.list_resources(&type_id, parent.as_ref()).await?;
            for (child_type, parent_id) in children.into_iter().rev() {
                if !self.types.contains_key(&child_type) {
                    tracing::debug!(child_type = %child_type, "child resource type not synced; skipping");
                    continue;
                }
                if scheduled.insert((child_type.clone(), key(&parent_id))) {
                    stack.push((child_type, Some(parent_id)));
                }
            }
        }
        self.listed = Listed::default();
        Ok(())
    }

    /// Lists every page of one (type, parent) listing; returns the child listings it announces.
    async fn list_resources(
        &mut self,
        type_id: &str,
        parent: Option<&ResourceId>,
    ) -> Result<Vec<(String, ResourceId)>, SyncError> {
        let what = || match parent {
            Some(p) => format!("resources of type {type_id} under {}", key(p)),
            None => format!("resources of type {type_id}"),
        };
        let mut children = Vec::new();
        let mut page: Option<PageToken> = None;
        loop {
            let Page { items, next, .. } = self
                .syncer
                .connector
                .resources(type_id, parent, page.clone())
                .await
                .map_err(connector_err(what()))?;
            for mut r in items {
                let Some(id) = r.id.as_ref().filter(|id| !id.resource.is_empty()) else {
                    tracing::warn!(display_name = %r.display_name, "dropping resource without id");
                    continue;
                };
                self.validate_resource(&r, id)?;
                if !self.listed.note(id) && self.is_stored(id).await? {
                    tracing::warn!(resource = %key(id), "duplicate resource in sync; keeping the first");
                    continue;
                }
                for child in r
                    .annotations
                    .iter()
                    .filter(|a| crate::proto::is::<ChildResourceType>(a))
                {
                    match <ChildResourceType as prost::Message>::decode(child.value.as_slice()) {
                        Ok(c) if !c.resource_type_id.is_empty() => {
                            children.push((c.resource_type_id, id.clone()));
                        }
                        _ => {
                            tracing::warn!(resource = %key(id), "ignoring malformed ChildResourceType")
                        }
                    }
                }
                if r.parent_resource_id.is_none() {
                    r.parent_resource_id = parent.cloned();
                }
                let data = prost::Message::encode_to_vec(&r);
                let write = Write::EncodedResource {
                    data,
                    id: r.id,
                    parent: r.parent_resource_id,
                };
                self.writer.write(write).await?;
            }
            self.report(Phase::Resources);
            page = next_token(&page, next, what)?;
            if page.is_none() {
                break;
            }
        }
        Ok(children)
    }

    /// Whether a resource with this id is stored (after every queued write).
    async fn is_stored(&mut self, id: &ResourceId) -> Result<bool, SyncError> {
        let id = id.clone();
        self.writer.call(move |w| Ok(w.has_resource(&id)?)).await
    }

    fn validate_resource(&self, r: &Resource, id: &ResourceId) -> Result<(), SyncError> {
        if annotations::has::<BatonId>(&r.annotations) {
            return Err(SyncError::BatonId(key(id)));
        }
        if let Some(rt) = self.types.get(&id.resource_type) {
            for t in &rt.traits {
                if let Some(name) = required_trait(*t) {
                    if !r
                        .annotations
                        .iter()
                        .any(|a| crate::proto::type_name(a) == name)
                    {
                        return Err(SyncError::MissingTrait {
                            resource: key(id),
                            resource_type: rt.id.clone(),
                            trait_name: name,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    async fn entitlements(&mut self) -> Result<(), SyncError> {
        self.report(Phase::Entitlements);
        let mut after = 0;
        loop {
            let batch = self
                .writer
                .call(move |w| Ok(w.resources_after(after, RESOURCE_BATCH)?))
                .await?;
            let Some((last, _)) = batch.last() else {
                return Ok(());
            };
            after = *last;
            for (_, r) in batch {
                self.resource_entitlements(&r).await?;
            }
        }
    }

    /// Whether the resource or its type carries the skip annotation `M`.
    fn skips<M: prost::Name>(&self, r: &Resource) -> bool {
        annotations::has::<M>(&r.annotations)
            || r.id
                .as_ref()
                .is_some_and(|id| self.type_has::<M>(&id.resource_type))
    }

    async fn resource_entitlements(&mut self, r: &Resource) -> Result<(), SyncError> {
        if self.skips::<SkipEntitlements>(r) || self.skips::<SkipEntitlementsAndGrants>(r) {
            return Ok(());
        }
        let rkey = r.id.as_ref().map(key).unwrap_or_default();
        let what = || format!("entitlements of {rkey}");
        let mut page: Option<PageToken> = None;
        loop {
            let connector = &self.syncer.connector;
            let next = match connector.entitlements_encoded(r, page.clone()).await {
                Some(listed) => {
                    let Page { items, next, .. } = listed.map_err(connector_err(what()))?;
                    for data in items {
                        let (id, resource) = EntitlementKeys::read(&data)
                            .map_err(|e| {
                                connector_err(what())(ConnectorError::new(format!(
                                    "an encoded entitlement does not decode: {e}"
                                )))
                            })?
                            .into_parts();
                        let Some(resource) = stored_under(&rkey, &id, resource) else {
                            continue;
                        };
                        let write = Write::EncodedEntitlement { data, id, resource };
                        self.writer.write(write).await?;
                    }
                    next
                }
                None => {
                    let Page { items, next, .. } = connector
                        .entitlements(r, page.clone())
                        .await
                        .map_err(connector_err(what()))?;
                    for e in items {
                        let rid = e.resource.as_ref().and_then(|r| r.id.as_ref());
                        if stored_under(&rkey, &e.id, rid).is_some() {
                            self.writer.write(Write::Entitlement(e)).await?;
                        }
                    }
                    next
                }
            };
            self.report(Phase::Entitlements);
            page = next_token(&page, next, what)?;
            if page.is_none() {
                return Ok(());
            }
        }
    }

    async fn grants(&mut self) -> Result<(), SyncError> {
        self.report(Phase::Grants);
        // Resources stored during this phase (InsertResourceGrants) are not listed again,
        // like Go, whose grant actions come from the resources phase.
        let last_listed = self.writer.call(|w| Ok(w.max_resource_row()?)).await?;
        let mut after = 0;
        loop {
            let batch = self
                .writer
                .call(move |w| Ok(w.resources_after(after, RESOURCE_BATCH)?))
                .await?;
            let Some((last, _)) = batch.last() else {
                return Ok(());
            };
            after = *last;
            for (row, r) in batch {
                if row > last_listed {
                    return Ok(());
                }
                self.resource_grants(&r).await?;
            }
        }
    }

    async fn resource_grants(&mut self, r: &Resource) -> Result<(), SyncError> {
        // Go ignores SkipGrants on the type; we honour it there too
        // (docs/decisions.md#d36-skipgrants-is-honoured-on-a-resource-type).
        if self.skips::<SkipGrants>(r) || self.skips::<SkipEntitlementsAndGrants>(r) {
            return Ok(());
        }
        let rkey = r.id.as_ref().map(key).unwrap_or_default();
        let what = || format!("grants of {rkey}");
        let mut page: Option<PageToken> = None;
        loop {
            let connector = &self.syncer.connector;
            let next = match connector.grants_encoded(r, page.clone()).await {
                Some(listed) => {
                    let Page {
                        items,
                        next,
                        annotations: page_annotations,
                    } = listed.map_err(connector_err(what()))?;
                    let insert_resources =
                        annotations::has::<InsertResourceGrants>(&page_annotations);
                    for data in items {
                        let undecodable = |e: prost::DecodeError| {
                            connector_err(what())(ConnectorError::new(format!(
                                "an encoded grant does not decode: {e}"
                            )))
                        };
                        let keys = GrantKeys::read(&data).map_err(undecodable)?;
                        if insert_resources || keys.has_expandable() {
                            // Rare: these need the whole message.
                            let g = <Grant as prost::Message>::decode(data.as_slice())
                                .map_err(undecodable)?;
                            self.store_grant(g, insert_resources).await?;
                        } else {
                            let keys = keys.into_row_keys();
                            self.writer
                                .write(Write::EncodedGrant { data, keys })
                                .await?;
                        }
                    }
                    next
                }
                None => {
                    let Page {
                        items,
                        next,
                        annotations: page_annotations,
                    } = connector
                        .grants(r, page.clone())
                        .await
                        .map_err(connector_err(what()))?;
                    let insert_resources =
                        annotations::has::<InsertResourceGrants>(&page_annotations);
                    for g in items {
                        self.store_grant(g, insert_resources).await?;
                    }
                    next
                }
            };
            self.report(Phase::Grants);
            page = next_token(&page, next, what)?;
            if page.is_none() {
                return Ok(());
            }
        }
    }

    /// Stores a listed grant, and first its entitlement's resource under
    /// `InsertResourceGrants`; notes whether the sync needs expansion.
    async fn store_grant(&mut self, g: Grant, insert_resources: bool) -> Result<(), SyncError> {
        if insert_resources {
            self.insert_grant_resource(&g).await?;
        }
        if !self.needs_expansion {
            self.needs_expansion = annotations::first::<GrantExpandable>(&g.annotations)
                .is_some_and(|e| e.entitlement_ids.iter().any(|id| !id.trim().is_empty()));
        }
        self.writer.write(Write::Grant(g)).await
    }

    /// `InsertResourceGrants`: store the grant's entitlement resource unless already stored
    /// (validated here, the outcome applied only if it is new).
    async fn insert_grant_resource(&mut self, g: &crate::proto::Grant) -> Result<(), SyncError> {
        let Some(res) = g.entitlement.as_ref().and_then(|e| e.resource.as_ref()) else {
            return Ok(());
        };
        let Some(id) = res.id.as_ref() else {
            return Ok(());
        };
        let valid = self.validate_resource(res, id);
        self.writer
            .write(Write::GrantResource(res.clone(), valid))
            .await
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::c1z::{C1zReader, ResourceFilter};
    use crate::model::ids::resource_id;

    /// One resource type whose top-level listing is `0` (two items per page).
    struct Listing(Vec<Resource>);

    #[async_trait]
    impl Connector for Listing {
        async fn resource_types(
            &self,
            _page: Option<PageToken>,
        ) -> Result<Page<ResourceType>, ConnectorError> {
            Ok(Page::last(vec![ResourceType {
                id: "thing".into(),
                display_name: "Thing".into(),
                ..Default::default()
            }]))
        }

        async fn resources(
            &self,
            _resource_type_id: &str,
            _parent: Option<&ResourceId>,
            page: Option<PageToken>,
        ) -> Result<Page<Resource>, ConnectorError> {
            let start: usize = page.map_or(0, |p| p.as_str().parse().unwrap_or(0));
            let end = (start + 2).min(self.0.len());
            let items = self.0.get(start..end).unwrap_or_default().to_vec();
            Ok(if end < self.0.len() {
                Page::with_next(items, end.to_string())
            } else {
                Page::last(items)
            })
        }

        async fn entitlements(
            &self,
            _resource: &Resource,
            _page: Option<PageToken>,
        ) -> Result<Page<crate::proto::Entitlement>, ConnectorError> {
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

    fn thing(id: &str, name: &str) -> Resource {
        Resource {
            id: Some(resource_id("thing", id)),
            display_name: name.into(),
            ..Default::default()
        }
    }

    /// (key, display name) of every stored resource, in row order.
    fn sync(colliding_hashes: bool) -> (SyncSummary, Vec<(String, String)>) {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("t.c1z");
        // Duplicates within a page, across pages, and right after their first copy.
        let listing = Listing(vec![
            thing("a", "A"),
            thing("b", "B"),
            thing("a", "A again"),
            thing("c", "C"),
            thing("b", "B again"),
            thing("b", "B once more"),
            thing("d", "D"),
        ]);
        let mut syncer = Syncer::new(listing);
        syncer.colliding_hashes = colliding_hashes;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let summary = runtime.block_on(syncer.run(&out)).expect("sync");
        let rows = C1zReader::open(&out)
            .expect("open")
            .resources(&ResourceFilter::default())
            .expect("resources")
            .into_iter()
            .map(|r| {
                let id = r.id.as_ref().map(key).unwrap_or_default();
                (id, r.display_name)
            })
            .collect();
        (summary, rows)
    }

    #[test]
    fn a_hash_seen_before_is_a_duplicate_only_if_the_writer_has_the_resource() {
        let expected: Vec<(String, String)> = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]
            .iter()
            .map(|(id, name)| (format!("thing:{id}"), (*name).to_string()))
            .collect();
        for colliding in [false, true] {
            let (summary, rows) = sync(colliding);
            assert_eq!(rows, expected, "colliding hashes: {colliding}");
            assert_eq!(summary.resources, 4);
        }
    }
}
