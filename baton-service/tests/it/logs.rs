//! Logs: task start/end lines with id, type and outcome; never a secret or a token.

use std::io::Write;
use std::sync::{Arc, Mutex};

use baton_service::fake::{tasks, FakeC1};
use tracing_subscriber::fmt::MakeWriter;

use crate::support::{
    admin_member, service_connector, start, user, TestConnector, TestProvisioner, WAIT,
};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

// Single-threaded so the thread-local subscriber sees every task's events.
#[tokio::test]
async fn task_lines_carry_id_type_outcome_and_no_secret() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_env_filter("baton_service=trace")
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let c1 = FakeC1::start().await.expect("fake");
    c1.set_expires_in(0); // a new token for every call: many tokens that must not leak
    let creds = c1.mint_credentials().expect("creds");
    let config = baton_service::ServiceConfig::new(
        creds.client_id.parse().expect("id"),
        creds.client_secret.parse().expect("secret"),
    )
    .api_host(Some(c1.host()))
    .expect("host")
    .add_root_certificate_pem(c1.ca_pem().as_bytes().to_vec())
    .provisioning(true);
    let secret_debug = format!("{:?}", config.client_secret);
    let running = start(
        config,
        service_connector(TestConnector::new(2), Arc::new(TestProvisioner::default())),
    );
    let grant = c1.enqueue(tasks::grant(admin_member(), user("3")));
    let sync = c1.enqueue(tasks::sync_full());
    c1.wait_for_finish(&grant, WAIT).await.expect("grant");
    c1.wait_for_finish(&sync, WAIT).await.expect("sync");
    running.stop().await.expect("stops");

    let text = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf8");
    let finished: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "task finished")
        .collect();
    for (id, task_type) in [(&grant, "grant"), (&sync, "sync_full")] {
        let line = finished
            .iter()
            .find(|v| v["fields"]["task_id"] == id.as_str())
            .unwrap_or_else(|| panic!("no end line for {id}: {text}"));
        assert_eq!(line["fields"]["task_type"], task_type);
        assert_eq!(line["fields"]["outcome"], "success");
        assert!(line["fields"]["duration_ms"].is_u64());
    }
    assert!(text.contains("\"task started\""));
    // No token value and no part of any secret anywhere in the logs.
    assert!(c1.token_requests().len() > 3);
    for n in 1..=c1.token_requests().len() {
        assert!(
            !text.contains(&format!("tok-{n}\"")),
            "token tok-{n} leaked"
        );
        assert!(
            !text.contains(&format!("Bearer tok-{n}")),
            "token tok-{n} leaked"
        );
    }
    let key = &creds.client_secret[baton_service::CLIENT_SECRET_PREFIX.len()..];
    assert!(!text.contains(&key[..20]));
    assert_eq!(secret_debug, "ClientSecret(<redacted>)");
}
