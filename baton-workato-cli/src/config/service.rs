//! Service-mode settings: the ConductorOne client credentials (their presence selects service
//! mode) and the flags only service mode reads, merged and checked like every other setting.

use std::path::PathBuf;

use baton_service::{ClientId, ClientSecret, ServiceConfig, TaskConcurrency};
use workato_api::ApiToken;

use super::sources::Sources;
use super::Env;
use crate::validation::UsageError;

/// `--client-id` and `--client-secret` from the command line, environment or config file.
/// `None` when no client id is set (one-shot mode). A client id without a secret, a secret
/// without a client id, or a malformed value is a usage error that names the flag and where the
/// value came from, never the secret itself.
pub(super) fn credentials(
    src: &Sources<'_>,
    client_id: Option<String>,
    client_secret: Option<ApiToken>,
) -> Result<Option<(ClientId, ClientSecret)>, UsageError> {
    let id = src
        .scalar(client_id, "client-id")?
        .filter(|(v, _)| !v.trim().is_empty());
    let secret = src
        .scalar(
            client_secret.map(|s| s.expose().to_string()),
            "client-secret",
        )?
        .filter(|(v, _)| !v.trim().is_empty());
    let (id, secret) = match (id, secret) {
        (None, None) => return Ok(None),
        (None, Some(_)) => {
            return Err(UsageError::Incomplete {
                flag: "--client-secret",
                missing: "--client-id (BATON_CLIENT_ID): both select service mode".into(),
            })
        }
        (Some(_), None) => {
            return Err(UsageError::Incomplete {
                flag: "--client-id",
                missing: "--client-secret (BATON_CLIENT_SECRET): service mode needs both".into(),
            })
        }
        (Some(id), Some(secret)) => (id, secret),
    };
    let client_id =
        id.0.trim()
            .parse::<ClientId>()
            .map_err(|e| UsageError::Invalid {
                flag: "--client-id",
                origin: id.1,
                reason: e.to_string(),
            })?;
    // The error names what is wrong, never the value.
    let client_secret =
        secret
            .0
            .trim()
            .parse::<ClientSecret>()
            .map_err(|e| UsageError::Invalid {
                flag: "--client-secret",
                origin: secret.1,
                reason: e.to_string(),
            })?;
    Ok(Some((client_id, client_secret)))
}

/// `--task-concurrency`: 1 to 100, default 3.
pub(super) fn task_concurrency(
    src: &Sources<'_>,
    flag: Option<String>,
) -> Result<TaskConcurrency, UsageError> {
    match src.scalar(flag, "task-concurrency")? {
        None => Ok(TaskConcurrency::default()),
        Some((v, origin)) => {
            v.parse()
                .map_err(|e: baton_service::ConfigError| UsageError::Invalid {
                    flag: "--task-concurrency",
                    origin,
                    reason: e.to_string(),
                })
        }
    }
}

/// `--c1z-temp-dir`: must be an existing directory, as in baton.
pub(super) fn temp_dir(
    src: &Sources<'_>,
    flag: Option<PathBuf>,
) -> Result<Option<PathBuf>, UsageError> {
    let Some((dir, origin)) = src.scalar(
        flag.map(|p| p.to_string_lossy().into_owned()),
        "c1z-temp-dir",
    )?
    else {
        return Ok(None);
    };
    let path = PathBuf::from(dir);
    if !path.is_dir() {
        return Err(UsageError::Invalid {
            flag: "--c1z-temp-dir",
            origin,
            reason: format!(
                "{} does not exist or is not a directory; create it (and make it writable) first",
                path.display()
            ),
        });
    }
    Ok(Some(path))
}

