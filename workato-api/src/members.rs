//! Workspace collaborators (`/api/members*`, `/api/member_invitations`;
//! docs/workato-api.md#collaborators).

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::common::{EnvironmentType, RoleType};
use crate::error::Result;
use crate::family::Family;
use crate::handler::handler;
use crate::ids::{FolderId, Id, MemberId};
use crate::lenient::{null_default, open_enum};
use crate::pagination::{ItemStream, List, PageStyle};
use crate::project_grants::ProjectGrant;
use crate::query::with_query;
use crate::route::Route;

open_enum! {
    /// How a collaborator belongs to the workspace.
    pub enum GrantType {
        /// A regular collaborator.
        Team = "team",
        /// A workspace moderator.
        FederationManager = "federation_manager",
    }
}

/// A workspace collaborator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Collaborator id.
    pub id: MemberId,
    /// Display name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// E-mail address (compare case-insensitively).
    #[serde(default, deserialize_with = "null_default")]
    pub email: String,
    /// Collaborator or moderator; `None` if absent.
    #[serde(default)]
    pub grant_type: Option<GrantType>,
    /// One role per environment (`"No access"` for environments without access).
    #[serde(default, deserialize_with = "null_default")]
    pub roles: Vec<MemberRole>,
    /// Last recorded activity.
    #[serde(default)]
    pub last_activity_log: Option<ActivityLog>,
    /// External (SSO) id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Time zone name.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Creation time, RFC 3339 as sent.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// A collaborator's role in one environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRole {
    /// The environment.
    pub environment_type: EnvironmentType,
    /// Role name (`"No access"` when the collaborator has none there).
    #[serde(default, deserialize_with = "null_default")]
    pub role_name: String,
    /// Legacy privilege group or environment role; absent on older responses (UNCONFIRMED).
    #[serde(default)]
    pub role_type: Option<RoleType>,
}

/// A collaborator's last activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityLog {
    /// Log entry id.
    #[serde(default)]
    pub id: Option<Id>,
    /// Event type.
    #[serde(default)]
    pub event_type: Option<String>,
    /// When, RFC 3339 as sent.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// The answer of `GET /api/members` (unpaged: everyone at once).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MemberList {
    /// Every collaborator.
    #[serde(default, deserialize_with = "null_default")]
    pub data: Vec<Member>,
    /// The count Workato reports, if any.
    #[serde(default)]
    pub total: Option<u64>,
}

/// One row of `GET /api/members/:id/privileges`: the collaborator's role and privileges in one
/// environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivilegeRow {
    /// The environment.
    pub environment_type: EnvironmentType,
    /// Role name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Privilege group name → privilege ids (opaque; values vary).
    #[serde(default, deserialize_with = "null_default")]
    pub privileges: BTreeMap<String, Vec<String>>,
    /// Folders the role covers; not in the docs but seen live (UNCONFIRMED).
    #[serde(default)]
    pub folder_ids: Option<Vec<FolderId>>,
}

#[derive(Deserialize)]
struct PrivilegeRows {
    #[serde(default, deserialize_with = "null_default")]
    data: Vec<PrivilegeRow>,
}

/// A role to set in one environment (`PUT /api/members/:id`, invitations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvRoleAssignment {
    /// The environment (`dev` in workspaces without environments).
    pub environment_type: EnvironmentType,
    /// Role name; `"NoAccess"` removes access to the environment.
    pub name: String,
    /// Omitted means `privilege_group` (legacy role) on Workato's side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_type: Option<RoleType>,
}

impl EnvRoleAssignment {
    /// An assignment without `role_type`.
    pub fn new(environment_type: EnvironmentType, name: impl Into<String>) -> Self {
        Self {
            environment_type,
            name: name.into(),
            role_type: None,
        }
    }

    /// Sets `role_type`.
    pub fn with_role_type(mut self, role_type: RoleType) -> Self {
        self.role_type = Some(role_type);
        self
    }
}

