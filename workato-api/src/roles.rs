//! Legacy collaborator roles (`/api/roles`; docs/workato-api.md#legacy-roles). Custom roles only:
//! Admin, Analyst and Operator are never listed. Retired after a workspace migrates to RBAC v2.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::family::Family;
use crate::handler::handler;
use crate::ids::{FolderId, RoleId};
use crate::lenient::null_default;
use crate::pagination::{List, PageStyle};
use crate::route::Route;

/// A legacy custom collaborator role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// Role id.
    pub id: RoleId,
    /// Role name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Whether child workspaces inherit it.
    #[serde(default, deserialize_with = "null_default")]
    pub inheritable: bool,
    /// Folders the role covers.
    #[serde(default, deserialize_with = "null_default")]
    pub folder_ids: Vec<FolderId>,
    /// Privilege group → privilege ids (opaque).
    #[serde(default, deserialize_with = "null_default")]
    pub privileges: BTreeMap<String, Vec<String>>,
    /// Creation time as sent.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Update time as sent.
    #[serde(default)]
    pub updated_at: Option<String>,
}

handler! {
    /// Handler for legacy roles; from [`Client::roles`](crate::Client::roles).
    RolesHandler,
    /// Legacy collaborator roles.
    fn roles
}

impl RolesHandler {
    /// `GET /api/roles`, `page`/`per_page` style (`per_page=100`; its maximum is UNCONFIRMED):
    /// a request builder; finish with [`List::send`] (one page) or [`List::into_stream`].
    pub fn list(&self) -> List<Role> {
        List::new(
            &self.client,
            Route::api(Family::Roles, ["roles"]),
            PageStyle::PagePerPage,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_documented_and_sparse_roles() {
        let full: Role = serde_json::from_str(
            r#"{"id":3,"name":"Ops","inheritable":true,"folder_ids":[1,2],"created_at":"t",
               "updated_at":"u","privileges":{"Recipes":["read"]}}"#,
        )
        .expect("full");
        assert_eq!(full.folder_ids, [FolderId(1), FolderId(2)]);
        let sparse: Role =
            serde_json::from_str(r#"{"id":4,"name":"X","folder_ids":null,"privileges":null}"#)
                .expect("sparse");
        assert!(
            sparse.folder_ids.is_empty() && sparse.privileges.is_empty() && !sparse.inheritable
        );
    }
}
