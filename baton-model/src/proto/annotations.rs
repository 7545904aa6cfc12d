//! Annotation messages usable with baton-sdk v0.7.27 readers
//! (docs/c1z.md#messages-and-annotations), plus the deprecated `ETag*` messages (decode only:
//! Go-written files contain them) and `GrantReplaced` (provisioning responses only, never stored).

use prost_types::{Struct, Timestamp};

use super::core::Trait;

/// Declares an empty (marker) annotation message.
macro_rules! marker_message {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {
        $(
            #[$doc]
            #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
            pub struct $name {}
        )*
    };
}

marker_message!(
    /// `SkipEntitlementsAndGrants`: no entitlements and no grants are listed for the type/resource.
    SkipEntitlementsAndGrants,
    /// `SkipEntitlements`: no entitlements are listed for the type/resource.
    SkipEntitlements,
    /// `SkipGrants`: no grants are listed for the type/resource.
    SkipGrants,
    /// `GrantAlreadyExists`: provisioning response, the grant was already there.
    GrantAlreadyExists,
    /// `GrantAlreadyRevoked`: provisioning response, the grant was already gone.
    GrantAlreadyRevoked,
    /// `InsertResourceGrants`: on a ListGrants response, also store the grants' resources.
    InsertResourceGrants,
    /// `BatonID`: reserved for the SDK; a connector must never emit it.
    BatonId,
    /// `ResourceDoesNotExist`: the resource is gone.
    ResourceDoesNotExist,
);

/// `ChildResourceType`: list resources of this type with the annotated resource as parent.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ChildResourceType {
    /// Child resource type id.
    #[prost(string, tag = "1")]
    pub resource_type_id: String,
}

/// `GrantExpandable`: holders of the source entitlements also receive the grant's entitlement.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct GrantExpandable {
    /// Source entitlement ids.
    #[prost(string, repeated, tag = "1")]
    pub entitlement_ids: Vec<String>,
    /// Only expand direct grants of the sources.
    #[prost(bool, tag = "2")]
    pub shallow: bool,
    /// Only expand principals of these resource types (empty = all).
    #[prost(string, repeated, tag = "3")]
    pub resource_type_ids: Vec<String>,
}

/// `GrantImmutable`: the grant cannot be revoked through this connector.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantImmutable {
    /// Id of the system that owns the grant.
    #[prost(string, tag = "1")]
    pub source_id: String,
    /// Free metadata.
    #[prost(message, optional, tag = "2")]
    pub metadata: Option<Struct>,
}

/// `GrantMetadata`: free metadata on a grant.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantMetadata {
    /// The metadata.
    #[prost(message, optional, tag = "1")]
    pub metadata: Option<Struct>,
}

/// `EntitlementImmutable`: the entitlement cannot be granted/revoked through this connector.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EntitlementImmutable {
    /// Id of the system that owns the entitlement.
    #[prost(string, tag = "1")]
    pub source_id: String,
    /// Free metadata.
    #[prost(message, optional, tag = "2")]
    pub metadata: Option<Struct>,
}

/// `ExternalLink`: a link to the object in the source system.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ExternalLink {
    /// An `https://` URL.
    #[prost(string, tag = "1")]
    pub url: String,
}

/// `V1Identifier`: the object's id in ConductorOne's v1 connectors.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct V1Identifier {
    /// The id.
    #[prost(string, tag = "1")]
    pub id: String,
}

/// `RawId`: the object's raw id in the source system.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct RawId {
    /// The id.
    #[prost(string, tag = "1")]
    pub id: String,
}

/// `Aliases`: other ids of the object (1–100 unique items of 1–256 chars).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Aliases {
    /// The ids.
    #[prost(string, repeated, tag = "1")]
    pub ids: Vec<String>,
}

/// `RequestId`: id of the upstream request that produced a response.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct RequestId {
    /// The request id.
    #[prost(string, tag = "1")]
    pub request_id: String,
}

