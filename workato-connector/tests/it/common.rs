//! Shared helpers: a fake server + client + connector, a walker, and c1z dumps.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use baton_model::c1z::{C1zReader, GrantFilter, ResourceFilter};
use baton_model::json::to_value;
use baton_model::model::ids::resource_key;
use baton_model::model::AnnotationsExt;
use baton_model::proto::{
    ChildResourceType, Entitlement, Grant, GrantExpandable, Resource, ResourceId, ResourceType,
};
use baton_model::sync::{Connector, PageToken, Syncer};
use workato_api::fake::{FakeWorkato, Seed};
use workato_api::{ApiToken, Client, RetryPolicy};
use workato_connector::config::ConnectorConfig;
use workato_connector::env::EnvScope;
use workato_connector::WorkatoConnector;

/// A client for `fake`, unthrottled unless `per_minute` is given, with quick retries.
pub fn client(fake: &FakeWorkato, per_minute: Option<u32>) -> Client {
    let mut builder = Client::builder()
        .token(ApiToken::new(fake.token()))
        .base_url(fake.url())
        .allow_insecure_http(true)
        .retry_policy(RetryPolicy {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(50),
            multiplier: 2,
            max_retry_after: Duration::from_secs(2),
        });
    // 0 = unlimited.
    builder = builder.rate_limit_all(per_minute.unwrap_or(0));
    builder.build().expect("client builds")
}

/// A config syncing `scope`.
pub fn config(scope: &str) -> ConnectorConfig {
    let mut config = ConnectorConfig::default();
    config.env = scope.parse::<EnvScope>().expect("scope");
    config
}

/// The fake (started on `seed`) and a connector on it.
pub async fn connector(seed: Seed, scope: &str) -> (FakeWorkato, WorkatoConnector) {
    let fake = FakeWorkato::start(seed).await.expect("fake starts");
    let c = WorkatoConnector::new(client(&fake, None), config(scope));
    (fake, c)
}

/// Syncs through the engine into a temp c1z and opens it.
pub async fn sync_to_c1z(connector: &WorkatoConnector, dir: &Path) -> C1zReader {
    let path = dir.join("sync.c1z");
    Syncer::new(connector)
        .run(&path)
        .await
        .expect("sync succeeds");
    C1zReader::open(&path).expect("c1z opens")
}

/// Everything in a c1z.
pub struct Dump {
    pub types: Vec<ResourceType>,
    pub resources: Vec<Resource>,
    pub entitlements: Vec<Entitlement>,
    pub grants: Vec<Grant>,
}

pub fn dump(reader: &C1zReader) -> Dump {
    Dump {
        types: reader.resource_types().expect("types"),
        resources: reader
            .resources(&ResourceFilter::default())
            .expect("resources"),
        entitlements: reader.entitlements(None).expect("entitlements"),
        grants: reader.grants(&GrantFilter::default()).expect("grants"),
    }
}

fn compact(v: &serde_json::Value) -> String {
    serde_json::to_string(v).expect("json")
}

