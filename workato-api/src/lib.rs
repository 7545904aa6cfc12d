//! Typed async client for the [Workato Developer API](https://docs.workato.com/workato-api.html).
//!
//! It covers what an access-review connector needs: workspace collaborators and their
//! per-environment roles, legacy collaborator roles, RBAC v2 environment roles, project roles
//! and project grants, collaborator groups, projects and folders. Each endpoint family is
//! rate limited before the call (60 requests/min by default, as documented) and retried after
//! it (429 always; 5xx and timeouts only for idempotent methods), and errors say which method
//! and path failed, with Workato's own message. The API token never appears in `Debug`,
//! `Display`, errors or logs.
//!
//! # Quick start
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use workato_api::{ApiToken, Client, DataCenter};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .token(ApiToken::new(std::env::var("WORKATO_API_TOKEN")?))
//!     .data_center(DataCenter::Eu)
//!     .build()?;
//!
//! // Unpaged: everyone at once.
//! let members = client.members().list().send().await?;
//! for member in &members.data {
//!     tracing::info!(id = %member.id, email = %member.email, "collaborator");
//! }
//!
//! // Every listing is a request builder: `send()` fetches one page, `into_stream()` every
//! // page as a lazy stream (nothing is sent until polled; each page is rate limited).
//! let first_page = client.projects().list().send().await?;
//! let projects: Vec<_> = client.projects().list().into_stream().try_collect().await?;
//! let folders: Vec<_> = client
//!     .folders()
//!     .list()
//!     .parent_id(42)
//!     .into_stream()
//!     .try_collect()
//!     .await?;
//! tracing::info!(
//!     first_page = first_page.items.len(),
//!     projects = projects.len(),
//!     folders = folders.len(),
//!     stats = ?client.stats(),
//! );
//! # Ok(()) }
//! ```
//!
//! # Crate organization
//!
//! Where this crate sits among the others: docs/architecture.md. What it relies on in Workato's
//! API, and the points Workato leaves unconfirmed: docs/workato-api.md.
//!
//! - Client and transport: [`Client`] / [`ClientBuilder`] (`client`), [`ApiToken`]
//!   (`token`), [`DataCenter`] (`data_center`), [`check_base_url`] (where the token may be
//!   sent), [`Family`] (`family`: rate-limit buckets and
//!   the API-client permission each needs), [`RetryPolicy`] and the pure classifier
//!   [`retry::classify`] (`retry`), per-family token buckets (`rate_limit`), [`ClientStats`]
//!   (`stats`).
//! - Errors: [`Error`] in [`error`]; [`BuildError`] for configuration ([`check_base_url`] is
//!   the base-URL rule on its own).
//! - Permissions: [`permissions`] maps each endpoint to the API-client role permission that
//!   unlocks it, and holds [`permissions::SETUP_GUIDE`], the minimum client role a sync needs.
//! - Trust: HTTPS trusts the platform's certificate store (`SSL_CERT_FILE` / `SSL_CERT_DIR`
//!   replace it, as for Go programs and OpenSSL); proxies come from `HTTPS_PROXY` / `NO_PROXY`.
//! - Pagination: [`pagination`] holds the one abstraction behind every listing
//!   ([`Page`], [`ItemStream`], and [`List`], the builder of listings without filters), for
//!   both `page`/`per_page` and `page[number]`/`page[size]` styles.
//! - One module per API resource, each with its serde models and a handler reached from the
//!   client: [`members`] (`client.members()`), [`roles`], [`environment_roles`],
//!   [`project_roles`], [`project_grants`], [`user_groups`], [`projects`], [`folders`],
//!   [`workspace`]. Every `list()` returns a request builder (`ListFolders`, `ListMembers`,
//!   [`List`], …): optional query parameters are its setters, and it ends in `send()` (one
//!   page) or `into_stream()` (every page).
//! - Ids: [`ids`] (`MemberId`, `FolderId`, … and the string-or-integer [`Id`]); shared enums
//!   in [`common`].
//!
//! Where Workato's docs leave a response shape UNCONFIRMED, models decode leniently: ids as
//! string or integer, missing or `null` fields as defaults, unknown fields ignored, unknown
//! enum values kept as `Other(String)`.

mod client;
pub mod common;
mod data_center;
pub mod environment_roles;
pub mod error;
/// Stateful in-process fake Workato server for tests, examples, demos and benchmarks.
#[cfg(feature = "fake")]
pub mod fake;
mod family;
pub mod folders;
mod handler;
pub mod ids;
mod lenient;
pub mod members;
pub mod pagination;
pub mod permissions;
pub mod project_grants;
pub mod project_roles;
pub mod projects;
mod query;
mod rate_limit;
pub mod retry;
pub mod roles;
mod route;
mod stats;
#[cfg(test)]
mod test_runtime;
mod token;
mod transport;
mod trust;
pub mod user_groups;
pub mod workspace;

pub use client::{check_base_url, BuildError, Client, ClientBuilder, DEFAULT_TIMEOUT};
pub use common::{EnvironmentType, RoleKind, RoleType};
pub use data_center::{DataCenter, UnknownDataCenter};
pub use error::{Error, Result};
pub use family::Family;
pub use ids::{EnvRoleId, FolderId, Id, MemberId, ProjectId, RoleId, WorkspaceId};
pub use pagination::{ItemStream, List, Page};
pub use retry::{RetryDecision, RetryPolicy};
pub use stats::ClientStats;
pub use token::ApiToken;
pub use trust::TrustError;

pub use environment_roles::EnvironmentRole;
pub use folders::Folder;
pub use members::{EnvRoleAssignment, Invitation, Member, MemberList, PrivilegeRow};
pub use project_grants::{GrantSubject, ProjectGrant, ProjectGrantRequest};
pub use project_roles::ProjectRole;
pub use projects::Project;
pub use roles::Role;
pub use user_groups::{UserGroup, UserGroupMember};
pub use workspace::Workspace;
