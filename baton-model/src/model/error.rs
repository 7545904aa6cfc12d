//! The error type of the builders and validators.

use crate::proto::{Trait, UnpackError};

/// An object violates the rules baton-sdk's syncer enforces (docs/c1z.md#messages-and-annotations).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A required string is empty.
    #[error("{field} must not be empty")]
    Empty {
        /// Which field, e.g. `resource.id.resource`.
        field: &'static str,
    },
    /// A string is longer than allowed (lengths in bytes).
    #[error("{field} is {len} bytes long, at most {max} allowed")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A URL does not start with `https://`.
    #[error("{field} must be an https:// URL, got {url:?}")]
    NotHttps {
        /// Which field.
        field: &'static str,
        /// The offending URL.
        url: String,
    },
    /// A resource carries the SDK-reserved `BatonID` annotation.
    #[error("resource {resource} carries the reserved BatonID annotation")]
    ReservedBatonId {
        /// `rt:rid` of the resource.
        resource: String,
    },
    /// A resource of a trait-bearing type lacks the matching trait annotation.
    #[error("resource {resource} of type {resource_type} lacks the {trait_name} annotation")]
    MissingTrait {
        /// `rt:rid` of the resource.
        resource: String,
        /// The resource type id.
        resource_type: String,
        /// The missing trait message, e.g. `UserTrait`.
        trait_name: &'static str,
        /// The trait the type declares.
        declared: Trait,
    },
    /// A resource was validated against a type with another id.
    #[error("resource {resource} is not of type {expected}")]
    WrongResourceType {
        /// `rt:rid` of the resource.
        resource: String,
        /// The type it was checked against.
        expected: String,
    },
    /// A message that must carry an id (resource, entitlement resource, principal) has none.
    #[error("{field} is missing")]
    MissingId {
        /// Which field.
        field: &'static str,
    },
    /// `UserTrait.status` is unset or `STATUS_UNSPECIFIED`.
    #[error("UserTrait.status is required")]
    MissingUserStatus,
    /// `Aliases` breaks the 1–100 unique ids of 1–256 chars rule.
    #[error("invalid Aliases annotation: {reason}")]
    InvalidAliases {
        /// What is wrong.
        reason: &'static str,
    },
    /// A time string is not RFC 3339.
    #[error("invalid RFC 3339 time {value:?}")]
    InvalidTime {
        /// The text.
        value: String,
        /// The parse error.
        #[source]
        source: chrono::ParseError,
    },
    /// An annotation of a known type failed to decode.
    #[error("cannot read annotation")]
    Annotation(#[from] UnpackError),
}
