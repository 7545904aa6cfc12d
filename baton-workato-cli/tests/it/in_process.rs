//! The command line run in-process: help, the `config` schema, usage errors and exit codes.

use baton_workato_cli::{run_with, Capture, Env, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

/// (snapshot name, arguments, environment)
type NamedCase<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);

const KEY: &str = "wrk-SECRET-4f9a";

struct Out {
    code: u8,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut argv = vec!["baton-workato"];
    argv.extend_from_slice(args);
    let env: Env = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let err = Capture::default();
    let mut out = Vec::new();
    let code = run_with(argv, &env, &mut out, err.clone());
    Out {
        code,
        stdout: String::from_utf8(out).unwrap(),
        stderr: err.contents(),
    }
}

#[test]
fn help_snapshots() {
    let cases: &[(&str, &[&str])] = &[
        ("help_top", &["--help"]),
        ("help_capabilities", &["capabilities", "--help"]),
        ("help_config", &["config", "--help"]),
        ("help_inspect", &["inspect", "--help"]),
        ("help_demo", &["demo", "--help"]),
        ("help_completion", &["completion", "--help"]),
    ];
    for (name, args) in cases {
        let out = run(args, &[]);
        assert_eq!(out.code, EXIT_OK, "{name}: {}", out.stderr);
        assert_eq!(out.stderr, "", "{name}");
        insta::assert_snapshot!(*name, out.stdout);
    }
}

#[test]
fn config_subcommand_prints_the_schema() {
    let out = run(&["config"], &[]);
    assert_eq!(out.code, EXIT_OK, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["fields"][0]["name"], "workato-api-key");
    assert_eq!(v["fields"][0]["secret"], true);
    insta::assert_snapshot!("config_schema", out.stdout);
}

