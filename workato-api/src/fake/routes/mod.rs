//! The route table and the handlers, one module per API resource.
//!
//! Routing is a plain table of `(method, path template, family, paged, handler)` matched
//! segment by segment, so the server can count requests by template, authenticate and
//! rate-limit *before* running a handler, and answer unknown routes with JSON 404s.
//! Handlers are synchronous functions over the locked [`State`]: the lock is never held
//! across an `.await`.

use serde_json::{json, Value};

use super::state::{Refusal, State};

mod environment_roles;
mod folders;
mod members;
pub(crate) mod paging;
mod project_grants;
mod project_roles;
mod roles;
mod user_groups;
mod workspace;

/// What a handler sees of the request.
pub(crate) struct Req<'a> {
    /// Values of the `:x` segments, in order.
    pub params: Vec<&'a str>,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// Raw request body.
    pub body: &'a [u8],
}

impl Req<'_> {
    /// First value of query parameter `name`.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The items named exactly as the `name` query parameter says (all without one): the
    /// exact-name filter the role and group listings share; no match is an empty page.
    pub(crate) fn named<'a, T>(&self, items: &'a [T], name_of: impl Fn(&T) -> &str) -> Vec<&'a T> {
        let name = self.query("name");
        items
            .iter()
            .filter(|item| name.is_none_or(|n| name_of(item) == n))
            .collect()
    }

    /// Path parameter `i` parsed as an integer id; unknown/garbage ids are a 404.
    pub(crate) fn int_param(&self, i: usize) -> Result<u64, Reply> {
        self.params
            .get(i)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| Reply::refusal(&Refusal::not_found()))
    }

    /// Path parameter `i` as a string.
    pub(crate) fn param(&self, i: usize) -> &str {
        self.params.get(i).copied().unwrap_or("")
    }

    /// Body parsed as JSON into `T`; a bad body is a Workato-style 400.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Reply> {
        serde_json::from_slice(self.body)
            .map_err(|_| Reply::error(400, "Request body is not valid JSON for this endpoint"))
    }
}

/// A handler's answer before faults are applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    /// `None` = empty body (204).
    pub body: Option<Value>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Reply {
            status: 200,
            body: Some(body),
        }
    }

    pub(crate) fn no_content() -> Self {
        Reply {
            status: 204,
            body: None,
        }
    }

    pub(crate) fn error(status: u16, message: &str) -> Self {
        Reply {
            status,
            body: Some(json!({ "message": message })),
        }
    }

    pub(crate) fn refusal(r: &Refusal) -> Self {
        Reply::error(r.status, &r.message)
    }

    pub(crate) fn result_ok() -> Self {
        Reply::ok(json!({ "result": "ok" }))
    }
}

/// Handlers return `Err(reply)` for early exits; both sides are replies.
pub(crate) type Handled = Result<Reply, Reply>;

type Handler = fn(&mut State, &Req<'_>) -> Handled;

/// One row of the route table.
pub(crate) struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// Rate-limit and counter family.
    pub family: &'static str,
    /// Whether the endpoint is paged (B or C), i.e. [`super::Fault::RepeatPage`] applies.
    pub paged: bool,
    handler: Handler,
}

