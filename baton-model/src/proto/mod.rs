//! Protobuf messages of package `c1.connector.v2`, hand-written with prost derives.
//!
//! Field numbers and enum values follow baton-sdk v0.7.27 (docs/c1z.md#messages-and-annotations).
//! Fields and enum values newer than v0.7.27 are deliberately absent so they cannot be emitted by
//! mistake. Enum-typed fields are `i32` (prost convention); each enum has `as_str_name()` giving
//! the protojson name and `TryFrom<i32>` from the prost derive.
//!
//! Annotations and traits travel as [`Any`]: use [`pack`] to wrap a message with the canonical
//! `type.googleapis.com/c1.connector.v2.<Name>` URL and [`unpack`] to read one back (matching on
//! the text after the last `/`, like Go's `anypb`).

mod annotations;
mod capabilities;
mod core;
mod traits;

pub use self::annotations::*;
pub use self::capabilities::*;
pub use self::core::*;
pub use self::traits::*;

pub use prost::{Message, Name};
pub use prost_types::{value::Kind, Any, ListValue, NullValue, Struct, Timestamp, Value};

/// Package of every message here.
pub const PACKAGE: &str = "c1.connector.v2";

/// Prefix of every type URL we write.
pub const TYPE_URL_PREFIX: &str = "type.googleapis.com/";

/// Implements [`prost::Name`] with the canonical `type.googleapis.com/` type URL.
macro_rules! impl_name {
    ($($ty:ty => $name:literal),* $(,)?) => {
        $(
            impl prost::Name for $ty {
                const NAME: &'static str = $name;
                const PACKAGE: &'static str = PACKAGE;

                fn type_url() -> String {
                    format!("{TYPE_URL_PREFIX}{PACKAGE}.{}", Self::NAME)
                }
            }
        )*
    };
}

impl_name!(
    ResourceType => "ResourceType",
    ResourceId => "ResourceId",
    Resource => "Resource",
    ExternalId => "ExternalId",
    AssetRef => "AssetRef",
    Entitlement => "Entitlement",
    Grant => "Grant",
    GrantSources => "GrantSources",
    GrantSource => "GrantSources.GrantSource",
    UserTrait => "UserTrait",
    Email => "UserTrait.Email",
    UserStatus => "UserTrait.Status",
    MfaStatus => "UserTrait.MFAStatus",
    SsoStatus => "UserTrait.SSOStatus",
    StructuredName => "UserTrait.StructuredName",
    GroupTrait => "GroupTrait",
    RoleTrait => "RoleTrait",
    RoleScopeConditions => "RoleScopeConditions",
    RoleScopeCondition => "RoleScopeCondition",
    AppTrait => "AppTrait",
    SecretTrait => "SecretTrait",
    ScopeBindingTrait => "ScopeBindingTrait",
    ChildResourceType => "ChildResourceType",
    SkipEntitlementsAndGrants => "SkipEntitlementsAndGrants",
    SkipEntitlements => "SkipEntitlements",
    SkipGrants => "SkipGrants",
    GrantExpandable => "GrantExpandable",
    GrantImmutable => "GrantImmutable",
    GrantMetadata => "GrantMetadata",
    GrantAlreadyExists => "GrantAlreadyExists",
    GrantAlreadyRevoked => "GrantAlreadyRevoked",
    GrantReplaced => "GrantReplaced",
    InsertResourceGrants => "InsertResourceGrants",
    EntitlementImmutable => "EntitlementImmutable",
    ExternalLink => "ExternalLink",
    V1Identifier => "V1Identifier",
    RawId => "RawId",
    Aliases => "Aliases",
    RequestId => "RequestId",
    RateLimitDescription => "RateLimitDescription",
    ETag => "ETag",
    ETagMetadata => "ETagMetadata",
    ETagMatch => "ETagMatch",
    ExternalResourceMatch => "ExternalResourceMatch",
    ExternalResourceMatchAll => "ExternalResourceMatchAll",
    ExternalResourceMatchId => "ExternalResourceMatchID",
    ExternalTicketSettings => "ExternalTicketSettings",
    ExternalTicketRef => "ExternalTicketRef",
    BatonId => "BatonID",
    ResourceDoesNotExist => "ResourceDoesNotExist",
    CapabilityPermissions => "CapabilityPermissions",
    CapabilityPermission => "CapabilityPermission",
    ConnectorCapabilities => "ConnectorCapabilities",
    ResourceTypeCapability => "ResourceTypeCapability",
    CredentialDetails => "CredentialDetails",
    CredentialDetailsAccountProvisioning => "CredentialDetailsAccountProvisioning",
    CredentialDetailsCredentialRotation => "CredentialDetailsCredentialRotation",
    ConnectorMetadata => "ConnectorMetadata",
);

/// An `Any` could not be unpacked into the requested message.
#[derive(Debug, thiserror::Error)]
#[error("cannot decode {type_url} payload")]
pub struct UnpackError {
    /// The `Any`'s type URL.
    pub type_url: String,
    /// The prost decode error.
    #[source]
    pub source: prost::DecodeError,
}

/// Wraps a message in an [`Any`] with the canonical `type.googleapis.com/…` URL.
///
/// Encoding is deterministic (fields in tag order, `Struct` keys sorted).
pub fn pack<M: Name>(message: &M) -> Any {
    Any {
        type_url: M::type_url(),
        value: message.encode_to_vec(),
    }
}

/// The full message name of an `Any`: the text after the last `/` of its type URL (Go's rule).
pub fn type_name(any: &Any) -> &str {
    name_in(&any.type_url)
}

/// The text after the last `/` of a type URL.
fn name_in(type_url: &str) -> &str {
    type_url.rsplit('/').next().unwrap_or(type_url)
}

/// `true` when `any` holds an `M` (by full name, ignoring the URL prefix). The full name is
/// prost's default one, `PACKAGE.NAME` (`NAME` alone without a package), as every message here
/// has it; it is compared piecewise because this runs for every annotation of every object and
/// `Name::full_name` allocates.
pub fn is<M: Name>(any: &Any) -> bool {
    names::<M>(&any.type_url)
}

/// `true` when `type_url` names an `M`, as [`is`] matches an `Any`'s.
pub(crate) fn names<M: Name>(type_url: &str) -> bool {
    let name = name_in(type_url);
    if M::PACKAGE.is_empty() {
        return name == M::NAME;
    }
    name.strip_prefix(M::PACKAGE)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|rest| rest == M::NAME)
}

/// Decodes `any` as `M` when it holds an `M`; `Ok(None)` when it holds another type.
///
/// # Errors
/// [`UnpackError`] when the type matches but the payload does not decode.
pub fn unpack<M: Name + Default>(any: &Any) -> Result<Option<M>, UnpackError> {
    if !is::<M>(any) {
        return Ok(None);
    }
    M::decode(any.value.as_slice())
        .map(Some)
        .map_err(|source| UnpackError {
            type_url: any.type_url.clone(),
            source,
        })
}

#[cfg(test)]
mod tests;
