//! End-to-end syncs of an in-memory connector: Baton order, child resources, skip rules,
//! grant expansion (multi-hop, cycles, shallow, type filters), failures and determinism.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use baton_model::c1z::{C1zReader, GrantFilter, ResourceFilter};
use baton_model::model::ids::{resource_id, resource_key};
use baton_model::model::{
    EntitlementBuilder, GrantBuilder, Profile, ResourceBuilder, ResourceTypeBuilder,
    UserTraitBuilder,
};
use baton_model::proto::{
    self, BatonId, Entitlement, Grant, InsertResourceGrants, Purpose, Resource, ResourceId,
    ResourceType, Trait,
};
use baton_model::sync::{
    Connector, ConnectorError, Page, PageToken, Phase, Progress, SyncError, Syncer,
};

/// An in-memory connector serving fixed data two items per page.
#[derive(Default, Clone)]
struct MemConnector {
    types: Vec<ResourceType>,
    /// (type, parent key or "") -> resources
    resources: HashMap<(String, String), Vec<Resource>>,
    entitlements: HashMap<String, Vec<Entitlement>>,
    grants: HashMap<String, Vec<Grant>>,
    insert_resource_grants: HashMap<String, bool>,
    fail_grants_of: Option<String>,
    calls: Arc<Mutex<Vec<String>>>,
    /// Serve entitlements through `entitlements_encoded`, followed by these raw items.
    encoded_entitlements: Option<HashMap<String, Vec<Vec<u8>>>>,
    /// Serve grants through `grants_encoded`, followed by these raw items.
    encoded_grants: Option<HashMap<String, Vec<Vec<u8>>>>,
}

#[derive(Debug, thiserror::Error)]
#[error("backend exploded")]
struct Boom;

/// `items` encoded, followed by the raw `extra` ones.
fn encoded_with<M: prost::Message>(
    items: Option<&Vec<M>>,
    extra: Option<&Vec<Vec<u8>>>,
) -> Vec<Vec<u8>> {
    let mut encoded: Vec<Vec<u8>> = items
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(prost::Message::encode_to_vec)
        .collect();
    encoded.extend(extra.cloned().unwrap_or_default());
    encoded
}

fn page<T: Clone>(items: &[T], token: Option<PageToken>) -> Page<T> {
    let start: usize = token.map_or(0, |t| t.as_str().parse().expect("token"));
    let end = (start + 2).min(items.len());
    let chunk = items.get(start..end).unwrap_or_default().to_vec();
    if end < items.len() {
        Page::with_next(chunk, end.to_string())
    } else {
        Page::last(chunk)
    }
}

