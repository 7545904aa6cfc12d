//! The Workato to Baton mapping.
//!
//! This crate turns a Workato workspace (read through `workato-api`) into Baton resources,
//! entitlements and grants (written through `baton-model`), with the same ids as
//! ConductorOne's Go connector `baton-workato` so that either connector's data can replace the
//! other's in ConductorOne. The rules it follows are spelled out in the project's
//! `spec/connector-model.md`.
//!
//! # Modules
//!
//! Today the crate holds the pure, IO-free foundation of the mapping:
//!
//! - [`catalogue`]: the static privilege catalogue (43 groups, 111 privileges) and the privilege
//!   sets of the system roles Admin, Analyst and Operator;
//! - [`env`](mod@env): environments (`dev`, `test`, `prod`), the `workato-env` scope (one environment or
//!   `all`) and env-suffixed role resource ids;
//! - [`ids`]: resource-type ids, entitlement slugs, entitlement and grant id formulas, display
//!   names;
//! - [`gotime`]: timestamps printed in Go's `time.Time.String()` layout for resource profiles;
//! - [`config`]: the connector's settings;
//! - [`account`]: validation of account-creation (invitation) input.
//!
//! The resource builders, the per-sync workspace snapshot and provisioning (grant, revoke,
//! invite, delete) build on these modules and arrive once the `workato-api` client and the
//! `baton-model` traits they need are in place.

pub mod account;
pub mod catalogue;
pub mod config;
pub mod connector;
pub mod env;
pub mod error;
pub mod gotime;
pub mod ids;
pub mod resources;
pub mod snapshot;

pub use connector::WorkatoConnector;
pub use error::Error;
