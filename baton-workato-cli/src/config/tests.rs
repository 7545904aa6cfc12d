//! Merging: flag > environment > config file > default, the API key sources, and secrecy.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use clap::Parser;
use workato_api::DataCenter;
use workato_connector::env::{EnvScope, Environment};

use super::sources::Sources;
use super::{api_key, Action, ApiKeySource, Config, Env, Provision};
use crate::args::Cli;
use crate::config_file::ConfigFile;
use crate::logging::{LogFormat, LogLevel};
use crate::validation::UsageError;

/// (arguments, environment, config file YAML)
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

const KEY: &str = "wrk-SECRET-77c1";

fn env(pairs: &[(&str, &str)]) -> Env {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn file(yaml: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("/cfg/.baton.yaml"), yaml).unwrap()
}

/// Builds a config for a sync writing into a fresh temp dir (kept alive by the caller).
fn build(
    args: &[&str],
    env_pairs: &[(&str, &str)],
    yaml: &str,
) -> (Result<Config, UsageError>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sync.c1z");
    let mut argv = vec!["baton-workato", "-f", out.to_str().unwrap()];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    (Config::from_sources(cli, &env(env_pairs), &file(yaml)), dir)
}

/// Where [`api_key::resolve`] finds the key for these sources.
fn key_source(args: &[&str], env_pairs: &[(&str, &str)], yaml: &str) -> ApiKeySource {
    let mut argv = vec!["baton-workato"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    let (env, file) = (env(env_pairs), file(yaml));
    let src = Sources {
        env: &env,
        file: &file,
    };
    api_key::resolve(&src, cli.workato_api_key, cli.workato_api_key_file)
        .unwrap()
        .1
}

fn ok(args: &[&str], env_pairs: &[(&str, &str)], yaml: &str) -> Config {
    let (c, _dir) = build(args, env_pairs, yaml);
    c.unwrap()
}

#[test]
fn defaults() {
    let c = ok(&[], &[("BATON_WORKATO_API_KEY", KEY)], "");
    assert_eq!(c.data_center, DataCenter::Us);
    assert_eq!(c.env, EnvScope::Single(Environment::Dev));
    assert_eq!(c.base_url, None);
    assert_eq!(
        crate::connect::client(&c).unwrap().base_url().as_str(),
        "https://www.workato.com/"
    );
    assert!(!c.disable_custom_roles_sync);
    assert_eq!(c.log_level, LogLevel::Info);
    assert_eq!(c.log_format, LogFormat::Json);
    assert_eq!(c.revoke_baseline_role, "NoAccess");
    assert!(c.sync_resource_types.is_empty());
    assert_eq!(c.action, Action::Sync);
    assert_eq!(
        key_source(&[], &[("BATON_WORKATO_API_KEY", KEY)], ""),
        ApiKeySource::Env
    );
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn flag_beats_env_beats_file_for_every_kind_of_setting() {
    let yaml = "workato-api-key: from-file\nworkato-data-center: au\nworkato-env: test\n\
                disable-custom-roles-sync: true\nsync-resource-types: [folder]\n\
                revoke-baseline-role: Analyst\nlog-format: console\n";
    // File only.
    let c = ok(&[], &[], yaml);
    assert_eq!(c.data_center, DataCenter::Au);
    assert_eq!(c.env, EnvScope::Single(Environment::Test));
    assert!(c.disable_custom_roles_sync);
    assert_eq!(c.sync_resource_types, ["folder"]);
    assert_eq!(c.revoke_baseline_role, "Analyst");
    assert_eq!(c.log_format, LogFormat::Console);
    assert_eq!(c.api_key.as_ref().unwrap().expose(), "from-file");
    assert_eq!(key_source(&[], &[], yaml), ApiKeySource::ConfigFile);

    // Environment over file.
    let e = [
        ("BATON_WORKATO_API_KEY", "from-env"),
        ("BATON_WORKATO_DATA_CENTER", "jp"),
        ("BATON_WORKATO_ENV", "prod"),
        ("BATON_DISABLE_CUSTOM_ROLES_SYNC", "false"),
        ("BATON_SYNC_RESOURCE_TYPES", "role, collaborator"),
        ("BATON_REVOKE_BASELINE_ROLE", "Operator"),
        ("BATON_LOG_FORMAT", "json"),
    ];
    let c = ok(&[], &e, yaml);
    assert_eq!(c.data_center, DataCenter::Jp);
    assert_eq!(c.env, EnvScope::Single(Environment::Prod));
    assert!(!c.disable_custom_roles_sync);
    assert_eq!(c.sync_resource_types, ["role", "collaborator"]);
    assert_eq!(c.revoke_baseline_role, "Operator");
    assert_eq!(c.log_format, LogFormat::Json);
    assert_eq!(c.api_key.as_ref().unwrap().expose(), "from-env");

    // Flags over environment.
    let c = ok(
        &[
            "--workato-api-key",
            "from-flag",
            "--workato-data-center",
            "EU",
            "--workato-env",
            "all",
            "--disable-custom-roles-sync",
            "--sync-resource-types",
            "privilege,project",
            "--revoke-baseline-role",
            "Admin",
            "--log-format",
            "console",
        ],
        &e,
        yaml,
    );
    assert_eq!(c.data_center, DataCenter::Eu);
    assert_eq!(c.env, EnvScope::All);
    assert!(c.disable_custom_roles_sync);
    assert_eq!(c.sync_resource_types, ["privilege", "project"]);
    assert_eq!(c.revoke_baseline_role, "Admin");
    assert_eq!(c.log_format, LogFormat::Console);
    assert_eq!(c.api_key.as_ref().unwrap().expose(), "from-flag");
    assert_eq!(
        key_source(&["--workato-api-key", "from-flag"], &e, yaml),
        ApiKeySource::Flag
    );
    assert!(c
        .warnings
        .iter()
        .any(|w| w.contains("--workato-api-key-file")));
}

#[test]
fn explicit_false_flag_beats_true_env() {
    let c = ok(
        &["--disable-custom-roles-sync=false", "-p=true"],
        &[
            ("BATON_WORKATO_API_KEY", KEY),
            ("BATON_DISABLE_CUSTOM_ROLES_SYNC", "true"),
            ("BATON_PROVISIONING", "false"),
        ],
        "",
    );
    assert!(!c.disable_custom_roles_sync);
    // `-p` is validated like every boolean, though nothing reads it outside service mode.
    let cli = Cli::try_parse_from(["baton-workato", "-p=true"]).unwrap();
    assert_eq!(cli.provisioning, Some(true));
    let (bad, _dir) = build(
        &[],
        &[
            ("BATON_WORKATO_API_KEY", KEY),
            ("BATON_PROVISIONING", "maybe"),
        ],
        "",
    );
    assert!(bad.is_err());
}

#[test]
fn empty_env_var_counts_as_unset() {
    let c = ok(
        &[],
        &[("BATON_WORKATO_API_KEY", KEY), ("BATON_WORKATO_ENV", "")],
        "workato-env: prod\n",
    );
    assert_eq!(c.env, EnvScope::Single(Environment::Prod));
}

#[test]
fn api_key_from_a_file_is_trimmed_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("  {KEY}\n")).unwrap();
    let k = key_file.to_str().unwrap();

    let from_flag = ok(&["--workato-api-key-file", k], &[], "");
    let from_env = ok(&[], &[("BATON_WORKATO_API_KEY_FILE", k)], "");
    let from_yaml = ok(&[], &[], &format!("workato-api-key-file: {k}\n"));
    for c in [&from_flag, &from_env, &from_yaml] {
        assert_eq!(c.api_key.as_ref().unwrap().expose(), KEY);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let debug = format!("{c:?} {c:#?}");
        assert!(!debug.contains(KEY), "{debug}");
        assert!(debug.contains("ApiToken(***)"));
    }
    let from_file = ApiKeySource::KeyFile(key_file.clone());
    assert_eq!(
        key_source(&["--workato-api-key-file", k], &[], ""),
        from_file
    );
    assert_eq!(
        key_source(&[], &[("BATON_WORKATO_API_KEY_FILE", k)], ""),
        from_file
    );
    assert_eq!(
        key_source(&[], &[], &format!("workato-api-key-file: {k}\n")),
        from_file
    );
    // A key file on the command line wins over a key in the environment.
    let c = ok(
        &["--workato-api-key-file", k],
        &[("BATON_WORKATO_API_KEY", "env")],
        "",
    );
    assert_eq!(c.api_key.as_ref().unwrap().expose(), KEY);
}

