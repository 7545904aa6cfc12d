//! The ConductorOne Baton model for Rust: protobuf messages, builders, `baton -o json` output and
//! provisioning traits.
//!
//! A Baton connector reads an identity system and describes it as resource types, resources,
//! entitlements and grants (package `c1.connector.v2`). This crate holds that model without any
//! network or runtime dependency; a connector crate fills it, and the c1z writer stores it in a
//! file the Go `baton` CLI (baton-sdk v0.7.27 and later) opens.
//!
//! # Quick start
//!
//! ```
//! use baton_model::json::{grants_output, GrantRow};
//! use baton_model::model::{
//!     EntitlementBuilder, GrantBuilder, Profile, ResourceBuilder, ResourceTypeBuilder,
//!     UserTraitBuilder,
//! };
//! use baton_model::proto::{Purpose, Trait};
//!
//! let user_type = ResourceTypeBuilder::new("collaborator", "Collaborator")
//!     .trait_(Trait::User)
//!     .build()?;
//! let ada = ResourceBuilder::new("collaborator", "5", "Ada")
//!     .user_trait(UserTraitBuilder::new().email("ada@example.com", true))
//!     .build()?;
//! let admin = ResourceBuilder::new("role", "Admin", "Admin")
//!     .role_trait(Profile::new().with("name", "Admin"))
//!     .build()?;
//! let member = EntitlementBuilder::new(&admin, "collaborator-has")
//!     .purpose(Purpose::Assignment)
//!     .grantable_to(&[user_type])
//!     .build()?;
//! let grant = GrantBuilder::new(&member, ada.id.as_ref().expect("built with an id")).build()?;
//! assert_eq!(grant.id, "role:Admin:collaborator-has:collaborator:5");
//!
//! let json = grants_output(&[GrantRow {
//!     grant,
//!     entitlement: Some(member),
//!     resource: Some(admin),
//!     resource_type: None,
//!     principal: Some(ada),
//! }])?;
//! assert_eq!(json.to_value()["grants"][0]["principal"]["displayName"], "Ada");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate organization
//!
//! Where this crate sits among the others, and the data flow of a sync: docs/architecture.md. The
//! c1z file it writes: docs/c1z.md.
//!
//! - [`proto`]: prost messages with the exact field numbers of `c1.connector.v2` (v0.7.27 subset),
//!   `Any` packing with `type.googleapis.com/` URLs and Go's last-`/` matching rule.
//! - [`model`]: builders for resource types, resources, traits, entitlements and grants that
//!   follow baton-sdk's id conventions and reject what the Go syncer rejects ([`model::ModelError`]);
//!   id helpers ([`model::ids`]), profiles, typed annotation access, validation and the
//!   `ConnectorCapabilities` derivation ([`model::CapabilitiesBuilder`]).
//! - [`json`]: protojson rendering in the exact shapes of `baton -o json` and `capabilities`.
//! - [`provision`]: async traits for grant/revoke, account creation and deletion with typed,
//!   idempotent outcomes.
//! - [`c1z`]: the c1z v1 writer and reader.
//! - [`sync`]: the [`sync::Connector`] trait and the [`sync::Syncer`] with grant expansion.
//!
//! [`c1z`] and [`sync`] need the default `c1z` feature (SQLite and zstd); without it the crate is
//! the model alone.

#[cfg(feature = "c1z")]
pub mod c1z;
pub mod json;
pub mod model;
pub mod proto;
pub mod provision;
#[cfg(feature = "c1z")]
pub mod sync;
