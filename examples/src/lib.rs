//! Runnable examples and the benchmark for the baton-workato workspace.
//!
//! - [`procstat`]: peak RSS and CPU time of the current process from `/proc`.
//! - [`report`]: the benchmark's JSON result and its rate-limit bound.
//!
//! The benchmark itself is the `bench` binary (`cargo run --release -p examples --bin bench --
//! --help`).

pub mod procstat;
pub mod report;
