//! Reading one setting from its three sources below the command line: the `BATON_*`
//! environment, then the YAML config file.

use std::path::Path;

use super::Env;
use crate::config_file::{split_list, ConfigFile};
use crate::validation::{self, Origin, UsageError};

/// Keys read from the environment (`BATON_<KEY>`) and the config file. One-shot provisioning
/// flags are not among them on purpose: a stray variable must never change access.
pub(crate) const SETTING_KEYS: &[&str] = &[
    "workato-api-key",
    "workato-api-key-file",
    "workato-data-center",
    "workato-env",
    "disable-custom-roles-sync",
    "workato-base-url",
    "workato-rate-limit",
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
    "ticketing",
    "task-concurrency",
    "c1z-temp-dir",
];

/// The environment variable for a setting key: `workato-env` -> `BATON_WORKATO_ENV`.
pub(crate) fn env_var(key: &str) -> String {
    format!("BATON_{}", key.to_ascii_uppercase().replace('-', "_"))
}

/// Reads a setting from the environment and the config file below a command-line value.
pub(super) struct Sources<'a> {
    pub(super) env: &'a Env,
    pub(super) file: &'a ConfigFile,
}

impl Sources<'_> {
    pub(super) fn file_origin(&self) -> Origin {
        Origin::File(self.file.path().map(Path::to_path_buf).unwrap_or_default())
    }

    pub(super) fn scalar(
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

    pub(super) fn list(
        &self,
        flag: Option<Vec<String>>,
        key: &str,
    ) -> Result<Vec<String>, UsageError> {
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

    pub(super) fn boolean(
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
