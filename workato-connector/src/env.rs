//! Workato environments, the `workato-env` setting, and env-suffixed role resource ids.
//!
//! A workspace has up to three environments (`dev`, `test`, `prod`; single-environment workspaces
//! only use `dev`), and a collaborator holds one role per environment. The connector syncs one
//! environment, or all of them (`all`), in which case every role resource is emitted once per
//! environment with the id suffixed `-<env>` (docs/ids.md#environments-and-all-mode).

use std::fmt;
use std::str::FromStr;

/// One Workato environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Environment {
    /// Development (`dev`); the only environment of single-environment workspaces.
    Dev,
    /// Test (`test`).
    Test,
    /// Production (`prod`).
    Prod,
}

impl Environment {
    /// The environments in the order `all` mode emits them: prod, test, dev (upstream's order;
    /// it decides resource order in the c1z).
    pub const ALL_ORDER: [Environment; 3] =
        [Environment::Prod, Environment::Test, Environment::Dev];

    /// The API spelling, also used in resource ids and `environment_type` metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Dev => "dev",
            Environment::Test => "test",
            Environment::Prod => "prod",
        }
    }

    /// Lenient parsing of an `environment_type` string read from the API: trimmed,
    /// case-insensitive. Unknown values give `None` so the caller can skip that entry with a
    /// warning instead of failing the member's grants
    /// (docs/decisions.md#d14-an-unknown-environment-skips-one-entry).
    pub fn parse_lenient(s: &str) -> Option<Environment> {
        let s = s.trim();
        [Environment::Dev, Environment::Test, Environment::Prod]
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s))
    }

    /// The environment of an API `environment_type`; `None` for values this connector does not
    /// know (read leniently, like [`Environment::parse_lenient`]).
    pub fn from_api(env: &workato_api::EnvironmentType) -> Option<Environment> {
        use workato_api::EnvironmentType;
        match env {
            EnvironmentType::Dev => Some(Environment::Dev),
            EnvironmentType::Test => Some(Environment::Test),
            EnvironmentType::Prod => Some(Environment::Prod),
            other => Environment::parse_lenient(other.as_str()),
        }
    }

    /// The API form of this environment.
    pub fn to_api(self) -> workato_api::EnvironmentType {
        use workato_api::EnvironmentType;
        match self {
            Environment::Dev => EnvironmentType::Dev,
            Environment::Test => EnvironmentType::Test,
            Environment::Prod => EnvironmentType::Prod,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an [`Environment`] or [`EnvScope`] from a string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Workato environment {value:?}: expected one of {expected}")]
pub struct ParseEnvError {
    /// The rejected input.
    pub value: String,
    /// The accepted values, for the message.
    pub expected: &'static str,
}

impl FromStr for Environment {
    type Err = ParseEnvError;

    /// Strict parsing (exact `dev`, `test` or `prod`), for configuration and ids. Use
    /// [`Environment::parse_lenient`] for API data.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dev" => Ok(Environment::Dev),
            "test" => Ok(Environment::Test),
            "prod" => Ok(Environment::Prod),
            _ => Err(ParseEnvError {
                value: s.to_owned(),
                expected: "dev, test, prod",
            }),
        }
    }
}

/// What the `workato-env` setting selects: one environment, or all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvScope {
    /// Sync one environment; role ids are bare (`"175000"`, `"Admin"`).
    Single(Environment),
    /// Sync every environment; role ids carry the environment (`"175000-prod"`).
    All,
}

impl Default for EnvScope {
    /// `dev`, the Go connector's default.
    fn default() -> Self {
        EnvScope::Single(Environment::Dev)
    }
}

impl EnvScope {
    /// The environments this scope syncs, in emission order (`all` ⇒ prod, test, dev).
    pub fn targets(&self) -> &'static [Environment] {
        match self {
            EnvScope::Single(Environment::Dev) => &[Environment::Dev],
            EnvScope::Single(Environment::Test) => &[Environment::Test],
            EnvScope::Single(Environment::Prod) => &[Environment::Prod],
            EnvScope::All => &Environment::ALL_ORDER,
        }
    }

    /// Whether data of `env` is in scope.
    pub fn includes(&self, env: Environment) -> bool {
        match self {
            EnvScope::Single(only) => *only == env,
            EnvScope::All => true,
        }
    }

    /// Whether this is `all` mode (role ids are env-suffixed).
    pub fn is_all(&self) -> bool {
        matches!(self, EnvScope::All)
    }

    /// The setting's spelling: `dev`, `test`, `prod` or `all`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EnvScope::Single(env) => env.as_str(),
            EnvScope::All => "all",
        }
    }
}

