//! Account-creation input: turning Baton's account info into a Workato invitation request.
//!
//! Baton hands the connector a login, a list of email addresses and a free-form profile filled from
//! the account-creation schema (`email`, `name`, `env_roles`, `user_group_ids`;
//! docs/architecture.md#connector-metadata-and-account-creation). Everything is validated here,
//! before any API call, so a bad request fails without a half-done invitation.
//!
//! One deliberate difference from upstream: a malformed `env_roles` entry is an error listing
//! every bad entry, where upstream silently dropped it — granting fewer roles than asked for,
//! without telling anyone, is worse than refusing.

use crate::env::Environment;
use serde_json::{Map, Value};

/// A validated account-creation request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountRequest {
    /// The collaborator's email address.
    pub email: String,
    /// The collaborator's display name.
    pub name: String,
    /// One role name per environment, in input order; never empty, no environment twice.
    pub env_roles: Vec<(Environment, String)>,
    /// Collaborator-group ids (`am-…`) to add the invitee to; possibly empty.
    pub user_group_ids: Vec<String>,
}

/// Why account-creation input was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountInputError {
    /// No usable email in the profile, the login or the email list.
    #[error("no email address: set the profile field `email`, an email login, or an email")]
    MissingEmail,
    /// The profile has no non-empty `name`.
    #[error("the profile field `name` is required")]
    MissingName,
    /// A profile field has a JSON type the schema does not allow.
    #[error("the profile field `{field}` must be {expected}")]
    WrongType {
        /// The field name.
        field: &'static str,
        /// What the field must be.
        expected: &'static str,
    },
    /// Some `env_roles` entries are not `env:role` with env in dev/test/prod.
    #[error(
        "malformed env_roles entries {entries:?}: each must be `env:role` with env dev, test or prod"
    )]
    MalformedEnvRoles {
        /// Every rejected entry, as given.
        entries: Vec<String>,
    },
    /// Workato allows one role per environment, so two entries for one environment are ambiguous.
    #[error(
        "env_roles names environment {0} more than once; Workato allows one role per environment"
    )]
    DuplicateEnvironment(Environment),
    /// `env_roles` is missing or empty: Workato rejects an invitation without a role.
    #[error("env_roles needs at least one `env:role` entry (e.g. `dev:Operator`)")]
    NoEnvRoles,
}

impl AccountRequest {
    /// Validates account-creation input.
    ///
    /// - email: the profile's `email`, else `login` when it has text on both sides of an `@`,
    ///   else the first non-empty entry of `emails`;
    /// - `name`: required;
    /// - `env_roles`: a list of `env:role` strings (a single comma-separated string is accepted
    ///   too), env case-insensitive, both parts trimmed; at least one; every entry valid;
    /// - `user_group_ids`: optional, a list or a comma-separated string.
    pub fn from_account_info(
        profile: &Map<String, Value>,
        login: &str,
        emails: &[String],
    ) -> Result<Self, AccountInputError> {
        let email = pick_email(profile, login, emails)?;
        let name = optional_string(profile, "name")?
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(AccountInputError::MissingName)?
            .to_owned();
        let env_roles = parse_env_roles(profile)?;
        let user_group_ids = string_list(
            profile,
            "user_group_ids",
            "a list of strings or a comma-separated string",
        )?;
        Ok(AccountRequest {
            email,
            name,
            env_roles,
            user_group_ids,
        })
    }
}

fn pick_email(
    profile: &Map<String, Value>,
    login: &str,
    emails: &[String],
) -> Result<String, AccountInputError> {
    if let Some(email) = optional_string(profile, "email")?
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        return Ok(email.to_owned());
    }
    let login = login.trim();
    if let Some((user, domain)) = login.split_once('@') {
        if !user.is_empty() && !domain.is_empty() {
            return Ok(login.to_owned());
        }
    }
    emails
        .iter()
        .map(|e| e.trim())
        .find(|e| !e.is_empty())
        .map(str::to_owned)
        .ok_or(AccountInputError::MissingEmail)
}

