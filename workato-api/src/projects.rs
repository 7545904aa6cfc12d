//! Projects (`/api/projects`; docs/workato-api.md#projects-and-folders). A project is a top-level
//! folder.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::family::Family;
use crate::handler::handler;
use crate::ids::{FolderId, ProjectId};
use crate::lenient::null_default;
use crate::pagination::{List, PageStyle};
use crate::route::Route;

/// A project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Project id.
    pub id: ProjectId,
    /// Project name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Description; often `null`.
    #[serde(default)]
    pub description: Option<String>,
    /// The project's root folder (never listed by `/api/folders`).
    #[serde(default)]
    pub folder_id: Option<FolderId>,
}

handler! {
    /// Handler for projects; from [`Client::projects`](crate::Client::projects).
    ProjectsHandler,
    /// Projects.
    fn projects
}

impl ProjectsHandler {
    /// `GET /api/projects?page=1&per_page=1`: at most one project. The cheapest call the
    /// setup guide's client role allows, used to check the token and base URL before a sync.
    pub async fn first(&self) -> Result<Option<Project>> {
        let page = self.list().per_page(1).send().await?;
        Ok(page.items.into_iter().next())
    }

    /// `GET /api/projects`, `page`/`per_page` style: a request builder; finish with
    /// [`List::send`] (one page) or [`List::into_stream`] (every page).
    ///
    /// ```no_run
    /// # async fn demo(client: workato_api::Client) -> Result<(), workato_api::Error> {
    /// use futures::TryStreamExt;
    /// let first = client.projects().list().send().await?;
    /// let all: Vec<_> = client.projects().list().into_stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> List<Project> {
        List::new(
            &self.client,
            Route::api(Family::Folders, ["projects"]),
            PageStyle::PagePerPage,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_description() {
        let p: Project =
            serde_json::from_str(r#"{"id":1,"description":null,"folder_id":10,"name":"P"}"#)
                .expect("project");
        assert_eq!((p.description, p.folder_id), (None, Some(FolderId(10))));
        let q: Project =
            serde_json::from_str(r#"{"id":2,"name":"Q","description":"d"}"#).expect("project");
        assert_eq!((q.description.as_deref(), q.folder_id), (Some("d"), None));
    }
}
