//! Checks made before any network call. Every failure is a [`UsageError`] (exit code 2) whose
//! message names the flag, and says where the value came from when it was not the command line.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use url::Url;
use workato_api::{BuildError, DataCenter};
use workato_connector::env::EnvScope;

use crate::config_file::ConfigFileError;

/// Accepted `--workato-env` values, in the order help and the schema list them; each is an
/// [`EnvScope`] spelling (a test checks).
pub(crate) const ENVIRONMENTS: &[&str] = &["dev", "test", "prod", "all"];

/// Where a setting came from; shown in messages so a bad value in the environment or the config
/// file is easy to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The command line.
    Flag,
    /// An environment variable.
    Env(String),
    /// The YAML config file.
    File(PathBuf),
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag | Origin::Default => Ok(()),
            Origin::Env(var) => write!(f, " (from {var})"),
            Origin::File(path) => write!(f, " (from config file {})", path.display()),
        }
    }
}

/// A usage error: the command line, environment or config file asks for something invalid.
/// Never carries the API key.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UsageError {
    /// A value is not acceptable.
    #[error("{flag}{origin}: {reason}")]
    Invalid {
        /// The flag, e.g. `--workato-data-center`.
        flag: &'static str,
        /// Where the value came from.
        origin: Origin,
        /// What is wrong, quoting the value when it is not secret.
        reason: String,
    },
    /// A URL that does not parse.
    #[error("{flag}{origin}: {value:?} is not a valid URL")]
    InvalidUrl {
        /// The flag.
        flag: &'static str,
        /// Where the value came from.
        origin: Origin,
        /// The value as given.
        value: String,
        /// The parse error.
        #[source]
        source: url::ParseError,
    },
    /// Two settings that exclude each other.
    #[error("{first} cannot be combined with {second}{why}")]
    Conflict {
        /// The first flag (or subcommand).
        first: String,
        /// The second flag (or subcommand).
        second: String,
        /// Why, starting with `: `, or empty.
        why: &'static str,
    },
    /// A flag needs others that are missing.
    #[error("{flag} requires {missing}")]
    Incomplete {
        /// The flag given.
        flag: &'static str,
        /// The flags missing, e.g. `--grant-principal and --grant-principal-type`.
        missing: String,
    },
    /// No API key from any source.
    #[error(
        "missing API key: set --workato-api-key, --workato-api-key-file or BATON_WORKATO_API_KEY"
    )]
    MissingApiKey,
    /// The API key file cannot be read.
    #[error("--workato-api-key-file{origin}: cannot read {}", path.display())]
    ApiKeyFile {
        /// The file.
        path: PathBuf,
        /// Where the file name came from.
        origin: Origin,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A service-mode setting read from the environment only (`BATON_C1_API_HOST`,
    /// `BATON_HOST_ID`) is malformed; the message names the variable.
    #[error(transparent)]
    Service(baton_service::ConfigError),
    /// The c1z path cannot be used.
    #[error("-f/--file{origin}: {}: {reason}", path.display())]
    File {
        /// The c1z path.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
        /// What is wrong.
        reason: String,
        /// The I/O error behind it, if any.
        #[source]
        source: Option<io::Error>,
    },
    /// The config file is unusable.
    #[error(transparent)]
    ConfigFile(#[from] ConfigFileError),
    /// The connector refused a provisioning request before changing anything (wrong principal
    /// type, unsupported entitlement, unknown role, bad account input).
    #[error("{flag}: refused before any change")]
    Refused {
        /// The operation's leading flag, e.g. `--grant-entitlement`.
        flag: &'static str,
        /// The connector's reason.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A setting asks for something this build does not do.
    #[error("{flag}: {what} is not supported yet")]
    Unsupported {
        /// The flag.
        flag: &'static str,
        /// What is missing.
        what: &'static str,
    },
}

/// `--workato-data-center`: a key of [`DataCenter::ALL`], case-insensitive.
pub(crate) fn data_center(value: &str, origin: Origin) -> Result<DataCenter, UsageError> {
    value
        .parse::<DataCenter>()
        .map_err(|_| UsageError::Invalid {
            flag: "--workato-data-center",
            origin,
            reason: format!(
                "{value:?} is not a data center; expected one of {}",
                data_center_keys().join(", ")
            ),
        })
}

/// The configuration keys of every data center (`us`, `eu`, ...).
pub(crate) fn data_center_keys() -> Vec<&'static str> {
    DataCenter::KEYS.to_vec()
}

/// `--workato-env`: one of [`ENVIRONMENTS`], case-insensitive.
pub(crate) fn environment(value: &str, origin: Origin) -> Result<EnvScope, UsageError> {
    value
        .trim()
        .to_ascii_lowercase()
        .parse::<EnvScope>()
        .map_err(|_| UsageError::Invalid {
            flag: "--workato-env",
            origin,
            reason: format!(
                "{value:?} is not an environment; expected one of {}",
                ENVIRONMENTS.join(", ")
            ),
        })
}

/// `--workato-base-url`: https, or http to a loopback host (tests, local proxies). No
/// credentials, query or fragment. The path gets a trailing `/` so `api/...` joins below it.
pub(crate) fn base_url(value: &str, origin: Origin) -> Result<Url, UsageError> {
    const FLAG: &str = "--workato-base-url";
    let invalid = |origin: Origin, reason: String| UsageError::Invalid {
        flag: FLAG,
        origin,
        reason,
    };
    let mut url = Url::parse(value.trim()).map_err(|source| UsageError::InvalidUrl {
        flag: FLAG,
        origin: origin.clone(),
        value: value.to_string(),
        source,
    })?;
    // Checked before anything quotes the URL: it would print the password.
    let rule = workato_api::check_base_url(&url, false);
    if matches!(rule, Err(BuildError::CredentialsInUrl)) {
        return Err(invalid(
            origin,
            "the URL must not contain credentials (the API key is sent as a bearer token)".into(),
        ));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(invalid(origin, format!("{value:?} has no host")));
    }
    // The client's own rule (https, or http to loopback only), so both always agree.
    if rule.is_err() {
        return Err(invalid(
            origin,
            format!("{value:?} must use https (plain http is allowed only for loopback hosts: localhost, 127.0.0.1, ::1)"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            origin,
            format!("{value:?} must not have a query or fragment"),
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// A boolean from the environment or the config file, as Go's `strconv.ParseBool` reads it.
pub(crate) fn boolean(flag: &'static str, value: &str, origin: Origin) -> Result<bool, UsageError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "t" | "true" => Ok(true),
        "0" | "f" | "false" => Ok(false),
        _ => Err(UsageError::Invalid {
            flag,
            origin,
            reason: format!("{value:?} is not a boolean; expected true or false"),
        }),
    }
}

/// Workato's documented limit: requests per minute per endpoint family.
pub(crate) const DEFAULT_RATE_LIMIT: u32 = 60;

/// `--workato-rate-limit`: a whole number of requests per minute, at least 1.
pub(crate) fn rate_limit(value: &str, origin: Origin) -> Result<u32, UsageError> {
    match value.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(UsageError::Invalid {
            flag: "--workato-rate-limit",
            origin,
            reason: format!(
                "{value:?}: give a whole number of requests per minute, at least 1 (Workato documents {DEFAULT_RATE_LIMIT})"
            ),
        }),
    }
}

/// A value that must not be blank (e.g. `--revoke-baseline-role`).
pub(crate) fn non_blank(
    flag: &'static str,
    value: &str,
    origin: Origin,
) -> Result<String, UsageError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(UsageError::Invalid {
            flag,
            origin,
            reason: "must not be empty".into(),
        });
    }
    Ok(v.to_string())
}

/// The c1z a sync writes: its directory must exist and accept a new file (the writer creates a
/// temporary file beside it and renames it into place).
pub(crate) fn output_file(path: &Path, origin: Origin) -> Result<(), UsageError> {
    let err = |reason: String, source: Option<io::Error>| UsageError::File {
        path: path.to_path_buf(),
        origin: origin.clone(),
        reason,
        source,
    };
    if path.as_os_str().is_empty() {
        return Err(err("the path is empty".into(), None));
    }
    if path.is_dir() {
        return Err(err(
            "is a directory; name the c1z file to write".into(),
            None,
        ));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match std::fs::metadata(dir) {
        Err(e) => {
            return Err(err(
                format!("directory {} does not exist", dir.display()),
                Some(e),
            ))
        }
        Ok(m) if !m.is_dir() => {
            return Err(err(format!("{} is not a directory", dir.display()), None))
        }
        Ok(_) => {}
    }
    // Probing with a real file is the only reliable writability test (ACLs, read-only mounts).
    tempfile::Builder::new()
        .prefix(".baton-workato-write-check")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| {
            err(
                format!("directory {} is not writable", dir.display()),
                Some(e),
            )
        })
}

/// The c1z that provisioning and `inspect` read: it must exist.
pub(crate) fn input_file(path: &Path, origin: Origin) -> Result<(), UsageError> {
    match std::fs::metadata(path) {
        Err(e) => Err(UsageError::File {
            path: path.to_path_buf(),
            origin,
            reason: "cannot open the c1z; run a sync first to create it".into(),
            source: Some(e),
        }),
        Ok(m) if m.is_dir() => Err(UsageError::File {
            path: path.to_path_buf(),
            origin,
            reason: "is a directory, not a c1z file".into(),
            source: None,
        }),
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn data_centers_accept_every_listed_key_case_insensitively() {
        for dc in DataCenter::ALL {
            assert_eq!(
                data_center(&dc.key().to_uppercase(), Origin::Flag).unwrap(),
                dc
            );
        }
        let e = data_center("uk", Origin::Env("BATON_WORKATO_DATA_CENTER".into())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--workato-data-center (from BATON_WORKATO_DATA_CENTER): \"uk\" is not a data center; expected one of us, eu, jp, sg, au, il, sandbox, cn, kr"
        );
    }

    #[test]
    fn environments() {
        assert_eq!(environment("Prod", Origin::Flag).unwrap().as_str(), "prod");
        assert!(environment("staging", Origin::Flag).is_err());
        for name in ENVIRONMENTS {
            assert_eq!(environment(name, Origin::Flag).unwrap().as_str(), *name);
        }
    }

    #[test]
    fn base_url_rules() {
        let ok = |s: &str| base_url(s, Origin::Flag).map(|u| u.to_string());
        assert_eq!(
            ok("https://proxy.example.com/workato").unwrap(),
            "https://proxy.example.com/workato/"
        );
        assert_eq!(
            ok("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(ok("http://127.1.2.3:1").unwrap(), "http://127.1.2.3:1/");
        assert_eq!(ok("http://localhost:9").unwrap(), "http://localhost:9/");
        assert_eq!(ok("http://[::1]:9").unwrap(), "http://[::1]:9/");
        assert!(ok("http://example.com").is_err());
        assert!(ok("http://10.0.0.1").is_err());
        assert!(ok("ftp://example.com").is_err());
        assert!(ok("https://x.example.com/?a=1").is_err());
        assert!(ok("not a url").is_err());
        let e = base_url("https://user:hunter2@example.com", Origin::Flag).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("hunter2"));
    }

    #[test]
    fn booleans_like_go() {
        for t in ["1", "t", "TRUE", "True"] {
            assert!(boolean("--x", t, Origin::Flag).unwrap());
        }
        for f in ["0", "f", "false"] {
            assert!(!boolean("--x", f, Origin::Flag).unwrap());
        }
        assert!(boolean("--x", "yes", Origin::Flag).is_err());
    }

    #[test]
    fn output_file_checks_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(output_file(&dir.path().join("s.c1z"), Origin::Flag).is_ok());
        assert!(output_file(dir.path(), Origin::Flag).is_err());
        let missing = dir.path().join("missing/s.c1z");
        assert!(matches!(
            output_file(&missing, Origin::Flag),
            Err(UsageError::File {
                source: Some(_),
                ..
            })
        ));
        let file = dir.path().join("plain");
        std::fs::write(&file, b"x").unwrap();
        assert!(output_file(&file.join("s.c1z"), Origin::Flag).is_err());
        // The probe leaves nothing behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn output_file_in_a_read_only_directory_is_refused() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        // root ignores directory permissions, so the check cannot be observed there.
        if std::fs::metadata(dir.path()).unwrap().uid() == 0 {
            return;
        }
        let ro = dir.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let err = output_file(&ro.join("s.c1z"), Origin::Flag).unwrap_err();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(err.to_string().ends_with("is not writable"), "{err}");
    }

    #[test]
    fn input_file_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        assert!(input_file(&dir.path().join("nope.c1z"), Origin::Flag).is_err());
        assert!(input_file(dir.path(), Origin::Flag).is_err());
    }
}
