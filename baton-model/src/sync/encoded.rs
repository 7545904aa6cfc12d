//! The fields the engine needs from an encoded entitlement, read without decoding the rest
//! (its resource, grantable-to types and annotations are skipped by length).

use crate::proto::ResourceId;

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
}
