//! Which API-client permission each endpoint needs, and the minimum set a sync relies on.
//!
//! A Workato API client has a *client role*: an allow-list of endpoints, each a checkbox named
//! by an area, a section and an action ("Admin › Collaborators › Get collaborators"). Anything
//! outside the list answers 403. The client is also scoped to environments: the collaborator
//! endpoints (and workspace details) exist only for API clients with access to DEV.
//!
//! [`SETUP_GUIDE`] is the client role ConductorOne's "Set up a Workato connector" guide tells
//! users to create; a sync and the just-in-time grant/revoke cycle must work within it. Every
//! other endpoint is an optional extra, and its 403 must degrade, not fail.

use reqwest::Method;

/// One endpoint the client can call, with the client-role permission that unlocks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    /// HTTP method, upper case (`"GET"`).
    pub method: &'static str,
    /// Path template with `:id` placeholders (`"/api/members/:id"`).
    pub path: &'static str,
    /// The permission as the client-role page names it (section › action).
    pub permission: &'static str,
    /// Whether Workato serves it only to API clients with access to the DEV environment.
    pub dev_only: bool,
}

impl Endpoint {
    /// `"<METHOD> <path template>"`, the form the fake server's counters use.
    pub fn template(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether `method` + concrete `path` (query ignored) is this endpoint.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && path_matches(self.path, path)
    }
}

const fn ep(
    method: &'static str,
    path: &'static str,
    permission: &'static str,
    dev_only: bool,
) -> Endpoint {
    Endpoint {
        method,
        path,
        permission,
        dev_only,
    }
}

/// The "Update collaborators' roles" permission (`PUT /api/members/:id`), needed to grant and
/// revoke roles.
pub const UPDATE_COLLABORATOR_ROLES: &str = "Collaborators › Update collaborators' roles";
/// The "Get collaborator privileges" permission (`GET /api/members/:id/privileges`), which
/// tells what an environment role grants.
pub const GET_COLLABORATOR_PRIVILEGES: &str = "Collaborators › Get collaborator privileges";
/// The "Get collaborators" permission (`GET /api/members`), without which nothing syncs.
pub const GET_COLLABORATORS: &str = "Collaborators › Get collaborators";

/// Every endpoint this crate calls. Permission names of the guide's endpoints are Workato's;
/// for the RBAC v2 endpoints Workato documents no checkbox names, so the section is given.
pub const ENDPOINTS: &[Endpoint] = &[
    ep(
        "GET",
        "/api/users/me",
        "Workspace details › Get details",
        true,
    ),
    ep("GET", "/api/members", GET_COLLABORATORS, true),
    ep(
        "GET",
        "/api/members/:id",
        "Collaborators › Get collaborator",
        true,
    ),
    ep("PUT", "/api/members/:id", UPDATE_COLLABORATOR_ROLES, true),
    ep(
        "DELETE",
        "/api/members/:id",
        "Collaborators › Delete collaborator",
        true,
    ),
    ep(
        "GET",
        "/api/members/:id/privileges",
        GET_COLLABORATOR_PRIVILEGES,
        true,
    ),
    ep(
        "GET",
        "/api/members/:id/project_grants",
        "Collaborators › List project grants",
        true,
    ),
    ep(
        "POST",
        "/api/members",
        "Collaborators › Add existing collaborator",
        true,
    ),
    ep(
        "POST",
        "/api/member_invitations",
        "Collaborators › Invite",
        true,
    ),
    ep(
        "GET",
        "/api/roles",
        "Collaborator roles › List non-system roles",
        false,
    ),
    ep("GET", "/api/environment_roles", "Environment roles", false),
    ep(
        "GET",
        "/api/environment_roles/:id",
        "Environment roles",
        false,
    ),
    ep("GET", "/api/project_roles", "Project roles", false),
    ep("GET", "/api/project_roles/:id", "Project roles", false),
    ep(
        "GET",
        "/api/projects",
        "Projects & folders › List projects",
        false,
    ),
    ep(
        "GET",
        "/api/folders",
        "Projects & folders › List folders",
        false,
    ),
    ep(
        "GET",
        "/api/projects/:id/project_grants",
        "Project grants",
        false,
    ),
    ep(
        "PUT",
        "/api/projects/:id/project_grants",
        "Project grants",
        false,
    ),
    ep("GET", "/api/project_grants/:id", "Project grants", false),
    ep("PUT", "/api/project_grants/:id", "Project grants", false),
    ep("DELETE", "/api/project_grants/:id", "Project grants", false),
    ep("GET", "/api/user_groups", "Collaborator groups", false),
    ep("GET", "/api/user_groups/:id", "Collaborator groups", false),
    ep(
        "GET",
        "/api/user_groups/:id/members",
        "Collaborator groups",
        false,
    ),
    ep(
        "GET",
        "/api/user_groups/:id/project_grants",
        "Project grants",
        false,
    ),
];

