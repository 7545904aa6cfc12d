//! End-to-end tests of the `baton-workato` binary, run as a real process (one test binary,
//! a module per area).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod inspect;
mod support;
mod usage;