#[async_trait]
impl Connector for MemConnector {
    async fn resource_types(
        &self,
        token: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError> {
        Ok(page(&self.types, token))
    }

    async fn resources(
        &self,
        resource_type_id: &str,
        parent: Option<&ResourceId>,
        token: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError> {
        let pk = parent.map(resource_key).unwrap_or_default();
        self.calls
            .lock()
            .expect("lock")
            .push(format!("resources {resource_type_id} [{pk}] {token:?}"));
        let items = self
            .resources
            .get(&(resource_type_id.to_string(), pk))
            .cloned()
            .unwrap_or_default();
        Ok(page(&items, token))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError> {
        let key = resource_key(resource.id.as_ref().expect("id"));
        self.calls
            .lock()
            .expect("lock")
            .push(format!("entitlements {key}"));
        Ok(page(
            self.entitlements
                .get(&key)
                .map(Vec::as_slice)
                .unwrap_or_default(),
            token,
        ))
    }

    async fn entitlements_encoded(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        let extra = self.encoded_entitlements.as_ref()?;
        let key = resource_key(resource.id.as_ref().expect("id"));
        let items = encoded_with(self.entitlements.get(&key), extra.get(&key));
        Some(Ok(page(&items, token)))
    }

    async fn grants_encoded(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        let extra = self.encoded_grants.as_ref()?;
        let key = resource_key(resource.id.as_ref().expect("id"));
        let encoded = encoded_with(self.grants.get(&key), extra.get(&key));
        // The same page split and annotations as `grants`, over the encoded items.
        let decoded = match self.grants(resource, token.clone()).await {
            Ok(p) => p,
            Err(e) => return Some(Err(e)),
        };
        let mut p = page(&encoded, token);
        p.annotations = decoded.annotations;
        Some(Ok(p))
    }

    async fn grants(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError> {
        let key = resource_key(resource.id.as_ref().expect("id"));
        self.calls
            .lock()
            .expect("lock")
            .push(format!("grants {key}"));
        if self.fail_grants_of.as_deref() == Some(key.as_str()) {
            return Err(ConnectorError::new(Boom));
        }
        let mut p = page(
            self.grants.get(&key).map(Vec::as_slice).unwrap_or_default(),
            token,
        );
        if self
            .insert_resource_grants
            .get(&key)
            .copied()
            .unwrap_or(false)
        {
            p = p.annotate(proto::pack(&InsertResourceGrants::default()));
        }
        Ok(p)
    }
}

impl MemConnector {
    fn add_type(&mut self, t: ResourceType) {
        self.types.push(t);
    }
    fn add_resource(&mut self, r: Resource) {
        let id = r.id.clone().expect("id");
        let parent = r
            .parent_resource_id
            .as_ref()
            .map(resource_key)
            .unwrap_or_default();
        self.resources
            .entry((id.resource_type, parent))
            .or_default()
            .push(r);
    }
    fn add_entitlement(&mut self, e: Entitlement) {
        let key = resource_key(
            e.resource
                .as_ref()
                .and_then(|r| r.id.as_ref())
                .expect("rid"),
        );
        self.entitlements.entry(key).or_default().push(e);
    }
    /// Grants are listed by `on` (usually the entitlement's resource).
    fn add_grant(&mut self, on: &str, g: Grant) {
        self.grants.entry(on.to_string()).or_default().push(g);
    }
}

fn user(id: &str) -> Resource {
    ResourceBuilder::new("user", id, format!("User {id}"))
        .user_trait(UserTraitBuilder::new().email(format!("{id}@example.com"), true))
        .build()
        .expect("user")
}

fn group(id: &str) -> Resource {
    ResourceBuilder::new("group", id, format!("Group {id}"))
        .group_trait(Profile::new().with("id", id))
        .build()
        .expect("group")
}

fn member_of(g: &Resource) -> Entitlement {
    EntitlementBuilder::new(g, "member")
        .purpose(Purpose::Assignment)
        .build()
        .expect("ent")
}

fn base_types(c: &mut MemConnector) {
    c.add_type(
        ResourceTypeBuilder::new("user", "User")
            .trait_(Trait::User)
            .skip_entitlements_and_grants()
            .build()
            .expect("t"),
    );
    c.add_type(
        ResourceTypeBuilder::new("group", "Group")
            .trait_(Trait::Group)
            .build()
            .expect("t"),
    );
}

/// The demo workspace: users, a group, a role granted to the group (expandable), an app
/// permission granted to the role (expandable: two hops), and a project with child folders.
fn workspace() -> MemConnector {
    let mut c = MemConnector::default();
    base_types(&mut c);
    c.add_type(
        ResourceTypeBuilder::new("role", "Role")
            .trait_(Trait::Role)
            .build()
            .expect("t"),
    );
    c.add_type(
        ResourceTypeBuilder::new("app", "App")
            .trait_(Trait::App)
            .build()
            .expect("t"),
    );
    c.add_type(
        ResourceTypeBuilder::new("project", "Project")
            .build()
            .expect("t"),
    );
    c.add_type(
        ResourceTypeBuilder::new("folder", "Folder")
            .skip_grants()
            .build()
            .expect("t"),
    );
    for u in ["alice", "bob", "carol"] {
        c.add_resource(user(u));
    }
    let eng = group("eng");
    c.add_resource(eng.clone());
    let admin = ResourceBuilder::new("role", "admin", "Admin")
        .role_trait(Profile::new())
        .build()
        .expect("role");
    c.add_resource(admin.clone());
    let app = ResourceBuilder::new("app", "wk", "Workspace")
        .app_trait(baton_model::model::AppTraitBuilder::default())
        .build()
        .expect("app");
    c.add_resource(app.clone());
    let project = ResourceBuilder::new("project", "p1", "Project 1")
        .child_type("folder")
        .build()
        .expect("p");
    c.add_resource(project.clone());
    let f1 = ResourceBuilder::new("folder", "f1", "Folder 1")
        .parent(resource_id("project", "p1"))
        .child_type("folder")
        .build()
        .expect("f");
    let f2 = ResourceBuilder::new("folder", "f2", "Folder 2")
        .parent(resource_id("folder", "f1"))
        .build()
        .expect("f");
    c.add_resource(f1.clone());
    c.add_resource(f2);
    c.add_entitlement(EntitlementBuilder::new(&f1, "view").build().expect("e"));

    let member = member_of(&eng);
    c.add_entitlement(member.clone());
    for u in ["alice", "bob"] {
        c.add_grant(
            "group:eng",
            GrantBuilder::new(&member, &resource_id("user", u))
                .build()
                .expect("g"),
        );
    }
    let assigned = EntitlementBuilder::new(&admin, "assigned")
        .build()
        .expect("e");
    c.add_entitlement(assigned.clone());
    c.add_grant(
        "role:admin",
        GrantBuilder::new(&assigned, &resource_id("user", "carol"))
            .build()
            .expect("g"),
    );
    c.add_grant(
        "role:admin",
        GrantBuilder::new(&assigned, &resource_id("group", "eng"))
            .expandable(&["group:eng:member"], false, &["user"])
            .build()
            .expect("g"),
    );
    let access = EntitlementBuilder::new(&app, "access")
        .purpose(Purpose::Permission)
        .build()
        .expect("e");
    c.add_entitlement(access.clone());
    // Listed from the role (a grant on another resource's entitlement).
    c.add_grant(
        "role:admin",
        GrantBuilder::new(&access, &resource_id("role", "admin"))
            .expandable(&["role:admin:assigned"], false, &[])
            .build()
            .expect("g"),
    );
    c
}

/// Text rendering of every row of the shown sync, for snapshots.
fn dump(path: &Path) -> String {
    let r = C1zReader::open(path).expect("open");
    let mut out = String::new();
    for rt in r.resource_types().expect("rts") {
        writeln!(out, "type {} traits={:?}", rt.id, rt.traits).expect("fmt");
    }
    for res in r.resources(&ResourceFilter::default()).expect("rs") {
        let id = res.id.as_ref().expect("id");
        let parent = res
            .parent_resource_id
            .as_ref()
            .map(resource_key)
            .unwrap_or_default();
        writeln!(out, "resource {} parent=[{parent}]", resource_key(id)).expect("fmt");
    }
    for e in r.entitlements(None).expect("es") {
        writeln!(out, "entitlement {}", e.id).expect("fmt");
    }
    for g in r.grants(&GrantFilter::default()).expect("gs") {
        let sources: Vec<String> = g
            .sources
            .as_ref()
            .map(|s| {
                s.sources
                    .iter()
                    .map(|(k, v)| format!("{k}{}", if v.is_direct { "(direct)" } else { "" }))
                    .collect()
            })
            .unwrap_or_default();
        let annotations: Vec<&str> = g.annotations.iter().map(proto::type_name).collect();
        let ent = g.entitlement.as_ref().expect("ent");
        writeln!(
            out,
            "grant {} sources={sources:?} annotations={annotations:?} full_entitlement={}",
            g.id,
            !ent.display_name.is_empty()
        )
        .expect("fmt");
    }
    out
}

fn out_path(dir: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
    dir.path().join(name)
}

/// Runs an async test body on a fresh current-thread runtime; in place of `#[tokio::test]`, so
/// that tokio's `macros` feature stays out of this crate's dependency tree.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("test runtime builds")
        .block_on(future)
}

#[test]
fn syncs_workspace_with_children_and_expansion() {
    block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        let out = out_path(&dir, "ws.c1z");
        let conn = workspace();
        let progress: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let seen = progress.clone();
        let summary = Syncer::new(&conn)
            .progress(move |p| seen.lock().expect("lock").push(p))
            .run(&out)
            .await
            .expect("sync");
        assert_eq!(summary.resource_types, 6);
        assert_eq!(summary.resources, 9);
        assert_eq!(summary.entitlements, 4);
        assert_eq!(summary.grants, 5);
        // alice, bob -> role:admin:assigned (users only); carol, group eng, alice, bob ->
        // app:wk:access (no type filter on that edge).
        assert_eq!(summary.expanded_grants, 6);
        assert_eq!(summary.sync_id.len(), 27);

        let phases: Vec<Phase> = progress
            .lock()
            .expect("lock")
            .iter()
            .map(|p| p.phase)
            .collect();
        let order = [
            Phase::ResourceTypes,
            Phase::Resources,
            Phase::Entitlements,
            Phase::Grants,
            Phase::Expansion,
            Phase::Writing,
            Phase::Done,
        ];
        let firsts: Vec<Phase> = order
            .iter()
            .copied()
            .filter(|ph| phases.contains(ph))
            .collect();
        assert_eq!(firsts, order.to_vec());
        let pos = |ph: Phase| phases.iter().position(|p| *p == ph).expect("phase");
        assert!(
            order.windows(2).all(|w| pos(w[0]) < pos(w[1])),
            "{phases:?}"
        );
        assert_eq!(
            progress
                .lock()
                .expect("lock")
                .last()
                .map(|p| p.counts.grants),
            Some(5)
        );

        let calls = conn.calls.lock().expect("lock").clone();
        // Depth-first children: each (child type, parent) pair listed once; no grants for
        // user (SkipEntitlementsAndGrants) or folder (SkipGrants on the type).
        let folder_calls: Vec<&String> = calls
            .iter()
            .filter(|c| c.starts_with("resources folder"))
            .collect();
        assert_eq!(
            folder_calls,
            // Children are listed right after their parent's listing, before the next type.
            vec![
                "resources folder [project:p1] None",
                "resources folder [folder:f1] None",
                "resources folder [] None"
            ]
        );
        assert!(!calls
            .iter()
            .any(|c| c.starts_with("grants user:") || c.starts_with("entitlements user:")));
        assert!(!calls.iter().any(|c| c.starts_with("grants folder:")));
        assert!(calls.iter().any(|c| c == "entitlements folder:f1"));

        insta::assert_snapshot!("workspace_rows", dump(&out));
    })
}

#[test]
fn expansion_cycle_terminates() {
    block_on(async {
        let mut c = MemConnector::default();
        base_types(&mut c);
        let (a, b) = (group("a"), group("b"));
        c.add_resource(a.clone());
        c.add_resource(b.clone());
        c.add_resource(user("u1"));
        c.add_resource(user("u2"));
        let (ma, mb) = (member_of(&a), member_of(&b));
        c.add_entitlement(ma.clone());
        c.add_entitlement(mb.clone());
        c.add_grant(
            "group:a",
            GrantBuilder::new(&ma, &resource_id("user", "u1"))
                .build()
                .expect("g"),
        );
        c.add_grant(
            "group:b",
            GrantBuilder::new(&mb, &resource_id("user", "u2"))
                .build()
                .expect("g"),
        );
        // B's members are members of A, and A's members are members of B: a cycle.
        c.add_grant(
            "group:a",
            GrantBuilder::new(&ma, &resource_id("group", "b"))
                .expandable(&["group:b:member"], false, &["user"])
                .build()
                .expect("g"),
        );
        c.add_grant(
            "group:b",
            GrantBuilder::new(&mb, &resource_id("group", "a"))
                .expandable(&["group:a:member"], false, &["user"])
                .build()
                .expect("g"),
        );
        let dir = tempfile::tempdir().expect("tmp");
        let out = out_path(&dir, "cycle.c1z");
        let summary = Syncer::new(c).run(&out).await.expect("sync");
        assert_eq!(summary.expanded_grants, 2);
        let r = C1zReader::open(&out).expect("open");
        let u1 = r
            .grants(&GrantFilter::principal(resource_id("user", "u1")))
            .expect("g");
        let ids: Vec<&str> = u1.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["group:a:member:user:u1", "group:b:member:user:u1"]
        );
        insta::assert_snapshot!("cycle_rows", dump(&out));
    })
}

