//! Fault suite: a sync through the Workato connector and the sync engine, against the fake
//! Workato server misbehaving in one way per test.
//!
//! Every scenario ends in one of two ways, and each test asserts which:
//!
//! - a complete, correct c1z: its resources, entitlements and grants are identical to those
//!   of a clean run of the same workspace; or
//! - a clear error (naming what failed) with the previous c1z byte-identical and no partial
//!   output file.
//!
//! Never a panic or a hang: every sync runs under a generous guard timeout (a hang guard, not
//! a speed assertion). Retries use millisecond backoffs and `Retry-After` is capped so that
//! the whole suite stays fast on a small machine.
//!
//! Two scenarios need a separate process and re-run this test binary as a child on one
//! `#[ignore]`d entry point: a process killed mid-write (SIGKILL from the parent), and a
//! full disk (the child runs with a tiny `RLIMIT_FSIZE` and `SIGXFSZ` ignored, so writes
//! beyond the limit fail with `EFBIG` like on a full file system).

use std::error::Error as StdError;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use baton_model::c1z::{C1zReader, GrantFilter, ResourceFilter};
use baton_model::model::AnnotationsExt;
use baton_model::proto::{Entitlement, Grant, Kind, Resource, UserTrait};
use baton_model::sync::{Phase, SyncError, SyncSummary, Syncer};
use workato_api::fake::{FakeMember, FakeWorkato, Fault, GenParams, MemberRole, Project, Seed};
use workato_api::{ApiToken, Client, RetryPolicy};
use workato_connector::config::ConnectorConfig;
use workato_connector::WorkatoConnector;

/// Hang guard for one sync; a healthy one takes well under a second here.
const GUARD: Duration = Duration::from_secs(120);

/// Per-attempt client timeout: long enough that a normal answer on a loaded machine never hits
/// it (exact request counts are asserted), short enough that the timeout scenarios are quick.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(2500);

/// Environment variable selecting what the child entry point does.
const CHILD_MODE: &str = "FAULTS_CHILD_MODE";
/// Environment variable naming the child's output file.
const CHILD_OUT: &str = "FAULTS_CHILD_OUT";

// ---- harness ---------------------------------------------------------------------------

/// Retries as in production (5 attempts, exponential), with millisecond delays.
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(40),
        multiplier: 2,
        max_retry_after: Duration::from_millis(50),
    }
}

fn client_for(fake: &FakeWorkato) -> Client {
    Client::builder()
        .token(ApiToken::new(fake.token()))
        .base_url(fake.url())
        .rate_limit_all(0)
        .retry_policy(fast_retries())
        .timeout(ATTEMPT_TIMEOUT)
        .build()
        .expect("client")
}

/// The sync `baton-workato` runs, into `out`, through `client`.
async fn sync_with(client: Client, out: &Path) -> Result<SyncSummary, SyncError> {
    let connector = WorkatoConnector::new(client, ConnectorConfig::default());
    tokio::time::timeout(GUARD, Syncer::new(connector).run(out))
        .await
        .expect("the sync hung (guard timeout)")
}

async fn sync(fake: &FakeWorkato, out: &Path) -> Result<SyncSummary, SyncError> {
    sync_with(client_for(fake), out).await
}

/// What a c1z holds, sorted by id, for comparing runs.
#[derive(Debug, PartialEq)]
struct Contents {
    resources: Vec<Resource>,
    entitlements: Vec<Entitlement>,
    grants: Vec<Grant>,
}

impl Contents {
    fn read(path: &Path) -> Contents {
        let reader = C1zReader::open(path).expect("open c1z");
        let mut resources = reader
            .resources(&ResourceFilter::default())
            .expect("resources");
        resources.sort_by_key(|r| {
            r.id.as_ref()
                .map(|id| (id.resource_type.clone(), id.resource.clone()))
        });
        let mut entitlements = reader.entitlements(None).expect("entitlements");
        entitlements.sort_by(|a, b| a.id.cmp(&b.id));
        let mut grants = reader.grants(&GrantFilter::default()).expect("grants");
        grants.sort_by(|a, b| a.id.cmp(&b.id));
        Contents {
            resources,
            entitlements,
            grants,
        }
    }

