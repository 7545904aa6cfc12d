//! Progress reports of a running sync.

/// The phase a sync is in, in Baton order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Listing resource types.
    ResourceTypes,
    /// Listing resources (top level and children).
    Resources,
    /// Listing entitlements.
    Entitlements,
    /// Listing grants.
    Grants,
    /// Expanding grants (`GrantExpandable`).
    Expansion,
    /// Compressing and writing the c1z.
    Writing,
    /// Finished.
    Done,
}

/// Objects stored so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// Resource types stored.
    pub resource_types: u64,
    /// Resources stored (duplicates not counted).
    pub resources: u64,
    /// Entitlements stored (distinct ids).
    pub entitlements: u64,
    /// Grants stored from the connector (distinct ids).
    pub grants: u64,
    /// Grants created by expansion.
    pub expanded_grants: u64,
}

/// A progress report: emitted at every phase change and after every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The current phase.
    pub phase: Phase,
    /// Counts so far.
    pub counts: Counts,
}
