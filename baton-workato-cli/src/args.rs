//! Command-line arguments exactly as typed.
//!
//! Nothing here reads the environment or the config file and no defaults are applied: every
//! setting is an `Option` so [`crate::config`] can tell "not given" from "given", which the
//! flag > environment > file precedence needs. Defaults and environment variables are therefore
//! written into the help text by hand (clap's `env` feature would read the real process
//! environment, which in-process tests must not depend on).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use workato_api::{ApiToken, DataCenter};

use crate::validation::data_center_keys;

/// Shown after the flag list of the top-level help.
const AFTER_HELP: &str = "\
A flag --foo-bar marked [env: BATON_FOO_BAR] can also be set with that environment variable or
with the key `foo-bar:` in the YAML file named by BATON_CONFIG_PATH (default ./.baton.yaml).
Precedence: flag > environment > config file > default.

One-shot provisioning (hidden flags, as in baton; run a sync first, they read --file):
  --grant-entitlement <ID> --grant-principal <ID> --grant-principal-type <TYPE>
  --revoke-grant <ID>
  --create-account-email <EMAIL> [--create-account-login <LOGIN>] [--create-account-profile <JSON>]
  --delete-resource <ID> --delete-resource-type <TYPE>

Service mode: --client-id and --client-secret connect to ConductorOne and run its tasks until
SIGTERM or SIGINT (--file and one-shot flags are ignored); -p enables its grants and revokes.
BATON_C1_API_HOST (host[:port]) and BATON_HOST_ID override the ConductorOne host and host id.
Exit codes: 0 done (or already in the desired state), 1 failed, 2 usage error.";

/// The parsed command line of `baton-workato`.
#[derive(Debug, Clone, Default, Parser)]
#[command(
    name = "baton-workato",
    version,
    // `-v`, as baton's connectors spell it, instead of clap's `-V`.
    disable_version_flag = true,
    about = "Sync Workato collaborators, roles, privileges, projects and folders into a c1z file for ConductorOne, or serve ConductorOne's sync and provisioning tasks (service mode)",
    after_help = AFTER_HELP
)]
pub(crate) struct Cli {
    /// Workato API client token; visible in the process list, prefer --workato-api-key-file or
    /// the environment [env: BATON_WORKATO_API_KEY]
    #[arg(long, value_name = "KEY")]
    pub(crate) workato_api_key: Option<ApiToken>,

    /// File holding the Workato API client token (keeps it out of the process list)
    /// [env: BATON_WORKATO_API_KEY_FILE]
    #[arg(long, value_name = "PATH")]
    pub(crate) workato_api_key_file: Option<PathBuf>,

    // The help lists workato-api's data centers, so it cannot fall behind the client.
    #[arg(long, value_name = "DC", help = data_center_help())]
    pub(crate) workato_data_center: Option<String>,

    /// Workato environment to sync: dev, test, prod, all [default: dev] [env: BATON_WORKATO_ENV]
    #[arg(long, value_name = "ENV")]
    pub(crate) workato_env: Option<String>,

    /// Skip legacy custom roles (/api/roles) and their folder grants [default: false]
    /// [env: BATON_DISABLE_CUSTOM_ROLES_SYNC]
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub(crate) disable_custom_roles_sync: Option<bool>,

    /// Base URL overriding the data center (proxies, mocks); https, or http on loopback only
    /// [env: BATON_WORKATO_BASE_URL]
    #[arg(long, value_name = "URL")]
    pub(crate) workato_base_url: Option<String>,

    /// Requests per minute per Workato endpoint family (Workato documents 60; set it to your
    /// plan's limit) [default: 60] [env: BATON_WORKATO_RATE_LIMIT]
    #[arg(long, value_name = "N")]
    pub(crate) workato_rate_limit: Option<String>,

    /// Role set in an environment when a grant is revoked [default: NoAccess]
    /// [env: BATON_REVOKE_BASELINE_ROLE]
    #[arg(long, value_name = "ROLE")]
    pub(crate) revoke_baseline_role: Option<String>,

    /// The c1z file a sync writes and provisioning or inspect reads [default: sync.c1z]
    /// [env: BATON_FILE]
    #[arg(short = 'f', long, value_name = "PATH", global = true)]
    pub(crate) file: Option<PathBuf>,

    /// The log level: trace, debug, info, warn, error [default: info] [env: BATON_LOG_LEVEL]
    #[arg(long, value_name = "LEVEL", global = true)]
    pub(crate) log_level: Option<String>,

    /// The output format for logs: json, console [default: json; console for demo]
    /// [env: BATON_LOG_FORMAT]
    #[arg(long, value_name = "FORMAT", global = true)]
    pub(crate) log_format: Option<String>,

    /// Enable provisioning actions [default: false] [env: BATON_PROVISIONING]
    #[arg(short = 'p', long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub(crate) provisioning: Option<bool>,

    /// Comma-separated resource type ids to sync (others are skipped; folder needs project)
    /// [env: BATON_SYNC_RESOURCE_TYPES]
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub(crate) sync_resource_types: Option<Vec<String>>,

    /// Comma-separated resource ids to sync (partial sync) [env: BATON_SYNC_RESOURCES]
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub(crate) sync_resources: Option<Vec<String>>,

    /// With --sync-resources: do not follow up with a full sync [default: false]
    /// [env: BATON_SKIP_FULL_SYNC]
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub(crate) skip_full_sync: Option<bool>,

    /// ConductorOne client id; setting it runs service mode (connect to ConductorOne, run its
    /// sync and provisioning tasks) [env: BATON_CLIENT_ID]
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,

    /// ConductorOne client secret, required with --client-id [env: BATON_CLIENT_SECRET]
    #[arg(long, value_name = "SECRET")]
    pub(crate) client_secret: Option<ApiToken>,

