//! End-to-end tests of the `baton-workato` binary.

mod binary;
mod corporate_network;
mod permissions;
