//! Project roles (RBAC v2; docs/workato-api.md#project-roles). Ids may be strings (`"pr-…"`) or
//! integers.

use serde::{Deserialize, Serialize};

use crate::common::RoleKind;
use crate::error::Result;
use crate::family::Family;
use crate::handler::handler;
use crate::ids::Id;
use crate::lenient::null_default;
use crate::pagination::{List, PageStyle};
use crate::route::Route;

/// A project role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectRole {
    /// Role id (string or integer, kept as sent).
    pub id: Id,
    /// Role name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// System, custom, inheritable or inherited.
    #[serde(rename = "type", default)]
    pub kind: Option<RoleKind>,
    /// Collaborators holding it.
    #[serde(default)]
    pub members_count: Option<u64>,
    /// Creation time as sent.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Update time as sent.
    #[serde(default)]
    pub updated_at: Option<String>,
}

handler! {
    /// Handler for project roles; from [`Client::project_roles`](crate::Client::project_roles).
    ProjectRolesHandler,
    /// Project roles (RBAC v2).
    fn project_roles
}

impl ProjectRolesHandler {
    /// `GET /api/project_roles`, paged JSON:API style: a request builder; finish with
    /// [`List::send`] (one page) or [`List::into_stream`] (every page).
    pub fn list(&self) -> List<ProjectRole> {
        List::new(
            &self.client,
            Route::api(Family::ProjectRoles, ["project_roles"]),
            PageStyle::JsonApi,
        )
    }

    /// `GET /api/project_roles/:id`; accepts `{"data":{…}}` or a bare object.
    pub async fn get(&self, id: &Id) -> Result<ProjectRole> {
        self.client
            .get_data_or_bare(&Route::api(
                Family::ProjectRoles,
                ["project_roles".to_owned(), id.to_string()],
            ))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_and_integer_ids() {
        let int: ProjectRole =
            serde_json::from_str(r#"{"id":12,"name":"A","type":"custom"}"#).expect("int");
        let text: ProjectRole =
            serde_json::from_str(r#"{"id":"pr-AQBGCnMB-JoFtKL","name":"B","members_count":null}"#)
                .expect("str");
        assert_eq!(int.id, Id::from(12));
        assert_eq!(text.id.to_string(), "pr-AQBGCnMB-JoFtKL");
        assert_eq!(text.members_count, None);
    }
}
