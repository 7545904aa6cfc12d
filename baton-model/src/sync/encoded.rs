//! The fields the engine needs from an encoded entitlement or grant, read without decoding the
//! rest (resources' other fields, grantable-to types, annotation payloads are skipped by
//! length).

use crate::proto::{GrantExpandable, ResourceId};

/// `c1.connector.v2.Entitlement` with only `resource.id` (field 1 → 1) and `id` (field 2);
/// prost skips the other fields.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct EntitlementKeys {
    #[prost(message, optional, tag = "1")]
    resource: Option<ResourceKeys>,
    #[prost(string, tag = "2")]
    id: String,
}

/// `c1.connector.v2.Resource` with only `id` (field 1).
#[derive(Clone, PartialEq, prost::Message)]
struct ResourceKeys {
    #[prost(message, optional, tag = "1")]
    id: Option<ResourceId>,
}

impl EntitlementKeys {
    /// Reads the keys of an encoded `Entitlement`.
    pub(super) fn read(data: &[u8]) -> Result<Self, prost::DecodeError> {
        <Self as prost::Message>::decode(data)
    }

    /// `id` and, when present, `resource.id`.
    pub(super) fn into_parts(self) -> (String, Option<ResourceId>) {
        (self.id, self.resource.and_then(|r| r.id))
    }
}

/// `c1.connector.v2.Grant` with only the keys the c1z row needs: `entitlement.id`,
/// `entitlement.resource.id`, `principal.id`, `id` and the annotations' type URLs (their
/// payloads are skipped). Read with [`GrantKeys::read`], used with
/// [`GrantKeys::into_row_keys`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantKeys {
    #[prost(message, optional, tag = "1")]
    entitlement: Option<EntitlementKeys>,
    #[prost(message, optional, tag = "2")]
    principal: Option<ResourceKeys>,
    #[prost(string, tag = "3")]
    id: String,
    #[prost(message, repeated, tag = "4")]
    annotations: Vec<AnyTypeUrl>,
}

/// `google.protobuf.Any` with only `type_url` (field 1).
#[derive(Clone, PartialEq, prost::Message)]
struct AnyTypeUrl {
    #[prost(string, tag = "1")]
    type_url: String,
}

/// The keys of an encoded grant that its c1z row needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrantRowKeys {
    /// `id`.
    pub id: String,
    /// `entitlement.id`, or `None` without an entitlement.
    pub entitlement: Option<String>,
    /// `entitlement.resource.id`.
    pub entitlement_resource: Option<ResourceId>,
    /// `principal.id`.
    pub principal: Option<ResourceId>,
}

impl GrantKeys {
    /// Reads the keys of an encoded `Grant`.
    ///
    /// # Errors
    /// [`prost::DecodeError`] when `data` is not an encoded `Grant`.
    pub fn read(data: &[u8]) -> Result<Self, prost::DecodeError> {
        <Self as prost::Message>::decode(data)
    }

    /// Whether any annotation is a `GrantExpandable` (matched as [`crate::proto::is`] does).
    pub(super) fn has_expandable(&self) -> bool {
        self.annotations
            .iter()
            .any(|a| crate::proto::names::<GrantExpandable>(&a.type_url))
    }

    /// The row keys.
    pub fn into_row_keys(self) -> GrantRowKeys {
        let (entitlement, entitlement_resource) = match self.entitlement {
            Some(e) => {
                let (id, resource) = e.into_parts();
                (Some(id), resource)
            }
            None => (None, None),
        };
        GrantRowKeys {
            id: self.id,
            entitlement,
            entitlement_resource,
            principal: self.principal.and_then(|p| p.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::model::ids::resource_id;
    use crate::proto::{Any, Entitlement, Resource, ResourceType};

    #[test]
    fn keys_are_read_past_every_other_field() {
        let rid = resource_id("role", "7");
        let full = Entitlement {
            resource: Some(Resource {
                id: Some(rid.clone()),
                display_name: "Role 7".into(),
                annotations: vec![Any {
                    type_url: "type.googleapis.com/c1.connector.v2.RoleTrait".into(),
                    value: vec![1, 2, 3],
                }],
                ..Default::default()
            }),
            id: "role:7:member".into(),
            display_name: "Member".into(),
            description: "d".repeat(300),
            grantable_to: vec![ResourceType {
                id: "user".into(),
                ..Default::default()
            }],
            slug: "member".into(),
            ..Default::default()
        };
        let keys = EntitlementKeys::read(&full.encode_to_vec()).expect("keys");
        assert_eq!(keys.into_parts(), ("role:7:member".to_string(), Some(rid)));

        let bare = Entitlement {
            id: "x".into(),
            ..Default::default()
        };
        let keys = EntitlementKeys::read(&bare.encode_to_vec()).expect("keys");
        assert_eq!(keys.into_parts(), ("x".to_string(), None));
        assert!(EntitlementKeys::read(&[0x0a, 0xff]).is_err(), "truncated");
    }

    #[test]
    fn grant_keys_are_read_past_every_other_field() {
        use crate::proto::{pack, Grant, GrantExpandable, GrantImmutable};
        let ent_rid = resource_id("role", "7");
        let principal = resource_id("user", "1");
        let full = Grant {
            entitlement: Some(Entitlement {
                resource: Some(Resource {
                    id: Some(ent_rid.clone()),
                    display_name: "Role 7".into(),
                    ..Default::default()
                }),
                id: "role:7:member".into(),
                description: "d".repeat(300),
                ..Default::default()
            }),
            principal: Some(Resource {
                id: Some(principal.clone()),
                display_name: "One".into(),
                ..Default::default()
            }),
            id: "role:7:member:user:1".into(),
            annotations: vec![pack(&GrantImmutable::default())],
            ..Default::default()
        };
        let keys = GrantKeys::read(&full.encode_to_vec()).expect("keys");
        assert!(!keys.has_expandable());
        assert_eq!(
            keys.into_row_keys(),
            GrantRowKeys {
                id: "role:7:member:user:1".into(),
                entitlement: Some("role:7:member".into()),
                entitlement_resource: Some(ent_rid),
                principal: Some(principal),
            }
        );

        let mut expandable = full.clone();
        expandable.annotations.push(pack(&GrantExpandable {
            entitlement_ids: vec!["group:1:member".into()],
            ..Default::default()
        }));
        let keys = GrantKeys::read(&expandable.encode_to_vec()).expect("keys");
        assert!(keys.has_expandable());

        let keys = GrantKeys::read(&Grant::default().encode_to_vec()).expect("keys");
        assert_eq!(
            keys.into_row_keys(),
            GrantRowKeys {
                id: String::new(),
                entitlement: None,
                entitlement_resource: None,
                principal: None,
            }
        );
        assert!(GrantKeys::read(&[0x0a, 0xff]).is_err(), "truncated");
    }
}
