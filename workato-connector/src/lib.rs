//! The Workato to Baton mapping.
//!
//! The crate is being built; see the README for what works today.
