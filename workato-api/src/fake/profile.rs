//! The fake API client's permissions: its client role ([`Profile`], an allow-list of
//! endpoints) and its environment scope ([`EnvironmentScope`]).
//!
//! A request the profile does not allow, or one to a DEV-only endpoint from a client without
//! DEV access, answers 403 `{"message":"Forbidden"}` after authentication and before rate
//! limiting. Workato does not document its 403 body; this is the `{"message"}` shape most of its
//! errors use.

use std::fmt;
use std::str::FromStr;

use crate::permissions::{self, SETUP_GUIDE};

/// Endpoints the `rbac-v2` profile adds to the setup guide's list: environment roles, project
/// roles, project grants and collaborator groups.
const RBAC_V2_EXTRAS: &[&str] = &[
    "GET /api/environment_roles",
    "GET /api/environment_roles/:id",
    "GET /api/project_roles",
    "GET /api/project_roles/:id",
    "GET /api/projects/:id/project_grants",
    "PUT /api/projects/:id/project_grants",
    "GET /api/project_grants/:id",
    "PUT /api/project_grants/:id",
    "DELETE /api/project_grants/:id",
    "GET /api/members/:id/project_grants",
    "GET /api/user_groups/:id/project_grants",
    "GET /api/user_groups",
    "GET /api/user_groups/:id",
    "GET /api/user_groups/:id/members",
];

/// A client role: which endpoints (`"<METHOD> <template>"`) the fake API client may call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Profile {
    /// Every endpoint (the default; the demo uses it).
    #[default]
    Full,
    /// Exactly ConductorOne's setup guide: [`permissions::SETUP_GUIDE`].
    SetupGuide,
    /// The setup guide without `PUT /api/members/:id` (sync only, no provisioning).
    SetupGuideReadonly,
    /// The setup guide plus environment roles, project roles, project grants and collaborator
    /// groups.
    RbacV2,
    /// Any allow-list of templates such as `"GET /api/members/:id"`.
    Custom(Vec<String>),
}

impl Profile {
    /// Every named profile, for listings and tests.
    pub const NAMED: [Profile; 4] = [
        Profile::Full,
        Profile::SetupGuide,
        Profile::SetupGuideReadonly,
        Profile::RbacV2,
    ];

