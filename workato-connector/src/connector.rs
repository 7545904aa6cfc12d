//! [`WorkatoConnector`]: the Baton [`Connector`] for Workato.

use std::sync::Arc;

use async_trait::async_trait;
use baton_model::model::{CapabilitiesBuilder, ModelError, TypeFeatures};
use baton_model::proto::{
    CapabilityDetailCredentialOption, ConnectorCapabilities, CredentialDetailsAccountProvisioning,
    Entitlement, Grant, Message, Resource, ResourceId, ResourceType,
};
use baton_model::sync::{Connector, ConnectorError, Page, PageToken};
use tokio::sync::OnceCell;

use crate::config::ConnectorConfig;
use crate::error::{Error, Step};
use crate::ids;
use crate::resources::{Encoded, Objects, Types};
use crate::snapshot::Snapshot;

/// Items per page returned to the syncer.
pub const PAGE_SIZE: usize = 500;

/// The connector's display name.
pub const DISPLAY_NAME: &str = "Workato";
/// The connector's description.
pub const DESCRIPTION: &str =
    "Connector to sync collaborators, project, folders, roles and privileges from Workato.";

/// One field of the account-creation (invitation) schema.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountField {
    /// Field name.
    pub name: &'static str,
    /// Display name.
    pub display_name: &'static str,
    /// Description.
    pub description: &'static str,
    /// `true` for a list of strings, `false` for one string.
    pub is_list: bool,
    /// Whether the field must be given.
    pub required: bool,
    /// Display order (1-based).
    pub order: u32,
}

/// What the connector tells Baton about itself
/// (docs/architecture.md#connector-metadata-and-account-creation).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectorInfo {
    /// `Workato`.
    pub display_name: &'static str,
    /// The description.
    pub description: &'static str,
    /// The account-creation schema, in order.
    pub account_creation_schema: Vec<AccountField>,
}

/// The Workato connector: reads the workspace once per sync into a [`Snapshot`] (on first use,
/// whichever call comes first: docs/decisions.md#d3-grants-do-not-depend-on-listing-order), maps it
/// to Baton [`Objects`] once, and serves every listing from them.
///
/// Cheap to share behind an `Arc`; a new connector (or [`WorkatoConnector::reset`]) reads the
/// workspace again.
#[derive(Debug)]
pub struct WorkatoConnector {
    client: workato_api::Client,
    config: ConnectorConfig,
    snapshot: OnceCell<Arc<Snapshot>>,
    objects: OnceCell<Arc<Objects>>,
}

fn page<T: Clone>(items: &[T], token: Option<&PageToken>) -> Result<Page<T>, Error> {
    page_with(items, token, |chunk| Ok(chunk.to_vec()))
}

/// [`page`] over protobuf-encoded objects, decoding only the page returned.
fn page_decoded<T: Message + Default>(
    items: &[Encoded],
    token: Option<&PageToken>,
) -> Result<Page<T>, Error> {
    page_with(items, token, |chunk| {
        chunk
            .iter()
            .map(Encoded::decode)
            .collect::<Result<Vec<T>, _>>()
            .map_err(|source| Error::Decode { source })
    })
}

fn page_with<S, T>(
    items: &[S],
    token: Option<&PageToken>,
    take: impl FnOnce(&[S]) -> Result<Vec<T>, Error>,
) -> Result<Page<T>, Error> {
    let start = match token {
        None => 0,
        Some(t) => t
            .as_str()
            .parse::<usize>()
            .ok()
            .filter(|&n| n <= items.len())
            .ok_or_else(|| Error::PageToken(t.as_str().to_owned()))?,
    };
    let end = (start + PAGE_SIZE).min(items.len());
    let chunk = take(&items[start..end])?;
    Ok(if end < items.len() {
        Page::with_next(chunk, end.to_string())
    } else {
        Page::last(chunk)
    })
}

fn build_err(source: ModelError) -> Error {
    Error::Build { source }
}

