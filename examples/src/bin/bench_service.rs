//! Benchmark of service mode: the real `baton-workato` binary, started as a child process in
//! service mode against an in-process fake ConductorOne and fake Workato, measured from
//! `/proc/<pid>`. Prints one JSON object.
//!
//! ```text
//! cargo build --release -p baton-workato-cli -p examples
//! target/release/bench_service                       # all three scenarios
//! target/release/bench_service --only idle --idle-secs 60
//! ```
//!
//! - `idle`: with `next_poll` = 1 s and no tasks, the child's CPU time (user + system, all
//!   threads) over `--idle-secs`, as a percentage of one core.
//! - `rss`: `--tasks` small tasks one after another (each queued once the previous one is
//!   finished); the child's RSS after each, and the mean of the first and last 100.
//!   `--rss-task unsupported` (default) uses `event_feed` tasks, which exercise polling,
//!   dispatch, FinishTask and logging without calling Workato; `grant-revoke` alternates a
//!   grant and a revoke of a role (each reads the member and PUTs its roles); at Workato's
//!   60/minute that is about two seconds a task, so lift the limit with a high
//!   `--workato-rate-limit` (e.g. 1000000) for 1,000 of them.
//! - `sync`: the generated workspace (default: 20,000 members, the README's "workspace W"),
//!   one `sync_full` task; the time from queueing it to the end of its upload and to its
//!   FinishTask, the child's CPU time and peak RSS over the run, and the upload size. The
//!   fake Workato limits each endpoint family to `--workato-rate-limit` requests per minute
//!   (default 60, as documented for Workato) and the child's client does the same.
//!
//! The child logs at `warn` to a file in a temp directory (printed on failure).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use baton_model::c1z::C1zReader;
use baton_model::model::ids::resource_id;
use baton_service::fake::{tasks, FakeC1};
use baton_service::proto::connector::GrantManagerServiceGrantResponse;
use clap::{Parser, ValueEnum};
use examples::procstat;
use serde_json::json;
use workato_api::fake::{FakeWorkato, GenParams, Seed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Idle,
    Rss,
    Sync,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RssTask {
    /// `event_feed` tasks: the runtime answers "unsupported task type" without Workato.
    Unsupported,
    /// A grant then a revoke of a role, alternating (real provisioning calls).
    GrantRevoke,
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "bench_service",
    about = "Measure baton-workato in service mode (idle CPU, RSS over many tasks, sync-to-upload latency) and print one JSON object"
)]
struct Args {
    /// The baton-workato binary (default: next to this benchmark's executable).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Which measurement to run.
    #[arg(long, value_enum, default_value = "all")]
    only: Scenario,
    /// Seconds of idle CPU measurement.
    #[arg(long, default_value_t = 30)]
    idle_secs: u64,
    /// Small tasks in the RSS scenario.
    #[arg(long, default_value_t = 1_000)]
    tasks: usize,
    /// The kind of small task in the RSS scenario.
    #[arg(long, value_enum, default_value = "unsupported")]
    rss_task: RssTask,
    /// Requests per minute per Workato endpoint family, on the fake server and in the child's
    /// client (`BATON_WORKATO_RATE_LIMIT`, at least 1; a high value such as 1000000 lifts it).
    #[arg(long, default_value_t = DEFAULT_RATE_LIMIT)]
    workato_rate_limit: u32,
    /// Collaborators of the sync workspace.
    #[arg(long, default_value_t = 20_000)]
    members: usize,
    /// Legacy custom roles.
    #[arg(long, default_value_t = 300)]
    custom_roles: usize,
    /// Environment roles.
    #[arg(long, default_value_t = 100)]
    env_roles: usize,
    /// Project roles.
    #[arg(long, default_value_t = 200)]
    project_roles: usize,
    /// Projects.
    #[arg(long, default_value_t = 200)]
    projects: usize,
    /// Folder levels below each project's root folder.
    #[arg(long, default_value_t = 1)]
    folder_depth: usize,
    /// Children per folder.
    #[arg(long, default_value_t = 25)]
    folder_fanout: usize,
    /// Collaborator groups.
    #[arg(long, default_value_t = 10)]
    groups: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

impl Args {
    fn gen_params(&self) -> GenParams {
        GenParams {
            members: self.members,
            custom_roles: self.custom_roles,
            env_roles: self.env_roles,
            project_roles: self.project_roles,
            projects: self.projects,
            folder_depth: self.folder_depth,
            folder_fanout: self.folder_fanout,
            groups: self.groups,
            seed: self.seed,
        }
    }

