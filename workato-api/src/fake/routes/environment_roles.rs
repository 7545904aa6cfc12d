//! Environment roles (RBAC v2): `GET /api/environment_roles[/:id]` (style C).

use serde_json::{json, Map, Value};

use super::{paging, require_rbac_v2, Handled, Reply, Req};
use crate::fake::seed::EnvironmentRole;
use crate::fake::state::State;

fn summary(state: &State, r: &EnvironmentRole) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "members_count": state.env_role_members_count(&r.name),
        "type": r.role_type,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    })
}

/// `name` is an exact filter; no match is 200 with empty data.
pub(super) fn list(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let roles = req.named(&state.environment_roles, |r| &r.name);
    paging::render_c(&roles, req.query, |r| summary(state, r))
}

/// The single-role shape adds `config`: `{"<group>":{"privileges":[…]}}`.
pub(super) fn get(state: &mut State, req: &Req<'_>) -> Handled {
    require_rbac_v2(state)?;
    let id = req.int_param(0)?;
    let role = state
        .environment_roles
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Reply::error(404, "Not found"))?;
    let mut body = summary(state, role);
    let config: Map<String, Value> = role
        .privileges
        .iter()
        .map(|(g, ps)| (g.clone(), json!({ "privileges": ps })))
        .collect();
    if let Some(obj) = body.as_object_mut() {
        obj.insert("config".to_owned(), Value::Object(config));
    }
    Ok(Reply::ok(json!({ "data": body })))
}
