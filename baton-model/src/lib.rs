//! The ConductorOne Baton model for Rust: protobuf messages, c1z files, a sync engine.
//!
//! The crate is being built; see the README for what works today.

pub mod c1z;
pub mod model;
pub mod proto;
pub mod sync;
