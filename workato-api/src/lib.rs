//! Typed async client for the Workato Developer API.
//!
//! The client is being built; see the README for what works today.

/// Stateful in-process fake Workato server for tests, examples, demos and benchmarks.
#[cfg(feature = "fake")]
pub mod fake;
