//! `baton-workato`: sync Workato access into a c1z file for ConductorOne.

use std::process::ExitCode;

fn main() -> ExitCode {
    baton_workato_cli::run()
}