#[test]
fn the_key_never_appears_in_errors_or_debug_output() {
    let cases: &[Case] = &[
        (&["--workato-api-key", KEY, "--workato-env", "x"], &[], ""),
        (&["--workato-api-key", KEY, "--client-secret", KEY], &[], ""),
        (
            &[],
            &[
                ("BATON_WORKATO_API_KEY", KEY),
                ("BATON_WORKATO_DATA_CENTER", "x"),
            ],
            "",
        ),
        (
            &[],
            &[],
            &format!("workato-api-key: {KEY}\nworkato-base-url: http://x.example\n"),
        ),
        (
            &["--workato-api-key", KEY, "--workato-api-key-file", "k"],
            &[],
            "",
        ),
    ];
    for (args, e, yaml) in cases {
        let (result, _dir) = build(args, e, yaml);
        let err = result.unwrap_err();
        let plain = format!("{err} | {err:?}");
        let text = format!("{plain} | {:#}", anyhow::Error::new(err));
        assert!(!text.contains(KEY), "{text}");
    }
    let cli = Cli::try_parse_from(["baton-workato", "--workato-api-key", KEY]).unwrap();
    assert!(!format!("{cli:?}").contains(KEY));
}

#[test]
fn one_shot_operations_become_actions() {
    let dir = tempfile::tempdir().unwrap();
    let c1z = dir.path().join("sync.c1z");
    std::fs::write(&c1z, b"c1z").unwrap();
    let f = c1z.to_str().unwrap();
    let parse = |extra: &[&str]| {
        let mut argv = vec!["baton-workato", "-f", f, "--workato-api-key", KEY];
        argv.extend_from_slice(extra);
        Config::from_sources(Cli::try_parse_from(argv).unwrap(), &Env::new(), &file(""))
            .unwrap()
            .action
    };
    assert_eq!(
        parse(&[
            "--grant-entitlement",
            "role:1:member",
            "--grant-principal",
            "1000",
            "--grant-principal-type",
            "collaborator"
        ]),
        Action::Provision(Provision::Grant {
            entitlement: "role:1:member".into(),
            principal: "1000".into(),
            principal_type: "collaborator".into()
        })
    );
    assert_eq!(
        parse(&["--revoke-grant", "g1"]),
        Action::Provision(Provision::Revoke { grant: "g1".into() })
    );
    let Action::Provision(Provision::CreateAccount {
        email,
        login,
        profile_json,
    }) = parse(&[
        "--create-account-email",
        "ada@example.com",
        "--create-account-profile",
        r#"{"name":"Ada"}"#,
    ])
    else {
        panic!("not create-account")
    };
    assert_eq!(email, "ada@example.com");
    assert_eq!(login, None);
    assert_eq!(profile_json["name"], "Ada");
    assert_eq!(
        parse(&[
            "--delete-resource",
            "1000",
            "--delete-resource-type",
            "collaborator"
        ]),
        Action::Provision(Provision::Delete {
            id: "1000".into(),
            resource_type: "collaborator".into()
        })
    );
}

