//! Project roles (RBAC v2): `GET /api/project_roles[/:id]` (style C).

use serde_json::{json, Value};

use super::{paging, require_rbac_v2, Handled, Reply, Req};
use crate::fake::seed::ProjectRole;
use crate::fake::state::State;

fn render(state: &State, r: &ProjectRole) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "members_count": state.project_role_members_count(&r.id),
        "type": r.role_type,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    })
}

pub(super) fn list(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let roles = req.named(&state.project_roles, |r| &r.name);
    paging::render_c(&roles, req.query, |r| render(state, r))
}

pub(super) fn get(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let role = state
        .project_role(req.param(0))
        .ok_or_else(|| Reply::error(404, "Not found"))?;
    Ok(Reply::ok(json!({ "data": render(state, role) })))
}
