//! The merged and validated configuration: command line > `BATON_*` environment > YAML config
//! file > default. [`Config::from_sources`] performs every check that needs no network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap_complete::Shell;
use url::Url;

use crate::args::{Cli, Command, InspectWhat, OneShotArgs, OutputFormat};
use crate::config_file::{split_list, ConfigFile};
use crate::secret::Secret;
use crate::validation::{self, Origin, UsageError, DATA_CENTERS};

/// Environment variables, injected so tests need not touch the process environment.
pub type Env = BTreeMap<String, String>;

/// Keys read from the environment (`BATON_<KEY>`) and the config file. One-shot provisioning
/// flags are not among them on purpose: a stray variable must never change access.
pub const SETTING_KEYS: &[&str] = &[
    "workato-api-key",
    "workato-api-key-file",
    "workato-data-center",
    "workato-env",
    "disable-custom-roles-sync",
    "workato-base-url",
    "revoke-baseline-role",
    "file",
    "log-level",
    "log-format",
    "provisioning",
    "sync-resource-types",
    "sync-resources",
    "skip-full-sync",
    "client-id",
    "client-secret",
];

/// The environment variable for a setting key: `workato-env` -> `BATON_WORKATO_ENV`.
pub fn env_var(key: &str) -> String {
    format!("BATON_{}", key.to_ascii_uppercase().replace('-', "_"))
}

/// Log verbosity (`--log-level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogLevel {
    /// Everything.
    Trace,
    /// Debugging detail.
    Debug,
    /// Progress (default).
    Info,
    /// Problems that did not stop the run.
    Warn,
    /// Failures only.
    Error,
}

/// Log format (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogFormat {
    /// One JSON object per line (default, as baton).
    Json,
    /// Human-readable lines.
    Console,
}

/// `inspect` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectFilters {
    /// Only objects of this resource type.
    pub resource_type: Option<String>,
    /// Only this resource.
    pub resource: Option<String>,
    /// Only grants of this entitlement.
    pub entitlement: Option<String>,
    /// Only grants held by this principal (`TYPE:ID`).
    pub principal: Option<String>,
}

/// What the run does.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// One-shot sync into `--file`.
    Sync,
    /// `--grant-entitlement`.
    Grant {
        /// Entitlement id.
        entitlement: String,
        /// Principal resource id.
        principal: String,
        /// Principal resource type id.
        principal_type: String,
    },
    /// `--revoke-grant`.
    Revoke {
        /// Grant id.
        grant: String,
    },
    /// `--create-account-*`.
    CreateAccount {
        /// Email of the new collaborator.
        email: String,
        /// Login, if given.
        login: Option<String>,
        /// `--create-account-profile` (a JSON object; empty when not given).
        profile_json: serde_json::Map<String, serde_json::Value>,
    },
    /// `--delete-resource`.
    Delete {
        /// Resource id.
        id: String,
        /// Resource type id.
        resource_type: String,
    },
    /// `capabilities` subcommand.
    Capabilities,
    /// `config` subcommand.
    ConfigSchema,
    /// `inspect` subcommand.
    Inspect {
        /// What to list.
        what: InspectWhat,
        /// Table or JSON.
        output: OutputFormat,
        /// Filters.
        filters: InspectFilters,
    },
    /// `demo` subcommand.
    Demo {
        /// Keep the fake server running.
        serve: bool,
    },
    /// `completion` subcommand.
    Completion {
        /// Target shell.
        shell: Shell,
    },
}

impl Action {
    /// Whether the action talks to Workato (and so needs the API key).
    pub fn calls_workato(&self) -> bool {
        matches!(
            self,
            Action::Sync
                | Action::Grant { .. }
                | Action::Revoke { .. }
                | Action::CreateAccount { .. }
                | Action::Delete { .. }
        )
    }

    /// Whether the action reads an existing c1z from `--file`.
    pub fn reads_file(&self) -> bool {
        matches!(
            self,
            Action::Grant { .. }
                | Action::Revoke { .. }
                | Action::CreateAccount { .. }
                | Action::Delete { .. }
                | Action::Inspect { .. }
        )
    }

    /// Whether the action writes a c1z to `--file`.
    pub fn writes_file(&self) -> bool {
        matches!(self, Action::Sync | Action::Demo { .. })
    }

