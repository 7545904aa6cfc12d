//! `baton-workato`: sync Workato access into a c1z file for ConductorOne.

use std::process::ExitCode;

// glibc's malloc spent about a sixth of a sync's CPU on the engine's many small allocations
// and on frees across threads; mimalloc does not (docs/decisions.md, D58).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    baton_workato_cli::run()
}
