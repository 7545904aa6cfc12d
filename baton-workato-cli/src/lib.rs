//! The `baton-workato` command line: flags, `BATON_*` environment variables and the YAML config
//! file merged into a validated `config::Config`, then dispatched on its `config::Action`.
//!
//! The library exists for the binary's `main` and for in-process tests: [`run`] is the whole
//! program; [`run_with`] runs it with injected arguments, environment ([`Env`]) and output
//! streams ([`Capture`]), so tests need neither a subprocess nor the real process environment.
//!
//! # Crate organization
//!
//! - `args`: the command line as typed; `config_file`: the YAML file; `config`: both merged
//!   with the environment and validated (`config::action`: the subcommand or one-shot
//!   provisioning request; `config::api_key`: where the key comes from); `validation`: the
//!   checks and the usage error type.
//! - Every action is glue over the library crates (layering: docs/architecture.md): `connect`
//!   builds the Workato API client and the connector settings; `run_sync` (shared by the default
//!   action and `demo`) runs baton-model's `Syncer` on the `WorkatoConnector` through `sync` (with
//!   `progress` on a terminal); `oneshot` looks objects up in the last c1z and calls the
//!   connector's provisioner; `inspect` reads a c1z (printed through `table`); `schema` and
//!   `completion` print the `config` schema and shell completions; `logging` sets up `tracing`.

mod args;
mod completion;
mod config;
mod config_file;
mod connect;
mod demo;
mod demo_service;
mod history;
mod inspect;
mod logging;
mod oneshot;
mod progress;
mod schema;
mod service;
mod sync;
mod table;
mod validation;

pub use config::Env;
pub use logging::Capture;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::error::ErrorKind;
use clap::{ColorChoice, CommandFactory, FromArgMatches};
use tracing_subscriber::fmt::MakeWriter;

use crate::args::Cli;
use crate::config::{Action, Config};
use crate::config_file::ConfigFile;
use crate::validation::UsageError;
use anyhow::Context;
use workato_connector::provision::WorkatoProvisioner;
use workato_connector::WorkatoConnector;

/// Exit code: done, or already in the desired state.
pub const EXIT_OK: u8 = 0;
/// Exit code: the run failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: usage error (bad flags, environment or config file), nothing was attempted.
pub const EXIT_USAGE: u8 = 2;

/// Help text width used by [`run_with`], so help output is the same on every terminal.
const TEST_TERM_WIDTH: usize = 100;

/// Options that differ between the real binary and in-process runs.
struct RunOptions {
    /// Install the log dispatcher process-wide (binary) or for this thread only (tests).
    global_logs: bool,
    /// ANSI colours in console logs.
    ansi: bool,
    /// Fixed help width, or `None` for the terminal's.
    term_width: Option<usize>,
    /// stderr is a terminal: a sync may draw a live progress line there.
    terminal: bool,
}

/// Runs `baton-workato` with the process's arguments, environment and standard streams.
pub fn run() -> std::process::ExitCode {
    use std::io::IsTerminal;
    let env: Env = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let options = RunOptions {
        global_logs: true,
        ansi: io::stderr().is_terminal(),
        term_width: None,
        terminal: io::stderr().is_terminal(),
    };
    let mut stdout = io::stdout().lock();
    let code = run_inner(std::env::args_os(), &env, &mut stdout, io::stderr, options);
    std::process::ExitCode::from(code)
}

/// Runs `baton-workato` in-process: `args` includes the program name; `env` stands in for the
/// process environment; output goes to `stdout`, logs and error messages to `stderr`. Logs are
/// installed for the calling thread only. Returns the exit code ([`EXIT_OK`], [`EXIT_FAILED`],
/// [`EXIT_USAGE`]).
pub fn run_with<I, T, W>(args: I, env: &Env, stdout: &mut dyn Write, stderr: W) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let options = RunOptions {
        global_logs: false,
        ansi: false,
        term_width: Some(TEST_TERM_WIDTH),
        terminal: false,
    };
    run_inner(args, env, stdout, stderr, options)
}

/// The clap command with the settings every run uses.
pub(crate) fn command(term_width: Option<usize>) -> clap::Command {
    let cmd = Cli::command().color(ColorChoice::Never);
    match term_width {
        Some(w) => cmd.term_width(w).max_term_width(w),
        None => cmd,
    }
}

fn run_inner<I, T, W>(
    args: I,
    env: &Env,
    stdout: &mut dyn Write,
    stderr: W,
    options: RunOptions,
) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let cli = match command(options.term_width)
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e, stdout, &mut stderr.make_writer()),
    };
    let config = match ConfigFile::load(env)
        .map_err(UsageError::from)
        .and_then(|file| Config::from_sources(cli, env, &file))
    {
        Ok(c) => c,
        Err(e) => return report(&anyhow::Error::new(e), &mut stderr.make_writer()),
    };

    // JSON logs are read by machines: no terminal redraws between them.
    let progress = options.terminal && config.log_format == logging::LogFormat::Console;
    // Shared by the log dispatcher and the final error message.
    let stderr = std::sync::Arc::new(stderr);
    let dispatcher = if progress {
        logging::dispatch(
            config.log_level,
            config.log_format,
            logging::ClearLine(Shared(stderr.clone())),
            options.ansi,
        )
    } else {
        logging::dispatch(
            config.log_level,
            config.log_format,
            Shared(stderr.clone()),
            options.ansi,
        )
    };
    let _guard = if options.global_logs {
        // Fails only if a dispatcher is already installed, which then keeps logging.
        let _ = tracing::dispatcher::set_global_default(dispatcher);
        None
    } else {
        Some(tracing::dispatcher::set_default(&dispatcher))
    };
    for w in &config.warnings {
        tracing::warn!("{w}");
    }
    tracing::debug!(?config, "configuration");

    match dispatch(&config, stdout, progress) {
        Ok(code) => code,
        Err(e) => report(&e, &mut stderr.make_writer()),
    }
}

