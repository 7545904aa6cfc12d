//! `inspect` on a c1z written by the Go connector
//! (`baton-model/tests/fixtures/workato-small.c1z`): tables as snapshots, JSON equal to what the
//! Go `baton` CLI printed for the same file.

use std::path::PathBuf;

use crate::support::{fixture, run};

fn go_c1z() -> String {
    fixture("workato-small.c1z").display().to_string()
}

/// What `baton <what> -o json` (Go, v0.7.27) printed for the fixture.
fn go_json(what: &str) -> serde_json::Value {
    let path: PathBuf = fixture(&format!("workato-small.{what}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn inspect(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = go_c1z();
    let mut argv = vec!["inspect"];
    argv.extend_from_slice(args);
    argv.extend_from_slice(&["-f", &file]);
    let out = run(dir.path(), &argv, &[]);
    assert_eq!(out.code, 0, "{argv:?}: {}", out.stderr);
    assert_eq!(out.stderr, "", "{argv:?}");
    out.stdout
}

#[test]
fn json_listings_equal_the_go_cli() {
    for what in ["resources", "entitlements", "grants"] {
        let ours: serde_json::Value =
            serde_json::from_str(&inspect(&[what, "-o", "json"])).unwrap();
        assert_eq!(ours, go_json(what), "inspect {what} -o json");
    }
}

#[test]
fn tables() {
    let cases: &[(&str, &[&str])] = &[
        ("go_resource_types", &["resource-types"]),
        ("go_roles", &["resources", "--resource-type", "role"]),
        (
            "go_role_entitlements",
            &["entitlements", "--resource", "role:1001"],
        ),
        (
            "go_grants_of_collaborator_1",
            &["grants", "--principal", "collaborator:1"],
        ),
        (
            "go_grants_of_admin",
            &["grants", "--entitlement", "role:Admin:collaborator-has"],
        ),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(*name, inspect(args));
    }
}

#[test]
fn json_filters() {
    let out = inspect(&[
        "grants",
        "-o",
        "json",
        "--resource",
        "Analyst",
        "--resource-type",
        "role",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let grants = v["grants"].as_array().unwrap();
    assert!(!grants.is_empty());
    for g in grants {
        assert_eq!(g["resource"]["id"]["resource"], "Analyst", "{g}");
        assert_eq!(g["resourceType"]["id"], "role");
    }
    let none = inspect(&[
        "grants",
        "-o",
        "json",
        "--entitlement",
        "role:Nobody:collaborator-has",
    ]);
    assert_eq!(none, "{}\n");
    let types = inspect(&[
        "resource-types",
        "-o",
        "json",
        "--resource-type",
        "collaborator",
    ]);
    insta::assert_snapshot!("go_resource_type_collaborator_json", types);
}

#[test]
fn a_file_that_is_not_a_c1z_fails_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sync.c1z"), b"not a c1z at all").unwrap();
    let out = run(dir.path(), &["inspect", "resources"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: cannot read sync.c1z: not a c1z file: bad magic\n"
    );
}