#[test]
fn one_shot_operations_are_not_read_from_the_environment() {
    let c = ok(
        &[],
        &[("BATON_WORKATO_API_KEY", KEY), ("BATON_REVOKE_GRANT", "g1")],
        "revoke-grant: g1\n",
    );
    assert_eq!(c.action, Action::Sync);
    assert!(c
        .warnings
        .iter()
        .any(|w| w.contains("unknown keys: revoke-grant")));
}

#[test]
fn subcommands_need_no_api_key_and_ignore_service_mode_settings() {
    let cli = Cli::try_parse_from(["baton-workato", "capabilities"]).unwrap();
    let c = Config::from_sources(cli, &env(&[("BATON_CLIENT_ID", "x")]), &file("")).unwrap();
    assert_eq!(c.action, Action::Capabilities);
    assert!(c.api_key.is_none());
    assert!(matches!(
        c.require_api_key(),
        Err(UsageError::MissingApiKey)
    ));
}

#[test]
fn every_setting_key_is_a_long_flag() {
    let cmd = crate::command(None);
    let longs: Vec<&str> = cmd.get_arguments().filter_map(|a| a.get_long()).collect();
    for key in super::SETTING_KEYS {
        assert!(longs.contains(key), "{key}");
    }
    for f in crate::schema::FIELDS {
        assert!(longs.contains(&f.name), "{}", f.name);
    }
}