/// Runs the validated action, writing command output (not logs) to `stdout`, with a live sync
/// progress line on stderr when `progress` is set.
fn dispatch(config: &Config, stdout: &mut dyn Write, progress: bool) -> anyhow::Result<u8> {
    match &config.action {
        Action::ConfigSchema => schema::write_schema(stdout)?,
        Action::Completion { shell } => completion::write_completion(*shell, stdout)?,
        Action::Inspect {
            what,
            output,
            filters,
        } => inspect::run(&config.file, *what, *output, filters, stdout)?,
        Action::Capabilities => write_capabilities(config, stdout)?,
        Action::Sync => {
            let client = connect::client(config)?;
            runtime()?.block_on(run_sync(config, client, progress, stdout))?;
        }
        Action::Demo { service: true, .. } => {
            runtime()?.block_on(demo_service::run(config, stdout))?;
        }
        Action::Demo { serve, .. } => {
            runtime()?.block_on(demo::run(config, *serve, progress, stdout))?;
        }
        Action::Service => {
            let settings = config
                .service
                .clone()
                .context("internal: service mode without its settings")?;
            runtime()?.block_on(service::run(config, settings))?;
        }
        Action::Provision(request) => {
            let client = connect::client(config)?;
            let provisioner = WorkatoProvisioner::new(client, connect::connector_config(config));
            runtime()?.block_on(oneshot::run(request, &config.file, &provisioner, stdout))?;
        }
    }
    Ok(EXIT_OK)
}

/// The async runtime for actions that talk to Workato (two workers: the machine is shared and
/// the API is rate limited anyway).
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::Error::new(e).context("cannot start the async runtime"))
}

/// The one-shot sync, shared by the default action and `demo`: validates the key with one
/// call, syncs into `--file` atomically and prints the summary line to `out`.
pub(crate) async fn run_sync(
    config: &Config,
    client: workato_api::Client,
    progress: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if !config.sync_resources.is_empty() {
        return Err(UsageError::Unsupported {
            flag: "--sync-resources",
            what: "partial sync",
        }
        .into());
    }
    let connector_config = connect::connector_config(config);
    connect::check_resource_types(&client, config, &connector_config).await?;
    let connector = WorkatoConnector::new(client.clone(), connector_config);
    connector
        .validate()
        .await
        .context("cannot connect to Workato")?;
    let summary = sync::run(
        &connector,
        &config.file,
        &config.sync_resource_types,
        progress,
    )
    .await?;
    let report = sync::SyncReport {
        summary,
        api_calls: client.stats().total_requests(),
    };
    tracing::info!(
        api_calls = report.api_calls,
        rate_limited = client.stats().rate_limited,
        retries = client.stats().retries,
        "Workato API usage"
    );
    sync::write_summary(out, &config.file, &report)
}

/// `capabilities`: the connector's `ConnectorCapabilities` as protojson, without a trailing
/// newline, as baton prints it.
fn write_capabilities(config: &Config, out: &mut dyn Write) -> anyhow::Result<()> {
    // The capabilities are derived from the resource types alone; the client is never used, so
    // it needs no real key (`capabilities` runs without one, like baton's).
    let client = workato_api::Client::builder()
        .token(workato_api::ApiToken::new("capabilities-need-no-key"))
        .build()
        .context("cannot configure the Workato API client")?;
    let connector = WorkatoConnector::new(client, connect::connector_config(config));
    let capabilities = connector
        .capabilities()
        .context("cannot derive the capabilities")?;
    let text = baton_model::json::capabilities_json(&capabilities)
        .context("cannot render the capabilities")?;
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// A `MakeWriter` shared between the log dispatcher and the error report.
struct Shared<W>(std::sync::Arc<W>);

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Shared<W> {
    type Writer = W::Writer;
    fn make_writer(&'a self) -> Self::Writer {
        self.0.make_writer()
    }
}

/// Prints a clap error or help: help and version go to stdout with exit 0.
fn clap_error(e: &clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let text = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // A closed pipe (`| head`) is not a failure.
            let _ = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush());
            EXIT_OK
        }
        _ => {
            let _ = stderr.write_all(text.as_bytes());
            EXIT_USAGE
        }
    }
}

/// Prints `err` once with its chain and returns its exit code: usage errors 2, a closed
/// stdout 0 (the reader went away), anything else 1.
fn report(err: &anyhow::Error, stderr: &mut dyn Write) -> u8 {
    if is_broken_pipe(err) {
        return EXIT_OK;
    }
    let usage = err.chain().any(|e| e.is::<UsageError>());
    let text = if usage {
        format!("error: {err:#}\n\nFor more information, try '--help'.\n")
    } else {
        format!("error: {err:#}\n")
    };
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
    if usage {
        EXIT_USAGE
    } else {
        EXIT_FAILED
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
