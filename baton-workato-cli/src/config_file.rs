//! The optional YAML config file, read the way baton-sdk (viper) reads it.
//!
//! The file is named by `BATON_CONFIG_PATH` (default `./.baton.yaml`; a missing default file is
//! fine, a missing named file is an error) and must end in `.yaml` or `.yml`. Keys are the flag
//! names without the leading dashes, compared case-insensitively as viper does:
//!
//! ```yaml
//! workato-api-key: "..."
//! workato-env: prod
//! disable-custom-roles-sync: true
//! sync-resource-types: [collaborator, role]   # or "collaborator,role"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

/// The environment variable naming the config file.
pub(crate) const CONFIG_PATH_ENV: &str = "BATON_CONFIG_PATH";
/// The config file read when `BATON_CONFIG_PATH` is unset.
pub(crate) const DEFAULT_CONFIG_PATH: &str = "./.baton.yaml";

/// Why the config file could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigFileError {
    /// The file could not be read.
    #[error("cannot read config file {path} (BATON_CONFIG_PATH)")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The extension is neither `.yaml` nor `.yml`.
    #[error("config file {path} (BATON_CONFIG_PATH) must end in .yaml or .yml")]
    Extension {
        /// The file.
        path: PathBuf,
    },
    /// The file is not valid YAML.
    #[error("config file {path} (BATON_CONFIG_PATH) is not valid YAML")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The YAML error (position and reason; it never quotes values).
        #[source]
        source: serde_yaml_ng::Error,
    },
    /// The top level is not a mapping of keys to values.
    #[error("config file {path} (BATON_CONFIG_PATH) must be a mapping of flag names to values")]
    NotAMapping {
        /// The file.
        path: PathBuf,
    },
    /// A key holds a value of the wrong shape (the value itself is not quoted: it may be secret).
    #[error("config file {path}: key `{key}` must be {expected}")]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The key, lower-cased.
        key: String,
        /// What the key accepts.
        expected: &'static str,
    },
}

/// One value of the file, already turned into text as viper would.
#[derive(Clone, PartialEq, Eq)]
enum FileValue {
    Scalar(String),
    List(Vec<String>),
    Other,
}

/// The loaded config file (empty when there is none).
#[derive(Clone, Default)]
pub(crate) struct ConfigFile {
    path: Option<PathBuf>,
    values: BTreeMap<String, FileValue>,
}

