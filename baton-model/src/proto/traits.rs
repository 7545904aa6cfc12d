//! Trait messages stored as `Any` in `Resource.annotations` (docs/c1z.md#messages-and-annotations).

use prost_types::{Struct, Timestamp};

use super::core::{AssetRef, ResourceId};

/// `c1.connector.v2.UserTrait`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserTrait {
    /// Email addresses.
    #[prost(message, repeated, tag = "1")]
    pub emails: Vec<Email>,
    /// Account status (required by the Go validator).
    #[prost(message, optional, tag = "2")]
    pub status: Option<UserStatus>,
    /// Free-form profile.
    #[prost(message, optional, tag = "3")]
    pub profile: Option<Struct>,
    /// Icon asset.
    #[prost(message, optional, tag = "4")]
    pub icon: Option<AssetRef>,
    /// Kind of account (see [`AccountType`]).
    #[prost(enumeration = "AccountType", tag = "5")]
    pub account_type: i32,
    /// Login name.
    #[prost(string, tag = "6")]
    pub login: String,
    /// Other login names.
    #[prost(string, repeated, tag = "7")]
    pub login_aliases: Vec<String>,
    /// Account creation time.
    #[prost(message, optional, tag = "8")]
    pub created_at: Option<Timestamp>,
    /// Last login time.
    #[prost(message, optional, tag = "9")]
    pub last_login: Option<Timestamp>,
    /// MFA state.
    #[prost(message, optional, tag = "10")]
    pub mfa_status: Option<MfaStatus>,
    /// SSO state.
    #[prost(message, optional, tag = "11")]
    pub sso_status: Option<SsoStatus>,
    /// Structured person name.
    #[prost(message, optional, tag = "12")]
    pub structured_name: Option<StructuredName>,
    /// Employee ids.
    #[prost(string, repeated, tag = "13")]
    pub employee_ids: Vec<String>,
}

/// `c1.connector.v2.UserTrait.Email`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Email {
    /// The address.
    #[prost(string, tag = "1")]
    pub address: String,
    /// Primary address of the user.
    #[prost(bool, tag = "2")]
    pub is_primary: bool,
}

/// `c1.connector.v2.UserTrait.Status` (named `UserStatus` in Rust to avoid clashing with its enum).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct UserStatus {
    /// The status value (see [`Status`]).
    #[prost(enumeration = "Status", tag = "1")]
    pub status: i32,
    /// Free text.
    #[prost(string, tag = "2")]
    pub details: String,
}

/// `c1.connector.v2.UserTrait.Status.Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum Status {
    /// `STATUS_UNSPECIFIED`.
    Unspecified = 0,
    /// `STATUS_ENABLED`.
    Enabled = 1,
    /// `STATUS_DISABLED`.
    Disabled = 2,
    /// `STATUS_DELETED`.
    Deleted = 3,
}

impl Status {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            Status::Unspecified => "STATUS_UNSPECIFIED",
            Status::Enabled => "STATUS_ENABLED",
            Status::Disabled => "STATUS_DISABLED",
            Status::Deleted => "STATUS_DELETED",
        }
    }
}

/// `c1.connector.v2.UserTrait.AccountType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum AccountType {
    /// `ACCOUNT_TYPE_UNSPECIFIED`.
    Unspecified = 0,
    /// `ACCOUNT_TYPE_HUMAN`.
    Human = 1,
    /// `ACCOUNT_TYPE_SERVICE`.
    Service = 2,
    /// `ACCOUNT_TYPE_SYSTEM`.
    System = 3,
}

impl AccountType {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            AccountType::Unspecified => "ACCOUNT_TYPE_UNSPECIFIED",
            AccountType::Human => "ACCOUNT_TYPE_HUMAN",
            AccountType::Service => "ACCOUNT_TYPE_SERVICE",
            AccountType::System => "ACCOUNT_TYPE_SYSTEM",
        }
    }
}

/// `c1.connector.v2.UserTrait.MFAStatus`.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
pub struct MfaStatus {
    /// MFA is enabled.
    #[prost(bool, tag = "1")]
    pub mfa_enabled: bool,
}

/// `c1.connector.v2.UserTrait.SSOStatus`.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
pub struct SsoStatus {
    /// SSO is enabled.
    #[prost(bool, tag = "1")]
    pub sso_enabled: bool,
}

/// `c1.connector.v2.UserTrait.StructuredName`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct StructuredName {
    /// Given name.
    #[prost(string, tag = "1")]
    pub given_name: String,
    /// Family name.
    #[prost(string, tag = "2")]
    pub family_name: String,
    /// Middle names.
    #[prost(string, repeated, tag = "3")]
    pub middle_names: Vec<String>,
    /// Prefix, e.g. `Dr.`.
    #[prost(string, tag = "4")]
    pub prefix: String,
    /// Suffix, e.g. `Jr.`.
    #[prost(string, tag = "5")]
    pub suffix: String,
}

