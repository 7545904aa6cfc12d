//! Projects and folders: `GET /api/projects`, `GET /api/folders` (style B).

use serde_json::json;

use super::{paging, Handled, Reply, Req};
use crate::fake::state::State;
use crate::fake::NestedFolders;

pub(super) fn projects(state: &mut State, req: &Req<'_>) -> Handled {
    paging::render_b(&state.projects, req.query, |p| {
        json!({
            "id": p.id,
            "description": p.description,
            "folder_id": p.folder_id,
            "name": p.name,
        })
    })
}

/// Children of `parent_id` (absent = Home); with `with_nested_folders=true`, as the state's
/// [`NestedFolders`](crate::fake::NestedFolders) behaviour says. Project root folders are not
/// folders of the seed, so they never appear in a listing.
pub(super) fn folders(state: &mut State, req: &Req<'_>) -> Handled {
    let parent = match req.query("parent_id") {
        None | Some("") => None,
        Some(v) => Some(
            v.trim()
                .parse::<u64>()
                .map_err(|_| Reply::error(400, "Invalid value for parent_id"))?,
        ),
    };
    let nested = req
        .query("with_nested_folders")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let children = match (nested, state.nested_folders) {
        (false, _) | (true, NestedFolders::Ignored) => state.children_of(parent),
        (true, NestedFolders::Supported) => state.subtree_of(parent),
        (true, NestedFolders::Truncated { max }) => {
            let mut all = state.subtree_of(parent);
            all.truncate(max);
            all
        }
    };
    paging::render_b(&children, req.query, |f| {
        json!({
            "id": f.id,
            "name": f.name,
            "parent_id": f.parent_id,
            "created_at": f.created_at,
            "updated_at": f.updated_at,
            "is_project": false,
            "project_id": state.project_of_folder(f),
        })
    })
}