/// g1 <- u1 (direct); g1's members are members of g2; g2's members are members of g3.
fn chain(shallow: bool) -> MemConnector {
    let mut c = MemConnector::default();
    base_types(&mut c);
    for g in ["g1", "g2", "g3"] {
        c.add_resource(group(g));
        c.add_entitlement(member_of(&group(g)));
    }
    c.add_resource(user("u1"));
    c.add_grant(
        "group:g1",
        GrantBuilder::new(&member_of(&group("g1")), &resource_id("user", "u1"))
            .build()
            .expect("g"),
    );
    c.add_grant(
        "group:g2",
        GrantBuilder::new(&member_of(&group("g2")), &resource_id("group", "g1"))
            .expandable(&["group:g1:member"], shallow, &[])
            .build()
            .expect("g"),
    );
    c.add_grant(
        "group:g3",
        GrantBuilder::new(&member_of(&group("g3")), &resource_id("group", "g2"))
            .expandable(&["group:g2:member"], shallow, &[])
            .build()
            .expect("g"),
    );
    c
}

#[test]
fn multi_hop_expansion_reaches_every_level() {
    block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        let out = out_path(&dir, "chain.c1z");
        let summary = Syncer::new(chain(false)).run(&out).await.expect("sync");
        // u1 -> g2, g3; g1 -> g3.
        assert_eq!(summary.expanded_grants, 3);
        let r = C1zReader::open(&out).expect("open");
        let g3 = r
            .grant("group:g3:member:user:u1")
            .expect("g")
            .expect("u1 reaches g3");
        let sources = g3.sources.expect("sources").sources;
        assert_eq!(sources.keys().collect::<Vec<_>>(), vec!["group:g2:member"]);
        assert!(
            !sources["group:g2:member"].is_direct,
            "u1 holds g2 only indirectly"
        );
        insta::assert_snapshot!("chain_rows", dump(&out));
    })
}