    fn resource_ids(&self, resource_type: &str) -> Vec<String> {
        self.resources
            .iter()
            .filter_map(|r| r.id.as_ref())
            .filter(|id| id.resource_type == resource_type)
            .map(|id| id.resource.clone())
            .collect()
    }

    fn grant_ids(&self) -> Vec<&str> {
        self.grants.iter().map(|g| g.id.as_str()).collect()
    }
}

/// A clean sync of `seed` on its own server: the reference every faulted run must equal.
async fn clean_contents(seed: &Seed, dir: &Path) -> Contents {
    let fake = FakeWorkato::start(seed.clone()).await.expect("fake");
    let out = dir.join("clean.c1z");
    let summary = sync(&fake, &out).await.expect("clean sync");
    assert!(summary.resources > 0);
    fake.shutdown().await;
    Contents::read(&out)
}

/// The error and all its sources, `": "`-joined.
fn chain(err: &dyn StdError) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A directory holding a previous c1z (from a clean sync of `seed`), for the error scenarios.
struct Previous {
    dir: tempfile::TempDir,
    out: PathBuf,
    bytes: Vec<u8>,
}

impl Previous {
    async fn new(seed: &Seed) -> Previous {
        Self::with_syncs(seed, 1).await
    }

    /// A previous c1z holding the history of `syncs` syncs of `seed`.
    async fn with_syncs(seed: &Seed, syncs: usize) -> Previous {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("sync.c1z");
        let fake = FakeWorkato::start(seed.clone()).await.expect("fake");
        for _ in 0..syncs {
            sync(&fake, &out).await.expect("previous sync");
        }
        fake.shutdown().await;
        let bytes = std::fs::read(&out).expect("read previous");
        Previous { dir, out, bytes }
    }

    /// The previous c1z is byte-identical and nothing else was left beside it but its (empty)
    /// lock file.
    fn assert_untouched(&self) {
        assert_eq!(
            std::fs::read(&self.out).expect("previous c1z still there"),
            self.bytes,
            "the previous c1z changed"
        );
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("list dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["sync.c1z", "sync.c1z.lock"],
            "partial files left beside the output"
        );
    }
}

/// Runs a sync into the previous c1z's path that must fail; returns the error chain after
/// checking that the previous file is untouched.
async fn expect_clean_failure(fake: &FakeWorkato, previous: &Previous) -> String {
    let err = sync(fake, &previous.out)
        .await
        .expect_err("the sync should fail");
    previous.assert_untouched();
    chain(&err)
}

/// Runs a sync that must succeed despite the fault and equal the clean run.
async fn expect_complete(fake: &FakeWorkato, clean: &Contents) -> (SyncSummary, Contents) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("faulted.c1z");
    let summary = sync(fake, &out).await.unwrap_or_else(|e| {
        panic!("sync should survive the fault: {}", chain(&e));
    });
    let got = Contents::read(&out);
    assert_eq!(&got, clean, "faulted run differs from the clean run");
    (summary, got)
}

fn reference() -> Seed {
    Seed::default_workspace()
}

/// A workspace with full pages (more than 100 projects) so paging is exercised.
fn paged_seed() -> Seed {
    Seed::generate(&GenParams {
        members: 40,
        custom_roles: 120,
        env_roles: 3,
        project_roles: 3,
        projects: 130,
        folder_depth: 0,
        folder_fanout: 0,
        groups: 3,
        seed: 7,
    })
}

// ---- 429 storms ------------------------------------------------------------------------

#[tokio::test]
async fn rate_limit_storm_with_retry_after_is_absorbed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = clean_contents(&reference(), dir.path()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on(
        "GET /api/members",
        Fault::RateLimitBurst {
            count: 4,
            retry_after: Some(1),
        },
    );
    let client = client_for(&fake);
    let out = dir.path().join("storm.c1z");
    sync_with(client.clone(), &out)
        .await
        .expect("sync survives the storm");
    assert_eq!(Contents::read(&out), clean);
    assert_eq!(client.stats().rate_limited, 4);
    assert_eq!(fake.throttled(), 4);
    assert_eq!(fake.request_count("GET /api/members"), 5);
}