async fn load_snapshot(
    client: workato_api::Client,
    config: ConnectorConfig,
) -> Result<Arc<Snapshot>, Error> {
    tracing::info!(env = %config.env, "reading the Workato workspace");
    let snap = Snapshot::load(&client, &config).await?;
    tracing::info!(
        members = snap.members().len(),
        custom_roles = snap.legacy_roles().len(),
        environment_roles = snap.env_roles().len(),
        projects = snap.projects().len(),
        groups = snap.groups().len(),
        warnings = snap.warnings().all().len(),
        "workspace read"
    );
    Ok(Arc::new(snap))
}

impl WorkatoConnector {
    /// A connector reading through `client` with `config`.
    pub fn new(client: workato_api::Client, config: ConnectorConfig) -> Self {
        WorkatoConnector {
            client,
            config,
            snapshot: OnceCell::new(),
            objects: OnceCell::new(),
        }
    }

    /// The API client.
    pub fn client(&self) -> &workato_api::Client {
        &self.client
    }

    /// The configuration.
    pub fn config(&self) -> &ConnectorConfig {
        &self.config
    }

    /// Name, description and account-creation schema
    /// (docs/architecture.md#connector-metadata-and-account-creation).
    pub fn metadata(&self) -> ConnectorInfo {
        let field = |name, display_name, description, is_list, required, order| AccountField {
            name,
            display_name,
            description,
            is_list,
            required,
            order,
        };
        ConnectorInfo {
            display_name: DISPLAY_NAME,
            description: DESCRIPTION,
            account_creation_schema: vec![
                field(
                    "email",
                    "Email",
                    "The collaborator's email address",
                    false,
                    true,
                    1,
                ),
                field(
                    "name",
                    "Name",
                    "The collaborator's full name",
                    false,
                    true,
                    2,
                ),
                field(
                    "env_roles",
                    "Environment roles",
                    "Roles per environment, each as env:role (e.g. dev:Analyst)",
                    true,
                    true,
                    3,
                ),
                field(
                    "user_group_ids",
                    "Collaborator group ids",
                    "Comma-separated collaborator group ids (am-…)",
                    false,
                    false,
                    4,
                ),
            ],
        }
    }

    /// Checks the key and base URL with one cheap call the sync makes anyway:
    /// `GET /api/projects?page=1&per_page=1`.
    ///
    /// Projects are in the setup guide's client role and every sync lists them, and the page
    /// holds at most one item. `GET /api/users/me` needs a permission the guide does not grant
    /// (and DEV access); `GET /api/members` is unpaged, so probing it would download every
    /// collaborator twice per sync; `GET /api/roles` disappears after the RBAC v2 migration.
    ///
    /// # Errors
    /// [`Error::Api`] (step [`Step::Validate`]) with the API error (status, Workato's message) as source.
    pub async fn validate(&self) -> Result<(), Error> {
        self.client
            .projects()
            .first()
            .await
            .map(|_| ())
            .map_err(|source| Error::api(Step::Validate, source))
    }

    /// What the connector can do, per resource type (sorted by id) and overall
    /// (docs/architecture.md#capabilities). Project roles are provisionable too
    /// ([`crate::provision`] grants and revokes project grants), so they declare `PROVISION` like
    /// roles and environment roles.
    ///
    /// # Errors
    /// [`Error::Build`] if a resource type fails to build (not expected).
    pub fn capabilities(&self) -> Result<ConnectorCapabilities, Error> {
        let types = Types::new(&self.config).map_err(build_err)?;
        let mut builder = CapabilitiesBuilder::new().account_provisioning_options(
            CredentialDetailsAccountProvisioning {
                supported_credential_options: vec![
                    CapabilityDetailCredentialOption::NoPassword as i32,
                ],
                preferred_credential_option: CapabilityDetailCredentialOption::NoPassword as i32,
            },
        );
        for rt in types.in_order() {
            let features = match rt.id.as_str() {
                id if id == ids::COLLABORATOR.id => TypeFeatures::sync_only()
                    .account_manager()
                    .resource_deleter(),
                id if id == ids::ROLE.id
                    || id == ids::ENVIRONMENT_ROLE.id
                    || id == ids::PROJECT_ROLE.id =>
                {
                    TypeFeatures::sync_only().provisioner()
                }
                _ => TypeFeatures::sync_only(),
            };
            builder = builder.resource_type(rt, features);
        }
        builder.build().map_err(build_err)
    }

