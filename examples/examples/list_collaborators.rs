//! List a workspace's collaborators and roles through the typed `workato-api` client.
//!
//! The example starts the fake Workato server (the default seed, a small realistic workspace)
//! on loopback and points the client at it, so it runs with no Workato account:
//!
//! `cargo run -p examples --example list_collaborators`
//!
//! Against a real workspace, build the client with `.data_center(DataCenter::Us)` (or your
//! data center) and your API-client token instead of `.base_url(..)` and the fake token.

// An example reports on stdout.
#![allow(clippy::print_stdout)]

use anyhow::Context;
use futures::TryStreamExt;
use workato_api::fake::{FakeWorkato, Seed};
use workato_api::{ApiToken, Client};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .context("starting the fake Workato server")?;
    let client = Client::builder()
        .token(ApiToken::new(fake.token()))
        .base_url(fake.url().as_str())
        .build()
        .context("building the client")?;

    // Collaborators come in one unpaged listing, with one role per environment.
    let members = client
        .members()
        .list()
        .send()
        .await
        .context("listing collaborators")?;
    println!("{} collaborators:", members.data.len());
    for member in &members.data {
        let roles: Vec<String> = member
            .roles
            .iter()
            .map(|r| format!("{}={}", r.environment_type, r.role_name))
            .collect();
        println!(
            "  {:>5}  {:<18} {:<40} {}",
            member.id.to_string(),
            member.name,
            member.email,
            roles.join(", ")
        );
    }

    // Legacy custom roles: a lazy, paged stream (nothing is sent until it is polled).
    let roles: Vec<_> = client
        .roles()
        .list()
        .into_stream()
        .try_collect()
        .await
        .context("listing legacy roles")?;
    println!("{} legacy custom roles:", roles.len());
    for role in &roles {
        let privileges: usize = role.privileges.values().map(Vec::len).sum();
        println!(
            "  {:>5}  {:<22} inheritable={:<5} folders={:?} privileges={}",
            role.id.to_string(),
            role.name,
            role.inheritable,
            role.folder_ids
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>(),
            privileges
        );
    }

    // RBAC v2 environment roles use the other paging style; the client hides the difference.
    let env_roles: Vec<_> = client
        .environment_roles()
        .list()
        .into_stream()
        .try_collect()
        .await
        .context("listing environment roles")?;
    println!("{} environment roles:", env_roles.len());
    for role in &env_roles {
        println!("  {:>5}  {}", role.id.to_string(), role.name);
    }

    println!(
        "API calls by endpoint family: {:?}",
        client.stats().requests
    );
    Ok(())
}