#[test]
fn shallow_expansion_stops_after_direct_holders() {
    block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        let out = out_path(&dir, "shallow.c1z");
        let summary = Syncer::new(chain(true)).run(&out).await.expect("sync");
        // u1 -> g2 (direct member of g1); g1 -> g3 (direct member of g2); u1 does not reach g3.
        assert_eq!(summary.expanded_grants, 2);
        let r = C1zReader::open(&out).expect("open");
        assert!(r.grant("group:g3:member:user:u1").expect("g").is_none());
        assert!(r.grant("group:g2:member:user:u1").expect("g").is_some());
        assert!(r.grant("group:g3:member:group:g1").expect("g").is_some());
    })
}

#[test]
fn failed_sync_leaves_previous_file_untouched() {
    block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        let out = out_path(&dir, "keep.c1z");
        Syncer::new(workspace())
            .run(&out)
            .await
            .expect("first sync");
        let before = std::fs::read(&out).expect("read");
        let mut broken = workspace();
        broken.fail_grants_of = Some("role:admin".into());
        let err = Syncer::new(broken).run(&out).await.expect_err("must fail");
        match &err {
            SyncError::Connector { what, source } => {
                assert_eq!(what, "grants of role:admin");
                assert_eq!(source.to_string(), "backend exploded");
                assert!(
                    source.inner().downcast_ref::<Boom>().is_some(),
                    "source kept"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(std::fs::read(&out).expect("read"), before);
        assert!(!dir.path().join("keep.c1z.tmp").exists());
    })
}

fn blobs(path: &Path) -> Vec<(String, Vec<u8>)> {
    use prost::Message;
    let r = C1zReader::open(path).expect("open");
    let mut out = Vec::new();
    for t in r.resource_types().expect("t") {
        out.push((t.id.clone(), t.encode_to_vec()));
    }
    for x in r.resources(&ResourceFilter::default()).expect("r") {
        out.push((resource_key(x.id.as_ref().expect("id")), x.encode_to_vec()));
    }
    for e in r.entitlements(None).expect("e") {
        out.push((e.id.clone(), e.encode_to_vec()));
    }
    for g in r.grants(&GrantFilter::default()).expect("g") {
        out.push((g.id.clone(), g.encode_to_vec()));
    }
    out
}

#[test]
fn two_syncs_of_same_data_write_identical_rows() {
    block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (out_path(&dir, "a.c1z"), out_path(&dir, "b.c1z"));
        Syncer::new(workspace()).run(&a).await.expect("a");
        Syncer::new(workspace()).run(&b).await.expect("b");
        let (ba, bb) = (blobs(&a), blobs(&b));
        assert_eq!(ba.len(), 6 + 9 + 4 + 11);
        assert_eq!(ba, bb);
    })
}

