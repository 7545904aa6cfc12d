//! Service mode through the real binary: `baton-workato` started with ConductorOne client
//! credentials against the fake ConductorOne (token endpoint + BatonService over TLS) and the
//! fake Workato workspace, both in the test process.
//!
//! Waits use generous timeouts (they only bound a hang); no assertion depends on speed, except
//! lower bounds on backoff gaps, which a slow machine can only widen.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use baton_model::c1z::C1zReader;
use baton_model::model::ids::resource_id;
use baton_model::proto::{
    Email, Entitlement, Grant, GrantAlreadyExists, GrantAlreadyRevoked, Resource,
};
use baton_service::fake::{tasks, FakeC1, FinishRecord, Rpc, TokenFault, FAKE_HOST_ID};
use baton_service::proto::connector::{
    create_account_response, AccountInfo, CreateAccountResponse, DeleteResourceResponse,
    GrantManagerServiceGrantResponse, GrantManagerServiceRevokeResponse,
};
use baton_service::Code;
use workato_api::fake::{FakeWorkato, Profile, Seed};

use crate::support::{binary, SECRET_KEY};

/// Bounds a hang; a task normally takes well under a second against the fakes.
const WAIT: Duration = Duration::from_secs(90);
const PUT_MEMBER: &str = "PUT /api/members/:id";
const ENTITLEMENT: &str = "role:Operator:collaborator-has";
const GRANT_ID: &str = "role:Operator:collaborator-has:collaborator:1002";

/// The binary in service mode, its stderr kept in a file; killed when dropped.
struct Service {
    child: Option<Child>,
    stderr: PathBuf,
    /// The c1z temp dir given to the binary.
    temp: PathBuf,
    _dir: tempfile::TempDir,
    /// Secrets the logs must never contain.
    secrets: Vec<String>,
}

/// How to start the binary.
#[derive(Default)]
struct Start<'a> {
    provisioning: bool,
    args: &'a [&'a str],
    env: &'a [(&'a str, &'a str)],
    /// Run through this wrapper (e.g. `setpriv …`), with this working directory.
    wrapper: Option<(Vec<String>, PathBuf)>,
    /// Use this temp dir instead of a fresh one.
    temp: Option<PathBuf>,
    /// Use this CA file instead of the fake's.
    ca_file: Option<PathBuf>,
}