#[tokio::test]
async fn rate_limit_storm_without_retry_after_is_absorbed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = clean_contents(&reference(), dir.path()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    // Spread over whatever the sync calls first, no Retry-After: exponential backoff.
    fake.inject(Fault::RateLimitBurst {
        count: 3,
        retry_after: None,
    });
    expect_complete(&fake, &clean).await;
    assert_eq!(fake.throttled(), 3);
}

#[tokio::test]
async fn endless_429s_fail_cleanly() {
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on(
        "GET /api/members",
        Fault::RateLimitBurst {
            count: 1_000,
            retry_after: Some(1),
        },
    );
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("429"), "{err}");
    assert!(err.contains("/api/members"), "{err}");
    // Gave up after the policy's attempts, not after 1,000.
    assert_eq!(fake.request_count("GET /api/members"), 5);
}

// ---- 5xx -------------------------------------------------------------------------------

#[tokio::test]
async fn server_error_burst_is_retried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = clean_contents(&reference(), dir.path()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    for (route, status) in [
        ("GET /api/members", 500),
        ("GET /api/projects", 502),
        ("GET /api/folders", 503),
        ("GET /api/environment_roles", 504),
    ] {
        fake.inject_on(
            route,
            Fault::Status {
                status,
                body: r#"{"message":"Internal error"}"#.into(),
                count: 2,
            },
        );
    }
    expect_complete(&fake, &clean).await;
    assert_eq!(fake.request_count("GET /api/members"), 3);
}

#[tokio::test]
async fn persistent_server_errors_fail_cleanly() {
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on(
        "GET /api/projects",
        Fault::Status {
            status: 503,
            body: r#"{"message":"Service unavailable"}"#.into(),
            count: 1_000,
        },
    );
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("503"), "{err}");
    assert!(err.contains("/api/projects"), "{err}");
    assert!(err.contains("Service unavailable"), "{err}");
}

#[tokio::test]
async fn html_error_page_fails_cleanly() {
    // A proxy's 502 page: not JSON, retried, then reported with an excerpt.
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on(
        "GET /api/members",
        Fault::Status {
            status: 502,
            body: "<html><body>Bad gateway</body></html>".into(),
            count: 1_000,
        },
    );
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("502"), "{err}");
}

// ---- timeouts and broken connections ---------------------------------------------------

#[tokio::test]
async fn slow_responses_time_out_and_are_retried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = clean_contents(&reference(), dir.path()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on(
        "GET /api/roles",
        Fault::Latency {
            delay: ATTEMPT_TIMEOUT * 3,
            count: 2,
        },
    );
    let client = client_for(&fake);
    let out = dir.path().join("slow.c1z");
    sync_with(client.clone(), &out)
        .await
        .expect("sync survives timeouts");
    assert_eq!(Contents::read(&out), clean);
    assert_eq!(fake.request_count("GET /api/roles"), 3);
    assert!(client.stats().retries >= 2);
}

#[tokio::test]
async fn endless_timeouts_fail_cleanly() {
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on(
        "GET /api/members",
        Fault::Latency {
            delay: ATTEMPT_TIMEOUT * 3,
            count: 1_000,
        },
    );
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("/api/members"), "{err}");
    assert!(err.to_lowercase().contains("time"), "{err}");
}

#[tokio::test]
async fn connection_reset_mid_body_is_retried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = clean_contents(&reference(), dir.path()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on("GET /api/members", Fault::DropConnection { count: 2 });
    fake.inject_on("GET /api/folders", Fault::DropConnection { count: 2 });
    expect_complete(&fake, &clean).await;
    assert_eq!(fake.request_count("GET /api/members"), 3);
}

#[tokio::test]
async fn connections_reset_every_time_fail_cleanly() {
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on("GET /api/projects", Fault::DropConnection { count: 1_000 });
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("/api/projects"), "{err}");
}

// ---- bad JSON ----------------------------------------------------------------------------

