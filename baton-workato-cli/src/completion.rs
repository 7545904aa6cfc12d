//! `baton-workato completion <shell>`: a completion script generated from the clap definition.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::Cli;

/// Writes the completion script for `shell` to `out`.
pub(crate) fn write_completion(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    // clap_complete panics on write errors; generate in memory so a closed pipe is an error.
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "baton-workato", &mut buf);
    out.write_all(&buf)?;
    out.flush()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bash_script_completes_our_flags() {
        let mut out = Vec::new();
        write_completion(Shell::Bash, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("baton-workato"));
        assert!(text.contains("--workato-data-center"));
        assert!(text.contains("inspect"));
    }
}
