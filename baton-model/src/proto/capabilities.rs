//! `ConnectorCapabilities` and `ConnectorMetadata` (docs/architecture.md#capabilities).

use prost_types::{Any, Struct};

use super::annotations::CapabilityPermissions;
use super::core::{AssetRef, ResourceType};

/// `c1.connector.v2.ConnectorCapabilities`: what the connector can do.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConnectorCapabilities {
    /// Per resource type, sorted by type id.
    #[prost(message, repeated, tag = "1")]
    pub resource_type_capabilities: Vec<ResourceTypeCapability>,
    /// Connector-wide capabilities, sorted by enum number (see [`Capability`]).
    #[prost(enumeration = "Capability", repeated, tag = "2")]
    pub connector_capabilities: Vec<i32>,
    /// Credential options (always present, possibly empty).
    #[prost(message, optional, tag = "3")]
    pub credential_details: Option<CredentialDetails>,
}

/// `c1.connector.v2.ResourceTypeCapability`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceTypeCapability {
    /// The full resource type.
    #[prost(message, optional, tag = "1")]
    pub resource_type: Option<ResourceType>,
    /// Capabilities of the type (see [`Capability`]).
    #[prost(enumeration = "Capability", repeated, tag = "2")]
    pub capabilities: Vec<i32>,
    /// Permissions (always present, possibly empty).
    #[prost(message, optional, tag = "3")]
    pub permissions: Option<CapabilityPermissions>,
}

/// `c1.connector.v2.CredentialDetails`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct CredentialDetails {
    /// Options for account provisioning.
    #[prost(message, optional, tag = "1")]
    pub capability_account_provisioning: Option<CredentialDetailsAccountProvisioning>,
    /// Options for credential rotation.
    #[prost(message, optional, tag = "2")]
    pub capability_credential_rotation: Option<CredentialDetailsCredentialRotation>,
}

/// `c1.connector.v2.CredentialDetailsAccountProvisioning`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct CredentialDetailsAccountProvisioning {
    /// Supported options (see [`CapabilityDetailCredentialOption`]).
    #[prost(enumeration = "CapabilityDetailCredentialOption", repeated, tag = "1")]
    pub supported_credential_options: Vec<i32>,
    /// Preferred option.
    #[prost(enumeration = "CapabilityDetailCredentialOption", tag = "2")]
    pub preferred_credential_option: i32,
}

/// `c1.connector.v2.CredentialDetailsCredentialRotation`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct CredentialDetailsCredentialRotation {
    /// Supported options (see [`CapabilityDetailCredentialOption`]).
    #[prost(enumeration = "CapabilityDetailCredentialOption", repeated, tag = "1")]
    pub supported_credential_options: Vec<i32>,
    /// Preferred option.
    #[prost(enumeration = "CapabilityDetailCredentialOption", tag = "2")]
    pub preferred_credential_option: i32,
}

/// `c1.connector.v2.Capability` (value 14 and later are newer than v0.7.27 and not modelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum Capability {
    /// `CAPABILITY_UNSPECIFIED`.
    Unspecified = 0,
    /// `CAPABILITY_PROVISION`.
    Provision = 1,
    /// `CAPABILITY_SYNC`.
    Sync = 2,
    /// `CAPABILITY_EVENT_FEED`.
    EventFeed = 3,
    /// `CAPABILITY_TICKETING`.
    Ticketing = 4,
    /// `CAPABILITY_ACCOUNT_PROVISIONING`.
    AccountProvisioning = 5,
    /// `CAPABILITY_CREDENTIAL_ROTATION`.
    CredentialRotation = 6,
    /// `CAPABILITY_RESOURCE_CREATE`.
    ResourceCreate = 7,
    /// `CAPABILITY_RESOURCE_DELETE`.
    ResourceDelete = 8,
    /// `CAPABILITY_SYNC_SECRETS`.
    SyncSecrets = 9,
    /// `CAPABILITY_ACTIONS`.
    Actions = 10,
    /// `CAPABILITY_TARGETED_SYNC`.
    TargetedSync = 11,
    /// `CAPABILITY_EVENT_FEED_V2`.
    EventFeedV2 = 12,
    /// `CAPABILITY_SERVICE_MODE_TARGETED_SYNC`.
    ServiceModeTargetedSync = 13,
}

