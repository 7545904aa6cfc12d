//! The workspace the token belongs to (`GET /api/users/me`).
//!
//! Not a free connectivity check: the endpoint needs its own client-role permission
//! ("Workspace details › Get details") and exists only for API clients with DEV access, so a
//! client set up as ConductorOne's guide says gets 403. The connector never calls it.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::family::Family;
use crate::handler::handler;
use crate::ids::{FolderId, Id, WorkspaceId};
use crate::route::Route;

/// Workspace details; fields beyond `id` are UNCONFIRMED and optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    /// Workspace id.
    pub id: WorkspaceId,
    /// Workspace name.
    #[serde(default)]
    pub name: Option<String>,
    /// Owner e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Plan identifier (string or integer).
    #[serde(default)]
    pub plan_id: Option<Id>,
    /// Root (Home) folder.
    #[serde(default)]
    pub root_folder_id: Option<FolderId>,
}

handler! {
    /// Handler for the workspace endpoint; from [`Client::workspace`](crate::Client::workspace).
    WorkspaceHandler,
    /// The token's workspace.
    fn workspace
}

impl WorkspaceHandler {
    /// `GET /api/users/me`; accepts `{"data":{…}}` or a bare object.
    pub async fn get(&self) -> Result<Workspace> {
        self.client
            .get_data_or_bare(&Route::api(Family::Workspace, ["users", "me"]))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_and_full() {
        let min: Workspace = serde_json::from_str(r#"{"id":1}"#).expect("min");
        assert_eq!(min.id, WorkspaceId(1));
        let full: Workspace = serde_json::from_str(
            r#"{"id":2,"name":"Acme","email":"o@x","plan_id":"enterprise","root_folder_id":9,"extra":true}"#,
        )
        .expect("full");
        assert_eq!(full.plan_id, Some(Id::from("enterprise")));
        assert_eq!(full.root_folder_id, Some(FolderId(9)));
    }
}
