//! Environment roles (RBAC v2; docs/workato-api.md#environment-roles). On un-migrated workspaces
//! these endpoints answer 401/403/404.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::common::RoleKind;
use crate::error::Result;
use crate::family::Family;
use crate::handler::handler;
use crate::ids::EnvRoleId;
use crate::lenient::null_default;
use crate::pagination::{ItemStream, Page, PageStyle};
use crate::route::Route;
use futures::TryStreamExt;

/// An environment role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentRole {
    /// Role id.
    pub id: EnvRoleId,
    /// Role name (system roles: Environment admin, Environment manager, Member).
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// System, custom, inheritable or inherited.
    #[serde(rename = "type", default)]
    pub kind: Option<RoleKind>,
    /// Collaborators holding it.
    #[serde(default)]
    pub members_count: Option<u64>,
    /// Area → settings (only on `get`; opaque).
    #[serde(default, deserialize_with = "null_default")]
    pub config: BTreeMap<String, serde_json::Value>,
    /// Creation time as sent.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Update time as sent.
    #[serde(default)]
    pub updated_at: Option<String>,
}

handler! {
    /// Handler for environment roles; from [`Client::environment_roles`].
    EnvironmentRolesHandler,
    /// Environment roles (RBAC v2).
    fn environment_roles
}

impl EnvironmentRolesHandler {
    /// `GET /api/environment_roles`: a request builder; finish with
    /// [`ListEnvironmentRoles::send`] (one page) or [`ListEnvironmentRoles::into_stream`].
    pub fn list(&self) -> ListEnvironmentRoles {
        ListEnvironmentRoles {
            client: self.client.clone(),
            page: 1,
            name: None,
        }
    }

    /// `GET /api/environment_roles/:id`; accepts `{"data":{…}}` or a bare object.
    pub async fn get(&self, id: EnvRoleId) -> Result<EnvironmentRole> {
        self.client
            .get_data_or_bare(&Route::api(
                Family::EnvironmentRoles,
                ["environment_roles".to_owned(), id.to_string()],
            ))
            .await
    }

    /// The role with exactly this name (server-side `name` filter, checked again client-side).
    pub async fn find_by_name(&self, name: &str) -> Result<Option<EnvironmentRole>> {
        let mut stream = self.list().name(name).into_stream();
        while let Some(role) = stream.try_next().await? {
            if role.name == name {
                return Ok(Some(role));
            }
        }
        Ok(None)
    }
}

/// Request builder for `GET /api/environment_roles`; its `Serialize` form is the query.
#[derive(Debug, Clone, Serialize)]
pub struct ListEnvironmentRoles {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    page: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl ListEnvironmentRoles {
    /// Exact name filter.
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

    /// Fetches the selected page of matching roles.
    pub async fn send(self) -> Result<Page<EnvironmentRole>> {
        self.client
            .fetch_page_with_query(Self::route(), &self, PageStyle::JsonApi, self.page)
            .await
    }

    /// Streams every matching role from the selected page on, page by page
    /// (`page[number]`/`page[size]`).
    pub fn into_stream(self) -> ItemStream<EnvironmentRole> {
        self.client
            .list_pages_with_query(Self::route(), &self, PageStyle::JsonApi, self.page)
    }

    fn route() -> Route {
        Route::api(Family::EnvironmentRoles, ["environment_roles"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::offline_client;

    #[test]
    fn list_query() {
        let client = offline_client();
        let list = client.environment_roles().list();
        assert_eq!(serde_urlencoded::to_string(&list).expect("q"), "");
        let list = list.name("Environment admin");
        assert_eq!(
            serde_urlencoded::to_string(&list).expect("q"),
            "name=Environment+admin"
        );
    }

    #[test]
    fn decodes_list_item_and_detail() {
        let item: EnvironmentRole = serde_json::from_str(
            r#"{"id":1,"name":"Member","members_count":3,"type":"system","created_at":"c","updated_at":"u"}"#,
        )
        .expect("item");
        assert_eq!(item.kind, Some(RoleKind::System));
        assert!(item.config.is_empty());
        let detail: EnvironmentRole = serde_json::from_str(
            r#"{"id":"2","name":"Ops","type":"brand_new","config":{"recipes":{"privileges":"all"}}}"#,
        )
        .expect("detail");
        assert_eq!(detail.id, EnvRoleId(2));
        assert_eq!(detail.kind, Some(RoleKind::Other("brand_new".into())));
        assert_eq!(detail.config["recipes"]["privileges"], "all");
    }
}