// Values may be secret (the API key): Debug shows only the keys.
impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigFile")
            .field("path", &self.path)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ConfigFile {
    /// Loads the file named by `BATON_CONFIG_PATH` in `env` (or `./.baton.yaml`).
    pub(crate) fn load(env: &BTreeMap<String, String>) -> Result<Self, ConfigFileError> {
        match env.get(CONFIG_PATH_ENV).filter(|p| !p.is_empty()) {
            Some(path) => Self::read(Path::new(path)),
            None => {
                let path = Path::new(DEFAULT_CONFIG_PATH);
                if path.exists() {
                    Self::read(path)
                } else {
                    Ok(Self::default())
                }
            }
        }
    }

    /// Reads and parses one file.
    pub(crate) fn read(path: &Path) -> Result<Self, ConfigFileError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !ext.eq_ignore_ascii_case("yaml") && !ext.eq_ignore_ascii_case("yml") {
            return Err(ConfigFileError::Extension { path: path.into() });
        }
        let text = std::fs::read_to_string(path).map_err(|source| ConfigFileError::Read {
            path: path.into(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses YAML text; `path` is used in messages only.
    pub(crate) fn parse(path: &Path, text: &str) -> Result<Self, ConfigFileError> {
        let value: Value =
            serde_yaml_ng::from_str(text).map_err(|source| ConfigFileError::Parse {
                path: path.into(),
                source,
            })?;
        let mapping = match value {
            Value::Null => return Ok(Self::with_path(path)),
            Value::Mapping(m) => m,
            _ => return Err(ConfigFileError::NotAMapping { path: path.into() }),
        };
        let mut values = BTreeMap::new();
        for (k, v) in mapping {
            let Some(key) = scalar_text(&k) else {
                return Err(ConfigFileError::NotAMapping { path: path.into() });
            };
            let value = match &v {
                // `key:` with nothing after it is unset, as in viper.
                Value::Null => continue,
                Value::Sequence(items) => {
                    let list: Option<Vec<String>> = items.iter().map(scalar_text).collect();
                    list.map_or(FileValue::Other, FileValue::List)
                }
                other => scalar_text(other).map_or(FileValue::Other, FileValue::Scalar),
            };
            values.insert(key.to_ascii_lowercase(), value);
        }
        Ok(Self {
            path: Some(path.into()),
            values,
        })
    }

    fn with_path(path: &Path) -> Self {
        Self {
            path: Some(path.into()),
            values: BTreeMap::new(),
        }
    }

    /// The file that was read, if any.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A single value (`null` counts as unset, as in viper).
    pub(crate) fn scalar(&self, key: &str) -> Result<Option<String>, ConfigFileError> {
        match self.values.get(key) {
            None => Ok(None),
            Some(FileValue::Scalar(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.bad(key, "a single value")),
        }
    }

    /// A list: a YAML sequence or a comma-separated string.
    pub(crate) fn list(&self, key: &str) -> Result<Option<Vec<String>>, ConfigFileError> {
        match self.values.get(key) {
            None => Ok(None),
            Some(FileValue::Scalar(s)) => Ok(Some(split_list(s))),
            Some(FileValue::List(l)) => Ok(Some(l.clone())),
            Some(FileValue::Other) => Err(self.bad(key, "a list of strings")),
        }
    }

    /// Keys of the file that are not in `known`, sorted.
    pub(crate) fn unknown_keys(&self, known: &[&str]) -> Vec<String> {
        self.values
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect()
    }

    fn bad(&self, key: &str, expected: &'static str) -> ConfigFileError {
        ConfigFileError::BadValue {
            path: self.path.clone().unwrap_or_default(),
            key: key.into(),
            expected,
        }
    }
}

/// Splits a comma-separated list, trimming items and dropping empty ones.
pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ConfigFile {
        ConfigFile::parse(Path::new("c.yaml"), text).expect("parses")
    }

    #[test]
    fn reads_scalars_bools_and_lists() {
        let f = parse(
            "workato-env: prod\nDisable-Custom-Roles-Sync: true\nsync-resource-types: [role, folder]\nsync-resources: \"a, b\"\n",
        );
        assert_eq!(f.scalar("workato-env").unwrap().as_deref(), Some("prod"));
        assert_eq!(
            f.scalar("disable-custom-roles-sync").unwrap().as_deref(),
            Some("true")
        );
        assert_eq!(
            f.list("sync-resource-types").unwrap(),
            Some(vec!["role".to_string(), "folder".to_string()])
        );
        assert_eq!(
            f.list("sync-resources").unwrap(),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(f.scalar("workato-api-key").unwrap(), None);
    }

    #[test]
    fn empty_file_and_null_values_are_unset() {
        assert_eq!(parse("").scalar("workato-env").unwrap(), None);
        assert_eq!(parse("workato-env:\n").scalar("workato-env").unwrap(), None);
    }

    #[test]
    fn wrong_shapes_are_errors_that_do_not_quote_values() {
        let f = parse("workato-api-key: [s3cr3t-value]\n");
        let err = f.scalar("workato-api-key").unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(
            text.contains("`workato-api-key` must be a single value"),
            "{text}"
        );
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!format!("{f:?}").contains("s3cr3t"));
    }

    #[test]
    fn top_level_must_be_a_mapping_and_extension_yaml() {
        assert!(matches!(
            ConfigFile::parse(Path::new("c.yaml"), "- a\n"),
            Err(ConfigFileError::NotAMapping { .. })
        ));
        assert!(matches!(
            ConfigFile::read(Path::new("/nonexistent/c.json")),
            Err(ConfigFileError::Extension { .. })
        ));
    }

    #[test]
    fn unknown_keys_are_listed() {
        let f = parse("workato-env: dev\nworkato-enviroment: prod\n");
        assert_eq!(f.unknown_keys(&["workato-env"]), vec!["workato-enviroment"]);
    }
}
