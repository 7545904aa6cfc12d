//! Benchmark: a full sync of a generated fake workspace, printed as one JSON object.
//!
//! ```text
//! cargo run --release -p examples --bin bench -- --members 20000 --rate-per-min 6000 --latency-ms 5
//! ```
//!
//! The fake Workato server runs in a child process (this same binary started with the hidden
//! `--serve-fake` flag), so the `peak_rss_mib` and `cpu_s` reported are those of the syncing
//! process alone: API client, connector, sync engine and c1z writer, as in `baton-workato`.
//! The server and the client use the same per-family limit (`--rate-per-min`), the client
//! with its own proactive limiter, so every 429 counted in `throttled_429` is one the client
//! provoked. `wall_s` is the time of the sync alone (server start-up excluded).
//! `cpu_by_phase_s` splits `cpu_s` by the sync engine's phases (`resources`, `entitlements`,
//! `grants`, `expansion`, `writing` = grants indexes and compression; `start` = anything before
//! the first phase, such as copying the earlier syncs of an existing file).
//!
//! `bound_at_limit_s`/`_min` is the least wall time the same calls would take in a real
//! tenant limited to `--workato-rate-limit` requests per minute per family (default 60,
//! Workato's documented limit): the busiest family's calls (`busiest_family`,
//! `busiest_family_requests`) over the limit. `--nested-folders supported` makes the fake
//! answer `with_nested_folders` with whole trees (default `ignored`).
//!
//! The sync engine's scratch database lives in the temp directory and grows with the grants,
//! expanded ones included (about 1 GB per million): cap big runs with a file-size limit, e.g.
//! `bash -c 'trap "" XFSZ; ulimit -f 4194304; exec target/release/bench …'`, so that an
//! oversized run fails with a disk error (reported as JSON with the partial measurements)
//! instead of filling the disk.
//!
//! A second sync into the file of the first (the c1z keeps both, as with `baton-workato -f`):
//! run once with `--out FILE`, then again with `--out FILE --into-existing`.
//!
//! The process runs with mimalloc, the global allocator of `baton-workato` (D58), so the
//! figures are those of the binary users run.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use baton_model::c1z::WriterOptions;
use baton_model::sync::{Phase, SyncSummary, Syncer};
use clap::Parser;
use examples::procstat;
use examples::report::BenchReport;
use workato_api::fake::{FakeWorkato, GenParams, NestedFolders, Seed};
use workato_api::{ApiToken, Client};
use workato_connector::config::ConnectorConfig;
use workato_connector::env::EnvScope;
use workato_connector::WorkatoConnector;

/// Environment variable handing the fake server's token to the child process (kept off the
/// command line and off stdout).
const TOKEN_ENV: &str = "BENCH_FAKE_TOKEN";

/// What the child prints once it listens: `READY <base url>`.
const READY: &str = "READY ";

