//! ConductorOne service mode for any `baton-model` connector.
//!
//! Started with a ConductorOne client id and secret, a connector keeps a connection to
//! ConductorOne (C1): it fetches an OAuth token with a signed Ed25519 assertion, says Hello to
//! `c1.connectorapi.baton.v1.BatonService` over TLS gRPC, polls for tasks, runs them (full
//! sync with a chunked c1z upload, grant, revoke, create account, delete resource), and reports
//! each outcome with `FinishTask`. This crate does that for any [`baton_model::sync::Connector`]
//! plus the `baton_model::provision` traits; it knows nothing about a particular system (where
//! it sits among the crates: docs/architecture.md). docs/service-mode.md describes the
//! behaviour and the choices made where the protocol is not confirmed.
//!
//! # Quick start
//!
//! ```no_run
//! use baton_model::proto::ConnectorMetadata;
//! use baton_service::{run, ServiceConfig, ServiceConnector};
//! # use baton_model::sync::{Connector, ConnectorError, Page, PageToken};
//! # use baton_model::proto::{Entitlement, Grant, Resource, ResourceId, ResourceType};
//! # struct MyConnector;
//! # #[async_trait::async_trait]
//! # impl Connector for MyConnector {
//! #     async fn resource_types(&self, _: Option<PageToken>) -> Result<Page<ResourceType>, ConnectorError> { Ok(Page::empty()) }
//! #     async fn resources(&self, _: &str, _: Option<&ResourceId>, _: Option<PageToken>) -> Result<Page<Resource>, ConnectorError> { Ok(Page::empty()) }
//! #     async fn entitlements(&self, _: &Resource, _: Option<PageToken>) -> Result<Page<Entitlement>, ConnectorError> { Ok(Page::empty()) }
//! #     async fn grants(&self, _: &Resource, _: Option<PageToken>) -> Result<Page<Grant>, ConnectorError> { Ok(Page::empty()) }
//! # }
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ServiceConfig::new(
//!     std::env::var("BATON_CLIENT_ID")?.parse()?,
//!     std::env::var("BATON_CLIENT_SECRET")?.parse()?,
//! )
//! .with_env_overrides()?
//! .provisioning(true);
//! let connector = ServiceConnector::new(ConnectorMetadata::default(), || async { Ok(MyConnector) });
//! run(config, connector, async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await?;
//! # Ok(()) }
//! ```
//!
//! # Crate organization
//!
//! - [`ClientId`], [`ClientSecret`]: credential parsing; the secret never prints.
//! - [`ServiceConfig`]: flags and environment overrides (host, host id, gates, concurrency,
//!   temp dir, resource-type filter).
//! - [`ServiceConnector`]: the connector factory, provisioners, Hello metadata and the error
//!   classifier the runtime drives.
//! - [`run`]: the task loop until the shutdown future resolves.
//! - [`proto`]: hand-written prost messages of `c1.connectorapi.baton.v1` and the extra
//!   `c1.connector.v2` responses.
//! - `fake` (feature `fake`): a local fake C1 serving the token endpoint and BatonService on one
//!   TLS port, with scripted tasks, records and fault injection.

mod client;
mod config;
mod connector;
mod credentials;
mod error;
mod host;
pub mod proto;
mod proxy;
mod runner;
mod tasks;
mod token;
mod upload;

#[cfg(feature = "fake")]
pub mod fake;

pub use config::{
    ConfigError, ServiceConfig, TaskConcurrency, ENV_C1_API_HOST, ENV_HOST_ID, RUSTC_VERSION,
};
pub use connector::{default_error_code, BoxError, Code, ServiceConnector};
pub use credentials::{
    mint_client_secret, ClientId, ClientSecret, CredentialError, CLIENT_SECRET_PREFIX,
};
pub use error::ServiceError;
pub use runner::run;
pub use tasks::NON_RETRYABLE_SUFFIX;