impl Capability {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            Capability::Unspecified => "CAPABILITY_UNSPECIFIED",
            Capability::Provision => "CAPABILITY_PROVISION",
            Capability::Sync => "CAPABILITY_SYNC",
            Capability::EventFeed => "CAPABILITY_EVENT_FEED",
            Capability::Ticketing => "CAPABILITY_TICKETING",
            Capability::AccountProvisioning => "CAPABILITY_ACCOUNT_PROVISIONING",
            Capability::CredentialRotation => "CAPABILITY_CREDENTIAL_ROTATION",
            Capability::ResourceCreate => "CAPABILITY_RESOURCE_CREATE",
            Capability::ResourceDelete => "CAPABILITY_RESOURCE_DELETE",
            Capability::SyncSecrets => "CAPABILITY_SYNC_SECRETS",
            Capability::Actions => "CAPABILITY_ACTIONS",
            Capability::TargetedSync => "CAPABILITY_TARGETED_SYNC",
            Capability::EventFeedV2 => "CAPABILITY_EVENT_FEED_V2",
            Capability::ServiceModeTargetedSync => "CAPABILITY_SERVICE_MODE_TARGETED_SYNC",
        }
    }
}

/// `c1.connector.v2.CapabilityDetailCredentialOption`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum CapabilityDetailCredentialOption {
    /// `CAPABILITY_DETAIL_CREDENTIAL_OPTION_UNSPECIFIED`.
    Unspecified = 0,
    /// `CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD`.
    NoPassword = 1,
    /// `CAPABILITY_DETAIL_CREDENTIAL_OPTION_RANDOM_PASSWORD`.
    RandomPassword = 2,
    /// `CAPABILITY_DETAIL_CREDENTIAL_OPTION_SSO`.
    Sso = 3,
    /// `CAPABILITY_DETAIL_CREDENTIAL_OPTION_ENCRYPTED_PASSWORD`.
    EncryptedPassword = 4,
}

impl CapabilityDetailCredentialOption {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            Self::Unspecified => "CAPABILITY_DETAIL_CREDENTIAL_OPTION_UNSPECIFIED",
            Self::NoPassword => "CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD",
            Self::RandomPassword => "CAPABILITY_DETAIL_CREDENTIAL_OPTION_RANDOM_PASSWORD",
            Self::Sso => "CAPABILITY_DETAIL_CREDENTIAL_OPTION_SSO",
            Self::EncryptedPassword => "CAPABILITY_DETAIL_CREDENTIAL_OPTION_ENCRYPTED_PASSWORD",
        }
    }
}

/// `c1.connector.v2.ConnectorMetadata`.
///
/// `account_creation_schema` (tag 9) is not modelled: unknown fields are skipped on decode.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConnectorMetadata {
    /// Connector name.
    #[prost(string, tag = "1")]
    pub display_name: String,
    /// Help URL.
    #[prost(string, tag = "2")]
    pub help_url: String,
    /// Icon asset.
    #[prost(message, optional, tag = "3")]
    pub icon: Option<AssetRef>,
    /// Logo asset.
    #[prost(message, optional, tag = "4")]
    pub logo: Option<AssetRef>,
    /// Free-form profile.
    #[prost(message, optional, tag = "5")]
    pub profile: Option<Struct>,
    /// Annotations.
    #[prost(message, repeated, tag = "6")]
    pub annotations: Vec<Any>,
    /// Description.
    #[prost(string, tag = "7")]
    pub description: String,
    /// Capabilities.
    #[prost(message, optional, tag = "8")]
    pub capabilities: Option<ConnectorCapabilities>,
}
