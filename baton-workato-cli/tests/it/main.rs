//! The `baton-workato` command line, tested from outside: the real binary run as a child
//! process against the fake Workato server in the test process, plus the entry point and the
//! configuration merge called in-process. One test binary, a module per area.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod config;
mod demo;
mod in_process;
mod inspect;
mod jit;
mod secrets;
mod support;
mod sync;
mod usage;
