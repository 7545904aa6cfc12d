//! Integration tests of the service runtime against the fake C1, with a small in-memory
//! connector and provisioner (support.rs).

mod auth;
mod logs;
mod loop_control;
mod provisioning;
mod proxy;
mod startup;
mod support;
mod sync;
