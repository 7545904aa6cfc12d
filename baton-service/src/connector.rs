//! [`ServiceConnector`]: what the runtime drives — a sync connector factory, optional
//! provisioners, the metadata for Hello, and how connector errors map to gRPC codes.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use baton_model::proto::{
    CapabilityDetailCredentialOption, ConnectorMetadata, Entitlement, Grant, Resource, ResourceId,
};
use baton_model::provision::{
    AccountInfo, AccountManager, CreateAccountOutcome, DeleteOutcome, GrantOutcome,
    ResourceDeleter, ResourceProvisioner, RevokeOutcome,
};
use baton_model::sync::{Connector, ConnectorError, SyncError};
use futures::future::BoxFuture;
use futures::FutureExt as _;
pub use tonic::Code;

/// A boxed error with its source chain.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

type Factory =
    dyn Fn() -> BoxFuture<'static, Result<Box<dyn Connector>, ConnectorError>> + Send + Sync;
type ErrorCodeFn = dyn Fn(&(dyn StdError + 'static)) -> Option<Code> + Send + Sync;

/// The connector side of service mode.
///
/// - a **factory** called once per `sync_full` task, so every sync starts from a fresh
///   connector (one that caches a snapshot must not reuse it across syncs); it may also
///   validate the connector's configuration first, as baton-sdk does before a sync;
/// - the **metadata** sent in Hello (display name, description, capabilities);
/// - optional **provisioners**: grant/revoke, account creation, deletion. A missing one gives
///   baton-sdk's "not configured" answer for its tasks;
/// - an **error classifier**: the gRPC code reported in `FinishTask` for a connector error
///   (default [`default_error_code`]: a `tonic::Status` in the chain keeps its code, anything
///   else is `Unknown`).
///
/// ```
/// use baton_model::proto::ConnectorMetadata;
/// use baton_model::sync::{Connector, ConnectorError, Page, PageToken};
/// use baton_service::{Code, ServiceConnector};
/// # use baton_model::proto::{Entitlement, Grant, Resource, ResourceId, ResourceType};
/// # struct Empty;
/// # #[async_trait::async_trait]
/// # impl Connector for Empty {
/// #     async fn resource_types(&self, _: Option<PageToken>) -> Result<Page<ResourceType>, ConnectorError> { Ok(Page::empty()) }
/// #     async fn resources(&self, _: &str, _: Option<&ResourceId>, _: Option<PageToken>) -> Result<Page<Resource>, ConnectorError> { Ok(Page::empty()) }
/// #     async fn entitlements(&self, _: &Resource, _: Option<PageToken>) -> Result<Page<Entitlement>, ConnectorError> { Ok(Page::empty()) }
/// #     async fn grants(&self, _: &Resource, _: Option<PageToken>) -> Result<Page<Grant>, ConnectorError> { Ok(Page::empty()) }
/// # }
/// let metadata = ConnectorMetadata { display_name: "Example".into(), ..Default::default() };
/// let connector = ServiceConnector::new(metadata, || async { Ok(Empty) })
///     .error_code(|err| err.to_string().contains("401").then_some(Code::Unauthenticated));
/// # let _ = connector;
/// ```
#[derive(Clone)]
pub struct ServiceConnector {
    pub(crate) metadata: ConnectorMetadata,
    pub(crate) factory: Arc<Factory>,
    pub(crate) provisioner: Option<Arc<dyn DynProvisioner>>,
    pub(crate) accounts: Option<Arc<dyn DynAccounts>>,
    pub(crate) deleter: Option<Arc<dyn DynDeleter>>,
    pub(crate) error_code: Arc<ErrorCodeFn>,
}

impl fmt::Debug for ServiceConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceConnector")
            .field("display_name", &self.metadata.display_name)
            .field("provisioner", &self.provisioner.is_some())
            .field("account_manager", &self.accounts.is_some())
            .field("resource_deleter", &self.deleter.is_some())
            .finish_non_exhaustive()
    }
}

impl ServiceConnector {
    /// A connector with Hello `metadata` and a `factory` giving a fresh sync connector per
    /// sync task; no provisioners.
    pub fn new<F, Fut, C>(metadata: ConnectorMetadata, factory: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<C, ConnectorError>> + Send + 'static,
        C: Connector + 'static,
    {
        let factory: Arc<Factory> = Arc::new(move || {
            factory()
                .map(|r| r.map(|c| Box::new(c) as Box<dyn Connector>))
                .boxed()
        });
        ServiceConnector {
            metadata,
            factory,
            provisioner: None,
            accounts: None,
            deleter: None,
            error_code: Arc::new(default_error_code),
        }
    }

    /// Handles grant and revoke tasks with `provisioner`.
    #[must_use]
    pub fn provisioner<P: ResourceProvisioner + 'static>(mut self, provisioner: Arc<P>) -> Self {
        self.provisioner = Some(provisioner);
        self
    }

