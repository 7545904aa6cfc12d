//! The connector's errors: one variant per kind of failure, the failing step named as data.

use std::fmt;

use baton_model::model::ModelError;

/// The Workato call a sync was making when it failed; [`Error::Api`] names it, so a new call
/// adds a step here rather than a new error variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// `GET /api/members`.
    ListMembers,
    /// The connection check made by [`crate::WorkatoConnector::validate`]
    /// (`GET /api/projects?page=1&per_page=1`).
    Validate,
    /// `GET /api/roles`.
    ListRoles,
    /// `GET /api/environment_roles`.
    ListEnvironmentRoles,
    /// `GET /api/projects`.
    ListProjects,
    /// `GET /api/folders?parent_id=…`.
    ListFolders {
        /// The parent folder.
        parent: i64,
    },
    /// `GET /api/user_groups`.
    ListGroups,
    /// `GET /api/user_groups/:id/members`.
    ListGroupMembers {
        /// The group id.
        group: String,
    },
    /// `GET /api/project_roles`.
    ListProjectRoles,
    /// `GET /api/projects/:id/project_grants`.
    ListProjectGrants {
        /// The project id.
        project: i64,
    },
    /// `GET /api/members/:id/privileges` (learning an environment role's access).
    MemberPrivileges {
        /// The member id.
        member: i64,
    },
}

/// What to check, appended to the failure message; empty when the API error says enough.
struct Advice<'a>(&'a Step, &'a workato_api::Error);

impl fmt::Display for Advice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Advice(step, source) = *self;
        if *step != Step::Validate {
            return Ok(());
        }
        f.write_str(" (GET /api/projects)")?;
        // By status; transport failures (TLS, DNS, refused) explain themselves in the source.
        match source.status().map(|s| s.as_u16()) {
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

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::ListMembers => f.write_str("listing collaborators"),
            Step::Validate => f.write_str("validating the connection"),
            Step::ListRoles => f.write_str("listing custom roles"),
            Step::ListEnvironmentRoles => f.write_str("listing environment roles"),
            Step::ListProjects => f.write_str("listing projects"),
            Step::ListFolders { parent } => write!(f, "listing the folders in folder {parent}"),
            Step::ListGroups => f.write_str("listing collaborator groups"),
            Step::ListGroupMembers { group } => {
                write!(f, "listing the members of collaborator group {group}")
            }
            Step::ListProjectRoles => f.write_str("listing project roles"),
            Step::ListProjectGrants { project } => {
                write!(f, "listing the grants of project {project}")
            }
            Step::MemberPrivileges { member } => {
                write!(f, "reading the privileges of collaborator {member}")
            }
        }
    }
}

/// Why a sync step failed. API errors are kept (boxed: they are large) as the `#[source]`
/// (with Workato's status, method, path and message); the API token never appears.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API key was rejected (401) while listing collaborators: nothing can be synced.
    /// Kept apart from [`Error::Api`] because it needs a different fix (the key, not the
    /// API client's permissions).
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
    /// access). Nothing can be synced without collaborators; kept apart from [`Error::Api`]
    /// because the fix is in the API client's set-up.
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
    /// A Workato call failed (after the client's retries).
    #[error("{step} failed{}", Advice(step, source))]
    Api {
        /// The call that failed.
        step: Step,
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

impl Error {
    /// An [`Error::Api`] for `step`.
    pub fn api(step: Step, source: workato_api::Error) -> Self {
        Error::Api {
            step,
            source: Box::new(source),
        }
    }

    /// The failing step, for [`Error::Api`].
    pub fn step(&self) -> Option<&Step> {
        match self {
            Error::Api { step, .. } => Some(step),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error() -> workato_api::Error {
        workato_api::Error::RepeatedPage {
            path: "/api/x".into(),
            page: 2,
            previous: 1,
        }
    }

    #[test]
    fn messages_name_the_step() {
        let cases = [
            (Step::ListMembers, "listing collaborators failed"),
            (
                Step::Validate,
                "validating the connection failed (GET /api/projects)",
            ),
            (Step::ListRoles, "listing custom roles failed"),
            (
                Step::ListEnvironmentRoles,
                "listing environment roles failed",
            ),
            (Step::ListProjects, "listing projects failed"),
            (
                Step::ListFolders { parent: 7 },
                "listing the folders in folder 7 failed",
            ),
            (Step::ListGroups, "listing collaborator groups failed"),
            (
                Step::ListGroupMembers {
                    group: "am-1".into(),
                },
                "listing the members of collaborator group am-1 failed",
            ),
            (Step::ListProjectRoles, "listing project roles failed"),
            (
                Step::ListProjectGrants { project: 5 },
                "listing the grants of project 5 failed",
            ),
            (
                Step::MemberPrivileges { member: 12 },
                "reading the privileges of collaborator 12 failed",
            ),
        ];
        for (step, message) in cases {
            let err = Error::api(step.clone(), api_error());
            assert_eq!(err.to_string(), message);
            assert_eq!(err.step(), Some(&step));
            let source = std::error::Error::source(&err).map(ToString::to_string);
            assert_eq!(source, Some(api_error().to_string()), "source kept once");
        }
    }
}