/// A string field; absent or `null` ⇒ `None`.
fn optional_string<'a>(
    profile: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, AccountInputError> {
    match profile.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AccountInputError::WrongType {
            field,
            expected: "a string",
        }),
    }
}

/// A list of strings, or one comma-separated string; entries trimmed, empty ones dropped.
fn string_list(
    profile: &Map<String, Value>,
    field: &'static str,
    expected: &'static str,
) -> Result<Vec<String>, AccountInputError> {
    let wrong = AccountInputError::WrongType { field, expected };
    let raw: Vec<&str> = match profile.get(field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.split(',').collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().ok_or(wrong.clone()))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(wrong),
    };
    Ok(raw
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

fn parse_env_roles(
    profile: &Map<String, Value>,
) -> Result<Vec<(Environment, String)>, AccountInputError> {
    let entries = string_list(profile, "env_roles", "a list of `env:role` strings")?;
    let mut valid: Vec<(Environment, String)> = Vec::with_capacity(entries.len());
    let mut malformed = Vec::new();
    for entry in entries {
        // Split at the first `:` only: role names may contain colons.
        let parsed = entry.split_once(':').and_then(|(env, role)| {
            let role = role.trim();
            Environment::parse_lenient(env)
                .filter(|_| !role.is_empty())
                .map(|env| (env, role.to_owned()))
        });
        match parsed {
            Some(pair) => valid.push(pair),
            None => malformed.push(entry),
        }
    }
    if !malformed.is_empty() {
        return Err(AccountInputError::MalformedEnvRoles { entries: malformed });
    }
    if valid.is_empty() {
        return Err(AccountInputError::NoEnvRoles);
    }
    for (i, (env, _)) in valid.iter().enumerate() {
        if valid[..i].iter().any(|(seen, _)| seen == env) {
            return Err(AccountInputError::DuplicateEnvironment(*env));
        }
    }
    Ok(valid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profile(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn base() -> Map<String, Value> {
        profile(json!({"email": "eve@example.com", "name": "Eve", "env_roles": ["dev:Operator"]}))
    }

    #[test]
    fn full_request() {
        let p = profile(json!({
            "email": " eve@example.com ",
            "name": " Eve Smith ",
            "env_roles": ["DEV: Operator", "prod:Custom: Ops "],
            "user_group_ids": "am-1, am-2,,"
        }));
        let req = AccountRequest::from_account_info(&p, "", &[]).expect("valid");
        assert_eq!(req.email, "eve@example.com");
        assert_eq!(req.name, "Eve Smith");
        assert_eq!(
            req.env_roles,
            [
                (Environment::Dev, "Operator".to_owned()),
                (Environment::Prod, "Custom: Ops".to_owned())
            ]
        );
        assert_eq!(req.user_group_ids, ["am-1", "am-2"]);
    }

    #[test]
    fn email_precedence() {
        let emails = vec![
            "first@example.com".to_owned(),
            "second@example.com".to_owned(),
        ];
        let mut p = base();
        let req = AccountRequest::from_account_info(&p, "login@example.com", &emails);
        assert_eq!(req.map(|r| r.email).as_deref(), Ok("eve@example.com"));

        p.remove("email");
        let req = AccountRequest::from_account_info(&p, "login@example.com", &emails);
        assert_eq!(req.map(|r| r.email).as_deref(), Ok("login@example.com"));

        for login in ["eve", "@example.com", "eve@", ""] {
            let req = AccountRequest::from_account_info(&p, login, &emails);
            assert_eq!(
                req.map(|r| r.email).as_deref(),
                Ok("first@example.com"),
                "{login}"
            );
        }

        p.insert("email".into(), json!(""));
        let req = AccountRequest::from_account_info(&p, "eve", &[String::new()]);
        assert_eq!(req, Err(AccountInputError::MissingEmail));
    }

    #[test]
    fn name_is_required() {
        let mut p = base();
        p.remove("name");
        assert_eq!(
            AccountRequest::from_account_info(&p, "", &[]),
            Err(AccountInputError::MissingName)
        );
        p.insert("name".into(), json!("  "));
        assert_eq!(
            AccountRequest::from_account_info(&p, "", &[]),
            Err(AccountInputError::MissingName)
        );
        p.insert("name".into(), json!(42));
        assert_eq!(
            AccountRequest::from_account_info(&p, "", &[]),
            Err(AccountInputError::WrongType {
                field: "name",
                expected: "a string"
            })
        );
    }

    #[test]
    fn malformed_env_roles_are_all_listed() {
        let mut p = base();
        p.insert(
            "env_roles".into(),
            json!(["dev:Operator", "staging:Admin", "prod", "test:  "]),
        );
        let err = AccountRequest::from_account_info(&p, "", &[]).expect_err("malformed");
        assert_eq!(
            err,
            AccountInputError::MalformedEnvRoles {
                entries: vec!["staging:Admin".into(), "prod".into(), "test:".into()]
            }
        );
        assert!(err.to_string().contains("staging:Admin"));
    }

    #[test]
    fn env_roles_must_not_be_empty() {
        let mut p = base();
        for empty in [json!([]), json!(""), json!(null), json!([" "])] {
            p.insert("env_roles".into(), empty);
            assert_eq!(
                AccountRequest::from_account_info(&p, "", &[]),
                Err(AccountInputError::NoEnvRoles)
            );
        }
        p.remove("env_roles");
        assert_eq!(
            AccountRequest::from_account_info(&p, "", &[]),
            Err(AccountInputError::NoEnvRoles)
        );
    }

    #[test]
    fn env_roles_shapes() {
        let mut p = base();
        p.insert("env_roles".into(), json!("dev:Admin, test:Operator"));
        let req = AccountRequest::from_account_info(&p, "", &[]).expect("comma string");
        assert_eq!(
            req.env_roles,
            [
                (Environment::Dev, "Admin".to_owned()),
                (Environment::Test, "Operator".to_owned())
            ]
        );
        p.insert("env_roles".into(), json!([1]));
        assert!(matches!(
            AccountRequest::from_account_info(&p, "", &[]),
            Err(AccountInputError::WrongType {
                field: "env_roles",
                ..
            })
        ));
        p.insert("env_roles".into(), json!({"dev": "Admin"}));
        assert!(matches!(
            AccountRequest::from_account_info(&p, "", &[]),
            Err(AccountInputError::WrongType { .. })
        ));
    }

    #[test]
    fn one_role_per_environment() {
        let mut p = base();
        p.insert("env_roles".into(), json!(["dev:Admin", "Dev:Operator"]));
        assert_eq!(
            AccountRequest::from_account_info(&p, "", &[]),
            Err(AccountInputError::DuplicateEnvironment(Environment::Dev))
        );
    }

    #[test]
    fn user_group_ids_shapes() {
        let mut p = base();
        let req = AccountRequest::from_account_info(&p, "", &[]).expect("valid");
        assert!(req.user_group_ids.is_empty());
        p.insert("user_group_ids".into(), json!(["am-1", " am-2 ", ""]));
        let req = AccountRequest::from_account_info(&p, "", &[]).expect("valid");
        assert_eq!(req.user_group_ids, ["am-1", "am-2"]);
        p.insert("user_group_ids".into(), json!("am-3"));
        let req = AccountRequest::from_account_info(&p, "", &[]).expect("valid");
        assert_eq!(req.user_group_ids, ["am-3"]);
        p.insert("user_group_ids".into(), json!(true));
        assert!(matches!(
            AccountRequest::from_account_info(&p, "", &[]),
            Err(AccountInputError::WrongType {
                field: "user_group_ids",
                ..
            })
        ));
    }
}
