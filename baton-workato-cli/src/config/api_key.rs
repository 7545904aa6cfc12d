//! The Workato API key: from the flag, a key file, `BATON_WORKATO_API_KEY(_FILE)` or the config
//! file, exactly one way per level, and never blank.

use std::path::PathBuf;

use workato_api::ApiToken;

use super::sources::{env_var, Sources};
use crate::validation::{Origin, UsageError};

/// Where the API key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiKeySource {
    /// `--workato-api-key` (visible in the process list).
    Flag,
    /// `BATON_WORKATO_API_KEY`.
    Env,
    /// `workato-api-key` in the config file.
    ConfigFile,
    /// A key file (`--workato-api-key-file`, its variable or config key).
    KeyFile(PathBuf),
}

/// The API key: flag level (key or key file), then environment, then config file. Giving both
/// the key and a key file at the same level is ambiguous and rejected.
pub(super) fn resolve(
    src: &Sources<'_>,
    flag_key: Option<ApiToken>,
    flag_file: Option<PathBuf>,
) -> Result<(ApiToken, ApiKeySource), UsageError> {
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
                    Some((ApiToken::new(k.clone()), ApiKeySource::Env)),
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
                            Some((ApiToken::new(k), ApiKeySource::ConfigFile)),
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
    let (token, source) = match (key, file) {
        (Some(pair), _) => pair,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path).map_err(|source| UsageError::ApiKeyFile {
                path: path.clone(),
                origin: origin.clone(),
                source,
            })?;
            // Files usually end with a newline; the key itself never has surrounding blanks.
            (ApiToken::new(text.trim()), ApiKeySource::KeyFile(path))
        }
        (None, None) => return Err(UsageError::MissingApiKey),
    };
    if token.is_empty() {
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
    Ok((token, source))
}