#[test]
fn completion_prints_a_script() {
    let out = run(&["completion", "zsh"], &[]);
    assert_eq!(out.code, EXIT_OK, "{}", out.stderr);
    assert!(
        out.stdout.contains("#compdef baton-workato"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("--workato-env"));
    let bad = run(&["completion", "tcsh"], &[]);
    assert_eq!(bad.code, EXIT_USAGE);
}

/// Usage errors: message and exit code. Cases that need an API key get one, so the error shown
/// is the one the case is about. The cases `usage.rs` runs through the real binary are not
/// repeated here.
#[test]
fn usage_errors() {
    let k = KEY;
    let cases: &[NamedCase] = &[
        (
            "bad_data_center",
            &["--workato-api-key", k, "--workato-data-center", "mars"],
            &[],
        ),
        (
            "bad_env",
            &["--workato-api-key", k, "--workato-env", "staging"],
            &[],
        ),
        (
            "base_url_not_a_url",
            &[
                "--workato-api-key",
                k,
                "--workato-base-url",
                "www.workato.com",
            ],
            &[],
        ),
        (
            "output_dir_missing",
            &["--workato-api-key", k, "-f", "missing-dir/sync.c1z"],
            &[],
        ),
        (
            "output_dir_is_a_file",
            &["--workato-api-key", k, "-f", "Cargo.toml/sync.c1z"],
            &[],
        ),
        (
            "output_is_a_dir",
            &["--workato-api-key", k, "-f", "src"],
            &[],
        ),
        (
            "provisioning_with_subcommand",
            &[
                "--delete-resource",
                "1",
                "--delete-resource-type",
                "collaborator",
                "capabilities",
            ],
            &[],
        ),
        (
            "incomplete_grant_type",
            &[
                "--grant-entitlement",
                "role:1:member",
                "--grant-principal",
                "1000",
            ],
            &[],
        ),
        (
            "grant_without_entitlement",
            &["--grant-principal", "1000"],
            &[],
        ),
        ("incomplete_delete", &["--delete-resource", "1000"], &[]),
        (
            "create_account_without_email",
            &["--create-account-login", "ada"],
            &[],
        ),
        (
            "create_account_bad_profile",
            &[
                "--create-account-email",
                "ada@example.com",
                "--create-account-profile",
                "[1]",
            ],
            &[],
        ),
        (
            "api_key_file_missing",
            &["--workato-api-key-file", "no-such-key.txt"],
            &[],
        ),
        (
            "api_key_and_key_file",
            &["--workato-api-key", k, "--workato-api-key-file", "key.txt"],
            &[],
        ),
        ("empty_api_key", &["--workato-api-key", " "], &[]),
        (
            "service_mode_client_id",
            &["--client-id", "cid", "--client-secret", k],
            &[],
        ),
        ("service_mode_client_secret", &["--client-secret", k], &[]),
        ("service_mode_env", &[], &[("BATON_CLIENT_ID", "cid")]),
        (
            // The secret's key part is the API key text: the leak check below covers it.
            "service_mode_bad_secret_env",
            &["--workato-api-key", k],
            &[
                ("BATON_CLIENT_ID", "connector@tenant.example.test/pcc"),
                (
                    "BATON_CLIENT_SECRET",
                    "secret-token:conductorone.com:v1:wrk-SECRET-4f9a",
                ),
            ],
        ),
        (
            "service_mode_task_concurrency",
            &["--workato-api-key", k, "--task-concurrency", "101"],
            &[],
        ),
        (
            "bad_log_level",
            &["--workato-api-key", k, "--log-level", "loud"],
            &[],
        ),
        (
            "bad_log_format",
            &["--workato-api-key", k, "--log-format", "xml"],
            &[],
        ),
        (
            "bad_bool_env",
            &["--workato-api-key", k],
            &[("BATON_DISABLE_CUSTOM_ROLES_SYNC", "maybe")],
        ),
        (
            "rate_limit_zero",
            &["--workato-api-key", k, "--workato-rate-limit", "0"],
            &[],
        ),
        (
            "rate_limit_not_a_number_env",
            &["--workato-api-key", k],
            &[("BATON_WORKATO_RATE_LIMIT", "sixty")],
        ),
        (
            "empty_baseline_role",
            &["--workato-api-key", k, "--revoke-baseline-role", ""],
            &[],
        ),
        (
            "config_path_not_yaml",
            &["--workato-api-key", k],
            &[("BATON_CONFIG_PATH", "settings.toml")],
        ),
        (
            "config_path_missing",
            &["--workato-api-key", k],
            &[("BATON_CONFIG_PATH", "no-such-config.yaml")],
        ),
        (
            "bad_inspect_output",
            &["inspect", "grants", "-o", "xml"],
            &[],
        ),
    ];
    for (name, args, env) in cases {
        let out = run(args, env);
        assert_eq!(out.code, EXIT_USAGE, "{name}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{name}");
        assert!(
            !out.stderr.contains(KEY),
            "{name} leaks the key: {}",
            out.stderr
        );
        insta::assert_snapshot!(
            format!("usage_{name}"),
            format!("exit code: {}\n{}", out.code, out.stderr)
        );
    }
}

/// A fake Workato server on its own runtime, so `run_with` (which starts a runtime of its own)
/// is called outside any async context while the fake keeps serving.
fn fake() -> (tokio::runtime::Runtime, workato_api::fake::FakeWorkato) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let fake = rt
        .block_on(workato_api::fake::FakeWorkato::start(
            workato_api::fake::Seed::default_workspace(),
        ))
        .unwrap();
    (rt, fake)
}

#[test]
fn loopback_http_base_url_is_accepted_and_syncs() {
    let (_rt, fake) = fake();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.c1z");
    let port = fake.addr().port();
    for url in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}/"),
    ] {
        let out = run(
            &["--workato-base-url", &url, "-f", file.to_str().unwrap()],
            &[("BATON_WORKATO_API_KEY", fake.token())],
        );
        assert_eq!(out.code, EXIT_OK, "{url}: {}", out.stderr);
        assert!(out.stdout.starts_with("synced "), "{}", out.stdout);
        assert!(file.exists());
    }
}