impl Route {
    /// The counter key, e.g. `GET /api/members/:id/privileges`.
    pub(crate) fn template(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    pub(crate) fn run(&self, state: &mut State, req: &Req<'_>) -> Reply {
        match (self.handler)(state, req) {
            Ok(r) | Err(r) => r,
        }
    }
}

/// Family names used by counters and the rate limiter.
pub(crate) mod family {
    pub const MEMBERS: &str = "members";
    pub const ROLES: &str = "roles";
    pub const ENVIRONMENT_ROLES: &str = "environment_roles";
    pub const PROJECT_ROLES: &str = "project_roles";
    pub const PROJECT_GRANTS: &str = "project_grants";
    pub const USER_GROUPS: &str = "user_groups";
    pub const FOLDERS: &str = "folders";
    pub const WORKSPACE: &str = "workspace";
}

macro_rules! route {
    ($m:literal, $p:literal, $fam:expr, $paged:literal, $h:path) => {
        Route {
            method: $m,
            path: $p,
            family: $fam,
            paged: $paged,
            handler: $h,
        }
    };
}

/// Every endpoint the fake serves.
// One line per route reads as a table; rustfmt would explode it.
#[rustfmt::skip]
static ROUTES: &[Route] = &[
    route!("GET", "/api/users/me", family::WORKSPACE, false, workspace::me),
    route!("GET", "/api/members", family::MEMBERS, false, members::list),
    route!("POST", "/api/members", family::MEMBERS, false, members::add_existing),
    route!("GET", "/api/members/:id", family::MEMBERS, false, members::get),
    route!("PUT", "/api/members/:id", family::MEMBERS, false, members::put),
    route!("DELETE", "/api/members/:id", family::MEMBERS, false, members::delete),
    route!("GET", "/api/members/:id/privileges", family::MEMBERS, false, members::privileges),
    route!("GET", "/api/members/:id/project_grants", family::MEMBERS, true, project_grants::of_member),
    route!("POST", "/api/member_invitations", family::MEMBERS, false, members::invite),
    route!("GET", "/api/roles", family::ROLES, true, roles::list),
    route!("GET", "/api/environment_roles", family::ENVIRONMENT_ROLES, true, environment_roles::list),
    route!("GET", "/api/environment_roles/:id", family::ENVIRONMENT_ROLES, false, environment_roles::get),
    route!("GET", "/api/project_roles", family::PROJECT_ROLES, true, project_roles::list),
    route!("GET", "/api/project_roles/:id", family::PROJECT_ROLES, false, project_roles::get),
    route!("GET", "/api/projects", family::FOLDERS, true, folders::projects),
    route!("GET", "/api/folders", family::FOLDERS, true, folders::folders),
    route!("GET", "/api/projects/:id/project_grants", family::PROJECT_GRANTS, true, project_grants::of_project),
    route!("PUT", "/api/projects/:id/project_grants", family::PROJECT_GRANTS, false, project_grants::upsert),
    route!("GET", "/api/project_grants/:id", family::PROJECT_GRANTS, false, project_grants::get),
    route!("PUT", "/api/project_grants/:id", family::PROJECT_GRANTS, false, project_grants::update),
    route!("DELETE", "/api/project_grants/:id", family::PROJECT_GRANTS, false, project_grants::delete),
    route!("GET", "/api/user_groups", family::USER_GROUPS, true, user_groups::list),
    route!("GET", "/api/user_groups/:id", family::USER_GROUPS, false, user_groups::get),
    route!("GET", "/api/user_groups/:id/members", family::USER_GROUPS, true, user_groups::members),
    route!("GET", "/api/user_groups/:id/project_grants", family::PROJECT_GRANTS, true, project_grants::of_group),
];

/// Find the route for `method` + `path`, with the values of its `:x` segments.
pub(crate) fn find<'p>(method: &str, path: &'p str) -> Option<(&'static Route, Vec<&'p str>)> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segs: Vec<&str> = path.split('/').collect();
    ROUTES.iter().filter(|r| r.method == method).find_map(|r| {
        let pat: Vec<&str> = r.path.split('/').collect();
        if pat.len() != segs.len() {
            return None;
        }
        let mut params = Vec::new();
        for (p, s) in pat.iter().zip(&segs) {
            if p.starts_with(':') {
                if s.is_empty() {
                    return None;
                }
                params.push(*s);
            } else if p != s {
                return None;
            }
        }
        Some((r, params))
    })
}

/// 401 answered by RBAC v2 endpoints on an un-migrated workspace.
pub(crate) fn require_rbac_v2(state: &State) -> Result<(), Reply> {
    if state.environment_roles_enabled {
        Ok(())
    } else {
        Err(Reply::error(401, "Unauthorized"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_with_params() {
        let (r, params) = find("GET", "/api/members/1003/privileges").expect("route");
        assert_eq!(r.template(), "GET /api/members/:id/privileges");
        assert_eq!(params, ["1003"]);
        let (r, _) = find("GET", "/api/members/").expect("trailing slash");
        assert_eq!(r.template(), "GET /api/members");
        assert!(find("PATCH", "/api/members/1").is_none());
        assert!(find("GET", "/api/nothing").is_none());
        assert!(find("GET", "/api/members//privileges").is_none());
    }

    #[test]
    fn every_template_is_unique() {
        let mut seen: Vec<String> = ROUTES.iter().map(Route::template).collect();
        let n = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), n);
    }
}
