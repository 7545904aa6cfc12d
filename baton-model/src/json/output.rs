//! The list wrappers of `baton -o json` (baton `proto/baton/v1/outputs.proto`) and the
//! `capabilities` output.
//!
//! Row types carry what a c1z reader found: the listed object plus the related objects it looked
//! up. A `None` related object renders as a placeholder naming what is missing
//! (`MISSING RESOURCE (rt:id)`, `MISSING ENTITLEMENT (id)`, `MISSING RESOURCE TYPE (id)`), so one
//! dangling reference does not hide the rest of the listing.

#[cfg(feature = "c1z")]
use crate::c1z::{Changes, SyncDiff};
use crate::model::ids::resource_key;
use crate::proto::{
    ConnectorCapabilities, Entitlement, Grant, Resource, ResourceId, ResourceType, Timestamp,
};

use super::node::{Node, Obj};
use super::render::{packed_node, timestamp_string, ProtoJson};
use super::{Document, JsonError};

/// One row of `baton resources`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceRow {
    /// The resource.
    pub resource: Resource,
    /// Its type (`None` → placeholder).
    pub resource_type: Option<ResourceType>,
    /// Its parent, looked up from `resource.parent_resource_id`. Ignored when the resource has no
    /// parent id; `None` with a parent id → placeholder.
    pub parent: Option<Resource>,
}

/// One row of `baton entitlements`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntitlementRow {
    /// The entitlement.
    pub entitlement: Entitlement,
    /// Its resource from the resources table (`None` → placeholder from `entitlement.resource.id`).
    pub resource: Option<Resource>,
    /// The resource's type (`None` → placeholder).
    pub resource_type: Option<ResourceType>,
}

/// One row of `baton grants`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GrantRow {
    /// The grant as stored (its `entitlement` is usually a stub).
    pub grant: Grant,
    /// The full entitlement from the entitlements table, by `grant.entitlement.id`.
    pub entitlement: Option<Entitlement>,
    /// The entitlement's resource, by `grant.entitlement.resource.id`.
    pub resource: Option<Resource>,
    /// That resource's type.
    pub resource_type: Option<ResourceType>,
    /// The principal, by `grant.principal.id`.
    pub principal: Option<Resource>,
}

/// One row of `baton syncs`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncRow {
    /// Sync id (KSUID).
    pub id: String,
    /// Start time.
    pub started_at: Option<Timestamp>,
    /// End time (`None` for an unfinished sync).
    pub ended_at: Option<Timestamp>,
    /// Stored sync token.
    pub sync_token: String,
    /// Sync type, e.g. `full`.
    pub sync_type: String,
    /// Parent sync id.
    pub parent_sync_id: String,
}

/// Placeholder for a resource that is referenced but not stored.
pub fn missing_resource(id: &ResourceId) -> Resource {
    Resource {
        id: Some(id.clone()),
        display_name: format!("MISSING RESOURCE ({})", resource_key(id)),
        ..Default::default()
    }
}

/// Placeholder for an entitlement that is referenced but not stored.
pub fn missing_entitlement(id: &str) -> Entitlement {
    Entitlement {
        id: id.to_string(),
        display_name: format!("MISSING ENTITLEMENT ({id})"),
        ..Default::default()
    }
}

/// Placeholder for a resource type that is referenced but not stored.
pub fn missing_resource_type(id: &str) -> ResourceType {
    ResourceType {
        id: id.to_string(),
        display_name: format!("MISSING RESOURCE TYPE ({id})"),
        ..Default::default()
    }
}

fn node<M: ProtoJson>(m: &M) -> Result<Node, JsonError> {
    Ok(m.to_document()?.0)
}

fn or_missing_resource(found: &Option<Resource>, id: Option<&ResourceId>) -> Resource {
    match (found, id) {
        (Some(r), _) => r.clone(),
        (None, Some(id)) => missing_resource(id),
        (None, None) => missing_resource(&ResourceId::default()),
    }
}

fn or_missing_type(found: &Option<ResourceType>, id: Option<&ResourceId>) -> ResourceType {
    match found {
        Some(rt) => rt.clone(),
        None => missing_resource_type(id.map(|i| i.resource_type.as_str()).unwrap_or_default()),
    }
}

/// Wraps rows under `key` as protojson does: an empty list is omitted (`{}`).
fn wrap(key: &str, rows: Vec<Node>) -> Document {
    Document(Obj::new().list(key, rows).finish())
}

/// `baton resource-types -o json`: `{"resourceTypes":[{"resourceType":{…}}]}`.
///
/// # Errors
/// See [`ProtoJson::to_document`].
pub fn resource_types_output(types: &[ResourceType]) -> Result<Document, JsonError> {
    let rows = types
        .iter()
        .map(|rt| Ok(Obj::new().node("resourceType", node(rt)?).finish()))
        .collect::<Result<Vec<_>, JsonError>>()?;
    Ok(wrap("resourceTypes", rows))
}

