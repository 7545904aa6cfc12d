//! `baton-workato`: sync Workato access into a c1z file for ConductorOne.

use std::process::ExitCode;

// The sync engine makes many small allocations and frees them across threads; with mimalloc
// instead of glibc's malloc a sync uses about a sixth less CPU (docs/decisions.md, D58).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    baton_workato_cli::run()
}
