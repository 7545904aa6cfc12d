//! Protobuf messages of the service protocol, hand-written with prost derives (there is no
//! protoc in this build; field numbers follow docs/service-mode.md).
//!
//! - [`baton`]: package `c1.connectorapi.baton.v1` — `BatonService` requests, responses and the
//!   `Task` with every task type.
//! - [`connector`]: the `c1.connector.v2` provisioning messages the service embeds (task payloads
//!   and responses) that `baton-model` does not hold. Everything else (`Resource`, `Grant`, …)
//!   is `baton-model`'s.
//! - [`rpc`]: the `google.rpc.Status` message.
//!
//! Fields the runtime never reads (ticket payloads, encryption configs) are left out: prost skips
//! unknown fields when decoding, so their presence on the wire is harmless.

pub mod baton;
pub mod connector;
pub mod rpc;

pub use prost::{Message, Name};
pub use prost_types::{Any, Duration, Struct, Timestamp};

/// Prefix of every type URL the runtime writes.
pub const TYPE_URL_PREFIX: &str = "type.googleapis.com/";

/// Implements [`prost::Name`] with the canonical `type.googleapis.com/` type URL.
macro_rules! impl_name {
    ($package:literal: $($ty:ty => $name:literal),* $(,)?) => {
        $(
            impl prost::Name for $ty {
                const NAME: &'static str = $name;
                const PACKAGE: &'static str = $package;

                fn type_url() -> String {
                    format!("{}{}.{}", $crate::proto::TYPE_URL_PREFIX, $package, Self::NAME)
                }
            }
        )*
    };
}
pub(crate) use impl_name;

#[cfg(test)]
mod tests;