#[test]
fn runtime_errors_print_once_with_exit_1_and_logs_never_show_the_key() {
    let (_rt, fake) = fake();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.c1z");
    let out = run(
        &[
            "--workato-api-key",
            KEY,
            "--workato-base-url",
            &fake.url(),
            "-f",
            file.to_str().unwrap(),
            "--log-level",
            "debug",
            "--log-format",
            "console",
        ],
        &[],
    );
    // The fake accepts only its own token: 401.
    assert_eq!(out.code, EXIT_FAILED, "{}", out.stderr);
    assert!(!out.stderr.contains(KEY), "{}", out.stderr);
    // The configuration is logged at debug level, with the key redacted.
    assert!(out.stderr.contains("ApiToken(***)"), "{}", out.stderr);
    assert!(
        out.stderr.contains("visible in the process list"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.matches("error:").count(), 1, "{}", out.stderr);
    let last = out.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("error: cannot connect to Workato: ") && last.contains("401"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
    // Nothing was written.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn logs_are_json_by_default_and_the_env_key_gives_no_warning() {
    let (_rt, fake) = fake();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.c1z");
    let out = run(
        &["-f", file.to_str().unwrap(), "--workato-data-center", "eu"],
        &[
            ("BATON_WORKATO_API_KEY", fake.token()),
            ("BATON_WORKATO_BASE_URL", &fake.url()),
            ("BATON_LOG_LEVEL", "debug"),
        ],
    );
    assert_eq!(out.code, EXIT_OK, "{}", out.stderr);
    let log_lines: Vec<serde_json::Value> = out
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let messages: Vec<&str> = log_lines
        .iter()
        .map(|v| v["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages[..2],
        [
            format!(
                "--workato-base-url {}/ overrides --workato-data-center",
                fake.url()
            )
            .as_str(),
            "configuration"
        ]
    );
    assert_eq!(log_lines[0]["level"], "WARN");
    assert!(messages.contains(&"sync finished"), "{messages:?}");
    assert!(!out.stderr.contains(fake.token()));
}

#[test]
fn config_file_from_baton_config_path_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("baton.yml");
    let c1z = dir.path().join("out.c1z");
    std::fs::write(
        &cfg,
        format!(
            "workato-api-key: {KEY}\nworkato-data-center: mars\nfile: {}\n",
            c1z.display()
        ),
    )
    .unwrap();
    let out = run(&[], &[("BATON_CONFIG_PATH", cfg.to_str().unwrap())]);
    assert_eq!(out.code, EXIT_USAGE);
    assert!(
        out.stderr.starts_with(&format!(
            "error: --workato-data-center (from config file {}): \"mars\" is not a data center",
            cfg.display()
        )),
        "{}",
        out.stderr
    );
    // Fixing the data center with the environment (which wins over the file) lets it through
    // to the (fake) server, which refuses the file's key: a runtime failure, not a usage error.
    let (_rt, fake) = fake();
    let out = run(
        &[],
        &[
            ("BATON_CONFIG_PATH", cfg.to_str().unwrap()),
            ("BATON_WORKATO_DATA_CENTER", "eu"),
            ("BATON_WORKATO_BASE_URL", &fake.url()),
        ],
    );
    assert_eq!(out.code, EXIT_FAILED, "{}", out.stderr);
    assert!(!out.stderr.contains(KEY));
}

#[test]
fn version_goes_to_stdout() {
    let out = run(&["--version"], &[]);
    assert_eq!(out.code, EXIT_OK);
    assert_eq!(
        out.stdout,
        format!("baton-workato {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn broken_pipe_exits_0() {
    struct Closed;
    impl std::io::Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = Capture::default();
    let code = run_with(
        ["baton-workato", "config"],
        &Env::new(),
        &mut Closed,
        err.clone(),
    );
    assert_eq!(code, EXIT_OK);
    assert_eq!(err.contents(), "");
}
