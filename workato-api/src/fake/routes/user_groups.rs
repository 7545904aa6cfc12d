//! Collaborator groups: `GET /api/user_groups[/:id[/members]]` (style C).

use serde_json::{json, Value};

use super::{paging, Handled, Reply, Req};
use crate::fake::seed::{FakeMember, UserGroup};
use crate::fake::state::State;

fn render(g: &UserGroup) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "description": g.description,
        "members_count": g.members.len(),
        "system": false,
        "created_at": g.created_at,
        "updated_at": g.updated_at,
    })
}

pub(super) fn list(state: &mut State, req: &Req<'_>) -> Handled {
    let groups = req.named(&state.user_groups, |g| &g.name);
    paging::render_c(&groups, req.query, |g| render(g))
}

pub(super) fn get(state: &mut State, req: &Req<'_>) -> Handled {
    let g = state
        .group(req.param(0))
        .ok_or_else(|| Reply::error(404, "Not found"))?;
    Ok(Reply::ok(json!({ "data": render(g) })))
}

/// Items `{id, name, email}`; ids of members that no longer exist are skipped.
pub(super) fn members(state: &mut State, req: &Req<'_>) -> Handled {
    let g = state
        .group(req.param(0))
        .ok_or_else(|| Reply::error(404, "Not found"))?;
    let members: Vec<&FakeMember> = g
        .members
        .iter()
        .filter_map(|id| state.members.get(id))
        .collect();
    paging::render_c(
        &members,
        req.query,
        |m| json!({ "id": m.id, "name": m.name, "email": m.email }),
    )
}