#[test]
fn encoded_entitlements_are_stored_like_decoded_ones() {
    block_on(async {
        use prost::Message;
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (out_path(&dir, "a.c1z"), out_path(&dir, "b.c1z"));
        Syncer::new(workspace()).run(&a).await.expect("decoded");
        let mut c = workspace();
        // Beside the real ones, an entitlement without a resource id is dropped, as a decoded
        // one would be.
        let orphan = Entitlement {
            id: "group:eng:orphan".into(),
            ..Default::default()
        };
        c.encoded_entitlements = Some(HashMap::from([(
            "group:eng".to_string(),
            vec![orphan.encode_to_vec()],
        )]));
        let summary = Syncer::new(c.clone()).run(&b).await.expect("encoded");
        assert_eq!(summary.entitlements, 4);
        assert_eq!(blobs(&a), blobs(&b));

        // Bytes that do not decode are the connector's fault: the sync fails and names it.
        c.encoded_entitlements = Some(HashMap::from([(
            "group:eng".to_string(),
            vec![vec![0x12, 0xff]],
        )]));
        let err = Syncer::new(c)
            .run(out_path(&dir, "c.c1z"))
            .await
            .expect_err("undecodable");
        assert!(
            matches!(&err, SyncError::Connector { what, .. } if what == "entitlements of group:eng"),
            "{err:?}"
        );
    })
}

#[test]
fn encoded_grants_are_stored_like_decoded_ones() {
    block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        // The workspace has expandable grants (decoded by the engine); the second connector
        // adds an InsertResourceGrants page (decoded too) to the workspace's plain grants.
        let mut inserting = workspace();
        let hidden = group("hidden");
        let hidden_member = EntitlementBuilder::new(&hidden, "member")
            .build()
            .expect("e");
        inserting.add_grant(
            "group:eng",
            GrantBuilder::new(&hidden_member, &resource_id("user", "alice"))
                .full_entitlement()
                .build()
                .expect("g"),
        );
        inserting
            .insert_resource_grants
            .insert("group:eng".into(), true);
        for (name, decoded) in [("workspace", workspace()), ("inserting", inserting)] {
            let a = out_path(&dir, &format!("{name}-decoded.c1z"));
            let b = out_path(&dir, &format!("{name}-encoded.c1z"));
            let summary_a = Syncer::new(decoded.clone()).run(&a).await.expect("decoded");
            let mut encoded = decoded;
            encoded.encoded_grants = Some(HashMap::new());
            let summary_b = Syncer::new(encoded).run(&b).await.expect("encoded");
            assert!(summary_b.expanded_grants > 0, "{name}");
            assert_eq!(
                (
                    summary_a.resources,
                    summary_a.grants,
                    summary_a.expanded_grants
                ),
                (
                    summary_b.resources,
                    summary_b.grants,
                    summary_b.expanded_grants
                ),
                "{name}"
            );
            assert_eq!(blobs(&a), blobs(&b), "{name}");
        }

        // Bytes that do not decode are the connector's fault: the sync fails and names it.
        let mut c = workspace();
        c.encoded_grants = Some(HashMap::from([(
            "role:admin".to_string(),
            vec![vec![0x1a, 0xff]],
        )]));
        let err = Syncer::new(c.clone())
            .run(out_path(&dir, "bad.c1z"))
            .await
            .expect_err("undecodable");
        assert!(
            matches!(&err, SyncError::Connector { what, .. } if what == "grants of role:admin"),
            "{err:?}"
        );
        // A grant without a principal fails as a decoded one does.
        let no_principal = Grant {
            principal: None,
            ..GrantBuilder::new(&member_of(&group("eng")), &resource_id("user", "zed"))
                .build()
                .expect("g")
        };
        c.encoded_grants = Some(HashMap::from([(
            "group:eng".to_string(),
            vec![prost::Message::encode_to_vec(&no_principal)],
        )]));
        let err = Syncer::new(c.clone())
            .run(out_path(&dir, "no-principal.c1z"))
            .await
            .expect_err("no principal");
        c.encoded_grants = None;
        c.add_grant("group:eng", no_principal);
        let decoded_err = Syncer::new(c)
            .run(out_path(&dir, "no-principal-decoded.c1z"))
            .await
            .expect_err("no principal");
        assert_eq!(err.to_string(), decoded_err.to_string());
        assert!(format!("{err:?}").contains("principal.id"), "{err:?}");
    })
}