/// Everything service mode needs, from the credentials plus `BATON_C1_API_HOST` and
/// `BATON_HOST_ID` (environment only, as in baton-sdk).
pub(super) fn service_config(
    credentials: (ClientId, ClientSecret),
    env: &Env,
) -> Result<ServiceConfig, UsageError> {
    let (id, secret) = credentials;
    let var = |name: &str| env.get(name).cloned();
    ServiceConfig::new(id, secret)
        .package(crate::service::PACKAGE, env!("CARGO_PKG_VERSION"))
        .api_host(var(baton_service::ENV_C1_API_HOST))
        .and_then(|c| c.host_id(var(baton_service::ENV_HOST_ID)))
        .map_err(UsageError::Service)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config_file::ConfigFile;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn no_client_id_means_one_shot() {
        let file = ConfigFile::default();
        let e = env(&[]);
        let src = Sources {
            env: &e,
            file: &file,
        };
        assert!(credentials(&src, None, None).expect("ok").is_none());
        assert!(credentials(&src, Some(" ".into()), None)
            .expect("blank is unset")
            .is_none());
    }

    #[test]
    fn malformed_values_name_the_variable_not_the_secret() {
        let file = ConfigFile::default();
        let bad = "secret-token:conductorone.com:v1:NOT-A-KEY-0123456789";
        let e = env(&[
            ("BATON_CLIENT_ID", "c@tenant.example/pcc"),
            ("BATON_CLIENT_SECRET", bad),
        ]);
        let src = Sources {
            env: &e,
            file: &file,
        };
        let err = credentials(&src, None, None)
            .expect_err("bad secret")
            .to_string();
        assert!(err.contains("BATON_CLIENT_SECRET"), "{err}");
        assert!(!err.contains("NOT-A-KEY"), "{err}");

        let e = env(&[
            ("BATON_CLIENT_ID", "no-at-sign"),
            ("BATON_CLIENT_SECRET", bad),
        ]);
        let src = Sources {
            env: &e,
            file: &file,
        };
        let err = credentials(&src, None, None)
            .expect_err("bad id")
            .to_string();
        assert!(err.contains("--client-id (from BATON_CLIENT_ID)"), "{err}");
    }

    #[test]
    fn credentials_come_in_pairs() {
        let file = ConfigFile::default();
        let e = env(&[("BATON_CLIENT_ID", "c@tenant.example/pcc")]);
        let src = Sources {
            env: &e,
            file: &file,
        };
        let err = credentials(&src, None, None)
            .expect_err("no secret")
            .to_string();
        assert!(err.contains("--client-secret"), "{err}");
        let e = env(&[]);
        let src = Sources {
            env: &e,
            file: &file,
        };
        let err = credentials(&src, None, Some(ApiToken::new("s")))
            .expect_err("no id")
            .to_string();
        assert!(err.contains("--client-id"), "{err}");
    }

    #[test]
    fn task_concurrency_and_temp_dir_are_checked() {
        let file = ConfigFile::default();
        let e = env(&[("BATON_TASK_CONCURRENCY", "0")]);
        let src = Sources {
            env: &e,
            file: &file,
        };
        let err = task_concurrency(&src, None).expect_err("0").to_string();
        assert!(
            err.contains("--task-concurrency (from BATON_TASK_CONCURRENCY)"),
            "{err}"
        );
        assert_eq!(
            task_concurrency(&src, Some("7".into())).expect("7").get(),
            7
        );
        let err = temp_dir(&src, Some("/does/not/exist".into()))
            .expect_err("missing dir")
            .to_string();
        assert!(err.contains("--c1z-temp-dir"), "{err}");
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            temp_dir(&src, Some(dir.path().to_path_buf())).expect("exists"),
            Some(dir.path().to_path_buf())
        );
    }

    /// Whole-configuration merges: the credentials select service mode from the command line,
    /// the environment or `.baton.yaml`, and the service flags reach the settings.
    mod merged {
        use clap::Parser;

        use super::env;
        use crate::args::Cli;
        use crate::config::{Action, Config};
        use crate::config_file::ConfigFile;

        fn merge(args: &[&str], pairs: &[(&str, &str)], yaml: &str) -> Config {
            let mut argv = vec!["baton-workato"];
            argv.extend_from_slice(args);
            let cli = Cli::try_parse_from(argv).expect("arguments parse");
            let file = ConfigFile::parse(std::path::Path::new("/cfg/.baton.yaml"), yaml)
                .expect("yaml parses");
            Config::from_sources(cli, &env(pairs), &file).expect("valid configuration")
        }

        #[test]
        fn the_config_file_can_select_service_mode() {
            let (secret, _) = baton_service::mint_client_secret().expect("mint");
            let yaml = format!(
                "workato-api-key: k\nclient-id: c@tenant.example.test/pcc\nclient-secret: {secret}\nprovisioning: true\ntask-concurrency: 5\n"
            );
            let c = merge(&[], &[], &yaml);
            assert_eq!(c.action, Action::Service);
            let s = c.service.expect("service settings");
            assert_eq!(s.client_id.as_str(), "c@tenant.example.test/pcc");
            assert!(s.provisioning);
            assert_eq!(s.task_concurrency.get(), 5);
            assert!(
                !format!("{s:?}").contains(&secret[40..]),
                "Debug hides the secret"
            );
        }

        #[test]
        fn environment_overrides_reach_the_service_settings() {
            let (secret, _) = baton_service::mint_client_secret().expect("mint");
            let dir = tempfile::tempdir().expect("tempdir");
            let temp = dir.path().to_str().expect("utf-8 path");
            let c = merge(
                &["--ticketing", "--c1z-temp-dir", temp, "--skip-full-sync"],
                &[
                    ("BATON_WORKATO_API_KEY", "k"),
                    ("BATON_CLIENT_ID", "c@tenant.example.test/pcc"),
                    ("BATON_CLIENT_SECRET", &secret),
                    ("BATON_C1_API_HOST", "127.0.0.1:8443"),
                    ("BATON_HOST_ID", "k8s-node"),
                    ("BATON_SYNC_RESOURCE_TYPES", "collaborator,role"),
                ],
                "",
            );
            let s = c.service.expect("service settings");
            assert_eq!(s.target_host(), "127.0.0.1:8443");
            assert_eq!(s.client_id.audience(), "tenant.example.test");
            assert_eq!(s.host_id.as_deref(), Some("k8s-node"));
            assert!(s.ticketing && s.skip_full_sync && !s.provisioning);
            assert_eq!(s.temp_dir.as_deref(), Some(dir.path()));
            assert_eq!(s.sync_resource_types, ["collaborator", "role"]);
            assert_eq!(s.task_concurrency.get(), 3);
        }

        #[test]
        fn one_shot_flags_are_ignored_in_service_mode_with_a_warning() {
            let (secret, _) = baton_service::mint_client_secret().expect("mint");
            let c = merge(
                &[
                    "--revoke-grant",
                    "role:Admin:collaborator-has:collaborator:1",
                ],
                &[
                    ("BATON_WORKATO_API_KEY", "k"),
                    ("BATON_CLIENT_ID", "c@tenant.example.test/pcc"),
                    ("BATON_CLIENT_SECRET", &secret),
                ],
                "",
            );
            assert_eq!(c.action, Action::Service);
            assert!(c
                .warnings
                .iter()
                .any(|w| w.contains("ignores the one-shot revoke")));
        }

        #[test]
        fn subcommands_do_not_look_at_the_credentials() {
            let c = merge(&["capabilities"], &[("BATON_CLIENT_ID", "not-an-id")], "");
            assert_eq!(c.action, Action::Capabilities);
            assert!(c.service.is_none());
        }
    }
}
