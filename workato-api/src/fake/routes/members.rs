//! Collaborators: `/api/members*` and `/api/member_invitations`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{Handled, Reply, Req};
use crate::fake::privileges::{system_role_privileges, SYSTEM_ROLES};
use crate::fake::seed::{FakeMember, NO_ACCESS_LISTED};
use crate::fake::state::{EnvRoleInput, InvitationInput, State};

/// A collaborator as `GET /api/members` renders it.
pub(crate) fn render(m: &FakeMember) -> Value {
    json!({
        "id": m.id,
        "grant_type": m.grant_type,
        "roles": m.roles.iter().map(|r| json!({
            "environment_type": r.environment_type,
            "role_name": r.role_name,
            "role_type": r.role_type,
        })).collect::<Vec<_>>(),
        "last_activity_log": null,
        "external_id": m.external_id,
        "name": m.name,
        "email": m.email,
        "time_zone": m.time_zone,
        "created_at": m.created_at,
    })
}

/// Style A: everyone, `{"data":[…],"total":n}`. `email` filters by case-insensitive
/// substring, as ConductorOne's connector assumes.
pub(super) fn list(state: &mut State, req: &Req<'_>) -> Handled {
    let needle = req.query("email").map(str::to_lowercase);
    let data: Vec<Value> = state
        .members
        .values()
        .filter(|m| {
            needle
                .as_deref()
                .is_none_or(|n| m.email.to_lowercase().contains(n))
        })
        .map(render)
        .collect();
    let total = data.len();
    Ok(Reply::ok(json!({ "data": data, "total": total })))
}

fn member<'s>(state: &'s State, req: &Req<'_>) -> Result<&'s FakeMember, Reply> {
    let id = req.int_param(0)?;
    state
        .members
        .get(&id)
        .ok_or_else(|| Reply::error(404, "Not found"))
}

pub(super) fn get(state: &mut State, req: &Req<'_>) -> Handled {
    let m = member(state, req)?;
    Ok(Reply::ok(json!({ "data": render(m) })))
}

/// One row per environment the member has a role in ("No access" and roles that no longer
/// exist give no row). Custom roles report their own map and `folder_ids`; environment roles
/// their map and no folders; system roles a built-in map and every folder.
pub(super) fn privileges(state: &mut State, req: &Req<'_>) -> Handled {
    let m = member(state, req)?;
    let mut rows = Vec::new();
    for role in &m.roles {
        if role.role_name == NO_ACCESS_LISTED {
            continue;
        }
        let (privileges, folder_ids) = if role.role_type == "environment" {
            match state.env_role_by_name(&role.role_name) {
                Some(r) => (r.privileges.clone(), Vec::new()),
                None => continue,
            }
        } else if SYSTEM_ROLES.contains(&role.role_name.as_str()) {
            (
                system_role_privileges(&role.role_name),
                state.all_folder_ids(),
            )
        } else {
            match state.custom_role_by_name(&role.role_name) {
                Some(r) => (r.privileges.clone(), r.folder_ids.clone()),
                None => continue,
            }
        };
        rows.push(json!({
            "environment_type": role.environment_type,
            "name": role.role_name,
            "privileges": privileges,
            "folder_ids": folder_ids,
        }));
    }
    let total = rows.len();
    Ok(Reply::ok(json!({ "data": rows, "total": total })))
}

#[derive(Deserialize)]
struct PutBody {
    env_roles: Option<Vec<EnvRoleInput>>,
}

pub(super) fn put(state: &mut State, req: &Req<'_>) -> Handled {
    let id = req.int_param(0)?;
    let body: PutBody = req.json()?;
    let Some(env_roles) = body.env_roles else {
        return Err(Reply::error(400, "env_roles is required"));
    };
    state
        .put_member_roles(id, &env_roles)
        .map_err(|r| Reply::refusal(&r))?;
    Ok(Reply::result_ok())
}

pub(super) fn delete(state: &mut State, req: &Req<'_>) -> Handled {
    let id = req.int_param(0)?;
    if state.remove_member(id) {
        Ok(Reply::no_content())
    } else {
        Err(Reply::error(404, "Not found"))
    }
}

pub(super) fn invite(state: &mut State, req: &Req<'_>) -> Handled {
    let body: InvitationInput = req.json()?;
    state.invite(body).map_err(|r| Reply::refusal(&r))?;
    Ok(Reply::result_ok())
}

#[derive(Deserialize)]
struct AddBody {
    email: Option<String>,
}

pub(super) fn add_existing(state: &mut State, req: &Req<'_>) -> Handled {
    let body: AddBody = req.json()?;
    let email = body.email.unwrap_or_default();
    let id = state.add_existing(&email).map_err(|r| Reply::refusal(&r))?;
    Ok(Reply::ok(json!({ "result": "ok", "id": id })))
}
