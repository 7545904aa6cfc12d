//! A stateful, in-process fake Workato server (feature `fake`).
//!
//! It follows docs/workato-api.md: Bearer auth, members with one role per environment,
//! legacy custom roles, environment roles, project roles and grants, collaborator groups,
//! projects and the folder tree, both pagination styles, PUT/invite/delete semantics,
//! per-family rate limiting with real 429s, request counters, latency and fault injection.
//!
//! # Use from a test
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use workato_api::fake::{Fault, FakeWorkato, Seed};
//!
//! let fake = FakeWorkato::start(Seed::default_workspace()).await?;
//! // Point a client at `fake.url()` with `fake.token()` as the API token.
//! fake.set_rate_limit(60); // 60 requests per minute per endpoint family
//! fake.inject_on("GET /api/roles", Fault::Status { status: 503, body: "{}".into(), count: 1 });
//! // ... run the code under test ...
//! assert_eq!(fake.request_count("GET /api/roles"), 2); // the 503 and the retry
//! assert_eq!(fake.member(1001).map(|m| m.roles.len()), Some(1));
//! fake.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The server binds `127.0.0.1:0`, runs on a task of the current Tokio runtime (current-thread
//! `#[tokio::test]` works) and stops when the [`FakeWorkato`] is dropped.
//!
//! # Endpoints
//!
//! `GET /api/users/me`; `GET|POST /api/members`, `GET|PUT|DELETE /api/members/:id`,
//! `GET /api/members/:id/privileges`, `GET /api/members/:id/project_grants`,
//! `POST /api/member_invitations`; `GET /api/roles` (style B); `GET /api/environment_roles[/:id]`,
//! `GET /api/project_roles[/:id]` (style C); `GET /api/projects`, `GET /api/folders?parent_id=`
//! (style B; `with_nested_folders=true` per [`NestedFolders`]); `GET|PUT /api/projects/:id/project_grants`, `GET|PUT|DELETE /api/project_grants/:id`;
//! `GET /api/user_groups[/:id]`, `GET /api/user_groups/:id/members`,
//! `GET /api/user_groups/:id/project_grants` (style C). Counter keys are these templates with
//! `:id` placeholders, e.g. `"GET /api/members/:id/privileges"`.
//!
//! # Seeds
//!
//! [`Seed::default_workspace`] is the reference workspace of
//! docs/architecture.md#the-reference-workspace; [`Seed::generate`] builds large deterministic
//! workspaces from [`GenParams`]; [`Seed::from_json`] / [`Seed::to_json`] load and save seeds;
//! [`FakeWorkato::snapshot`] turns the live state back into a seed.
//!
//! # Request pipeline
//!
//! Every request is (1) counted under its route template (`"GET /api/members/:id"`) and
//! family, (2) delayed by [`FakeWorkato::set_latency`], (3) authenticated — a missing or wrong
//! `Authorization: Bearer <token>` answers 401 `{"message":"Unauthorized"}` before anything
//! else, (4) refused with JSON 404 if no route matches, (5) refused with 403
//! `{"message":"Forbidden"}` if the API client's [`Profile`] does not list the endpoint or its
//! [`EnvironmentScope`] lacks DEV for a DEV-only endpoint (counted in
//! [`FakeWorkato::forbidden`]), (6) rate-limited per family, (7) subjected to the first
//! matching injected [`Fault`], then (8) answered from the state.
//!
//! # API-client permissions
//!
//! [`FakeWorkato::builder`] sets the client role: [`Profile::Full`] (default, the demo's),
//! [`Profile::SetupGuide`] (exactly ConductorOne's setup guide),
//! [`Profile::SetupGuideReadonly`] (without `PUT /api/members/:id`), [`Profile::RbacV2`]
//! (plus environment roles, project roles and grants, groups) or a custom list; and the scope:
//! [`EnvironmentScope::Prod`] models a client without DEV access, refused on the collaborator
//! endpoints and `/api/users/me`. [`FakeWorkato::requests_outside`] lists what a run called
//! beyond a profile.
//!
//! # TLS
//!
//! [`FakeBuilder::tls`] serves HTTPS with a [`TlsIdentity`] (PEM chain and key), so tests can
//! check certificate trust (`SSL_CERT_FILE`) and CONNECT proxies against a CA they mint.
//!
//! # Choices where the real API is unconfirmed
//!
//! - Paging: sizes above 100 are clamped to 100, size 0 means 100, page 0 means page 1; a
//!   non-numeric value answers 400. Style C `total` is the size of the whole set.
//! - `GET /api/members/:id` wraps the member as `{"data":{…}}`.
//! - `/privileges` gives one row per environment with a resolvable role; `"No access"` and
//!   roles that no longer exist give no row. System roles report a small built-in privilege
//!   map and every folder id (project roots included); environment roles no folders.
//! - `PUT /api/members/:id` validates every entry before changing anything; `NoAccess`
//!   removes that environment's entry from `roles`. Answers `{"result":"ok"}`.
//! - Invitations: an email that already belongs to a member answers 409
//!   `{"message":"Collaborator already exists"}`; a repeated invitation replaces the pending
//!   one. `POST /api/members {"email"}` adds the invitee of a pending invitation (200
//!   `{"result":"ok","id":…}`), 409 for an existing member, 404 for an unknown email.
//! - `DELETE /api/members/:id` and `DELETE /api/project_grants/:id` answer 204, 404 if unknown.
//! - [`Seed::legacy_roles_enabled`] `false` ⇒ `/api/roles` answers 404 `{"message":"Not found"}`;
//!   [`Seed::environment_roles_enabled`] `false` ⇒ environment-role, project-role and
//!   project-grant endpoints answer 401 (an un-migrated workspace).
//! - 429 bodies are `{"message":"Too many requests"}` with `Retry-After` in whole seconds.
//!
//! [`FakeWorkato::set_latency`]: crate::fake::FakeWorkato::set_latency
//! [`FakeWorkato::builder`]: crate::fake::FakeWorkato::builder
//! [`FakeWorkato::forbidden`]: crate::fake::FakeWorkato::forbidden
//! [`FakeWorkato::requests_outside`]: crate::fake::FakeWorkato::requests_outside
//! [`FakeBuilder::tls`]: crate::fake::FakeBuilder::tls
//! [`TlsIdentity`]: crate::fake::TlsIdentity
//! [`Profile`]: crate::fake::Profile
//! [`Profile::Full`]: crate::fake::Profile::Full
//! [`Profile::SetupGuide`]: crate::fake::Profile::SetupGuide
//! [`Profile::SetupGuideReadonly`]: crate::fake::Profile::SetupGuideReadonly
//! [`Profile::RbacV2`]: crate::fake::Profile::RbacV2
//! [`EnvironmentScope`]: crate::fake::EnvironmentScope
//! [`EnvironmentScope::Prod`]: crate::fake::EnvironmentScope::Prod
//! [`FakeWorkato::snapshot`]: crate::fake::FakeWorkato::snapshot
//! [`FakeWorkato`]: crate::fake::FakeWorkato
//! [`Fault`]: crate::fake::Fault
//! [`GenParams`]: crate::fake::GenParams
//! [`Seed::default_workspace`]: crate::fake::Seed::default_workspace
//! [`Seed::environment_roles_enabled`]: crate::fake::Seed::environment_roles_enabled
//! [`Seed::from_json`]: crate::fake::Seed::from_json
//! [`Seed::generate`]: crate::fake::Seed::generate
//! [`Seed::legacy_roles_enabled`]: crate::fake::Seed::legacy_roles_enabled
//! [`Seed::to_json`]: crate::fake::Seed::to_json

mod faults;
mod generate;
mod nested_folders;
mod privileges;
mod profile;
mod routes;
mod seed;
mod server;
mod state;
mod tls;

pub use faults::Fault;
pub use generate::GenParams;
pub use nested_folders::NestedFolders;
pub use profile::{is_dev_only, EnvironmentScope, Profile, UnknownProfile};
pub use seed::{
    EnvironmentRole, FakeId, FakeMember, Folder, LegacyRole, MemberRole, Privileges, Project,
    ProjectGrant, ProjectRole, Seed, UserGroup, Workspace, DEFAULT_TOKEN, NO_ACCESS_INPUT,
    NO_ACCESS_LISTED,
};
pub use server::{FakeBuilder, FakeWorkato};
pub use state::Invitation;
pub use tls::TlsIdentity;