/// `c1.connector.v2.GroupTrait` (fields 3–4 of newer SDKs omitted on purpose).
#[derive(Clone, PartialEq, prost::Message)]
pub struct GroupTrait {
    /// Icon asset.
    #[prost(message, optional, tag = "1")]
    pub icon: Option<AssetRef>,
    /// Free-form profile.
    #[prost(message, optional, tag = "2")]
    pub profile: Option<Struct>,
}

/// `c1.connector.v2.RoleTrait`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RoleTrait {
    /// Free-form profile.
    #[prost(message, optional, tag = "1")]
    pub profile: Option<Struct>,
    /// Scope conditions.
    #[prost(message, optional, tag = "2")]
    pub role_scope_conditions: Option<RoleScopeConditions>,
}

/// `c1.connector.v2.RoleScopeConditions`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct RoleScopeConditions {
    /// Condition language.
    #[prost(string, tag = "1")]
    pub r#type: String,
    /// Conditions (tag 3; tag 2 is unused upstream).
    #[prost(message, repeated, tag = "3")]
    pub conditions: Vec<RoleScopeCondition>,
}

/// `c1.connector.v2.RoleScopeCondition`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct RoleScopeCondition {
    /// Condition expression.
    #[prost(string, tag = "1")]
    pub expression: String,
}

/// `c1.connector.v2.AppTrait` (fields 6–7 of newer SDKs omitted on purpose).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AppTrait {
    /// Help URL (https).
    #[prost(string, tag = "1")]
    pub help_url: String,
    /// Icon asset.
    #[prost(message, optional, tag = "2")]
    pub icon: Option<AssetRef>,
    /// Logo asset.
    #[prost(message, optional, tag = "3")]
    pub logo: Option<AssetRef>,
    /// Free-form profile.
    #[prost(message, optional, tag = "4")]
    pub profile: Option<Struct>,
    /// Flags (see [`AppFlag`]).
    #[prost(enumeration = "AppFlag", repeated, tag = "5")]
    pub flags: Vec<i32>,
}

/// `c1.connector.v2.AppTrait.AppFlag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum AppFlag {
    /// `APP_FLAG_UNSPECIFIED`.
    Unspecified = 0,
    /// `APP_FLAG_HIDDEN`.
    Hidden = 1,
    /// `APP_FLAG_INACTIVE`.
    Inactive = 2,
    /// `APP_FLAG_SAML`.
    Saml = 3,
    /// `APP_FLAG_OIDC`.
    Oidc = 4,
    /// `APP_FLAG_BOOKMARK`.
    Bookmark = 5,
}

impl AppFlag {
    /// The protobuf enum value name, as protojson prints it.
    pub fn as_str_name(self) -> &'static str {
        match self {
            AppFlag::Unspecified => "APP_FLAG_UNSPECIFIED",
            AppFlag::Hidden => "APP_FLAG_HIDDEN",
            AppFlag::Inactive => "APP_FLAG_INACTIVE",
            AppFlag::Saml => "APP_FLAG_SAML",
            AppFlag::Oidc => "APP_FLAG_OIDC",
            AppFlag::Bookmark => "APP_FLAG_BOOKMARK",
        }
    }
}

/// `c1.connector.v2.SecretTrait` (fields 7–8 of newer SDKs omitted on purpose).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SecretTrait {
    /// Free-form profile.
    #[prost(message, optional, tag = "1")]
    pub profile: Option<Struct>,
    /// Creation time.
    #[prost(message, optional, tag = "2")]
    pub created_at: Option<Timestamp>,
    /// Expiry time.
    #[prost(message, optional, tag = "3")]
    pub expires_at: Option<Timestamp>,
    /// Last use time.
    #[prost(message, optional, tag = "4")]
    pub last_used_at: Option<Timestamp>,
    /// Who created the secret.
    #[prost(message, optional, tag = "5")]
    pub created_by_id: Option<ResourceId>,
    /// Identity the secret belongs to.
    #[prost(message, optional, tag = "6")]
    pub identity_id: Option<ResourceId>,
}

/// `c1.connector.v2.ScopeBindingTrait`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ScopeBindingTrait {
    /// The bound role.
    #[prost(message, optional, tag = "1")]
    pub role_id: Option<ResourceId>,
    /// The scope resource.
    #[prost(message, optional, tag = "2")]
    pub scope_resource_id: Option<ResourceId>,
}