#[tokio::test]
async fn truncated_json_fails_cleanly() {
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on("GET /api/members", Fault::TruncatedJson { count: 1_000 });
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("/api/members"), "{err}");
}

#[tokio::test]
async fn malformed_json_fails_cleanly() {
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on("GET /api/folders", Fault::MalformedJson { count: 1_000 });
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("/api/folders"), "{err}");
}

#[tokio::test]
async fn malformed_json_on_a_paged_listing_fails_cleanly() {
    let previous = Previous::new(&paged_seed()).await;
    let fake = FakeWorkato::start(paged_seed()).await.expect("fake");
    fake.inject_on("GET /api/roles", Fault::MalformedJson { count: 1 });
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("/api/roles"), "{err}");
}

// ---- paging ------------------------------------------------------------------------------

#[tokio::test]
async fn a_server_returning_the_same_page_forever_fails_cleanly() {
    let previous = Previous::new(&paged_seed()).await;
    let fake = FakeWorkato::start(paged_seed()).await.expect("fake");
    fake.inject_on("GET /api/projects", Fault::RepeatPage { count: 100_000 });
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("/api/projects"), "{err}");
    // Detected on the second page, not after thousands of requests.
    assert!(fake.request_count("GET /api/projects") <= 3);
}

#[tokio::test]
async fn duplicate_ids_across_pages_sync_each_object_once() {
    let mut seed = paged_seed();
    // Project 31 again as the 121st project: it comes back on page 2.
    let duplicate: Project = seed.projects[30].clone();
    seed.projects.insert(120, duplicate.clone());
    // Custom role 5 again on page 2 of /api/roles.
    let role = seed.custom_roles[4].clone();
    seed.custom_roles.push(role.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("dups.c1z");
    let fake = FakeWorkato::start(seed).await.expect("fake");
    sync(&fake, &out).await.expect("duplicates are tolerated");
    let got = Contents::read(&out);

    let projects = got.resource_ids("project");
    let dup_id = duplicate.id.to_string();
    assert_eq!(projects.len(), 130);
    assert_eq!(projects.iter().filter(|id| **id == dup_id).count(), 1);
    let roles = got.resource_ids("role");
    let role_id = role.id.to_string();
    assert_eq!(roles.iter().filter(|id| **id == role_id).count(), 1);
    // Grant ids are unique.
    let mut ids = got.grant_ids();
    let total = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), total);

    // And the result is what the same workspace without duplicates gives.
    let clean = clean_contents(&paged_seed(), dir.path()).await;
    assert_eq!(got, clean);
}

// ---- odd data ----------------------------------------------------------------------------

#[tokio::test]
async fn an_empty_members_list_gives_a_complete_c1z_without_collaborators() {
    let mut seed = reference();
    seed.members.clear();
    for group in &mut seed.user_groups {
        group.members.clear();
    }
    seed.project_grants.retain(|g| g.user_id.is_none());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("empty.c1z");
    let fake = FakeWorkato::start(seed).await.expect("fake");
    let summary = sync(&fake, &out).await.expect("sync");
    let got = Contents::read(&out);
    assert!(got.resource_ids("collaborator").is_empty());
    // Roles, privileges, projects and folders are still there.
    assert!(!got.resource_ids("role").is_empty());
    assert!(!got.resource_ids("folder").is_empty());
    assert!(!got.resource_ids("project").is_empty());
    assert!(got.grants.iter().all(|g| g
        .principal
        .as_ref()
        .and_then(|p| p.id.as_ref())
        .is_none_or(|id| id.resource_type != "collaborator")));
    assert_eq!(summary.resources, got.resources.len() as u64);
}

#[tokio::test]
async fn a_role_in_an_unknown_environment_is_skipped_not_fatal() {
    let mut seed = reference();
    let clean_seed = seed.clone();
    // Alice (1000, dev: Admin) also gets a role in an environment Workato may add later.
    let alice: &mut FakeMember = seed
        .members
        .iter_mut()
        .find(|m| m.id == 1000)
        .expect("Alice");
    alice
        .roles
        .push(MemberRole::privilege_group("staging", "Operator"));
    seed.environments.push("staging".into());
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = clean_contents(&clean_seed, dir.path()).await;
    let fake = FakeWorkato::start(seed).await.expect("fake");
    let (_, got) = expect_complete(&fake, &clean).await;
    assert!(got
        .resource_ids("collaborator")
        .contains(&"1000".to_owned()));
}