    /// A short name for logs and messages.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Sync => "sync",
            Action::Grant { .. } => "grant",
            Action::Revoke { .. } => "revoke",
            Action::CreateAccount { .. } => "create-account",
            Action::Delete { .. } => "delete-resource",
            Action::Capabilities => "capabilities",
            Action::ConfigSchema => "config",
            Action::Inspect { .. } => "inspect",
            Action::Demo { .. } => "demo",
            Action::Completion { .. } => "completion",
        }
    }
}

/// Where the API key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiKeySource {
    /// `--workato-api-key` (visible in the process list).
    Flag,
    /// `BATON_WORKATO_API_KEY`.
    Env,
    /// `workato-api-key` in the config file.
    ConfigFile,
    /// A key file (`--workato-api-key-file`, its variable or config key).
    KeyFile(PathBuf),
}

/// The validated configuration handed to the connector.
#[derive(Debug, Clone)]
pub struct Config {
    /// The API key; `Some` whenever [`Action::calls_workato`].
    pub api_key: Option<Secret>,
    /// Where the API key came from.
    pub api_key_source: Option<ApiKeySource>,
    /// Data center key, lower-case, one of [`DATA_CENTERS`].
    pub data_center: String,
    /// `--workato-base-url`, validated, path ending in `/`; overrides the data center.
    pub base_url: Option<Url>,
    /// `dev`, `test`, `prod` or `all`.
    pub env: String,
    /// Skip legacy custom roles.
    pub disable_custom_roles_sync: bool,
    /// The c1z path.
    pub file: PathBuf,
    /// Log verbosity.
    pub log_level: LogLevel,
    /// Log format.
    pub log_format: LogFormat,
    /// `-p/--provisioning`.
    pub provisioning: bool,
    /// `--sync-resource-types` (not yet checked against the connector's types).
    pub sync_resource_types: Vec<String>,
    /// `--sync-resources`.
    pub sync_resources: Vec<String>,
    /// `--skip-full-sync`.
    pub skip_full_sync: bool,
    /// Role set by a revoke (default `NoAccess`).
    pub revoke_baseline_role: String,
    /// What to do.
    pub action: Action,
    /// Warnings to log once logging is set up (never contain secrets).
    pub warnings: Vec<String>,
}

impl Config {
    /// The base URL to call: `--workato-base-url` or the data center's URL.
    pub fn effective_base_url(&self) -> Option<Url> {
        self.base_url
            .clone()
            .or_else(|| data_center_url(&self.data_center))
    }

    /// The API key, or the usage error telling how to set it.
    pub fn require_api_key(&self) -> Result<&Secret, UsageError> {
        self.api_key.as_ref().ok_or(UsageError::MissingApiKey)
    }