/// The client role of ConductorOne's setup guide, as `"<METHOD> <template>"`: the minimum for
/// sync and role grant/revoke (`PUT /api/members/:id` only when provisioning).
pub const SETUP_GUIDE: &[&str] = &[
    "GET /api/projects",
    "GET /api/folders",
    "GET /api/members",
    "GET /api/members/:id",
    "PUT /api/members/:id",
    "GET /api/members/:id/privileges",
    "GET /api/roles",
];

/// The endpoint `method` + concrete `path` (query ignored) is, if this crate knows it.
pub fn endpoint(method: &Method, path: &str) -> Option<&'static Endpoint> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    ENDPOINTS.iter().find(|e| e.matches(method.as_str(), path))
}

/// Whether `template` (`"GET /api/members/:id"`) is in the setup guide's client role.
pub fn in_setup_guide(template: &str) -> bool {
    SETUP_GUIDE.contains(&template)
}

/// Whether concrete `path` fits `template` segment by segment (`:x` matches one non-empty
/// segment); a trailing slash is ignored.
pub fn path_matches(template: &str, path: &str) -> bool {
    let mut pat = trim_slash(template).split('/');
    let mut segs = trim_slash(path).split('/');
    loop {
        match (pat.next(), segs.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) if p.starts_with(':') && !s.is_empty() => {}
            (Some(p), Some(s)) if p == s => {}
            _ => return false,
        }
    }
}

fn trim_slash(path: &str) -> &str {
    path.strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_endpoints_are_all_known() {
        for t in SETUP_GUIDE {
            assert!(
                ENDPOINTS.iter().any(|e| e.template() == *t),
                "{t} missing from ENDPOINTS"
            );
        }
    }

    #[test]
    fn endpoints_resolve_from_concrete_paths() {
        let put = endpoint(&Method::PUT, "/api/members/1002").expect("known");
        assert_eq!(put.permission, UPDATE_COLLABORATOR_ROLES);
        assert!(put.dev_only);
        let privileges = endpoint(&Method::GET, "/api/members/7/privileges").expect("known");
        assert_eq!(privileges.template(), "GET /api/members/:id/privileges");
        let roles = endpoint(&Method::GET, "/api/roles?page=1&per_page=100").expect("known");
        assert!(!roles.dev_only);
        assert!(endpoint(&Method::PATCH, "/api/members/1").is_none());
        assert!(endpoint(&Method::GET, "/api/members//privileges").is_none());
        assert!(endpoint(&Method::GET, "/api/members/").is_some());
    }

    #[test]
    fn users_me_is_outside_the_guide_and_dev_only() {
        let me = endpoint(&Method::GET, "/api/users/me").expect("known");
        assert!(me.dev_only);
        assert!(!in_setup_guide(&me.template()));
        assert!(in_setup_guide("PUT /api/members/:id"));
    }
}
