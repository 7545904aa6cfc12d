//! Core messages: `ResourceType`, `ResourceId`, `Resource`, `Entitlement`, `Grant` and their
//! nested types (docs/c1z.md#messages-and-annotations).

use std::collections::BTreeMap;

use prost_types::Any;

/// `c1.connector.v2.ResourceType`: a kind of resource a connector syncs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceType {
    /// Connector-chosen id, e.g. `collaborator`.
    #[prost(string, tag = "1")]
    pub id: String,
    /// Human name, e.g. `Collaborator`.
    #[prost(string, tag = "2")]
    pub display_name: String,
    /// Traits every resource of this type carries (see [`Trait`]).
    #[prost(enumeration = "Trait", repeated, tag = "3")]
    pub traits: Vec<i32>,
    /// Annotations (e.g. `SkipEntitlementsAndGrants`).
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<Any>,
    /// Free text, at most 4096 bytes.
    #[prost(string, tag = "5")]
    pub description: String,
    /// Resources of this type come from another system.
    #[prost(bool, tag = "6")]
    pub sourced_externally: bool,
}

/// `c1.connector.v2.ResourceType.Trait`.
///
/// Only values 0–7 are known to baton-sdk v0.7.27 readers; newer values are not modelled so they
/// cannot be emitted by mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum Trait {
    /// `TRAIT_UNSPECIFIED`.
    Unspecified = 0,
    /// `TRAIT_USER`: resources carry a `UserTrait`.
    User = 1,
    /// `TRAIT_GROUP`: resources carry a `GroupTrait`.
    Group = 2,
    /// `TRAIT_ROLE`: resources carry a `RoleTrait`.
    Role = 3,
    /// `TRAIT_APP`: resources carry an `AppTrait`.
    App = 4,
    /// `TRAIT_SECRET`: resources carry a `SecretTrait`.
    Secret = 5,
    /// `TRAIT_SECURITY_INSIGHT`.
    SecurityInsight = 6,
    /// `TRAIT_SCOPE_BINDING`.
    ScopeBinding = 7,
}

impl Trait {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            Trait::Unspecified => "TRAIT_UNSPECIFIED",
            Trait::User => "TRAIT_USER",
            Trait::Group => "TRAIT_GROUP",
            Trait::Role => "TRAIT_ROLE",
            Trait::App => "TRAIT_APP",
            Trait::Secret => "TRAIT_SECRET",
            Trait::SecurityInsight => "TRAIT_SECURITY_INSIGHT",
            Trait::ScopeBinding => "TRAIT_SCOPE_BINDING",
        }
    }
}

/// `c1.connector.v2.ResourceId`: the (type, id) pair naming a resource.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Message)]
pub struct ResourceId {
    /// Resource type id.
    #[prost(string, tag = "1")]
    pub resource_type: String,
    /// Resource id within its type.
    #[prost(string, tag = "2")]
    pub resource: String,
    /// Set by the SDK for its own resources; connectors leave it false.
    #[prost(bool, tag = "3")]
    pub baton_resource: bool,
}

/// `c1.connector.v2.Resource`.
///
/// Fields 9–12 of newer SDKs (`profile`, `icon`, `status`, `created_at`) are deliberately absent:
/// v0.7.27 readers look for those values in the traits.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Resource {
    /// The resource's id.
    #[prost(message, optional, tag = "1")]
    pub id: Option<ResourceId>,
    /// Parent resource, when listed as a child (`ChildResourceType`).
    #[prost(message, optional, tag = "2")]
    pub parent_resource_id: Option<ResourceId>,
    /// Human name.
    #[prost(string, tag = "3")]
    pub display_name: String,
    /// Annotations, traits included (trait last by convention).
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<Any>,
    /// Free text, at most 2048 bytes.
    #[prost(string, tag = "5")]
    pub description: String,
    /// Set by the SDK for its own resources.
    #[prost(bool, tag = "6")]
    pub baton_resource: bool,
    /// Deprecated external id.
    #[prost(message, optional, tag = "7")]
    pub external_id: Option<ExternalId>,
    /// Deprecated: how the resource entered the sync (see [`CreationSource`]).
    #[prost(enumeration = "CreationSource", tag = "8")]
    pub creation_source: i32,
}