/// `RateLimitDescription`: rate-limit state reported with a response or an error.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RateLimitDescription {
    /// State (see [`RateLimitStatus`]).
    #[prost(enumeration = "RateLimitStatus", tag = "1")]
    pub status: i32,
    /// Limit per window.
    #[prost(int64, tag = "2")]
    pub limit: i64,
    /// Remaining calls in the window.
    #[prost(int64, tag = "3")]
    pub remaining: i64,
    /// When the window resets.
    #[prost(message, optional, tag = "4")]
    pub reset_at: Option<Timestamp>,
}

/// `RateLimitDescription.Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum RateLimitStatus {
    /// `STATUS_UNSPECIFIED`.
    Unspecified = 0,
    /// `STATUS_OK`.
    Ok = 1,
    /// `STATUS_OVERLIMIT`.
    Overlimit = 2,
    /// `STATUS_ERROR`.
    Error = 3,
}

impl RateLimitStatus {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            RateLimitStatus::Unspecified => "STATUS_UNSPECIFIED",
            RateLimitStatus::Ok => "STATUS_OK",
            RateLimitStatus::Overlimit => "STATUS_OVERLIMIT",
            RateLimitStatus::Error => "STATUS_ERROR",
        }
    }
}

/// `ETag` (deprecated; decode only: the Go connector wrote it on grants).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ETag {
    /// The etag value.
    #[prost(string, tag = "1")]
    pub value: String,
    /// Entitlement the etag belongs to.
    #[prost(string, tag = "2")]
    pub entitlement_id: String,
}

/// `ETagMetadata` (deprecated; decode only).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ETagMetadata {
    /// Metadata.
    #[prost(message, optional, tag = "1")]
    pub metadata: Option<Struct>,
}

/// `ETagMatch` (deprecated; decode only).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ETagMatch {
    /// Entitlement id.
    #[prost(string, tag = "1")]
    pub entitlement_id: String,
}

/// `ExternalResourceMatch`: match an external resource of a trait by key/value.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ExternalResourceMatch {
    /// Trait of the external resource (see [`Trait`]).
    #[prost(enumeration = "Trait", tag = "1")]
    pub resource_type: i32,
    /// Key to match.
    #[prost(string, tag = "2")]
    pub key: String,
    /// Value to match.
    #[prost(string, tag = "3")]
    pub value: String,
}

/// `ExternalResourceMatchAll`: match all external resources of a trait.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ExternalResourceMatchAll {
    /// Trait of the external resource (see [`Trait`]).
    #[prost(enumeration = "Trait", tag = "1")]
    pub resource_type: i32,
}

/// `ExternalResourceMatchID`: match an external resource by id.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ExternalResourceMatchId {
    /// External id.
    #[prost(string, tag = "1")]
    pub id: String,
}

/// `ExternalTicketSettings`.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
pub struct ExternalTicketSettings {
    /// Ticketing enabled.
    #[prost(bool, tag = "1")]
    pub enabled: bool,
}

/// `ExternalTicketRef`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ExternalTicketRef {
    /// Ticket id.
    #[prost(string, tag = "1")]
    pub id: String,
    /// Provisioner config id.
    #[prost(string, tag = "2")]
    pub external_ticket_provisioner_config_id: String,
}

/// `CapabilityPermissions`: permissions a resource type's capabilities need.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct CapabilityPermissions {
    /// The permissions.
    #[prost(message, repeated, tag = "1")]
    pub permissions: Vec<CapabilityPermission>,
}

/// `CapabilityPermission`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct CapabilityPermission {
    /// Permission name.
    #[prost(string, tag = "1")]
    pub permission: String,
}

/// `GrantReplaced`: provisioning response naming a grant superseded by the new one.
///
/// Newer than v0.7.27: never store it in a c1z.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct GrantReplaced {
    /// Id of the replaced grant.
    #[prost(string, tag = "1")]
    pub replaced_grant_id: String,
}