    /// Merges `cli`, `env` and `file` and validates the result.
    pub fn from_sources(cli: Cli, env: &Env, file: &ConfigFile) -> Result<Config, UsageError> {
        let src = Sources { env, file };
        let mut warnings = Vec::new();
        let unknown = file.unknown_keys(SETTING_KEYS);
        if !unknown.is_empty() {
            warnings.push(format!(
                "config file {}: ignoring unknown keys: {}",
                file.path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                unknown.join(", ")
            ));
        }

        let action = action(&cli.ops, cli.command.clone())?;

        if action.calls_workato() {
            if let Some((_, origin)) = src.scalar(cli.client_id.clone(), "client-id")? {
                return Err(UsageError::ServiceMode {
                    flag: "--client-id",
                    origin,
                });
            }
            let secret = cli.client_secret.as_ref().map(|s| s.expose().to_string());
            if let Some((_, origin)) = src.scalar(secret, "client-secret")? {
                return Err(UsageError::ServiceMode {
                    flag: "--client-secret",
                    origin,
                });
            }
        }

        let dc_given = src.scalar(cli.workato_data_center, "workato-data-center")?;
        let data_center = match &dc_given {
            Some((v, o)) => validation::data_center(v, o.clone())?,
            None => "us".to_string(),
        };
        let env_name = match src.scalar(cli.workato_env, "workato-env")? {
            Some((v, o)) => validation::environment(&v, o)?,
            None => "dev".to_string(),
        };
        let base_url = match src.scalar(cli.workato_base_url, "workato-base-url")? {
            Some((v, o)) if !v.trim().is_empty() => Some(validation::base_url(&v, o)?),
            _ => None,
        };
        if let (Some(url), Some((_, origin))) = (&base_url, &dc_given) {
            warnings.push(format!(
                "--workato-base-url {url} overrides --workato-data-center{origin}"
            ));
        }
        let disable_custom_roles_sync = src.boolean(
            cli.disable_custom_roles_sync,
            "disable-custom-roles-sync",
            "--disable-custom-roles-sync",
        )?;
        let provisioning = src.boolean(cli.provisioning, "provisioning", "-p/--provisioning")?;
        let skip_full_sync =
            src.boolean(cli.skip_full_sync, "skip-full-sync", "--skip-full-sync")?;
        let revoke_baseline_role =
            match src.scalar(cli.revoke_baseline_role, "revoke-baseline-role")? {
                Some((v, o)) => validation::non_blank("--revoke-baseline-role", &v, o)?,
                None => "NoAccess".to_string(),
            };
        let log_level = match src.scalar(cli.log_level, "log-level")? {
            Some((v, o)) => log_level(&v, o)?,
            None => LogLevel::Info,
        };
        let log_format = match src.scalar(cli.log_format, "log-format")? {
            Some((v, o)) => log_format(&v, o)?,
            // `demo` is read by a person at a terminal, not by a log pipeline: readable logs
            // unless asked otherwise. Everything else keeps baton's JSON default.
            None if matches!(action, Action::Demo { .. }) => LogFormat::Console,
            None => LogFormat::Json,
        };
        let sync_resource_types = src.list(cli.sync_resource_types, "sync-resource-types")?;
        let sync_resources = src.list(cli.sync_resources, "sync-resources")?;

        let (file_path, file_origin) =
            match src.scalar(cli.file.map(|p| p.to_string_lossy().into_owned()), "file")? {
                Some((v, o)) => (PathBuf::from(v), o),
                None => (PathBuf::from("sync.c1z"), Origin::Default),
            };

        let (api_key, api_key_source) = if action.calls_workato() {
            let (key, source) = api_key(&src, cli.workato_api_key, cli.workato_api_key_file)?;
            if source == ApiKeySource::Flag {
                warnings.push(
                    "the API key was given with --workato-api-key and is visible in the process list; use --workato-api-key-file or BATON_WORKATO_API_KEY instead".into(),
                );
            }
            (Some(key), Some(source))
        } else {
            (None, None)
        };

        if action.writes_file() {
            validation::output_file(&file_path, file_origin)?;
        } else if action.reads_file() {
            validation::input_file(&file_path, file_origin)?;
        }

        Ok(Config {
            api_key,
            api_key_source,
            data_center,
            base_url,
            env: env_name,
            disable_custom_roles_sync,
            file: file_path,
            log_level,
            log_format,
            provisioning,
            sync_resource_types,
            sync_resources,
            skip_full_sync,
            revoke_baseline_role,
            action,
            warnings,
        })
    }
}

/// The base URL of a data center key.
pub fn data_center_url(key: &str) -> Option<Url> {
    DATA_CENTERS
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, u)| Url::parse(u).ok())
}

/// Reads a setting from the environment and the config file below a command-line value.
struct Sources<'a> {
    env: &'a Env,
    file: &'a ConfigFile,
}

impl Sources<'_> {
    fn file_origin(&self) -> Origin {
        Origin::File(self.file.path().map(Path::to_path_buf).unwrap_or_default())
    }

    fn scalar(
        &self,
        flag: Option<String>,
        key: &str,
    ) -> Result<Option<(String, Origin)>, UsageError> {
        if let Some(v) = flag {
            return Ok(Some((v, Origin::Flag)));
        }
        let var = env_var(key);
        // An empty variable counts as unset, as viper does by default.
        if let Some(v) = self.env.get(&var).filter(|v| !v.is_empty()) {
            return Ok(Some((v.clone(), Origin::Env(var))));
        }
        Ok(self.file.scalar(key)?.map(|v| (v, self.file_origin())))
    }

    fn list(&self, flag: Option<Vec<String>>, key: &str) -> Result<Vec<String>, UsageError> {
        if let Some(v) = flag {
            return Ok(v
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect());
        }
        if let Some(v) = self.env.get(&env_var(key)).filter(|v| !v.is_empty()) {
            return Ok(split_list(v));
        }
        Ok(self.file.list(key)?.unwrap_or_default())
    }

    fn boolean(
        &self,
        flag: Option<bool>,
        key: &str,
        flag_name: &'static str,
    ) -> Result<bool, UsageError> {
        if let Some(b) = flag {
            return Ok(b);
        }
        match self.scalar(None, key)? {
            Some((v, o)) => validation::boolean(flag_name, &v, o),
            None => Ok(false),
        }
    }
}