impl fmt::Display for EnvScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EnvScope {
    type Err = ParseEnvError;

    /// Parses the `workato-env` value: exactly `dev`, `test`, `prod` or `all`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "all" {
            return Ok(EnvScope::All);
        }
        s.parse::<Environment>()
            .map(EnvScope::Single)
            .map_err(|_| ParseEnvError {
                value: s.to_owned(),
                expected: "dev, test, prod, all",
            })
    }
}

/// The resource id of a role (custom, base or environment role) in environment `env`.
///
/// Single-environment scope: the bare id (`"175000"`, `"Admin"`). `all`: `"<id>-<env>"`
/// (`"175000-prod"`, `"Operator-dev"`), so each environment's copy of a role is its own resource.
pub fn role_resource_id(bare_id: &str, env: Environment, scope: EnvScope) -> String {
    match scope {
        EnvScope::Single(_) => bare_id.to_owned(),
        EnvScope::All => format!("{bare_id}-{env}"),
    }
}

/// The error of [`parse_role_resource_id`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoleIdError {
    /// In `all` mode a role id must end in `-prod`, `-test` or `-dev`.
    #[error("role id {0:?} has no environment suffix (-prod, -test or -dev), required when syncing all environments")]
    MissingEnvSuffix(String),
    /// The id (or the part before the suffix) is empty.
    #[error("role id {0:?} has an empty role part")]
    Empty(String),
}

