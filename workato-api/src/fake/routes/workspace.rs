//! `GET /api/users/me`.

use serde_json::json;

use super::{Handled, Reply, Req};
use crate::fake::state::State;

pub(super) fn me(state: &mut State, _req: &Req<'_>) -> Handled {
    let w = &state.workspace;
    Ok(Reply::ok(json!({
        "id": w.id,
        "name": w.name,
        "email": w.email,
        "plan_id": w.plan_id,
        "root_folder_id": w.root_folder_id,
    })))
}
