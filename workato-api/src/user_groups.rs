//! Collaborator groups (`/api/user_groups`; docs/workato-api.md#collaborator-groups).

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Result;
use crate::family::Family;
use crate::handler::handler;
use crate::ids::Id;
use crate::lenient::null_default;
use crate::pagination::{ItemStream, List, Page, PageStyle};
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
    /// `GET /api/user_groups`: a request builder; finish with [`ListUserGroups::send`] (one
    /// page) or [`ListUserGroups::into_stream`] (every page).
    pub fn list(&self) -> ListUserGroups {
        ListUserGroups {
            client: self.client.clone(),
            page: 1,
            name: None,
        }
    }

    /// `GET /api/user_groups/:id/members`, paged JSON:API style (UNCONFIRMED): a request
    /// builder; finish with [`List::send`] (one page) or [`List::into_stream`].
    pub fn members(&self, group: &Id) -> List<UserGroupMember> {
        let route = Route::api(
            Family::UserGroups,
            [
                "user_groups".to_owned(),
                group.to_string(),
                "members".to_owned(),
            ],
        );
        List::new(&self.client, route, PageStyle::JsonApi)
    }
}

/// Request builder for `GET /api/user_groups`; its `Serialize` form is the query.
#[derive(Debug, Clone, Serialize)]
pub struct ListUserGroups {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    page: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl ListUserGroups {
    /// Name filter.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The page [`send`](Self::send) fetches and [`into_stream`](Self::into_stream) starts
    /// from (1-based; default 1).
    pub fn page(mut self, number: u32) -> Self {
        self.page = number;
        self
    }

    /// Fetches the selected page of matching groups.
    pub async fn send(self) -> Result<Page<UserGroup>> {
        self.client
            .fetch_page_with_query(Self::route(), &self, PageStyle::JsonApi, self.page)
            .await
    }

    /// Streams every matching group from the selected page on, page by page.
    pub fn into_stream(self) -> ItemStream<UserGroup> {
        self.client
            .list_pages_with_query(Self::route(), &self, PageStyle::JsonApi, self.page)
    }

    fn route() -> Route {
        Route::api(Family::UserGroups, ["user_groups"])
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
