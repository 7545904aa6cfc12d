//! The connector's errors, one variant per failing step.

use baton_model::model::ModelError;

/// Why a sync step failed. API errors are kept (boxed: they are large) as the `#[source]`
/// (with Workato's status, method, path and message); the API token never appears.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API key was rejected (401) while listing collaborators: nothing can be synced.
    #[error(
        "Workato rejected the API key listing collaborators (401): check the key, that its API \
         client has access to the DEV environment, and the data center / base URL"
    )]
    Unauthorized {
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/members` failed.
    #[error("listing collaborators failed")]
    ListMembers {
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/users/me` failed while validating the configuration.
    #[error("validating the connection failed (GET /api/users/me): check the API key and the data center / base URL")]
    Validate {
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/roles` failed.
    #[error("listing custom roles failed")]
    ListRoles {
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/environment_roles` failed.
    #[error("listing environment roles failed")]
    ListEnvironmentRoles {
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/projects` failed.
    #[error("listing projects failed")]
    ListProjects {
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/folders?parent_id=…` failed.
    #[error("listing the folders in folder {parent} failed")]
    ListFolders {
        /// The parent folder.
        parent: i64,
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/user_groups` failed.
    #[error("listing collaborator groups failed")]
    ListGroups {
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/user_groups/:id/members` failed.
    #[error("listing the members of collaborator group {group} failed")]
    ListGroupMembers {
        /// The group id.
        group: String,
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/project_roles` failed.
    #[error("listing project roles failed")]
    ListProjectRoles {
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/projects/:id/project_grants` failed.
    #[error("listing the grants of project {project} failed")]
    ListProjectGrants {
        /// The project id.
        project: i64,
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// `GET /api/members/:id/privileges` failed (learning an environment role's access).
    #[error("reading the privileges of collaborator {member} failed")]
    MemberPrivileges {
        /// The member id.
        member: i64,
        /// The API error.
        #[source]
        source: Box<workato_api::Error>,
    },
    /// A Baton object could not be built (e.g. a name beyond Baton's limits).
    #[error("building the Baton objects failed")]
    Build {
        /// The model error.
        #[source]
        source: ModelError,
    },
    /// A stored Baton object did not decode (an internal fault: the connector encoded it).
    #[error("decoding a stored Baton object failed")]
    Decode {
        /// The protobuf error.
        #[source]
        source: prost::DecodeError,
    },
    /// A page token this connector did not issue.
    #[error("invalid page token {0:?}")]
    PageToken(String),
}