#[test]
fn validation_failures_fail_the_sync() {
    block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        // A user without UserTrait.
        let mut c = MemConnector::default();
        base_types(&mut c);
        c.add_resource(ResourceBuilder::new("user", "x", "X").build().expect("r"));
        let err = Syncer::new(c)
            .run(out_path(&dir, "t.c1z"))
            .await
            .expect_err("trait");
        assert!(
            matches!(err, SyncError::MissingTrait { trait_name, .. } if trait_name == "c1.connector.v2.UserTrait"),
            "{err:?}"
        );
        // BatonID is reserved.
        let mut c = MemConnector::default();
        base_types(&mut c);
        let mut g = group("g");
        g.annotations.push(proto::pack(&BatonId::default()));
        c.add_resource(g);
        let err = Syncer::new(c)
            .run(out_path(&dir, "b.c1z"))
            .await
            .expect_err("baton id");
        assert!(matches!(err, SyncError::BatonId(ref k) if k == "group:g"));
        // Unknown type in the filter.
        let err = Syncer::new(workspace())
            .resource_type_filter(["nope"])
            .run(out_path(&dir, "f.c1z"))
            .await
            .expect_err("filter");
        assert!(matches!(err, SyncError::UnknownResourceType(ref t) if t == "nope"));
        // Expandable source entitlement on another resource than the principal.
        let mut c = MemConnector::default();
        base_types(&mut c);
        for g in ["g1", "g2"] {
            c.add_resource(group(g));
            c.add_entitlement(member_of(&group(g)));
        }
        c.add_grant(
            "group:g2",
            GrantBuilder::new(&member_of(&group("g2")), &resource_id("user", "u9"))
                .expandable(&["group:g1:member"], false, &[])
                .build()
                .expect("g"),
        );
        let err = Syncer::new(c)
            .run(out_path(&dir, "m.c1z"))
            .await
            .expect_err("mismatch");
        assert!(
            matches!(err, SyncError::ExpansionPrincipalMismatch { .. }),
            "{err:?}"
        );
        assert!(!dir.path().join("t.c1z").exists());
    })
}