/// An invitation (`POST /api/member_invitations`).
///
/// `env_roles` is sent as a JSON array (the docs render bracket notation; UNCONFIRMED).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    /// Invitee's name (required).
    pub name: String,
    /// Invitee's e-mail (required).
    pub email: String,
    /// Roles per environment; omitted environments get no access. Must not be empty.
    pub env_roles: Vec<EnvRoleAssignment>,
    /// Collaborator groups to join.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_group_ids: Vec<Id>,
}

#[derive(Serialize)]
struct UpdateRoles<'a> {
    env_roles: &'a [EnvRoleAssignment],
}

#[derive(Serialize)]
struct AddExisting<'a> {
    email: &'a str,
}

handler! {
    /// Handler for collaborator endpoints; from [`Client::members`].
    MembersHandler,
    /// Workspace collaborators.
    fn members
}

impl MembersHandler {
    /// `GET /api/members`: a request builder; finish with [`ListMembers::send`] (the whole,
    /// unpaged list with Workato's `total`) or [`ListMembers::into_stream`].
    pub fn list(&self) -> ListMembers {
        ListMembers {
            client: self.client.clone(),
            email: None,
        }
    }

    /// `GET /api/members/:id`; accepts both `{"data":{…}}` and a bare object (UNCONFIRMED).
    pub async fn get(&self, id: MemberId) -> Result<Member> {
        self.client
            .get_data_or_bare(&Route::api(
                Family::Members,
                ["members".to_owned(), id.to_string()],
            ))
            .await
    }

    /// `GET /api/members/:id/privileges`: one row per environment.
    pub async fn privileges(&self, id: MemberId) -> Result<Vec<PrivilegeRow>> {
        let route = Route::api(
            Family::Members,
            [
                "members".to_owned(),
                id.to_string(),
                "privileges".to_owned(),
            ],
        );
        Ok(self.client.get_json::<PrivilegeRows>(&route).await?.data)
    }

    /// `PUT /api/members/:id` with `{"env_roles":[…]}`: sets the role of each listed
    /// environment (others are unchanged). The response body is ignored.
    pub async fn update_roles(
        &self,
        id: MemberId,
        env_roles: Vec<EnvRoleAssignment>,
    ) -> Result<()> {
        let route = Route::api(Family::Members, ["members".to_owned(), id.to_string()]);
        let body = UpdateRoles {
            env_roles: &env_roles,
        };
        self.client
            .send_ignoring_body(Method::PUT, &route, Some(&body))
            .await
    }

    /// `POST /api/member_invitations`. Retried only on 429 (a POST may have been acted on).
    pub async fn invite(&self, invitation: &Invitation) -> Result<()> {
        let route = Route::api(Family::Members, ["member_invitations"]);
        self.client
            .send_ignoring_body(Method::POST, &route, Some(invitation))
            .await
    }

    /// `POST /api/members` with `{"email"}`: adds an existing Workato user (UNCONFIRMED endpoint).
    pub async fn add_existing(&self, email: &str) -> Result<()> {
        let route = Route::api(Family::Members, ["members"]);
        self.client
            .send_ignoring_body(Method::POST, &route, Some(&AddExisting { email }))
            .await
    }

    /// `DELETE /api/members/:id`; a 404 counts as success (already gone).
    pub async fn delete(&self, id: MemberId) -> Result<()> {
        let route = Route::api(Family::Members, ["members".to_owned(), id.to_string()]);
        self.client.delete_if_present(&route).await
    }

    /// `GET /api/members/:id/project_grants`, paged JSON:API style (shape UNCONFIRMED): a
    /// request builder; finish with [`List::send`] (one page) or [`List::into_stream`].
    pub fn project_grants(&self, id: MemberId) -> List<ProjectGrant> {
        let route = Route::api(
            Family::Members,
            [
                "members".to_owned(),
                id.to_string(),
                "project_grants".to_owned(),
            ],
        );
        List::new(&self.client, route, PageStyle::JsonApi)
    }
}

