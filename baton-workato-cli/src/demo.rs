//! `demo`: starts the embedded fake Workato workspace on loopback and syncs it through the same
//! code path as the default action, so a newcomer sees a real run without a Workato account.

use std::io::Write;

use anyhow::Context;
use workato_api::fake::{FakeWorkato, Seed};

use crate::config::Config;
use crate::connect;

/// Runs the demo: sync into `config.file`, print the summary and what to try next; with
/// `serve`, keep the fake running (printing its URL and fake token) until Ctrl-C.
pub(crate) async fn run(
    config: &Config,
    serve: bool,
    progress: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .context("cannot start the fake Workato server")?;
    tracing::info!(url = %fake.url(), "fake Workato workspace started");
    let client = connect::client_for(&fake.url(), fake.token())?;
    let result = crate::run_sync(config, client, progress, out).await;
    if let Err(e) = result {
        fake.shutdown().await;
        return Err(e);
    }
    let file = config.file.display().to_string();
    let f = shell_quote(&file);
    writeln!(
        out,
        "\nThis was a sync of a fake Workato workspace (collaborators, roles, environment roles,\n\
         projects, folders, groups) served on {url}.\n\
         Try next:\n\
         \x20 baton-workato inspect resource-types -f {f}\n\
         \x20 baton-workato inspect resources --resource-type collaborator -f {f}\n\
         \x20 baton-workato inspect grants --principal collaborator:1000 -f {f}\n\
         \x20 baton-workato inspect grants --entitlement role:Admin:collaborator-has -o json -f {f}\n\
         \x20 baton-workato inspect syncs -f {f}   (each sync into the same file is added to it)",
        url = fake.url()
    )?;
    if !serve {
        writeln!(
            out,
            "To try just-in-time access, run `baton-workato demo --serve`: it keeps the fake\n\
             running and prints its URL and fake token; then, for example:\n\
             \x20 baton-workato -f {f} --grant-entitlement role:Operator:collaborator-has --grant-principal 1002 --grant-principal-type collaborator"
        )?;
        out.flush()?;
        fake.shutdown().await;
        return Ok(());
    }
    writeln!(
        out,
        "\nThe fake Workato server keeps running at {url} (fake token: {token}).\n\
         In another terminal, try just-in-time access against it:\n\
         \x20 export BATON_WORKATO_BASE_URL={url} BATON_WORKATO_API_KEY={token}\n\
         \x20 baton-workato -f {f} --grant-entitlement role:Operator:collaborator-has --grant-principal 1002 --grant-principal-type collaborator\n\
         \x20 baton-workato -f {f}\n\
         \x20 baton-workato inspect grants --principal collaborator:1002 -f {f}\n\
         \x20 baton-workato inspect diff -f {f}   (what changed since the sync before: the grant)\n\
         \x20 baton-workato -f {f} --revoke-grant role:Operator:collaborator-has:collaborator:1002\n\
         \x20 baton-workato -f {f}\n\
         \x20 baton-workato inspect diff -f {f}   (and now the revoke)\n\
         Press Ctrl-C to stop.",
        url = fake.url(),
        token = fake.token()
    )?;
    out.flush()?;
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    tracing::info!("stopping the fake Workato server");
    fake.shutdown().await;
    Ok(())
}

/// Quotes a path for the shell when it needs it (the hints are meant to be pasted).
fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("sync.c1z"), "sync.c1z");
        assert_eq!(shell_quote("/tmp/my dir/s.c1z"), "'/tmp/my dir/s.c1z'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