#[tokio::test]
async fn a_role_that_no_longer_exists_gives_no_grant_and_no_error() {
    // The reference workspace's Frank (1005) holds "Legacy Approver", deleted since.
    let seed = reference();
    assert!(seed
        .members
        .iter()
        .any(|m| m.id == 1005 && m.roles.iter().any(|r| r.role_name == "Legacy Approver")));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("deleted-role.c1z");
    let fake = FakeWorkato::start(seed).await.expect("fake");
    sync(&fake, &out).await.expect("sync");
    let got = Contents::read(&out);
    assert!(got
        .resource_ids("collaborator")
        .contains(&"1005".to_owned()));
    assert!(got
        .resources
        .iter()
        .all(|r| !r.display_name.contains("Legacy Approver")));
    assert!(got
        .grant_ids()
        .iter()
        .all(|id| !id.contains("Legacy Approver")));
}

#[tokio::test]
async fn huge_free_text_fields_are_stored_whole() {
    // Fields without a Baton length limit (profile values, e-mails) and a display name right
    // at the limit (1,024 bytes) are kept as sent.
    let mut seed = reference();
    let huge_external_id = "x".repeat(2 * 1024 * 1024);
    let huge_email = format!("{}@example.com", "e".repeat(64 * 1024));
    let name_at_limit = "N".repeat(1024);
    let member = seed
        .members
        .iter_mut()
        .find(|m| m.id == 1002)
        .expect("Carol");
    member.name = name_at_limit.clone();
    member.email = huge_email.clone();
    member.external_id = Some(huge_external_id.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("huge.c1z");
    let fake = FakeWorkato::start(seed).await.expect("fake");
    sync(&fake, &out).await.expect("sync");
    let got = Contents::read(&out);
    let carol = got
        .resources
        .iter()
        .find(|r| {
            r.id.as_ref()
                .is_some_and(|id| id.resource_type == "collaborator" && id.resource == "1002")
        })
        .expect("Carol synced");
    assert_eq!(carol.display_name, name_at_limit);
    let user: UserTrait = carol
        .annotations
        .annotation()
        .expect("decodes")
        .expect("user trait");
    assert_eq!(user.emails[0].address, huge_email);
    let profile = user.profile.expect("profile");
    let external = profile
        .fields
        .get("externalId")
        .and_then(|v| v.kind.clone());
    assert_eq!(external, Some(Kind::StringValue(huge_external_id)));
}

#[tokio::test]
async fn huge_display_names_fail_cleanly() {
    // Baton caps display names at 1,024 bytes (baton-sdk's validation rules); a longer one
    // cannot be stored, and the sync says which field broke the rule.
    let mut seed = reference();
    let member = seed
        .members
        .iter_mut()
        .find(|m| m.id == 1002)
        .expect("Carol");
    member.name = "N".repeat(2 * 1024 * 1024);
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(seed).await.expect("fake");
    let err = expect_clean_failure(&fake, &previous).await;
    assert!(err.contains("display_name"), "{err}");
    assert!(err.contains("1024"), "{err}");
}

// ---- output file -------------------------------------------------------------------------

#[tokio::test]
async fn an_output_path_below_a_regular_file_fails_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A path whose parent is a regular file: not writable even for root.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").expect("write blocker");
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    let err = sync(&fake, &blocker.join("sync.c1z"))
        .await
        .expect_err("cannot write below a file");
    let text = chain(&err);
    assert!(text.contains("not-a-dir"), "{text}");
    assert_eq!(std::fs::read(&blocker).expect("blocker"), b"x");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["not-a-dir"], "nothing else was written");
}