    fn binary(&self) -> Result<PathBuf> {
        let bin = match &self.bin {
            Some(b) => b.clone(),
            None => std::env::current_exe()
                .context("locating the benchmark executable")?
                .with_file_name(format!("baton-workato{}", std::env::consts::EXE_SUFFIX)),
        };
        if !bin.exists() {
            bail!(
                "{} does not exist: build it first (cargo build --release -p baton-workato-cli) or pass --bin",
                bin.display()
            );
        }
        Ok(bin)
    }
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let bin = args.binary()?;
    check_rate_limit_flag(&bin, args.workato_rate_limit)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut report = serde_json::Map::new();
    let all = args.only == Scenario::All;
    if all || args.only == Scenario::Idle {
        report.insert("idle".into(), runtime.block_on(idle(&args, &bin))?);
    }
    if all || args.only == Scenario::Rss {
        report.insert("rss".into(), runtime.block_on(rss(&args, &bin))?);
    }
    if all || args.only == Scenario::Sync {
        report.insert("sync".into(), runtime.block_on(sync(&args, &bin))?);
    }
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &serde_json::Value::Object(report))?;
    use std::io::Write as _;
    writeln!(stdout)?;
    Ok(())
}

/// The binary's Workato client limits itself to 60 requests/minute per family unless it has
/// `--workato-rate-limit`; any other limit would be reported without being applied.
fn check_rate_limit_flag(bin: &Path, limit: u32) -> Result<()> {
    if limit == DEFAULT_RATE_LIMIT {
        return Ok(());
    }
    let help = Command::new(bin)
        .arg("--help")
        .output()
        .with_context(|| format!("running {} --help", bin.display()))?;
    if !String::from_utf8_lossy(&help.stdout).contains("--workato-rate-limit") {
        bail!(
            "{} has no --workato-rate-limit flag: its client keeps Workato's 60 requests/minute, so run with --workato-rate-limit 60",
            bin.display()
        );
    }
    Ok(())
}

/// Workato's documented limit per endpoint family, and the binary's default.
const DEFAULT_RATE_LIMIT: u32 = 60;