    /// The per-sync snapshot, read on first use and shared afterwards (also by provisioning).
    ///
    /// # Errors
    /// The step that failed while reading the workspace.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, Error> {
        // Owned captures keep the init future free of borrows of `self` (it must be `Send`
        // for any lifetime inside the `async_trait` methods).
        let client = self.client.clone();
        let config = self.config.clone();
        self.snapshot
            .get_or_try_init(move || load_snapshot(client, config))
            .await
            .cloned()
    }

    /// Every Baton object of this sync, built once from the snapshot.
    ///
    /// # Errors
    /// Reading the workspace or building an object failed.
    pub async fn objects(&self) -> Result<Arc<Objects>, Error> {
        if let Some(objects) = self.objects.get() {
            return Ok(Arc::clone(objects));
        }
        let snap = self.snapshot().await?;
        let config = self.config.clone();
        self.objects
            .get_or_try_init(move || async move {
                let started = std::time::Instant::now();
                let objects = Objects::build(&snap, &config)
                    .map(Arc::new)
                    .map_err(build_err);
                tracing::debug!(
                    elapsed_ms = started.elapsed().as_millis(),
                    "Baton objects built from the workspace"
                );
                objects
            })
            .await
            .cloned()
    }

    /// Forgets the snapshot, so the next call reads the workspace again (e.g. before a new
    /// sync with the same connector).
    pub fn reset(&mut self) {
        self.snapshot = OnceCell::new();
        self.objects = OnceCell::new();
    }
}

