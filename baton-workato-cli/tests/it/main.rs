//! The `baton-workato` command line, tested from outside: the real binary run as a child
//! process against the fake Workato server in the test process, plus the entry point called
//! in-process (help, usage errors, exit codes). One test binary, a module per area.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corporate_network;
mod demo;
mod history;
mod in_process;
mod inspect;
mod jit;
mod permissions;
mod secrets;
mod service;
mod support;
mod sync;
mod usage;