/// `c1.connector.v2.Resource.CreationSource` (deprecated upstream, still written for parity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum CreationSource {
    /// `CREATION_SOURCE_UNSPECIFIED`.
    Unspecified = 0,
    /// `CREATION_SOURCE_CONNECTOR_LIST_RESOURCES`.
    ConnectorListResources = 1,
    /// `CREATION_SOURCE_CONNECTOR_LIST_GRANTS_PRINCIPAL_JIT`.
    ConnectorListGrantsPrincipalJit = 2,
}

impl CreationSource {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            CreationSource::Unspecified => "CREATION_SOURCE_UNSPECIFIED",
            CreationSource::ConnectorListResources => "CREATION_SOURCE_CONNECTOR_LIST_RESOURCES",
            CreationSource::ConnectorListGrantsPrincipalJit => {
                "CREATION_SOURCE_CONNECTOR_LIST_GRANTS_PRINCIPAL_JIT"
            }
        }
    }
}

/// `c1.connector.v2.ExternalId` (deprecated).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ExternalId {
    /// External id.
    #[prost(string, tag = "1")]
    pub id: String,
    /// Link to the external object.
    #[prost(string, tag = "2")]
    pub link: String,
    /// Free text.
    #[prost(string, tag = "3")]
    pub description: String,
}

/// `c1.connector.v2.AssetRef`: reference to an icon or logo asset.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct AssetRef {
    /// Asset id, 1–1024 bytes.
    #[prost(string, tag = "1")]
    pub id: String,
}

/// `c1.connector.v2.Entitlement`: something a principal can be granted on a resource.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Entitlement {
    /// The resource the entitlement belongs to (may be a stub with only `id`).
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// `rt:rid:slug`.
    #[prost(string, tag = "2")]
    pub id: String,
    /// Human name.
    #[prost(string, tag = "3")]
    pub display_name: String,
    /// Free text, at most 2048 bytes.
    #[prost(string, tag = "4")]
    pub description: String,
    /// Resource types whose resources may receive this entitlement (full messages).
    #[prost(message, repeated, tag = "5")]
    pub grantable_to: Vec<ResourceType>,
    /// Annotations.
    #[prost(message, repeated, tag = "6")]
    pub annotations: Vec<Any>,
    /// What the entitlement means (see [`Purpose`]).
    #[prost(enumeration = "Purpose", tag = "7")]
    pub purpose: i32,
    /// Short name, last part of the id.
    #[prost(string, tag = "8")]
    pub slug: String,
}

/// `c1.connector.v2.Entitlement.PurposeValue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum Purpose {
    /// `PURPOSE_VALUE_UNSPECIFIED`.
    Unspecified = 0,
    /// `PURPOSE_VALUE_ASSIGNMENT`: membership-like.
    Assignment = 1,
    /// `PURPOSE_VALUE_PERMISSION`: a permission.
    Permission = 2,
    /// `PURPOSE_VALUE_OWNERSHIP`: ownership.
    Ownership = 3,
}

impl Purpose {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            Purpose::Unspecified => "PURPOSE_VALUE_UNSPECIFIED",
            Purpose::Assignment => "PURPOSE_VALUE_ASSIGNMENT",
            Purpose::Permission => "PURPOSE_VALUE_PERMISSION",
            Purpose::Ownership => "PURPOSE_VALUE_OWNERSHIP",
        }
    }
}

/// `c1.connector.v2.Grant`: a principal holds an entitlement.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Grant {
    /// The entitlement (stub `{id, resource:{id}}` as produced by the SDK's `NewGrant`).
    #[prost(message, optional, tag = "1")]
    pub entitlement: Option<Entitlement>,
    /// The principal (stub `Resource{id}` or a full resource).
    #[prost(message, optional, tag = "2")]
    pub principal: Option<Resource>,
    /// `<entitlement id>:<principal rt>:<principal id>`.
    #[prost(string, tag = "3")]
    pub id: String,
    /// Annotations (`GrantExpandable`, `GrantImmutable`, `GrantMetadata`, …).
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<Any>,
    /// Where an expanded grant comes from.
    #[prost(message, optional, tag = "5")]
    pub sources: Option<GrantSources>,
}

/// `c1.connector.v2.GrantSources`: source entitlements of an expanded grant.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantSources {
    /// Key: source entitlement id. A `BTreeMap` keeps the encoding deterministic.
    #[prost(btree_map = "string, message", tag = "1")]
    pub sources: BTreeMap<String, GrantSource>,
}

/// `c1.connector.v2.GrantSources.GrantSource`.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
pub struct GrantSource {
    /// The principal holds the source entitlement directly.
    #[prost(bool, tag = "1")]
    pub is_direct: bool,
}