impl Service {
    fn start(c1: &FakeC1, workato: &FakeWorkato, start: Start<'_>) -> Service {
        let dir = tempfile::tempdir().unwrap();
        let stderr = dir.path().join("stderr.log");
        let temp = start.temp.clone().unwrap_or_else(|| {
            let t = dir.path().join("c1z-temp");
            std::fs::create_dir(&t).unwrap();
            t
        });
        let mut cmd = match &start.wrapper {
            Some((wrapper, cwd)) => {
                let mut c = Command::new(&wrapper[0]);
                c.args(&wrapper[1..]).arg(binary()).current_dir(cwd);
                c
            }
            None => {
                let mut c = Command::new(binary());
                c.current_dir(dir.path());
                c
            }
        };
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("BATON_") {
                cmd.env_remove(k);
            }
        }
        let child_env = c1.child_env().unwrap();
        let secret = child_env
            .iter()
            .find(|(k, _)| k == "BATON_CLIENT_SECRET")
            .map(|(_, v)| v.clone())
            .unwrap();
        cmd.envs(child_env)
            .env("BATON_WORKATO_BASE_URL", workato.url())
            .env("BATON_WORKATO_API_KEY", workato.token())
            .env("BATON_C1Z_TEMP_DIR", &temp)
            .env("TMPDIR", &temp)
            .env("BATON_LOG_LEVEL", "debug")
            .args(start.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&stderr).unwrap());
        if let Some(ca) = &start.ca_file {
            cmd.env("SSL_CERT_FILE", ca);
        }
        if start.provisioning {
            cmd.env("BATON_PROVISIONING", "true");
        }
        for (k, v) in start.env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start baton-workato");
        Service {
            child: Some(child),
            stderr,
            temp,
            _dir: dir,
            secrets: vec![secret, workato.token().to_string()],
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Sends SIGTERM.
    fn terminate(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -TERM failed");
    }

    /// Waits for the exit code.
    async fn exit_code(&mut self) -> i32 {
        let mut child = self.child.take().unwrap();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            if tokio::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("baton-workato did not exit; logs:\n{}", self.logs());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGTERM, then the exit code; and the logs never hold a secret.
    async fn stop(&mut self) -> i32 {
        self.terminate();
        let code = self.exit_code().await;
        self.assert_no_secret();
        code
    }

    fn assert_no_secret(&self) {
        let logs = self.logs();
        for s in &self.secrets {
            assert!(!logs.contains(s.as_str()), "a secret leaked into the logs");
        }
    }

    /// Files left in the c1z temp dir.
    fn temp_files(&self) -> Vec<String> {
        std::fs::read_dir(&self.temp)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The fake C1 and a fake Workato whose API client has every permission.
async fn fakes() -> (FakeC1, FakeWorkato) {
    fakes_with(Profile::Full).await
}

/// The fake C1 and a fake Workato whose API client has the permissions of `profile`.
async fn fakes_with(profile: Profile) -> (FakeC1, FakeWorkato) {
    let c1 = FakeC1::start().await.expect("start the fake C1");
    let workato = FakeWorkato::builder(Seed::default_workspace())
        .profile(profile)
        .start()
        .await
        .expect("start the fake Workato server");
    (c1, workato)
}

/// Every type but the optional RBAC v2 and group types, whose endpoints the setup guide's
/// client role does not list.
const GUIDE_TYPES: &str = "collaborator,role,privilege,folder,project";
const GUIDE_TYPES_SORTED: [&str; 5] = ["collaborator", "folder", "privilege", "project", "role"];

async fn started(c1: &FakeC1, svc: &Service) {
    if c1.wait_for_polls(1, WAIT).await.is_err() {
        panic!("no GetTask; logs:\n{}", svc.logs());
    }
}

async fn finish(c1: &FakeC1, svc: &Service, id: &str) -> FinishRecord {
    match c1.wait_for_finish(id, WAIT).await {
        Ok(f) => f,
        Err(e) => panic!("{e}; logs:\n{}", svc.logs()),
    }
}

/// Runs a sync task and returns the reader of its upload.
async fn sync(c1: &FakeC1, svc: &Service) -> (FinishRecord, C1zReader, tempfile::NamedTempFile) {
    let id = c1.enqueue(tasks::sync_full());
    let f = finish(c1, svc, &id).await;
    assert!(f.is_success(), "sync failed: {f:?}\n{}", svc.logs());
    let uploads = c1.uploads(&id);
    assert_eq!(uploads.len(), 1, "one upload per sync");
    assert!(uploads[0].starts_with(b"C1ZF\x00"), "a c1z");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &uploads[0]).unwrap();
    let reader = C1zReader::open(file.path()).expect("our reader opens the upload");
    (f, reader, file)
}

fn grant_inputs(reader: &C1zReader) -> (Entitlement, Resource) {
    (
        reader
            .entitlement(ENTITLEMENT)
            .unwrap()
            .expect("entitlement"),
        reader
            .resource(&resource_id("collaborator", "1002"))
            .unwrap()
            .expect("collaborator 1002"),
    )
}

/// A grant task payload without a sync (for tasks that must fail before any Workato call).
fn stub_grant_inputs() -> (Entitlement, Resource) {
    let role = Resource {
        id: Some(resource_id("role", "Operator")),
        display_name: "Operator (dev)".into(),
        ..Default::default()
    };
    let entitlement = Entitlement {
        id: ENTITLEMENT.into(),
        resource: Some(role),
        ..Default::default()
    };
    let principal = Resource {
        id: Some(resource_id("collaborator", "1002")),
        ..Default::default()
    };
    (entitlement, principal)
}

/// The setup guide's Deployment: its Workato client role, `BATON_PROVISIONING=true`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_token_hello_sync_grant_and_revoke_with_the_setup_guide_role() {
    let (c1, workato) = fakes_with(Profile::SetupGuide).await;
    let mut svc = Service::start(
        &c1,
        &workato,
        Start {
            provisioning: true,
            env: &[("BATON_SYNC_RESOURCE_TYPES", GUIDE_TYPES)],
            ..Start::default()
        },
    );
    started(&c1, &svc).await;

    // Token: a valid assertion, answered 200.
    let tokens = c1.token_requests();
    assert!(!tokens.is_empty());
    for t in &tokens {
        assert!(
            t.problems.is_empty(),
            "token request problems: {:?}",
            t.problems
        );
        assert_eq!(t.status, 200);
    }
    // Hello: once at startup, every required field non-empty.
    let hellos = c1.hellos();
    assert_eq!(hellos.len(), 1, "{hellos:?}");
    let hello = &hellos[0];
    assert!(
        hello.problems.is_empty(),
        "Hello problems: {:?}",
        hello.problems
    );
    let req = &hello.request;
    assert_eq!(req.task_id, "");
    assert_eq!(req.host_id, FAKE_HOST_ID);
    let build = req.build_info.as_ref().expect("build_info");
    for v in [&build.lang_version, &build.package, &build.package_version] {
        assert!(!v.is_empty(), "{build:?}");
    }
    let os = req.os_info.as_ref().expect("os_info");
    for v in [
        &os.hostname,
        &os.os,
        &os.platform,
        &os.platform_version,
        &os.platform_family,
        &os.kernel_version,
        &os.kernel_arch,
        &os.virtualization_system,
    ] {
        assert!(!v.is_empty(), "{os:?}");
    }
    let meta = req.connector_metadata.as_ref().expect("connector_metadata");
    assert_eq!(meta.display_name, "Workato");
    assert!(!meta.description.is_empty());
    let caps = meta.capabilities.as_ref().expect("capabilities");
    let types: Vec<&str> = caps
        .resource_type_capabilities
        .iter()
        .filter_map(|c| c.resource_type.as_ref().map(|t| t.id.as_str()))
        .collect();
    // The capabilities cover the synced types (--sync-resource-types).
    assert_eq!(types, GUIDE_TYPES_SORTED);
    assert!(
        c1.rpcs().iter().all(|r| r.authorized),
        "every RPC carried a token"
    );

    // Full sync: heartbeat, upload of a c1z our reader opens, success without a response.
    let (f, reader, _file) = sync(&c1, &svc).await;
    assert_eq!(f.response, None);
    assert!(f.annotations.is_empty());
    assert!(!c1.heartbeats(&f.task_id).is_empty(), "a sync heartbeats");
    let stats = reader.stats().unwrap();
    assert_eq!(
        stats.resources.get("collaborator").copied(),
        Some(workato.members().len() as u64)
    );
    assert!(stats.grants > 0);
    assert!(
        svc.temp_files().is_empty(),
        "temp c1z removed: {:?}",
        svc.temp_files()
    );

    // Grant, repeat grant, revoke, repeat revoke: response types and Workato PUTs.
    let (entitlement, principal) = grant_inputs(&reader);
    let puts = workato.request_count(PUT_MEMBER);
    let id = c1.enqueue(tasks::grant(entitlement.clone(), principal.clone()));
    let f = finish(&c1, &svc, &id).await;
    assert!(f.is_success(), "{f:?}");
    assert_eq!(
        f.response_type(),
        Some("c1.connector.v2.GrantManagerServiceGrantResponse")
    );
    let granted = f
        .response_as::<GrantManagerServiceGrantResponse>()
        .unwrap()
        .grants;
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0].id, GRANT_ID);
    assert_eq!(workato.request_count(PUT_MEMBER), puts + 1);
    assert_eq!(
        workato
            .member(1002)
            .unwrap()
            .role_in("dev")
            .unwrap()
            .role_name,
        "Operator"
    );

    let id = c1.enqueue(tasks::grant(entitlement, principal));
    let f = finish(&c1, &svc, &id).await;
    assert!(f.is_success(), "{f:?}");
    let response = f.response_as::<GrantManagerServiceGrantResponse>().unwrap();
    assert!(response.grants.is_empty());
    assert!(
        f.has_annotation::<GrantAlreadyExists>(),
        "in success.annotations"
    );
    assert!(
        response
            .annotations
            .iter()
            .any(|a| a.type_url.ends_with(".GrantAlreadyExists")),
        "and in the response"
    );
    assert_eq!(
        workato.request_count(PUT_MEMBER),
        puts + 1,
        "no PUT on a repeat"
    );

    let grant: Grant = granted[0].clone();
    let id = c1.enqueue(tasks::revoke(grant.clone()));
    let f = finish(&c1, &svc, &id).await;
    assert!(f.is_success(), "{f:?}");
    assert!(f
        .response_as::<GrantManagerServiceRevokeResponse>()
        .is_some());
    assert!(!f.has_annotation::<GrantAlreadyRevoked>());
    assert_eq!(workato.request_count(PUT_MEMBER), puts + 2);

    let id = c1.enqueue(tasks::revoke(grant));
    let f = finish(&c1, &svc, &id).await;
    assert!(f.is_success(), "{f:?}");
    let response = f
        .response_as::<GrantManagerServiceRevokeResponse>()
        .unwrap();
    assert!(f.has_annotation::<GrantAlreadyRevoked>());
    assert!(response
        .annotations
        .iter()
        .any(|a| a.type_url.ends_with(".GrantAlreadyRevoked")));
    assert_eq!(
        workato.request_count(PUT_MEMBER),
        puts + 2,
        "no PUT on a repeat"
    );

    // Sync, grants and revokes stayed within the guide's endpoints.
    assert!(
        workato.requests_outside(&Profile::SetupGuide).is_empty(),
        "{:?}",
        workato.requests_outside(&Profile::SetupGuide)
    );

    // Inviting needs an endpoint the guide's role lacks: Workato's 403 reaches C1 as
    // PermissionDenied, non-retryable.
    let id = c1.enqueue(tasks::create_account(ada()));
    let f = finish(&c1, &svc, &id).await;
    assert!(!f.is_success(), "{f:?}");
    assert_eq!(f.code(), Code::PermissionDenied, "{f:?}");
    assert!(f.non_retryable);
    assert!(workato
        .requests_outside(&Profile::SetupGuide)
        .contains_key("POST /api/member_invitations"));

    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
    // Task start and end lines carry the type, id, outcome and duration.
    let logs = svc.logs();
    for f in c1.finishes() {
        let lines: Vec<&str> = logs.lines().filter(|l| l.contains(&f.task_id)).collect();
        assert!(
            lines.len() >= 2,
            "start and end lines for {}:\n{logs}",
            f.task_id
        );
        assert!(lines.iter().any(|l| l.contains("task_type")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("duration")), "{lines:?}");
    }
}

