//! What a run does: the subcommand, or baton's one-shot provisioning flags turned into a
//! [`Provision`] request, checked complete and alone before anything runs.

use clap_complete::Shell;

use crate::args::{Command, InspectWhat, OneShotArgs, OutputFormat};
use crate::validation::{Origin, UsageError};

/// `inspect` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InspectFilters {
    /// Only objects of this resource type.
    pub(crate) resource_type: Option<String>,
    /// Only this resource.
    pub(crate) resource: Option<String>,
    /// Only grants of this entitlement.
    pub(crate) entitlement: Option<String>,
    /// Only grants held by this principal (`TYPE:ID`).
    pub(crate) principal: Option<String>,
    /// `diff`: which syncs to compare.
    pub(crate) diff: crate::history::DiffSelection,
}

/// What the run does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    /// One-shot sync into `--file`.
    Sync,
    /// One-shot provisioning against Workato, reading objects from `--file`.
    Provision(Provision),
    /// Service mode: serve ConductorOne's tasks until SIGTERM/SIGINT (settings in
    /// `Config::service`).
    Service,
    /// `capabilities` subcommand.
    Capabilities,
    /// `config` subcommand.
    ConfigSchema,
    /// `inspect` subcommand.
    Inspect {
        /// What to list.
        what: InspectWhat,
        /// Table or JSON.
        output: OutputFormat,
        /// Filters.
        filters: InspectFilters,
    },
    /// `demo` subcommand.
    Demo {
        /// Keep the fake server running.
        serve: bool,
        /// Show a service-mode session against a fake ConductorOne instead.
        service: bool,
    },
    /// `completion` subcommand.
    Completion {
        /// Target shell.
        shell: Shell,
    },
}

/// A one-shot provisioning request (baton's hidden flags).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Provision {
    /// `--grant-entitlement`.
    Grant {
        /// Entitlement id.
        entitlement: String,
        /// Principal resource id.
        principal: String,
        /// Principal resource type id.
        principal_type: String,
    },
    /// `--revoke-grant`.
    Revoke {
        /// Grant id.
        grant: String,
    },
    /// `--create-account-*`.
    CreateAccount {
        /// Email of the new collaborator.
        email: String,
        /// Login, if given.
        login: Option<String>,
        /// `--create-account-profile` (a JSON object; empty when not given).
        profile_json: serde_json::Map<String, serde_json::Value>,
    },
    /// `--delete-resource`.
    Delete {
        /// Resource id.
        id: String,
        /// Resource type id.
        resource_type: String,
    },
}

impl Provision {
    /// A short name for logs.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Provision::Grant { .. } => "grant",
            Provision::Revoke { .. } => "revoke",
            Provision::CreateAccount { .. } => "create-account",
            Provision::Delete { .. } => "delete-resource",
        }
    }
}

impl Action {
    /// Whether the action talks to Workato (and so needs the API key).
    pub(crate) fn calls_workato(&self) -> bool {
        matches!(self, Action::Sync | Action::Provision(_) | Action::Service)
    }

    /// Whether the action reads an existing c1z from `--file`.
    pub(crate) fn reads_file(&self) -> bool {
        matches!(self, Action::Provision(_) | Action::Inspect { .. })
    }

    /// Whether the action writes a c1z to `--file`.
    pub(crate) fn writes_file(&self) -> bool {
        matches!(self, Action::Sync | Action::Demo { service: false, .. })
    }