/// The child under test; killed if the benchmark fails before stopping it.
struct Service {
    child: Option<Child>,
    pid: u32,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl Service {
    fn start(bin: &Path, c1: &FakeC1, workato: &FakeWorkato, rate_limit: u32) -> Result<Self> {
        let dir = tempfile::tempdir().context("creating the child's temp dir")?;
        let log = dir.path().join("service.log");
        let mut cmd = Command::new(bin);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("BATON_") {
                cmd.env_remove(k);
            }
        }
        cmd.envs(c1.child_env().context("fake C1 credentials")?)
            .env("BATON_WORKATO_BASE_URL", workato.url())
            .env("BATON_WORKATO_API_KEY", workato.token())
            .env("BATON_WORKATO_RATE_LIMIT", rate_limit.to_string())
            .env("BATON_PROVISIONING", "true")
            .env("BATON_C1Z_TEMP_DIR", dir.path())
            // The sync engine's scratch database goes to the OS temp dir: the same volume, as
            // in the Kubernetes Deployment.
            .env("TMPDIR", dir.path())
            .env("BATON_LOG_LEVEL", "warn")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).context("creating the child's log file")?);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let pid = child.id();
        Ok(Service {
            child: Some(child),
            pid,
            log,
            dir,
        })
    }

    /// The child's c1z temp dir (`BATON_C1Z_TEMP_DIR`).
    fn temp_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    fn log_excerpt(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// SIGTERM, then waits for a clean exit.
    fn stop(mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        // No libc dependency for one signal: kill(1) is on every Linux system.
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .context("running kill -TERM")?;
        if !sent.success() {
            bail!("kill -TERM {} failed", self.pid);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait()? {
                if !status.success() {
                    bail!(
                        "the service exited with {status} after SIGTERM; log:\n{}",
                        self.log_excerpt()
                    );
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("the service did not exit within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn cpu(&self) -> Result<Duration> {
        procstat::cpu_time_of(self.pid).context("reading the child's CPU time")
    }

    fn rss_mib(&self) -> Result<f64> {
        Ok(mib(
            procstat::rss_bytes_of(self.pid).context("reading the child's RSS")?
        ))
    }

    fn peak_rss_mib(&self) -> Result<f64> {
        Ok(mib(
            procstat::peak_rss_bytes_of(self.pid).context("reading the child's peak RSS")?
        ))
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

fn mib(bytes: u64) -> f64 {
    // Byte counts fit an f64 exactly far beyond any RSS.
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    b / (1024.0 * 1024.0)
}

fn mean(values: &[f64]) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = values.len().max(1) as f64;
    values.iter().sum::<f64>() / n
}

async fn started(c1: &FakeC1, service: &Service) -> Result<()> {
    c1.wait_for_polls(1, Duration::from_secs(60))
        .await
        .with_context(|| {
            format!(
                "the service did not poll ConductorOne; log:\n{}",
                service.log_excerpt()
            )
        })
}

async fn idle(args: &Args, bin: &Path) -> Result<serde_json::Value> {
    let workato = FakeWorkato::start(Seed::default_workspace()).await?;
    let c1 = FakeC1::start().await?;
    c1.set_next_poll(Duration::from_secs(1));
    let service = Service::start(bin, &c1, &workato, args.workato_rate_limit)?;
    started(&c1, &service).await?;
    // Start-up work (Hello, the Workato check) is not idle time.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let polls_before = c1.polls().len();
    let cpu_before = service.cpu()?;
    let wall_start = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
    let cpu = service.cpu()?.saturating_sub(cpu_before);
    let wall = wall_start.elapsed();
    let polls = c1.polls().len() - polls_before;
    let rss = service.rss_mib()?;
    service.stop()?;
    workato.shutdown().await;
    Ok(json!({
        "next_poll_s": 1,
        "wall_s": wall.as_secs_f64(),
        "cpu_s": cpu.as_secs_f64(),
        "cpu_percent_of_one_core": 100.0 * cpu.as_secs_f64() / wall.as_secs_f64(),
        "polls": polls,
        "rss_mib": rss,
        "cpu_clock_resolution_s": 1.0 / 100.0,
    }))
}

async fn rss(args: &Args, bin: &Path) -> Result<serde_json::Value> {
    let workato = FakeWorkato::start(Seed::default_workspace()).await?;
    workato.set_rate_limit(args.workato_rate_limit);
    let c1 = FakeC1::start().await?;
    c1.set_next_poll(Duration::from_millis(10));
    let service = Service::start(bin, &c1, &workato, args.workato_rate_limit)?;
    started(&c1, &service).await?;

    let grant_task = if args.rss_task == RssTask::GrantRevoke {
        Some(grant_inputs(&c1, &service).await?)
    } else {
        None
    };
    let mut samples = Vec::with_capacity(args.tasks);
    let cpu_before = service.cpu()?;
    let started_at = Instant::now();
    let mut failures = 0usize;
    let mut last_grant = None;
    for i in 0..args.tasks {
        let task = match &grant_task {
            None => tasks::event_feed(),
            Some((entitlement, principal)) => match (i % 2, last_grant.take()) {
                (1, Some(grant)) => tasks::revoke(grant),
                _ => tasks::grant(entitlement.clone(), principal.clone()),
            },
        };
        let id = c1.enqueue(task);
        let finish = c1
            .wait_for_finish(&id, Duration::from_secs(120))
            .await
            .with_context(|| format!("task {i} did not finish; log:\n{}", service.log_excerpt()))?;
        if grant_task.is_some() {
            if !finish.is_success() {
                failures += 1;
            }
            last_grant = finish
                .response_as::<GrantManagerServiceGrantResponse>()
                .and_then(|r| r.grants.into_iter().next());
        }
        samples.push(service.rss_mib()?);
    }
    let wall = started_at.elapsed();
    let cpu = service.cpu()?.saturating_sub(cpu_before);
    let peak = service.peak_rss_mib()?;
    service.stop()?;
    workato.shutdown().await;
    let window = 100.min(samples.len());
    let first = mean(&samples[..window]);
    let last = mean(&samples[samples.len() - window..]);
    let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let max = samples.iter().copied().fold(0.0, f64::max);
    Ok(json!({
        "task": format!("{:?}", args.rss_task),
        "tasks": samples.len(),
        "failed_tasks": failures,
        "wall_s": wall.as_secs_f64(),
        "cpu_s": cpu.as_secs_f64(),
        "rss_mib_mean_first_100": first,
        "rss_mib_mean_last_100": last,
        "rss_mib_growth_last_vs_first": last - first,
        "rss_mib_min": min,
        "rss_mib_max": max,
        "peak_rss_mib": peak,
    }))
}

/// Syncs the small workspace once and takes the entitlement and principal of the
/// grant/revoke tasks from the upload, as ConductorOne would.
async fn grant_inputs(
    c1: &FakeC1,
    service: &Service,
) -> Result<(
    baton_model::proto::Entitlement,
    baton_model::proto::Resource,
)> {
    let id = c1.enqueue(tasks::sync_full());
    let finish = c1
        .wait_for_finish(&id, Duration::from_secs(300))
        .await
        .with_context(|| {
            format!(
                "the setup sync did not finish; log:\n{}",
                service.log_excerpt()
            )
        })?;
    if !finish.is_success() {
        bail!("the setup sync failed: {}", finish.message);
    }
    let bytes = c1
        .uploads(&id)
        .pop()
        .context("the setup sync uploaded nothing")?;
    tokio::task::spawn_blocking(move || {
        let file = tempfile::NamedTempFile::new()?;
        std::fs::write(file.path(), bytes)?;
        let reader = C1zReader::open(file.path())?;
        let entitlement = reader
            .entitlement("role:Operator:collaborator-has")?
            .context("role:Operator:collaborator-has missing from the upload")?;
        let principal = reader
            .resource(&resource_id("collaborator", "1002"))?
            .context("collaborator:1002 missing from the upload")?;
        Ok((entitlement, principal))
    })
    .await?
}

/// Samples the total size of the files under `dir` every 200 ms until `stop`; returns the peak.
async fn peak_dir_size(dir: PathBuf, mut stop: tokio::sync::oneshot::Receiver<()>) -> u64 {
    let mut peak = 0;
    loop {
        let d = dir.clone();
        let size = tokio::task::spawn_blocking(move || dir_size(&d))
            .await
            .unwrap_or(0);
        peak = peak.max(size);
        tokio::select! {
            _ = &mut stop => return peak,
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => allocated(&m),
            Err(_) => 0,
        })
        .sum()
}

/// Bytes a file takes on disk: the writer leaves a hole in its database at finish (the
/// spooled grant pages live in another file until compressed), which its length would count
/// twice.
#[cfg(unix)]
fn allocated(m: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.blocks() * 512
}

#[cfg(not(unix))]
fn allocated(m: &std::fs::Metadata) -> u64 {
    m.len()
}

async fn sync(args: &Args, bin: &Path) -> Result<serde_json::Value> {
    let seed = Seed::generate(&args.gen_params());
    let workato = FakeWorkato::start(seed).await?;
    workato.set_rate_limit(args.workato_rate_limit);
    let c1 = FakeC1::start().await?;
    c1.set_next_poll(Duration::from_millis(100));
    let service = Service::start(bin, &c1, &workato, args.workato_rate_limit)?;
    started(&c1, &service).await?;
    workato.reset_counters();

    let cpu_before = service.cpu()?;
    // The largest the temp dir got (scratch database + c1z): what the emptyDir must hold.
    let (stop_du, du_stopped) = tokio::sync::oneshot::channel::<()>();
    let du = tokio::spawn(peak_dir_size(service.temp_dir(), du_stopped));
    let queued = tokio::time::Instant::now();
    let id = c1.enqueue(tasks::sync_full());
    let finish = c1
        .wait_for_finish(&id, Duration::from_secs(3600))
        .await
        .with_context(|| format!("the sync did not finish; log:\n{}", service.log_excerpt()))?;
    let finished_s = finish.at.duration_since(queued).as_secs_f64();
    if !finish.is_success() {
        bail!(
            "the sync failed ({:?}): {}; log:\n{}",
            finish.code(),
            finish.message,
            service.log_excerpt()
        );
    }
    let cpu = service.cpu()?.saturating_sub(cpu_before);
    let peak = service.peak_rss_mib()?;
    let _ = stop_du.send(());
    let peak_temp_bytes = du.await?;
    let upload = c1
        .upload_records(&id)
        .into_iter()
        .rfind(|u| u.accepted)
        .context("the sync finished without an accepted upload")?;
    let upload_s = upload.at.duration_since(queued).as_secs_f64();
    let size = upload.bytes.len();
    let bytes = upload.bytes;
    let stats = tokio::task::spawn_blocking(move || -> Result<_> {
        let file = tempfile::NamedTempFile::new()?;
        std::fs::write(file.path(), bytes)?;
        Ok(C1zReader::open(file.path())?.stats()?)
    })
    .await??;
    let heartbeats = c1.heartbeats(&id).len();
    let requests = workato.total_requests();
    let throttled = workato.throttled();
    service.stop()?;
    workato.shutdown().await;
    Ok(json!({
        "members": args.members,
        "workato_rate_limit_per_min": args.workato_rate_limit,
        "queued_to_upload_done_s": upload_s,
        "queued_to_finish_s": finished_s,
        "child_cpu_s": cpu.as_secs_f64(),
        "child_peak_rss_mib": peak,
        "upload_bytes": size,
        "peak_temp_dir_mib": mib(peak_temp_bytes),
        "upload_chunks": upload.chunk_sizes.len(),
        "heartbeats": heartbeats,
        "workato_requests": requests,
        "workato_429": throttled,
        "resources": stats.resources.values().sum::<u64>(),
        "entitlements": stats.entitlements,
        "grants": stats.grants,
    }))
}