fn log_level(value: &str, origin: Origin) -> Result<LogLevel, UsageError> {
    Ok(match value.trim().to_ascii_lowercase().as_str() {
        "trace" => LogLevel::Trace,
        "debug" => LogLevel::Debug,
        "info" => LogLevel::Info,
        "warn" | "warning" => LogLevel::Warn,
        // zap's higher levels, accepted for baton compatibility.
        "error" | "dpanic" | "panic" | "fatal" => LogLevel::Error,
        _ => {
            return Err(UsageError::Invalid {
                flag: "--log-level",
                origin,
                reason: format!(
                    "{value:?} is not a log level; expected one of debug, info, warn, error"
                ),
            })
        }
    })
}

fn log_format(value: &str, origin: Origin) -> Result<LogFormat, UsageError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "json" => Ok(LogFormat::Json),
        "console" => Ok(LogFormat::Console),
        _ => Err(UsageError::Invalid {
            flag: "--log-format",
            origin,
            reason: format!("{value:?} is not a log format; expected json or console"),
        }),
    }
}

/// The API key: flag level (key or key file), then environment, then config file. Giving both
/// the key and a key file at the same level is ambiguous and rejected.
fn api_key(
    src: &Sources<'_>,
    flag_key: Option<Secret>,
    flag_file: Option<PathBuf>,
) -> Result<(Secret, ApiKeySource), UsageError> {
    let conflict = |origin: &str| UsageError::Conflict {
        first: format!("--workato-api-key{origin}"),
        second: "--workato-api-key-file".into(),
        why: ": give the API key one way",
    };
    let (key, file, origin) = match (flag_key, flag_file) {
        (Some(_), Some(_)) => return Err(conflict("")),
        (Some(k), None) => (Some((k, ApiKeySource::Flag)), None, Origin::Flag),
        (None, Some(f)) => (None, Some(f), Origin::Flag),
        (None, None) => {
            let var = env_var("workato-api-key");
            let file_var = env_var("workato-api-key-file");
            let env_key = src.env.get(&var).filter(|v| !v.is_empty());
            let env_file = src.env.get(&file_var).filter(|v| !v.is_empty());
            match (env_key, env_file) {
                (Some(_), Some(_)) => return Err(conflict(" (from BATON_WORKATO_API_KEY)")),
                (Some(k), None) => (
                    Some((Secret::new(k.clone()), ApiKeySource::Env)),
                    None,
                    Origin::Env(var),
                ),
                (None, Some(f)) => (None, Some(PathBuf::from(f)), Origin::Env(file_var)),
                (None, None) => {
                    let fk = src.file.scalar("workato-api-key")?;
                    let ff = src.file.scalar("workato-api-key-file")?;
                    match (fk, ff) {
                        (Some(_), Some(_)) => return Err(conflict(" (from the config file)")),
                        (Some(k), None) => (
                            Some((Secret::new(k), ApiKeySource::ConfigFile)),
                            None,
                            src.file_origin(),
                        ),
                        (None, Some(f)) => (None, Some(PathBuf::from(f)), src.file_origin()),
                        (None, None) => return Err(UsageError::MissingApiKey),
                    }
                }
            }
        }
    };
    let (secret, source) = match (key, file) {
        (Some(pair), _) => pair,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path).map_err(|source| UsageError::ApiKeyFile {
                path: path.clone(),
                origin: origin.clone(),
                source,
            })?;
            // Files usually end with a newline; the key itself never has surrounding blanks.
            (Secret::new(text.trim()), ApiKeySource::KeyFile(path))
        }
        (None, None) => return Err(UsageError::MissingApiKey),
    };
    if secret.is_blank() {
        let flag = if matches!(source, ApiKeySource::KeyFile(_)) {
            "--workato-api-key-file"
        } else {
            "--workato-api-key"
        };
        return Err(UsageError::Invalid {
            flag,
            origin,
            reason: "the API key is empty".into(),
        });
    }
    Ok((secret, source))
}

