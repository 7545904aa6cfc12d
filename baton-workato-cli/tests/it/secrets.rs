//! The API key never appears in stdout, stderr or the c1z, at any log level, in both log
//! formats, for a sync, a provisioning call and a failure.

use crate::support::{
    c1z_payload, fake_with_token, run_env, GRANT_OPERATOR, OPERATOR_GRANT, SECRET_KEY,
};

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(SECRET_KEY), "{what} contains the API key");
    // Nor a recognisable part of it.
    assert!(
        !text.contains("TOPSECRET"),
        "{what} contains part of the API key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_never_leaks() {
    let fake = fake_with_token(SECRET_KEY).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = fake.url();
    for format in ["json", "console"] {
        for (how, args, env) in [
            (
                "env",
                vec![],
                vec![("BATON_WORKATO_API_KEY".to_string(), SECRET_KEY.to_string())],
            ),
            ("flag", vec!["--workato-api-key", SECRET_KEY], vec![]),
        ] {
            let mut env = env.clone();
            env.push(("BATON_WORKATO_BASE_URL".into(), url.clone()));
            let base = ["--log-level", "trace", "--log-format", format];
            let runs: Vec<Vec<&str>> = vec![
                vec![],
                GRANT_OPERATOR.to_vec(),
                // The revoke reads the grant from the c1z: sync it in first.
                vec![],
                vec!["--revoke-grant", OPERATOR_GRANT],
            ];
            for extra in runs {
                let mut argv: Vec<&str> = base.to_vec();
                argv.extend(args.iter().copied());
                argv.extend(extra.iter().copied());
                let out = run_env(d, &argv, &env).await;
                let what = format!("{format}/{how}/{extra:?}");
                assert_eq!(out.code, 0, "{what}: {}", out.stderr);
                // Trace level really logged something (the check is not vacuous).
                assert!(out.stderr.lines().count() > 10, "{what}: {}", out.stderr);
                assert_clean(&format!("{what} stdout"), &out.stdout);
                assert_clean(&format!("{what} stderr"), &out.stderr);
            }
        }
    }
    let c1z = d.join("sync.c1z");
    assert_clean(
        "c1z (compressed)",
        &String::from_utf8_lossy(&std::fs::read(&c1z).unwrap()),
    );
    assert_clean(
        "c1z (decompressed)",
        &String::from_utf8_lossy(&c1z_payload(&c1z)),
    );

    // A failing run (the server rejects a different key) does not echo the key it sent.
    let other = format!("{SECRET_KEY}-wrong");
    let out = run_env(
        d,
        &["--log-level", "trace", "--log-format", "console"],
        &[
            ("BATON_WORKATO_API_KEY".into(), other),
            ("BATON_WORKATO_BASE_URL".into(), url.clone()),
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_clean("401 stderr", &out.stderr);
}