// Directory permission bits are a Unix notion.
#[cfg(unix)]
#[tokio::test]
#[allow(clippy::print_stderr)]
async fn a_read_only_output_directory_fails_cleanly() {
    use std::os::unix::fs::PermissionsExt;
    let previous = Previous::new(&reference()).await;
    let dir = previous.dir.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    // Root ignores directory permissions; the probe tells whether this run can observe them.
    let probe = dir.join("probe");
    let enforced = std::fs::write(&probe, b"").is_err();
    let _ = std::fs::remove_file(&probe);
    if enforced {
        let fake = FakeWorkato::start(reference()).await.expect("fake");
        let result = sync(&fake, &previous.out).await;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let err = result.expect_err("read-only directory");
        assert!(chain(&err).contains("sync.c1z"), "{}", chain(&err));
    } else {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        eprintln!("running as root: directory permissions are not enforced, case skipped");
    }
    previous.assert_untouched();
}

#[tokio::test]
async fn a_stale_temp_file_from_a_killed_run_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = clean_contents(&reference(), dir.path()).await;
    let out = dir.path().join("sync.c1z");
    // This version's unique temp name and the fixed name older versions used.
    let tmps = [
        dir.path().join(".sync.c1z.k1LLed.tmp"),
        dir.path().join("sync.c1z.tmp"),
    ];
    for tmp in &tmps {
        std::fs::write(tmp, b"half a c1z from a killed run").expect("stale tmp");
    }
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    sync(&fake, &out).await.expect("sync");
    assert_eq!(Contents::read(&out), clean);
    for tmp in &tmps {
        assert!(
            !tmp.exists(),
            "the stale temp file {} is gone",
            tmp.display()
        );
    }
}

#[tokio::test]
async fn a_sync_abandoned_mid_way_leaves_the_previous_file() {
    // The in-process analogue of a kill: the sync future is dropped while the c1z writer is
    // open and the connector waits on an API call that cannot finish in time.
    let previous = Previous::new(&reference()).await;
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    fake.inject_on(
        "GET /api/members",
        Fault::Latency {
            delay: Duration::from_secs(60),
            count: 1_000,
        },
    );
    let connector = WorkatoConnector::new(client_for(&fake), ConnectorConfig::default());
    let syncer = Syncer::new(connector);
    let abandoned =
        tokio::time::timeout(Duration::from_millis(500), syncer.run(&previous.out)).await;
    assert!(abandoned.is_err(), "the sync cannot have finished");
    assert!(
        fake.request_count("GET /api/members") >= 1,
        "the sync was under way"
    );
    previous.assert_untouched();
}

// ---- separate processes -------------------------------------------------------------------

/// Child entry point (run only by the two tests below, with `--ignored`), printing each
/// phase on stdout:
///
/// - `kill`: syncs [`paged_seed`] into `$FAULTS_CHILD_OUT` and, once grants are being written,
///   prints `FROZEN` and stops there with the writer open until the parent kills it, so the
///   kill lands mid-write every time;
/// - `disk-full`: syncs it with the file size limit set by the parent and prints `RESULT ok` or `RESULT error <chain>`.
#[tokio::test]
#[ignore = "child process of the kill and disk-full tests"]
#[allow(clippy::print_stdout)]
async fn child_sync() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    // libtest has printed `test faults::child_sync ... ` with no newline: end that line so
    // every marker below starts a line of its own, even when it is the first thing printed.
    println!();
    let out = PathBuf::from(std::env::var(CHILD_OUT).expect("child out"));
    assert!(mode == "kill" || mode == "disk-full", "unknown mode {mode}");
    let freeze = mode == "kill";
    let last_phase = std::sync::Mutex::new(None);
    let fake = FakeWorkato::start(paged_seed()).await.expect("fake");
    let connector = WorkatoConnector::new(client_for(&fake), ConnectorConfig::default());
    let syncer = Syncer::new(connector).progress(move |p| {
        let mut last = last_phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *last != Some(p.phase) {
            println!("PHASE {:?}", p.phase);
            *last = Some(p.phase);
        }
        if freeze && p.phase == Phase::Grants && p.counts.grants > 0 {
            println!("FROZEN");
            // Blocks this runtime thread for good: the parent's SIGKILL ends the process.
            loop {
                std::thread::sleep(Duration::from_secs(60));
            }
        }
    });
    match tokio::time::timeout(GUARD, syncer.run(&out))
        .await
        .expect("the child's sync hung (guard timeout)")
    {
        Ok(_) => println!("RESULT ok"),
        Err(e) => println!("RESULT error {}", chain(&e).replace('\n', " ")),
    }
}