/// Turns the subcommand or the one-shot flags into an [`Action`], checking that one-shot
/// operations are complete and not combined.
fn action(ops: &OneShotArgs, command: Option<Command>) -> Result<Action, UsageError> {
    // (group's leading flag, whether any flag of the group is set)
    let groups: [(&'static str, bool); 4] = [
        (
            "--grant-entitlement",
            ops.grant_entitlement.is_some()
                || ops.grant_principal.is_some()
                || ops.grant_principal_type.is_some(),
        ),
        ("--revoke-grant", ops.revoke_grant.is_some()),
        (
            "--create-account-email",
            ops.create_account_email.is_some()
                || ops.create_account_login.is_some()
                || ops.create_account_profile.is_some(),
        ),
        (
            "--delete-resource",
            ops.delete_resource.is_some() || ops.delete_resource_type.is_some(),
        ),
    ];
    let set: Vec<&'static str> = groups.iter().filter(|g| g.1).map(|g| g.0).collect();
    if let [first, second, ..] = set.as_slice() {
        return Err(UsageError::Conflict {
            first: (*first).into(),
            second: (*second).into(),
            why: ": one-shot operations are mutually exclusive",
        });
    }
    if let Some(command) = command {
        if let Some(op) = set.first() {
            return Err(UsageError::Conflict {
                first: (*op).into(),
                second: format!("the {} subcommand", command_name(&command)),
                why: "",
            });
        }
        return Ok(match command {
            Command::Capabilities => Action::Capabilities,
            Command::Config => Action::ConfigSchema,
            Command::Inspect(a) => Action::Inspect {
                what: a.what,
                output: a.output,
                filters: InspectFilters {
                    resource_type: a.resource_type,
                    resource: a.resource,
                    entitlement: a.entitlement,
                    principal: a.principal,
                },
            },
            Command::Demo(a) => Action::Demo { serve: a.serve },
            Command::Completion { shell } => Action::Completion { shell },
        });
    }
    let o = ops.clone();
    match set.first().copied() {
        None => Ok(Action::Sync),
        Some("--grant-entitlement") => {
            let Some(entitlement) = o.grant_entitlement else {
                let flag = if o.grant_principal.is_some() {
                    "--grant-principal"
                } else {
                    "--grant-principal-type"
                };
                return Err(UsageError::Incomplete {
                    flag,
                    missing: "--grant-entitlement".into(),
                });
            };
            match (o.grant_principal, o.grant_principal_type) {
                (Some(principal), Some(principal_type)) => Ok(Action::Grant {
                    entitlement,
                    principal,
                    principal_type,
                }),
                (p, t) => {
                    let mut missing = Vec::new();
                    if p.is_none() {
                        missing.push("--grant-principal");
                    }
                    if t.is_none() {
                        missing.push("--grant-principal-type");
                    }
                    Err(UsageError::Incomplete {
                        flag: "--grant-entitlement",
                        missing: missing.join(" and "),
                    })
                }
            }
        }
        Some("--revoke-grant") => Ok(Action::Revoke {
            grant: o.revoke_grant.unwrap_or_default(),
        }),
        Some("--create-account-email") => {
            let Some(email) = o.create_account_email else {
                let flag = if o.create_account_login.is_some() {
                    "--create-account-login"
                } else {
                    "--create-account-profile"
                };
                return Err(UsageError::Incomplete {
                    flag,
                    missing: "--create-account-email (Workato invites collaborators by email)"
                        .into(),
                });
            };
            let profile_json = match o.create_account_profile {
                None => serde_json::Map::new(),
                Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(serde_json::Value::Object(m)) => m,
                    _ => {
                        return Err(UsageError::Invalid {
                            flag: "--create-account-profile",
                            origin: Origin::Flag,
                            reason: "must be a JSON object, e.g. '{\"name\":\"Ada Lovelace\"}'"
                                .into(),
                        })
                    }
                },
            };
            Ok(Action::CreateAccount {
                email,
                login: o.create_account_login,
                profile_json,
            })
        }
        _ => match (o.delete_resource, o.delete_resource_type) {
            (Some(id), Some(resource_type)) => Ok(Action::Delete { id, resource_type }),
            (Some(_), None) => Err(UsageError::Incomplete {
                flag: "--delete-resource",
                missing: "--delete-resource-type".into(),
            }),
            _ => Err(UsageError::Incomplete {
                flag: "--delete-resource-type",
                missing: "--delete-resource".into(),
            }),
        },
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Capabilities => "capabilities",
        Command::Config => "config",
        Command::Inspect(_) => "inspect",
        Command::Demo(_) => "demo",
        Command::Completion { .. } => "completion",
    }
}
