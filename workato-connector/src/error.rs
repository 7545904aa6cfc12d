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
    /// `GET /api/members` answered 403: the API client's role lacks "Get collaborators", or
    /// the client has no DEV access (Workato serves collaborator endpoints only with DEV
    /// access). Nothing can be synced without collaborators.
    #[error(
        "Workato refused to list collaborators (403): the API client needs the \"{}\" \
         permission in its client role, and access to the DEV environment (Workato serves the \
         collaborator endpoints only to API clients with DEV access)",
        workato_api::permissions::GET_COLLABORATORS
    )]
    MembersForbidden {
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
    /// The connectivity check (`GET /api/projects?page=1&per_page=1`) failed.
    #[error(
        "validating the connection failed (GET /api/projects){}",
        ValidateHint(source)
    )]
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

/// What to check after a failed connectivity check, by how it failed; transport failures
/// explain themselves in the source.
struct ValidateHint<'a>(&'a workato_api::Error);

impl std::fmt::Display for ValidateHint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.status().map(|s| s.as_u16()) {
            Some(401) => f.write_str(": check the API key"),
            Some(403) => {
                f.write_str(": the API client's role needs \"Projects & folders › List projects\"")
            }
            Some(404) => f.write_str(": check the data center / base URL"),
            Some(_) => f.write_str(": check the API key and the data center / base URL"),
            None => Ok(()),
        }
    }
}