    /// Turns the subcommand or the one-shot flags into an [`Action`], checking that one-shot
    /// operations are complete and not combined.
    pub(crate) fn from_args(
        ops: &OneShotArgs,
        command: Option<Command>,
    ) -> Result<Self, UsageError> {
        // (group's leading flag, whether any flag of the group is set)
        let groups: [(&'static str, bool); 4] = [
            (
                "--grant-entitlement",
                ops.grant_entitlement.is_some()
                    || ops.grant_principal.is_some()
                    || ops.grant_principal_type.is_some(),
            ),
            ("--revoke-grant", ops.revoke_grant.is_some()),
            (
                "--create-account-email",
                ops.create_account_email.is_some()
                    || ops.create_account_login.is_some()
                    || ops.create_account_profile.is_some(),
            ),
            (
                "--delete-resource",
                ops.delete_resource.is_some() || ops.delete_resource_type.is_some(),
            ),
        ];
        let set: Vec<&'static str> = groups.iter().filter(|g| g.1).map(|g| g.0).collect();
        if let [first, second, ..] = set.as_slice() {
            return Err(UsageError::Conflict {
                first: (*first).into(),
                second: (*second).into(),
                why: ": one-shot operations are mutually exclusive",
            });
        }
        if let Some(command) = command {
            if let Some(op) = set.first() {
                return Err(UsageError::Conflict {
                    first: (*op).into(),
                    second: format!("the {} subcommand", command_name(&command)),
                    why: "",
                });
            }
            return Ok(match command {
                Command::Capabilities => Action::Capabilities,
                Command::Config => Action::ConfigSchema,
                Command::Inspect(a) => Action::Inspect {
                    what: a.what,
                    output: a.output,
                    filters: InspectFilters {
                        resource_type: a.resource_type,
                        resource: a.resource,
                        entitlement: a.entitlement,
                        principal: a.principal,
                        diff: crate::history::DiffSelection {
                            base_file: a.base_file,
                            base_sync: a.base_sync,
                            applied_sync: a.applied_sync,
                        },
                    },
                },
                Command::Demo(a) => Action::Demo {
                    serve: a.serve,
                    service: a.service,
                },
                Command::Completion { shell } => Action::Completion { shell },
            });
        }
        let o = ops.clone();
        let provision = match set.first().copied() {
            None => return Ok(Action::Sync),
            Some("--grant-entitlement") => grant(o)?,
            Some("--revoke-grant") => Provision::Revoke {
                grant: o.revoke_grant.unwrap_or_default(),
            },
            Some("--create-account-email") => create_account(o)?,
            _ => delete(o)?,
        };
        Ok(Action::Provision(provision))
    }
}

fn grant(o: OneShotArgs) -> Result<Provision, UsageError> {
    let Some(entitlement) = o.grant_entitlement else {
        let flag = if o.grant_principal.is_some() {
            "--grant-principal"
        } else {
            "--grant-principal-type"
        };
        return Err(UsageError::Incomplete {
            flag,
            missing: "--grant-entitlement".into(),
        });
    };
    match (o.grant_principal, o.grant_principal_type) {
        (Some(principal), Some(principal_type)) => Ok(Provision::Grant {
            entitlement,
            principal,
            principal_type,
        }),
        (p, t) => {
            let mut missing = Vec::new();
            if p.is_none() {
                missing.push("--grant-principal");
            }
            if t.is_none() {
                missing.push("--grant-principal-type");
            }
            Err(UsageError::Incomplete {
                flag: "--grant-entitlement",
                missing: missing.join(" and "),
            })
        }
    }
}

fn create_account(o: OneShotArgs) -> Result<Provision, UsageError> {
    let Some(email) = o.create_account_email else {
        let flag = if o.create_account_login.is_some() {
            "--create-account-login"
        } else {
            "--create-account-profile"
        };
        return Err(UsageError::Incomplete {
            flag,
            missing: "--create-account-email (Workato invites collaborators by email)".into(),
        });
    };
    let profile_json = match o.create_account_profile {
        None => serde_json::Map::new(),
        Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => {
                return Err(UsageError::Invalid {
                    flag: "--create-account-profile",
                    origin: Origin::Flag,
                    reason: "must be a JSON object, e.g. '{\"name\":\"Ada Lovelace\"}'".into(),
                })
            }
        },
    };
    Ok(Provision::CreateAccount {
        email,
        login: o.create_account_login,
        profile_json,
    })
}

fn delete(o: OneShotArgs) -> Result<Provision, UsageError> {
    match (o.delete_resource, o.delete_resource_type) {
        (Some(id), Some(resource_type)) => Ok(Provision::Delete { id, resource_type }),
        (Some(_), None) => Err(UsageError::Incomplete {
            flag: "--delete-resource",
            missing: "--delete-resource-type".into(),
        }),
        _ => Err(UsageError::Incomplete {
            flag: "--delete-resource-type",
            missing: "--delete-resource".into(),
        }),
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Capabilities => "capabilities",
        Command::Config => "config",
        Command::Inspect(_) => "inspect",
        Command::Demo(_) => "demo",
        Command::Completion { .. } => "completion",
    }
}