/// Request builder for `GET /api/members`; its `Serialize` form is the query.
#[derive(Debug, Clone, Serialize)]
pub struct ListMembers {
    #[serde(skip)]
    client: Client,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

impl ListMembers {
    /// Server-side `email` filter (a substring match per third-party code, UNCONFIRMED):
    /// always compare e-mails exactly, case-insensitively, on the results.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sends the request. The listing is unpaged: this one page holds every collaborator.
    pub async fn send(self) -> Result<MemberList> {
        let route = with_query(Route::api(Family::Members, ["members"]), &self)?;
        self.client.get_json(&route).await
    }

    /// Streams every collaborator; one request, sent when first polled.
    pub fn into_stream(self) -> ItemStream<Member> {
        stream::once(self.send())
            .map_ok(|list| stream::iter(list.data.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::offline_client;

    #[test]
    fn list_query() {
        let list = offline_client().members().list();
        assert_eq!(serde_urlencoded::to_string(&list).expect("q"), "");
        let list = list.email("a+b@example.com");
        assert_eq!(
            serde_urlencoded::to_string(&list).expect("q"),
            "email=a%2Bb%40example.com"
        );
    }

    #[test]
    fn member_roles_with_and_without_role_type() {
        let json = r#"{"id":1,"name":"A","email":"a@x","grant_type":"team","roles":[
            {"environment_type":"dev","role_name":"Admin"},
            {"environment_type":"prod","role_name":"Ops","role_type":"environment"}],
            "last_activity_log":null,"external_id":null,"time_zone":"UTC",
            "created_at":"2020-05-20T11:54:31.706-07:00","unknown_field":{"x":1}}"#;
        let m: Member = serde_json::from_str(json).expect("member");
        assert_eq!(m.roles[0].role_type, None);
        assert_eq!(m.roles[1].role_type, Some(RoleType::Environment));
        assert_eq!(m.roles[1].environment_type, EnvironmentType::Prod);
        assert_eq!(
            m.created_at.as_deref(),
            Some("2020-05-20T11:54:31.706-07:00")
        );
        let sparse: Member =
            serde_json::from_str(r#"{"id":"2","grant_type":"new_kind","roles":null}"#)
                .expect("sparse member");
        assert_eq!(sparse.id, MemberId(2));
        assert_eq!(sparse.grant_type, Some(GrantType::Other("new_kind".into())));
        assert!(sparse.roles.is_empty() && sparse.name.is_empty());
    }

    #[test]
    fn privilege_rows_with_and_without_folder_ids() {
        let json = r#"{"data":[
            {"environment_type":"dev","name":"Admin","privileges":{"Recipes":["read","all"]}},
            {"environment_type":"test","name":"Dev","privileges":{},"folder_ids":[1,"2"]}]}"#;
        let rows: PrivilegeRows = serde_json::from_str(json).expect("rows");
        assert_eq!(rows.data[0].folder_ids, None);
        assert_eq!(rows.data[0].privileges["Recipes"], ["read", "all"]);
        assert_eq!(
            rows.data[1].folder_ids,
            Some(vec![FolderId(1), FolderId(2)])
        );
        let empty: PrivilegeRows = serde_json::from_str(r#"{"data":[],"total":0}"#).expect("empty");
        assert!(empty.data.is_empty());
    }

    #[test]
    fn write_bodies() {
        let body = UpdateRoles {
            env_roles: &[
                EnvRoleAssignment::new(EnvironmentType::Dev, "Admin"),
                EnvRoleAssignment::new(EnvironmentType::Prod, "NoAccess")
                    .with_role_type(RoleType::Environment),
            ],
        };
        assert_eq!(
            serde_json::to_string(&body).expect("json"),
            r#"{"env_roles":[{"environment_type":"dev","name":"Admin"},{"environment_type":"prod","name":"NoAccess","role_type":"environment"}]}"#
        );
        let invite = Invitation {
            name: "N".into(),
            email: "n@x".into(),
            env_roles: vec![EnvRoleAssignment::new(EnvironmentType::Dev, "Analyst")],
            user_group_ids: vec![],
        };
        assert_eq!(
            serde_json::to_string(&invite).expect("json"),
            r#"{"name":"N","email":"n@x","env_roles":[{"environment_type":"dev","name":"Analyst"}]}"#
        );
    }
}
