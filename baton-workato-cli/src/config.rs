//! The merged and validated configuration: command line > `BATON_*` environment > YAML config
//! file > default. [`Config::from_sources`] performs every check that needs no network, and
//! stores each setting in the type its user needs, so nothing is parsed twice.

mod action;
mod api_key;
mod service;
mod sources;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::PathBuf;

use url::Url;
use workato_api::{ApiToken, DataCenter};
use workato_connector::env::EnvScope;

use crate::args::Cli;
use crate::config_file::ConfigFile;
use crate::logging::{LogFormat, LogLevel};
use crate::validation::{self, Origin, UsageError};

pub(crate) use action::{Action, InspectFilters, Provision};
pub(crate) use api_key::ApiKeySource;
use sources::Sources;
pub(crate) use sources::{env_var, SETTING_KEYS};

/// Environment variables, injected so tests need not touch the process environment.
pub type Env = BTreeMap<String, String>;

/// The validated configuration handed to the connector.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// The API key; `Some` whenever [`Action::calls_workato`].
    pub(crate) api_key: Option<ApiToken>,
    /// The data center whose host to call, unless `base_url` overrides it.
    pub(crate) data_center: DataCenter,
    /// `--workato-base-url`, validated, path ending in `/`; overrides the data center.
    pub(crate) base_url: Option<Url>,
    /// The environment(s) to sync.
    pub(crate) env: EnvScope,
    /// Skip legacy custom roles.
    pub(crate) disable_custom_roles_sync: bool,
    /// Requests per minute per endpoint family (`--workato-rate-limit`).
    pub(crate) workato_rate_limit: u32,
    /// The c1z path.
    pub(crate) file: PathBuf,
    /// Log verbosity.
    pub(crate) log_level: LogLevel,
    /// Log format.
    pub(crate) log_format: LogFormat,
    /// `--sync-resource-types` (not yet checked against the connector's types).
    pub(crate) sync_resource_types: Vec<String>,
    /// `--sync-resources`.
    pub(crate) sync_resources: Vec<String>,
    /// Role set by a revoke (default `NoAccess`).
    pub(crate) revoke_baseline_role: String,
    /// What to do.
    pub(crate) action: Action,
    /// Service-mode settings; `Some` exactly when the action is [`Action::Service`].
    pub(crate) service: Option<baton_service::ServiceConfig>,
    /// Warnings to log once logging is set up (never contain secrets).
    pub(crate) warnings: Vec<String>,
}

impl Config {
    /// The API key, or the usage error telling how to set it.
    pub(crate) fn require_api_key(&self) -> Result<&ApiToken, UsageError> {
        self.api_key.as_ref().ok_or(UsageError::MissingApiKey)
    }

    /// Merges `cli`, `env` and `file` and validates the result.
    pub(crate) fn from_sources(
        cli: Cli,
        env: &Env,
        file: &ConfigFile,
    ) -> Result<Config, UsageError> {
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

        let mut action = Action::from_args(&cli.ops, cli.command.clone())?;
        // A client id selects service mode (as in baton-sdk) wherever a run would call Workato;
        // subcommands never connect to ConductorOne, so they do not look at the credentials.
        let credentials = if action.calls_workato() {
            service::credentials(&src, cli.client_id.clone(), cli.client_secret.clone())?
        } else {
            None
        };
        if credentials.is_some() {
            if let Action::Provision(p) = &action {
                warnings.push(format!(
                    "service mode ignores the one-shot {} request (ConductorOne sends provisioning tasks)",
                    p.name()
                ));
            }
            action = Action::Service;
        }

        let dc_given = src.scalar(cli.workato_data_center, "workato-data-center")?;
        let data_center = match &dc_given {
            Some((v, o)) => validation::data_center(v, o.clone())?,
            None => DataCenter::default(),
        };
        let env_scope = match src.scalar(cli.workato_env, "workato-env")? {
            Some((v, o)) => validation::environment(&v, o)?,
            None => EnvScope::default(),
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
        // Service mode reads these; one-shot runs accept and validate them for baton
        // compatibility (one-shot provisioning needs no gate, as baton's one-shot flags).
        let provisioning = src.boolean(cli.provisioning, "provisioning", "-p/--provisioning")?;
        let skip_full_sync =
            src.boolean(cli.skip_full_sync, "skip-full-sync", "--skip-full-sync")?;
        let ticketing = src.boolean(cli.ticketing, "ticketing", "--ticketing")?;
        let task_concurrency = service::task_concurrency(&src, cli.task_concurrency)?;
        let temp_dir = service::temp_dir(&src, cli.c1z_temp_dir)?;
        let workato_rate_limit = match src.scalar(cli.workato_rate_limit, "workato-rate-limit")? {
            Some((v, o)) => validation::rate_limit(&v, o)?,
            None => validation::DEFAULT_RATE_LIMIT,
        };
        let revoke_baseline_role =
            match src.scalar(cli.revoke_baseline_role, "revoke-baseline-role")? {
                Some((v, o)) => validation::non_blank("--revoke-baseline-role", &v, o)?,
                None => "NoAccess".to_string(),
            };
        let log_level = match src.scalar(cli.log_level, "log-level")? {
            Some((v, o)) => LogLevel::parse(&v, o)?,
            None => LogLevel::Info,
        };
        let log_format = match src.scalar(cli.log_format, "log-format")? {
            Some((v, o)) => LogFormat::parse(&v, o)?,
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

        let api_key = if action.calls_workato() {
            let (key, source) =
                api_key::resolve(&src, cli.workato_api_key, cli.workato_api_key_file)?;
            if source == ApiKeySource::Flag {
                warnings.push(
                    "the API key was given with --workato-api-key and is visible in the process list; use --workato-api-key-file or BATON_WORKATO_API_KEY instead".into(),
                );
            }
            Some(key)
        } else {
            None
        };

        let service = match credentials {
            Some(credentials) => {
                if !sync_resources.is_empty() {
                    return Err(UsageError::Unsupported {
                        flag: "--sync-resources",
                        what: "partial sync",
                    });
                }
                Some(
                    service::service_config(credentials, env)?
                        .provisioning(provisioning)
                        .ticketing(ticketing)
                        .task_concurrency(task_concurrency)
                        .skip_full_sync(skip_full_sync)
                        .temp_dir(temp_dir)
                        .sync_resource_types(sync_resource_types.clone()),
                )
            }
            None => None,
        };

        if action.writes_file() {
            validation::output_file(&file_path, file_origin)?;
        } else if action.reads_file() {
            validation::input_file(&file_path, file_origin)?;
        }

        Ok(Config {
            api_key,
            data_center,
            base_url,
            env: env_scope,
            disable_custom_roles_sync,
            workato_rate_limit,
            file: file_path,
            log_level,
            log_format,
            sync_resource_types,
            sync_resources,
            revoke_baseline_role,
            action,
            service,
            warnings,
        })
    }
}