fn ada() -> AccountInfo {
    AccountInfo {
        emails: vec![Email {
            address: "ada@example.com".into(),
            is_primary: true,
        }],
        login: "ada@example.com".into(),
        profile: Some(
            baton_model::model::Profile::from(
                serde_json::json!({
                    "name": "Ada Lovelace",
                    "env_roles": ["dev:Analyst"],
                })
                .as_object()
                .unwrap()
                .clone(),
            )
            .into_struct(),
        ),
        ..Default::default()
    }
}

/// Account creation and deletion, with a client role that may invite and delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_account_and_delete_resource() {
    let (c1, workato) = fakes().await;
    let mut svc = Service::start(
        &c1,
        &workato,
        Start {
            provisioning: true,
            ..Start::default()
        },
    );
    started(&c1, &svc).await;

    // Account creation: an invitation (the invitee must accept).
    let id = c1.enqueue(tasks::create_account(ada()));
    let f = finish(&c1, &svc, &id).await;
    assert!(f.is_success(), "{f:?}");
    let response = f
        .response_as::<CreateAccountResponse>()
        .expect("CreateAccountResponse");
    assert!(
        matches!(
            response.result,
            Some(create_account_response::Result::ActionRequired(_))
        ),
        "{response:?}"
    );
    assert_eq!(workato.request_count("POST /api/member_invitations"), 1);

    // Deletion of a collaborator.
    assert!(workato.member(1001).is_some());
    let id = c1.enqueue(tasks::delete_resource(resource_id("collaborator", "1001")));
    let f = finish(&c1, &svc, &id).await;
    assert!(f.is_success(), "{f:?}");
    assert!(f.response_as::<DeleteResourceResponse>().is_some());
    assert_eq!(workato.request_count("DELETE /api/members/:id"), 1);
    assert!(workato.member(1001).is_none());

    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gated_unknown_and_ticket_tasks() {
    let (c1, workato) = fakes().await;
    // No --provisioning; --ticketing is accepted.
    let mut svc = Service::start(
        &c1,
        &workato,
        Start {
            args: &["--ticketing"],
            ..Start::default()
        },
    );
    started(&c1, &svc).await;

    let (entitlement, principal) = stub_grant_inputs();
    let id = c1.enqueue(tasks::grant(entitlement, principal));
    let f = finish(&c1, &svc, &id).await;
    assert!(!f.is_success());
    assert_eq!(f.code(), Code::FailedPrecondition);
    assert!(f.non_retryable);
    assert!(
        f.message.contains("provisioning is not enabled"),
        "{}",
        f.message
    );

    let id = c1.enqueue(tasks::delete_resource(resource_id("collaborator", "1001")));
    let f = finish(&c1, &svc, &id).await;
    assert_eq!(f.code(), Code::FailedPrecondition);
    assert!(f.non_retryable);
    assert_eq!(workato.request_count(PUT_MEMBER), 0);
    assert_eq!(workato.request_count("DELETE /api/members/:id"), 0);

    for id in [
        c1.enqueue_raw(tasks::unknown_type_bytes(999)),
        c1.enqueue(tasks::event_feed()),
    ] {
        let f = finish(&c1, &svc, &id).await;
        assert_eq!(f.code(), Code::Unknown);
        assert_eq!(f.message, "unsupported task type");
        assert!(!f.non_retryable);
        assert!(f.annotations.is_empty());
    }

    let ticket = baton_service::proto::baton::TaskType::ListTicketSchemas(Default::default());
    let id = c1.enqueue(tasks::with_type(ticket));
    let f = finish(&c1, &svc, &id).await;
    assert_eq!(f.code(), Code::Unknown);
    assert!(
        f.message.contains("ticketing is not enabled"),
        "{}",
        f.message
    );
    assert!(!f.non_retryable);

    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_cancel_mid_sync_then_next_task_runs() {
    let (c1, workato) = fakes().await;
    // A slow workspace keeps the sync running past the first background heartbeat.
    workato.set_latency(Duration::from_millis(400));
    c1.set_next_heartbeat(Duration::from_secs(1));
    c1.set_cancel_after_heartbeats(Some(2));
    let mut svc = Service::start(&c1, &workato, Start::default());
    started(&c1, &svc).await;

    let id = c1.enqueue(tasks::sync_full());
    let f = finish(&c1, &svc, &id).await;
    assert!(!f.is_success(), "{f:?}");
    assert_eq!(f.code(), Code::Cancelled, "{f:?}");
    assert!(c1.uploads(&id).is_empty(), "no upload of a cancelled sync");
    assert!(
        c1.upload_records(&id).is_empty(),
        "no upload attempt either"
    );
    assert!(
        svc.temp_files().is_empty(),
        "partial c1z removed: {:?}",
        svc.temp_files()
    );

    c1.set_cancel_after_heartbeats(None);
    workato.set_latency(Duration::ZERO);
    let (f, _reader, _file) = sync(&c1, &svc).await;
    assert!(f.is_success());
    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_401_then_recovery() {
    let (c1, workato) = fakes().await;
    let mut svc = Service::start(&c1, &workato, Start::default());
    started(&c1, &svc).await;
    let tokens_before = c1.token_requests().len();

    // The token is revoked and the token endpoint refuses: polls fail until it recovers.
    c1.set_token_fault(Some(TokenFault::Unauthorized));
    c1.revoke_tokens();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !c1.token_requests()[tokens_before..]
        .iter()
        .any(|t| t.status == 401)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no refused token request; logs:\n{}",
            svc.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c1.set_token_fault(None);
    let id = c1.enqueue(tasks::event_feed());
    let f = finish(&c1, &svc, &id).await;
    assert_eq!(f.message, "unsupported task type");
    assert!(
        c1.token_requests()[tokens_before..]
            .iter()
            .any(|t| t.status == 200),
        "a new token after the outage"
    );
    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_401_at_startup_exits_with_a_clear_message() {
    let (c1, workato) = fakes().await;
    c1.set_token_fault(Some(TokenFault::Unauthorized));
    let mut svc = Service::start(&c1, &workato, Start::default());
    let code = svc.exit_code().await;
    assert_ne!(code, 0);
    svc.assert_no_secret();
    let logs = svc.logs();
    assert!(logs.contains("401"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_c1_then_recovery_with_backoff() {
    let (c1, workato) = fakes().await;
    let mut svc = Service::start(&c1, &workato, Start::default());
    started(&c1, &svc).await;
    let polls_before = c1.polls().len();

    // Three failed polls: the loop waits about 1, 4 and 9 s between them (~14 s of outage).
    c1.fail_next(Rpc::GetTask, Code::Unavailable, 3);
    let id = c1.enqueue(tasks::event_feed());
    let f = finish(&c1, &svc, &id).await;
    assert_eq!(f.message, "unsupported task type");

    let polls = c1.polls();
    let at: Vec<_> = polls[polls_before..].iter().map(|p| p.at).collect();
    assert!(at.len() >= 4, "three failures and a success: {}", at.len());
    // Lower bounds only: each gap is at least the backoff for that failure count.
    for (k, pair) in at.windows(2).take(3).enumerate() {
        let gap = pair[1].duration_since(pair[0]);
        let want = Duration::from_millis(900 * ((k as u64 + 1).pow(2)));
        assert!(
            gap >= want,
            "gap {k} was {gap:?}, expected at least {want:?}"
        );
    }
    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_upload_is_retried() {
    let (c1, workato) = fakes().await;
    let mut svc = Service::start(&c1, &workato, Start::default());
    started(&c1, &svc).await;
    c1.fail_next(Rpc::UploadAsset, Code::Unavailable, 1);
    let (f, _reader, _file) = sync(&c1, &svc).await;
    let records = c1.upload_records(&f.task_id);
    assert_eq!(records.len(), 2, "{records:?}");
    assert!(!records[0].accepted);
    assert!(records[1].accepted && records[1].digest_ok);
    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_sync_exits_zero_without_upload() {
    let (c1, workato) = fakes().await;
    workato.set_latency(Duration::from_millis(400));
    let mut svc = Service::start(&c1, &workato, Start::default());
    started(&c1, &svc).await;
    let id = c1.enqueue(tasks::sync_full());
    c1.wait_for_heartbeats(&id, 1, WAIT).await.unwrap();
    // The sync is reading the (slow) workspace now.
    let requests = workato.total_requests();
    let deadline = tokio::time::Instant::now() + WAIT;
    while workato.total_requests() == requests {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
    assert!(c1.upload_records(&id).is_empty(), "no partial upload");
    assert!(
        c1.finishes()
            .iter()
            .all(|f| f.task_id != id || !f.is_success()),
        "an interrupted sync never reports success"
    );
    assert!(
        svc.temp_files().is_empty(),
        "partial c1z removed: {:?}",
        svc.temp_files()
    );
}

/// As in the Kubernetes Deployment: an unprivileged user, a working directory it cannot write,
/// and one writable temp directory. As root, the binary runs under `setpriv` as uid/gid 65532
/// (the image's user); otherwise as the current user, whom a 0555 directory already keeps out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_unprivileged_with_only_the_temp_dir_writable() {
    use std::os::unix::fs::PermissionsExt;
    const UID: u32 = 65532;
    let (c1, workato) = fakes().await;
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let cwd = root.path().join("readonly");
    let temp = root.path().join("tmp");
    std::fs::create_dir(&cwd).unwrap();
    std::fs::create_dir(&temp).unwrap();
    // The fake's CA where the unprivileged user can read it.
    let ca = root.path().join("ca.pem");
    std::fs::write(&ca, c1.ca_pem()).unwrap();
    std::fs::set_permissions(&ca, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&cwd, std::fs::Permissions::from_mode(0o555)).unwrap();

    let is_root = current_uid() == Some(0);
    let setpriv = Path::new("/usr/bin/setpriv");
    let wrapper = if is_root {
        assert!(
            setpriv.exists(),
            "running as root needs setpriv to drop privileges"
        );
        std::os::unix::fs::chown(&temp, Some(UID), Some(UID)).unwrap();
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o700)).unwrap();
        vec![
            setpriv.display().to_string(),
            format!("--reuid={UID}"),
            format!("--regid={UID}"),
            "--clear-groups".into(),
            "--inh-caps=-all".into(),
            "--no-new-privs".into(),
        ]
    } else {
        vec!["/usr/bin/env".into()]
    };
    let mut svc = Service::start(
        &c1,
        &workato,
        Start {
            wrapper: Some((wrapper, cwd.clone())),
            temp: Some(temp.clone()),
            ca_file: Some(ca),
            ..Start::default()
        },
    );
    started(&c1, &svc).await;
    if is_root {
        let status = std::fs::read_to_string(format!("/proc/{}/status", svc.pid())).unwrap();
        let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
        assert!(
            uid_line
                .split_whitespace()
                .skip(1)
                .all(|u| u == UID.to_string()),
            "{uid_line}"
        );
    }
    let (f, _reader, _file) = sync(&c1, &svc).await;
    assert!(f.is_success());
    assert_eq!(svc.stop().await, 0, "{}", svc.logs());
    assert_eq!(
        std::fs::read_dir(&cwd).unwrap().count(),
        0,
        "nothing written to the cwd"
    );
    assert_eq!(
        std::fs::read_dir(&temp).unwrap().count(),
        0,
        "temp c1z cleaned up"
    );
    std::fs::set_permissions(&cwd, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn current_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("Uid:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A malformed client id or secret is a usage error naming the variable; the secret is never
/// printed.
#[test]
fn malformed_credentials_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad_secret = format!("secret-token:conductorone.com:v1:{SECRET_KEY}");
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = crate::support::command(dir.path(), args);
        cmd.env("BATON_WORKATO_API_KEY", "k");
        for (k, v) in env {
            cmd.env(k, v);
        }
        crate::support::output(cmd)
    };
    let (good_secret, _) = baton_service::mint_client_secret().unwrap();

    let out = run(
        &[
            ("BATON_CLIENT_ID", "no-at-sign"),
            ("BATON_CLIENT_SECRET", &good_secret),
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("BATON_CLIENT_ID"), "{}", out.stderr);
    assert!(!out.stderr.contains(&good_secret[34..]));

    let out = run(
        &[
            ("BATON_CLIENT_ID", "c@tenant.example.test/pcc"),
            ("BATON_CLIENT_SECRET", &bad_secret),
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("BATON_CLIENT_SECRET"), "{}", out.stderr);
    assert!(!out.stderr.contains(SECRET_KEY), "{}", out.stderr);

    let out = run(
        &[],
        &[
            "--client-id",
            "c@tenant.example.test/pcc",
            "--client-secret",
            &bad_secret,
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--client-secret"), "{}", out.stderr);
    assert!(!out.stderr.contains(SECRET_KEY), "{}", out.stderr);

    let out = run(&[("BATON_CLIENT_ID", "c@tenant.example.test/pcc")], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("client-secret"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_service_shows_a_whole_session() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::support::run_async(dir.path(), &["demo", "--service"], &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    for want in [
        "ConductorOne queues sync_full",
        "GrantManagerServiceGrantResponse",
        "GrantAlreadyExists",
        "GrantManagerServiceRevokeResponse",
        "GrantAlreadyRevoked",
        "Workato role changes for these four tasks: 2",
        "Hello: host_id",
    ] {
        assert!(out.stdout.contains(want), "{want:?} in:\n{}", out.stdout);
    }
}
