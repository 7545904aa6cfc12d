//! Project grants (RBAC v2): `/api/projects/:id/project_grants`, `/api/project_grants/:id`,
//! `/api/members/:id/project_grants`, `/api/user_groups/:id/project_grants` (style C).

use serde::Deserialize;
use serde_json::{json, Value};

use super::{paging, require_rbac_v2, Handled, Reply, Req};
use crate::fake::seed::ProjectGrant;
use crate::fake::state::{GrantInput, State};

/// Environment ids the fake reports inside `project.environment`.
fn environment_id(env: &str) -> u64 {
    match env {
        "dev" => 1,
        "test" => 2,
        "prod" => 3,
        _ => 0,
    }
}

/// The full grant object; exactly one of `user` / `user_group` is non-null.
pub(crate) fn render(state: &State, g: &ProjectGrant) -> Value {
    let project = state.projects.iter().find(|p| p.id == g.project_id);
    let role = state.project_role(&g.project_role_id.to_string());
    let user = g
        .user_id
        .and_then(|id| state.members.get(&id))
        .map(|m| json!({ "id": m.id, "name": m.name, "email": m.email }));
    let group = g
        .user_group_id
        .as_deref()
        .and_then(|id| state.group(id))
        .map(|ug| json!({ "id": ug.id, "name": ug.name }));
    json!({
        "id": g.id,
        "project": {
            "id": g.project_id,
            "name": project.map(|p| p.name.as_str()),
            "environment": project.map(|p| json!({
                "id": environment_id(&p.environment_type),
                "type": p.environment_type,
            })),
        },
        "project_role": {
            "id": g.project_role_id,
            "name": role.map(|r| r.name.as_str()),
        },
        "user_group": group,
        "user": user,
    })
}

fn list_where(state: &State, req: &Req<'_>, keep: impl Fn(&ProjectGrant) -> bool) -> Handled {
    let grants: Vec<&ProjectGrant> = state.project_grants.iter().filter(|g| keep(g)).collect();
    paging::render_c(&grants, req.query, |g| render(state, g))
}

pub(super) fn of_project(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let id = req.int_param(0)?;
    if !state.projects.iter().any(|p| p.id == id) {
        return Err(Reply::error(404, "Not found"));
    }
    list_where(state, req, |g| g.project_id == id)
}

/// Direct grants of one member (group-derived grants are under the group).
pub(super) fn of_member(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let id = req.int_param(0)?;
    if !state.members.contains_key(&id) {
        return Err(Reply::error(404, "Not found"));
    }
    list_where(state, req, |g| g.user_id == Some(id))
}

pub(super) fn of_group(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let id = req.param(0);
    if state.group(id).is_none() {
        return Err(Reply::error(404, "Not found"));
    }
    list_where(state, req, |g| g.user_group_id.as_deref() == Some(id))
}

pub(super) fn get(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let g = state
        .project_grants
        .iter()
        .find(|g| g.id == req.param(0))
        .ok_or_else(|| Reply::error(404, "Not found"))?;
    Ok(Reply::ok(json!({ "data": render(state, g) })))
}

pub(super) fn delete(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let before = state.project_grants.len();
    state.project_grants.retain(|g| g.id != req.param(0));
    if state.project_grants.len() == before {
        return Err(Reply::error(404, "Not found"));
    }
    Ok(Reply::no_content())
}

#[derive(Deserialize)]
struct UpsertBody {
    grants: Option<Vec<GrantInput>>,
}

/// Upsert by (project, principal): an existing grant changes role, a new one gets an id.
/// Answers `{"data":[grant…]}` with the upserted grants.
pub(super) fn upsert(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let id = req.int_param(0)?;
    let body: UpsertBody = req.json()?;
    let Some(grants) = body.grants.filter(|g| !g.is_empty()) else {
        return Err(Reply::error(400, "grants is required"));
    };
    let ids = state
        .upsert_grants(id, &grants)
        .map_err(|r| Reply::refusal(&r))?;
    let data: Vec<Value> = ids
        .iter()
        .filter_map(|gid| state.project_grants.iter().find(|g| &g.id == gid))
        .map(|g| render(state, g))
        .collect();
    Ok(Reply::ok(json!({ "data": data })))
}

#[derive(Deserialize)]
struct UpdateBody {
    project_role_id: Option<crate::fake::seed::FakeId>,
}

/// `PUT /api/project_grants/:id` `{"project_role_id": …}`: change the grant's role.
pub(super) fn update(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let body: UpdateBody = req.json()?;
    let role = body
        .project_role_id
        .and_then(|id| state.project_role(&id.to_string()).map(|r| r.id.clone()))
        .ok_or_else(|| Reply::error(400, "Project role not found"))?;
    let grant = state
        .project_grants
        .iter_mut()
        .find(|g| g.id == req.param(0))
        .ok_or_else(|| Reply::error(404, "Not found"))?;
    grant.project_role_id = role;
    let grant = grant.clone();
    Ok(Reply::ok(json!({ "data": render(state, &grant) })))
}