#[derive(Debug, Clone, Parser)]
#[command(
    name = "bench",
    about = "Sync a generated fake Workato workspace and print one JSON object of measurements"
)]
struct Args {
    /// Collaborators.
    #[arg(long, default_value_t = 1_000)]
    members: usize,
    /// Legacy custom roles.
    #[arg(long, default_value_t = 20)]
    custom_roles: usize,
    /// Environment roles.
    #[arg(long, default_value_t = 5)]
    env_roles: usize,
    /// Project roles.
    #[arg(long, default_value_t = 4)]
    project_roles: usize,
    /// Projects.
    #[arg(long, default_value_t = 10)]
    projects: usize,
    /// Folder levels below each project's root folder.
    #[arg(long, default_value_t = 2)]
    folder_depth: usize,
    /// Children per folder.
    #[arg(long, default_value_t = 5)]
    folder_fanout: usize,
    /// Collaborator groups.
    #[arg(long, default_value_t = 10)]
    groups: usize,
    /// Requests per minute per endpoint family, on the server and in the client (0 = unlimited).
    #[arg(long, default_value_t = 0)]
    rate_per_min: u32,
    /// The per-family limit of a real tenant (requests per minute) the reported bound
    /// (`bound_at_limit_s`, busiest family) is computed for; the run itself is only
    /// throttled by --rate-per-min.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    workato_rate_limit: u32,
    /// How the fake answers `with_nested_folders=true`: ignored, supported or truncated:<max>.
    #[arg(long, default_value = "ignored")]
    nested_folders: NestedFolders,
    /// Latency the server adds to every response, milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Where to write the c1z (default: a file in the system temp directory, removed after).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Add the sync to the c1z already at `--out`, as `baton-workato -f` does, instead of
    /// replacing it (run once without, then once with it, to measure a second sync).
    #[arg(long, requires = "out")]
    into_existing: bool,
    /// The `workato-env` setting to sync (`dev`, `test`, `prod` or `all`).
    #[arg(long, default_value = "dev")]
    env: EnvScope,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Internal: serve the fake workspace and print `READY <url>` (the benchmark's child).
    #[arg(long, hide = true)]
    serve_fake: bool,
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
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if args.serve_fake {
        return serve_fake(&args);
    }
    let (json, result) = match run_bench(&args) {
        Ok(report) => (report.to_json(), Ok(())),
        Err(failure) => (failure.to_json(), Err(failure.error)),
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &json)?;
    writeln!(stdout)?;
    result
}

/// A run that did not finish: the error and what was measured up to it, printed as JSON too
/// so that scripts see how far it got.
struct Failure {
    error: anyhow::Error,
    partial: Option<Partial>,
}

/// Measurements taken when a started sync failed.
struct Partial {
    wall: Duration,
    cpu: Duration,
    peak_rss_mib: f64,
    requests: BTreeMap<String, u64>,
    throttled_429: u64,
}

impl Failure {
    fn to_json(&self) -> serde_json::Value {
        let mut json = serde_json::json!({ "error": format!("{:#}", self.error) });
        if let Some(p) = &self.partial {
            json["wall_s"] = p.wall.as_secs_f64().into();
            json["cpu_s"] = p.cpu.as_secs_f64().into();
            json["peak_rss_mib"] = p.peak_rss_mib.into();
            json["total_requests"] = p.requests.values().sum::<u64>().into();
            json["requests"] = serde_json::json!(p.requests);
            json["throttled_429"] = p.throttled_429.into();
        }
        json
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure {
            error,
            partial: None,
        }
    }
}

fn family_requests(client: &Client) -> BTreeMap<String, u64> {
    client
        .stats()
        .requests
        .iter()
        .map(|(family, n)| (family.name().to_owned(), *n))
        .collect()
}

fn peak_rss_mib() -> Result<f64> {
    // Byte counts fit an f64 exactly far beyond any RSS.
    #[allow(clippy::cast_precision_loss)]
    Ok(procstat::peak_rss_bytes()? as f64 / (1024.0 * 1024.0))
}

/// Child mode: serve the generated workspace until stdin closes (the parent is done or died).
fn serve_fake(args: &Args) -> Result<()> {
    let mut seed = Seed::generate(&args.gen_params());
    seed.token = std::env::var(TOKEN_ENV).with_context(|| format!("{TOKEN_ENV} is not set"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let fake = FakeWorkato::start(seed).await?;
        fake.set_rate_limit(args.rate_per_min);
        fake.set_latency(Duration::from_millis(args.latency_ms));
        fake.set_nested_folders(args.nested_folders);
        {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{READY}{}", fake.url())?;
            stdout.flush()?;
        }
        // Blocking read on a blocking thread: returns at EOF.
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await?;
        tracing::debug!(throttled = fake.throttled(), families = ?fake.family_counts(), "fake server done");
        fake.shutdown().await;
        anyhow::Ok(())
    })
}

/// Kills the child server if the benchmark fails before shutting it down cleanly.
struct ChildGuard(Option<Child>);

impl ChildGuard {
    fn finish(mut self) -> Result<()> {
        if let Some(mut child) = self.0.take() {
            // Closing stdin asks the server to stop.
            drop(child.stdin.take());
            let status = child.wait()?;
            if !status.success() {
                bail!("fake server exited with {status}");
            }
        }
        Ok(())
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start_server(args: &Args, token: &str) -> Result<(ChildGuard, String)> {
    let exe = std::env::current_exe().context("locating the bench binary")?;
    let child = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .arg("--serve-fake")
        .env(TOKEN_ENV, token)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the fake server process")?;
    let mut guard = ChildGuard(Some(child));
    let stdout = guard
        .0
        .as_mut()
        .and_then(|c| c.stdout.take())
        .context("fake server stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix(READY)
        .with_context(|| format!("fake server did not start (said {line:?})"))?
        .to_owned();
    tracing::debug!(members = args.members, %url, "fake server ready");
    Ok((guard, url))
}

fn run_bench(args: &Args) -> Result<BenchReport, Failure> {
    let token = format!("bench-{}-{}", std::process::id(), args.seed);
    let (server, url) = start_server(args, &token)?;

    let (out, remove_after) = match &args.out {
        Some(path) => (path.clone(), false),
        None => (
            std::env::temp_dir().join(format!("baton-workato-bench-{}.c1z", std::process::id())),
            true,
        ),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let client = Client::builder()
        .token(ApiToken::new(token))
        .base_url(&url)
        .rate_limit_all(args.rate_per_min)
        .build()
        .map_err(anyhow::Error::from)?;
    let mut config = ConnectorConfig::default();
    config.env = args.env;

    let cpu_before = procstat::cpu_time().map_err(anyhow::Error::from)?;
    let started = Instant::now();
    let phases = PhaseClock::default();
    let result = runtime.block_on(sync(&client, config, &out, args.into_existing, &phases));
    let wall = started.elapsed();
    let cpu = procstat::cpu_time()
        .map_err(anyhow::Error::from)?
        .saturating_sub(cpu_before);
    let peak_rss_mib = peak_rss_mib()?;
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            return Err(Failure {
                error,
                partial: Some(Partial {
                    wall,
                    cpu,
                    peak_rss_mib,
                    requests: family_requests(&client),
                    throttled_429: client.stats().rate_limited,
                }),
            })
        }
    };
    server.finish()?;

    let stats = client.stats();
    if remove_after {
        std::fs::remove_file(&out).with_context(|| format!("removing {}", out.display()))?;
    }
    Ok(BenchReport {
        requests: family_requests(&client),
        throttled_429: stats.rate_limited,
        retries: stats.retries,
        wall_s: wall.as_secs_f64(),
        rate_per_min: args.rate_per_min,
        workato_rate_limit: args.workato_rate_limit,
        peak_rss_mib,
        cpu_s: cpu.as_secs_f64(),
        resource_types: summary.resource_types,
        resources: summary.resources,
        entitlements: summary.entitlements,
        grants: summary.grants + summary.expanded_grants,
        expanded_grants: summary.expanded_grants,
        c1z_bytes: summary.c1z_bytes,
        cpu_by_phase_s: phases.split(cpu_before),
    })
}

/// The process CPU time at each phase change the sync engine reports, so the bench can say
/// where the CPU went (`cpu_by_phase_s`).
#[derive(Debug, Clone, Default)]
struct PhaseClock(Arc<Mutex<Vec<(Phase, Duration)>>>);

impl PhaseClock {
    /// Notes the CPU time when `phase` starts (repeated reports of a phase are ignored).
    fn mark(&self, phase: Phase) {
        let mut marks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if marks.last().is_some_and(|(last, _)| *last == phase) {
            return;
        }
        if let Ok(cpu) = procstat::cpu_time() {
            marks.push((phase, cpu));
        }
    }

    /// CPU seconds per phase name; `start` is the time before the first phase.
    fn split(&self, cpu_before: Duration) -> BTreeMap<String, f64> {
        let marks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let end = procstat::cpu_time().unwrap_or_default();
        let mut out = BTreeMap::new();
        let mut prev = (String::from("start"), cpu_before);
        for (phase, at) in marks.iter().chain(std::iter::once(&(Phase::Done, end))) {
            *out.entry(prev.0).or_insert(0.0) += at.saturating_sub(prev.1).as_secs_f64();
            prev = (phase_name(*phase), *at);
        }
        out
    }
}

fn phase_name(phase: Phase) -> String {
    match phase {
        Phase::ResourceTypes => "resource_types",
        Phase::Resources => "resources",
        Phase::Entitlements => "entitlements",
        Phase::Grants => "grants",
        Phase::Expansion => "expansion",
        Phase::Writing => "writing",
        _ => "done",
    }
    .to_string()
}

/// The sync `baton-workato` runs: the Workato connector over the API client, validated with
/// one call, then walked by the sync engine into a c1z.
async fn sync(
    client: &Client,
    config: ConnectorConfig,
    out: &PathBuf,
    into_existing: bool,
    phases: &PhaseClock,
) -> Result<SyncSummary> {
    let connector = WorkatoConnector::new(client.clone(), config);
    connector
        .validate()
        .await
        .context("cannot connect to the fake Workato")?;
    let clock = phases.clone();
    let summary = Syncer::new(&connector)
        .progress(move |p| clock.mark(p.phase))
        .writer_options(WriterOptions::default().append_to_existing(into_existing))
        .run(out)
        .await
        .with_context(|| format!("syncing into {}", out.display()))?;
    Ok(summary)
}
