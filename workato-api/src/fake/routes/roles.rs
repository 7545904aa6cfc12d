//! Legacy custom roles: `GET /api/roles` (style B).

use serde_json::json;

use super::{paging, Handled, Reply, Req};
use crate::fake::state::State;

pub(super) fn list(state: &mut State, req: &Req<'_>) -> Handled {
    if !state.legacy_roles_enabled {
        return Err(Reply::error(404, "Not found"));
    }
    paging::render_b(&state.custom_roles, req.query, |r| {
        json!({
            "id": r.id,
            "name": r.name,
            "inheritable": r.inheritable,
            "folder_ids": r.folder_ids,
            "created_at": r.created_at,
            "updated_at": r.updated_at,
            "privileges": r.privileges,
        })
    })
}