/// Splits a role resource id into the bare role id and its environment.
///
/// Single-environment scope: the id is used as-is with the configured environment. `all`: a
/// trailing `-prod`, `-test` or `-dev` is stripped (tried in that order, as upstream); no such
/// suffix is an error.
pub fn parse_role_resource_id(
    id: &str,
    scope: EnvScope,
) -> Result<(&str, Environment), RoleIdError> {
    let (bare, env) = match scope {
        EnvScope::Single(env) => (id, env),
        EnvScope::All => Environment::ALL_ORDER
            .into_iter()
            .find_map(|env| {
                id.strip_suffix(env.as_str())
                    .and_then(|rest| rest.strip_suffix('-'))
                    .map(|bare| (bare, env))
            })
            .ok_or_else(|| RoleIdError::MissingEnvSuffix(id.to_owned()))?,
    };
    if bare.is_empty() {
        return Err(RoleIdError::Empty(id.to_owned()));
    }
    Ok((bare, env))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_parses_the_four_values() {
        assert_eq!("dev".parse(), Ok(EnvScope::Single(Environment::Dev)));
        assert_eq!("test".parse(), Ok(EnvScope::Single(Environment::Test)));
        assert_eq!("prod".parse(), Ok(EnvScope::Single(Environment::Prod)));
        assert_eq!("all".parse(), Ok(EnvScope::All));
        for s in ["dev", "test", "prod", "all"] {
            assert_eq!(
                s.parse::<EnvScope>().map(|e| e.to_string()),
                Ok(s.to_owned())
            );
        }
    }

    #[test]
    fn scope_rejects_others_with_a_clear_message() {
        let err = "staging".parse::<EnvScope>().expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "invalid Workato environment \"staging\": expected one of dev, test, prod, all"
        );
        assert!("Prod".parse::<EnvScope>().is_err());
        assert!("".parse::<EnvScope>().is_err());
        let err = "all"
            .parse::<Environment>()
            .expect_err("not an environment");
        assert_eq!(err.expected, "dev, test, prod");
    }

    #[test]
    fn default_is_dev() {
        assert_eq!(EnvScope::default(), EnvScope::Single(Environment::Dev));
    }

    #[test]
    fn all_targets_prod_test_dev() {
        assert_eq!(
            EnvScope::All.targets(),
            [Environment::Prod, Environment::Test, Environment::Dev]
        );
        assert_eq!(
            EnvScope::Single(Environment::Test).targets(),
            [Environment::Test]
        );
        assert!(EnvScope::All.includes(Environment::Dev));
        assert!(EnvScope::Single(Environment::Prod).includes(Environment::Prod));
        assert!(!EnvScope::Single(Environment::Prod).includes(Environment::Dev));
    }

    #[test]
    fn api_environments_round_trip_and_unknown_ones_are_none() {
        for env in Environment::ALL_ORDER {
            assert_eq!(Environment::from_api(&env.to_api()), Some(env));
        }
        let odd: workato_api::EnvironmentType =
            serde_json::from_str("\" PROD \"").expect("open enum");
        assert_eq!(Environment::from_api(&odd), Some(Environment::Prod));
        let staging: workato_api::EnvironmentType =
            serde_json::from_str("\"staging\"").expect("open enum");
        assert_eq!(Environment::from_api(&staging), None);
    }

    #[test]
    fn lenient_env_parsing() {
        assert_eq!(Environment::parse_lenient("PROD"), Some(Environment::Prod));
        assert_eq!(
            Environment::parse_lenient(" Test "),
            Some(Environment::Test)
        );
        assert_eq!(Environment::parse_lenient("dev"), Some(Environment::Dev));
        assert_eq!(Environment::parse_lenient("staging"), None);
        assert_eq!(Environment::parse_lenient(""), None);
    }

    #[test]
    fn role_ids_per_scope() {
        let prod = EnvScope::Single(Environment::Prod);
        assert_eq!(
            role_resource_id("175000", Environment::Prod, prod),
            "175000"
        );
        assert_eq!(
            role_resource_id("175000", Environment::Prod, EnvScope::All),
            "175000-prod"
        );
        assert_eq!(
            role_resource_id("Operator", Environment::Dev, EnvScope::All),
            "Operator-dev"
        );
    }

    #[test]
    fn parse_role_ids() {
        let dev = EnvScope::Single(Environment::Dev);
        assert_eq!(
            parse_role_resource_id("175000", dev),
            Ok(("175000", Environment::Dev))
        );
        // Single-env ids are taken as-is, even if they look suffixed.
        assert_eq!(
            parse_role_resource_id("175000-prod", dev),
            Ok(("175000-prod", Environment::Dev))
        );
        assert_eq!(
            parse_role_resource_id("175000-prod", EnvScope::All),
            Ok(("175000", Environment::Prod))
        );
        assert_eq!(
            parse_role_resource_id("Operator-dev", EnvScope::All),
            Ok(("Operator", Environment::Dev))
        );
        // Only the last suffix is stripped.
        assert_eq!(
            parse_role_resource_id("x-dev-test", EnvScope::All),
            Ok(("x-dev", Environment::Test))
        );
        assert_eq!(
            parse_role_resource_id("175000", EnvScope::All),
            Err(RoleIdError::MissingEnvSuffix("175000".into()))
        );
        // "dev" alone is not "-dev".
        assert!(parse_role_resource_id("Admindev", EnvScope::All).is_err());
        assert_eq!(
            parse_role_resource_id("-prod", EnvScope::All),
            Err(RoleIdError::Empty("-prod".into()))
        );
        assert!(parse_role_resource_id("", dev).is_err());
    }

    #[test]
    fn round_trip_in_all_mode() {
        for env in Environment::ALL_ORDER {
            let id = role_resource_id("pr-AQBG-x", env, EnvScope::All);
            assert_eq!(
                parse_role_resource_id(&id, EnvScope::All),
                Ok(("pr-AQBG-x", env))
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_role_id_round_trips(bare in "[^\\s]{1,40}", idx in 0usize..3) {
            let env = Environment::ALL_ORDER[idx];
            let id = role_resource_id(&bare, env, EnvScope::All);
            proptest::prop_assert_eq!(
                parse_role_resource_id(&id, EnvScope::All),
                Ok((bare.as_str(), env))
            );
            let single = role_resource_id(&bare, env, EnvScope::Single(env));
            proptest::prop_assert_eq!(
                parse_role_resource_id(&single, EnvScope::Single(env)),
                Ok((bare.as_str(), env))
            );
        }
    }
}
