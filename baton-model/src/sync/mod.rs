//! A generic sync engine: a [`Connector`] trait in Baton's shape and a [`Syncer`] that walks it in
//! Baton order (docs/architecture.md#the-sync-engine) and writes a c1z v1 file as it goes.

use thiserror::Error;

use crate::c1z::C1zError;

mod connector;
mod encoded;
mod expand;
mod progress;
mod syncer;
mod writer_thread;

pub use connector::{Connector, ConnectorError, Page, PageToken};
pub use encoded::{GrantKeys, GrantRowKeys};
pub use progress::{Counts, Phase, Progress};
pub use syncer::{SyncSummary, Syncer};

/// Why a sync failed. The previous output file is left untouched in every case.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SyncError {
    /// A connector call failed.
    #[error("connector failed listing {what}")]
    Connector {
        /// What was being listed (e.g. `grants of role:admin`).
        what: String,
        /// The connector's error.
        #[source]
        source: ConnectorError,
    },
    /// The c1z writer thread stopped before answering (it panicked).
    #[error("the c1z writer thread stopped unexpectedly")]
    WriterStopped,
    /// Writing the c1z failed.
    #[error("writing the c1z failed")]
    C1z(#[from] C1zError),
    /// `resource_type_filter` names a type the connector does not have.
    #[error("resource type {0:?} in the filter is not offered by the connector")]
    UnknownResourceType(String),
    /// A resource of a trait-bearing type lacks the trait annotation.
    #[error("resource {resource} of type {resource_type} lacks the required {trait_name}")]
    MissingTrait {
        /// `"<type>:<id>"` of the resource.
        resource: String,
        /// The resource type id.
        resource_type: String,
        /// The missing trait message name.
        trait_name: &'static str,
    },
    /// A connector put the SDK-reserved `BatonID` annotation on a resource.
    #[error("resource {0} carries the reserved BatonID annotation")]
    BatonId(String),
    /// A connector returned the same page token twice in a row (it would loop forever).
    #[error("connector returned the same page token twice while listing {0}")]
    RepeatedPageToken(String),
    /// A `GrantExpandable` source entitlement does not belong to the grant's principal.
    #[error(
        "grant {grant}: expandable source entitlement {source_entitlement} belongs to {source_resource}, \
         not to the grant's principal {principal}"
    )]
    ExpansionPrincipalMismatch {
        /// The expandable grant.
        grant: String,
        /// The source entitlement id.
        source_entitlement: String,
        /// `"<type>:<id>"` of the source entitlement's resource.
        source_resource: String,
        /// `"<type>:<id>"` of the grant's principal.
        principal: String,
    },
}
