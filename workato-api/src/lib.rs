//! Typed async client for the Workato Developer API.
//!
//! The client is being built; see the README for what works today.