#[test]
fn filter_duplicates_missing_sources_and_insert_resource_grants() {
    block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        let mut c = MemConnector::default();
        base_types(&mut c);
        c.add_resource(group("g1"));
        // Duplicate: the second copy (different name) is dropped, and the child listing it
        // announces is not made.
        let dup = ResourceBuilder::new("group", "g1", "Second")
            .group_trait(Profile::new())
            .child_type("user")
            .build()
            .expect("dup");
        c.add_resource(dup);
        c.add_resource(user("u1"));
        c.add_entitlement(member_of(&group("g1")));
        // A grant whose expandable source is not in the sync: edge skipped, grant kept.
        c.add_grant(
            "group:g1",
            GrantBuilder::new(&member_of(&group("g1")), &resource_id("group", "ghost"))
                .expandable(&["group:ghost:member"], false, &[])
                .build()
                .expect("g"),
        );
        // InsertResourceGrants: the entitlement's resource (not listed anywhere) gets stored.
        let hidden = group("hidden");
        let hidden_member = EntitlementBuilder::new(&hidden, "member")
            .build()
            .expect("e");
        c.add_grant(
            "user:u1",
            GrantBuilder::new(&hidden_member, &resource_id("user", "u1"))
                .full_entitlement()
                .build()
                .expect("g"),
        );
        c.insert_resource_grants.insert("user:u1".into(), true);
        // Users normally skip grants; give the type no skip annotation for this test.
        c.types[0].annotations.clear();
        let out = out_path(&dir, "misc.c1z");
        let summary = Syncer::new(c.clone()).run(&out).await.expect("sync");
        assert_eq!(summary.resources, 3, "g1, u1, hidden");
        assert_eq!(summary.expanded_grants, 0);
        let r = C1zReader::open(&out).expect("open");
        assert_eq!(
            r.resource(&resource_id("group", "g1"))
                .expect("r")
                .expect("g1")
                .display_name,
            "Group g1",
            "first copy kept"
        );
        assert!(r
            .resource(&resource_id("group", "hidden"))
            .expect("r")
            .is_some());
        assert_eq!(r.grants(&GrantFilter::default()).expect("g").len(), 2);
        let calls = c.calls.lock().expect("lock").clone();
        assert!(calls.iter().any(|x| x == "grants group:g1"));
        assert!(
            !calls
                .iter()
                .any(|x| x.starts_with("resources user [group:g1]")),
            "{calls:?}"
        );
        assert!(
            !calls.iter().any(|x| x == "grants group:hidden"),
            "resources inserted during the grants phase are not listed again"
        );

        // Type filter: only groups are synced.
        let out = out_path(&dir, "filtered.c1z");
        let summary = Syncer::new(c)
            .resource_type_filter(["group"])
            .run(&out)
            .await
            .expect("sync");
        assert_eq!(summary.resource_types, 1);
        let r = C1zReader::open(&out).expect("open");
        assert!(r
            .resources(&ResourceFilter::of_type("user"))
            .expect("r")
            .is_empty());
    })
}

/// Syncs `c` with the in-memory expansion and with the reference one (through the grants
/// indexes); both must write the same grants, in the same rows, with the same data.
async fn expansion_matches_reference(c: &MemConnector) -> Vec<Grant> {
    let dir = tempfile::tempdir().expect("tmp");
    let mut out = Vec::new();
    for (name, reference) in [("fast.c1z", false), ("reference.c1z", true)] {
        let path = out_path(&dir, name);
        Syncer::new(c.clone())
            .reference_expansion(reference)
            .run(&path)
            .await
            .expect("sync");
        let r = C1zReader::open(&path).expect("open");
        out.push(r.grants(&GrantFilter::default()).expect("grants"));
    }
    let reference = out.pop().expect("reference");
    let fast = out.pop().expect("fast");
    let ids = |gs: &[Grant]| gs.iter().map(|g| g.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&fast), ids(&reference));
    for (f, r) in fast.iter().zip(&reference) {
        assert_eq!(f.sources, r.sources, "sources of {}", f.id);
        assert_eq!(f, r, "grant {}", f.id);
    }
    fast
}