    /// Handles create-account tasks with `accounts`.
    #[must_use]
    pub fn account_manager<A: AccountManager + 'static>(mut self, accounts: Arc<A>) -> Self {
        self.accounts = Some(accounts);
        self
    }

    /// Handles delete-resource tasks with `deleter`.
    #[must_use]
    pub fn resource_deleter<D: ResourceDeleter + 'static>(mut self, deleter: Arc<D>) -> Self {
        self.deleter = Some(deleter);
        self
    }

    /// Sets how a connector error (sync or provisioning) maps to the gRPC code in `FinishTask`;
    /// `None` falls back to [`default_error_code`]. The closure sees the outermost error and can
    /// walk its `source()` chain.
    #[must_use]
    pub fn error_code(
        mut self,
        classify: impl Fn(&(dyn StdError + 'static)) -> Option<Code> + Send + Sync + 'static,
    ) -> Self {
        self.error_code = Arc::new(move |err| classify(err).or_else(|| default_error_code(err)));
        self
    }

    /// The Hello metadata.
    pub fn metadata(&self) -> &ConnectorMetadata {
        &self.metadata
    }

    /// The classified code of `err`. `ConnectorError` displays its wrapped error but its
    /// `source()` continues below it, so the wrapped error itself is offered to the classifier
    /// too (it is what a classifier downcasts to).
    pub(crate) fn code_of(&self, err: &(dyn StdError + 'static)) -> Code {
        let mut candidates: Vec<&(dyn StdError + 'static)> = vec![err];
        let mut cur = Some(err);
        while let Some(e) = cur {
            if let Some(SyncError::Connector { source, .. }) = e.downcast_ref::<SyncError>() {
                candidates.push(source.inner());
            }
            if let Some(c) = e.downcast_ref::<ConnectorError>() {
                candidates.push(c.inner());
            }
            cur = e.source();
        }
        candidates
            .into_iter()
            .find_map(|e| (self.error_code)(e))
            .unwrap_or(Code::Unknown)
    }
}

/// The default classifier: the code of the first `tonic::Status` in the error chain, if any.
pub fn default_error_code(err: &(dyn StdError + 'static)) -> Option<Code> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(status) = e.downcast_ref::<tonic::Status>() {
            return Some(status.code());
        }
        cur = e.source();
    }
    None
}

#[async_trait]
pub(crate) trait DynProvisioner: Send + Sync {
    async fn grant(&self, p: &Resource, e: &Entitlement) -> Result<GrantOutcome, BoxError>;
    async fn revoke(&self, g: &Grant) -> Result<RevokeOutcome, BoxError>;
}

#[async_trait]
impl<P: ResourceProvisioner> DynProvisioner for P {
    async fn grant(&self, p: &Resource, e: &Entitlement) -> Result<GrantOutcome, BoxError> {
        ResourceProvisioner::grant(self, p, e)
            .await
            .map_err(|e| Box::new(e) as BoxError)
    }
    async fn revoke(&self, g: &Grant) -> Result<RevokeOutcome, BoxError> {
        ResourceProvisioner::revoke(self, g)
            .await
            .map_err(|e| Box::new(e) as BoxError)
    }
}

#[async_trait]
pub(crate) trait DynAccounts: Send + Sync {
    async fn create_account(
        &self,
        info: &AccountInfo,
        credential: CapabilityDetailCredentialOption,
    ) -> Result<CreateAccountOutcome, BoxError>;
}

#[async_trait]
impl<A: AccountManager> DynAccounts for A {
    async fn create_account(
        &self,
        info: &AccountInfo,
        credential: CapabilityDetailCredentialOption,
    ) -> Result<CreateAccountOutcome, BoxError> {
        AccountManager::create_account(self, info, credential)
            .await
            .map_err(|e| Box::new(e) as BoxError)
    }
}

#[async_trait]
pub(crate) trait DynDeleter: Send + Sync {
    async fn delete(&self, id: &ResourceId) -> Result<DeleteOutcome, BoxError>;
}

#[async_trait]
impl<D: ResourceDeleter> DynDeleter for D {
    async fn delete(&self, id: &ResourceId) -> Result<DeleteOutcome, BoxError> {
        ResourceDeleter::delete(self, id)
            .await
            .map_err(|e| Box::new(e) as BoxError)
    }
}