#[async_trait]
impl Connector for WorkatoConnector {
    async fn resource_types(
        &self,
        token: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError> {
        let types = Types::new(&self.config)
            .map_err(build_err)
            .map_err(ConnectorError::new)?;
        page(&types.in_order(), token.as_ref()).map_err(ConnectorError::new)
    }

    async fn resources(
        &self,
        resource_type_id: &str,
        parent: Option<&ResourceId>,
        token: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError> {
        let objects = self.objects().await.map_err(ConnectorError::new)?;
        page_decoded(
            objects.resources_encoded(resource_type_id, parent),
            token.as_ref(),
        )
        .map_err(ConnectorError::new)
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError> {
        let Some(id) = resource.id.as_ref() else {
            return Ok(Page::empty());
        };
        let objects = self.objects().await.map_err(ConnectorError::new)?;
        page_decoded(objects.entitlements_encoded(id), token.as_ref()).map_err(ConnectorError::new)
    }

    async fn grants(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError> {
        let Some(id) = resource.id.as_ref() else {
            return Ok(Page::empty());
        };
        let objects = self.objects().await.map_err(ConnectorError::new)?;
        page_decoded(objects.grants_encoded(id), token.as_ref()).map_err(ConnectorError::new)
    }

    /// The entitlements are kept encoded (see `Objects`), so they are handed over as they
    /// are: the engine stores the bytes without decoding and re-encoding them.
    async fn entitlements_encoded(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        Some(
            self.encoded_page(resource, token, Objects::entitlements_encoded)
                .await,
        )
    }

    /// The grants are kept encoded too, and handed over the same way.
    async fn grants_encoded(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        Some(
            self.encoded_page(resource, token, Objects::grants_encoded)
                .await,
        )
    }
}

impl WorkatoConnector {
    /// One page of the encoded objects `of` lists for `resource`, copied out as they are.
    async fn encoded_page(
        &self,
        resource: &Resource,
        token: Option<PageToken>,
        of: for<'a> fn(&'a Objects, &ResourceId) -> &'a [Encoded],
    ) -> Result<Page<Vec<u8>>, ConnectorError> {
        let Some(id) = resource.id.as_ref() else {
            return Ok(Page::empty());
        };
        let objects = self.objects().await.map_err(ConnectorError::new)?;
        page_with(of(&objects, id), token.as_ref(), |chunk| {
            Ok(chunk.iter().map(|o| o.bytes().to_vec()).collect())
        })
        .map_err(ConnectorError::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_by_offset() {
        let items: Vec<u32> = (0..1200).collect();
        let first = page(&items, None).expect("page");
        assert_eq!(first.items.len(), PAGE_SIZE);
        let next = first.next.expect("more");
        assert_eq!(next.as_str(), "500");
        let second = page(&items, Some(&next)).expect("page");
        let third = page(&items, second.next.as_ref()).expect("page");
        assert_eq!(third.items, (1000..1200).collect::<Vec<_>>());
        assert!(third.next.is_none());
        assert!(page(&items, Some(&PageToken::new("x"))).is_err());
        assert!(page(&items, Some(&PageToken::new("5000"))).is_err());
        assert!(page::<u32>(&[], None).expect("empty").items.is_empty());
    }

    #[test]
    fn pages_encoded_objects_decoding_only_the_page() {
        use baton_model::proto::ResourceId;
        let items: Vec<Encoded> = (0..600)
            .map(|n| {
                Encoded::new(&ResourceId {
                    resource_type: "folder".into(),
                    resource: n.to_string(),
                    ..ResourceId::default()
                })
            })
            .collect();
        let first: Page<ResourceId> = page_decoded(&items, None).expect("page");
        assert_eq!(first.items.len(), PAGE_SIZE);
        assert_eq!(first.items[499].resource, "499");
        let second: Page<ResourceId> = page_decoded(&items, first.next.as_ref()).expect("page");
        assert_eq!(second.items.len(), 100);
        assert_eq!(second.items[0].resource, "500");
        assert!(second.next.is_none());
        let garbage = [Encoded::from_bytes(vec![0xff, 0xff, 0xff])];
        let err = page_decoded::<ResourceId>(&garbage, None).expect_err("garbage");
        assert!(matches!(err, Error::Decode { .. }));
    }

    fn connector() -> WorkatoConnector {
        let client = workato_api::Client::builder()
            .token(workato_api::ApiToken::new("t"))
            .build()
            .expect("client");
        WorkatoConnector::new(client, ConnectorConfig::default())
    }

    #[test]
    fn capabilities_match_the_spec() {
        use baton_model::proto::Capability as C;
        let caps = connector().capabilities().expect("builds");
        let per_type: Vec<(String, Vec<i32>)> = caps
            .resource_type_capabilities
            .iter()
            .map(|c| {
                let id = c
                    .resource_type
                    .as_ref()
                    .map(|t| t.id.clone())
                    .unwrap_or_default();
                (id, c.capabilities.clone())
            })
            .collect();
        let sync = C::Sync as i32;
        let expected: Vec<(String, Vec<i32>)> = vec![
            (
                "collaborator".into(),
                vec![
                    sync,
                    C::AccountProvisioning as i32,
                    C::ResourceDelete as i32,
                ],
            ),
            ("collaborator_group".into(), vec![sync]),
            ("environment_role".into(), vec![sync, C::Provision as i32]),
            ("folder".into(), vec![sync]),
            ("privilege".into(), vec![sync]),
            ("project".into(), vec![sync]),
            ("project_role".into(), vec![sync, C::Provision as i32]),
            ("role".into(), vec![sync, C::Provision as i32]),
        ];
        assert_eq!(per_type, expected);
        assert_eq!(
            caps.connector_capabilities,
            [
                C::Provision,
                C::Sync,
                C::AccountProvisioning,
                C::ResourceDelete
            ]
            .map(|c| c as i32)
        );
        let account = caps
            .credential_details
            .and_then(|d| d.capability_account_provisioning)
            .expect("account provisioning details");
        let no_password = CapabilityDetailCredentialOption::NoPassword as i32;
        assert_eq!(account.supported_credential_options, [no_password]);
        assert_eq!(account.preferred_credential_option, no_password);
        assert!(caps
            .resource_type_capabilities
            .iter()
            .all(|c| c.permissions.is_some()));
    }

    #[test]
    fn metadata_matches_the_spec() {
        let m = connector().metadata();
        assert_eq!(m.display_name, "Workato");
        assert_eq!(
            m.description,
            "Connector to sync collaborators, project, folders, roles and privileges from Workato."
        );
        let fields: Vec<(&str, bool, bool, u32)> = m
            .account_creation_schema
            .iter()
            .map(|f| (f.name, f.is_list, f.required, f.order))
            .collect();
        assert_eq!(
            fields,
            [
                ("email", false, true, 1),
                ("name", false, true, 2),
                ("env_roles", true, true, 3),
                ("user_group_ids", false, false, 4),
            ]
        );
    }
}
