//! The [`Connector`] trait and its page and error types.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use prost_types::Any;

use crate::proto::{Entitlement, Grant, Resource, ResourceId, ResourceType};

/// An opaque continuation token returned by a connector and passed back for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageToken(String);

impl PageToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for PageToken {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for PageToken {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl fmt::Display for PageToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Token of the next page; `None` on the last page.
    pub next: Option<PageToken>,
    /// Response annotations (e.g. `InsertResourceGrants` on a grants page).
    pub annotations: Vec<Any>,
}

impl<T> Page<T> {
    /// A last page holding `items`.
    pub fn last(items: Vec<T>) -> Self {
        Self {
            items,
            next: None,
            annotations: Vec::new(),
        }
    }

    /// A page holding `items` followed by the page `next`.
    pub fn with_next(items: Vec<T>, next: impl Into<PageToken>) -> Self {
        Self {
            items,
            next: Some(next.into()),
            annotations: Vec::new(),
        }
    }

    /// An empty last page.
    pub fn empty() -> Self {
        Self::last(Vec::new())
    }

    /// Adds a response annotation.
    pub fn annotate(mut self, annotation: Any) -> Self {
        self.annotations.push(annotation);
        self
    }
}

/// A connector's error: any `std::error::Error + Send + Sync`, boxed, with its source chain kept.
pub struct ConnectorError(Box<dyn StdError + Send + Sync + 'static>);

impl ConnectorError {
    /// Wraps any error (or a message: `&str`/`String` convert too).
    pub fn new(err: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        Self(err.into())
    }

    /// The wrapped error.
    pub fn inner(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.0
    }

    /// Unwraps the boxed error (e.g. to downcast it).
    pub fn into_inner(self) -> Box<dyn StdError + Send + Sync + 'static> {
        self.0
    }
}

impl fmt::Debug for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

// Transparent: displays the wrapped error and continues its chain, so a report shows the
// connector's own message once.
impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl StdError for ConnectorError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

/// A source of Baton objects, listed page by page in the shape of baton-sdk's connector
/// interface. HTTP retries belong to the connector; the syncer fails on the first error.
#[async_trait]
pub trait Connector: Send + Sync {
    /// Lists the resource types.
    async fn resource_types(
        &self,
        page: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError>;

    /// Lists resources of a type; `parent` is set when listing children announced by a
    /// `ChildResourceType` annotation (top-level listings pass `None`).
    async fn resources(
        &self,
        resource_type_id: &str,
        parent: Option<&ResourceId>,
        page: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError>;

    /// Lists the entitlements of a resource.
    async fn entitlements(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError>;

    /// Lists the grants on a resource's entitlements (may include grants on other resources'
    /// entitlements).
    async fn grants(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError>;

    /// Optional fast path for [`Connector::entitlements`]: the same page, each item an
    /// `Entitlement` already protobuf-encoded. A connector that keeps its objects encoded
    /// returns `Some`, and the engine stores the bytes as they are, after reading the id and
    /// the resource id from them, instead of decoding and re-encoding every entitlement. The
    /// default, `None`, makes the engine call [`Connector::entitlements`].
    async fn entitlements_encoded(
        &self,
        _resource: &Resource,
        _page: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        None
    }

    /// Optional fast path for [`Connector::grants`], as [`Connector::entitlements_encoded`] is
    /// for entitlements: each item a `Grant` already protobuf-encoded. The engine reads the
    /// keys it needs and stores the bytes as they are; a grant carrying `GrantExpandable`, or
    /// a page annotated `InsertResourceGrants`, is decoded and handled as from
    /// [`Connector::grants`]. The default, `None`, makes the engine call
    /// [`Connector::grants`].
    async fn grants_encoded(
        &self,
        _resource: &Resource,
        _page: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        None
    }
}

macro_rules! forward_connector {
    ($($ty:ty),*) => {$(
        #[async_trait]
        impl<C: Connector + ?Sized> Connector for $ty {
            async fn resource_types(
                &self,
                page: Option<PageToken>,
            ) -> Result<Page<ResourceType>, ConnectorError> {
                (**self).resource_types(page).await
            }
            async fn resources(
                &self,
                resource_type_id: &str,
                parent: Option<&ResourceId>,
                page: Option<PageToken>,
            ) -> Result<Page<Resource>, ConnectorError> {
                (**self).resources(resource_type_id, parent, page).await
            }
            async fn entitlements(
                &self,
                resource: &Resource,
                page: Option<PageToken>,
            ) -> Result<Page<Entitlement>, ConnectorError> {
                (**self).entitlements(resource, page).await
            }
            async fn grants(
                &self,
                resource: &Resource,
                page: Option<PageToken>,
            ) -> Result<Page<Grant>, ConnectorError> {
                (**self).grants(resource, page).await
            }
            async fn entitlements_encoded(
                &self,
                resource: &Resource,
                page: Option<PageToken>,
            ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
                (**self).entitlements_encoded(resource, page).await
            }
            async fn grants_encoded(
                &self,
                resource: &Resource,
                page: Option<PageToken>,
            ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
                (**self).grants_encoded(resource, page).await
            }
        }
    )*};
}

forward_connector!(&C, Box<C>, Arc<C>);
