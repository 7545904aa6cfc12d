//! The Workato to Baton mapping.
//!
//! This crate turns a Workato workspace (read through `workato-api`) into Baton resources,
//! entitlements and grants (written through `baton-model`), with the same ids as
//! ConductorOne's Go connector `baton-workato` so that either connector's data can replace the
//! other's in ConductorOne. The ids it emits are specified in docs/ids.md, where it
//! departs from upstream and why in docs/decisions.md, and how it sits between the API client and
//! the Baton model in docs/architecture.md.
//!
//! # Quick start
//!
//! ```no_run
//! use baton_model::sync::Syncer;
//! use workato_api::{ApiToken, Client, DataCenter};
//! use workato_connector::config::ConnectorConfig;
//! use workato_connector::WorkatoConnector;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .token(ApiToken::new(std::env::var("BATON_WORKATO_API_KEY")?))
//!     .data_center(DataCenter::Us)
//!     .build()?;
//! let connector = WorkatoConnector::new(client, ConnectorConfig::default());
//! connector.validate().await?;
//! let summary = Syncer::new(&connector).run("sync.c1z").await?;
//! tracing::info!(grants = summary.grants, expanded = summary.expanded_grants, "synced");
//! # Ok(()) }
//! ```
//!
//! # Crate organization
//!
//! - [`connector`]: [`WorkatoConnector`], the `baton_model::sync::Connector` implementation,
//!   with `metadata()`, `validate()` and `capabilities()`.
//! - [`snapshot`]: the per-sync [`snapshot::Snapshot`] of the workspace — read once through
//!   the API client (API cost grows with pages and folders, not members), shared by every
//!   resource type and by provisioning; role names resolved to ids there.
//! - [`resources`]: one module per resource type turning the snapshot into Baton resource
//!   types, resources, entitlements and grants ([`resources::Objects`]), with a referential
//!   closure check.
//! - [`error`]: [`Error`], with the failing Workato call named by an [`error::Step`].
//! - [`provision`]: grant, revoke, invite and delete through the Workato API
//!   ([`provision::WorkatoProvisioner`]): just-in-time access in both directions.
//! - IO-free foundation: [`catalogue`] (privilege catalogue, system roles' privileges),
//!   [`env`](mod@env) (environments, `workato-env` scope, env-suffixed role ids), [`ids`] (id
//!   formulas and display strings), [`gotime`] (Go's time layout for profiles), [`config`]
//!   ([`config::ConnectorConfig`]), [`account`] (account-creation input).
//!
//! # Mapping decisions beyond upstream
//!
//! - Privileges and folder access reach collaborators only through grant expansion from their
//!   role grants (`GrantExpandable` on role → privilege and custom/environment role → folder
//!   grants); no per-member `/privileges` call. Environment roles learn their access once per
//!   distinct (env, role) from one holder's `/privileges` row.
//! - System roles (Admin, Analyst, Operator) reach every folder (all three hold
//!   `Folders-read`), as immutable role → folder grants WITHOUT `GrantExpandable`: expanding
//!   them would give every holder every folder (holders × folders grants, tens of millions
//!   in a large workspace, none of which the Go connector emits). Reviewers see the reach on
//!   the role and each holder's role grant. Their privilege grants stay expandable (at most
//!   the catalogue's 111 privileges per holder).
//! - Privilege and folder entitlements are grantable to collaborators, roles and environment
//!   roles (the principals that receive them).
//! - Ours: `project_role` (one per project × project role, parent `project:<id>`, `member`
//!   entitlement from project grants; group grants expand to the group's members) and
//!   `collaborator_group` (`member` entitlement).

pub mod account;
pub mod catalogue;
pub mod config;
pub mod connector;
pub mod env;
pub mod error;
pub mod gotime;
pub mod ids;
pub mod provision;
pub mod resources;
pub mod snapshot;

pub use connector::WorkatoConnector;
pub use error::Error;
