//! Project grants (RBAC v2; docs/workato-api.md#project-grants): who holds which project role in
//! which project.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::common::EnvironmentType;
use crate::error::Result;
use crate::family::Family;
use crate::handler::handler;
use crate::ids::{Id, MemberId, ProjectId};
use crate::lenient::null_default;
use crate::pagination::{List, PageStyle};
use crate::route::Route;

/// A project grant: exactly one of `user` / `user_group` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectGrant {
    /// Grant id (`"pg-…"`).
    pub id: Id,
    /// The project.
    #[serde(default)]
    pub project: Option<GrantProject>,
    /// The project role granted.
    #[serde(default)]
    pub project_role: Option<GrantProjectRole>,
    /// The grantee when it is a collaborator group.
    #[serde(default)]
    pub user_group: Option<GrantUserGroup>,
    /// The grantee when it is a collaborator.
    #[serde(default)]
    pub user: Option<GrantUser>,
}

impl ProjectGrant {
    /// The grantee, if the grant names one.
    pub fn subject(&self) -> Option<GrantSubject> {
        match (&self.user, &self.user_group) {
            (Some(user), _) => Some(GrantSubject::User(user.id)),
            (None, Some(group)) => Some(GrantSubject::UserGroup(group.id.clone())),
            (None, None) => None,
        }
    }
}

/// The project of a grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantProject {
    /// Project id.
    pub id: ProjectId,
    /// Project name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// The environment the project lives in.
    #[serde(default)]
    pub environment: Option<GrantEnvironment>,
}

/// The environment of a granted project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantEnvironment {
    /// Environment id.
    #[serde(default)]
    pub id: Option<Id>,
    /// Environment type.
    #[serde(rename = "type")]
    pub environment_type: EnvironmentType,
}

/// The project role of a grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantProjectRole {
    /// Project role id (string or integer).
    pub id: Id,
    /// Project role name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
}

/// A collaborator grantee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantUser {
    /// Collaborator id.
    pub id: MemberId,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// A collaborator-group grantee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantUserGroup {
    /// Group id.
    pub id: Id,
    /// Group name.
    #[serde(default)]
    pub name: Option<String>,
}

/// Who a grant is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GrantSubject {
    /// A collaborator.
    User(MemberId),
    /// A collaborator group.
    UserGroup(Id),
}

/// One grant to add or update with [`ProjectGrantsHandler::upsert_for_project`].
///
/// Serializes as `{"user_id": 12, "project_role_id": "pr-…"}` or
/// `{"user_group_id": "am-…", "project_role_id": 3}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectGrantRequest {
    /// The grantee.
    pub subject: GrantSubject,
    /// The project role to grant.
    pub project_role_id: Id,
}

impl Serialize for ProjectGrantRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        match &self.subject {
            GrantSubject::User(id) => map.serialize_entry("user_id", id)?,
            GrantSubject::UserGroup(id) => map.serialize_entry("user_group_id", id)?,
        }
        map.serialize_entry("project_role_id", &self.project_role_id)?;
        map.end()
    }
}

#[derive(Serialize)]
struct UpsertBody<'a> {
    grants: &'a [ProjectGrantRequest],
}

handler! {
    /// Handler for project grants; from [`Client::project_grants`](crate::Client::project_grants).
    ProjectGrantsHandler,
    /// Project grants.
    fn project_grants
}

impl ProjectGrantsHandler {
    /// `GET /api/projects/:id/project_grants`, paged JSON:API style: a request builder; finish
    /// with [`List::send`] (one page) or [`List::into_stream`] (every page).
    pub fn list_for_project(&self, project: ProjectId) -> List<ProjectGrant> {
        let route = Route::api(
            Family::ProjectGrants,
            [
                "projects".to_owned(),
                project.to_string(),
                "project_grants".to_owned(),
            ],
        );
        List::new(&self.client, route, PageStyle::JsonApi)
    }

    /// `GET /api/project_grants/:id`; accepts `{"data":{…}}` or a bare object.
    pub async fn get(&self, id: &Id) -> Result<ProjectGrant> {
        self.client
            .get_data_or_bare(&Route::api(
                Family::ProjectGrants,
                ["project_grants".to_owned(), id.to_string()],
            ))
            .await
    }

    /// `PUT /api/projects/:id/project_grants`: adds or updates grants in a project.
    ///
    /// The body is **UNCONFIRMED** in Workato's docs
    /// (docs/decisions.md#d27-project-grant-put-body). This client sends
    /// `{"grants":[{"user_id":12,"project_role_id":"pr-…"},{"user_group_id":"am-…",
    /// "project_role_id":3}]}` — one object per grantee, ids in the form the server sent them — and
    /// ignores the response body. Revisit when the shape is confirmed.
    pub async fn upsert_for_project(
        &self,
        project: ProjectId,
        grants: &[ProjectGrantRequest],
    ) -> Result<()> {
        let route = Route::api(
            Family::ProjectGrants,
            [
                "projects".to_owned(),
                project.to_string(),
                "project_grants".to_owned(),
            ],
        );
        self.client
            .send_ignoring_body(Method::PUT, &route, Some(&UpsertBody { grants }))
            .await
    }

    /// `DELETE /api/project_grants/:id`; a 404 counts as success (already revoked).
    pub async fn revoke(&self, id: &Id) -> Result<()> {
        let route = Route::api(
            Family::ProjectGrants,
            ["project_grants".to_owned(), id.to_string()],
        );
        self.client.delete_if_present(&route).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_for_user_and_for_group() {
        let user: ProjectGrant = serde_json::from_str(
            r#"{"id":"pg-1","project":{"id":5,"name":"P","environment":{"id":1,"type":"dev"}},
               "project_role":{"id":"pr-AQBGCnMB-JoFtKL","name":"ProjectAdmin"},
               "user_group":null,"user":{"id":12,"name":"U","email":"u@x"}}"#,
        )
        .expect("user grant");
        assert_eq!(user.subject(), Some(GrantSubject::User(MemberId(12))));
        assert_eq!(
            user.project
                .as_ref()
                .and_then(|p| p.environment.as_ref())
                .map(|e| &e.environment_type),
            Some(&EnvironmentType::Dev)
        );
        let group: ProjectGrant = serde_json::from_str(
            r#"{"id":7,"project_role":{"id":3,"name":"R"},"user_group":{"id":"am-9","name":"G"}}"#,
        )
        .expect("group grant");
        assert_eq!(
            group.subject(),
            Some(GrantSubject::UserGroup(Id::from("am-9")))
        );
        assert_eq!(group.id.to_string(), "7");
        assert_eq!(group.project_role.map(|r| r.id), Some(Id::from(3)));
    }

    #[test]
    fn upsert_body_shape() {
        let grants = [
            ProjectGrantRequest {
                subject: GrantSubject::User(MemberId(12)),
                project_role_id: Id::from("pr-1"),
            },
            ProjectGrantRequest {
                subject: GrantSubject::UserGroup(Id::from("am-2")),
                project_role_id: Id::from(3),
            },
        ];
        assert_eq!(
            serde_json::to_string(&UpsertBody { grants: &grants }).expect("json"),
            r#"{"grants":[{"user_id":12,"project_role_id":"pr-1"},{"user_group_id":"am-2","project_role_id":3}]}"#
        );
    }
}
