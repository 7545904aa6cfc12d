//! One-shot provisioning (`--grant-entitlement`, `--revoke-grant`, `--create-account-*`,
//! `--delete-resource`). As in baton, the objects are looked up in the c1z of the last sync
//! (`--file`); the work is done by the connector's provisioner.
//!
//! Exit codes: 0 done or already in the desired state (the output says which), 1 failed,
//! 2 the connector refused the input before any change.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use baton_model::c1z::C1zReader;
use baton_model::model::ids::{resource_id, resource_key};
use baton_model::model::Profile;
use baton_model::proto::CapabilityDetailCredentialOption;
use baton_model::provision::{
    AccountInfo, AccountManager, CreateAccountOutcome, DeleteOutcome, GrantOutcome,
    ResourceDeleter, ResourceProvisioner, RevokeOutcome,
};
use workato_connector::provision::{ProvisionError, WorkatoProvisioner};

use crate::config::Provision;
use crate::validation::UsageError;

/// An object the operation needs is not in the c1z.
#[derive(Debug, thiserror::Error)]
#[error("{what} {id} is not in {file}; run a sync first (baton-workato -f {file})")]
pub(crate) struct NotInC1z {
    /// What was looked up (`entitlement`, `principal`, `grant`, `resource`).
    pub(crate) what: &'static str,
    /// Its id.
    pub(crate) id: String,
    /// The c1z path.
    pub(crate) file: String,
}

fn open(file: &Path) -> anyhow::Result<C1zReader> {
    C1zReader::open(file).with_context(|| {
        format!(
            "cannot read {}; run a sync first (baton-workato -f {})",
            file.display(),
            file.display()
        )
    })
}

/// Opens the c1z and runs `look_up` on it on the blocking pool: opening decompresses the whole
/// file and every look-up is a SQLite query, neither of which may stall the async runtime.
async fn read_c1z<T, F>(file: &Path, look_up: F) -> anyhow::Result<T>
where
    T: Send + 'static,
    F: FnOnce(&C1zReader, &Path) -> anyhow::Result<T> + Send + 'static,
{
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let reader = open(&file)?;
        look_up(&reader, &file)
    })
    .await
    .context("reading the c1z stopped unexpectedly")?
}

fn not_in(file: &Path, what: &'static str, id: String) -> anyhow::Error {
    NotInC1z {
        what,
        id,
        file: file.display().to_string(),
    }
    .into()
}

/// Refused input is a usage error (exit 2); anything else failed (exit 1).
fn classify(flag: &'static str, err: ProvisionError) -> anyhow::Error {
    if err.is_input_error() {
        UsageError::Refused {
            flag,
            source: Box::new(err),
        }
        .into()
    } else {
        anyhow::Error::new(err).context(format!("{flag} failed"))
    }
}

/// Runs a provisioning action and prints what happened to `out`.
pub(crate) async fn run(
    action: &Provision,
    file: &Path,
    provisioner: &WorkatoProvisioner,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let message = match action {
        Provision::Grant {
            entitlement,
            principal,
            principal_type,
        } => {
            let (ent_id, p_type, p_id) = (
                entitlement.clone(),
                principal_type.clone(),
                principal.clone(),
            );
            let (ent, who) = read_c1z(file, move |reader, file| {
                let ent = reader
                    .entitlement(&ent_id)
                    .context("cannot read the c1z")?
                    .ok_or_else(|| not_in(file, "entitlement", ent_id.clone()))?;
                let who = reader
                    .resource(&resource_id(&p_type, &p_id))
                    .context("cannot read the c1z")?
                    .ok_or_else(|| not_in(file, "principal", format!("{p_type}:{p_id}")))?;
                Ok((ent, who))
            })
            .await?;
            let outcome = provisioner
                .grant(&who, &ent)
                .await
                .map_err(|e| classify("--grant-entitlement", e))?;
            match outcome {
                GrantOutcome::Granted { grants, superseded } => {
                    let mut m = format!("granted {entitlement} to {principal_type}:{principal}");
                    if let Some(g) = grants.first() {
                        m.push_str(&format!(" (grant {})", g.id));
                    }
                    for old in superseded {
                        m.push_str(&format!("; replaced grant {old}"));
                    }
                    m
                }
                GrantOutcome::AlreadyExists => format!(
                    "already granted: {principal_type}:{principal} already has {entitlement}; nothing changed"
                ),
                other => format!("grant finished: {other:?}"),
            }
        }
        Provision::Revoke { grant } => {
            let grant_id = grant.clone();
            let g = read_c1z(file, move |reader, file| {
                reader
                    .grant(&grant_id)
                    .context("cannot read the c1z")?
                    .ok_or_else(|| not_in(file, "grant", grant_id.clone()))
            })
            .await?;
            let outcome = provisioner
                .revoke(&g)
                .await
                .map_err(|e| classify("--revoke-grant", e))?;
            match outcome {
                RevokeOutcome::Revoked => format!("revoked {grant}"),
                RevokeOutcome::AlreadyRevoked => {
                    format!("already revoked: {grant} is not held any more; nothing changed")
                }
                other => format!("revoke finished: {other:?}"),
            }
        }
        Provision::CreateAccount {
            email,
            login,
            profile_json,
        } => {
            let info = AccountInfo::new(email.clone(), login.clone().unwrap_or(email.clone()))
                .with_profile(Profile::from(profile_json.clone()).into_struct());
            let outcome = provisioner
                .create_account(&info, CapabilityDetailCredentialOption::NoPassword)
                .await
                .map_err(|e| classify("--create-account-email", e))?;
            let key = |r: &baton_model::proto::Resource| {
                r.id.as_ref().map(resource_key).unwrap_or_default()
            };
            match outcome {
                CreateAccountOutcome::Created(r) => {
                    format!("created account {} ({})", key(&r), r.display_name)
                }
                CreateAccountOutcome::AlreadyExists(r) => format!(
                    "already exists: account {} ({}) for {email}; nothing changed",
                    key(&r),
                    r.display_name
                ),
                CreateAccountOutcome::ActionRequired { message } => {
                    format!("action required: {message}")
                }
                other => format!("create account finished: {other:?}"),
            }
        }
        Provision::Delete { id, resource_type } => {
            let rid = resource_id(resource_type, id);
            let (looked_up, what) = (rid.clone(), format!("{resource_type}:{id}"));
            read_c1z(file, move |reader, file| {
                reader
                    .resource(&looked_up)
                    .context("cannot read the c1z")?
                    .ok_or_else(|| not_in(file, "resource", what))
            })
            .await?;
            let outcome = provisioner
                .delete(&rid)
                .await
                .map_err(|e| classify("--delete-resource", e))?;
            match outcome {
                DeleteOutcome::Deleted => format!("deleted {resource_type}:{id}"),
                DeleteOutcome::AlreadyGone => {
                    format!("already deleted: {resource_type}:{id} does not exist; nothing changed")
                }
                other => format!("delete finished: {other:?}"),
            }
        }
    };
    tracing::info!(action = action.name(), result = %message, "provisioning done");
    writeln!(out, "{message}")?;
    out.flush()?;
    Ok(())
}
