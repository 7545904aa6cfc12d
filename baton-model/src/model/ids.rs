//! Id conventions shared with baton-sdk (docs/ids.md#batons-id-shapes,
//! docs/c1z.md#rows-and-keys).
//!
//! Ids are joined with `:` without escaping: the format is lossy on purpose and is a byte-for-byte
//! contract with existing c1z files and ConductorOne tenants.

use crate::proto::ResourceId;

/// Builds a [`ResourceId`].
pub fn resource_id(resource_type: impl Into<String>, resource: impl Into<String>) -> ResourceId {
    ResourceId {
        resource_type: resource_type.into(),
        resource: resource.into(),
        baton_resource: false,
    }
}

/// The table key of a resource: `"<rt>:<rid>"` (the one place this key is built: the c1z
/// writer and reader, the sync engine, expansion and the CLI all call it).
pub fn resource_key(id: &ResourceId) -> String {
    // Once per stored resource: one exact allocation, no formatting machinery.
    let mut key = String::with_capacity(id.resource_type.len() + 1 + id.resource.len());
    push_resource_key(&mut key, id);
    key
}

/// Appends [`resource_key`]`(id)` to `buf` (for callers that reuse one buffer).
pub fn push_resource_key(buf: &mut String, id: &ResourceId) {
    buf.push_str(&id.resource_type);
    buf.push(':');
    buf.push_str(&id.resource);
}

/// An entitlement id: `"<rt>:<rid>:<slug>"`.
pub fn entitlement_id(resource: &ResourceId, slug: &str) -> String {
    format!("{}:{}:{}", resource.resource_type, resource.resource, slug)
}

/// A grant id: `"<entitlement id>:<principal rt>:<principal id>"`.
pub fn grant_id(entitlement_id: &str, principal: &ResourceId) -> String {
    let mut id = String::new();
    write_grant_id(&mut id, entitlement_id, principal);
    id
}

/// [`grant_id`] written into `out` (cleared first), for callers that form many ids and reuse
/// one buffer.
pub(crate) fn write_grant_id(out: &mut String, entitlement_id: &str, principal: &ResourceId) {
    out.clear();
    out.push_str(entitlement_id);
    out.push(':');
    out.push_str(&principal.resource_type);
    out.push(':');
    out.push_str(&principal.resource);
}

/// The resource type id baton-sdk's `NewResourceType` derives from a display name:
/// lower-case, spaces replaced by `-`.
pub fn resource_type_id_from_display_name(display_name: &str) -> String {
    display_name.to_lowercase().replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_sdk_format_without_escaping() {
        let role = resource_id("role", "Admin (dev)");
        assert_eq!(resource_key(&role), "role:Admin (dev)");
        let ent = entitlement_id(&role, "assigned");
        assert_eq!(ent, "role:Admin (dev):assigned");
        let principal = resource_id("collaborator", "42");
        assert_eq!(
            grant_id(&ent, &principal),
            "role:Admin (dev):assigned:collaborator:42"
        );
        assert_eq!(
            resource_type_id_from_display_name("Environment Role"),
            "environment-role"
        );
    }
}
