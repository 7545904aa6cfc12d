//! End-to-end tests of the `baton-workato` binary, run as a real process (one test binary,
//! a module per area) against the fake Workato server running in the test process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod demo;
mod inspect;
mod jit;
mod secrets;
mod support;
mod sync;
mod usage;
