//! The configuration schema printed by `baton-workato config`.
//!
//! Shape (stable; tools may read it), modelled on baton-sdk's field schema:
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "connector": "baton-workato",
//!   "display_name": "Workato",
//!   "fields": [
//!     {
//!       "name": "workato-api-key",          // the flag without dashes = config-file key
//!       "env": "BATON_WORKATO_API_KEY",
//!       "display_name": "API key",
//!       "description": "...",
//!       "type": "string",                   // "string" | "bool" | "url" | "path"
//!       "default": null,                    // JSON value or null
//!       "required": true,
//!       "secret": true,                     // never log or echo
//!       "allowed_values": [],               // empty = free-form
//!       "cli_only": false                   // true: not a hosted-connector setting
//!     }
//!   ],
//!   "constraints": [
//!     { "kind": "mutually_exclusive", "fields": ["workato-api-key", "workato-api-key-file"] },
//!     { "kind": "at_least_one", "fields": ["workato-api-key", "workato-api-key-file"] }
//!   ]
//! }
//! ```

use std::io::{self, Write};

use serde::Serialize;

use workato_api::DataCenter;

use crate::config::env_var;
use crate::validation::ENVIRONMENTS;

/// The type of a configuration field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FieldType {
    /// Free text.
    String,
    /// `true` / `false`.
    Bool,
    /// A URL.
    Url,
    /// A file path.
    Path,
}

/// Default value of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldDefault {
    /// No default.
    None,
    /// A text default.
    Str(&'static str),
    /// A boolean default.
    Bool(bool),
}

/// One configuration field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    /// Flag name without dashes, also the config-file key.
    pub(crate) name: &'static str,
    /// Label for forms.
    pub(crate) display_name: &'static str,
    /// One-sentence description.
    pub(crate) description: &'static str,
    /// Value type.
    pub(crate) field_type: FieldType,
    /// Default value.
    pub(crate) default: FieldDefault,
    /// Whether the connector cannot run without it.
    pub(crate) required: bool,
    /// Whether the value is secret.
    pub(crate) secret: bool,
    /// Accepted values (empty = any).
    pub(crate) allowed_values: &'static [&'static str],
    /// Local/CLI setting, not part of a hosted connector's configuration.
    pub(crate) cli_only: bool,
}

/// The data-center keys, from workato-api's list.
const DC_KEYS: [&str; DataCenter::ALL.len()] = DataCenter::KEYS;

/// The connector's configuration fields: the Go connector's settings, under the same names.
pub(crate) const FIELDS: &[Field] = &[
    Field {
        name: "workato-api-key",
        display_name: "API key",
        description: "Token of a Workato API client (Workspace admin > API clients)",
        field_type: FieldType::String,
        default: FieldDefault::None,
        required: true,
        secret: true,
        allowed_values: &[],
        cli_only: false,
    },
    Field {
        name: "workato-api-key-file",
        display_name: "API key file",
        description: "File holding the API key, instead of workato-api-key",
        field_type: FieldType::Path,
        default: FieldDefault::None,
        required: false,
        secret: false,
        allowed_values: &[],
        cli_only: true,
    },
    Field {
        name: "workato-data-center",
        display_name: "Data center",
        description: "Workato data center hosting the workspace",
        field_type: FieldType::String,
        default: FieldDefault::Str("us"),
        required: false,
        secret: false,
        allowed_values: &DC_KEYS,
        cli_only: false,
    },
    Field {
        name: "workato-env",
        display_name: "Environment",
        description: "Workato environment to sync (all = every environment)",
        field_type: FieldType::String,
        default: FieldDefault::Str("dev"),
        required: false,
        secret: false,
        allowed_values: ENVIRONMENTS,
        cli_only: false,
    },
    Field {
        name: "disable-custom-roles-sync",
        display_name: "Disable custom roles sync",
        description: "Skip legacy custom roles (/api/roles) and their folder grants",
        field_type: FieldType::Bool,
        default: FieldDefault::Bool(false),
        required: false,
        secret: false,
        allowed_values: &[],
        cli_only: false,
    },
    Field {
        name: "workato-base-url",
        display_name: "Base URL",
        description: "Overrides the data center's URL (proxies, mocks); https, or http on loopback",
        field_type: FieldType::Url,
        default: FieldDefault::None,
        required: false,
        secret: false,
        allowed_values: &[],
        cli_only: true,
    },
    Field {
        name: "revoke-baseline-role",
        display_name: "Revoke baseline role",
        description: "Role set in an environment when a grant there is revoked",
        field_type: FieldType::String,
        default: FieldDefault::Str("NoAccess"),
        required: false,
        secret: false,
        allowed_values: &[],
        cli_only: false,
    },
];

#[derive(Serialize)]
struct FieldJson {
    name: &'static str,
    env: String,
    display_name: &'static str,
    description: &'static str,
    #[serde(rename = "type")]
    field_type: FieldType,
    default: serde_json::Value,
    required: bool,
    secret: bool,
    allowed_values: &'static [&'static str],
    cli_only: bool,
}

#[derive(Serialize)]
struct ConstraintJson {
    kind: &'static str,
    fields: &'static [&'static str],
}

#[derive(Serialize)]
struct SchemaJson {
    schema_version: u32,
    connector: &'static str,
    display_name: &'static str,
    fields: Vec<FieldJson>,
    constraints: Vec<ConstraintJson>,
}

fn schema() -> SchemaJson {
    const KEY_FIELDS: &[&str] = &["workato-api-key", "workato-api-key-file"];
    let fields = FIELDS
        .iter()
        .map(|f| FieldJson {
            name: f.name,
            env: env_var(f.name),
            display_name: f.display_name,
            description: f.description,
            field_type: f.field_type,
            default: match f.default {
                FieldDefault::None => serde_json::Value::Null,
                FieldDefault::Str(s) => s.into(),
                FieldDefault::Bool(b) => b.into(),
            },
            required: f.required,
            secret: f.secret,
            allowed_values: f.allowed_values,
            cli_only: f.cli_only,
        })
        .collect();
    SchemaJson {
        schema_version: 1,
        connector: "baton-workato",
        display_name: "Workato",
        fields,
        constraints: vec![
            ConstraintJson {
                kind: "mutually_exclusive",
                fields: KEY_FIELDS,
            },
            ConstraintJson {
                kind: "at_least_one",
                fields: KEY_FIELDS,
            },
        ],
    }
}

/// Writes the schema as indented JSON followed by a newline.
pub(crate) fn write_schema(out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &schema())?;
    writeln!(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn data_center_values_are_the_clients_list() {
        let dc = FIELDS
            .iter()
            .find(|f| f.name == "workato-data-center")
            .unwrap();
        assert_eq!(dc.allowed_values, crate::validation::data_center_keys());
    }

    #[test]
    fn every_field_is_a_known_setting() {
        for f in FIELDS {
            assert!(crate::config::SETTING_KEYS.contains(&f.name), "{}", f.name);
        }
    }
}
