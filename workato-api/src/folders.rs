//! Folders (`/api/folders`; docs/workato-api.md#projects-and-folders).

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Result;
use crate::family::Family;
use crate::handler::handler;
use crate::ids::{FolderId, ProjectId};
use crate::lenient::null_default;
use crate::pagination::{ItemStream, Page, PageStyle};
use crate::route::Route;

/// A folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Folder {
    /// Folder id.
    pub id: FolderId,
    /// Folder name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Parent folder; `None` at the top.
    #[serde(default)]
    pub parent_id: Option<FolderId>,
    /// Whether this folder is a project (newer responses only).
    #[serde(default)]
    pub is_project: Option<bool>,
    /// The project this folder belongs to (newer responses only).
    #[serde(default)]
    pub project_id: Option<ProjectId>,
    /// Creation time as sent.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Update time as sent.
    #[serde(default)]
    pub updated_at: Option<String>,
}

handler! {
    /// Handler for folders; from [`Client::folders`].
    FoldersHandler,
    /// Folders.
    fn folders
}

impl FoldersHandler {
    /// `GET /api/folders`: a request builder; finish with [`ListFolders::send`] (one page) or
    /// [`ListFolders::into_stream`] (every page).
    ///
    /// ```no_run
    /// # async fn demo(client: workato_api::Client) -> Result<(), workato_api::Error> {
    /// use futures::TryStreamExt;
    /// let children: Vec<_> = client.folders().list().parent_id(42).into_stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListFolders {
        ListFolders {
            client: self.client.clone(),
            page: 1,
            parent_id: None,
            with_nested_folders: None,
        }
    }
}

/// Request builder for `GET /api/folders`; its `Serialize` form is the query.
#[derive(Debug, Clone, Serialize)]
pub struct ListFolders {
    #[serde(skip)]
    client: Client,
    #[serde(skip)]
    page: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<FolderId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    with_nested_folders: Option<bool>,
}

impl ListFolders {
    /// Lists the children of this folder (default: the Home folder).
    pub fn parent_id(mut self, parent: impl Into<FolderId>) -> Self {
        self.parent_id = Some(parent.into());
        self
    }

    /// Sets `with_nested_folders` (server default UNCONFIRMED; omitted unless set).
    pub fn with_nested_folders(mut self, nested: bool) -> Self {
        self.with_nested_folders = Some(nested);
        self
    }

    /// The page [`send`](Self::send) fetches and [`into_stream`](Self::into_stream) starts
    /// from (1-based; default 1).
    pub fn page(mut self, number: u32) -> Self {
        self.page = number;
        self
    }

    /// Fetches the selected page of folders.
    pub async fn send(self) -> Result<Page<Folder>> {
        let route = Route::api(Family::Folders, ["folders"]);
        self.client
            .fetch_page_with_query(route, &self, PageStyle::PagePerPage, self.page)
            .await
    }

    /// Streams every folder from the selected page on, page by page (`page`/`per_page`).
    pub fn into_stream(self) -> ItemStream<Folder> {
        let route = Route::api(Family::Folders, ["folders"]);
        self.client
            .list_pages_with_query(route, &self, PageStyle::PagePerPage, self.page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::offline_client;

    #[test]
    fn list_query() {
        let client = offline_client();
        let list = client.folders().list();
        assert_eq!(serde_urlencoded::to_string(&list).expect("q"), "");
        let list = list.parent_id(42).with_nested_folders(false);
        assert_eq!(
            serde_urlencoded::to_string(&list).expect("q"),
            "parent_id=42&with_nested_folders=false"
        );
    }

    #[test]
    fn old_and_new_folder_shapes() {
        let old: Folder = serde_json::from_str(
            r#"{"id":1,"name":"F","parent_id":null,"created_at":"c","updated_at":"u"}"#,
        )
        .expect("old");
        assert_eq!((old.parent_id, old.is_project), (None, None));
        let new: Folder = serde_json::from_str(
            r#"{"id":2,"name":"G","parent_id":1,"is_project":false,"project_id":7}"#,
        )
        .expect("new");
        assert_eq!(
            (new.parent_id, new.project_id),
            (Some(FolderId(1)), Some(ProjectId(7)))
        );
    }
}
