//! Usage errors seen from outside: message on stderr, nothing on stdout, exit code 2, and
//! nothing attempted (no file written).

use crate::support::{redact_dir, run, SECRET_KEY};

/// (snapshot name, arguments, environment)
type Case<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);

#[test]
fn usage_errors_exit_2_with_their_message() {
    let k = SECRET_KEY;
    let cases: &[Case] = &[
        ("missing_api_key", &[], &[]),
        (
            "bad_data_center_env",
            &[],
            &[
                ("BATON_WORKATO_API_KEY", k),
                ("BATON_WORKATO_DATA_CENTER", "uk"),
            ],
        ),
        (
            "http_base_url",
            &["--workato-base-url", "http://proxy.example.com"],
            &[("BATON_WORKATO_API_KEY", k)],
        ),
        (
            "service_mode",
            &["--client-id", "cid", "--client-secret", k],
            &[],
        ),
        (
            "conflicting_provisioning",
            &[
                "--revoke-grant",
                "g",
                "--delete-resource",
                "1",
                "--delete-resource-type",
                "collaborator",
            ],
            &[],
        ),
        (
            "incomplete_grant",
            &["--grant-entitlement", "role:Admin:collaborator-has"],
            &[],
        ),
        (
            "provisioning_without_c1z",
            &["--revoke-grant", "g"],
            &[("BATON_WORKATO_API_KEY", k)],
        ),
        ("inspect_without_c1z", &["inspect", "grants"], &[]),
        (
            "inspect_bad_principal",
            &["inspect", "grants", "--principal", "1000", "-f", "{GO_C1Z}"],
            &[],
        ),
        (
            "inspect_filter_does_not_apply",
            &[
                "inspect",
                "resource-types",
                "--entitlement",
                "x",
                "-f",
                "{GO_C1Z}",
            ],
            &[],
        ),
        ("unknown_flag", &["--workato-api-token", "x"], &[]),
        ("unknown_subcommand", &["synchronize"], &[]),
    ];
    let go_c1z = crate::support::fixture("workato-small.c1z")
        .display()
        .to_string();
    for (name, args, env) in cases {
        let dir = tempfile::tempdir().unwrap();
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "{GO_C1Z}" { go_c1z.as_str() } else { a })
            .collect();
        let out = run(dir.path(), &args, env);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{name}");
        assert!(!out.stderr.contains(k), "{name} leaks the key");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{name}: a usage error must not write anything"
        );
        let stderr = redact_dir(&out.stderr, dir.path()).replace(&go_c1z, "[GO_C1Z]");
        insta::assert_snapshot!(
            format!("usage_{name}"),
            format!("exit code: {}\n{stderr}", out.code)
        );
    }
}