    /// The profile's name (`full`, `setup-guide`, `setup-guide-readonly`, `rbac-v2`, `custom`).
    pub fn name(&self) -> &'static str {
        match self {
            Profile::Full => "full",
            Profile::SetupGuide => "setup-guide",
            Profile::SetupGuideReadonly => "setup-guide-readonly",
            Profile::RbacV2 => "rbac-v2",
            Profile::Custom(_) => "custom",
        }
    }

    /// The allowed templates, or `None` for [`Profile::Full`] (everything).
    pub fn allowed(&self) -> Option<Vec<String>> {
        let own = |list: &[&str]| list.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
        match self {
            Profile::Full => None,
            Profile::SetupGuide => Some(own(SETUP_GUIDE)),
            Profile::SetupGuideReadonly => Some(
                SETUP_GUIDE
                    .iter()
                    .filter(|t| **t != "PUT /api/members/:id")
                    .map(|t| (*t).to_owned())
                    .collect(),
            ),
            Profile::RbacV2 => Some(
                SETUP_GUIDE
                    .iter()
                    .chain(RBAC_V2_EXTRAS)
                    .map(|t| (*t).to_owned())
                    .collect(),
            ),
            Profile::Custom(list) => Some(list.clone()),
        }
    }

    /// Whether the route `template` (`"GET /api/members/:id"`, as the fake's counters key it)
    /// may be called. Unmatched requests (`"GET (unmatched)"`) are allowed only by `full`.
    pub fn allows(&self, template: &str) -> bool {
        match self {
            Profile::Full => true,
            Profile::SetupGuide => SETUP_GUIDE.contains(&template),
            Profile::SetupGuideReadonly => {
                template != "PUT /api/members/:id" && SETUP_GUIDE.contains(&template)
            }
            Profile::RbacV2 => {
                SETUP_GUIDE.contains(&template) || RBAC_V2_EXTRAS.contains(&template)
            }
            Profile::Custom(list) => list.iter().any(|t| t == template),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A profile name that is not one of [`Profile::NAMED`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fake API-client profile {0:?}; expected full, setup-guide, setup-guide-readonly or rbac-v2")]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::NAMED
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

/// The environments the fake API client is scoped to. Workato serves the collaborator
/// endpoints and workspace details only to clients with DEV access (see
/// [`permissions::Endpoint::dev_only`]); a client scoped to TEST or PROD gets 403 there.
///
/// Only that rule is modelled: projects, folders and roles are answered the same in every
/// scope (the fake keeps one folder tree, not one per environment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EnvironmentScope {
    /// Every environment, DEV included (the default).
    #[default]
    All,
    /// DEV only.
    Dev,
    /// TEST only: no DEV access.
    Test,
    /// PROD only: no DEV access.
    Prod,
}

impl EnvironmentScope {
    /// Whether the scope includes DEV.
    pub fn has_dev(self) -> bool {
        matches!(self, EnvironmentScope::All | EnvironmentScope::Dev)
    }

    /// Whether a client with this scope may call the route `template` at all.
    pub fn allows(self, template: &str) -> bool {
        self.has_dev() || !is_dev_only(template)
    }
}

/// Whether `template` (`"GET /api/members/:id"`) is an endpoint Workato serves only to API
/// clients with DEV access.
pub fn is_dev_only(template: &str) -> bool {
    permissions::ENDPOINTS
        .iter()
        .any(|e| e.dev_only && e.template() == template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_profiles_round_trip() {
        for p in Profile::NAMED {
            assert_eq!(p.name().parse::<Profile>(), Ok(p.clone()));
        }
        assert!("admin".parse::<Profile>().is_err());
    }

    #[test]
    fn guide_profiles() {
        let guide = Profile::SetupGuide;
        assert!(guide.allows("PUT /api/members/:id"));
        assert!(guide.allows("GET /api/members/:id/privileges"));
        assert!(!guide.allows("GET /api/users/me"));
        assert!(!guide.allows("GET /api/environment_roles"));
        assert!(!guide.allows("GET (unmatched)"));
        assert_eq!(guide.allowed().map(|a| a.len()), Some(7));

        let ro = Profile::SetupGuideReadonly;
        assert!(!ro.allows("PUT /api/members/:id"));
        assert!(ro.allows("GET /api/members/:id"));
        assert_eq!(ro.allowed().map(|a| a.len()), Some(6));

        let v2 = Profile::RbacV2;
        assert!(v2.allows("PUT /api/members/:id"));
        assert!(v2.allows("GET /api/environment_roles"));
        assert!(v2.allows("GET /api/user_groups/:id/members"));
        assert!(!v2.allows("GET /api/users/me"));
        assert!(!v2.allows("POST /api/member_invitations"));

        assert!(Profile::Full.allows("GET /api/users/me"));
        assert!(Profile::Custom(vec!["GET /api/roles".into()]).allows("GET /api/roles"));
    }

    #[test]
    fn prod_scope_loses_collaborators_only() {
        let prod = EnvironmentScope::Prod;
        assert!(!prod.allows("GET /api/members"));
        assert!(!prod.allows("PUT /api/members/:id"));
        assert!(!prod.allows("GET /api/users/me"));
        assert!(!prod.allows("POST /api/member_invitations"));
        assert!(prod.allows("GET /api/projects"));
        assert!(prod.allows("GET /api/roles"));
        assert!(EnvironmentScope::Dev.allows("GET /api/members"));
        assert!(EnvironmentScope::All.allows("GET /api/users/me"));
    }
}
