//! Loading a [`Snapshot`](super::Snapshot) from the Workato API.
