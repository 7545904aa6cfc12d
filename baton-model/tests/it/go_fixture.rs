//! Decodes every object of a c1z written by the Go connector (baton-sdk v0.2.61) with our prost
//! messages and renders the `baton -o json` listings, which must equal what the Go `baton` CLI
//! (v0.7.27) printed for the same file (`tests/fixtures/workato-small.*.json`, copied from the
//! shared fixtures). Values are compared after parsing, never bytes.
//!
//! The c1z is opened here with a few lines of rusqlite/zstd on purpose: this test exercises the
//! `proto` and `json` modules on Go-written bytes independently of the crate's c1z reader.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use baton_model::json::{
    entitlements_output, grants_output, resources_output, EntitlementRow, GrantRow, ResourceRow,
};
use baton_model::model::ids::resource_key;
use baton_model::proto::{Entitlement, Grant, Message, Resource, ResourceType};

/// Tests return `Result` with a boxed error (anyhow is not a dev-dependency of this crate).
type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

struct GoFile {
    _dir: tempfile::TempDir,
    db: rusqlite::Connection,
}

fn open_go_c1z() -> Result<GoFile> {
    let bytes = std::fs::read(fixture_path("workato-small.c1z"))?;
    assert_eq!(&bytes[..5], b"C1ZF\0", "v1 magic");
    let sqlite = zstd::stream::decode_all(&bytes[5..])?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("db.sqlite");
    std::fs::File::create(&path)?.write_all(&sqlite)?;
    let db = rusqlite::Connection::open(&path)?;
    Ok(GoFile { _dir: dir, db })
}

fn blobs(db: &rusqlite::Connection, table: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut stmt = db.prepare(&format!(
        "select external_id, data from {table} order by id asc"
    ))?;
    let rows = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Decodes and checks that re-encoding is stable (decode(encode(m)) == m).
fn decode<M: Message + Default + PartialEq + std::fmt::Debug>(data: &[u8]) -> Result<M> {
    let message = M::decode(data)?;
    let again = M::decode(message.encode_to_vec().as_slice())?;
    assert_eq!(again, message);
    Ok(message)
}

struct Store {
    types: HashMap<String, ResourceType>,
    resources: Vec<Resource>,
    resources_by_key: HashMap<String, Resource>,
    entitlements: Vec<Entitlement>,
    entitlements_by_id: HashMap<String, Entitlement>,
    grants: Vec<Grant>,
}

fn load() -> Result<Store> {
    let file = open_go_c1z()?;
    let mut types = HashMap::new();
    for (id, data) in blobs(&file.db, "v1_resource_types")? {
        types.insert(id, decode::<ResourceType>(&data)?);
    }
    let mut resources = Vec::new();
    let mut resources_by_key = HashMap::new();
    for (key, data) in blobs(&file.db, "v1_resources")? {
        let r: Resource = decode(&data)?;
        assert_eq!(r.id.as_ref().map(resource_key), Some(key.clone()));
        resources_by_key.insert(key, r.clone());
        resources.push(r);
    }
    let mut entitlements = Vec::new();
    let mut entitlements_by_id = HashMap::new();
    for (id, data) in blobs(&file.db, "v1_entitlements")? {
        let e: Entitlement = decode(&data)?;
        assert_eq!(e.id, id);
        entitlements_by_id.insert(id, e.clone());
        entitlements.push(e);
    }
    let mut grants = Vec::new();
    for (id, data) in blobs(&file.db, "v1_grants")? {
        let g: Grant = decode(&data)?;
        assert_eq!(g.id, id);
        grants.push(g);
    }
    Ok(Store {
        types,
        resources,
        resources_by_key,
        entitlements,
        entitlements_by_id,
        grants,
    })
}

fn expected(name: &str) -> Result<serde_json::Value> {
    Ok(serde_json::from_str(&std::fs::read_to_string(
        fixture_path(name),
    )?)?)
}

fn type_of(store: &Store, r: Option<&Resource>) -> Option<ResourceType> {
    r.and_then(|r| r.id.as_ref())
        .and_then(|id| store.types.get(&id.resource_type))
        .cloned()
}

fn lookup(store: &Store, r: Option<&Resource>) -> Option<Resource> {
    r.and_then(|r| r.id.as_ref())
        .and_then(|id| store.resources_by_key.get(&resource_key(id)))
        .cloned()
}

#[test]
fn resources_listing_equals_go_cli() -> Result<()> {
    let store = load()?;
    let rows: Vec<ResourceRow> = store
        .resources
        .iter()
        .map(|r| ResourceRow {
            resource: r.clone(),
            resource_type: type_of(&store, Some(r)),
            parent: r
                .parent_resource_id
                .as_ref()
                .and_then(|p| store.resources_by_key.get(&resource_key(p)))
                .cloned(),
        })
        .collect();
    assert_eq!(rows.len(), 99);
    let ours = resources_output(&rows)?.to_value();
    assert_eq!(ours, expected("workato-small.resources.json")?);
    Ok(())
}

#[test]
fn entitlements_listing_equals_go_cli() -> Result<()> {
    let store = load()?;
    let rows: Vec<EntitlementRow> = store
        .entitlements
        .iter()
        .map(|e| EntitlementRow {
            entitlement: e.clone(),
            resource: lookup(&store, e.resource.as_ref()),
            resource_type: type_of(&store, e.resource.as_ref()),
        })
        .collect();
    let ours = entitlements_output(&rows)?.to_value();
    assert_eq!(ours, expected("workato-small.entitlements.json")?);
    Ok(())
}

#[test]
fn grants_listing_equals_go_cli() -> Result<()> {
    let store = load()?;
    let rows: Vec<GrantRow> = store
        .grants
        .iter()
        .map(|g| {
            let stub = g.entitlement.as_ref();
            GrantRow {
                grant: g.clone(),
                entitlement: stub.and_then(|e| store.entitlements_by_id.get(&e.id).cloned()),
                resource: lookup(&store, stub.and_then(|e| e.resource.as_ref())),
                resource_type: type_of(&store, stub.and_then(|e| e.resource.as_ref())),
                principal: lookup(&store, g.principal.as_ref()),
            }
        })
        .collect();
    assert_eq!(rows.len(), 193);
    let ours = grants_output(&rows)?.to_value();
    assert_eq!(ours, expected("workato-small.grants.json")?);
    Ok(())
}