    /// Enable external ticket provisioning; accepted for baton compatibility, Workato has no
    /// ticketing [default: false] [env: BATON_TICKETING]
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub(crate) ticketing: Option<bool>,

    /// Service mode: tasks run at once, 1 to 100 [default: 3] [env: BATON_TASK_CONCURRENCY]
    #[arg(long, value_name = "N")]
    pub(crate) task_concurrency: Option<String>,

    /// Service mode: existing directory for the temporary c1z of each sync [default: the OS
    /// temp dir] [env: BATON_C1Z_TEMP_DIR]
    #[arg(long, value_name = "DIR")]
    pub(crate) c1z_temp_dir: Option<PathBuf>,

    /// Print version
    #[arg(short = 'v', long, action = clap::ArgAction::Version)]
    pub(crate) version: (),

    /// One-shot provisioning flags (hidden, as in baton).
    #[command(flatten)]
    pub(crate) ops: OneShotArgs,

    /// The subcommand, if any (none = one-shot sync or provisioning).
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

fn data_center_help() -> String {
    format!(
        "Workato data center: {} [default: {}] [env: BATON_WORKATO_DATA_CENTER]",
        data_center_keys().join(", "),
        DataCenter::default()
    )
}

/// baton's hidden one-shot provisioning flags. Command line only: a stray environment variable
/// must never grant or revoke access.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct OneShotArgs {
    /// The entitlement to grant to the principal
    #[arg(long, value_name = "ID", hide = true)]
    pub(crate) grant_entitlement: Option<String>,
    /// The id of the resource to grant the entitlement to
    #[arg(long, value_name = "ID", hide = true)]
    pub(crate) grant_principal: Option<String>,
    /// The resource type of the principal to grant the entitlement to
    #[arg(long, value_name = "TYPE", hide = true)]
    pub(crate) grant_principal_type: Option<String>,
    /// The grant to revoke
    #[arg(long, value_name = "ID", hide = true)]
    pub(crate) revoke_grant: Option<String>,
    /// The email of the account to create
    #[arg(long, value_name = "EMAIL", hide = true)]
    pub(crate) create_account_email: Option<String>,
    /// The login of the account to create
    #[arg(long, value_name = "LOGIN", hide = true)]
    pub(crate) create_account_login: Option<String>,
    /// JSON object with the profile of the account to create
    #[arg(long, value_name = "JSON", hide = true)]
    pub(crate) create_account_profile: Option<String>,
    /// The id of the resource to delete
    #[arg(long, value_name = "ID", hide = true)]
    pub(crate) delete_resource: Option<String>,
    /// The resource type of the resource to delete
    #[arg(long, value_name = "TYPE", hide = true)]
    pub(crate) delete_resource_type: Option<String>,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub(crate) enum Command {
    /// Print the connector's capabilities as JSON
    Capabilities,
    /// Print the configuration schema as JSON
    Config,
    /// Show the resource types, resources, entitlements, grants or syncs of a c1z file, or
    /// what changed between two syncs
    Inspect(InspectArgs),
    /// Sync an embedded fake Workato workspace, no Workato account needed
    Demo(DemoArgs),
    /// Print a shell completion script
    Completion {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}

/// `inspect` arguments.
#[derive(Debug, Clone, Args)]
pub(crate) struct InspectArgs {
    /// What to list
    pub(crate) what: InspectWhat,
    /// Output format
    #[arg(short = 'o', long, value_name = "FORMAT", default_value = "table")]
    pub(crate) output: OutputFormat,
    /// Only objects of this resource type
    #[arg(long, value_name = "TYPE")]
    pub(crate) resource_type: Option<String>,
    /// Only this resource, as TYPE:ID or ID with --resource-type (entitlements and grants: of
    /// this resource)
    #[arg(long, value_name = "ID")]
    pub(crate) resource: Option<String>,
    /// Only grants of this entitlement
    #[arg(long, value_name = "ID")]
    pub(crate) entitlement: Option<String>,
    /// Only grants held by this principal, as TYPE:ID (e.g. collaborator:1001)
    #[arg(long, value_name = "TYPE:ID")]
    pub(crate) principal: Option<String>,
    /// diff: take the base (older) sync from this c1z instead of --file
    #[arg(long, value_name = "FILE")]
    pub(crate) base_file: Option<PathBuf>,
    /// diff: the base (older) sync id [default: the finished full sync before the applied
    /// one, or the newest of --base-file]
    #[arg(long, value_name = "SYNC_ID")]
    pub(crate) base_sync: Option<String>,
    /// diff: the applied (newer) sync id [default: the newest finished full sync]
    #[arg(long, value_name = "SYNC_ID")]
    pub(crate) applied_sync: Option<String>,
}

/// `demo` arguments.
#[derive(Debug, Clone, Args)]
pub(crate) struct DemoArgs {
    /// Keep the fake Workato server running after the sync and print its URL (point
    /// --workato-base-url at it); stop with Ctrl-C
    #[arg(long, conflicts_with = "service")]
    pub(crate) serve: bool,
    /// Show a service-mode session instead: a fake ConductorOne queues a sync, a grant and a
    /// revoke for the fake workspace, and the demo prints what ConductorOne received
    #[arg(long)]
    pub(crate) service: bool,
}

/// What `inspect` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InspectWhat {
    /// Resource types
    ResourceTypes,
    /// Resources
    Resources,
    /// Entitlements
    Entitlements,
    /// Grants
    Grants,
    /// The syncs the file keeps (each sync into the same file adds one)
    Syncs,
    /// What changed between two syncs: the last two of the file, two sync ids, or another
    /// file's latest (--base-file)
    Diff,
}

/// Output format of `inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned columns for people
    Table,
    /// JSON in the `baton -o json` shape
    Json,
}