fn child_command(mode: &str, out: &Path, scratch: &Path) -> Command {
    let exe = std::env::current_exe().expect("test binary");
    let mut cmd = Command::new("sh");
    // `trap '' XFSZ`: an ignored signal stays ignored across exec, so exceeding the file
    // size limit makes write() fail with EFBIG instead of killing the child.
    let limit = if mode == "disk-full" {
        "trap '' XFSZ; ulimit -f 256; "
    } else {
        ""
    };
    cmd.arg("-c")
        .arg(format!("{limit}exec \"$0\" \"$@\""))
        .arg(exe)
        .args([
            "faults::child_sync",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MODE, mode)
        .env(CHILD_OUT, out)
        // The writer's scratch database goes to the temp dir: keep a killed child's there.
        .env("TMPDIR", scratch)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

#[tokio::test]
async fn a_process_killed_mid_write_leaves_the_previous_file() {
    // Two syncs of history: the kill must not lose either of them.
    let previous = Previous::with_syncs(&reference(), 2).await;
    let history = C1zReader::open(&previous.out)
        .expect("open")
        .syncs()
        .expect("syncs");
    assert_eq!(history.len(), 2);
    let scratch = tempfile::tempdir().expect("scratch");
    let mut child = child_command("kill", &previous.out, scratch.path())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let reader = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("child line");
            let writing = line == "FROZEN" || line.starts_with("RESULT");
            seen.push(line);
            if writing {
                break;
            }
        }
        seen
    });
    let Ok(lines) = tokio::time::timeout(GUARD, reader).await else {
        child.kill().expect("kill hung child");
        panic!("the child never reached the grants phase (guard timeout)");
    };
    let lines = lines.expect("reader");
    // SIGKILL, by handle, while the c1z is being written.
    child.kill().expect("kill child");
    let status = child.wait().expect("wait child");
    assert!(!status.success());
    assert!(
        lines.iter().any(|l| l == "FROZEN"),
        "the child stopped while writing grants: {lines:?}"
    );
    previous.assert_untouched();
    assert_eq!(
        C1zReader::open(&previous.out)
            .expect("open")
            .syncs()
            .expect("syncs"),
        history,
        "the history is intact"
    );

    // The killed child's scratch database is still in its temp dir (nobody cleaned up).
    let leftovers = std::fs::read_dir(scratch.path()).expect("scratch").count();
    assert!(leftovers >= 1, "the killed writer had a scratch database");

    // The next run is not disturbed by whatever the killed one left behind (the OS released
    // the killed writer's lock), and is added to the history.
    let fake = FakeWorkato::start(reference()).await.expect("fake");
    let next = sync(&fake, &previous.out).await.expect("sync after kill");
    let ids: Vec<String> = C1zReader::open(&previous.out)
        .expect("open")
        .syncs()
        .expect("syncs")
        .into_iter()
        .map(|s| s.sync_id)
        .collect();
    assert_eq!(ids, [history[1].sync_id.clone(), next.sync_id]);
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        Contents::read(&previous.out),
        clean_contents(&reference(), dir.path()).await
    );
}

#[tokio::test]
async fn a_full_disk_fails_cleanly() {
    let previous = Previous::new(&reference()).await;
    let scratch = tempfile::tempdir().expect("scratch");
    let output = child_command("disk-full", &previous.out, scratch.path())
        .output()
        .expect("run child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result = stdout
        .lines()
        .find(|l| l.starts_with("RESULT"))
        .unwrap_or_else(|| panic!("the child reported no result: {stdout}"));
    assert!(result.starts_with("RESULT error"), "{result}");
    assert!(
        result.contains("I/O") || result.contains("full") || result.contains("large"),
        "{result}"
    );
    previous.assert_untouched();
}
