//! Write your own connector: a tiny in-memory directory (two users, a group with members, a
//! role held by the group, an app permission held by the role) synced into `custom.c1z`.
//!
//! Grant expansion does the rest: group members receive the role, and role holders receive
//! the app permission, with `sources` saying why.
//!
//! `cargo run -p examples --example custom_connector`, then e.g. inspect `custom.c1z` with
//! `baton grants -f custom.c1z`.

// An example reports on stdout.
#![allow(clippy::print_stdout)]

use anyhow::Context;
use async_trait::async_trait;
use baton_model::c1z::{C1zReader, GrantFilter};
use baton_model::model::ids::resource_id;
use baton_model::model::{
    AppTraitBuilder, EntitlementBuilder, GrantBuilder, Profile, ResourceBuilder,
    ResourceTypeBuilder, UserTraitBuilder,
};
use baton_model::proto::{Entitlement, Grant, Purpose, Resource, ResourceId, ResourceType, Trait};
use baton_model::sync::{Connector, ConnectorError, Page, PageToken, Syncer};

/// The whole "backend": built once, served from memory.
struct Directory {
    types: Vec<ResourceType>,
    resources: Vec<Resource>,
    entitlements: Vec<Entitlement>,
    grants: Vec<Grant>,
}

fn build() -> anyhow::Result<Directory> {
    let user_t = ResourceTypeBuilder::new("user", "User")
        .trait_(Trait::User)
        .skip_entitlements_and_grants()
        .build()?;
    let group_t = ResourceTypeBuilder::new("group", "Group")
        .trait_(Trait::Group)
        .build()?;
    let role_t = ResourceTypeBuilder::new("role", "Role")
        .trait_(Trait::Role)
        .build()?;
    let app_t = ResourceTypeBuilder::new("app", "App")
        .trait_(Trait::App)
        .build()?;

    let ada = ResourceBuilder::new("user", "ada", "Ada Lovelace")
        .user_trait(
            UserTraitBuilder::new()
                .email("ada@example.com", true)
                .login("ada"),
        )
        .build()?;
    let alan = ResourceBuilder::new("user", "alan", "Alan Turing")
        .user_trait(
            UserTraitBuilder::new()
                .email("alan@example.com", true)
                .login("alan"),
        )
        .build()?;
    let eng = ResourceBuilder::new("group", "eng", "Engineering")
        .group_trait(Profile::new().with("size", 2))
        .build()?;
    let deployer = ResourceBuilder::new("role", "deployer", "Deployer")
        .role_trait(Profile::new())
        .build()?;
    let ci = ResourceBuilder::new("app", "ci", "CI Server")
        .app_trait(AppTraitBuilder::default())
        .build()?;

    let member = EntitlementBuilder::new(&eng, "member")
        .display_name("Engineering member")
        .purpose(Purpose::Assignment)
        .grantable_to(std::slice::from_ref(&user_t))
        .build()?;
    let assigned = EntitlementBuilder::new(&deployer, "assigned")
        .purpose(Purpose::Assignment)
        .grantable_to(&[user_t.clone(), group_t.clone()])
        .build()?;
    let deploy = EntitlementBuilder::new(&ci, "deploy")
        .purpose(Purpose::Permission)
        .build()?;

    let grants = vec![
        GrantBuilder::new(&member, &resource_id("user", "ada")).build()?,
        GrantBuilder::new(&member, &resource_id("user", "alan")).build()?,
        // Members of eng hold the deployer role...
        GrantBuilder::new(&assigned, &resource_id("group", "eng"))
            .expandable(&[member.id.as_str()], false, &["user"])
            .build()?,
        // ...and holders of the deployer role may deploy with CI.
        GrantBuilder::new(&deploy, &resource_id("role", "deployer"))
            .expandable(&[assigned.id.as_str()], false, &[])
            .build()?,
    ];
    Ok(Directory {
        types: vec![user_t, group_t, role_t, app_t],
        resources: vec![ada, alan, eng, deployer, ci],
        entitlements: vec![member, assigned, deploy],
        grants,
    })
}

fn same(a: Option<&ResourceId>, b: Option<&ResourceId>) -> bool {
    a.is_some() && a == b
}

#[async_trait]
impl Connector for Directory {
    async fn resource_types(
        &self,
        _page: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError> {
        Ok(Page::last(self.types.clone()))
    }

    async fn resources(
        &self,
        resource_type_id: &str,
        _parent: Option<&ResourceId>,
        _page: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError> {
        let items = self
            .resources
            .iter()
            .filter(|r| {
                r.id.as_ref()
                    .is_some_and(|id| id.resource_type == resource_type_id)
            })
            .cloned()
            .collect();
        Ok(Page::last(items))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _page: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError> {
        let items = self
            .entitlements
            .iter()
            .filter(|e| {
                same(
                    e.resource.as_ref().and_then(|r| r.id.as_ref()),
                    resource.id.as_ref(),
                )
            })
            .cloned()
            .collect();
        Ok(Page::last(items))
    }

    async fn grants(
        &self,
        resource: &Resource,
        _page: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError> {
        let items = self
            .grants
            .iter()
            .filter(|g| {
                same(
                    g.entitlement
                        .as_ref()
                        .and_then(|e| e.resource.as_ref())
                        .and_then(|r| r.id.as_ref()),
                    resource.id.as_ref(),
                )
            })
            .cloned()
            .collect();
        Ok(Page::last(items))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let directory = build()?;
    let summary = Syncer::new(directory)
        .run("custom.c1z")
        .await
        .context("syncing the in-memory directory")?;
    println!(
        "wrote custom.c1z (sync {}): {} resource types, {} resources, {} entitlements, {} grants + {} expanded, {} bytes in {:?}",
        summary.sync_id,
        summary.resource_types,
        summary.resources,
        summary.entitlements,
        summary.grants,
        summary.expanded_grants,
        summary.c1z_bytes,
        summary.elapsed
    );

    let reader = C1zReader::open("custom.c1z")?;
    for grant in reader.grants(&GrantFilter::default())? {
        let sources: Vec<String> = grant
            .sources
            .map(|s| s.sources.into_keys().collect())
            .unwrap_or_default();
        if sources.is_empty() {
            println!("  {}", grant.id);
        } else {
            println!("  {}  (via {})", grant.id, sources.join(", "));
        }
    }
    Ok(())
}