fn annotation_names(annos: &[baton_model::proto::Any]) -> String {
    annos
        .iter()
        .map(|a| {
            let name = a.type_url.rsplit('.').next().unwrap_or_default().to_owned();
            match baton_model::json::any_to_value(a) {
                Ok(mut v) => {
                    if let Some(o) = v.as_object_mut() {
                        o.remove("@type");
                        if o.is_empty() {
                            return name;
                        }
                    }
                    format!("{name}{}", compact(&v))
                }
                Err(_) => name,
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Dump {
    /// A stable, reviewable text form: types and resources as protojson lines; entitlements
    /// and grants as one summary line each (full resource and type messages are pinned once
    /// above). Sorted; nothing volatile is emitted by the connector, so nothing is redacted.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("## resource types\n");
        for t in &self.types {
            out.push_str(&compact(&to_value(t).expect("renders")));
            out.push('\n');
        }
        let mut resources: Vec<(String, String)> = self
            .resources
            .iter()
            .map(|r| {
                let key = r.id.as_ref().map(resource_key).unwrap_or_default();
                (key, compact(&to_value(r).expect("renders")))
            })
            .collect();
        resources.sort();
        out.push_str(&format!("## resources ({})\n", resources.len()));
        for (_, line) in resources {
            out.push_str(&line);
            out.push('\n');
        }
        let mut ents: Vec<String> = self
            .entitlements
            .iter()
            .map(|e| {
                let grantable: Vec<&str> = e.grantable_to.iter().map(|t| t.id.as_str()).collect();
                format!(
                    "{} | {:?} | {:?} | purpose={} slug={} | grantable_to={:?} | {}",
                    e.id,
                    e.display_name,
                    e.description,
                    e.purpose,
                    e.slug,
                    grantable,
                    annotation_names(&e.annotations)
                )
            })
            .collect();
        ents.sort();
        out.push_str(&format!("## entitlements ({})\n", ents.len()));
        for line in ents {
            out.push_str(&line);
            out.push('\n');
        }
        let mut grants: Vec<String> = self
            .grants
            .iter()
            .map(|g| {
                let sources: BTreeMap<&String, bool> = g
                    .sources
                    .as_ref()
                    .map(|s| s.sources.iter().map(|(k, v)| (k, v.is_direct)).collect())
                    .unwrap_or_default();
                format!(
                    "{} | {} | sources={:?}",
                    g.id,
                    annotation_names(&g.annotations),
                    sources
                )
            })
            .collect();
        grants.sort();
        out.push_str(&format!("## grants ({})\n", grants.len()));
        for line in grants {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    pub fn grant_ids(&self) -> BTreeSet<String> {
        self.grants.iter().map(|g| g.id.clone()).collect()
    }

    pub fn grant(&self, id: &str) -> &Grant {
        self.grants
            .iter()
            .find(|g| g.id == id)
            .unwrap_or_else(|| panic!("no grant {id}"))
    }

    pub fn resource(&self, rt: &str, id: &str) -> &Resource {
        self.resources
            .iter()
            .find(|r| {
                r.id.as_ref()
                    .is_some_and(|i| i.resource_type == rt && i.resource == id)
            })
            .unwrap_or_else(|| panic!("no resource {rt}:{id}"))
    }

    pub fn resource_ids(&self, rt: &str) -> BTreeSet<String> {
        self.resources
            .iter()
            .filter_map(|r| r.id.as_ref())
            .filter(|i| i.resource_type == rt)
            .map(|i| i.resource.clone())
            .collect()
    }

    /// Every grant's entitlement and principal, and every expansion source, resolve.
    pub fn assert_closed(&self) {
        let resources: BTreeSet<String> = self
            .resources
            .iter()
            .filter_map(|r| r.id.as_ref().map(resource_key))
            .collect();
        let ents: BTreeSet<&str> = self.entitlements.iter().map(|e| e.id.as_str()).collect();
        for e in &self.entitlements {
            let rid = e
                .resource
                .as_ref()
                .and_then(|r| r.id.as_ref())
                .expect("ent resource");
            assert!(
                resources.contains(&resource_key(rid)),
                "entitlement {} dangles",
                e.id
            );
        }
        for g in &self.grants {
            let ent = g.entitlement.as_ref().expect("entitlement");
            assert!(
                ents.contains(ent.id.as_str()),
                "grant {} entitlement dangles",
                g.id
            );
            let p = g
                .principal
                .as_ref()
                .and_then(|p| p.id.as_ref())
                .expect("principal");
            assert!(
                resources.contains(&resource_key(p)),
                "grant {} principal dangles",
                g.id
            );
            if let Some(exp) = g
                .annotations
                .annotation::<GrantExpandable>()
                .expect("decodes")
            {
                for src in exp.entitlement_ids {
                    assert!(
                        ents.contains(src.as_str()),
                        "grant {} source {src} dangles",
                        g.id
                    );
                }
            }
            if let Some(sources) = &g.sources {
                for src in sources.sources.keys() {
                    assert!(
                        ents.contains(src.as_str()),
                        "grant {} source {src} dangles",
                        g.id
                    );
                }
            }
        }
    }
}

/// Walks the connector like the syncer does (types, resources with children, entitlements,
/// grants; every page), without writing anything. Returns (resources, entitlements, grants).
pub async fn walk(c: &WorkatoConnector) -> (usize, usize, usize) {
    let mut types = Vec::new();
    let mut token: Option<PageToken> = None;
    loop {
        let page = c.resource_types(token.take()).await.expect("types");
        types.extend(page.items);
        match page.next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let mut queue: Vec<(String, Option<ResourceId>)> =
        types.iter().map(|t| (t.id.clone(), None)).collect();
    let mut listed: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    let mut resources = Vec::new();
    while let Some((rt, parent)) = queue.pop() {
        if !listed.insert((rt.clone(), parent.as_ref().map(resource_key))) {
            continue;
        }
        let mut token = None;
        loop {
            let page = c
                .resources(&rt, parent.as_ref(), token.take())
                .await
                .expect("resources");
            for r in page.items {
                for child in r.annotations.iter() {
                    if let Ok(Some(crt)) =
                        std::slice::from_ref(child).annotation::<ChildResourceType>()
                    {
                        queue.push((crt.resource_type_id, r.id.clone()));
                    }
                }
                resources.push(r);
            }
            match page.next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    let (mut ents, mut grants) = (0, 0);
    for r in &resources {
        let mut token = None;
        loop {
            let page = c.entitlements(r, token.take()).await.expect("entitlements");
            ents += page.items.len();
            match page.next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        loop {
            let page = c.grants(r, token.take()).await.expect("grants");
            grants += page.items.len();
            match page.next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    (resources.len(), ents, grants)
}