/// `baton resources -o json`: `{"resources":[{"resource","resourceType","parent"?}]}`.
///
/// # Errors
/// See [`ProtoJson::to_document`].
pub fn resources_output(rows: &[ResourceRow]) -> Result<Document, JsonError> {
    let rows = rows
        .iter()
        .map(|row| {
            let id = row.resource.id.as_ref();
            let mut o = Obj::new();
            o.node("resource", node(&row.resource)?);
            o.node(
                "resourceType",
                node(&or_missing_type(&row.resource_type, id))?,
            );
            if let Some(parent_id) = &row.resource.parent_resource_id {
                o.node(
                    "parent",
                    node(&or_missing_resource(&row.parent, Some(parent_id)))?,
                );
            }
            Ok(o.finish())
        })
        .collect::<Result<Vec<_>, JsonError>>()?;
    Ok(wrap("resources", rows))
}

/// `baton entitlements -o json`: `{"entitlements":[{"entitlement","resource","resourceType"}]}`.
///
/// # Errors
/// See [`ProtoJson::to_document`].
pub fn entitlements_output(rows: &[EntitlementRow]) -> Result<Document, JsonError> {
    let rows = rows
        .iter()
        .map(|row| {
            let rid = row
                .entitlement
                .resource
                .as_ref()
                .and_then(|r| r.id.as_ref());
            Ok(Obj::new()
                .node("entitlement", node(&row.entitlement)?)
                .node("resource", node(&or_missing_resource(&row.resource, rid))?)
                .node(
                    "resourceType",
                    node(&or_missing_type(&row.resource_type, rid))?,
                )
                .finish())
        })
        .collect::<Result<Vec<_>, JsonError>>()?;
    Ok(wrap("entitlements", rows))
}

/// `baton grants -o json`:
/// `{"grants":[{"grant","entitlement","resource","resourceType","principal"}]}`.
///
/// # Errors
/// See [`ProtoJson::to_document`].
pub fn grants_output(rows: &[GrantRow]) -> Result<Document, JsonError> {
    let rows = rows
        .iter()
        .map(|row| {
            let stub = row.grant.entitlement.as_ref();
            let ent_id = stub.map(|e| e.id.as_str()).unwrap_or_default();
            let rid = stub
                .and_then(|e| e.resource.as_ref())
                .and_then(|r| r.id.as_ref());
            let pid = row.grant.principal.as_ref().and_then(|p| p.id.as_ref());
            let entitlement = match &row.entitlement {
                Some(e) => e.clone(),
                None => missing_entitlement(ent_id),
            };
            Ok(Obj::new()
                .node("grant", node(&row.grant)?)
                .node("entitlement", node(&entitlement)?)
                .node("resource", node(&or_missing_resource(&row.resource, rid))?)
                .node(
                    "resourceType",
                    node(&or_missing_type(&row.resource_type, rid))?,
                )
                .node(
                    "principal",
                    node(&or_missing_resource(&row.principal, pid))?,
                )
                .finish())
        })
        .collect::<Result<Vec<_>, JsonError>>()?;
    Ok(wrap("grants", rows))
}

/// `baton syncs -o json`:
/// `{"syncs":[{"id","startedAt","endedAt","syncToken","syncType","parentSyncId"}]}`.
///
/// # Errors
/// [`JsonError::InvalidTimestamp`] for an unprintable time.
pub fn syncs_output(rows: &[SyncRow]) -> Result<Document, JsonError> {
    let time = |t: &Option<Timestamp>| -> Result<Option<Node>, JsonError> {
        t.as_ref()
            .map(|t| timestamp_string(t).map(Node::String))
            .transpose()
    };
    let rows = rows
        .iter()
        .map(|row| {
            Ok(Obj::new()
                .string("id", &row.id)
                .optional("startedAt", time(&row.started_at)?)
                .optional("endedAt", time(&row.ended_at)?)
                .string("syncToken", &row.sync_token)
                .string("syncType", &row.sync_type)
                .string("parentSyncId", &row.parent_sync_id)
                .finish())
        })
        .collect::<Result<Vec<_>, JsonError>>()?;
    Ok(wrap("syncs", rows))
}

/// `baton diff` (baton `C1ZDiffOutput`):
/// `{"resources":{"created":[…],"deleted":[…],"modified":[…]},"entitlements":{…},"grants":{…}}`,
/// each list holding the bare messages; empty lists are omitted and an empty kind prints `{}`,
/// as protojson does.
///
/// # Errors
/// See [`ProtoJson::to_document`].
#[cfg(feature = "c1z")]
pub fn diff_output(diff: &SyncDiff) -> Result<Document, JsonError> {
    fn changes<M: ProtoJson>(c: &Changes<M>) -> Result<Node, JsonError> {
        let nodes = |list: &[M]| list.iter().map(node).collect::<Result<Vec<_>, JsonError>>();
        Ok(Obj::new()
            .list("created", nodes(&c.created)?)
            .list("deleted", nodes(&c.deleted)?)
            .list("modified", nodes(&c.modified)?)
            .finish())
    }
    Ok(Document(
        Obj::new()
            .node("resources", changes(&diff.resources)?)
            .node("entitlements", changes(&diff.entitlements)?)
            .node("grants", changes(&diff.grants)?)
            .finish(),
    ))
}

/// The `capabilities` subcommand output: the message wrapped in an `Any` (so `"@type"` comes
/// first), protojson `Multiline` with a two-space indent, no trailing newline.
///
/// # Errors
/// [`JsonError::UnresolvableAny`] when a resource type carries an annotation of unknown type.
pub fn capabilities_json(capabilities: &ConnectorCapabilities) -> Result<String, JsonError> {
    let mut out = String::new();
    packed_node(capabilities)?.write_multiline(&mut out, 0);
    Ok(out)
}
