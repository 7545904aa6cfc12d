//! The connector hands its entitlements and grants to the sync engine encoded
//! (`Connector::entitlements_encoded`, `Connector::grants_encoded`); the engine must store
//! exactly what it stores when it gets them decoded.

use async_trait::async_trait;
use baton_model::c1z::{C1zReader, GrantFilter};
use baton_model::proto::{Entitlement, Grant, Resource, ResourceId, ResourceType};
use baton_model::sync::{Connector, ConnectorError, Page, PageToken, SyncSummary, Syncer};
use workato_api::fake::{GenParams, Seed};
use workato_connector::WorkatoConnector;

use crate::common::connector;

/// The Workato connector without its encoded fast path (the trait's default `None`).
struct DecodedOnly<'a>(&'a WorkatoConnector);

#[async_trait]
impl Connector for DecodedOnly<'_> {
    async fn resource_types(
        &self,
        page: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError> {
        self.0.resource_types(page).await
    }

    async fn resources(
        &self,
        resource_type_id: &str,
        parent: Option<&ResourceId>,
        page: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError> {
        self.0.resources(resource_type_id, parent, page).await
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError> {
        self.0.entitlements(resource, page).await
    }

    async fn grants(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError> {
        self.0.grants(resource, page).await
    }
}

async fn rows_of(c: impl Connector) -> (SyncSummary, Vec<Entitlement>, Vec<Grant>) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("sync.c1z");
    let summary = Syncer::new(c).run(&path).await.expect("sync succeeds");
    let reader = C1zReader::open(&path).expect("c1z opens");
    let entitlements = reader.entitlements(None).expect("entitlements");
    let grants = reader.grants(&GrantFilter::default()).expect("grants");
    (summary, entitlements, grants)
}

async fn both_paths_agree(seed: Seed) {
    let (_fake, c) = connector(seed, "all").await;
    assert!(
        c.entitlements_encoded(&Resource::default(), None)
            .await
            .is_some(),
        "the Workato connector offers the encoded path"
    );
    assert!(c.grants_encoded(&Resource::default(), None).await.is_some());
    let (encoded, encoded_rows, encoded_grants) = rows_of(&c).await;
    let (decoded, decoded_rows, decoded_grants) = rows_of(DecodedOnly(&c)).await;
    assert!(encoded.entitlements > 0);
    assert_eq!(encoded.entitlements, decoded.entitlements);
    assert_eq!(encoded.grants, decoded.grants);
    assert_eq!(encoded.expanded_grants, decoded.expanded_grants);
    assert_eq!(
        encoded_rows, decoded_rows,
        "same entitlements in the same rows"
    );
    assert!(encoded.grants > 0 && encoded.expanded_grants > 0);
    assert_eq!(
        encoded_grants, decoded_grants,
        "same grants, expanded ones included, in the same rows"
    );
}

#[tokio::test]
async fn encoded_entitlements_and_grants_are_stored_as_decoded_ones() {
    both_paths_agree(Seed::default_workspace()).await;
    both_paths_agree(Seed::generate(&GenParams {
        members: 200,
        custom_roles: 8,
        env_roles: 3,
        project_roles: 3,
        projects: 4,
        folder_depth: 2,
        folder_fanout: 3,
        groups: 3,
        seed: 11,
    }))
    .await;
}
