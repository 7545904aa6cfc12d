//! Collaborator groups (`/api/user_groups`; spec §4.6).

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::handler::handler;
use crate::ids::Id;
use crate::lenient::null_default;
use crate::pagination::{ItemStream, PageStyle};
use crate::route::Route;

/// A collaborator group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserGroup {
    /// Group id (`"am-…"`).
    pub id: Id,
    /// Group name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Description; often `null`.
    #[serde(default)]
    pub description: Option<String>,
    /// Number of members.
    #[serde(default)]
    pub members_count: Option<u64>,
    /// Whether Workato manages it.
    #[serde(default, deserialize_with = "null_default")]
    pub system: bool,
    /// Creation time as sent.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Update time as sent.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// A member of a collaborator group (shape UNCONFIRMED: id plus optional name and e-mail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserGroupMember {
    /// Collaborator id (string or integer, kept as sent).
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

handler! {
    /// Handler for collaborator groups; from [`Client::user_groups`].
    UserGroupsHandler,
    /// Collaborator groups.
    fn user_groups
}

impl UserGroupsHandler {
    /// `GET /api/user_groups`: a request builder; finish with [`ListUserGroups::into_stream`].
    pub fn list(&self) -> ListUserGroups {
        ListUserGroups {
            client: self.client.clone(),
            name: None,
        }
    }

    /// `GET /api/user_groups/:id/members`, paged JSON:API style (UNCONFIRMED).
    pub fn members(&self, group: &Id) -> ItemStream<UserGroupMember> {
        let route = Route::api([
            "user_groups".to_owned(),
            group.to_string(),
            "members".to_owned(),
        ]);
        self.client.list_pages(route, PageStyle::JsonApi)
    }
}

/// Request builder for `GET /api/user_groups`; its `Serialize` form is the query.
#[derive(Debug, Clone, Serialize)]
pub struct ListUserGroups {
    #[serde(skip)]
    client: Client,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl ListUserGroups {
    /// Name filter.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Streams every matching group, page by page.
    pub fn into_stream(self) -> ItemStream<UserGroup> {
        self.client
            .list_pages_with_query(Route::api(["user_groups"]), &self, PageStyle::JsonApi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_description_and_int_or_string_member_ids() {
        let group: UserGroup = serde_json::from_str(
            r#"{"id":"am-1","name":"G","description":null,"members_count":2,"system":false}"#,
        )
        .expect("group");
        assert_eq!(group.description, None);
        let with_desc: UserGroup =
            serde_json::from_str(r#"{"id":5,"name":"H","description":"d"}"#).expect("group");
        assert_eq!(with_desc.description.as_deref(), Some("d"));
        let a: UserGroupMember = serde_json::from_str(r#"{"id":12}"#).expect("int member");
        let b: UserGroupMember =
            serde_json::from_str(r#"{"id":"12","email":"e@x"}"#).expect("str member");
        assert_eq!(a.id.as_i64(), b.id.as_i64());
    }
}