#[test]
fn expansion_matches_reference_on_the_fixed_workspaces() {
    block_on(async {
        for c in [workspace(), chain(false), chain(true)] {
            let grants = expansion_matches_reference(&c).await;
            assert!(grants.iter().any(|g| g.sources.is_some()));
        }
    })
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Random nested groups: users and groups hold memberships directly, and groups' members
/// are expanded into other groups (any shape: chains, cycles, self-loops, shallow edges,
/// type filters), so that many members hold a group both directly and through expansion.
fn random_groups(seed: u64) -> MemConnector {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut c = MemConnector::default();
    base_types(&mut c);
    let groups: Vec<Resource> = (0..8).map(|i| group(&format!("g{i}"))).collect();
    for g in &groups {
        c.add_resource(g.clone());
        c.add_entitlement(member_of(g));
    }
    for u in 0..25 {
        c.add_resource(user(&format!("u{u}")));
    }
    for (i, g) in groups.iter().enumerate() {
        let member = member_of(g);
        let on = format!("group:g{i}");
        for _ in 0..rng.below(10) {
            let who = resource_id("user", format!("u{}", rng.below(25)));
            c.add_grant(&on, GrantBuilder::new(&member, &who).build().expect("g"));
        }
        for _ in 0..rng.below(4) {
            let from = rng.below(groups.len());
            let source = format!("group:g{from}:member");
            let types: &[&str] = match rng.below(3) {
                0 => &[],
                1 => &["user"],
                _ => &["group"],
            };
            let grant = GrantBuilder::new(&member, &resource_id("group", format!("g{from}")))
                .expandable(&[source.as_str()], rng.below(3) == 0, types)
                .build()
                .expect("g");
            c.add_grant(&on, grant);
        }
    }
    c
}

#[test]
fn expansion_matches_reference_on_random_graphs() {
    block_on(async {
        let mut updated_direct = 0;
        let mut several_sources = 0;
        for seed in 1..=30 {
            let grants = expansion_matches_reference(&random_groups(seed)).await;
            let immutable = |g: &Grant| {
                g.annotations
                    .iter()
                    .any(|a| proto::type_name(a) == "c1.connector.v2.GrantImmutable")
            };
            updated_direct += grants
                .iter()
                .filter(|g| !immutable(g) && g.sources.is_some())
                .count();
            several_sources += grants
                .iter()
                .filter(|g| g.sources.as_ref().is_some_and(|s| s.sources.len() > 1))
                .count();
        }
        // Both halves of the fixpoint ran: direct grants gained sources, and grants were reached
        // from several sources.
        assert!(updated_direct > 0);
        assert!(several_sources > 0);
    })
}

/// A generated workspace served from memory in pages of 1,000: `users` users, all members
/// of group `g0`, and a chain of `groups` groups whose members are expanded into the next
/// one, so expansion creates `users × (groups − 1)` grants.
struct ChainConnector {
    users: usize,
    groups: usize,
}

const CHAIN_PAGE: usize = 1_000;

fn paged<T>(total: usize, token: Option<PageToken>, item: impl Fn(usize) -> T) -> Page<T> {
    let start: usize = token.map_or(0, |t| t.as_str().parse().expect("token"));
    let end = (start + CHAIN_PAGE).min(total);
    let items = (start..end).map(item).collect();
    if end < total {
        Page::with_next(items, end.to_string())
    } else {
        Page::last(items)
    }
}

#[async_trait]
impl Connector for ChainConnector {
    async fn resource_types(
        &self,
        _token: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError> {
        let mut c = MemConnector::default();
        base_types(&mut c);
        Ok(Page::last(c.types))
    }

    async fn resources(
        &self,
        resource_type_id: &str,
        parent: Option<&ResourceId>,
        token: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError> {
        Ok(match (resource_type_id, parent) {
            ("user", None) => paged(self.users, token, |u| user(&format!("u{u}"))),
            ("group", None) => paged(self.groups, token, |g| group(&format!("g{g}"))),
            _ => Page::last(Vec::new()),
        })
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _token: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError> {
        Ok(Page::last(vec![member_of(resource)]))
    }

    async fn grants(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError> {
        let id = resource.id.as_ref().expect("id");
        let member = member_of(resource);
        let n: usize = id.resource.trim_start_matches('g').parse().expect("group");
        if n == 0 {
            return Ok(paged(self.users, token, |u| {
                GrantBuilder::new(&member, &resource_id("user", format!("u{u}")))
                    .build()
                    .expect("g")
            }));
        }
        let previous = format!("g{}", n - 1);
        let source = format!("group:{previous}:member");
        Ok(Page::last(vec![GrantBuilder::new(
            &member,
            &resource_id("group", previous),
        )
        .expandable(&[source.as_str()], false, &["user"])
        .build()
        .expect("g")]))
    }
}

/// A sync on a current-thread runtime leaves the runtime free: a 10 ms timer on the same
/// thread keeps ticking while expansion, index building and compression run. Before the
/// writer had its own thread no tick could happen between the expansion report and the end
/// of the sync (no await in between), so "at least 3 ticks" cannot pass by accident, and on
/// a slow or loaded machine the span only grows.
#[test]
fn timer_keeps_ticking_on_a_current_thread_runtime_during_a_sync() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let ticks = Arc::new(AtomicU64::new(0));
    let marks: Arc<Mutex<Vec<(Phase, u64)>>> = Arc::default();
    let dir = tempfile::tempdir().expect("tmp");
    let out = out_path(&dir, "chain.c1z");
    let summary = runtime.block_on(async {
        let counter = ticks.clone();
        let ticker = tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_millis(10));
            // Missed ticks are skipped, not replayed in a burst: a blocked runtime would
            // show as missing ticks, not catch up afterwards.
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
        let (seen, counter) = (marks.clone(), ticks.clone());
        let summary = Syncer::new(ChainConnector {
            users: 5_000,
            groups: 12,
        })
        .progress(move |p| {
            if matches!(p.phase, Phase::Expansion | Phase::Done) {
                let mut m = seen.lock().expect("lock");
                if m.last().map(|(ph, _)| *ph) != Some(p.phase) {
                    m.push((p.phase, counter.load(Ordering::Relaxed)));
                }
            }
        })
        .run(&out)
        .await
        .expect("sync");
        ticker.abort();
        summary
    });
    assert_eq!(summary.expanded_grants, 5_000 * 11);
    let marks = marks.lock().expect("lock").clone();
    let at = |phase: Phase| {
        marks
            .iter()
            .find(|(p, _)| *p == phase)
            .map(|(_, t)| *t)
            .expect("phase reported")
    };
    let during = at(Phase::Done) - at(Phase::Expansion);
    assert!(
        during >= 3,
        "the timer ticked {during} times while the sync expanded and wrote ({marks:?})"
    );
}
