//! JSON output in the shape `baton -o json` prints (protojson; docs/c1z.md#json-output).
//!
//! Every message renders like Go's `protojson.Marshal`: lowerCamelCase names, proto3 defaults
//! omitted, enums by name (`TRAIT_USER`), int64 as strings, `Timestamp` as RFC 3339 `Z`, `Struct`
//! as a plain object, each `Any` inlined with `"@type"`. An `Any` of a type this crate does not
//! know fails with [`JsonError::UnresolvableAny`], like the Go CLI. (No modelled message has a
//! `bytes` field, so base64 never arises.)
//!
//! Output is a [`Document`]: turn it into a `serde_json::Value` to compare or post-process, or
//! print it with [`Document::to_compact_string`] (one line, fields in declaration order, as the
//! CLI does) or [`Document::to_multiline_string`].
//!
//! ```
//! use baton_model::json::{resources_output, ResourceRow};
//! use baton_model::model::{Profile, ResourceBuilder, ResourceTypeBuilder};
//! use baton_model::proto::Trait;
//!
//! let rt = ResourceTypeBuilder::new("role", "Roles").trait_(Trait::Role).build()?;
//! let role = ResourceBuilder::new("role", "1001", "Custom Role 1")
//!     .role_trait(Profile::new().with("id", 1001))
//!     .build()?;
//! let doc = resources_output(&[ResourceRow { resource: role, resource_type: Some(rt), parent: None }])?;
//! assert_eq!(doc.to_value()["resources"][0]["resourceType"]["traits"][0], "TRAIT_ROLE");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod node;
mod output;
mod render;

#[cfg(feature = "c1z")]
pub use output::diff_output;
pub use output::{
    capabilities_json, entitlements_output, grants_output, missing_entitlement, missing_resource,
    missing_resource_type, resource_types_output, resources_output, syncs_output, EntitlementRow,
    GrantRow, ResourceRow, SyncRow,
};
pub use render::ProtoJson;

use node::Node;

/// A message could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// An `Any` holds a message type this crate cannot resolve (Go: "unable to resolve").
    #[error("unable to resolve {type_url:?}: message type not known")]
    UnresolvableAny {
        /// The `Any`'s type URL.
        type_url: String,
    },
    /// An `Any` payload of a known type failed to decode.
    #[error("cannot decode annotation")]
    Decode(#[from] crate::proto::UnpackError),
    /// A timestamp outside 0001-01-01..9999-12-31 or with invalid nanos.
    #[error("invalid timestamp: seconds={seconds} nanos={nanos}")]
    InvalidTimestamp {
        /// Seconds since the epoch.
        seconds: i64,
        /// Nanoseconds.
        nanos: i32,
    },
}

/// A rendered JSON document that keeps protojson's field order.
#[derive(Clone, Debug, PartialEq)]
pub struct Document(Node);

impl Document {
    /// As a `serde_json::Value` (object keys sorted; compare these, never bytes).
    pub fn to_value(&self) -> serde_json::Value {
        self.0.to_value()
    }

    /// One line, no insignificant spaces, no trailing newline (protojson's default).
    pub fn to_compact_string(&self) -> String {
        let mut out = String::new();
        self.0.write_compact(&mut out);
        out
    }

    /// protojson `Multiline` with a two-space indent, no trailing newline.
    pub fn to_multiline_string(&self) -> String {
        let mut out = String::new();
        self.0.write_multiline(&mut out, 0);
        out
    }
}

impl From<Document> for serde_json::Value {
    fn from(doc: Document) -> Self {
        doc.to_value()
    }
}

/// Renders one message (e.g. a `Resource`) as a JSON value.
///
/// # Errors
/// See [`ProtoJson::to_document`].
pub fn to_value<M: ProtoJson>(message: &M) -> Result<serde_json::Value, JsonError> {
    Ok(message.to_document()?.to_value())
}

/// Renders an `Any` with `"@type"` inlined.
///
/// # Errors
/// [`JsonError::UnresolvableAny`] for a type this crate does not know.
pub fn any_to_value(any: &crate::proto::Any) -> Result<serde_json::Value, JsonError> {
    Ok(render::any_node(any)?.to_value())
}

/// Formats a timestamp as protojson does (`2024-01-02T03:04:05Z`, 0/3/6/9 fraction digits).
///
/// # Errors
/// [`JsonError::InvalidTimestamp`] outside years 1–9999 or for nanos outside `0..1e9`.
pub fn timestamp_to_string(ts: &crate::proto::Timestamp) -> Result<String, JsonError> {
    render::timestamp_string(ts)
}

/// Renders a `google.protobuf.Struct` as a plain JSON object.
pub fn struct_to_value(s: &crate::proto::Struct) -> serde_json::Value {
    render::struct_node(s).to_value()
}

#[cfg(test)]
mod tests;
